-- The audit trail, SQLite dialect: append-only and hash-chained. Each
-- entry's hash is SHA-256 over the previous entry's hash and the entry's
-- canonical bytes (see src/audit.rs). Times are microseconds since the
-- Unix epoch (UTC), so they compare as numbers and hash exactly.

CREATE TABLE audit_log (
    seq            INTEGER PRIMARY KEY,
    at_us          INTEGER NOT NULL,
    actor_name     TEXT NOT NULL,
    actor_account  INTEGER,
    actor_role     TEXT,
    actor_unit     TEXT,
    actor_token    INTEGER,
    address        TEXT,
    action         TEXT NOT NULL,
    object_kind    TEXT,
    object_id      TEXT,
    -- The unit whose jurisdiction the entry belongs to: what the audit
    -- administrator's scope is matched against.
    unit_code      TEXT,
    outcome        TEXT NOT NULL,
    details        TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_log_unit ON audit_log (unit_code, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_name, seq);
CREATE INDEX audit_log_object ON audit_log (object_kind, object_id, seq);
CREATE INDEX audit_log_at ON audit_log (at_us);

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- The chain's head: the last sequence number and hash. Its one row is
-- what serialises appends; it only moves forward.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head cannot be deleted'); END;
