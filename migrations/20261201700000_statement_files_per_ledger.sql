-- A statement file is in a ledger once, not in a store once: the same bytes can be in the
-- account's own ledger and a label's (a staff member who imported their own copy of a statement
-- the label also imports). With one row per content hash, pulling the label's row failed its
-- unique index (a sync error) and importing the file into the other ledger said "duplicate".
DROP INDEX statement_files_by_hash;
CREATE UNIQUE INDEX statement_files_by_hash ON statement_files (ifnull(workspace_id, ''), content_hash) WHERE deleted = 0;

-- An upload per file and workspace (the platform keeps a workspace's files apart), sent
-- resumably: `upload_url` is the platform's tus upload of it, where the next sync goes on.
CREATE TABLE statement_file_uploads_by_ledger (
    content_hash TEXT NOT NULL,
    workspace_id TEXT,                  -- NULL: the account's own
    queued_at    TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    upload_url   TEXT
) STRICT;
INSERT INTO statement_file_uploads_by_ledger (content_hash, workspace_id, queued_at, attempts, last_error)
    SELECT content_hash, workspace_id, queued_at, attempts, last_error FROM statement_file_uploads;
DROP TABLE statement_file_uploads;
ALTER TABLE statement_file_uploads_by_ledger RENAME TO statement_file_uploads;
CREATE UNIQUE INDEX statement_file_uploads_by_file ON statement_file_uploads (content_hash, ifnull(workspace_id, ''));
