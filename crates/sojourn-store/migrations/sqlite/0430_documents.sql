-- Documents checked (查验) or chased (催办) for a person (R2.6). A row is
-- either a check on a past day or a chase with a due date, never both.
CREATE TABLE document_checks (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    kind         TEXT NOT NULL,
    checked_on   TEXT,
    due_on       TEXT,
    note         TEXT,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    CHECK ((checked_on IS NULL) <> (due_on IS NULL))
);
CREATE INDEX document_checks_person ON document_checks (person_id, id);
