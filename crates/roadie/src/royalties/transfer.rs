//! Statement files through the platform, so every device has the same lines.
//!
//! A `statement_files` row syncs like any other row (sync/mod.rs); its lines are bulk data that
//! does not go through the log. Instead:
//!
//! - An import keeps a copy of the file's bytes next to the store (`<store>-statement-files/`)
//!   and queues it in `statement_file_uploads`. Each sync, before it pushes, uploads the queued
//!   files resumably (tus at `/v1/uploads` with `asset statement`: a cut upload goes on where the
//!   platform stands, in this sync or the next; `PUT /v1/workspaces/{ws}/statement-files/{sha256}`
//!   to a platform that predates that), then drops the copy. So a file imported offline goes up
//!   at the next sync, before its row does.
//! - A pulled row whose lines are not here has a negative `seq`. Each sync, after it pulls,
//!   downloads those files by hash (verifying the SHA-256) and imports them into their row, read
//!   as the importing device read them (`read_with`: its options and the column mapping it used),
//!   so the lines come out the same: same file, same line numbers, same values.
//! - A transfer that fails (a file the platform does not have, a refusal, bytes that do not
//!   import) is recorded in `sync_errors` (shown in the sync status) and tried again at the next
//!   sync; it never fails the sync. A network failure stops the sync like any other.

use super::import::ImportOptions;
use crate::error::{Error, Result};
use crate::jobs::CancelToken;
use crate::platform::{Account, CancelFlag, PlatformClient};
use crate::sync::{SyncPhase, SyncProgress};
use crate::Store;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Copies `from` to `to` (through a `.part` file, so `to` is whole or absent). A copy already
/// there is kept: the name is the content's hash.
pub(crate) fn keep_blob(from: &Path, to: &Path) -> std::io::Result<()> {
    if to.exists() {
        return Ok(());
    }
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let part = to.with_extension("part");
    std::fs::copy(from, &part)?;
    std::fs::File::open(&part)?.sync_all()?;
    std::fs::rename(&part, to)
}

/// The name a downloaded file is imported under: the last component of the name it was imported
/// with elsewhere (a synced value: never a path), else `statement`.
fn safe_name(file_name: &str) -> String {
    Path::new(file_name)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .filter(|n| !n.is_empty() && n != "." && n != "..")
        .unwrap_or_else(|| "statement".into())
}

fn file_route(ws: Uuid, sha256: &str) -> String {
    format!("/v1/workspaces/{ws}/statement-files/{sha256}")
}

impl PlatformClient {
    /// Stores a statement file's bytes on the platform (a file already there is a no-op),
    /// streamed from `path` (memory stays flat whatever the file's size).
    pub(crate) async fn put_statement_file(&self, ws: Uuid, sha256: &str, path: &Path) -> Result<()> {
        let file = tokio::fs::File::open(path).await?;
        let len = file.metadata().await?.len();
        let chunks = futures_util::stream::try_unfold(file, |mut file| async move {
            use tokio::io::AsyncReadExt;
            let mut buf = vec![0u8; 256 * 1024];
            let n = file.read(&mut buf).await?;
            if n == 0 {
                return Ok::<_, std::io::Error>(None);
            }
            buf.truncate(n);
            Ok(Some((bytes::Bytes::from(buf), file)))
        });
        let res = self
            .request(reqwest::Method::PUT, &file_route(ws, sha256))
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header(reqwest::header::CONTENT_LENGTH, len)
            .body(reqwest::Body::wrap_stream(chunks))
            .send()
            .await
            .map_err(|e| self.network(e))?;
        if !res.status().is_success() {
            return Err(self.refused(res).await);
        }
        Ok(())
    }

    /// Fetches a statement file into `dest`, streamed, and checks its SHA-256.
    pub(crate) async fn get_statement_file(&self, ws: Uuid, sha256: &str, dest: &Path) -> Result<()> {
        let mut res = self
            .request(reqwest::Method::GET, &file_route(ws, sha256))
            .send()
            .await
            .map_err(|e| self.network(e))?;
        if !res.status().is_success() {
            return Err(self.refused(res).await);
        }
        let mut file = std::fs::File::create(dest)?;
        let mut hasher = Sha256::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| self.network(e))? {
            hasher.update(&chunk);
            file.write_all(&chunk)?;
        }
        file.sync_all()?;
        let got = hex::encode(hasher.finalize());
        if got != sha256 {
            return Err(Error::StatementFileTransfer {
                file: dest.display().to_string(),
                hash: sha256.into(),
                reason: format!("the platform sent bytes whose SHA-256 is {got}"),
            });
        }
        Ok(())
    }
}

