-- Royalties: the artist dimension of the report rollup. Reports by store or territory filtered
-- by artist read these rows (one per store or territory x catalog item x period x currency)
-- instead of every line: `item` is the track a line is matched to, the release for release-level
-- lines, '' for unmatched lines. An artist's rows are those of the artist's tracks and releases,
-- found through the primary key. Local and derived like royalty_rollup: filled at import,
-- adjusted by the unmatched queue, and rebuilt from the lines (exactly, in Rust) when a store
-- that has lines has none of these rows yet (a store made before this migration).
CREATE TABLE royalty_rollup_items (
    dim      TEXT NOT NULL CHECK (dim IN ('store', 'territory')),
    item     TEXT NOT NULL,
    key      TEXT NOT NULL,
    period   TEXT NOT NULL,
    currency TEXT NOT NULL,
    units    INTEGER NOT NULL,
    amount   TEXT NOT NULL,
    PRIMARY KEY (dim, item, period, key, currency)
) STRICT, WITHOUT ROWID;

-- The unmatched queue, grouped and summed from this index alone (units in it, and the two ids
-- its WHERE names, always NULL here, so SQLite sees it covers the query: no line is read).
DROP INDEX statement_lines_unmatched;
CREATE INDEX statement_lines_unmatched ON statement_lines (isrc, title, artist, units, track_id, release_id)
    WHERE track_id IS NULL AND release_id IS NULL;
