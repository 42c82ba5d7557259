-- Uploads of local files to the platform (tus), so an interrupted upload of the same file resumes
-- (after a crash or a restart) instead of starting over. Local job state: not synced, so no HLC
-- or tombstone.
CREATE TABLE platform_uploads (
    id         TEXT PRIMARY KEY,
    server     TEXT NOT NULL,
    path       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    release_id TEXT,
    url        TEXT,
    uploaded   INTEGER NOT NULL DEFAULT 0,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'complete', 'failed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
-- Finding the job of "the same file" (content, size, destination) on this server.
CREATE INDEX platform_uploads_file ON platform_uploads (server, sha256, size, release_id);
