-- One outflow record per ID number and departure date, open or closed.
-- `outflows_one_open` keeps one record open per number; a record closed by
-- the person's return had no such backstop, so importing the same file
-- again wrote a second closed record. The store refuses the repeat first
-- (`StoreError::OutflowOnFile`, under every key of the ring); this index
-- is the backstop. A database already holding such a repeat refuses this
-- migration: close the copy by hand (it is the same departure) first.
CREATE UNIQUE INDEX outflows_once ON outflows (id_number_bidx, left_on);
