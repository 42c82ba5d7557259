//! What the CLI end-to-end tests share: a `roadie` on a temp store, one on a store at a given path
//! (a test with several devices or users), and the DistroKid header.
// Each test binary uses its own subset.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const DK_HEADER: &str = "Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)";

/// A DistroKid statement with these tab-separated rows.
pub fn dk(rows: &[&str]) -> String {
    let mut text = format!("{DK_HEADER}\r\n");
    for r in rows {
        text.push_str(r);
        text.push_str("\r\n");
    }
    text
}

/// The real DDEX DSR sample (a YouTube ad-supported report), from the shared fixtures.
pub fn dsr_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/real/ddex-dsrf-ddexnet/DSR_TEST_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv")
}

pub struct Roadie {
    pub dir: TempDir,
    pub db: PathBuf,
}

impl Roadie {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("store.sqlite");
        Self { dir, db }
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("roadie").unwrap();
        cmd.env_remove("ROADIE_DB").arg("--db").arg(&self.db).args(args);
        cmd
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd(args).arg("--json").output().unwrap();
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?} should fail with exit 1");
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

/// `roadie` on the store at `db` (one per device or user when a test has several), input on stdin.
pub struct Cli {
    pub db: PathBuf,
}

impl Cli {
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("roadie").unwrap();
        cmd.env_remove("ROADIE_DB").arg("--db").arg(&self.db).args(args);
        cmd
    }

    pub fn json(&self, args: &[&str], stdin: &str) -> Value {
        let out = self.cmd(args).arg("--json").write_stdin(stdin).output().unwrap();
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub fn text(&self, args: &[&str]) -> String {
        let out = self.cmd(args).output().unwrap();
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn fails(&self, args: &[&str], stdin: &str) -> String {
        let out = self.cmd(args).write_stdin(stdin).output().unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }
}
