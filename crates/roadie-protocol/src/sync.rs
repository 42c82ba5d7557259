//! Two-way sync (`/v1/sync/...`): push batches of field-level changes, pull the workspace log in
//! pages since a cursor. The same merge rule (`wins`) runs on the server (to decide which value a
//! field holds and to detect races) and in every client (to apply pulled changes), so every
//! store converges to the same values.
//!
//! Versioning: the wire format has a protocol number, sent by the client in the
//! `Roadie-Sync-Protocol` header of every sync request; a server outside its range refuses with
//! `sync_protocol_unsupported`, naming both. Table and column sets evolve without a number: a
//! client that pulls a change for a table or column it does not know refuses the page (nothing
//! applied) and says to update Roadie, instead of dropping data.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

/// The sync wire format this build speaks.
pub const SYNC_PROTOCOL: u32 = 1;
/// The oldest sync wire format this build still accepts.
pub const SYNC_PROTOCOL_MIN: u32 = 1;
/// Request header carrying the client's sync protocol number.
pub const SYNC_PROTOCOL_HEADER: &str = "roadie-sync-protocol";
/// Largest number of changes in one push (a client uses the smaller of its own and the server's,
/// from `/v1/sync/info`). A few MB of JSON at most: one transaction's worth on the server.
pub const MAX_PUSH_BATCH: usize = 4000;
/// Largest page of a pull.
pub const MAX_PULL_PAGE: u32 = 4000;

/// Refusal code of a pushed change whose id the server already applied for a different change
/// (another table, key or clock): two stores share a node id (a copied store file). The client
/// takes a new node id, which re-derives the ids of everything it has not pushed, and pushes
/// again.
pub const CHANGE_ID_REUSED: &str = "sync_change_id_reused";

/// The tables of a ledger (payees and their splits, advances and payouts, exchange rates,
/// statement files and what is issued from them). In a label's workspace they are the label's
/// books: its owner, admins and staff read and write them; a roster artist (role `artist`) gets
/// their own statements through the statements route, never the label's ledger (its other
/// artists' earnings), and may not write it.
pub const LEDGER_TABLES: &[&str] = &[
    "payees",
    "splits",
    "split_shares",
    "advances",
    "fx_rates",
    "statement_files",
    "statement_runs",
    "payee_statements",
    "recoupments",
    "payouts",
];

/// Who may read and write a workspace's ledger (see [`LEDGER_TABLES`]).
pub const LEDGER_ROLES: &[crate::Role] = &[crate::Role::Owner, crate::Role::LabelAdmin, crate::Role::LabelStaff];

/// `GET /v1/sync/info`: what the server speaks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SyncInfo {
    pub protocol_min: u32,
    pub protocol_max: u32,
    pub max_push_batch: u32,
    pub max_pull_page: u32,
}

/// One local mutation of one row: the fields it set (column -> value), stamped with the HLC of
/// the write, and for each field the clock of the value the edit replaced (`base`; absent for a
/// new row). A field whose base is older than the server's value of it was edited without seeing
/// that value: a race, kept as a conflict (unless the column is in `quiet`, e.g. `updated_at`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Change {
    /// Made by the client; the server applies each id once (a retried push is a no-op).
    pub change_id: Uuid,
    /// The workspace the row belongs to; absent: the pusher's own workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<Uuid>,
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 64, pattern = r"^[a-z_][a-z0-9_]*$")
    )]
    pub table: String,
    /// The row's key: the id, or a JSON array of the key columns' values for a composite key.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1000))]
    pub pk: String,
    /// Hybrid logical clock of the write (fixed-width text, ordered as a string).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub hlc: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub base: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quiet: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushRequest {
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    /// Applied now, with this sequence number.
    Applied,
    /// Applied by an earlier push (the same change id): nothing done again.
    Duplicate,
    /// Not applied: `code` and `message` say why (the rest of the batch is unaffected).
    Refused,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushResult {
    pub change_id: Uuid,
    pub status: PushStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    /// For a refusal: `forbidden`, `not_found` (no such workspace for you), `wrong_workspace`,
    /// `invalid_input`, `sync_change_id_reused` (the id was applied before for another change:
    /// a store copied with its node id; take a new one and push again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushResponse {
    /// One result per change, in the order sent.
    pub results: Vec<PushResult>,
}

/// `GET /v1/sync/pull` query.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams), into_params(parameter_in = Query))]
pub struct PullQuery {
    /// The last sequence number already applied (0 for a first sync). Required: a request whose
    /// cursor was lost or mangled is refused rather than silently restarted from 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub since: i64,
    /// Page size (at most `max_pull_page`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 4000))]
    pub limit: Option<u32>,
    /// Only this workspace's log (with `since` 0: all of it). A client that finds it can read a
    /// workspace it has not pulled before (it joined a label after its cursor went past the
    /// label's history) catches it up this way. A server that ignores it sends every readable
    /// workspace's log after `since`: more, never less.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<Uuid>,
}

/// One side of a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConflictSide {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: Value,
    pub hlc: String,
    pub user_id: Uuid,
    pub change_id: Uuid,
}

/// Two edits of one field made without seeing each other. `winner` is the value the field holds
/// (by `wins`); the loser is kept here so the user can choose it instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConflictRecord {
    pub id: Uuid,
    pub table: String,
    pub pk: String,
    pub column: String,
    pub winner: ConflictSide,
    pub loser: ConflictSide,
}

/// One entry of a workspace's log: a change, or a conflict it caused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LogEntry {
    pub seq: i64,
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<ConflictRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PullResponse {
    pub entries: Vec<LogEntry>,
    /// The cursor to send next time (the last entry's seq, or `since` when empty).
    pub cursor: i64,
    /// More entries wait after this page.
    pub more: bool,
    /// Entries after this page, for progress.
    pub remaining: i64,
}

/// Whether a value written at `hlc` replaces `current` written at `current_hlc`: the later clock
/// wins; equal clocks (only possible for one store's own writes) are broken by the value's JSON
/// text, so every replica decides the same.
pub fn wins(hlc: &str, value: &Value, current_hlc: &str, current: &Value) -> bool {
    match hlc.cmp(current_hlc) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => {
            let (value, current) = (value.to_string(), current.to_string());
            value > current
        }
    }
}

/// The store (node) that made a clock stamp: the text after the second `-`.
pub fn hlc_node(hlc: &str) -> &str {
    hlc.splitn(3, '-').nth(2).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn later_clock_wins_and_ties_break_on_the_value() {
        assert!(wins("2", &json!("a"), "1", &json!("b")));
        assert!(!wins("1", &json!("z"), "2", &json!("a")));
        assert!(wins("1", &json!("b"), "1", &json!("a")));
        assert!(!wins("1", &json!("a"), "1", &json!("b")));
        assert!(!wins("1", &json!("a"), "1", &json!("a")));
        assert_eq!(hlc_node("000000000001000-00000-abc"), "abc");
    }
}
