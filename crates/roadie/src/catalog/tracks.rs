use super::credits::{check_roster, dedup, load_credits, load_role_credits, set_credits, set_role_credits, Credited};
use super::metadata::{check_contributors, check_language, check_work, Contributor, MusicalWork};
use super::releases::{display_line, opt_json, to_json, ArtistRef};
use super::rows::{is_unique_violation, json, uuid};
use crate::media::AudioAnalysis;
use crate::error::{Error, Result};
use crate::identifiers::normalize_isrc;
use crate::validate::Checker;
use crate::Store;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Track {
    pub id: Uuid,
    pub release_id: Uuid,
    pub disc_number: u32,
    pub position: u32,
    pub title: String,
    /// "Radio Edit", "Live at ...": shown after the title.
    pub version: Option<String>,
    /// Credited artists when they differ from the release's; empty means the release's artists.
    pub artists: Vec<ArtistRef>,
    pub duration_ms: Option<u32>,
    pub isrc: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub explicit: bool,
    /// Language of performance (BCP 47); the release's when none.
    pub language: Option<String>,
    /// Where a store's preview clip starts.
    pub preview_start_ms: Option<u32>,
    pub display_artist: Option<String>,
    pub featuring: Vec<ArtistRef>,
    pub remixers: Vec<ArtistRef>,
    pub contributors: Vec<Contributor>,
    pub work: Option<MusicalWork>,
    /// The master, as analysed when it was added.
    pub audio: Option<AudioAnalysis>,
}

impl Track {
    /// The artist line as shown; the release's line when the track has no artists of its own.
    pub fn display_artist_text(&self, release_line: &str) -> String {
        if self.display_artist.is_none() && self.artists.is_empty() {
            return release_line.to_string();
        }
        display_line(self.display_artist.as_deref(), &self.artists, &self.featuring)
    }
}

/// What a user enters for a track; used both to add and to edit (the whole record).
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct TrackInput {
    pub title: String,
    pub version: Option<String>,
    /// Disc 1 when not given.
    pub disc_number: Option<u32>,
    /// The next free position on the disc when not given.
    pub position: Option<u32>,
    pub artist_ids: Vec<Uuid>,
    pub duration_ms: Option<u32>,
    pub isrc: Option<String>,
    #[serde(default)]
    pub explicit: bool,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub preview_start_ms: Option<u32>,
    #[serde(default)]
    pub display_artist: Option<String>,
    #[serde(default)]
    pub featuring_ids: Vec<Uuid>,
    #[serde(default)]
    pub remixer_ids: Vec<Uuid>,
    #[serde(default)]
    pub contributors: Vec<Contributor>,
    #[serde(default)]
    pub work: Option<MusicalWork>,
    /// The analysed master (set by "add tracks from files").
    #[serde(default)]
    pub audio: Option<AudioAnalysis>,
}

impl TrackInput {
    pub fn titled(title: &str) -> Self {
        Self { title: title.into(), ..Self::default() }
    }

    /// The input that would save `track` as it is: the start of an edit.
    pub fn from_track(track: &Track) -> Self {
        Self {
            title: track.title.clone(),
            version: track.version.clone(),
            disc_number: Some(track.disc_number),
            position: Some(track.position),
            artist_ids: track.artists.iter().map(|a| a.id).collect(),
            duration_ms: track.duration_ms,
            isrc: track.isrc.clone(),
            explicit: track.explicit,
            language: track.language.clone(),
            preview_start_ms: track.preview_start_ms,
            display_artist: track.display_artist.clone(),
            featuring_ids: track.featuring.iter().map(|a| a.id).collect(),
            remixer_ids: track.remixers.iter().map(|a| a.id).collect(),
            contributors: track.contributors.clone(),
            work: track.work.clone(),
            audio: track.audio.clone(),
        }
    }
}

struct ValidTrack {
    title: String,
    version: Option<String>,
    disc_number: u32,
    isrc: Option<String>,
    artist_ids: Vec<Uuid>,
    language: Option<String>,
    display_artist: Option<String>,
    featuring_ids: Vec<Uuid>,
    remixer_ids: Vec<Uuid>,
    contributors: Vec<Contributor>,
    work: Option<MusicalWork>,
    duration_ms: Option<u32>,
}

