//! The `roadie-platform serve` binary: configured from the environment, migrates a fresh
//! database, answers /health with a request id, and stops cleanly on SIGTERM.

mod common;

use common::{free_port, Pg};
use std::process::Command;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_from_env_and_shut_down_gracefully_on_sigterm() {
    let pg = Pg::start();
    let storage = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_roadie-platform"))
        .arg("serve")
        .env("ROADIE_PLATFORM_LISTEN", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", &pg.url)
        .env("ROADIE_PLATFORM_STORAGE", storage.path())
        .env("ROADIE_PLATFORM_LOG_JSON", "true")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let res = loop {
        if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/health")).send().await {
            break r;
        }
        assert!(child.try_wait().unwrap().is_none(), "the server exited");
        assert!(Instant::now() < deadline, "the server did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("x-request-id").is_some());
    let res = http.get(format!("http://127.0.0.1:{port}/openapi.json")).send().await.unwrap();
    let doc: serde_json::Value = res.json().await.unwrap();
    assert!(doc["paths"]["/v1/uploads"].is_object());
    let res = http.post(format!("http://127.0.0.1:{port}/v1/auth/signup")).json(&serde_json::json!({"email": "a@example.com", "password": "long enough", "name": "A"})).send().await.unwrap();
    assert_eq!(res.status(), 201);
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
    assert!(out.status.success(), "exit {:?}", out.status);
    let logs = String::from_utf8_lossy(&out.stdout);
    assert!(logs.contains("request_id"), "logs carry request ids: {logs}");
    assert!(logs.contains("roadie-platform stopped"), "{logs}");
}
