//! The sync state migration (platform/migrations/20261130200000_sync_compact.sql) on rows written
//! in the old format: each column's writer becomes an entry of the row's writer list, an empty
//! state stays empty, and the server then merges pushes into the converted state by clock.

mod common;

use common::{Pg, Server};
use serde_json::{json, Value};
use sqlx::migrate::Migrator;
use std::borrow::Cow;

const COMPACT: i64 = 20261130200000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_state_in_the_old_format_is_converted_and_merged_into_by_clock() {
    let pg = Pg::start();
    let pool = sqlx::PgPool::connect(&pg.url).await.unwrap();
    let all = &roadie_platform::MIGRATOR;
    assert!(all.iter().any(|m| m.version == COMPACT), "the migration under test exists");
    let before = Migrator {
        migrations: Cow::Owned(all.iter().filter(|m| m.version < COMPACT).cloned().collect()),
        ..Migrator::DEFAULT
    };
    before.run(&pool).await.unwrap();

    let ws = uuid::Uuid::now_v7();
    let (writer, change_a, change_b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    sqlx::query("INSERT INTO workspaces (id, kind, name, upload_quota_bytes) VALUES ($1, 'label', 'Label', 1000)")
        .bind(ws)
        .execute(&pool)
        .await
        .unwrap();
    let old = json!({
        "name": ["000000000000005-00000-aaaa", "Old", writer, change_a],
        "country": ["000000000000009-00000-aaaa", "CN", writer, change_b],
    });
    for (pk, state) in [("a1", old.to_string()), ("a2", "{}".to_string())] {
        sqlx::query("INSERT INTO sync_rows (tbl, pk, workspace_id, fields) VALUES ('artists', $1, $2, $3::json)")
            .bind(pk)
            .bind(ws)
            .bind(state)
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "INSERT INTO sync_log (workspace_id, user_id, change_id, tbl, pk, hlc, fields, ws_pos) \
         VALUES ($1, $2, $3, 'artists', 'a1', '000000000000009-00000-aaaa', '{\"country\": \"CN\"}'::json, 1)",
    )
    .bind(ws)
    .bind(writer)
    .bind(change_b)
    .execute(&pool)
    .await
    .unwrap();

    all.run(&pool).await.unwrap();
    let state = |pk: &'static str| {
        let pool = pool.clone();
        async move {
            let text: String =
                sqlx::query_scalar("SELECT fields FROM sync_rows WHERE tbl = 'artists' AND pk = $1").bind(pk).fetch_one(&pool).await.unwrap();
            serde_json::from_str::<Value>(&text).unwrap()
        }
    };
    let converted = state("a1").await;
    let writers = converted[0].as_array().unwrap();
    let value_of = |s: &Value, col: &str| -> (String, Value) {
        let [i, v] = [&s[1][col][0], &s[1][col][1]];
        (s[0][i.as_u64().unwrap() as usize][0].as_str().unwrap().to_string(), v.clone())
    };
    assert_eq!(writers.len(), 2, "{converted}");
    assert_eq!(value_of(&converted, "name"), ("000000000000005-00000-aaaa".into(), json!("Old")));
    assert_eq!(value_of(&converted, "country"), ("000000000000009-00000-aaaa".into(), json!("CN")));
    let by_change: Vec<(Value, Value)> = writers.iter().map(|w| (w[1].clone(), w[2].clone())).collect();
    assert!(by_change.contains(&(json!(writer), json!(change_a))) && by_change.contains(&(json!(writer), json!(change_b))));
    assert_eq!(state("a2").await, json!([[], {}]), "an empty state stays empty");
    let log: String = sqlx::query_scalar("SELECT fields FROM sync_log WHERE change_id = $1").bind(change_b).fetch_one(&pool).await.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&log).unwrap(), json!({"country": "CN"}));

    // The server merges into the converted state: a later name wins, an earlier country loses.
    let srv = Server::start(&pg).await;
    let token = srv.signup("owner@example.com", "Owner").await;
    sqlx::query("INSERT INTO members (workspace_id, user_id, role) SELECT $1, id, 'owner' FROM users WHERE email = 'owner@example.com'")
        .bind(ws)
        .execute(&pool)
        .await
        .unwrap();
    let push = json!({"changes": [{
        "change_id": uuid::Uuid::now_v7(), "workspace_id": ws, "table": "artists", "pk": "a1",
        "hlc": "000000000000007-00000-bbbb", "fields": {"name": "New", "country": "US"},
    }]});
    let res = srv
        .http
        .post(srv.url("/v1/sync/push"))
        .bearer_auth(&token)
        .header("Roadie-Sync-Protocol", "1")
        .json(&push)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let results: Value = res.json().await.unwrap();
    assert_eq!(results["results"][0]["status"], "applied", "{results}");
    let merged = state("a1").await;
    assert_eq!(value_of(&merged, "name"), ("000000000000007-00000-bbbb".into(), json!("New")));
    assert_eq!(value_of(&merged, "country"), ("000000000000009-00000-aaaa".into(), json!("CN")));
}

/// The log and row state of a workspace go with it (a trigger since the foreign keys were
/// dropped, platform/migrations/20261201200000_sync_workspace_check.sql); other workspaces keep theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_workspace_deletes_its_sync_log_and_rows() {
    let pg = Pg::start();
    let pool = sqlx::PgPool::connect(&pg.url).await.unwrap();
    roadie_platform::MIGRATOR.run(&pool).await.unwrap();
    let (gone, kept) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    for ws in [gone, kept] {
        sqlx::query("INSERT INTO workspaces (id, kind, name, upload_quota_bytes) VALUES ($1, 'label', 'Label', 1000)")
            .bind(ws)
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO sync_rows (tbl, pk, workspace_id, fields) VALUES ('artists', $1, $2, '[[],{}]')")
            .bind(ws.to_string())
            .bind(ws)
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO sync_log (workspace_id, user_id, change_id, tbl, pk, hlc, fields, ws_pos) \
             VALUES ($1, $1, $1, 'artists', $2, '000000000000009-00000-aaaa', '{}', 1)",
        )
        .bind(ws)
        .bind(ws.to_string())
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query("DELETE FROM workspaces WHERE id = $1").bind(gone).execute(&pool).await.unwrap();
    for (ws, n) in [(gone, 0i64), (kept, 1)] {
        for table in ["sync_rows", "sync_log"] {
            let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table} WHERE workspace_id = $1"))
                .bind(ws)
                .fetch_one(&pool)
                .await
                .unwrap();
            assert_eq!(count, n, "{table} rows of workspace {ws}");
        }
    }
}
