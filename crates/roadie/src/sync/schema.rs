//! Generates the sync triggers from `SYNCED_TABLES` and installs them when the store opens.

use super::{SyncedTable, SYNCED_TABLES};
use crate::error::Result;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

/// Columns that are never fields of a change.
const NOT_FIELDS: &[&str] = &["hlc"];

/// A synced table with its columns as the schema has them now.
#[derive(Debug, Clone)]
pub(crate) struct TableShape {
    pub table: &'static SyncedTable,
    /// Synced columns (key columns included), in schema order.
    pub columns: Vec<String>,
    /// An ordinary table (not `WITHOUT ROWID`): a bulk write finds its new rows by rowid.
    pub rowid: bool,
}

impl TableShape {
    pub fn has_column(&self, col: &str) -> bool {
        self.columns.iter().any(|c| c == col)
    }
    pub fn is_quiet(&self, col: &str) -> bool {
        col == "updated_at" || self.table.quiet.contains(&col) || self.table.grow.contains(&col)
    }
    /// Whether a pulled value of `col` replaces the local one: the larger for a `grow` column,
    /// else `roadie_protocol::sync::wins` (later clock).
    pub fn takes(&self, col: &str, hlc: &str, value: &serde_json::Value, clock: &str, current: &serde_json::Value) -> bool {
        if self.table.grow.contains(&col) {
            let n = |v: &serde_json::Value| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
            return match (n(value), n(current)) {
                (Some(a), Some(b)) => a > b,
                (Some(_), None) => true,
                _ => false,
            };
        }
        roadie_protocol::sync::wins(hlc, value, clock, current)
    }
}

pub(crate) async fn shapes(pool: &SqlitePool) -> Result<Vec<TableShape>> {
    let mut out = Vec::new();
    for t in SYNCED_TABLES {
        let cols: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind(t.name)
                .fetch_all(pool)
                .await?;
        let without_rowid: bool =
            sqlx::query_scalar("SELECT COALESCE((SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?), 0)")
                .bind(t.name)
                .fetch_one(pool)
                .await?;
        out.push(shape_of(t, cols, !without_rowid));
    }
    Ok(out)
}

/// Builds a table's shape from its column names as the schema lists them (in order).
pub(crate) fn shape_of(table: &'static SyncedTable, cols: Vec<String>, rowid: bool) -> TableShape {
    let columns = cols
        .into_iter()
        .filter(|c| !NOT_FIELDS.contains(&c.as_str()) && !table.local.iter().any(|(l, _)| l == c))
        .collect();
    TableShape { table, columns, rowid }
}

