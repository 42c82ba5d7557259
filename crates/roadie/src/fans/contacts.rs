use super::country::country_code;
use super::money::{from_micros, parse_amount, to_micros, Money};
use super::{normalize_email, phone_digits, search};
use crate::catalog::rows::uuid;
use crate::error::{Error, Result};
use crate::validate::Checker;
use crate::Store;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    OptedIn,
    OptedOut,
    /// No consent event recorded.
    Unknown,
}

impl ConsentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentStatus::OptedIn => "opted_in",
            ConsentStatus::OptedOut => "opted_out",
            ConsentStatus::Unknown => "unknown",
        }
    }
}

impl std::str::FromStr for ConsentStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "opted_in" | "subscribed" => Ok(ConsentStatus::OptedIn),
            "opted_out" | "unsubscribed" => Ok(ConsentStatus::OptedOut),
            "unknown" => Ok(ConsentStatus::Unknown),
            other => Err(format!("unknown consent status '{other}' (opted-in, opted-out or unknown)")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ContactEmail {
    pub email: String,
    pub is_primary: bool,
    /// The address bounced (e.g. "cleaned" in Mailchimp): kept, but never exported for mailing.
    pub bounced: bool,
}

/// A contact with everything the detail screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Contact {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: Option<String>,
    /// The primary e-mail.
    pub email: Option<String>,
    pub emails: Vec<ContactEmail>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub sources: Vec<String>,
    pub consent: ConsentStatus,
    pub first_seen: DateTime<Utc>,
    pub last_activity: Option<DateTime<Utc>>,
    /// Purchases summed per currency.
    pub lifetime_spend: Vec<Money>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of the Fans table and of search results.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ContactSummary {
    pub id: Uuid,
    pub name: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub tags: Vec<String>,
    pub consent: ConsentStatus,
    pub last_activity: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ContactsPage {
    pub total: u32,
    pub rows: Vec<ContactSummary>,
}

/// What a user enters for a contact (create, or edit the whole record).
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct ContactInput {
    pub name: Option<String>,
    /// The first is the primary one.
    pub emails: Vec<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ConsentInput {
    pub status: ConsentStatus,
    pub at: DateTime<Utc>,
    /// Where consent was given or withdrawn: "merch table sign-up, Shanghai 2026-11-20".
    pub source: String,
    /// The wording the fan agreed to, when known.
    pub wording: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConsentEvent {
    pub id: Uuid,
    pub status: ConsentStatus,
    pub at: DateTime<Utc>,
    pub source: String,
    pub wording: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Purchase,
    SignUp,
    CheckIn,
    Note,
}

impl ActivityKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Purchase => "purchase",
            ActivityKind::SignUp => "sign_up",
            ActivityKind::CheckIn => "check_in",
            ActivityKind::Note => "note",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "purchase" => ActivityKind::Purchase,
            "sign_up" => ActivityKind::SignUp,
            "check_in" => ActivityKind::CheckIn,
            "note" => ActivityKind::Note,
            other => return Err(Error::Database(sqlx::Error::Decode(format!("activity kind {other}").into()))),
        })
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ActivityInput {
    pub kind: ActivityKind,
    pub at: DateTime<Utc>,
    pub description: Option<String>,
    /// A decimal string, with `currency`.
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub release_id: Option<Uuid>,
    /// The source's own reference (order id, file + line): recording it twice adds nothing.
    pub external_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Activity {
    pub id: Uuid,
    pub kind: ActivityKind,
    pub at: DateTime<Utc>,
    pub description: Option<String>,
    pub amount: Option<Money>,
    pub release_id: Option<Uuid>,
}

/// One entry of a contact's timeline, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineEntry {
    Activity(Activity),
    Consent(ConsentEvent),
}

/// Everything held about one contact (the GDPR/PIPL access export).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ContactRecord {
    pub contact: Contact,
    pub consent_events: Vec<ConsentEvent>,
    pub activities: Vec<Activity>,
}

/// A validated contact, ready to write.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContactFields {
    pub name: Option<String>,
    pub emails: Vec<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
}

