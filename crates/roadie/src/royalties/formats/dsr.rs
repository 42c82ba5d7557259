//! DDEX DSR flat files (Sales/Usage Reporting, DSRF): tab-separated records, `|` between values of
//! one cell, `\` escapes, `#` comment lines (which, by convention, name a record type's columns:
//! `#SU03.01<TAB>BlockId<TAB>...`). Follows DSRF 3.0 (message version `dsrf/30`) as used by the UGC
//! profile 1.0/1.1 and the Basic Audio profile: HEAD, SY01-SY03 summaries (SY02.01 by column
//! name), RE01 release and AS01/AS02 resource records, SU01-SU03 sales records, LI01 licensor
//! records, FOOT with its counts. Records are read by the column names the file declares, with
//! the standard's order as the fallback.
//!
//! Each SU record becomes one line: units = `Usages`, amount = what the recipient is allocated —
//! the `AllocatedAmount` of the LI01 licensor record(s) that follow the sale (summed when several
//! follow), or the sale's own `NetRevenue` when no LI01 with an amount follows — in the currency of
//! its summary record (SummaryRecordId), store = HEAD `SenderName`, territory and use type from the
//! summary, ISRC/title/artist from the block's resource record, reporting period = the month of
//! HEAD `MessageCreatedDateTime`. Records Roadie does not read, short or odd rows and footer
//! counts that disagree with the file are reported as skipped, never fatal; a sales record whose
//! numbers cannot be read is an invalid line like any other.

use super::Parsed;
use crate::royalties::dates::{parse_month, YearMonth};
use crate::royalties::numbers::{parse_amount, parse_units};
use crate::royalties::{normalise, LineIssue, NormalLine, UsageType};
use rust_decimal::Decimal;
use std::collections::HashMap;

pub const LAYOUT: &str = "ddex-dsrf-3.0 (UGC/Basic profiles, SY/AS/RE/SU/LI/FOOT)";

const MULTI: char = '\u{1f}';

fn defaults(record: &str) -> Option<&'static [&'static str]> {
    Some(match record {
        "HEAD" => &[
            "MessageVersion", "Profile", "ProfileVersion", "MessageId", "MessageCreatedDateTime", "FileNumber",
            "NumberOfFiles", "UsageStartDate", "UsageEndDate", "SenderPartyId", "SenderName", "ServiceDescription",
            "RecipientPartyId", "RecipientName", "RepresentedRepertoire",
        ],
        "SY01" => &["SummaryRecordId", "CommercialModel", "UseType", "Territory", "Usages", "CurrencyOfReporting", "NetRevenue", "ExchangeRate"],
        "SY02" => &[
            "SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType", "Territory",
            "ServiceDescription", "Usages", "Users", "Currency", "NetRevenue", "RightsController", "RightsControllerPartyId",
            "AllocatedUsages", "AllocatedRevenue", "AllocatedNetRevenue", "RightsType",
        ],
        "AS01" | "AS02" => &["BlockId", "ResourceReference", "DspResourceId", "ISRC", "Title", "SubTitle", "DisplayArtistName", "DisplayArtistPartyId", "Duration", "ResourceType"],
        "RE01" => &["BlockId", "ReleaseReference", "DspReleaseId", "ProprietaryReleaseId", "CatalogNumber", "ICPN", "DisplayTitle", "DisplayArtistName"],
        "SU01" | "SU02" | "SU03" => &["BlockId", "SalesTransactionId", "SummaryRecordId", "DspReleaseId", "Usages", "NetRevenue", "ValidityPeriodStart", "ValidityPeriodEnd"],
        "FOOT" => &["NumberOfLinesInFile", "NumberOfLinesInReport", "NumberOfSummaryRecords", "NumberOfBlocksInFile", "NumberOfBlocksInReport"],
        _ => return None,
    })
}

/// Splits a record into cells: tabs separate, `\` escapes, unescaped `|` kept as a value separator.
fn split(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    cells.last_mut().expect("one").push(next);
                }
            }
            '\t' => cells.push(String::new()),
            '|' => cells.last_mut().expect("one").push(MULTI),
            c => cells.last_mut().expect("one").push(c),
        }
    }
    cells
}

fn shown(cell: &str) -> String {
    cell.replace(MULTI, "|").trim().to_string()
}

