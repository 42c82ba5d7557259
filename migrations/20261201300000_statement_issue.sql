-- Which issue of a period a run, a payee statement and a recoupment come from (a new id each time
-- a period is issued). Two devices that issue one period offline make the same run and statement
-- ids (royalties/ledger.rs); after a sync the run is the later issue's, field by field, and so is
-- every statement and recoupment both issues made. What only the earlier issue made (a payee or an
-- advance the later one did not have) would stay behind as part of the run: the views below keep
-- only the rows of the issue their run holds. Rows from before this change have no issue and match.
ALTER TABLE statement_runs ADD COLUMN issue TEXT;
ALTER TABLE payee_statements ADD COLUMN issue TEXT;
ALTER TABLE recoupments ADD COLUMN issue TEXT;

-- The ledger the store keeps now (royalties/ledger.rs: the chosen workspace, else NULL for the
-- account's own): its runs and its statement files. Every ledger read goes through these views,
-- so a store holding its account's ledger and a label's (a staff member who also releases their
-- own music) keeps them apart, and each has its own months.
CREATE VIEW ledger_runs AS
    SELECT * FROM statement_runs
    WHERE deleted = 0 AND workspace_id IS (
        SELECT s.value FROM settings s JOIN workspaces w ON w.id = s.value AND w.deleted = 0 WHERE s.key = 'royalties.workspace'
    );

CREATE VIEW ledger_files AS
    SELECT * FROM statement_files
    WHERE deleted = 0 AND workspace_id IS (
        SELECT s.value FROM settings s JOIN workspaces w ON w.id = s.value AND w.deleted = 0 WHERE s.key = 'royalties.workspace'
    );

-- A month is issued once per ledger (was once per store: a label's March pulled into a store
-- that had issued its own March was refused), and a payee has a statement of a month in each.
DROP INDEX statement_runs_by_period;
CREATE UNIQUE INDEX statement_runs_by_period ON statement_runs (ifnull(workspace_id, ''), period) WHERE deleted = 0;
DROP INDEX payee_statements_by_payee;
CREATE UNIQUE INDEX payee_statements_by_payee ON payee_statements (payee_id, period, run_id) WHERE deleted = 0;

CREATE VIEW issued_statements AS
    SELECT s.* FROM payee_statements s JOIN ledger_runs r ON r.id = s.run_id
    WHERE s.deleted = 0 AND s.issue IS r.issue;

CREATE VIEW issued_recoupments AS
    SELECT c.* FROM recoupments c JOIN issued_statements s ON s.id = c.statement_id
    WHERE c.deleted = 0 AND c.issue IS s.issue;
