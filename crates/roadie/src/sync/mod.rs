//! Two-way sync with the platform.
//!
//! # How a table joins sync (one step)
//!
//! Add one entry to [`SYNCED_TABLES`], after the tables it references (parents first):
//!
//! ```ignore
//! SyncedTable { name: "payees", key: &["id"], workspace: Some("NEW.workspace_id"), local: &[], quiet: &[], grow: &[] },
//! ```
//!
//! - `name`: the table. It must have `hlc TEXT NOT NULL` (stamped with `Store::stamp()` on every
//!   write) and, if rows can be removed, a `deleted INTEGER` tombstone.
//! - `key`: its primary key columns (never updated).
//! - `workspace`: SQL giving the row's workspace id from `NEW.<column>` (e.g.
//!   `"(SELECT workspace_id FROM releases WHERE id = NEW.release_id)"`); `None` for tables with no
//!   workspace, which sync in the signed-in account's own workspace.
//! - `local`: columns that stay on this device, each with the SQL that fills it when a row
//!   arrives from elsewhere.
//! - `quiet`: columns merged by last-writer-wins without ever reporting a conflict (derived
//!   values); `updated_at` is always quiet.
//! - `grow`: integer columns merged by max (counters such as the ISRC designations), quiet too.
//!
//! Every other column syncs, including columns added later by `ALTER TABLE` (the column list is
//! read from the schema when the store opens). From the list, [`install`] generates
//! `AFTER INSERT/UPDATE/DELETE` triggers that write the outbox and the field clocks in the same
//! transaction as the write itself, whatever code made it (engine calls, bulk imports through
//! rusqlite, a migration). A table that joins with rows already in it has them all queued once.
//!
//! Bulk writers (imports) open a [`BulkWrite`] in their transaction: the triggers then leave the
//! rows it makes alone, and its `finish` queues one outbox entry per table, which the push expands
//! into one insert per row; those rows' insert clock is their `hlc` until it first changes (see
//! bulk.rs).
//!
//! # The protocol
//!
//! - Push: the outbox, oldest first, in batches; each entry carries a change id derived from this
//!   store's node id and its outbox id (so a retry sends the same id, and the server applies it
//!   once), the HLC of the write, the fields it set, and for each the clock of the value it
//!   replaced. Accepted and refused entries leave the outbox in one transaction with the refusals
//!   recorded in `sync_errors`. A store file copied elsewhere keeps its node id, so both copies
//!   make the same change ids: the server refuses an id it applied for another (table, pk, hlc)
//!   with `sync_change_id_reused`, and this store then takes a new node id (re-deriving the ids
//!   of everything still queued) and pushes those changes again.
//! - Pull: the server's log for the workspaces the user may read, in pages after a cursor; each
//!   page is applied and the cursor saved in one transaction (so a cut sync resumes where it
//!   stopped). A pulled field replaces the local one when `roadie_protocol::sync::wins` says so
//!   (later HLC; equal clocks broken by the value), which every replica and the server decide the
//!   same way, so all stores converge.
//! - Conflicts: the server logs a conflict when an edit of a field did not see the value it
//!   replaces; every store records it from the log; the winner applies meanwhile, and the user
//!   can take either side ([`Store::resolve_conflict`]), which is itself an edit that syncs and
//!   closes the conflict everywhere (any edit made after seeing both sides closes it).
//! - Versions: requests carry `Roadie-Sync-Protocol`; the server refuses a protocol it does not
//!   speak, and this client refuses a server whose range excludes it (`sync_protocol_mismatch`).
//!   A pulled change for a table or column this build does not know stops the pull without
//!   applying the page (`sync_schema_too_new`): update Roadie.
//!
//! Not synced: local job state (uploads, import bookkeeping, fan mappings), derived data (the
//! royalty rollup, search index — rebuilt on apply), statement lines (bulk data: their file's row
//! syncs and its bytes go through platform storage, royalties/transfer.rs).

pub(crate) mod bulk;
mod catch_up;
pub(crate) mod engine;
mod schema;

pub use bulk::BulkWrite;

