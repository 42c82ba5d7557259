//! Test harness: a throwaway PostgreSQL cluster (initdb + postgres on a free loopback port, as
//! the dedicated `roadie-pg` user when running as root, since PostgreSQL refuses to run as root)
//! and the platform server in-process on another free port. Both stop and the cluster's files are
//! removed when the guards drop, also when a test panics.
#![allow(dead_code)]

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const PG_USER: &str = "roadie-pg";
pub const PASSWORD: &str = "correct horse battery";

fn pg_bin(name: &str) -> PathBuf {
    let dir = std::env::var("ROADIE_PG_BIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into());
    Path::new(&dir).join(name)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// A command run as `roadie-pg` when we are root, directly otherwise.
fn as_pg_user(program: &Path, root: bool) -> Command {
    if root {
        let mut c = Command::new("setpriv");
        c.args([&format!("--reuid={PG_USER}"), &format!("--regid={PG_USER}"), "--init-groups", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// The Python venv scripts/setup.sh fills (tuspy, schemathesis): `$ROADIE_PYVENV`, else
/// `~/.cache/roadie/pyvenv`.
pub fn pyvenv_bin(tool: &str) -> PathBuf {
    let venv = std::env::var("ROADIE_PYVENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(&std::env::var("HOME").unwrap_or_default()).join(".cache/roadie/pyvenv"));
    let p = venv.join("bin").join(tool);
    assert!(p.exists(), "{} is missing: run scripts/setup.sh (it installs tuspy and schemathesis there)", p.display());
    p
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().unwrap().port()
}

/// A running throwaway PostgreSQL cluster.
pub struct Pg {
    child: Option<Child>,
    dir: Option<tempfile::TempDir>,
    pub url: String,
}

impl Pg {
    /// Starts a cluster; retried on another port if the free port was taken meanwhile (tests
    /// run in parallel processes).
    pub fn start() -> Pg {
        for attempt in 1..=3 {
            match Self::try_start() {
                Ok(pg) => return pg,
                Err(log) if attempt < 3 && log.contains("could not bind") => continue,
                Err(log) => panic!("postgres did not start: {log}"),
            }
        }
        unreachable!()
    }

    fn try_start() -> Result<Pg, String> {
        let root = is_root();
        if root {
            let exists = Command::new("id").arg("-u").arg(PG_USER).stdout(Stdio::null()).stderr(Stdio::null()).status().map(|s| s.success()).unwrap_or(false);
            assert!(exists, "as root the tests run PostgreSQL as the `{PG_USER}` user: run scripts/setup.sh to create it");
        }
        let dir = tempfile::Builder::new().prefix("roadie-pg-").tempdir().expect("temp dir");
        if root {
            let ok = Command::new("chown").arg(format!("{PG_USER}:{PG_USER}")).arg(dir.path()).status().expect("chown").success();
            assert!(ok, "chown of the cluster directory failed");
        }
        let data = dir.path().join("data");
        let out = as_pg_user(&pg_bin("initdb"), root)
            .args(["-D"])
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--no-locale"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run initdb ({}): {e}; install postgresql-15 (scripts/setup.sh)", pg_bin("initdb").display()));
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("postgres.log")).expect("log file");
        if root {
            let _ = Command::new("chown").arg(format!("{PG_USER}:{PG_USER}")).arg(dir.path().join("postgres.log")).status();
        }
        let child = as_pg_user(&pg_bin("postgres"), root)
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-h", "127.0.0.1", "-k"])
            .arg(dir.path())
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start postgres");
        let mut pg = Pg { child: Some(child), dir: Some(dir), url: format!("postgres://postgres@127.0.0.1:{port}/postgres") };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = Command::new(pg_bin("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres", "-q"])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ready {
                break;
            }
            if let Some(status) = pg.child.as_mut().unwrap().try_wait().unwrap() {
                let log = std::fs::read_to_string(pg.dir.as_ref().unwrap().path().join("postgres.log")).unwrap_or_default();
                return Err(format!("postgres exited ({status}): {log}"));
            }
            assert!(Instant::now() < deadline, "postgres did not become ready in 60 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(pg)
    }
}

impl Pg {
    /// Stops PostgreSQL (fast shutdown: open transactions roll back), keeping its files.
    pub fn stop_server(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts PostgreSQL again on the same files and port (after `stop_server`).
    pub fn start_server(&mut self) {
        assert!(self.child.is_none(), "already running");
        let root = is_root();
        let dir = self.dir.as_ref().unwrap().path().to_path_buf();
        let port = self.url.rsplit(':').next().unwrap().split('/').next().unwrap().to_string();
        let log = std::fs::OpenOptions::new().append(true).open(dir.join("postgres.log")).expect("log file");
        let child = as_pg_user(&pg_bin("postgres"), root)
            .arg("-D")
            .arg(dir.join("data"))
            .args(["-p", &port, "-h", "127.0.0.1", "-k"])
            .arg(&dir)
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start postgres");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = Command::new(pg_bin("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-q"])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "postgres did not come back in 60 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGINT = fast shutdown: rolls back open transactions and exits.
            let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if let Ok(None) = child.try_wait() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        drop(self.dir.take()); // removes the cluster's files
    }
}

/// The platform server running in-process against a `Pg`.
pub struct Server {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub state: roadie_platform::AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _storage: tempfile::TempDir,
    pub http: Client,
}

impl Server {
    pub async fn start(pg: &Pg) -> Server {
        Self::start_with(pg, roadie_platform::Limits::default()).await
    }

    pub async fn start_with(pg: &Pg, limits: roadie_platform::Limits) -> Server {
        let db = roadie_platform::connect(&pg.url).await.expect("connect + migrate");
        let storage = tempfile::tempdir().unwrap();
        let store = roadie_platform::local_store(storage.path()).unwrap();
        let state = roadie_platform::AppState { db, store, limits: Arc::new(limits) };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let task = tokio::spawn(async move {
            roadie_platform::serve_with(listener, st, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Server {
            base: format!("http://{addr}"),
            addr,
            state,
            shutdown: Some(tx),
            task: Some(task),
            _storage: storage,
            http: Client::builder().timeout(Duration::from_secs(60)).build().unwrap(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }

    /// Sends a JSON request; returns the status and the JSON body (Null when empty).
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    pub async fn signup(&self, email: &str, name: &str) -> String {
        let (s, v) = self.call(Method::POST, "/v1/auth/signup", None, Some(json!({"email": email, "password": PASSWORD, "name": name}))).await;
        assert_eq!(s, StatusCode::CREATED, "signup {email}: {v}");
        v["token"].as_str().unwrap().to_string()
    }

    pub async fn login(&self, email: &str) -> String {
        let (s, v) = self.call(Method::POST, "/v1/auth/login", None, Some(json!({"email": email, "password": PASSWORD}))).await;
        assert_eq!(s, StatusCode::OK, "login {email}: {v}");
        v["token"].as_str().unwrap().to_string()
    }

    pub async fn me(&self, token: &str) -> Value {
        let (s, v) = self.call(Method::GET, "/v1/me", Some(token), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    /// Creates a workspace as `token` and returns its id.
    pub async fn create_workspace(&self, token: &str, name: &str, kind: &str) -> String {
        let (s, v) = self.call(Method::POST, "/v1/workspaces", Some(token), Some(json!({"name": name, "kind": kind}))).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_string()
    }

    pub async fn invite(&self, token: &str, ws: &str, email: &str, role: &str, roster: Option<&str>) -> (String, String) {
        let mut body = json!({"email": email, "role": role});
        if let Some(r) = roster {
            body["roster_artist_id"] = json!(r);
        }
        let (s, v) = self.call(Method::POST, &format!("/v1/workspaces/{ws}/invitations"), Some(token), Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        (v["id"].as_str().unwrap().to_string(), v["token"].as_str().unwrap().to_string())
    }

    pub async fn accept(&self, token: &str, invitation_token: &str) {
        let (s, v) = self.call(Method::POST, &format!("/v1/invitations/{invitation_token}/accept"), Some(token), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }

    pub async fn roster_add(&self, token: &str, ws: &str, name: &str) -> String {
        let (s, v) = self.call(Method::POST, &format!("/v1/workspaces/{ws}/roster"), Some(token), Some(json!({"name": name}))).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_string()
    }

    /// Creates a tus upload; returns its URL path.
    pub async fn tus_create(&self, token: &str, length: u64, metadata: &[(&str, &str)]) -> reqwest::Response {
        let meta = tus_metadata(metadata);
        let mut req = self
            .http
            .post(self.url("/v1/uploads"))
            .bearer_auth(token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", length.to_string());
        if !meta.is_empty() {
            req = req.header("Upload-Metadata", meta);
        }
        req.send().await.expect("POST /v1/uploads")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn tus_metadata(pairs: &[(&str, &str)]) -> String {
    use base64::Engine;
    pairs
        .iter()
        .map(|(k, v)| format!("{k} {}", base64::engine::general_purpose::STANDARD.encode(v.as_bytes())))
        .collect::<Vec<_>>()
        .join(",")
}

/// A TCP proxy in front of the server that forwards every connection, except that the first one
/// to carry more than `cut_after` bytes from the client is cut there, once: the server sees
/// the request end (FIN mid-body), and once it has answered and closed, the client's connection
/// is dropped without that answer.
pub async fn proxy_cutting_once(upstream: std::net::SocketAddr, cut_after: usize) -> (String, Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let has_cut = Arc::new(AtomicBool::new(false));
    let cut_flag = has_cut.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let has_cut = cut_flag.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else { return };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let cutting = Arc::new(AtomicBool::new(false));
                let cutting2 = cutting.clone();
                let back = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = sr.read(&mut buf).await {
                        if n == 0 || (!cutting2.load(Ordering::SeqCst) && cw.write_all(&buf[..n]).await.is_err()) {
                            break;
                        }
                    }
                    cw
                });
                let mut forwarded = 0usize;
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match cr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let armed = !has_cut.load(Ordering::SeqCst);
                    let take = if armed { n.min(cut_after.saturating_sub(forwarded)) } else { n };
                    if sw.write_all(&buf[..take]).await.is_err() {
                        break;
                    }
                    forwarded += take;
                    if armed && forwarded >= cut_after && !has_cut.swap(true, Ordering::SeqCst) {
                        cutting.store(true, Ordering::SeqCst);
                        break;
                    }
                }
                let _ = sw.shutdown().await;
                let cw = tokio::time::timeout(Duration::from_secs(60), back).await;
                drop(cw);
            });
        }
    });
    (format!("http://{addr}"), has_cut)
}
