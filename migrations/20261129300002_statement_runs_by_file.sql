-- Issued statements sync (statement runs, payee statements, recoupments, payouts): a run names
-- the statement files it covered instead of a local line id, so every device reads the same
-- "lines taken" from it. A line is taken by a run when its file is one of the run's files and
-- its reporting period is not after the run's period (lines of a covered file reported later
-- are the next runs'). For the runs already issued this is exactly what `max_line_id` meant: a
-- file's lines are one contiguous id range, and a run took every file imported before it.

-- JSON array of statement_files.id, sorted.
ALTER TABLE statement_runs ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
UPDATE statement_runs SET files = (
    SELECT COALESCE(json_group_array(id), '[]') FROM (
        SELECT f.id FROM statement_files f
        WHERE (SELECT min(l.id) FROM statement_lines l WHERE l.file_seq = f.seq) <= statement_runs.max_line_id
        ORDER BY f.id
    )
);
ALTER TABLE statement_runs DROP COLUMN max_line_id;
