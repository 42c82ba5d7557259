//! Resumable uploads: the tus 1.0.0 protocol (core, creation, termination, checksum) at
//! `/v1/uploads`.
//!
//! Each PATCH streams into its own object (`uploads/{id}/{offset}`); the upload's offset moves
//! only once that part is stored, in the same transaction that records the part. A PATCH whose
//! connection is cut keeps what arrived (unless it carried an `Upload-Checksum`, which can then
//! not be verified), so the client resumes from there. When the last byte arrives the parts are
//! joined into `objects/{workspace}/{id}`, its SHA-256 is computed and checked against the
//! `sha256` metadata if the client gave one, and the upload becomes an asset of its
//! release/track. The upload row is locked (`FOR UPDATE`) for the whole PATCH, so concurrent
//! PATCHes of one upload are serialised and HEAD (`FOR SHARE`) sees a settled offset.

use crate::auth::Auth;
use crate::authz::access;
use crate::error::{ApiError, ApiPath as Path, ApiResult};
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{PutPayload, WriteMultipart};
use roadie_protocol::{upload_meta, ErrorBody, Role, TUS_EXTENSIONS, TUS_VERSION};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use uuid::Uuid;

const UPLOAD_ROLES: &[Role] = &[Role::Owner, Role::LabelAdmin, Role::LabelStaff, Role::Artist];

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn check_tus_version(headers: &HeaderMap) -> ApiResult<()> {
    match header(headers, "tus-resumable").map(str::trim) {
        Some(TUS_VERSION) => Ok(()),
        None | Some("") => Err(ApiError::bad_request("tus_resumable_missing", format!("send Tus-Resumable: {TUS_VERSION}"))),
        Some(_) => Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "tus_version",
            format!("send Tus-Resumable: {TUS_VERSION} (the only version this server speaks)"),
        )),
    }
}

fn header_i64(headers: &HeaderMap, name: &str) -> ApiResult<i64> {
    let v = header(headers, name).ok_or_else(|| ApiError::bad_request("missing_header", format!("{name} is required")))?;
    v.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| ApiError::bad_request("invalid_header", format!("{name} must be a non-negative integer")))
}

/// `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent).
pub fn parse_metadata(raw: &str) -> ApiResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut it = pair.splitn(2, ' ');
        let key = it.next().unwrap_or_default().trim();
        if key.is_empty() || out.contains_key(key) {
            return Err(ApiError::bad_request("invalid_metadata", "Upload-Metadata has an empty or repeated key"));
        }
        let value = match it.next().map(str::trim) {
            None | Some("") => String::new(),
            Some(v) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map_err(|_| ApiError::bad_request("invalid_metadata", format!("Upload-Metadata value of {key} is not base64")))?;
                String::from_utf8(bytes)
                    .ok()
                    .filter(|v| !v.contains('\0'))
                    .ok_or_else(|| ApiError::bad_request("invalid_metadata", format!("Upload-Metadata value of {key} is not UTF-8 text")))?
            }
        };
        out.insert(key.to_string(), value);
    }
    Ok(out)
}

fn meta_uuid(meta: &BTreeMap<String, String>, key: &str) -> ApiResult<Option<Uuid>> {
    match meta.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => Uuid::parse_str(v)
            .map(Some)
            .map_err(|_| ApiError::bad_request("invalid_metadata", format!("metadata {key} must be a UUID"))),
    }
}

/// On a finished upload, PATCH and HEAD responses carry the SHA-256 (hex) of the stored file, so a
/// client that hashed what it sent can check that the server holds exactly that.
pub const SHA256_HEADER: &str = roadie_protocol::UPLOAD_SHA256_HEADER;

async fn finished_sha256(db: &sqlx::PgPool, id: Uuid) -> ApiResult<Option<String>> {
    // (A statement file has no asset row: its SHA-256 is the one it was checked against.)
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(a.sha256, u.expected_sha256) FROM uploads u LEFT JOIN assets a ON a.upload_id = u.id \
         WHERE u.id = $1 AND u.state = 'complete'",
    )
    .bind(id)
    .fetch_optional(db)
    .await?
    .flatten())
}

