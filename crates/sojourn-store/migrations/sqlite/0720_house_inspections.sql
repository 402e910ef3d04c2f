-- Safety inspections (安全检查) of rental houses: only added, never
-- changed. Issues found always say what they are.
CREATE TABLE house_inspections (
    id            INTEGER PRIMARY KEY,
    house_id      INTEGER NOT NULL REFERENCES houses (id),
    inspected_on  TEXT NOT NULL,
    inspector     TEXT NOT NULL,
    result        TEXT NOT NULL CHECK (result IN ('passed', 'issues_found')),
    notes         TEXT,
    recorded_at   TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    CHECK (result = 'passed' OR notes IS NOT NULL)
);
CREATE INDEX house_inspections_house ON house_inspections (house_id, id);
