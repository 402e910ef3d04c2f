-- The day an import took the file's household registration from the ID
-- number, the ledger's place being unreadable (R2.2); cleared when the
-- file's details are saved again. The monitor lists the files that have
-- it (quality_domicile_from_id_number).
ALTER TABLE persons ADD COLUMN domicile_from_id_on TEXT;
