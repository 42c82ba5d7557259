//! Statement files: the original bytes of imported royalty statements, content-addressed by their
//! SHA-256 within a workspace (`statement-files/{workspace}/{sha256}` in object storage), so a
//! device that pulls a `statement_files` row it does not have can fetch the file and import it the
//! same way (crates/roadie/src/royalties/transfer.rs).
//!
//! `PUT` stores a file once: the body is streamed to a staging object while hashed, and moved
//! into place only when its SHA-256 is the one in the path (a file already there is left alone:
//! the same hash is the same bytes). A large file can instead be sent resumably through
//! `/v1/uploads` (tus, `asset statement`): uploads.rs moves it here when it completes. `GET`
//! streams it back. Who may: the workspace's members who
//! sync it (owner, label admin, label staff, artist); a collaborator gets 403, anyone else 404.

use crate::auth::Auth;
use crate::authz::access;
use crate::error::{ApiError, ApiPath as Path, ApiResult};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::WriteMultipart;
use roadie_protocol::{ErrorBody, Role};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Statement files are part of a workspace's ledger.
const FILE_ROLES: &[Role] = roadie_protocol::sync::LEDGER_ROLES;

/// A lower-case hex SHA-256, or 400.
fn check_sha256(sha256: &str) -> ApiResult<()> {
    if sha256.len() == 64 && sha256.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(ApiError::bad_request("invalid_sha256", "the file is named by its SHA-256: 64 lower-case hex digits"))
    }
}

pub(crate) fn file_path(ws: Uuid, sha256: &str) -> ObjectPath {
    ObjectPath::from(format!("statement-files/{ws}/{sha256}"))
}

async fn file_access(state: &AppState, auth: &Auth, ws: Uuid, action: &str) -> ApiResult<()> {
    access(&state.db, auth, ws).await?.require(FILE_ROLES, action)
}

/// Stores a statement file's bytes under their SHA-256 (idempotent).
#[utoipa::path(put, path = "/v1/workspaces/{workspace_id}/statement-files/{sha256}", tag = "statement files", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("sha256" = String, Path, description = "SHA-256 of the file, lower-case hex", pattern = r"^[0-9a-f]{64}$")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "stored"), (status = 204, description = "already stored"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_statement_file(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, sha256)): Path<(Uuid, String)>,
    body: Body,
) -> ApiResult<Response> {
    check_sha256(&sha256)?;
    file_access(&state, &auth, ws, "store statement files").await?;
    let path = file_path(ws, &sha256);
    if state.store.head(&path).await.is_ok() {
        // The body is read all the same: checked against its hash (as a first PUT is), and the
        // connection left clean. Answering before the request's body is read makes the server
        // close the connection, and a client that had already put it back in its pool fails its
        // next request on it (hyper's IncompleteMessage).
        let mut reader = BodyReader::new(body);
        while reader.next(&state).await?.is_some() {}
        check_hash(&reader.sha256(), &sha256)?;
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    // Its own task: a dropped connection aborts the staging object rather than leaving it half
    // written in place.
    let task = tokio::spawn(store_file(state, ws, sha256, path, body));
    task.await.map_err(|e| ApiError::internal(format!("statement file task failed: {e}")))??;
    Ok(StatusCode::CREATED.into_response())
}

async fn store_file(state: AppState, ws: Uuid, sha256: String, path: ObjectPath, body: Body) -> ApiResult<()> {
    let staging = ObjectPath::from(format!("statement-files/{ws}/incoming/{}", Uuid::now_v7()));
    let mut part = WriteMultipart::new(state.store.put_multipart(&staging).await?);
    let mut reader = BodyReader::new(body);
    let read = async {
        while let Some(chunk) = reader.next(&state).await? {
            part.wait_for_capacity(4).await?;
            part.write(&chunk);
        }
        check_hash(&reader.sha256(), &sha256)
    }
    .await;
    if let Err(e) = read {
        let _ = part.abort().await;
        return Err(e);
    }
    part.finish().await?;
    state.store.rename(&staging, &path).await?;
    Ok(())
}

/// A statement file's body, read chunk by chunk within the idle timeout and the size limit of
/// uploads, hashed on the way.
struct BodyReader {
    stream: axum::body::BodyDataStream,
    hasher: Sha256,
    received: i64,
}

impl BodyReader {
    fn new(body: Body) -> BodyReader {
        BodyReader { stream: body.into_data_stream(), hasher: Sha256::new(), received: 0 }
    }

    /// The next chunk; `None` at the end of the body.
    async fn next(&mut self, state: &AppState) -> ApiResult<Option<Bytes>> {
        match tokio::time::timeout(state.limits.upload_idle_timeout, self.stream.next()).await {
            Err(_) | Ok(Some(Err(_))) => Err(ApiError::bad_request("body_cut", "the file's body was cut off; nothing was stored")),
            Ok(None) => Ok(None),
            Ok(Some(Ok(chunk))) => {
                self.received += chunk.len() as i64;
                if self.received > state.limits.max_upload_bytes {
                    return Err(ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "upload_too_large",
                        format!("statement files are limited to {} bytes", state.limits.max_upload_bytes),
                    ));
                }
                self.hasher.update(&chunk);
                Ok(Some(chunk))
            }
        }
    }

    /// The SHA-256 (lower-case hex) of what was read.
    fn sha256(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

fn check_hash(got: &str, sha256: &str) -> ApiResult<()> {
    if got != sha256 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "checksum_mismatch",
            format!("the body's SHA-256 is {got}, not the {sha256} it was sent as; nothing was stored"),
        ));
    }
    Ok(())
}

/// A statement file's bytes, as stored.
#[utoipa::path(get, path = "/v1/workspaces/{workspace_id}/statement-files/{sha256}", tag = "statement files", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("sha256" = String, Path, description = "SHA-256 of the file, lower-case hex", pattern = r"^[0-9a-f]{64}$")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream", body = Vec<u8>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_statement_file(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, sha256)): Path<(Uuid, String)>,
) -> ApiResult<Response> {
    check_sha256(&sha256)?;
    file_access(&state, &auth, ws, "read statement files").await?;
    let got = match state.store.get(&file_path(ws, &sha256)).await {
        Ok(got) => got,
        Err(object_store::Error::NotFound { .. }) => return Err(ApiError::not_found("statement file")),
        Err(e) => return Err(e.into()),
    };
    let size = got.meta.size;
    let mut res = Body::from_stream(got.into_stream()).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    if let Ok(v) = HeaderValue::from_str(&size.to_string()) {
        headers.insert(header::CONTENT_LENGTH, v);
    }
    Ok(res)
}
