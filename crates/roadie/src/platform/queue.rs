//! The desktop's upload queue: a release's masters and artwork (or any files) to send to the
//! platform, one after the other, each with its status kept in the store
//! (`platform_upload_queue`) so the queue survives a restart. The bytes go through
//! [`Store::upload_file`], which records the tus upload per file: a paused, failed or interrupted
//! item resumes where the server says it stopped. Pause and cancel reach a running item through a
//! [`QueueControl`]; a network failure is retried after a delay, then the item is `failed` with
//! the error payload (the UI translates it) until the user retries it.

use super::upload::{asset_kind, CancelFlag, UploadOptions, UploadPhase, UploadProgress, DEFAULT_CHUNK};
use super::SecretStore;
use crate::error::{Error, ErrorPayload, Result};
use crate::Store;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UploadQueueStatus {
    /// Waiting for its turn.
    Queued,
    Uploading,
    /// Stopped by the user (or by closing the app mid-upload); the server keeps what it has.
    Paused,
    Complete,
    /// Stopped by an error (after retries for network failures); `error` says which.
    Failed,
    /// Given up by the user: the partial upload was deleted on the server.
    Cancelled,
}

impl UploadQueueStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Uploading => "uploading",
            Self::Paused => "paused",
            Self::Complete => "complete",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "uploading" => Self::Uploading,
            "paused" => Self::Paused,
            "complete" => Self::Complete,
            "cancelled" => Self::Cancelled,
            _ => Self::Failed,
        }
    }
}

/// One file of the queue.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UploadQueueItem {
    pub id: Uuid,
    pub server: String,
    pub release_id: Option<Uuid>,
    pub path: String,
    /// The file name, as shown.
    pub name: String,
    /// `master`, `artwork` or `other`.
    pub kind: String,
    #[ts(type = "number")]
    pub size: u64,
    /// Bytes on the server so far.
    #[ts(type = "number")]
    pub uploaded: u64,
    pub status: UploadQueueStatus,
    pub sha256: Option<String>,
    pub error: Option<ErrorPayload>,
    /// Network failures in a row (reset by a success or a retry).
    pub attempts: u32,
    pub created_at: String,
    pub updated_at: String,
}

/// How the queue runs: bytes per PATCH, and the waits before each automatic retry after a network
/// failure (one retry per entry; then the item fails).
#[derive(Debug, Clone)]
pub struct QueueOptions {
    pub chunk_size: u64,
    pub retry_delays: Vec<Duration>,
}

impl Default for QueueOptions {
    fn default() -> Self {
        Self { chunk_size: DEFAULT_CHUNK, retry_delays: vec![Duration::from_secs(2), Duration::from_secs(10), Duration::from_secs(30)] }
    }
}

/// Reaches running uploads (pause, cancel) and keeps a single runner at a time.
#[derive(Clone, Default)]
pub struct QueueControl {
    running: Arc<AtomicBool>,
    flags: Arc<Mutex<HashMap<Uuid, CancelFlag>>>,
}

impl QueueControl {
    fn flag(&self, id: Uuid) -> CancelFlag {
        let flag = CancelFlag::default();
        self.flags.lock().unwrap_or_else(|e| e.into_inner()).insert(id, flag.clone());
        flag
    }
    fn done(&self, id: Uuid) {
        self.flags.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }
    /// Stops the item's running upload, if it is running; true when it was.
    pub fn interrupt(&self, id: Uuid) -> bool {
        match self.flags.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            Some(flag) => {
                flag.cancel();
                true
            }
            None => false,
        }
    }
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }
}

type Row = (String, String, Option<String>, String, String, String, i64, i64, String, Option<String>, Option<String>, i64, String, String);

const SELECT: &str = "SELECT q.id, q.server, q.release_id, q.path, q.name, q.kind, q.size,
        CASE WHEN q.status = 'complete' THEN q.size ELSE COALESCE((SELECT MAX(p.uploaded) FROM platform_uploads p
            WHERE p.server = q.server AND p.path = q.path AND p.size = q.size AND p.release_id IS q.release_id AND p.state = 'pending'), q.uploaded) END,
        q.status, q.sha256, q.error, q.attempts, q.created_at, q.updated_at
    FROM platform_upload_queue q";

