//! The report rollup: per dimension value, reporting period and currency, the units and exact
//! amount of every line. Accumulated while a file is parsed, merged into `royalty_rollup` in the
//! import's transaction; adjusted when the unmatched queue moves lines to a track.

use super::matching::Match;
use super::NormalLine;
use crate::error::{Error, Result};
use rust_decimal::Decimal;
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct RollKey {
    pub dim: &'static str,
    pub key: String,
    pub period: String,
    pub currency: String,
}

#[derive(Debug, Default)]
pub(crate) struct Rollup {
    totals: HashMap<RollKey, (i64, Decimal)>,
    /// A total went past what a decimal holds (about 7.9e28): refused at merge.
    overflow: bool,
}

impl Rollup {
    pub fn add(&mut self, line: &NormalLine, matched: Option<&Match>) {
        let period = line.reporting_period.to_string();
        let track = matched.and_then(|m| m.track_id.as_deref()).unwrap_or("");
        let release = matched.and_then(|m| m.release_id.as_deref()).unwrap_or("");
        let territory = line.territory.as_deref().unwrap_or("");
        for (dim, key) in [("store", line.store.as_str()), ("territory", territory), ("track", track), ("release", release)] {
            self.add_to(dim, key, &period, &line.currency, line.units, line.amount);
        }
    }

    pub fn add_to(&mut self, dim: &'static str, key: &str, period: &str, currency: &str, units: i64, amount: Decimal) {
        if let Some(entry) = self.totals.get_mut(&RollKey { dim, key: key.into(), period: period.into(), currency: currency.into() }) {
            entry.0 = entry.0.saturating_add(units);
            match entry.1.checked_add(amount) {
                Some(sum) => entry.1 = sum,
                None => self.overflow = true,
            }
            return;
        }
        self.totals.insert(RollKey { dim, key: key.into(), period: period.into(), currency: currency.into() }, (units, amount));
    }

    /// Adds these totals to the stored rollup (exact decimal sums, overflow checked).
    pub async fn merge_into(self, conn: &mut SqliteConnection) -> Result<()> {
        if self.overflow {
            return Err(Error::AmountOverflow);
        }
        for (k, (units, amount)) in self.totals {
            let current: Option<(i64, String)> =
                sqlx::query_as("SELECT units, amount FROM royalty_rollup WHERE dim = ? AND period = ? AND key = ? AND currency = ?")
                    .bind(k.dim)
                    .bind(&k.period)
                    .bind(&k.key)
                    .bind(&k.currency)
                    .fetch_optional(&mut *conn)
                    .await?;
            let (units, amount) = match current {
                Some((u, a)) => {
                    let a = Decimal::from_str(&a).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
                    let sum = a.checked_add(amount).ok_or(Error::AmountOverflow)?;
                    (u + units, sum)
                }
                None => (units, amount),
            };
            sqlx::query(
                "INSERT INTO royalty_rollup (dim, key, period, currency, units, amount) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (dim, period, key, currency) DO UPDATE SET units = excluded.units, amount = excluded.amount",
            )
            .bind(k.dim)
            .bind(&k.key)
            .bind(&k.period)
            .bind(&k.currency)
            .bind(units)
            .bind(amount.normalize().to_string())
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}
