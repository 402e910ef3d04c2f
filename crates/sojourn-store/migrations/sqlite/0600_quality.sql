-- The data-quality monitor (监控管理, R6.2). Findings are kept per record
-- and rule: open while the record breaks the rule, resolved (with the time)
-- once a write or a scan finds it mended. Probable duplicates wait in a
-- queue until merged or dismissed; every decision is kept, append-only.

-- A file merged into another keeps its row (its revisions and audit entries
-- still name it) and points at the file that absorbed it.
ALTER TABLE persons ADD COLUMN merged_into INTEGER REFERENCES persons (id);

CREATE TABLE quality_findings (
    id           INTEGER PRIMARY KEY,
    unit_code    TEXT NOT NULL,
    rule         TEXT NOT NULL,
    record_kind  TEXT NOT NULL CHECK (record_kind IN ('person', 'residence', 'house', 'outflow')),
    record_id    INTEGER NOT NULL,
    detail_zh    TEXT NOT NULL,
    detail_en    TEXT NOT NULL,
    found_at     TEXT NOT NULL,
    resolved_at  TEXT
);
-- One open finding per record and rule; the record's findings are read by it.
CREATE UNIQUE INDEX quality_findings_open ON quality_findings (record_kind, record_id, rule)
    WHERE resolved_at IS NULL;
CREATE INDEX quality_findings_rule ON quality_findings (rule, id) WHERE resolved_at IS NULL;
CREATE INDEX quality_findings_unit ON quality_findings (unit_code, rule) WHERE resolved_at IS NULL;

CREATE TABLE quality_duplicates (
    id             INTEGER PRIMARY KEY,
    unit_code      TEXT NOT NULL,
    first_person   INTEGER NOT NULL REFERENCES persons (id),
    second_person  INTEGER NOT NULL REFERENCES persons (id),
    score          INTEGER NOT NULL CHECK (score BETWEEN 1 AND 100),
    reasons        TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'merged', 'dismissed')),
    found_at       TEXT NOT NULL,
    CHECK (first_person < second_person),
    UNIQUE (first_person, second_person)
);
CREATE INDEX quality_duplicates_queue ON quality_duplicates (status, score DESC, id);
CREATE INDEX quality_duplicates_unit ON quality_duplicates (unit_code, status);

CREATE TABLE quality_decisions (
    id            INTEGER PRIMARY KEY,
    duplicate_id  INTEGER NOT NULL REFERENCES quality_duplicates (id),
    decision      TEXT NOT NULL CHECK (decision IN ('merged', 'dismissed')),
    kept_person   INTEGER REFERENCES persons (id),
    reason        TEXT,
    decided_at    TEXT NOT NULL,
    decided_by    TEXT NOT NULL
);
CREATE INDEX quality_decisions_duplicate ON quality_decisions (duplicate_id, id);

CREATE TRIGGER quality_decisions_append_only_update BEFORE UPDATE ON quality_decisions
BEGIN SELECT RAISE(ABORT, 'quality decisions are append-only'); END;
CREATE TRIGGER quality_decisions_append_only_delete BEFORE DELETE ON quality_decisions
BEGIN SELECT RAISE(ABORT, 'quality decisions are append-only'); END;
