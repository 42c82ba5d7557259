-- Royalties II: payees, splits (with history), advances and expenses, exchange rates, issued
-- statements (immutable snapshots), recoupments and payouts.
--
-- Amounts are exact decimal text (summed with rust_decimal); currencies ISO 4217; dates
-- YYYY-MM-DD; periods YYYY-MM. Synced rows carry hlc + deleted, never a hard DELETE.

CREATE TABLE payees (
    id               TEXT PRIMARY KEY NOT NULL,
    workspace_id     TEXT REFERENCES workspaces (id), -- whose statements they get (the issuer's name)
    name             TEXT NOT NULL CHECK (length(name) > 0),
    currency         TEXT NOT NULL CHECK (length(currency) = 3), -- statement currency
    email            TEXT,
    artist_id        TEXT REFERENCES artists (id),    -- the payee an artist's default split pays
    platform_user_id TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    hlc              TEXT NOT NULL,
    deleted          INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
-- Payees screen: live payees by name.
CREATE INDEX payees_by_name ON payees (deleted, name COLLATE NOCASE);
-- "The artist's payee" for default splits: one live payee per artist.
CREATE UNIQUE INDEX payees_by_artist ON payees (artist_id) WHERE artist_id IS NOT NULL AND deleted = 0;

-- One version of a split of a release's or a track's earnings. Setting a split adds a version;
-- a version with the same target and start date is superseded (tombstoned, kept as history).
CREATE TABLE splits (
    id             TEXT PRIMARY KEY NOT NULL,
    scope          TEXT NOT NULL CHECK (scope IN ('release', 'track')),
    target_id      TEXT NOT NULL,      -- releases.id or tracks.id
    effective_from TEXT,               -- YYYY-MM-DD; NULL: from the start
    created_at     TEXT NOT NULL,
    hlc            TEXT NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
-- Split editor and allocation: the versions of a target.
CREATE INDEX splits_by_target ON splits (scope, target_id, deleted, effective_from);

CREATE TABLE split_shares (
    split_id TEXT NOT NULL REFERENCES splits (id),
    payee_id TEXT NOT NULL REFERENCES payees (id),
    percent  TEXT NOT NULL,            -- exact decimal, up to 4 decimals; a split's shares total 100
    position INTEGER NOT NULL,
    PRIMARY KEY (split_id, payee_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX split_shares_by_payee ON split_shares (payee_id);

-- Advances and recoupable expenses of a payee, recouped from their share before anything is
-- payable: from one release's earnings, or from everything they earn (release_id NULL).
CREATE TABLE advances (
    id            TEXT PRIMARY KEY NOT NULL,
    payee_id      TEXT NOT NULL REFERENCES payees (id),
    kind          TEXT NOT NULL CHECK (kind IN ('advance', 'recording', 'mastering', 'video', 'marketing', 'other')),
    amount        TEXT NOT NULL,       -- as given, in `currency`
    currency      TEXT NOT NULL,
    payee_amount  TEXT NOT NULL,       -- in the payee's currency (converted at the date's rate when recorded)
    rate          TEXT NOT NULL,       -- the rate used (1 when the same currency)
    release_id    TEXT REFERENCES releases (id),
    incurred_on   TEXT NOT NULL,
    note          TEXT,
    created_at    TEXT NOT NULL,
    hlc           TEXT NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
CREATE INDEX advances_by_payee ON advances (payee_id, deleted, incurred_on);

-- Exchange rates: 1 `base` = `rate` `quote` on `rate_date`, from a source (ECB reference rates
-- are base EUR).
CREATE TABLE fx_rates (
    id        TEXT PRIMARY KEY NOT NULL,
    rate_date TEXT NOT NULL,
    base      TEXT NOT NULL,
    quote     TEXT NOT NULL,
    rate      TEXT NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('manual', 'ecb')),
    hlc       TEXT NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
-- One rate per pair, day and source; "latest rate on or before D" reads this index backwards.
CREATE UNIQUE INDEX fx_rates_by_pair ON fx_rates (base, quote, source, rate_date) WHERE deleted = 0;
CREATE INDEX fx_rates_by_pair_date ON fx_rates (base, quote, rate_date) WHERE deleted = 0;

-- A period issued: the lines it took (every line of periods <= `period` with an id up to
-- `max_line_id` not taken by an earlier run); its statements can't change afterwards.
CREATE TABLE statement_runs (
    id          TEXT PRIMARY KEY NOT NULL,
    period      TEXT NOT NULL,
    max_line_id INTEGER NOT NULL,
    totals      TEXT NOT NULL,          -- JSON: per currency, imported total, allocated, unallocated
    issued_at   TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX statement_runs_by_period ON statement_runs (period) WHERE deleted = 0;

-- A payee's statement of a run: the figures and the whole document as issued (JSON snapshot the
-- PDF and CSV are rendered from, byte for byte the same every time).
CREATE TABLE payee_statements (
    id        TEXT PRIMARY KEY NOT NULL,
    run_id    TEXT NOT NULL REFERENCES statement_runs (id),
    period    TEXT NOT NULL,
    payee_id  TEXT NOT NULL REFERENCES payees (id),
    currency  TEXT NOT NULL,
    earned    TEXT NOT NULL,
    recouped  TEXT NOT NULL,
    payable   TEXT NOT NULL,
    balance   TEXT NOT NULL,           -- what is owed after this statement (carried forward)
    document  TEXT NOT NULL,
    hlc       TEXT NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX payee_statements_by_payee ON payee_statements (payee_id, period) WHERE deleted = 0;
CREATE INDEX payee_statements_by_run ON payee_statements (run_id);

-- What each statement recouped of each advance (in the payee's currency).
CREATE TABLE recoupments (
    statement_id TEXT NOT NULL REFERENCES payee_statements (id),
    advance_id   TEXT NOT NULL REFERENCES advances (id),
    amount       TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    PRIMARY KEY (statement_id, advance_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX recoupments_by_advance ON recoupments (advance_id);

CREATE TABLE payouts (
    id         TEXT PRIMARY KEY NOT NULL,
    payee_id   TEXT NOT NULL REFERENCES payees (id),
    amount     TEXT NOT NULL,
    currency   TEXT NOT NULL,
    paid_on    TEXT NOT NULL,
    method     TEXT,
    reference  TEXT,
    created_at TEXT NOT NULL,
    hlc        TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
CREATE INDEX payouts_by_payee ON payouts (payee_id, deleted, paid_on);
