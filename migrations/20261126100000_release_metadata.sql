-- Release builder: full release and track metadata, analysed media, deals, ISRC registrant
-- prefixes and their never-reused designation counters.

ALTER TABLE workspaces ADD COLUMN isrc_prefix TEXT;  -- country + registrant, e.g. CNA01
ALTER TABLE artists ADD COLUMN isrc_prefix TEXT;

ALTER TABLE releases ADD COLUMN version TEXT;
ALTER TABLE releases ADD COLUMN display_artist TEXT;
ALTER TABLE releases ADD COLUMN p_line TEXT;         -- JSON {"year":2026,"text":"Label"}
ALTER TABLE releases ADD COLUMN c_line TEXT;         -- JSON {"year":2026,"text":"Label"}
ALTER TABLE releases ADD COLUMN genre TEXT;
ALTER TABLE releases ADD COLUMN subgenre TEXT;
ALTER TABLE releases ADD COLUMN language TEXT;       -- BCP 47, e.g. zh-Hans, en
ALTER TABLE releases ADD COLUMN original_release_date TEXT;
ALTER TABLE releases ADD COLUMN territories TEXT NOT NULL DEFAULT '["WW"]'; -- JSON: ["WW"] or ISO 3166 codes
ALTER TABLE releases ADD COLUMN explicit INTEGER NOT NULL DEFAULT 0 CHECK (explicit IN (0, 1));
ALTER TABLE releases ADD COLUMN artwork TEXT;        -- JSON ImageAnalysis (path, size, colour model...)
ALTER TABLE releases ADD COLUMN deals TEXT NOT NULL DEFAULT '[]'; -- JSON [Deal]
ALTER TABLE releases ADD COLUMN proprietary_id TEXT; -- the sender's release reference on ERN import
-- Import: "is this release already here?" by barcode.
CREATE INDEX releases_by_upc ON releases (upc) WHERE upc IS NOT NULL AND deleted = 0;

ALTER TABLE tracks ADD COLUMN explicit INTEGER NOT NULL DEFAULT 0 CHECK (explicit IN (0, 1));
ALTER TABLE tracks ADD COLUMN language TEXT;
ALTER TABLE tracks ADD COLUMN preview_start_ms INTEGER CHECK (preview_start_ms IS NULL OR preview_start_ms >= 0);
ALTER TABLE tracks ADD COLUMN display_artist TEXT;
ALTER TABLE tracks ADD COLUMN contributors TEXT NOT NULL DEFAULT '[]'; -- JSON [Contributor]
ALTER TABLE tracks ADD COLUMN work TEXT;             -- JSON MusicalWork (ISWC, writers with shares)
ALTER TABLE tracks ADD COLUMN audio TEXT;            -- JSON AudioAnalysis of the master

-- The last ISRC designation handed out per registrant prefix and year. Only ever goes up, so a
-- code is never handed out twice, even after its track is deleted.
CREATE TABLE isrc_counters (
    prefix           TEXT NOT NULL CHECK (length(prefix) = 5),
    year             INTEGER NOT NULL CHECK (year BETWEEN 0 AND 99),
    last_designation INTEGER NOT NULL CHECK (last_designation BETWEEN 0 AND 99999),
    hlc              TEXT NOT NULL,
    PRIMARY KEY (prefix, year)
) STRICT, WITHOUT ROWID;
