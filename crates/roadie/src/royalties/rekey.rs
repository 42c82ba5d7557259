//! Re-keying the rows a store made before its first sign-in.
//!
//! A store that has never signed in derives the ids of its own ledger's rows (statement files,
//! runs, payee statements, exchange rates, column mappings, match rules: see ledger.rs) in a
//! random local scope, since it does not know its account yet. At the first sign-in those rows
//! take the ids the account's other devices derive for the same things (the account's own
//! workspace as the scope), so that the same file, month, rate or mapping made on both is one row
//! after a sync instead of a clash on a unique index. The same happens at a sign-in to another
//! account than the last one, for the rows made in the last account's scope and never pushed
//! (ledger.rs, `adopt_account_scope`). Only rows whose insert is still queued move.
//!
//! [`rekey`] does it in the caller's write transaction: each table's rows whose id is the one
//! derived from their natural key in the old scope get the id derived in the new one; every
//! reference follows (a payee statement's run, a recoupment's statement, a run's file list, a
//! statement document's own id), and so does the sync bookkeeping of those rows (their queued
//! outbox entries, field clocks, and any conflict, error or bulk record naming them), with the
//! sync triggers silenced (`sync_applying`): what is pushed afterwards is exactly the re-keyed
//! rows, as inserts under their new ids, and nothing for the old ones (a store that never signed
//! in has pushed nothing). Foreign keys are checked at the commit (`defer_foreign_keys`).
//!
//! Statement lines carry their file's local `seq`, not its id, and the rollup is keyed by
//! ledger, so neither changes. Fan activities from Bandcamp sales name the file by its content
//! hash. A row whose new id is taken already (it cannot be, for a store that never synced) keeps
//! its id.

use crate::error::Result;
use serde_json::Value;
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// How many rows of each table took a new id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Rekeyed {
    pub tables: Vec<(&'static str, u64)>,
}

impl Rekeyed {
    pub fn total(&self) -> u64 {
        self.tables.iter().map(|t| t.1).sum()
    }

    pub fn add(&mut self, more: Rekeyed) {
        for (table, n) in more.tables {
            match self.tables.iter_mut().find(|t| t.0 == table) {
                Some(t) => t.1 += n,
                None => self.tables.push((table, n)),
            }
        }
    }
}

fn scoped(kind: &str, scope: &str, parts: &[&str]) -> String {
    let mut all = Vec::with_capacity(parts.len() + 1);
    all.push(scope);
    all.extend_from_slice(parts);
    crate::clock::derived_id(kind, &all).to_string()
}

/// A table whose ids derive from a natural key within the ledger's scope: the key's columns (in
/// the order the id is derived from) and the kind.
struct Derived {
    table: &'static str,
    kind: &'static str,
    key: &'static [&'static str],
}

const DERIVED: &[Derived] = &[
    Derived { table: "statement_files", kind: "statement_file", key: &["content_hash"] },
    Derived { table: "statement_runs", kind: "statement_run", key: &["period"] },
    Derived { table: "payee_statements", kind: "payee_statement", key: &["period", "payee_id"] },
    Derived { table: "fx_rates", kind: "fx_rate", key: &["base", "quote", "source", "rate_date"] },
    Derived { table: "column_mappings", kind: "column_mapping", key: &["name"] },
    Derived { table: "match_rules", kind: "match_rule", key: &["match_kind", "match_key"] },
];

