//! Passwords (argon2id), bearer tokens (random, stored as SHA-256), and the `Auth` extractor that
//! every authenticated route takes.

use crate::error::ApiError;
use crate::AppState;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Hashes a password with argon2id (the crate's defaults: m=19 MiB, t=2, p=1), off the async
/// threads.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
}

/// Checks a password against a stored hash. `None` hashes a dummy so that an unknown e-mail takes
/// as long as a wrong password.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let dummy;
        let hash = match &hash {
            Some(h) => h.as_str(),
            None => {
                dummy = Argon2::default()
                    .hash_password(b"dummy password", &SaltString::generate(&mut OsRng))
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                let _ = Argon2::default().verify_password(
                    password.as_bytes(),
                    &match PasswordHash::new(&dummy) {
                        Ok(h) => h,
                        Err(_) => return false,
                    },
                );
                return false;
            }
        };
        match PasswordHash::new(hash) {
            Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false)
}

/// A new secret: 32 random bytes, base64url, with a prefix that says what it is.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub fn secret_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Issues a token for a user and stores its hash.
pub async fn issue_token(state: &AppState, user_id: Uuid, device: Option<&str>) -> Result<String, ApiError> {
    let token = new_secret("rdp_");
    sqlx::query("INSERT INTO tokens (id, user_id, token_hash, device) VALUES ($1, $2, $3, $4)")
        .bind(Uuid::now_v7())
        .bind(user_id)
        .bind(secret_hash(&token))
        .bind(device)
        .execute(&state.db)
        .await?;
    Ok(token)
}

/// The authenticated caller: a valid, unrevoked bearer token.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    pub user_id: Uuid,
    pub token_id: Uuid,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer token"))?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer TOKEN`"))?;
        let row: Option<(Uuid, Uuid, bool)> = sqlx::query_as(
            "SELECT id, user_id, last_used_at IS NULL OR last_used_at < now() - interval '60 seconds'
             FROM tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(secret_hash(token))
        .fetch_optional(&state.db)
        .await?;
        let (token_id, user_id, stale) = row.ok_or_else(|| ApiError::unauthorized("invalid or revoked token"))?;
        // `last_used_at` to the minute: a write per request would make every request of one
        // token queue on that row.
        if stale {
            sqlx::query("UPDATE tokens SET last_used_at = now() WHERE id = $1").bind(token_id).execute(&state.db).await?;
        }
        Ok(Auth { user_id, token_id })
    }
}
