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
use rustc_hash::FxHashMap;
use std::fmt::Write;
use std::str::FromStr;
use ts_rs::TS;
use uuid::Uuid;

/// Where a line was matched to (an index into the matcher's targets: see [`Matcher::target`]),
/// and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub target: u32,
    pub by: &'static str,
}

/// A matched line's track (absent for a release-level match) and release.
type Target = (Option<String>, Option<String>);
/// isrc, title, artist, lines, units
type GroupRow = (Option<String>, Option<String>, Option<String>, i64, i64);
/// id, isrc, title, artist, reporting_period, currency, units, amount, store, territory, ledger
type CandidateRow = (i64, Option<String>, Option<String>, Option<String>, String, String, i64, String, String, Option<String>, String);

/// The catalog and the rules, in memory for the length of an import (a catalog is small). Every
/// map points into `targets`, so a match is an index: no string is copied per line.
#[derive(Debug, Default)]
pub(crate) struct Matcher {
    targets: Vec<Target>,
    target_ids: FxHashMap<Target, u32>,
    isrc: FxHashMap<String, u32>,
    upc: FxHashMap<String, u32>,
    title_artist: FxHashMap<String, u32>,
    rules: FxHashMap<(String, String), u32>,
}

/// Remembers the title + artist step's answer per (title, artist) of an import: the same few
/// titles repeat on most lines that reach it, and the step builds normalised keys.
#[derive(Debug, Default)]
pub(crate) struct MatchCache {
    by_title_artist: FxHashMap<Box<str>, Option<Match>>,
    key: String,
}