pub(crate) fn validate(input: &ContactInput) -> Result<ContactFields> {
    let mut check = Checker::default();
    let name = check.optional("name", input.name.as_deref(), 200);
    let mut emails = Vec::new();
    for (i, raw) in input.emails.iter().enumerate().filter(|(_, e)| !e.trim().is_empty()) {
        match normalize_email(raw) {
            Ok(e) if !emails.contains(&e) => emails.push(e),
            Ok(_) => {}
            Err(detail) => check.issue(&format!("emails[{i}]"), "invalid_email", detail),
        }
    }
    let phone = check.optional("phone", input.phone.as_deref(), 50);
    let city = check.optional("city", input.city.as_deref(), 100);
    let region = check.optional("region", input.region.as_deref(), 100);
    let country = match input.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match country_code(c) {
            Some(code) => Some(code),
            None => {
                check.issue("country", "invalid_country", format!("'{c}' is not a country we know"));
                None
            }
        },
    };
    let language = check.optional("language", input.language.as_deref(), 35);
    let notes = check.optional("notes", input.notes.as_deref(), 10_000);
    let tags = normalize_tags(&input.tags, &mut check);
    if name.is_none() && emails.is_empty() && phone.is_none() && input.emails.iter().all(|e| e.trim().is_empty()) {
        check.issue("emails", "required", "a contact needs a name, an e-mail or a phone number");
    }
    check.finish("contact")?;
    Ok(ContactFields { name, emails, phone, city, region, country, language, notes, tags })
}

fn normalize_tags(tags: &[String], check: &mut Checker) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if tag.chars().count() > 50 {
            check.issue("tags", "too_long", format!("tag '{tag}' is longer than 50 characters"));
        } else if !out.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            out.push(tag.to_string());
        }
    }
    out
}

pub(crate) fn summary_from_row(row: &SqliteRow) -> Result<ContactSummary> {
    let consent: String = row.try_get("consent_status")?;
    let tags: Option<String> = row.try_get("tag_list")?;
    Ok(ContactSummary {
        id: uuid(row, "id")?,
        name: row.try_get("name")?,
        email: row.try_get("primary_email")?,
        city: row.try_get("city")?,
        country: row.try_get("country")?,
        tags: tags.map(|t| t.split('\u{1f}').map(String::from).collect()).unwrap_or_default(),
        consent: consent.parse().map_err(|e: String| Error::Database(sqlx::Error::Decode(e.into())))?,
        last_activity: row.try_get("last_activity")?,
    })
}

/// Columns for [`summary_from_row`] over `contacts c`.
pub(crate) const SUMMARY_COLUMNS: &str = "c.id, c.name, c.city, c.country, c.consent_status, c.last_activity, \
    (SELECT email FROM contact_emails e WHERE e.contact_id = c.id AND e.deleted = 0 ORDER BY e.is_primary DESC, e.email LIMIT 1) AS primary_email, \
    (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM contact_tags t WHERE t.contact_id = c.id AND t.deleted = 0 ORDER BY tag)) AS tag_list";

/// Ids of fan rows that two devices may each make from the same data (the same list imported on
/// both, the same fan typed in twice): derived from what makes the rows the same, so a sync merges
/// them into one row instead of failing on a unique index (one live contact per e-mail, one consent
/// event per contact, status, time and source, one activity per source reference). An import
/// derives its new rows' ids from the file and line instead (`clock::FileIds`): the same list imported on
/// two devices is the same rows, and ids ascend as the import writes them.
pub(crate) mod derived_ids {
    use crate::clock::derived_id;
    use chrono::{DateTime, SecondsFormat, Utc};
    use uuid::Uuid;

    /// A new contact with this (normalised) e-mail in this workspace. The caller falls back to a
    /// new random id when the derived one is taken (a contact erased or merged away keeps its id).
    pub fn contact(workspace: &str, email: &str) -> Uuid {
        derived_id("contact", &[workspace, email])
    }

    pub fn consent_event(contact: &str, status: &str, at: DateTime<Utc>, source: &str) -> Uuid {
        derived_id("consent_event", &[contact, status, &at.to_rfc3339_opts(SecondsFormat::AutoSi, true), source])
    }

    pub fn activity(contact: &str, external_ref: &str) -> Uuid {
        derived_id("activity", &[contact, external_ref])
    }
}

// ---- writes shared by single edits, imports and merges (all inside the caller's transaction) ----