pub use engine::{
    Conflict, ConflictSideView, SyncCancel, SyncError, SyncPhase, SyncProgress, SyncReport,
    SyncStatus, Take,
};
pub use schema::install;
pub(crate) use schema::TableShape;
#[cfg(test)]
pub(crate) use schema::shapes as schema_shapes;

/// A table that syncs. See the module documentation.
#[derive(Debug, Clone, Copy)]
pub struct SyncedTable {
    pub name: &'static str,
    pub key: &'static [&'static str],
    pub workspace: Option<&'static str>,
    pub local: &'static [(&'static str, &'static str)],
    pub quiet: &'static [&'static str],
    /// Integer columns that only ever grow (counters): merged by max, never a conflict, so no
    /// device hands out a number another device already handed out once they have synced.
    pub grow: &'static [&'static str],
}

const fn table(
    name: &'static str,
    key: &'static [&'static str],
    workspace: Option<&'static str>,
) -> SyncedTable {
    SyncedTable {
        name,
        key,
        workspace,
        local: &[],
        quiet: &[],
        grow: &[],
    }
}

const VIA_RELEASE: &str = "(SELECT workspace_id FROM releases WHERE id = NEW.release_id)";
const VIA_CONTACT: &str = "(SELECT workspace_id FROM contacts WHERE id = NEW.contact_id)";

const PAYEE_WORKSPACE: &str =
    "COALESCE(NEW.workspace_id, (SELECT workspace_id FROM artists WHERE id = NEW.artist_id))";
const SPLIT_WORKSPACE: &str = "(CASE NEW.scope WHEN 'release' THEN (SELECT workspace_id FROM releases WHERE id = NEW.target_id) \
     ELSE (SELECT r.workspace_id FROM tracks t JOIN releases r ON r.id = t.release_id WHERE t.id = NEW.target_id) END)";
const SHARE_WORKSPACE: &str = "(SELECT CASE s.scope WHEN 'release' THEN (SELECT workspace_id FROM releases WHERE id = s.target_id) \
     ELSE (SELECT r.workspace_id FROM tracks t JOIN releases r ON r.id = t.release_id WHERE t.id = s.target_id) END \
     FROM splits s WHERE s.id = NEW.split_id)";
const ADVANCE_WORKSPACE: &str = "(SELECT COALESCE(p.workspace_id, (SELECT workspace_id FROM artists WHERE id = p.artist_id)) \
     FROM payees p WHERE p.id = NEW.payee_id)";

const RUN_WORKSPACE: &str = "(SELECT workspace_id FROM statement_runs WHERE id = NEW.run_id)";
const STATEMENT_WORKSPACE: &str =
    "(SELECT r.workspace_id FROM payee_statements s JOIN statement_runs r ON r.id = s.run_id WHERE s.id = NEW.statement_id)";

