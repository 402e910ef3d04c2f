-- Transfer requests (转移申请): a community asks the community holding a
-- person's current stay to end it (重卡), so it may register the arrival.
-- A decision is made once: pending → accepted or declined (with a reason).
CREATE TABLE transfer_requests (
    id            INTEGER PRIMARY KEY,
    from_unit     TEXT NOT NULL REFERENCES units (code),
    to_unit       TEXT NOT NULL REFERENCES units (code),
    person_id     INTEGER NOT NULL REFERENCES persons (id),
    residence_id  INTEGER NOT NULL REFERENCES residences (id),
    note          TEXT,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined')),
    requested_at  TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    decided_at    TEXT,
    decided_by    TEXT,
    reason        TEXT,
    CHECK ((state = 'pending') = (decided_at IS NULL)),
    CHECK ((state = 'pending') = (decided_by IS NULL)),
    CHECK ((state = 'declined') = (reason IS NOT NULL))
);
CREATE INDEX transfer_requests_to ON transfer_requests (to_unit, state, id);
CREATE INDEX transfer_requests_from ON transfer_requests (from_unit, state, id);
-- One pending request per stay: asking again adds nothing.
CREATE UNIQUE INDEX transfer_requests_one_pending ON transfer_requests (residence_id)
    WHERE state = 'pending';
