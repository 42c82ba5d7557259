//! New contacts of an import, written many rows per statement.
//!
//! A row that makes a contact does not insert it at once: the contact and its e-mails wait here
//! and go in [`BATCH`] at a time, each batch one statement per table (100,000 single-row inserts
//! were a third of the rows phase in statement overhead). Nothing reads them back meanwhile:
//! later rows find a new contact's e-mails in the import's own map (`Touched`), and a row that
//! merges into a contact still waiting here writes the waiting ones first
//! ([`NewContacts::flush`]), so the merge reads and updates a row that is there.
//!
//! Each new contact gets its rowid here (the next after the table's largest), so its search row
//! is known without reading it back.

use super::bulk::{batched, db};
use crate::error::Result;
use rusqlite::types::Value;
use rusqlite::{params, Connection, Statement, ToSql};
use std::collections::HashSet;

/// Rows per statement: 100 contacts are 1,800 parameters, well under SQLite's 32,766.
const BATCH: usize = 100;

/// `INSERT_NEW_CONTACT` of bulk.rs with the rowid first and no upsert: an id already taken is
/// found before (`NewContacts::taken`), and one this import made cannot repeat (it derives from
/// the line).
const INSERT: &str = "INSERT INTO contacts (rowid, id, workspace_id, name, phone, phone_digits, city, region, country, \
    language, notes, first_seen, created_at, updated_at, hlc, consent_status, last_activity, ws) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
const INSERT_WIDTH: usize = 18;

/// bulk.rs `INSERT_NEW_EMAIL`.
const INSERT_EMAIL: &str = "INSERT INTO contact_emails (contact_id, workspace_id, email, is_primary, bounced, hlc) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const EMAIL_WIDTH: usize = 6;

/// A contact's columns as the import writes them (the rest take their defaults).
pub(super) struct NewContact {
    pub rowid: i64,
    pub id: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub phone_digits: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub notes: Option<String>,
    pub first_seen: String,
    pub consent_status: &'static str,
    pub last_activity: Option<String>,
}

/// Rows of a new contact written after it (its children), with the statement's values in order.
#[derive(Clone, Copy)]
pub(super) enum Later {
    /// `sql::APPEND_CONSENT`.
    Consent,
    /// `sql::APPEND_ACTIVITY`.
    SignUp,
}

struct NewEmail {
    contact: String,
    email: String,
    primary: bool,
    bounced: bool,
}

/// What every row of the import shares.
pub(super) struct Shared<'a> {
    pub workspace: &'a str,
    pub ws: i64,
    pub now_ts: &'a str,
    pub hlc: &'a str,
}

pub(super) struct NewContacts<'c> {
    contacts: Vec<NewContact>,
    emails: Vec<NewEmail>,
    later: Vec<(Later, Vec<Value>)>,
    waiting: HashSet<String>,
    next_rowid: i64,
    /// The table had contacts when the import began: a derived id may be taken.
    probe: bool,
    taken: Statement<'c>,
    full_contacts: Statement<'c>,
    full_emails: Statement<'c>,
}

