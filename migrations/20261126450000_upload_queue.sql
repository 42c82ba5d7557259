-- The desktop's upload queue: files (a release's masters and artwork) to send to the platform,
-- each with its status, so the queue survives an app restart. The bytes' progress lives in
-- platform_uploads (per file, per server), which the resumable upload keeps. Local job state:
-- not synced.
CREATE TABLE platform_upload_queue (
    id         TEXT PRIMARY KEY,
    server     TEXT NOT NULL,
    release_id TEXT,
    path       TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    uploaded   INTEGER NOT NULL DEFAULT 0,
    status     TEXT NOT NULL CHECK (status IN ('queued', 'uploading', 'paused', 'complete', 'failed', 'cancelled')),
    sha256     TEXT,
    -- The last failure as the engine's error payload (JSON), for the UI to translate.
    error      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX platform_upload_queue_status ON platform_upload_queue (status, created_at);
