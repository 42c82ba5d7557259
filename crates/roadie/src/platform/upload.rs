//! Resumable uploads to the platform with tus 1.0.0 (creation + core + checksum).
//!
//! A file is hashed (SHA-256) first; the job is recorded in `platform_uploads` keyed by server,
//! content hash, size and release, so uploading the same file again (after a crash, a cut
//! connection, a restart) asks the server where it stopped (HEAD) and sends only the rest.
//! Each chunk carries an `Upload-Checksum`; the server also checks the whole file's hash at the
//! end and links it to the release/track.

use super::{PlatformClient, SecretStore};
use crate::error::{Error, Result};
use crate::Store;
use base64::Engine;
use roadie_protocol::{upload_meta, TUS_VERSION};
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

fn asset_kind(path: &Path) -> &'static str {
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

async fn hash_file(path: &Path, total: u64, progress: &(dyn Fn(&UploadProgress) + Send + Sync), cancel: &CancelFlag) -> Result<String> {
    let mut file = tokio::fs::File::open(path).await.map_err(|e| io_error(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    let shown = path.display().to_string();
    loop {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let n = file.read(&mut buf).await.map_err(|e| io_error(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        done += n as u64;
        if done % (64 << 20) < n as u64 || done == total {
            progress(&UploadProgress { path: shown.clone(), phase: UploadPhase::Hashing, done, total });
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

struct Job {
    id: String,
    url: Option<String>,
    state: String,
}

impl PlatformClient {
    fn tus(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.request(method, url).header("Tus-Resumable", TUS_VERSION)
    }

    /// The server's offset for an upload, or None when it is gone (404/410).
    async fn tus_offset(&self, url: &str) -> Result<Option<u64>> {
        let res = self.tus(reqwest::Method::HEAD, url).send().await.map_err(|e| self.network(e))?;
        match res.status().as_u16() {
            200 | 204 => Ok(res.headers().get("upload-offset").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())),
            404 | 410 => Ok(None),
            _ => Err(self.refused(res).await),
        }
    }

    async fn tus_create(&self, size: u64, metadata: &[(&str, String)]) -> Result<String> {
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
    /// same file (same content, size and release) where the server says it stopped.
    pub async fn upload_file(
        &self,
        path: &Path,
        options: &UploadOptions,
        secrets: &dyn SecretStore,
        progress: &(dyn Fn(&UploadProgress) + Send + Sync),
        cancel: &CancelFlag,
    ) -> Result<UploadResult> {
        let (account, client) = self.platform_client(secrets).await?;
        let meta = tokio::fs::metadata(path).await.map_err(|e| io_error(path, e))?;
        if !meta.is_file() {
            return Err(io_error(path, std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file")));
        }
        let size = meta.len();
        let shown = path.display().to_string();
        let sha256 = hash_file(path, size, progress, cancel).await?;
        let release = options.release_id.map(|r| r.to_string());

        let existing: Option<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT id, url, state FROM platform_uploads
             WHERE server = ? AND sha256 = ? AND size = ? AND release_id IS ? AND state <> 'failed'
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(&account.server)
        .bind(&sha256)
        .bind(size as i64)
        .bind(&release)
        .fetch_optional(&self.pool)
        .await?;
        let mut job = match existing {
            Some((id, url, state)) => Job { id, url, state },
            None => {
                let id = self.ids.new_id().to_string();
                let now = self.clock.now().to_rfc3339();
                let mut tx = self.write().await?;
                sqlx::query(
                    "INSERT INTO platform_uploads (id, server, path, size, sha256, release_id, state, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                )
                .bind(&id)
                .bind(&account.server)
                .bind(&shown)
                .bind(size as i64)
                .bind(&sha256)
                .bind(&release)
                .bind(&now)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Job { id, url: None, state: "pending".into() }
            }
        };
        if job.state == "complete" {
            progress(&UploadProgress { path: shown.clone(), phase: UploadPhase::Done, done: size, total: size });
            return Ok(UploadResult {
                path: shown,
                size,
                sha256,
                upload_url: job.url.unwrap_or_default(),
                resumed_from: size,
                status: UploadStatus::AlreadyUploaded,
            });
        }

        // Where to start: the server's word for an existing upload, else a new one.
        let mut offset = match &job.url {
            Some(url) => client.tus_offset(url).await?,
            None => None,
        };
        if offset.is_none() {
            let filename = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let mut metadata = vec![
                (upload_meta::FILENAME, filename),
                (upload_meta::SHA256, sha256.clone()),
                (upload_meta::ASSET, asset_kind(path).to_string()),
            ];
            if let Some(r) = &release {
                metadata.push((upload_meta::RELEASE, r.clone()));
            }
            let url = client.tus_create(size, &metadata).await?;
            self.save_job(&job.id, Some(&url), 0, "pending").await?;
            job.url = Some(url);
            offset = Some(0);
        }
        let url = job.url.clone().expect("an upload URL");
        let mut offset = offset.unwrap_or(0);
        let resumed_from = offset;
        progress(&UploadProgress { path: shown.clone(), phase: UploadPhase::Uploading, done: offset, total: size });

        let mut file = tokio::fs::File::open(path).await.map_err(|e| io_error(path, e))?;
        let mut failures = 0u32;
        while offset < size {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let len = options.chunk_size.max(1).min(size - offset) as usize;
            let mut buf = vec![0u8; len];
            file.seek(std::io::SeekFrom::Start(offset)).await.map_err(|e| io_error(path, e))?;
            file.read_exact(&mut buf).await.map_err(|e| io_error(path, e))?;
            let checksum = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&buf));
            let sent = client
                .tus(reqwest::Method::PATCH, &url)
                .header("Upload-Offset", offset.to_string())
                .header("Upload-Checksum", format!("sha256 {checksum}"))
                .header("Content-Type", "application/offset+octet-stream")
                .body(buf)
                .send()
                .await;
            let res = match sent {
                Ok(res) => res,
                Err(e) => {
                    // Cut connection: ask the server what it kept, then go on from there.
                    failures += 1;
                    if failures > MAX_RETRIES {
                        return Err(client.network(e));
                    }
                    tokio::time::sleep(Duration::from_millis(300 * failures as u64)).await;
                    offset = match client.tus_offset(&url).await {
                        Ok(Some(o)) => o,
                        Ok(None) => return Err(self.fail_job(&job.id, &shown).await),
                        Err(e) if failures < MAX_RETRIES => {
                            let _ = e;
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    continue;
                }
            };
            match res.status().as_u16() {
                204 | 200 => {
                    offset = res
                        .headers()
                        .get("upload-offset")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(offset + len as u64);
                    failures = 0;
                    self.save_job(&job.id, Some(&url), offset, "pending").await?;
                    progress(&UploadProgress { path: shown.clone(), phase: UploadPhase::Uploading, done: offset, total: size });
                }
                409 | 460 => {
                    // Offset moved under us, or this chunk arrived damaged: re-sync and retry. If
                    // the upload is gone (410), its final hash did not match the file's.
                    failures += 1;
                    if failures > MAX_RETRIES {
                        return Err(client.refused(res).await);
                    }
                    match client.tus_offset(&url).await? {
                        Some(o) => offset = o,
                        None => return Err(self.fail_job(&job.id, &shown).await),
                    }
                }
                404 | 410 => return Err(self.fail_job(&job.id, &shown).await),
                _ => return Err(client.refused(res).await),
            }
        }
        self.save_job(&job.id, Some(&url), size, "complete").await?;
        progress(&UploadProgress { path: shown.clone(), phase: UploadPhase::Done, done: size, total: size });
        Ok(UploadResult { path: shown, size, sha256, upload_url: url, resumed_from, status: UploadStatus::Uploaded })
    }

    async fn save_job(&self, id: &str, url: Option<&str>, uploaded: u64, state: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE platform_uploads SET url = ?, uploaded = ?, state = ?, updated_at = ? WHERE id = ?")
            .bind(url)
            .bind(uploaded as i64)
            .bind(state)
            .bind(self.clock.now().to_rfc3339())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fail_job(&self, id: &str, path: &str) -> Error {
        if let Err(e) = self.save_job(id, None, 0, "failed").await {
            return e;
        }
        Error::UploadCorrupted { path: path.to_string() }
    }
}
