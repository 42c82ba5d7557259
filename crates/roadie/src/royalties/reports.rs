//! Earnings reports: by month, store, territory, release or track; one row per key and
//! currency, units summed, amounts exact. Read from the rollup (a few rows per period, so fast
//! at any number of lines); filtered by artist, they sum that artist's lines.

use super::dates::YearMonth;
use crate::error::{Error, Result};
use crate::Store;
use futures_util::TryStreamExt;
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
    pub async fn royalty_report(&self, by: ReportBy, filter: &ReportFilter) -> Result<RoyaltyReport> {
        let mut totals: HashMap<(String, String), (i64, Decimal)> = HashMap::new();
        let mut add = |key: String, currency: String, units: i64, amount: Decimal| -> Result<()> {
            let entry = totals.entry((key, currency)).or_insert((0, Decimal::ZERO));
            entry.0 += units;
            entry.1 = entry.1.checked_add(amount).ok_or(Error::AmountOverflow)?;
            Ok(())
        };
        let period = filter.period.map(|p| p.to_string());
        if let Some(artist) = filter.artist_id {
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
                 WHERE (track_id IN (SELECT id FROM trk) OR (track_id IS NULL AND release_id IN (SELECT id FROM rel))) \
                   AND (?2 IS NULL OR reporting_period = ?2) AND (?3 IS NULL OR currency = ?3)"
            );
            let mut rows = sqlx::query_as::<_, (String, String, i64, String)>(&sql)
                .bind(artist.to_string())
                .bind(&period)
                .bind(&filter.currency)
                .fetch(&self.pool);
            while let Some((key, currency, units, amount)) = rows.try_next().await? {
                add(key, currency, units, decode(&amount)?)?;
            }
        } else {
            let (dim, key) = match by {
                ReportBy::Month => ("store", "period"),
                ReportBy::Store => ("store", "key"),
                ReportBy::Territory => ("territory", "key"),
                ReportBy::Release => ("release", "key"),
                ReportBy::Track => ("track", "key"),
            };
            let sql = format!(
                "SELECT {key}, currency, units, amount FROM royalty_rollup WHERE dim = ? \
                 AND (?2 IS NULL OR period = ?2) AND (?3 IS NULL OR currency = ?3)"
            );
            let rows: Vec<(String, String, i64, String)> =
                sqlx::query_as(&sql).bind(dim).bind(&period).bind(&filter.currency).fetch_all(&self.pool).await?;
            for (key, currency, units, amount) in rows {
                add(key, currency, units, decode(&amount)?)?;
            }
        }
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
        Ok(RoyaltyReport { by, rows })
    }
}
