-- Encryption at rest. The sensitive columns (persons.id_number and phone,
-- houses.landlord_code and landlord_phone, employers.legal_representative
-- and phone, outflows.id_number and contact_phone, left_behind.id_number,
-- accounts.totp_secret, revisions.snapshot) now hold AES-256-GCM
-- ciphertexts `v1:<key id>:<data>`; the key is never in the database.
-- Exact lookup goes through keyed blind indexes (HMAC), which also carry
-- the uniqueness the plaintext columns carried. Rows written before this
-- migration are sealed by the store on its first open with a key.

ALTER TABLE persons
    ADD COLUMN id_number_bidx TEXT COLLATE "C",
    ADD COLUMN phone_bidx TEXT COLLATE "C";
ALTER TABLE persons DROP CONSTRAINT persons_id_number_key;
-- One file per ID number.
CREATE UNIQUE INDEX persons_id_number_bidx ON persons (id_number_bidx);
DROP INDEX persons_phone;
CREATE INDEX persons_phone_bidx ON persons (phone_bidx);

ALTER TABLE outflows ADD COLUMN id_number_bidx TEXT COLLATE "C";
DROP INDEX outflows_one_open;
CREATE UNIQUE INDEX outflows_one_open ON outflows (id_number_bidx) WHERE returned_on IS NULL;

-- The keys values are encrypted under, by id (a digest, not the key):
-- opening the store with a key file that lacks one is refused.
CREATE TABLE encryption_keys (
    id          TEXT COLLATE "C" PRIMARY KEY,
    added_at    TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ
);

-- Revisions stay append-only, but a snapshot may be re-sealed under a new
-- key (nothing else of the row may change, and only to a ciphertext).
CREATE FUNCTION refuse_revision_change_but_reseal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.record_kind = OLD.record_kind
        AND NEW.record_id = OLD.record_id AND NEW.version = OLD.version
        AND NEW.action = OLD.action AND NEW.actor = OLD.actor AND NEW.at = OLD.at
        AND NEW.snapshot LIKE 'v1:%' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'revisions are append-only';
END $$;
DROP TRIGGER revisions_append_only ON revisions;
CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON revisions
FOR EACH ROW EXECUTE FUNCTION refuse_revision_change_but_reseal();
