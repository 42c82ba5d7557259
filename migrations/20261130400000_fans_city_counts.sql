-- Segment counts of a city and tags at 100,000 contacts ("Shanghai" + "merch"): the city's live
-- contacts as one index range in id order, so the count merges it with the tag's range of
-- contact_tags_by_workspace (also in id order) instead of looking up every tagged contact by id.
-- Partial (live contacts only): the filter always asks for `deleted = 0`.
CREATE INDEX contacts_by_city ON contacts (workspace_id, city COLLATE NOCASE, id) WHERE deleted = 0;