/// The SQL of every contact write, one text each, run by the single edits below (sqlx) and by the
/// bulk import (rusqlite on the same connection, fans::import::bulk). Parameters are numbered; a
/// caller binds exactly the values each constant lists, in that order.
pub(crate) mod sql {
    /// id, workspace_id, name, phone, phone_digits, city, region, country, language, notes,
    /// first_seen, now (created_at = updated_at), hlc.
    pub const INSERT_CONTACT: &str = "INSERT INTO contacts (id, workspace_id, name, phone, phone_digits, city, region, country, \
        language, notes, first_seen, created_at, updated_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)";
    /// workspace_id, email → the live contact holding it.
    pub const EMAIL_OWNER: &str = "SELECT contact_id FROM contact_emails WHERE workspace_id = ?1 AND email = ?2 AND deleted = 0";
    /// contact_id → a row when the contact has a primary e-mail.
    pub const HAS_PRIMARY: &str = "SELECT 1 FROM contact_emails WHERE contact_id = ?1 AND is_primary = 1 AND deleted = 0";
    /// contact_id, workspace_id, email, is_primary, bounced, hlc.
    pub const ATTACH_EMAIL: &str = "INSERT INTO contact_emails (contact_id, workspace_id, email, is_primary, bounced, hlc) \
        VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
        ON CONFLICT (contact_id, email) DO UPDATE SET deleted = 0, bounced = max(bounced, excluded.bounced), hlc = excluded.hlc";
    /// contact_id, tag, hlc.
    pub const ATTACH_TAG: &str = "INSERT INTO contact_tags (contact_id, tag, hlc) VALUES (?1, ?2, ?3) \
        ON CONFLICT (contact_id, tag) DO UPDATE SET deleted = 0, hlc = excluded.hlc WHERE deleted = 1";
    /// contact_id, source, hlc.
    pub const ATTACH_SOURCE: &str = "INSERT INTO contact_sources (contact_id, source, hlc) VALUES (?1, ?2, ?3) \
        ON CONFLICT (contact_id, source) DO UPDATE SET deleted = 0, hlc = excluded.hlc WHERE deleted = 1";
    /// id, contact_id, status, at, source, wording, recorded_at, hlc.
    pub const APPEND_CONSENT: &str = "INSERT INTO consent_events (id, contact_id, status, at, source, wording, recorded_at, hlc) \
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (contact_id, status, at, source) DO NOTHING";
    /// id, contact_id, kind, at, description, amount_micros, currency, release_id, external_ref, hlc.
    pub const APPEND_ACTIVITY: &str = "INSERT INTO activities (id, contact_id, kind, at, description, amount_micros, currency, \
        release_id, external_ref, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
        ON CONFLICT (contact_id, external_ref) WHERE external_ref IS NOT NULL DO NOTHING";
    /// The cached consent status (latest event wins) and last activity, re-derived from the logs.
    /// contact_id, hlc.
    pub const REFRESH_DERIVED: &str = "UPDATE contacts SET \
        consent_status = COALESCE((SELECT status FROM consent_events WHERE contact_id = ?1 ORDER BY at DESC, recorded_at DESC, id DESC LIMIT 1), 'unknown'), \
        last_activity = (SELECT MAX(at) FROM (SELECT at FROM activities WHERE contact_id = ?1 AND deleted = 0 \
                                             UNION ALL SELECT at FROM consent_events WHERE contact_id = ?1)), \
        hlc = ?2 WHERE id = ?1";
    /// contact_id → rowid, name, place (city and region), notes, e-mails and tags (space-separated):
    /// what the search index holds for a live contact.
    pub const SEARCH_FIELDS: &str = "SELECT c.rowid, c.name, trim(COALESCE(c.city, '') || ' ' || COALESCE(c.region, '')), c.notes, \
        (SELECT group_concat(email, ' ') FROM contact_emails WHERE contact_id = c.id AND deleted = 0), \
        (SELECT group_concat(tag, ' ') FROM contact_tags WHERE contact_id = c.id AND deleted = 0) \
        FROM contacts c WHERE c.id = ?1 AND c.deleted = 0";
    /// contact_id: removes its search row.
    pub const UNINDEX: &str = "DELETE FROM contacts_fts WHERE rowid = (SELECT rowid FROM contacts WHERE id = ?1)";
    /// rowid, name, emails, place, notes, tags (CJK already spaced out by search::index_text).
    pub const INDEX: &str = "INSERT INTO contacts_fts (rowid, name, emails, city, notes, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
}

/// Whether a contact row (live, erased or merged away) has this id.
async fn contact_id_taken(conn: &mut SqliteConnection, id: Uuid) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 FROM contacts WHERE id = ?").bind(id.to_string()).fetch_optional(&mut *conn).await?.is_some())
}

