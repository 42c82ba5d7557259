-- Two-way sync (see crates/roadie/src/sync/mod.rs). The outbox and the field clocks are written
-- by triggers generated from the list of synced tables, in the same transaction as each local
-- write; pulled changes are applied with `sync_applying` holding a row, which the triggers skip.

-- Local changes not yet accepted by the server, in the order they were made.
CREATE TABLE sync_outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: the change id derives from it
    tbl          TEXT NOT NULL,
    pk           TEXT NOT NULL,
    workspace_id TEXT,                              -- NULL: the account's own workspace
    hlc          TEXT NOT NULL,
    fields       TEXT NOT NULL,                     -- JSON {column: value}
    base         TEXT NOT NULL DEFAULT '{}',        -- JSON {column: clock of the replaced value}
    old          TEXT NOT NULL DEFAULT '{}'         -- JSON {column: the replaced value} (to drop no-ops)
) STRICT;
-- Writes of one row in one operation (same HLC) merge into one change.
CREATE INDEX sync_outbox_by_row ON sync_outbox (tbl, pk, hlc);

-- The clock of each field's current value; col '*' is the row's insert (fields never edited
-- since). Written by the triggers and by the merge of pulled changes.
CREATE TABLE sync_clocks (
    tbl TEXT NOT NULL,
    pk  TEXT NOT NULL,
    col TEXT NOT NULL,
    hlc TEXT NOT NULL,
    PRIMARY KEY (tbl, pk, col)
) STRICT, WITHOUT ROWID;

-- Holds a row only while pulled changes are applied (inside that write transaction).
CREATE TABLE sync_applying (one INTEGER PRIMARY KEY) STRICT;

-- Two edits of one field that raced (from the server's log): the winner applies, the user may
-- take the other instead.
CREATE TABLE sync_conflicts (
    id           TEXT PRIMARY KEY NOT NULL,
    seq          INTEGER NOT NULL,
    workspace_id TEXT NOT NULL,
    tbl          TEXT NOT NULL,
    pk           TEXT NOT NULL,
    col          TEXT NOT NULL,
    winner_value TEXT NOT NULL,  -- JSON
    winner_hlc   TEXT NOT NULL,
    winner_user  TEXT NOT NULL,
    loser_value  TEXT NOT NULL,  -- JSON
    loser_hlc    TEXT NOT NULL,
    loser_user   TEXT NOT NULL,
    resolved_at  TEXT,
    resolution   TEXT CHECK (resolution IS NULL OR resolution IN ('mine', 'theirs', 'superseded'))
) STRICT;
-- Conflicts screen: open conflicts, oldest first; and "is this field in conflict?" on merge.
CREATE INDEX sync_conflicts_open ON sync_conflicts (seq) WHERE resolved_at IS NULL;
CREATE INDEX sync_conflicts_by_field ON sync_conflicts (tbl, pk, col) WHERE resolved_at IS NULL;

-- What sync could not do: local changes the server refused, pulled changes this store could not
-- apply (a unique constraint, a missing parent). Shown in the sync status.
CREATE TABLE sync_errors (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
    change_id TEXT NOT NULL,
    tbl       TEXT NOT NULL,
    pk        TEXT NOT NULL,
    code      TEXT NOT NULL,
    message   TEXT NOT NULL,
    change    TEXT NOT NULL      -- JSON of the change, to retry or inspect
) STRICT;
CREATE INDEX sync_errors_recent ON sync_errors (at);
