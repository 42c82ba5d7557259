use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use roadie::catalog::{ReleaseStatus, ReleaseType, WorkspaceKind};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "roadie", version, about = "Roadie: releases, fans and royalties for artists and labels")]
pub struct Cli {
    /// The store file (default: $ROADIE_DB, else the app's data directory).
    #[arg(long, global = true, value_name = "FILE", env = "ROADIE_DB")]
    pub db: Option<PathBuf>,

    /// Work in this workspace (id or name) instead of the current one.
    #[arg(long, global = true, value_name = "WORKSPACE")]
    pub workspace: Option<String>,

    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Workspaces: an artist's own, or a label's with a roster.
    #[command(subcommand)]
    Workspace(WorkspaceCmd),
    /// The roster's artists.
    #[command(subcommand)]
    Artist(ArtistCmd),
    /// Releases: albums, EPs, singles, compilations.
    #[command(subcommand)]
    Release(ReleaseCmd),
    /// Tracks of a release.
    #[command(subcommand)]
    Track(TrackCmd),
    /// Where the store is and its schema version.
    Info,
    /// Sign in to a platform server (the password is read from stdin).
    Login {
        /// The platform server, e.g. https://platform.example.com
        #[arg(long)]
        server: String,
        #[arg(long)]
        email: String,
    },
    /// Sign out: revoke the token on the server and forget it here.
    Logout,
    /// Upload files (masters, artwork) to the platform; an interrupted upload of the same file
    /// resumes where it stopped.
    Upload {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The release the files belong to.
        #[arg(long)]
        release: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum WorkspaceCmd {
    /// Create a workspace (the first one becomes current).
    Create {
        #[arg(long, value_parser = parse_kind)]
        kind: WorkspaceKind,
        #[arg(long)]
        name: String,
    },
    /// List workspaces; the current one is marked.
    List,
    /// Make a workspace (id or name) the current one.
    Use { workspace: String },
    /// Rename a workspace.
    Rename { workspace: String, name: String },
}

#[derive(Args, Debug, Default)]
pub struct ArtistFields {
    /// Sort name, e.g. "Beatles, The".
    #[arg(long)]
    pub sort_name: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[arg(long)]
    pub country: Option<String>,
    /// The name in another language or script, as LANG=NAME (e.g. zh-Hans=周杰伦); repeatable.
    #[arg(long = "alt-name", value_name = "LANG=NAME")]
    pub alt_names: Vec<String>,
    /// A web link (site, streaming profile); repeatable.
    #[arg(long = "link", value_name = "URL")]
    pub links: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum ArtistCmd {
    /// Add an artist to the roster.
    Add {
        name: String,
        #[command(flatten)]
        fields: ArtistFields,
    },
    /// List the roster.
    List,
    /// Show one artist.
    Show { id: String },
    /// Change an artist; only the given fields change.
    Edit {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        fields: ArtistFields,
    },
    /// Remove an artist (kept as a tombstone for sync).
    Delete { id: String },
}

#[derive(Args, Debug, Default)]
pub struct ReleaseFields {
    #[arg(long = "label", value_name = "LABEL_NAME")]
    pub label_name: Option<String>,
    /// Release date, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    #[arg(long = "catalog", value_name = "CATALOG_NUMBER")]
    pub catalog_number: Option<String>,
    /// UPC-A (12 digits) or EAN-13.
    #[arg(long)]
    pub upc: Option<String>,
    #[arg(long, value_parser = parse_status)]
    pub status: Option<ReleaseStatus>,
}

#[derive(Subcommand, Debug)]
pub enum ReleaseCmd {
    /// Create a release.
    Add {
        #[arg(long)]
        title: String,
        #[arg(long = "type", value_parser = parse_type)]
        release_type: ReleaseType,
        /// Primary artist (id or roster name); repeatable, in credit order.
        #[arg(long = "artist", required = true, value_name = "ARTIST_ID")]
        artists: Vec<String>,
        #[command(flatten)]
        fields: ReleaseFields,
    },
    /// List releases, newest first.
    List {
        /// Only releases crediting this artist (id or name).
        #[arg(long)]
        artist: Option<String>,
    },
    /// Show a release with its tracks.
    Show { id: String },
    /// Change a release; only the given fields change.
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long = "type", value_parser = parse_type)]
        release_type: Option<ReleaseType>,
        /// Replace the primary artists (repeatable).
        #[arg(long = "artist", value_name = "ARTIST_ID")]
        artists: Vec<String>,
        #[command(flatten)]
        fields: ReleaseFields,
    },
    /// Remove a release and its tracks (kept as tombstones for sync).
    Delete { id: String },
}

#[derive(Args, Debug, Default)]
pub struct TrackFields {
    #[arg(long)]
    pub position: Option<u32>,
    #[arg(long)]
    pub disc: Option<u32>,
    /// e.g. "Radio Edit".
    #[arg(long)]
    pub version: Option<String>,
    #[arg(long)]
    pub isrc: Option<String>,
    /// Duration as M:SS, H:MM:SS or seconds.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<u32>,
    /// Track artist when it differs from the release's (id or name); repeatable.
    #[arg(long = "artist", value_name = "ARTIST_ID")]
    pub artists: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum TrackCmd {
    /// Add a track to a release (after the last one unless --position is given).
    Add {
        release_id: String,
        #[arg(long)]
        title: String,
        #[command(flatten)]
        fields: TrackFields,
    },
    /// Change a track; only the given fields change.
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        fields: TrackFields,
    },
    /// Remove a track.
    Delete { id: String },
}

fn parse_kind(s: &str) -> Result<WorkspaceKind, String> {
    s.parse()
}
fn parse_type(s: &str) -> Result<ReleaseType, String> {
    s.parse()
}
fn parse_status(s: &str) -> Result<ReleaseStatus, String> {
    s.parse()
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("'{s}' is not a date as YYYY-MM-DD"))
}

/// Milliseconds from "3:45", "1:02:03", "225" or "225.5".
pub fn parse_duration(s: &str) -> Result<u32, String> {
    let bad = || format!("'{s}' is not a duration (M:SS, H:MM:SS or seconds)");
    let parts: Vec<&str> = s.trim().split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    let (last, whole) = parts.split_last().expect("non-empty");
    let seconds: f64 = last.parse().map_err(|_| bad())?;
    if !(0.0..60.0).contains(&seconds) && parts.len() > 1 || seconds < 0.0 {
        return Err(bad());
    }
    let mut total_ms = (seconds * 1000.0).round() as u64;
    for (i, p) in whole.iter().rev().enumerate() {
        let n: u64 = p.parse().map_err(|_| bad())?;
        if i == 0 && whole.len() == 2 && n >= 60 {
            return Err(bad());
        }
        total_ms += n * if i == 0 { 60_000 } else { 3_600_000 };
    }
    u32::try_from(total_ms).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3:45"), Ok(225_000));
        assert_eq!(parse_duration("1:02:03"), Ok(3_723_000));
        assert_eq!(parse_duration("225.5"), Ok(225_500));
        assert!(parse_duration("3:75").is_err());
        assert!(parse_duration("1:60:00").is_err());
        assert!(parse_duration("abc").is_err());
        assert!(parse_duration("").is_err());
    }
}
