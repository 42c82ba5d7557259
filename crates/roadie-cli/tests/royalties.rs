//! `roadie import statement` and `roadie royalties ...` end to end: the JSON contract, exit
//! codes, all-or-nothing imports (including a process killed mid-import), re-import no-ops.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

mod common;
use common::{dk, dsr_fixture, Roadie, DK_HEADER};

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    k.sort();
    k
}


#[test]
fn import_statement_and_report_follow_the_contract() {
    let r = Roadie::new();
    r.json(&["workspace", "create", "--kind", "artist", "--name", "Me"]);
    let artist = r.json(&["artist", "add", "Artist 1"]);
    let release = r.json(&["release", "add", "--title", "Album", "--type", "album", "--artist", "Artist 1"]);
    let release_id = release["id"].as_str().unwrap().to_string();
    let track = r.json(&["track", "add", &release_id, "--title", "Song 1", "--isrc", "USAAA1234567"]);

    let a = r.file("a.tsv", &dk(&[
        "2023-02-02\t2021-04\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t3\t100\tSong\tUS\t0\t0.0123456789",
        "2023-02-02\t2021-04\tDeezer\tArtist 1\tSong 1\t\t\t1\t100\tSong\tFR\t0\t1,000.5",
        "2023-03-02\t2021-05\tSpotify\tNobody\tUnknown\t\t\t2\t100\tSong\tUS\t0\t(0.5)",
    ]));
    let dsr = dsr_fixture().display().to_string();
    let out = r.json(&["import", "statement", &a, &dsr]);
    assert_eq!(keys(&out), ["files"]);
    let files = out["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(keys(&files[0]), ["duplicate_file", "format", "imported", "lines", "matched", "path", "skipped", "unmatched"]);
    assert_eq!(files[0]["path"], a.as_str());
    assert_eq!(files[0]["format"], "distrokid");
    assert_eq!((files[0]["lines"].as_u64(), files[0]["imported"].as_u64()), (Some(3), Some(3)));
    assert_eq!((files[0]["matched"].as_u64(), files[0]["unmatched"].as_u64()), (Some(2), Some(1)));
    assert_eq!(files[0]["duplicate_file"], false);
    assert_eq!(files[0]["skipped"], serde_json::json!([]));
    assert_eq!(files[1]["format"], "ddex-dsr");
    assert_eq!(files[1]["imported"], 6);

    let report = r.json(&["royalties", "report", "--by", "store"]);
    assert_eq!(keys(&report), ["by", "rows"]);
    assert_eq!(report["by"], "store");
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(keys(&rows[0]), ["amount", "currency", "key", "units"]);
    let find = |key: &str| rows.iter().find(|row| row["key"] == key).unwrap_or_else(|| panic!("no {key} in {rows:?}")).clone();
    assert_eq!(find("Spotify"), serde_json::json!({"key": "Spotify", "currency": "USD", "units": 5, "amount": "-0.4876543211"}));
    assert_eq!(find("Deezer")["amount"], "1000.5");
    assert_eq!(find("YouTube")["units"], 10210);

    let month = r.json(&["royalties", "report", "--by", "month", "--period", "2023-02"]);
    assert_eq!(month["rows"], serde_json::json!([{"key": "2023-02", "currency": "USD", "units": 4, "amount": "1000.5123456789"}]));
    let mine = r.json(&["royalties", "report", "--by", "track", "--artist", artist["id"].as_str().unwrap()]);
    assert_eq!(mine["rows"], serde_json::json!([{"key": track["id"], "currency": "USD", "units": 4, "amount": "1000.5123456789"}]));
    for by in ["territory", "release"] {
        assert!(!r.json(&["royalties", "report", "--by", by])["rows"].as_array().unwrap().is_empty());
    }

    // Again: duplicate, nothing changes.
    let again = r.json(&["import", "statement", &a]);
    assert_eq!(again["files"][0]["duplicate_file"], true);
    assert_eq!(again["files"][0]["imported"], 0);
    assert_eq!(r.json(&["royalties", "report", "--by", "store"]), report);

    // The unmatched queue, and an assignment remembered for the next file.
    let queue = r.json(&["royalties", "unmatched", "list"]);
    assert_eq!(queue["unmatched"], 7);
    let assigned = r.json(&["royalties", "assign", "--title", "Unknown", "--artist", "Nobody", "--release", &release_id]);
    assert_eq!(assigned["assigned"], 1);
    let b = r.file("b.tsv", &dk(&["2023-04-02\t2021-05\tSpotify\tNobody\tUnknown\t\t\t2\t100\tSong\tUS\t0\t0.25"]));
    let next = r.json(&["import", "statement", &b]);
    assert_eq!((next["files"][0]["matched"].as_u64(), next["files"][0]["unmatched"].as_u64()), (Some(1), Some(0)));

    let text = r.cmd(&["royalties", "report", "--by", "month"]).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("2023-04  USD"), "{}", String::from_utf8_lossy(&text.stdout));
}

