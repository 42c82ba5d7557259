//! The release builder's commands end to end: identifiers, asset analysis, add-tracks, check,
//! ERN import/export.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn roadie(db: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("roadie").unwrap().env_remove("ROADIE_DB").arg("--db").arg(db).args(args).output().unwrap()
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn sine_wav(path: &Path, seconds: u32) {
    let spec = hound::WavSpec { channels: 2, sample_rate: 44_100, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for n in 0..44_100 * seconds {
        let v = (0.1 * (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / 44_100.0).sin() * 32767.0) as i16;
        w.write_sample(v).unwrap();
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/real").join(rel)
}

#[test]
fn identifiers_validate_with_exit_codes_and_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let ok = roadie(&db, &["isrc", "validate", "us-rc1-76-07839"]);
    assert!(ok.status.success());
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "valid: USRC17607839");
    let bad = roadie(&db, &["isrc", "validate", "XXRC17607839"]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.starts_with("roadie: ") && err.contains("neither an ISO 3166 country") && err.contains("[invalid_input]"), "{err}");
    assert!(roadie(&db, &["upc", "validate", "036000291452"]).status.success());
    let bad = roadie(&db, &["upc", "validate", "036000291453", "--json"]);
    assert_eq!(bad.status.code(), Some(1));
    let v = json(&bad);
    assert_eq!(v["error"]["issues"][0]["reason"], "invalid_upc");
    assert!(v["error"]["issues"][0]["detail"].as_str().unwrap().contains("should be 2"));
}

#[test]
fn analyze_add_tracks_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let a = dir.path().join("one.wav");
    let b = dir.path().join("two.wav");
    sine_wav(&a, 2);
    sine_wav(&b, 1);
    let junk = dir.path().join("junk.wav");
    std::fs::write(&junk, "not audio").unwrap();

    let out = roadie(&db, &["asset", "analyze", a.to_str().unwrap(), junk.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1), "a failed file makes the exit non-zero");
    let v = json(&out);
    assert_eq!(v[0]["kind"], "audio");
    for key in ["path", "codec", "sample_rate", "bit_depth", "channels", "duration_seconds", "integrated_lufs", "true_peak_dbtp", "sha256"] {
        assert!(!v[0][key].is_null(), "{key}");
    }
    assert!((v[0]["integrated_lufs"].as_f64().unwrap() + 20.0).abs() < 0.1);
    assert_eq!(v[1]["error"]["code"], "unsupported_audio");
    assert_eq!(v[1]["path"], junk.to_str().unwrap());

    let artist = json(&roadie(&db, &["artist", "add", "Me", "--json"]));
    let rel = json(&roadie(&db, &["release", "add", "--title", "Debut", "--type", "ep", "--artist", artist["id"].as_str().unwrap(), "--json"]));
    let id = rel["id"].as_str().unwrap();
    let added = roadie(&db, &["release", "add-tracks", id, a.to_str().unwrap(), b.to_str().unwrap(), "--json"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let added = json(&added);
    assert_eq!(added["tracks"].as_array().unwrap().len(), 2);
    assert_eq!(added["tracks"][0]["title"], "one");

    let check = roadie(&db, &["release", "check", id, "--json"]);
    assert!(check.status.success());
    let check = json(&check);
    assert_eq!(check["ready"], false);
    let problems = check["problems"].as_array().unwrap();
    let first = &problems[0];
    assert_eq!((first["severity"].as_str(), first["code"].as_str(), first["track"].is_null()), (Some("error"), Some("missing_upc"), true));
    assert!(problems.iter().any(|p| p["code"] == "missing_isrc" && p["track"] == 2));
    assert!(problems.iter().any(|p| p["code"] == "too_short" && p["track"] == 1));

    roadie(&db, &["release", "edit", id, "--upc", "036000291452"]);
    let check = json(&roadie(&db, &["release", "check", id, "--json"]));
    assert!(!check["problems"].as_array().unwrap().iter().any(|p| p["code"] == "missing_upc"));
    let text = String::from_utf8(roadie(&db, &["release", "check", id]).stdout).unwrap();
    assert!(text.starts_with("not ready") && text.contains("[missing_isrc]"), "{text}");
}

#[test]
fn import_ern_creates_releases_with_ids() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let out = roadie(&db, &["release", "import-ern", fixture("ddex-ern43-sshaw/audio-album.xml").to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let release = &v["releases"][0];
    assert!(release["id"].as_str().is_some());
    assert_eq!(release["tracks"].as_array().unwrap().len(), 21);
    let out_file = dir.path().join("out.xml");
    let id = release["id"].as_str().unwrap();
    let out = roadie(&db, &["release", "export-ern", id, "-o", out_file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lint = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(fixture("ddex-ern43-xsd/release-notification.xsd"))
        .arg(&out_file)
        .output()
        .expect("xmllint (libxml2-utils)");
    assert!(lint.status.success(), "{}", String::from_utf8_lossy(&lint.stderr));
    let again = json(&roadie(&db, &["release", "import-ern", out_file.to_str().unwrap(), "--json"]));
    assert_eq!(again["releases"][0]["upc"], release["upc"]);
    assert_eq!(again["releases"][0]["tracks"][20]["isrc"], release["tracks"][20]["isrc"]);
    assert_eq!(roadie(&db, &["release", "export-ern", "00000000-0000-0000-0000-000000000000", "-o", "x.xml"]).status.code(), Some(1));
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, "<a>\n<b>\n</a>").unwrap();
    let out = roadie(&db, &["release", "import-ern", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[invalid_ern]"));
}

#[test]
fn the_sender_dpid_comes_from_the_workspace_or_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let v = json(&roadie(&db, &["release", "import-ern", fixture("ddex-ern43-sshaw/audio-album.xml").to_str().unwrap(), "--json"]));
    let id = v["releases"][0]["id"].as_str().unwrap().to_string();
    let out_file = dir.path().join("out.xml");
    let export = |extra: &[&str]| {
        let mut args = vec!["release", "export-ern", id.as_str(), "-o", out_file.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = roadie(&db, &args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        std::fs::read_to_string(&out_file).unwrap()
    };
    assert!(export(&[]).contains("PADPIDAROADIEUNSET"));

    let bad = roadie(&db, &["workspace", "set-dpid", "DPID-1"]);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("is not a DDEX Party ID") && stderr.contains("[invalid_input]"), "{stderr}");
    let set = json(&roadie(&db, &["workspace", "set-dpid", "PADPIDA2014120401D", "--json"]));
    assert_eq!(set["dpid"], "PADPIDA2014120401D");
    let xml = export(&[]);
    assert!(xml.contains("<PartyId>PADPIDA2014120401D</PartyId>"));
    assert_eq!(xml.matches("PADPIDAROADIEUNSET").count(), 1, "only the recipient is left unnamed");
    assert!(export(&["--sender-dpid", "PADPIDA3897722461G"]).contains("<PartyId>PADPIDA3897722461G</PartyId>"));
    let cleared = json(&roadie(&db, &["workspace", "set-dpid", "--json"]));
    assert!(cleared["dpid"].is_null());
    assert!(export(&[]).contains("PADPIDAROADIEUNSET"));
}
