use super::credits::{check_roster, dedup, load_credits, set_credits, Credited};
use super::rows::uuid;
use super::tracks::Track;
use crate::error::{Error, Result};
use crate::identifiers::normalize_upc;
use crate::validate::Checker;
use crate::Store;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseType {
    Album,
    Ep,
    Single,
    Compilation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseStatus {
    Draft,
    Ready,
    Delivered,
}

macro_rules! text_enum {
    ($ty:ident, $what:literal, $($variant:ident = $text:literal),+) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($ty::$variant),)+
                    other => Err(format!(concat!("unknown ", $what, " '{}' (one of: {})"), other, [$($text),+].join(", "))),
                }
            }
        }
    };
}
text_enum!(ReleaseType, "release type", Album = "album", Ep = "ep", Single = "single", Compilation = "compilation");
text_enum!(ReleaseStatus, "release status", Draft = "draft", Ready = "ready", Delivered = "delivered");

/// An artist as credited: enough to show and link the credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ArtistRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Release {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub title: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub release_type: ReleaseType,
    /// Primary artists, in credit order.
    pub artists: Vec<ArtistRef>,
    pub label_name: Option<String>,
    pub release_date: Option<NaiveDate>,
    pub catalog_number: Option<String>,
    pub upc: Option<String>,
    pub status: ReleaseStatus,
    pub track_count: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A release with its track list, in disc and position order.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReleaseDetail {
    #[serde(flatten)]
    #[ts(flatten)]
    pub release: Release,
    pub tracks: Vec<Track>,
}

/// What a user enters for a release; used both to create and to edit (the whole record).
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ReleaseInput {
    pub title: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub release_type: ReleaseType,
    /// Primary artists from the workspace's roster, in credit order; at least one.
    pub artist_ids: Vec<Uuid>,
    pub label_name: Option<String>,
    pub release_date: Option<NaiveDate>,
    pub catalog_number: Option<String>,
    pub upc: Option<String>,
    /// Draft when not given.
    pub status: Option<ReleaseStatus>,
}