#[derive(Default, Clone)]
struct Summary {
    currency: Option<String>,
    territory: Option<String>,
    use_type: Option<String>,
    commercial_model: Option<String>,
}

#[derive(Default)]
struct Block {
    id: String,
    isrc: Option<String>,
    title: Option<String>,
    artist: Option<String>,
    upc: Option<String>,
}

pub struct DsrParser {
    /// Sender, period, territory from the DSR file-name convention, used when HEAD lacks them.
    name_sender: Option<String>,
    name_period: Option<YearMonth>,
    name_territory: Option<String>,
    columns: HashMap<String, Vec<String>>,
    head: HashMap<String, String>,
    summaries: HashMap<String, Summary>,
    block: Block,
    summary_records: u64,
    blocks: u64,
    foot: Option<(u64, HashMap<String, String>)>,
    /// The last sales record, held until the next record says whether LI01 allocations follow.
    pending: Option<Pending>,
    /// Lines complete and not yet taken ([`DsrParser::take_ready`]).
    ready: Vec<Parsed>,
}

/// A sales line waiting for its LI01 records.
struct Pending {
    line: NormalLine,
    /// The sum of the LI01 `AllocatedAmount`s that followed, if any did.
    allocated: Option<Decimal>,
    net_revenue: String,
}

impl DsrParser {
    pub fn new(file_name: &str) -> Self {
        // DSR_Recipient_Sender_Service_Period_Territory_XofY_Created.tsv
        let parts: Vec<&str> = file_name.split('_').collect();
        let (mut sender, mut period, mut territory) = (None, None, None);
        if parts.len() >= 6 && parts[0].eq_ignore_ascii_case("DSR") {
            sender = Some(parts[2].to_string());
            period = parse_month(parts[4]).ok().or_else(|| quarter_end(parts[4]));
            territory = normalise::territory(parts[5]);
        }
        Self {
            name_sender: sender,
            name_period: period,
            name_territory: territory,
            columns: HashMap::new(),
            head: HashMap::new(),
            summaries: HashMap::new(),
            block: Block::default(),
            summary_records: 0,
            blocks: 0,
            foot: None,
            pending: None,
            ready: Vec::new(),
        }
    }

    fn names(&self, record: &str) -> Vec<String> {
        let base = record.split('.').next().unwrap_or(record);
        if let Some(cols) = self.columns.get(record).or_else(|| self.columns.get(base)) {
            return cols.clone();
        }
        defaults(base).map(|d| d.iter().map(|s| s.to_string()).collect()).unwrap_or_default()
    }

    fn named(&self, record: &str, cells: &[String]) -> HashMap<String, String> {
        self.names(record).into_iter().zip(cells.iter().skip(1).cloned()).map(|(k, v)| (k.to_ascii_lowercase(), v)).collect()
    }

