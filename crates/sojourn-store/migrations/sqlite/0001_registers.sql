-- Registers of Sojourn, SQLite dialect. Dates are ISO text (YYYY-MM-DD),
-- times RFC 3339 text; unit codes are digit strings compared as text, so a
-- jurisdiction subtree is the range [code, code || ':').

CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    is_root     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE UNIQUE INDEX units_one_root ON units (is_root) WHERE is_root = 1;

CREATE TABLE persons (
    id                INTEGER PRIMARY KEY,
    id_number         TEXT NOT NULL UNIQUE,
    unit_code         TEXT NOT NULL REFERENCES units (code),
    name              TEXT NOT NULL,
    name_pinyin       TEXT NOT NULL,
    name_initials     TEXT NOT NULL,
    sex               TEXT NOT NULL,
    birth_date        TEXT NOT NULL,
    ethnicity         TEXT NOT NULL,
    domicile          TEXT NOT NULL,
    domicile_address  TEXT,
    phone             TEXT,
    marital_status    TEXT,
    education         TEXT,
    political_status  TEXT,
    occupation        TEXT,
    version           INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL
);
CREATE INDEX persons_unit ON persons (unit_code);
CREATE INDEX persons_name ON persons (name);
CREATE INDEX persons_pinyin ON persons (name_pinyin);
CREATE INDEX persons_initials ON persons (name_initials);
CREATE INDEX persons_phone ON persons (phone);

CREATE TABLE houses (
    id                     INTEGER PRIMARY KEY,
    unit_code              TEXT NOT NULL REFERENCES units (code),
    address                TEXT NOT NULL,
    landlord_kind          TEXT NOT NULL CHECK (landlord_kind IN ('person', 'company')),
    landlord_name          TEXT NOT NULL,
    landlord_code          TEXT NOT NULL,
    landlord_phone         TEXT,
    rooms                  INTEGER NOT NULL CHECK (rooms >= 1),
    usage                  TEXT NOT NULL,
    filed_on               TEXT,
    security_agreement_on  TEXT,
    version                INTEGER NOT NULL,
    created_at             TEXT NOT NULL,
    created_by             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    updated_by             TEXT NOT NULL
);
CREATE INDEX houses_unit ON houses (unit_code);
CREATE INDEX houses_address ON houses (address);
CREATE INDEX houses_landlord ON houses (landlord_name);

CREATE TABLE employers (
    id                    INTEGER PRIMARY KEY,
    uscc                  TEXT NOT NULL UNIQUE,
    unit_code             TEXT NOT NULL REFERENCES units (code),
    name                  TEXT NOT NULL,
    legal_representative  TEXT NOT NULL,
    address               TEXT NOT NULL,
    phone                 TEXT,
    declared_workers      INTEGER NOT NULL CHECK (declared_workers >= 0),
    version               INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    created_by            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    updated_by            TEXT NOT NULL
);
CREATE INDEX employers_unit ON employers (unit_code);
CREATE INDEX employers_name ON employers (name);

CREATE TABLE residences (
    id                    INTEGER PRIMARY KEY,
    person_id             INTEGER NOT NULL REFERENCES persons (id),
    unit_code             TEXT NOT NULL REFERENCES units (code),
    arrived_on            TEXT NOT NULL,
    intended_stay_months  INTEGER,
    reason                TEXT NOT NULL,
    current_address       TEXT NOT NULL,
    house_id              INTEGER REFERENCES houses (id),
    employer_id           INTEGER REFERENCES employers (id),
    status                TEXT NOT NULL CHECK (status IN ('registered', 'active', 'departed')),
    departed_on           TEXT,
    destination           TEXT,
    destination_address   TEXT,
    departure_reason      TEXT,
    version               INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    created_by            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    updated_by            TEXT NOT NULL,
    CHECK ((status = 'departed') = (departed_on IS NOT NULL))
);
-- One current residence per person in the whole deployment (重卡).
CREATE UNIQUE INDEX residences_one_current ON residences (person_id) WHERE status <> 'departed';
CREATE INDEX residences_person ON residences (person_id);
CREATE INDEX residences_unit ON residences (unit_code, arrived_on);
CREATE INDEX residences_house ON residences (house_id) WHERE house_id IS NOT NULL;
CREATE INDEX residences_employer ON residences (employer_id) WHERE employer_id IS NOT NULL;

-- Tenancies (target_kind 'house') and employments ('employer') over time.
CREATE TABLE links (
    id            INTEGER PRIMARY KEY,
    target_kind   TEXT NOT NULL CHECK (target_kind IN ('house', 'employer')),
    target_id     INTEGER NOT NULL,
    residence_id  INTEGER NOT NULL REFERENCES residences (id),
    person_id     INTEGER NOT NULL REFERENCES persons (id),
    started_on    TEXT NOT NULL,
    ended_on      TEXT
);
CREATE INDEX links_target ON links (target_kind, target_id);
CREATE INDEX links_residence ON links (residence_id);

CREATE TABLE outflows (
    id                   INTEGER PRIMARY KEY,
    id_number            TEXT NOT NULL,
    unit_code            TEXT NOT NULL REFERENCES units (code),
    name                 TEXT NOT NULL,
    name_pinyin          TEXT NOT NULL,
    name_initials        TEXT NOT NULL,
    left_on              TEXT NOT NULL,
    destination          TEXT NOT NULL,
    destination_address  TEXT,
    reason               TEXT,
    employer_name        TEXT,
    contact_phone        TEXT,
    returned_on          TEXT,
    version              INTEGER NOT NULL,
    created_at           TEXT NOT NULL,
    created_by           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    updated_by           TEXT NOT NULL
);
CREATE UNIQUE INDEX outflows_one_open ON outflows (id_number) WHERE returned_on IS NULL;
CREATE INDEX outflows_unit ON outflows (unit_code, left_on);
CREATE INDEX outflows_pinyin ON outflows (name_pinyin);
CREATE INDEX outflows_initials ON outflows (name_initials);
CREATE INDEX outflows_name ON outflows (name);

CREATE TABLE left_behind (
    outflow_id  INTEGER NOT NULL REFERENCES outflows (id),
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    id_number   TEXT,
    birth_date  TEXT NOT NULL,
    relation    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('elderly', 'child')),
    PRIMARY KEY (outflow_id, position)
);

-- Superseded versions of every record: a change copies the record as it
-- stood into this table before updating it, so no state is ever lost.
CREATE TABLE revisions (
    id           INTEGER PRIMARY KEY,
    record_kind  TEXT NOT NULL,
    record_id    INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    action       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL,
    snapshot     TEXT NOT NULL,
    UNIQUE (record_kind, record_id, version)
);

CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
