//! tus 1.0.0 at /v1/uploads against a real server + PostgreSQL: the whole protocol, resuming after
//! a connection cut mid-PATCH (by a proxy) and after the client process is killed, offset
//! mismatches, checksums, workspace isolation, limits, and the asset a finished upload becomes.

mod common;

use base64::Engine;
use common::{Pg, Server};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn data(len: usize, seed: u8) -> Vec<u8> {
    // Deterministic, not compressible-looking.
    let mut x: u32 = 0x9e37_79b9 ^ seed as u32;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 8) as u8
        })
        .collect()
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn sha_b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b))
}

struct Tus<'a> {
    srv: &'a Server,
    token: String,
}

impl Tus<'_> {
    async fn head(&self, url: &str) -> reqwest::Response {
        self.srv.http.head(self.srv.url(url)).bearer_auth(&self.token).header("Tus-Resumable", "1.0.0").send().await.unwrap()
    }
    async fn offset(&self, url: &str) -> u64 {
        let res = self.head(url).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.headers()["upload-offset"].to_str().unwrap().parse().unwrap()
    }
    async fn patch(&self, url: &str, offset: u64, body: &[u8], checksum: Option<String>) -> (StatusCode, Option<u64>, Value) {
        let mut req = self
            .srv
            .http
            .patch(self.srv.url(url))
            .bearer_auth(&self.token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(body.to_vec());
        if let Some(c) = checksum {
            req = req.header("Upload-Checksum", format!("sha256 {c}"));
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        assert_eq!(res.headers().get("tus-resumable").map(|v| v.to_str().unwrap()), Some("1.0.0"));
        let off = res.headers().get("upload-offset").map(|v| v.to_str().unwrap().parse().unwrap());
        let text = res.text().await.unwrap();
        (status, off, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
    async fn create(&self, len: u64, meta: &[(&str, &str)]) -> String {
        let res = self.srv.tus_create(&self.token, len, meta).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
        res.headers()["location"].to_str().unwrap().to_string()
    }
}

async fn assets(srv: &Server, token: &str, ws: &str) -> Vec<Value> {
    let (s, v) = srv.call(Method::GET, &format!("/v1/workspaces/{ws}/assets"), Some(token), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_in_chunks_with_checksums_becomes_an_asset() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let token = srv.signup("ana@example.com", "Ana").await;
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    let tus = Tus { srv: &srv, token: token.clone() };

    let res = srv.http.request(Method::OPTIONS, srv.url("/v1/uploads")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let h = res.headers();
    assert_eq!(h["tus-version"], "1.0.0");
    assert_eq!(h["tus-resumable"], "1.0.0");
    assert_eq!(h["tus-extension"], "creation,termination,checksum");
    assert_eq!(h["tus-checksum-algorithm"], "sha256");
    assert!(h["tus-max-size"].to_str().unwrap().parse::<u64>().unwrap() > 0);

    let file = data(300_000, 1);
    let release = uuid::Uuid::now_v7().to_string();
    let track = uuid::Uuid::now_v7().to_string();
    let sha = sha_hex(&file);
    let url = tus
        .create(file.len() as u64, &[("filename", "01 Intro.flac"), ("release", &release), ("track", &track), ("asset", "master"), ("sha256", &sha)])
        .await;
    let head = tus.head(&url).await;
    assert_eq!(head.headers()["upload-offset"], "0");
    assert_eq!(head.headers()["upload-length"], "300000");
    assert_eq!(head.headers()["cache-control"], "no-store");
    assert!(head.headers()["upload-metadata"].to_str().unwrap().contains("filename "));

    let mut offset = 0u64;
    for chunk in file.chunks(128 * 1024) {
        let (s, off, v) = tus.patch(&url, offset, chunk, Some(sha_b64(chunk))).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
        offset += chunk.len() as u64;
        assert_eq!(off, Some(offset));
    }
    assert_eq!(tus.offset(&url).await, 300_000);
    let head = tus.head(&url).await;
    assert_eq!(head.headers()["roadie-upload-sha256"].to_str().unwrap(), sha, "a finished upload tells its SHA-256");

    let list = assets(&srv, &token, &ws).await;
    assert_eq!(list.len(), 1);
    let a = &list[0];
    assert_eq!(a["sha256"], sha.as_str());
    assert_eq!(a["size"], 300_000);
    assert_eq!(a["release_id"], release.as_str());
    assert_eq!(a["track_id"], track.as_str());
    assert_eq!(a["kind"], "master");
    assert_eq!(a["filename"], "01 Intro.flac");
    // The stored object is the file, byte for byte.
    let upload_id = url.rsplit('/').next().unwrap();
    let path = object_store::path::Path::from(format!("objects/{ws}/{upload_id}"));
    let stored = srv.state.store.get(&path).await.unwrap().bytes().await.unwrap();
    assert_eq!(&stored[..], &file[..]);
    // Parts are cleaned up.
    use futures::StreamExt;
    let parts: Vec<_> = srv.state.store.list(Some(&object_store::path::Path::from(format!("uploads/{upload_id}")))).collect().await;
    assert!(parts.is_empty(), "{parts:?}");

    // A zero-length upload completes at creation.
    let url0 = tus.create(0, &[("filename", "empty.txt")]).await;
    assert_eq!(tus.offset(&url0).await, 0);
    assert_eq!(assets(&srv, &token, &ws).await.len(), 2);

    // Termination removes the upload.
    let url2 = tus.create(10, &[]).await;
    let res = srv.http.delete(srv.url(&url2)).bearer_auth(&token).header("Tus-Resumable", "1.0.0").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(tus.head(&url2).await.status(), StatusCode::NOT_FOUND);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_errors() {
    let pg = Pg::start();
    let limits = roadie_platform::Limits {
        max_upload_bytes: 1_000_000,
        default_workspace_quota_bytes: 1_200_000,
        ..Default::default()
    };
    let srv = Server::start_with(&pg, limits).await;
    let token = srv.signup("ana@example.com", "Ana").await;
    let tus = Tus { srv: &srv, token: token.clone() };
    let file = data(1000, 2);
    let url = tus.create(1000, &[("sha256", &sha_hex(&file))]).await;

    // Offset mismatch.
    let (s, _, v) = tus.patch(&url, 5, &file[5..], None).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::CONFLICT, Some("offset_mismatch")));
    // Wrong content type.
    let res = srv
        .http
        .patch(srv.url(&url))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Missing Tus-Resumable.
    let res = srv.http.head(srv.url(&url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // Another version.
    let res = srv.http.head(srv.url(&url)).bearer_auth(&token).header("Tus-Resumable", "0.2.2").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    // A chunk whose checksum does not match is refused and nothing moves.
    let (s, _, v) = tus.patch(&url, 0, &file[..500], Some(sha_b64(b"something else"))).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (460, Some("checksum_mismatch")));
    assert_eq!(tus.offset(&url).await, 0);
    // Unsupported checksum algorithm.
    let res = srv
        .http
        .patch(srv.url(&url))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Upload-Checksum", "md5 AAAA")
        .header("Content-Type", "application/offset+octet-stream")
        .body(file[..10].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // More than Upload-Length.
    let mut long = file.clone();
    long.push(0);
    let (s, _, v) = tus.patch(&url, 0, &long, None).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("exceeds_length")));
    assert_eq!(tus.offset(&url).await, 0);
    // Now correctly: two chunks.
    let (s, _, _) = tus.patch(&url, 0, &file[..400], None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, off, _) = tus.patch(&url, 400, &file[400..], None).await;
    assert_eq!((s, off), (StatusCode::NO_CONTENT, Some(1000)));

    // The whole file's SHA-256 (metadata) is checked at the end: a mismatch fails the upload.
    let other = data(1000, 3);
    let url2 = tus.create(1000, &[("sha256", &sha_hex(&file))]).await;
    let (s, _, v) = tus.patch(&url2, 0, &other, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (460, Some("checksum_mismatch")), "{v}");
    assert_eq!(tus.head(&url2).await.status(), StatusCode::GONE);
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    assert_eq!(assets(&srv, &token, &ws).await.len(), 1, "a failed upload is no asset");

    // Limits: a single upload over Tus-Max-Size, and the workspace quota.
    let res = srv.tus_create(&token, 1_000_001, &[]).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let res = srv.tus_create(&token, 600_000, &[]).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = srv.tus_create(&token, 600_000, &[]).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "quota_exceeded");
    // Statement files are outside the release-asset quota (as with a PUT), not over the size limit.
    let hash = "ab".repeat(32);
    let statement = [("asset", "statement"), ("sha256", hash.as_str())];
    assert_eq!(srv.tus_create(&token, 600_000, &statement).await.status(), StatusCode::CREATED);
    assert_eq!(srv.tus_create(&token, 1_000_001, &statement).await.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Bad metadata.
    let res = srv.tus_create(&token, 10, &[("release", "not-a-uuid")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = srv.http.post(srv.url("/v1/uploads")).bearer_auth(&token).header("Tus-Resumable", "1.0.0").header("Upload-Length", "10").header("Upload-Metadata", "filename !!!notbase64").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_uploaders_workspace_can_see_or_resume() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let owner = srv.signup("label@example.com", "Label").await;
    let staff = srv.signup("staff@example.com", "Staff").await;
    let other = srv.signup("other@example.com", "Other").await;
    let label = srv.create_workspace(&owner, "Label", "label").await;
    let (_, inv) = srv.invite(&owner, &label, "staff@example.com", "label_staff", None).await;
    srv.accept(&staff, &inv).await;

    let file = data(2000, 4);
    let tus = Tus { srv: &srv, token: owner.clone() };
    let url = tus.create(2000, &[("workspace", &label)]).await;
    let (s, _, _) = tus.patch(&url, 0, &file[..1000], None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    let stranger = Tus { srv: &srv, token: other.clone() };
    assert_eq!(stranger.head(&url).await.status(), StatusCode::NOT_FOUND);
    let (s, _, v) = stranger.patch(&url, 1000, &file[1000..], None).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let res = srv.http.delete(srv.url(&url)).bearer_auth(&other).header("Tus-Resumable", "1.0.0").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The stranger cannot create uploads in the label either.
    let res = srv.tus_create(&other, 10, &[("workspace", &label)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(tus.offset(&url).await, 1000, "nothing the stranger did moved the upload");

    // A colleague in the same workspace may resume it.
    let colleague = Tus { srv: &srv, token: staff.clone() };
    assert_eq!(colleague.offset(&url).await, 1000);
    let (s, off, _) = colleague.patch(&url, 1000, &file[1000..], None).await;
    assert_eq!((s, off), (StatusCode::NO_CONTENT, Some(2000)));
    assert_eq!(assets(&srv, &owner, &label).await[0]["sha256"], sha_hex(&file).as_str());
    srv.stop().await;
}

/// A TCP proxy that forwards one connection and cuts it after `limit` bytes from the client:
/// the server sees the request end there (FIN mid-body); the proxy waits until the server has
/// dealt with that and closed its side, then drops the client's connection without forwarding
/// anything more.
async fn cutting_proxy(upstream: std::net::SocketAddr, limit: usize) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let forwarded = Arc::new(AtomicUsize::new(0));
    let fwd = forwarded.clone();
    tokio::spawn(async move {
        let (client, _) = listener.accept().await.unwrap();
        let server = tokio::net::TcpStream::connect(upstream).await.unwrap();
        let (mut cr, cw) = client.into_split();
        let (mut sr, mut sw) = server.into_split();
        let cut = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let cut2 = cut.clone();
        let back = tokio::spawn(async move {
            let mut cw = cw;
            let mut buf = vec![0u8; 16 * 1024];
            while let Ok(n) = sr.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                if !cut2.load(Ordering::SeqCst) && cw.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
            cw // dropped by the caller once the server is done
        });
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let sent = fwd.load(Ordering::SeqCst);
            let take = n.min(limit - sent);
            if sw.write_all(&buf[..take]).await.is_err() {
                break;
            }
            fwd.fetch_add(take, Ordering::SeqCst);
            if sent + take >= limit {
                break;
            }
        }
        cut.store(true, Ordering::SeqCst);
        let _ = sw.shutdown().await;
        let cw = tokio::time::timeout(std::time::Duration::from_secs(60), back).await;
        drop(cw);
        drop(cr);
    });
    (addr, forwarded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumes_after_the_connection_is_cut_mid_patch() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let token = srv.signup("ana@example.com", "Ana").await;
    let tus = Tus { srv: &srv, token: token.clone() };
    let file = data(2_000_000, 5);
    let url = tus.create(file.len() as u64, &[("sha256", &sha_hex(&file)), ("filename", "master.wav")]).await;

    // PATCH the whole file through a proxy that cuts the connection after ~700 kB.
    let (proxy, forwarded) = cutting_proxy(srv.addr, 700_000).await;
    let res = reqwest::Client::new()
        .patch(format!("http://{proxy}{url}"))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(file.clone())
        .send()
        .await;
    assert!(res.is_err() || !res.unwrap().status().is_success(), "the cut PATCH must not succeed");
    let sent = forwarded.load(Ordering::SeqCst) as u64;
    assert_eq!(sent, 700_000);

    // The server kept what arrived (the body bytes among the 700 kB; the rest were headers).
    let offset = tus.offset(&url).await;
    assert!(offset > 600_000 && offset < sent, "kept {offset} of {sent} bytes sent");
    let (s, off, v) = tus.patch(&url, offset, &file[offset as usize..], None).await;
    assert_eq!((s, off), (StatusCode::NO_CONTENT, Some(file.len() as u64)), "{v}");
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    assert_eq!(assets(&srv, &token, &ws).await[0]["sha256"], sha_hex(&file).as_str());

    // With a per-request checksum a cut PATCH stores nothing (it cannot be verified).
    let url = tus.create(file.len() as u64, &[]).await;
    let (proxy, _) = cutting_proxy(srv.addr, 500_000).await;
    let _ = reqwest::Client::new()
        .patch(format!("http://{proxy}{url}"))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Upload-Checksum", format!("sha256 {}", sha_b64(&file)))
        .header("Content-Type", "application/offset+octet-stream")
        .body(file.clone())
        .send()
        .await;
    assert_eq!(tus.offset(&url).await, 0);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumes_after_the_client_is_killed() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let token = srv.signup("ana@example.com", "Ana").await;
    let tus = Tus { srv: &srv, token: token.clone() };
    let file = data(3_000_000, 6);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("master.wav");
    std::fs::write(&path, &file).unwrap();
    let url = tus.create(file.len() as u64, &[("sha256", &sha_hex(&file))]).await;

    // curl sends the whole file slowly as one PATCH; kill it once part of it has arrived.
    let mut child = std::process::Command::new("curl")
        .args(["-sS", "-X", "PATCH", "--limit-rate", "1M"])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["-H", "Tus-Resumable: 1.0.0", "-H", "Upload-Offset: 0", "-H", "Content-Type: application/offset+octet-stream"])
        .arg("--data-binary")
        .arg(format!("@{}", path.display()))
        .arg(srv.url(&url))
        .spawn()
        .expect("curl (installed by scripts/setup.sh)");
    // Wait until the server is receiving the PATCH (it holds the upload's row lock), let some
    // bytes flow, then kill -9.
    let id = uuid::Uuid::parse_str(url.rsplit('/').next().unwrap()).unwrap();
    for _ in 0..600 {
        let mut tx = srv.state.db.begin().await.unwrap();
        let locked = sqlx::query("SELECT 1 FROM uploads WHERE id = $1 FOR UPDATE NOWAIT").bind(id).execute(&mut *tx).await.is_err();
        drop(tx);
        if locked {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "curl ended before the test could kill it");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    child.kill().unwrap();
    child.wait().unwrap();

    let offset = tus.offset(&url).await;
    assert!(offset > 0 && offset < file.len() as u64, "kept {offset} bytes");
    let (s, off, _) = tus.patch(&url, offset, &file[offset as usize..], None).await;
    assert_eq!((s, off), (StatusCode::NO_CONTENT, Some(file.len() as u64)));
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    assert_eq!(assets(&srv, &token, &ws).await[0]["sha256"], sha_hex(&file).as_str());
    srv.stop().await;
}
