//! The `roadie` commands end to end on a temp store: text, JSON shapes, exit codes.

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

struct Roadie {
    _dir: TempDir,
    db: std::path::PathBuf,
}

impl Roadie {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("store.sqlite");
        Self { _dir: dir, db }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("roadie").unwrap();
        cmd.env_remove("ROADIE_DB").arg("--db").arg(&self.db).args(args);
        cmd
    }

    /// Runs with `--json`, expects success, returns the parsed output.
    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd(args).arg("--json").output().unwrap();
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Runs, expects failure, returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    k.sort();
    k
}

#[test]
fn a_label_keeps_its_roster_and_releases() {
    let r = Roadie::new();
    let ws = r.json(&["workspace", "create", "--kind", "label", "--name", "Modern Sky"]);
    assert_eq!(keys(&ws), ["created_at", "id", "kind", "name", "updated_at"]);
    assert_eq!(ws["kind"], "label");
    assert_eq!(ws["name"], "Modern Sky");

    let artist = r.json(&["artist", "add", "Jay Chou", "--country", "tw", "--alt-name", "zh-Hans=周杰伦"]);
    assert_eq!(
        keys(&artist),
        ["country", "created_at", "id", "links", "localized_names", "name", "sort_name", "updated_at", "workspace_id"]
    );
    assert_eq!(artist["country"], "TW");
    assert_eq!(artist["workspace_id"], ws["id"]);
    assert_eq!(artist["localized_names"][0]["name"], "周杰伦");
    let artist_id = artist["id"].as_str().unwrap();
    r.json(&["artist", "add", "Faye Wong", "--country", "CN"]);

    let list = r.json(&["artist", "list"]);
    let names: Vec<_> = list.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Faye Wong", "Jay Chou"]);

    let release = r.json(&["release", "add", "--title", "Fantasy", "--type", "album", "--artist", artist_id, "--date", "2001-09-14"]);
    assert_eq!(release["title"], "Fantasy");
    assert_eq!(release["type"], "album");
    assert_eq!(release["status"], "draft");
    assert_eq!(release["release_date"], "2001-09-14");
    assert_eq!(release["artists"][0]["id"], artist_id);
    let release_id = release["id"].as_str().unwrap().to_string();

    let t1 = r.json(&["track", "add", &release_id, "--title", "Love Before BC", "--isrc", "TW-A01-01-00001"]);
    assert_eq!(
        keys(&t1),
        [
            "artists", "audio", "contributors", "created_at", "disc_number", "display_artist", "duration_ms", "explicit",
            "featuring", "id", "isrc", "language", "position", "preview_start_ms", "release_id", "remixers", "title",
            "updated_at", "version", "work"
        ]
    );
    assert_eq!((t1["position"].as_u64(), t1["isrc"].as_str()), (Some(1), Some("TWA010100001")));
    let t2 = r.json(&["track", "add", &release_id, "--title", "Orchid", "--position", "2", "--duration", "4:15"]);
    assert_eq!(t2["duration_ms"], 255_000);

    let shown = r.json(&["release", "show", &release_id]);
    assert_eq!(shown["track_count"], 2);
    let titles: Vec<_> = shown["tracks"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Love Before BC", "Orchid"]);
    assert!(shown["id"].is_string() && shown["tracks"][0]["id"].is_string(), "ids are strings");

    let releases = r.json(&["release", "list"]);
    assert_eq!(releases.as_array().unwrap().len(), 1);
    assert_eq!(releases[0]["track_count"], 2);
    assert_eq!(releases[0]["artists"][0]["name"], "Jay Chou");

    // Readable output without --json.
    let text = r.cmd(&["release", "show", &release_id]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Jay Chou — Fantasy") && text.contains("Orchid") && text.contains("4:15"), "{text}");
}

#[test]
fn failures_exit_non_zero_with_one_line() {
    let r = Roadie::new();
    r.json(&["workspace", "create", "--kind", "artist", "--name", "Me"]);
    let me = r.json(&["artist", "add", "Me"]);
    let err = r.fails(&["artist", "add", "Someone else"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("[artist_workspace_full]"), "{err}");

    let err = r.fails(&["release", "add", "--title", " ", "--type", "ep", "--artist", me["id"].as_str().unwrap()]);
    assert!(err.contains("title is required") && err.contains("[invalid_input]"), "{err}");
    let err = r.fails(&["release", "add", "--title", "X", "--type", "ep", "--artist", "nobody"]);
    assert!(err.contains("[not_found]"), "{err}");

    let rel = r.json(&["release", "add", "--title", "EP", "--type", "ep", "--artist", "Me"]);
    let rel_id = rel["id"].as_str().unwrap();
    r.json(&["track", "add", rel_id, "--title", "One"]);
    let err = r.fails(&["track", "add", rel_id, "--title", "Two", "--position", "1"]);
    assert_eq!(err.trim(), "roadie: disc 1 already has a track at position 1 [position_taken]");
    let err = r.fails(&["track", "add", rel_id, "--title", "Two", "--isrc", "nope"]);
    assert!(err.contains("[invalid_input]") && err.contains("isrc"), "{err}");

    // --json failures also print the typed error on stdout.
    let out = r.cmd(&["release", "show", "00000000-0000-7000-8000-000000000000", "--json"]).output().unwrap();
    assert!(!out.status.success());
    let payload: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(payload["error"]["code"], "not_found");

    let err = r.fails(&["release", "add", "--title", "X", "--type", "mixtape", "--artist", "Me"]);
    assert!(err.contains("album, ep, single, compilation"), "{err}");
}

#[test]
fn edit_and_delete_are_soft_and_visible() {
    let r = Roadie::new();
    r.json(&["workspace", "create", "--kind", "label", "--name", "L"]);
    let a = r.json(&["artist", "add", "A"]);
    let a_id = a["id"].as_str().unwrap();
    let rel = r.json(&["release", "add", "--title", "S", "--type", "single", "--artist", a_id]);
    let rel_id = rel["id"].as_str().unwrap();
    let edited = r.json(&["release", "edit", rel_id, "--title", "S (Deluxe)", "--status", "ready", "--upc", "036000291452"]);
    assert_eq!((edited["title"].as_str(), edited["status"].as_str(), edited["upc"].as_str()), (Some("S (Deluxe)"), Some("ready"), Some("036000291452")));
    let err = r.fails(&["artist", "delete", a_id]);
    assert!(err.contains("[artist_in_use]"), "{err}");
    r.json(&["release", "delete", rel_id]);
    assert_eq!(r.json(&["release", "list"]).as_array().unwrap().len(), 0);
    r.json(&["artist", "delete", a_id]);
    assert_eq!(r.json(&["artist", "list"]).as_array().unwrap().len(), 0);
}

#[test]
fn a_new_store_gets_a_workspace_on_first_artist() {
    let r = Roadie::new();
    let out = r.cmd(&["artist", "add", "Solo"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("created label workspace"));
    let ws = r.json(&["workspace", "list"]);
    assert_eq!(ws.as_array().unwrap().len(), 1);
}

#[test]
fn a_newer_store_is_refused_untouched() {
    let r = Roadie::new();
    r.json(&["workspace", "create", "--kind", "label", "--name", "L"]);
    // What a future Roadie's migration leaves behind: a schema version this build doesn't know.
    let written = write_sql(&r.db, "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'future', 1, x'00', 0)");
    assert!(written);
    let before = std::fs::read(&r.db).unwrap();
    let err = r.fails(&["artist", "list"]);
    assert!(err.contains("newer Roadie") && err.contains("[store_too_new]"), "{err}");
    assert_eq!(std::fs::read(&r.db).unwrap(), before);
}

/// Runs one SQL statement on the store from outside Roadie (Python's sqlite3), then checkpoints.
fn write_sql(db: &std::path::Path, sql: &str) -> bool {
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit(); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()")
        .arg(db)
        .arg(sql)
        .status()
        .expect("python3 runs");
    status.success()
}
