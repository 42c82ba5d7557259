//! Matching statement lines to the catalog: by ISRC, then UPC, then normalised title + artist;
//! the user's remembered rules (made from the unmatched queue) apply at each step after the
//! catalog's own identifiers. What matches nothing waits in the unmatched queue.

use super::normalise::{self, title_artist_key};
use super::dates::YearMonth;
use super::rollup::Rollup;
use super::NormalLine;
use crate::error::{Error, Result};
use crate::Store;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::str::FromStr;
use ts_rs::TS;
use uuid::Uuid;

/// Where a line was matched to, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub track_id: Option<String>,
    pub release_id: Option<String>,
    pub by: &'static str,
}

type Target = (Option<String>, Option<String>);
/// isrc, title, artist, lines, units
type GroupRow = (Option<String>, Option<String>, Option<String>, i64, i64);
/// id, isrc, title, artist, reporting_period, currency, units, amount
type CandidateRow = (i64, Option<String>, Option<String>, Option<String>, String, String, i64, String, String, Option<String>);

/// The catalog and the rules, in memory for the length of an import (a catalog is small).
#[derive(Debug, Default)]
pub(crate) struct Matcher {
    isrc: HashMap<String, Target>,
    upc: HashMap<String, String>,
    title_artist: HashMap<String, Target>,
    rules: HashMap<(String, String), Target>,
}

impl Matcher {
    pub async fn load(conn: &mut SqliteConnection) -> Result<Matcher> {
        let mut m = Matcher::default();
        let tracks: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT t.id, t.release_id, t.isrc FROM tracks t JOIN releases r ON r.id = t.release_id AND r.deleted = 0 \
             WHERE t.deleted = 0 AND t.isrc IS NOT NULL",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (id, release, isrc) in tracks {
            if let Some(isrc) = isrc {
                m.isrc.entry(isrc).or_insert((Some(id), Some(release)));
            }
        }
        let releases: Vec<(String, String)> =
            sqlx::query_as("SELECT id, upc FROM releases WHERE deleted = 0 AND upc IS NOT NULL").fetch_all(&mut *conn).await?;
        for (id, upc) in releases {
            if let Some(upc) = normalise::upc(&upc) {
                m.upc.entry(upc.trim_start_matches('0').to_string()).or_insert(id);
            }
        }
        // Each track under each artist credited on it, or on its release when it has none.
        let named: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT t.id, t.release_id, t.title, a.name FROM tracks t \
               JOIN track_artists ta ON ta.track_id = t.id AND ta.deleted = 0 JOIN artists a ON a.id = ta.artist_id \
               WHERE t.deleted = 0 \
             UNION ALL \
             SELECT t.id, t.release_id, t.title, a.name FROM tracks t \
               JOIN releases r ON r.id = t.release_id AND r.deleted = 0 \
               JOIN release_artists ra ON ra.release_id = t.release_id AND ra.deleted = 0 JOIN artists a ON a.id = ra.artist_id \
               WHERE t.deleted = 0",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (id, release, title, artist) in named {
            if let Some(key) = title_artist_key(&title, &artist) {
                m.title_artist.entry(key).or_insert((Some(id), Some(release)));
            }
        }
        let rules: Vec<(String, String, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT match_kind, match_key, track_id, release_id FROM match_rules WHERE deleted = 0")
                .fetch_all(&mut *conn)
                .await?;
        for (kind, key, track, release) in rules {
            m.rules.insert((kind, key), (track, release));
        }
        Ok(m)
    }

    fn rule(&self, kind: &str, key: &str) -> Option<&Target> {
        if self.rules.is_empty() {
            return None;
        }
        self.rules.get(&(kind.to_string(), key.to_string()))
    }

    pub fn find(&self, line: &NormalLine) -> Option<Match> {
        let hit = |t: &Target, by: &'static str| Some(Match { track_id: t.0.clone(), release_id: t.1.clone(), by });
        if let Some(isrc) = &line.isrc {
            if let Some(t) = self.isrc.get(isrc) {
                return hit(t, "isrc");
            }
            if let Some(t) = self.rule("isrc", isrc) {
                return hit(t, "rule");
            }
        }
        if let Some(upc) = &line.upc {
            if let Some(release) = self.upc.get(upc.trim_start_matches('0')) {
                return Some(Match { track_id: None, release_id: Some(release.clone()), by: "upc" });
            }
            if let Some(t) = self.rule("upc", upc) {
                return hit(t, "rule");
            }
        }
        let title = line.title.as_deref()?;
        let artist = line.artist.as_deref().unwrap_or("");
        let key = title_artist_key(title, artist)?;
        if let Some(t) = self.title_artist.get(&key) {
            return hit(t, "title_artist");
        }
        // "A feat. B", "A & B", "A, B": the first credited name.
        let first = artist.split([',', '&', ';', '/']).next().unwrap_or(artist);
        let first = first.split(" feat").next().unwrap_or(first).split(" ft.").next().unwrap_or(first);
        if first.len() < artist.len() {
            if let Some(t) = title_artist_key(title, first).and_then(|k| self.title_artist.get(&k)) {
                return hit(t, "title_artist");
            }
        }
        self.rule("title_artist", &key).and_then(|t| hit(t, "rule"))
    }
}

/// A group of unmatched lines that share ISRC, title and artist.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UnmatchedGroup {
    pub isrc: Option<String>,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub lines: u64,
    pub units: i64,
}

/// What a group of lines belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum AssignTarget {
    Track(Uuid),
    Release(Uuid),
}

