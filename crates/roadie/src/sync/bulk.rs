//! Bulk writes cost O(tables), not O(rows), in the outbox.
//!
//! The sync triggers queue one change and write one clock per row as it is written; for an import
//! of 100k contacts (with their e-mails, tags, sources, consent events and activities) that was
//! most of the import's time and most of the store's size. Inside a [`BulkWrite`], the insert
//! triggers of every synced table queue nothing, and the update triggers skip the rows the bulk
//! write made (rows that existed before keep their per-row triggers: a merge into an existing
//! contact is an edit like any other). [`BulkWrite::finish`] then queues, for each table it added
//! rows to, ONE outbox entry (`pk` `'*'`, the bulk write's HLC, `bulk` = which rows: a rowid range
//! for an ordinary table, a key position for a `WITHOUT ROWID` one, and a count), in
//! `SYNCED_TABLES` order (parents before children). The push expands it into one insert per row,
//! in rowid or key order, in batches, with a change id made from the entry and the row's key (so
//! a retried batch sends the same ids), moving the entry's position as the server answers: the
//! changes on the wire are those the per-row triggers would have queued.
//!
//! The rows of a bulk entry are those of its table whose insert clock is the bulk write's HLC
//! (within the rowid range when there is one): a row a bulk write made has no `'*'` clock of its
//! own; its insert clock is its `hlc` column, as long as that is unchanged. The `sync_star_`
//! trigger (schema.rs) writes the `'*'` clock down the first time a row's `hlc` changes (a local
//! edit, a pulled change, a merge: under `sync_applying` too), and, while the row's bulk entry is
//! still waiting, keeps the row as the bulk write made it in `sync_bulk_before`, which the push
//! sends instead of the row as it is now: the insert as made, then the edits as edits, exactly as
//! the per-row triggers. A write that keeps the row's `hlc` is part of the operation that stamped
//! it (as the per-row triggers merge same-HLC writes into the insert): the push sends the row's
//! final values. A row gone before the push (an erased contact's e-mails) is never sent. The
//! largest bulk HLC is kept in `settings` (`sync.bulk_hlc`) so the store's clock never goes below
//! it (`Store::open`).
//!
//! Provided the bulk write is one operation: every row it writes is stamped with one HLC (as
//! `Store::stamp()` gives once per operation), passed to [`BulkWrite::begin`].
//!
//! Use it inside the write transaction, on that transaction's connection (rusqlite, as the fan
//! import does on sqlx's connection):
//!
//! ```ignore
//! let bulk = sync::BulkWrite::begin(&conn, &hlc)?;
//! // … many inserts and updates, all stamped `hlc` …
//! bulk.finish(&conn)?; // before the commit; on error, roll back instead
//! ```
//!
//! `ROADIE_SYNC_BULK=off` in the environment turns it into a no-op (the per-row triggers do the
//! work), for benchmarks and comparisons.
//!
//! A transaction that commits without `finish` (a bug) is repaired when the store next opens:
//! [`super::install`] queues what the bulk write left, one change per row (see [`recover_sql`]).

use super::schema::{fields_object, pk_sql, quote, shape_of, ws_sql, TableShape};
use super::SYNCED_TABLES;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};

fn db(e: rusqlite::Error) -> Error {
    Error::Database(sqlx::Error::Protocol(format!("sync bulk write: {e}")))
}

/// An open bulk write; see the module documentation.
#[must_use = "a bulk write must be finished before its transaction commits"]
pub struct BulkWrite {
    tables: Vec<(TableShape, Option<i64>)>,
    hlc: String,
    /// Insert triggers dropped by [`BulkWrite::quiet_inserts`], to make again.
    quieted: Vec<String>,
}

