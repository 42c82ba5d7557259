-- Uploads of local files to the platform (tus), so an interrupted upload of the same file resumes
-- (after a crash or a restart) instead of starting over. "The same file" is the same path, size
-- and modification time for the same server and release. Local job state: not synced, so no HLC
-- or tombstone.
CREATE TABLE platform_uploads (
    id         TEXT PRIMARY KEY,
    server     TEXT NOT NULL,
    path       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    mtime      TEXT NOT NULL,
    release_id TEXT,
    url        TEXT,
    uploaded   INTEGER NOT NULL DEFAULT 0,
    -- The file's SHA-256 (hex), once the server confirmed it holds exactly these bytes.
    sha256     TEXT,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'complete', 'failed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX platform_uploads_file ON platform_uploads (server, path, size, mtime, release_id);