impl Store {
    /// Where this store keeps the bytes of statement files not uploaded yet.
    pub(crate) fn statement_blob_dir(&self) -> PathBuf {
        let name = self.path().file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "roadie".into());
        self.path().with_file_name(format!("{name}-statement-files"))
    }

    pub(crate) fn statement_blob_path(&self, sha256: &str) -> PathBuf {
        self.statement_blob_dir().join(sha256)
    }

    /// Uploads the statement files imported here that the platform does not have yet. Returns
    /// how many went up.
    pub(crate) async fn upload_statement_files(
        &self,
        account: &Account,
        client: &PlatformClient,
        progress: &(dyn Fn(&SyncProgress) + Sync),
        cancel: &CancelFlag,
    ) -> Result<u64> {
        // (content hash, workspace, file id, file name, the platform's upload of it)
        type Queued = (String, Option<String>, Option<String>, Option<String>, Option<String>);
        let queued: Vec<Queued> = sqlx::query_as(
            "SELECT u.content_hash, u.workspace_id, f.id, f.file_name, u.upload_url FROM statement_file_uploads u \
             LEFT JOIN statement_files f ON ifnull(f.workspace_id, '') = ifnull(u.workspace_id, '') AND f.content_hash = u.content_hash \
               AND f.deleted = 0 \
             ORDER BY u.queued_at, u.content_hash",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut sent = 0;
        let total = queued.len() as u64;
        for (done, (hash, ws, id, name, upload_url)) in queued.into_iter().enumerate() {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            progress(&SyncProgress { phase: SyncPhase::Files, done: done as u64, total });
            let ledger = ws.clone();
            let ws = workspace_of(ws.as_deref(), account);
            let pk = id.unwrap_or_else(|| hash.clone());
            let name = name.unwrap_or_else(|| hash.clone());
            let blob = self.statement_blob_path(&hash);
            let outcome = match std::fs::metadata(&blob) {
                Ok(_) => {
                    let upload = QueuedUpload { hash: &hash, ledger: ledger.as_deref(), name: &name, upload_url };
                    self.send_statement_file(client, ws, upload, &blob, cancel).await
                }
                Err(e) => Err(Error::StatementFileTransfer {
                    file: name.clone(),
                    hash: hash.clone(),
                    reason: format!("the copy kept for sync ({}) cannot be read: {e}", blob.display()),
                }),
            };
            match outcome {
                Ok(()) => {
                    let mut tx = self.write().await?;
                    sqlx::query("DELETE FROM statement_file_uploads WHERE content_hash = ? AND workspace_id IS ?")
                        .bind(&hash)
                        .bind(&ledger)
                        .execute(&mut *tx)
                        .await?;
                    clear_error(&mut tx, "push", &pk).await?;
                    // (The same bytes may still be queued for another ledger's workspace.)
                    let still_queued: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM statement_file_uploads WHERE content_hash = ?)")
                        .bind(&hash)
                        .fetch_one(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    if !still_queued {
                        let _ = std::fs::remove_file(&blob);
                    }
                    sent += 1;
                }
                Err(e @ Error::Network { .. }) => return Err(e),
                Err(e) => {
                    let mut tx = self.write().await?;
                    sqlx::query("UPDATE statement_file_uploads SET attempts = attempts + 1, last_error = ? WHERE content_hash = ? AND workspace_id IS ?")
                        .bind(e.to_string())
                        .bind(&hash)
                        .bind(&ledger)
                        .execute(&mut *tx)
                        .await?;
                    self.note_error(&mut tx, "push", &pk, &hash, &name, &e).await?;
                    tx.commit().await?;
                }
            }
        }
        if total > 0 {
            progress(&SyncProgress { phase: SyncPhase::Files, done: total, total });
        }
        Ok(sent)
    }

    /// Sends a queued file's bytes (`blob`) to `ws`: resumably, going on with the upload an
    /// earlier attempt started where the platform says it stands; with one PUT to a platform that
    /// does not take statement files through tus.
    async fn send_statement_file(&self, client: &PlatformClient, ws: Uuid, queued: QueuedUpload<'_>, blob: &Path, cancel: &CancelFlag) -> Result<()> {
        use crate::platform::upload::{TusSent, DEFAULT_CHUNK};
        use roadie_protocol::upload_meta;
        let QueuedUpload { hash, ledger, name, upload_url: mut url } = queued;
        let failed = |reason: String| Error::StatementFileTransfer { file: name.into(), hash: hash.into(), reason };
        // (Twice at most: an upload the platform has dropped is started again once.)
        for _ in 0..2 {
            let resumed = match &url {
                Some(u) => client.tus_offset(u).await?.map(|(offset, _)| (u.clone(), offset)),
                None => None,
            };
            let (upload, offset) = match resumed {
                Some(found) => found,
                None => {
                    let size = std::fs::metadata(blob)?.len();
                    let metadata = [
                        (upload_meta::FILENAME, name.to_string()),
                        (upload_meta::WORKSPACE, ws.to_string()),
                        (upload_meta::ASSET, upload_meta::STATEMENT.to_string()),
                        (upload_meta::SHA256, hash.to_string()),
                    ];
                    match client.tus_create(size, &metadata).await {
                        Ok(created) => {
                            self.keep_upload_url(hash, ledger, Some(&created)).await?;
                            (created, 0)
                        }
                        Err(Error::Platform { status: 400, platform_code, .. }) if platform_code == "invalid_metadata" => {
                            return client.put_statement_file(ws, hash, blob).await;
                        }
                        Err(e) => return Err(e),
                    }
                }
            };
            match client.tus_send(&upload, blob, offset, DEFAULT_CHUNK, cancel).await {
                Ok(TusSent::Complete(stored)) => {
                    return match stored.as_deref() {
                        Some(sha) if sha == hash => Ok(()),
                        other => {
                            self.keep_upload_url(hash, ledger, None).await?;
                            Err(failed(format!("the platform stored bytes whose SHA-256 is {}", other.unwrap_or("not given"))))
                        }
                    };
                }
                Ok(TusSent::Gone) => {
                    self.keep_upload_url(hash, ledger, None).await?;
                    url = None;
                }
                Err(e @ Error::Platform { status: 460, .. }) => {
                    self.keep_upload_url(hash, ledger, None).await?;
                    return Err(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(failed("the platform dropped its upload twice".into()))
    }

    /// Keeps (or forgets) the platform's upload of a queued file, for the next attempt.
    async fn keep_upload_url(&self, hash: &str, ledger: Option<&str>, url: Option<&str>) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE statement_file_uploads SET upload_url = ? WHERE content_hash = ? AND workspace_id IS ?")
            .bind(url)
            .bind(hash)
            .bind(ledger)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Downloads and imports the statement files whose rows came from other devices. Returns how
    /// many were imported.
    pub(crate) async fn download_statement_files(
        &self,
        account: &Account,
        client: &PlatformClient,
        progress: &(dyn Fn(&SyncProgress) + Sync),
        cancel: &CancelFlag,
    ) -> Result<u64> {
        let pending: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, content_hash, file_name, workspace_id FROM statement_files WHERE seq < 0 AND deleted = 0 ORDER BY seq DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut imported = 0;
        let total = pending.len() as u64;
        for (done, (id, hash, file_name, ws)) in pending.into_iter().enumerate() {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            progress(&SyncProgress { phase: SyncPhase::Files, done: done as u64, total });
            let ws = workspace_of(ws.as_deref(), account);
            // Under the name it was imported with (format detection reads it, e.g. DSR_...).
            let dir = self.statement_blob_dir().join(format!("download-{hash}"));
            std::fs::create_dir_all(&dir)?;
            let dest = dir.join(safe_name(&file_name));
            let outcome = match client.get_statement_file(ws, &hash, &dest).await {
                Ok(()) => self
                    .import_file(
                        &dest,
                        &ImportOptions::default(),
                        &|_| {},
                        &CancelToken::new(),
                        Some(super::import::ExpectedFile { id: &id, content_hash: &hash }),
                    )
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            };
            let _ = std::fs::remove_dir_all(&dir);
            match outcome {
                Ok(()) => {
                    let mut tx = self.write().await?;
                    clear_error(&mut tx, "pull", &id).await?;
                    tx.commit().await?;
                    imported += 1;
                }
                Err(e @ Error::Network { .. }) => return Err(e),
                Err(e) => {
                    let mut tx = self.write().await?;
                    self.note_error(&mut tx, "pull", &id, &hash, &file_name, &e).await?;
                    tx.commit().await?;
                }
            }
        }
        if total > 0 {
            progress(&SyncProgress { phase: SyncPhase::Files, done: total, total });
        }
        Ok(imported)
    }

    /// Statement files whose lines are not on this device yet (pulled rows still to download).
    pub async fn statement_files_missing(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM statement_files WHERE seq < 0 AND deleted = 0").fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    /// Statement files imported here whose bytes are not on the platform yet.
    pub async fn statement_files_to_upload(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM statement_file_uploads").fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    /// Records a failed transfer in `sync_errors` (one entry per file and direction: the latest).
    async fn note_error(
        &self,
        tx: &mut sqlx::SqliteConnection,
        direction: &str,
        pk: &str,
        hash: &str,
        file_name: &str,
        e: &Error,
    ) -> Result<()> {
        clear_error(tx, direction, pk).await?;
        let (code, message) = match e {
            Error::StatementFileTransfer { .. } => (e.code(), e.to_string()),
            Error::Platform { status: 404, .. } if direction == "pull" => (
                Error::StatementFileTransfer { file: file_name.into(), hash: hash.into(), reason: String::new() }.code(),
                format!(
                    "the platform does not have the statement file {file_name} (not uploaded yet by the device that imported \
                     it, or imported there before statement files synced): it is fetched at a later sync, or import the file \
                     here to get its lines now"
                ),
            ),
            other => (
                Error::StatementFileTransfer { file: file_name.into(), hash: hash.into(), reason: String::new() }.code(),
                format!("the statement file {file_name} could not be {}: {other}", if direction == "push" { "uploaded" } else { "fetched and imported" }),
            ),
        };
        let at = self.clock.now().to_rfc3339();
        sqlx::query("INSERT INTO sync_errors (at, direction, change_id, tbl, pk, code, message, change) VALUES (?, ?, ?, 'statement_files', ?, ?, ?, ?)")
            .bind(at)
            .bind(direction)
            .bind(format!("statement-file:{hash}"))
            .bind(pk)
            .bind(code)
            .bind(message)
            .bind(serde_json::json!({ "content_hash": hash, "file_name": file_name }).to_string())
            .execute(&mut *tx)
            .await?;
        Ok(())
    }
}

pub(crate) async fn clear_error(tx: &mut sqlx::SqliteConnection, direction: &str, pk: &str) -> Result<()> {
    sqlx::query("DELETE FROM sync_errors WHERE tbl = 'statement_files' AND direction = ? AND pk = ? AND change_id LIKE 'statement-file:%'")
        .bind(direction)
        .bind(pk)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A queue entry of `statement_file_uploads` on its way up.
struct QueuedUpload<'a> {
    hash: &'a str,
    /// Its workspace (`None`: the account's own), as queued.
    ledger: Option<&'a str>,
    name: &'a str,
    /// The platform's upload of it an earlier attempt started.
    upload_url: Option<String>,
}

/// A file row's workspace: its own, else the account's.
fn workspace_of(ws: Option<&str>, account: &Account) -> Uuid {
    ws.and_then(|w| Uuid::parse_str(w).ok()).unwrap_or(account.workspace_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synced_file_name_is_never_a_path() {
        assert_eq!(safe_name("DSR_A_B.tsv"), "DSR_A_B.tsv");
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("/abs/x.csv"), "x.csv");
        assert_eq!(safe_name(".."), "statement");
        assert_eq!(safe_name(""), "statement");
    }

    #[test]
    fn a_kept_copy_is_whole_and_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("a.tsv");
        std::fs::write(&from, b"one").unwrap();
        let to = dir.path().join("blobs").join("hash");
        keep_blob(&from, &to).unwrap();
        assert_eq!(std::fs::read(&to).unwrap(), b"one");
        std::fs::write(&from, b"two").unwrap();
        keep_blob(&from, &to).unwrap();
        assert_eq!(std::fs::read(&to).unwrap(), b"one", "named by its hash: never rewritten");
        assert!(!to.with_extension("part").exists());
    }
}
