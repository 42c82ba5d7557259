//! The sync client: push the outbox, pull the log, merge, conflicts, status. One call per user
//! action (`sync`, `sync_status`, `list_conflicts`, `resolve_conflict`), usable from a Tauri
//! command as is: progress through a callback, cancellation through a `CancelFlag`.

use super::schema::{fields_object, shapes, TableShape};
use super::catch_up::Pull;
use crate::error::{Error, Result};
use crate::platform::{Account, CancelFlag, PlatformClient, SecretStore};
use crate::Store;
use roadie_protocol::sync::{
    hlc_node, Change, LogEntry, PullResponse, PushRequest, PushResponse, PushStatus,
    SyncInfo, CHANGE_ID_REUSED, SYNC_PROTOCOL, SYNC_PROTOCOL_HEADER,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::sqlite::SqliteArguments;
use sqlx::{Sqlite, SqliteConnection};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::time::Duration;
use ts_rs::TS;
use uuid::Uuid;

/// Cancels a running sync between batches and pages (what was done stays done).
pub type SyncCancel = CancelFlag;

const PUSH_BATCH: i64 = roadie_protocol::sync::MAX_PUSH_BATCH as i64;
const PULL_PAGE: u32 = roadie_protocol::sync::MAX_PULL_PAGE;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Push,
    Pull,
    /// Statement files' bytes going up (before the push) or coming down and being imported
    /// (after the pull): `done` of `total` files.
    Files,
    Done,
}

/// Progress of a sync: `done` of `total` changes (files in `Files`) in the current phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u64,
    pub total: u64,
}

/// Something sync could not do: a local change the server refused, or a pulled change this store
/// could not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncError {
    pub at: String,
    /// `push` or `pull`.
    pub direction: String,
    pub change_id: String,
    pub table: String,
    pub pk: String,
    pub code: String,
    pub message: String,
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncReport {
    /// Local changes the server accepted (now or, for a retried batch, before).
    pub pushed: u64,
    /// Changes from other stores applied here.
    pub pulled: u64,
    /// Conflicts open after this sync (to resolve in the conflicts screen).
    pub conflicts: u64,
    /// Local changes the server refused in this sync (they stay local; see `sync_errors`).
    pub refused: Vec<SyncError>,
}

/// The sync state for the status bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    pub signed_in: bool,
    pub server: Option<String>,
    /// RFC 3339 time of the last sync that finished.
    pub last_sync: Option<String>,
    /// Local changes not yet pushed.
    pub pending_changes: u64,
    pub open_conflicts: u64,
    /// The most recent errors, newest first.
    pub errors: Vec<SyncError>,
    /// Statement files imported on another device whose lines are not here yet (fetched at sync).
    pub statement_files_to_download: u64,
    /// Statement files imported here whose bytes are not on the platform yet (sent at sync).
    pub statement_files_to_upload: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Take {
    Mine,
    Theirs,
}

impl std::str::FromStr for Take {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "mine" => Ok(Take::Mine),
            "theirs" => Ok(Take::Theirs),
            _ => Err(format!("{s}: expected mine or theirs")),
        }
    }
}

/// One side of a conflict as the conflicts screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConflictSideView {
    #[ts(type = "unknown")]
    pub value: Value,
    pub hlc: String,
    /// The platform user who made it.
    pub user_id: Uuid,
    /// Made on this device.
    pub this_device: bool,
}

/// Two edits of one field made without seeing each other. `mine` is this device's edit (or, when
/// neither was made here, the value the field holds now).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Conflict {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub table: String,
    pub pk: String,
    pub column: String,
    pub mine: ConflictSideView,
    pub theirs: ConflictSideView,
    /// Which side the field holds now.
    pub applied: Take,
}

// ---------------------------------------------------------------------------------------------
// HTTP

fn gunzip_if(res_encoding: Option<&str>, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    if res_encoding == Some("gzip") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(bytes.to_vec())
    }
}

impl PlatformClient {
    async fn sync_json<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T> {
        let res = req
            .header(SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL.to_string())
            .header(reqwest::header::ACCEPT_ENCODING, "gzip")
            .send()
            .await
            .map_err(|e| self.network(e))?;
        if !res.status().is_success() {
            return Err(self.refused(res).await);
        }
        let encoding = res
            .headers()
            .get(reqwest::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = res.bytes().await.map_err(|e| self.network(e))?;
        let body = gunzip_if(encoding.as_deref(), &bytes).map_err(|e| Error::Network {
            server: self.server.clone(),
            reason: format!("bad gzip response: {e}"),
        })?;
        serde_json::from_slice(&body).map_err(|e| Error::Network {
            server: self.server.clone(),
            reason: format!("unexpected sync response: {e}"),
        })
    }

    /// The same sign-in through another address (a proxy, a second server instance).
    pub fn via(&self, server: &str) -> Result<PlatformClient> {
        PlatformClient::new(server, self.token.clone())
    }

    /// The server's sync protocol range; refuses one that does not include this build's.
    pub async fn sync_info(&self) -> Result<SyncInfo> {
        let info: SyncInfo = self
            .sync_json(self.request(reqwest::Method::GET, "/v1/sync/info"))
            .await?;
        if !(info.protocol_min..=info.protocol_max).contains(&SYNC_PROTOCOL) {
            return Err(Error::SyncProtocolMismatch {
                server_min: info.protocol_min,
                server_max: info.protocol_max,
                client: SYNC_PROTOCOL,
            });
        }
        Ok(info)
    }

    /// One push (gzip body). Network failures are retried a few times: the change ids make a
    /// repeated push a no-op on the server.
    pub async fn sync_push(&self, req: &PushRequest) -> Result<PushResponse> {
        self.sync_push_json(&serde_json::to_vec(req).expect("serialisable")).await
    }

    /// [`Self::sync_push`] of a request already written as JSON.
    pub(crate) async fn sync_push_json(&self, json: &[u8]) -> Result<PushResponse> {
        self.sync_push_gzip(gzip(json)?).await
    }

    /// [`Self::sync_push`] of a request already written as JSON and compressed ([`gzip`]).
    pub(crate) async fn sync_push_gzip(&self, body: bytes::Bytes) -> Result<PushResponse> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let req = self
                .request(reqwest::Method::POST, "/v1/sync/push")
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(reqwest::header::CONTENT_ENCODING, "gzip")
                .body(body.clone());
            match self.sync_json(req).await {
                Err(Error::Network { .. }) if attempt < 4 => {
                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await
                }
                Err(Error::Platform { status, .. }) if status >= 500 && attempt < 4 => {
                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await
                }
                other => return other,
            }
        }
    }

    pub async fn sync_pull(&self, since: i64, limit: u32) -> Result<PullResponse> {
        self.sync_pull_in(since, limit, None).await
    }

    /// One page of the log after `since`: of every readable workspace, or of `workspace` only.
    pub async fn sync_pull_in(&self, since: i64, limit: u32, workspace: Option<Uuid>) -> Result<PullResponse> {
        let mut path = format!("/v1/sync/pull?since={since}&limit={limit}");
        if let Some(ws) = workspace {
            path.push_str(&format!("&workspace={ws}"));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self
                .sync_json(self.request(reqwest::Method::GET, &path))
                .await
            {
                Err(Error::Network { .. }) if attempt < 4 => {
                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await
                }
                other => return other,
            }
        }
    }
}

/// A push body as it goes on the wire.
pub(crate) fn gzip(json: &[u8]) -> std::io::Result<bytes::Bytes> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 4), flate2::Compression::fast());
    enc.write_all(json)?;
    Ok(bytes::Bytes::from(enc.finish()?))
}

// ---------------------------------------------------------------------------------------------
// Values

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>;

fn bind_value<'q>(q: Query<'q>, v: &Value) -> Query<'q> {
    match v {
        Value::Null => q.bind(None::<String>),
        Value::Bool(b) => q.bind(*b as i64),
        Value::Number(n) => match n.as_i64() {
            Some(i) => q.bind(i),
            None => q.bind(n.as_f64()),
        },
        Value::String(s) => q.bind(s.clone()),
        other => q.bind(other.to_string()),
    }
}