impl<'c> NewContacts<'c> {
    pub(super) fn new(conn: &'c Connection) -> Result<NewContacts<'c>> {
        let last: Option<i64> = conn.query_row("SELECT max(rowid) FROM contacts", [], |r| r.get(0)).map_err(db)?;
        Ok(NewContacts {
            contacts: Vec::with_capacity(BATCH),
            emails: Vec::with_capacity(BATCH * 2),
            later: Vec::new(),
            waiting: HashSet::with_capacity(BATCH),
            next_rowid: last.unwrap_or(0) + 1,
            probe: last.is_some(),
            taken: conn.prepare("SELECT 1 FROM contacts WHERE id = ?1").map_err(db)?,
            full_contacts: conn.prepare(&batched(INSERT, INSERT_WIDTH, BATCH)?).map_err(db)?,
            full_emails: conn.prepare(&batched(INSERT_EMAIL, EMAIL_WIDTH, BATCH)?).map_err(db)?,
        })
    }

    /// Whether a contact with this id is in the store already (never one waiting here).
    pub(super) fn taken(&mut self, id: &str) -> Result<bool> {
        Ok(self.probe && self.taken.exists(params![id]).map_err(db)?)
    }

    /// The rowid the next contact gets.
    pub(super) fn next_rowid(&self) -> i64 {
        self.next_rowid
    }

    pub(super) fn is_waiting(&self, id: &str) -> bool {
        self.waiting.contains(id)
    }

    /// Queues a contact (its rowid must be [`NewContacts::next_rowid`]), first writing a full
    /// batch (not after: the contact's e-mails and later rows are queued after it).
    pub(super) fn add(
        &mut self,
        conn: &'c Connection,
        shared: &Shared,
        contact: NewContact,
        consent: &mut Statement<'c>,
        activity: &mut Statement<'c>,
    ) -> Result<()> {
        if self.contacts.len() == BATCH {
            self.flush(conn, shared, consent, activity)?;
        }
        debug_assert_eq!(contact.rowid, self.next_rowid);
        self.next_rowid += 1;
        self.waiting.insert(contact.id.clone());
        self.contacts.push(contact);
        Ok(())
    }

    /// Queues a consent event or sign-up of a contact queued here.
    pub(super) fn add_later(&mut self, kind: Later, values: Vec<Value>) {
        self.later.push((kind, values));
    }

    /// Queues an e-mail of a contact queued here.
    pub(super) fn add_email(&mut self, contact: &str, email: &str, primary: bool, bounced: bool) {
        self.emails.push(NewEmail { contact: contact.to_string(), email: email.to_string(), primary, bounced });
    }

    /// Writes every waiting contact, then their e-mails, consent events and sign-ups.
    pub(super) fn flush(&mut self, conn: &'c Connection, shared: &Shared, consent: &mut Statement<'c>, activity: &mut Statement<'c>) -> Result<()> {
        if self.contacts.is_empty() && self.emails.is_empty() && self.later.is_empty() {
            return Ok(());
        }
        let contacts = std::mem::take(&mut self.contacts);
        let values: Vec<&dyn ToSql> = contacts
            .iter()
            .flat_map(|c| {
                [
                    &c.rowid as &dyn ToSql,
                    &c.id,
                    &shared.workspace,
                    &c.name,
                    &c.phone,
                    &c.phone_digits,
                    &c.city,
                    &c.region,
                    &c.country,
                    &c.language,
                    &c.notes,
                    &c.first_seen,
                    &shared.now_ts,
                    &shared.now_ts,
                    &shared.hlc,
                    &c.consent_status,
                    &c.last_activity,
                    &shared.ws,
                ]
            })
            .collect();
        match contacts.len() {
            0 => {}
            BATCH => {
                self.full_contacts.execute(&values[..]).map_err(db)?;
            }
            n => {
                conn.prepare(&batched(INSERT, INSERT_WIDTH, n)?).map_err(db)?.execute(&values[..]).map_err(db)?;
            }
        }
        drop(values);
        self.contacts = contacts;
        self.contacts.clear();
        self.waiting.clear();

        let emails = std::mem::take(&mut self.emails);
        for chunk in emails.chunks(BATCH) {
            let values: Vec<&dyn ToSql> = chunk
                .iter()
                .flat_map(|e| [&e.contact as &dyn ToSql, &shared.workspace, &e.email, &e.primary, &e.bounced, &shared.hlc])
                .collect();
            if chunk.len() == BATCH {
                self.full_emails.execute(&values[..]).map_err(db)?;
            } else {
                conn.prepare(&batched(INSERT_EMAIL, EMAIL_WIDTH, chunk.len())?).map_err(db)?.execute(&values[..]).map_err(db)?;
            }
        }
        self.emails = emails;
        self.emails.clear();
        for (kind, values) in self.later.drain(..) {
            let statement = match kind {
                Later::Consent => &mut *consent,
                Later::SignUp => &mut *activity,
            };
            statement.execute(rusqlite::params_from_iter(values)).map_err(db)?;
        }
        Ok(())
    }
}
