-- The audit trail, PostgreSQL dialect: append-only and hash-chained. Each
-- entry's hash is SHA-256 over the previous entry's hash and the entry's
-- canonical bytes (see src/audit.rs). Times are microseconds since the
-- Unix epoch (UTC), so they compare as numbers and hash exactly. Every
-- integer is BIGINT, the one integer type the shared SQL binds.

CREATE TABLE audit_log (
    seq            BIGINT PRIMARY KEY,
    at_us          BIGINT NOT NULL,
    actor_name     TEXT COLLATE "C" NOT NULL,
    actor_account  BIGINT,
    actor_role     TEXT,
    actor_unit     TEXT COLLATE "C",
    actor_token    BIGINT,
    address        TEXT,
    action         TEXT COLLATE "C" NOT NULL,
    object_kind    TEXT COLLATE "C",
    object_id      TEXT COLLATE "C",
    -- The unit whose jurisdiction the entry belongs to: what the audit
    -- administrator's scope is matched against.
    unit_code      TEXT COLLATE "C",
    outcome        TEXT NOT NULL,
    details        TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_log_unit ON audit_log (unit_code, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_name, seq);
CREATE INDEX audit_log_object ON audit_log (object_kind, object_id, seq);
CREATE INDEX audit_log_at ON audit_log (at_us);

CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

-- The chain's head: the last sequence number and hash. Its one row is
-- what serialises appends (the UPDATE that claims a number locks it until
-- the transaction ends); it only moves forward.
CREATE TABLE audit_head (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION refuse_audit_head_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.seq >= OLD.seq AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit head only moves forward';
END $$;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
FOR EACH ROW EXECUTE FUNCTION refuse_audit_head_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