/// Distinct (title, artist) answers a cache keeps (memory stays flat on any file).
const CACHE_ENTRIES: usize = 50_000;

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
                if !m.isrc.contains_key(&isrc) {
                    let t = m.target_of((Some(id), Some(release)));
                    m.isrc.insert(isrc, t);
                }
            }
        }
        let releases: Vec<(String, String)> =
            sqlx::query_as("SELECT id, upc FROM releases WHERE deleted = 0 AND upc IS NOT NULL").fetch_all(&mut *conn).await?;
        for (id, upc) in releases {
            if let Some(upc) = normalise::upc(&upc) {
                let key = upc.trim_start_matches('0').to_string();
                if !m.upc.contains_key(&key) {
                    let t = m.target_of((None, Some(id)));
                    m.upc.insert(key, t);
                }
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
                if !m.title_artist.contains_key(&key) {
                    let t = m.target_of((Some(id), Some(release)));
                    m.title_artist.insert(key, t);
                }
            }
        }
        let rules: Vec<(String, String, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT match_kind, match_key, track_id, release_id FROM match_rules WHERE deleted = 0")
                .fetch_all(&mut *conn)
                .await?;
        for (kind, key, track, release) in rules {
            let t = m.target_of((track, release));
            m.rules.insert((kind, key), t);
        }
        Ok(m)
    }

    /// The index of a target (the same for equal targets).
    fn target_of(&mut self, target: Target) -> u32 {
        if let Some(&i) = self.target_ids.get(&target) {
            return i;
        }
        let i = u32::try_from(self.targets.len()).expect("a catalog of fewer than 4 billion targets");
        self.targets.push(target.clone());
        self.target_ids.insert(target, i);
        i
    }

    /// A matcher that knows only these targets (for tests of what uses matches).
    #[cfg(test)]
    pub(crate) fn with_targets(targets: Vec<Target>) -> Matcher {
        let mut m = Matcher::default();
        for t in targets {
            m.target_of(t);
        }
        m
    }

    /// A match's track (absent for a release-level match) and release.
    pub fn target(&self, m: &Match) -> (Option<&str>, Option<&str>) {
        let (track, release) = &self.targets[m.target as usize];
        (track.as_deref(), release.as_deref())
    }

    fn rule(&self, kind: &str, key: &str) -> Option<u32> {
        if self.rules.is_empty() {
            return None;
        }
        self.rules.get(&(kind.to_string(), key.to_string())).copied()
    }

    /// The line's match: by ISRC, then UPC, then title + artist (rules after the catalog at each
    /// step), remembering the title + artist step's answers in `cache` (one cache
    /// per import: the answers depend on this matcher only).
    pub fn find_cached(&self, line: &NormalLine, cache: &mut MatchCache) -> Option<Match> {
        let hit = |target: u32, by: &'static str| Some(Match { target, by });
        if let Some(isrc) = &line.isrc {
            if let Some(&t) = self.isrc.get(isrc.as_str()) {
                return hit(t, "isrc");
            }
            if let Some(t) = self.rule("isrc", isrc) {
                return hit(t, "rule");
            }
        }
        if let Some(upc) = &line.upc {
            if let Some(&t) = self.upc.get(upc.trim_start_matches('0')) {
                return hit(t, "upc");
            }
            if let Some(t) = self.rule("upc", upc) {
                return hit(t, "rule");
            }
        }
        let title = line.title.as_deref()?;
        let artist = line.artist.as_deref().unwrap_or("");
        // Keyed by the title's length too: no two (title, artist) pairs share a key.
        cache.key.clear();
        let _ = write!(cache.key, "{}:", title.len());
        cache.key.push_str(title);
        cache.key.push_str(artist);
        if let Some(&known) = cache.by_title_artist.get(cache.key.as_str()) {
            return known;
        }
        let found = self.by_title_artist(title, artist);
        if cache.by_title_artist.len() < CACHE_ENTRIES {
            cache.by_title_artist.insert(cache.key.as_str().into(), found);
        }
        found
    }

    /// The title + artist step: the catalog's names, then the first credited artist, then a rule.
    fn by_title_artist(&self, title: &str, artist: &str) -> Option<Match> {
        let hit = |target: u32, by: &'static str| Some(Match { target, by });
        let key = title_artist_key(title, artist)?;
        if let Some(&t) = self.title_artist.get(&key) {
            return hit(t, "title_artist");
        }
        // "A feat. B", "A & B", "A, B": the first credited name.
        let first = artist.split([',', '&', ';', '/']).next().unwrap_or(artist);
        let first = first.split(" feat").next().unwrap_or(first).split(" ft.").next().unwrap_or(first);
        if first.len() < artist.len() {
            if let Some(&t) = title_artist_key(title, first).and_then(|k| self.title_artist.get(&k)) {
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
    /// The unmatched queue of the ledger kept now, largest groups first. (An assignment is a
    /// catalog rule: it takes every ledger's lines.) `+file_seq`: the queue's own index, not the
    /// file index (which would read every line of the ledger's files).
    pub async fn unmatched_groups(&self, limit: u32) -> Result<Vec<UnmatchedGroup>> {
        let rows: Vec<GroupRow> = sqlx::query_as(
            "SELECT isrc, title, artist, COUNT(*), SUM(units) FROM statement_lines \
             WHERE track_id IS NULL AND release_id IS NULL AND +file_seq IN (SELECT seq FROM ledger_files) \
             GROUP BY isrc, title, artist ORDER BY COUNT(*) DESC, title LIMIT ?",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(isrc, title, artist, lines, units)| UnmatchedGroup { isrc, title, artist, lines: lines as u64, units })
            .collect())
    }

    /// How many lines of the ledger kept now wait in the unmatched queue.
    pub async fn unmatched_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM statement_lines \
             WHERE track_id IS NULL AND release_id IS NULL AND +file_seq IN (SELECT seq FROM ledger_files)",
        )
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
        let mut tx = self.write().await?;
        // From the key (in the account's scope): two devices making a rule for one key offline
        // make one row, which syncs as one (two ids would clash on the key's unique index).
        let scope = super::ledger::own_scope(&mut tx).await?;
        let rule_id = crate::clock::derived_id("match_rule", &[&scope, kind, &key]).to_string();
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
        // (A rule made before ids came from the key has its own id.)
        sqlx::query("UPDATE match_rules SET deleted = 1, hlc = ? WHERE match_kind = ? AND match_key = ? AND deleted = 0 AND id <> ?")
            .bind(&hlc)
            .bind(kind)
            .bind(&key)
            .bind(&rule_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO match_rules (id, match_kind, match_key, track_id, release_id, created_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET track_id = excluded.track_id, release_id = excluded.release_id, \
             created_at = excluded.created_at, hlc = excluded.hlc, deleted = 0",
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
            "SELECT l.id, l.isrc, l.title, l.artist, l.reporting_period, l.currency, l.units, l.amount, l.store, l.territory, \
                    ifnull(f.workspace_id, '') \
             FROM statement_lines l JOIN statement_files f ON f.seq = l.file_seq \
             WHERE l.track_id IS NULL AND l.release_id IS NULL",
        )
        .fetch_all(&mut *tx)
        .await?;
        // A rollup per ledger: each line's totals move within the ledger of its file.
        let mut rollups: rustc_hash::FxHashMap<String, Rollup> = rustc_hash::FxHashMap::default();
        let mut moved = Vec::new();
        // The artist dimension's item: the track, or the release for a release-level match.
        let new_item = track_id.as_deref().or(release_id.as_deref()).unwrap_or("").to_string();
        for (id, isrc, title, artist, period, currency, units, amount, store, territory, ledger) in candidates {
            let takes = match kind {
                "isrc" => isrc.as_deref() == Some(key.as_str()),
                _ => title_artist_key(title.as_deref().unwrap_or(""), artist.as_deref().unwrap_or("")).as_deref() == Some(key.as_str()),
            };
            if !takes {
                continue;
            }
            let amount = Decimal::from_str(&amount).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
            let period: YearMonth = period.parse().map_err(|e: String| Error::Database(sqlx::Error::Decode(e.into())))?;
            let rollup = rollups.entry(ledger).or_default();
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
        for (ledger, rollup) in rollups {
            rollup.merge_into(&mut tx, &ledger).await?;
        }
        tx.commit().await?;
        Ok(moved.len() as u64)
    }
}
