//! The report rollup: per dimension value, reporting period and currency, the units and exact
//! amount of every line. Accumulated while a file is parsed (no allocation per line: the keys
//! are interned, a line adds to two cells keyed by small integers), merged into `royalty_rollup` in the import's transaction; adjusted
//! when the unmatched queue moves lines to a track.

use super::dates::YearMonth;
use super::matching::{Match, Matcher};
use super::NormalLine;
use crate::error::{Error, Result};
use rust_decimal::Decimal;
use sqlx::SqliteConnection;
use rustc_hash::FxHashMap;
use std::str::FromStr;

pub(crate) const DIMS: [&str; 4] = ["store", "territory", "track", "release"];

/// The dims with an artist dimension (`royalty_rollup_items`): store and territory.
pub(crate) const ITEM_DIMS: [&str; 2] = ["store", "territory"];

/// Strings as small integers: the rollup's keys are ids, so a line's additions hash a few
/// integers instead of strings. Id 0 is ''.
#[derive(Debug)]
pub(crate) struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Interner { ids: FxHashMap::default(), names: Vec::new() };
        interner.id("");
        interner
    }
}

impl Interner {
    /// The id of `text` (the same for equal texts, different for different ones).
    pub fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 4 billion distinct names");
        self.names.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// What a line adds to: a store (dim 0) or territory (dim 1) row of one catalog item, period and
/// currency. `track` and `release` are the line's own (item = the track, or the release for a
/// release-level line); `lines` is false for [`Rollup::add_item`] (no `royalty_rollup` total).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Cell {
    dim: u8,
    lines: bool,
    track: u32,
    release: u32,
    key: u32,
    currency: u32,
    period: YearMonth,
}

/// A `royalty_rollup` row added to directly ([`Rollup::add_to`]): dim (DIMS order), key,
/// currency, period.
type TotalKey = (u8, u32, u32, YearMonth);

#[derive(Debug, Default)]
pub(crate) struct Rollup {
    names: Interner,
    /// Per line: what it adds to both tables (both are made from these cells at merge: one
    /// addition per line and item dim instead of one per table row it lands in).
    cells: FxHashMap<Cell, (i64, Decimal)>,
    /// Direct additions to `royalty_rollup` rows.
    totals: FxHashMap<TotalKey, (i64, Decimal)>,
    /// A matched target (the matcher's index) -> interned (track, release).
    targets: Vec<Option<(u32, u32)>>,
    /// A total went past what a decimal holds (about 7.9e28): refused at merge.
    overflow: bool,
}

/// Adds units and amount to a total; false when the amount overflows.
fn add_in(total: &mut (i64, Decimal), units: i64, amount: Decimal) -> bool {
    total.0 = total.0.saturating_add(units);
    match total.1.checked_add(amount) {
        Some(sum) => {
            total.1 = sum;
            true
        }
        None => false,
    }
}

impl Rollup {
    /// Adds a line: every dim of `royalty_rollup` (store, territory, track, release) and both of
    /// `royalty_rollup_items`.
    pub fn add(&mut self, line: &NormalLine, matched: Option<&Match>, matcher: &Matcher) {
        let (track, release) = match matched {
            None => (0, 0),
            Some(m) => {
                let index = m.target as usize;
                if self.targets.len() <= index {
                    self.targets.resize(index + 1, None);
                }
                match self.targets[index] {
                    Some(ids) => ids,
                    None => {
                        let (track, release) = matcher.target(m);
                        let ids = (self.names.id(track.unwrap_or("")), self.names.id(release.unwrap_or("")));
                        self.targets[index] = Some(ids);
                        ids
                    }
                }
            }
        };
        let store = self.names.id(&line.store);
        let territory = self.names.id(line.territory.as_deref().unwrap_or(""));
        let currency = self.names.id(&line.currency);
        self.add_line_cells(track, release, store, territory, currency, line.reporting_period, line.units, line.amount);
    }

    /// A line's two cells (its store's and its territory's), keys interned.
    #[allow(clippy::too_many_arguments)]
    fn add_line_cells(&mut self, track: u32, release: u32, store: u32, territory: u32, currency: u32, period: YearMonth, units: i64, amount: Decimal) {
        for (dim, key) in [(0, store), (1, territory)] {
            let cell = Cell { dim, lines: true, track, release, key, currency, period };
            self.add_cell(cell, units, amount);
        }
    }

    /// Adds a stored line (the rebuild from the lines): its track ('' when none) and release
    /// (the line's own, else its track's; '' when unmatched).
    #[allow(clippy::too_many_arguments)]
    fn add_stored(&mut self, store: &str, territory: &str, period: YearMonth, currency: &str, track: &str, release: &str, units: i64, amount: Decimal) {
        let (track, release) = (self.names.id(track), self.names.id(release));
        let (store, territory, currency) = (self.names.id(store), self.names.id(territory), self.names.id(currency));
        self.add_line_cells(track, release, store, territory, currency, period, units, amount);
    }

