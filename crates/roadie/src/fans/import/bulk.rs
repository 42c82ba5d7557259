//! Writing imported rows fast: rusqlite on the import transaction's own connection (borrowed from
//! sqlx with `lock_handle`), with statements prepared once per import ([`Prepared`]), running the
//! same SQL as single edits (`fans::contacts::sql`; a new contact's e-mails and the tags' workspace
//! are the only variants). A row's own writes go in as it is read (later rows of the file
//! must see the contacts earlier ones made, to merge into them); what is derived from several
//! rows — the cached consent status and last activity, and the search index — is written once per
//! touched contact at the end (`Touched::finish`), not once per row.
//! The rules (module docs of mod.rs): merge on a known e-mail, fill only empty fields, add
//! e-mails/tags/sources/consent.

use super::pending::{Child, NewContact, NewContacts, Shared};
use super::rows::FanRow;
use super::FanImportReport;
use crate::clock::IdGenerator;
use crate::error::{Error, FieldIssue, Result};
use crate::jobs::CancelToken;
use crate::fans::contacts::{sql, validate, ContactFields, ContactInput, Labels};
use crate::fans::search::{index_values, SearchFields};
use crate::fans::{phone_digits, ConsentStatus};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Statement};
use std::collections::HashMap;

/// Timestamps exactly as sqlx writes them, so both sides sort and parse them the same.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

pub(crate) fn db(e: rusqlite::Error) -> Error {
    Error::Database(sqlx::Error::Protocol(format!("fan import: {e}")))
}

pub(super) struct RowContext<'a> {
    pub workspace: String,
    /// `now` as written (`ts`), formatted once.
    pub now_ts: String,
    pub source: String,
    pub file_name: String,
    /// The file's SHA-256 (what makes importing it again a no-op).
    pub sha: String,
    /// Ids of the rows this file makes, the same on every device that imports it.
    pub file_ids: crate::clock::FileIds,
    /// Rows the file probably holds (from its size), to choose how to build indexes.
    pub expected_rows: u64,
    pub hlc: String,
    pub now: DateTime<Utc>,
    pub ids: &'a dyn IdGenerator,
}

/// Contacts this import wrote to, in first-touch order, with what must be redone for them; and
/// the e-mails it attached, so a later row of the file finds its contact without a query.
pub(crate) struct Touched {
    order: Vec<String>,
    state: HashMap<String, TouchState>,
    /// E-mail → contact, for every e-mail this import attached.
    emails: HashMap<String, String>,
    /// Tags and sources to attach, (contact, label): written in batches by [`Touched::write_labels`]
    /// once every row is read (no row reads them back), not one statement per label per row.
    tags: Vec<(String, String)>,
    sources: Vec<String>,
    /// The workspace had live e-mails before the import: one not in `emails` is looked up.
    /// Without any, an e-mail not in `emails` belongs to no one (no query at all).
    pub(crate) store_has_emails: bool,
    /// The workspace's row number (`contacts.ws`, `contact_tags.ws`), written with each row.
    pub(crate) ws: i64,
}

#[derive(Default)]
struct TouchState {
    /// Existed before this import: it has a search row to replace.
    indexed: bool,
    /// Got a consent event or an activity: its status and last activity are re-derived.
    derived: bool,
    /// A contact this import made from one row: its search fields as written (no need to read
    /// them back). `None` once a second row touched it.
    fields: Option<SearchFields>,
}

impl Touched {
    /// `expected_rows`: how many rows the file probably holds (its maps are made that big at once,
    /// not grown and rehashed a dozen times on the way to 100,000).
    pub(crate) fn new(conn: &Connection, workspace: &str, expected_rows: u64) -> Result<Touched> {
        // (A live contact of the workspace, not a live e-mail: every live e-mail is a live
        // contact's, and contacts_by_name answers this at once; the e-mail index leads with the
        // e-mail, so in a store of several workspaces it would be read through.)
        let ws: i64 = conn.query_row("SELECT rowid FROM workspaces WHERE id = ?1", params![workspace], |r| r.get(0)).map_err(db)?;
        let store_has_emails = conn
            .prepare("SELECT 1 FROM contacts WHERE ws = ?1 AND deleted = 0 LIMIT 1")
            .map_err(db)?
            .exists(params![ws])
            .map_err(db)?;
        let rows = expected_rows.min(200_000) as usize;
        Ok(Touched {
            order: Vec::with_capacity(rows),
            state: HashMap::with_capacity(rows),
            emails: HashMap::with_capacity(rows),
            tags: Vec::new(),
            sources: Vec::with_capacity(rows),
            store_has_emails,
            ws,
        })
    }

