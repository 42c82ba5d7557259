use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use roadie::catalog::{ReleaseStatus, ReleaseType, WorkspaceKind};
use roadie::royalties::{Format, ReportBy, YearMonth};
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
#[allow(clippy::large_enum_variant)] // parsed once per run
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
    /// Fans: import lists, search, count, segments, export.
    #[command(subcommand)]
    Fans(FansCmd),
    /// Import files: `import statement FILE...`.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Royalties: earnings reports and the unmatched queue.
    #[command(subcommand)]
    Royalties(RoyaltiesCmd),
    /// Column mappings for statement layouts Roadie does not know.
    #[command(subcommand)]
    Mapping(MappingCmd),
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
    /// Analyse audio masters and cover art (nothing is written to the files).
    #[command(subcommand)]
    Asset(AssetCmd),
    /// ISRC tools.
    #[command(subcommand)]
    Isrc(IsrcCmd),
    /// UPC/EAN tools.
    #[command(subcommand)]
    Upc(UpcCmd),
    /// Sync with the platform server of `roadie login`: push local changes, pull everyone
    /// else's. Prints {"pushed": N, "pulled": N, "conflicts": N} (conflicts: open after the sync).
    Sync,
    /// Fields two people edited at once: list them, and take one side.
    #[command(subcommand)]
    Conflicts(ConflictsCmd),
    /// Payees: who statements are made out to.
    #[command(subcommand)]
    Payee(crate::ledger::PayeeCmd),
    /// Splits of a track's or release's earnings among payees.
    #[command(subcommand)]
    Split(crate::ledger::SplitCmd),
    /// Advances and recoupable expenses.
    #[command(subcommand)]
    Advance(crate::ledger::AdvanceCmd),
    /// Exchange rates (ECB reference rates, or set by hand).
    #[command(subcommand)]
    Fx(crate::ledger::FxCmd),
    /// Payee statements (PDF and CSV) per period.
    #[command(subcommand)]
    Statements(crate::ledger::StatementsCmd),
    /// Payouts to payees.
    #[command(subcommand)]
    Payout(crate::ledger::PayoutCmd),
    /// Platform workspaces of the signed-in account and their teams (`--workspace ID` picks one).
    #[command(subcommand)]
    Workspaces(crate::team::WorkspacesCmd),
    /// Invitations to a platform workspace: create (prints the link), list, revoke, accept.
    #[command(subcommand)]
    Invite(crate::team::InviteCmd),
    /// Members of a platform workspace and their roles.
    #[command(subcommand)]
    Member(crate::team::MemberCmd),
    /// A label's roster on the platform, and which staff are assigned to which artist.
    #[command(subcommand)]
    Roster(crate::team::RosterCmd),
}

#[derive(Subcommand, Debug)]
pub enum ConflictsCmd {
    /// Open conflicts, oldest first.
    List,
    /// Keep one side of a conflict (the choice syncs to the other devices).
    Resolve {
        id: String,
        /// `mine` (this device's edit, or the value it holds now) or `theirs`.
        #[arg(long)]
        take: roadie::sync::Take,
    },
}