fn part_path(id: Uuid, offset: i64) -> ObjectPath {
    ObjectPath::from(format!("uploads/{id}/{offset:020}"))
}

fn object_path(ws: Uuid, id: Uuid) -> ObjectPath {
    ObjectPath::from(format!("objects/{ws}/{id}"))
}

fn tus_headers(res: &mut Response, pairs: &[(&'static str, String)]) {
    for (k, v) in pairs {
        if let Ok(v) = HeaderValue::from_str(v) {
            res.headers_mut().insert(*k, v);
        }
    }
}

/// The caller may work on uploads of this workspace (owner, label admin, label staff, artist);
/// anyone else is told the upload does not exist.
async fn upload_access(state: &AppState, auth: &Auth, ws: Uuid) -> ApiResult<()> {
    match access(&state.db, auth, ws).await {
        Ok(a) if UPLOAD_ROLES.contains(&a.role) => Ok(()),
        _ => Err(ApiError::not_found("upload")),
    }
}

/// Advertises the protocol: version, extensions, maximum size, checksum algorithms.
#[utoipa::path(options, path = "/v1/uploads", tag = "uploads",
    responses((status = 204, description = "tus capabilities in Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm")))]
pub async fn options(State(state): State<AppState>) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    tus_headers(
        &mut res,
        &[
            ("tus-version", TUS_VERSION.into()),
            ("tus-extension", TUS_EXTENSIONS.into()),
            ("tus-max-size", state.limits.max_upload_bytes.to_string()),
            ("tus-checksum-algorithm", "sha256".into()),
        ],
    );
    res
}

