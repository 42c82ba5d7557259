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

    /// Adds these totals to the stored rollup (exact decimal sums, overflow checked): both
    /// tables through [`merge_rows`], one read and one write statement each.
    pub async fn merge_into(self, conn: &mut SqliteConnection) -> Result<()> {
        if self.overflow {
            return Err(Error::AmountOverflow);
        }
        let mut rows = Vec::new();
        for (dim, by_key) in self.totals.into_iter().enumerate() {
            for (key, totals) in by_key {
                for ((period, currency), (units, amount)) in totals {
                    rows.push(Delta { dim: DIMS[dim], item: String::new(), key: key.clone(), period: period.to_string(), currency, units, amount });
                }
            }
        }
        merge_rows(conn, Table::Totals, rows).await?;
        let mut rows = Vec::new();
        for (dim, by_item) in self.items.into_iter().enumerate() {
            for (item, by_key) in by_item {
                for (key, totals) in by_key {
                    for ((period, currency), (units, amount)) in totals {
                        rows.push(Delta { dim: ITEM_DIMS[dim], item: item.clone(), key: key.clone(), period: period.to_string(), currency, units, amount });
                    }
                }
            }
        }
        merge_rows(conn, Table::Items, rows).await
    }
}

/// The two rollup tables: `royalty_rollup` has no `item` column.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Table {
    Totals,
    Items,
}

/// One rollup row's change: units and amount to add.
#[derive(Debug)]
struct Delta {
    dim: &'static str,
    /// '' for `royalty_rollup` (no such column).
    item: String,
    key: String,
    period: String,
    currency: String,
    units: i64,
    amount: Decimal,
}

/// Adds `rows` (each key once) to a rollup table in two statements, whatever their number: the
/// touched keys go to SQLite as one JSON array, their stored rows come back in one query (each
/// found through the primary key), the sums are made in Rust (exact: SQLite has no decimal sum)
/// and written back in one `INSERT ... SELECT FROM json_each ... ON CONFLICT DO UPDATE`.
async fn merge_rows(conn: &mut SqliteConnection, table: Table, mut rows: Vec<Delta>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let (read, write) = merge_sql(table);
    let keys: Vec<(&str, &str, &str, &str, &str)> =
        rows.iter().map(|r| (r.dim, r.item.as_str(), r.key.as_str(), r.period.as_str(), r.currency.as_str())).collect();
    let stored: Vec<(i64, i64, String)> =
        sqlx::query_as(&read).bind(serde_json::to_string(&keys).expect("serialisable")).fetch_all(&mut *conn).await?;
    for (index, units, amount) in stored {
        let row = usize::try_from(index).ok().and_then(|i| rows.get_mut(i)).ok_or_else(|| Error::Database(sqlx::Error::RowNotFound))?;
        let amount = Decimal::from_str(&amount).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
        row.units = row.units.saturating_add(units);
        row.amount = row.amount.checked_add(amount).ok_or(Error::AmountOverflow)?;
    }
    let values: Vec<(&str, &str, &str, &str, &str, i64, String)> = rows
        .iter()
        .map(|r| (r.dim, r.item.as_str(), r.key.as_str(), r.period.as_str(), r.currency.as_str(), r.units, r.amount.normalize().to_string()))
        .collect();
    sqlx::query(&write).bind(serde_json::to_string(&values).expect("serialisable")).execute(&mut *conn).await?;
    Ok(())
}

/// The read and write statements of [`merge_rows`] for a table: the read takes a JSON array of
/// `[dim, item, key, period, currency]` and gives `(index in the array, units, amount)` of the
/// stored rows; the write takes `[dim, item, key, period, currency, units, amount]` rows.
pub(crate) fn merge_sql(table: Table) -> (String, String) {
    let (name, item_match, item_column, item_value, pk) = match table {
        Table::Totals => ("royalty_rollup", "", "", "", "dim, period, key, currency"),
        Table::Items => ("royalty_rollup_items", " AND t.item = j.value ->> 1", "item, ", "j.value ->> 1, ", "dim, item, period, key, currency"),
    };
    let read = format!(
        "SELECT j.key, t.units, t.amount FROM json_each(?1) j JOIN {name} t \
         ON t.dim = j.value ->> 0{item_match} AND t.period = j.value ->> 3 AND t.key = j.value ->> 2 AND t.currency = j.value ->> 4"
    );
    // (`WHERE true`: SQLite's parser needs it between a SELECT and ON CONFLICT.)
    let write = format!(
        "INSERT INTO {name} (dim, {item_column}key, period, currency, units, amount) \
         SELECT j.value ->> 0, {item_value}j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6 \
         FROM json_each(?1) j WHERE true \
         ON CONFLICT ({pk}) DO UPDATE SET units = excluded.units, amount = excluded.amount"
    );
    (read, write)
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
