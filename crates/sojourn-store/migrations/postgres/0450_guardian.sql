-- The guardian (监护人) of a minor under 16 (R2.6), on the person file: it
-- follows the child from stay to stay and is versioned with the file.
-- guardian_id_number and guardian_phone are personal data, sealed like
-- persons.id_number and phone (AES-256-GCM, `v1:<key id>:<data>`); no blind
-- index, since nothing looks a guardian up by number. The four columns are
-- set together or not at all.
ALTER TABLE persons ADD COLUMN guardian_name TEXT;
ALTER TABLE persons ADD COLUMN guardian_id_number TEXT;
ALTER TABLE persons ADD COLUMN guardian_relation TEXT;
ALTER TABLE persons ADD COLUMN guardian_phone TEXT;
ALTER TABLE persons ADD CONSTRAINT persons_guardian_whole CHECK (
    (guardian_name IS NULL) = (guardian_id_number IS NULL)
    AND (guardian_name IS NULL) = (guardian_relation IS NULL)
    AND (guardian_name IS NULL) = (guardian_phone IS NULL)
);
