//! Which parser reads a file: spreadsheets by their magic bytes, DSR by its records, the
//! distributors' layouts by their header, anything else by a saved column mapping for the same
//! header (or the one the user names). `--format` forces a parser.

use super::encoding::{self, TextEncoding};
use super::formats::{self, header_name, Layout};
use super::Format;
use std::path::Path;

/// How a file will be read.
pub enum Plan {
    /// CSV/TSV read with a column layout.
    Table { encoding: TextEncoding, delimiter: u8, header: Vec<String> },
    /// A spreadsheet's rows, already loaded.
    Sheet { rows: Vec<(u64, csv::StringRecord)> },
    /// A DDEX DSR flat file.
    Dsr { encoding: TextEncoding },
}

pub fn is_spreadsheet(prefix: &[u8]) -> bool {
    prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// The text plan of a non-spreadsheet file from its first bytes.
pub fn text_plan(path: &Path, prefix: &[u8], forced_format: Option<Format>, forced_encoding: Option<&str>) -> Result<Plan, String> {
    let forced = match forced_encoding {
        Some(label) => Some(encoding::by_label(label)?),
        None => None,
    };
    let enc = encoding::detect(prefix, forced);
    let (text, _) = enc.encoding.decode_with_bom_removal(prefix);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim_start_matches('\u{feff}');
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let looks_dsr = ["HEAD\t", "#HEAD\t", "FHEA\t", "#SY", "SY0"].iter().any(|p| first.starts_with(p))
        || (name.starts_with("DSR_") && first.contains('\t') && first.split('\t').next().is_some_and(|c| c.len() <= 8 && c.starts_with(|ch: char| ch.is_ascii_uppercase() || ch == '#')));
    if forced_format == Some(Format::DdexDsr) || (forced_format.is_none() && looks_dsr) {
        return Ok(Plan::Dsr { encoding: enc });
    }
    if first.is_empty() {
        return Err("the file is empty".into());
    }
    let delimiter = if first.contains('\t') {
        b'\t'
    } else if first.contains(';') && !first.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).flexible(true).from_reader(first.as_bytes());
    let mut record = csv::StringRecord::new();
    reader.read_record(&mut record).map_err(|e| format!("the header cannot be read: {e}"))?;
    let header = record.iter().map(|c| c.to_string()).collect();
    Ok(Plan::Table { encoding: enc, delimiter, header })
}

/// The built-in layout for a header (or a forced format); `None` when a mapping must say.
pub fn builtin_layout(header: &[String], forced: Option<Format>) -> Option<Layout> {
    let names: Vec<String> = header.iter().map(|h| header_name(h)).collect();
    match forced {
        Some(f @ (Format::Distrokid | Format::Tunecore | Format::Cdbaby | Format::Bandcamp)) => formats::builtin(f, &names),
        Some(Format::Mapped) => None,
        _ => formats::builtin_for_header(&names),
    }
}
