//! The import pipeline: hash → duplicate check → detect → parse (a blocking thread, streamed,
//! bounded channel: memory stays flat whatever the file size) → match → insert in batches, all
//! in ONE write transaction per file. Any invalid line (unless `skip_invalid`), a cancel, an I/O
//! error or a killed process leaves the store exactly as before: nothing commits until the end.

use super::bulk;
use super::detect::{self, Plan};
use super::encoding::{self, TextEncoding};
use super::formats::{dsr::DsrParser, xlsx, Layout, Parsed, Resolved};
use super::matching::{Match, MatchCache, Matcher};
use super::rollup::Rollup;
use super::{Format, ImportReport, LineIssue, NormalLine};
use crate::error::{Error, Result};
use crate::Store;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use ts_rs::TS;

/// How to read a file; everything optional (auto-detected).
#[derive(Debug, Clone, Default, serde::Deserialize, TS)]
pub struct ImportOptions {
    /// Force a parser instead of detecting it from the file.
    pub format: Option<Format>,
    /// Read with this saved column mapping.
    pub mapping: Option<String>,
    /// Force a text encoding (`utf-8`, `utf-16le`, `gbk`...).
    pub encoding: Option<String>,
    /// Import the valid lines and report each invalid one, instead of refusing the file.
    pub skip_invalid: bool,
}

/// Where an import is, for a progress bar (lines/s and time left come from these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct ImportProgress {
    pub lines: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// The cancel flag of long jobs (shared with every other import).
pub use crate::jobs::CancelToken;

/// Lines per bulk insert call.
const INSERT_ROWS: usize = 2000;
/// Lines per message from the parser thread.
const BATCH: usize = 2000;

/// A line ready to store.
pub(crate) struct Ready {
    pub line: NormalLine,
    pub matched: Option<Match>,
}

#[allow(clippy::large_enum_variant)] // nearly every item is a line: boxing would allocate per line
enum Item {
    Line(Ready),
    Skipped(LineIssue),
    Invalid(LineIssue),
}

struct Done {
    lines: u64,
    tail: Vec<LineIssue>,
    rollup: Rollup,
}

enum Msg {
    Batch(Vec<Item>),
    Done(Box<Done>),
    Failed(Error),
}

/// Counts the bytes read from the file (for progress).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Turns CRLF into LF before the CSV reader: csv 1.x counts a CRLF record's line from the `\n`
/// of the previous one, so every line number after the header would be one short.
pub(crate) struct CrlfToLf<R> {
    pub(crate) inner: R,
    /// A `\r` at the end of the last chunk, not yet known to be followed by `\n`.
    pub(crate) held_cr: bool,
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.len() < 2 {
            return self.inner.read(buf);
        }
        loop {
            let start = usize::from(self.held_cr);
            if self.held_cr {
                buf[0] = b'\r';
            }
            let n = self.inner.read(&mut buf[start..])?;
            if n == 0 {
                self.held_cr = false;
                return Ok(start); // a final lone \r is kept
            }
            let total = start + n;
            let mut out = 0;
            let mut i = 0;
            while i < total {
                let b = buf[i];
                if b == b'\r' && i + 1 < total && buf[i + 1] == b'\n' {
                    i += 1;
                    continue;
                }
                buf[out] = b;
                out += 1;
                i += 1;
            }
            // A trailing \r may pair with the next chunk's \n.
            self.held_cr = out > 0 && buf[out - 1] == b'\r';
            if self.held_cr {
                out -= 1;
            }
            if out > 0 {
                return Ok(out);
            }
        }
    }
}

fn hash_file(path: &Path, cancel: &CancelToken) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        if cancel.is_cancelled() {
            break;
        }
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let digest = hasher.finalize();
    Ok((digest.iter().map(|b| format!("{b:02x}")).collect(), size))
}

/// A gzip stream starts with these bytes (`.tsv.gz`, `.csv.gz` statements: DSR files are often
/// delivered so).
fn is_gzip(start: &[u8]) -> bool {
    start.starts_with(&[0x1f, 0x8b])
}

/// `inner` decompressed when the file is gzip (streamed: nothing is held beyond a buffer).
pub(crate) fn maybe_gunzip<R: Read + Send + 'static>(inner: R, gzip: bool) -> Box<dyn Read + Send> {
    if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, inner)))
    } else {
        Box::new(inner)
    }
}