    fn add_cell(&mut self, cell: Cell, units: i64, amount: Decimal) {
        let ok = match self.cells.get_mut(&cell) {
            Some(total) => add_in(total, units, amount),
            None => {
                self.cells.insert(cell, (units, amount));
                true
            }
        };
        if !ok {
            self.overflow = true;
        }
    }

    /// Adds to the artist dimension: `dim` in ITEM_DIMS order, `item` the line's track, its
    /// release for a release-level line, '' when unmatched.
    #[allow(clippy::too_many_arguments)]
    pub fn add_item(&mut self, dim: usize, item: &str, key: &str, period: YearMonth, currency: &str, units: i64, amount: Decimal) {
        let cell = Cell {
            dim: if dim == 0 { 0 } else { 1 },
            lines: false,
            track: self.names.id(item),
            release: 0,
            key: self.names.id(key),
            currency: self.names.id(currency),
            period,
        };
        self.add_cell(cell, units, amount);
    }

    /// Adds to one `royalty_rollup` row: `dim` in DIMS order.
    pub fn add_to(&mut self, dim: usize, key: &str, period: YearMonth, currency: &str, units: i64, amount: Decimal) {
        let key = (u8::try_from(dim).expect("a dim"), self.names.id(key), self.names.id(currency), period);
        let ok = match self.totals.get_mut(&key) {
            Some(total) => add_in(total, units, amount),
            None => {
                self.totals.insert(key, (units, amount));
                true
            }
        };
        if !ok {
            self.overflow = true;
        }
    }

    /// Both tables' rows, summed from the cells: `(totals, items)` keyed by interned ids.
    #[allow(clippy::type_complexity)]
    fn rows(mut self) -> (Interner, FxHashMap<TotalKey, (i64, Decimal)>, FxHashMap<(u8, u32, u32, u32, YearMonth), (i64, Decimal)>, bool) {
        let mut totals = std::mem::take(&mut self.totals);
        let mut items: FxHashMap<(u8, u32, u32, u32, YearMonth), (i64, Decimal)> = FxHashMap::default();
        let mut overflow = self.overflow;
        let mut add = |map_ok: bool| {
            if !map_ok {
                overflow = true;
            }
        };
        for (cell, (units, amount)) in self.cells {
            let item = if cell.track != 0 { cell.track } else { cell.release };
            add(add_in(items.entry((cell.dim, item, cell.key, cell.currency, cell.period)).or_default(), units, amount));
            if !cell.lines {
                continue;
            }
            // Each line is in one store cell and one territory cell: its store, track and
            // release totals come from the first, its territory total from the second.
            let dims: &[(u8, u32)] = if cell.dim == 0 { &[(0, cell.key), (2, cell.track), (3, cell.release)] } else { &[(1, cell.key)] };
            for &(dim, key) in dims {
                add(add_in(totals.entry((dim, key, cell.currency, cell.period)).or_default(), units, amount));
            }
        }
        (self.names, totals, items, overflow)
    }

