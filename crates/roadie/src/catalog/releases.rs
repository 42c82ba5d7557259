use super::credits::{check_roster, dedup, load_credits, load_role_credits, set_credits, set_role_credits, Credited};
use super::metadata::{
    check_deals, check_language, check_line, check_territories, worldwide, CopyrightLine, Deal,
};
use super::rows::{json, uuid};
use crate::media::ImageAnalysis;
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
    /// "Deluxe Edition", "Remastered 2026": shown after the title.
    pub version: Option<String>,
    /// How the artists are shown when it is not simply the credits ("Faye Wong & Friends").
    pub display_artist: Option<String>,
    pub featuring: Vec<ArtistRef>,
    pub remixers: Vec<ArtistRef>,
    pub p_line: Option<CopyrightLine>,
    pub c_line: Option<CopyrightLine>,
    pub genre: Option<String>,
    pub subgenre: Option<String>,
    /// Language of performance (BCP 47).
    pub language: Option<String>,
    /// When first released anywhere; `release_date` is this release's digital release date.
    pub original_release_date: Option<NaiveDate>,
    /// `["WW"]` for worldwide, else ISO 3166 codes.
    pub territories: Vec<String>,
    pub explicit: bool,
    /// The cover, as analysed when it was set.
    pub artwork: Option<ImageAnalysis>,
    pub deals: Vec<Deal>,
    /// The sender's own id for the release (ERN import).
    pub proprietary_id: Option<String>,
}

impl Release {
    /// The artist line as shown: the override, else the primary artists ("A, B & C") with
    /// featured artists ("feat. D").
    pub fn display_artist_text(&self) -> String {
        display_line(self.display_artist.as_deref(), &self.artists, &self.featuring)
    }
}

