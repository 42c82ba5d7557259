//! One parser per statement layout. The distributors' CSV/TSV exports are column layouts read by
//! header name (case-insensitive, trimmed; extra columns kept in the line's raw JSON), so each of
//! them is a [`Layout`]: which column holds which field, and the layout's own rules. A user's
//! [`ColumnMapping`] is the same thing made by hand. DDEX DSR has its own record parser (`dsr`),
//! and `xlsx` reads spreadsheet rows for either.

pub mod bandcamp;
pub mod cdbaby;
pub mod distrokid;
pub mod dsr;
pub mod tunecore;
pub mod xlsx;

use super::dates::{parse_month_in, DateOrder};
use super::numbers::{parse_amount, parse_units};
use super::{normalise, Format, LineIssue, NormalLine, UsageType};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which column holds which field: a user's mapping for a layout Roadie does not know (and the
/// shape every built-in layout is described in). Column names match case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ColumnMapping {
    /// The column with the month the source reported the line (a date or a month).
    pub reporting_period: String,
    pub sale_period: Option<String>,
    pub store: Option<String>,
    /// The store when no column names it (e.g. "Bandcamp").
    pub default_store: Option<String>,
    pub territory: Option<String>,
    pub usage_type: Option<String>,
    pub isrc: Option<String>,
    pub upc: Option<String>,
    pub title: Option<String>,
    /// Read when the title column is empty (e.g. the release title on album sales).
    pub title_fallback: Option<String>,
    pub artist: Option<String>,
    pub units: Option<String>,
    /// What the account holder earns on the line.
    pub amount: String,
    pub currency: Option<String>,
    /// The currency when no column gives it (e.g. "USD").
    pub default_currency: Option<String>,
    /// How the period/date columns write dates (absent: any style Roadie reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub date_order: Option<DateOrder>,
}

/// How a layout decides the usage type.
#[derive(Debug, Clone, Copy)]
pub enum UsageRule {
    /// From the mapped usage column's text (e.g. "Streaming", "Digital Download").
    Column,
    /// From the store's name (DistroKid has no usage column).
    StoreName,
}

