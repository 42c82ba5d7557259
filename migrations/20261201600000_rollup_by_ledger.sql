-- Reports show the ledger the store keeps now (royalties/ledger.rs), like statements do: a staff
-- member who keeps a label's ledger and their own sees one at a time, never the sum of both. The
-- rollups gain the ledger of each line's file ('' for the account's own, else the file's
-- workspace) as the first column of their keys. They are local and derived: dropped here and
-- rebuilt exactly from the lines (in Rust) the first time a report is read.
DROP TABLE royalty_rollup;
CREATE TABLE royalty_rollup (
    ledger   TEXT NOT NULL,
    dim      TEXT NOT NULL CHECK (dim IN ('store', 'territory', 'track', 'release')),
    key      TEXT NOT NULL,
    period   TEXT NOT NULL,
    currency TEXT NOT NULL,
    units    INTEGER NOT NULL,
    amount   TEXT NOT NULL,
    PRIMARY KEY (ledger, dim, period, key, currency)
) STRICT, WITHOUT ROWID;

DROP TABLE royalty_rollup_items;
CREATE TABLE royalty_rollup_items (
    ledger   TEXT NOT NULL,
    dim      TEXT NOT NULL CHECK (dim IN ('store', 'territory')),
    item     TEXT NOT NULL,
    key      TEXT NOT NULL,
    period   TEXT NOT NULL,
    currency TEXT NOT NULL,
    units    INTEGER NOT NULL,
    amount   TEXT NOT NULL,
    PRIMARY KEY (ledger, dim, item, period, key, currency)
) STRICT, WITHOUT ROWID;

-- The ledger key of the ledger kept now: the chosen live workspace, else '' (the account's own).
CREATE VIEW current_ledger AS
    SELECT ifnull((SELECT s.value FROM settings s JOIN workspaces w ON w.id = s.value AND w.deleted = 0
                   WHERE s.key = 'royalties.workspace'), '') AS ledger;
