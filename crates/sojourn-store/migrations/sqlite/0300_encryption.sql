-- Encryption at rest. The sensitive columns (persons.id_number and phone,
-- houses.landlord_code and landlord_phone, employers.legal_representative
-- and phone, outflows.id_number and contact_phone, left_behind.id_number,
-- accounts.totp_secret, revisions.snapshot) now hold AES-256-GCM
-- ciphertexts `v1:<key id>:<data>`; the key is never in the database.
-- Exact lookup goes through keyed blind indexes (HMAC), which also carry
-- the uniqueness the plaintext columns carried. Rows written before this
-- migration are sealed by the store on its first open with a key.
--
-- persons is rebuilt (SQLite cannot drop a column's inline UNIQUE): a
-- unique index over random ciphertexts would refuse nothing and cost every
-- insert a scattered B-tree write. The store runs migrations with foreign
-- keys off and checks them after (`sqlite::migrate`), as SQLite's
-- procedure for changing a table others reference asks.

CREATE TABLE persons_sealed (
    id                INTEGER PRIMARY KEY,
    id_number         TEXT NOT NULL,
    id_number_bidx    TEXT,
    unit_code         TEXT NOT NULL REFERENCES units (code),
    name              TEXT NOT NULL,
    name_pinyin       TEXT NOT NULL,
    name_initials     TEXT NOT NULL,
    sex               TEXT NOT NULL,
    birth_date        TEXT NOT NULL,
    ethnicity         TEXT NOT NULL,
    domicile          TEXT NOT NULL,
    domicile_address  TEXT,
    phone             TEXT,
    phone_bidx        TEXT,
    marital_status    TEXT,
    education         TEXT,
    political_status  TEXT,
    occupation        TEXT,
    version           INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL
);
INSERT INTO persons_sealed (id, id_number, unit_code, name, name_pinyin, name_initials, sex,
    birth_date, ethnicity, domicile, domicile_address, phone, marital_status, education,
    political_status, occupation, version, created_at, created_by, updated_at, updated_by)
SELECT id, id_number, unit_code, name, name_pinyin, name_initials, sex,
    birth_date, ethnicity, domicile, domicile_address, phone, marital_status, education,
    political_status, occupation, version, created_at, created_by, updated_at, updated_by
FROM persons;
DROP TABLE persons;
ALTER TABLE persons_sealed RENAME TO persons;
CREATE INDEX persons_unit ON persons (unit_code);
CREATE INDEX persons_name ON persons (name);
CREATE INDEX persons_pinyin ON persons (name_pinyin);
CREATE INDEX persons_initials ON persons (name_initials);
-- One file per ID number.
CREATE UNIQUE INDEX persons_id_number_bidx ON persons (id_number_bidx);
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
