//! Small helpers to read our TEXT-encoded ids and JSON columns out of SQLite rows.

use crate::error::{Error, Result};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

pub(crate) fn uuid(row: &SqliteRow, column: &str) -> Result<Uuid> {
    let text: String = row.try_get(column)?;
    Uuid::parse_str(&text).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &SqliteRow, column: &str) -> Result<T> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))
}

/// Is this a violation of the named unique index? (Used to turn a race past our own check into
/// the same typed error the check gives.)
pub(crate) fn is_unique_violation(err: &sqlx::Error, index_hint: &str) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation() && db.message().contains(index_hint))
}