/// Whether the file at `path` is gzip.
pub(crate) fn file_is_gzip(path: &Path) -> std::io::Result<bool> {
    let mut magic = [0u8; 2];
    let mut file = std::fs::File::open(path)?;
    let n = file.read(&mut magic)?;
    Ok(n == 2 && is_gzip(&magic))
}

/// The file's text content, decompressed when it is gzip.
pub(crate) fn open_content(path: &Path) -> std::io::Result<Box<dyn Read + Send>> {
    let gzip = file_is_gzip(path)?;
    Ok(maybe_gunzip(std::fs::File::open(path)?, gzip))
}

/// The first 64 KiB of the file's content (decompressed when it is gzip).
pub(crate) fn read_prefix(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(1 << 16);
    open_content(path)?.take(1 << 16).read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// How a file was read, stored with its row (`read_with`) so another device reads the same bytes
/// the same way: the options the import was given, and the saved mapping it used as it was.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub(crate) struct ReadWith {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(default)]
    pub skip_invalid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<MappingSnapshot>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub(crate) struct MappingSnapshot {
    pub name: String,
    pub mapping: super::formats::ColumnMapping,
}

/// A file row from another device without its lines here yet.
struct PulledFile {
    id: String,
    file_name: String,
    read_with: ReadWith,
    /// Its ledger's workspace (`None`: the account's own).
    workspace: Option<String>,
}

/// The pulled row a downloaded file is for.
pub(crate) struct ExpectedFile<'a> {
    pub id: &'a str,
    pub content_hash: &'a str,
}

/// What the parser thread reads.
enum Source {
    Table { resolved: Resolved, encoding: TextEncoding, delimiter: u8 },
    Sheet { resolved: Resolved, rows: Vec<(u64, csv::StringRecord)> },
    Dsr { encoding: TextEncoding },
}

impl Store {
    /// Imports one statement file; see [`Store::import_statement_with`].
    pub async fn import_statement(&self, path: &Path, options: &ImportOptions) -> Result<ImportReport> {
        self.import_statement_with(path, options, &|_| {}, &CancelToken::new()).await
    }

    /// Imports one statement file in one transaction: the whole file or nothing. A file already
    /// imported (same content hash) changes nothing and says `duplicate_file`. `progress` is
    /// called as lines go in; `cancel` stops the import, committing nothing.
    ///
    /// The file's row syncs (its id derives from the content hash, so the same file imported on
    /// two devices is one row), and its bytes are kept next to the store until the next sync
    /// uploads them (transfer.rs). A file whose row came from another device but whose lines are
    /// not here yet is imported into that row, read as that device read it.
    pub async fn import_statement_with(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
        cancel: &CancelToken,
    ) -> Result<ImportReport> {
        self.import_file(path, options, progress, cancel, None).await
    }