    /// Reads one physical line of the file.
    pub fn line(&mut self, line_no: u64, text: &str) -> Result<Option<Parsed>, LineIssue> {
        let text = text.trim_end_matches(['\r', '\n']);
        let skipped = |reason: String| Ok(Some(Parsed::Skipped(LineIssue { line: line_no, reason })));
        if text.trim().is_empty() {
            return Ok(None);
        }
        if let Some(comment) = text.strip_prefix('#') {
            let cells = split(comment);
            let record = cells[0].trim();
            if cells.len() > 1 && !record.is_empty() && record.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                self.columns.insert(record.to_string(), cells[1..].iter().map(|c| shown(c)).collect());
            }
            return Ok(None);
        }
        let cells = split(text);
        let record = cells[0].trim().to_string();
        let base = record.split('.').next().unwrap_or(&record).to_string();
        if base != "LI01" {
            self.flush_pending();
        }
        if let Some((foot_line, _)) = &self.foot {
            return skipped(format!("a record after the FOOT record of line {foot_line}"));
        }
        let fields = self.named(&record, &cells);
        let get = |name: &str| fields.get(&name.to_ascii_lowercase()).map(|v| shown(v)).filter(|v| !v.is_empty());
        if let Some(block_id) = get("BlockId").filter(|_| matches!(&base[..2], "RE" | "AS" | "MW" | "RU" | "SU" | "LI" | "CU")) {
            if block_id != self.block.id {
                self.block = Block { id: block_id, ..Block::default() };
                self.blocks += 1;
            }
        }
        match base.as_str() {
            "HEAD" => {
                self.head = fields.iter().map(|(k, v)| (k.clone(), shown(v))).collect();
                if !self.head.contains_key("sendername") {
                    return skipped("the HEAD record is short (no SenderName): the file name tells the sender".into());
                }
                Ok(None)
            }
            "FHEA" | "FFOO" => skipped(format!("{record} (a multi-file report marker) is not read")),
            "SY01" | "SY02" | "SY03" | "SY04" => {
                self.summary_records += 1;
                let Some(id) = get("SummaryRecordId") else {
                    return skipped(format!("{record} has no SummaryRecordId"));
                };
                let entry = self.summaries.entry(id).or_default();
                let currency = get("Currency").or_else(|| get("CurrencyOfReporting"));
                if currency.is_some() {
                    entry.currency = currency;
                }
                if let Some(t) = get("Territory") {
                    entry.territory = normalise::territory(&t);
                }
                entry.use_type = get("UseType").or(entry.use_type.take());
                entry.commercial_model = get("CommercialModel").or(entry.commercial_model.take());
                Ok(None)
            }
            "AS01" | "AS02" | "AS03" => {
                if cells.len() < 5 {
                    return skipped(format!("{record} is short ({} cells)", cells.len()));
                }
                self.block.isrc = get("ISRC").and_then(|i| normalise::isrc(i.split('|').next().unwrap_or("")));
                self.block.title = get("Title");
                self.block.artist = get("DisplayArtistName");
                Ok(None)
            }
            "RE01" | "RE02" | "RE03" => {
                self.block.upc = get("ICPN").and_then(|u| normalise::upc(u.split('|').next().unwrap_or("")));
                Ok(None)
            }
            "LI01" => {
                // The recipient's allocation of the sale just read.
                let Some(pending) = self.pending.as_mut() else {
                    return Ok(None);
                };
                if let Some(text) = get("AllocatedAmount") {
                    let amount = parse_amount(&text).map_err(|e| LineIssue { line: line_no, reason: format!("{record} AllocatedAmount: {e}") })?;
                    let sum = pending.allocated.unwrap_or(Decimal::ZERO).checked_add(amount);
                    pending.allocated = Some(sum.ok_or_else(|| LineIssue { line: line_no, reason: format!("{record} AllocatedAmount: the sum is too large") })?);
                }
                Ok(None)
            }
            "MW01" | "RU01" | "RU02" | "CU01" => Ok(None),
            "SU01" | "SU02" | "SU03" | "SU04" => {
                let line = self.sale(line_no, &record, &fields)?;
                let net_revenue = get("NetRevenue").unwrap_or_default();
                self.pending = Some(Pending { line, allocated: None, net_revenue });
                Ok(None)
            }
            "FOOT" => {
                self.foot = Some((line_no, fields.iter().map(|(k, v)| (k.clone(), shown(v))).collect()));
                Ok(None)
            }
            _ => skipped(format!("record type '{record}' is not one Roadie reads")),
        }
    }

    fn sale(&self, line_no: u64, record: &str, fields: &HashMap<String, String>) -> Result<NormalLine, LineIssue> {
        let get = |name: &str| fields.get(&name.to_ascii_lowercase()).map(|v| shown(v)).filter(|v| !v.is_empty());
        let issue = |column: &str, reason: String| LineIssue { line: line_no, reason: format!("{record} {column}: {reason}") };
        let summary = get("SummaryRecordId").and_then(|id| self.summaries.get(&id).cloned()).unwrap_or_default();
        let head = |k: &str| self.head.get(&k.to_ascii_lowercase()).filter(|v| !v.is_empty()).cloned();
        let reporting_period = head("MessageCreatedDateTime")
            .and_then(|d| parse_month(&d).ok())
            .or_else(|| head("UsageEndDate").and_then(|d| parse_month(&d).ok()))
            .or(self.name_period)
            .ok_or_else(|| issue("period", "neither HEAD nor the file name gives the reporting period".into()))?;
        let sale_period = get("ValidityPeriodStart")
            .and_then(|d| parse_month(&d).ok())
            .or_else(|| head("UsageStartDate").and_then(|d| parse_month(&d).ok()));
        let store = head("SenderName")
            .or_else(|| self.name_sender.clone())
            .ok_or_else(|| issue("SenderName", "no sender in HEAD or the file name".into()))?;
        let currency = summary
            .currency
            .clone()
            .or_else(|| get("Currency"))
            .or_else(|| get("CurrencyOfReporting"))
            .ok_or_else(|| issue("Currency", "no currency: the summary record it names gives none".into()))?
            .to_ascii_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(issue("Currency", format!("'{currency}' is not an ISO 4217 currency code")));
        }
        let units = parse_units(&get("Usages").unwrap_or_default()).map_err(|e| issue("Usages", e))?;
        let amount_text = get("NetRevenue").ok_or_else(|| issue("NetRevenue", "the revenue is empty".into()))?;
        let amount = parse_amount(&amount_text).map_err(|e| issue("NetRevenue", e))?;
        let use_type = get("UseType").or(summary.use_type.clone());
        let usage_type = match use_type.as_deref().map(normalise::usage) {
            Some(u) if u != UsageType::Other => u,
            _ => summary.commercial_model.as_deref().map(normalise::usage).unwrap_or(UsageType::Other),
        };
        let mut raw = serde_json::Map::new();
        raw.insert("RecordType".into(), record.into());
        for (k, v) in fields {
            let v = shown(v);
            if !v.is_empty() && !matches!(k.as_str(), "usages" | "netrevenue") {
                raw.insert(k.clone(), v.into());
            }
        }
        Ok(NormalLine {
            line_no,
            reporting_period,
            sale_period,
            store,
            territory: summary.territory.clone().or_else(|| get("Territory").and_then(|t| normalise::territory(&t))).or(self.name_territory.clone()),
            usage_type,
            isrc: self.block.isrc.clone(),
            upc: self.block.upc.clone(),
            title: self.block.title.clone(),
            artist: self.block.artist.clone(),
            units,
            amount,
            currency,
            raw: serde_json::Value::Object(raw).to_string(),
        })
    }

    /// The held sales line, its amount settled, to the ready lines.
    fn flush_pending(&mut self) {
        let Some(Pending { mut line, allocated, net_revenue }) = self.pending.take() else {
            return;
        };
        if let Some(allocated) = allocated {
            line.amount = allocated;
            // The source's own revenue stays in the raw record.
            if let Ok(serde_json::Value::Object(mut raw)) = serde_json::from_str::<serde_json::Value>(&line.raw) {
                raw.insert("netrevenue".into(), net_revenue.into());
                raw.insert("allocatedamount".into(), allocated.normalize().to_string().into());
                line.raw = serde_json::Value::Object(raw).to_string();
            }
        }
        self.ready.push(Parsed::Line(line));
    }

    /// Lines completed by the records read so far, in file order.
    pub fn take_ready(&mut self) -> Vec<Parsed> {
        std::mem::take(&mut self.ready)
    }

    /// After the last line: the held line, if any, is complete.
    pub fn end(&mut self) -> Vec<Parsed> {
        self.flush_pending();
        self.take_ready()
    }

    /// After the last line: the FOOT's counts checked against the file.
    pub fn finish(&self, last_line: u64) -> Vec<LineIssue> {
        let Some((foot_line, foot)) = &self.foot else {
            return vec![LineIssue { line: last_line, reason: "the file has no FOOT record: it may be cut short".into() }];
        };
        let mut issues = Vec::new();
        let mut check = |name: &str, found: u64, what: &str| {
            if let Some(said) = foot.get(&name.to_ascii_lowercase()) {
                if said.trim().parse::<u64>().ok() != Some(found) {
                    issues.push(LineIssue {
                        line: *foot_line,
                        reason: format!("FOOT {name} says {said}, the file has {found} {what}"),
                    });
                }
            }
        };
        check("NumberOfLinesInFile", *foot_line, "lines");
        check("NumberOfSummaryRecords", self.summary_records, "summary records");
        check("NumberOfBlocksInFile", self.blocks, "blocks");
        issues
    }
}

/// `2015-Q4` → 2015-12.
fn quarter_end(s: &str) -> Option<YearMonth> {
    let (y, q) = s.split_once("-Q")?;
    let q: u32 = q.parse().ok()?;
    YearMonth::new(y.parse().ok()?, q.checked_mul(3)?)
}