#[cfg(test)]
thread_local! {
    /// Tests compare the bulk path with the per-row triggers: while set, `begin` does nothing.
    pub(crate) static PER_ROW: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl BulkWrite {
    /// Marks every synced table as under a bulk write (inside the caller's transaction) whose
    /// rows are all stamped `hlc` (one operation).
    pub fn begin(conn: &Connection, hlc: &str) -> Result<BulkWrite> {
        let off = BulkWrite { tables: Vec::new(), hlc: hlc.to_string(), quieted: Vec::new() };
        #[cfg(test)]
        if PER_ROW.with(|p| p.get()) {
            return Ok(off);
        }
        // For benchmarks and comparisons: the per-row triggers do all the work, as without it.
        if std::env::var_os("ROADIE_SYNC_BULK").is_some_and(|v| v == "off") {
            return Ok(off);
        }
        let open: i64 = conn.query_row("SELECT COUNT(*) FROM sync_bulk", [], |r| r.get(0)).map_err(db)?;
        if open > 0 {
            return Err(Error::Database(sqlx::Error::Protocol("sync bulk write: one is already open".into())));
        }
        let mut tables = Vec::with_capacity(SYNCED_TABLES.len());
        for t in SYNCED_TABLES {
            let mut cols = conn.prepare_cached("SELECT name FROM pragma_table_info(?1) ORDER BY cid").map_err(db)?;
            let cols: Vec<String> =
                cols.query_map(params![t.name], |r| r.get(0)).map_err(db)?.collect::<std::result::Result<_, _>>().map_err(db)?;
            let without_rowid: bool = conn
                .query_row(
                    "SELECT COALESCE((SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?1), 0)",
                    params![t.name],
                    |r| r.get(0),
                )
                .map_err(db)?;
            let shape = shape_of(t, cols, !without_rowid);
            let after = if shape.rowid {
                Some(conn.query_row(&format!("SELECT COALESCE(max(rowid), 0) FROM {}", t.name), [], |r| r.get(0)).map_err(db)?)
            } else {
                None
            };
            conn.execute("INSERT INTO sync_bulk (tbl, after, hlc) VALUES (?1, ?2, ?3)", params![t.name, after, hlc]).map_err(db)?;
            tables.push((shape, after));
        }
        Ok(BulkWrite { tables, hlc: hlc.to_string(), quieted: Vec::new() })
    }

    /// Drops the insert triggers of `tables` until [`BulkWrite::finish`] makes them again. While
    /// the bulk write is open they queue nothing (their `WHEN` tests `sync_bulk`), but every row
    /// still runs them, and a statement with triggers keeps a statement journal: for an import of
    /// many rows that is a cost for nothing. Inside the transaction: a failed write that rolls
    /// back gets them back with everything else. Does nothing when the bulk write is off.
    pub fn quiet_inserts(&mut self, conn: &Connection, tables: &[&str]) -> Result<()> {
        for (shape, _) in &self.tables {
            let name = shape.table.name;
            if !tables.contains(&name) {
                continue;
            }
            let trigger = format!("sync_ins_{name}");
            let sql: Option<String> = conn
                .query_row("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1", params![trigger], |r| r.get(0))
                .optional()
                .map_err(db)?;
            if let Some(sql) = sql {
                conn.execute_batch(&format!("DROP TRIGGER {trigger}")).map_err(db)?;
                self.quieted.push(sql);
            }
        }
        Ok(())
    }

    /// Queues the rows the bulk write made, one outbox entry per table (expanded into one change
    /// per row by the push), and closes it.
    pub fn finish(self, conn: &Connection) -> Result<()> {
        for sql in &self.quieted {
            conn.execute_batch(sql).map_err(db)?;
        }
        if self.tables.is_empty() {
            return Ok(());
        }
        for (shape, after) in &self.tables {
            let t = shape.table;
            let bulk = match after {
                Some(after) => {
                    let (n, upto): (i64, Option<i64>) = conn
                        .query_row(&format!("SELECT count(*), max(rowid) FROM {} WHERE rowid > ?1", t.name), params![after], |r| {
                            Ok((r.get(0)?, r.get(1)?))
                        })
                        .map_err(db)?;
                    (n > 0).then(|| serde_json::json!({"after": after, "upto": upto, "n": n}))
                }
                None => {
                    // Every row with this HLC, less the few that existed before and were
                    // restamped (an estimate: "n" only counts what is left to push).
                    let n: i64 = conn
                        .query_row(&format!("SELECT count(*) FROM {} WHERE hlc = ?1", t.name), params![self.hlc], |r| r.get(0))
                        .map_err(db)?;
                    (n > 0).then(|| serde_json::json!({"key": null, "n": n}))
                }
            };
            if let Some(bulk) = bulk {
                conn.execute(
                    "INSERT INTO sync_outbox (tbl, pk, workspace_id, hlc, fields, base, old, bulk) VALUES (?1, '*', NULL, ?2, '{}', '{}', '{\"__insert\":1}', ?3)",
                    params![t.name, self.hlc, bulk.to_string()],
                )
                .map_err(db)?;
            }
        }
        // The store's clock never goes below a stamp it holds (Store::open): these rows have no
        // clock entry that says so.
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('sync.bulk_hlc', ?1) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
            params![self.hlc],
        )
        .map_err(db)?;
        conn.execute_batch("DELETE FROM sync_bulk_rows; DELETE FROM sync_bulk;\n").map_err(db)
    }
}

