//! Bulk writes pay for the outbox set-wise.
//!
//! The sync triggers queue one change and write one clock per row as it is written; for an import
//! of 100k contacts (with their e-mails, tags, sources, consent events and activities) that is
//! most of the import's time. Inside a [`BulkWrite`], the insert triggers of every synced table
//! queue nothing, and the update triggers skip the rows the bulk write made (rows that existed
//! before keep their per-row triggers: a merge into an existing contact is an edit like any
//! other). [`BulkWrite::finish`] then queues every new row with one `INSERT … SELECT` per table,
//! in `SYNCED_TABLES` order (parents before children), each table's rows in rowid (insertion)
//! or key order, read as stored: no sort (with one HLC per bulk write, that is HLC order too).
//!
//! The result is what the triggers would have queued, provided the bulk write is one operation:
//! every row it writes is stamped with one HLC (as `Store::stamp()` gives once per operation). A
//! new row is queued once, as an insert of its final values, with `base` `{}` and a `'*'` clock
//! (the triggers merge later writes of the same HLC into the insert the same way). New rows are
//! found by rowid (above the table's largest rowid when the bulk write began) or, for `WITHOUT
//! ROWID` tables, by the key the insert trigger notes in `sync_bulk_rows`.
//!
//! Use it inside the write transaction, on that transaction's connection (rusqlite, as the fan
//! import does on sqlx's connection):
//!
//! ```ignore
//! let bulk = sync::BulkWrite::begin(&conn)?;
//! // … many inserts and updates, one HLC …
//! bulk.finish(&conn)?; // before the commit; on error, roll back instead
//! ```
//!
//! `ROADIE_SYNC_BULK=off` in the environment turns it into a no-op (the per-row triggers do the
//! work), for benchmarks and comparisons.
//!
//! A transaction that commits without `finish` (a bug) is repaired when the store next opens:
//! [`super::install`] queues what the bulk write left (see [`recover_sql`]).

use super::schema::{fields_object, pk_sql, quote, shape_of, ws_sql, TableShape};
use super::SYNCED_TABLES;
use crate::error::{Error, Result};
use rusqlite::{params, Connection};

fn db(e: rusqlite::Error) -> Error {
    Error::Database(sqlx::Error::Protocol(format!("sync bulk write: {e}")))
}

/// An open bulk write; see the module documentation.
#[must_use = "a bulk write must be finished before its transaction commits"]
pub struct BulkWrite {
    tables: Vec<(TableShape, Option<i64>)>,
}

#[cfg(test)]
thread_local! {
    /// Tests compare the bulk path with the per-row triggers: while set, `begin` does nothing.
    pub(crate) static PER_ROW: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl BulkWrite {
    /// Marks every synced table as under a bulk write (inside the caller's transaction).
    pub fn begin(conn: &Connection) -> Result<BulkWrite> {
        #[cfg(test)]
        if PER_ROW.with(|p| p.get()) {
            return Ok(BulkWrite { tables: Vec::new() });
        }
        // For benchmarks and comparisons: the per-row triggers do all the work, as without it.
        if std::env::var_os("ROADIE_SYNC_BULK").is_some_and(|v| v == "off") {
            return Ok(BulkWrite { tables: Vec::new() });
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
            conn.execute("INSERT INTO sync_bulk (tbl, after) VALUES (?1, ?2)", params![t.name, after]).map_err(db)?;
            tables.push((shape, after));
        }
        Ok(BulkWrite { tables })
    }

    /// Queues the rows the bulk write made, as the triggers would have, and closes it.
    pub fn finish(self, conn: &Connection) -> Result<()> {
        if self.tables.is_empty() {
            return Ok(());
        }
        let mut sql = String::new();
        for (shape, after) in &self.tables {
            sql.push_str(&queue_sql(shape, *after));
        }
        sql.push_str("DELETE FROM sync_bulk_rows; DELETE FROM sync_bulk;\n");
        conn.execute_batch(&sql).map_err(db)
    }
}

/// Queues one table's new rows: those above rowid `after`, or listed in `sync_bulk_rows`.
pub(crate) fn queue_sql(shape: &TableShape, after: Option<i64>) -> String {
    let t = shape.table;
    let row = "sync_row_";
    let (from, order) = match after {
        Some(after) => (format!("{name} AS {row} WHERE {row}.rowid > {after}", name = t.name), format!("{row}.rowid")),
        None => {
            let on = match t.key {
                [one] => format!("{row}.{one} = b.pk"),
                many => many
                    .iter()
                    .enumerate()
                    .map(|(i, k)| format!("{row}.{k} = json_extract(b.pk, '$[{i}]')"))
                    .collect::<Vec<_>>()
                    .join(" AND "),
            };
            (
                format!("sync_bulk_rows AS b CROSS JOIN {name} AS {row} ON {on} WHERE b.tbl = {tq}", name = t.name, tq = quote(t.name)),
                "b.pk".to_string(),
            )
        }
    };
    format!(
        "INSERT INTO sync_outbox (tbl, pk, workspace_id, hlc, fields, base, old)\n\
           SELECT {tq}, {pk}, {ws}, {row}.hlc, {fields}, '{{}}', '{{\"__insert\":1}}' FROM {from} ORDER BY {order};\n\
         INSERT INTO sync_clocks (tbl, pk, col, hlc)\n\
           SELECT {tq}, {pk}, '*', {row}.hlc FROM {from}\n\
           ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc;\n",
        tq = quote(t.name),
        pk = pk_sql(t, row),
        ws = ws_sql(t, row),
        fields = fields_object(shape, row),
    )
}

/// What finishing a bulk write left open by a committed transaction takes (empty when none is).
pub(crate) fn recover_sql(shapes: &[TableShape], open: &[(String, Option<i64>)]) -> String {
    if open.is_empty() {
        return String::new();
    }
    let mut sql = String::new();
    for shape in shapes {
        if let Some((_, after)) = open.iter().find(|(t, _)| t == shape.table.name) {
            sql.push_str(&queue_sql(shape, *after));
        }
    }
    sql.push_str("DELETE FROM sync_bulk_rows; DELETE FROM sync_bulk;\n");
    sql
}
