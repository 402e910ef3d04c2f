-- Running totals for the home page, kept by triggers in the transaction
-- of every change, so its figures are a few index reads however large the
-- register grows (counting 1,000,000 residences on each visit takes
-- seconds). Each table holds one row per unit and month (or province);
-- a caller's figure is the sum over the units of its subtree.

-- Residences living here now (registered or active), by province of the
-- person's household registration (the first two digits of `domicile`).
CREATE TABLE stat_current (
    unit_code  TEXT COLLATE "C" NOT NULL,
    province   TEXT COLLATE "C" NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (unit_code, province)
);

-- Every residence, departed or not, by month of arrival (`2026-03`).
CREATE TABLE stat_arrivals (
    unit_code  TEXT COLLATE "C" NOT NULL,
    month      TEXT COLLATE "C" NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (unit_code, month)
);

-- Departed residences by month of departure.
CREATE TABLE stat_departures (
    unit_code  TEXT COLLATE "C" NOT NULL,
    month      TEXT COLLATE "C" NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (unit_code, month)
);

-- Statement-level triggers over the transition tables: a batch of
-- arrivals (binary COPY) adds its counts in one upsert per table rather
-- than one per row.
CREATE FUNCTION stat_residences_inserted() RETURNS trigger AS $$
BEGIN
    WITH delta AS (SELECT person_id, unit_code, arrived_on, status, departed_on, 1::BIGINT AS sign FROM new_rows)
    INSERT INTO stat_arrivals (unit_code, month, n)
        SELECT unit_code, to_char(arrived_on, 'YYYY-MM'), sum(sign) FROM delta
        GROUP BY 1, 2 HAVING sum(sign) <> 0
        ON CONFLICT (unit_code, month) DO UPDATE SET n = stat_arrivals.n + excluded.n;
    WITH delta AS (SELECT person_id, unit_code, arrived_on, status, departed_on, 1::BIGINT AS sign FROM new_rows)
    INSERT INTO stat_current (unit_code, province, n)
        SELECT d.unit_code, substr(p.domicile, 1, 2), sum(d.sign)
        FROM delta d JOIN persons p ON p.id = d.person_id
        WHERE d.status <> 'departed'
        GROUP BY 1, 2 HAVING sum(d.sign) <> 0
        ON CONFLICT (unit_code, province) DO UPDATE SET n = stat_current.n + excluded.n;
    WITH delta AS (SELECT person_id, unit_code, arrived_on, status, departed_on, 1::BIGINT AS sign FROM new_rows)
    INSERT INTO stat_departures (unit_code, month, n)
        SELECT unit_code, to_char(departed_on, 'YYYY-MM'), sum(sign) FROM delta
        WHERE status = 'departed'
        GROUP BY 1, 2 HAVING sum(sign) <> 0
        ON CONFLICT (unit_code, month) DO UPDATE SET n = stat_departures.n + excluded.n;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION stat_residences_deleted() RETURNS trigger AS $$
BEGIN
    WITH delta AS (SELECT person_id, unit_code, arrived_on, status, departed_on, -1::BIGINT AS sign FROM old_rows)
    INSERT INTO stat_arrivals (unit_code, month, n)
        SELECT unit_code, to_char(arrived_on, 'YYYY-MM'), sum(sign) FROM delta
        GROUP BY 1, 2 HAVING sum(sign) <> 0
        ON CONFLICT (unit_code, month) DO UPDATE SET n = stat_arrivals.n + excluded.n;
    WITH delta AS (SELECT person_id, unit_code, arrived_on, status, departed_on, -1::BIGINT AS sign FROM old_rows)
    INSERT INTO stat_current (unit_code, province, n)
        SELECT d.unit_code, substr(p.domicile, 1, 2), sum(d.sign)
        FROM delta d JOIN persons p ON p.id = d.person_id
        WHERE d.status <> 'departed'
        GROUP BY 1, 2 HAVING sum(d.sign) <> 0
        ON CONFLICT (unit_code, province) DO UPDATE SET n = stat_current.n + excluded.n;
    WITH delta AS (SELECT person_id, unit_code, arrived_on, status, departed_on, -1::BIGINT AS sign FROM old_rows)
    INSERT INTO stat_departures (unit_code, month, n)
        SELECT unit_code, to_char(departed_on, 'YYYY-MM'), sum(sign) FROM delta
        WHERE status = 'departed'
        GROUP BY 1, 2 HAVING sum(sign) <> 0
        ON CONFLICT (unit_code, month) DO UPDATE SET n = stat_departures.n + excluded.n;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION stat_residences_updated() RETURNS trigger AS $$
