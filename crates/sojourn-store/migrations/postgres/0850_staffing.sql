-- The coordinators (协管员) an employer has, for the staffing ratios
-- (配备标准): staff figures, not personal data, changed in place and
-- audited like a unit's contacts.
CREATE TABLE employer_coordinators (
    employer_id  BIGINT PRIMARY KEY REFERENCES employers (id),
    full_time    BIGINT NOT NULL CHECK (full_time >= 0),
    part_time    BIGINT NOT NULL CHECK (part_time >= 0),
    updated_at   TIMESTAMPTZ NOT NULL,
    updated_by   TEXT NOT NULL
);
