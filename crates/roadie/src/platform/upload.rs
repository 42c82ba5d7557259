//! Resumable uploads to the platform with tus 1.0.0 (creation + core + checksum).
//!
//! The job is recorded in `platform_uploads` keyed by server, path, size, modification time and
//! release, so uploading the same file again (after a crash, a cut connection, a restart) asks
//! the server where it stopped (HEAD) and sends only the rest; a connection cut mid-PATCH loses
//! nothing the server received. The file is hashed (SHA-256) while it is sent, on another
//! thread; the server reports the hash of what it stored when the upload completes, and the two
//! must match, else the upload is discarded. (One pass over the file instead of a hashing pass
//! before sending, and no per-chunk hashing on the server: near the throughput of a single
//! PATCH.)

use super::{PlatformClient, SecretStore};
use crate::error::{Error, Result};
use crate::Store;
use base64::Engine;
use roadie_protocol::{upload_meta, TUS_VERSION, UPLOAD_SHA256_HEADER as SHA256_HEADER};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use ts_rs::TS;
use uuid::Uuid;

/// Bytes per PATCH: large enough that per-request costs vanish, small enough that a cut
/// connection loses little (the server keeps what arrived anyway) and memory stays bounded.
pub const DEFAULT_CHUNK: u64 = 16 << 20;
const MAX_RETRIES: u32 = 5;