pub(crate) async fn insert_contact(
    conn: &mut SqliteConnection,
    workspace: Uuid,
    id: Uuid,
    f: &ContactFields,
    first_seen: DateTime<Utc>,
    now: DateTime<Utc>,
    hlc: &str,
) -> Result<()> {
    sqlx::query(sql::INSERT_CONTACT)
        .bind(id.to_string())
        .bind(workspace.to_string())
        .bind(&f.name)
        .bind(&f.phone)
        .bind(f.phone.as_deref().and_then(phone_digits))
        .bind(&f.city)
        .bind(&f.region)
        .bind(&f.country)
        .bind(&f.language)
        .bind(&f.notes)
        .bind(first_seen)
        .bind(now)
        .bind(hlc)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Adds e-mails the contact doesn't have yet; the first becomes primary if it has none.
pub(crate) async fn attach_emails(
    conn: &mut SqliteConnection,
    workspace: Uuid,
    contact: Uuid,
    emails: &[String],
    bounced: bool,
    hlc: &str,
) -> Result<()> {
    for email in emails {
        let has_primary: Option<i64> = sqlx::query_scalar(sql::HAS_PRIMARY).bind(contact.to_string()).fetch_optional(&mut *conn).await?;
        sqlx::query(sql::ATTACH_EMAIL)
            .bind(contact.to_string())
            .bind(workspace.to_string())
            .bind(email)
            .bind(has_primary.is_none())
            .bind(bounced)
            .bind(hlc)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Which label table: tags or sources.
#[derive(Clone, Copy)]
pub(crate) enum Labels {
    Tags,
    Sources,
}

impl Labels {
    pub(crate) fn attach_sql(self) -> &'static str {
        match self {
            Labels::Tags => sql::ATTACH_TAG,
            Labels::Sources => sql::ATTACH_SOURCE,
        }
    }
}

pub(crate) async fn attach_labels(conn: &mut SqliteConnection, kind: Labels, contact: Uuid, labels: &[String], hlc: &str) -> Result<()> {
    for label in labels {
        sqlx::query(kind.attach_sql()).bind(contact.to_string()).bind(label).bind(hlc).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Appends a consent event unless the same one is already logged; re-derives the status.
pub(crate) async fn append_consent(
    conn: &mut SqliteConnection,
    contact: Uuid,
    event_id: Uuid,
    input: &ConsentInput,
    now: DateTime<Utc>,
    hlc: &str,
) -> Result<()> {
    if input.status == ConsentStatus::Unknown {
        return Err(Error::invalid(
            "consent",
            vec![crate::FieldIssue::new("status", "invalid", "a consent event opts in or out")],
        ));
    }
    sqlx::query(sql::APPEND_CONSENT)
        .bind(event_id.to_string())
        .bind(contact.to_string())
        .bind(input.status.as_str())
        .bind(input.at)
        .bind(input.source.trim())
        .bind(input.wording.as_deref().map(str::trim).filter(|w| !w.is_empty()))
        .bind(now)
        .bind(hlc)
        .execute(&mut *conn)
        .await?;
    refresh_derived(conn, contact, hlc).await
}

/// Re-derives the cached consent status (latest event wins) and last activity of a contact.
pub(crate) async fn refresh_derived(conn: &mut SqliteConnection, contact: Uuid, hlc: &str) -> Result<()> {
    sqlx::query(sql::REFRESH_DERIVED).bind(contact.to_string()).bind(hlc).execute(&mut *conn).await?;
    Ok(())
}

/// A validated activity amount: micros and currency, both or neither.
pub(crate) fn activity_amount(input: &ActivityInput) -> Result<Option<(i64, String)>> {
    let mut check = Checker::default();
    let amount = match (&input.amount, &input.currency) {
        (None, None) => None,
        (Some(a), Some(c)) => {
            let currency = c.trim().to_ascii_uppercase();
            if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
                check.issue("currency", "invalid_currency", format!("'{c}' is not an ISO 4217 currency code"));
            }
            match parse_amount(a).and_then(to_micros) {
                Ok(m) => Some((m, currency)),
                Err(detail) => {
                    check.issue("amount", "invalid_amount", detail);
                    None
                }
            }
        }
        _ => {
            check.issue("currency", "required", "an amount needs its currency, and a currency its amount");
            None
        }
    };
    check.finish("activity")?;
    Ok(amount)
}

pub(crate) async fn append_activity(
    conn: &mut SqliteConnection,
    contact: Uuid,
    id: Uuid,
    input: &ActivityInput,
    hlc: &str,
) -> Result<()> {
    let amount = activity_amount(input)?;
    sqlx::query(sql::APPEND_ACTIVITY)
        .bind(id.to_string())
        .bind(contact.to_string())
        .bind(input.kind.as_str())
        .bind(input.at)
        .bind(input.description.as_deref().map(str::trim).filter(|d| !d.is_empty()))
        .bind(amount.as_ref().map(|(m, _)| *m))
        .bind(amount.as_ref().map(|(_, c)| c.clone()))
        .bind(input.release_id.map(|r| r.to_string()))
        .bind(&input.external_ref)
        .bind(hlc)
        .execute(&mut *conn)
        .await?;
    refresh_derived(conn, contact, hlc).await
}

async fn labels(conn: &mut SqliteConnection, table: &str, column: &str, contact: Uuid) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT {column} FROM {table} WHERE contact_id = ? AND deleted = 0 ORDER BY {column}"
    ))
    .bind(contact.to_string())
    .fetch_all(&mut *conn)
    .await?)
}

