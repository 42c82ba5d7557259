//! Importing fan lists: Bandcamp mailing-list exports, Mailchimp audience exports
//! (subscribed / unsubscribed / cleaned), vCard, and any CSV/TSV through a column mapping that is
//! suggested from its headers (English and Chinese) and saved for next time.
//!
//! A file is read as a stream and imported in one transaction: an e-mail already known merges
//! into its contact (new e-mails, tags, sources and consent events are added; filled fields are
//! never overwritten), a new one makes a contact. Invalid rows are reported with their line; with
//! `strict`, any invalid row leaves the store as it was. A file imported before (same content)
//! changes nothing.

mod bulk;
mod columns;
mod pending;
pub(crate) mod rows;
mod vcard;

pub use columns::{FanField, MappingSuggestion};

use super::ConsentStatus;
use crate::error::{Error, Result};
use crate::jobs::{CancelToken, Progress, ProgressFn};
use crate::textfile;
use crate::store::Pragmas;
use crate::Store;
use columns::{header_key, map_by_names, suggest, ColumnMap};
use rows::{full_name, parse_when, split_tags, FanRow};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FanFormat {
    Auto,
    Bandcamp,
    Mailchimp,
    Vcard,
    Mapped,
}

impl FanFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FanFormat::Auto => "auto",
            FanFormat::Bandcamp => "bandcamp",
            FanFormat::Mailchimp => "mailchimp",
            FanFormat::Vcard => "vcard",
            FanFormat::Mapped => "mapped",
        }
    }
}

impl std::str::FromStr for FanFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(FanFormat::Auto),
            "bandcamp" => Ok(FanFormat::Bandcamp),
            "mailchimp" => Ok(FanFormat::Mailchimp),
            "vcard" | "vcf" => Ok(FanFormat::Vcard),
            "mapped" | "csv" => Ok(FanFormat::Mapped),
            other => Err(format!("unknown fan list format '{other}' (auto, bandcamp, mailchimp, vcard, mapped)")),
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct FanImportOptions {
    pub format: FanFormat,
    /// A saved mapping's name (for `mapped`).
    pub mapping: Option<String>,
    /// Force an encoding (`gbk`, `utf-16le`...) instead of detecting it.
    pub encoding: Option<String>,
    /// Any invalid row fails the whole file.
    pub strict: bool,
}

