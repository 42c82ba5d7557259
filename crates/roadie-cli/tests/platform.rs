//! `roadie login` / `logout` / `upload` end to end against a real platform server on loopback
//! (its throwaway PostgreSQL cluster comes from the platform's test harness).

#[path = "../../../platform/tests/common/mod.rs"]
mod common;
#[path = "common/mod.rs"]
mod cli_common;

use cli_common::Cli;
use common::{proxy_cutting_once, Pg, Server, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> tokio::task::JoinHandle<T> {
    tokio::task::spawn_blocking(f)
}

fn write_file(dir: &Path, name: &str, len: usize, seed: u8) -> (PathBuf, Vec<u8>) {
    let data: Vec<u8> = (0..len).map(|i| (i as u32).wrapping_mul(2654435761).wrapping_add(seed as u32).to_le_bytes()[2]).collect();
    let p = dir.join(name);
    std::fs::write(&p, &data).unwrap();
    (p, data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_upload_resume_and_logout() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let token = srv.signup("ana@example.com", "Ana").await;
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let cli = std::sync::Arc::new(Cli { db: dir.path().join("store.sqlite") });
    let base = srv.base.clone();

    // Not signed in yet.
    let c = cli.clone();
    let (f, _) = write_file(dir.path(), "early.wav", 10, 0);
    let err = blocking(move || c.fails(&["upload", f.to_str().unwrap()], "")).await.unwrap();
    assert!(err.contains("[not_signed_in]"), "{err}");
    // A wrong password.
    let (c, b) = (cli.clone(), base.clone());
    let err = blocking(move || c.fails(&["login", "--server", &b, "--email", "ana@example.com"], "wrong password\n")).await.unwrap();
    assert!(err.contains("[wrong_credentials]"), "{err}");
    // Sign in; the token is in a 0600 file beside the store, not in the store.
    let (c, b) = (cli.clone(), base.clone());
    let account = blocking(move || c.json(&["login", "--server", &format!("{b}/"), "--email", "Ana@Example.com"], &format!("{PASSWORD}\n"))).await.unwrap();
    assert_eq!(account["server"], base.as_str());
    assert_eq!(account["email"], "ana@example.com");
    assert_eq!(account["workspace_id"], ws.as_str());
    let secrets = dir.path().join("store.sqlite.secrets.json");
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // Upload two files for a release.
    let release = "01900000-0000-7000-8000-0000000000aa";
    let (master, master_bytes) = write_file(dir.path(), "01 Opening.wav", 3_000_000, 1);
    let (cover, cover_bytes) = write_file(dir.path(), "cover.jpg", 120_000, 2);
    let (c, m, cv) = (cli.clone(), master.clone(), cover.clone());
    let results = blocking(move || c.json(&["upload", m.to_str().unwrap(), cv.to_str().unwrap(), "--release", release], "")).await.unwrap();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["status"], "uploaded");
    assert_eq!(results[0]["resumed_from"], 0);
    assert_eq!(results[0]["sha256"], hex::encode(Sha256::digest(&master_bytes)));
    let (s, assets) = srv.call(Method::GET, &format!("/v1/workspaces/{ws}/assets"), Some(&token), None).await;
    assert_eq!(s, StatusCode::OK);
    let assets = assets.as_array().unwrap();
    assert_eq!(assets.len(), 2);
    let by_kind = |k: &str| assets.iter().find(|a| a["kind"] == k).unwrap().clone();
    assert_eq!(by_kind("master")["sha256"], hex::encode(Sha256::digest(&master_bytes)));
    assert_eq!(by_kind("master")["release_id"], release);
    assert_eq!(by_kind("master")["filename"], "01 Opening.wav");
    assert_eq!(by_kind("artwork")["sha256"], hex::encode(Sha256::digest(&cover_bytes)));

    // The same file again: nothing is sent.
    let (c, m) = (cli.clone(), master.clone());
    let again = blocking(move || c.json(&["upload", m.to_str().unwrap(), "--release", release], "")).await.unwrap();
    assert_eq!(again[0]["status"], "already_uploaded");

    // An interrupted upload: a previous run created the upload and sent the first 1 MB, then the
    // app died. The next `roadie upload` of that file resumes at the server's offset.
    let (big, big_bytes) = write_file(dir.path(), "02 Second.flac", 2_500_000, 3);
    let sha = hex::encode(Sha256::digest(&big_bytes));
    let res = srv.tus_create(&token, big_bytes.len() as u64, &[("filename", "02 Second.flac"), ("sha256", &sha)]).await;
    let url = format!("{}{}", base, res.headers()["location"].to_str().unwrap());
    let res = srv
        .http
        .patch(&url)
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(big_bytes[..1_000_000].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", cli.db.display())).await.unwrap();
        // "The same file": its canonical path, size and modification time (ns).
        let mtime = std::fs::metadata(&big).unwrap().modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos().to_string();
        sqlx::query(
            "INSERT INTO platform_uploads (id, server, path, size, mtime, release_id, url, uploaded, state, created_at, updated_at)
             VALUES ('01900000-0000-7000-8000-0000000000bb', ?, ?, ?, ?, NULL, ?, 0, 'pending', '2026-11-26T00:00:00Z', '2026-11-26T00:00:00Z')",
        )
        .bind(&base)
        .bind(std::fs::canonicalize(&big).unwrap().to_str().unwrap())
        .bind(big_bytes.len() as i64)
        .bind(&mtime)
        .bind(&url)
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let (c, bg) = (cli.clone(), big.clone());
    let resumed = blocking(move || c.json(&["upload", bg.to_str().unwrap()], "")).await.unwrap();
    assert_eq!(resumed[0]["status"], "uploaded");
    assert_eq!(resumed[0]["resumed_from"], 1_000_000);
    assert_eq!(resumed[0]["upload_url"], url.as_str());
    let (_, assets) = srv.call(Method::GET, &format!("/v1/workspaces/{ws}/assets"), Some(&token), None).await;
    assert!(assets.as_array().unwrap().iter().any(|a| a["sha256"] == sha.as_str()), "the resumed file arrived whole");

    // Sign out: the token is revoked on the server and removed here.
    let saved: Value = serde_json::from_slice(&std::fs::read(&secrets).unwrap()).unwrap();
    let cli_token = saved.as_object().unwrap().values().next().unwrap().as_str().unwrap().to_string();
    let c = cli.clone();
    let out = blocking(move || c.json(&["logout"], "")).await.unwrap();
    assert_eq!(out["revoked_on_server"], true);
    assert!(!secrets.exists());
    let (s, _) = srv.call(Method::GET, "/v1/me", Some(&cli_token), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let c = cli.clone();
    let (f, _) = write_file(dir.path(), "late.wav", 10, 4);
    let err = blocking(move || c.fails(&["upload", f.to_str().unwrap()], "")).await.unwrap();
    assert!(err.contains("[not_signed_in]"), "{err}");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_survives_a_cut_connection() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let token = srv.signup("ana@example.com", "Ana").await;
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let cli = std::sync::Arc::new(Cli { db: dir.path().join("store.sqlite") });
    // The CLI talks to the server through a proxy that cuts the connection once, 1.5 MB into
    // the upload of a 4 MB file; the engine asks the server where it stands and goes on.
    let (proxy, has_cut) = proxy_cutting_once(srv.addr, 1_500_000).await;
    let (c, p) = (cli.clone(), proxy.clone());
    blocking(move || c.json(&["login", "--server", &p, "--email", "ana@example.com"], &format!("{PASSWORD}\n"))).await.unwrap();
    let (file, bytes) = write_file(dir.path(), "master.wav", 4_000_000, 9);
    let (c, f) = (cli.clone(), file.clone());
    let out = blocking(move || c.json(&["upload", f.to_str().unwrap()], "")).await.unwrap();
    assert!(has_cut.load(std::sync::atomic::Ordering::SeqCst), "the proxy cut a connection");
    assert_eq!(out[0]["status"], "uploaded");
    let (_, assets) = srv.call(Method::GET, &format!("/v1/workspaces/{ws}/assets"), Some(&token), None).await;
    assert_eq!(assets[0]["sha256"], hex::encode(Sha256::digest(&bytes)));
    assert_eq!(assets[0]["size"], 4_000_000);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_resumes_after_the_cli_is_killed() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let token = srv.signup("ana@example.com", "Ana").await;
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let cli = std::sync::Arc::new(Cli { db: dir.path().join("store.sqlite") });
    let (c, b) = (cli.clone(), srv.base.clone());
    blocking(move || c.json(&["login", "--server", &b, "--email", "ana@example.com"], &format!("{PASSWORD}\n"))).await.unwrap();
    let (file, bytes) = write_file(dir.path(), "master.wav", 20_000_000, 7);

    // Small chunks, so the upload takes many requests; kill -9 the CLI as soon as its store says
    // part of the file is on the server.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("roadie"))
        .env_remove("ROADIE_DB")
        .env("ROADIE_UPLOAD_CHUNK_BYTES", "65536")
        .arg("--db")
        .arg(&cli.db)
        .args(["upload", file.to_str().unwrap(), "--json"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", cli.db.display())).await.unwrap();
    let mut sent = 0i64;
    for _ in 0..3000 {
        sent = sqlx::query_scalar("SELECT COALESCE(MAX(uploaded), 0) FROM platform_uploads").fetch_one(&pool).await.unwrap_or(0);
        if sent > 0 {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the upload ended before it could be killed");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    pool.close().await;
    assert!(sent > 0, "part of the file reached the server before the kill");

    let (c, f) = (cli.clone(), file.clone());
    let out = blocking(move || c.json(&["upload", f.to_str().unwrap()], "")).await.unwrap();
    assert_eq!(out[0]["status"], "uploaded");
    let resumed = out[0]["resumed_from"].as_u64().unwrap();
    assert!(resumed >= sent as u64 && resumed < 20_000_000, "resumed at {resumed}, {sent} were recorded before the kill");
    let (_, assets) = srv.call(Method::GET, &format!("/v1/workspaces/{ws}/assets"), Some(&token), None).await;
    assert_eq!(assets[0]["sha256"], hex::encode(Sha256::digest(&bytes)));
    srv.stop().await;
}

/// The desktop's upload queue against a real server: an upload interrupted mid-file is paused,
/// the app "restarts" (the store is reopened), and resuming sends only the rest; a cancelled
/// upload is deleted on the server; signing up through the engine names the workspace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_queue_pauses_resumes_after_a_restart_and_cancels() {
    use roadie::platform::{FileSecrets, QueueControl, QueueOptions, UploadQueueStatus};
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite");
    let secrets = FileSecrets::beside_store(&db);
    let store = roadie::Store::open(&db).await.unwrap();
    let account = store.signup(&srv.base, "Mei@Example.com", PASSWORD, "Mei Tanaka", &secrets).await.unwrap();
    assert_eq!(account.email, "mei@example.com");
    assert_eq!(account.workspace_name, "Mei Tanaka");
    let taken = store.signup(&srv.base, "mei@example.com", PASSWORD, "Mei", &secrets).await.unwrap_err();
    assert_eq!(taken.payload().params["platform_code"], "email_taken");

    let (master, bytes) = write_file(dir.path(), "01 Paper Moon.wav", 2_000_000, 9);
    let release = uuid::Uuid::now_v7();
    let id = store.enqueue_uploads(Some(release), std::slice::from_ref(&master)).await.unwrap()[0].id;
    let control = QueueControl::default();
    let options = QueueOptions { chunk_size: 256 * 1024, retry_delays: vec![] };
    // Interrupted after the first chunks (as when the app is closed mid-upload).
    let c = control.clone();
    store
        .run_upload_queue(&secrets, &control, &options, &|item| {
            if item.uploaded >= 512 * 1024 {
                c.interrupt(item.id);
            }
        })
        .await
        .unwrap();
    let paused = store.upload_queue_item(id).await.unwrap();
    assert_eq!(paused.status, UploadQueueStatus::Paused);
    assert!(paused.uploaded >= 512 * 1024 && paused.uploaded < 2_000_000, "{}", paused.uploaded);

    // Restart: reopen the store; resume; the first progress starts where the server stopped.
    drop(store);
    let store = roadie::Store::open(&db).await.unwrap();
    store.recover_upload_queue().await.unwrap();
    assert_eq!(store.upload_queue_item(id).await.unwrap().uploaded, paused.uploaded);
    store.resume_upload(id).await.unwrap();
    let first = std::sync::Mutex::new(None);
    let done = store
        .run_upload_queue(&secrets, &QueueControl::default(), &options, &|item| {
            if item.status == UploadQueueStatus::Uploading && item.uploaded > 0 {
                first.lock().unwrap().get_or_insert(item.uploaded);
            }
        })
        .await
        .unwrap();
    assert_eq!(done, 1);
    assert_eq!(first.into_inner().unwrap(), Some(paused.uploaded), "resumed where the server stopped, not restarted");
    let item = store.upload_queue_item(id).await.unwrap();
    assert_eq!(item.status, UploadQueueStatus::Complete);
    assert_eq!(item.sha256.as_deref(), Some(hex::encode(Sha256::digest(&bytes)).as_str()));
    let token = srv.login("mei@example.com").await;
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    let (_, assets) = srv.call(Method::GET, &format!("/v1/workspaces/{ws}/assets"), Some(&token), None).await;
    let assets = assets.as_array().unwrap();
    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0]["size"], 2_000_000);
    assert_eq!(assets[0]["release_id"], release.to_string());

    // Cancel a partial upload: the server forgets it.
    let (art, _) = write_file(dir.path(), "cover.png", 1_000_000, 4);
    let id = store.enqueue_uploads(Some(release), &[art]).await.unwrap()[0].id;
    let c = control.clone();
    store.run_upload_queue(&secrets, &control, &options, &|item| if item.uploaded > 0 { c.interrupt(item.id); }).await.unwrap();
    let url: String = sqlx::query_scalar("SELECT url FROM platform_uploads WHERE path LIKE '%cover.png' AND state = 'pending'")
        .fetch_one(&sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap())
        .await
        .unwrap();
    assert_eq!(store.cancel_upload(id, &control, &secrets).await.unwrap().status, UploadQueueStatus::Cancelled);
    let head = srv.http.head(&url).bearer_auth(&token).header("Tus-Resumable", "1.0.0").send().await.unwrap();
    assert!(matches!(head.status().as_u16(), 404 | 410), "{}", head.status());
    // The complete master and the cancelled cover are both finished.
    assert_eq!(store.clear_finished_uploads().await.unwrap(), 2);
    assert!(store.upload_queue().await.unwrap().is_empty());
}