/// Reads a live contact inside a transaction or on a pooled connection.
pub(crate) async fn load_contact(conn: &mut SqliteConnection, id: Uuid) -> Result<Contact> {
    let row = sqlx::query("SELECT * FROM contacts WHERE id = ? AND deleted = 0")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::not_found("contact", id))?;
    let emails: Vec<ContactEmail> = sqlx::query(
        "SELECT email, is_primary, bounced FROM contact_emails WHERE contact_id = ? AND deleted = 0 ORDER BY is_primary DESC, email",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| -> Result<ContactEmail> {
        Ok(ContactEmail { email: r.try_get("email")?, is_primary: r.try_get("is_primary")?, bounced: r.try_get("bounced")? })
    })
    .collect::<Result<_>>()?;
    let spend_rows = sqlx::query(
        "SELECT currency, SUM(amount_micros) AS total FROM activities WHERE contact_id = ? AND kind = 'purchase' \
         AND deleted = 0 AND currency IS NOT NULL GROUP BY currency ORDER BY currency",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut lifetime_spend = Vec::new();
    for r in &spend_rows {
        let total: i64 = r.try_get("total")?;
        lifetime_spend.push(Money { currency: r.try_get("currency")?, amount: from_micros(total as i128).to_string() });
    }
    let consent: String = row.try_get("consent_status")?;
    Ok(Contact {
        id,
        workspace_id: uuid(&row, "workspace_id")?,
        name: row.try_get("name")?,
        email: emails.first().map(|e| e.email.clone()),
        emails,
        phone: row.try_get("phone")?,
        city: row.try_get("city")?,
        region: row.try_get("region")?,
        country: row.try_get("country")?,
        language: row.try_get("language")?,
        notes: row.try_get("notes")?,
        tags: labels(conn, "contact_tags", "tag", id).await?,
        sources: labels(conn, "contact_sources", "source", id).await?,
        consent: consent.parse().map_err(|e: String| Error::Database(sqlx::Error::Decode(e.into())))?,
        first_seen: row.try_get("first_seen")?,
        last_activity: row.try_get("last_activity")?,
        lifetime_spend,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn consent_events(conn: &mut SqliteConnection, id: Uuid) -> Result<Vec<ConsentEvent>> {
    let rows = sqlx::query("SELECT * FROM consent_events WHERE contact_id = ? ORDER BY at DESC, recorded_at DESC, id DESC")
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok(ConsentEvent {
                id: uuid(r, "id")?,
                status: status.parse().map_err(|e: String| Error::Database(sqlx::Error::Decode(e.into())))?,
                at: r.try_get("at")?,
                source: r.try_get("source")?,
                wording: r.try_get("wording")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

async fn activities(conn: &mut SqliteConnection, id: Uuid) -> Result<Vec<Activity>> {
    let rows = sqlx::query("SELECT * FROM activities WHERE contact_id = ? AND deleted = 0 ORDER BY at DESC, id DESC")
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let micros: Option<i64> = r.try_get("amount_micros")?;
            let currency: Option<String> = r.try_get("currency")?;
            let release: Option<String> = r.try_get("release_id")?;
            Ok(Activity {
                id: uuid(r, "id")?,
                kind: ActivityKind::parse(&kind)?,
                at: r.try_get("at")?,
                description: r.try_get("description")?,
                amount: micros.zip(currency).map(|(m, c)| Money { currency: c, amount: from_micros(m as i128).to_string() }),
                release_id: release.and_then(|r| Uuid::parse_str(&r).ok()),
            })
        })
        .collect()
}

impl Store {
    pub async fn create_contact(&self, workspace_id: Uuid, input: ContactInput, source: &str) -> Result<Contact> {
        let fields = validate(&input)?;
        self.get_workspace(workspace_id).await?;
        let now = self.clock.now();
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        for email in &fields.emails {
            if let Some(owner) = email_owner(&mut tx, workspace_id, email).await? {
                return Err(Error::EmailTaken { email: email.clone(), contact_id: owner.to_string() });
            }
        }
        let derived = fields.emails.first().map(|e| derived_ids::contact(&workspace_id.to_string(), e));
        let id = match derived {
            Some(id) if !contact_id_taken(&mut tx, id).await? => id,
            _ => self.ids.new_id(),
        };
        insert_contact(&mut tx, workspace_id, id, &fields, now, now, &hlc).await?;
        attach_emails(&mut tx, workspace_id, id, &fields.emails, false, &hlc).await?;
        attach_labels(&mut tx, Labels::Tags, id, &fields.tags, &hlc).await?;
        attach_labels(&mut tx, Labels::Sources, id, &[source.to_string()], &hlc).await?;
        search::reindex(&mut tx, id).await?;
        tx.commit().await?;
        self.get_contact(id).await
    }

    pub async fn get_contact(&self, id: Uuid) -> Result<Contact> {
        let mut conn = self.pool.acquire().await?;
        load_contact(&mut conn, id).await
    }

    /// Replaces a contact's fields, e-mails and tags with `input` (sources and history stay).
    pub async fn update_contact(&self, id: Uuid, input: ContactInput) -> Result<Contact> {
        let fields = validate(&input)?;
        let current = self.get_contact(id).await?;
        let now = self.clock.now();
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        for email in &fields.emails {
            if let Some(owner) = email_owner(&mut tx, current.workspace_id, email).await?.filter(|o| *o != id) {
                return Err(Error::EmailTaken { email: email.clone(), contact_id: owner.to_string() });
            }
        }
        sqlx::query(
            "UPDATE contacts SET name = ?, phone = ?, phone_digits = ?, city = ?, region = ?, country = ?, language = ?, \
             notes = ?, updated_at = ?, hlc = ? WHERE id = ?",
        )
        .bind(&fields.name)
        .bind(&fields.phone)
        .bind(fields.phone.as_deref().and_then(phone_digits))
        .bind(&fields.city)
        .bind(&fields.region)
        .bind(&fields.country)
        .bind(&fields.language)
        .bind(&fields.notes)
        .bind(now)
        .bind(&hlc)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE contact_emails SET deleted = 1, is_primary = 0, hlc = ? WHERE contact_id = ?")
            .bind(&hlc)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        for (i, email) in fields.emails.iter().enumerate() {
            sqlx::query(
                "INSERT INTO contact_emails (contact_id, workspace_id, email, is_primary, hlc) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (contact_id, email) DO UPDATE SET deleted = 0, is_primary = excluded.is_primary, hlc = excluded.hlc",
            )
            .bind(id.to_string())
            .bind(current.workspace_id.to_string())
            .bind(email)
            .bind(i == 0)
            .bind(&hlc)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE contact_tags SET deleted = 1, hlc = ? WHERE contact_id = ? AND deleted = 0")
            .bind(&hlc)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        attach_labels(&mut tx, Labels::Tags, id, &fields.tags, &hlc).await?;
        search::reindex(&mut tx, id).await?;
        tx.commit().await?;
        self.get_contact(id).await
    }

    /// Adds tags to many contacts at once (the table's bulk action).
    pub async fn tag_contacts(&self, ids: &[Uuid], tags: &[String]) -> Result<u32> {
        let mut check = Checker::default();
        let tags = normalize_tags(tags, &mut check);
        check.finish("tags")?;
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        let mut tagged = 0;
        for id in ids {
            load_contact(&mut tx, *id).await?;
            attach_labels(&mut tx, Labels::Tags, *id, &tags, &hlc).await?;
            search::reindex(&mut tx, *id).await?;
            tagged += 1;
        }
        tx.commit().await?;
        Ok(tagged)
    }

    pub async fn record_consent(&self, contact: Uuid, input: ConsentInput) -> Result<Contact> {
        let now = self.clock.now();
        let hlc = self.stamp();
        let event = derived_ids::consent_event(&contact.to_string(), input.status.as_str(), input.at, input.source.trim());
        let mut tx = self.write().await?;
        load_contact(&mut tx, contact).await?;
        append_consent(&mut tx, contact, event, &input, now, &hlc).await?;
        tx.commit().await?;
        self.get_contact(contact).await
    }

    pub async fn add_activity(&self, contact: Uuid, input: ActivityInput) -> Result<Contact> {
        let hlc = self.stamp();
        let id = match &input.external_ref {
            Some(r) => derived_ids::activity(&contact.to_string(), r),
            None => self.ids.new_id(),
        };
        let mut tx = self.write().await?;
        load_contact(&mut tx, contact).await?;
        append_activity(&mut tx, contact, id, &input, &hlc).await?;
        tx.commit().await?;
        self.get_contact(contact).await
    }

    /// Activities and consent events, newest first.
    pub async fn contact_timeline(&self, contact: Uuid) -> Result<Vec<TimelineEntry>> {
        let record = self.contact_record(contact).await?;
        let mut entries: Vec<(DateTime<Utc>, TimelineEntry)> = record
            .activities
            .into_iter()
            .map(|a| (a.at, TimelineEntry::Activity(a)))
            .chain(record.consent_events.into_iter().map(|c| (c.at, TimelineEntry::Consent(c))))
            .collect();
        entries.sort_by_key(|e| std::cmp::Reverse(e.0));
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }

    /// Everything held about one contact.
    pub async fn contact_record(&self, contact: Uuid) -> Result<ContactRecord> {
        let mut conn = self.pool.acquire().await?;
        Ok(ContactRecord {
            contact: load_contact(&mut conn, contact).await?,
            consent_events: consent_events(&mut conn, contact).await?,
            activities: activities(&mut conn, contact).await?,
        })
    }

    /// Erases a contact's personal data (GDPR/PIPL): name, e-mails, phone, place, notes, tags and
    /// activity descriptions are gone; an erased tombstone stays so sync erases it everywhere.
    pub async fn erase_contact(&self, contact: Uuid) -> Result<()> {
        let now = self.clock.now();
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        load_contact(&mut tx, contact).await?;
        let id = contact.to_string();
        for sql in [
            "DELETE FROM contact_emails WHERE contact_id = ?",
            "DELETE FROM contact_tags WHERE contact_id = ?",
            "DELETE FROM contact_sources WHERE contact_id = ?",
            "UPDATE consent_events SET wording = NULL, source = 'erased' WHERE contact_id = ?",
            "UPDATE activities SET description = NULL WHERE contact_id = ?",
        ] {
            sqlx::query(sql).bind(&id).execute(&mut *tx).await?;
        }
        sqlx::query(
            "UPDATE contacts SET name = NULL, phone = NULL, phone_digits = NULL, city = NULL, region = NULL, country = NULL, \
             language = NULL, notes = NULL, erased = 1, deleted = 1, updated_at = ?, hlc = ? WHERE id = ?",
        )
        .bind(now)
        .bind(&hlc)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        search::unindex(&mut tx, contact).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The live contact of the workspace holding `email`, if any.
pub(crate) async fn email_owner(conn: &mut SqliteConnection, workspace: Uuid, email: &str) -> Result<Option<Uuid>> {
    let owner: Option<String> =
        sqlx::query_scalar(sql::EMAIL_OWNER)
            .bind(workspace.to_string())
            .bind(email)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(owner.and_then(|o| Uuid::parse_str(&o).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fans::testing::store;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 10, 0, 0).unwrap()
    }

    #[tokio::test]
    async fn create_edit_and_derive_consent_and_spend() {
        let (store, ws, _dir) = store().await;
        let input = ContactInput {
            name: Some("周杰伦".into()),
            emails: vec![" Jay@Example.com ".into(), "jay2@example.com".into()],
            country: Some("Taiwan".into()),
            tags: vec!["vip".into(), "VIP".into(), "newsletter".into()],
            ..ContactInput::default()
        };
        let c = store.create_contact(ws, input, "manual").await.unwrap();
        assert_eq!(c.email.as_deref(), Some("jay@example.com"));
        assert_eq!(c.emails.len(), 2);
        assert_eq!(c.country.as_deref(), Some("TW"));
        assert_eq!(c.tags, ["newsletter", "vip"]);
        assert_eq!(c.consent, ConsentStatus::Unknown);

        let dup = ContactInput { emails: vec!["JAY@example.com".into()], ..ContactInput::default() };
        assert_eq!(store.create_contact(ws, dup, "manual").await.unwrap_err().code(), "email_taken");

        let opt_in = ConsentInput { status: ConsentStatus::OptedIn, at: at(1), source: "merch table".into(), wording: Some("Send me news".into()) };
        store.record_consent(c.id, opt_in.clone()).await.unwrap();
        store.record_consent(c.id, opt_in).await.unwrap(); // the same event again adds nothing
        let out = ConsentInput { status: ConsentStatus::OptedOut, at: at(5), source: "unsubscribe link".into(), wording: None };
        let c2 = store.record_consent(c.id, out).await.unwrap();
        assert_eq!(c2.consent, ConsentStatus::OptedOut);
        // An older opt-in recorded later does not override the newer opt-out.
        let old = ConsentInput { status: ConsentStatus::OptedIn, at: at(3), source: "old list".into(), wording: None };
        assert_eq!(store.record_consent(c.id, old).await.unwrap().consent, ConsentStatus::OptedOut);

        for (amount, cur, r) in [("12.50", "USD", "a"), ("7.25", "USD", "b"), ("88", "CNY", "c"), ("12.50", "USD", "a")] {
            let act = ActivityInput {
                kind: ActivityKind::Purchase,
                at: at(10),
                description: Some("LP".into()),
                amount: Some(amount.into()),
                currency: Some(cur.into()),
                release_id: None,
                external_ref: Some(r.into()),
            };
            store.add_activity(c.id, act).await.unwrap();
        }
        let c3 = store.get_contact(c.id).await.unwrap();
        assert_eq!(
            c3.lifetime_spend,
            vec![Money { currency: "CNY".into(), amount: "88".into() }, Money { currency: "USD".into(), amount: "19.75".into() }]
        );
        assert_eq!(c3.last_activity, Some(at(10)));
        let timeline = store.contact_timeline(c.id).await.unwrap();
        assert_eq!(timeline.len(), 3 + 3);

        let edited = store
            .update_contact(c.id, ContactInput { name: Some("Jay Chou".into()), emails: vec!["jay2@example.com".into()], ..ContactInput::default() })
            .await
            .unwrap();
        assert_eq!(edited.email.as_deref(), Some("jay2@example.com"));
        assert_eq!(edited.emails.len(), 1);
        assert!(edited.tags.is_empty());
        assert_eq!(edited.consent, ConsentStatus::OptedOut, "history stays");
    }

    #[tokio::test]
    async fn invalid_contacts_say_why() {
        let (store, ws, _dir) = store().await;
        let err = store
            .create_contact(ws, ContactInput { emails: vec!["nope".into()], country: Some("Atlantis".into()), ..ContactInput::default() }, "manual")
            .await
            .unwrap_err();
        let fields: Vec<_> = err.payload().issues.into_iter().map(|i| i.reason).collect();
        assert_eq!(fields, ["invalid_email", "invalid_country"]);
        let empty = store.create_contact(ws, ContactInput::default(), "manual").await.unwrap_err();
        assert_eq!(empty.payload().issues[0].reason, "required");
    }

    #[tokio::test]
    async fn erase_leaves_no_personal_data_but_a_tombstone() {
        let (store, ws, _dir) = store().await;
        let c = store
            .create_contact(ws, ContactInput { name: Some("Erase Me".into()), emails: vec!["erase@me.com".into()], notes: Some("secret".into()), ..ContactInput::default() }, "manual")
            .await
            .unwrap();
        store.erase_contact(c.id).await.unwrap();
        assert_eq!(store.get_contact(c.id).await.unwrap_err().code(), "not_found");
        let row: (Option<String>, Option<String>, i64, i64) =
            sqlx::query_as("SELECT name, notes, erased, deleted FROM contacts WHERE id = ?")
                .bind(c.id.to_string())
                .fetch_one(&store.pool)
                .await
                .unwrap();
        assert_eq!(row, (None, None, 1, 1));
        let emails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contact_emails").fetch_one(&store.pool).await.unwrap();
        assert_eq!(emails, 0);
        assert!(store.search_contacts(ws, "erase", 10).await.unwrap().is_empty());
        // The address can be used again.
        store.create_contact(ws, ContactInput { emails: vec!["erase@me.com".into()], ..ContactInput::default() }, "manual").await.unwrap();
    }
}
