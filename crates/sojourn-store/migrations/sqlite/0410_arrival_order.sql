-- The resident list in order of arrival, walked from the newest end
-- (`sql/recent.rs`): a page of a large scope reads its own rows instead of
-- sorting the scope. The unit, person and status ride along so that the
-- walk (and the capped count of a filtered list) tests a residence
-- without reading its row; with encrypted columns a residence's person is
-- the only row it still has to read.
CREATE INDEX residences_arrival ON residences (arrived_on, id, unit_code, person_id, status);