    /// The import. `expected`: the pulled row the bytes are for, when the sync imports a
    /// downloaded file.
    pub(crate) async fn import_file(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
        cancel: &CancelToken,
        expected: Option<ExpectedFile<'_>>,
    ) -> Result<ImportReport> {
        let shown = path.display().to_string();
        let unreadable = |reason: String| Error::StatementUnreadable { file: shown.clone(), reason };
        if let Some(label) = &options.encoding {
            super::encoding::by_label(label).map_err(&unreadable)?;
        }
        let owned: PathBuf = path.to_path_buf();
        let hash_cancel = cancel.clone();
        let (hash, size) = tokio::task::spawn_blocking(move || hash_file(&owned, &hash_cancel))
            .await
            .map_err(|e| unreadable(e.to_string()))?
            .map_err(|e| unreadable(e.to_string()))?;
        if cancel.is_cancelled() {
            return Err(Error::ImportCancelled { file: shown });
        }
        if let Some(want) = expected.as_ref().map(|e| e.content_hash) {
            if want != hash {
                return Err(unreadable(format!("its SHA-256 is {hash}, not the {want} it was fetched as")));
            }
        }
        // A row pulled from another device whose lines are not here yet (the one downloaded, or
        // one of the ledger kept now): read the bytes as that device did (its options, and the
        // column mapping it used as it was then).
        let pulled = self.pulled_file(expected.as_ref().map(|e| e.id), &hash).await?;
        let pulled_options;
        let options = match &pulled {
            Some(p) => {
                pulled_options = ImportOptions {
                    format: p.read_with.format,
                    mapping: None,
                    encoding: p.read_with.encoding.clone(),
                    // (What was invalid there was skipped there: the same lines are skipped here.)
                    skip_invalid: true,
                };
                &pulled_options
            }
            None => options,
        };
        if pulled.is_none() {
            if let Some(previous) = self.imported_file_by_hash(&hash).await? {
                return Ok(ImportReport { path: shown, duplicate_file: true, imported: 0, matched: 0, unmatched: 0, skipped: vec![], ..previous });
            }
        }
        let snapshot = pulled.as_ref().and_then(|p| p.read_with.mapping.as_ref());
        let mut used_mapping: Option<MappingSnapshot> = None;

        // Decide how to read it.
        let prefix = read_prefix(path).map_err(|e| unreadable(e.to_string()))?;
        let file_name = match &pulled {
            // (The DSR parser reads the file's name: the name it was imported under.)
            Some(p) => p.file_name.clone(),
            None => path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
        };
        let spreadsheet = options.format == Some(Format::Xlsx) || detect::is_spreadsheet(&prefix);
        let plan = if spreadsheet {
            let owned = path.to_path_buf();
            let rows = tokio::task::spawn_blocking(move || xlsx::read_rows(&owned)).await.map_err(|e| unreadable(e.to_string()))?;
            Plan::Sheet { rows: rows.map_err(&unreadable)? }
        } else {
            detect::text_plan(path, &prefix, options.format, options.encoding.as_deref()).map_err(&unreadable)?
        };
        let (source, format, layout_name, encoding_name, raw_columns) = match plan {
            Plan::Dsr { encoding } => {
                (Source::Dsr { encoding }, Format::DdexDsr, super::formats::dsr::LAYOUT.to_string(), encoding.name(), vec![])
            }
            Plan::Table { encoding, delimiter, header } => {
                let (layout, mapping) = self.layout_for(&header, options, snapshot).await.map_err(|e| e.into_unreadable(&shown))?;
                used_mapping = mapping;
                let format = layout.format;
                let name = layout.version.clone();
                let resolved = Resolved::new(layout, header).map_err(&unreadable)?;
                let raw = resolved.raw_column_names();
                (Source::Table { resolved, encoding, delimiter }, format, name, encoding.name(), raw)
            }
            Plan::Sheet { mut rows } => {
                if rows.is_empty() {
                    return Err(unreadable("the first worksheet is empty".into()));
                }
                let (_, header) = rows.remove(0);
                let header: Vec<String> = header.iter().map(str::to_string).collect();
                let (layout, mapping) = self.layout_for(&header, options, snapshot).await.map_err(|e| e.into_unreadable(&shown))?;
                used_mapping = mapping;
                let name = format!("{} (xlsx)", layout.version);
                let resolved = Resolved::new(layout, header).map_err(&unreadable)?;
                let raw = resolved.raw_column_names();
                (Source::Sheet { resolved, rows }, Format::Xlsx, name, "xlsx".to_string(), raw)
            }
        };

        let now = self.clock.now();
        let hlc = self.stamp();
        let read_with = ReadWith {
            format: options.format,
            encoding: options.encoding.clone(),
            skip_invalid: options.skip_invalid,
            mapping: used_mapping,
        };
        let imported_by = self.account().await?.map(|a| a.user_id.to_string());
        // The bytes stay next to the store until the next sync uploads them (written before the
        // commit: a row queued for upload always has its bytes).
        if pulled.is_none() {
            let (from, to) = (path.to_path_buf(), self.statement_blob_path(&hash));
            tokio::task::spawn_blocking(move || super::transfer::keep_blob(&from, &to))
                .await
                .map_err(|e| unreadable(e.to_string()))?
                .map_err(|e| unreadable(format!("cannot keep a copy for sync: {e}")))?;
        }
        let mut tx = self.write().await?;
        let file_ledger = super::ledger::ledger(&mut tx).await?;
        let file_id = match &pulled {
            Some(p) => p.id.clone(),
            None => file_ledger.derived_id("statement_file", &[&hash]).to_string(),
        };
        // Checked again under the write lock: a concurrent import of the same file loses here.
        let matcher = Arc::new(Matcher::load(&mut tx).await?);
        // (No bigger page cache: every B-tree a bulk import writes grows at its end, so SQLite's
        // default cache is as fast as a 64 MB one, and memory stays flat at any file size.)
        // (Positive: rows pulled without their lines have negative ones.)
        let file_seq: i64 = sqlx::query_scalar("SELECT max(COALESCE(MAX(seq), 0), 0) + 1 FROM statement_files").fetch_one(&mut *tx).await?;
        let another = || Error::StatementUnreadable { file: shown.clone(), reason: "the same file is being imported by another process".into() };
        if pulled.is_some() {
            // Its lines are here from now on (seq is local: this changes nothing that syncs).
            let taken = sqlx::query("UPDATE statement_files SET seq = ? WHERE id = ? AND seq < 0")
                .bind(file_seq)
                .bind(&file_id)
                .execute(&mut *tx)
                .await?;
            if taken.rows_affected() != 1 {
                return Err(another());
            }
            // (A failed download of it is no longer worth reporting.)
            super::transfer::clear_error(&mut tx, "pull", &file_id).await?;
        } else {
            sqlx::query(
                "INSERT INTO statement_files (id, seq, content_hash, file_name, format, layout, encoding, byte_size, line_count, \
                 imported, raw_columns, imported_at, workspace_id, imported_by, read_with, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&file_id)
            .bind(file_seq)
            .bind(&hash)
            .bind(&file_name)
            .bind(format.as_str())
            .bind(&layout_name)
            .bind(&encoding_name)
            .bind(size as i64)
            .bind(serde_json::to_string(&raw_columns).expect("serialisable"))
            .bind(now)
            .bind(&file_ledger.workspace)
            .bind(&imported_by)
            .bind(serde_json::to_string(&read_with).expect("serialisable"))
            .bind(&hlc)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => another(),
                _ => Error::Database(e),
            })?;
            sqlx::query("INSERT INTO statement_file_uploads (content_hash, workspace_id, queued_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .bind(&hash)
                .bind(&file_ledger.workspace)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }

        let bytes = Arc::new(AtomicU64::new(0));
        let (sender, mut receiver) = mpsc::channel::<Msg>(4);
        let parse_cancel = cancel.clone();
        let parse_bytes = bytes.clone();
        let parse_path = path.to_path_buf();
        let parse_matcher = matcher.clone();
        // Inserted lines go back to the parser to be written over (flat memory, no allocation
        // per line); at most a few batches are ever in flight.
        let (recycle, recycled) = std::sync::mpsc::channel::<Vec<Ready>>();
        let parser = tokio::task::spawn_blocking(move || {
            let result = parse(&parse_path, &file_name, source, &parse_matcher, &sender, recycled, &parse_cancel, parse_bytes);
            match result {
                Ok(done) => {
                    let _ = sender.blocking_send(Msg::Done(Box::new(done)));
                }
                Err(e) => {
                    let _ = sender.blocking_send(Msg::Failed(e));
                }
            }
        });

        let mut report = ImportReport {
            path: shown.clone(),
            format,
            layout: layout_name,
            encoding: encoding_name,
            lines: 0,
            imported: 0,
            duplicate_file: false,
            matched: 0,
            unmatched: 0,
            skipped: Vec::new(),
        };
        let mut pending: Vec<Ready> = Vec::with_capacity(INSERT_ROWS);
        let mut buffers = bulk::Buffers::default();
        let mut lines_seen = 0u64;
        let outcome: Result<Done> = loop {
            if cancel.is_cancelled() {
                break Err(Error::ImportCancelled { file: shown.clone() });
            }
            let Some(msg) = receiver.recv().await else {
                break Err(unreadable("the reader stopped unexpectedly".into()));
            };
            match msg {
                Msg::Batch(items) => {
                    let mut invalid = None;
                    for item in items {
                        match item {
                            Item::Line(ready) => {
                                lines_seen += 1;
                                if ready.matched.is_some() {
                                    report.matched += 1;
                                } else {
                                    report.unmatched += 1;
                                }
                                pending.push(ready);
                                if pending.len() == INSERT_ROWS {
                                    bulk::insert(&mut tx, file_seq, &pending, &matcher, &mut buffers).await?;
                                    report.imported += pending.len() as u64;
                                    let done = std::mem::replace(&mut pending, Vec::with_capacity(INSERT_ROWS));
                                    // (When the parser has ended, the lines are just freed.)
                                    let _ = recycle.send(done);
                                }
                            }
                            Item::Skipped(issue) => report.skipped.push(issue),
                            Item::Invalid(issue) => {
                                if options.skip_invalid {
                                    report.skipped.push(issue);
                                } else {
                                    invalid = Some(issue);
                                    break;
                                }
                            }
                        }
                    }
                    if let Some(issue) = invalid {
                        break Err(Error::StatementLine { file: shown.clone(), line: issue.line, reason: issue.reason });
                    }
                    progress(ImportProgress { lines: lines_seen, bytes_done: bytes.load(Ordering::Relaxed), bytes_total: size });
                }
                Msg::Done(done) => break Ok(*done),
                Msg::Failed(e) => break Err(e),
            }
        };
        // Stop the parser (it sees the closed channel) before anything else.
        drop(receiver);
        let _ = parser.await;
        let done = outcome?; // dropping `tx` on error rolls the whole file back
        if !pending.is_empty() {
            bulk::insert(&mut tx, file_seq, &pending, &matcher, &mut buffers).await?;
            report.imported += pending.len() as u64;
        }
        report.lines = done.lines;
        report.skipped.extend(done.tail);
        report.skipped.sort_by_key(|i| i.line);
        let rollup_ledger = match &pulled {
            Some(p) => p.workspace.as_deref(),
            None => file_ledger.workspace.as_deref(),
        };
        done.rollup.merge_into(&mut tx, rollup_ledger.unwrap_or("")).await?;
        // (A pulled row keeps the counts its device stored: the same bytes read the same way.)
        if pulled.is_none() {
            sqlx::query("UPDATE statement_files SET line_count = ?, imported = ?, skipped = ? WHERE id = ?")
                .bind(report.lines as i64)
                .bind(report.imported as i64)
                .bind(serde_json::to_string(&report.skipped).expect("serialisable"))
                .bind(&file_id)
                .execute(&mut *tx)
                .await?;
        }
        if cancel.is_cancelled() {
            return Err(Error::ImportCancelled { file: shown });
        }
        tx.commit().await?;
        progress(ImportProgress { lines: report.lines, bytes_done: size, bytes_total: size });
        Ok(report)
    }