impl ValidTrack {
    fn roster(&self) -> Vec<Uuid> {
        let mut all = self.artist_ids.clone();
        all.extend(&self.featuring_ids);
        all.extend(&self.remixer_ids);
        dedup(&all)
    }
}

/// A track is at most this long (a 24-hour field recording is the practical ceiling).
const MAX_DURATION_MS: u32 = 24 * 60 * 60 * 1000;

fn validate(input: &TrackInput) -> Result<ValidTrack> {
    let mut check = Checker::default();
    let title = check.required("title", &input.title, 500);
    let version = check.optional("version", input.version.as_deref(), 200);
    let disc_number = input.disc_number.unwrap_or(1);
    if !(1..=99).contains(&disc_number) {
        check.issue("disc_number", "out_of_range", "disc number must be between 1 and 99");
    }
    if input.position.is_some_and(|p| !(1..=999).contains(&p)) {
        check.issue("position", "out_of_range", "position must be between 1 and 999");
    }
    if input.duration_ms.is_some_and(|d| d == 0 || d > MAX_DURATION_MS) {
        check.issue("duration_ms", "out_of_range", "duration must be more than 0 and at most 24 hours");
    }
    let isrc = check.identifier("isrc", "invalid_isrc", input.isrc.as_deref(), normalize_isrc);
    let language = check_language(&mut check, "language", input.language.as_deref());
    let display_artist = check.optional("display_artist", input.display_artist.as_deref(), 500);
    // The measured duration of the master wins over a typed one.
    let duration_ms = input
        .audio
        .as_ref()
        .map(|a| (a.duration_seconds * 1000.0).round() as u32)
        .filter(|d| *d > 0)
        .or(input.duration_ms);
    if let (Some(start), Some(duration)) = (input.preview_start_ms, duration_ms) {
        if start >= duration {
            check.issue("preview_start_ms", "out_of_range", "the preview starts after the end of the track");
        }
    }
    let contributors = check_contributors(&mut check, &input.contributors);
    let work = check_work(&mut check, input.work.as_ref());
    check.finish("track")?;
    Ok(ValidTrack {
        title,
        version,
        disc_number,
        isrc,
        artist_ids: dedup(&input.artist_ids),
        language,
        display_artist,
        featuring_ids: dedup(&input.featuring_ids),
        remixer_ids: dedup(&input.remixer_ids),
        contributors,
        work,
        duration_ms,
    })
}

fn from_row(row: &SqliteRow) -> Result<Track> {
    Ok(Track {
        id: uuid(row, "id")?,
        release_id: uuid(row, "release_id")?,
        disc_number: row.try_get::<i64, _>("disc_number")? as u32,
        position: row.try_get::<i64, _>("position")? as u32,
        title: row.try_get("title")?,
        version: row.try_get("version")?,
        artists: Vec::new(),
        duration_ms: row.try_get::<Option<i64>, _>("duration_ms")?.map(|d| d as u32),
        isrc: row.try_get("isrc")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        explicit: row.try_get::<i64, _>("explicit")? != 0,
        language: row.try_get("language")?,
        preview_start_ms: row.try_get::<Option<i64>, _>("preview_start_ms")?.map(|d| d as u32),
        display_artist: row.try_get("display_artist")?,
        featuring: Vec::new(),
        remixers: Vec::new(),
        contributors: json(row, "contributors")?,
        work: opt_json(row, "work")?,
        audio: opt_json(row, "audio")?,
    })
}

async fn load_extra_credits(conn: &mut SqliteConnection, tracks: &mut [Track], filter: &str, value: &str) -> Result<()> {
    let mut featuring = load_role_credits(conn, Credited::Track, "featuring", filter, value).await?;
    let mut remixers = load_role_credits(conn, Credited::Track, "remixer", filter, value).await?;
    for t in tracks {
        t.featuring = featuring.remove(&t.id).unwrap_or_default();
        t.remixers = remixers.remove(&t.id).unwrap_or_default();
    }
    Ok(())
}

