-- The family-planning follow-up of married women of childbearing age
-- (R4.3). A file per woman: an inflow woman's stay or an outflow woman's
-- record. Its contents (certificate, contraception, pregnancy, births) are
-- one sealed value; what stays in the clear is what every role may see:
-- that the file exists, whose it is, the days the 30-day rule judges
-- (arrival or departure, and the filing date: the day a collector made
-- the file or the 建档日期 an imported sheet states), and its schedule.
CREATE TABLE fp_files (
    id            INTEGER PRIMARY KEY,
    unit_code     TEXT NOT NULL,
    population    TEXT NOT NULL CHECK (population IN ('inflow', 'outflow')),
    residence_id  INTEGER UNIQUE REFERENCES residences (id),
    outflow_id    INTEGER UNIQUE REFERENCES outflows (id),
    person_id     INTEGER REFERENCES persons (id),
    birth_date    TEXT NOT NULL,
    basis_on      TEXT NOT NULL,
    filed_on      TEXT NOT NULL,
    filing        TEXT NOT NULL CHECK (filing IN ('collector', 'sheet')),
    contents      TEXT NOT NULL,
    version       INTEGER NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    CHECK ((population = 'inflow') = (residence_id IS NOT NULL)),
    CHECK ((population = 'outflow') = (outflow_id IS NOT NULL))
);
CREATE INDEX fp_files_unit ON fp_files (unit_code, id);
CREATE INDEX fp_files_person ON fp_files (person_id);

-- The 三查 schedule: one row per file per window of a year, made for a
-- year at once; a result fills it. The day of the checks is the
-- schedule's state (done or not); what they found is sealed.
CREATE TABLE fp_checks (
    id           INTEGER PRIMARY KEY,
    file_id      INTEGER NOT NULL REFERENCES fp_files (id),
    check_year   INTEGER NOT NULL,
    term         INTEGER NOT NULL CHECK (term BETWEEN 1 AND 3),
    unit_code    TEXT NOT NULL,
    due_from     TEXT NOT NULL,
    due_to       TEXT NOT NULL,
    checked_on   TEXT,
    findings     TEXT,
    recorded_at  TEXT,
    recorded_by  TEXT,
    UNIQUE (file_id, check_year, term),
    CHECK ((checked_on IS NULL) = (findings IS NULL))
);
CREATE INDEX fp_checks_open ON fp_checks (unit_code, due_to, file_id) WHERE checked_on IS NULL;
CREATE INDEX fp_checks_window ON fp_checks (check_year, term, unit_code, file_id);