    /// The live contact holding an e-mail: one this import attached it to, else the store's.
    fn owner(&self, owner: &mut Statement, workspace: &str, email: &str) -> Result<Option<String>> {
        if let Some(id) = self.emails.get(email) {
            return Ok(Some(id.clone()));
        }
        if !self.store_has_emails {
            return Ok(None);
        }
        owner.query_row(params![workspace, email], |r| r.get(0)).optional().map_err(db)
    }

    pub(crate) fn touch(&mut self, id: &str, fresh: Option<SearchFields>, derived: bool) {
        match self.state.get_mut(id) {
            Some(state) => {
                state.derived |= derived;
                state.fields = None;
            }
            None => {
                self.order.push(id.to_string());
                let state = TouchState { indexed: fresh.is_none(), derived, fields: fresh };
                self.state.insert(id.to_string(), state);
            }
        }
    }

    /// Attaches the tags and sources the rows brought: the same upserts as single edits
    /// (`sql::ATTACH_TAG`, `sql::ATTACH_SOURCE`), many rows per statement. Before the search
    /// rows, which read the tags.
    pub(crate) fn write_labels(&mut self, conn: &Connection, source: &str, hlc: &str) -> Result<()> {
        let ws = self.ws;
        const BATCH: usize = 200;
        for kind in [Labels::Tags, Labels::Sources] {
            let pairs: Vec<(&str, &str)> = match kind {
                Labels::Tags => self.tags.iter().map(|(id, tag)| (id.as_str(), tag.as_str())).collect(),
                Labels::Sources => self.sources.iter().map(|id| (id.as_str(), source)).collect(),
            };
            // A tag row names its workspace (else a trigger looks it up per row).
            let (sql, width) = match kind {
                Labels::Tags => (ATTACH_TAG_IN_WORKSPACE, 4),
                Labels::Sources => (kind.attach_sql(), 3),
            };
            let mut full = conn.prepare(&batched(sql, width, BATCH)?).map_err(db)?;
            for chunk in pairs.chunks(BATCH) {
                let values = chunk.iter().flat_map(|(id, label)| {
                    [id as &dyn rusqlite::ToSql, label as &dyn rusqlite::ToSql, &hlc as &dyn rusqlite::ToSql, &ws as &dyn rusqlite::ToSql]
                        .into_iter()
                        .take(width)
                });
                let values: Vec<&dyn rusqlite::ToSql> = values.collect();
                if chunk.len() == BATCH {
                    full.execute(&values[..]).map_err(db)?;
                } else {
                    conn.prepare(&batched(sql, width, chunk.len())?).map_err(db)?.execute(&values[..]).map_err(db)?;
                }
            }
        }
        self.tags = Vec::new();
        self.sources = Vec::new();
        Ok(())
    }

    /// Re-derives and re-indexes every touched contact.
    pub(crate) fn finish(self, conn: &Connection, hlc: &str, cancel: &CancelToken) -> Result<()> {
        let mut refresh = conn.prepare_cached(sql::REFRESH_DERIVED).map_err(db)?;
        let mut unindex = conn.prepare_cached(sql::UNINDEX).map_err(db)?;
        let mut fields = conn.prepare_cached(sql::SEARCH_FIELDS).map_err(db)?;
        let mut index = conn.prepare_cached(sql::INDEX).map_err(db)?;
        let Touched { order, mut state, .. } = self;
        for (n, id) in order.iter().enumerate() {
            if n % 1000 == 0 && cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let state = state.remove(id).unwrap_or_default();
            if state.derived {
                refresh.execute(params![id, hlc]).map_err(db)?;
            }
            if state.indexed {
                unindex.execute(params![id]).map_err(db)?;
            }
            let row: Option<SearchFields> = match state.fields {
                Some(known) => Some(known),
                None => fields
                    .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
                    .optional()
                    .map_err(db)?,
            };
            if let Some(row) = row {
                let (rowid, name, emails, place, notes, tags) = index_values(row);
                index.execute(params![rowid, name, emails, place, notes, tags]).map_err(db)?;
            }
        }
        Ok(())
    }
}

