//! Earnings reports: by month, store, territory, release or track; one row per key and
//! currency, units summed, amounts exact. Read from the rollup (a few rows per period, so fast
//! at any number of lines); filtered by artist, they sum that artist's lines.

use super::dates::YearMonth;
use crate::error::{Error, Result};
use crate::Store;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::str::FromStr;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportBy {
    Month,
    Store,
    Territory,
    Release,
    Track,
}

impl std::str::FromStr for ReportBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "month" => ReportBy::Month,
            "store" => ReportBy::Store,
            "territory" => ReportBy::Territory,
            "release" => ReportBy::Release,
            "track" => ReportBy::Track,
            other => return Err(format!("cannot report by '{other}' (month, store, territory, release, track)")),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct ReportFilter {
    /// Only this reporting month.
    #[ts(type = "string | null")]
    pub period: Option<YearMonth>,
    /// Only lines of this artist's tracks and releases.
    pub artist_id: Option<Uuid>,
    /// Only this currency.
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportRow {
    /// The month (YYYY-MM), store name, ISO territory (`unknown` when none), or release/track id
    /// (`unmatched` for lines not matched to one).
    pub key: String,
    pub currency: String,
    pub units: i64,
    #[ts(type = "string")]
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RoyaltyReport {
    pub by: ReportBy,
    pub rows: Vec<ReportRow>,
}

fn decode(amount: &str) -> Result<Decimal> {
    Decimal::from_str(amount).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))
}

impl Store {
    /// Reports cover the ledger the store keeps now (its statement files' lines).
    pub async fn royalty_report(&self, by: ReportBy, filter: &ReportFilter) -> Result<RoyaltyReport> {
        super::rollup::ensure_rollup(self).await?;
        let totals = match (filter.artist_id, by) {
            (None, _) => self.totals_from_rollup(by, filter).await?,
            (Some(artist), ReportBy::Month | ReportBy::Track | ReportBy::Release) => {
                self.artist_totals_from_rollup(by, filter, artist).await?
            }
            // Store or territory x catalog item rows: the artist's items, by primary key.
            (Some(artist), ReportBy::Store | ReportBy::Territory) => self.artist_totals_from_items(by, filter, artist).await?,
        };
        Ok(finish(by, totals))
    }

    /// The same report summed from the lines themselves (what the rollup must always agree with).
    #[cfg(test)]
    pub(crate) async fn royalty_report_from_lines(&self, by: ReportBy, filter: &ReportFilter) -> Result<RoyaltyReport> {
        Ok(finish(by, self.totals_from_lines(by, filter).await?))
    }

    async fn totals_from_rollup(&self, by: ReportBy, filter: &ReportFilter) -> Result<Totals> {
        let mut totals = Totals::default();
        let (dim, key) = match by {
            ReportBy::Month => ("store", "period"),
            ReportBy::Store => ("store", "key"),
            ReportBy::Territory => ("territory", "key"),
            ReportBy::Release => ("release", "key"),
            ReportBy::Track => ("track", "key"),
        };
        let sql = format!(
            "SELECT {key}, currency, units, amount FROM royalty_rollup \
             WHERE ledger = (SELECT ledger FROM current_ledger) AND dim = ?1 \
             AND (?2 IS NULL OR period = ?2) AND (?3 IS NULL OR currency = ?3)"
        );
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(&sql)
            .bind(dim)
            .bind(filter.period.map(|p| p.to_string()))
            .bind(&filter.currency)
            .fetch_all(&self.pool)
            .await?;
        for (key, currency, units, amount) in rows {
            add(&mut totals, key, currency, units, decode(&amount)?)?;
        }
        Ok(totals)
    }