#[test]
fn a_malformed_line_fails_the_file_with_its_line_and_changes_nothing() {
    let r = Roadie::new();
    let good = r.file("good.tsv", &dk(&["2023-02-02\t2021-04\tSpotify\tA\tT\t\t\t1\t100\tSong\tUS\t0\t1.00"]));
    r.json(&["import", "statement", &good]);
    let before = r.json(&["royalties", "report", "--by", "month"]);
    let bad = r.file("bad.tsv", &dk(&[
        "2023-03-02\t2021-04\tSpotify\tA\tT\t\t\t1\t100\tSong\tUS\t0\t1.00",
        "2023-03-02\t2021-04\tSpotify\tA\tT\t\t\t1\t100\tSong\tUS\t0\t2.00",
        "2023-03-02\tsoon\tSpotify\tA\tT\t\t\t1\t100\tSong\tUS\t0\t3.00",
    ]));
    let err = r.fails(&["import", "statement", &bad]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("roadie: "), "{err}");
    assert!(err.contains("bad.tsv, line 4: column 'Sale Month': 'soon' is not a date or month [statement_line_invalid]"), "{err}");
    assert_eq!(r.json(&["royalties", "report", "--by", "month"]), before);

    let out = r.json(&["import", "statement", &bad, "--skip-invalid"]);
    assert_eq!(out["files"][0]["imported"], 2);
    assert_eq!(out["files"][0]["skipped"], serde_json::json!([{"line": 4, "reason": "column 'Sale Month': 'soon' is not a date or month"}]));

    let unknown = r.file("x.csv", "foo,bar\n1,2\n");
    let err = r.fails(&["import", "statement", &unknown]);
    assert!(err.contains("[statement_layout_unknown]"), "{err}");
    let err = r.fails(&["import", "statement", &good, "--encoding", "klingon"]);
    assert!(err.contains("klingon"), "{err}");
}

#[test]
fn mappings_are_saved_and_picked_by_header() {
    let r = Roadie::new();
    let csv = "Month;Shop;Song;Singer;Streams;Revenue;Cur\n2024-01;NetEase;晴天;周杰伦;1000;12,50;CNY\n";
    let file = r.file("netease.csv", csv);
    assert!(r.fails(&["import", "statement", &file]).contains("statement_layout_unknown"));
    let saved = r.json(&[
        "mapping", "save", "netease", "--from", &file, "--period", "Month", "--store", "Shop", "--title", "Song", "--artist",
        "Singer", "--units", "Streams", "--amount", "Revenue", "--currency", "Cur",
    ]);
    assert_eq!(saved["name"], "netease");
    let out = r.json(&["import", "statement", &file]);
    assert_eq!(out["files"][0]["format"], "mapped");
    let report = r.json(&["royalties", "report", "--by", "store"]);
    assert_eq!(report["rows"], serde_json::json!([{"key": "NetEase", "currency": "CNY", "units": 1000, "amount": "12.5"}]));
    assert_eq!(r.json(&["mapping", "list"]).as_array().unwrap().len(), 1);
    let forced = r.file("other.csv", "a;b\n2024-01;1\n");
    let err = r.fails(&["import", "statement", &forced, "--mapping", "netease"]);
    assert!(err.contains("no column"), "{err}");
}

