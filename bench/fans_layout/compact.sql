.read common.sql
BEGIN;
CREATE TABLE contacts (rid INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, workspace INTEGER NOT NULL, name TEXT, phone TEXT, phone_digits TEXT, city TEXT, region TEXT, country TEXT, language TEXT, notes TEXT, first_seen INTEGER NOT NULL, last_activity INTEGER, consent_status INTEGER NOT NULL DEFAULT 0, erased INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, hlc INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE contact_emails (contact INTEGER NOT NULL, workspace INTEGER NOT NULL, email TEXT NOT NULL, is_primary INTEGER NOT NULL DEFAULT 0, bounced INTEGER NOT NULL DEFAULT 0, hlc INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (contact, email)) STRICT, WITHOUT ROWID;
CREATE TABLE contact_tags (contact INTEGER NOT NULL, tag TEXT NOT NULL, hlc INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, workspace INTEGER, PRIMARY KEY (contact, tag)) STRICT, WITHOUT ROWID;
CREATE TABLE contact_sources (contact INTEGER NOT NULL, source TEXT NOT NULL, hlc INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (contact, source)) STRICT, WITHOUT ROWID;
INSERT INTO contacts (rid, id, workspace, name, city, country, first_seen, created_at, updated_at, hlc) SELECT n, randomblob(16), 1, name, city, country, 1795768571234380, 1795768571234380, 1795768571234380, 1795768571234000 FROM s ORDER BY n;
INSERT INTO contact_emails (contact, workspace, email, is_primary, hlc) SELECT n, 1, email, 1, 1795768571234000 FROM s ORDER BY n;
INSERT INTO contact_tags (contact, tag, hlc, workspace) SELECT n, tags, 1795768571234000, 1 FROM s WHERE tags <> '' ORDER BY n;
INSERT INTO contact_sources (contact, source, hlc) SELECT n, 'csv:fans.csv', 1795768571234000 FROM s ORDER BY n;
CREATE UNIQUE INDEX contact_emails_unique ON contact_emails (email, workspace) WHERE deleted = 0;
CREATE INDEX contact_sources_by_source ON contact_sources (source, contact) WHERE deleted = 0;
CREATE INDEX contact_tags_by_workspace ON contact_tags (tag, workspace, deleted, contact);
CREATE INDEX contacts_by_city ON contacts (workspace, city COLLATE NOCASE) WHERE deleted = 0;
CREATE INDEX contacts_by_country ON contacts (country, workspace) WHERE deleted = 0;
CREATE INDEX contacts_by_name ON contacts (workspace, deleted, name IS NULL, name COLLATE NOCASE);
CREATE INDEX contacts_by_phone ON contacts (workspace, phone_digits) WHERE phone_digits IS NOT NULL AND deleted = 0;
CREATE INDEX contacts_facets ON contacts (workspace, deleted, country, consent_status, city COLLATE NOCASE, last_activity);
COMMIT;