/// Gives every row derived in scope `from` the id derived in scope `to`, with everything that
/// names it (see the module documentation). Inside the caller's write transaction.
pub(crate) async fn rekey(conn: &mut SqliteConnection, from: &str, to: &str) -> Result<Rekeyed> {
    sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *conn).await?;
    sqlx::query("DROP TABLE IF EXISTS temp.rekey_ids").execute(&mut *conn).await?;
    sqlx::query("CREATE TEMP TABLE rekey_ids (tbl TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL, PRIMARY KEY (tbl, old))")
        .execute(&mut *conn)
        .await?;

    // Which rows move, and to what.
    let mut moves: HashMap<&'static str, HashMap<String, String>> = HashMap::new();
    for d in DERIVED {
        let cols = d.key.iter().map(|k| format!("CAST({k} AS TEXT)")).collect::<Vec<_>>().join(", ");
        let rows: Vec<(String, String)> =
            sqlx::query_as(&format!("SELECT id, json_array({cols}) FROM {} ORDER BY rowid", d.table)).fetch_all(&mut *conn).await?;
        let mut map = HashMap::new();
        for (id, key) in rows {
            let Ok(parts) = serde_json::from_str::<Vec<Option<String>>>(&key) else { continue };
            let Some(parts) = parts.into_iter().collect::<Option<Vec<String>>>() else { continue };
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            if scoped(d.kind, from, &parts) == id {
                map.insert(id, scoped(d.kind, to, &parts));
            }
        }
        for chunk in map.iter().collect::<Vec<_>>().chunks(300) {
            let sql = format!("INSERT INTO rekey_ids (tbl, old, new) VALUES {}", vec!["(?, ?, ?)"; chunk.len()].join(", "));
            let mut q = sqlx::query(&sql);
            for (old, new) in chunk {
                q = q.bind(d.table).bind(old.as_str()).bind(new.as_str());
            }
            q.execute(&mut *conn).await?;
        }
        // Only rows never pushed (their insert, which names the id, is still queued: a store that
        // never synced has every insert queued): a pushed row is known by its id elsewhere.
        sqlx::query(
            "DELETE FROM rekey_ids WHERE tbl = ?1 AND NOT EXISTS (SELECT 1 FROM sync_outbox o \
             WHERE o.tbl = ?1 AND o.pk = rekey_ids.old AND json_type(o.fields, '$.id') IS NOT NULL)",
        )
        .bind(d.table)
        .execute(&mut *conn)
        .await?;
        // (A new id another row has already: that row stays as it is.)
        sqlx::query(&format!("DELETE FROM rekey_ids WHERE tbl = ?1 AND new IN (SELECT id FROM {})", d.table))
            .bind(d.table)
            .execute(&mut *conn)
            .await?;
        let kept: Vec<(String, String)> =
            sqlx::query_as("SELECT old, new FROM rekey_ids WHERE tbl = ?").bind(d.table).fetch_all(&mut *conn).await?;
        moves.insert(d.table, kept.into_iter().collect());
    }
    let mut done = Rekeyed::default();
    for d in DERIVED {
        done.tables.push((d.table, moves[d.table].len() as u64));
    }
    if done.total() == 0 {
        sqlx::query("DROP TABLE temp.rekey_ids").execute(&mut *conn).await?;
        return Ok(done);
    }

    // The rows and what names them, with the sync triggers quiet (their bookkeeping follows below).
    sqlx::query("INSERT OR IGNORE INTO sync_applying (one) VALUES (1)").execute(&mut *conn).await?;
    for d in DERIVED {
        sqlx::query(&format!(
            "UPDATE {t} SET id = m.new FROM rekey_ids m WHERE m.tbl = '{t}' AND m.old = {t}.id",
            t = d.table
        ))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE payee_statements SET run_id = m.new FROM rekey_ids m WHERE m.tbl = 'statement_runs' AND m.old = payee_statements.run_id")
        .execute(&mut *conn)
        .await?;
    // A recoupment's key names its statement: its sync records move with it.
    sqlx::query(
        "INSERT INTO rekey_ids (tbl, old, new) SELECT 'recoupments', json_array(m.old, r.advance_id), json_array(m.new, r.advance_id) \
         FROM recoupments r JOIN rekey_ids m ON m.tbl = 'payee_statements' AND m.old = r.statement_id",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE recoupments SET statement_id = m.new FROM rekey_ids m WHERE m.tbl = 'payee_statements' AND m.old = recoupments.statement_id")
        .execute(&mut *conn)
        .await?;
    // A statement's document names its own id.
    sqlx::query(
        "UPDATE payee_statements SET document = replace(document, m.old, m.new) FROM rekey_ids m \
         WHERE m.tbl = 'payee_statements' AND m.new = payee_statements.id",
    )
    .execute(&mut *conn)
    .await?;
    let statements = &moves["payee_statements"];
    let files = &moves["statement_files"];
    if !files.is_empty() {
        let runs: Vec<(String, String)> = sqlx::query_as("SELECT id, files FROM statement_runs").fetch_all(&mut *conn).await?;
        for (id, list) in runs {
            if let Some(mapped) = map_files(&list, files) {
                sqlx::query("UPDATE statement_runs SET files = ? WHERE id = ?").bind(mapped).bind(&id).execute(&mut *conn).await?;
            }
        }
    }

    // Sync bookkeeping: every record of a moved row names its new key, and the values queued for
    // it its new id (then, below, the ids they name).
    sqlx::query(
        "UPDATE sync_outbox SET pk = m.new, \
           fields = CASE WHEN json_extract(sync_outbox.fields, '$.id') = m.old THEN json_set(sync_outbox.fields, '$.id', m.new) ELSE sync_outbox.fields END, \
           old = CASE WHEN json_extract(sync_outbox.old, '$.id') = m.old THEN json_set(sync_outbox.old, '$.id', m.new) ELSE sync_outbox.old END \
         FROM rekey_ids m WHERE m.tbl = sync_outbox.tbl AND m.old = sync_outbox.pk",
    )
    .execute(&mut *conn)
    .await?;
    for table in ["sync_clocks", "sync_conflicts", "sync_errors", "sync_bulk_rows", "sync_bulk_before"] {
        sqlx::query(&format!(
            "UPDATE {table} SET pk = m.new FROM rekey_ids m WHERE m.tbl = {table}.tbl AND m.old = {table}.pk"
        ))
        .execute(&mut *conn)
        .await?;
    }
    let runs = &moves["statement_runs"];
    let queued: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, tbl, fields, old FROM sync_outbox WHERE tbl IN ('statement_runs', 'payee_statements', 'recoupments')",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (entry, table, fields, old) in queued {
        let rewrite = |text: &str| -> Option<String> {
            let mut v: serde_json::Map<String, Value> = serde_json::from_str(text).ok()?;
            let changed = match table.as_str() {
                "payee_statements" => {
                    let run = rename(&mut v, "run_id", runs);
                    let doc = match v.get("document").and_then(Value::as_str) {
                        Some(doc) => {
                            let mut text = doc.to_string();
                            for (o, n) in statements {
                                if text.contains(o.as_str()) {
                                    text = text.replace(o.as_str(), n);
                                }
                            }
                            let changed = text != doc;
                            v.insert("document".into(), Value::String(text));
                            changed
                        }
                        None => false,
                    };
                    run || doc
                }
                "recoupments" => rename(&mut v, "statement_id", statements),
                _ => match v.get("files").and_then(Value::as_str).and_then(|l| map_files(l, files)) {
                    Some(mapped) => {
                        v.insert("files".into(), Value::String(mapped));
                        true
                    }
                    None => false,
                },
            };
            changed.then(|| Value::Object(v).to_string())
        };
        let (f, o) = (rewrite(&fields), rewrite(&old));
        if f.is_some() || o.is_some() {
            sqlx::query("UPDATE sync_outbox SET fields = ?, old = ? WHERE id = ?")
                .bind(f.unwrap_or(fields))
                .bind(o.unwrap_or(old))
                .bind(entry)
                .execute(&mut *conn)
                .await?;
        }
    }
    sqlx::query("DELETE FROM sync_applying").execute(&mut *conn).await?;
    sqlx::query("DROP TABLE temp.rekey_ids").execute(&mut *conn).await?;
    Ok(done)
}

