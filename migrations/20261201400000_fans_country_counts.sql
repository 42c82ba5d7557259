-- Segment counts of a country and tags at 100,000 contacts ("CN" + "vip"): the country's live
-- contacts as one index range in id order, merged with the tag's range of
-- contact_tags_by_workspace (also in id order), as contacts_by_city does for a city
-- (fans::filter::place_tags_count), instead of looking up every tagged contact by id.
CREATE INDEX contacts_by_country ON contacts (workspace_id, country, id) WHERE deleted = 0;
-- It served exactly that lookup (a tagged contact by id, with the columns a filter tests); the
-- place ranges above replace it for the counts the Fans screen runs most, and every imported
-- contact paid for it (the widest index of the table: the id and six columns).
DROP INDEX contacts_by_id_live;
