//! Two-way sync: `GET /v1/sync/info`, `POST /v1/sync/push`, `GET /v1/sync/pull`.
//!
//! Push applies a batch in one transaction, under one advisory lock (so sequence numbers commit
//! in order and a pull cursor never skips a late commit). Each change is applied once (its
//! client-made id is unique in the log: a retried batch answers `duplicate`), authorised on its
//! own (a refused change is reported and the rest of the batch applies), merged field by field
//! with `roadie_protocol::sync::wins`, and logged with a sequence number. A field edited without
//! seeing the server's value of it (its `base` is older) and to a different value is a race: both
//! values are logged as a conflict entry, which every client pulls.
//!
//! Authorisation: reading is for the members of a workspace other than collaborators (who only
//! read their own statements); writing too, and the `workspaces` row itself needs an owner or
//! label admin. Pushing the `workspaces` row of a workspace the platform does not have creates it
//! with the pusher as owner (a workspace made offline joins the platform with its own id).
//! Roster-level scoping (label staff and their assigned artists) is not applied to sync yet.
//!
//! Bodies may be gzip-compressed (`Content-Encoding: gzip`); responses are gzip-compressed when
//! the client accepts it.

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use roadie_protocol::sync::{
    wins, Change, ConflictRecord, ConflictSide, PullQuery, PullResponse, PushRequest,
    PushResponse, PushResult, PushStatus, SyncInfo, MAX_PULL_PAGE, MAX_PUSH_BATCH, SYNC_PROTOCOL,
    SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_MIN,
};
use roadie_protocol::{ErrorBody, Role};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use uuid::Uuid;

/// The advisory lock every push holds (an arbitrary constant: "sync").
const PUSH_LOCK: i64 = 0x7379_6e63;
/// Largest decompressed push body.
const MAX_BODY: u64 = 64 << 20;
/// Largest push body on the wire.
pub const MAX_WIRE_BODY: usize = 16 << 20;

fn check_protocol(headers: &HeaderMap) -> ApiResult<()> {
    let sent = headers
        .get(SYNC_PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok());
    let version = sent.and_then(|v| v.trim().parse::<u32>().ok());
    match version {
        Some(v) if (SYNC_PROTOCOL_MIN..=SYNC_PROTOCOL).contains(&v) => Ok(()),
        _ => Err(ApiError::bad_request(
            "sync_protocol_unsupported",
            format!(
                "this server speaks sync protocol {SYNC_PROTOCOL_MIN} to {SYNC_PROTOCOL}; the client sent {} in {SYNC_PROTOCOL_HEADER}: update {}",
                sent.unwrap_or("none"),
                if version.is_some_and(|v| v > SYNC_PROTOCOL) { "the server" } else { "the app" }
            ),
        )),
    }
}

/// The body, gunzipped if it says so.
fn decode_body(headers: &HeaderMap, body: &Bytes) -> ApiResult<Vec<u8>> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity");
    match encoding.trim() {
        "identity" | "" => Ok(body.to_vec()),
        "gzip" => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .take(MAX_BODY + 1)
                .read_to_end(&mut out)
                .map_err(|e| {
                    ApiError::bad_request(
                        "invalid_body",
                        format!("the gzip body does not decompress: {e}"),
                    )
                })?;
            if out.len() as u64 > MAX_BODY {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    "the decompressed body is too large",
                ));
            }
            Ok(out)
        }
        other => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Content-Encoding {other} is not supported (use gzip)"),
        )),
    }
}

/// JSON, gzipped when the client accepts gzip and it is worth it.
fn encode_json<T: serde::Serialize>(headers: &HeaderMap, value: &T) -> Response {
    encode_json_text(headers, serde_json::to_vec(value).expect("serialisable"))
}

/// [`encode_json`] of JSON text already written.
fn encode_json_text(headers: &HeaderMap, json: Vec<u8>) -> Response {
    let accepts = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|e| e.trim().split(';').next() == Some("gzip"))
        });
    let mut res = if accepts && json.len() > 512 {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&json).expect("in memory");
        let mut res = enc.finish().expect("in memory").into_response();
        res.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        res
    } else {
        json.into_response()
    };
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