/// A built-in (or user) column layout.
#[derive(Debug, Clone)]
pub struct Layout {
    pub format: Format,
    /// The layout version this parser follows, reported with every import.
    pub version: String,
    pub mapping: ColumnMapping,
    pub usage: UsageRule,
    /// Rows whose column (by name) has one of these values (lower case) are not earnings and are
    /// skipped with a reason (e.g. Bandcamp payouts).
    pub not_earnings: Option<(&'static str, &'static [&'static str])>,
    /// Named columns that may be absent from a file (built-in layouts: optional columns of a
    /// partial export); a user's mapping must find every column it names.
    pub lenient: bool,
}

/// The built-in layouts recognised from a header, most specific first.
pub fn builtin_for_header(header: &[String]) -> Option<Layout> {
    let has = |name: &str| header.iter().any(|h| h == name);
    if has("reporting date") && has("sale month") && has("earnings (usd)") {
        return Some(distrokid::layout(header));
    }
    if has("posted date") && has("store name") && has("total earned") {
        return Some(tunecore::layout());
    }
    if has("report date") && has("subtotal") && has("partner name") {
        return Some(cdbaby::layout());
    }
    if has("date") && has("item type") && has("net amount") && has("currency") {
        return Some(bandcamp::layout());
    }
    None
}

/// The built-in layout of a forced format.
pub fn builtin(format: Format, header: &[String]) -> Option<Layout> {
    match format {
        Format::Distrokid => Some(distrokid::layout(header)),
        Format::Tunecore => Some(tunecore::layout()),
        Format::Cdbaby => Some(cdbaby::layout()),
        Format::Bandcamp => Some(bandcamp::layout()),
        _ => None,
    }
}

/// A header cell as layouts name columns: trimmed, lower case, BOM and quotes removed.
pub fn header_name(cell: &str) -> String {
    cell.trim().trim_start_matches('\u{feff}').trim_matches('"').trim().to_lowercase()
}

/// The key a saved mapping is found by: the normalised header names, in order.
pub fn header_key(header: &[String]) -> String {
    header.iter().map(String::as_str).collect::<Vec<_>>().join("\u{1f}")
}

/// A layout bound to one file's header: column indexes, resolved once.
pub struct Resolved {
    layout: Layout,
    /// Original header cells (for error messages).
    header_shown: Vec<String>,
    /// The columns no field reads, kept raw with each line.
    raw_columns: Vec<usize>,
    reporting_period: usize,
    sale_period: Option<usize>,
    store: Option<usize>,
    territory: Option<usize>,
    usage_type: Option<usize>,
    isrc: Option<usize>,
    upc: Option<usize>,
    title: Option<usize>,
    title_fallback: Option<usize>,
    artist: Option<usize>,
    units: Option<usize>,
    amount: usize,
    currency: Option<usize>,
    not_earnings: Option<(usize, &'static [&'static str])>,
    date_order: DateOrder,
}

impl Resolved {
    /// Binds `layout` to a header, or says which named column the file lacks.
    pub fn new(layout: Layout, header_shown: Vec<String>) -> Result<Resolved, String> {
        let header: Vec<String> = header_shown.iter().map(|h| header_name(h)).collect();
        let mut used = vec![false; header.len()];
        let mut missing = Vec::new();
        let mut find = |name: &Option<String>, required: bool| -> Option<usize> {
            let name = name.as_deref()?;
            let wanted = header_name(name);
            match header.iter().position(|h| *h == wanted) {
                Some(i) => {
                    used[i] = true;
                    Some(i)
                }
                None => {
                    if required || !layout.lenient {
                        missing.push(name.to_string());
                    }
                    None
                }
            }
        };
        let m = &layout.mapping;
        let reporting_period = find(&Some(m.reporting_period.clone()), true);
        let amount = find(&Some(m.amount.clone()), true);
        let sale_period = find(&m.sale_period, false);
        let store = find(&m.store, m.default_store.is_none());
        let territory = find(&m.territory, false);
        let usage_type = find(&m.usage_type, false);
        let isrc = find(&m.isrc, false);
        let upc = find(&m.upc, false);
        let title = find(&m.title, false);
        let title_fallback = find(&m.title_fallback, false);
        let artist = find(&m.artist, false);
        let units = find(&m.units, false);
        let currency = find(&m.currency, m.default_currency.is_none());
        if !missing.is_empty() {
            return Err(format!("the header has no column {}", missing.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")));
        }
        if m.store.is_none() && m.default_store.is_none() {
            return Err("the mapping names no store column and no default store".into());
        }
        if m.currency.is_none() && m.default_currency.is_none() {
            return Err("the mapping names no currency column and no default currency".into());
        }
        let not_earnings = layout
            .not_earnings
            .and_then(|(col, values)| header.iter().position(|h| h == col).map(|i| (i, values)));
        // A Bandcamp line's `date` is the sale's own time, which the reporting period keeps only
        // the month of: it stays in the raw row too (fans date purchases by it, fans::sales).
        let keep_date = layout.format == Format::Bandcamp;
        let raw_columns = (0..header.len()).filter(|i| !used[*i] || (keep_date && Some(*i) == reporting_period)).collect();
        Ok(Resolved {
            date_order: layout.mapping.date_order.unwrap_or_default(),
            raw_columns,
            reporting_period: reporting_period.expect("checked"),
            amount: amount.expect("checked"),
            layout,
            header_shown,
            sale_period,
            store,
            territory,
            usage_type,
            isrc,
            upc,
            title,
            title_fallback,
            artist,
            units,
            currency,
            not_earnings,
        })
    }

    /// The names of the columns each line's raw JSON array holds, in order.
    pub fn raw_column_names(&self) -> Vec<String> {
        self.raw_columns.iter().map(|&i| self.header_shown[i].trim().trim_start_matches('\u{feff}').to_string()).collect()
    }

    /// One data row to a normalised line; `Ok(None)` with a reason for rows that are not earnings.
    pub fn line(&self, cells: &csv::StringRecord, line_no: u64) -> Result<Result<NormalLine, String>, LineIssue> {
        let mut line = NormalLine::empty();
        Ok(self.line_into(cells, line_no, &mut line)?.map(|()| line))
    }

    /// [`Resolved::line`] written over `out`, reusing its strings' memory (the import recycles
    /// its lines: no allocation per line). `out` is only meaningful on `Ok(Ok(()))`.
    pub fn line_into(&self, cells: &csv::StringRecord, line_no: u64, out: &mut NormalLine) -> Result<Result<(), String>, LineIssue> {
        let cell = |i: usize| cells.get(i).unwrap_or("").trim();
        let column = |i: usize| self.header_shown.get(i).map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).unwrap_or_default();
        let issue = |i: usize, reason: String| LineIssue { line: line_no, reason: format!("column '{}': {reason}", column(i)) };
        let opt = |i: Option<usize>| i.map(cell).filter(|s| !s.is_empty());

        if let Some((i, values)) = self.not_earnings {
            let v = cell(i).to_lowercase();
            if values.contains(&v.as_str()) {
                return Ok(Err(format!("'{}' rows are not earnings", cell(i))));
            }
        }
        let reporting_period = parse_month_in(cell(self.reporting_period), self.date_order).map_err(|e| issue(self.reporting_period, e))?;
        let sale_period = match opt(self.sale_period) {
            Some(s) => Some(parse_month_in(s, self.date_order).map_err(|e| issue(self.sale_period.expect("set"), e))?),
            None => None,
        };
        let m = &self.layout.mapping;
        let Some(store) = opt(self.store).or(m.default_store.as_deref()) else {
            return Err(issue(self.store.unwrap_or(0), "the store is empty".into()));
        };
        let amount = parse_amount(cell(self.amount)).map_err(|e| issue(self.amount, e))?;
        let units = match self.units {
            Some(i) => parse_units(cell(i)).map_err(|e| issue(i, e))?,
            None => 0,
        };
        match opt(self.currency) {
            Some(c) => {
                if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
                    return Err(issue(self.currency.expect("set"), format!("'{}' is not an ISO 4217 currency code", c.to_ascii_uppercase())));
                }
                set(&mut out.currency, c);
                out.currency.make_ascii_uppercase();
            }
            None => match &m.default_currency {
                Some(c) => set(&mut out.currency, c),
                None => return Err(issue(self.currency.unwrap_or(0), "the currency is empty".into())),
            },
        }
        out.usage_type = match self.layout.usage {
            UsageRule::Column => opt(self.usage_type).map(normalise::usage).unwrap_or(UsageType::Other),
            UsageRule::StoreName => normalise::usage_from_store(store),
        };
        set(&mut out.store, store);
        set_opt(&mut out.title, opt(self.title).or_else(|| opt(self.title_fallback)));
        // The rest of the row: a JSON array of the unmapped cells, in the order of the file's
        // `raw_columns` (null when empty), then any cells past the header. Written directly (this
        // runs for every line); the column names are stored once, with the file.
        let raw = &mut out.raw;
        raw.clear();
        raw.push('[');
        let mut nulls = 0;
        let mut write = |raw: &mut String, value: &str| {
            if value.is_empty() {
                nulls += 1;
                return;
            }
            for _ in 0..nulls {
                raw.push_str(if raw.len() > 1 { ",null" } else { "null" });
            }
            nulls = 0;
            if raw.len() > 1 {
                raw.push(',');
            }
            json_string(raw, value);
        };
        for &i in &self.raw_columns {
            write(raw, cells.get(i).unwrap_or("").trim());
        }
        for value in cells.iter().skip(self.header_shown.len()) {
            write(raw, value.trim());
        }
        raw.push(']');
        out.line_no = line_no;
        out.reporting_period = reporting_period;
        out.sale_period = sale_period;
        normalise::territory_into(opt(self.territory), &mut out.territory);
        normalise::isrc_into(opt(self.isrc), &mut out.isrc);
        out.upc = opt(self.upc).and_then(normalise::upc);
        set_opt(&mut out.artist, opt(self.artist));
        out.units = units;
        out.amount = amount;
        Ok(Ok(()))
    }
}

/// `dst = src`, in `dst`'s memory.
fn set(dst: &mut String, src: &str) {
    dst.clear();
    dst.push_str(src);
}

/// `dst = src`, in `dst`'s memory when it has some.
pub(crate) fn set_opt(dst: &mut Option<String>, src: Option<&str>) {
    match (dst.as_mut(), src) {
        (Some(d), Some(s)) => set(d, s),
        (None, Some(s)) => *dst = Some(s.to_string()),
        (_, None) => *dst = None,
    }
}

/// Appends `text` as a JSON string literal.
fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
#[test]
fn json_strings_round_trip() {
    for text in ["plain", "say \"hi\"", "back\\slash", "tab\tnew\nline\r", "\u{1}ctl", "周杰伦"] {
        let mut out = String::new();
        json_string(&mut out, text);
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
    }
}

/// What a parser made of one line.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // nearly every item is a line: boxing would allocate per line
pub enum Parsed {
    Line(NormalLine),
    /// Not imported, with the reason (not earnings, or an odd record).
    Skipped(LineIssue),
}

/// A line written over a reused one is exactly the line read fresh, whatever the reused one held
/// (the import recycles its lines).
#[cfg(test)]
#[test]
fn a_reused_line_equals_a_fresh_one() {
    let header: Vec<String> = "Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)"
        .split('\t')
        .map(str::to_string)
        .collect();
    let names: Vec<String> = header.iter().map(|h| header_name(h)).collect();
    let resolved = Resolved::new(distrokid::layout(&names), header).unwrap();
    let rows = [
        "2026-10-15\t2026-01\tSpotify\tBench Artist 1\tTrack 001\tQZRDB2600001\t\t12\t100\tSong\tUS\t0\t0.0012345678",
        "2026-10-15\t\tiTunes\t\t\t\t880000000001\t1\t\t\tUnited Kingdom\t\t-1.5",
        "2026-10-15\t2025-12\tDeezer\tSomeone \"Else\"\tUnknown 7\tn/a\t\t3\t50\tAlbum\tXX\t0\t2\textra\tcells",
        "2026-10\t2026-02\tApple Music\t周杰伦\t晴天\tusrc17607839\t36000291452\t7\t100\tSong\tuk\t0.1\t3.25",
        "bad date\t2026-01\tSpotify\tA\tT\t\t\t1\t100\tSong\tUS\t0\t1",
    ];
    let records: Vec<csv::StringRecord> = rows.iter().map(|r| csv::StringRecord::from(r.split('\t').collect::<Vec<_>>())).collect();
    for (n, record) in records.iter().enumerate() {
        let fresh = resolved.line(record, n as u64 + 2);
        for (m, other) in records.iter().enumerate() {
            let mut reused = NormalLine::empty();
            if let Ok(Ok(())) = resolved.line_into(other, m as u64 + 2, &mut reused) {}
            let into = resolved.line_into(record, n as u64 + 2, &mut reused);
            match (&fresh, into) {
                (Ok(Ok(line)), Ok(Ok(()))) => assert_eq!(line, &reused, "row {n} over row {m}"),
                (fresh, into) => assert_eq!(fresh.as_ref().map(|r| r.as_ref().map(|_| ())), into.as_ref().map(|r| r.as_ref().map(|_| ())), "row {n}"),
            }
        }
    }
    assert!(resolved.line(&records[4], 6).is_err());
}
