-- A finding keeps its particulars in a compact machine form (`detail`,
-- sojourn_domain's `Finding::detail`) instead of its two messages, which
-- are rendered from the rule and the particulars when it is read. The two
-- messages took 120–160 bytes per finding; a register holds a few findings
-- per resident. Findings stored before keep their messages, and no detail.
-- The rule is stored under a short key (the store's `rule_key`) instead of
-- its API code, twice as long: it is in the row and in three indexes.
-- SQLite cannot drop NOT NULL from a column, so the table is built again.
CREATE TABLE quality_findings_new (
    id           INTEGER PRIMARY KEY,
    unit_code    TEXT NOT NULL,
    rule         TEXT NOT NULL,
    record_kind  TEXT NOT NULL CHECK (record_kind IN ('person', 'residence', 'house', 'outflow')),
    record_id    INTEGER NOT NULL,
    detail       TEXT,
    detail_zh    TEXT,
    detail_en    TEXT,
    found_at     TEXT NOT NULL,
    resolved_at  TEXT,
    CHECK (detail IS NOT NULL OR (detail_zh IS NOT NULL AND detail_en IS NOT NULL))
);
INSERT INTO quality_findings_new
    (id, unit_code, rule, record_kind, record_id, detail_zh, detail_en, found_at, resolved_at)
SELECT id, unit_code, CASE rule
    WHEN 'quality_address_not_down_to_town' THEN 'addr_level'
    WHEN 'quality_address_unknown_division' THEN 'addr_unknown'
    WHEN 'quality_birth_date_contradicts_id' THEN 'birth_id'
    WHEN 'quality_childbearing_woman_not_filed' THEN 'childbearing'
    WHEN 'quality_house_without_security_agreement' THEN 'house_agreement'
    WHEN 'quality_id_missing' THEN 'id_missing'
    WHEN 'quality_id_non_standard' THEN 'id_nonstandard'
    WHEN 'quality_id_wrong_check_character' THEN 'id_wrong_check'
    WHEN 'quality_resident_without_house' THEN 'resident_house'
    WHEN 'quality_sex_contradicts_id' THEN 'sex_id'
    ELSE rule END,
    record_kind, record_id, detail_zh, detail_en, found_at, resolved_at
FROM quality_findings;
DROP TABLE quality_findings;
ALTER TABLE quality_findings_new RENAME TO quality_findings;
CREATE UNIQUE INDEX quality_findings_open ON quality_findings (record_kind, record_id, rule)
    WHERE resolved_at IS NULL;
CREATE INDEX quality_findings_rule ON quality_findings (rule, id) WHERE resolved_at IS NULL;
CREATE INDEX quality_findings_unit ON quality_findings (unit_code, rule) WHERE resolved_at IS NULL;
