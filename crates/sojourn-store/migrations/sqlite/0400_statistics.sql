-- Running totals for the home page, kept by triggers in the transaction
-- of every change, so its figures are a few index reads however large the
-- register grows (counting 1,000,000 residences on each visit takes
-- seconds). Each table holds one row per unit and month (or province);
-- a caller's figure is the sum over the units of its subtree.

-- Residences living here now (registered or active), by province of the
-- person's household registration (the first two digits of `domicile`).
CREATE TABLE stat_current (
    unit_code  TEXT NOT NULL,
    province   TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (unit_code, province)
) WITHOUT ROWID;

-- Every residence, departed or not, by month of arrival (`2026-03`).
CREATE TABLE stat_arrivals (
    unit_code  TEXT NOT NULL,
    month      TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (unit_code, month)
) WITHOUT ROWID;

-- Departed residences by month of departure.
CREATE TABLE stat_departures (
    unit_code  TEXT NOT NULL,
    month      TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (unit_code, month)
) WITHOUT ROWID;

CREATE TRIGGER stat_residence_insert AFTER INSERT ON residences
BEGIN
    INSERT INTO stat_arrivals (unit_code, month, n)
        VALUES (NEW.unit_code, substr(NEW.arrived_on, 1, 7), 1)
        ON CONFLICT (unit_code, month) DO UPDATE SET n = n + 1;
    INSERT INTO stat_current (unit_code, province, n)
        SELECT NEW.unit_code, substr(p.domicile, 1, 2), 1 FROM persons p
        WHERE p.id = NEW.person_id AND NEW.status <> 'departed'
        ON CONFLICT (unit_code, province) DO UPDATE SET n = n + 1;
    INSERT INTO stat_departures (unit_code, month, n)
        SELECT NEW.unit_code, substr(NEW.departed_on, 1, 7), 1
        WHERE NEW.status = 'departed'
        ON CONFLICT (unit_code, month) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stat_residence_delete AFTER DELETE ON residences
BEGIN
    UPDATE stat_arrivals SET n = n - 1
        WHERE unit_code = OLD.unit_code AND month = substr(OLD.arrived_on, 1, 7);
    UPDATE stat_current SET n = n - 1
        WHERE OLD.status <> 'departed' AND unit_code = OLD.unit_code
          AND province = (SELECT substr(domicile, 1, 2) FROM persons WHERE id = OLD.person_id);
    UPDATE stat_departures SET n = n - 1
        WHERE OLD.status = 'departed' AND unit_code = OLD.unit_code
          AND month = substr(OLD.departed_on, 1, 7);
END;

-- A change of unit, arrival date, status or departure date moves the
-- residence from the old rows to the new ones.
CREATE TRIGGER stat_residence_update
AFTER UPDATE OF unit_code, arrived_on, status, departed_on ON residences
BEGIN
    UPDATE stat_arrivals SET n = n - 1
        WHERE unit_code = OLD.unit_code AND month = substr(OLD.arrived_on, 1, 7);
    INSERT INTO stat_arrivals (unit_code, month, n)
        VALUES (NEW.unit_code, substr(NEW.arrived_on, 1, 7), 1)
        ON CONFLICT (unit_code, month) DO UPDATE SET n = n + 1;
    UPDATE stat_current SET n = n - 1
        WHERE OLD.status <> 'departed' AND unit_code = OLD.unit_code
          AND province = (SELECT substr(domicile, 1, 2) FROM persons WHERE id = OLD.person_id);
    INSERT INTO stat_current (unit_code, province, n)
        SELECT NEW.unit_code, substr(p.domicile, 1, 2), 1 FROM persons p
        WHERE p.id = NEW.person_id AND NEW.status <> 'departed'
        ON CONFLICT (unit_code, province) DO UPDATE SET n = n + 1;
    UPDATE stat_departures SET n = n - 1
        WHERE OLD.status = 'departed' AND unit_code = OLD.unit_code
          AND month = substr(OLD.departed_on, 1, 7);
    INSERT INTO stat_departures (unit_code, month, n)
        SELECT NEW.unit_code, substr(NEW.departed_on, 1, 7), 1
        WHERE NEW.status = 'departed'
        ON CONFLICT (unit_code, month) DO UPDATE SET n = n + 1;
END;

-- A corrected household registration moves the person's current stay to
-- the other province.
CREATE TRIGGER stat_person_domicile AFTER UPDATE OF domicile ON persons
WHEN substr(OLD.domicile, 1, 2) <> substr(NEW.domicile, 1, 2)
BEGIN
    UPDATE stat_current SET n = n - 1
        WHERE province = substr(OLD.domicile, 1, 2)
          AND unit_code = (SELECT unit_code FROM residences
                           WHERE person_id = NEW.id AND status <> 'departed');
    INSERT INTO stat_current (unit_code, province, n)
        SELECT r.unit_code, substr(NEW.domicile, 1, 2), 1 FROM residences r
        WHERE r.person_id = NEW.id AND r.status <> 'departed'
        ON CONFLICT (unit_code, province) DO UPDATE SET n = n + 1;
END;

-- The register as it stands when this migration runs.
INSERT INTO stat_arrivals (unit_code, month, n)
    SELECT unit_code, substr(arrived_on, 1, 7), count(*) FROM residences
    GROUP BY 1, 2;
INSERT INTO stat_current (unit_code, province, n)
    SELECT r.unit_code, substr(p.domicile, 1, 2), count(*)
    FROM residences r JOIN persons p ON p.id = r.person_id
    WHERE r.status <> 'departed' GROUP BY 1, 2;
INSERT INTO stat_departures (unit_code, month, n)
    SELECT unit_code, substr(departed_on, 1, 7), count(*) FROM residences
    WHERE status = 'departed' GROUP BY 1, 2;
