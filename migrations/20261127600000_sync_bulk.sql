-- Bulk writes pay for the sync outbox set-wise (crates/roadie/src/sync/bulk.rs). While a bulk
-- write is open (inside its write transaction only), the insert triggers of a synced table with a
-- row here queue nothing, and its update triggers skip the rows the bulk write made; at its end
-- one INSERT ... SELECT per table queues the new rows as the triggers would have.

-- The tables under a bulk write; `after`: the largest rowid before it (NULL for a WITHOUT ROWID
-- table, whose new rows are listed in sync_bulk_rows instead).
CREATE TABLE sync_bulk (
    tbl   TEXT PRIMARY KEY NOT NULL,
    after INTEGER
) STRICT;

-- Keys of the rows a bulk write inserted into WITHOUT ROWID tables (pk as in sync_clocks).
CREATE TABLE sync_bulk_rows (
    tbl TEXT NOT NULL,
    pk  TEXT NOT NULL,
    PRIMARY KEY (tbl, pk)
) STRICT, WITHOUT ROWID;