    /// Adds these totals to the stored rollup of `ledger` (exact decimal sums, overflow
    /// checked): both tables through [`merge_rows`], one read and one write statement each.
    /// `ledger`: '' for the account's own, else the workspace id of the lines' file.
    pub async fn merge_into(self, conn: &mut SqliteConnection, ledger: &str) -> Result<()> {
        let (names, totals, items, overflow) = self.rows();
        if overflow {
            return Err(Error::AmountOverflow);
        }
        let delta = |dim: &'static str, item: &str, key: u32, currency: u32, period: YearMonth, (units, amount): (i64, Decimal)| Delta {
            dim,
            item: item.to_string(),
            key: names.name(key).to_string(),
            period: period.to_string(),
            currency: names.name(currency).to_string(),
            units,
            amount,
        };
        let rows = totals.into_iter().map(|((dim, key, currency, period), sum)| delta(DIMS[dim as usize], "", key, currency, period, sum)).collect();
        merge_rows(conn, Table::Totals, ledger, rows).await?;
        let rows = items
            .into_iter()
            .map(|((dim, item, key, currency, period), sum)| delta(ITEM_DIMS[dim as usize], names.name(item), key, currency, period, sum))
            .collect();
        merge_rows(conn, Table::Items, ledger, rows).await
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
async fn merge_rows(conn: &mut SqliteConnection, table: Table, ledger: &str, mut rows: Vec<Delta>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let (read, write) = merge_sql(table);
    let keys: Vec<(&str, &str, &str, &str, &str)> =
        rows.iter().map(|r| (r.dim, r.item.as_str(), r.key.as_str(), r.period.as_str(), r.currency.as_str())).collect();
    let stored: Vec<(i64, i64, String)> =
        sqlx::query_as(&read).bind(serde_json::to_string(&keys).expect("serialisable")).bind(ledger).fetch_all(&mut *conn).await?;
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
    sqlx::query(&write).bind(serde_json::to_string(&values).expect("serialisable")).bind(ledger).execute(&mut *conn).await?;
    Ok(())
}

/// The read and write statements of [`merge_rows`] for a table: the read takes a JSON array of
/// `[dim, item, key, period, currency]` and gives `(index in the array, units, amount)` of the
/// stored rows; the write takes `[dim, item, key, period, currency, units, amount]` rows. Both
/// take the ledger as `?2`.
pub(crate) fn merge_sql(table: Table) -> (String, String) {
    let (name, item_match, item_column, item_value, pk) = match table {
        Table::Totals => ("royalty_rollup", "", "", "", "dim, period, key, currency"),
        Table::Items => ("royalty_rollup_items", " AND t.item = j.value ->> 1", "item, ", "j.value ->> 1, ", "dim, item, period, key, currency"),
    };
    let read = format!(
        "SELECT j.key, t.units, t.amount FROM json_each(?1) j JOIN {name} t \
         ON t.ledger = ?2 AND t.dim = j.value ->> 0{item_match} AND t.period = j.value ->> 3 AND t.key = j.value ->> 2 AND t.currency = j.value ->> 4"
    );
    // (`WHERE true`: SQLite's parser needs it between a SELECT and ON CONFLICT.)
    let write = format!(
        "INSERT INTO {name} (ledger, dim, {item_column}key, period, currency, units, amount) \
         SELECT ?2, j.value ->> 0, {item_value}j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6 \
         FROM json_each(?1) j WHERE true \
         ON CONFLICT (ledger, {pk}) DO UPDATE SET units = excluded.units, amount = excluded.amount"
    );
    (read, write)
}

/// Fills both rollups from the lines when a store has lines but no rollup rows (a store made
/// before the rollups had their ledger key, whose migration emptied them). Exact: summed in Rust,
/// streamed, one rollup per ledger.
pub(crate) async fn ensure_rollup(store: &crate::Store) -> Result<()> {
    use futures_util::TryStreamExt;
    const MISSING: &str =
        "SELECT NOT EXISTS (SELECT 1 FROM royalty_rollup) AND EXISTS (SELECT 1 FROM statement_lines)";
    if !sqlx::query_scalar::<_, bool>(MISSING).fetch_one(&store.pool).await? {
        return Ok(());
    }
    let mut tx = store.write().await?;
    if !sqlx::query_scalar::<_, bool>(MISSING).fetch_one(&mut *tx).await? {
        return Ok(());
    }
    let mut ledgers: FxHashMap<String, Rollup> = FxHashMap::default();
    {
        type StoredLine = (String, String, String, String, String, String, String, i64, String);
        let mut rows = sqlx::query_as::<_, StoredLine>(
            "SELECT ifnull(f.workspace_id, ''), l.store, ifnull(l.territory, ''), l.reporting_period, l.currency, \
                    ifnull(l.track_id, ''), ifnull(l.release_id, ifnull(t.release_id, '')), l.units, l.amount \
             FROM statement_lines l JOIN statement_files f ON f.seq = l.file_seq LEFT JOIN tracks t ON t.id = l.track_id",
        )
        .fetch(&mut *tx);
        while let Some((ledger, store_name, territory, period, currency, track, release, units, amount)) = rows.try_next().await? {
            let period: YearMonth = period.parse().map_err(|e: String| Error::Database(sqlx::Error::Decode(e.into())))?;
            let amount = Decimal::from_str(&amount).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
            let rollup = ledgers.entry(ledger).or_default();
            rollup.add_stored(&store_name, &territory, period, &currency, &track, &release, units, amount);
        }
    }
    for (ledger, rollup) in ledgers {
        rollup.merge_into(&mut tx, &ledger).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn interning_gives_one_id_per_distinct_text() {
        let mut names = Interner::default();
        assert_eq!(names.id(""), 0);
        let texts = ["Spotify", "spotify", "Spotify ", "", "US", "USD", "Spotify", "周杰伦", "US"];
        let ids: Vec<u32> = texts.iter().map(|t| names.id(t)).collect();
        for (a, ta) in texts.iter().enumerate() {
            assert_eq!(names.name(ids[a]), *ta);
            for (b, tb) in texts.iter().enumerate() {
                assert_eq!(ids[a] == ids[b], ta == tb, "{ta:?} vs {tb:?}");
            }
        }
    }

    type Rows = BTreeMap<(String, String, String, String, String), (i64, Decimal)>;

    /// What `merge_into` would write, as strings: (table:dim, item, key, period, currency).
    fn rows_of(rollup: Rollup) -> Rows {
        let (names, totals, items, overflow) = rollup.rows();
        assert!(!overflow);
        let mut out = Rows::new();
        for ((dim, key, currency, period), sum) in totals {
            let k = (DIMS[dim as usize].to_string(), String::new(), names.name(key).to_string(), period.to_string(), names.name(currency).to_string());
            assert!(out.insert(k, sum).is_none());
        }
        for ((dim, item, key, currency, period), sum) in items {
            let k = (format!("items:{}", ITEM_DIMS[dim as usize]), names.name(item).to_string(), names.name(key).to_string(), period.to_string(), names.name(currency).to_string());
            assert!(out.insert(k, sum).is_none());
        }
        out
    }

    /// Cells summed per line (one addition per line and table row, with string keys) give
    /// exactly the rows the interned cells are merged into.
    #[test]
    fn cells_sum_to_the_rows_of_each_line() {
        let targets = vec![
            (Some("t1".to_string()), Some("r1".to_string())),
            (Some("t2".to_string()), Some("r1".to_string())),
            (None, Some("r2".to_string())),
            // The same track under another release (a stale rule): rows stay per track/release.
            (Some("t1".to_string()), Some("r3".to_string())),
        ];
        let matcher = Matcher::with_targets(targets.clone());
        let stores = ["Spotify", "iTunes", "spotify"];
        let territories = [None, Some("US"), Some("GB")];
        let currencies = ["USD", "EUR"];
        let periods = [YearMonth { year: 2026, month: 1 }, YearMonth { year: 2026, month: 2 }];
        let mut rollup = Rollup::default();
        let mut expected = Rows::new();
        let mut add = |k: (String, String, String, String, String), units: i64, amount: Decimal| {
            let e = expected.entry(k).or_insert((0, Decimal::ZERO));
            e.0 += units;
            e.1 += amount;
        };
        let mut seed = 7u64;
        for n in 0..5000u64 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let pick = |m: u64, shift: u32| ((seed >> shift) % m) as usize;
            let mut line = NormalLine::empty();
            line.line_no = n;
            line.store = stores[pick(3, 10)].to_string();
            line.territory = territories[pick(3, 14)].map(str::to_string);
            line.currency = currencies[pick(2, 18)].to_string();
            line.reporting_period = periods[pick(2, 20)];
            line.units = pick(1000, 22) as i64 - 100;
            line.amount = Decimal::new(pick(1 << 30, 32) as i64 - (1 << 28), 10);
            let matched = match pick(5, 40) {
                4 => None,
                i => Some(Match { target: i as u32, by: "isrc" }),
            };
            rollup.add(&line, matched.as_ref(), &matcher);
            let (track, release) = matched.map(|m| targets[m.target as usize].clone()).unwrap_or((None, None));
            let (track, release) = (track.unwrap_or_default(), release.unwrap_or_default());
            let item = if track.is_empty() { release.clone() } else { track.clone() };
            let territory = line.territory.clone().unwrap_or_default();
            let (p, c) = (line.reporting_period.to_string(), line.currency.clone());
            for (dim, key) in [("store", &line.store), ("territory", &territory), ("track", &track), ("release", &release)] {
                add((dim.into(), String::new(), key.clone(), p.clone(), c.clone()), line.units, line.amount);
            }
            for (dim, key) in [("items:store", &line.store), ("items:territory", &territory)] {
                add((dim.into(), item.clone(), key.clone(), p.clone(), c.clone()), line.units, line.amount);
            }
        }
        // Direct additions (the unmatched queue's moves) land in their own rows too.
        rollup.add_to(2, "t9", periods[0], "USD", 3, Decimal::new(5, 1));
        add(("track".into(), String::new(), "t9".into(), periods[0].to_string(), "USD".into()), 3, Decimal::new(5, 1));
        rollup.add_item(1, "t1", "US", periods[0], "USD", -2, Decimal::new(-25, 2));
        add(("items:territory".into(), "t1".into(), "US".into(), periods[0].to_string(), "USD".into()), -2, Decimal::new(-25, 2));
        assert_eq!(rows_of(rollup), expected);
    }

    #[test]
    fn an_overflowing_total_is_refused() {
        let mut rollup = Rollup::default();
        rollup.add_to(0, "Spotify", YearMonth { year: 2026, month: 1 }, "USD", 1, Decimal::MAX);
        rollup.add_to(0, "Spotify", YearMonth { year: 2026, month: 1 }, "USD", 1, Decimal::MAX);
        assert!(rollup.rows().3);
    }
}