impl ReleaseInput {
    pub fn new(title: &str, release_type: ReleaseType, artist_ids: Vec<Uuid>) -> Self {
        Self {
            title: title.into(),
            release_type,
            artist_ids,
            label_name: None,
            release_date: None,
            catalog_number: None,
            upc: None,
            status: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct ReleaseFilter {
    /// Only releases crediting this artist.
    pub artist_id: Option<Uuid>,
}

struct ValidRelease {
    title: String,
    artist_ids: Vec<Uuid>,
    label_name: Option<String>,
    catalog_number: Option<String>,
    upc: Option<String>,
}

fn validate(input: &ReleaseInput) -> Result<ValidRelease> {
    let mut check = Checker::default();
    let title = check.required("title", &input.title, 500);
    let artist_ids = dedup(&input.artist_ids);
    if artist_ids.is_empty() {
        check.issue("artist_ids", "required", "a release needs at least one primary artist");
    }
    let label_name = check.optional("label_name", input.label_name.as_deref(), 200);
    let catalog_number = check.optional("catalog_number", input.catalog_number.as_deref(), 50);
    let upc = check.identifier("upc", "invalid_upc", input.upc.as_deref(), normalize_upc);
    check.finish("release")?;
    Ok(ValidRelease { title, artist_ids, label_name, catalog_number, upc })
}

const SELECT_RELEASES: &str = "SELECT r.*, \
    (SELECT COUNT(*) FROM tracks t WHERE t.release_id = r.id AND t.deleted = 0) AS track_count \
    FROM releases r";

fn from_row(row: &SqliteRow) -> Result<Release> {
    let decode = |e: String| Error::Database(sqlx::Error::Decode(e.into()));
    let release_type: String = row.try_get("release_type")?;
    let status: String = row.try_get("status")?;
    Ok(Release {
        id: uuid(row, "id")?,
        workspace_id: uuid(row, "workspace_id")?,
        title: row.try_get("title")?,
        release_type: release_type.parse().map_err(decode)?,
        artists: Vec::new(),
        label_name: row.try_get("label_name")?,
        release_date: row.try_get("release_date")?,
        catalog_number: row.try_get("catalog_number")?,
        upc: row.try_get("upc")?,
        status: status.parse().map_err(decode)?,
        track_count: row.try_get::<i64, _>("track_count")? as u32,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    /// Live releases of a workspace, newest release date first (undated drafts on top).
    pub async fn list_releases(&self, workspace_id: Uuid, filter: &ReleaseFilter) -> Result<Vec<Release>> {
        let mut conn = self.pool.acquire().await?;
        let mut sql = format!("{SELECT_RELEASES} WHERE r.workspace_id = ? AND r.deleted = 0");
        if filter.artist_id.is_some() {
            sql.push_str(" AND r.id IN (SELECT release_id FROM release_artists WHERE artist_id = ? AND deleted = 0)");
        }
        sql.push_str(" ORDER BY r.release_date IS NOT NULL, r.release_date DESC, r.title COLLATE NOCASE, r.id");
        let mut query = sqlx::query(&sql).bind(workspace_id.to_string());
        if let Some(artist) = filter.artist_id {
            query = query.bind(artist.to_string());
        }
        let rows = query.fetch_all(&mut *conn).await?;
        let mut releases = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        let mut credits = load_credits(
            &mut conn,
            Credited::Release,
            "c.release_id IN (SELECT id FROM releases WHERE workspace_id = ? AND deleted = 0)",
            &workspace_id.to_string(),
        )
        .await?;
        for release in &mut releases {
            release.artists = credits.remove(&release.id).unwrap_or_default();
        }
        Ok(releases)
    }

    pub async fn get_release(&self, id: Uuid) -> Result<ReleaseDetail> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(&format!("{SELECT_RELEASES} WHERE r.id = ? AND r.deleted = 0"))
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| Error::not_found("release", id))?;
        let mut release = from_row(&row)?;
        release.artists = load_credits(&mut conn, Credited::Release, "c.release_id = ?", &id.to_string())
            .await?
            .remove(&id)
            .unwrap_or_default();
        drop(conn);
        let tracks = self.list_tracks(id).await?;
        Ok(ReleaseDetail { release, tracks })
    }

    pub async fn create_release(&self, workspace_id: Uuid, input: ReleaseInput) -> Result<ReleaseDetail> {
        let valid = validate(&input)?;
        self.get_workspace(workspace_id).await?;
        let id = self.ids.new_id();
        let now = self.clock.now();
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        check_roster(&mut tx, workspace_id, &valid.artist_ids).await?;
        sqlx::query(
            "INSERT INTO releases (id, workspace_id, title, release_type, label_name, release_date, catalog_number, upc, \
             status, created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(workspace_id.to_string())
        .bind(&valid.title)
        .bind(input.release_type.as_str())
        .bind(&valid.label_name)
        .bind(input.release_date)
        .bind(&valid.catalog_number)
        .bind(&valid.upc)
        .bind(input.status.unwrap_or(ReleaseStatus::Draft).as_str())
        .bind(now)
        .bind(now)
        .bind(&hlc)
        .execute(&mut *tx)
        .await?;
        set_credits(&mut tx, Credited::Release, id, &valid.artist_ids, &hlc).await?;
        tx.commit().await?;
        self.get_release(id).await
    }

    pub async fn update_release(&self, id: Uuid, input: ReleaseInput) -> Result<ReleaseDetail> {
        let valid = validate(&input)?;
        let current = self.get_release(id).await?.release;
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        check_roster(&mut tx, current.workspace_id, &valid.artist_ids).await?;
        sqlx::query(
            "UPDATE releases SET title = ?, release_type = ?, label_name = ?, release_date = ?, catalog_number = ?, \
             upc = ?, status = ?, updated_at = ?, hlc = ? WHERE id = ? AND deleted = 0",
        )
        .bind(&valid.title)
        .bind(input.release_type.as_str())
        .bind(&valid.label_name)
        .bind(input.release_date)
        .bind(&valid.catalog_number)
        .bind(&valid.upc)
        .bind(input.status.unwrap_or(current.status).as_str())
        .bind(self.clock.now())
        .bind(&hlc)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        set_credits(&mut tx, Credited::Release, id, &valid.artist_ids, &hlc).await?;
        tx.commit().await?;
        self.get_release(id).await
    }

    /// Tombstones a release with its tracks and credits, in one transaction.
    pub async fn delete_release(&self, id: Uuid) -> Result<()> {
        self.get_release(id).await?;
        let hlc = self.stamp();
        let now = self.clock.now();
        let mut tx = self.write().await?;
        let id = id.to_string();
        sqlx::query(
            "UPDATE track_artists SET deleted = 1, hlc = ?1 WHERE deleted = 0 \
             AND track_id IN (SELECT id FROM tracks WHERE release_id = ?2)",
        )
        .bind(&hlc)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE tracks SET deleted = 1, updated_at = ?, hlc = ? WHERE release_id = ? AND deleted = 0")
            .bind(now)
            .bind(&hlc)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE release_artists SET deleted = 1, hlc = ? WHERE release_id = ? AND deleted = 0")
            .bind(&hlc)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE releases SET deleted = 1, updated_at = ?, hlc = ? WHERE id = ?")
            .bind(now)
            .bind(&hlc)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing::store;
    use crate::catalog::{ArtistInput, NewWorkspace, WorkspaceKind};

    async fn roster(store: &Store) -> (Uuid, Uuid, Uuid) {
        let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
        let a = store.create_artist(ws, ArtistInput::named("Faye Wong")).await.unwrap().id;
        let b = store.create_artist(ws, ArtistInput::named("Dou Wei")).await.unwrap().id;
        (ws, a, b)
    }

    #[tokio::test]
    async fn create_edit_list_and_delete_a_release() {
        let (store, _dir) = store().await;
        let (ws, faye, dou) = roster(&store).await;
        let mut input = ReleaseInput::new("Fable", ReleaseType::Album, vec![faye, dou, faye]);
        input.release_date = NaiveDate::from_ymd_opt(2000, 9, 1);
        input.upc = Some("0 36000 29145 2".into());
        input.catalog_number = Some(" EMI-001 ".into());
        let created = store.create_release(ws, input.clone()).await.unwrap().release;
        assert_eq!(created.title, "Fable");
        assert_eq!(created.status, ReleaseStatus::Draft);
        assert_eq!(created.upc.as_deref(), Some("036000291452"));
        assert_eq!(created.catalog_number.as_deref(), Some("EMI-001"));
        let credited: Vec<_> = created.artists.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(credited, ["Faye Wong", "Dou Wei"], "credits keep order, repeats dropped");

        let single = store.create_release(ws, ReleaseInput::new("Eyes", ReleaseType::Single, vec![dou])).await.unwrap();
        let titles = |rs: Vec<Release>| rs.into_iter().map(|r| r.title).collect::<Vec<_>>();
        assert_eq!(titles(store.list_releases(ws, &ReleaseFilter::default()).await.unwrap()), ["Eyes", "Fable"]);
        let only_faye = ReleaseFilter { artist_id: Some(faye) };
        assert_eq!(titles(store.list_releases(ws, &only_faye).await.unwrap()), ["Fable"]);

        input.artist_ids = vec![dou];
        input.status = Some(ReleaseStatus::Ready);
        let edited = store.update_release(created.id, input).await.unwrap().release;
        assert_eq!(edited.status, ReleaseStatus::Ready);
        assert_eq!(edited.artists, vec![ArtistRef { id: dou, name: "Dou Wei".into() }]);
        assert!(store.list_releases(ws, &only_faye).await.unwrap().is_empty());

        store.delete_release(single.release.id).await.unwrap();
        assert_eq!(titles(store.list_releases(ws, &ReleaseFilter::default()).await.unwrap()), ["Fable"]);
        assert_eq!(store.get_release(single.release.id).await.unwrap_err().code(), "not_found");
        // Faye is credited nowhere now, Dou still is.
        store.delete_artist(faye).await.unwrap();
        assert_eq!(store.delete_artist(dou).await.unwrap_err().code(), "artist_in_use");
    }

    #[tokio::test]
    async fn a_release_needs_a_title_and_an_artist_of_the_roster() {
        let (store, _dir) = store().await;
        let (ws, faye, _) = roster(&store).await;
        let mut input = ReleaseInput::new("  ", ReleaseType::Ep, vec![]);
        input.upc = Some("036000291453".into());
        let err = store.create_release(ws, input).await.unwrap_err();
        let fields: Vec<_> = err.payload().issues.into_iter().map(|i| i.field).collect();
        assert_eq!(fields, ["title", "artist_ids", "upc"]);

        let other = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "Other".into() }).await.unwrap();
        let err = store.create_release(other.id, ReleaseInput::new("X", ReleaseType::Single, vec![faye])).await.unwrap_err();
        assert_eq!(err.code(), "artist_not_in_workspace");
        assert!(store.list_releases(other.id, &ReleaseFilter::default()).await.unwrap().is_empty());
    }

    #[test]
    fn types_parse_from_cli_words() {
        assert_eq!("EP".parse::<ReleaseType>().unwrap(), ReleaseType::Ep);
        assert!("mixtape".parse::<ReleaseType>().unwrap_err().contains("album, ep, single, compilation"));
        assert_eq!("delivered".parse::<ReleaseStatus>().unwrap(), ReleaseStatus::Delivered);
    }
}
