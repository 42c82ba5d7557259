-- Fans at 100,000 contacts: the indexes the Fans screen reads lead with the workspace's row
-- number in this store (`ws`, a small integer) instead of its 36-character id. Every entry of six
-- indexes was that id again; a fan import sorted and compared it for every contact it indexed
-- (bench/fans_layout.sh). `ws` stays on this device (sync/mod.rs: a local column): it is filled
-- from the workspace's id by the triggers below whatever writes the row (a single edit, a pulled
-- change); the fan import writes it itself. Queries give it as
-- `(SELECT rowid FROM workspaces WHERE id = ?)` (fans::WORKSPACE_NUMBER). The rowid of a table
-- without an INTEGER PRIMARY KEY is kept by everything but VACUUM, which Roadie never runs (the
-- search index relies on the contacts' rowids in the same way).
ALTER TABLE contacts ADD COLUMN ws INTEGER;
UPDATE contacts SET ws = (SELECT w.rowid FROM workspaces w WHERE w.id = contacts.workspace_id);
CREATE TRIGGER contacts_ws AFTER INSERT ON contacts WHEN NEW.ws IS NULL
BEGIN
    UPDATE contacts SET ws = (SELECT w.rowid FROM workspaces w WHERE w.id = NEW.workspace_id) WHERE rowid = NEW.rowid;
END;
-- A contact pulled before its workspace (in one page, with foreign keys checked at the commit).
CREATE TRIGGER workspaces_contacts_ws AFTER INSERT ON workspaces
BEGIN
    UPDATE contacts SET ws = NEW.rowid WHERE ws IS NULL AND workspace_id = NEW.id;
END;

DROP INDEX contacts_by_name;
CREATE INDEX contacts_by_name ON contacts (ws, deleted, name IS NULL, name COLLATE NOCASE, id);
DROP INDEX contacts_facets;
CREATE INDEX contacts_facets ON contacts (ws, deleted, country, consent_status, city COLLATE NOCASE, last_activity);
DROP INDEX contacts_by_city;
CREATE INDEX contacts_by_city ON contacts (ws, city COLLATE NOCASE, id) WHERE deleted = 0;
DROP INDEX contacts_by_country;
CREATE INDEX contacts_by_country ON contacts (country, ws, id) WHERE deleted = 0;
DROP INDEX contacts_by_phone;
CREATE INDEX contacts_by_phone ON contacts (ws, phone_digits) WHERE phone_digits IS NOT NULL AND deleted = 0;

-- A tag's workspace (segment counts by tag) likewise: its contact's `ws` (was the id's text).
DROP INDEX contact_tags_by_workspace;
DROP TRIGGER contact_tags_workspace;
ALTER TABLE contact_tags ADD COLUMN ws INTEGER;
UPDATE contact_tags SET ws = (SELECT c.ws FROM contacts c WHERE c.id = contact_tags.contact_id);
ALTER TABLE contact_tags DROP COLUMN workspace_id;
CREATE TRIGGER contact_tags_ws AFTER INSERT ON contact_tags WHEN NEW.ws IS NULL
BEGIN
    UPDATE contact_tags SET ws = (SELECT c.ws FROM contacts c WHERE c.id = NEW.contact_id)
     WHERE contact_id = NEW.contact_id AND tag = NEW.tag;
END;
CREATE INDEX contact_tags_by_workspace ON contact_tags (tag, ws, deleted, contact_id);
