-- A finding keeps its particulars in a compact machine form (`detail`,
-- sojourn_domain's `Finding::detail`) instead of its two messages, which
-- are rendered from the rule and the particulars when it is read. The two
-- messages took 120–160 bytes per finding; a register holds a few findings
-- per resident. Findings stored before keep their messages, and no detail.
-- The rule is stored under a short key (the store's `rule_key`) instead of
-- its API code, twice as long: it is in the row and in three indexes.
ALTER TABLE quality_findings
    ADD COLUMN detail TEXT,
    ALTER COLUMN detail_zh DROP NOT NULL,
    ALTER COLUMN detail_en DROP NOT NULL,
    ADD CONSTRAINT quality_findings_detail
        CHECK (detail IS NOT NULL OR (detail_zh IS NOT NULL AND detail_en IS NOT NULL));
UPDATE quality_findings SET rule = CASE rule
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
        ELSE rule END;
