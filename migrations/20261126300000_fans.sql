-- Fans: contacts with their e-mails, tags, sources, consent log and activity; saved segments;
-- an FTS5 index for type-ahead search; imported files and saved column mappings.

CREATE TABLE contacts (
    id             TEXT PRIMARY KEY NOT NULL,
    workspace_id   TEXT NOT NULL REFERENCES workspaces (id),
    name           TEXT,
    phone          TEXT,
    phone_digits   TEXT,             -- digits only, for "same phone" duplicates
    city           TEXT,
    region         TEXT,
    country        TEXT,             -- ISO 3166-1 alpha-2
    language       TEXT,             -- BCP 47
    notes          TEXT,
    first_seen     TEXT NOT NULL,    -- RFC 3339
    last_activity  TEXT,
    -- Derived from consent_events (the truth), kept here so segment counts need no log scan.
    consent_status TEXT NOT NULL DEFAULT 'unknown' CHECK (consent_status IN ('opted_in', 'opted_out', 'unknown')),
    erased         INTEGER NOT NULL DEFAULT 0 CHECK (erased IN (0, 1)),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    hlc            TEXT NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
-- The Fans table's first page and its sort; segment counts by country/consent.
CREATE INDEX contacts_by_workspace ON contacts (workspace_id, deleted, name COLLATE NOCASE);
CREATE INDEX contacts_by_country ON contacts (workspace_id, country, city) WHERE deleted = 0;
CREATE INDEX contacts_by_consent ON contacts (workspace_id, consent_status) WHERE deleted = 0;
CREATE INDEX contacts_by_activity ON contacts (workspace_id, last_activity) WHERE deleted = 0;
CREATE INDEX contacts_by_phone ON contacts (workspace_id, phone_digits) WHERE phone_digits IS NOT NULL AND deleted = 0;

CREATE TABLE contact_emails (
    contact_id   TEXT NOT NULL REFERENCES contacts (id),
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    email        TEXT NOT NULL,      -- trimmed, case-folded
    is_primary   INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    bounced      INTEGER NOT NULL DEFAULT 0 CHECK (bounced IN (0, 1)),
    hlc          TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    PRIMARY KEY (contact_id, email)
) STRICT, WITHOUT ROWID;
-- One live contact per e-mail in a workspace: imports merge on it.
CREATE UNIQUE INDEX contact_emails_unique ON contact_emails (workspace_id, email) WHERE deleted = 0;

CREATE TABLE contact_tags (
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    tag        TEXT NOT NULL,
    hlc        TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    PRIMARY KEY (contact_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_tags_by_tag ON contact_tags (tag, contact_id) WHERE deleted = 0;

CREATE TABLE contact_sources (
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    source     TEXT NOT NULL,        -- bandcamp, mailchimp, vcard, csv:<file name>, manual
    hlc        TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    PRIMARY KEY (contact_id, source)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_sources_by_source ON contact_sources (source, contact_id) WHERE deleted = 0;

-- The consent log: never edited, only appended; the current status is the latest event.
CREATE TABLE consent_events (
    id         TEXT PRIMARY KEY NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    status     TEXT NOT NULL CHECK (status IN ('opted_in', 'opted_out')),
    at         TEXT NOT NULL,        -- when the fan gave or withdrew consent
    source     TEXT NOT NULL,        -- where: "Mailchimp subscribed export", "merch table sign-up"
    wording    TEXT,                 -- what they agreed to, when known
    recorded_at TEXT NOT NULL,
    hlc        TEXT NOT NULL,
    UNIQUE (contact_id, status, at, source)
) STRICT;
CREATE INDEX consent_events_by_contact ON consent_events (contact_id, at);

CREATE TABLE activities (
    id           TEXT PRIMARY KEY NOT NULL,
    contact_id   TEXT NOT NULL REFERENCES contacts (id),
    kind         TEXT NOT NULL CHECK (kind IN ('purchase', 'sign_up', 'check_in', 'note')),
    at           TEXT NOT NULL,
    description  TEXT,
    amount_micros INTEGER,           -- exact: amount × 10^6
    currency     TEXT,               -- ISO 4217
    release_id   TEXT REFERENCES releases (id),
    external_ref TEXT,               -- the source's own id/line, so re-imports add nothing
    hlc          TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    CHECK ((amount_micros IS NULL) = (currency IS NULL))
) STRICT;
CREATE INDEX activities_by_contact ON activities (contact_id, at);
CREATE UNIQUE INDEX activities_external ON activities (contact_id, external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX activities_by_release ON activities (release_id, contact_id) WHERE release_id IS NOT NULL AND deleted = 0;

CREATE TABLE segments (
    id           TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name         TEXT NOT NULL,
    filter       TEXT NOT NULL,      -- JSON ContactFilter
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX segments_by_name ON segments (workspace_id, name) WHERE deleted = 0;

-- Files already imported (by content hash): importing one again changes nothing.
CREATE TABLE fan_import_files (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    sha256       TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    format       TEXT NOT NULL,
    rows         INTEGER NOT NULL,
    imported_at  TEXT NOT NULL,
    PRIMARY KEY (workspace_id, sha256)
) STRICT, WITHOUT ROWID;

-- Column mappings a user made once, picked again for a file with the same header.
CREATE TABLE fan_mappings (
    id           TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name         TEXT NOT NULL,
    header_key   TEXT NOT NULL,      -- the normalised header row the mapping was made for
    columns      TEXT NOT NULL,      -- JSON {"field": "header", ...}
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, name)
) STRICT;
CREATE INDEX fan_mappings_by_header ON fan_mappings (workspace_id, header_key);

-- Type-ahead search. The rowid is the contact's rowid. CJK text is indexed one character per
-- token (see fans::search), so 杰伦 finds 周杰伦.
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    name, emails, city, notes, tags,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