/// Creates an upload (tus creation). Metadata: `filename`, `workspace` (default: the caller's
/// own), `release`, `track`, `asset` (`master`, `artwork`, `other`, `statement`), `sha256` (hex,
/// checked at the end; required for a statement file, which is stored with the workspace's
/// statement files under it and may be sent by those who keep its ledger).
#[utoipa::path(post, path = "/v1/uploads", tag = "uploads", security(("bearer" = [])),
    params(
        ("Tus-Resumable" = String, Header, description = "1.0.0", pattern = r"^1\.0\.0$"),
        ("Upload-Length" = i64, Header, description = "the file's size in bytes"),
        ("Upload-Metadata" = Option<String>, Header, description = "tus metadata: key base64value pairs"),
    ),
    responses((status = 201, description = "created; its URL is in Location"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, auth: Auth, headers: HeaderMap) -> ApiResult<Response> {
    check_tus_version(&headers)?;
    if headers.contains_key("upload-defer-length") {
        return Err(ApiError::bad_request("defer_length_unsupported", "Upload-Defer-Length is not supported: send Upload-Length"));
    }
    let length = header_i64(&headers, "upload-length")?;
    if length > state.limits.max_upload_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "upload_too_large",
            format!("uploads are limited to {} bytes", state.limits.max_upload_bytes),
        ));
    }
    let raw_meta = header(&headers, "upload-metadata").unwrap_or("").to_string();
    if raw_meta.len() > 8 * 1024 {
        return Err(ApiError::bad_request("invalid_metadata", "Upload-Metadata is longer than 8 KiB"));
    }
    let meta = parse_metadata(&raw_meta)?;
    let release_id = meta_uuid(&meta, upload_meta::RELEASE)?;
    let track_id = meta_uuid(&meta, upload_meta::TRACK)?;
    let kind = match meta.get(upload_meta::ASSET).map(|s| s.trim()).unwrap_or("") {
        "" => "other",
        k @ ("master" | "artwork" | "other" | upload_meta::STATEMENT) => k,
        _ => return Err(ApiError::bad_request("invalid_metadata", "metadata asset must be master, artwork, other or statement")),
    };
    let expected_sha256 = match meta.get(upload_meta::SHA256).map(|s| s.trim().to_lowercase()) {
        None => None,
        Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => Some(h),
        Some(_) => return Err(ApiError::bad_request("invalid_metadata", "metadata sha256 must be 64 hex digits")),
    };
    let filename = meta.get(upload_meta::FILENAME).map(|s| s.chars().take(500).collect::<String>());
    let ws = match meta_uuid(&meta, upload_meta::WORKSPACE)? {
        Some(ws) => ws,
        None => {
            let (ws,): (Uuid,) = sqlx::query_as("SELECT id FROM workspaces WHERE personal_of = $1")
                .bind(auth.user_id)
                .fetch_one(&state.db)
                .await?;
            ws
        }
    };
    let a = access(&state.db, &auth, ws).await?;
    if kind == upload_meta::STATEMENT {
        if expected_sha256.is_none() {
            return Err(ApiError::bad_request("invalid_metadata", "a statement file is named by its SHA-256: give metadata sha256"));
        }
        a.require(roadie_protocol::sync::LEDGER_ROLES, "store statement files")?;
    } else {
        a.require(UPLOAD_ROLES, "upload")?;
    }

    let id = Uuid::now_v7();
    let mut tx = state.db.begin().await?;
    // Serialise uploads of one workspace while checking its quota.
    let (quota,): (i64,) =
        sqlx::query_as("SELECT upload_quota_bytes FROM workspaces WHERE id = $1 FOR UPDATE").bind(ws).fetch_one(&mut *tx).await?;
    // (Statement files are the ledger's records, not release assets: outside the quota, as when
    // they are sent with one PUT.)
    let (used,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(sum(upload_length), 0)::bigint FROM uploads WHERE workspace_id = $1 AND state <> 'failed' AND asset_kind <> $2",
    )
    .bind(ws)
    .bind(upload_meta::STATEMENT)
    .fetch_one(&mut *tx)
    .await?;
    if kind != upload_meta::STATEMENT && used + length > quota {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "quota_exceeded",
            format!("this workspace's uploads are limited to {quota} bytes ({used} in use)"),
        ));
    }
    sqlx::query(
        "INSERT INTO uploads (id, workspace_id, created_by, upload_length, metadata, filename, release_id, track_id, asset_kind, expected_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(ws)
    .bind(auth.user_id)
    .bind(length)
    .bind(if raw_meta.is_empty() { None } else { Some(&raw_meta) })
    .bind(&filename)
    .bind(release_id)
    .bind(track_id)
    .bind(kind)
    .bind(&expected_sha256)
    .execute(&mut *tx)
    .await?;
    if length == 0 {
        let up = load_for_update(&mut tx, id).await?.ok_or_else(|| ApiError::internal("upload vanished"))?;
        if let Err(e) = complete(&state, &mut tx, id, &up).await {
            tx.commit().await?;
            return Err(e);
        }
    }
    tx.commit().await?;
    tracing::info!(upload_id = %id, workspace_id = %ws, length, "upload created");
    let mut res = StatusCode::CREATED.into_response();
    tus_headers(&mut res, &[("location", format!("/v1/uploads/{id}")), ("upload-offset", "0".into())]);
    Ok(res)
}

#[derive(sqlx::FromRow)]
struct UploadRow {
    workspace_id: Uuid,
    upload_length: i64,
    upload_offset: i64,
    metadata: Option<String>,
    filename: Option<String>,
    release_id: Option<Uuid>,
    track_id: Option<Uuid>,
    asset_kind: String,
    expected_sha256: Option<String>,
    state: String,
}

const UPLOAD_COLUMNS: &str =
    "workspace_id, upload_length, upload_offset, metadata, filename, release_id, track_id, asset_kind, expected_sha256, state";

async fn load_for_update(tx: &mut sqlx::PgConnection, id: Uuid) -> ApiResult<Option<UploadRow>> {
    Ok(sqlx::query_as(&format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1 FOR UPDATE")).bind(id).fetch_optional(tx).await?)
}

/// The upload's offset and length (tus core HEAD).
#[utoipa::path(head, path = "/v1/uploads/{upload_id}", tag = "uploads", security(("bearer" = [])),
    params(("upload_id" = Uuid, Path), ("Tus-Resumable" = String, Header, description = "1.0.0", pattern = r"^1\.0\.0$")),
    responses((status = 200, description = "Upload-Offset and Upload-Length headers (and Roadie-Upload-Sha256 once complete)"), (status = 400), (status = 401), (status = 404), (status = 410), (status = 412), (status = 423)))]
