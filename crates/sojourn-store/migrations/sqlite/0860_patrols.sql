-- Patrols (巡查, 三级巡查制): only ever added. A house's patrol names the
-- house; a station's or collection point's names only its unit. A patrol
-- that found new tenants living unregistered opens a task on the house.
CREATE TABLE patrols (
    id                    INTEGER PRIMARY KEY,
    unit_code             TEXT NOT NULL REFERENCES units (code),
    level                 TEXT NOT NULL CHECK (level IN ('house', 'collection_point', 'station')),
    house_id              INTEGER REFERENCES houses (id),
    patrolled_on          TEXT NOT NULL,
    patroller             TEXT NOT NULL,
    occupancy             TEXT CHECK (occupancy IN ('occupied', 'empty')),
    unregistered_tenants  INTEGER NOT NULL DEFAULT 0,
    hazard                INTEGER NOT NULL DEFAULT 0,
    note                  TEXT,
    recorded_at           TEXT NOT NULL,
    recorded_by           TEXT NOT NULL,
    CHECK ((level = 'house') = (house_id IS NOT NULL)),
    CHECK ((level = 'house') = (occupancy IS NOT NULL))
);
CREATE INDEX patrols_house ON patrols (house_id, patrolled_on) WHERE house_id IS NOT NULL;
CREATE INDEX patrols_unit ON patrols (unit_code, level, patrolled_on);

CREATE TABLE patrol_tasks (
    id          INTEGER PRIMARY KEY,
    house_id    INTEGER NOT NULL REFERENCES houses (id),
    unit_code   TEXT NOT NULL REFERENCES units (code),
    patrol_id   INTEGER NOT NULL REFERENCES patrols (id),
    opened_on   TEXT NOT NULL,
    closed_at   TEXT,
    closed_by   TEXT
);
CREATE INDEX patrol_tasks_open ON patrol_tasks (unit_code) WHERE closed_at IS NULL;
CREATE INDEX patrol_tasks_house ON patrol_tasks (house_id);

-- How often each level is patrolled, in days: the deployment's data,
-- the plan's cycles to begin with.
CREATE TABLE patrol_cycles (
    level  TEXT PRIMARY KEY CHECK (level IN ('house', 'collection_point', 'station')),
    days   INTEGER NOT NULL CHECK (days BETWEEN 1 AND 366)
);
INSERT INTO patrol_cycles (level, days) VALUES ('house', 14), ('collection_point', 14), ('station', 7);