    /// An artist's lines are those of the artist's tracks (credited on the track, or on its
    /// release), plus the release-level lines of the artist's releases. From the rollup: the
    /// tracks' rows, plus each release's row minus its tracks' rows (exact decimal arithmetic).
    async fn artist_totals_from_rollup(&self, by: ReportBy, filter: &ReportFilter, artist: Uuid) -> Result<Totals> {
        let artist = artist.to_string();
        let releases: Vec<String> =
            sqlx::query_scalar("SELECT release_id FROM release_artists WHERE artist_id = ? AND deleted = 0")
                .bind(&artist)
                .fetch_all(&self.pool)
                .await?;
        let releases_json = serde_json::to_string(&releases).expect("serialisable");
        // The artist's live tracks with their release.
        let tracks: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, release_id FROM tracks WHERE deleted = 0 AND (id IN (SELECT track_id FROM track_artists \
             WHERE artist_id = ?1 AND deleted = 0) OR release_id IN (SELECT value FROM json_each(?2)))",
        )
        .bind(&artist)
        .bind(&releases_json)
        .fetch_all(&self.pool)
        .await?;
        // Every track of the artist's releases, deleted ones too: their lines are not release-level.
        let release_tracks: Vec<(String, String)> =
            sqlx::query_as("SELECT id, release_id FROM tracks WHERE release_id IN (SELECT value FROM json_each(?))")
                .bind(&releases_json)
                .fetch_all(&self.pool)
                .await?;
        let mut keys: Vec<&str> = tracks.iter().chain(&release_tracks).map(|(t, _)| t.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        type RollRow = (String, String, String, String, i64, String);
        let rows: Vec<RollRow> = sqlx::query_as(
            "SELECT dim, key, period, currency, units, amount FROM royalty_rollup \
             WHERE ledger = (SELECT ledger FROM current_ledger) \
               AND ((dim = 'track' AND key IN (SELECT value FROM json_each(?1))) \
                 OR (dim = 'release' AND key IN (SELECT value FROM json_each(?2)))) \
               AND (?3 IS NULL OR period = ?3) AND (?4 IS NULL OR currency = ?4)",
        )
        .bind(serde_json::to_string(&keys).expect("serialisable"))
        .bind(&releases_json)
        .bind(filter.period.map(|p| p.to_string()))
        .bind(&filter.currency)
        .fetch_all(&self.pool)
        .await?;
        let mine: HashMap<&str, &str> = tracks.iter().map(|(t, r)| (t.as_str(), r.as_str())).collect();
        let release_of: HashMap<&str, &str> = release_tracks.iter().map(|(t, r)| (t.as_str(), r.as_str())).collect();
        let mut totals = Totals::default();
        for (dim, key, period, currency, units, amount) in rows {
            let amount = decode(&amount)?;
            if dim == "track" {
                if let Some(release) = mine.get(key.as_str()) {
                    let k = match by {
                        ReportBy::Month => period.clone(),
                        ReportBy::Track => key.clone(),
                        _ => release.to_string(),
                    };
                    add(&mut totals, k, currency.clone(), units, amount)?;
                }
                // Release-level = release minus its tracks: take the track's lines off its release.
                if let Some(release) = release_of.get(key.as_str()) {
                    let k = match by {
                        ReportBy::Month => period,
                        ReportBy::Track => String::new(),
                        _ => release.to_string(),
                    };
                    add(&mut totals, k, currency, -units, -amount)?;
                }
            } else {
                let k = match by {
                    ReportBy::Month => period,
                    ReportBy::Track => String::new(),
                    _ => key,
                };
                add(&mut totals, k, currency, units, amount)?;
            }
        }
        Ok(totals)
    }