pub async fn head(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>, headers: HeaderMap) -> ApiResult<Response> {
    check_tus_version(&headers)?;
    let mut tx = state.db.begin().await?;
    sqlx::query("SET LOCAL lock_timeout = '20s'").execute(&mut *tx).await?;
    let up: Option<UploadRow> = sqlx::query_as(&format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1 FOR SHARE"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    let up = up.ok_or_else(|| ApiError::not_found("upload"))?;
    upload_access(&state, &auth, up.workspace_id).await?;
    if up.state == "failed" {
        return Err(ApiError::new(StatusCode::GONE, "upload_failed", "this upload failed its final checksum; start again"));
    }
    let mut res = StatusCode::OK.into_response();
    let mut pairs = vec![
        ("upload-offset", up.upload_offset.to_string()),
        ("upload-length", up.upload_length.to_string()),
        ("cache-control", "no-store".to_string()),
    ];
    if let Some(m) = up.metadata {
        pairs.push(("upload-metadata", m));
    }
    if up.state == "complete" {
        if let Some(sha) = finished_sha256(&state.db, id).await? {
            pairs.push((SHA256_HEADER, sha));
        }
    }
    tus_headers(&mut res, &pairs);
    Ok(res)
}

/// Appends bytes at `Upload-Offset` (tus core PATCH), with an optional `Upload-Checksum: sha256
/// BASE64` of this request's body (checksum extension).
#[utoipa::path(patch, path = "/v1/uploads/{upload_id}", tag = "uploads", security(("bearer" = [])),
    params(
        ("upload_id" = Uuid, Path),
        ("Tus-Resumable" = String, Header, description = "1.0.0", pattern = r"^1\.0\.0$"),
        ("Upload-Offset" = i64, Header, description = "where these bytes start"),
        ("Upload-Checksum" = Option<String>, Header, description = "sha256 BASE64 of this body"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses((status = 204, description = "stored; the new offset is in Upload-Offset (and the file's SHA-256 in Roadie-Upload-Sha256 once complete)"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 423, body = ErrorBody), (status = 460, body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    check_tus_version(&headers)?;
    let content_type = header(&headers, "content-type").unwrap_or("");
    if content_type.split(';').next().map(str::trim) != Some("application/offset+octet-stream") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "PATCH bodies must be Content-Type: application/offset+octet-stream",
        ));
    }
    let offset = header_i64(&headers, "upload-offset")?;
    let checksum = match header(&headers, "upload-checksum") {
        None => None,
        Some(v) => {
            let (algo, value) = v.trim().split_once(' ').unwrap_or((v, ""));
            if !algo.eq_ignore_ascii_case("sha256") {
                return Err(ApiError::bad_request("checksum_algorithm", "the only Upload-Checksum algorithm is sha256"));
            }
            Some(
                base64::engine::general_purpose::STANDARD
                    .decode(value.trim())
                    .ok()
                    .filter(|d| d.len() == 32)
                    .ok_or_else(|| ApiError::bad_request("invalid_header", "Upload-Checksum must be `sha256 BASE64(32 bytes)`"))?,
            )
        }
    };
    // Run to the end in its own task: if the client's connection drops, what arrived is still
    // stored and the offset moved, instead of the work being cancelled half-way.
    let res_state = state.db.clone();
    let task = tokio::spawn(store_patch(state, auth, id, offset, checksum, body));
    let new_offset = task.await.map_err(|e| ApiError::internal(format!("upload task failed: {e}")))??;
    let mut res = StatusCode::NO_CONTENT.into_response();
    let mut pairs = vec![("upload-offset", new_offset.to_string())];
    if let Some(sha) = finished_sha256(&res_state, id).await? {
        pairs.push((SHA256_HEADER, sha));
    }
    tus_headers(&mut res, &pairs);
    Ok(res)
}

async fn store_patch(
    state: AppState,
    auth: Auth,
    id: Uuid,
    offset: i64,
    checksum: Option<Vec<u8>>,
    body: Body,
) -> ApiResult<i64> {
    let mut tx = state.db.begin().await?;
    sqlx::query("SET LOCAL lock_timeout = '20s'").execute(&mut *tx).await?;
    let up = load_for_update(&mut tx, id).await?.ok_or_else(|| ApiError::not_found("upload"))?;
    upload_access(&state, &auth, up.workspace_id).await?;
    if up.state == "failed" {
        return Err(ApiError::new(StatusCode::GONE, "upload_failed", "this upload failed its final checksum; start again"));
    }
    if offset != up.upload_offset {
        return Err(ApiError::conflict(
            "offset_mismatch",
            format!("Upload-Offset {offset} does not match the upload's offset {}", up.upload_offset),
        ));
    }
    let remaining = up.upload_length - up.upload_offset;
    let path = part_path(id, offset);
    let mut part = WriteMultipart::new(state.store.put_multipart(&path).await?);
    let mut hasher = checksum.as_ref().map(|_| Sha256::new());
    let mut received: i64 = 0;
    let mut stream = body.into_data_stream();
    let mut cut = false;
    loop {
        match tokio::time::timeout(state.limits.upload_idle_timeout, stream.next()).await {
            Err(_) | Ok(Some(Err(_))) => {
                cut = true;
                break;
            }
            Ok(None) => break,
            Ok(Some(Ok(chunk))) => {
                if received + chunk.len() as i64 > remaining {
                    let _ = part.abort().await;
                    return Err(ApiError::bad_request("exceeds_length", "the body goes past Upload-Length"));
                }
                if let Some(h) = hasher.as_mut() {
                    h.update(&chunk);
                }
                part.wait_for_capacity(4).await?;
                part.write(&chunk);
                received += chunk.len() as i64;
            }
        }
    }
    if let (Some(expected), Some(h)) = (&checksum, hasher) {
        if cut || h.finalize().as_slice() != expected.as_slice() {
            let _ = part.abort().await;
            return Err(ApiError::new(
                StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST),
                "checksum_mismatch",
                "the body does not match Upload-Checksum; nothing was stored",
            ));
        }
    }
    if received == 0 {
        let _ = part.abort().await;
        return Ok(offset);
    }
    part.finish().await?;
    let new_offset = offset + received;
    sqlx::query("INSERT INTO upload_parts (upload_id, part_offset, length) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(offset)
        .bind(received)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE uploads SET upload_offset = $2 WHERE id = $1").bind(id).bind(new_offset).execute(&mut *tx).await?;
    if cut {
        tracing::info!(upload_id = %id, kept = received, "connection cut mid-PATCH; kept what arrived");
    }
    if new_offset == up.upload_length {
        let result = complete(&state, &mut tx, id, &up).await;
        tx.commit().await?;
        result?;
        delete_parts(&state, id).await;
    } else {
        tx.commit().await?;
    }
    Ok(new_offset)
}

/// Joins the parts into the final object, checks the client's SHA-256, records the asset.
/// On a checksum mismatch the upload is marked failed (the caller commits that) and 460 returned.
async fn complete(state: &AppState, tx: &mut sqlx::PgConnection, id: Uuid, up: &UploadRow) -> ApiResult<()> {
    let parts: Vec<(i64, i64)> =
        sqlx::query_as("SELECT part_offset, length FROM upload_parts WHERE upload_id = $1 ORDER BY part_offset")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    let target = object_path(up.workspace_id, id);
    let mut hasher = Sha256::new();
    let mut size: i64 = 0;
    if parts.is_empty() {
        state.store.put(&target, PutPayload::default()).await?;
    } else {
        let mut out = WriteMultipart::new(state.store.put_multipart(&target).await?);
        for (offset, _) in &parts {
            let mut s = state.store.get(&part_path(id, *offset)).await?.into_stream();
            while let Some(chunk) = s.next().await {
                let chunk = chunk?;
                hasher.update(&chunk);
                size += chunk.len() as i64;
                out.wait_for_capacity(4).await?;
                out.write(&chunk);
            }
        }
        out.finish().await?;
    }
    if size != up.upload_length {
        return Err(ApiError::internal(format!("stored {size} bytes for an upload of {}", up.upload_length)));
    }
    let sha = hex::encode(hasher.finalize());
    if let Some(expected) = &up.expected_sha256 {
        if *expected != sha {
            sqlx::query("UPDATE uploads SET state = 'failed' WHERE id = $1").bind(id).execute(&mut *tx).await?;
            let _ = state.store.delete(&target).await;
            tracing::warn!(upload_id = %id, "upload failed its final SHA-256 check");
            return Err(ApiError::new(
                StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST),
                "checksum_mismatch",
                format!("the uploaded file's SHA-256 is {sha}, not the {expected} given in the metadata"),
            ));
        }
    }
    sqlx::query("UPDATE uploads SET state = 'complete', completed_at = now() WHERE id = $1").bind(id).execute(&mut *tx).await?;
    if up.asset_kind == upload_meta::STATEMENT {
        // With the workspace's statement files (where GET finds it), not as a release asset.
        state.store.rename(&target, &super::statement_files::file_path(up.workspace_id, &sha)).await?;
        tracing::info!(upload_id = %id, size, sha256 = %sha, "statement file upload complete");
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO assets (id, workspace_id, upload_id, release_id, track_id, kind, filename, size, sha256, object_path)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(Uuid::now_v7())
    .bind(up.workspace_id)
    .bind(id)
    .bind(up.release_id)
    .bind(up.track_id)
    .bind(&up.asset_kind)
    .bind(&up.filename)
    .bind(size)
    .bind(&sha)
    .bind(target.to_string())
    .execute(&mut *tx)
    .await?;
    tracing::info!(upload_id = %id, size, sha256 = %sha, "upload complete");
    Ok(())
}

async fn delete_parts(state: &AppState, id: Uuid) {
    let prefix = ObjectPath::from(format!("uploads/{id}"));
    let mut list = state.store.list(Some(&prefix));
    while let Some(Ok(meta)) = list.next().await {
        let _ = state.store.delete(&meta.location).await;
    }
}

/// Terminates an upload (tus termination): its parts, file and asset are deleted.
#[utoipa::path(delete, path = "/v1/uploads/{upload_id}", tag = "uploads", security(("bearer" = [])),
    params(("upload_id" = Uuid, Path), ("Tus-Resumable" = String, Header, description = "1.0.0", pattern = r"^1\.0\.0$")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody), (status = 423, body = ErrorBody)))]