pub(crate) fn display_line(display: Option<&str>, primary: &[ArtistRef], featuring: &[ArtistRef]) -> String {
    if let Some(d) = display {
        return d.to_string();
    }
    let join = |names: Vec<&str>| match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} & {last}", rest.join(", ")),
    };
    let mut line = join(primary.iter().map(|a| a.name.as_str()).collect());
    if !featuring.is_empty() {
        line.push_str(&format!(" feat. {}", join(featuring.iter().map(|a| a.name.as_str()).collect())));
    }
    line
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
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub display_artist: Option<String>,
    /// Featured artists from the roster, in credit order.
    #[serde(default)]
    pub featuring_ids: Vec<Uuid>,
    #[serde(default)]
    pub remixer_ids: Vec<Uuid>,
    #[serde(default)]
    pub p_line: Option<CopyrightLine>,
    #[serde(default)]
    pub c_line: Option<CopyrightLine>,
    #[serde(default)]
    pub genre: Option<String>,
    #[serde(default)]
    pub subgenre: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub original_release_date: Option<NaiveDate>,
    /// Worldwide when empty.
    #[serde(default)]
    pub territories: Vec<String>,
    #[serde(default)]
    pub explicit: bool,
    #[serde(default)]
    pub deals: Vec<Deal>,
    #[serde(default)]
    pub proprietary_id: Option<String>,
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
            version: None,
            display_artist: None,
            featuring_ids: Vec::new(),
            remixer_ids: Vec::new(),
            p_line: None,
            c_line: None,
            genre: None,
            subgenre: None,
            language: None,
            original_release_date: None,
            territories: Vec::new(),
            explicit: false,
            deals: Vec::new(),
            proprietary_id: None,
        }
    }

    /// The input that would save `release` as it is: the start of an edit.
    pub fn from_release(release: &Release) -> Self {
        Self {
            title: release.title.clone(),
            release_type: release.release_type,
            artist_ids: release.artists.iter().map(|a| a.id).collect(),
            label_name: release.label_name.clone(),
            release_date: release.release_date,
            catalog_number: release.catalog_number.clone(),
            upc: release.upc.clone(),
            status: Some(release.status),
            version: release.version.clone(),
            display_artist: release.display_artist.clone(),
            featuring_ids: release.featuring.iter().map(|a| a.id).collect(),
            remixer_ids: release.remixers.iter().map(|a| a.id).collect(),
            p_line: release.p_line.clone(),
            c_line: release.c_line.clone(),
            genre: release.genre.clone(),
            subgenre: release.subgenre.clone(),
            language: release.language.clone(),
            original_release_date: release.original_release_date,
            territories: release.territories.clone(),
            explicit: release.explicit,
            deals: release.deals.clone(),
            proprietary_id: release.proprietary_id.clone(),
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
    version: Option<String>,
    display_artist: Option<String>,
    featuring_ids: Vec<Uuid>,
    remixer_ids: Vec<Uuid>,
    p_line: Option<CopyrightLine>,
    c_line: Option<CopyrightLine>,
    genre: Option<String>,
    subgenre: Option<String>,
    language: Option<String>,
    territories: Vec<String>,
    deals: Vec<Deal>,
    proprietary_id: Option<String>,
}

impl ValidRelease {
    fn roster(&self) -> Vec<Uuid> {
        let mut all = self.artist_ids.clone();
        all.extend(&self.featuring_ids);
        all.extend(&self.remixer_ids);
        dedup(&all)
    }
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
    let version = check.optional("version", input.version.as_deref(), 200);
    let display_artist = check.optional("display_artist", input.display_artist.as_deref(), 500);
    let p_line = check_line(&mut check, "p_line", input.p_line.as_ref());
    let c_line = check_line(&mut check, "c_line", input.c_line.as_ref());
    let genre = check.optional("genre", input.genre.as_deref(), 100);
    let subgenre = check.optional("subgenre", input.subgenre.as_deref(), 100);
    if subgenre.is_some() && genre.is_none() {
        check.issue("subgenre", "requires_genre", "a subgenre needs a genre");
    }
    let language = check_language(&mut check, "language", input.language.as_deref());
    if let (Some(original), Some(digital)) = (input.original_release_date, input.release_date) {
        if original > digital {
            check.issue("original_release_date", "after_release_date", "the original release date is after the release date");
        }
    }
    let territories = check_territories(&mut check, "territories", &input.territories);
    let deals = check_deals(&mut check, &input.deals);
    let proprietary_id = check.optional("proprietary_id", input.proprietary_id.as_deref(), 200);
    check.finish("release")?;
    Ok(ValidRelease {
        title,
        artist_ids,
        label_name,
        catalog_number,
        upc,
        version,
        display_artist,
        featuring_ids: dedup(&input.featuring_ids),
        remixer_ids: dedup(&input.remixer_ids),
        p_line,
        c_line,
        genre,
        subgenre,
        language,
        territories,
        deals,
        proprietary_id,
    })
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
        version: row.try_get("version")?,
        display_artist: row.try_get("display_artist")?,
        featuring: Vec::new(),
        remixers: Vec::new(),
        p_line: opt_json(row, "p_line")?,
        c_line: opt_json(row, "c_line")?,
        genre: row.try_get("genre")?,
        subgenre: row.try_get("subgenre")?,
        language: row.try_get("language")?,
        original_release_date: row.try_get("original_release_date")?,
        territories: json(row, "territories")?,
        explicit: row.try_get::<i64, _>("explicit")? != 0,
        artwork: opt_json(row, "artwork")?,
        deals: json(row, "deals")?,
        proprietary_id: row.try_get("proprietary_id")?,
    })
}

pub(crate) fn opt_json<T: serde::de::DeserializeOwned>(row: &SqliteRow, column: &str) -> Result<Option<T>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))).transpose()
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serialisable")
}

/// Loads the featuring and remixer credits of the releases matched by `filter`.
async fn load_extra_credits(
    conn: &mut sqlx::SqliteConnection,
    releases: &mut [Release],
    filter: &str,
    value: &str,
) -> Result<()> {
    let mut featuring = load_role_credits(conn, Credited::Release, "featuring", filter, value).await?;
    let mut remixers = load_role_credits(conn, Credited::Release, "remixer", filter, value).await?;
    for r in releases {
        r.featuring = featuring.remove(&r.id).unwrap_or_default();
        r.remixers = remixers.remove(&r.id).unwrap_or_default();
    }
    Ok(())
}

