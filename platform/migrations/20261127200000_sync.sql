-- Two-way sync: the log every client pulls (changes and the conflicts they caused, in one
-- sequence), which workspace each synced row belongs to, and each field's current value and
-- clock (to pick winners and detect races). Pushes are serialised by an advisory lock, so
-- sequence numbers become visible in order and a pull cursor never skips a late commit.

CREATE TABLE sync_log (
    seq          BIGSERIAL PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      UUID NOT NULL,
    -- The client's change id (applied once); NULL for a conflict entry.
    change_id    UUID UNIQUE,
    tbl          TEXT NOT NULL,
    pk           TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    fields       JSONB,
    base         JSONB,
    quiet        JSONB,
    conflict     JSONB,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Pull: a user's workspaces after a cursor.
CREATE INDEX sync_log_by_workspace ON sync_log (workspace_id, seq);

CREATE TABLE sync_rows (
    tbl          TEXT NOT NULL,
    pk           TEXT NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    PRIMARY KEY (tbl, pk)
);

CREATE TABLE sync_fields (
    tbl       TEXT NOT NULL,
    pk        TEXT NOT NULL,
    col       TEXT NOT NULL,
    hlc       TEXT NOT NULL,
    value     JSONB NOT NULL,
    user_id   UUID NOT NULL,
    change_id UUID NOT NULL,
    PRIMARY KEY (tbl, pk, col)
);