    /// A live file row that came from another device and has no lines here yet: the row `id`
    /// when given, else the one with this hash in the ledger kept now.
    async fn pulled_file(&self, id: Option<&str>, hash: &str) -> Result<Option<PulledFile>> {
        let row: Option<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, file_name, read_with, workspace_id FROM statement_files \
             WHERE seq < 0 AND deleted = 0 AND content_hash = ?2 \
               AND (id = ?1 OR (?1 IS NULL AND ifnull(workspace_id, '') = (SELECT ledger FROM current_ledger)))",
        )
        .bind(id)
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, file_name, read_with, workspace)| PulledFile {
            id,
            file_name,
            // (A row from before read_with existed, or unreadable: read as detected.)
            read_with: serde_json::from_str(&read_with).unwrap_or_default(),
            workspace,
        }))
    }

    async fn imported_file_by_hash(&self, hash: &str) -> Result<Option<ImportReport>> {
        let row: Option<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT file_name, format, layout, encoding, line_count FROM ledger_files WHERE content_hash = ?",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(path, format, layout, encoding, lines)| ImportReport {
            path,
            format: format.parse().unwrap_or(Format::Mapped),
            layout,
            encoding,
            lines: lines as u64,
            imported: 0,
            duplicate_file: true,
            matched: 0,
            unmatched: 0,
            skipped: vec![],
        }))
    }

    /// The layout to read a header with: the mapping another device read the file with, a named
    /// mapping, a forced or recognised built-in layout, or a saved mapping for the same header;
    /// with the saved mapping used, as it is now.
    async fn layout_for(
        &self,
        header: &[String],
        options: &ImportOptions,
        snapshot: Option<&MappingSnapshot>,
    ) -> Result<(Layout, Option<MappingSnapshot>)> {
        let saved = |m: super::mappings::SavedMapping| {
            let snap = MappingSnapshot { name: m.name.clone(), mapping: m.mapping.clone() };
            (m.layout(), Some(snap))
        };
        if let Some(snap) = snapshot {
            return Ok((super::mappings::mapped_layout(&snap.name, &snap.mapping), Some(snap.clone())));
        }
        if let Some(name) = &options.mapping {
            return Ok(saved(self.get_mapping(name).await?));
        }
        if let Some(layout) = detect::builtin_layout(header, options.format) {
            return Ok((layout, None));
        }
        if let Some(m) = self.mapping_for_header(header).await? {
            return Ok(saved(m));
        }
        Err(Error::UnknownStatementLayout {
            file: String::new(),
            header: header.iter().map(|h| h.trim().to_string()).collect::<Vec<_>>().join(", "),
        })
    }
}

