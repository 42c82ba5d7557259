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
//! is known without reading it back. A new contact's consent event and sign-up wait with it and
//! go in after it (a parent before its children, as the per-row sync triggers queue them); a
//! known contact's are written at once ([`NewContacts::child`]).

use super::bulk::{batched, db};
use crate::error::Result;
use crate::fans::contacts::sql;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Statement, ToSql};
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

/// A row of a contact's own (its statement's values go with it, in order).
#[derive(Clone, Copy)]
pub(super) enum Child {
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
pub(super) struct Shared {
    pub workspace: String,
    /// The workspace's row number (`contacts.ws`).
    pub ws: i64,
    pub now_ts: String,
    pub hlc: String,
}

pub(super) struct NewContacts<'c> {
    conn: &'c Connection,
    shared: Shared,
    contacts: Vec<(i64, NewContact)>,
    emails: Vec<NewEmail>,
    children: Vec<(Child, Vec<Value>)>,
    waiting: HashSet<String>,
    next_rowid: i64,
    /// The table had contacts when the import began: a derived id may be taken.
    probe: bool,
    taken: Statement<'c>,
    full_contacts: Statement<'c>,
    full_emails: Statement<'c>,
    consent: Statement<'c>,
    activity: Statement<'c>,
}

impl<'c> NewContacts<'c> {
    pub(super) fn new(conn: &'c Connection, shared: Shared) -> Result<NewContacts<'c>> {
        let last: Option<i64> = conn.query_row("SELECT max(rowid) FROM contacts", [], |r| r.get(0)).map_err(db)?;
        let p = |sql: &str| conn.prepare(sql).map_err(db);
        Ok(NewContacts {
            conn,
            shared,
            contacts: Vec::with_capacity(BATCH),
            emails: Vec::with_capacity(BATCH * 2),
            children: Vec::new(),
            waiting: HashSet::with_capacity(BATCH),
            next_rowid: last.unwrap_or(0) + 1,
            probe: last.is_some(),
            taken: p("SELECT 1 FROM contacts WHERE id = ?1")?,
            full_contacts: p(&batched(INSERT, INSERT_WIDTH, BATCH)?)?,
            full_emails: p(&batched(INSERT_EMAIL, EMAIL_WIDTH, BATCH)?)?,
            consent: p(sql::APPEND_CONSENT)?,
            activity: p(sql::APPEND_ACTIVITY)?,
        })
    }

    /// Whether a contact with this id is in the store already (never one waiting here).
    pub(super) fn taken(&mut self, id: &str) -> Result<bool> {
        Ok(self.probe && self.taken.exists(params![id]).map_err(db)?)
    }

    pub(super) fn is_waiting(&self, id: &str) -> bool {
        self.waiting.contains(id)
    }

    /// Queues a contact, first writing a full batch (not after: the contact's e-mails and own rows
    /// are queued after it); returns the rowid it gets.
    pub(super) fn add(&mut self, contact: NewContact) -> Result<i64> {
        if self.contacts.len() == BATCH {
            self.flush()?;
        }
        let rowid = self.next_rowid;
        self.next_rowid += 1;
        self.waiting.insert(contact.id.clone());
        self.contacts.push((rowid, contact));
        Ok(rowid)
    }

    /// Queues an e-mail of a contact queued here.
    pub(super) fn add_email(&mut self, contact: &str, email: &str, primary: bool, bounced: bool) {
        self.emails.push(NewEmail { contact: contact.to_string(), email: email.to_string(), primary, bounced });
    }

    /// A consent event or sign-up: queued when its contact is new (`of_new`), else written now.
    pub(super) fn child(&mut self, kind: Child, values: Vec<Value>, of_new: bool) -> Result<()> {
        if of_new {
            self.children.push((kind, values));
            return Ok(());
        }
        self.write_child(kind, values)
    }

    fn write_child(&mut self, kind: Child, values: Vec<Value>) -> Result<()> {
        let statement = match kind {
            Child::Consent => &mut self.consent,
            Child::SignUp => &mut self.activity,
        };
        statement.execute(params_from_iter(values)).map_err(db)?;
        Ok(())
    }

    /// Writes every waiting contact, then their e-mails, consent events and sign-ups.
    pub(super) fn flush(&mut self) -> Result<()> {
        let shared = &self.shared;
        let values: Vec<&dyn ToSql> = self
            .contacts
            .iter()
            .flat_map(|(rowid, c)| {
                [
                    rowid as &dyn ToSql,
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
        match self.contacts.len() {
            0 => {}
            BATCH => {
                self.full_contacts.execute(&values[..]).map_err(db)?;
            }
            n => {
                self.conn.prepare(&batched(INSERT, INSERT_WIDTH, n)?).map_err(db)?.execute(&values[..]).map_err(db)?;
            }
        }
        drop(values);
        self.contacts.clear();
        self.waiting.clear();

        for chunk in self.emails.chunks(BATCH) {
            let values: Vec<&dyn ToSql> = chunk
                .iter()
                .flat_map(|e| [&e.contact as &dyn ToSql, &shared.workspace, &e.email, &e.primary, &e.bounced, &shared.hlc])
                .collect();
            if chunk.len() == BATCH {
                self.full_emails.execute(&values[..]).map_err(db)?;
            } else {
                self.conn.prepare(&batched(INSERT_EMAIL, EMAIL_WIDTH, chunk.len())?).map_err(db)?.execute(&values[..]).map_err(db)?;
            }
        }
        self.emails.clear();
        for (kind, values) in std::mem::take(&mut self.children) {
            self.write_child(kind, values)?;
        }
        Ok(())
    }
}
