-- Indexes and constraints set aside while an empty register takes its
-- first bulk load (Store::begin_bulk_load_unscoped), each with the
-- statement that recreates it. A row is written in the transaction that
-- drops the object and deleted in the one that recreates it, so a row left
-- here means a load that never finished: opening the store rebuilds it.
CREATE TABLE deferred_schema (
    name        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('index', 'foreign_key', 'trigger')),
    table_name  TEXT NOT NULL,
    definition  TEXT NOT NULL
);