/// Cancels a running upload between two chunks (the server keeps what it has: the next run
/// resumes).
#[derive(Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst)
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The same cancel as a job's token (a desktop job registry holds tokens; a cancel through the
/// token stops the upload or sync holding this flag).
impl From<&crate::jobs::CancelToken> for CancelFlag {
    fn from(token: &crate::jobs::CancelToken) -> Self {
        CancelFlag(token.flag())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UploadPhase {
    Hashing,
    Uploading,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UploadProgress {
    pub path: String,
    pub phase: UploadPhase,
    /// Bytes hashed or on the server so far.
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// Sent now (perhaps resumed).
    Uploaded,
    /// This file had already been uploaded to this server for this release: nothing was sent.
    AlreadyUploaded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UploadResult {
    pub path: String,
    #[ts(type = "number")]
    pub size: u64,
    pub sha256: String,
    pub upload_url: String,
    /// Where this run started: 0 for a fresh upload, more when it resumed.
    #[ts(type = "number")]
    pub resumed_from: u64,
    pub status: UploadStatus,
}

#[derive(Debug, Clone)]
pub struct UploadOptions {
    pub release_id: Option<Uuid>,
    pub chunk_size: u64,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self { release_id: None, chunk_size: DEFAULT_CHUNK }
    }
}

pub(crate) fn asset_kind(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "wav" | "flac" | "aif" | "aiff" | "mp3" | "m4a" | "alac" | "ogg" | "opus" | "wv" => "master",
        "jpg" | "jpeg" | "png" | "tif" | "tiff" | "webp" => "artwork",
        _ => "other",
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Io(std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// SHA-256 state over the file's first `upto` bytes (what the server already holds).
async fn hash_prefix(
    file: &mut tokio::fs::File,
    path: &Path,
    upto: u64,
    progress: &(dyn Fn(&UploadProgress) + Send + Sync),
    cancel: &CancelFlag,
) -> Result<Sha256> {
    let mut hasher = Sha256::new();
    if upto == 0 {
        return Ok(hasher);
    }
    file.seek(std::io::SeekFrom::Start(0)).await.map_err(|e| io_error(path, e))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    let shown = path.display().to_string();
    while done < upto {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let want = (upto - done).min(buf.len() as u64) as usize;
        file.read_exact(&mut buf[..want]).await.map_err(|e| io_error(path, e))?;
        hasher.update(&buf[..want]);
        done += want as u64;
        if done % (64 << 20) < want as u64 || done == upto {
            progress(&UploadProgress { path: shown.clone(), phase: UploadPhase::Hashing, done, total: upto });
        }
    }
    Ok(hasher)
}

struct Job {
    id: String,
    url: Option<String>,
    state: String,
    sha256: Option<String>,
}

impl PlatformClient {
    fn tus(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.request(method, url).header("Tus-Resumable", TUS_VERSION)
    }

    /// The server's offset for an upload (and the SHA-256 of the stored file once complete), or
    /// None when it is gone (404/410).
    pub(crate) async fn tus_offset(&self, url: &str) -> Result<Option<(u64, Option<String>)>> {
        let res = self.tus(reqwest::Method::HEAD, url).send().await.map_err(|e| self.network(e))?;
        match res.status().as_u16() {
            200 | 204 => {
                let offset = res.headers().get("upload-offset").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
                let sha = res.headers().get(SHA256_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
                Ok(offset.map(|o| (o, sha)))
            }
            404 | 410 => Ok(None),
            _ => Err(self.refused(res).await),
        }
    }

    pub(crate) async fn tus_create(&self, size: u64, metadata: &[(&str, String)]) -> Result<String> {
        let meta = metadata
            .iter()
            .map(|(k, v)| format!("{k} {}", base64::engine::general_purpose::STANDARD.encode(v.as_bytes())))
            .collect::<Vec<_>>()
            .join(",");
        let res = self
            .tus(reqwest::Method::POST, "/v1/uploads")
            .header("Upload-Length", size.to_string())
            .header("Upload-Metadata", meta)
            .send()
            .await
            .map_err(|e| self.network(e))?;
        if res.status() != reqwest::StatusCode::CREATED {
            return Err(self.refused(res).await);
        }
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        if location.is_empty() {
            return Err(Error::Platform { status: 201, platform_code: "no_location".into(), message: "the server sent no Location".into() });
        }
        Ok(self.url(&location))
    }
}

/// What one PATCH did.
enum Patched {
    /// Stored: the platform's new offset (when it said), and the file's SHA-256 once complete.
    Stored { offset: Option<u64>, sha256: Option<String> },
    /// The platform no longer has the upload.
    Gone,
    /// It did not go through (cut, or 409: the offset moved): see [`PlatformClient::tus_after_cut`].
    NotThrough(std::result::Result<reqwest::Response, reqwest::Error>),
}

/// Where to go on after a PATCH that did not go through.
enum AfterCut {
    /// From the platform's offset.
    At(u64),
    Gone,
    /// The platform did not answer: send the same bytes again.
    Again,
}

/// How a [`PlatformClient::tus_send`] ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TusSent {
    /// All there; the SHA-256 the platform reports for what it stored.
    Complete(Option<String>),
    /// The platform no longer has the upload (expired, failed its checksum): start again.
    Gone,
}

impl PlatformClient {
    /// One PATCH of `body` at `offset`; a refusal other than 404/409/410 is the error.
    async fn tus_patch(&self, url: &str, offset: u64, body: bytes::Bytes) -> Result<Patched> {
        let sent = self
            .tus(reqwest::Method::PATCH, url)
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(body)
            .send()
            .await;
        Ok(match sent {
            Ok(res) if matches!(res.status().as_u16(), 200 | 204) => Patched::Stored {
                offset: res.headers().get("upload-offset").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()),
                sha256: res.headers().get(SHA256_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string),
            },
            Ok(res) if matches!(res.status().as_u16(), 404 | 410) => Patched::Gone,
            Ok(res) if res.status().as_u16() != 409 => return Err(self.refused(res).await),
            other => Patched::NotThrough(other),
        })
    }

    /// After a PATCH that did not go through (the `failures`-th in a row): waits a little and asks
    /// the platform where it stands (it keeps what arrived of a cut PATCH). Too many in a row: the
    /// error of the last.
    async fn tus_after_cut(
        &self,
        url: &str,
        failures: &mut u32,
        failed: std::result::Result<reqwest::Response, reqwest::Error>,
    ) -> Result<AfterCut> {
        *failures += 1;
        if *failures > MAX_RETRIES {
            return Err(match failed {
                Err(e) => self.network(e),
                Ok(res) => self.refused(res).await,
            });
        }
        tokio::time::sleep(Duration::from_millis(300 * *failures as u64)).await;
        match self.tus_offset(url).await {
            Ok(Some((offset, _))) => Ok(AfterCut::At(offset)),
            Ok(None) => Ok(AfterCut::Gone),
            Err(_) if *failures < MAX_RETRIES => Ok(AfterCut::Again),
            Err(e) => Err(e),
        }
    }

    /// Sends `path` to the tus upload at `url` from `offset` (the platform's word for where it
    /// stands) to its end, `chunk` bytes per PATCH. A cut connection costs what it carried past
    /// the platform's offset: the platform keeps what arrived, is asked where it stands, and the
    /// rest follows (up to a few times in a row; then the network error). For a file whose
    /// SHA-256 the platform checks itself.
    pub(crate) async fn tus_send(
        &self,
        url: &str,
        path: &Path,
        mut offset: u64,
        chunk: u64,
        cancel: &CancelFlag,
    ) -> Result<TusSent> {
        let mut file = tokio::fs::File::open(path).await.map_err(|e| io_error(path, e))?;
        let size = file.metadata().await.map_err(|e| io_error(path, e))?.len();
        let mut failures = 0u32;
        let mut server_sha = None;
        while offset < size {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let len = chunk.max(1).min(size - offset) as usize;
            let mut buf = vec![0u8; len];
            file.seek(std::io::SeekFrom::Start(offset)).await.map_err(|e| io_error(path, e))?;
            file.read_exact(&mut buf).await.map_err(|e| io_error(path, e))?;
            match self.tus_patch(url, offset, bytes::Bytes::from(buf)).await? {
                Patched::Stored { offset: stored, sha256 } => {
                    offset = stored.unwrap_or(offset + len as u64);
                    server_sha = sha256;
                    failures = 0;
                }
                Patched::Gone => return Ok(TusSent::Gone),
                Patched::NotThrough(failed) => match self.tus_after_cut(url, &mut failures, failed).await? {
                    AfterCut::At(server_offset) => offset = server_offset,
                    AfterCut::Gone => return Ok(TusSent::Gone),
                    AfterCut::Again => {}
                },
            }
        }
        if server_sha.is_none() {
            // The last answer was lost, or it was all there already: ask.
            match self.tus_offset(url).await? {
                Some((_, sha)) => server_sha = sha,
                None => return Ok(TusSent::Gone),
            }
        }
        Ok(TusSent::Complete(server_sha))
    }
}

impl Store {
    /// Uploads files one after the other; see `upload_file`.
    pub async fn upload_files(
        &self,
        paths: &[PathBuf],
        options: &UploadOptions,
        secrets: &dyn SecretStore,
        progress: &(dyn Fn(&UploadProgress) + Send + Sync),
        cancel: &CancelFlag,
    ) -> Result<Vec<UploadResult>> {
        let mut out = Vec::new();
        for p in paths {
            out.push(self.upload_file(p, options, secrets, progress, cancel).await?);
        }
        Ok(out)
    }

    /// Uploads one file to the signed-in account's platform, resuming an earlier attempt at the
    /// same file (same path, size, modification time and release) where the server says it
    /// stopped. The file is hashed while it is sent; the server reports the SHA-256 of what it
    /// stored, and a mismatch discards the upload (`UploadCorrupted`).
    pub async fn upload_file(
        &self,
        path: &Path,
        options: &UploadOptions,
        secrets: &dyn SecretStore,
        progress: &(dyn Fn(&UploadProgress) + Send + Sync),
        cancel: &CancelFlag,
    ) -> Result<UploadResult> {
        let (account, client) = self.platform_client(secrets).await?;
        let path = tokio::fs::canonicalize(path).await.map_err(|e| io_error(path, e))?;
        let path = path.as_path();
        let meta = tokio::fs::metadata(path).await.map_err(|e| io_error(path, e))?;
        if !meta.is_file() {
            return Err(io_error(path, std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file")));
        }
        let size = meta.len();
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos().to_string())
            .unwrap_or_default();
        let shown = path.display().to_string();
        let release = options.release_id.map(|r| r.to_string());

        let existing: Option<(String, Option<String>, String, Option<String>)> = sqlx::query_as(
            "SELECT id, url, state, sha256 FROM platform_uploads
             WHERE server = ? AND path = ? AND size = ? AND mtime = ? AND release_id IS ? AND state <> 'failed'
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(&account.server)
        .bind(&shown)
        .bind(size as i64)
        .bind(&mtime)
        .bind(&release)
        .fetch_optional(&self.pool)
        .await?;
        let mut job = match existing {
            Some((id, url, state, sha256)) => Job { id, url, state, sha256 },
            None => {
                let id = self.ids.new_id().to_string();
                let now = self.clock.now().to_rfc3339();
                let mut tx = self.write().await?;
                sqlx::query(
                    "INSERT INTO platform_uploads (id, server, path, size, mtime, release_id, state, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                )
                .bind(&id)
                .bind(&account.server)
                .bind(&shown)
                .bind(size as i64)
                .bind(&mtime)
                .bind(&release)
                .bind(&now)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Job { id, url: None, state: "pending".into(), sha256: None }
            }
        };
        if job.state == "complete" {
            progress(&UploadProgress { path: shown.clone(), phase: UploadPhase::Done, done: size, total: size });
            return Ok(UploadResult {
                path: shown,
                size,
                sha256: job.sha256.unwrap_or_default(),
                upload_url: job.url.unwrap_or_default(),
                resumed_from: size,
                status: UploadStatus::AlreadyUploaded,
            });
        }

        // Where to start: the server's word for an existing upload, else a new one.
        let mut offset = match &job.url {
            Some(url) => client.tus_offset(url).await?.map(|(o, _)| o),
            None => None,
        };
        if offset.is_none() {
            let filename = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let mut metadata = vec![(upload_meta::FILENAME, filename), (upload_meta::ASSET, asset_kind(path).to_string())];
            if let Some(r) = &release {
                metadata.push((upload_meta::RELEASE, r.clone()));
            }
            let url = client.tus_create(size, &metadata).await?;
            self.save_job(&job.id, Some(&url), 0, "pending", None).await?;
            job.url = Some(url);
            offset = Some(0);
        }
        let url = job.url.clone().expect("an upload URL");
        let mut offset = offset.unwrap_or(0);
        let resumed_from = offset;

        // The hash of what the server already has (read back from the file when resuming).
        let mut file = tokio::fs::File::open(path).await.map_err(|e| io_error(path, e))?;
        let mut hasher = hash_prefix(&mut file, path, offset, progress, cancel).await?;
        progress(&UploadProgress { path: shown.clone(), phase: UploadPhase::Uploading, done: offset, total: size });

        let mut failures = 0u32;
        let mut server_sha: Option<String> = None;
        while offset < size {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let len = options.chunk_size.max(1).min(size - offset) as usize;
            let mut buf = vec![0u8; len];
            file.seek(std::io::SeekFrom::Start(offset)).await.map_err(|e| io_error(path, e))?;
            file.read_exact(&mut buf).await.map_err(|e| io_error(path, e))?;
            let chunk = bytes::Bytes::from(buf);
            // Hash this chunk on another thread while it is being sent.
            let before = hasher.clone();
            let hashing = {
                let chunk = chunk.clone();
                let mut h = hasher;
                tokio::task::spawn_blocking(move || {
                    h.update(&chunk);
                    h
                })
            };
            let sent = client.tus_patch(&url, offset, chunk.clone()).await;
            let after = hashing.await.map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
            match sent? {
                Patched::Stored { offset: stored, sha256 } => {
                    hasher = after;
                    offset = stored.unwrap_or(offset + len as u64);
                    server_sha = sha256;
                    failures = 0;
                }
                Patched::Gone => return Err(self.fail_job(&job.id, &shown).await),
                // A cut connection (or an offset that moved): go on from what the server kept;
                // the hash follows the server's offset.
                Patched::NotThrough(failed) => {
                    match client.tus_after_cut(&url, &mut failures, failed).await? {
                        AfterCut::At(server_offset) => {
                            hasher = if server_offset >= offset && server_offset <= offset + len as u64 {
                                let mut h = before;
                                h.update(&chunk[..(server_offset - offset) as usize]);
                                h
                            } else {
                                hash_prefix(&mut file, path, server_offset, progress, cancel).await?
                            };
                            offset = server_offset;
                        }
                        AfterCut::Gone => return Err(self.fail_job(&job.id, &shown).await),
                        AfterCut::Again => hasher = before,
                    }
                    continue;
                }
            }
            self.save_job(&job.id, Some(&url), offset, "pending", None).await?;
            progress(&UploadProgress { path: shown.clone(), phase: UploadPhase::Uploading, done: offset, total: size });
        }
        let sha256 = hex::encode(hasher.finalize());
        if server_sha.is_none() {
            // The last chunk's answer was lost (or the file was already all there): ask.
            server_sha = client.tus_offset(&url).await?.and_then(|(_, sha)| sha);
        }
        if server_sha.as_deref() != Some(sha256.as_str()) {
            let _ = client.tus(reqwest::Method::DELETE, &url).send().await;
            return Err(self.fail_job(&job.id, &shown).await);
        }
        self.save_job(&job.id, Some(&url), size, "complete", Some(&sha256)).await?;
        progress(&UploadProgress { path: shown.clone(), phase: UploadPhase::Done, done: size, total: size });
        Ok(UploadResult { path: shown, size, sha256, upload_url: url, resumed_from, status: UploadStatus::Uploaded })
    }

    async fn save_job(&self, id: &str, url: Option<&str>, uploaded: u64, state: &str, sha256: Option<&str>) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE platform_uploads SET url = ?, uploaded = ?, state = ?, sha256 = ?, updated_at = ? WHERE id = ?")
            .bind(url)
            .bind(uploaded as i64)
            .bind(state)
            .bind(sha256)
            .bind(self.clock.now().to_rfc3339())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fail_job(&self, id: &str, path: &str) -> Error {
        if let Err(e) = self.save_job(id, None, 0, "failed", None).await {
            return e;
        }
        Error::UploadCorrupted { path: path.to_string() }
    }
}

#[cfg(test)]
mod cancel_flag_tests {
    use super::CancelFlag;
    use crate::jobs::CancelToken;

    #[test]
    fn a_flag_made_from_a_token_sees_the_tokens_cancel() {
        let token = CancelToken::new();
        let flag = CancelFlag::from(&token);
        assert!(!flag.is_cancelled());
        token.cancel();
        assert!(flag.is_cancelled());
    }
}