/// Every synced table, parents before the tables that reference them.
pub const SYNCED_TABLES: &[SyncedTable] = &[
    // Catalog
    table("workspaces", &["id"], Some("NEW.id")),
    table("artists", &["id"], Some("NEW.workspace_id")),
    table("releases", &["id"], Some("NEW.workspace_id")),
    table("release_artists", &["release_id", "artist_id", "role"], Some(VIA_RELEASE)),
    table("tracks", &["id"], Some(VIA_RELEASE)),
    table(
        "track_artists",
        &["track_id", "artist_id", "role"],
        Some("(SELECT r.workspace_id FROM tracks t JOIN releases r ON r.id = t.release_id WHERE t.id = NEW.track_id)"),
    ),
    // Fans
    SyncedTable {
        name: "contacts",
        key: &["id"],
        workspace: Some("NEW.workspace_id"),
        // The workspace's row number on this device (the Fans indexes lead with it): a pulled
        // row gets it from its workspace (trigger contacts_ws, migrations/…_fans_workspace_number).
        local: &[("ws", "NULL")],
        // Derived values, and when this device first wrote the row (two devices importing the
        // same list each record their own time: not a disagreement about the fan).
        quiet: &["consent_status", "last_activity", "phone_digits", "created_at"],
        grow: &[],
    },
    table("contact_emails", &["contact_id", "email"], Some("NEW.workspace_id")),
    // `ws` (segment counts by tag) is the contact's workspace number, kept on each device: a
    // pulled row gets it from its contact (trigger contact_tags_ws, migrations/…_fans_workspace_number).
    SyncedTable {
        name: "contact_tags",
        key: &["contact_id", "tag"],
        workspace: Some(VIA_CONTACT),
        local: &[("ws", "NULL")],
        quiet: &[],
        grow: &[],
    },
    table("contact_sources", &["contact_id", "source"], Some(VIA_CONTACT)),
    SyncedTable {
        name: "consent_events",
        key: &["id"],
        workspace: Some(VIA_CONTACT),
        local: &[],
        quiet: &["recorded_at"],
        grow: &[],
    },
    table("activities", &["id"], Some(VIA_CONTACT)),
    table("segments", &["id"], Some("NEW.workspace_id")),
    // Royalties
    table("match_rules", &["id"], None),
    table("column_mappings", &["id"], None),
    // The ledger's set-up. A payee belongs to its workspace, else to its artist's, else to the
    // account's own; advances follow their payee, splits and shares the release or track they
    // split. (Issued statements, their recoupments and payouts follow the statement files below.)
    table("payees", &["id"], Some(PAYEE_WORKSPACE)),
    table("splits", &["id"], Some(SPLIT_WORKSPACE)),
    table("split_shares", &["split_id", "payee_id"], Some(SHARE_WORKSPACE)),
    table("advances", &["id"], Some(ADVANCE_WORKSPACE)),
    // Rates are ids derived from pair, source and day in the ledger's scope (royalties/fx.rs,
    // ledger.rs): the same ECB file imported on two devices of one ledger is the same rows. They
    // sync in the ledger's workspace.
    table("fx_rates", &["id"], Some("NEW.workspace_id")),
    // Statement files (royalties/transfer.rs): the row syncs, the bytes go through platform
    // storage and a device without the lines fetches and imports them. The id derives from the
    // content hash (the same file imported on two devices is one row); `seq` (the short key of
    // this device's lines) stays local, negative until the lines are here. When and by whom a
    // device imported it, and under which name, are no disagreement about the file.
    SyncedTable {
        name: "statement_files",
        key: &["id"],
        workspace: Some("NEW.workspace_id"),
        local: &[("seq", "(-1 - abs(random() % 4611686018427387903))")],
        quiet: &["imported_at", "imported_by", "file_name"],
        grow: &[],
    },
    // What is issued from the lines (royalties/statements): a run names the files it covered (not
    // local line ids), so every device reads the same "lines taken" from it. Runs and payee
    // statements have ids derived from the period (and payee) within the ledger's scope
    // (royalties/ledger.rs): the same period issued on two devices of one ledger offline is one
    // run after a sync, the later issue's fields winning (a conflict where they differ). A run
    // syncs in its ledger's workspace (the account's own, or a label's its staff share), with
    // its statements and their recoupments (so a device that gets a statement always gets its
    // run). Payouts follow their payee.
    SyncedTable {
        name: "statement_runs",
        key: &["id"],
        workspace: Some("NEW.workspace_id"),
        local: &[],
        quiet: &["issued_at", "issue"],
        grow: &[],
    },
    // Which issue a row comes from follows the rest of the row by clock, and is no disagreement of
    // its own (a conflict on a run shows as its files and totals).
    SyncedTable { name: "payee_statements", key: &["id"], workspace: Some(RUN_WORKSPACE), local: &[], quiet: &["issue"], grow: &[] },
    SyncedTable {
        name: "recoupments",
        key: &["statement_id", "advance_id"],
        workspace: Some(STATEMENT_WORKSPACE),
        local: &[],
        quiet: &["issue"],
        grow: &[],
    },
    table("payouts", &["id"], Some(ADVANCE_WORKSPACE)),
    // ISRC counters (per registrant prefix and year): the highest designation any device handed
    // out wins, so after a sync the next code is above every code handed out anywhere.
    SyncedTable {
        name: "isrc_counters",
        key: &["prefix", "year"],
        workspace: None,
        local: &[],
        quiet: &[],
        grow: &["last_designation"],
    },
];

#[cfg(test)]
mod tests;
