//! ISRCs of the catalog: registrant prefixes of a workspace (label) or an artist, generation of
//! the next code per prefix and year from a counter that only goes up (a deleted track's code is
//! never handed out again), and duplicates across the catalog.

use super::rows::uuid;
use crate::error::{Error, Result};
use crate::identifiers::{make_isrc, normalize_isrc_prefix};
use crate::validate::Checker;
use crate::Store;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;
use uuid::Uuid;

/// Whose registrant prefix: a label's (workspace) or an artist's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum IsrcOwner {
    Workspace(Uuid),
    Artist(Uuid),
}

impl IsrcOwner {
    fn table(self) -> (&'static str, &'static str, Uuid) {
        match self {
            IsrcOwner::Workspace(id) => ("workspaces", "workspace", id),
            IsrcOwner::Artist(id) => ("artists", "artist", id),
        }
    }
}

/// One ISRC held by several live tracks.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DuplicateIsrc {
    pub isrc: String,
    pub tracks: Vec<IsrcHolder>,
    /// Same title and version everywhere: the same recording on several releases (allowed).
    pub same_recording: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IsrcHolder {
    pub track_id: Uuid,
    pub release_id: Uuid,
    pub title: String,
    pub version: Option<String>,
}

async fn prefix_of(conn: &mut SqliteConnection, owner: IsrcOwner) -> Result<Option<String>> {
    let (table, entity, id) = owner.table();
    let row = sqlx::query(&format!("SELECT isrc_prefix FROM {table} WHERE id = ? AND deleted = 0"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::not_found(entity, id))?;
    Ok(row.try_get("isrc_prefix")?)
}

impl Store {
    /// Sets (or clears, with `None`) the registrant prefix, e.g. `CN-A01`; returns it normalised.
    pub async fn set_isrc_prefix(&self, owner: IsrcOwner, prefix: Option<&str>) -> Result<Option<String>> {
        let mut check = Checker::default();
        let prefix = check.identifier("isrc_prefix", "invalid_isrc_prefix", prefix, normalize_isrc_prefix);
        check.finish("isrc_prefix")?;
        let (table, _, id) = owner.table();
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        prefix_of(&mut tx, owner).await?;
        sqlx::query(&format!("UPDATE {table} SET isrc_prefix = ?, updated_at = ?, hlc = ? WHERE id = ?"))
            .bind(&prefix)
            .bind(self.clock.now())
            .bind(&hlc)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(prefix)
    }

    pub async fn isrc_prefix(&self, owner: IsrcOwner) -> Result<Option<String>> {
        let mut conn = self.pool.acquire().await?;
        prefix_of(&mut conn, owner).await
    }

    /// Hands out the next ISRC of `owner`'s prefix for this year. The counter only goes up and
    /// starts past any code of that prefix and year already in the catalog (imported ones too).
    pub async fn generate_isrc(&self, owner: IsrcOwner) -> Result<String> {
        let mut tx = self.write().await?;
        let code = self.next_isrc(&mut tx, owner).await?;
        tx.commit().await?;
        Ok(code)
    }

    async fn next_isrc(&self, conn: &mut SqliteConnection, owner: IsrcOwner) -> Result<String> {
        let (_, entity, id) = owner.table();
        let prefix = prefix_of(conn, owner).await?.ok_or_else(|| Error::NoIsrcPrefix { owner: format!("{entity} {id}") })?;
        let year = self.clock.now().year();
        let yy = year.rem_euclid(100);
        let counter: Option<i64> =
            sqlx::query_scalar("SELECT last_designation FROM isrc_counters WHERE prefix = ? AND year = ?")
                .bind(&prefix)
                .bind(yy as i64)
                .fetch_optional(&mut *conn)
                .await?;
        // Deleted tracks count too: their codes were handed out.
        let used: Option<String> = sqlx::query_scalar("SELECT MAX(isrc) FROM tracks WHERE isrc >= ? AND isrc <= ?")
            .bind(format!("{prefix}{yy:02}00000"))
            .bind(format!("{prefix}{yy:02}99999"))
            .fetch_one(&mut *conn)
            .await?;
        let used = used.and_then(|c| c[7..].parse::<i64>().ok()).unwrap_or(0);
        let next = counter.unwrap_or(0).max(used) + 1;
        let code = make_isrc(&prefix, year, next as u32).map_err(|_| Error::IsrcExhausted { prefix: prefix.clone(), year: yy })?;
        sqlx::query(
            "INSERT INTO isrc_counters (prefix, year, last_designation, hlc) VALUES (?, ?, ?, ?) \
             ON CONFLICT (prefix, year) DO UPDATE SET last_designation = excluded.last_designation, hlc = excluded.hlc",
        )
        .bind(&prefix)
        .bind(yy as i64)
        .bind(next)
        .bind(self.stamp())
        .execute(&mut *conn)
        .await?;
        Ok(code)
    }

    /// Gives a track without an ISRC the next code: from its first artist's prefix, else its
    /// release's first artist's, else the workspace's.
    pub async fn assign_isrc(&self, track_id: Uuid) -> Result<String> {
        let track = self.get_track(track_id).await?;
        if let Some(isrc) = track.isrc {
            return Err(Error::TrackHasIsrc { id: track_id.to_string(), isrc });
        }
        let release = self.get_release(track.release_id).await?.release;
        let mut tx = self.write().await?;
        let mut owner = IsrcOwner::Workspace(release.workspace_id);
        for artist in track.artists.iter().chain(&release.artists) {
            if prefix_of(&mut tx, IsrcOwner::Artist(artist.id)).await?.is_some() {
                owner = IsrcOwner::Artist(artist.id);
                break;
            }
        }
        let code = self.next_isrc(&mut tx, owner).await?;
        sqlx::query("UPDATE tracks SET isrc = ?, updated_at = ?, hlc = ? WHERE id = ?")
            .bind(&code)
            .bind(self.clock.now())
            .bind(self.stamp())
            .bind(track_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Every ISRC held by more than one live track, across the whole store.
    pub async fn duplicate_isrcs(&self) -> Result<Vec<DuplicateIsrc>> {
        let rows = sqlx::query(
            "SELECT t.isrc, t.id, t.release_id, t.title, t.version FROM tracks t \
             JOIN releases r ON r.id = t.release_id AND r.deleted = 0 \
             WHERE t.deleted = 0 AND t.isrc IN \
               (SELECT isrc FROM tracks WHERE deleted = 0 AND isrc IS NOT NULL GROUP BY isrc HAVING COUNT(*) > 1) \
             ORDER BY t.isrc, t.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<DuplicateIsrc> = Vec::new();
        for row in &rows {
            let isrc: String = row.try_get("isrc")?;
            let holder = IsrcHolder {
                track_id: uuid(row, "id")?,
                release_id: uuid(row, "release_id")?,
                title: row.try_get("title")?,
                version: row.try_get("version")?,
            };
            match out.last_mut() {
                Some(d) if d.isrc == isrc => d.tracks.push(holder),
                _ => out.push(DuplicateIsrc { isrc, tracks: vec![holder], same_recording: true }),
            }
        }
        for d in &mut out {
            let first = &d.tracks[0];
            d.same_recording = d.tracks.iter().all(|t| {
                t.title.trim().eq_ignore_ascii_case(first.title.trim())
                    && t.version.as_deref().map(str::to_lowercase) == first.version.as_deref().map(str::to_lowercase)
            });
        }
        out.retain(|d| d.tracks.len() > 1);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing::store;
    use crate::catalog::{ArtistInput, NewWorkspace, ReleaseInput, ReleaseType, TrackInput, WorkspaceKind};

    #[tokio::test]
    async fn isrcs_count_up_per_prefix_and_year_and_are_never_reused() {
        let (store, _dir) = store().await;
        let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
        let faye = store.create_artist(ws, ArtistInput::named("Faye")).await.unwrap().id;
        let rel = store.create_release(ws, ReleaseInput::new("R", ReleaseType::Ep, vec![faye])).await.unwrap().release.id;

        let t1 = store.add_track(rel, TrackInput::titled("One")).await.unwrap();
        assert_eq!(store.assign_isrc(t1.id).await.unwrap_err().code(), "no_isrc_prefix");
        assert_eq!(store.set_isrc_prefix(IsrcOwner::Workspace(ws), Some("cn-a01")).await.unwrap().as_deref(), Some("CNA01"));
        let err = store.set_isrc_prefix(IsrcOwner::Workspace(ws), Some("XXA01")).await.unwrap_err();
        assert_eq!(err.payload().issues[0].reason, "invalid_isrc_prefix");

        // The clock is pinned to 2026.
        assert_eq!(store.assign_isrc(t1.id).await.unwrap(), "CNA012600001");
        assert_eq!(store.assign_isrc(t1.id).await.unwrap_err().code(), "track_has_isrc");
        let t2 = store.add_track(rel, TrackInput::titled("Two")).await.unwrap();
        assert_eq!(store.assign_isrc(t2.id).await.unwrap(), "CNA012600002");
        // Deleting the last one does not free its code.
        store.delete_track(t2.id).await.unwrap();
        let t3 = store.add_track(rel, TrackInput::titled("Three")).await.unwrap();
        assert_eq!(store.assign_isrc(t3.id).await.unwrap(), "CNA012600003");
        // A code typed in by hand is skipped past.
        store.add_track(rel, TrackInput { isrc: Some("CN-A01-26-00010".into()), ..TrackInput::titled("Typed") }).await.unwrap();
        assert_eq!(store.generate_isrc(IsrcOwner::Workspace(ws)).await.unwrap(), "CNA012600011");

        // The artist's own prefix wins over the label's.
        store.set_isrc_prefix(IsrcOwner::Artist(faye), Some("HK-F01")).await.unwrap();
        let t4 = store.add_track(rel, TrackInput::titled("Four")).await.unwrap();
        assert_eq!(store.assign_isrc(t4.id).await.unwrap(), "HKF012600001");
        assert_eq!(store.isrc_prefix(IsrcOwner::Artist(faye)).await.unwrap().as_deref(), Some("HKF01"));
    }

    #[tokio::test]
    async fn duplicates_across_the_catalog() {
        let (store, _dir) = store().await;
        let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
        let a = store.create_artist(ws, ArtistInput::named("A")).await.unwrap().id;
        let album = store.create_release(ws, ReleaseInput::new("Album", ReleaseType::Album, vec![a])).await.unwrap().release.id;
        let best = store.create_release(ws, ReleaseInput::new("Best of", ReleaseType::Compilation, vec![a])).await.unwrap().release.id;
        let isrc = |c: &str| TrackInput { isrc: Some(c.into()), ..TrackInput::default() };
        store.add_track(album, TrackInput { title: "Song".into(), ..isrc("USRC17607839") }).await.unwrap();
        store.add_track(best, TrackInput { title: "song".into(), ..isrc("USRC17607839") }).await.unwrap();
        store.add_track(album, TrackInput { title: "Other".into(), ..isrc("GBAYE0000351") }).await.unwrap();
        store.add_track(best, TrackInput { title: "Different".into(), ..isrc("GBAYE0000351") }).await.unwrap();
        let dups = store.duplicate_isrcs().await.unwrap();
        let summary: Vec<_> = dups.iter().map(|d| (d.isrc.as_str(), d.tracks.len(), d.same_recording)).collect();
        assert_eq!(summary, [("GBAYE0000351", 2, false), ("USRC17607839", 2, true)]);
        store.delete_release(best).await.unwrap();
        assert!(store.duplicate_isrcs().await.unwrap().is_empty());
    }
}
