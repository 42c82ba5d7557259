//! Artist credits of releases and tracks: ordered lists of roster artists, tombstoned on removal.

use super::releases::ArtistRef;
use crate::error::{Error, Result};
use sqlx::{Row, SqliteConnection};
use std::collections::HashMap;
use uuid::Uuid;

/// The tables that hold credits: (`release_artists`, `release_id`) or (`track_artists`, `track_id`).
#[derive(Clone, Copy)]
pub(crate) enum Credited {
    Release,
    Track,
}

impl Credited {
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Credited::Release => ("release_artists", "release_id"),
            Credited::Track => ("track_artists", "track_id"),
        }
    }
}

/// Fails unless every id is a live artist of `workspace_id`.
pub(crate) async fn check_roster(conn: &mut SqliteConnection, workspace_id: Uuid, artist_ids: &[Uuid]) -> Result<()> {
    for id in artist_ids {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM artists WHERE id = ? AND workspace_id = ? AND deleted = 0")
                .bind(id.to_string())
                .bind(workspace_id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        if found.is_none() {
            return Err(Error::ArtistNotInWorkspace { id: id.to_string() });
        }
    }
    Ok(())
}

/// Replaces the primary-artist credits of `owner` with `artist_ids`, in that order.
pub(crate) async fn set_credits(
    conn: &mut SqliteConnection,
    kind: Credited,
    owner: Uuid,
    artist_ids: &[Uuid],
    hlc: &str,
) -> Result<()> {
    set_role_credits(conn, kind, owner, "primary", artist_ids, hlc).await
}

/// Replaces the `role` credits of `owner` with `artist_ids`, in that order.
pub(crate) async fn set_role_credits(
    conn: &mut SqliteConnection,
    kind: Credited,
    owner: Uuid,
    role: &str,
    artist_ids: &[Uuid],
    hlc: &str,
) -> Result<()> {
    let (table, key) = kind.table();
    sqlx::query(&format!("UPDATE {table} SET deleted = 1, hlc = ? WHERE {key} = ? AND role = ? AND deleted = 0"))
        .bind(hlc)
        .bind(owner.to_string())
        .bind(role)
        .execute(&mut *conn)
        .await?;
    for (position, artist) in artist_ids.iter().enumerate() {
        sqlx::query(&format!(
            "INSERT INTO {table} ({key}, artist_id, role, position, hlc, deleted) VALUES (?, ?, ?, ?, ?, 0) \
             ON CONFLICT ({key}, artist_id, role) DO UPDATE SET position = excluded.position, hlc = excluded.hlc, deleted = 0"
        ))
        .bind(owner.to_string())
        .bind(artist.to_string())
        .bind(role)
        .bind(position as i64)
        .bind(hlc)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Live credits of the owners matched by `owner_filter` (SQL over `c.{key}` with one `?` bound
/// to `filter_value`), grouped by owner, in credit order.
pub(crate) async fn load_credits(
    conn: &mut SqliteConnection,
    kind: Credited,
    owner_filter: &str,
    filter_value: &str,
) -> Result<HashMap<Uuid, Vec<ArtistRef>>> {
    load_role_credits(conn, kind, "primary", owner_filter, filter_value).await
}

/// Like [`load_credits`] for another role.
pub(crate) async fn load_role_credits(
    conn: &mut SqliteConnection,
    kind: Credited,
    role: &str,
    owner_filter: &str,
    filter_value: &str,
) -> Result<HashMap<Uuid, Vec<ArtistRef>>> {
    let (table, key) = kind.table();
    let rows = sqlx::query(&format!(
        "SELECT c.{key} AS owner, a.id AS artist_id, a.name AS name FROM {table} c \
         JOIN artists a ON a.id = c.artist_id \
         WHERE c.deleted = 0 AND c.role = ? AND {owner_filter} ORDER BY c.{key}, c.position"
    ))
    .bind(role)
    .bind(filter_value)
    .fetch_all(&mut *conn)
    .await?;
    let mut credits: HashMap<Uuid, Vec<ArtistRef>> = HashMap::new();
    for row in &rows {
        let owner = super::rows::uuid(row, "owner")?;
        credits
            .entry(owner)
            .or_default()
            .push(ArtistRef { id: super::rows::uuid(row, "artist_id")?, name: row.try_get("name")? });
    }
    Ok(credits)
}

/// Drops repeated ids, keeping the first occurrence's place.
pub(crate) fn dedup(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = Vec::with_capacity(ids.len());
    for id in ids {
        if !seen.contains(id) {
            seen.push(*id);
        }
    }
    seen
}