/// The sync protocol range and limits (no sign-in needed, so a client can refuse an incompatible
/// server before sending anything).
#[utoipa::path(get, path = "/v1/sync/info", tag = "sync", responses((status = 200, body = SyncInfo)))]
pub async fn info() -> Json<SyncInfo> {
    Json(SyncInfo {
        protocol_min: SYNC_PROTOCOL_MIN,
        protocol_max: SYNC_PROTOCOL,
        max_push_batch: MAX_PUSH_BATCH as u32,
        max_pull_page: MAX_PULL_PAGE,
    })
}

/// Applies a batch of changes, each once; answers one result per change.
#[utoipa::path(post, path = "/v1/sync/push", tag = "sync", security(("bearer" = [])),
    params(("Roadie-Sync-Protocol" = u32, Header, description = "the client's sync protocol number")),
    request_body(content = PushRequest, content_type = "application/json", description = "may be gzip-compressed (Content-Encoding: gzip)"),
    responses((status = 200, body = PushResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn push(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    check_protocol(&headers)?;
    let raw = decode_body(&headers, &body)?;
    let req: PushRequest = serde_json::from_slice(&raw).map_err(|e| {
        ApiError::bad_request(
            "invalid_json",
            format!("the push body is not a push request: {e}"),
        )
    })?;
    if req.changes.len() > MAX_PUSH_BATCH {
        return Err(ApiError::invalid(format!(
            "at most {MAX_PUSH_BATCH} changes per push (got {})",
            req.changes.len()
        )));
    }
    // What the OpenAPI schema itself forbids makes the request malformed (422, nothing applied);
    // what only the server knows (a NUL, a table, a role) refuses that change alone.
    if let Some((i, field, rule)) = req.changes.iter().enumerate().find_map(|(i, ch)| off_schema(ch).map(|(f, r)| (i, f, r))) {
        return Err(ApiError::invalid(format!("changes[{i}].{field} must be {rule}")));
    }
    let results = apply_batch(&state, &auth, req.changes).await?;
    Ok(encode_json(&headers, &PushResponse { results }))
}

/// The log of the caller's readable workspaces after `since`, one page.
#[utoipa::path(get, path = "/v1/sync/pull", tag = "sync", security(("bearer" = [])),
    params(PullQuery, ("Roadie-Sync-Protocol" = u32, Header, description = "the client's sync protocol number")),
    responses((status = 200, body = PullResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn pull(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    check_protocol(&headers)?;
    let Query(q) = query.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    if q.since < 0 {
        return Err(ApiError::bad_request(
            "invalid_query",
            "since must be 0 or more",
        ));
    }
    // Out-of-range values are refused, as /openapi.json documents, rather than quietly clamped.
    let limit = q.limit.unwrap_or(500);
    if !(1..=MAX_PULL_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("limit must be 1 to {MAX_PULL_PAGE}"),
        ));
    }
    let limit = limit as i64;
    type Row = (
        i64,
        Uuid,
        Uuid,
        Option<Uuid>,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        // Hidden from this reader: a label's ledger entry pulled by a roster artist.
        bool,
    );
    // (A roster artist's page keeps the label's ledger entries as positions without their change,
    // so the cursor and what remains count alike for every role.)
    // The first `limit` entries of each readable workspace after the cursor (an ordered index
    // range each), merged: reads at most `limit` rows per workspace, not the rest of the log.
    // (Ranges are written as row comparisons on `sync_log_by_workspace`'s key so that the
    // planner cannot walk the whole log by `seq` looking for a small workspace's entries.)
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.seq, l.workspace_id, l.user_id, l.change_id, l.tbl, l.pk, l.hlc,
                l.fields, l.base, l.quiet, l.conflict, m.role = 'artist' AND l.tbl = ANY($4)
         FROM members m
         CROSS JOIN LATERAL (
             SELECT * FROM sync_log s
             WHERE (s.workspace_id, s.seq) > (m.workspace_id, $1) AND (s.workspace_id, s.seq) <= (m.workspace_id, 9223372036854775807)
             ORDER BY s.workspace_id, s.seq LIMIT $3
         ) l
         WHERE m.user_id = $2 AND m.role <> 'collaborator' AND ($5::uuid IS NULL OR m.workspace_id = $5)
         ORDER BY l.seq LIMIT $3",
    )
    .bind(q.since)
    .bind(auth.user_id)
    .bind(limit)
    .bind(roadie_protocol::sync::LEDGER_TABLES)
    .bind(q.workspace)
    .fetch_all(&state.db)
    .await?;
    let cursor = rows.last().map(|r| r.0).unwrap_or(q.since);
    // What remains after the page, per readable workspace: the position of its last entry minus
    // that of its last entry up to the cursor (positions are 1, 2, ... in each workspace's log),
    // two index probes each instead of counting the rest of the log.
    let (remaining,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(sum(
             COALESCE((SELECT CASE WHEN l.workspace_id = m.workspace_id THEN l.ws_pos ELSE 0 END FROM sync_log l
                       WHERE (l.workspace_id, l.seq) <= (m.workspace_id, 9223372036854775807)
                       ORDER BY l.workspace_id DESC, l.seq DESC LIMIT 1), 0)
           - COALESCE((SELECT CASE WHEN l.workspace_id = m.workspace_id THEN l.ws_pos ELSE 0 END FROM sync_log l
                       WHERE (l.workspace_id, l.seq) <= (m.workspace_id, $1)
                       ORDER BY l.workspace_id DESC, l.seq DESC LIMIT 1), 0)
         ), 0)::int8
         FROM members m WHERE m.user_id = $2 AND m.role <> 'collaborator' AND ($3::uuid IS NULL OR m.workspace_id = $3)",
    )
    .bind(cursor)
    .bind(auth.user_id)
    .bind(q.workspace)
    .fetch_one(&state.db)
    .await?;
    // The page is written as JSON text around the stored JSON (the fields, bases, quiet lists and
    // conflicts as the push wrote them), which is not parsed and written again: the same
    // document `PullResponse` would give.
    let mut out: Vec<u8> = Vec::with_capacity(rows.iter().map(|r| 200 + r.7.as_ref().map_or(0, String::len)).sum::<usize>() + 64);
    out.extend_from_slice(b"{\"entries\":[");
    for (i, (seq, workspace_id, user_id, change_id, table, pk, hlc, fields, base, quiet, conflict, hidden)) in
        rows.iter().enumerate()
    {
        let (change_id, conflict) = if *hidden { (&None, &None) } else { (change_id, conflict) };
        if i > 0 {
            out.push(b',');
        }
        write!(out, "{{\"seq\":{seq},\"workspace_id\":\"{workspace_id}\",\"user_id\":\"{user_id}\"").expect("in memory");
        if let Some(change_id) = change_id {
            write!(out, ",\"change\":{{\"change_id\":\"{change_id}\",\"workspace_id\":\"{workspace_id}\",\"table\":").expect("in memory");
            serde_json::to_writer(&mut out, table).expect("in memory");
            out.extend_from_slice(b",\"pk\":");
            serde_json::to_writer(&mut out, pk).expect("in memory");
            out.extend_from_slice(b",\"hlc\":");
            serde_json::to_writer(&mut out, hlc).expect("in memory");
            out.extend_from_slice(b",\"fields\":");
            out.extend_from_slice(fields.as_deref().unwrap_or("{}").as_bytes());
            for (name, stored) in [("base", base), ("quiet", quiet)] {
                if let Some(stored) = stored {
                    write!(out, ",\"{name}\":{stored}").expect("in memory");
                }
            }
            out.push(b'}');
        }
        if let Some(conflict) = conflict {
            write!(out, ",\"conflict\":{conflict}").expect("in memory");
        }
        out.push(b'}');
    }
    write!(out, "],\"cursor\":{cursor},\"more\":{},\"remaining\":{remaining}}}", remaining > 0).expect("in memory");
    Ok(encode_json_text(&headers, out))
}

/// The field of a change that breaks its documented schema (lengths in characters, as JSON Schema
/// counts them), with the rule.
fn off_schema(ch: &Change) -> Option<(&'static str, &'static str)> {
    let chars = |s: &str, min: usize, max: usize| (min..=max).contains(&s.chars().count());
    if !valid_name(&ch.table) {
        Some(("table", "a table name (a-z, 0-9, _; at most 64)"))
    } else if !chars(&ch.pk, 1, 1000) {
        Some(("pk", "1 to 1000 characters"))
    } else if !chars(&ch.hlc, 1, 100) {
        Some(("hlc", "1 to 100 characters"))
    } else {
        None
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(has_nul),
        Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

fn validate(ch: &Change) -> Result<(), String> {
    if !valid_name(&ch.table) {
        return Err(format!("table {:?} is not a table name", ch.table));
    }
    if ch.pk.is_empty() || ch.pk.len() > 1000 || ch.pk.contains('\0') {
        return Err("pk must be 1 to 1000 characters without NUL".into());
    }
    if ch.hlc.is_empty() || ch.hlc.len() > 100 || ch.hlc.contains('\0') {
        return Err("hlc must be 1 to 100 characters without NUL".into());
    }
    if ch.fields.is_empty() {
        return Err("a change sets at least one field".into());
    }
    for (col, value) in &ch.fields {
        if !valid_name(col) {
            return Err(format!("column {col:?} is not a column name"));
        }
        if has_nul(value) {
            return Err(format!("{col} contains a NUL character"));
        }
    }
    for (col, b) in &ch.base {
        if !valid_name(col) || b.len() > 100 || b.contains('\0') {
            return Err(format!("base of {col:?} is invalid"));
        }
    }
    if ch.quiet.iter().any(|c| !valid_name(c)) {
        return Err("quiet lists a name that is not a column name".into());
    }
    Ok(())
}

struct Refusal(&'static str, String);

/// Refusal code of a change whose id the log already holds for a different change (another store
/// with the same node id: a copied store file). The client takes a new node id and pushes again.
const CHANGE_ID_REUSED: &str = roadie_protocol::sync::CHANGE_ID_REUSED;

fn reused_message(ch: &Change) -> String {
    format!(
        "change id {} was already used for another change (a copy of this store?); take a new node id and push again",
        ch.change_id
    )
}

/// Which workspace a change goes to, checking the caller may write it (and creating it when the
/// change is the `workspaces` row of a workspace the platform does not have yet).
#[allow(clippy::too_many_arguments)]
async fn authorise(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    auth: &Auth,
    personal: Option<Uuid>,
    roles: &mut HashMap<Uuid, Option<Role>>,
    pin: &mut Option<Uuid>,
    ch: &Change,
) -> ApiResult<Result<Uuid, Refusal>> {
    let Some(ws) = ch.workspace_id.or(personal) else {
        return Ok(Err(Refusal(
            "not_found",
            "you have no workspace of your own; name one".into(),
        )));
    };
    let pinned = *pin;
    if let Some(owner) = pinned {
        if owner != ws {
            return Ok(Err(Refusal(
                "wrong_workspace",
                format!("{} {} belongs to another workspace", ch.table, ch.pk),
            )));
        }
    }
    let is_workspace_row = ch.table == "workspaces" && ch.pk == ws.to_string();
    let role = match roles.get(&ws) {
        Some(role) => *role,
        None => {
            let role: Option<(String,)> =
                sqlx::query_as("SELECT role FROM members WHERE workspace_id = $1 AND user_id = $2")
                    .bind(ws)
                    .bind(auth.user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let mut role = role.and_then(|(r,)| Role::parse(&r));
            if role.is_none() && is_workspace_row {
                let exists: Option<(i32,)> =
                    sqlx::query_as("SELECT 1 FROM workspaces WHERE id = $1")
                        .bind(ws)
                        .fetch_optional(&mut *tx)
                        .await?;
                if exists.is_none() {
                    let kind = ch
                        .fields
                        .get("kind")
                        .and_then(Value::as_str)
                        .filter(|k| *k == "artist" || *k == "label");
                    let name = ch
                        .fields
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|n| !n.is_empty() && n.chars().count() <= 200);
                    let (Some(kind), Some(name)) = (kind, name) else {
                        return Ok(Err(Refusal(
                            "invalid_input",
                            "a new workspace needs its kind (artist or label) and a name".into(),
                        )));
                    };
                    sqlx::query("INSERT INTO workspaces (id, kind, name, upload_quota_bytes) VALUES ($1, $2, $3, $4)")
                    .bind(ws)
                    .bind(kind)
                    .bind(name)
                    .bind(state.limits.default_workspace_quota_bytes)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("INSERT INTO members (workspace_id, user_id, role) VALUES ($1, $2, 'owner')")
                    .bind(ws)
                    .bind(auth.user_id)
                    .execute(&mut *tx)
                    .await?;
                    role = Some(Role::Owner);
                }
            }
            roles.insert(ws, role);
            role
        }
    };
    let Some(role) = role else {
        return Ok(Err(Refusal(
            "not_found",
            format!("workspace {ws} not found (or you are not a member of it)"),
        )));
    };
    let allowed: &[Role] = if is_workspace_row {
        &[Role::Owner, Role::LabelAdmin]
    } else if roadie_protocol::sync::LEDGER_TABLES.contains(&ch.table.as_str()) {
        roadie_protocol::sync::LEDGER_ROLES
    } else {
        &[
            Role::Owner,
            Role::LabelAdmin,
            Role::LabelStaff,
            Role::Artist,
        ]
    };
    if !allowed.contains(&role) {
        return Ok(Err(Refusal(
            "forbidden",
            format!(
                "a {} may not change {} in workspace {ws}",
                role.as_str(),
                ch.table
            ),
        )));
    }
    if pinned.is_none() {
        // Written with the row's field state (one statement for the batch), before it commits.
        *pin = Some(ws);
    }
    Ok(Ok(ws))
}

async fn apply_batch(
    state: &AppState,
    auth: &Auth,
    changes: Vec<Change>,
) -> ApiResult<Vec<PushResult>> {
    let mut tx = state.db.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(PUSH_LOCK)
        .execute(&mut *tx)
        .await?;
    let personal: Option<(Uuid,)> =
        sqlx::query_as("SELECT id FROM workspaces WHERE personal_of = $1")
            .bind(auth.user_id)
            .fetch_optional(&mut *tx)
            .await?;
    let personal = personal.map(|p| p.0);
    let ids: Vec<Uuid> = changes.iter().map(|c| c.change_id).collect();
    // What each id already applied was: a change id the log holds for another (table, pk, hlc)
    // was made by another store with the same node id (a copied store file), not a retry.
    let done: Vec<(Uuid, i64, String, String, String)> = sqlx::query_as(
        "SELECT change_id, seq, tbl, pk, hlc FROM sync_log WHERE change_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let done: HashMap<Uuid, (i64, String, String, String)> = done
        .into_iter()
        .map(|(id, seq, t, p, h)| (id, (seq, t, p, h)))
        .collect();
    // The rows the batch touches (each change's index in `row_keys`, sorted): their workspace
    // and field state, read once (an index probe per distinct row).
    let mut row_keys: Vec<(&str, &str)> = changes.iter().map(|c| (c.table.as_str(), c.pk.as_str())).collect();
    row_keys.sort_unstable();
    row_keys.dedup();
    let row_of: Vec<usize> = {
        let index: HashMap<(&str, &str), usize> = row_keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        changes.iter().map(|c| index[&(c.table.as_str(), c.pk.as_str())]).collect()
    };
    let tbls: Vec<String> = row_keys.iter().map(|(t, _)| t.replace('\0', "")).collect();
    let pks: Vec<String> = row_keys.iter().map(|(_, p)| p.replace('\0', "")).collect();
    let rows = row_keys.len();
    drop(row_keys);
    let stored: Vec<(i64, Uuid, String)> = sqlx::query_as(
        "SELECT x.i, r.workspace_id, r.fields::text
         FROM UNNEST($1::text[], $2::text[]) WITH ORDINALITY AS x(t, p, i) JOIN sync_rows r ON r.tbl = x.t AND r.pk = x.p",
    )
    .bind(&tbls)
    .bind(&pks)
    .fetch_all(&mut *tx)
    .await?;
    // Per row: the workspace it is pinned to, its field state, whether this batch changed it.
    let mut pins: Vec<Option<Uuid>> = vec![None; rows];
    let mut state_of: Vec<FieldState> = (0..rows).map(|_| FieldState::default()).collect();
    let mut touched: Vec<bool> = vec![false; rows];
    for (i, ws, fields) in stored {
        let i = (i - 1) as usize;
        state_of[i] = FieldState::parse(&fields)
            .map_err(|e| ApiError::internal(format!("stored field state of {} {}: {e}", tbls[i], pks[i])))?;
        pins[i] = Some(ws);
    }
    // Ids earlier in this batch: the row and clock of their change.
    let mut seen: HashMap<Uuid, (usize, String)> = HashMap::with_capacity(changes.len());
    let mut roles = HashMap::new();
    let mut log = LogRows::default();
    // (index in `results`, index of its row in `log`): the seq is known once the log is written.
    let mut applied: Vec<(usize, usize)> = Vec::new();
    let mut results = Vec::with_capacity(changes.len());
    for (ch, row) in changes.into_iter().zip(row_of) {
        let result = |status, seq, code: Option<&str>, message: Option<String>| PushResult {
            change_id: ch.change_id,
            status,
            seq,
            code: code.map(str::to_string),
            message,
        };
        // An id applied before (its log seq) or earlier in this batch: the same change again is a
        // retry; another change under that id comes from a copied store.
        let earlier = match done.get(&ch.change_id) {
            Some((seq, t, p, h)) => Some((Some(*seq), *t == ch.table && *p == ch.pk && *h == ch.hlc)),
            None => seen.get(&ch.change_id).map(|(r, h)| (None, *r == row && *h == ch.hlc)),
        };
        if let Some((seq, same)) = earlier {
            if same {
                results.push(result(PushStatus::Duplicate, seq, None, None));
            } else {
                results.push(result(
                    PushStatus::Refused,
                    None,
                    Some(CHANGE_ID_REUSED),
                    Some(reused_message(&ch)),
                ));
            }
            continue;
        }
        seen.insert(ch.change_id, (row, ch.hlc.clone()));
        if let Err(message) = validate(&ch) {
            results.push(result(
                PushStatus::Refused,
                None,
                Some("invalid_input"),
                Some(message),
            ));
            continue;
        }
        let ws = match authorise(
            &mut tx,
            state,
            auth,
            personal,
            &mut roles,
            &mut pins[row],
            &ch,
        )
        .await?
        {
            Ok(ws) => ws,
            Err(Refusal(code, message)) => {
                results.push(result(PushStatus::Refused, None, Some(code), Some(message)));
                continue;
            }
        };
        let status = result(PushStatus::Applied, None, None, None);
        let entry = merge_change(auth, ws, ch, &mut state_of[row], &mut log, &mut touched[row]);
        applied.push((results.len(), entry));
        results.push(status);
    }
    // The workspaces the batch writes to, locked against deletion until it commits (in one
    // statement: the log and row tables have no foreign key to check them row by row).
    let mut wss: Vec<Uuid> = log.ws.clone();
    wss.sort_unstable();
    wss.dedup();
    if !wss.is_empty() {
        let locked: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM workspaces WHERE id = ANY($1) ORDER BY id FOR KEY SHARE")
            .bind(&wss)
            .fetch_all(&mut *tx)
            .await?;
        if locked.len() < wss.len() {
            return Err(ApiError::internal("a workspace of this push was deleted meanwhile"));
        }
    }
    // The batch's writes, two statements whatever its size: the rows it changed (pinned to
    // their workspace, with the final state of their fields), and its log entries in order.
    let changed = touched.iter().filter(|t| **t).count();
    if changed > 0 {
        let mut t = Vec::with_capacity(changed);
        let mut p = Vec::with_capacity(changed);
        let mut w = Vec::with_capacity(changed);
        let mut f = Vec::with_capacity(changed);
        for (((tbl, pk), (pin, fields)), touched) in tbls.into_iter().zip(pks).zip(pins.into_iter().zip(&state_of)).zip(touched) {
            if touched {
                w.push(pin.expect("a changed row is pinned"));
                f.push(fields.to_json());
                t.push(tbl);
                p.push(pk);
            }
        }
        sqlx::query(
            "INSERT INTO sync_rows (tbl, pk, workspace_id, fields)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::uuid[], $4::text[])
             ON CONFLICT (tbl, pk) DO UPDATE SET fields = excluded.fields",
        )
        .bind(&t)
        .bind(&p)
        .bind(&w)
        .bind(&f)
        .execute(&mut *tx)
        .await?;
    }
    if !log.tbl.is_empty() {
        // Each entry's position in its workspace's log (1, 2, ...: pulls count what remains
        // after a cursor with two index probes per workspace), following the last one logged.
        let heads: Vec<(Uuid, i64)> = sqlx::query_as(
            "SELECT w, COALESCE((SELECT CASE WHEN l.workspace_id = w THEN l.ws_pos ELSE 0 END FROM sync_log l
                                 WHERE (l.workspace_id, l.seq) <= (w, 9223372036854775807)
                                 ORDER BY l.workspace_id DESC, l.seq DESC LIMIT 1), 0)
             FROM UNNEST($1::uuid[]) AS w",
        )
        .bind(&wss)
        .fetch_all(&mut *tx)
        .await?;
        let mut heads: HashMap<Uuid, i64> = heads.into_iter().collect();
        let pos: Vec<i64> = log
            .ws
            .iter()
            .map(|w| {
                let head = heads.entry(*w).or_insert(0);
                *head += 1;
                *head
            })
            .collect();
        // Sequence numbers are drawn in the order of `ord` (the SELECT is sorted before the
        // insert draws them), so the log keeps the batch's order.
        let mut seqs: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO sync_log (workspace_id, user_id, change_id, tbl, pk, hlc, fields, base, quiet, conflict, ws_pos)
             SELECT w, $1, ch, t, p, h, f, b, q, c, n
             FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int8[])
                 WITH ORDINALITY AS x(w, ch, t, p, h, f, b, q, c, n, ord)
             ORDER BY ord
             RETURNING seq",
        )
        .bind(auth.user_id)
        .bind(&log.ws)
        .bind(&log.change)
        .bind(&log.tbl)
        .bind(&log.pk)
        .bind(&log.hlc)
        .bind(&log.fields)
        .bind(&log.base)
        .bind(&log.quiet)
        .bind(&log.conflict)
        .bind(&pos)
        .fetch_all(&mut *tx)
        .await?;
        seqs.sort_unstable();
        for (result, row) in applied {
            results[result].seq = Some(seqs[row]);
        }
    }
    tx.commit().await?;
    Ok(results)
}

/// The log rows a batch writes, as columns (one `UNNEST` insert).
#[derive(Default)]
struct LogRows {
    ws: Vec<Uuid>,
    change: Vec<Option<Uuid>>,
    tbl: Vec<String>,
    pk: Vec<String>,
    hlc: Vec<String>,
    fields: Vec<Option<String>>,
    base: Vec<Option<String>>,
    quiet: Vec<Option<String>>,
    conflict: Vec<Option<String>>,
}

impl LogRows {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        ws: Uuid,
        change: Option<Uuid>,
        (table, pk, hlc): (String, String, String),
        fields: Option<String>,
        base: Option<String>,
        quiet: Option<String>,
        conflict: Option<String>,
    ) -> usize {
        self.ws.push(ws);
        self.change.push(change);
        self.tbl.push(table);
        self.pk.push(pk);
        self.hlc.push(hlc);
        self.fields.push(fields);
        self.base.push(base);
        self.quiet.push(quiet);
        self.conflict.push(conflict);
        self.tbl.len() - 1
    }
}