pub async fn terminate(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>, headers: HeaderMap) -> ApiResult<Response> {
    check_tus_version(&headers)?;
    let mut tx = state.db.begin().await?;
    sqlx::query("SET LOCAL lock_timeout = '20s'").execute(&mut *tx).await?;
    let up = load_for_update(&mut tx, id).await?.ok_or_else(|| ApiError::not_found("upload"))?;
    upload_access(&state, &auth, up.workspace_id).await?;
    sqlx::query("DELETE FROM uploads WHERE id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    delete_parts(&state, id).await;
    let _ = state.store.delete(&object_path(up.workspace_id, id)).await;
    let _ = (&up.filename, &up.metadata);
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::parse_metadata;

    #[test]
    fn upload_metadata_is_parsed_as_tus_defines_it() {
        // "filename" = "01 Intro.flac", "release" with no value, spaces around pairs.
        let m = parse_metadata("filename MDEgSW50cm8uZmxhYw==, release ,asset bWFzdGVy").unwrap();
        assert_eq!(m["filename"], "01 Intro.flac");
        assert_eq!(m["release"], "");
        assert_eq!(m["asset"], "master");
        assert!(parse_metadata("").unwrap().is_empty());
        assert!(parse_metadata("a YQ==,a YQ==").is_err(), "a repeated key");
        assert!(parse_metadata("a !!!").is_err(), "not base64");
        assert!(parse_metadata("a /w==").is_err(), "not UTF-8");
        assert!(parse_metadata("a AA==").is_err(), "NUL cannot be stored in PostgreSQL text");
    }
}