/// Which unmatched lines an assignment takes (and the rule remembers).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AssignBy {
    Isrc { isrc: String },
    TitleArtist { title: String, artist: String },
}

impl Store {
    /// The unmatched queue, largest groups first.
    pub async fn unmatched_groups(&self, limit: u32) -> Result<Vec<UnmatchedGroup>> {
        let rows: Vec<GroupRow> = sqlx::query_as(
            "SELECT isrc, title, artist, COUNT(*), SUM(units) FROM statement_lines \
             WHERE track_id IS NULL AND release_id IS NULL GROUP BY isrc, title, artist ORDER BY COUNT(*) DESC, title LIMIT ?",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(isrc, title, artist, lines, units)| UnmatchedGroup { isrc, title, artist, lines: lines as u64, units })
            .collect())
    }

    /// How many lines wait in the unmatched queue.
    pub async fn unmatched_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM statement_lines WHERE track_id IS NULL AND release_id IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    /// Assigns every unmatched line with this ISRC (or title + artist) to a track or release, and
    /// remembers the rule for later imports. Returns how many lines moved.
    pub async fn assign_unmatched(&self, by: AssignBy, target: AssignTarget) -> Result<u64> {
        let (kind, key) = match &by {
            AssignBy::Isrc { isrc } => (
                "isrc",
                normalise::isrc(isrc).ok_or_else(|| {
                    Error::invalid("assignment", vec![crate::FieldIssue::new("isrc", "invalid_isrc", format!("'{isrc}' is not an ISRC"))])
                })?,
            ),
            AssignBy::TitleArtist { title, artist } => (
                "title_artist",
                title_artist_key(title, artist).ok_or_else(|| {
                    Error::invalid("assignment", vec![crate::FieldIssue::new("title", "required", "a title is required")])
                })?,
            ),
        };
        let now = self.clock.now();
        let hlc = self.stamp();
        let rule_id = self.ids.new_id().to_string();
        let mut tx = self.write().await?;
        let (track_id, release_id) = match target {
            AssignTarget::Track(id) => {
                let release: Option<String> = sqlx::query_scalar("SELECT release_id FROM tracks WHERE id = ? AND deleted = 0")
                    .bind(id.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                (Some(id.to_string()), Some(release.ok_or_else(|| Error::not_found("track", id))?))
            }
            AssignTarget::Release(id) => {
                let found: Option<String> = sqlx::query_scalar("SELECT id FROM releases WHERE id = ? AND deleted = 0")
                    .bind(id.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                (None, Some(found.ok_or_else(|| Error::not_found("release", id))?))
            }
        };
        sqlx::query("UPDATE match_rules SET deleted = 1, hlc = ? WHERE match_kind = ? AND match_key = ? AND deleted = 0")
            .bind(&hlc)
            .bind(kind)
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO match_rules (id, match_kind, match_key, track_id, release_id, created_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&rule_id)
        .bind(kind)
        .bind(&key)
        .bind(&track_id)
        .bind(&release_id)
        .bind(now)
        .bind(&hlc)
        .execute(&mut *tx)
        .await?;

        // The queue's lines this rule takes.
        let candidates: Vec<CandidateRow> = sqlx::query_as(
            "SELECT id, isrc, title, artist, reporting_period, currency, units, amount, store, territory FROM statement_lines \
             WHERE track_id IS NULL AND release_id IS NULL",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut rollup = Rollup::default();
        let mut moved = Vec::new();
        // The artist dimension's item: the track, or the release for a release-level match.
        let new_item = track_id.as_deref().or(release_id.as_deref()).unwrap_or("").to_string();
        for (id, isrc, title, artist, period, currency, units, amount, store, territory) in candidates {
            let takes = match kind {
                "isrc" => isrc.as_deref() == Some(key.as_str()),
                _ => title_artist_key(title.as_deref().unwrap_or(""), artist.as_deref().unwrap_or("")).as_deref() == Some(key.as_str()),
            };
            if !takes {
                continue;
            }
            let amount = Decimal::from_str(&amount).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
            let period: YearMonth = period.parse().map_err(|e: String| Error::Database(sqlx::Error::Decode(e.into())))?;
            // dims 2 and 3 of the rollup: track, release.
            for (dim, new_key) in [(2, track_id.as_deref().unwrap_or("")), (3, release_id.as_deref().unwrap_or(""))] {
                rollup.add_to(dim, "", period, &currency, -units, -amount);
                rollup.add_to(dim, new_key, period, &currency, units, amount);
            }
            for (dim, key) in [(0, store.as_str()), (1, territory.as_deref().unwrap_or(""))] {
                rollup.add_item(dim, "", key, period, &currency, -units, -amount);
                rollup.add_item(dim, &new_item, key, period, &currency, units, amount);
            }
            moved.push(id);
        }
        for chunk in moved.chunks(500) {
            let sql = format!(
                "UPDATE statement_lines SET track_id = ?, release_id = ?, matched_by = 'rule' WHERE id IN ({})",
                vec!["?"; chunk.len()].join(", ")
            );
            // A line's release is its track's; lines keep a release of their own only when
            // matched to a release and no track.
            let line_release = if track_id.is_some() { None } else { release_id.clone() };
            let mut q = sqlx::query(&sql).bind(&track_id).bind(line_release);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *tx).await?;
        }
        rollup.merge_into(&mut tx).await?;
        tx.commit().await?;
        Ok(moved.len() as u64)
    }
}
