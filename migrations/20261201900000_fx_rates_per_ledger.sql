-- Exchange rates are a ledger's, like its files and statements: one rate per ledger, pair, day
-- and source ('' = the account's own ledger, else the workspace). With one per store, a staff
-- member who had imported the ECB rates into their own ledger could not pull the label's (a
-- unique-index sync error), and each ledger's manual rates overrode the other's.
DROP INDEX fx_rates_by_pair;
CREATE UNIQUE INDEX fx_rates_by_pair ON fx_rates (ifnull(workspace_id, ''), base, quote, source, rate_date) WHERE deleted = 0;
-- "The latest rate of a pair on or before D" in the ledger kept now reads this index backwards.
DROP INDEX fx_rates_by_pair_date;
CREATE INDEX fx_rates_by_pair_date ON fx_rates (ifnull(workspace_id, ''), base, quote, rate_date) WHERE deleted = 0;

-- The ledger kept now's rates (the view every rate read goes through).
CREATE VIEW ledger_rates AS
    SELECT * FROM fx_rates
    WHERE deleted = 0 AND ifnull(workspace_id, '') = (SELECT ledger FROM current_ledger);