/// Writes the release builder's fields and the credits of every role.
async fn save_details(conn: &mut SqliteConnection, id: Uuid, input: &TrackInput, valid: &ValidTrack, hlc: &str) -> Result<()> {
    sqlx::query(
        "UPDATE tracks SET explicit = ?, language = ?, preview_start_ms = ?, display_artist = ?, contributors = ?, \
         work = ?, audio = ? WHERE id = ?",
    )
    .bind(input.explicit as i64)
    .bind(&valid.language)
    .bind(input.preview_start_ms.map(i64::from))
    .bind(&valid.display_artist)
    .bind(to_json(&valid.contributors))
    .bind(valid.work.as_ref().map(to_json))
    .bind(input.audio.as_ref().map(to_json))
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    set_credits(conn, Credited::Track, id, &valid.artist_ids, hlc).await?;
    set_role_credits(conn, Credited::Track, id, "featuring", &valid.featuring_ids, hlc).await?;
    set_role_credits(conn, Credited::Track, id, "remixer", &valid.remixer_ids, hlc).await?;
    Ok(())
}

/// The release's workspace, or not-found when the release is gone.
async fn release_workspace(conn: &mut SqliteConnection, release_id: Uuid) -> Result<Uuid> {
    let row = sqlx::query("SELECT workspace_id FROM releases WHERE id = ? AND deleted = 0")
        .bind(release_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::not_found("release", release_id))?;
    uuid(&row, "workspace_id")
}

/// Fails when another live track of the release holds `disc`/`position`.
async fn check_position_free(
    conn: &mut SqliteConnection,
    release_id: Uuid,
    disc: u32,
    position: u32,
    except: Option<Uuid>,
) -> Result<()> {
    let holder: Option<String> = sqlx::query_scalar(
        "SELECT id FROM tracks WHERE release_id = ? AND disc_number = ? AND position = ? AND deleted = 0",
    )
    .bind(release_id.to_string())
    .bind(disc as i64)
    .bind(position as i64)
    .fetch_optional(&mut *conn)
    .await?;
    match holder {
        Some(id) if Some(id.as_str()) != except.map(|e| e.to_string()).as_deref() => {
            Err(Error::PositionTaken { disc, position })
        }
        _ => Ok(()),
    }
}

fn position_race(err: sqlx::Error, disc: u32, position: u32) -> Error {
    if is_unique_violation(&err, "tracks.release_id") {
        Error::PositionTaken { disc, position }
    } else {
        Error::Database(err)
    }
}

impl Store {
    /// Live tracks of a release, by disc and position.
    pub async fn list_tracks(&self, release_id: Uuid) -> Result<Vec<Track>> {
        let mut conn = self.pool.acquire().await?;
        // (Then by id: two tracks at one position, from two devices, list alike everywhere.)
        let rows = sqlx::query("SELECT * FROM tracks WHERE release_id = ? AND deleted = 0 ORDER BY disc_number, position, id")
            .bind(release_id.to_string())
            .fetch_all(&mut *conn)
            .await?;
        let mut tracks = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        let mut credits = load_credits(
            &mut conn,
            Credited::Track,
            "c.track_id IN (SELECT id FROM tracks WHERE release_id = ? AND deleted = 0)",
            &release_id.to_string(),
        )
        .await?;
        for track in &mut tracks {
            track.artists = credits.remove(&track.id).unwrap_or_default();
        }
        load_extra_credits(
            &mut conn,
            &mut tracks,
            "c.track_id IN (SELECT id FROM tracks WHERE release_id = ? AND deleted = 0)",
            &release_id.to_string(),
        )
        .await?;
        Ok(tracks)
    }

