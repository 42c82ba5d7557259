-- Type-ahead search at 100,000 contacts: a prefix index for 4 characters too ("fan5", "chen"
-- were read term by term), and no per-column sizes (they serve bm25 ranking only, which search no
-- longer uses: it orders name matches first, then by age). An FTS5 table's options are fixed when
-- it is made: the index is made again, from the text it holds (already spaced out for CJK by
-- fans::search::index_text).
CREATE VIRTUAL TABLE contacts_fts_next USING fts5 (
    name, emails, city, notes, tags,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4',
    columnsize = 0
);
INSERT INTO contacts_fts_next (rowid, name, emails, city, notes, tags)
    SELECT rowid, name, emails, city, notes, tags FROM contacts_fts;
DROP TABLE contacts_fts;
ALTER TABLE contacts_fts_next RENAME TO contacts_fts;