/// Queues one table's new rows one change each, as the triggers would have: those above rowid
/// `after`, or (WITHOUT ROWID) those listed in `sync_bulk_rows` (by an older build) or stamped
/// `hlc` with no '*' clock. Only for a bulk write whose transaction committed unfinished.
pub(crate) fn queue_sql(shape: &TableShape, after: Option<i64>, hlc: Option<&str>) -> String {
    let t = shape.table;
    let row = "sync_row_";
    let tq = quote(t.name);
    let pk = pk_sql(t, row);
    let (from, order) = match after {
        Some(after) => (format!("{name} AS {row} WHERE {row}.rowid > {after}", name = t.name), format!("{row}.rowid")),
        None => {
            let stamped = match hlc {
                Some(h) => format!(
                    " OR ({row}.hlc = {h} AND NOT EXISTS (SELECT 1 FROM sync_clocks c WHERE c.tbl = {tq} AND c.pk = {pk} AND c.col = '*'))",
                    h = quote(h)
                ),
                None => String::new(),
            };
            (
                format!(
                    "{name} AS {row} WHERE (EXISTS (SELECT 1 FROM sync_bulk_rows b WHERE b.tbl = {tq} AND b.pk = {pk}){stamped})",
                    name = t.name
                ),
                t.key.iter().map(|k| format!("{row}.{k}")).collect::<Vec<_>>().join(", "),
            )
        }
    };
    format!(
        "INSERT INTO sync_outbox (tbl, pk, workspace_id, hlc, fields, base, old)\n\
           SELECT {tq}, {pk}, {ws}, {row}.hlc, {fields}, '{{}}', '{{\"__insert\":1}}' FROM {from} ORDER BY {order};\n\
         INSERT INTO sync_clocks (tbl, pk, col, hlc)\n\
           SELECT {tq}, {pk}, '*', {row}.hlc FROM {from}\n\
           ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc;\n",
        ws = ws_sql(t, row),
        fields = fields_object(shape, row),
    )
}

/// What finishing a bulk write left open by a committed transaction takes (empty when none is).
pub(crate) fn recover_sql(shapes: &[TableShape], open: &[(String, Option<i64>, Option<String>)]) -> String {
    if open.is_empty() {
        return String::new();
    }
    let mut sql = String::new();
    for shape in shapes {
        if let Some((_, after, hlc)) = open.iter().find(|(t, _, _)| t == shape.table.name) {
            sql.push_str(&queue_sql(shape, *after, hlc.as_deref()));
        }
    }
    sql.push_str("DELETE FROM sync_bulk_rows; DELETE FROM sync_bulk;\n");
    sql
}
