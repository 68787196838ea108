-- The company's store: offices, every journal line each office pushed, accounts.
-- Later migrations add per-day facts and report tables beside `journal` (issue #19, phase 2);
-- nothing here assumes they are absent.

CREATE TABLE offices (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seq      bigint NOT NULL DEFAULT 0,      -- every line up to it is here, no gaps
    office_seq    bigint,                         -- the office's own last seq at its last contact
    last_contact  timestamptz,
    catalog_hash  text,
    diverged_seq  bigint,                         -- a push disagreed with what is stored from here
    diverged_at   timestamptz
);

-- What the office offers (services, roles and norms, counters, name, time zone), as it
-- said it when it last changed: from_seq is the first line it applies to.
CREATE TABLE office_catalogs (
    office_id     integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    from_seq      bigint NOT NULL,
    hash          text NOT NULL,
    catalog       jsonb NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (office_id, from_seq)
);

-- One row per journal line of each office (docs/journal.md), keyed by the office's seq.
CREATE TABLE journal (
    office_id     integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    seq           bigint NOT NULL,
    uid           text NOT NULL,
    at            timestamptz NOT NULL,
    type          text NOT NULL,
    visit         text,
    step          integer,
    service       text,
    counter       text,
    operator      text,
    data          jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (office_id, seq)
);
CREATE INDEX journal_office_at ON journal (office_id, at);

-- Central accounts: head (offices NULL = the whole company, else a branch's offices), admin.
CREATE TABLE users (
    login         text PRIMARY KEY,
    role          text NOT NULL CHECK (role IN ('head', 'admin')),
    name          text NOT NULL DEFAULT '',
    offices       integer[],
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens, stored only as their SHA-256: staff sessions, and one push token per office.
CREATE TABLE tokens (
    hash          text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('session', 'office')),
    login         text REFERENCES users (login) ON DELETE CASCADE,
    office_id     integer REFERENCES offices (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    CHECK ((kind = 'session') = (login IS NOT NULL)),
    CHECK ((kind = 'office') = (office_id IS NOT NULL))
);
CREATE INDEX tokens_login ON tokens (login);
CREATE INDEX tokens_office ON tokens (office_id);
