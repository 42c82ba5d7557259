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
    // Again (the same bytes): stored once. The body is read before the answer, so the connection
    // stays usable: the next request on it (a GET, as a device reading the file back) succeeds
    // every time — answered unread, the server closed it under the client (IncompleteMessage,
    // now and then).
    for _ in 0..10 {
        let again = srv.http.put(&url).bearer_auth(&token).body(body.clone()).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NO_CONTENT, "the same hash is the same bytes: stored once");
        let get = srv.http.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(get.status(), StatusCode::OK);
        assert_eq!(get.bytes().await.unwrap().len(), body.len());
    }
    // Other bytes under a stored hash: refused, as for a first PUT.
    let wrong = srv.http.put(&url).bearer_auth(&token).body("something else").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
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

/// A statement file sent resumably (tus, `asset statement`): named by the SHA-256 it must give,
/// stored with the workspace's statement files when it completes (GET finds it; it is no release
/// asset), refused to a label's artist, and failed when the bytes are not what the hash names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_file_sent_through_tus_is_stored_with_the_statement_files() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let token = srv.signup("owner@example.com", "Owner").await;
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    let body = "Reporting Date\tSale Month\r\n2026-04-02\t2026-03\r\n".repeat(20_000);
    let sha = hex::encode(Sha256::digest(body.as_bytes()));
    let len = body.len() as u64;

    let no_hash = srv.tus_create(&token, len, &[("asset", "statement"), ("workspace", &ws)]).await;
    assert_eq!(no_hash.status(), StatusCode::BAD_REQUEST);
    assert_eq!(no_hash.json::<serde_json::Value>().await.unwrap()["code"], "invalid_metadata");

    let created = srv.tus_create(&token, len, &[("asset", "statement"), ("workspace", &ws), ("sha256", &sha), ("filename", "dk.tsv")]).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let upload = srv.url(created.headers()["location"].to_str().unwrap());
    let patch = |offset: usize, bytes: &[u8]| {
        srv.http
            .patch(&upload)
            .bearer_auth(&token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(bytes.to_vec())
            .send()
    };
    let half = body.len() / 2;
    assert_eq!(patch(0, &body.as_bytes()[..half]).await.unwrap().status(), StatusCode::NO_CONTENT);
    let file = srv.url(&format!("/v1/workspaces/{ws}/statement-files/{sha}"));
    assert_eq!(srv.http.get(&file).bearer_auth(&token).send().await.unwrap().status(), StatusCode::NOT_FOUND, "not before its last byte");
    let last = patch(half, &body.as_bytes()[half..]).await.unwrap();
    assert_eq!(last.status(), StatusCode::NO_CONTENT);
    assert_eq!(last.headers()["roadie-upload-sha256"], sha.as_str());
    let get = srv.http.get(&file).bearer_auth(&token).send().await.unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    assert_eq!(get.bytes().await.unwrap(), body.as_bytes());
    let assets = srv.http.get(srv.url(&format!("/v1/workspaces/{ws}/assets"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(assets.json::<serde_json::Value>().await.unwrap(), serde_json::json!([]), "a statement file is not a release asset");
    let head = srv.http.head(&upload).bearer_auth(&token).header("Tus-Resumable", "1.0.0").send().await.unwrap();
    assert_eq!(head.headers()["roadie-upload-sha256"], sha.as_str(), "a finished statement upload reports its SHA-256");

    // Bytes that are not what the hash names: the upload fails and nothing is stored.
    let other = "not the statement".repeat(10);
    let other_sha = hex::encode(Sha256::digest(b"something else"));
    let created =
        srv.tus_create(&token, other.len() as u64, &[("asset", "statement"), ("workspace", &ws), ("sha256", &other_sha)]).await;
    let upload = srv.url(created.headers()["location"].to_str().unwrap());
    let wrong = srv
        .http
        .patch(&upload)
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(other)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 460);
    let missing = srv.url(&format!("/v1/workspaces/{ws}/statement-files/{other_sha}"));
    assert_eq!(srv.http.get(&missing).bearer_auth(&token).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // A label's artist may upload release assets there, not statement files (its ledger is the
    // label's staff's).
    let label = srv.create_workspace(&token, "Label", "label").await;
    let roster = srv.roster_add(&token, &label, "Artist").await;
    let artist = srv.signup("artist@example.com", "Artist").await;
    let (_, invitation) = srv.invite(&token, &label, "artist@example.com", "artist", Some(&roster)).await;
    srv.accept(&artist, &invitation).await;
    let refused = srv.tus_create(&artist, len, &[("asset", "statement"), ("workspace", &label), ("sha256", &sha)]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let master = srv.tus_create(&artist, len, &[("asset", "master"), ("workspace", &label)]).await;
    assert_eq!(master.status(), StatusCode::CREATED);
}
