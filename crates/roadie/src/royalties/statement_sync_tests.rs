//! Statement runs name the files they covered (so runs sync): what a run takes, files whose lines
//! come later (from another device), and runs issued before the change keeping what they took.

use crate::catalog::testing::store;
use crate::catalog::{ArtistInput, NewWorkspace, ReleaseInput, ReleaseType, TrackInput, WorkspaceKind};
use crate::Store;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A file row with `seq` (negative: pulled, lines not here) and its lines (period, amount).
async fn file(store: &Store, id: &str, seq: i64, track: &str, lines: &[(&str, &str)]) {
    sqlx::query(
        "INSERT INTO statement_files (id, seq, content_hash, file_name, format, layout, encoding, byte_size, line_count, imported, imported_at, hlc) \
         VALUES (?, ?, ?, 'test.tsv', 'mapped', 'test', 'utf-8', 0, ?, ?, '2026-11-26T00:00:00Z', '0')",
    )
    .bind(id)
    .bind(seq)
    .bind(format!("hash-{id}"))
    .bind(lines.len() as i64)
    .bind(lines.len() as i64)
    .execute(&store.pool)
    .await
    .unwrap();
    lines_for(store, seq, track, lines).await;
}

async fn lines_for(store: &Store, seq: i64, track: &str, lines: &[(&str, &str)]) {
    for (i, (period, amount)) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO statement_lines (file_seq, line_no, reporting_period, store, territory, usage_type, units, amount, currency, raw, track_id) \
             VALUES (?, ?, ?, 'Spotify', 'US', 'stream', 1, ?, 'USD', '[]', ?)",
        )
        .bind(seq)
        .bind(i as i64 + 2)
        .bind(period)
        .bind(amount)
        .bind(track)
        .execute(&store.pool)
        .await
        .unwrap();
    }
}

async fn track(store: &Store) -> String {
    let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Artist, name: "Me".into() }).await.unwrap().id;
    let artist = store.create_artist(ws, ArtistInput::named("Ana")).await.unwrap().id;
    let release = store.create_release(ws, ReleaseInput::new("First", ReleaseType::Album, vec![artist])).await.unwrap().release.id;
    store.add_track(release, TrackInput::titled("Dawn")).await.unwrap().id.to_string()
}

async fn run_files(store: &Store, period: &str) -> Vec<String> {
    let files: String = sqlx::query_scalar("SELECT files FROM statement_runs WHERE period = ?").bind(period).fetch_one(&store.pool).await.unwrap();
    serde_json::from_str(&files).unwrap()
}

#[tokio::test]
async fn a_run_covers_the_files_whose_lines_are_here_and_later_lines_go_to_later_runs() {
    let (store, dir) = store().await;
    let t = track(&store).await;
    // A: a March line and an April line. P: a file pulled from another device, lines not here.
    file(&store, "file-a", 1, &t, &[("2026-03", "10.00"), ("2026-04", "5.00")]).await;
    file(&store, "file-p", -7, &t, &[]).await;
    let march = store.generate_statements("2026-03".parse().unwrap(), &dir.path().join("out")).await.unwrap();
    assert_eq!((march.totals[0].lines, march.totals[0].imported), (1, d("10.00")));
    assert_eq!(run_files(&store, "2026-03").await, vec!["file-a"], "a file without its lines is not covered");
    let id: String = sqlx::query_scalar("SELECT id FROM statement_runs").fetch_one(&store.pool).await.unwrap();
    // (Derived in the ledger's scope: a store never signed in has a local one.)
    let scope: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'royalties.local_scope'").fetch_one(&store.pool).await.unwrap();
    assert!(scope.starts_with("local:"), "{scope}");
    assert_eq!(id, crate::clock::derived_id("statement_run", &[&scope, "2026-03"]).to_string());
    // P's lines arrive (a late March line): the April run takes them with A's April line, and
    // not A's March line (taken by March).
    sqlx::query("UPDATE statement_files SET seq = 2 WHERE id = 'file-p'").execute(&store.pool).await.unwrap();
    lines_for(&store, 2, &t, &[("2026-03", "2.00")]).await;
    let april = store.generate_statements("2026-04".parse().unwrap(), &dir.path().join("out")).await.unwrap();
    assert_eq!((april.totals[0].lines, april.totals[0].imported), (2, d("7.00")));
    assert_eq!(run_files(&store, "2026-04").await, vec!["file-a", "file-p"]);
    // A statement's id is its period's and payee's on every device.
    let doc = &store.statement_documents("2026-04".parse().unwrap()).await.unwrap()[0];
    assert_eq!(doc.statement_id, crate::clock::derived_id("payee_statement", &[&scope, "2026-04", &doc.payee_id.to_string()]));
}

/// A run issued before runs named their files (it kept a line id) names the files whose lines it
/// took, and the next run takes exactly the rest.
#[tokio::test]
async fn runs_issued_before_the_change_keep_what_they_took() {
    use sqlx::sqlite::SqliteConnectOptions;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    let all = sqlx::migrate!("../../migrations");
    let mut before = sqlx::migrate!("../../migrations");
    before.migrations = std::borrow::Cow::Owned(all.migrations.iter().filter(|m| m.version < 20261129300002).cloned().collect());
    let pool = sqlx::SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path).create_if_missing(true)).await.unwrap();
    before.run(&pool).await.unwrap();
    for (id, seq, lines) in [("old-1", 1, 2), ("old-2", 2, 1)] {
        sqlx::query(
            "INSERT INTO statement_files (id, seq, content_hash, file_name, format, layout, encoding, byte_size, line_count, imported, imported_at, hlc) \
             VALUES (?, ?, ?, 'x.tsv', 'mapped', 'test', 'utf-8', 0, ?, ?, '2026-11-26T00:00:00Z', '0')",
        )
        .bind(id)
        .bind(seq)
        .bind(format!("hash-{id}"))
        .bind(lines)
        .bind(lines)
        .execute(&pool)
        .await
        .unwrap();
        for n in 0..lines {
            sqlx::query(
                "INSERT INTO statement_lines (file_seq, line_no, reporting_period, store, usage_type, units, amount, currency, raw) \
                 VALUES (?, ?, '2026-01', 'Spotify', 'stream', 1, '1.00', 'USD', '[]')",
            )
            .bind(seq)
            .bind(n + 2)
            .execute(&pool)
            .await
            .unwrap();
        }
    }
    // Issued after old-1 was imported (its lines are ids 1 and 2), before old-2.
    sqlx::query("INSERT INTO statement_runs (id, period, max_line_id, totals, issued_at, hlc) VALUES ('run-1', '2026-01', 2, '[]', '2026-02-01T00:00:00Z', '0')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let store = Store::open(&path).await.unwrap();
    assert_eq!(run_files(&store, "2026-01").await, vec!["old-1"]);
    let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info('statement_runs')").fetch_all(&store.pool).await.unwrap();
    assert!(!cols.contains(&"max_line_id".to_string()), "{cols:?}");
    let feb = store.generate_statements("2026-02".parse().unwrap(), &dir.path().join("out")).await.unwrap();
    assert_eq!((feb.totals[0].lines, feb.totals[0].imported), (1, d("1.00")), "old-2's January line: an adjustment");
}
