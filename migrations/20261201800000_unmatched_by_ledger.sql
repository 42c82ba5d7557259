-- The unmatched queue shows the lines of the ledger kept now (as reports do): the queue's index
-- carries each line's file so the grouped count still reads this index alone.
DROP INDEX statement_lines_unmatched;
CREATE INDEX statement_lines_unmatched ON statement_lines (isrc, title, artist, units, file_seq, track_id, release_id)
    WHERE track_id IS NULL AND release_id IS NULL;