/// Renames the id `v[key]` when `map` moves it; true when it did.
fn rename(v: &mut serde_json::Map<String, Value>, key: &str, map: &HashMap<String, String>) -> bool {
    match v.get(key).and_then(Value::as_str).and_then(|s| map.get(s)) {
        Some(new) => {
            v.insert(key.into(), Value::String(new.clone()));
            true
        }
        None => false,
    }
}

/// A run's file list (JSON array of file ids, sorted) with moved files renamed, sorted again;
/// `None` when none of them moved.
fn map_files(list: &str, files: &HashMap<String, String>) -> Option<String> {
    let ids: Vec<String> = serde_json::from_str(list).ok()?;
    if !ids.iter().any(|i| files.contains_key(i)) {
        return None;
    }
    let mut ids: Vec<String> = ids.into_iter().map(|i| files.get(&i).cloned().unwrap_or(i)).collect();
    ids.sort();
    Some(serde_json::to_string(&ids).expect("serialisable"))
}

#[cfg(test)]
mod tests {
    use crate::catalog::testing::store;
    use crate::catalog::{ArtistInput, NewWorkspace, ReleaseInput, ReleaseType, TrackInput, WorkspaceKind};
    use crate::royalties::{AdvanceInput, AssignBy, AssignTarget, ColumnMapping, ImportOptions, PayeeInput, YearMonth};
    use crate::Store;
    use std::str::FromStr;