#[derive(Subcommand, Debug)]
pub enum AssetCmd {
    /// Analyse files: format, loudness (EBU R128), true peak, silence, clipping, SHA-256; for
    /// images dimensions and colour model. Exit 1 when any file could not be analysed.
    Analyze {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum IsrcCmd {
    /// Check an ISRC (exit 0 valid, 1 invalid with the reason).
    Validate { code: String },
    /// Set the registrant prefix (e.g. CN-A01) of the workspace, or of an artist with --artist.
    SetPrefix {
        prefix: String,
        #[arg(long, value_name = "ARTIST_ID")]
        artist: Option<String>,
    },
    /// Give a track the next ISRC of its artist's or label's prefix.
    Assign { track_id: String },
    /// ISRCs held by more than one track across the catalog.
    Duplicates,
}

#[derive(Subcommand, Debug)]
pub enum UpcCmd {
    /// Check a UPC-A or EAN-13 (exit 0 valid, 1 invalid with the reason).
    Validate { code: String },
}

#[derive(Args, Debug, Default, Clone)]
pub struct FanFilterArgs {
    /// Has this tag (repeatable: all of them).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    /// Came from this source (bandcamp, mailchimp, vcard, csv:FILE, manual).
    #[arg(long)]
    pub source: Option<String>,
    /// Current consent: opted-in, opted-out or unknown.
    #[arg(long, value_parser = parse_consent)]
    pub consent: Option<roadie::fans::ConsentStatus>,
    /// Text search over name, e-mail, city, notes, tags.
    #[arg(long)]
    pub query: Option<String>,
    /// Last activity before this date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_parser = parse_instant)]
    pub active_before: Option<chrono::DateTime<chrono::Utc>>,
    /// Last activity on or after this date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_parser = parse_instant)]
    pub active_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Lifetime purchases above this amount (in --spend-currency).
    #[arg(long)]
    pub spend_above: Option<String>,
    /// Lifetime purchases below this amount (in --spend-currency).
    #[arg(long)]
    pub spend_below: Option<String>,
    #[arg(long)]
    pub spend_currency: Option<String>,
    /// Bought this release (its id).
    #[arg(long)]
    pub purchased: Option<uuid::Uuid>,
}

fn parse_instant(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        .map_err(|_| format!("'{s}' is not a date (YYYY-MM-DD or RFC 3339)"))
}

#[derive(Subcommand, Debug)]
pub enum FansCmd {
    /// Import fan lists: Bandcamp, Mailchimp, vCard, or any CSV/TSV through a mapping.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, default_value = "auto", value_parser = parse_fan_format)]
        format: roadie::fans::import::FanFormat,
        /// A saved column mapping's name.
        #[arg(long)]
        mapping: Option<String>,
        /// Force the encoding (utf-8, utf-16le, gbk, gb18030...).
        #[arg(long)]
        encoding: Option<String>,
        /// Any invalid row fails its whole file (nothing of it is imported).
        #[arg(long)]
        strict: bool,
    },
    /// Save a column mapping for files with FILE's header: --map FIELD=HEADER (repeatable).
    Mapping {
        name: String,
        #[arg(long)]
        file: PathBuf,
        /// FIELD=HEADER, e.g. email=Contact; fields: name, first_name, last_name, email, phone,
        /// city, region, country, language, notes, tags, joined.
        #[arg(long = "map", required = true)]
        maps: Vec<String>,
        #[arg(long)]
        encoding: Option<String>,
    },
    /// Add one contact by hand.
    Add {
        #[arg(long)]
        name: Option<String>,
        /// Repeatable; the first is primary.
        #[arg(long = "email")]
        emails: Vec<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        city: Option<String>,
        #[arg(long)]
        country: Option<String>,
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// Type-ahead search.
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Count contacts matching filters.
    Count {
        #[command(flatten)]
        filter: FanFilterArgs,
        /// Count a saved segment instead.
        #[arg(long)]
        segment: Option<String>,
    },
    /// Everything held about one contact (id or e-mail).
    Show { contact: String },
    /// Tag contacts (ids or e-mails).
    Tag {
        #[arg(required = true)]
        contacts: Vec<String>,
        #[arg(long = "tag", required = true)]
        tags: Vec<String>,
    },
    /// Erase a contact's personal data (GDPR/PIPL); a tombstone stays for sync.
    Erase { contact: String },
    /// Suggested duplicates (same phone; same name and city).
    Dupes,
    /// Merge contacts into the first one; all e-mails, tags, consent and activity are kept.
    Merge {
        keep: String,
        #[arg(required = true)]
        others: Vec<String>,
    },
    /// Saved segments.
    #[command(subcommand)]
    Segment(SegmentCmd),
    /// Export contacts with current opt-in (all with --all, and the file then carries consent).
    Export {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        segment: Option<String>,
        #[arg(long, default_value = "csv", value_parser = parse_export_format)]
        format: roadie::fans::ExportFormat,
        /// Include contacts without current opt-in.
        #[arg(long)]
        all: bool,
    },
    /// Bandcamp sales in imported statements become purchases of the fans with the buyers'
    /// e-mails (fan imports do this too).
    LinkSales,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once per run
pub enum SegmentCmd {
    /// Save (or replace) a segment from filters.
    Save {
        name: String,
        #[command(flatten)]
        filter: FanFilterArgs,
    },
    /// Segments with their live counts.
    List,
}

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Import sales/streaming statements: each file in one transaction, all or nothing; a file
    /// already imported changes nothing.
    Statement {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// auto|distrokid|tunecore|cdbaby|bandcamp|ddex-dsr|xlsx|mapped
        #[arg(long, default_value = "auto", value_parser = parse_format)]
        format: FormatArg,
        /// Read with this saved column mapping.
        #[arg(long, value_name = "NAME")]
        mapping: Option<String>,
        /// The files' text encoding (utf-8, utf-16le, utf-16be, gbk, gb18030...), instead of detecting it.
        #[arg(long, value_name = "ENC")]
        encoding: Option<String>,
        /// Import the valid lines and report each invalid one, instead of refusing the file.
        #[arg(long)]
        skip_invalid: bool,
        /// Print progress lines on stderr (lines, bytes done/total).
        #[arg(long)]
        progress: bool,
    },
}

#[derive(Clone, Copy, Debug)]
pub struct FormatArg(pub Option<Format>);

fn parse_format(s: &str) -> Result<FormatArg, String> {
    if s.trim().eq_ignore_ascii_case("auto") {
        return Ok(FormatArg(None));
    }
    s.parse().map(|f| FormatArg(Some(f)))
}

#[derive(Subcommand, Debug)]
pub enum RoyaltiesCmd {
    /// Earnings by month, store, territory, release or track (one row per key and currency).
    Report {
        #[arg(long, value_parser = parse_by)]
        by: ReportBy,
        /// Only this reporting month, YYYY-MM.
        #[arg(long, value_parser = parse_period)]
        period: Option<YearMonth>,
        /// Only this artist's tracks and releases (id or roster name).
        #[arg(long, value_name = "ID")]
        artist: Option<String>,
        /// Only this currency (ISO 4217).
        #[arg(long)]
        currency: Option<String>,
    },
    /// The unmatched queue.
    #[command(subcommand)]
    Unmatched(UnmatchedCmd),
    /// Assign every unmatched line with this ISRC (or title + artist) to a track or release,
    /// and remember it for later imports.
    Assign {
        #[arg(long, conflicts_with_all = ["title", "artist"], required_unless_present = "title")]
        isrc: Option<String>,
        #[arg(long, requires = "artist")]
        title: Option<String>,
        #[arg(long, requires = "title")]
        artist: Option<String>,
        #[arg(long, value_name = "TRACK_ID", conflicts_with = "release", required_unless_present = "release")]
        track: Option<String>,
        #[arg(long, value_name = "RELEASE_ID")]
        release: Option<String>,
    },
    /// Whose ledger this store keeps: without arguments, show it; with a workspace (id or
    /// name), keep that one's (a label's ledger, shared with its staff) from now on; --own: the
    /// account's own.
    Ledger {
        #[arg(conflicts_with = "own")]
        workspace: Option<String>,
        #[arg(long)]
        own: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum UnmatchedCmd {
    /// Unmatched lines grouped by ISRC, title and artist, largest first.
    List {
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once per run
pub enum MappingCmd {
    /// Save a mapping for FILE's header (picked automatically for files with the same header).
    Save {
        name: String,
        /// A statement with the header to map.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        #[arg(long, value_name = "ENC")]
        encoding: Option<String>,
        /// Column of the reporting month (a date or a month).
        #[arg(long, value_name = "COLUMN")]
        period: String,
        /// Column of what the account holder earns.
        #[arg(long, value_name = "COLUMN")]
        amount: String,
        #[arg(long, value_name = "COLUMN")]
        sale_period: Option<String>,
        #[arg(long, value_name = "COLUMN")]
        store: Option<String>,
        /// The store when no column names it.
        #[arg(long, value_name = "STORE")]
        default_store: Option<String>,
        #[arg(long, value_name = "COLUMN")]
        territory: Option<String>,
        #[arg(long, value_name = "COLUMN")]
        usage: Option<String>,
        #[arg(long, value_name = "COLUMN")]
        isrc: Option<String>,
        #[arg(long, value_name = "COLUMN")]
        upc: Option<String>,
        #[arg(long, value_name = "COLUMN")]
        title: Option<String>,
        #[arg(long, value_name = "COLUMN")]
        artist: Option<String>,
        #[arg(long, value_name = "COLUMN")]
        units: Option<String>,
        #[arg(long, value_name = "COLUMN")]
        currency: Option<String>,
        /// The currency when no column gives it (ISO 4217).
        #[arg(long, value_name = "CODE")]
        default_currency: Option<String>,
        /// How the file writes its dates: auto (any style, slashed dates US month first), ymd,
        /// mdy (02/15/2023) or dmy (15/02/2023).
        #[arg(long, value_name = "ORDER", value_parser = parse_date_order)]
        date_order: Option<roadie::royalties::DateOrder>,
    },
    /// List saved mappings.
    List,
}

fn parse_by(s: &str) -> Result<ReportBy, String> {
    s.parse()
}

fn parse_period(s: &str) -> Result<YearMonth, String> {
    s.parse()
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
    /// Set the current workspace's DDEX Party ID (PADPIDA…), the sender of its ERN messages;
    /// without a value, clear it.
    SetDpid { dpid: Option<String> },
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
    /// Analyse audio files and add a track for each (tags prefill title and ISRC); an image
    /// among them becomes the cover.
    AddTracks {
        release_id: String,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Set the cover art from an image file.
    SetArtwork { release_id: String, file: PathBuf },
    /// Everything a store would reject, as errors and warnings. Exit 0 either way.
    Check { release_id: String },
    /// Import the releases of a DDEX ERN 4.x NewReleaseMessage.
    ImportErn { file: PathBuf },
    /// Export a release as a DDEX ERN 4.3 NewReleaseMessage.
    ExportErn {
        release_id: String,
        #[arg(short = 'o', long = "output", value_name = "FILE.xml")]
        output: PathBuf,
        /// The sender's DDEX Party ID for this message (else the workspace's, see
        /// `workspace set-dpid`).
        #[arg(long, value_name = "PADPIDA…")]
        sender_dpid: Option<String>,
    },
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

fn parse_consent(s: &str) -> Result<roadie::fans::ConsentStatus, String> {
    s.parse()
}
fn parse_fan_format(s: &str) -> Result<roadie::fans::import::FanFormat, String> {
    s.parse()
}
fn parse_export_format(s: &str) -> Result<roadie::fans::ExportFormat, String> {
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

fn parse_date_order(s: &str) -> Result<roadie::royalties::DateOrder, String> {
    use roadie::royalties::DateOrder;
    match s.trim().to_ascii_lowercase().as_str() {
        "auto" => Ok(DateOrder::Auto),
        "ymd" => Ok(DateOrder::Ymd),
        "mdy" => Ok(DateOrder::Mdy),
        "dmy" => Ok(DateOrder::Dmy),
        _ => Err(format!("unknown date order {s:?} (auto, ymd, mdy or dmy)")),
    }
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
