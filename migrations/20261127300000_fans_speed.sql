-- Fans at 100,000 contacts: indexes shaped like the queries the Fans screen runs.
--
-- The table's order (name, nameless last, then id) as one index, so the first page and any
-- page after it walk the index instead of sorting every contact; it also covers the total.
CREATE INDEX contacts_by_name ON contacts (workspace_id, deleted, name IS NULL, name COLLATE NOCASE, id);
-- Segment counts read this index only (it holds every column a filter tests but tags, sources,
-- spend and releases): country, consent, city (compared without case) and last activity.
CREATE INDEX contacts_facets ON contacts (workspace_id, deleted, country, consent_status, city COLLATE NOCASE, last_activity);
-- A tag or source filter meets contacts by id: this answers "live, in this workspace?" and the
-- other filters from the index alone.
CREATE INDEX contacts_by_id_live ON contacts (id, workspace_id, deleted, country, consent_status, city COLLATE NOCASE, last_activity);
-- Replaced by the three above (each index is one more b-tree every imported contact updates).
DROP INDEX contacts_by_workspace;
DROP INDEX contacts_by_country;
DROP INDEX contacts_by_consent;
DROP INDEX contacts_by_activity;