/// The key columns' values of a `pk`.
fn key_values(shape: &TableShape, pk: &str) -> Option<Vec<Value>> {
    if shape.table.key.len() == 1 {
        return Some(vec![Value::String(pk.to_string())]);
    }
    let values: Vec<Value> = serde_json::from_str(pk).ok()?;
    (values.len() == shape.table.key.len()).then_some(values)
}

fn key_where(shape: &TableShape) -> String {
    shape
        .table
        .key
        .iter()
        .map(|k| format!("{k} = ?"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn change_id(node: &str, outbox_id: i64) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("roadie-change:{node}:{outbox_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

fn now_text(store: &Store) -> String {
    store.clock.now().to_rfc3339()
}

// ---------------------------------------------------------------------------------------------
// Engine calls

impl Store {
    async fn node_id(&self) -> Result<String> {
        Ok(self.setting("node_id").await?.unwrap_or_default())
    }

    /// Gives this store a new node id (its change ids and clock stamps from now on), when the
    /// server says another store pushed with the same one: a copy of this store file.
    async fn take_new_node_id(&self) -> Result<String> {
        let id = self.ids.new_id().simple().to_string();
        let node = id[id.len() - 12..].to_string();
        let old = self.node_id().await?;
        let mut tx = self.write().await?;
        for (key, value) in [("node_id", node.as_str()), ("sync.node_id_before", old.as_str())] {
            crate::store::put_setting(&mut tx, key, value).await?;
        }
        tx.commit().await?;
        self.hlc.set_node(node.clone());
        Ok(node)
    }

    /// Syncs with the signed-in account's server: pushes every local change, then pulls until the
    /// server has nothing more.
    pub async fn sync(
        &self,
        secrets: &dyn SecretStore,
        progress: &(dyn Fn(&SyncProgress) + Sync),
        cancel: &SyncCancel,
    ) -> Result<SyncReport> {
        let (account, client) = self.platform_client(secrets).await?;
        self.sync_with(&account, &client, progress, cancel).await
    }

    /// `sync` with an explicit client (tests point it at a proxy).
    pub async fn sync_with(
        &self,
        account: &Account,
        client: &PlatformClient,
        progress: &(dyn Fn(&SyncProgress) + Sync),
        cancel: &SyncCancel,
    ) -> Result<SyncReport> {
        let info = client.sync_info().await?;
        let batch = PUSH_BATCH.min(info.max_push_batch as i64).max(1);
        let page = PULL_PAGE.min(info.max_pull_page).max(1);
        let shapes = shapes(&self.pool).await?;
        let mut node = self.node_id().await?;
        // Rows made before the first sign-in take the account's ids before anything goes up.
        self.adopt_account_scope_before_sync(account.workspace_id).await?;
        self.compact_outbox().await?;
        // Statement files' bytes go up before their rows (royalties/transfer.rs).
        self.upload_statement_files(account, client, progress, cancel).await?;
        let (pushed, refused) = self
            .push_outbox(client, &shapes, &mut node, batch, progress, cancel)
            .await?;
        // Workspaces readable now that this store never pulled (joined since): their whole log.
        let pull = Pull { account, client, shapes: &shapes, node: &node, page_size: page, progress, cancel };
        let pulled = self.catch_up_workspaces(&pull).await? + self.pull_log(&pull).await?;
        // Pulled statement files come down and are imported, each in its own transaction.
        self.download_statement_files(account, client, progress, cancel).await?;
        self.set_setting("sync.last_sync", &now_text(self)).await?;
        let conflicts = self.open_conflict_count().await?;
        progress(&SyncProgress {
            phase: SyncPhase::Done,
            done: pushed + pulled,
            total: pushed + pulled,
        });
        Ok(SyncReport {
            pushed,
            pulled,
            conflicts,
            refused,
        })
    }

    /// Drops fields that one operation set and then set back (a link tombstoned and revived
    /// inside one transaction): they are not edits, so they must not reach other devices, and
    /// their clocks go back to what they were (else a pulled value could lose to a non-edit).
    pub(crate) async fn compact_outbox(&self) -> Result<()> {
        let mut tx = self.write().await?;
        type Row = (i64, String, String, String, String, String, String);
        // In outbox order: a later write's base may be the clock of an earlier non-edit, which
        // is dropped here too, so bases are resolved through `dropped` ((tbl, pk, col, hlc) of a
        // dropped non-edit → the base it had) to a clock that some real edit set.
        let rows: Vec<Row> =
            sqlx::query_as("SELECT id, tbl, pk, hlc, fields, base, old FROM sync_outbox WHERE old <> '{}' AND json_extract(old, '$.__insert') IS NULL ORDER BY id").fetch_all(&mut *tx).await?;
        let mut dropped: HashMap<(String, String, String, String), Option<Value>> = HashMap::new();
        for (id, table, pk, hlc, fields, base, old) in rows {
            let mut fields: Map<String, Value> = serde_json::from_str(&fields).unwrap_or_default();
            let mut base: Map<String, Value> = serde_json::from_str(&base).unwrap_or_default();
            let old: Map<String, Value> = serde_json::from_str(&old).unwrap_or_default();
            let mut rebased = false;
            for (col, b) in base.iter_mut() {
                let Some(was) = b.as_str() else { continue };
                let key = (table.clone(), pk.clone(), col.clone(), was.to_string());
                if let Some(resolved) = dropped.get(&key) {
                    *b = resolved.clone().unwrap_or(Value::Null);
                    rebased = true;
                }
            }
            let same: Vec<String> = fields
                .iter()
                .filter(|(k, v)| old.get(*k) == Some(*v))
                .map(|(k, _)| k.clone())
                .collect();
            if same.is_empty() {
                if rebased {
                    sqlx::query("UPDATE sync_outbox SET base = ? WHERE id = ?")
                        .bind(Value::Object(base).to_string())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                continue;
            }
            for col in &same {
                fields.remove(col);
                let was = base.remove(col).filter(|v| !v.is_null());
                dropped.insert((table.clone(), pk.clone(), col.clone(), hlc.clone()), was.clone());
                let clock: Option<String> = sqlx::query_scalar(
                    "SELECT hlc FROM sync_clocks WHERE tbl = ? AND pk = ? AND col = ?",
                )
                .bind(&table)
                .bind(&pk)
                .bind(col)
                .fetch_optional(&mut *tx)
                .await?;
                if clock.as_deref() == Some(hlc.as_str()) {
                    match was.as_ref().and_then(Value::as_str) {
                        Some(was) => set_clock(&mut tx, &table, &pk, col, was).await?,
                        None => {
                            sqlx::query(
                                "DELETE FROM sync_clocks WHERE tbl = ? AND pk = ? AND col = ?",
                            )
                            .bind(&table)
                            .bind(&pk)
                            .bind(col)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                }
            }
            if fields.is_empty() {
                sqlx::query("DELETE FROM sync_outbox WHERE id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query("UPDATE sync_outbox SET fields = ?, base = ?, old = '{}' WHERE id = ?")
                    .bind(Value::Object(fields).to_string())
                    .bind(Value::Object(base).to_string())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn push_outbox(
        &self,
        client: &PlatformClient,
        shapes: &[TableShape],
        node: &mut String,
        batch: i64,
        progress: &(dyn Fn(&SyncProgress) + Sync),
        cancel: &SyncCancel,
    ) -> Result<(u64, Vec<SyncError>)> {
        // Times this sync took a new node id (a copy of this store pushed with the same one).
        let mut rekeyed = 0;
        let total: i64 = sqlx::query_scalar(PENDING_SQL)
            .fetch_one(&self.pool)
            .await?;
        let mut done = 0u64;
        let mut pushed = 0u64;
        let mut refused = Vec::new();
        progress(&SyncProgress {
            phase: SyncPhase::Push,
            done: 0,
            total: total as u64,
        });
        // A batch with its body, compressed on a blocking thread (off the path from one answer to
        // the next push).
        let read = |node: String, from: Resume| async move {
            let b = {
                let mut conn = self.pool.acquire().await?;
                outbox_batch_from(&mut conn, shapes, &node, batch, &from).await?
            };
            let json = push_body(&b.0);
            let body = tokio::task::spawn_blocking(move || gzip(&json))
                .await
                .map_err(|e| Error::Io(std::io::Error::other(e)))??;
            Ok::<_, Error>((b, body))
        };
        // The next batch, read while the one before it is on its way (from where it ends).
        let mut next: Option<(Batch, bytes::Bytes)> = None;
        // An answered batch whose outbox entries leave (and refusals are recorded) while the next
        // batch is on its way: the server committed it, so a cut sync only sends it again (a
        // no-op there, by its change ids).
        let mut answered_before: Option<Answered> = None;
        loop {
            if cancel.is_cancelled() {
                self.retire_answered(answered_before.take()).await?;
                return Err(Error::Cancelled);
            }
            let ((changes, origins, exhausted), body) = match next.take() {
                Some(b) => b,
                None => read(node.clone(), Resume::default()).await?,
            };
            if changes.is_empty() {
                self.retire_answered(answered_before.take()).await?;
                if exhausted.is_empty() {
                    break;
                }
                // Bulk entries whose rows are all pushed (or gone): nothing to send.
                let mut tx = self.write().await?;
                retire(&mut tx, &[], &exhausted).await?;
                tx.commit().await?;
                continue;
            }
            let from = Resume::after(&origins, &exhausted);
            let (finished, res, following) =
                tokio::join!(self.retire_answered(answered_before.take()), client.sync_push_gzip(body), read(node.clone(), from));
            finished?;
            let res = res?;
            let at = now_text(self);
            // Ids the server holds for other changes: this store shares its node id with a copy
            // of it. Those changes stay queued; the store takes a new node id (which re-derives
            // the ids of everything queued) and pushes them again (a few times at most).
            let reused: Vec<bool> = res
                .results
                .iter()
                .map(|r| r.status == PushStatus::Refused && r.code.as_deref() == Some(CHANGE_ID_REUSED))
                .collect();
            let rekey = rekeyed < 3 && reused.iter().any(|r| *r);
            let mut errors: Vec<(SyncError, usize)> = Vec::new();
            for (i, ((change, result), reused)) in changes.iter().zip(&res.results).zip(&reused).enumerate() {
                match result.status {
                    PushStatus::Applied | PushStatus::Duplicate => pushed += 1,
                    PushStatus::Refused if rekey && *reused => {}
                    PushStatus::Refused => {
                        let err = SyncError {
                            at: at.clone(),
                            direction: "push".into(),
                            change_id: change.change_id.to_string(),
                            table: change.table.clone(),
                            pk: change.pk.clone(),
                            code: result.code.clone().unwrap_or_else(|| "refused".into()),
                            message: result.message.clone().unwrap_or_default(),
                        };
                        refused.push(err.clone());
                        errors.push((err, i));
                    }
                }
            }
            // Only what the server answered leaves the outbox.
            let answered = res.results.len().min(changes.len());
            let exhausted: Vec<i64> = if answered == changes.len() { exhausted } else { Vec::new() };
            if rekey {
                let mut tx = self.write().await?;
                for (err, i) in &errors {
                    record_error(&mut tx, err, &changes[*i].json).await?;
                }
                // Everything answered leaves but the reused ids; a bulk entry keeps its position
                // at its first reused row (the rows after it are sent again: same clock and
                // values, a no-op where they already applied).
                let mut blocked: Vec<i64> = Vec::new();
                let mut leave: Vec<Origin> = Vec::new();
                for (origin, reused) in origins[..answered].iter().zip(&reused) {
                    match origin {
                        Origin::Entry(_) if !*reused => leave.push(origin.clone()),
                        Origin::Entry(_) => {}
                        Origin::Row(id, _) if *reused || blocked.contains(id) => blocked.push(*id),
                        Origin::Row(..) => leave.push(origin.clone()),
                    }
                }
                let exhausted: Vec<i64> = exhausted.into_iter().filter(|id| !blocked.contains(id)).collect();
                retire(&mut tx, &leave, &exhausted).await?;
                tx.commit().await?;
                *node = self.take_new_node_id().await?;
                rekeyed += 1;
                done += leave.len() as u64;
                continue;
            }
            let mut origins = origins;
            origins.truncate(answered);
            let a = Answered { changes, origins, exhausted, errors };
            if answered < a.changes.len() {
                self.retire_answered(Some(a)).await?;
                break; // a short answer: the rest goes next time
            }
            done += a.changes.len() as u64;
            answered_before = Some(a);
            next = match following {
                Ok(b) => Some(b),
                Err(e) => {
                    self.retire_answered(answered_before.take()).await?;
                    return Err(e);
                }
            };
            progress(&SyncProgress {
                phase: SyncPhase::Push,
                done,
                total: total as u64,
            });
        }
        Ok((pushed, refused))
    }

    /// Takes an answered batch (if any) out of the outbox, with its refusals recorded, in one
    /// transaction.
    async fn retire_answered(&self, a: Option<Answered>) -> Result<()> {
        let Some(a) = a else { return Ok(()) };
        let mut tx = self.write().await?;
        for (err, i) in &a.errors {
            record_error(&mut tx, err, &a.changes[*i].json).await?;
        }
        retire(&mut tx, &a.origins, &a.exhausted).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn pull_log(&self, pull: &Pull<'_>) -> Result<u64> {
        let Pull { account, client, shapes, node, page_size, progress, cancel } = *pull;
        let cursor_key = super::catch_up::cursor_key(account);
        let cursor = self.saved_cursor(&cursor_key).await?;
        let mut done = 0u64;
        let mut pulled = 0u64;
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let mut page = client.sync_pull(cursor, page_size).await?;
        loop {
            let total = done + page.entries.len() as u64 + page.remaining.max(0) as u64;
            let more = page.more && !page.entries.is_empty();
            let apply = self.apply_page(&page.entries, shapes, node, &cursor_key, page.cursor);
            // The next page comes while this one is applied (it is used only once this one is
            // in, with the cursor saved: a cut sync still resumes after the last page applied).
            let (applied, following) = if more {
                let (applied, following) = tokio::join!(apply, client.sync_pull(page.cursor, page_size));
                (applied, Some(following))
            } else {
                (apply.await, None)
            };
            pulled += applied?;
            done += page.entries.len() as u64;
            progress(&SyncProgress {
                phase: SyncPhase::Pull,
                done,
                total,
            });
            let Some(following) = following else { break };
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            page = following?;
        }
        Ok(pulled)
    }

    /// Applies one page and moves the cursor, in one transaction. Returns how many changes came
    /// from other stores.
    pub(super) async fn apply_page(
        &self,
        entries: &[LogEntry],
        shapes: &[TableShape],
        node: &str,
        cursor_key: &str,
        cursor: i64,
    ) -> Result<u64> {
        // Refuse the whole page before writing anything if it holds what this build cannot store.
        for change in entries.iter().filter_map(|e| e.change.as_ref()) {
            let Some(shape) = shapes.iter().find(|s| s.table.name == change.table) else {
                return Err(Error::SyncSchemaTooNew {
                    table: change.table.clone(),
                    column: "*".into(),
                });
            };
            if let Some(col) = change.fields.keys().find(|c| !shape.has_column(c)) {
                return Err(Error::SyncSchemaTooNew {
                    table: change.table.clone(),
                    column: col.clone(),
                });
            }
        }
        let at = now_text(self);
        let mut tx = self.write().await?;
        sqlx::query("INSERT OR IGNORE INTO sync_applying (one) VALUES (1)")
            .execute(&mut *tx)
            .await?;
        // Foreign keys stay immediate: the log is causal (a parent is logged before anything that
        // references it), and a change that still breaks one (its parent was refused) is parked
        // in `sync_errors` on its own instead of failing the whole page at commit.
        let mut pulled = 0;
        let mut contacts = BTreeSet::new();
        let mut clashes: Vec<&Change> = Vec::new();
        // The page's changes set-wise first; if anything in it fails, one at a time instead.
        // (Merging a change never reads the conflicts, so they follow.)
        let changes: Vec<&Change> = entries.iter().filter_map(|e| e.change.as_ref()).collect();
        let batched = {
            let mut sp = sqlx::Connection::begin(&mut *tx).await?;
            match apply_changes_batched(&mut sp, shapes, &changes).await {
                Ok(()) => {
                    sp.commit().await?;
                    true
                }
                Err(_) => {
                    sp.rollback().await?;
                    false
                }
            }
        };
        for entry in entries {
            if let Some(change) = &entry.change {
                self.hlc.observe(&change.hlc);
                let shape = shapes
                    .iter()
                    .find(|s| s.table.name == change.table)
                    .expect("checked above");
                if !batched {
                    let mut sp = sqlx::Connection::begin(&mut *tx).await?;
                    match apply_change(&mut sp, shape, change).await {
                        Ok(()) => sp.commit().await?,
                        Err(e) if crate::fans::pull_merge::is_email_clash(&change.table, &e) => {
                            // The same fan made here under another id: merged after the page.
                            sp.rollback().await?;
                            clashes.push(change);
                        }
                        Err(e) => {
                            sp.rollback().await?;
                            record_error(&mut tx, &pull_error(&at, change, &e), &to_json(change)).await?;
                        }
                    }
                }
                if hlc_node(&change.hlc) != node {
                    pulled += 1;
                }
                // An edit made after seeing both sides of a conflict closes it.
                for (col, base) in &change.base {
                    sqlx::query(
                        "UPDATE sync_conflicts SET resolved_at = ?, resolution = 'superseded'
                         WHERE tbl = ? AND pk = ? AND col = ? AND resolved_at IS NULL AND winner_hlc <= ? AND loser_hlc <= ?",
                    )
                    .bind(&at)
                    .bind(&change.table)
                    .bind(&change.pk)
                    .bind(col)
                    .bind(base)
                    .bind(base)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some(contact) = contact_of(shape, change) {
                    contacts.insert(contact);
                }
            }
            if let Some(c) = &entry.conflict {
                sqlx::query(
                    "INSERT OR IGNORE INTO sync_conflicts (id, seq, workspace_id, tbl, pk, col, winner_value, winner_hlc, winner_user,
                         loser_value, loser_hlc, loser_user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(c.id.to_string())
                .bind(entry.seq)
                .bind(entry.workspace_id.to_string())
                .bind(&c.table)
                .bind(&c.pk)
                .bind(&c.column)
                .bind(c.winner.value.to_string())
                .bind(&c.winner.hlc)
                .bind(c.winner.user_id.to_string())
                .bind(c.loser.value.to_string())
                .bind(&c.loser.hlc)
                .bind(c.loser.user_id.to_string())
                .execute(&mut *tx)
                .await?;
            }
        }
        if let Some(shape) = shapes.iter().find(|s| s.table.name == "contact_emails").filter(|_| !clashes.is_empty()) {
            let settled = crate::fans::pull_merge::settle(&mut tx, shape, &clashes, &self.stamp(), self.clock.now()).await?;
            contacts.extend(settled.touched);
            for (change, e) in settled.failed {
                record_error(&mut tx, &pull_error(&at, change, &e), &to_json(change)).await?;
            }
        }
        for contact in contacts {
            crate::fans::search::reindex(&mut tx, contact).await?;
        }
        sqlx::query("DELETE FROM sync_applying")
            .execute(&mut *tx)
            .await?;
        crate::store::put_setting(&mut tx, cursor_key, &cursor.to_string()).await?;
        tx.commit().await?;
        Ok(pulled)
    }

    async fn open_conflict_count(&self) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok(n as u64)
    }

    /// Last sync, pending changes, open conflicts and recent errors.
    pub async fn sync_status(&self) -> Result<SyncStatus> {
        let account = self.account().await?;
        let pending: i64 = sqlx::query_scalar(PENDING_SQL)
            .fetch_one(&self.pool)
            .await?;
        type Row = (String, String, String, String, String, String, String);
        let errors: Vec<Row> = sqlx::query_as(
            "SELECT at, direction, change_id, tbl, pk, code, message FROM sync_errors ORDER BY id DESC LIMIT 20",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(SyncStatus {
            signed_in: account.is_some(),
            server: account.map(|a| a.server),
            last_sync: self.setting("sync.last_sync").await?,
            pending_changes: pending as u64,
            open_conflicts: self.open_conflict_count().await?,
            statement_files_to_download: self.statement_files_missing().await?,
            statement_files_to_upload: self.statement_files_to_upload().await?,
            errors: errors
                .into_iter()
                .map(
                    |(at, direction, change_id, table, pk, code, message)| SyncError {
                        at,
                        direction,
                        change_id,
                        table,
                        pk,
                        code,
                        message,
                    },
                )
                .collect(),
        })
    }

    /// Open conflicts, oldest first.
    pub async fn list_conflicts(&self) -> Result<Vec<Conflict>> {
        let node = self.node_id().await?;
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, workspace_id, tbl, pk, col, winner_value, winner_hlc, winner_user, loser_value, loser_hlc, loser_user
             FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let uuid = |s: &str| Uuid::parse_str(s).unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|(id, ws, table, pk, column, wv, wh, wu, lv, lh, lu)| {
                let side = |v: &str, h: String, u: &str| ConflictSideView {
                    value: serde_json::from_str(v).unwrap_or(Value::Null),
                    this_device: hlc_node(&h) == node,
                    hlc: h,
                    user_id: uuid(u),
                };
                let winner = side(&wv, wh, &wu);
                let loser = side(&lv, lh, &lu);
                let (mine, theirs, applied) = if loser.this_device {
                    (loser, winner, Take::Theirs)
                } else {
                    (winner, loser, Take::Mine)
                };
                Conflict {
                    id: uuid(&id),
                    workspace_id: uuid(&ws),
                    table,
                    pk,
                    column,
                    mine,
                    theirs,
                    applied,
                }
            })
            .collect())
    }

    /// Resolves a conflict by taking one side: the field gets that value as a new edit (which
    /// syncs, and closes the conflict on every device once they pull it).
    pub async fn resolve_conflict(&self, id: Uuid, take: Take) -> Result<Conflict> {
        let conflict = self
            .list_conflicts()
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::not_found("conflict", id))?;
        let shapes = shapes(&self.pool).await?;
        let shape = shapes
            .iter()
            .find(|s| s.table.name == conflict.table)
            .ok_or_else(|| Error::SyncSchemaTooNew {
                table: conflict.table.clone(),
                column: "*".into(),
            })?;
        let keys =
            key_values(shape, &conflict.pk).ok_or_else(|| Error::not_found("conflict", id))?;
        let value = match take {
            Take::Mine => conflict.mine.value.clone(),
            Take::Theirs => conflict.theirs.value.clone(),
        };
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        let clock: Option<String> = sqlx::query_scalar(
            "SELECT hlc FROM sync_clocks WHERE tbl = ? AND pk = ? AND col IN (?, '*') ORDER BY col = '*' LIMIT 1",
        )
        .bind(&conflict.table)
        .bind(&conflict.pk)
        .bind(&conflict.column)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("INSERT OR IGNORE INTO sync_applying (one) VALUES (1)")
            .execute(&mut *tx)
            .await?;
        let sql = format!(
            "UPDATE {} SET {} = ?, hlc = ? WHERE {}",
            shape.table.name,
            conflict.column,
            key_where(shape)
        );
        let mut q = bind_value(sqlx::query(&sql), &value).bind(hlc.clone());
        for k in &keys {
            q = bind_value(q, k);
        }
        q.execute(&mut *tx).await?;
        set_clock(
            &mut tx,
            &conflict.table,
            &conflict.pk,
            &conflict.column,
            &hlc,
        )
        .await?;
        sqlx::query("DELETE FROM sync_applying")
            .execute(&mut *tx)
            .await?;
        let mut fields = Map::new();
        fields.insert(conflict.column.clone(), value);
        let mut base = Map::new();
        if let Some(c) = clock {
            base.insert(conflict.column.clone(), Value::String(c));
        }
        sqlx::query("INSERT INTO sync_outbox (tbl, pk, workspace_id, hlc, fields, base) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&conflict.table)
            .bind(&conflict.pk)
            .bind(conflict.workspace_id.to_string())
            .bind(&hlc)
            .bind(Value::Object(fields).to_string())
            .bind(Value::Object(base).to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE sync_conflicts SET resolved_at = ?, resolution = ? WHERE id = ?")
            .bind(now_text(self))
            .bind(match take {
                Take::Mine => "mine",
                Take::Theirs => "theirs",
            })
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(conflict)
    }
}

/// Changes waiting to be pushed: one per plain outbox entry, and for a bulk entry the rows it
/// still stands for.
const PENDING_SQL: &str =
    "SELECT COALESCE(sum(CASE WHEN bulk IS NULL THEN 1 ELSE max(json_extract(bulk, '$.n'), 0) END), 0) FROM sync_outbox";

/// Where a change of a push batch comes from, to take it out of the outbox once answered.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// A plain outbox entry.
    Entry(i64),
    /// A row of a bulk entry, at its position there (rowid, or key as a JSON array).
    Row(i64, Value),
}

/// The change id of a row of a bulk entry: stable across retries (the entry and the row's key).
fn bulk_change_id(node: &str, outbox_id: i64, pk: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("roadie-change:{node}:{outbox_id}:{pk}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// A batch the server answered in full or in part: what leaves the outbox (`origins`: the
/// answered changes' origins), and the refusals to record (each with its change's index).
struct Answered {
    changes: Vec<Outgoing>,
    origins: Vec<Origin>,
    exhausted: Vec<i64>,
    errors: Vec<(SyncError, usize)>,
}

/// A push batch: its changes, where each comes from, and the bulk entries it finished.
pub(crate) type Batch = (Vec<Outgoing>, Vec<Origin>, Vec<i64>);

/// A change ready to push, as JSON text (what [`Change`] serialises to, written from the
/// outbox's JSON text without building a value tree), with what the push needs to know of it.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub change_id: Uuid,
    pub table: String,
    pub pk: String,
    pub json: String,
}

impl Outgoing {
    /// `fields`: a JSON object (the outbox's text; anything else sends no fields, which the
    /// server refuses); `base`: the clocks of the values it replaced.
    #[allow(clippy::too_many_arguments)]
    fn new(
        shape: Option<&TableShape>,
        change_id: Uuid,
        workspace_id: Option<Uuid>,
        table: String,
        pk: String,
        hlc: &str,
        fields: &str,
        base: &BTreeMap<String, String>,
    ) -> Outgoing {
        // The column names only (the values are copied as they are).
        // (Borrowed from the text: a column name has no escapes; one that had would be read owned.)
        let cols: Option<Vec<String>> = match serde_json::from_str::<BTreeMap<&str, serde::de::IgnoredAny>>(fields) {
            Ok(cols) => Some(cols.into_keys().filter(|c| shape.is_some_and(|s| s.is_quiet(c))).map(str::to_string).collect()),
            Err(_) => serde_json::from_str::<BTreeMap<String, serde::de::IgnoredAny>>(fields)
                .ok()
                .map(|cols| cols.into_keys().filter(|c| shape.is_some_and(|s| s.is_quiet(c))).collect()),
        };
        let (fields, quiet) = match cols {
            Some(quiet) => (fields, quiet),
            None => ("{}", Vec::new()),
        };
        let mut json = String::with_capacity(fields.len() + 200);
        let str = |json: &mut String, s: &str| json.push_str(&serde_json::to_string(s).expect("a string"));
        json.push_str("{\"change_id\":\"");
        json.push_str(&change_id.to_string());
        json.push('"');
        if let Some(w) = workspace_id {
            json.push_str(",\"workspace_id\":\"");
            json.push_str(&w.to_string());
            json.push('"');
        }
        json.push_str(",\"table\":");
        str(&mut json, &table);
        json.push_str(",\"pk\":");
        str(&mut json, &pk);
        json.push_str(",\"hlc\":");
        str(&mut json, hlc);
        json.push_str(",\"fields\":");
        json.push_str(fields);
        if !base.is_empty() {
            json.push_str(",\"base\":");
            json.push_str(&serde_json::to_string(base).expect("strings"));
        }
        if !quiet.is_empty() {
            json.push_str(",\"quiet\":");
            json.push_str(&serde_json::to_string(&quiet).expect("strings"));
        }
        json.push('}');
        Outgoing { change_id, table, pk, json }
    }

    /// The change as the server reads it.
    #[cfg(test)]
    pub(crate) fn change(&self) -> Change {
        serde_json::from_str(&self.json).expect("a change")
    }
}

/// The body of a push of these changes.
fn push_body(changes: &[Outgoing]) -> Vec<u8> {
    let mut body = Vec::with_capacity(changes.iter().map(|c| c.json.len() + 1).sum::<usize>() + 16);
    body.extend_from_slice(b"{\"changes\":[");
    for (i, c) in changes.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(c.json.as_bytes());
    }
    body.extend_from_slice(b"]}");
    body
}

/// Where to read the outbox from while the batch before is not answered yet (so not yet out of
/// the outbox): past its last entry, or inside the bulk entry it ended in, past its last row.
#[derive(Debug, Clone, Default)]
pub(crate) struct Resume {
    /// Entries with a larger id (0: all).
    after: i64,
    /// A bulk entry the batch before ended inside: its id and its last row's position.
    inside: Option<(i64, Value)>,
}

impl Resume {
    fn after(origins: &[Origin], exhausted: &[i64]) -> Resume {
        let mut after = exhausted.iter().copied().max().unwrap_or(0);
        for origin in origins {
            match origin {
                Origin::Entry(id) | Origin::Row(id, _) => after = after.max(*id),
            }
        }
        match origins.last() {
            Some(Origin::Row(id, at)) if !exhausted.contains(id) => Resume { after: id - 1, inside: Some((*id, at.clone())) },
            _ => Resume { after, inside: None },
        }
    }
}

/// The next changes to push, oldest first, at most `batch`: plain entries as they are, a bulk
/// entry expanded into one insert per row it stands for (read as the bulk write made it: from
/// `sync_bulk_before` if the row changed since, else as it is). A batch ends inside a bulk entry
/// whose rows do not all fit; the bulk entries listed last came to their end in this batch.
#[cfg(test)]
pub(crate) async fn outbox_batch(
    conn: &mut SqliteConnection,
    shapes: &[TableShape],
    node: &str,
    batch: i64,
) -> Result<(Vec<Change>, Vec<Origin>, Vec<i64>)> {
    let (changes, origins, exhausted) = outbox_batch_from(conn, shapes, node, batch, &Resume::default()).await?;
    Ok((changes.iter().map(Outgoing::change).collect(), origins, exhausted))
}

/// [`outbox_batch`] from a position (see [`Resume`]).
pub(crate) async fn outbox_batch_from(
    conn: &mut SqliteConnection,
    shapes: &[TableShape],
    node: &str,
    batch: i64,
    from: &Resume,
) -> Result<Batch> {
    type Row = (i64, String, String, Option<String>, String, String, String, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, tbl, pk, workspace_id, hlc, fields, base, bulk FROM sync_outbox WHERE id > ? ORDER BY id LIMIT ?",
    )
    .bind(from.after)
    .bind(batch)
    .fetch_all(&mut *conn)
    .await?;
    let mut changes = Vec::new();
    let mut origins = Vec::new();
    let mut exhausted = Vec::new();
    for (id, table, pk, workspace_id, hlc, fields, base, bulk) in rows {
        let room = batch - changes.len() as i64;
        if room <= 0 {
            break;
        }
        let shape = shapes.iter().find(|s| s.table.name == table);
        let bulk = match (&from.inside, bulk) {
            // Past the rows the batch before took (not yet answered, so not yet recorded).
            (Some((inside, at)), Some(bulk)) if *inside == id => {
                let mut b: Value = serde_json::from_str(&bulk).unwrap_or_default();
                if let Some(b) = b.as_object_mut() {
                    match at {
                        Value::Number(_) => b.insert("after".into(), at.clone()),
                        other => b.insert("key".into(), other.clone()),
                    };
                }
                Some(b.to_string())
            }
            (_, bulk) => bulk,
        };
        match (bulk, shape) {
            (Some(bulk), Some(shape)) => {
                let rows = expand_bulk(conn, shape, node, id, &hlc, &bulk, room).await?;
                let full = rows.len() as i64 == room;
                for (change, at) in rows {
                    changes.push(change);
                    origins.push(Origin::Row(id, at));
                }
                if full {
                    break; // the rest of its rows go next batch
                }
                exhausted.push(id);
            }
            (Some(_), None) => exhausted.push(id), // a table this build no longer syncs
            (None, _) => {
                changes.push(plain_change(shape, node, id, table, pk, workspace_id, hlc, &fields, &base));
                origins.push(Origin::Entry(id));
            }
        }
    }
    Ok((changes, origins, exhausted))
}

/// The change of a plain outbox entry.
#[allow(clippy::too_many_arguments)]
fn plain_change(
    shape: Option<&TableShape>,
    node: &str,
    id: i64,
    table: String,
    pk: String,
    workspace_id: Option<String>,
    hlc: String,
    fields: &str,
    base: &str,
) -> Outgoing {
    let base: BTreeMap<String, Value> = if base == "{}" { BTreeMap::new() } else { serde_json::from_str(base).unwrap_or_default() };
    let base = base.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect();
    Outgoing::new(
        shape,
        change_id(node, id),
        workspace_id.and_then(|w| Uuid::parse_str(&w).ok()),
        table,
        pk,
        &hlc,
        fields,
        &base,
    )
}

/// Up to `limit` rows of bulk entry `id` (a negative limit: all), after its position: the rows of
/// its table whose insert clock is the bulk write's HLC (their '*' clock, or their `hlc` while
/// they have none), which skips rows gone or made since by anything else.
async fn expand_bulk(
    conn: &mut SqliteConnection,
    shape: &TableShape,
    node: &str,
    id: i64,
    hlc: &str,
    bulk: &str,
    limit: i64,
) -> Result<Vec<(Outgoing, Value)>> {
    let t = shape.table;
    let bulk: Value = serde_json::from_str(bulk).unwrap_or_default();
    let r = "sync_row_";
    let pk = super::schema::pk_sql(t, r);
    let tq = super::schema::quote(t.name);
    let insert_clock =
        format!("COALESCE((SELECT c.hlc FROM sync_clocks c WHERE c.tbl = {tq} AND c.pk = {pk} AND c.col = '*'), {r}.hlc) = ?1");
    let keys = t.key.iter().map(|k| format!("{r}.{k}")).collect::<Vec<_>>().join(", ");
    let (at, range, order) = if bulk.get("upto").is_some() {
        (format!("CAST({r}.rowid AS TEXT)"), format!("{r}.rowid > ?3 AND {r}.rowid <= ?4"), format!("{r}.rowid"))
    } else if bulk.get("key").is_some_and(|k| !k.is_null()) {
        let from = (0..t.key.len()).map(|i| format!("json_extract(?3, '$[{i}]')")).collect::<Vec<_>>().join(", ");
        (format!("json_array({keys})"), format!("({keys}) > ({from}) AND {r}.hlc >= ?1"), keys.clone())
    } else {
        (format!("json_array({keys})"), format!("?3 IS NULL AND {r}.hlc >= ?1"), keys.clone())
    };
    let sql = format!(
        "SELECT {at}, {pk}, {ws}, COALESCE(b.fields, {fields}) FROM {name} AS {r} \
         LEFT JOIN sync_bulk_before AS b ON b.tbl = {tq} AND b.pk = {pk} AND b.hlc = ?1 \
         WHERE {range} AND {insert_clock} ORDER BY {order} LIMIT ?2",
        ws = super::schema::ws_sql(t, r),
        fields = fields_object(shape, r),
        name = t.name,
    );
    let position = bulk.get("after").or_else(|| bulk.get("key")).cloned().unwrap_or(Value::Null);
    let mut q = sqlx::query_as::<_, (String, String, Option<String>, String)>(&sql).bind(hlc).bind(limit);
    q = match &position {
        Value::Number(n) => q.bind(n.as_i64()),
        Value::Null => q.bind(None::<String>),
        other => q.bind(other.to_string()),
    };
    let q = q.bind(bulk.get("upto").and_then(Value::as_i64));
    let rows = q.fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(|(at, pk, workspace_id, fields)| {
            let at: Value = serde_json::from_str(&at).unwrap_or_default();
            let change = Outgoing::new(
                Some(shape),
                bulk_change_id(node, id, &pk),
                workspace_id.and_then(|w| Uuid::parse_str(&w).ok()),
                t.name.to_string(),
                pk,
                hlc,
                &fields,
                &BTreeMap::new(),
            );
            (change, at)
        })
        .collect())
}

/// Takes what the server answered out of the outbox: plain entries, and the rows of bulk entries
/// (their position moves past them); bulk entries in `exhausted` leave, with what they kept.
pub(crate) async fn retire(tx: &mut SqliteConnection, answered: &[Origin], exhausted: &[i64]) -> Result<()> {
    let mut bulk: Vec<(i64, Value, i64)> = Vec::new();
    let mut plain: Vec<i64> = Vec::new();
    for origin in answered {
        match origin {
            Origin::Entry(id) => plain.push(*id),
            Origin::Row(id, at) => match bulk.iter_mut().find(|(b, _, _)| b == id) {
                Some(entry) => {
                    entry.1 = at.clone();
                    entry.2 += 1;
                }
                None => bulk.push((*id, at.clone(), 1)),
            },
        }
    }
    // Consecutive ids (the usual batch): one range of the table, no list to read.
    let (first, last) = (plain.first().copied().unwrap_or(0), plain.last().copied().unwrap_or(0));
    if plain.len() > 1 && last - first + 1 == plain.len() as i64 && plain.windows(2).all(|w| w[0] < w[1]) {
        sqlx::query("DELETE FROM sync_outbox WHERE id BETWEEN ? AND ?")
            .bind(first)
            .bind(last)
            .execute(&mut *tx)
            .await?;
    } else if !plain.is_empty() {
        sqlx::query("DELETE FROM sync_outbox WHERE id IN (SELECT value FROM json_each(?))")
            .bind(serde_json::to_string(&plain).expect("json"))
            .execute(&mut *tx)
            .await?;
    }
    for (id, at, n) in bulk {
        if exhausted.contains(&id) {
            continue;
        }
        let (path, value) = match at {
            Value::Number(n) => ("$.after", n.to_string()),
            other => ("$.key", other.to_string()),
        };
        sqlx::query(&format!(
            "UPDATE sync_outbox SET bulk = json_set(bulk, '{path}', json(?), '$.n', max(json_extract(bulk, '$.n') - ?, 0)) WHERE id = ?"
        ))
        .bind(value)
        .bind(n)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    for id in exhausted {
        sqlx::query("DELETE FROM sync_bulk_before WHERE (tbl, hlc) IN (SELECT tbl, hlc FROM sync_outbox WHERE id = ?)")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sync_outbox WHERE id = ?").bind(id).execute(&mut *tx).await?;
    }
    Ok(())
}

/// Every change the outbox would push now, in order (tests compare bulk and per-row writes).
#[cfg(test)]
pub(crate) async fn pending_changes(store: &Store) -> Result<Vec<Change>> {
    let shapes = shapes(&store.pool).await?;
    let node = store.node_id().await?;
    let mut conn = store.pool.acquire().await?;
    type Row = (i64, String, String, Option<String>, String, String, String, Option<String>);
    let rows: Vec<Row> = sqlx::query_as("SELECT id, tbl, pk, workspace_id, hlc, fields, base, bulk FROM sync_outbox ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::new();
    for (id, table, pk, workspace_id, hlc, fields, base, bulk) in rows {
        let shape = shapes.iter().find(|s| s.table.name == table);
        match bulk {
            Some(bulk) => {
                let shape = shape.expect("a synced table");
                out.extend(expand_bulk(&mut conn, shape, &node, id, &hlc, &bulk, -1).await?.into_iter().map(|(c, _)| c.change()));
            }
            None => out.push(plain_change(shape, &node, id, table, pk, workspace_id, hlc, &fields, &base).change()),
        }
    }
    Ok(out)
}

/// A pulled change this store could not apply, as `sync_errors` keeps it.
fn pull_error(at: &str, change: &Change, e: &Error) -> SyncError {
    SyncError {
        at: at.to_string(),
        direction: "pull".into(),
        change_id: change.change_id.to_string(),
        table: change.table.clone(),
        pk: change.pk.clone(),
        code: e.code().into(),
        message: e.to_string(),
    }
}

fn to_json(change: &Change) -> String {
    serde_json::to_string(change).expect("serialisable")
}

/// Records a change that could not be pushed or applied (`change`: its JSON).
async fn record_error(tx: &mut SqliteConnection, err: &SyncError, change: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_errors (at, direction, change_id, tbl, pk, code, message, change) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&err.at)
    .bind(&err.direction)
    .bind(&err.change_id)
    .bind(&err.table)
    .bind(&err.pk)
    .bind(&err.code)
    .bind(&err.message)
    .bind(change)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn set_clock(
    tx: &mut SqliteConnection,
    table: &str,
    pk: &str,
    col: &str,
    hlc: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO sync_clocks (tbl, pk, col, hlc) VALUES (?, ?, ?, ?) ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc")
        .bind(table)
        .bind(pk)
        .bind(col)
        .bind(hlc)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The contact whose search row a change may alter.
fn contact_of(shape: &TableShape, change: &Change) -> Option<Uuid> {
    match shape.table.name {
        "contacts" => Uuid::parse_str(&change.pk).ok(),
        "contact_emails" | "contact_tags" => {
            let keys: Vec<Value> = serde_json::from_str(&change.pk).ok()?;
            Uuid::parse_str(keys.first()?.as_str()?).ok()
        }
        _ => None,
    }
}

/// Merges one pulled change into its row, field by field.
pub(crate) async fn apply_change(
    tx: &mut SqliteConnection,
    shape: &TableShape,
    change: &Change,
) -> Result<()> {
    let t = shape.table;
    let keys =
        key_values(shape, &change.pk).ok_or_else(|| Error::invalid("sync change", vec![]))?;
    let object = format!(
        "json_object({})",
        shape
            .columns
            .iter()
            .map(|c| format!("'{c}', {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let sql = format!(
        "SELECT {object}, hlc FROM {} WHERE {}",
        t.name,
        key_where(shape)
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql);
    for k in &keys {
        q = match k {
            Value::String(s) => q.bind(s.clone()),
            other => q.bind(other.to_string()),
        };
    }
    let current = q.fetch_optional(&mut *tx).await?;
    match current {
        None => {
            let mut cols: Vec<String> = Vec::new();
            let mut values: Vec<Value> = Vec::new();
            for (k, v) in t.key.iter().zip(&keys) {
                if !change.fields.contains_key(*k) {
                    cols.push(k.to_string());
                    values.push(v.clone());
                }
            }
            for (c, v) in &change.fields {
                cols.push(c.clone());
                values.push(v.clone());
            }
            let mut placeholders: Vec<String> = vec!["?".into(); cols.len()];
            for (col, expr) in t.local {
                cols.push(col.to_string());
                placeholders.push(expr.to_string());
            }
            cols.push("hlc".into());
            placeholders.push("?".into());
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                t.name,
                cols.join(", "),
                placeholders.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for v in &values {
                q = bind_value(q, v);
            }
            q.bind(change.hlc.clone()).execute(&mut *tx).await?;
            set_clock(tx, t.name, &change.pk, "*", &change.hlc).await?;
        }
        Some((json, _row_hlc)) => {
            let local: Map<String, Value> = serde_json::from_str(&json).unwrap_or_default();
            let clocks: Vec<(String, String)> =
                sqlx::query_as("SELECT col, hlc FROM sync_clocks WHERE tbl = ? AND pk = ?")
                    .bind(t.name)
                    .bind(&change.pk)
                    .fetch_all(&mut *tx)
                    .await?;
            let clocks: BTreeMap<String, String> = clocks.into_iter().collect();
            let mut set: Vec<(&String, &Value)> = Vec::new();
            for (col, value) in &change.fields {
                if t.key.contains(&col.as_str()) {
                    continue;
                }
                let clock = clocks
                    .get(col)
                    .or_else(|| clocks.get("*"))
                    .map(String::as_str)
                    .unwrap_or(_row_hlc.as_str());
                let current = local.get(col).unwrap_or(&Value::Null);
                if shape.takes(col, &change.hlc, value, clock, current) {
                    set.push((col, value));
                }
            }
            if set.is_empty() {
                return Ok(());
            }
            let assignments = set
                .iter()
                .map(|(c, _)| format!("{c} = ?"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE {} SET {assignments}, hlc = max(hlc, ?) WHERE {}",
                t.name,
                key_where(shape)
            );
            let mut q = sqlx::query(&sql);
            for (_, v) in &set {
                q = bind_value(q, v);
            }
            q = q.bind(change.hlc.clone());
            for k in &keys {
                q = bind_value(q, k);
            }
            q.execute(&mut *tx).await?;
            for (col, _) in &set {
                set_clock(tx, t.name, &change.pk, col, &change.hlc).await?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Applying a page set-wise

/// A value as the store gives it back once written (what `bind_value` stores, read through
/// `json_object`): the merge compares pulled values with these.
fn as_stored(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::from(*b as i64),
        Value::Object(_) | Value::Array(_) => Value::String(v.to_string()),
        other => other.clone(),
    }
}

/// One row a page touches, as the merge sees it while the page is applied in memory.
struct RowState {
    values: Map<String, Value>,
    hlc: String,
    clocks: BTreeMap<String, String>,
    /// Inserted by this page (written as one insert of its final values).
    new: bool,
    /// Columns of an existing row this page changed.
    changed: BTreeSet<String>,
}

/// Applies a page's changes with a few statements per table instead of several per change: reads
/// every row and clock the page touches, merges in memory exactly as [`apply_change`] does one
/// change at a time, then writes each table's updated rows, its new rows (final values) and the
/// clocks, tables parents first. Any error (a missing parent, a unique value, a bad key) fails the
/// whole attempt: the caller rolls it back and applies the page one change at a time, which
/// parks only the changes that fail.
pub(super) async fn apply_changes_batched(
    tx: &mut SqliteConnection,
    shapes: &[TableShape],
    changes: &[&Change],
) -> Result<()> {
    let bad = || Error::invalid("sync change", vec![]);
    // Each change's table (index in `shapes`): consecutive changes mostly share one.
    let mut last = 0;
    let mut table_of = |name: &str| -> Option<usize> {
        if shapes.get(last).is_some_and(|s| s.table.name == name) {
            return Some(last);
        }
        last = shapes.iter().position(|s| s.table.name == name)?;
        Some(last)
    };
    let mut tis: Vec<usize> = Vec::with_capacity(changes.len());
    // Rows per table, in order of first appearance.
    let mut order: Vec<(usize, Vec<&str>)> = Vec::new();
    // The rows a page touches, per table, by pk (`None`: not in the store yet).
    let mut rows: Vec<HashMap<&str, Option<RowState>>> = (0..shapes.len()).map(|_| HashMap::new()).collect();
    for change in changes {
        let ti = table_of(&change.table).ok_or_else(bad)?;
        key_values(&shapes[ti], &change.pk).ok_or_else(bad)?;
        tis.push(ti);
        if let std::collections::hash_map::Entry::Vacant(v) = rows[ti].entry(change.pk.as_str()) {
            v.insert(None);
            match order.iter_mut().find(|(t, _)| *t == ti) {
                Some((_, pks)) => pks.push(change.pk.as_str()),
                None => order.push((ti, vec![change.pk.as_str()])),
            }
        }
    }
    for (ti, pks) in &order {
        let shape = &shapes[*ti];
        let t = shape.table;
        let on = match t.key {
            [one] => format!("r.{one} = j.value"),
            many => many
                .iter()
                .enumerate()
                .map(|(i, k)| format!("r.{k} = json_extract(j.value, '$[{i}]')"))
                .collect::<Vec<_>>()
                .join(" AND "),
        };
        let sql = format!(
            "SELECT j.key, {}, r.hlc FROM json_each(?) AS j CROSS JOIN {} AS r ON {on}",
            fields_object(shape, "r"),
            t.name
        );
        let pks_json = serde_json::to_string(pks).expect("json");
        let found: Vec<(i64, String, String)> = sqlx::query_as(&sql)
            .bind(&pks_json)
            .fetch_all(&mut *tx)
            .await?;
        let table_rows = &mut rows[*ti];
        for (i, json, hlc) in found {
            let values: Map<String, Value> = serde_json::from_str(&json).unwrap_or_default();
            table_rows.insert(
                pks[i as usize],
                Some(RowState {
                    values,
                    // A row a bulk write made has no '*' clock: its hlc is its insert clock.
                    clocks: BTreeMap::from([("*".to_string(), hlc.clone())]),
                    hlc,
                    new: false,
                    changed: BTreeSet::new(),
                }),
            );
        }
        let clocks: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT j.key, c.col, c.hlc FROM json_each(?) AS j CROSS JOIN sync_clocks AS c ON c.tbl = ? AND c.pk = j.value",
        )
        .bind(&pks_json)
        .bind(t.name)
        .fetch_all(&mut *tx)
        .await?;
        for (i, col, hlc) in clocks {
            if let Some(Some(row)) = table_rows.get_mut(pks[i as usize]) {
                row.clocks.insert(col, hlc);
            }
        }
    }
    // Merge, change by change, in log order. The clocks to write: (table, pk, column) → clock.
    let mut clocks_out: BTreeMap<(usize, &str, &str), &str> = BTreeMap::new();
    for (change, &ti) in changes.iter().zip(&tis) {
        let t = shapes[ti].table;
        let slot = rows[ti].get_mut(change.pk.as_str()).expect("loaded");
        match slot {
            None => {
                let keys = key_values(&shapes[ti], &change.pk).ok_or_else(bad)?;
                let mut values = Map::new();
                for (k, v) in t.key.iter().zip(&keys) {
                    values.insert(k.to_string(), as_stored(v));
                }
                for (c, v) in &change.fields {
                    values.insert(c.clone(), as_stored(v));
                }
                let mut clocks = BTreeMap::new();
                clocks.insert("*".to_string(), change.hlc.clone());
                clocks_out.insert((ti, &change.pk, "*"), &change.hlc);
                *slot = Some(RowState {
                    values,
                    hlc: change.hlc.clone(),
                    clocks,
                    new: true,
                    changed: BTreeSet::new(),
                });
            }
            Some(row) => {
                let mut set = Vec::new();
                for (col, value) in &change.fields {
                    if t.key.contains(&col.as_str()) {
                        continue;
                    }
                    let clock = row
                        .clocks
                        .get(col)
                        .or_else(|| row.clocks.get("*"))
                        .map(String::as_str)
                        .unwrap_or(row.hlc.as_str());
                    let current = row.values.get(col).unwrap_or(&Value::Null);
                    if shapes[ti].takes(col, &change.hlc, value, clock, current) {
                        set.push((col, value));
                    }
                }
                if set.is_empty() {
                    continue;
                }
                for (col, value) in set {
                    row.values.insert(col.clone(), as_stored(value));
                    row.clocks.insert(col.clone(), change.hlc.clone());
                    clocks_out.insert((ti, &change.pk, col), &change.hlc);
                    if !row.new {
                        row.changed.insert(col.clone());
                    }
                }
                if change.hlc > row.hlc {
                    row.hlc = change.hlc.clone();
                }
            }
        }
    }
    // JSON arrays written straight from the merged values (no value tree per row).
    let json = |out: &mut Vec<u8>, v: &Value| serde_json::to_writer(out, v).expect("in memory");
    let item_sep = |out: &mut Vec<u8>| out.push(if out.is_empty() { b'[' } else { b',' });
    let finish = |mut out: Vec<u8>| {
        out.push(b']');
        String::from_utf8(out).expect("JSON is UTF-8")
    };
    // Write, tables parents first; in a table, edits before new rows (an edit may free a unique
    // value a new row takes).
    let mut tables: Vec<usize> = order.iter().map(|(t, _)| *t).collect();
    tables.sort_unstable();
    for ti in tables {
        let shape = &shapes[ti];
        let t = shape.table;
        let pks = &order.iter().find(|(x, _)| *x == ti).expect("listed").1;
        // Edits, grouped by the set of columns they change (each group a JSON array of items).
        let mut edits: BTreeMap<Vec<&str>, Vec<u8>> = BTreeMap::new();
        // New rows, grouped by the columns they carry, in order of first appearance.
        let mut inserts: Vec<(Vec<&str>, Vec<u8>)> = Vec::new();
        for pk in pks {
            let Some(row) = rows[ti][pk].as_ref() else { continue };
            if row.new {
                let out = match inserts.iter_mut().position(|(c, _)| c.iter().copied().eq(row.values.keys().map(String::as_str))) {
                    Some(i) => &mut inserts[i].1,
                    None => {
                        inserts.push((row.values.keys().map(String::as_str).collect(), Vec::new()));
                        &mut inserts.last_mut().expect("pushed").1
                    }
                };
                item_sep(out);
                out.push(b'[');
                for v in row.values.values() {
                    json(out, v);
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, &row.hlc).expect("in memory");
                out.push(b']');
            } else if !row.changed.is_empty() {
                let cols: Vec<&str> = row.changed.iter().map(String::as_str).collect();
                let keys = key_values(shape, pk).ok_or_else(bad)?;
                let out = edits.entry(cols).or_default();
                item_sep(out);
                out.push(b'[');
                for k in &keys {
                    json(out, k);
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, &row.hlc).expect("in memory");
                for c in &row.changed {
                    out.push(b',');
                    json(out, &row.values[c]);
                }
                out.push(b']');
            }
        }
        let nk = t.key.len();
        for (cols, items) in edits {
            let sets = cols
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = json_extract(j.value, '$[{}]')", nk + 1 + i))
                .collect::<Vec<_>>()
                .join(", ");
            let on = t
                .key
                .iter()
                .enumerate()
                .map(|(i, k)| format!("{}.{k} = json_extract(j.value, '$[{i}]')", t.name))
                .collect::<Vec<_>>()
                .join(" AND ");
            let sql = format!(
                "UPDATE {name} SET {sets}, hlc = max({name}.hlc, json_extract(j.value, '$[{nk}]')) FROM json_each(?) AS j WHERE {on}",
                name = t.name
            );
            sqlx::query(&sql).bind(finish(items)).execute(&mut *tx).await?;
        }
        for (cols, items) in inserts {
            let mut names: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
            let mut exprs: Vec<String> = (0..cols.len())
                .map(|i| format!("json_extract(j.value, '$[{i}]')"))
                .collect();
            for (col, expr) in t.local {
                names.push(col.to_string());
                exprs.push(expr.to_string());
            }
            names.push("hlc".into());
            exprs.push(format!("json_extract(j.value, '$[{}]')", cols.len()));
            let sql = format!(
                "INSERT INTO {} ({}) SELECT {} FROM json_each(?) AS j ORDER BY j.key",
                t.name,
                names.join(", "),
                exprs.join(", ")
            );
            sqlx::query(&sql).bind(finish(items)).execute(&mut *tx).await?;
        }
    }
    if !clocks_out.is_empty() {
        let mut items = Vec::with_capacity(clocks_out.len() * 80);
        for ((ti, pk, col), hlc) in clocks_out {
            item_sep(&mut items);
            serde_json::to_writer(&mut items, &[shapes[ti].table.name, pk, col, hlc]).expect("in memory");
        }
        sqlx::query(
            "INSERT INTO sync_clocks (tbl, pk, col, hlc)
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]')
             FROM json_each(?) WHERE true
             ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc",
        )
        .bind(finish(items))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
