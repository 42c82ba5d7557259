//! Writing imported rows fast: rusqlite on the import transaction's own connection (borrowed from
//! sqlx with `lock_handle`), with cached prepared statements. A round trip through sqlx's worker
//! thread per statement made a 100,000-row import take half a minute; this takes seconds.
//! The rules (module docs of mod.rs): merge on a known e-mail, fill only empty fields, add
//! e-mails/tags/sources/consent, index for search.

use super::rows::FanRow;
use super::FanImportReport;
use crate::clock::IdGenerator;
use crate::error::{Error, FieldIssue, Result};
use crate::fans::contacts::{validate, ContactFields, ContactInput};
use crate::fans::search::index_text;
use crate::fans::{phone_digits, ConsentStatus};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// Timestamps exactly as sqlx writes them, so both sides sort and parse them the same.
fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

pub(crate) fn db(e: rusqlite::Error) -> Error {
    Error::Database(sqlx::Error::Protocol(format!("fan import: {e}")))
}

pub(super) struct RowContext<'a> {
    pub workspace: String,
    pub source: String,
    pub file_name: String,
    pub hlc: String,
    pub now: DateTime<Utc>,
    pub ids: &'a dyn IdGenerator,
}

const REFRESH_DERIVED: &str = "UPDATE contacts SET \
   consent_status = COALESCE((SELECT status FROM consent_events WHERE contact_id = ?1 ORDER BY at DESC, recorded_at DESC, id DESC LIMIT 1), 'unknown'), \
   last_activity = (SELECT MAX(at) FROM (SELECT at FROM activities WHERE contact_id = ?1 AND deleted = 0 \
                                        UNION ALL SELECT at FROM consent_events WHERE contact_id = ?1)), \
   hlc = ?2 WHERE id = ?1";

/// Writes one row; an invalid row comes back as `Error::InvalidInput` and writes nothing.
pub(super) fn write_row(conn: &Connection, cx: &RowContext, row: FanRow, report: &mut FanImportReport) -> Result<()> {
    let input = ContactInput {
        name: row.name.clone(),
        emails: row.emails.clone(),
        phone: row.phone.clone(),
        city: row.city.clone(),
        region: row.region.clone(),
        country: row.country.clone(),
        language: row.language.clone(),
        notes: row.notes.clone(),
        tags: row.tags.clone(),
    };
    let fields = validate(&input)?;
    if fields.emails.is_empty() && fields.phone.is_none() {
        return Err(Error::invalid("contact", vec![FieldIssue::new("emails", "required", "no e-mail or phone")]));
    }
    let owner = |email: &str| -> Result<Option<String>> {
        conn.prepare_cached("SELECT contact_id FROM contact_emails WHERE workspace_id = ?1 AND email = ?2 AND deleted = 0")
            .map_err(db)?
            .query_row(params![cx.workspace, email], |r| r.get(0))
            .optional()
            .map_err(db)
    };
    let mut existing = None;
    for email in &fields.emails {
        if let Some(o) = owner(email)? {
            existing = Some(o);
            break;
        }
    }
    let (id, fresh) = match existing {
        Some(id) => {
            merge_fields(conn, cx, &id, &fields, report)?;
            if let Some(joined) = row.joined {
                conn.prepare_cached("UPDATE contacts SET first_seen = min(first_seen, ?1) WHERE id = ?2")
                    .map_err(db)?
                    .execute(params![ts(joined), id])
                    .map_err(db)?;
            }
            report.merged += 1;
            (id, false)
        }
        None => {
            let id = cx.ids.new_id().to_string();
            conn.prepare_cached(
                "INSERT INTO contacts (id, workspace_id, name, phone, phone_digits, city, region, country, language, notes, \
                 first_seen, created_at, updated_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)",
            )
            .map_err(db)?
            .execute(params![
                id,
                cx.workspace,
                fields.name,
                fields.phone,
                fields.phone.as_deref().and_then(phone_digits),
                fields.city,
                fields.region,
                fields.country,
                fields.language,
                fields.notes,
                ts(row.joined.unwrap_or(cx.now)),
                ts(cx.now),
                cx.hlc,
            ])
            .map_err(db)?;
            report.created += 1;
            (id, true)
        }
    };
    // E-mails of this row that belong to yet another contact stay there (dupes will show the pair).
    let mut has_primary = !fresh
        && conn
            .prepare_cached("SELECT 1 FROM contact_emails WHERE contact_id = ?1 AND is_primary = 1 AND deleted = 0")
            .map_err(db)?
            .exists(params![id])
            .map_err(db)?;
    for email in &fields.emails {
        if !fresh && owner(email)?.is_some_and(|o| o != id) {
            continue;
        }
        conn.prepare_cached(
            "INSERT INTO contact_emails (contact_id, workspace_id, email, is_primary, bounced, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (contact_id, email) DO UPDATE SET deleted = 0, bounced = max(bounced, excluded.bounced), hlc = excluded.hlc",
        )
        .map_err(db)?
        .execute(params![id, cx.workspace, email, !has_primary, row.bounced, cx.hlc])
        .map_err(db)?;
        has_primary = true;
    }
    for (table, column, labels) in [("contact_tags", "tag", fields.tags.clone()), ("contact_sources", "source", vec![cx.source.clone()])] {
        for label in labels {
            conn.prepare_cached(&format!(
                "INSERT INTO {table} (contact_id, {column}, hlc) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (contact_id, {column}) DO UPDATE SET deleted = 0, hlc = excluded.hlc WHERE deleted = 1"
            ))
            .map_err(db)?
            .execute(params![id, label, cx.hlc])
            .map_err(db)?;
        }
    }
    if let Some((status, at, wording)) = &row.consent {
        if *status != ConsentStatus::Unknown {
            // A list that doesn't date its opt-ins: the consent is as of this import.
            conn.prepare_cached(
                "INSERT INTO consent_events (id, contact_id, status, at, source, wording, recorded_at, hlc) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (contact_id, status, at, source) DO NOTHING",
            )
            .map_err(db)?
            .execute(params![
                cx.ids.new_id().to_string(),
                id,
                status.as_str(),
                ts(at.unwrap_or(cx.now)),
                format!("{} ({})", cx.source, cx.file_name),
                wording,
                ts(cx.now),
                cx.hlc,
            ])
            .map_err(db)?;
        }
    }
    if let Some(joined) = row.joined {
        conn.prepare_cached(
            "INSERT INTO activities (id, contact_id, kind, at, description, external_ref, hlc) VALUES (?1, ?2, 'sign_up', ?3, ?4, ?5, ?6) \
             ON CONFLICT (contact_id, external_ref) WHERE external_ref IS NOT NULL DO NOTHING",
        )
        .map_err(db)?
        .execute(params![cx.ids.new_id().to_string(), id, ts(joined), format!("joined via {}", cx.source), format!("signup:{}", cx.source), cx.hlc])
        .map_err(db)?;
    }
    conn.prepare_cached(REFRESH_DERIVED).map_err(db)?.execute(params![id, cx.hlc]).map_err(db)?;
    reindex(conn, &id)
}

