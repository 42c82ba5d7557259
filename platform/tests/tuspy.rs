//! tuspy (a standard tus client from PyPI, installed by scripts/setup.sh into
//! ~/.cache/roadie/pyvenv) uploads to a running server: chunked with sha256 checksums,
//! interrupted and resumed through its own URL storage, and in one request with its defaults.
//! The Python side is tests/py/tuspy_client.py; set ROADIE_PYTHON to use another interpreter.

mod common;

use common::{Pg, Server};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("ROADIE_PYTHON") {
        return p.into();
    }
    common::pyvenv_bin("python")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tuspy_uploads_and_resumes() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let token = srv.signup("ana@example.com", "Ana").await;
    let ws = srv.me(&token).await["workspace_id"].as_str().unwrap().to_string();
    let work = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/tuspy_client.py");
    let base = srv.base.clone();
    let dir = work.path().to_path_buf();
    let tok = token.clone();
    let out = tokio::task::spawn_blocking(move || std::process::Command::new(python()).arg(script).arg(base).arg(tok).arg(dir).output())
        .await
        .unwrap()
        .expect("run python");
    assert!(out.status.success(), "tuspy client failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON from the script");

    assert_eq!(v["first_offset"], 2 * 256 * 1024);
    assert_eq!(v["resumed_url"], v["first_url"], "the second uploader found the upload again");
    assert_eq!(v["resumed_from"], 2 * 256 * 1024, "and resumed where the first stopped");
    assert_eq!(v["final_offset"], 1_300_000);
    assert_eq!(v["artwork_offset"], 200_000);

    let (s, assets) = srv.call(Method::GET, &format!("/v1/workspaces/{ws}/assets"), Some(&token), None).await;
    assert_eq!(s, StatusCode::OK);
    let assets = assets.as_array().unwrap();
    assert_eq!(assets.len(), 2, "{assets:?}");
    let master = assets.iter().find(|a| a["kind"] == "master").unwrap();
    assert_eq!(master["sha256"], v["master_sha256"]);
    assert_eq!(master["release_id"], "01900000-0000-7000-8000-000000000001");
    let art = assets.iter().find(|a| a["kind"] == "artwork").unwrap();
    assert_eq!(art["sha256"], v["artwork_sha256"]);
    srv.stop().await;
}
