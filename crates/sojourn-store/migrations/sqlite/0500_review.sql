-- The review workflow of register records (R3.1): collected → entered →
-- approved / rejected / returned → spot-checked. `review_states` holds where
-- each record stands (one row per record, changed in place with a version);
-- `review_steps` is the append-only history of every step, who and when.
-- Times are kept twice: as timestamps, and as Unix seconds (`*_s`) so that
-- the 24-hour entry rule and the counts compare numbers on both engines.
CREATE TABLE review_states (
    record_kind     TEXT NOT NULL,
    record_id       INTEGER NOT NULL,
    unit_code       TEXT NOT NULL,
    person_id       INTEGER,
    state           TEXT NOT NULL,
    version         INTEGER NOT NULL,
    collected_at    TEXT,
    collected_s     INTEGER,
    collected_by    TEXT,
    collected_place TEXT,
    entered_at      TEXT,
    entered_by      TEXT,
    entered_late    INTEGER NOT NULL DEFAULT 0,
    decided_at      TEXT,
    decided_by      TEXT,
    reason          TEXT,
    checked_at      TEXT,
    checked_by      TEXT,
    check_result    TEXT,
    PRIMARY KEY (record_kind, record_id),
    CHECK (record_kind IN ('residence', 'house', 'employer', 'outflow')),
    CHECK (state IN ('collected', 'entered', 'approved', 'rejected', 'returned', 'spot_checked'))
);
CREATE INDEX review_states_queue ON review_states (state, unit_code);
CREATE INDEX review_states_late ON review_states (unit_code) WHERE entered_late = 1;
CREATE INDEX review_states_waiting ON review_states (collected_s) WHERE state = 'collected';

CREATE TABLE review_steps (
    id            INTEGER PRIMARY KEY,
    record_kind   TEXT NOT NULL,
    record_id     INTEGER NOT NULL,
    unit_code     TEXT NOT NULL,
    step          TEXT NOT NULL,
    state_after   TEXT NOT NULL,
    actor         TEXT NOT NULL,
    actor_account INTEGER,
    actor_unit    TEXT,
    at            TEXT NOT NULL,
    at_s          INTEGER NOT NULL,
    place         TEXT,
    reason        TEXT,
    result        TEXT
);
CREATE INDEX review_steps_record ON review_steps (record_kind, record_id, id);
CREATE TRIGGER review_steps_append_only_update BEFORE UPDATE ON review_steps
BEGIN SELECT RAISE(ABORT, 'review steps are append-only'); END;
CREATE TRIGGER review_steps_append_only_delete BEFORE DELETE ON review_steps
BEGIN SELECT RAISE(ABORT, 'review steps are append-only'); END;
