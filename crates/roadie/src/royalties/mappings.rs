//! Saved column mappings: made once for a layout Roadie does not know, found again by the file's
//! header (or by name).

use super::detect::{self, Plan};
use super::formats::{header_key, header_name, ColumnMapping, Layout, UsageRule};
use super::{Format, LineIssue};
use crate::catalog::rows::json;
use crate::error::{Error, Result};
use crate::validate::Checker;
use crate::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use std::path::Path;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SavedMapping {
    pub id: Uuid,
    pub name: String,
    /// The header it was made for (normalised names, in order).
    pub header: Vec<String>,
    pub mapping: ColumnMapping,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SavedMapping {
    pub(crate) fn layout(&self) -> Layout {
        mapped_layout(&self.name, &self.mapping)
    }
}

/// The layout a user's mapping reads with (also a mapping as another device used it).
pub(crate) fn mapped_layout(name: &str, mapping: &ColumnMapping) -> Layout {
    Layout {
        format: Format::Mapped,
        version: format!("mapping '{name}'"),
        mapping: mapping.clone(),
        usage: UsageRule::Column,
        not_earnings: None,
        lenient: false,
    }
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<SavedMapping> {
    let key: String = row.try_get("header_key")?;
    Ok(SavedMapping {
        id: crate::catalog::rows::uuid(row, "id")?,
        name: row.try_get("name")?,
        header: key.split('\u{1f}').map(str::to_string).collect(),
        mapping: json(row, "definition")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// What a mapping dialog shows of a statement: its header, its first rows, what Roadie already
/// knows about the header and, with a mapping to check, why lines would not read with it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StatementPreview {
    pub header: Vec<String>,
    /// The first data rows (at most [`PREVIEW_ROWS`]), cells as text.
    pub rows: Vec<Vec<String>>,
    /// The file's own line number of each preview row (header = 1).
    pub line_numbers: Vec<u64>,
    /// How the text was read (`utf-8`, `gb18030`...; `xlsx` for spreadsheets).
    pub encoding: String,
    /// The built-in layout that reads this header, if any.
    pub format: Option<Format>,
    /// The saved mapping picked for this header, if any.
    pub saved_mapping: Option<String>,
    /// With a mapping to check: what does not read with it (line 1: the header).
    pub issues: Vec<LineIssue>,
}

/// Rows a preview shows.
pub const PREVIEW_ROWS: usize = 8;

/// A table's header, its first rows (with their line numbers) and the encoding read.
type TextRows = (Vec<String>, Vec<(u64, csv::StringRecord)>, String);

/// The header and first rows of a CSV/TSV file.
fn text_rows(path: &Path, prefix: &[u8], encoding: Option<&str>) -> std::result::Result<TextRows, String> {
    let Plan::Table { encoding: enc, delimiter, header } = detect::text_plan(path, prefix, Some(Format::Mapped), encoding)? else {
        return Err("not a table".into());
    };
    let file = super::import::open_content(path).map_err(|e| e.to_string())?;
    let reader = super::import::CrlfToLf { inner: super::encoding::utf8_reader(file, enc), held_cr: false };
    let mut csv = csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).flexible(true).from_reader(reader);
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut first = true;
    while rows.len() < PREVIEW_ROWS {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if std::mem::take(&mut first) || record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                rows.push((record.position().map(|p| p.line()).unwrap_or(0), record.clone()));
            }
            Err(e) if first => return Err(e.to_string()),
            Err(_) => break, // the import names the bad line; the preview shows what reads
        }
    }
    Ok((header, rows, enc.name()))
}

impl Store {
    /// The header and first rows of a statement, what Roadie knows of its header, and (given a
    /// mapping) what would not read with that mapping: the mapping dialog's preview and check.
    pub async fn statement_preview(&self, path: &Path, encoding: Option<&str>, mapping: Option<&ColumnMapping>) -> Result<StatementPreview> {
        let shown = path.display().to_string();
        let unreadable = |reason: String| Error::StatementUnreadable { file: shown.clone(), reason };
        let prefix = super::import::read_prefix(path).map_err(|e| unreadable(e.to_string()))?;
        let (header, rows, encoding_name) = if detect::is_spreadsheet(&prefix) {
            let owned = path.to_path_buf();
            let mut rows = tokio::task::spawn_blocking(move || super::formats::xlsx::read_rows(&owned))
                .await
                .map_err(|e| unreadable(e.to_string()))?
                .map_err(&unreadable)?;
            if rows.is_empty() {
                return Err(unreadable("the first worksheet is empty".into()));
            }
            let (_, header) = rows.remove(0);
            rows.truncate(PREVIEW_ROWS);
            (header.iter().map(str::to_string).collect::<Vec<_>>(), rows, "xlsx".to_string())
        } else {
            let owned = path.to_path_buf();
            let encoding = encoding.map(str::to_string);
            tokio::task::spawn_blocking(move || text_rows(&owned, &prefix, encoding.as_deref()))
                .await
                .map_err(|e| unreadable(e.to_string()))?
                .map_err(&unreadable)?
        };
        let header: Vec<String> = header.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect();
        let mut issues = Vec::new();
        if let Some(mapping) = mapping {
            let layout = Layout {
                format: Format::Mapped,
                version: "preview".into(),
                mapping: mapping.clone(),
                usage: UsageRule::Column,
                not_earnings: None,
                lenient: false,
            };
            match super::formats::Resolved::new(layout, header.clone()) {
                Err(reason) => issues.push(LineIssue { line: 1, reason }),
                Ok(resolved) => {
                    for (line_no, record) in &rows {
                        match resolved.line(record, *line_no) {
                            Ok(Ok(_)) => {}
                            Ok(Err(reason)) => issues.push(LineIssue { line: *line_no, reason }),
                            Err(issue) => issues.push(issue),
                        }
                    }
                }
            }
        }
        Ok(StatementPreview {
            format: detect::builtin_layout(&header, None).map(|l| l.format),
            saved_mapping: self.mapping_for_header(&header).await?.map(|m| m.name),
            line_numbers: rows.iter().map(|(n, _)| *n).collect(),
            rows: rows.iter().map(|(_, r)| r.iter().map(|c| c.trim().to_string()).collect()).collect(),
            header,
            encoding: encoding_name,
            issues,
        })
    }

    /// The header of a CSV/TSV/XLSX file, as a mapping dialog shows it.
    pub async fn statement_header(&self, path: &Path, encoding: Option<&str>) -> Result<Vec<String>> {
        let shown = path.display().to_string();
        let unreadable = |reason: String| Error::StatementUnreadable { file: shown.clone(), reason };
        let prefix = super::import::read_prefix(path).map_err(|e| unreadable(e.to_string()))?;
        if detect::is_spreadsheet(&prefix) {
            let owned = path.to_path_buf();
            let rows = tokio::task::spawn_blocking(move || super::formats::xlsx::read_rows(&owned))
                .await
                .map_err(|e| unreadable(e.to_string()))?
                .map_err(&unreadable)?;
            return Ok(rows.first().map(|(_, r)| r.iter().map(|c| c.trim().to_string()).collect()).unwrap_or_default());
        }
        match detect::text_plan(path, &prefix, Some(Format::Mapped), encoding).map_err(&unreadable)? {
            Plan::Table { header, .. } => Ok(header.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect()),
            _ => Err(unreadable("not a table".into())),
        }
    }

    /// Saves (or replaces) a named mapping for files with this header.
    pub async fn save_mapping(&self, name: &str, header: &[String], mapping: ColumnMapping) -> Result<SavedMapping> {
        let mut check = Checker::default();
        let name = check.required("name", name, 200);
        if mapping.reporting_period.trim().is_empty() {
            check.issue("reporting_period", "required", "the reporting period column is required");
        }
        if mapping.amount.trim().is_empty() {
            check.issue("amount", "required", "the amount column is required");
        }
        if mapping.store.is_none() && mapping.default_store.is_none() {
            check.issue("store", "required", "a store column or a default store is required");
        }
        if mapping.currency.is_none() && mapping.default_currency.is_none() {
            check.issue("currency", "required", "a currency column or a default currency is required");
        }
        let names: Vec<String> = header.iter().map(|h| header_name(h)).collect();
        let m = &mapping;
        for (field, column) in [
            ("reporting_period", Some(&m.reporting_period)),
            ("amount", Some(&m.amount)),
            ("sale_period", m.sale_period.as_ref()),
            ("store", m.store.as_ref()),
            ("territory", m.territory.as_ref()),
            ("usage_type", m.usage_type.as_ref()),
            ("isrc", m.isrc.as_ref()),
            ("upc", m.upc.as_ref()),
            ("title", m.title.as_ref()),
            ("artist", m.artist.as_ref()),
            ("units", m.units.as_ref()),
            ("currency", m.currency.as_ref()),
        ] {
            if let Some(column) = column.filter(|c| !c.trim().is_empty()) {
                if !names.contains(&header_name(column)) {
                    check.issue(field, "unknown_column", format!("the header has no column '{column}'"));
                }
            }
        }
        check.finish("mapping")?;
        let key = header_key(&names);
        let now = self.clock.now();
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        // From the name (in the account's scope): the same name saved on two devices offline is
        // one row (two ids would clash on the name's unique index at the next sync).
        let scope = super::ledger::own_scope(&mut tx).await?;
        let id = crate::clock::derived_id("column_mapping", &[&scope, &name]);
        // (A mapping saved before ids came from the name has its own id.)
        sqlx::query("UPDATE column_mappings SET deleted = 1, hlc = ?, updated_at = ? WHERE name = ? AND deleted = 0 AND id <> ?")
            .bind(&hlc)
            .bind(now)
            .bind(&name)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO column_mappings (id, name, header_key, definition, created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET header_key = excluded.header_key, definition = excluded.definition, \
             updated_at = excluded.updated_at, hlc = excluded.hlc, deleted = 0",
        )
        .bind(id.to_string())
        .bind(&name)
        .bind(&key)
        .bind(serde_json::to_string(&mapping).expect("serialisable"))
        .bind(now)
        .bind(now)
        .bind(&hlc)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.get_mapping(&name).await
    }

    pub async fn list_mappings(&self) -> Result<Vec<SavedMapping>> {
        let rows = sqlx::query("SELECT * FROM column_mappings WHERE deleted = 0 ORDER BY name").fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn get_mapping(&self, name: &str) -> Result<SavedMapping> {
        let row = sqlx::query("SELECT * FROM column_mappings WHERE name = ? AND deleted = 0")
            .bind(name.trim())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::not_found("mapping", name))?;
        from_row(&row)
    }

    /// The most recent mapping saved for this header, if any.
    pub(crate) async fn mapping_for_header(&self, header: &[String]) -> Result<Option<SavedMapping>> {
        let names: Vec<String> = header.iter().map(|h| header_name(h)).collect();
        let row = sqlx::query("SELECT * FROM column_mappings WHERE header_key = ? AND deleted = 0 ORDER BY updated_at DESC LIMIT 1")
            .bind(header_key(&names))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}
