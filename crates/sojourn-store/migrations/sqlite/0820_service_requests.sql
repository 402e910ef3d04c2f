-- Service requests at the one-stop window (一站式服务, R4.2). The kinds
-- are the deployment's code table, seeded with the eight every street
-- office offers, each with its due period in days (default 7).
CREATE TABLE service_request_kinds (
    code      TEXT PRIMARY KEY,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    due_days  INTEGER NOT NULL CHECK (due_days BETWEEN 1 AND 365),
    position  INTEGER NOT NULL
);
INSERT INTO service_request_kinds (code, name_zh, name_en, due_days, position) VALUES
    ('employment', '就业服务', 'employment', 7, 1),
    ('legal_aid', '法律援助', 'legal aid', 7, 2),
    ('housing', '住房租赁', 'housing', 7, 3),
    ('schooling', '子女入学', 'schooling', 7, 4),
    ('social_insurance', '社会保险', 'social insurance', 7, 5),
    ('health', '医疗卫生', 'health', 7, 6),
    ('family_planning', '计划生育', 'family planning', 7, 7),
    ('hardship_relief', '困难救助', 'hardship relief', 7, 8);

-- A request, versioned through the one write path: intake → referred →
-- resolved → closed. The referral is a department contact as text.
CREATE TABLE service_requests (
    id             INTEGER PRIMARY KEY,
    unit_code      TEXT NOT NULL REFERENCES units (code),
    person_id      INTEGER NOT NULL REFERENCES persons (id),
    kind           TEXT NOT NULL REFERENCES service_request_kinds (code),
    asked          TEXT NOT NULL,
    received_on    TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('intake', 'referred', 'resolved', 'closed')),
    department     TEXT,
    contact        TEXT,
    contact_phone  TEXT,
    referred_on    TEXT,
    resolution     TEXT,
    resolved_on    TEXT,
    satisfaction   TEXT CHECK (satisfaction IN ('satisfied', 'neutral', 'dissatisfied')),
    feedback       TEXT,
    closed_on      TEXT,
    version        INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    CHECK (state <> 'referred' OR referred_on IS NOT NULL),
    CHECK ((state IN ('resolved', 'closed')) = (resolved_on IS NOT NULL)),
    CHECK ((state = 'closed') = (closed_on IS NOT NULL AND satisfaction IS NOT NULL))
);
CREATE INDEX service_requests_unit ON service_requests (unit_code, id);
CREATE INDEX service_requests_open ON service_requests (state, due_on, unit_code);
CREATE INDEX service_requests_person ON service_requests (person_id, id);
