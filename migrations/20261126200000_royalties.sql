-- Royalties I: imported statement files, their normalised lines, matching rules, saved column
-- mappings, and a rollup that keeps reports fast whatever the number of lines.
--
-- Statement files, rules and mappings are synced rows (hlc + deleted tombstone). Lines belong to
-- their file and never change except for their match (derived: recomputable from the rules), so
-- they carry no clock of their own; a file is identified by its content hash, a line by
-- (file, line number).

CREATE TABLE statement_files (
    id           TEXT PRIMARY KEY NOT NULL,
    seq          INTEGER NOT NULL UNIQUE, -- local short key the lines carry (1, 2, 3...)
    content_hash TEXT NOT NULL,          -- SHA-256 of the file's bytes, lower-case hex
    file_name    TEXT NOT NULL,
    format       TEXT NOT NULL,          -- distrokid, tunecore, cdbaby, bandcamp, ddex-dsr, xlsx, mapped
    layout       TEXT NOT NULL,          -- the layout version the parser followed
    encoding     TEXT NOT NULL,
    byte_size    INTEGER NOT NULL,
    line_count   INTEGER NOT NULL,       -- data lines read (header and comments excluded)
    imported     INTEGER NOT NULL,       -- normalised lines stored
    skipped      TEXT NOT NULL DEFAULT '[]', -- JSON [{"line":N,"reason":"..."}]
    raw_columns  TEXT NOT NULL DEFAULT '[]', -- JSON ["Team Percentage", ...]: what each line's raw array holds
    imported_at  TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
-- "Was this file imported already?" at the start of every import.
CREATE UNIQUE INDEX statement_files_by_hash ON statement_files (content_hash) WHERE deleted = 0;

-- Written in bulk (a million lines in seconds): no foreign keys to check per line (file_seq,
-- track_id and release_id are set by the importer from rows it just read in the same
-- transaction; tracks and releases are tombstoned, never deleted), and few indexes. A file's
-- lines are one contiguous rowid range, in file order.
CREATE TABLE statement_lines (
    id               INTEGER PRIMARY KEY,
    file_seq         INTEGER NOT NULL,   -- statement_files.seq
    line_no          INTEGER NOT NULL,   -- the file's own line (header = 1); DSR: the record's line
    reporting_period TEXT NOT NULL,      -- YYYY-MM: the month the source reported it
    sale_period      TEXT,               -- YYYY-MM: the month of the sale or usage, when given
    store            TEXT NOT NULL,
    territory        TEXT,               -- ISO 3166-1 alpha-2, when the source names one
    -- (CHECKs on bulk-written columns use OR chains: SQLite builds a temporary table for an IN
    -- list of more than two values at every insert, a tenth of a bulk import's time.)
    usage_type       TEXT NOT NULL CHECK (usage_type = 'stream' OR usage_type = 'download' OR usage_type = 'physical'
                                          OR usage_type = 'sync' OR usage_type = 'other'),
    isrc             TEXT,
    upc              TEXT,
    title            TEXT,
    artist           TEXT,
    units            INTEGER NOT NULL,
    amount           TEXT NOT NULL,      -- exact decimal as the source gave it (normalised notation)
    currency         TEXT NOT NULL,      -- ISO 4217
    raw              TEXT NOT NULL,      -- JSON: the rest of the source row (array in the order of the
                                         -- file's raw_columns; DSR: an object of the record's fields)
    track_id         TEXT,               -- tracks.id
    release_id       TEXT,               -- releases.id: only for release-level matches (a track's release comes from the track)
    matched_by       TEXT CHECK (matched_by IS NULL OR matched_by = 'isrc' OR matched_by = 'upc'
                                 OR matched_by = 'title_artist' OR matched_by = 'rule')
) STRICT;
-- Lines of a file (file detail, and per-file clean-up).
CREATE INDEX statement_lines_by_file ON statement_lines (file_seq);
-- The unmatched queue: grouped by title/artist/ISRC, counted on the dashboard.
CREATE INDEX statement_lines_unmatched ON statement_lines (isrc, title, artist) WHERE track_id IS NULL AND release_id IS NULL;
-- No index by track or release: each costs more than a third of a bulk import's time (36-byte
-- UUID keys compared at every insert). Reports read the rollup; only artist-filtered reports
-- read the lines (a scan).

-- "Lines with this ISRC / this title and artist belong to that track (or release)": made when the
-- user assigns from the unmatched queue, applied to every later import.
CREATE TABLE match_rules (
    id         TEXT PRIMARY KEY NOT NULL,
    match_kind TEXT NOT NULL CHECK (match_kind IN ('isrc', 'upc', 'title_artist')),
    match_key  TEXT NOT NULL,            -- the normalised ISRC, UPC, or "title\u001fartist"
    track_id   TEXT REFERENCES tracks (id),
    release_id TEXT REFERENCES releases (id),
    created_at TEXT NOT NULL,
    hlc        TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    CHECK (track_id IS NOT NULL OR release_id IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX match_rules_by_key ON match_rules (match_kind, match_key) WHERE deleted = 0;

-- A user's column mapping for a layout Roadie does not know, found again by its header.
CREATE TABLE column_mappings (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL CHECK (length(name) > 0),
    header_key  TEXT NOT NULL,           -- normalised header (lower-case, trimmed, \u001f-joined)
    definition  TEXT NOT NULL,           -- JSON: field -> column name, defaults (currency, store...)
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX column_mappings_by_name ON column_mappings (name) WHERE deleted = 0;
CREATE INDEX column_mappings_by_header ON column_mappings (header_key) WHERE deleted = 0;

-- Local, derived rollup behind every report (never synced; rebuilt from the lines when needed):
-- one row per dimension value x reporting period x currency. Reports read these few rows
-- instead of every line. dim: 'store', 'territory', 'track', 'release'; key: the store name, the
-- ISO code, the track or release id ('' when unknown or unmatched). Every line is in exactly one
-- row of each dim, so by-month reads the 'store' rows. Amount is exact decimal text (summed in
-- Rust with rust_decimal: SQLite has no exact decimal sum).
CREATE TABLE royalty_rollup (
    dim      TEXT NOT NULL CHECK (dim IN ('store', 'territory', 'track', 'release')),
    key      TEXT NOT NULL,
    period   TEXT NOT NULL,
    currency TEXT NOT NULL,
    units    INTEGER NOT NULL,
    amount   TEXT NOT NULL,
    PRIMARY KEY (dim, period, key, currency)
) STRICT, WITHOUT ROWID;
