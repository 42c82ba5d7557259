-- Statement files sync (crates/roadie/src/royalties/transfer.rs): the file row syncs, its bytes
-- go through platform storage (content-addressed by SHA-256 per workspace), and a device that
-- pulls a file row it does not have downloads the bytes and imports them the same way, so the
-- lines come out identical on every device (a line is (file, line number); line ids stay local).
--
-- `seq` stays local (the short key this device's lines carry): a file row pulled from elsewhere
-- gets a negative seq until its lines are here (its download and import then give it the next
-- positive one), so `seq > 0` means "this device has the lines".

-- The file's workspace (NULL: the signed-in account's own), who imported it (platform user id,
-- when signed in), and how it was read: the options the import was given and, when a saved
-- column mapping read it, that mapping as it was (JSON {format, encoding, skip_invalid,
-- mapping: {name, mapping}}), so another device reads the same bytes the same way.
ALTER TABLE statement_files ADD COLUMN workspace_id TEXT;
ALTER TABLE statement_files ADD COLUMN imported_by TEXT;
ALTER TABLE statement_files ADD COLUMN read_with TEXT NOT NULL DEFAULT '{}';

-- Files imported here whose bytes are not on the platform yet (kept in the blob directory next
-- to the store until they are): uploaded at the next sync, oldest first.
CREATE TABLE statement_file_uploads (
    content_hash TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT,                  -- NULL: the account's own
    queued_at    TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT
) STRICT;

-- Files whose lines this device still has to fetch (pulled rows): the sync's download pass.
CREATE INDEX statement_files_without_lines ON statement_files (seq) WHERE seq < 0;
