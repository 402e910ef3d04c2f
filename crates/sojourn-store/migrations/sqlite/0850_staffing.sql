-- The coordinators (协管员) an employer has, for the staffing ratios
-- (配备标准): staff figures, not personal data, changed in place and
-- audited like a unit's contacts.
CREATE TABLE employer_coordinators (
    employer_id  INTEGER PRIMARY KEY REFERENCES employers (id),
    full_time    INTEGER NOT NULL CHECK (full_time >= 0),
    part_time    INTEGER NOT NULL CHECK (part_time >= 0),
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL
);