/// Writes the release builder's fields and the credits of every role.
async fn save_details(
    conn: &mut sqlx::SqliteConnection,
    id: Uuid,
    input: &ReleaseInput,
    valid: &ValidRelease,
    hlc: &str,
) -> Result<()> {
    let territories = if valid.territories.is_empty() { worldwide() } else { valid.territories.clone() };
    sqlx::query(
        "UPDATE releases SET version = ?, display_artist = ?, p_line = ?, c_line = ?, genre = ?, subgenre = ?, \
         language = ?, original_release_date = ?, territories = ?, explicit = ?, deals = ?, proprietary_id = ? \
         WHERE id = ?",
    )
    .bind(&valid.version)
    .bind(&valid.display_artist)
    .bind(valid.p_line.as_ref().map(to_json))
    .bind(valid.c_line.as_ref().map(to_json))
    .bind(&valid.genre)
    .bind(&valid.subgenre)
    .bind(&valid.language)
    .bind(input.original_release_date)
    .bind(to_json(&territories))
    .bind(input.explicit as i64)
    .bind(to_json(&valid.deals))
    .bind(&valid.proprietary_id)
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    set_credits(conn, Credited::Release, id, &valid.artist_ids, hlc).await?;
    set_role_credits(conn, Credited::Release, id, "featuring", &valid.featuring_ids, hlc).await?;
    set_role_credits(conn, Credited::Release, id, "remixer", &valid.remixer_ids, hlc).await?;
    Ok(())
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
        load_extra_credits(
            &mut conn,
            &mut releases,
            "c.release_id IN (SELECT id FROM releases WHERE workspace_id = ? AND deleted = 0)",
            &workspace_id.to_string(),
        )
        .await?;
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
        load_extra_credits(&mut conn, std::slice::from_mut(&mut release), "c.release_id = ?", &id.to_string()).await?;
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
        check_roster(&mut tx, workspace_id, &valid.roster()).await?;
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
        save_details(&mut tx, id, &input, &valid, &hlc).await?;
        tx.commit().await?;
        self.get_release(id).await
    }

    /// Sets (or clears) the release's cover, as analysed.
    pub async fn set_release_artwork(&self, id: Uuid, artwork: Option<&ImageAnalysis>) -> Result<ReleaseDetail> {
        self.get_release(id).await?;
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        sqlx::query("UPDATE releases SET artwork = ?, updated_at = ?, hlc = ? WHERE id = ? AND deleted = 0")
            .bind(artwork.map(to_json))
            .bind(self.clock.now())
            .bind(&hlc)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.get_release(id).await
    }

    pub async fn update_release(&self, id: Uuid, input: ReleaseInput) -> Result<ReleaseDetail> {
        let valid = validate(&input)?;
        let current = self.get_release(id).await?.release;
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        check_roster(&mut tx, current.workspace_id, &valid.roster()).await?;
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
        save_details(&mut tx, id, &input, &valid, &hlc).await?;
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

    #[tokio::test]
    async fn full_release_and_track_metadata_round_trips_and_is_validated() {
        use crate::catalog::{CommercialModel, Contributor, ContributorRole, CopyrightLine, Deal, MusicalWork, TrackInput, UseType, Writer, WriterRole};
        let (store, _dir) = store().await;
        let (ws, faye, dou) = roster(&store).await;
        let mut input = ReleaseInput::new("Fable", ReleaseType::Album, vec![faye]);
        input.version = Some("Deluxe".into());
        input.featuring_ids = vec![dou];
        input.p_line = Some(CopyrightLine { year: 2000, text: "EMI".into() });
        input.c_line = Some(CopyrightLine { year: 2000, text: "EMI".into() });
        input.genre = Some("Pop".into());
        input.subgenre = Some("Mandopop".into());
        input.language = Some("zh-Hans".into());
        input.original_release_date = NaiveDate::from_ymd_opt(2000, 9, 1);
        input.release_date = NaiveDate::from_ymd_opt(2026, 12, 1);
        input.territories = vec!["cn".into(), "HK".into(), "CN".into()];
        input.explicit = true;
        input.deals = vec![Deal {
            commercial_model: CommercialModel::SubscriptionModel,
            use_types: vec![UseType::OnDemandStream],
            territories: vec!["WW".into()],
            start_date: NaiveDate::from_ymd_opt(2026, 12, 1),
        }];
        let r = store.create_release(ws, input.clone()).await.unwrap().release;
        assert_eq!(r.territories, ["CN", "HK"]);
        assert_eq!(r.featuring[0].name, "Dou Wei");
        assert_eq!(r.display_artist_text(), "Faye Wong feat. Dou Wei");
        assert_eq!(r.p_line.as_ref().unwrap().year, 2000);
        assert!(r.explicit);
        assert_eq!(r.deals.len(), 1);
        // Editing from the release as it is changes nothing.
        let again = store.update_release(r.id, ReleaseInput::from_release(&r)).await.unwrap().release;
        assert_eq!((&again.featuring, &again.territories, &again.deals), (&r.featuring, &r.territories, &r.deals));
        let json = serde_json::to_value(&again).unwrap();
        assert_eq!(json["type"], "album");
        assert_eq!(json["p_line"]["text"], "EMI");

        let track = TrackInput {
            contributors: vec![
                Contributor { name: "Zhang Yadong".into(), role: ContributorRole::Producer, instrument: None },
                Contributor { name: "Faye".into(), role: ContributorRole::Performer, instrument: Some("vocals".into()) },
            ],
            work: Some(MusicalWork {
                title: Some("Red Bean".into()),
                iswc: Some("T-910.940.292-8".into()),
                writers: vec![
                    Writer { name: "Lin Xi".into(), role: WriterRole::Lyricist, share: "50".parse().unwrap() },
                    Writer { name: "Ryan".into(), role: WriterRole::Composer, share: "50.00".parse().unwrap() },
                ],
            }),
            language: Some("yue".into()),
            preview_start_ms: Some(30_000),
            duration_ms: Some(240_000),
            explicit: true,
            remixer_ids: vec![dou],
            ..TrackInput::titled("Red Bean")
        };
        let t = store.add_track(r.id, track.clone()).await.unwrap();
        assert_eq!(t.work.as_ref().unwrap().iswc.as_deref(), Some("T9109402928"));
        assert_eq!(t.work.as_ref().unwrap().writers[1].share.to_string(), "50");
        assert_eq!(t.remixers[0].name, "Dou Wei");
        assert_eq!(serde_json::to_value(&t).unwrap()["work"]["writers"][0]["share"], "50");
        let same = store.update_track(t.id, crate::catalog::TrackInput::from_track(&t)).await.unwrap();
        assert_eq!((same.contributors, same.work, same.language), (t.contributors, t.work, t.language));

        let mut bad = input.clone();
        bad.territories = vec!["WW".into(), "CN".into()];
        bad.language = Some("Chinese!".into());
        bad.p_line = Some(CopyrightLine { year: 1800, text: "".into() });
        bad.subgenre = Some("x".into());
        bad.genre = None;
        bad.original_release_date = NaiveDate::from_ymd_opt(2030, 1, 1);
        let err = store.create_release(ws, bad).await.unwrap_err();
        let reasons: Vec<_> = err.payload().issues.into_iter().map(|i| format!("{}:{}", i.field, i.reason)).collect();
        assert_eq!(
            reasons,
            ["p_line:out_of_range", "p_line:required", "subgenre:requires_genre", "language:invalid_language",
             "original_release_date:after_release_date", "territories:invalid_territory"]
        );
        let mut bad_track = track;
        bad_track.work.as_mut().unwrap().iswc = Some("T-910.940.292-7".into());
        bad_track.work.as_mut().unwrap().writers[0].share = "60".parse().unwrap();
        bad_track.preview_start_ms = Some(300_000);
        bad_track.contributors[0].instrument = Some("piano".into());
        let err = store.add_track(r.id, bad_track).await.unwrap_err();
        let reasons: Vec<_> = err.payload().issues.into_iter().map(|i| i.reason).collect();
        assert_eq!(reasons, ["out_of_range", "instrument_not_performer", "invalid_iswc", "shares_over_100"]);
    }

    #[test]
    fn types_parse_from_cli_words() {
        assert_eq!("EP".parse::<ReleaseType>().unwrap(), ReleaseType::Ep);
        assert!("mixtape".parse::<ReleaseType>().unwrap_err().contains("album, ep, single, compilation"));
        assert_eq!("delivered".parse::<ReleaseStatus>().unwrap(), ReleaseStatus::Delivered);
    }
}
