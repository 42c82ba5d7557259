-- Roadie desktop store, first slice: workspaces, roster, releases, tracks.
-- Every synced row carries an HLC (`hlc`, sortable text) and a `deleted` tombstone: sync needs
-- deletions as rows, so nothing here is ever removed with DELETE.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('label', 'artist')),
    name       TEXT NOT NULL CHECK (length(name) > 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    hlc        TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;

CREATE TABLE artists (
    id              TEXT PRIMARY KEY NOT NULL,
    workspace_id    TEXT NOT NULL REFERENCES workspaces (id),
    name            TEXT NOT NULL CHECK (length(name) > 0),
    sort_name       TEXT NOT NULL,
    localized_names TEXT NOT NULL DEFAULT '[]', -- JSON [{"language":"zh-Hans","name":"..."}]
    country         TEXT,                        -- ISO 3166-1 alpha-2
    links           TEXT NOT NULL DEFAULT '[]', -- JSON ["https://..."]
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    hlc             TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
-- Roster screen: live artists of a workspace in sort order.
CREATE INDEX artists_by_workspace ON artists (workspace_id, deleted, sort_name COLLATE NOCASE);

CREATE TABLE releases (
    id             TEXT PRIMARY KEY NOT NULL,
    workspace_id   TEXT NOT NULL REFERENCES workspaces (id),
    title          TEXT NOT NULL CHECK (length(title) > 0),
    release_type   TEXT NOT NULL CHECK (release_type IN ('album', 'ep', 'single', 'compilation')),
    label_name     TEXT,
    release_date   TEXT,  -- YYYY-MM-DD
    catalog_number TEXT,
    upc            TEXT,
    status         TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'ready', 'delivered')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    hlc            TEXT NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
-- Release list: live releases of a workspace, newest release date first.
CREATE INDEX releases_by_workspace ON releases (workspace_id, deleted, release_date DESC);

-- Credited artists of a release, in display order. Soft-deleted like the rest for sync.
CREATE TABLE release_artists (
    release_id TEXT NOT NULL REFERENCES releases (id),
    artist_id  TEXT NOT NULL REFERENCES artists (id),
    role       TEXT NOT NULL DEFAULT 'primary' CHECK (role IN ('primary', 'featuring', 'remixer')),
    position   INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    PRIMARY KEY (release_id, artist_id, role)
) STRICT, WITHOUT ROWID;
-- Release filter by artist, and "is this artist still credited?" on artist delete.
CREATE INDEX release_artists_by_artist ON release_artists (artist_id, deleted);

CREATE TABLE tracks (
    id           TEXT PRIMARY KEY NOT NULL,
    release_id   TEXT NOT NULL REFERENCES releases (id),
    disc_number  INTEGER NOT NULL DEFAULT 1 CHECK (disc_number >= 1),
    position     INTEGER NOT NULL CHECK (position >= 1),
    title        TEXT NOT NULL CHECK (length(title) > 0),
    version      TEXT,
    duration_ms  INTEGER CHECK (duration_ms IS NULL OR duration_ms > 0),
    isrc         TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
-- Positions are unique per disc among live tracks; also serves the editor's ordered track list.
CREATE UNIQUE INDEX tracks_position_per_disc ON tracks (release_id, disc_number, position) WHERE deleted = 0;
CREATE INDEX tracks_by_isrc ON tracks (isrc) WHERE isrc IS NOT NULL AND deleted = 0;

CREATE TABLE track_artists (
    track_id  TEXT NOT NULL REFERENCES tracks (id),
    artist_id TEXT NOT NULL REFERENCES artists (id),
    role      TEXT NOT NULL DEFAULT 'primary' CHECK (role IN ('primary', 'featuring', 'remixer')),
    position  INTEGER NOT NULL,
    hlc       TEXT NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    PRIMARY KEY (track_id, artist_id, role)
) STRICT, WITHOUT ROWID;
CREATE INDEX track_artists_by_artist ON track_artists (artist_id, deleted);
