-- Residence permits 居住证 (R4.1): one row per application, every step a
-- new version (the old one kept in `revisions`). Suspension is not stored:
-- it is an issued card whose `endorse_by` has passed.
CREATE TABLE residence_permits (
    id                INTEGER PRIMARY KEY,
    person_id         INTEGER NOT NULL REFERENCES persons (id),
    unit_code         TEXT NOT NULL REFERENCES units (code),
    state             TEXT NOT NULL CHECK (state IN
                          ('applied', 'noticed', 'accepted', 'produced', 'issued', 'cancelled')),
    proxy_name        TEXT,
    proxy_relation    TEXT,
    proxy_ground      TEXT CHECK (proxy_ground IN ('minor', 'elderly', 'disabled')),
    proof             TEXT CHECK (proof IN ('work', 'housing', 'schooling')),
    residence_proved  INTEGER NOT NULL CHECK (residence_proved IN (0, 1)),
    applied_on        TEXT NOT NULL,
    noticed_on        TEXT,
    missing           TEXT,
    accepted_on       TEXT,
    basis             TEXT CHECK (basis IN ('work', 'housing', 'schooling')),
    produced_on       TEXT,
    issued_on         TEXT,
    years_from        TEXT,
    endorse_by        TEXT,
    -- The day the endorsement window opens: a month before `endorse_by`.
    endorse_from      TEXT,
    endorsements      INTEGER NOT NULL DEFAULT 0,
    last_endorsed_on  TEXT,
    cancelled_on      TEXT,
    cancel_reason     TEXT CHECK (cancel_reason IN ('departure', 'death', 'fraud')),
    cancel_note       TEXT,
    version           INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    CHECK ((proxy_name IS NULL) = (proxy_ground IS NULL)),
    CHECK ((state = 'cancelled') = (cancel_reason IS NOT NULL)),
    CHECK (state NOT IN ('accepted', 'produced', 'issued') OR accepted_on IS NOT NULL),
    CHECK (state <> 'issued' OR (issued_on IS NOT NULL AND endorse_by IS NOT NULL))
);
-- One application in progress or card in force per person.
CREATE UNIQUE INDEX residence_permits_one_open ON residence_permits (person_id)
    WHERE state <> 'cancelled';
-- The worklists: a state in a unit range, by the date that makes it due.
CREATE INDEX residence_permits_worklist ON residence_permits (state, unit_code);
CREATE INDEX residence_permits_due ON residence_permits (state, endorse_by);
CREATE INDEX residence_permits_window ON residence_permits (state, endorse_from);
