//! The HTTP handlers, one module per area. Each handler carries its `#[utoipa::path]`, so the
//! OpenAPI document is generated from the routes themselves.

pub mod accounts;
pub mod misc;
pub mod statement_files;
pub mod sync;
pub mod uploads;
pub mod workspaces;

use crate::error::ApiError;

/// Trims a required text field and checks its length.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    no_nul(field, v)?;
    if v.is_empty() {
        return Err(ApiError::invalid(format!("{field} is required")));
    }
    if v.chars().count() > max {
        return Err(ApiError::invalid(format!("{field} is longer than {max} characters")));
    }
    Ok(v.to_string())
}

/// PostgreSQL text cannot hold U+0000: refuse it as bad input rather than fail in the database.
pub fn no_nul(field: &str, value: &str) -> Result<(), ApiError> {
    if value.contains('\0') {
        return Err(ApiError::invalid(format!("{field} contains a NUL character")));
    }
    Ok(())
}

pub fn normalise_email(email: &str) -> Result<String, ApiError> {
    let e = required("email", email, 254)?.to_lowercase();
    let ok = match e.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !e.contains(char::is_whitespace),
        None => false,
    };
    if !ok {
        return Err(ApiError::invalid("email is not an e-mail address"));
    }
    Ok(e)
}