    pub async fn get_track(&self, id: Uuid) -> Result<Track> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query("SELECT * FROM tracks WHERE id = ? AND deleted = 0")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| Error::not_found("track", id))?;
        let mut track = from_row(&row)?;
        track.artists = load_credits(&mut conn, Credited::Track, "c.track_id = ?", &id.to_string())
            .await?
            .remove(&id)
            .unwrap_or_default();
        load_extra_credits(&mut conn, std::slice::from_mut(&mut track), "c.track_id = ?", &id.to_string()).await?;
        Ok(track)
    }

    /// Adds a track to a release, at the given position or after the last one on its disc.
    pub async fn add_track(&self, release_id: Uuid, input: TrackInput) -> Result<Track> {
        let mut tx = self.write().await?;
        let id = self.insert_track(&mut tx, release_id, &input).await?;
        tx.commit().await?;
        self.get_track(id).await
    }

    /// Adds several tracks in one transaction: all of them or none.
    pub async fn add_tracks(&self, release_id: Uuid, inputs: &[TrackInput]) -> Result<Vec<Track>> {
        let mut tx = self.write().await?;
        let mut ids = Vec::with_capacity(inputs.len());
        for input in inputs {
            ids.push(self.insert_track(&mut tx, release_id, input).await?);
        }
        tx.commit().await?;
        let mut tracks = Vec::with_capacity(ids.len());
        for id in ids {
            tracks.push(self.get_track(id).await?);
        }
        Ok(tracks)
    }

    async fn insert_track(&self, tx: &mut SqliteConnection, release_id: Uuid, input: &TrackInput) -> Result<Uuid> {
        let valid = validate(input)?;
        let id = self.ids.new_id();
        let now = self.clock.now();
        let hlc = self.stamp();
        let workspace = release_workspace(&mut *tx, release_id).await?;
        check_roster(&mut *tx, workspace, &valid.roster()).await?;
        let position = match input.position {
            Some(p) => p,
            None => {
                let last: Option<i64> = sqlx::query_scalar(
                    "SELECT MAX(position) FROM tracks WHERE release_id = ? AND disc_number = ? AND deleted = 0",
                )
                .bind(release_id.to_string())
                .bind(valid.disc_number as i64)
                .fetch_one(&mut *tx)
                .await?;
                last.unwrap_or(0) as u32 + 1
            }
        };
        check_position_free(&mut *tx, release_id, valid.disc_number, position, None).await?;
        sqlx::query(
            "INSERT INTO tracks (id, release_id, disc_number, position, title, version, duration_ms, isrc, created_at, \
             updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(release_id.to_string())
        .bind(valid.disc_number as i64)
        .bind(position as i64)
        .bind(&valid.title)
        .bind(&valid.version)
        .bind(valid.duration_ms.map(i64::from))
        .bind(&valid.isrc)
        .bind(now)
        .bind(now)
        .bind(&hlc)
        .execute(&mut *tx)
        .await
        .map_err(|e| position_race(e, valid.disc_number, position))?;
        save_details(&mut *tx, id, input, &valid, &hlc).await?;
        Self::touch_release(&mut *tx, release_id, now).await?;
        Ok(id)
    }

    pub async fn update_track(&self, id: Uuid, input: TrackInput) -> Result<Track> {
        let valid = validate(&input)?;
        let current = self.get_track(id).await?;
        let position = input.position.unwrap_or(current.position);
        let now = self.clock.now();
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        let workspace = release_workspace(&mut tx, current.release_id).await?;
        check_roster(&mut tx, workspace, &valid.roster()).await?;
        // (Only a move is checked: two tracks that share a position after a sync — each added on
        // its own device — can still be edited while the user renumbers them.)
        if (valid.disc_number, position) != (current.disc_number, current.position) {
            check_position_free(&mut tx, current.release_id, valid.disc_number, position, Some(id)).await?;
        }
        sqlx::query(
            "UPDATE tracks SET disc_number = ?, position = ?, title = ?, version = ?, duration_ms = ?, isrc = ?, \
             updated_at = ?, hlc = ? WHERE id = ? AND deleted = 0",
        )
        .bind(valid.disc_number as i64)
        .bind(position as i64)
        .bind(&valid.title)
        .bind(&valid.version)
        .bind(valid.duration_ms.map(i64::from))
        .bind(&valid.isrc)
        .bind(now)
        .bind(&hlc)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(|e| position_race(e, valid.disc_number, position))?;
        save_details(&mut tx, id, &input, &valid, &hlc).await?;
        Self::touch_release(&mut tx, current.release_id, now).await?;
        tx.commit().await?;
        self.get_track(id).await
    }

    /// Tombstones a track; the positions after it are left as they are (the user renumbers).
    pub async fn delete_track(&self, id: Uuid) -> Result<()> {
        let current = self.get_track(id).await?;
        let now = self.clock.now();
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        sqlx::query("UPDATE track_artists SET deleted = 1, hlc = ? WHERE track_id = ? AND deleted = 0")
            .bind(&hlc)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE tracks SET deleted = 1, updated_at = ?, hlc = ? WHERE id = ?")
            .bind(now)
            .bind(&hlc)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        Self::touch_release(&mut tx, current.release_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A track change is a change of its release too (its "last edited" moves); the release's
    /// own field clock stays, since none of its fields changed.
    async fn touch_release(conn: &mut SqliteConnection, release_id: Uuid, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE releases SET updated_at = ? WHERE id = ?")
            .bind(now)
            .bind(release_id.to_string())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing::store;
    use crate::catalog::{ArtistInput, NewWorkspace, ReleaseInput, ReleaseType, WorkspaceKind};

    async fn release(store: &Store) -> (Uuid, Uuid) {
        let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Artist, name: "Me".into() }).await.unwrap().id;
        let me = store.create_artist(ws, ArtistInput::named("Me")).await.unwrap().id;
        let r = store.create_release(ws, ReleaseInput::new("Debut", ReleaseType::Ep, vec![me])).await.unwrap();
        (r.release.id, me)
    }

    #[tokio::test]
    async fn tracks_number_themselves_and_positions_are_unique_per_disc() {
        let (store, _dir) = store().await;
        let (rel, me) = release(&store).await;
        let one = store.add_track(rel, TrackInput::titled("Intro")).await.unwrap();
        let two = store
            .add_track(
                rel,
                TrackInput {
                    isrc: Some("cn-a01-26-00002".into()),
                    duration_ms: Some(215_000),
                    artist_ids: vec![me],
                    version: Some("Radio Edit".into()),
                    ..TrackInput::titled("Song")
                },
            )
            .await
            .unwrap();
        assert_eq!((one.disc_number, one.position, two.position), (1, 1, 2));
        assert_eq!(two.isrc.as_deref(), Some("CNA012600002"));
        assert_eq!(two.artists[0].name, "Me");

        let clash = store.add_track(rel, TrackInput { position: Some(2), ..TrackInput::titled("Dup") }).await.unwrap_err();
        assert_eq!(clash.code(), "position_taken");
        assert_eq!(clash.to_string(), "disc 1 already has a track at position 2");
        // Same position on another disc is fine.
        let disc2 = store
            .add_track(rel, TrackInput { disc_number: Some(2), ..TrackInput::titled("Bonus") })
            .await
            .unwrap();
        assert_eq!((disc2.disc_number, disc2.position), (2, 1));

        let detail = store.get_release(rel).await.unwrap();
        let order: Vec<_> = detail.tracks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(order, ["Intro", "Song", "Bonus"]);
        assert_eq!(detail.release.track_count, 3);

        // Moving onto a taken place is refused; onto a free one works; deleting frees its place.
        let err = store.update_track(one.id, TrackInput { position: Some(2), ..TrackInput::titled("Intro") }).await;
        assert_eq!(err.unwrap_err().code(), "position_taken");
        store.delete_track(two.id).await.unwrap();
        let moved = store.update_track(one.id, TrackInput { position: Some(2), ..TrackInput::titled("Intro") }).await.unwrap();
        assert_eq!(moved.position, 2);
        assert_eq!(store.get_release(rel).await.unwrap().release.track_count, 2);
    }

    #[tokio::test]
    async fn adding_several_tracks_is_all_or_nothing() {
        let (store, _dir) = store().await;
        let (rel, _) = release(&store).await;
        let bad = TrackInput { isrc: Some("XX".into()), ..TrackInput::titled("Bad") };
        let err = store.add_tracks(rel, &[TrackInput::titled("Good"), bad]).await.unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(store.list_tracks(rel).await.unwrap().is_empty());
        let added = store.add_tracks(rel, &[TrackInput::titled("A"), TrackInput::titled("B")]).await.unwrap();
        assert_eq!(added.iter().map(|t| t.position).collect::<Vec<_>>(), [1, 2]);
    }

    #[tokio::test]
    async fn invalid_tracks_are_refused_with_every_reason() {
        let (store, _dir) = store().await;
        let (rel, _) = release(&store).await;
        let err = store
            .add_track(
                rel,
                TrackInput {
                    title: "".into(),
                    isrc: Some("XX".into()),
                    duration_ms: Some(0),
                    disc_number: Some(0),
                    ..TrackInput::default()
                },
            )
            .await
            .unwrap_err();
        let fields: Vec<_> = err.payload().issues.into_iter().map(|i| i.field).collect();
        assert_eq!(fields, ["title", "disc_number", "duration_ms", "isrc"]);
        assert_eq!(store.add_track(Uuid::nil(), TrackInput::titled("x")).await.unwrap_err().code(), "not_found");
        assert!(store.list_tracks(rel).await.unwrap().is_empty());
    }
}
