//! `roadie fans ...` end to end on a temp store: the contract's commands and JSON shapes.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

struct Roadie {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Roadie {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("store.sqlite");
        let r = Self { dir, db };
        r.json(&["workspace", "create", "--kind", "artist", "--name", "Me"]);
        r
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("roadie").unwrap();
        cmd.env_remove("ROADIE_DB").arg("--db").arg(&self.db).args(args);
        cmd
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd(args).arg("--json").output().unwrap();
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    out
}

#[test]
fn import_search_count_segment_export() {
    let r = Roadie::new();
    let bandcamp = r.file(
        "bandcamp.csv",
        &utf16le("email,fullname,date added,country\nada@example.com,Ada Fan,2026-03-01,United States\nbad,Bad,2026-03-01,\n"),
    );
    let gbk = gbk("姓名,邮箱,城市,国家,标签\n周杰伦,jay@example.com,台北,台湾,vip\n王菲,faye@example.cn,北京,中国,vip\n");
    let sheet = r.file("粉丝.csv", &gbk);

    let report = r.json(&["fans", "import", &bandcamp, &sheet]);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for key in ["path", "rows", "created", "merged", "invalid"] {
        assert!(files[0].get(key).is_some(), "missing {key}: {}", files[0]);
    }
    assert_eq!((files[0]["rows"].as_u64(), files[0]["created"].as_u64()), (Some(2), Some(1)));
    assert_eq!(files[0]["invalid"][0]["line"], 3);
    assert!(files[0]["invalid"][0]["reason"].as_str().unwrap().contains("e-mail"));
    assert_eq!(files[1]["created"], 2);

    let again = r.json(&["fans", "import", &sheet]);
    assert_eq!(again["files"][0]["duplicate_file"], true);

    let hits = r.json(&["fans", "search", "杰伦"]);
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["name"], "周杰伦");
    assert_eq!(hits[0]["email"], "jay@example.com");
    assert!(hits[0]["id"].is_string());

    assert_eq!(r.json(&["fans", "count"])["count"], 3);
    assert_eq!(r.json(&["fans", "count", "--tag", "vip"])["count"], 2);
    assert_eq!(r.json(&["fans", "count", "--country", "CN"])["count"], 1);
    assert_eq!(r.json(&["fans", "count", "--consent", "opted-in"])["count"], 1);
    assert_eq!(r.json(&["fans", "count", "--consent", "unknown"])["count"], 2);

    let seg = r.json(&["fans", "segment", "save", "VIP", "--tag", "vip"]);
    assert_eq!(seg["count"], 2);
    r.json(&["fans", "tag", "ada@example.com", "--tag", "vip"]);
    assert_eq!(r.json(&["fans", "count", "--segment", "VIP"])["count"], 3);

    let out = r.dir.path().join("out.csv");
    let summary = r.json(&["fans", "export", "--out", out.to_str().unwrap(), "--segment", "VIP", "--format", "mailchimp"]);
    assert_eq!((summary["written"].as_u64(), summary["skipped"].as_u64()), (Some(1), Some(2)));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("Email Address,First Name,Last Name") && text.contains("ada@example.com"), "{text}");
    r.json(&["fans", "export", "--out", out.to_str().unwrap(), "--all"]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(text.lines().next().unwrap().ends_with(",consent"));
}

#[test]
fn strict_failure_names_the_line_and_commits_nothing() {
    let r = Roadie::new();
    let list = r.file("list.csv", b"Name,Email\nA,a@example.com\nB,b@nowhere\n");
    let out = r.cmd(&["fans", "import", &list, "--strict"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("list.csv, line 3") && err.contains("[bad_line]"), "{err}");
    assert_eq!(err.lines().count(), 1);
    assert_eq!(r.json(&["fans", "count"])["count"], 0);
}

#[test]
fn a_mapping_is_made_once_then_used() {
    let r = Roadie::new();
    let sheet = r.file("merch.csv", b"Who,Contact,Backup contact\nAda,ada@example.com,a2@example.com\n");
    let out = r.cmd(&["fans", "import", &sheet]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("[mapping_needed]"));
    r.json(&["fans", "mapping", "merch", "--file", &sheet, "--map", "name=Who", "--map", "email=Contact"]);
    let report = r.json(&["fans", "import", &sheet, "--mapping", "merch"]);
    assert_eq!(report["files"][0]["created"], 1);
    let erased = r.json(&["fans", "erase", "ada@example.com"]);
    assert_eq!(erased["erased"], true);
    assert_eq!(r.json(&["fans", "count"])["count"], 0);
}

/// GBK bytes for `text` (Chinese tools' default), via Python so the test needs no extra crate.
fn gbk(text: &str) -> Vec<u8> {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; sys.stdout.buffer.write(sys.argv[1].encode('gbk'))", text])
        .output()
        .expect("python3");
    assert!(out.status.success());
    out.stdout
}

#[test]
fn bandcamp_sales_become_purchases_of_fans() {
    let r = Roadie::new();
    let list = r.file("list.csv", b"Name,Email\nAda Chen,ada@example.com\n");
    r.json(&["fans", "import", &list]);
    let sales = r.file(
        "bandcamp-sales.csv",
        b"date,paid to,item type,item name,artist,currency,item price,quantity,discount code,sub total,transaction fee,fee type,item total,amount you received,bandcamp transaction id,paypal transaction id,net amount,buyer name,buyer email,country code\r\n\
          11/25/22 5:45pm,paypal,album,Night Drive,Artist 1,USD,7.00,1,,7.00,0.50,paypal,7.00,5.95,123,ABC,5.95,Ada Chen,ADA@example.com,US\r\n\
          11/27/22 5:45pm,paypal,album,Night Drive,Artist 1,USD,7.00,1,,7.00,0.50,paypal,7.00,5.95,124,ABD,5.95,Bo,bo@example.com,US\r\n",
    );
    r.json(&["import", "statement", &sales]);
    let linked = r.json(&["fans", "link-sales"]);
    assert_eq!(linked, serde_json::json!({"sales": 2, "linked": 1, "contacts": 1, "unknown_buyers": 1}));
    let again = r.json(&["fans", "link-sales"]);
    assert_eq!(again["linked"], 0);
    let ada = r.json(&["fans", "show", "ada@example.com"]);
    assert_eq!(ada["contact"]["lifetime_spend"], serde_json::json!([{"currency": "USD", "amount": "7"}]));
    assert_eq!(ada["activities"][0]["kind"], "purchase");
    assert_eq!(r.json(&["fans", "count", "--spend-above", "5", "--spend-currency", "USD"])["count"], 1);
}
