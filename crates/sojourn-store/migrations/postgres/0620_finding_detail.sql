-- A finding keeps its particulars in a compact machine form (`detail`,
-- sojourn_domain's `Finding::detail`) instead of its two messages, which
-- are rendered from the rule and the particulars when it is read. The two
-- messages took 120–160 bytes per finding; a register holds a few findings
-- per resident. Findings stored before keep their messages, and no detail.
ALTER TABLE quality_findings
    ADD COLUMN detail TEXT,
    ALTER COLUMN detail_zh DROP NOT NULL,
    ALTER COLUMN detail_en DROP NOT NULL,
    ADD CONSTRAINT quality_findings_detail
        CHECK (detail IS NOT NULL OR (detail_zh IS NOT NULL AND detail_en IS NOT NULL));
