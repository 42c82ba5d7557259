-- Sync speed: the workspace of every sync_log and sync_rows row was checked by a foreign key, one
-- lookup and row lock per inserted row (two per pushed change). A push now locks the workspaces
-- of its batch once (`FOR KEY SHARE`, the lock the foreign key took per row) after authorising
-- each change against its members row, so the per-row checks go; deleting a workspace (directly
-- or through its personal owner) still deletes its log and rows, by this trigger instead of the
-- foreign keys' cascade.

ALTER TABLE sync_log DROP CONSTRAINT sync_log_workspace_id_fkey;
ALTER TABLE sync_rows DROP CONSTRAINT sync_rows_workspace_id_fkey;

CREATE FUNCTION sync_forget_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM sync_log WHERE workspace_id = OLD.id;
    DELETE FROM sync_rows WHERE workspace_id = OLD.id;
    RETURN OLD;
END
$$;

CREATE TRIGGER sync_forget_workspace AFTER DELETE ON workspaces
    FOR EACH ROW EXECUTE FUNCTION sync_forget_workspace();