impl Default for FanImportOptions {
    fn default() -> Self {
        Self { format: FanFormat::Auto, mapping: None, encoding: None, strict: false }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct InvalidRow {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FanImportReport {
    pub path: String,
    pub format: FanFormat,
    pub encoding: String,
    pub rows: u32,
    pub created: u32,
    pub merged: u32,
    /// Fields where the file had another value than the contact; the contact's was kept.
    pub kept_existing: u32,
    pub invalid: Vec<InvalidRow>,
    pub duplicate_file: bool,
}

/// What the import wizard shows before importing: the detected format and encoding, the header
/// row, the first rows, and the suggested (or saved) column mapping.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FanFilePreview {
    pub path: String,
    pub file_name: String,
    /// `vcard`, `mailchimp`, `bandcamp`, or `mapped` (any other CSV/TSV).
    pub format: FanFormat,
    pub encoding: String,
    pub headers: Vec<String>,
    /// Up to five rows after the header, as read.
    pub sample: Vec<Vec<String>>,
    /// The suggestion from the headers; a mapping saved for these headers replaces its columns.
    pub suggestion: MappingSuggestion,
    /// The name of the saved mapping found for these headers, if any.
    pub saved_mapping: Option<String>,
    /// True when this exact file was imported before (importing it again changes nothing).
    pub already_imported: bool,
}

/// Which Mailchimp export a file is; it decides the consent it carries.
#[derive(Debug, Clone, Copy, PartialEq)]
enum MailchimpList {
    Subscribed,
    Unsubscribed,
    Cleaned,
}

/// How rows of a delimited file become fans.
enum Layout {
    Bandcamp(ColumnMap),
    Mailchimp(ColumnMap, MailchimpList, BTreeMap<&'static str, usize>),
    Mapped(ColumnMap),
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::FileUnreadable { path: path.display().to_string(), reason: e.to_string() })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn mailchimp_list(headers: &[String], file_name: &str) -> MailchimpList {
    let has = |h: &str| headers.iter().any(|x| x.trim().eq_ignore_ascii_case(h));
    let name = file_name.to_ascii_lowercase();
    if has("UNSUB_TIME") || name.contains("unsubscribed") {
        MailchimpList::Unsubscribed
    } else if has("CLEAN_TIME") || name.contains("cleaned") {
        MailchimpList::Cleaned
    } else {
        MailchimpList::Subscribed
    }
}

fn is_mailchimp(headers: &[String]) -> bool {
    let has = |h: &str| headers.iter().any(|x| x.trim().eq_ignore_ascii_case(h));
    has("Email Address") && (has("MEMBER_RATING") || has("OPTIN_TIME") || has("LEID") || has("EUID") || has("LAST_CHANGED"))
}

fn is_bandcamp(headers: &[String]) -> bool {
    let norm: Vec<String> = headers.iter().map(|h| columns::normalize_header(h)).collect();
    norm.iter().any(|h| h == "email") && norm.iter().any(|h| h == "fullname" || h == "dateadded")
}

impl Store {
    /// Suggests a column mapping for a file's header row (the import wizard's first screen).
    pub fn suggest_fan_mapping(&self, headers: &[String]) -> MappingSuggestion {
        suggest(headers)
    }

    /// Reads a file's header row and first rows for the import wizard; imports nothing.
    pub async fn preview_fan_file(&self, workspace_id: Uuid, path: &Path, encoding: Option<&str>) -> Result<FanFilePreview> {
        self.get_workspace(workspace_id).await?;
        let shown = path.display().to_string();
        let file_name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| shown.clone());
        let forced = encoding.map(textfile::encoding_by_name).transpose()?;
        let (decoded, enc) = textfile::open(path, forced)?;
        let mut decoded = BufReader::with_capacity(64 * 1024, decoded);
        let mut first_line = String::new();
        decoded
            .read_line(&mut first_line)
            .map_err(|e| Error::FileUnreadable { path: shown.clone(), reason: e.to_string() })?;
        let sha = sha256_file(path)?;
        let already_imported = sqlx::query_scalar::<_, i64>("SELECT 1 FROM fan_import_files WHERE workspace_id = ? AND sha256 = ?")
            .bind(workspace_id.to_string())
            .bind(&sha)
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        let mut preview = FanFilePreview {
            path: shown.clone(),
            file_name: file_name.clone(),
            format: FanFormat::Vcard,
            encoding: enc.name().to_string(),
            headers: Vec::new(),
            sample: Vec::new(),
            suggestion: suggest(&[]),
            saved_mapping: None,
            already_imported,
        };
        if first_line.trim().eq_ignore_ascii_case("BEGIN:VCARD") {
            return Ok(preview);
        }
        let reader = BufReader::new(std::io::Cursor::new(first_line.clone().into_bytes()).chain(decoded));
        let delimiter = textfile::sniff_delimiter(&first_line);
        let mut csv = csv::ReaderBuilder::new().flexible(true).delimiter(delimiter).from_reader(reader);
        let headers: Vec<String> = csv
            .headers()
            .map_err(|e| Error::BadLine { path: shown.clone(), line: 1, reason: e.to_string() })?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        for record in csv.records().take(5) {
            let record = record.map_err(|e| Error::BadLine { path: shown.clone(), line: e.position().map(|p| p.line()).unwrap_or(0), reason: e.to_string() })?;
            preview.sample.push(record.iter().map(String::from).collect());
        }
        preview.format = if is_mailchimp(&headers) {
            FanFormat::Mailchimp
        } else if is_bandcamp(&headers) {
            FanFormat::Bandcamp
        } else {
            FanFormat::Mapped
        };
        let mut suggestion = suggest(&headers);
        if preview.format == FanFormat::Mapped {
            let saved: Option<(String, String)> = sqlx::query_as(
                "SELECT name, columns FROM fan_mappings WHERE workspace_id = ? AND header_key = ? ORDER BY created_at DESC LIMIT 1",
            )
            .bind(workspace_id.to_string())
            .bind(header_key(&headers))
            .fetch_optional(&self.pool)
            .await?;
            if let Some((name, columns)) = saved {
                if let Ok(fields) = serde_json::from_str::<BTreeMap<FanField, String>>(&columns) {
                    if let Ok(map) = map_by_names(&headers, &fields) {
                        let mut cols = vec![None; headers.len()];
                        for (field, i) in map.0 {
                            cols[i] = Some(field);
                        }
                        suggestion = MappingSuggestion { columns: cols, conflicts: Vec::new(), unambiguous: true };
                        preview.saved_mapping = Some(name);
                    }
                }
            }
        }
        preview.headers = headers;
        preview.suggestion = suggestion;
        Ok(preview)
    }

    /// Saves a mapping (field → header text) under `name`, used again for files with these headers.
    pub async fn save_fan_mapping(&self, workspace_id: Uuid, name: &str, headers: &[String], fields: &BTreeMap<FanField, String>) -> Result<()> {
        let mut check = crate::validate::Checker::default();
        let name = check.required("name", name, 100);
        if let Err(reason) = map_by_names(headers, fields) {
            check.issue("columns", "unknown_column", reason);
        }
        check.finish("mapping")?;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO fan_mappings (id, workspace_id, name, header_key, columns, created_at) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (workspace_id, name) DO UPDATE SET header_key = excluded.header_key, columns = excluded.columns",
        )
        .bind(self.ids.new_id().to_string())
        .bind(workspace_id.to_string())
        .bind(&name)
        .bind(header_key(headers))
        .bind(serde_json::to_string(fields).expect("serialisable"))
        .bind(self.clock.now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn saved_mapping(&self, workspace_id: Uuid, by_name: Option<&str>, headers: &[String]) -> Result<Option<BTreeMap<FanField, String>>> {
        let row = match by_name {
            Some(name) => sqlx::query("SELECT columns FROM fan_mappings WHERE workspace_id = ? AND name = ?")
                .bind(workspace_id.to_string())
                .bind(name)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| Error::not_found("mapping", name))
                .map(Some)?,
            None => sqlx::query("SELECT columns FROM fan_mappings WHERE workspace_id = ? AND header_key = ? ORDER BY created_at DESC LIMIT 1")
                .bind(workspace_id.to_string())
                .bind(header_key(headers))
                .fetch_optional(&self.pool)
                .await?,
        };
        Ok(match row {
            Some(r) => Some(serde_json::from_str(&r.try_get::<String, _>("columns")?).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?),
            None => None,
        })
    }

    /// Imports one fan list. See the module docs for the rules.
    pub async fn import_fans(
        &self,
        workspace_id: Uuid,
        path: &Path,
        options: &FanImportOptions,
        progress: ProgressFn<'_>,
        cancel: &CancelToken,
    ) -> Result<FanImportReport> {
        let mut phases = bulk::Phases::start();
        self.get_workspace(workspace_id).await?;
        let shown = path.display().to_string();
        let file_name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| shown.clone());
        let total_bytes = std::fs::metadata(path).map_err(|e| Error::FileUnreadable { path: shown.clone(), reason: e.to_string() })?.len();
        let sha = sha256_file(path)?;
        let forced = options.encoding.as_deref().map(textfile::encoding_by_name).transpose()?;
        let (decoded, encoding) = textfile::open(path, forced)?;
        // The first line tells the format and delimiter; it is read, then put back in front.
        let mut decoded = BufReader::with_capacity(64 * 1024, decoded);
        let mut first_line = String::new();
        decoded
            .read_line(&mut first_line)
            .map_err(|e| Error::FileUnreadable { path: shown.clone(), reason: e.to_string() })?;
        let reader = BufReader::new(std::io::Cursor::new(first_line.clone().into_bytes()).chain(decoded));
        let mut report = FanImportReport {
            path: shown.clone(),
            format: options.format,
            encoding: encoding.name().to_string(),
            rows: 0,
            created: 0,
            merged: 0,
            kept_existing: 0,
            invalid: Vec::new(),
            duplicate_file: false,
        };
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM fan_import_files WHERE workspace_id = ? AND sha256 = ?")
            .bind(workspace_id.to_string())
            .bind(&sha)
            .fetch_optional(&self.pool)
            .await?;
        if known.is_some() {
            report.duplicate_file = true;
            return Ok(report);
        }

        let is_vcard = first_line.trim().eq_ignore_ascii_case("BEGIN:VCARD");
        let rows: Box<dyn Iterator<Item = std::result::Result<FanRow, (u64, String)>> + Send> =
            if options.format == FanFormat::Vcard || (options.format == FanFormat::Auto && is_vcard) {
                report.format = FanFormat::Vcard;
                Box::new(vcard::VcardRows::new(reader))
            } else {
                let delimiter = textfile::sniff_delimiter(&first_line);
                let mut csv = csv::ReaderBuilder::new().flexible(true).delimiter(delimiter).from_reader(reader);
                let headers: Vec<String> = csv
                    .headers()
                    .map_err(|e| Error::BadLine { path: shown.clone(), line: 1, reason: e.to_string() })?
                    .iter()
                    .map(String::from)
                    .collect();
                let (format, layout) = self.layout(workspace_id, options, &headers, &file_name, &shown).await?;
                report.format = format;
                Box::new(csv_rows(csv, layout))
            };

        let source = match report.format {
            FanFormat::Mapped | FanFormat::Auto => format!("csv:{file_name}"),
            f => f.as_str().to_string(),
        };
        let now = self.clock.now();
        let cx = bulk::RowContext {
            workspace: workspace_id.to_string(),
            source,
            file_name: file_name.clone(),
            file_ids: crate::clock::FileIds::new(&sha),
            sha,
            // A contact line of a fan list is some 30 to 60 bytes.
            expected_rows: total_bytes / 48,
            hlc: self.stamp(),
            now_ts: bulk::ts(now),
            now,
            ids: self.ids.as_ref(),
        };
        // Every row refers to the workspace checked above or to contacts this import just read or
        // made, so the per-row foreign-key lookups (a search of the contacts' id index for every
        // e-mail, tag and source written) are left out on this connection, for this import only.
        let mut pooled = self.pool.acquire().await?;
        // Also for this import, on its connection:
        // - a big list touches every index of the contacts at random places: with the default
        //   2 MB page cache they are read and spilled again and again; room for all of them
        //   during the import and its commit;
        // - the WAL (some 150 MB for 100,000 fans, a third of a second to copy) is copied into the
        //   store file after the import, in the background, not by its commit.
        let (pragmas, set) =
            Pragmas::set(&mut pooled, &[("foreign_keys", 0), ("cache_size", -131072), ("wal_autocheckpoint", 0)]).await;
        phases.mark("file hash and header");
        let written = match set {
            Ok(()) => self.write_fan_rows(&mut pooled, rows, &cx, options, &shown, progress, cancel, &mut report, &mut phases).await,
            Err(e) => Err(e),
        };
        // A big import changes the statistics the planner picks indexes by (on this connection,
        // so its write does not run the checkpoint either).
        let optimized = match &written {
            Ok(()) => sqlx::query("PRAGMA optimize").execute(&mut *pooled).await.map(|_| ()),
            Err(_) => Ok(()),
        };
        let restored = pragmas.put_back(&mut pooled).await;
        if restored.is_err() {
            pooled.close_on_drop();
        }
        drop(pooled);
        written?;
        restored?;
        optimized?;
        phases.mark("optimize");
        self.checkpoint_in_background();
        progress(Progress { done: total_bytes, total: Some(total_bytes) });
        Ok(report)
    }

    /// The import's transaction: every row, the derived fields and search rows, the file's record.
    #[allow(clippy::too_many_arguments)]
    async fn write_fan_rows(
        &self,
        conn: &mut sqlx::SqliteConnection,
        rows: Box<dyn Iterator<Item = std::result::Result<FanRow, (u64, String)>> + Send>,
        cx: &bulk::RowContext<'_>,
        options: &FanImportOptions,
        shown: &str,
        progress: ProgressFn<'_>,
        cancel: &CancelToken,
        report: &mut FanImportReport,
        phases: &mut bulk::Phases,
    ) -> Result<()> {
        use sqlx::Connection as _;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        {
            let mut handle = tx.lock_handle().await?;
            // SAFETY: the handle is this transaction's live connection, locked for us until
            // `handle` drops; rusqlite borrows it (from_handle does not close it) and is dropped
            // first, with every statement it prepared.
            let conn = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }.map_err(bulk::db)?;
            // See `bulk::Settings`: the CHECKs the import's own values always pass, and the search
            // index's pending terms kept in memory for the whole import.
            let settings = bulk::Settings::enter(&conn)?;
            let outcome = (|| -> Result<()> {
                let mut touched = bulk::Touched::new(&conn, &cx.workspace, cx.expected_rows)?;
                let deferred = bulk::defer_indexes(&conn, cx.expected_rows, touched.store_has_emails)?;
                // The outbox of the rows made here: queued set-wise at the end, not per row.
                let mut outbox = crate::sync::BulkWrite::begin(&conn, &cx.hlc)?;
                outbox.quiet_inserts(&conn, &["contacts", "contact_emails", "contact_tags", "contact_sources", "consent_events", "activities"])?;
                let mut prepared = bulk::Prepared::new(&conn, cx, &touched)?;
                for (n, row) in rows.enumerate() {
                    if cancel.is_cancelled() {
                        return Err(Error::Cancelled);
                    }
                    if n % 1000 == 0 {
                        progress(Progress { done: n as u64, total: None });
                    }
                    report.rows += 1;
                    let row = match row {
                        Ok(r) => r,
                        Err((line, reason)) => {
                            if options.strict {
                                return Err(Error::BadLine { path: shown.to_string(), line, reason });
                            }
                            report.invalid.push(InvalidRow { line, reason });
                            continue;
                        }
                    };
                    let line = row.line;
                    match bulk::write_row(&mut prepared, cx, row, report, &mut touched) {
                        Ok(()) => {}
                        Err(Error::InvalidInput { issues, .. }) => {
                            let reason = issues.iter().map(|i| i.detail.clone()).collect::<Vec<_>>().join("; ");
                            if options.strict {
                                return Err(Error::BadLine { path: shown.to_string(), line, reason });
                            }
                            report.invalid.push(InvalidRow { line, reason });
                        }
                        Err(other) => return Err(other),
                    }
                }
                prepared.finish()?;
                phases.mark("rows");
                touched.write_labels(&conn, &cx.source, &cx.hlc)?;
                phases.mark("tags and sources");
                bulk::rebuild_indexes(&conn, &deferred)?;
                phases.mark("indexes built again");
                // Status, last activity and search rows, once per contact touched.
                touched.finish(&conn, &cx.hlc, cancel)?;
                phases.mark("derived fields and search rows");
                outbox.finish(&conn)?;
                phases.mark("sync outbox");
                Ok(())
            })();
            let restored = settings.leave(&conn);
            // (Putting the search index's memory limit back writes the terms it held.)
            phases.mark("search index written");
            drop(conn);
            drop(handle);
            outcome?; // on error the transaction rolls back when `tx` drops
            restored?;
        }
        // Bandcamp sales of buyers this list brings in become their purchases.
        let workspace = Uuid::parse_str(&cx.workspace).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
        super::sales::link_bandcamp_sales(&mut tx, workspace, &cx.hlc).await?;
        phases.mark("Bandcamp sales");
        sqlx::query("INSERT INTO fan_import_files (workspace_id, sha256, file_name, format, rows, imported_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&cx.workspace)
            .bind(&cx.sha)
            .bind(&cx.file_name)
            .bind(report.format.as_str())
            .bind(report.rows as i64)
            .bind(cx.now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        phases.mark("commit");
        Ok(())
    }

    async fn layout(
        &self,
        workspace_id: Uuid,
        options: &FanImportOptions,
        headers: &[String],
        file_name: &str,
        shown: &str,
    ) -> Result<(FanFormat, Layout)> {
        let mapping_needed = |reason: String| Error::MappingNeeded { path: shown.to_string(), reason, headers: headers.to_vec() };
        let suggestion = suggest(headers);
        let format = match options.format {
            FanFormat::Auto if is_mailchimp(headers) => FanFormat::Mailchimp,
            FanFormat::Auto if is_bandcamp(headers) => FanFormat::Bandcamp,
            FanFormat::Auto => FanFormat::Mapped,
            f => f,
        };
        Ok(match format {
            FanFormat::Mailchimp => {
                let extra: BTreeMap<&'static str, usize> = ["OPTIN_TIME", "CONFIRM_TIME", "LAST_CHANGED", "UNSUB_TIME", "CLEAN_TIME", "CC", "TAGS", "NOTES", "REGION"]
                    .into_iter()
                    .filter_map(|k| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(k)).map(|i| (k, i)))
                    .collect();
                let mut map = suggestion.column_map();
                map.0.remove(&FanField::Joined); // OPTIN_TIME is read as consent, below
                (FanFormat::Mailchimp, Layout::Mailchimp(map, mailchimp_list(headers, file_name), extra))
            }
            FanFormat::Bandcamp => (FanFormat::Bandcamp, Layout::Bandcamp(suggestion.column_map())),
            FanFormat::Mapped | FanFormat::Auto => {
                let saved = self.saved_mapping(workspace_id, options.mapping.as_deref(), headers).await?;
                let map = match saved {
                    Some(fields) => map_by_names(headers, &fields).map_err(mapping_needed)?,
                    None if suggestion.unambiguous => suggestion.column_map(),
                    None if !suggestion.conflicts.is_empty() => {
                        let fields: Vec<_> = suggestion.conflicts.iter().map(|f| f.as_str()).collect();
                        return Err(mapping_needed(format!("several columns could be {}", fields.join(", "))));
                    }
                    None => return Err(mapping_needed("no column looks like a name, e-mail or phone".into())),
                };
                (FanFormat::Mapped, Layout::Mapped(map))
            }
            FanFormat::Vcard => unreachable!("vCard files are not delimited"),
        })
    }
}

/// Turns the records of a delimited file into fans, by layout.
fn csv_rows<R: std::io::Read + Send + 'static>(
    csv: csv::Reader<R>,
    layout: Layout,
) -> impl Iterator<Item = std::result::Result<FanRow, (u64, String)>> + Send {
    csv.into_records().map(move |record| {
        let record = record.map_err(|e| (e.position().map(|p| p.line()).unwrap_or(0), e.to_string()))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            return Err((line, "empty row".to_string()));
        }
        Ok(match &layout {
            Layout::Mapped(map) | Layout::Bandcamp(map) => {
                let mut row = FanRow {
                    line,
                    name: full_name(map.get(FanField::Name, &record), map.get(FanField::FirstName, &record), map.get(FanField::LastName, &record)),
                    emails: map.get(FanField::Email, &record).map(|e| e.split([';', ',']).filter(|s| !s.is_empty()).map(String::from).collect()).unwrap_or_default(),
                    phone: map.get(FanField::Phone, &record).map(String::from),
                    city: map.get(FanField::City, &record).map(String::from),
                    region: map.get(FanField::Region, &record).map(String::from),
                    country: map.get(FanField::Country, &record).map(String::from),
                    language: map.get(FanField::Language, &record).map(String::from),
                    notes: map.get(FanField::Notes, &record).map(String::from),
                    tags: map.get(FanField::Tags, &record).map(split_tags).unwrap_or_default(),
                    joined: map.get(FanField::Joined, &record).and_then(parse_when),
                    ..FanRow::default()
                };
                if matches!(layout, Layout::Bandcamp(_)) {
                    // Bandcamp's list holds fans who opted in to the artist's mailing list.
                    row.consent = Some((ConsentStatus::OptedIn, row.joined, Some("Bandcamp mailing list opt-in".into())));
                }
                row
            }
            Layout::Mailchimp(map, list, extra) => {
                let get = |k: &str| extra.get(k).and_then(|i| record.get(*i)).map(str::trim).filter(|v| !v.is_empty());
                let when = |keys: &[&str]| keys.iter().find_map(|k| get(k).and_then(parse_when));
                let consent = match list {
                    MailchimpList::Subscribed => Some((
                        ConsentStatus::OptedIn,
                        when(&["CONFIRM_TIME", "OPTIN_TIME", "LAST_CHANGED"]),
                        Some("Mailchimp audience: subscribed".to_string()),
                    )),
                    MailchimpList::Unsubscribed => Some((
                        ConsentStatus::OptedOut,
                        when(&["UNSUB_TIME", "LAST_CHANGED"]),
                        Some("Mailchimp audience: unsubscribed".to_string()),
                    )),
                    MailchimpList::Cleaned => None,
                };
                FanRow {
                    line,
                    name: full_name(map.get(FanField::Name, &record), map.get(FanField::FirstName, &record), map.get(FanField::LastName, &record)),
                    emails: map.get(FanField::Email, &record).map(|e| vec![e.to_string()]).unwrap_or_default(),
                    phone: map.get(FanField::Phone, &record).map(String::from),
                    city: map.get(FanField::City, &record).map(String::from),
                    region: get("REGION").map(String::from),
                    country: get("CC").or_else(|| map.get(FanField::Country, &record)).map(String::from),
                    notes: get("NOTES").map(String::from),
                    tags: get("TAGS").map(split_tags).unwrap_or_default(),
                    joined: when(&["OPTIN_TIME", "CONFIRM_TIME"]),
                    consent,
                    bounced: *list == MailchimpList::Cleaned,
                    ..FanRow::default()
                }
            }
        })
    })
}

#[cfg(test)]
mod tests;