/// `sql::ATTACH_TAG` with the tag's workspace number (?4).
const ATTACH_TAG_IN_WORKSPACE: &str = "INSERT INTO contact_tags (contact_id, tag, hlc, ws) VALUES (?1, ?2, ?3, ?4) \
    ON CONFLICT (contact_id, tag) DO UPDATE SET deleted = 0, hlc = excluded.hlc WHERE deleted = 1";

/// A single-row `INSERT ... VALUES (?1, ..., ?width) ...` made to insert `rows` rows at once.
pub(super) fn batched(sql: &str, width: usize, rows: usize) -> Result<String> {
    let one = format!("VALUES ({})", (1..=width).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", "));
    if !sql.contains(&one) || rows == 0 {
        return Err(Error::Database(sqlx::Error::Protocol(format!("fan import: cannot batch {sql}"))));
    }
    let row = format!("({})", vec!["?"; width].join(", "));
    let values = vec![row.as_str(); rows].join(", ");
    Ok(sql.replace(&one, &format!("VALUES {values}")))
}

/// The per-row statements, prepared once per import (not looked up in the statement cache by
/// their text for every row).
pub(super) struct Prepared<'c> {
    /// New contacts and their e-mails, written in batches (pending.rs).
    new: NewContacts<'c>,
    owner: Statement<'c>,
    has_primary: Statement<'c>,
    attach_email: Statement<'c>,
    current: Statement<'c>,
    fill: Statement<'c>,
    first_seen: Statement<'c>,
}

