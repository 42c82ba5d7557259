-- The platform's schema: accounts, tokens, workspaces with their members and roster, invitations,
-- statements (what collaborators may read), sign-in failures (rate limit), and tus uploads.

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- Bearer tokens: only their SHA-256 is stored (they are 256-bit random, so a fast hash is enough).
CREATE TABLE tokens (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   BYTEA NOT NULL UNIQUE,
    device       TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX tokens_user ON tokens (user_id) WHERE revoked_at IS NULL;

CREATE TABLE workspaces (
    id                 UUID PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('artist', 'label')),
    name               TEXT NOT NULL,
    -- The user whose own workspace this is (created at sign-up), if any.
    personal_of        UUID UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    upload_quota_bytes BIGINT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE roster_artists (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX roster_artists_workspace ON roster_artists (workspace_id);

CREATE TABLE members (
    workspace_id     UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('owner', 'label_admin', 'label_staff', 'artist', 'collaborator')),
    -- For role artist: their roster entry.
    roster_artist_id UUID REFERENCES roster_artists (id) ON DELETE SET NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

-- Which label staff work on which roster artist.
CREATE TABLE roster_staff (
    roster_artist_id UUID NOT NULL REFERENCES roster_artists (id) ON DELETE CASCADE,
    user_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (roster_artist_id, user_id)
);
CREATE INDEX roster_staff_user ON roster_staff (user_id);

CREATE TABLE invitations (
    id               UUID PRIMARY KEY,
    workspace_id     UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email            TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('label_admin', 'label_staff', 'artist', 'collaborator')),
    roster_artist_id UUID REFERENCES roster_artists (id) ON DELETE CASCADE,
    token_hash       BYTEA NOT NULL UNIQUE,
    created_by       UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at       TIMESTAMPTZ NOT NULL,
    accepted_at      TIMESTAMPTZ,
    accepted_by      UUID REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invitations_workspace ON invitations (workspace_id);

CREATE TABLE statements (
    id               UUID PRIMARY KEY,
    workspace_id     UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    payee_user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    roster_artist_id UUID REFERENCES roster_artists (id) ON DELETE SET NULL,
    period           TEXT NOT NULL,
    title            TEXT NOT NULL,
    amount           NUMERIC NOT NULL,
    currency         TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX statements_workspace ON statements (workspace_id, payee_user_id);

-- Failed sign-ins per e-mail address, for the per-account rate limit (in the database so that
-- several server instances share it).
CREATE TABLE signin_failures (
    email TEXT NOT NULL,
    at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX signin_failures_email ON signin_failures (email, at);

-- tus uploads. `upload_offset` moves only when a received part is stored; parts are separate
-- objects until the upload completes and they are joined into one.
CREATE TABLE uploads (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_by    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    upload_length BIGINT NOT NULL CHECK (upload_length >= 0),
    upload_offset BIGINT NOT NULL DEFAULT 0,
    metadata      TEXT,
    filename      TEXT,
    release_id    UUID,
    track_id      UUID,
    asset_kind    TEXT NOT NULL DEFAULT 'other',
    expected_sha256 TEXT,
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'complete', 'failed')),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at  TIMESTAMPTZ
);
CREATE INDEX uploads_workspace ON uploads (workspace_id);

CREATE TABLE upload_parts (
    upload_id   UUID NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    part_offset BIGINT NOT NULL,
    length      BIGINT NOT NULL,
    PRIMARY KEY (upload_id, part_offset)
);

CREATE TABLE assets (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    upload_id    UUID NOT NULL UNIQUE REFERENCES uploads (id) ON DELETE CASCADE,
    release_id   UUID,
    track_id     UUID,
    kind         TEXT NOT NULL,
    filename     TEXT,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    object_path  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX assets_workspace ON assets (workspace_id, release_id);