    const DK: &str = "Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)\r\n\
        2026-03-31\t2026-03\tSpotify\tAna\tDawn\tUSAAA2400001\t\t3\t100\tSong\tUS\t0\t120.50\r\n\
        2026-03-31\t2026-03\tDeezer\tAna\tDusk (live)\t\t\t2\t100\tSong\tFR\t0\t30.25\r\n";

    const SYNCED: &[&str] = &[
        "statement_files", "statement_runs", "payee_statements", "recoupments", "fx_rates", "column_mappings", "match_rules",
        "statement_lines", "payees", "advances", "tracks", "sync_outbox", "sync_clocks", "royalty_rollup",
    ];

    async fn counts(store: &Store) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        for t in SYNCED {
            let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {t}")).fetch_one(&store.pool).await.unwrap();
            out.push((t.to_string(), n));
        }
        out
    }

    async fn one(store: &Store, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&store.pool).await.unwrap()
    }

    /// Everything a store never signed in makes in its own ledger: a statement file (its lines
    /// matched by ISRC and by a rule), ECB and manual rates, a mapping, and March issued with a
    /// payee statement recouping an advance.
    async fn ledger_before_sign_in(store: &Store, dir: &std::path::Path) {
        let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Artist, name: "Ana".into() }).await.unwrap().id;
        let artist = store.create_artist(ws, ArtistInput::named("Ana")).await.unwrap().id;
        let release = store.create_release(ws, ReleaseInput::new("First", ReleaseType::Album, vec![artist])).await.unwrap().release.id;
        let dawn = store.add_track(release, TrackInput { isrc: Some("USAAA2400001".into()), ..TrackInput::titled("Dawn") }).await.unwrap().id;
        let dusk = store.add_track(release, TrackInput::titled("Dusk")).await.unwrap().id;
        let payee = store
            .create_payee(None, PayeeInput { artist_id: Some(artist), currency: Some("USD".into()), ..PayeeInput::named("Ana") })
            .await
            .unwrap()
            .id;
        store
            .add_advance(AdvanceInput::new(payee, "100".parse().unwrap(), "USD", chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()))
            .await
            .unwrap();
        let file = dir.join("march.tsv");
        std::fs::write(&file, DK).unwrap();
        let report = store.import_statement(&file, &ImportOptions::default()).await.unwrap();
        assert_eq!((report.imported, report.matched), (2, 1));
        let taken = store
            .assign_unmatched(AssignBy::TitleArtist { title: "Dusk (live)".into(), artist: "Ana".into() }, AssignTarget::Track(dusk))
            .await
            .unwrap();
        assert_eq!(taken, 1);
        let _ = dawn;
        let ecb = dir.join("eurofxref.csv");
        std::fs::write(&ecb, "Date, USD, CNY, \n31 March 2026, 1.0812, 7.8420, \n").unwrap();
        assert_eq!(store.import_ecb_rates(&ecb).await.unwrap().rates, 2);
        store.set_rate(chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(), "USD", "JPY", "150.5".parse().unwrap()).await.unwrap();
        let mapping = ColumnMapping { reporting_period: "Month".into(), amount: "Amount".into(), default_currency: Some("USD".into()), default_store: Some("Shop".into()), ..Default::default() };
        store.save_mapping("Portal", &["Month".into(), "Amount".into()], mapping).await.unwrap();
        let run = store.generate_statements(YearMonth::from_str("2026-03").unwrap(), &dir.join("out")).await.unwrap();
        assert_eq!(run.statements.len(), 1);
        assert_eq!(one(store, "SELECT count(*) FROM recoupments").await, 1, "the advance recoups");
    }

    async fn sign_in(store: &Store, workspace: &str) -> super::Rekeyed {
        let mut tx = store.write().await.unwrap();
        let done = super::super::adopt_account_scope(&mut tx, workspace).await.unwrap();
        tx.commit().await.unwrap();
        done
    }

    #[tokio::test]
    async fn the_first_sign_in_gives_every_local_row_its_accounts_id_and_everything_that_names_it_follows() {
        let (store, dir) = store().await;
        ledger_before_sign_in(&store, dir.path()).await;
        let local: String =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'royalties.local_scope'").fetch_one(&store.pool).await.unwrap();
        let before = counts(&store).await;
        let docs_before = store.statement_documents(YearMonth::from_str("2026-03").unwrap()).await.unwrap();
        let report_before = store.royalty_report(crate::royalties::ReportBy::Track, &Default::default()).await.unwrap();

        let account = uuid::Uuid::now_v7().to_string();
        let done = sign_in(&store, &account).await;
        assert_eq!(
            done.tables,
            vec![
                ("statement_files", 1),
                ("statement_runs", 1),
                ("payee_statements", 1),
                ("fx_rates", 3),
                ("column_mappings", 1),
                ("match_rules", 1)
            ]
        );
        assert_eq!(counts(&store).await, before, "nothing added or lost, the outbox and clocks included");
        let broken: Vec<(String, Option<i64>, String, i64)> =
            sqlx::query_as("PRAGMA foreign_key_check").fetch_all(&store.pool).await.unwrap();
        assert!(broken.is_empty(), "{broken:?}");

        // Every row has the id the account's devices derive; nothing names an old id.
        let derived = |kind: &str, parts: &[&str]| {
            let mut all = vec![account.as_str()];
            all.extend_from_slice(parts);
            crate::clock::derived_id(kind, &all).to_string()
        };
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, content_hash FROM statement_files").fetch_all(&store.pool).await.unwrap();
        let file_id = rows[0].0.clone();
        assert_eq!(file_id, derived("statement_file", &[&rows[0].1]));
        let (run_id, period, files): (String, String, String) =
            sqlx::query_as("SELECT id, period, files FROM statement_runs").fetch_one(&store.pool).await.unwrap();
        assert_eq!(run_id, derived("statement_run", &[&period]));
        assert_eq!(files, format!("[\"{file_id}\"]"));
        let (st_id, st_run, st_period, st_payee, doc): (String, String, String, String, String) =
            sqlx::query_as("SELECT id, run_id, period, payee_id, document FROM payee_statements").fetch_one(&store.pool).await.unwrap();
        assert_eq!((st_id.clone(), st_run), (derived("payee_statement", &[&st_period, &st_payee]), run_id.clone()));
        let doc: crate::royalties::StatementDocument = serde_json::from_str(&doc).unwrap();
        assert_eq!(doc.statement_id.to_string(), st_id);
        assert_eq!(one(&store, &format!("SELECT count(*) FROM recoupments WHERE statement_id = '{st_id}'")).await, 1);
        for (id, base, quote, source, day) in sqlx::query_as::<_, (String, String, String, String, String)>(
            "SELECT id, base, quote, source, rate_date FROM fx_rates",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap()
        {
            assert_eq!(id, derived("fx_rate", &[&base, &quote, &source, &day]));
        }
        let (m_id, m_name): (String, String) = sqlx::query_as("SELECT id, name FROM column_mappings").fetch_one(&store.pool).await.unwrap();
        assert_eq!(m_id, derived("column_mapping", &[&m_name]));
        let (r_id, r_kind, r_key): (String, String, String) =
            sqlx::query_as("SELECT id, match_kind, match_key FROM match_rules").fetch_one(&store.pool).await.unwrap();
        assert_eq!(r_id, derived("match_rule", &[&r_kind, &r_key]));

        // The sync records name the rows as they are: each queued change and clock a live key,
        // the queued values the new ids.
        for (table, pk) in [
            ("statement_files", "id"),
            ("statement_runs", "id"),
            ("payee_statements", "id"),
            ("recoupments", "json_array(statement_id, advance_id)"),
            ("fx_rates", "id"),
            ("column_mappings", "id"),
            ("match_rules", "id"),
        ] {
            for records in ["sync_outbox", "sync_clocks"] {
                let orphans = one(&store, &format!("SELECT count(*) FROM {records} WHERE tbl = '{table}' AND pk NOT IN (SELECT {pk} FROM {table})")).await;
                assert_eq!(orphans, 0, "{records} of {table}");
            }
            let queued = one(&store, &format!("SELECT count(*) FROM sync_outbox WHERE tbl = '{table}'")).await;
            assert!(queued > 0, "{table} queued");
            let wrong_id = one(&store, &format!("SELECT count(*) FROM sync_outbox WHERE tbl = '{table}' AND json_extract(fields, '$.id') IS NOT pk AND json_type(fields, '$.id') IS NOT NULL")).await;
            assert_eq!(wrong_id, 0, "{table}: the queued id is the key");
        }
        assert_eq!(one(&store, "SELECT count(*) FROM sync_outbox WHERE tbl = 'payee_statements' AND json_extract(fields, '$.run_id') NOT IN (SELECT id FROM statement_runs)").await, 0);
        assert_eq!(one(&store, "SELECT count(*) FROM sync_outbox WHERE tbl = 'recoupments' AND json_extract(fields, '$.statement_id') NOT IN (SELECT id FROM payee_statements)").await, 0);
        assert_eq!(one(&store, &format!("SELECT count(*) FROM sync_outbox WHERE tbl = 'statement_runs' AND json_extract(fields, '$.files') <> '[\"{file_id}\"]'")).await, 0);
        assert_eq!(one(&store, &format!("SELECT count(*) FROM sync_outbox WHERE tbl = 'payee_statements' AND json_extract(json_extract(fields, '$.document'), '$.statement_id') <> '{st_id}'")).await, 0);
        assert_eq!(one(&store, "SELECT count(*) FROM sync_applying").await, 0, "the triggers work again");

        // The ledger reads as before; the scope is the account's from now on, signed out too.
        let mut docs = store.statement_documents(YearMonth::from_str("2026-03").unwrap()).await.unwrap();
        assert_eq!(docs[0].statement_id.to_string(), st_id);
        docs[0].statement_id = docs_before[0].statement_id;
        assert_eq!(docs, docs_before);
        assert_eq!(store.royalty_report(crate::royalties::ReportBy::Track, &Default::default()).await.unwrap(), report_before);
        let again = store.generate_statements(YearMonth::from_str("2026-03").unwrap(), &dir.path().join("again")).await.unwrap();
        assert!(again.regenerated);
        assert!(store.import_statement(&dir.path().join("march.tsv"), &ImportOptions::default()).await.unwrap().duplicate_file);
        assert_eq!(store.setting("royalties.local_scope").await.unwrap(), None);
        assert_eq!(store.setting("royalties.retired_local_scope").await.unwrap(), Some(local));
        let mut tx = store.write().await.unwrap();
        assert_eq!(super::super::ledger::own_scope(&mut tx).await.unwrap(), account, "signed out, the last account's");
        tx.commit().await.unwrap();
        assert_eq!(sign_in(&store, &account).await.total(), 0, "signing in again moves nothing");
        // Another account: what was never pushed goes up into its workspace, under its ids;
        // what was pushed (here: the run, its statement and their recoupment) stays.
        sqlx::query("DELETE FROM sync_outbox WHERE tbl IN ('statement_runs', 'payee_statements', 'recoupments')").execute(&store.pool).await.unwrap();
        let later = uuid::Uuid::now_v7().to_string();
        let moved = sign_in(&store, &later).await;
        assert_eq!(moved.total(), 6, "{moved:?}");
        assert!(moved.tables.contains(&("statement_runs", 0)) && moved.tables.contains(&("payee_statements", 0)), "{moved:?}");
        let (m_id, m_name): (String, String) = sqlx::query_as("SELECT id, name FROM column_mappings").fetch_one(&store.pool).await.unwrap();
        assert_eq!(m_id, crate::clock::derived_id("column_mapping", &[later.as_str(), &m_name]).to_string());
        assert_eq!(one(&store, "SELECT count(*) FROM statement_runs").await, 1);
        assert_eq!(sqlx::query_scalar::<_, String>("SELECT id FROM statement_runs").fetch_one(&store.pool).await.unwrap(), run_id);
        assert_eq!(sign_in(&store, &later).await.total(), 0);
        let broken: Vec<(String, Option<i64>, String, i64)> =
            sqlx::query_as("PRAGMA foreign_key_check").fetch_all(&store.pool).await.unwrap();
        assert!(broken.is_empty());
    }

    /// A row whose insert left the outbox (pushed by a first sync cut before it recorded
    /// anything) keeps its id; the rest move.
    #[tokio::test]
    async fn a_row_already_pushed_keeps_its_id() {
        let (store, dir) = store().await;
        ledger_before_sign_in(&store, dir.path()).await;
        let pushed: String = sqlx::query_scalar("SELECT id FROM fx_rates WHERE source = 'manual'").fetch_one(&store.pool).await.unwrap();
        sqlx::query("DELETE FROM sync_outbox WHERE tbl = 'fx_rates' AND pk = ?").bind(&pushed).execute(&store.pool).await.unwrap();
        let done = sign_in(&store, &uuid::Uuid::now_v7().to_string()).await;
        assert!(done.tables.contains(&("fx_rates", 2)), "{done:?}");
        assert!(done.tables.contains(&("statement_files", 1)), "{done:?}");
        let still: i64 = sqlx::query_scalar("SELECT count(*) FROM fx_rates WHERE id = ?").bind(&pushed).fetch_one(&store.pool).await.unwrap();
        assert_eq!(still, 1);
    }

    /// A store signed in before sign-ins re-keyed, with rows made before that and never synced:
    /// its first sync re-keys them before pushing; later syncs find nothing to do.
    #[tokio::test]
    async fn a_store_signed_in_before_and_never_synced_re_keys_at_its_first_sync() {
        let (store, dir) = store().await;
        ledger_before_sign_in(&store, dir.path()).await;
        let account = uuid::Uuid::now_v7();
        store.set_setting("platform.account", &serde_json::json!({ "workspace_id": account }).to_string()).await.unwrap();
        let run: String = sqlx::query_scalar("SELECT id FROM statement_runs").fetch_one(&store.pool).await.unwrap();
        store.adopt_account_scope_before_sync(account).await.unwrap();
        let now: String = sqlx::query_scalar("SELECT id FROM statement_runs").fetch_one(&store.pool).await.unwrap();
        assert_ne!(now, run);
        assert_eq!(now, crate::clock::derived_id("statement_run", &[&account.to_string(), "2026-03"]).to_string());
        assert_eq!(store.setting("royalties.local_scope").await.unwrap(), None);
        store.adopt_account_scope_before_sync(account).await.unwrap();
        let again: String = sqlx::query_scalar("SELECT id FROM statement_runs").fetch_one(&store.pool).await.unwrap();
        assert_eq!(again, now);
    }

    #[tokio::test]
    async fn a_store_that_synced_before_keeps_its_ids() {
        let (store, dir) = store().await;
        ledger_before_sign_in(&store, dir.path()).await;
        store.set_setting("sync.last_sync", "2026-11-26T00:00:00Z").await.unwrap();
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM statement_runs UNION ALL SELECT id FROM fx_rates ORDER BY 1").fetch_all(&store.pool).await.unwrap();
        assert_eq!(sign_in(&store, &uuid::Uuid::now_v7().to_string()).await.total(), 0);
        let after: Vec<String> = sqlx::query_scalar("SELECT id FROM statement_runs UNION ALL SELECT id FROM fx_rates ORDER BY 1").fetch_all(&store.pool).await.unwrap();
        assert_eq!(after, ids);
    }
}

