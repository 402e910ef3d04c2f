-- Encryption at rest. The sensitive columns (persons.id_number and phone,
-- houses.landlord_code and landlord_phone, employers.legal_representative
-- and phone, outflows.id_number and contact_phone, left_behind.id_number,
-- accounts.totp_secret, revisions.snapshot) now hold AES-256-GCM
-- ciphertexts `v1:<key id>:<data>`; the key is never in the database.
-- Exact lookup goes through keyed blind indexes (HMAC), which also carry
-- the uniqueness the plaintext columns carried. Rows written before this
-- migration are sealed by the store on its first open with a key.
--
-- persons.id_number keeps its inline UNIQUE (SQLite cannot drop it
-- without rebuilding a table others reference); ciphertexts never repeat,
-- so it refuses nothing.

ALTER TABLE persons ADD COLUMN id_number_bidx TEXT;
ALTER TABLE persons ADD COLUMN phone_bidx TEXT;
-- One file per ID number.
CREATE UNIQUE INDEX persons_id_number_bidx ON persons (id_number_bidx);
DROP INDEX persons_phone;
CREATE INDEX persons_phone_bidx ON persons (phone_bidx);

ALTER TABLE outflows ADD COLUMN id_number_bidx TEXT;
DROP INDEX outflows_one_open;
CREATE UNIQUE INDEX outflows_one_open ON outflows (id_number_bidx) WHERE returned_on IS NULL;

-- The keys values are encrypted under, by id (a digest, not the key):
-- opening the store with a key file that lacks one is refused.
CREATE TABLE encryption_keys (
    id          TEXT PRIMARY KEY,
    added_at    TEXT NOT NULL,
    retired_at  TEXT
);

-- Revisions stay append-only, but a snapshot may be re-sealed under a new
-- key (nothing else of the row may change, and only to a ciphertext).
DROP TRIGGER revisions_append_only_update;
CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
WHEN NOT (NEW.id = OLD.id AND NEW.record_kind = OLD.record_kind
    AND NEW.record_id = OLD.record_id AND NEW.version = OLD.version
    AND NEW.action = OLD.action AND NEW.actor = OLD.actor AND NEW.at = OLD.at
    AND NEW.snapshot LIKE 'v1:%')
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