impl Error {
    fn into_unreadable(self, file: &str) -> Error {
        match self {
            Error::UnknownStatementLayout { header, .. } => Error::UnknownStatementLayout { file: file.into(), header },
            other => other,
        }
    }
}

/// The parser thread: reads the source, matches each line, sends batches. Returns when the file
/// ends, the channel closes (the importer gave up) or the import is cancelled.
#[allow(clippy::too_many_arguments)]
fn parse(
    path: &Path,
    file_name: &str,
    source: Source,
    matcher: &Matcher,
    sender: &mpsc::Sender<Msg>,
    recycled: std::sync::mpsc::Receiver<Vec<Ready>>,
    cancel: &CancelToken,
    bytes: Arc<AtomicU64>,
) -> Result<Done> {
    let shown = path.display().to_string();
    let mut batch: Vec<Item> = Vec::with_capacity(BATCH);
    let mut rollup = Rollup::default();
    let mut lines = 0u64;
    let mut stopped = false;
    // Sends a full batch; false when the importer is gone or the import was cancelled.
    let push = |item: Item, batch: &mut Vec<Item>, rollup: &mut Rollup| -> bool {
        let item = match item {
            Item::Line(ready) => {
                rollup.add(&ready.line, ready.matched.as_ref(), matcher);
                Item::Line(ready)
            }
            other => other,
        };
        batch.push(item);
        if batch.len() >= BATCH {
            if cancel.is_cancelled() {
                return false;
            }
            let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
            return sender.blocking_send(Msg::Batch(full)).is_ok();
        }
        true
    };
    let cache = std::cell::RefCell::new(MatchCache::default());
    let ready = |line: NormalLine| {
        let matched = matcher.find_cached(&line, &mut cache.borrow_mut());
        Item::Line(Ready { line, matched })
    };
    let open = || -> Result<Box<dyn Read + Send>> {
        let unreadable = |e: std::io::Error| Error::StatementUnreadable { file: shown.clone(), reason: e.to_string() };
        let gzip = file_is_gzip(path).map_err(unreadable)?;
        let file = std::fs::File::open(path).map_err(unreadable)?;
        // Progress counts the bytes of the file itself (compressed or not), against its size.
        Ok(maybe_gunzip(Counting { inner: file, count: bytes.clone() }, gzip))
    };
    let mut tail = Vec::new();
    match source {
        Source::Table { resolved, encoding: enc, delimiter } => {
            let reader = CrlfToLf { inner: encoding::utf8_reader(open()?, enc), held_cr: false };
            let mut csv = csv::ReaderBuilder::new()
                .has_headers(false)
                .delimiter(delimiter)
                .flexible(true)
                .buffer_capacity(1 << 16)
                .from_reader(reader);
            let mut record = csv::StringRecord::new();
            let mut spare: Vec<Ready> = Vec::new();
            let mut first = true;
            loop {
                match csv.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line_no = record.position().map(|p| p.line()).unwrap_or(0);
                        if first {
                            first = false; // the header, already read
                            continue;
                        }
                        if record.iter().all(|c| c.trim().is_empty()) {
                            continue;
                        }
                        lines += 1;
                        // A stored line comes back once inserted: its strings' memory is reused.
                        if spare.is_empty() {
                            if let Ok(back) = recycled.try_recv() {
                                spare = back;
                            }
                        }
                        let mut next = spare.pop().unwrap_or_else(|| Ready { line: NormalLine::empty(), matched: None });
                        let item = match resolved.line_into(&record, line_no, &mut next.line) {
                            Ok(Ok(())) => {
                                next.matched = matcher.find_cached(&next.line, &mut cache.borrow_mut());
                                Item::Line(next)
                            }
                            Ok(Err(reason)) => {
                                spare.push(next);
                                Item::Skipped(LineIssue { line: line_no, reason })
                            }
                            Err(issue) => {
                                spare.push(next);
                                Item::Invalid(issue)
                            }
                        };
                        if !push(item, &mut batch, &mut rollup) {
                            stopped = true;
                            break;
                        }
                    }
                    Err(e) => {
                        let line_no = e.position().map(|p| p.line()).unwrap_or(0);
                        let reason = match e.kind() {
                            csv::ErrorKind::Utf8 { .. } => {
                                "the text is not valid UTF-8 (name the file's encoding with --encoding, e.g. gbk or utf-16le)".to_string()
                            }
                            csv::ErrorKind::Io(err) if err.kind() == std::io::ErrorKind::InvalidData => {
                                format!("the text cannot be decoded: {err}")
                            }
                            _ => {
                                if e.position().is_none() {
                                    return Err(Error::StatementUnreadable { file: shown, reason: e.to_string() });
                                }
                                e.to_string()
                            }
                        };
                        if first {
                            return Err(Error::StatementUnreadable { file: shown, reason });
                        }
                        lines += 1;
                        if !push(Item::Invalid(LineIssue { line: line_no, reason }), &mut batch, &mut rollup) {
                            stopped = true;
                            break;
                        }
                    }
                }
            }
        }
        Source::Sheet { resolved, rows } => {
            drop(recycled); // (lines are not recycled here: returned ones are freed)
            for (line_no, record) in rows {
                lines += 1;
                let item = match resolved.line(&record, line_no) {
                    Ok(Ok(line)) => ready(line),
                    Ok(Err(reason)) => Item::Skipped(LineIssue { line: line_no, reason }),
                    Err(issue) => Item::Invalid(issue),
                };
                if !push(item, &mut batch, &mut rollup) {
                    stopped = true;
                    break;
                }
            }
        }
        Source::Dsr { encoding: enc } => {
            drop(recycled);
            let mut reader = BufReader::with_capacity(1 << 16, encoding::utf8_reader(open()?, enc));
            let mut parser = DsrParser::new(file_name);
            let mut text = String::new();
            let mut line_no = 0u64;
            loop {
                text.clear();
                let n = reader.read_line(&mut text).map_err(|e| Error::StatementUnreadable {
                    file: shown.clone(),
                    reason: format!("line {}: {e}", line_no + 1),
                })?;
                if n == 0 {
                    break;
                }
                line_no += 1;
                let outcome = parser.line(line_no, &text);
                // Sales lines complete once the next record is read (LI01 allocations follow them).
                let mut items: Vec<Item> = Vec::new();
                for parsed in parser.take_ready() {
                    items.push(dsr_item(parsed, &mut lines, &ready));
                }
                match outcome {
                    Ok(None) => {}
                    Ok(Some(parsed)) => items.push(dsr_item(parsed, &mut lines, &ready)),
                    Err(issue) => {
                        lines += 1;
                        items.push(Item::Invalid(issue));
                    }
                }
                for item in items {
                    if !push(item, &mut batch, &mut rollup) {
                        stopped = true;
                        break;
                    }
                }
                if stopped {
                    break;
                }
            }
            if !stopped {
                for parsed in parser.end() {
                    let item = dsr_item(parsed, &mut lines, &ready);
                    if !push(item, &mut batch, &mut rollup) {
                        stopped = true;
                        break;
                    }
                }
            }
            if !stopped {
                tail = parser.finish(line_no);
            }
        }
    }
    if !stopped && !batch.is_empty() {
        let _ = sender.blocking_send(Msg::Batch(batch));
    }
    Ok(Done { lines, tail, rollup })
}

/// A DSR parser's output as an item to store.
fn dsr_item(parsed: Parsed, lines: &mut u64, ready: &dyn Fn(NormalLine) -> Item) -> Item {
    match parsed {
        Parsed::Line(line) => {
            *lines += 1;
            ready(line)
        }
        Parsed::Skipped(issue) => Item::Skipped(issue),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_becomes_lf_across_chunk_boundaries() {
        struct Chunks(Vec<&'static [u8]>);
        impl Read for Chunks {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() {
                    return Ok(0);
                }
                let c = self.0.remove(0);
                buf[..c.len()].copy_from_slice(c);
                Ok(c.len())
            }
        }
        let mut out = String::new();
        CrlfToLf { inner: Chunks(vec![b"a\r", b"\nb\r\n", b"\r", b"c\r"]), held_cr: false }.read_to_string(&mut out).unwrap();
        assert_eq!(out, "a\nb\n\rc\r");
    }
}
