//! The report rollup: per dimension value, reporting period and currency, the units and exact
//! amount of every line. Accumulated while a file is parsed (no allocation per line: keys are
//! looked up by reference), merged into `royalty_rollup` in the import's transaction; adjusted
//! when the unmatched queue moves lines to a track.

use super::dates::YearMonth;
use super::matching::Match;
use super::NormalLine;
use crate::error::{Error, Result};
use rust_decimal::Decimal;
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::str::FromStr;

pub(crate) const DIMS: [&str; 4] = ["store", "territory", "track", "release"];

type Totals = HashMap<(YearMonth, String), (i64, Decimal)>;

#[derive(Debug, Default)]
pub(crate) struct Rollup {
    /// Per dim (in DIMS order): key -> (period, currency) -> (units, amount).
    totals: [HashMap<String, Totals>; 4],
    /// A total went past what a decimal holds (about 7.9e28): refused at merge.
    overflow: bool,
}

impl Rollup {
    pub fn add(&mut self, line: &NormalLine, matched: Option<&Match>) {
        let track = matched.and_then(|m| m.track_id.as_deref()).unwrap_or("");
        let release = matched.and_then(|m| m.release_id.as_deref()).unwrap_or("");
        let territory = line.territory.as_deref().unwrap_or("");
        for (dim, key) in [line.store.as_str(), territory, track, release].into_iter().enumerate() {
            self.add_to(dim, key, line.reporting_period, &line.currency, line.units, line.amount);
        }
    }

    pub fn add_to(&mut self, dim: usize, key: &str, period: YearMonth, currency: &str, units: i64, amount: Decimal) {
        let by_key = match self.totals[dim].get_mut(key) {
            Some(found) => found,
            None => self.totals[dim].entry(key.to_string()).or_default(),
        };
        // A statement has few currencies: a linear probe beats hashing a String per line.
        if let Some(entry) = by_key.iter_mut().find(|((p, c), _)| *p == period && c == currency).map(|(_, v)| v) {
            entry.0 = entry.0.saturating_add(units);
            match entry.1.checked_add(amount) {
                Some(sum) => entry.1 = sum,
                None => self.overflow = true,
            }
            return;
        }
        by_key.insert((period, currency.to_string()), (units, amount));
    }

    /// Adds these totals to the stored rollup (exact decimal sums, overflow checked).
    pub async fn merge_into(self, conn: &mut SqliteConnection) -> Result<()> {
        if self.overflow {
            return Err(Error::AmountOverflow);
        }
        for (dim, by_key) in self.totals.into_iter().enumerate() {
            for (key, totals) in by_key {
                for ((period, currency), (units, amount)) in totals {
                    merge_one(conn, DIMS[dim], &key, &period.to_string(), &currency, units, amount).await?;
                }
            }
        }
        Ok(())
    }
}

async fn merge_one(conn: &mut SqliteConnection, dim: &str, key: &str, period: &str, currency: &str, units: i64, amount: Decimal) -> Result<()> {
    let current: Option<(i64, String)> =
        sqlx::query_as("SELECT units, amount FROM royalty_rollup WHERE dim = ? AND period = ? AND key = ? AND currency = ?")
            .bind(dim)
            .bind(period)
            .bind(key)
            .bind(currency)
            .fetch_optional(&mut *conn)
            .await?;
    let (units, amount) = match current {
        Some((u, a)) => {
            let a = Decimal::from_str(&a).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
            (u + units, a.checked_add(amount).ok_or(Error::AmountOverflow)?)
        }
        None => (units, amount),
    };
    sqlx::query(
        "INSERT INTO royalty_rollup (dim, key, period, currency, units, amount) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (dim, period, key, currency) DO UPDATE SET units = excluded.units, amount = excluded.amount",
    )
    .bind(dim)
    .bind(key)
    .bind(period)
    .bind(currency)
    .bind(units)
    .bind(amount.normalize().to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
