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

/// The dims with an artist dimension (`royalty_rollup_items`): store and territory.
pub(crate) const ITEM_DIMS: [&str; 2] = ["store", "territory"];

#[derive(Debug, Default)]
pub(crate) struct Rollup {
    /// Per dim (in DIMS order): key -> (period, currency) -> (units, amount).
    totals: [HashMap<String, Totals>; 4],
    /// Per item dim (in ITEM_DIMS order): item (track, release-level release, '' unmatched) ->
    /// key -> (period, currency) -> (units, amount).
    items: [HashMap<String, HashMap<String, Totals>>; 2],
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
        let item = if track.is_empty() { release } else { track };
        for (dim, key) in [line.store.as_str(), territory].into_iter().enumerate() {
            self.add_item(dim, item, key, line.reporting_period, &line.currency, line.units, line.amount);
        }
    }

    /// Adds to the artist dimension: `dim` in ITEM_DIMS order, `item` the line's track, its
    /// release for a release-level line, '' when unmatched.
    #[allow(clippy::too_many_arguments)]
    pub fn add_item(&mut self, dim: usize, item: &str, key: &str, period: YearMonth, currency: &str, units: i64, amount: Decimal) {
        let by_item = match self.items[dim].get_mut(item) {
            Some(found) => found,
            None => self.items[dim].entry(item.to_string()).or_default(),
        };
        let by_key = match by_item.get_mut(key) {
            Some(found) => found,
            None => by_item.entry(key.to_string()).or_default(),
        };
        if !add_totals(by_key, period, currency, units, amount) {
            self.overflow = true;
        }
    }

    pub fn add_to(&mut self, dim: usize, key: &str, period: YearMonth, currency: &str, units: i64, amount: Decimal) {
        let by_key = match self.totals[dim].get_mut(key) {
            Some(found) => found,
            None => self.totals[dim].entry(key.to_string()).or_default(),
        };
        if !add_totals(by_key, period, currency, units, amount) {
            self.overflow = true;
        }
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
        for (dim, by_item) in self.items.into_iter().enumerate() {
            for (item, by_key) in by_item {
                for (key, totals) in by_key {
                    for ((period, currency), (units, amount)) in totals {
                        merge_item(conn, ITEM_DIMS[dim], &item, &key, &period.to_string(), &currency, units, amount).await?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Adds to one (period, currency) total; false when the sum overflows.
fn add_totals(totals: &mut Totals, period: YearMonth, currency: &str, units: i64, amount: Decimal) -> bool {
    // A statement has few currencies: a linear probe beats hashing a String per line.
    if let Some(entry) = totals.iter_mut().find(|((p, c), _)| *p == period && c == currency).map(|(_, v)| v) {
        entry.0 = entry.0.saturating_add(units);
        return match entry.1.checked_add(amount) {
            Some(sum) => {
                entry.1 = sum;
                true
            }
            None => false,
        };
    }
    totals.insert((period, currency.to_string()), (units, amount));
    true
}

#[allow(clippy::too_many_arguments)]
async fn merge_item(conn: &mut SqliteConnection, dim: &str, item: &str, key: &str, period: &str, currency: &str, units: i64, amount: Decimal) -> Result<()> {
    let current: Option<(i64, String)> = sqlx::query_as(
        "SELECT units, amount FROM royalty_rollup_items WHERE dim = ? AND item = ? AND period = ? AND key = ? AND currency = ?",
    )
    .bind(dim)
    .bind(item)
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
        "INSERT INTO royalty_rollup_items (dim, item, key, period, currency, units, amount) VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (dim, item, period, key, currency) DO UPDATE SET units = excluded.units, amount = excluded.amount",
    )
    .bind(dim)
    .bind(item)
    .bind(key)
    .bind(period)
    .bind(currency)
    .bind(units)
    .bind(amount.normalize().to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Fills `royalty_rollup_items` from the lines when a store has lines but none of its rows (a
/// store made before the artist dimension existed). Exact: summed in Rust, streamed.
pub(crate) async fn ensure_items(store: &crate::Store) -> Result<()> {
    use futures_util::TryStreamExt;
    let have: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM royalty_rollup_items)").fetch_one(&store.pool).await?;
    if have {
        return Ok(());
    }
    let mut tx = store.write().await?;
    let have: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM royalty_rollup_items)").fetch_one(&mut *tx).await?;
    let lines: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM statement_lines)").fetch_one(&mut *tx).await?;
    if have || !lines {
        return Ok(());
    }
    let mut rollup = Rollup::default();
    {
        let mut rows = sqlx::query_as::<_, (String, String, String, String, String, i64, String)>(
            "SELECT COALESCE(track_id, release_id, ''), store, COALESCE(territory, ''), reporting_period, currency, units, amount \
             FROM statement_lines",
        )
        .fetch(&mut *tx);
        while let Some((item, store_name, territory, period, currency, units, amount)) = rows.try_next().await? {
            let period: YearMonth = period.parse().map_err(|e: String| Error::Database(sqlx::Error::Decode(e.into())))?;
            let amount = Decimal::from_str(&amount).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
            rollup.add_item(0, &item, &store_name, period, &currency, units, amount);
            rollup.add_item(1, &item, &territory, period, &currency, units, amount);
        }
    }
    rollup.merge_into(&mut tx).await?;
    tx.commit().await?;
    Ok(())
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
