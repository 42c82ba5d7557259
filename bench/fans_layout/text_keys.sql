.read common.sql
BEGIN;
CREATE TABLE contacts (id TEXT PRIMARY KEY NOT NULL, workspace_id TEXT NOT NULL, name TEXT, phone TEXT, phone_digits TEXT, city TEXT, region TEXT, country TEXT, language TEXT, notes TEXT, first_seen TEXT NOT NULL, last_activity TEXT, consent_status TEXT NOT NULL DEFAULT 'unknown', erased INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, hlc TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE contact_emails (contact_id TEXT NOT NULL, workspace_id TEXT NOT NULL, email TEXT NOT NULL, is_primary INTEGER NOT NULL DEFAULT 0, bounced INTEGER NOT NULL DEFAULT 0, hlc TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (contact_id, email)) STRICT, WITHOUT ROWID;
CREATE TABLE contact_tags (contact_id TEXT NOT NULL, tag TEXT NOT NULL, hlc TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, workspace_id TEXT, PRIMARY KEY (contact_id, tag)) STRICT, WITHOUT ROWID;
CREATE TABLE contact_sources (contact_id TEXT NOT NULL, source TEXT NOT NULL, hlc TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (contact_id, source)) STRICT, WITHOUT ROWID;
INSERT INTO contacts (id, workspace_id, name, city, country, first_seen, created_at, updated_at, hlc) SELECT cid, ws, name, city, country, ts, ts, ts, hlc FROM s ORDER BY n;
INSERT INTO contact_emails (contact_id, workspace_id, email, is_primary, hlc) SELECT cid, ws, email, 1, hlc FROM s ORDER BY n;
INSERT INTO contact_tags (contact_id, tag, hlc, workspace_id) SELECT cid, tags, hlc, ws FROM s WHERE tags <> '' ORDER BY n;
INSERT INTO contact_sources (contact_id, source, hlc) SELECT cid, 'csv:fans.csv', hlc FROM s ORDER BY n;
CREATE UNIQUE INDEX contact_emails_unique ON contact_emails (email, workspace_id) WHERE deleted = 0;
CREATE INDEX contact_sources_by_source ON contact_sources (source, contact_id) WHERE deleted = 0;
CREATE INDEX contact_tags_by_workspace ON contact_tags (tag, workspace_id, deleted, contact_id);
CREATE INDEX contacts_by_city ON contacts (workspace_id, city COLLATE NOCASE, id) WHERE deleted = 0;
CREATE INDEX contacts_by_country ON contacts (country, workspace_id, id) WHERE deleted = 0;
CREATE INDEX contacts_by_name ON contacts (workspace_id, deleted, name IS NULL, name COLLATE NOCASE, id);
CREATE INDEX contacts_by_phone ON contacts (workspace_id, phone_digits) WHERE phone_digits IS NOT NULL AND deleted = 0;
CREATE INDEX contacts_facets ON contacts (workspace_id, deleted, country, consent_status, city COLLATE NOCASE, last_activity);
COMMIT;
