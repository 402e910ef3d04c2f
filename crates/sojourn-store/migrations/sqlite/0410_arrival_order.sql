-- The resident list in order of arrival, walked from the newest end
-- (`sql/recent.rs`): a page of a large scope reads its own rows instead of
-- sorting the scope.
CREATE INDEX residences_arrival ON residences (arrived_on, id);