/// The row key as stored in `sync_clocks` and sent as `pk`, over the row alias `row`.
pub(crate) fn pk_sql(t: &SyncedTable, row: &str) -> String {
    match t.key {
        [one] => format!("{row}.{one}"),
        many => format!(
            "json_array({})",
            many.iter()
                .map(|k| format!("{row}.{k}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub(crate) fn ws_sql(t: &SyncedTable, row: &str) -> String {
    t.workspace
        .map(|w| w.replace("NEW.", &format!("{row}.")))
        .unwrap_or_else(|| "NULL".into())
}

pub(crate) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub(crate) fn fields_object(shape: &TableShape, row: &str) -> String {
    let args: Vec<String> = shape
        .columns
        .iter()
        .map(|c| format!("{}, {row}.{c}", quote(c)))
        .collect();
    format!("json_object({})", args.join(", "))
}

/// Drop-and-create of one table's triggers.
pub(crate) fn triggers_sql(shape: &TableShape) -> String {
    let t = shape.table;
    let name = t.name;
    let tq = quote(name);
    let pk = pk_sql(t, "NEW");
    let ws = ws_sql(t, "NEW");
    // Under a bulk write (bulk.rs) inserts queue nothing (a WITHOUT ROWID table notes the key of
    // the new row instead) and updates skip the rows the bulk write made: its end queues them.
    let in_bulk = format!("EXISTS (SELECT 1 FROM sync_bulk WHERE tbl = {tq})");
    // A row the open bulk write made: above its rowid mark, or (WITHOUT ROWID) stamped with its
    // HLC and without a '*' clock of its own (a row that existed before has one, or gets one when
    // the bulk write restamps it; see `sync_star_` below).
    let star = |row: &str| {
        format!("EXISTS (SELECT 1 FROM sync_clocks WHERE tbl = {tq} AND pk = {} AND col = '*')", pk_sql(t, row))
    };
    let made_in_bulk = if shape.rowid {
        format!("EXISTS (SELECT 1 FROM sync_bulk WHERE tbl = {tq} AND NEW.rowid > after)")
    } else {
        format!("(EXISTS (SELECT 1 FROM sync_bulk WHERE tbl = {tq} AND hlc = OLD.hlc AND hlc = NEW.hlc) AND NOT {})", star("OLD"))
    };
    let mut sql = format!(
        "DROP TRIGGER IF EXISTS sync_ins_{name};\n\
         DROP TRIGGER IF EXISTS sync_upd_{name};\n\
         DROP TRIGGER IF EXISTS sync_bulk_{name};\n\
         DROP TRIGGER IF EXISTS sync_star_{name};\n\
         CREATE TRIGGER sync_ins_{name} AFTER INSERT ON {name} WHEN NOT EXISTS (SELECT 1 FROM sync_applying) AND NOT {in_bulk}\n\
         BEGIN\n\
           INSERT INTO sync_outbox (tbl, pk, workspace_id, hlc, fields, base, old) VALUES ({tq}, {pk}, {ws}, NEW.hlc, {fields}, '{{}}', '{{\"__insert\":1}}');\n\
           INSERT INTO sync_clocks (tbl, pk, col, hlc) VALUES ({tq}, {pk}, '*', NEW.hlc)\n\
             ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc;\n\
         END;\n",
        fields = fields_object(shape, "NEW"),
    );
    // A row a bulk write made has no '*' clock: its insert clock is its `hlc` (bulk.rs). Before
    // that hlc first changes (any update: a local edit, a pulled change, a merge), the '*' clock
    // is written down; and while the row's bulk entry waits in the outbox, the row as the bulk
    // write made it is kept for the push (the first time it changes). Fires under
    // `sync_applying` too. One statement order, one trigger: the keep reads the '*' before the
    // write-down.
    // (A write that keeps the row's hlc is part of the operation that stamped it: for a row of a
    // pending bulk entry, part of the bulk write, pushed with it at its final values, as the
    // per-row triggers merge same-HLC writes into the insert; see `sync_upd_`.)
    let pending_bulk = format!("EXISTS (SELECT 1 FROM sync_outbox WHERE tbl = {tq} AND pk = '*' AND hlc = OLD.hlc)");
    sql.push_str(&format!(
        "CREATE TRIGGER sync_star_{name} AFTER UPDATE ON {name} WHEN OLD.hlc IS NOT NEW.hlc\n\
         BEGIN\n\
           INSERT OR IGNORE INTO sync_bulk_before (tbl, pk, hlc, fields)\n\
             SELECT {tq}, {pk_old}, OLD.hlc, {fields_old} WHERE {pending_bulk} AND NOT {star_old};\n\
           INSERT INTO sync_clocks (tbl, pk, col, hlc) VALUES ({tq}, {pk_old}, '*', OLD.hlc)\n\
             ON CONFLICT (tbl, pk, col) DO NOTHING;\n\
         END;\n",
        pk_old = pk_sql(t, "OLD"),
        fields_old = fields_object(shape, "OLD"),
        star_old = star("OLD"),
    ));
    let editable: Vec<&String> = shape
        .columns
        .iter()
        .filter(|c| !t.key.contains(&c.as_str()))
        .collect();
    if editable.is_empty() {
        return sql;
    }
    // No clock at all: a row a bulk write made, whose insert clock is its hlc before this update.
    let clock = |c: &str| {
        format!(
            "COALESCE((SELECT hlc FROM sync_clocks WHERE tbl = {tq} AND pk = {pk} AND col IN ({}, '*') ORDER BY col = '*' LIMIT 1), OLD.hlc)",
            quote(c)
        )
    };
    let changed = |with_values: bool| -> String {
        editable
            .iter()
            .map(|c| {
                let cq = quote(c);
                if with_values {
                    format!("SELECT {cq} AS k, NEW.{c} AS v, {} AS b, OLD.{c} AS o WHERE OLD.{c} IS NOT NEW.{c}", clock(c))
                } else {
                    format!("SELECT {cq} AS k WHERE OLD.{c} IS NOT NEW.{c}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n             UNION ALL ")
    };
    let path =
        |c: &str| format!("CASE WHEN OLD.{c} IS NOT NEW.{c} THEN '$.{c}' ELSE '$.__same' END");
    let any_changed = editable
        .iter()
        .map(|c| format!("OLD.{c} IS NOT NEW.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let set_fields = editable
        .iter()
        .map(|c| format!("{}, NEW.{c}", path(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let set_old = editable
        .iter()
        .map(|c| format!("{}, OLD.{c}", path(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let set_base = editable
        .iter()
        .map(|c| format!("{}, {}", path(c), clock(c)))
        .collect::<Vec<_>>()
        .join(", ");
    // Several writes of one row in one operation share its HLC stamp: they become one change (the
    // first base of each field is kept), so a transient value inside one transaction (a link
    // tombstoned then revived) never reaches other devices as an edit. A row inserted and then
    // edited in one operation stays one insert at its final values (base and old stay those of
    // an insert: the inserted values were never seen anywhere), exactly what a bulk write queues.
    let same_write =
        format!("SELECT max(id) FROM sync_outbox WHERE tbl = {tq} AND pk = {pk} AND hlc = NEW.hlc");
    sql.push_str(&format!(
        "CREATE TRIGGER sync_upd_{name} AFTER UPDATE ON {name} WHEN NOT EXISTS (SELECT 1 FROM sync_applying) AND NOT {made_in_bulk} AND ({any_changed})\n\
           AND NOT (OLD.hlc = NEW.hlc AND {pending_bulk} AND NOT {star_old})\n\
         BEGIN\n\
           UPDATE sync_outbox SET fields = json_remove(json_set(fields, {set_fields}), '$.__same'),\n\
             base = CASE WHEN json_extract(old, '$.__insert') IS NULL THEN json_remove(json_insert(base, {set_base}), '$.__same') ELSE base END,\n\
             old = CASE WHEN json_extract(old, '$.__insert') IS NULL THEN json_remove(json_insert(old, {set_old}), '$.__same') ELSE old END\n\
             WHERE id = ({same_write});\n\
           INSERT INTO sync_outbox (tbl, pk, workspace_id, hlc, fields, base, old)\n\
             SELECT {tq}, {pk}, {ws}, NEW.hlc, json_group_object(k, v), json_group_object(k, b), json_group_object(k, o)\n\
             FROM ({with_values}) WHERE ({same_write}) IS NULL HAVING count(*) > 0;\n\
           INSERT INTO sync_clocks (tbl, pk, col, hlc)\n\
             SELECT {tq}, {pk}, k, NEW.hlc FROM ({names}) WHERE true\n\
             ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc;\n\
         END;\n",
        with_values = changed(true),
        names = changed(false),
        star_old = star("OLD"),
    ));
    sql
}

/// Queues every row of a table that joins sync with rows already in it.
fn backfill_sql(shape: &TableShape) -> String {
    let t = shape.table;
    let row = "sync_row_";
    format!(
        "INSERT INTO sync_outbox (tbl, pk, workspace_id, hlc, fields, base)\n\
           SELECT {tq}, {pk}, {ws}, {row}.hlc, {fields}, '{{}}' FROM {name} AS {row} ORDER BY {row}.hlc;\n\
         INSERT INTO sync_clocks (tbl, pk, col, hlc)\n\
           SELECT {tq}, {pk}, '*', {row}.hlc FROM {name} AS {row} WHERE true ON CONFLICT (tbl, pk, col) DO NOTHING;\n",
        tq = quote(t.name),
        name = t.name,
        pk = pk_sql(t, row),
        ws = ws_sql(t, row),
        fields = fields_object(shape, row),
    )
}

/// Brings the triggers in line with `SYNCED_TABLES` and the schema (a no-op when nothing
/// changed), and queues the rows of tables that join sync.
pub async fn install(pool: &SqlitePool) -> Result<()> {
    let shapes = shapes(pool).await?;
    // A bulk write whose transaction committed without finishing it: queue what it made now.
    let open: Vec<(String, Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT tbl, after, hlc FROM sync_bulk").fetch_all(pool).await?;
    if !open.is_empty() {
        let recover = super::bulk::recover_sql(&shapes, &open);
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::Executor::execute(&mut *tx, sqlx::raw_sql(&recover)).await?;
        tx.commit().await?;
    }
    let all: String = shapes.iter().map(triggers_sql).collect();
    let hash = hex::encode(Sha256::digest(all.as_bytes()));
    let current: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'sync.triggers'")
            .fetch_optional(pool)
            .await?;
    if current.as_deref() == Some(hash.as_str()) {
        return Ok(());
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let installed: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'sync.tables'")
            .fetch_optional(&mut *tx)
            .await?;
    let mut installed: Vec<String> = installed
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default();
    // Executor::execute on the connection keeps this future Send for Tauri's commands
    // (RawSql::execute(&mut *tx) is not general enough over the connection's lifetime).
    sqlx::Executor::execute(&mut *tx, sqlx::raw_sql(&all)).await?;
    for shape in &shapes {
        if !installed.iter().any(|t| t == shape.table.name) {
            let backfill = backfill_sql(shape);
            sqlx::Executor::execute(&mut *tx, sqlx::raw_sql(&backfill)).await?;
            installed.push(shape.table.name.to_string());
        }
    }
    for (key, value) in [
        ("sync.triggers", hash),
        (
            "sync.tables",
            serde_json::to_string(&installed).expect("json"),
        ),
    ] {
        crate::store::put_setting(&mut tx, key, &value).await?;
    }
    tx.commit().await?;
    Ok(())
}
