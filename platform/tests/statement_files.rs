//! `PUT/GET /v1/workspaces/{id}/statement-files/{sha256}`: stored once under the hash of what
//! arrived, refused when the body is not what the hash names, read back byte for byte.

mod common;

use common::{Pg, Server};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statement_files_are_stored_by_their_sha256_and_read_back() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let token = srv.signup("owner@example.com", "Owner").await;
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    let body = "Reporting Date\tSale Month\r\n2026-04-02\t2026-03\r\n".repeat(5000);
    let sha = hex::encode(Sha256::digest(body.as_bytes()));
    let url = srv.url(&format!("/v1/workspaces/{ws}/statement-files/{sha}"));

    let get = srv.http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(get.status(), StatusCode::NOT_FOUND);
    // A body that is not what the hash names: nothing stored.
    let wrong = srv.http.put(&url).bearer_auth(&token).body("something else").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json::<serde_json::Value>().await.unwrap()["code"], "checksum_mismatch");
    assert_eq!(srv.http.get(&url).bearer_auth(&token).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    let put = srv.http.put(&url).bearer_auth(&token).body(body.clone()).send().await.unwrap();
    assert_eq!(put.status(), StatusCode::CREATED);
    let again = srv.http.put(&url).bearer_auth(&token).body(body.clone()).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NO_CONTENT, "the same hash is the same bytes: stored once");
    let get = srv.http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    assert_eq!(get.headers()["content-length"], body.len().to_string().as_str());
    assert_eq!(get.bytes().await.unwrap(), body.as_bytes());

    // Not a SHA-256: 400.
    let bad = srv.http.get(srv.url(&format!("/v1/workspaces/{ws}/statement-files/ABC"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    // Another user's workspace: 404, as if it did not exist.
    let other = srv.signup("other@example.com", "Other").await;
    assert_eq!(srv.http.get(&url).bearer_auth(&other).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}