/// Fills the contact's empty fields from the row; a different value already there is kept.
fn merge_fields(conn: &Connection, cx: &RowContext, id: &str, f: &ContactFields, report: &mut FanImportReport) -> Result<()> {
    let current: [Option<String>; 7] = conn
        .prepare_cached("SELECT name, phone, city, region, country, language, notes FROM contacts WHERE id = ?1")
        .map_err(db)?
        .query_row(params![id], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?]))
        .map_err(db)?;
    let incoming = [&f.name, &f.phone, &f.city, &f.region, &f.country, &f.language, &f.notes];
    const COLUMNS: [&str; 7] = ["name", "phone", "city", "region", "country", "language", "notes"];
    for ((column, have), new) in COLUMNS.iter().zip(current.iter()).zip(incoming) {
        match (have, new) {
            (None, Some(v)) => {
                conn.prepare_cached(&format!("UPDATE contacts SET {column} = ?1, hlc = ?2, updated_at = ?3 WHERE id = ?4"))
                    .map_err(db)?
                    .execute(params![v, cx.hlc, ts(cx.now), id])
                    .map_err(db)?;
                if *column == "phone" {
                    conn.prepare_cached("UPDATE contacts SET phone_digits = ?1 WHERE id = ?2")
                        .map_err(db)?
                        .execute(params![phone_digits(v), id])
                        .map_err(db)?;
                }
            }
            (Some(h), Some(v)) if h != v => report.kept_existing += 1,
            _ => {}
        }
    }
    Ok(())
}

/// Rewrites the contact's search row from what the store now holds for it.
fn reindex(conn: &Connection, id: &str) -> Result<()> {
    let (rowid, name, place, notes): (i64, Option<String>, String, Option<String>) = conn
        .prepare_cached("SELECT rowid, name, trim(COALESCE(city, '') || ' ' || COALESCE(region, '')), notes FROM contacts WHERE id = ?1")
        .map_err(db)?
        .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .map_err(db)?;
    let emails: Option<String> = conn
        .prepare_cached("SELECT group_concat(email, ' ') FROM contact_emails WHERE contact_id = ?1 AND deleted = 0")
        .map_err(db)?
        .query_row(params![id], |r| r.get(0))
        .map_err(db)?;
    let tags: Option<String> = conn
        .prepare_cached("SELECT group_concat(tag, ' ') FROM contact_tags WHERE contact_id = ?1 AND deleted = 0")
        .map_err(db)?
        .query_row(params![id], |r| r.get(0))
        .map_err(db)?;
    conn.prepare_cached("DELETE FROM contacts_fts WHERE rowid = ?1").map_err(db)?.execute(params![rowid]).map_err(db)?;
    conn.prepare_cached("INSERT INTO contacts_fts (rowid, name, emails, city, notes, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .map_err(db)?
        .execute(params![rowid, name.map(|n| index_text(&n)), emails, index_text(&place), notes.map(|n| index_text(&n)), tags.map(|t| index_text(&t))])
        .map_err(db)?;
    Ok(())
}
