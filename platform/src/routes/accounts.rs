//! Sign-up, sign-in (rate-limited per account), sign-out, and the caller's tokens.

use super::{normalise_email, required};
use crate::auth::{hash_password, issue_token, verify_password, Auth};
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::AppState;
use crate::error::ApiPath as Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use roadie_protocol::{ErrorBody, LoginRequest, Me, SignupRequest, TokenInfo, TokenResponse};
use uuid::Uuid;

const MIN_PASSWORD: usize = 8;

/// Creates an account and its own (artist) workspace, and signs in.
#[utoipa::path(post, path = "/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 201, body = TokenResponse), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn signup(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<SignupRequest>,
) -> ApiResult<(StatusCode, Json<TokenResponse>)> {
    let email = normalise_email(&req.email)?;
    let name = required("name", &req.name, 200)?;
    let chars = req.password.chars().count();
    if !(MIN_PASSWORD..=1024).contains(&chars) {
        return Err(ApiError::invalid(format!("password must be {MIN_PASSWORD} to 1024 characters")));
    }
    let hash = hash_password(req.password).await?;
    let user_id = Uuid::now_v7();
    let workspace_id = Uuid::now_v7();
    let mut tx = state.db.begin().await?;
    let inserted = sqlx::query("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)")
        .bind(user_id)
        .bind(&email)
        .bind(&name)
        .bind(&hash)
        .execute(&mut *tx)
        .await;
    if let Err(sqlx::Error::Database(db)) = &inserted {
        if db.code().as_deref() == Some("23505") {
            return Err(ApiError::conflict("email_taken", "an account with this e-mail address exists"));
        }
    }
    inserted?;
    sqlx::query(
        "INSERT INTO workspaces (id, kind, name, personal_of, upload_quota_bytes) VALUES ($1, 'artist', $2, $3, $4)",
    )
    .bind(workspace_id)
    .bind(&name)
    .bind(user_id)
    .bind(state.limits.default_workspace_quota_bytes)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO members (workspace_id, user_id, role) VALUES ($1, $2, 'owner')")
        .bind(workspace_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let token = issue_token(&state, user_id, None).await?;
    tracing::info!(%user_id, "account created");
    Ok((StatusCode::CREATED, Json(TokenResponse { token })))
}

/// Signs in. After too many wrong passwords for one account within the window, sign-in is
/// refused with 429 (even with the right password) until the window passes.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 200, body = TokenResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(State(state): State<AppState>, JsonBody(req): JsonBody<LoginRequest>) -> ApiResult<Json<TokenResponse>> {
    let email = req.email.trim().to_lowercase();
    if email.is_empty() || email.chars().count() > 254 || email.contains('\0') {
        return Err(ApiError::invalid("email is required"));
    }
    if req.password.chars().count() > 1024 {
        return Err(ApiError::unauthorized("wrong e-mail address or password"));
    }
    let window_secs = state.limits.signin_window.as_secs() as f64;
    let (failures, oldest): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
        "SELECT count(*), min(at) FROM signin_failures WHERE email = $1 AND at > now() - make_interval(secs => $2)",
    )
    .bind(&email)
    .bind(window_secs)
    .fetch_one(&state.db)
    .await?;
    if failures >= state.limits.signin_max_failures {
        let retry = oldest
            .map(|o| (o + chrono::Duration::from_std(state.limits.signin_window).unwrap_or_default() - Utc::now()).num_seconds().max(1))
            .unwrap_or(60) as u64;
        let mut err = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many failed sign-ins for this account; try again later");
        err.retry_after = Some(retry);
        return Err(err);
    }
    let user: Option<(Uuid, String)> = sqlx::query_as("SELECT id, password_hash FROM users WHERE lower(email) = $1")
        .bind(&email)
        .fetch_optional(&state.db)
        .await?;
    let ok = verify_password(req.password, user.as_ref().map(|u| u.1.clone())).await;
    match (ok, user) {
        (true, Some((user_id, _))) => {
            sqlx::query("DELETE FROM signin_failures WHERE email = $1").bind(&email).execute(&state.db).await?;
            let device = req.device.as_deref().map(|d| d.trim().chars().filter(|c| *c != '\0').take(200).collect::<String>());
            let token = issue_token(&state, user_id, device.as_deref()).await?;
            Ok(Json(TokenResponse { token }))
        }
        _ => {
            sqlx::query("INSERT INTO signin_failures (email) VALUES ($1)").bind(&email).execute(&state.db).await?;
            tracing::info!("failed sign-in");
            Err(ApiError::unauthorized("wrong e-mail address or password"))
        }
    }
}

/// Revokes the token that made this request.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    sqlx::query("UPDATE tokens SET revoked_at = now() WHERE id = $1").bind(auth.token_id).execute(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Me>> {
    let (id, email, name, workspace_id): (Uuid, String, String, Uuid) = sqlx::query_as(
        "SELECT u.id, u.email, u.name, w.id FROM users u JOIN workspaces w ON w.personal_of = u.id WHERE u.id = $1",
    )
    .bind(auth.user_id)
    .fetch_one(&state.db)
    .await?;
    Ok(Json(Me { id, email, name, workspace_id }))
}

/// The caller's active tokens (one per signed-in device).
#[utoipa::path(get, path = "/v1/auth/tokens", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenInfo>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<TokenInfo>>> {
    type Row = (Uuid, Option<String>, DateTime<Utc>, Option<DateTime<Utc>>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, device, created_at, last_used_at FROM tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at",
    )
    .bind(auth.user_id)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, device, created_at, last_used_at)| TokenInfo {
                id,
                device,
                created_at,
                last_used_at,
                current: id == auth.token_id,
            })
            .collect(),
    ))
}

/// Revokes one of the caller's tokens (another user's token is 404).
#[utoipa::path(delete, path = "/v1/auth/tokens/{token_id}", tag = "auth", security(("bearer" = [])),
    params(("token_id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(State(state): State<AppState>, auth: Auth, Path(token_id): Path<Uuid>) -> ApiResult<StatusCode> {
    let done = sqlx::query("UPDATE tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
        .bind(token_id)
        .bind(auth.user_id)
        .execute(&state.db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("token"));
    }
    Ok(StatusCode::NO_CONTENT)
}