/// Who wrote a field's value: its clock, the user, and the change.
type Writer = (String, Uuid, Uuid);

/// The fields of a row as `sync_rows.fields` keeps them: the writers, each once, and for each
/// column the index of its writer and its value (JSON `[[writer, ...], {"col": [i, value]}]`).
#[derive(Default)]
struct FieldState {
    writers: Vec<Writer>,
    cols: BTreeMap<String, (usize, Value)>,
}

impl FieldState {
    fn parse(text: &str) -> Result<FieldState, String> {
        let (writers, cols): (Vec<Writer>, BTreeMap<String, (usize, Value)>) =
            serde_json::from_str(text).map_err(|e| e.to_string())?;
        if let Some((col, _)) = cols.iter().find(|(_, (i, _))| *i >= writers.len()) {
            return Err(format!("{col} names a writer that is not listed"));
        }
        Ok(FieldState { writers, cols })
    }

    /// The value of a column, with its writer.
    fn get(&self, col: &str) -> Option<(&Writer, &Value)> {
        self.cols.get(col).map(|(i, v)| (&self.writers[*i], v))
    }

    /// The stored text, listing only the writers some column still names.
    fn to_json(&self) -> String {
        let mut index = vec![usize::MAX; self.writers.len()];
        let mut writers: Vec<&Writer> = Vec::new();
        for (i, _) in self.cols.values() {
            if index[*i] == usize::MAX {
                index[*i] = writers.len();
                writers.push(&self.writers[*i]);
            }
        }
        // `[[writer, ...], {"col": [i, value], ...}]`, as serde_json writes that tuple.
        let mut out: Vec<u8> = Vec::with_capacity(64 + 80 * writers.len() + 32 * self.cols.len());
        out.push(b'[');
        serde_json::to_writer(&mut out, &writers).expect("in memory");
        out.extend_from_slice(b",{");
        for (n, (col, (i, value))) in self.cols.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, col).expect("in memory");
            write!(out, ":[{},", index[*i]).expect("in memory");
            serde_json::to_writer(&mut out, value).expect("in memory");
            out.push(b']');
        }
        out.extend_from_slice(b"}]");
        String::from_utf8(out).expect("JSON is UTF-8")
    }
}

