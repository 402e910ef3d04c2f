-- Searches start from persons and ask, per matching person, whether a
-- current residence lies in the caller's scope and when it began: this
-- index answers that without touching the residences table.
CREATE INDEX residences_current_scope
    ON residences (person_id, unit_code, arrived_on) WHERE status <> 'departed';
