//! Saved column mappings: made once for a layout Roadie does not know, found again by the file's
//! header (or by name).

use super::detect::{self, Plan};
use super::formats::{header_key, header_name, ColumnMapping, Layout, UsageRule};
use super::Format;
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
        Layout {
            format: Format::Mapped,
            version: format!("mapping '{}'", self.name),
            mapping: self.mapping.clone(),
            usage: UsageRule::Column,
            not_earnings: None,
            lenient: false,
        }
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

impl Store {
    /// The header of a CSV/TSV/XLSX file, as a mapping dialog shows it.
    pub async fn statement_header(&self, path: &Path, encoding: Option<&str>) -> Result<Vec<String>> {
        let shown = path.display().to_string();
        let unreadable = |reason: String| Error::StatementUnreadable { file: shown.clone(), reason };
        let mut prefix = Vec::new();
        use std::io::Read;
        std::fs::File::open(path).and_then(|f| f.take(1 << 16).read_to_end(&mut prefix)).map_err(|e| unreadable(e.to_string()))?;
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
        let id = self.ids.new_id();
        let mut tx = self.write().await?;
        sqlx::query("UPDATE column_mappings SET deleted = 1, hlc = ?, updated_at = ? WHERE name = ? AND deleted = 0")
            .bind(&hlc)
            .bind(now)
            .bind(&name)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO column_mappings (id, name, header_key, definition, created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?)",
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