BEGIN
    WITH delta AS (SELECT person_id, unit_code, arrived_on, status, departed_on, 1::BIGINT AS sign FROM new_rows UNION ALL SELECT person_id, unit_code, arrived_on, status, departed_on, -1::BIGINT AS sign FROM old_rows)
    INSERT INTO stat_arrivals (unit_code, month, n)
        SELECT unit_code, to_char(arrived_on, 'YYYY-MM'), sum(sign) FROM delta
        GROUP BY 1, 2 HAVING sum(sign) <> 0
        ON CONFLICT (unit_code, month) DO UPDATE SET n = stat_arrivals.n + excluded.n;
    WITH delta AS (SELECT person_id, unit_code, arrived_on, status, departed_on, 1::BIGINT AS sign FROM new_rows UNION ALL SELECT person_id, unit_code, arrived_on, status, departed_on, -1::BIGINT AS sign FROM old_rows)
    INSERT INTO stat_current (unit_code, province, n)
        SELECT d.unit_code, substr(p.domicile, 1, 2), sum(d.sign)
        FROM delta d JOIN persons p ON p.id = d.person_id
        WHERE d.status <> 'departed'
        GROUP BY 1, 2 HAVING sum(d.sign) <> 0
        ON CONFLICT (unit_code, province) DO UPDATE SET n = stat_current.n + excluded.n;
    WITH delta AS (SELECT person_id, unit_code, arrived_on, status, departed_on, 1::BIGINT AS sign FROM new_rows UNION ALL SELECT person_id, unit_code, arrived_on, status, departed_on, -1::BIGINT AS sign FROM old_rows)
    INSERT INTO stat_departures (unit_code, month, n)
        SELECT unit_code, to_char(departed_on, 'YYYY-MM'), sum(sign) FROM delta
        WHERE status = 'departed'
        GROUP BY 1, 2 HAVING sum(sign) <> 0
        ON CONFLICT (unit_code, month) DO UPDATE SET n = stat_departures.n + excluded.n;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER stat_residences_insert AFTER INSERT ON residences
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_residences_inserted();
CREATE TRIGGER stat_residences_delete AFTER DELETE ON residences
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_residences_deleted();
-- (A trigger with transition tables takes no column list: it runs after
-- every UPDATE of residences, and a change that moves nothing adds 0.)
CREATE TRIGGER stat_residences_update AFTER UPDATE ON residences
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_residences_updated();

-- A corrected household registration moves the person's current stay to
-- the other province.
CREATE FUNCTION stat_person_domicile() RETURNS trigger AS $$
BEGIN
    IF substr(OLD.domicile, 1, 2) <> substr(NEW.domicile, 1, 2) THEN
        UPDATE stat_current s SET n = s.n - 1 FROM residences r
            WHERE r.person_id = NEW.id AND r.status <> 'departed'
              AND s.unit_code = r.unit_code AND s.province = substr(OLD.domicile, 1, 2);
        INSERT INTO stat_current (unit_code, province, n)
            SELECT r.unit_code, substr(NEW.domicile, 1, 2), 1 FROM residences r
            WHERE r.person_id = NEW.id AND r.status <> 'departed'
            ON CONFLICT (unit_code, province) DO UPDATE SET n = stat_current.n + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER stat_person_domicile AFTER UPDATE OF domicile ON persons
    FOR EACH ROW EXECUTE FUNCTION stat_person_domicile();

-- The register as it stands when this migration runs.
INSERT INTO stat_arrivals (unit_code, month, n)
    SELECT unit_code, to_char(arrived_on, 'YYYY-MM'), count(*) FROM residences
    GROUP BY 1, 2;
INSERT INTO stat_current (unit_code, province, n)
    SELECT r.unit_code, substr(p.domicile, 1, 2), count(*)
    FROM residences r JOIN persons p ON p.id = r.person_id
    WHERE r.status <> 'departed' GROUP BY 1, 2;
INSERT INTO stat_departures (unit_code, month, n)
    SELECT unit_code, to_char(departed_on, 'YYYY-MM'), count(*) FROM residences
    WHERE status = 'departed' GROUP BY 1, 2;
