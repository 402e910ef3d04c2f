-- Records registered before 0500_review have no review, so the workflow
-- answered "not found" for them. Each stay, house, employer and outflow
-- without a `review_states` row gets one here, as `sql/review.rs`
-- (`open_reviews`) opens the review of a record registered by someone other
-- than a collector: entered, at the record's own unit, by whoever created
-- it and when (`created_by`, `created_at`), with its first step to match.
-- The account and unit of that person are not known for an old row and are
-- left empty. Set-based and idempotent: a record with a review is left as
-- it is, so running it again adds nothing. The steps go in first, while
-- "no review yet" still tells which records are being given one.
-- Unix seconds are floored, as the program's `unix_timestamp` is.
WITH records (kind, id, unit_code, person_id, created_at, created_by) AS (
    SELECT 'residence', id, unit_code, person_id, created_at, created_by FROM residences
    UNION ALL SELECT 'house', id, unit_code, NULL::BIGINT, created_at, created_by FROM houses
    UNION ALL SELECT 'employer', id, unit_code, NULL::BIGINT, created_at, created_by FROM employers
    UNION ALL SELECT 'outflow', id, unit_code, NULL::BIGINT, created_at, created_by FROM outflows
)
INSERT INTO review_steps (record_kind, record_id, unit_code, step, state_after, actor,
    actor_account, actor_unit, at, at_s, place, reason, result)
SELECT r.kind, r.id, r.unit_code, 'enter', 'entered', r.created_by,
    NULL, NULL, r.created_at, FLOOR(EXTRACT(EPOCH FROM r.created_at))::BIGINT, NULL, NULL, NULL
FROM records r
WHERE NOT EXISTS (SELECT 1 FROM review_states s
                  WHERE s.record_kind = r.kind AND s.record_id = r.id);

WITH records (kind, id, unit_code, person_id, created_at, created_by) AS (
    SELECT 'residence', id, unit_code, person_id, created_at, created_by FROM residences
    UNION ALL SELECT 'house', id, unit_code, NULL::BIGINT, created_at, created_by FROM houses
    UNION ALL SELECT 'employer', id, unit_code, NULL::BIGINT, created_at, created_by FROM employers
    UNION ALL SELECT 'outflow', id, unit_code, NULL::BIGINT, created_at, created_by FROM outflows
)
INSERT INTO review_states (record_kind, record_id, unit_code, person_id, state, version,
    collected_at, collected_s, collected_by, collected_place, entered_at, entered_by, entered_late)
SELECT r.kind, r.id, r.unit_code, r.person_id, 'entered', 1,
    NULL, NULL, NULL, NULL, r.created_at, r.created_by, 0
FROM records r
WHERE NOT EXISTS (SELECT 1 FROM review_states s
                  WHERE s.record_kind = r.kind AND s.record_id = r.id);