fn item((id, server, release_id, path, name, kind, size, uploaded, status, sha256, error, attempts, created_at, updated_at): Row) -> UploadQueueItem {
    UploadQueueItem {
        id: id.parse().unwrap_or_default(),
        server,
        release_id: release_id.and_then(|r| r.parse().ok()),
        path,
        name,
        kind,
        size: size as u64,
        uploaded: (uploaded.max(0) as u64).min(size as u64),
        status: UploadQueueStatus::parse(&status),
        sha256,
        error: error.and_then(|e| serde_json::from_str(&e).ok()),
        attempts: attempts as u32,
        created_at,
        updated_at,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| path.display().to_string())
}

impl Store {
    /// The queue, oldest first.
    pub async fn upload_queue(&self) -> Result<Vec<UploadQueueItem>> {
        let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} ORDER BY q.created_at, q.id")).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(item).collect())
    }

    pub async fn upload_queue_item(&self, id: Uuid) -> Result<UploadQueueItem> {
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE q.id = ?")).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.map(item).ok_or_else(|| Error::not_found("upload", id))
    }

    /// Adds files to the queue for the signed-in account's server (and a release, if given). A
    /// file already waiting, running, paused or failed there for that release is not added twice.
    pub async fn enqueue_uploads(&self, release_id: Option<Uuid>, paths: &[PathBuf]) -> Result<Vec<UploadQueueItem>> {
        let account = self.account().await?.ok_or(Error::NotSignedIn)?;
        let mut ids = Vec::new();
        for path in paths {
            let path = tokio::fs::canonicalize(path)
                .await
                .map_err(|e| Error::Io(std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))))?;
            let meta = tokio::fs::metadata(&path).await?;
            if !meta.is_file() {
                return Err(Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{}: not a file", path.display()))));
            }
            let shown = path.display().to_string();
            let release = release_id.map(|r| r.to_string());
            let existing: Option<String> = sqlx::query_scalar(
                "SELECT id FROM platform_upload_queue WHERE server = ? AND path = ? AND release_id IS ?
                 AND status IN ('queued', 'uploading', 'paused', 'failed')",
            )
            .bind(&account.server)
            .bind(&shown)
            .bind(&release)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(id) = existing {
                ids.push(id);
                continue;
            }
            let id = self.ids.new_id().to_string();
            let now = self.clock.now().to_rfc3339();
            let mut tx = self.write().await?;
            sqlx::query(
                "INSERT INTO platform_upload_queue (id, server, release_id, path, name, kind, size, status, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)",
            )
            .bind(&id)
            .bind(&account.server)
            .bind(&release)
            .bind(&shown)
            .bind(file_name(&path))
            .bind(asset_kind(&path))
            .bind(meta.len() as i64)
            .bind(&now)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            ids.push(id);
        }
        let mut out = Vec::new();
        for id in ids {
            out.push(self.upload_queue_item(id.parse().unwrap_or_default()).await?);
        }
        Ok(out)
    }

    /// Queues a release's attached masters (its tracks' audio) and artwork.
    pub async fn enqueue_release_assets(&self, release_id: Uuid) -> Result<Vec<UploadQueueItem>> {
        let detail = self.get_release(release_id).await?;
        let mut paths: Vec<PathBuf> = detail.tracks.iter().filter_map(|t| t.audio.as_ref()).map(|a| PathBuf::from(&a.path)).collect();
        if let Some(art) = &detail.release.artwork {
            paths.push(PathBuf::from(&art.path));
        }
        if paths.is_empty() {
            return Err(Error::invalid(
                "upload",
                vec![crate::FieldIssue::new("files", "no_assets", "the release has no masters or artwork attached")],
            ));
        }
        self.enqueue_uploads(Some(release_id), &paths).await
    }

    async fn set_queue_status(&self, id: Uuid, status: UploadQueueStatus, error: Option<&ErrorPayload>, attempts: Option<u32>) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE platform_upload_queue SET status = ?, error = ?, attempts = COALESCE(?, attempts), updated_at = ? WHERE id = ?",
        )
        .bind(status.as_str())
        .bind(error.map(|e| serde_json::to_string(e).expect("a payload serialises")))
        .bind(attempts.map(|a| a as i64))
        .bind(self.clock.now().to_rfc3339())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves an item from one of `from` to `to`; `InvalidInput` (field `status`) otherwise.
    async fn transition(&self, id: Uuid, from: &[UploadQueueStatus], to: UploadQueueStatus) -> Result<UploadQueueItem> {
        let current = self.upload_queue_item(id).await?;
        if current.status == to {
            return Ok(current);
        }
        if !from.contains(&current.status) {
            return Err(Error::invalid(
                "upload",
                vec![crate::FieldIssue::new("status", "not_allowed", format!("cannot go from {:?} to {:?}", current.status, to))],
            ));
        }
        let attempts = if to == UploadQueueStatus::Queued { Some(0) } else { None };
        self.set_queue_status(id, to, None, attempts).await?;
        self.upload_queue_item(id).await
    }

    /// Pauses an item (stopping its upload if it runs; the server keeps what it has).
    pub async fn pause_upload(&self, id: Uuid, control: &QueueControl) -> Result<UploadQueueItem> {
        use UploadQueueStatus::*;
        let item = self.transition(id, &[Queued, Uploading], Paused).await?;
        control.interrupt(id);
        Ok(item)
    }

    /// Puts a paused or failed item back in the queue (run the queue to send it); it resumes
    /// where the server stopped.
    pub async fn resume_upload(&self, id: Uuid) -> Result<UploadQueueItem> {
        use UploadQueueStatus::*;
        self.transition(id, &[Paused, Failed], Queued).await
    }

    /// Gives an item up: stops it and deletes its partial upload on the server (best effort).
    pub async fn cancel_upload(&self, id: Uuid, control: &QueueControl, secrets: &dyn SecretStore) -> Result<UploadQueueItem> {
        use UploadQueueStatus::*;
        let item = self.transition(id, &[Queued, Uploading, Paused, Failed], Cancelled).await?;
        control.interrupt(id);
        let partial: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT id, url FROM platform_uploads WHERE server = ? AND path = ? AND size = ? AND release_id IS ? AND state = 'pending'
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(&item.server)
        .bind(&item.path)
        .bind(item.size as i64)
        .bind(item.release_id.map(|r| r.to_string()))
        .fetch_optional(&self.pool)
        .await?;
        if let Some((upload_id, url)) = partial {
            if let (Some(url), Ok((_, client))) = (url, self.platform_client(secrets).await) {
                let _ = client.request(reqwest::Method::DELETE, &url).header("Tus-Resumable", roadie_protocol::TUS_VERSION).send().await;
            }
            let mut tx = self.write().await?;
            sqlx::query("UPDATE platform_uploads SET state = 'failed', updated_at = ? WHERE id = ?")
                .bind(self.clock.now().to_rfc3339())
                .bind(upload_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        self.upload_queue_item(id).await
    }

    /// Removes finished items (complete or cancelled) from the list; returns how many.
    pub async fn clear_finished_uploads(&self) -> Result<u64> {
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM platform_upload_queue WHERE status IN ('complete', 'cancelled')").execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// After a restart: items that were uploading when the app stopped are paused (resuming them
    /// picks up at the server's offset). Returns how many.
    pub async fn recover_upload_queue(&self) -> Result<u64> {
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE platform_upload_queue SET status = 'paused', updated_at = ? WHERE status = 'uploading'")
            .bind(self.clock.now().to_rfc3339())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// Sends the queued items one after the other until none is left, reporting every change
    /// of an item on `on_change`. Only one runner works at a time: a second call returns at once
    /// (the running one picks up what was queued meanwhile). Returns how many items completed.
    pub async fn run_upload_queue(
        &self,
        secrets: &dyn SecretStore,
        control: &QueueControl,
        options: &QueueOptions,
        on_change: &(dyn Fn(&UploadQueueItem) + Send + Sync),
    ) -> Result<u32> {
        let mut completed = 0;
        loop {
            if control.running.swap(true, Ordering::SeqCst) {
                return Ok(completed);
            }
            let result = self.drain_queue(secrets, control, options, on_change).await;
            control.running.store(false, Ordering::SeqCst);
            completed += result?;
            // Something queued between the last look and the release of the runner: go on.
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM platform_upload_queue WHERE status = 'queued'").fetch_one(&self.pool).await?;
            if left == 0 {
                return Ok(completed);
            }
        }
    }

    async fn drain_queue(
        &self,
        secrets: &dyn SecretStore,
        control: &QueueControl,
        options: &QueueOptions,
        on_change: &(dyn Fn(&UploadQueueItem) + Send + Sync),
    ) -> Result<u32> {
        let mut completed = 0;
        loop {
            let next: Option<String> =
                sqlx::query_scalar("SELECT id FROM platform_upload_queue WHERE status = 'queued' ORDER BY created_at, id LIMIT 1")
                    .fetch_optional(&self.pool)
                    .await?;
            let Some(id) = next else { return Ok(completed) };
            let id: Uuid = id.parse().unwrap_or_default();
            let flag = control.flag(id);
            let outcome = self.run_item(id, secrets, &flag, options, on_change).await;
            control.done(id);
            if outcome? {
                completed += 1;
            }
        }
    }

    /// Sends one item, retrying network failures; true when it completed.
    async fn run_item(
        &self,
        id: Uuid,
        secrets: &dyn SecretStore,
        flag: &CancelFlag,
        options: &QueueOptions,
        on_change: &(dyn Fn(&UploadQueueItem) + Send + Sync),
    ) -> Result<bool> {
        self.set_queue_status(id, UploadQueueStatus::Uploading, None, None).await?;
        let mut item = self.upload_queue_item(id).await?;
        on_change(&item);
        let upload_options = UploadOptions { release_id: item.release_id, chunk_size: options.chunk_size };
        loop {
            let shown = item.clone();
            let progress = |p: &UploadProgress| {
                if p.phase != UploadPhase::Hashing {
                    let mut now = shown.clone();
                    now.uploaded = p.done;
                    on_change(&now);
                }
            };
            let result = self.upload_file(Path::new(&item.path), &upload_options, secrets, &progress, flag).await;
            // Paused or cancelled meanwhile: the status says which; leave it.
            let status = self.upload_queue_item(id).await?.status;
            if status != UploadQueueStatus::Uploading {
                let _ = result;
                item = self.upload_queue_item(id).await?;
                on_change(&item);
                return Ok(false);
            }
            match result {
                Ok(done) => {
                    let mut tx = self.write().await?;
                    sqlx::query(
                        "UPDATE platform_upload_queue SET status = 'complete', uploaded = size, sha256 = ?, error = NULL, attempts = 0, updated_at = ? WHERE id = ?",
                    )
                    .bind(&done.sha256)
                    .bind(self.clock.now().to_rfc3339())
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    item = self.upload_queue_item(id).await?;
                    on_change(&item);
                    return Ok(true);
                }
                Err(Error::Cancelled) => {
                    self.set_queue_status(id, UploadQueueStatus::Paused, None, None).await?;
                    on_change(&self.upload_queue_item(id).await?);
                    return Ok(false);
                }
                Err(e @ Error::Network { .. }) if (item.attempts as usize) < options.retry_delays.len() => {
                    let delay = options.retry_delays[item.attempts as usize];
                    self.set_queue_status(id, UploadQueueStatus::Uploading, Some(&e.payload()), Some(item.attempts + 1)).await?;
                    item = self.upload_queue_item(id).await?;
                    on_change(&item);
                    // Wait, but a pause or cancel ends the wait.
                    let deadline = tokio::time::Instant::now() + delay;
                    while tokio::time::Instant::now() < deadline && !flag.is_cancelled() {
                        tokio::time::sleep(Duration::from_millis(50).min(delay)).await;
                    }
                }
                Err(e) => {
                    let attempts = if matches!(e, Error::Network { .. }) { item.attempts + 1 } else { item.attempts };
                    self.set_queue_status(id, UploadQueueStatus::Failed, Some(&e.payload()), Some(attempts)).await?;
                    on_change(&self.upload_queue_item(id).await?);
                    return Ok(false);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{Account, FileSecrets};

    async fn signed_in(server: &str) -> (Store, tempfile::TempDir, FileSecrets) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("store.sqlite")).await.unwrap();
        let account = Account {
            server: server.into(),
            email: "ana@example.com".into(),
            name: "Ana".into(),
            user_id: Uuid::now_v7(),
            workspace_id: Uuid::now_v7(),
            workspace_name: "Ana".into(),
            token_location: "test".into(),
        };
        store.set_setting(super::super::ACCOUNT_KEY, &serde_json::to_string(&account).unwrap()).await.unwrap();
        let secrets = FileSecrets::new(dir.path().join("secrets.json"));
        secrets.set(&super::super::secret_key(server, "ana@example.com"), "token").unwrap();
        (store, dir, secrets)
    }

    fn file(dir: &Path, name: &str, len: usize) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, vec![7u8; len]).unwrap();
        p
    }

    /// A loopback address where nothing listens: every request fails to connect.
    fn dead_server() -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        format!("http://127.0.0.1:{port}")
    }

    #[tokio::test]
    async fn enqueueing_needs_an_account_and_never_adds_a_waiting_file_twice() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite")).await.unwrap();
        let f = file(dir.path(), "01 Song.wav", 100);
        assert!(matches!(store.enqueue_uploads(None, std::slice::from_ref(&f)).await, Err(Error::NotSignedIn)));

        let (store, dir, _) = signed_in("http://127.0.0.1:9").await;
        let wav = file(dir.path(), "01 Song.wav", 100);
        let jpg = file(dir.path(), "cover.jpg", 50);
        let release = Uuid::now_v7();
        let items = store.enqueue_uploads(Some(release), &[wav.clone(), jpg.clone()]).await.unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].name, "01 Song.wav");
        assert_eq!(items[0].kind, "master");
        assert_eq!(items[1].kind, "artwork");
        assert_eq!(items[0].size, 100);
        assert_eq!(items[0].status, UploadQueueStatus::Queued);
        assert_eq!(items[0].release_id, Some(release));
        let again = store.enqueue_uploads(Some(release), std::slice::from_ref(&wav)).await.unwrap();
        assert_eq!(again[0].id, items[0].id, "a waiting file is not queued twice");
        // For another release it is another item.
        let other = store.enqueue_uploads(None, std::slice::from_ref(&wav)).await.unwrap();
        assert_ne!(other[0].id, items[0].id);
        assert_eq!(store.upload_queue().await.unwrap().len(), 3);
        // A missing file is refused.
        assert!(matches!(store.enqueue_uploads(None, &[dir.path().join("nope.wav")]).await, Err(Error::Io(_))));
    }

    #[tokio::test]
    async fn pause_resume_cancel_follow_the_allowed_transitions_and_survive_a_restart() {
        let (store, dir, secrets) = signed_in("http://127.0.0.1:9").await;
        let wav = file(dir.path(), "a.wav", 10);
        let id = store.enqueue_uploads(None, &[wav]).await.unwrap()[0].id;
        let control = QueueControl::default();
        assert_eq!(store.pause_upload(id, &control).await.unwrap().status, UploadQueueStatus::Paused);
        assert_eq!(store.resume_upload(id).await.unwrap().status, UploadQueueStatus::Queued);
        // A queued item cannot be "resumed" into anything else, nor a cancelled one revived.
        assert_eq!(store.cancel_upload(id, &control, &secrets).await.unwrap().status, UploadQueueStatus::Cancelled);
        let err = store.resume_upload(id).await.unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(store.clear_finished_uploads().await.unwrap(), 1);
        assert!(store.upload_queue().await.unwrap().is_empty());

        // An item that was uploading when the app stopped comes back paused.
        let wav = file(dir.path(), "b.wav", 10);
        let id = store.enqueue_uploads(None, &[wav]).await.unwrap()[0].id;
        store.set_queue_status(id, UploadQueueStatus::Uploading, None, None).await.unwrap();
        let path = store.path().to_path_buf();
        drop(store);
        let store = Store::open(&path).await.unwrap();
        assert_eq!(store.recover_upload_queue().await.unwrap(), 1);
        assert_eq!(store.upload_queue_item(id).await.unwrap().status, UploadQueueStatus::Paused);
        assert!(matches!(store.upload_queue_item(Uuid::now_v7()).await, Err(Error::NotFound { .. })));
    }

    #[tokio::test]
    async fn network_failures_are_retried_then_the_item_fails_with_the_payload_and_can_be_retried() {
        let (store, dir, secrets) = signed_in(&dead_server()).await;
        let wav = file(dir.path(), "a.wav", 10);
        let id = store.enqueue_uploads(None, &[wav]).await.unwrap()[0].id;
        let seen = Mutex::new(Vec::new());
        let options = QueueOptions { chunk_size: 4, retry_delays: vec![Duration::from_millis(10), Duration::from_millis(10)] };
        let done = store
            .run_upload_queue(&secrets, &QueueControl::default(), &options, &|i| seen.lock().unwrap().push((i.status, i.attempts)))
            .await
            .unwrap();
        assert_eq!(done, 0);
        let item = store.upload_queue_item(id).await.unwrap();
        assert_eq!(item.status, UploadQueueStatus::Failed);
        assert_eq!(item.attempts, 3, "two retries after the first failure");
        assert_eq!(item.error.as_ref().unwrap().code, "network");
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.first(), Some(&(UploadQueueStatus::Uploading, 0)));
        assert_eq!(seen.last(), Some(&(UploadQueueStatus::Failed, 3)));
        // Retrying clears the error and the count.
        let again = store.resume_upload(id).await.unwrap();
        assert_eq!((again.status, again.attempts, again.error.is_none()), (UploadQueueStatus::Queued, 0, true));
    }

    #[tokio::test]
    async fn a_pause_during_the_retry_wait_stops_the_item_paused_and_one_runner_at_a_time() {
        let (store, dir, secrets) = signed_in(&dead_server()).await;
        let store = Arc::new(store);
        let wav = file(dir.path(), "a.wav", 10);
        let id = store.enqueue_uploads(None, &[wav]).await.unwrap()[0].id;
        let control = QueueControl::default();
        let options = QueueOptions { chunk_size: 4, retry_delays: vec![Duration::from_secs(30)] };
        let runner = {
            let (store, control) = (store.clone(), control.clone());
            let secrets = FileSecrets::new(dir.path().join("secrets.json"));
            tokio::spawn(async move { store.run_upload_queue(&secrets, &control, &options, &|_| {}).await })
        };
        // Wait until the first failure put the item in its retry wait.
        for _ in 0..200 {
            if store.upload_queue_item(id).await.unwrap().attempts == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(control.is_running());
        // A second runner returns at once.
        assert_eq!(store.run_upload_queue(&secrets, &control, &QueueOptions::default(), &|_| {}).await.unwrap(), 0);
        store.pause_upload(id, &control).await.unwrap();
        let done = tokio::time::timeout(Duration::from_secs(10), runner).await.expect("the pause ends the wait").unwrap().unwrap();
        assert_eq!(done, 0);
        assert_eq!(store.upload_queue_item(id).await.unwrap().status, UploadQueueStatus::Paused);
        assert!(!control.is_running());
    }
}
