-- A store can keep a label's ledger (royalties/ledger.rs): the runs it issues then sync in the
-- label's workspace with their statements and recoupments, as its imported statement files
-- already do through `statement_files.workspace_id`. NULL: the account's own workspace.
ALTER TABLE statement_runs ADD COLUMN workspace_id TEXT;
-- Exchange rates belong to the ledger too (a label's staff share the rates its statements use).
ALTER TABLE fx_rates ADD COLUMN workspace_id TEXT;
