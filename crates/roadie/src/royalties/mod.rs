//! Royalties I: statement import (every distributor's layout, encodings, number styles, exactly
//! once and all or nothing), matching to the catalog, and earnings reports.
//!
//! Modules, one concern each: `encoding` (detect/decode), `numbers` and `dates` (values as the
//! wild writes them), `formats` (one parser per layout, plus user column mappings and xlsx),
//! `detect` (which parser reads a file), `normalise` (fields to Roadie's line), `import` (the
//! streamed, transactional pipeline), `matching` (catalog, rules, unmatched queue), `mappings`
//! (saved column mappings), `rollup` and `reports`.

mod bulk;
mod countries;
pub mod dates;
mod detect;
pub mod encoding;
mod formats;
mod import;
mod mappings;
mod matching;
mod normalise;
pub mod numbers;
mod reports;
mod rollup;
// Royalties II: payees, splits, allocation, recoupment, currencies, statements, payouts.
mod advances;
mod allocate;
pub mod fx;
pub mod money;
mod payees;
mod payouts;
mod recoup;
mod splits;
pub mod statements;
mod desk;
mod preview;
mod transfer;
mod ledger;
mod rekey;
pub(crate) use ledger::{adopt_account_scope, keep_account_scope};

pub use dates::YearMonth;
pub use formats::ColumnMapping;
pub use import::{CancelToken, ImportOptions, ImportProgress};
pub use dates::DateOrder;
pub use mappings::{SavedMapping, StatementPreview};
pub use matching::{AssignBy, AssignTarget, UnmatchedGroup};
pub use reports::{ReportBy, ReportFilter, ReportRow, RoyaltyReport};
pub use advances::{Advance, AdvanceInput, AdvanceKind};
pub use allocate::{largest_remainder, split_amount};
pub use fx::{FxImportReport, FxRate, RateSource, RateUsed};
pub use payees::{Payee, PayeeInput, DEFAULT_PAYEE_CURRENCY};
pub use payouts::{Payout, PayoutInput};
pub use recoup::{recoup, Recouped, Unrecouped};
pub use splits::{check_shares, Share, Split, SplitInput, SplitScope, SplitShare, SplitTarget};
pub use statements::{StatementDocument, StatementRun, StatementSummary};
pub use desk::{IssuedPeriod, IssuedStatement, LedgerPeriod, PayeeBalance, RateInput};
pub use preview::{PreviewCurrency, PreviewShare, SplitPreview};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A statement layout Roadie reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Distrokid,
    Tunecore,
    Cdbaby,
    Bandcamp,
    DdexDsr,
    Xlsx,
    Mapped,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Distrokid => "distrokid",
            Format::Tunecore => "tunecore",
            Format::Cdbaby => "cdbaby",
            Format::Bandcamp => "bandcamp",
            Format::DdexDsr => "ddex-dsr",
            Format::Xlsx => "xlsx",
            Format::Mapped => "mapped",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "distrokid" => Format::Distrokid,
            "tunecore" => Format::Tunecore,
            "cdbaby" | "cd-baby" => Format::Cdbaby,
            "bandcamp" => Format::Bandcamp,
            "ddex-dsr" | "dsr" => Format::DdexDsr,
            "xlsx" => Format::Xlsx,
            "mapped" => Format::Mapped,
            other => return Err(format!("unknown format '{other}' (auto, distrokid, tunecore, cdbaby, bandcamp, ddex-dsr, xlsx, mapped)")),
        })
    }
}

/// What kind of use earned the money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UsageType {
    Stream,
    Download,
    Physical,
    Sync,
    Other,
}

impl UsageType {
    pub fn as_str(self) -> &'static str {
        match self {
            UsageType::Stream => "stream",
            UsageType::Download => "download",
            UsageType::Physical => "physical",
            UsageType::Sync => "sync",
            UsageType::Other => "other",
        }
    }
}

/// One line of a statement, normalised (before matching).
#[derive(Debug, Clone, PartialEq)]
pub struct NormalLine {
    /// The file's own line number (header = 1).
    pub line_no: u64,
    pub reporting_period: YearMonth,
    pub sale_period: Option<YearMonth>,
    pub store: String,
    pub territory: Option<String>,
    pub usage_type: UsageType,
    pub isrc: Option<String>,
    pub upc: Option<String>,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub units: i64,
    pub amount: Decimal,
    pub currency: String,
    /// The rest of the source row as JSON: for CSV/TSV/XLSX, an array of the unmapped cells in
    /// the order of the file's `raw_columns` (null when empty; cells past the header last); for
    /// DDEX DSR, an object of the sales record's fields.
    pub raw: String,
}

impl NormalLine {
    /// A line to fill (see `formats::Resolved::line_into`).
    pub(crate) fn empty() -> NormalLine {
        NormalLine {
            line_no: 0,
            reporting_period: YearMonth { year: 1900, month: 1 },
            sale_period: None,
            store: String::new(),
            territory: None,
            usage_type: UsageType::Other,
            isrc: None,
            upc: None,
            title: None,
            artist: None,
            units: 0,
            amount: Decimal::ZERO,
            currency: String::new(),
            raw: String::new(),
        }
    }
}

/// A line that was skipped or reported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LineIssue {
    pub line: u64,
    pub reason: String,
}

/// What importing one file did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ImportReport {
    pub path: String,
    pub format: Format,
    /// The layout version the parser followed (e.g. `distrokid-bank-details-2023`).
    pub layout: String,
    pub encoding: String,
    /// Data lines read (header, comments and blank lines excluded).
    pub lines: u64,
    /// Normalised lines stored.
    pub imported: u64,
    pub duplicate_file: bool,
    pub matched: u64,
    pub unmatched: u64,
    /// Lines not imported and why: invalid lines under `skip_invalid`, and lines a format says
    /// are not earnings or are odd (DSR records Roadie does not read, footer count mismatches).
    pub skipped: Vec<LineIssue>,
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod ledger_tests;
#[cfg(test)]
mod statement_sync_tests;