    /// The artist's lines by store or territory: the `royalty_rollup_items` rows of the artist's
    /// live tracks (credited on the track, or on its release) and of the release-level lines of
    /// the artist's releases.
    async fn artist_totals_from_items(&self, by: ReportBy, filter: &ReportFilter, artist: Uuid) -> Result<Totals> {
        let dim = if by == ReportBy::Store { "store" } else { "territory" };
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "WITH rel AS (SELECT release_id AS id FROM release_artists WHERE artist_id = ?1 AND deleted = 0), \
             items AS (SELECT id FROM tracks WHERE deleted = 0 AND (id IN (SELECT track_id FROM track_artists \
                         WHERE artist_id = ?1 AND deleted = 0) OR release_id IN (SELECT id FROM rel)) \
                       UNION SELECT id FROM rel) \
             SELECT r.key, r.currency, r.units, r.amount FROM items JOIN royalty_rollup_items r \
               ON r.ledger = (SELECT ledger FROM current_ledger) AND r.dim = ?2 AND r.item = items.id \
             WHERE (?3 IS NULL OR r.period = ?3) AND (?4 IS NULL OR r.currency = ?4)",
        )
        .bind(artist.to_string())
        .bind(dim)
        .bind(filter.period.map(|p| p.to_string()))
        .bind(&filter.currency)
        .fetch_all(&self.pool)
        .await?;
        let mut totals = Totals::default();
        for (key, currency, units, amount) in rows {
            add(&mut totals, key, currency, units, decode(&amount)?)?;
        }
        Ok(totals)
    }

    #[cfg(test)]
    async fn totals_from_lines(&self, by: ReportBy, filter: &ReportFilter) -> Result<Totals> {
        use futures_util::TryStreamExt;
        let mut totals = Totals::default();
        let column = match by {
            ReportBy::Month => "reporting_period",
            ReportBy::Store => "store",
            ReportBy::Territory => "COALESCE(territory, '')",
            ReportBy::Release => "COALESCE(release_id, (SELECT t.release_id FROM tracks t WHERE t.id = track_id), '')",
            ReportBy::Track => "COALESCE(track_id, '')",
        };
        let sql = format!(
            "WITH rel AS (SELECT release_id AS id FROM release_artists WHERE artist_id = ?1 AND deleted = 0), \
             trk AS (SELECT track_id AS id FROM track_artists WHERE artist_id = ?1 AND deleted = 0 \
                     UNION SELECT id FROM tracks WHERE deleted = 0 AND release_id IN (SELECT id FROM rel)) \
             SELECT {column}, currency, units, amount FROM statement_lines \
             WHERE (?1 IS NULL OR track_id IN (SELECT id FROM trk) OR (track_id IS NULL AND release_id IN (SELECT id FROM rel))) \
               AND (?2 IS NULL OR reporting_period = ?2) AND (?3 IS NULL OR currency = ?3) \
               AND file_seq IN (SELECT seq FROM ledger_files)"
        );
        let mut rows = sqlx::query_as::<_, (String, String, i64, String)>(&sql)
            .bind(filter.artist_id.map(|a| a.to_string()))
            .bind(filter.period.map(|p| p.to_string()))
            .bind(&filter.currency)
            .fetch(&self.pool);
        while let Some((key, currency, units, amount)) = rows.try_next().await? {
            add(&mut totals, key, currency, units, decode(&amount)?)?;
        }
        Ok(totals)
    }
}

type Totals = HashMap<(String, String), (i64, Decimal)>;

fn add(totals: &mut Totals, key: String, currency: String, units: i64, amount: Decimal) -> Result<()> {
    let entry = totals.entry((key, currency)).or_insert((0, Decimal::ZERO));
    entry.0 += units;
    entry.1 = entry.1.checked_add(amount).ok_or(Error::AmountOverflow)?;
    Ok(())
}

fn finish(by: ReportBy, totals: Totals) -> RoyaltyReport {
        let mut rows: Vec<ReportRow> = totals
            .into_iter()
            .filter(|(_, (units, amount))| *units != 0 || !amount.is_zero())
            .map(|((key, currency), (units, amount))| {
                let key = match (by, key.is_empty()) {
                    (ReportBy::Territory, true) => "unknown".to_string(),
                    (ReportBy::Release | ReportBy::Track, true) => "unmatched".to_string(),
                    _ => key,
                };
                ReportRow { key, currency, units, amount: amount.normalize() }
            })
            .collect();
        match by {
            ReportBy::Month => rows.sort_by(|a, b| (&a.key, &a.currency).cmp(&(&b.key, &b.currency))),
            _ => rows.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| (&a.key, &a.currency).cmp(&(&b.key, &b.currency)))),
        }
    RoyaltyReport { by, rows }
}
