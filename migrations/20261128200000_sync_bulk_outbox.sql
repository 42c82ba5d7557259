-- A bulk write (crates/roadie/src/sync/bulk.rs) queues ONE outbox entry per table it added rows
-- to, expanded into one change per row when it is pushed; a row a bulk write made has no '*'
-- clock of its own (its insert clock is its `hlc` until the row's hlc first changes, when the
-- triggers write the '*' clock down).

-- NULL: the entry is one change. Otherwise the entry stands for the rows a bulk write made in
-- `tbl` (pk '*', hlc the bulk write's, fields '{}'), as JSON: {"after": rowid, "upto": rowid}
-- (an ordinary table: rows in that rowid range) or {"key": [...]} (a WITHOUT ROWID table: rows
-- after that key, null at first), and "n", the rows still to push (for progress and status).
ALTER TABLE sync_outbox ADD COLUMN bulk TEXT;

-- The HLC of the open bulk write (finds its rows in WITHOUT ROWID tables).
ALTER TABLE sync_bulk ADD COLUMN hlc TEXT;

-- A row a pending bulk entry stands for, as it was when the bulk write made it, kept the first
-- time the row changes before it is pushed (an edit, a merge, a pulled change): the push sends
-- the insert as it was made, and the later edits as edits.
CREATE TABLE sync_bulk_before (
    tbl    TEXT NOT NULL,
    pk     TEXT NOT NULL,
    hlc    TEXT NOT NULL,  -- the bulk write's
    fields TEXT NOT NULL,  -- JSON {column: value}, as the insert would have queued them
    PRIMARY KEY (tbl, pk)
) STRICT, WITHOUT ROWID;