impl<'c> Prepared<'c> {
    pub(super) fn new(conn: &'c Connection, cx: &RowContext, touched: &Touched) -> Result<Prepared<'c>> {
        let p = |sql: &str| conn.prepare(sql).map_err(db);
        let shared = Shared { workspace: cx.workspace.clone(), ws: touched.ws, now_ts: cx.now_ts.clone(), hlc: cx.hlc.clone() };
        Ok(Prepared {
            new: NewContacts::new(conn, shared)?,
            owner: p(sql::EMAIL_OWNER)?,
            has_primary: p(sql::HAS_PRIMARY)?,
            attach_email: p(sql::ATTACH_EMAIL)?,
            current: p("SELECT name, phone, city, region, country, language, notes FROM contacts WHERE id = ?1")?,
            fill: p(
                "UPDATE contacts SET name = COALESCE(name, ?2), phone_digits = CASE WHEN phone IS NULL THEN ?4 ELSE phone_digits END, \
                 phone = COALESCE(phone, ?3), city = COALESCE(city, ?5), region = COALESCE(region, ?6), country = COALESCE(country, ?7), \
                 language = COALESCE(language, ?8), notes = COALESCE(notes, ?9), hlc = ?10, updated_at = ?11 WHERE id = ?1",
            )?,
            first_seen: p("UPDATE contacts SET first_seen = min(first_seen, ?1) WHERE id = ?2")?,
        })
    }

    /// Writes the new contacts still waiting (after the last row).
    pub(super) fn finish(mut self) -> Result<()> {
        self.new.flush()
    }
}

/// Writes one row; an invalid row comes back as `Error::InvalidInput` and writes nothing.
pub(super) fn write_row(
    st: &mut Prepared,
    cx: &RowContext,
    row: FanRow,
    report: &mut FanImportReport,
    touched: &mut Touched,
) -> Result<()> {
    let input = ContactInput {
        name: row.name,
        emails: row.emails,
        phone: row.phone,
        city: row.city,
        region: row.region,
        country: row.country,
        language: row.language,
        notes: row.notes,
        tags: row.tags,
    };
    let fields = validate(&input)?;
    if fields.emails.is_empty() && fields.phone.is_none() {
        return Err(Error::invalid("contact", vec![FieldIssue::new("emails", "required", "no e-mail or phone")]));
    }
    let mut owners = Vec::with_capacity(fields.emails.len());
    for email in &fields.emails {
        owners.push(touched.owner(&mut st.owner, &cx.workspace, email)?);
    }
    let existing = owners.iter().flatten().next().cloned();
    let (id, fresh_rowid) = match existing {
        Some(id) => {
            if st.new.is_waiting(&id) {
                st.new.flush()?;
            }
            merge_fields(st, cx, &id, &fields, row.joined, report)?;
            report.merged += 1;
            (id, None)
        }
        None => {
            // What `sql::REFRESH_DERIVED` would make of this row's one consent event and one
            // sign-up, written with the contact instead of by an update at the end.
            let consent = row.consent.as_ref().filter(|(status, _, _)| *status != ConsentStatus::Unknown);
            let status = consent.map(|(status, _, _)| status.as_str()).unwrap_or("unknown");
            let last_activity = [consent.map(|(_, at, _)| ts(at.unwrap_or(cx.now))), row.joined.map(ts)].into_iter().flatten().max();
            let first_seen = row.joined.map(ts).unwrap_or_else(|| cx.now_ts.clone());
            // The id another device importing the same file gives this fan; taken: a new one.
            let derived_id = fields.emails.first().map(|e| cx.file_ids.id("contact", row.line, &[&cx.workspace, e]).to_string());
            let id = match derived_id {
                Some(id) if !st.new.taken(&id)? => id,
                _ => cx.ids.new_id().to_string(),
            };
            let contact = NewContact {
                id: id.clone(),
                name: fields.name.clone(),
                phone: fields.phone.clone(),
                phone_digits: fields.phone.as_deref().and_then(phone_digits),
                city: fields.city.clone(),
                region: fields.region.clone(),
                country: fields.country.clone(),
                language: fields.language.clone(),
                notes: fields.notes.clone(),
                first_seen,
                consent_status: status,
                last_activity,
            };
            let rowid = st.new.add(contact)?;
            report.created += 1;
            (id, Some(rowid))
        }
    };
    // E-mails of this row that belong to yet another contact stay there (dupes will show the pair).
    let fresh = fresh_rowid.is_some();
    let mut has_primary = !fresh && st.has_primary.exists(params![id]).map_err(db)?;
    for (email, owner) in fields.emails.iter().zip(&owners) {
        if owner.as_ref().is_some_and(|o| *o != id) {
            continue;
        }
        if fresh {
            st.new.add_email(&id, email, !has_primary, row.bounced);
        } else {
            st.attach_email.execute(params![id, cx.workspace, email, !has_primary, row.bounced, cx.hlc]).map_err(db)?;
        }
        has_primary = true;
        touched.emails.insert(email.clone(), id.clone());
    }
    touched.tags.extend(fields.tags.iter().map(|t| (id.clone(), t.clone())));
    touched.sources.push(id.clone());
    let mut derived = false;
    if let Some((status, at, wording)) = &row.consent {
        if *status != ConsentStatus::Unknown {
            // A list that doesn't date its opt-ins: the consent is as of this import.
            let source = format!("{} ({})", cx.source, cx.file_name);
            let values = vec![
                Value::Text(cx.file_ids.id("consent_event", row.line, &[&id, status.as_str(), &source]).to_string()),
                Value::Text(id.clone()),
                Value::Text(status.as_str().to_string()),
                Value::Text(ts(at.unwrap_or(cx.now))),
                Value::Text(source),
                wording.clone().map_or(Value::Null, Value::Text),
                Value::Text(cx.now_ts.clone()),
                Value::Text(cx.hlc.clone()),
            ];
            st.new.child(Child::Consent, values, fresh)?;
            derived = true;
        }
    }
    if let Some(joined) = row.joined {
        let values = vec![
            Value::Text(cx.file_ids.id("activity", row.line, &[&id, "signup", &cx.source]).to_string()),
            Value::Text(id.clone()),
            Value::Text("sign_up".into()),
            Value::Text(ts(joined)),
            Value::Text(format!("joined via {}", cx.source)),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Text(format!("signup:{}", cx.source)),
            Value::Text(cx.hlc.clone()),
        ];
        st.new.child(Child::SignUp, values, fresh)?;
        derived = true;
    }
    // A new contact got its derived fields with its insert.
    let derived = derived && !fresh;
    let search = fresh_rowid.map(|rowid| {
        let place = [fields.city.as_deref(), fields.region.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        let join = |v: &[String]| (!v.is_empty()).then(|| v.join(" "));
        (rowid, fields.name.clone(), place, fields.notes.clone(), join(&fields.emails), join(&fields.tags))
    });
    touched.touch(&id, search, derived);
    Ok(())
}

/// Connection settings for the import's transaction, put back as they were by [`Settings::leave`]:
///
/// - `ignore_check_constraints`: the CHECKs of the fan tables test values the import makes itself
///   (a consent status from [`ConsentStatus::as_str`], 0/1 flags from booleans), and a CHECK of a
///   list of three (`consent_status IN (...)`) builds a temporary b-tree every time a single-row
///   statement runs: a sixth of the rows phase. Only the import's own statements, prepared on
///   this connection while it is set, skip them.
/// - the search index's `hashsize`: FTS5 keeps the terms of new rows in memory up to it (1 MB by
///   default) and then writes them as a segment, which later writes merge again; 100,000
///   contacts were some 40 flushes and their merges (40% of the index's cost). Raised for the
///   import, the terms are written once, at the commit; then the store's own value again. It is a
///   row of `contacts_fts_config`, in the transaction: a failed import rolls it back too.
pub(super) struct Settings {
    checks_ignored: bool,
    hashsize: Option<i64>,
}

/// The most the search index keeps in memory during an import (100,000 contacts take some 30 MB).
const IMPORT_FTS_HASHSIZE: i64 = 256 * 1024 * 1024;
/// FTS5's own default, for a store that never set it.
const DEFAULT_FTS_HASHSIZE: i64 = 1024 * 1024;

impl Settings {
    pub(super) fn enter(conn: &Connection) -> Result<Settings> {
        let checks_ignored: bool = conn.query_row("PRAGMA ignore_check_constraints", [], |r| r.get(0)).map_err(db)?;
        let hashsize: Option<i64> = conn
            .query_row("SELECT v FROM contacts_fts_config WHERE k = 'hashsize'", [], |r| r.get(0))
            .optional()
            .map_err(db)?;
        let settings = Settings { checks_ignored, hashsize };
        let entered = conn.execute_batch("PRAGMA ignore_check_constraints = ON").map_err(db).and_then(|()| set_fts_hashsize(conn, IMPORT_FTS_HASHSIZE));
        match entered {
            Ok(()) => Ok(settings),
            Err(e) => {
                let _ = settings.leave(conn);
                Err(e)
            }
        }
    }

    /// Puts the settings back (also after a failed import, before its rollback: the in-memory
    /// value of the search index follows the row).
    pub(super) fn leave(self, conn: &Connection) -> Result<()> {
        let hashsize = set_fts_hashsize(conn, self.hashsize.unwrap_or(DEFAULT_FTS_HASHSIZE));
        let checks = conn.execute_batch(if self.checks_ignored { "PRAGMA ignore_check_constraints = ON" } else { "PRAGMA ignore_check_constraints = OFF" }).map_err(db);
        hashsize.and(checks)
    }
}

fn set_fts_hashsize(conn: &Connection, bytes: i64) -> Result<()> {
    conn.execute("INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('hashsize', ?1)", params![bytes]).map_err(db)?;
    Ok(())
}

/// For an import much bigger than the contacts already there: drops the indexes no row write
/// reads (not the unique ones, which find the contact an e-mail belongs to and refuse duplicate
/// events) and returns their definitions, to be built again by [`rebuild_indexes`] once all rows
/// are in: one sort per index instead of a search at a random place for every row. Inside the
/// import's transaction, so a failed import gets them back with everything else.
///
/// The unique index of live e-mails is deferred too when no row will read it: the workspace had
/// no e-mails (`store_has_emails` false), so every e-mail's owner comes from the import's own map.
/// Building it again at the end still refuses a duplicate, failing the import as a whole.
///
/// The triggers that give a contact and a tag row its workspace's number (`contacts_ws`,
/// `contact_tags_ws`) go too: the import writes it itself, and a statement with a trigger keeps a
/// statement journal (the tags phase, an eighth less).
pub(super) fn defer_indexes(conn: &Connection, expected_rows: u64, store_has_emails: bool) -> Result<Vec<String>> {
    let existing: i64 = conn.query_row("SELECT COUNT(*) FROM contacts", [], |r| r.get(0)).map_err(db)?;
    if expected_rows < 5_000 || expected_rows < existing as u64 {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL \
             AND ((sql NOT LIKE 'CREATE UNIQUE%' \
                   AND tbl_name IN ('contacts', 'contact_tags', 'contact_sources', 'consent_events', 'activities')) \
                  OR (name = 'contact_emails_unique' AND ?1 = 0)) \
             UNION ALL SELECT type, name, sql FROM sqlite_schema WHERE type = 'trigger' AND name IN ('contacts_ws', 'contact_tags_ws') \
             ORDER BY name",
        )
        .map_err(db)?;
    let deferred: Vec<(String, String, String)> = stmt
        .query_map(params![store_has_emails], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(db)?
        .collect::<std::result::Result<_, _>>()
        .map_err(db)?;
    for (kind, name, _) in &deferred {
        conn.execute_batch(&format!("DROP {kind} \"{}\"", name.replace('"', "\"\""))).map_err(db)?;
    }
    Ok(deferred.into_iter().map(|(_, _, sql)| sql).collect())
}

pub(super) fn rebuild_indexes(conn: &Connection, definitions: &[String]) -> Result<()> {
    for sql in definitions {
        conn.execute_batch(sql).map_err(db)?;
    }
    Ok(())
}

/// Fills the contact's empty fields from the row in one update; a different value already there
/// is kept (and counted). An earlier join date moves `first_seen` back.
fn merge_fields(
    st: &mut Prepared,
    cx: &RowContext,
    id: &str,
    f: &ContactFields,
    joined: Option<DateTime<Utc>>,
    report: &mut FanImportReport,
) -> Result<()> {
    let current: [Option<String>; 7] = st
        .current
        .query_row(params![id], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?]))
        .map_err(db)?;
    let incoming = [&f.name, &f.phone, &f.city, &f.region, &f.country, &f.language, &f.notes];
    let mut fills = false;
    for (have, new) in current.iter().zip(incoming) {
        match (have, new) {
            (None, Some(_)) => fills = true,
            (Some(h), Some(v)) if h != v => report.kept_existing += 1,
            _ => {}
        }
    }
    if fills {
        st.fill
            .execute(params![
            id,
            f.name,
            f.phone,
            f.phone.as_deref().and_then(phone_digits),
            f.city,
            f.region,
            f.country,
            f.language,
            f.notes,
            cx.hlc,
            cx.now_ts
        ])
        .map_err(db)?;
    }
    if let Some(joined) = joined {
        st.first_seen
            .execute(params![ts(joined), id])
            .map_err(db)?;
    }
    Ok(())
}

/// With `ROADIE_FANS_PHASES` in the environment, prints each import phase's CPU seconds (user +
/// system, this process) and wall seconds to stderr: for the benchmark (bench/fans.sh), which
/// reports where an import's time goes. Linux only (reads /proc/self/stat); silent otherwise.
pub(crate) struct Phases {
    on: bool,
    cpu: f64,
    wall: std::time::Instant,
}

impl Phases {
    pub(crate) fn start() -> Phases {
        let on = std::env::var_os("ROADIE_FANS_PHASES").is_some();
        Phases { on, cpu: if on { process_cpu() } else { 0.0 }, wall: std::time::Instant::now() }
    }

    pub(crate) fn mark(&mut self, phase: &str) {
        if !self.on {
            return;
        }
        let cpu = process_cpu();
        eprintln!("fan import phase {phase}: CPU {:.3} s, wall {:.3} s", cpu - self.cpu, self.wall.elapsed().as_secs_f64());
        self.cpu = cpu;
        self.wall = std::time::Instant::now();
    }
}

fn process_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
