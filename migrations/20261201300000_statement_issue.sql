-- Which issue of a period a run, a payee statement and a recoupment come from (a new id each time
-- a period is issued). Two devices that issue one period offline make the same run and statement
-- ids (royalties/ledger.rs); after a sync the run is the later issue's, field by field, and so is
-- every statement and recoupment both issues made. What only the earlier issue made (a payee or an
-- advance the later one did not have) would stay behind as part of the run: these views keep only
-- the rows of the issue their run holds. Rows from before this change have no issue and match.
ALTER TABLE statement_runs ADD COLUMN issue TEXT;
ALTER TABLE payee_statements ADD COLUMN issue TEXT;
ALTER TABLE recoupments ADD COLUMN issue TEXT;

CREATE VIEW issued_statements AS
    SELECT s.* FROM payee_statements s JOIN statement_runs r ON r.id = s.run_id
    WHERE s.deleted = 0 AND r.deleted = 0 AND s.issue IS r.issue;

CREATE VIEW issued_recoupments AS
    SELECT c.* FROM recoupments c JOIN issued_statements s ON s.id = c.statement_id
    WHERE c.deleted = 0 AND c.issue IS s.issue;
