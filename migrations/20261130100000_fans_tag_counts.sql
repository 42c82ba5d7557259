-- Segment counts with a tag filter at 100,000 contacts: a tag's live rows of one workspace as one
-- index range (was: one search of the contacts for every tagged contact).
--
-- `workspace_id` is the tag's contact's (a contact never changes workspace). It is kept on this
-- device only (sync/mod.rs: a local column): writes that leave it out (single edits, merges,
-- pulled rows) get it from the contact by the trigger below; the fan import writes it itself.
ALTER TABLE contact_tags ADD COLUMN workspace_id TEXT;
UPDATE contact_tags SET workspace_id = (SELECT c.workspace_id FROM contacts c WHERE c.id = contact_tags.contact_id);
CREATE TRIGGER contact_tags_workspace AFTER INSERT ON contact_tags WHEN NEW.workspace_id IS NULL
BEGIN
    UPDATE contact_tags SET workspace_id = (SELECT c.workspace_id FROM contacts c WHERE c.id = NEW.contact_id)
     WHERE contact_id = NEW.contact_id AND tag = NEW.tag;
END;
-- `deleted` is a key column (not a partial index's condition) so that counts read the index
-- alone. Replaces contact_tags_by_tag.
CREATE INDEX contact_tags_by_workspace ON contact_tags (workspace_id, tag, deleted, contact_id);
DROP INDEX contact_tags_by_tag;