/// A child process killed in the middle of a big import leaves the store as it was.
#[test]
fn killing_the_process_mid_import_leaves_the_store_unchanged() {
    let r = Roadie::new();
    let small = r.file("small.tsv", &dk(&["2023-02-02\t2021-04\tSpotify\tA\tT\t\t\t1\t100\tSong\tUS\t0\t1.00"]));
    r.json(&["import", "statement", &small]);
    let before = r.json(&["royalties", "report", "--by", "store"]);

    let mut text = format!("{DK_HEADER}\r\n");
    for i in 0..300_000 {
        text.push_str(&format!("2023-03-02\t2021-04\tStore {}\tA\tTitle {i}\tQZAAA23{:05}\t\t1\t100\tSong\tUS\t0\t0.00{i}\r\n", i % 7, i % 100_000));
    }
    let big = r.file("big.tsv", &text);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("roadie"))
        .env_remove("ROADIE_DB")
        .arg("--db")
        .arg(&r.db)
        .args(["import", "statement", &big, "--progress"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    // Wait until lines are going in, then kill it (SIGKILL: no clean-up runs).
    loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the import ended before it reported progress");
        if line.starts_with("progress") && !line.contains(": 0 lines") {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the import was meant to be killed before it finished");

    assert_eq!(r.json(&["royalties", "report", "--by", "store"]), before);
    assert_eq!(r.json(&["royalties", "unmatched", "list"])["unmatched"], 1);
    // The killed file was never recorded: importing it again is not a duplicate.
    let header_only = r.file("again.tsv", &format!("{DK_HEADER}\r\n"));
    assert_eq!(r.json(&["import", "statement", &header_only])["files"][0]["duplicate_file"], false);
}

#[test]
fn a_multi_file_import_goes_on_past_a_failing_file_and_reports_each() {
    let r = Roadie::new();
    let a = r.file("a.tsv", &dk(&["2023-02-02\t2021-04\tSpotify\tA\tT\t\t\t1\t100\tSong\tUS\t0\t1.00"]));
    let bad = r.file("bad.tsv", &dk(&["2023-03-02\tsoon\tSpotify\tA\tT\t\t\t1\t100\tSong\tUS\t0\t3.00"]));
    let b = r.file("b.tsv", &dk(&["2023-04-02\t2021-04\tDeezer\tA\tT\t\t\t2\t100\tSong\tFR\t0\t2.50"]));
    let out = r.cmd(&["import", "statement", &a, &bad, &b, "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a failed file fails the command");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!((files[0]["imported"].as_u64(), files[2]["imported"].as_u64()), (Some(1), Some(1)));
    assert_eq!(files[1]["path"], bad.as_str());
    assert_eq!(files[1]["error"]["code"], "statement_line_invalid");
    assert_eq!(files[1]["error"]["params"]["line"], "2");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.tsv, line 2:"), "{err}");
    assert!(err.contains("1 of 3 statement file(s) could not be imported"), "{err}");
    // The other two are in.
    let months = r.json(&["royalties", "report", "--by", "month"]);
    assert_eq!(months["rows"].as_array().unwrap().len(), 2);
    // Readable output names each file's outcome.
    let out = r.cmd(&["import", "statement", &a, &bad]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("already imported") && text.contains("FAILED, nothing imported"), "{text}");
}

/// `mapping save --date-order dmy` reads day-first dates (15/02/2024 is February, 01/03/2024
/// March); without it the same file is read US month first and 15/02/2024 is refused.
#[test]
fn mapping_save_takes_the_files_date_order() {
    let r = Roadie::new();
    let csv = "Date,Shop,Song,Revenue,Cur\n15/02/2024,Shop A,Song,1.25,EUR\n01/03/2024,Shop A,Song,2.5,EUR\n";
    let file = r.file("day-first.csv", csv);
    let base = ["mapping", "save", "--from", &file, "--period", "Date", "--store", "Shop", "--title", "Song", "--amount", "Revenue", "--currency", "Cur"];
    let bad = r.cmd(&[&base[..2], &["x"], &base[2..], &["--date-order", "dym"]].concat()).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown date order"), "{}", String::from_utf8_lossy(&bad.stderr));

    let us = r.json(&[&base[..2], &["us"], &base[2..]].concat());
    assert_eq!(us["mapping"]["date_order"], Value::Null);
    let err = r.fails(&["import", "statement", &file, "--mapping", "us"]);
    assert!(err.contains("line 2"), "{err}");

    let saved = r.json(&[&base[..2], &["eu"], &base[2..], &["--date-order", "DMY"]].concat());
    assert_eq!(saved["mapping"]["date_order"], "dmy");
    let listed = r.json(&["mapping", "list"]);
    assert!(listed.as_array().unwrap().iter().any(|m| m["name"] == "eu" && m["mapping"]["date_order"] == "dmy"), "{listed}");
    r.json(&["import", "statement", &file, "--mapping", "eu"]);
    let report = r.json(&["royalties", "report", "--by", "month"]);
    assert_eq!(
        report["rows"],
        serde_json::json!([
            {"key": "2024-02", "currency": "EUR", "units": 0, "amount": "1.25"},
            {"key": "2024-03", "currency": "EUR", "units": 0, "amount": "2.5"},
        ])
    );
}