/// Merges one change into the field state (`current`, kept up to date; `touched` when the change
/// set a field of it), and queues its log entry and a conflict entry per raced field. Returns
/// the index of the change's log row. The change's values move into the state.
fn merge_change(
    auth: &Auth,
    ws: Uuid,
    ch: Change,
    current: &mut FieldState,
    log: &mut LogRows,
    touched: &mut bool,
) -> usize {
    let mut conflicts = Vec::new();
    // Whether each field (in `ch.fields` order) takes the row's value.
    let mut won = Vec::with_capacity(ch.fields.len());
    for (col, value) in &ch.fields {
        match current.get(col) {
            None => won.push(true),
            Some(((cur_hlc, cur_user, cur_change), cur_value)) => {
                let incoming_wins = wins(&ch.hlc, value, cur_hlc, cur_value);
                let raced = ch.base.get(col).is_none_or(|b| b < cur_hlc)
                    && value != cur_value
                    && !ch.quiet.contains(col);
                won.push(incoming_wins);
                if raced {
                    let mine = ConflictSide {
                        value: value.clone(),
                        hlc: ch.hlc.clone(),
                        user_id: auth.user_id,
                        change_id: ch.change_id,
                    };
                    let theirs = ConflictSide {
                        value: cur_value.clone(),
                        hlc: cur_hlc.clone(),
                        user_id: *cur_user,
                        change_id: *cur_change,
                    };
                    let (winner, loser) = if incoming_wins {
                        (mine, theirs)
                    } else {
                        (theirs, mine)
                    };
                    conflicts.push(ConflictRecord {
                        id: Uuid::now_v7(),
                        table: ch.table.clone(),
                        pk: ch.pk.clone(),
                        column: col.clone(),
                        winner,
                        loser,
                    });
                }
            }
        }
    }
    let fields = to_json(&ch.fields);
    let base = (!ch.base.is_empty()).then(|| to_json(&ch.base));
    let quiet = (!ch.quiet.is_empty()).then(|| to_json(&ch.quiet));
    let conflicts: Vec<String> = conflicts.iter().map(to_json).collect();
    let Change { change_id, table, pk, hlc, fields: values, .. } = ch;
    let key = |hlc: &String| (table.clone(), pk.clone(), hlc.clone());
    let conflict_keys: Vec<(String, String, String)> = conflicts.iter().map(|_| key(&hlc)).collect();
    if won.iter().any(|w| *w) {
        *touched = true;
        let writer = current.writers.len();
        current.writers.push((hlc.clone(), auth.user_id, change_id));
        for ((col, value), won) in values.into_iter().zip(won) {
            if won {
                current.cols.insert(col, (writer, value));
            }
        }
    }
    let row = log.push(ws, Some(change_id), (table, pk, hlc), Some(fields), base, quiet, None);
    for (c, k) in conflicts.into_iter().zip(conflict_keys) {
        log.push(ws, None, k, None, None, None, Some(c));
    }
    row
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serialisable")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_field_state_names_each_writer_once_and_drops_writers_no_column_names() {
        let (u, a, b) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let mut state = FieldState::default();
        state.writers.push(("1".into(), u, a));
        state.cols.insert("name".into(), (0, json!("A")));
        state.cols.insert("country".into(), (0, json!(null)));
        // A later change replaces `name` only, then one that replaces `country` too.
        state.writers.push(("2".into(), u, b));
        state.cols.insert("name".into(), (1, json!("B")));
        let text = state.to_json();
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            json!([[["1", u, a], ["2", u, b]], {"country": [0, null], "name": [1, "B"]}])
        );
        state.cols.insert("country".into(), (1, json!("FR")));
        let text = state.to_json();
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            json!([[["2", u, b]], {"country": [0, "FR"], "name": [0, "B"]}])
        );
        let back = FieldState::parse(&text).unwrap();
        assert_eq!(back.get("name"), Some((&("2".to_string(), u, b), &json!("B"))));
        assert_eq!(back.get("links"), None);
        assert!(FieldState::parse(r#"[[], {"name": [0, "A"]}]"#).is_err());
        assert!(FieldState::parse(r#"{"name": ["1", "A", "u", "c"]}"#).is_err());
    }
}
