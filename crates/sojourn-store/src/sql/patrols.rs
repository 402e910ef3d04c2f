//! The SQL of patrols (`crate::patrols`). A worklist reads each target's
//! last patrol from the index `(house_id, patrolled_on)` or
//! `(unit_code, level, patrolled_on)`, and compares it (or, for a target
//! never patrolled, the moment it came on file) with the cutoff the
//! cycle gives for the day asked.

use super::houses::get_house;
use super::units::{deployment_root, get_unit};
use super::{Row, Tx, Value, now, scope_bounds};
use crate::audit::AuditAction;
use crate::patrols::{
    DueFilter, DuePatrol, PatrolQuery, PatrolTask, PatrolWaiting, RecordedPatrol,
};
use crate::query::{Page, WAITING_COUNT_CAP};
use crate::{Actor, Result, StoreError};
use sojourn_domain::house::HouseId;
use sojourn_domain::patrol::{
    DUE_SOON_DAYS, HouseSighting, Occupancy, Patrol, PatrolCycles, PatrolLevel, PatrolTarget,
    Visit, unit_level,
};
use sojourn_domain::record::RecordKind;
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::time_rules::{CHINA, PastDate};
use sojourn_domain::unit::{Scope, UnitCode, UnitLevel};
use time::macros::date;
use time::{Date, Duration, PrimitiveDateTime, Time};

const COLUMNS: &str = "id, unit_code, level, house_id, patrolled_on, patroller, occupancy, \
    unregistered_tenants, hazard, note, recorded_at, recorded_by";

pub(crate) fn record_patrol(
    tx: &mut dyn Tx,
    scope: &Scope,
    patrol: &Patrol,
    actor: &Actor,
) -> Result<RecordedPatrol> {
    let (unit, level, house) = match &patrol.visit {
        Visit::House { house, .. } => {
            let on_file = get_house(tx, scope, *house)?;
            (on_file.details.unit, PatrolLevel::House, Some(*house))
        }
        Visit::Unit(code) => {
            get_unit(tx, scope, code)?;
            let level = unit_level(code).map_err(|e| StoreError::Rule(e.into()))?;
            (code.clone(), level, None)
        }
    };
    let sighting = patrol.visit.sighting();
    let row = tx.query_one(
        &format!(
            "INSERT INTO patrols (unit_code, level, house_id, patrolled_on, patroller, occupancy, \
             unregistered_tenants, hazard, note, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {COLUMNS}"
        ),
        &[
            unit.as_str().into(),
            level.key().into(),
            house.map(|h| h.0).into(),
            patrol.patrolled_on.date().into(),
            patrol.patroller.as_str().into(),
            sighting.map(|s| s.occupancy.key()).into(),
            Value::Int(i64::from(sighting.is_some_and(|s| s.unregistered_tenants))),
            Value::Int(i64::from(sighting.is_some_and(|s| s.hazard))),
            patrol.note.as_ref().map(Note::as_str).into(),
            now().into(),
            actor.name.as_str().into(),
        ],
    )?;
    let recorded = recorded_patrol(&row)?;
    if let (true, Some(house)) = (patrol.opens_task(), house) {
        tx.execute(
            "INSERT INTO patrol_tasks (house_id, unit_code, patrol_id, opened_on) \
             VALUES ($1, $2, $3, $4)",
            &[
                house.0.into(),
                unit.as_str().into(),
                recorded.id.into(),
                patrol.patrolled_on.date().into(),
            ],
        )?;
    }
    super::audit::record_change(
        tx,
        actor,
        AuditAction::Create,
        (RecordKind::Patrol, recorded.id),
        &unit,
        None,
        snapshot(&recorded),
    )?;
    Ok(recorded)
}

pub(crate) fn patrols_of(
    tx: &mut dyn Tx,
    scope: &Scope,
    target: &PatrolTarget,
    limit: u32,
) -> Result<Vec<RecordedPatrol>> {
    let limit = Value::Int(i64::from(limit));
    let rows = match target {
        PatrolTarget::House(house) => {
            get_house(tx, scope, *house)?;
            tx.query(
                &format!(
                    "SELECT {COLUMNS} FROM patrols WHERE house_id = $1 \
                     ORDER BY patrolled_on DESC, id DESC LIMIT $2"
                ),
                &[house.0.into(), limit],
            )?
        }
        PatrolTarget::Unit(code) => {
            get_unit(tx, scope, code)?;
            tx.query(
                &format!(
                    "SELECT {COLUMNS} FROM patrols WHERE unit_code = $1 AND house_id IS NULL \
                     ORDER BY patrolled_on DESC, id DESC LIMIT $2"
                ),
                &[code.as_str().into(), limit],
            )?
        }
    };
    rows.iter().map(recorded_patrol).collect()
}

/// The targets of one level in `scope` with their last patrol, as a
/// derived table `t (house_id, name, unit_code, created_at, last_on)`.
fn targets(level: PatrolLevel) -> String {
    match level {
        PatrolLevel::House => "SELECT h.id AS house_id, h.address AS name, h.unit_code, \
             h.created_at, (SELECT MAX(p.patrolled_on) FROM patrols p WHERE p.house_id = h.id) \
             AS last_on FROM houses h WHERE h.unit_code >= $1 AND h.unit_code < $2"
            .to_owned(),
        unit => {
            let length = match unit {
                PatrolLevel::Station => UnitLevel::Community.code_len(),
                _ => UnitLevel::CollectionPoint.code_len(),
            };
            format!(
                "SELECT NULL AS house_id, u.name, u.code AS unit_code, u.created_at, \
                 (SELECT MAX(p.patrolled_on) FROM patrols p WHERE p.unit_code = u.code \
                 AND p.level = '{}') AS last_on FROM units u \
                 WHERE u.code >= $1 AND u.code < $2 AND length(u.code) = {length}",
                unit.key()
            )
        }
    }
}

/// The condition "due before `day`" on `t`, with `$3` the date and `$4`
/// the moment the cycle's cutoff gives.
const DUE_BEFORE: &str =
    "(t.last_on IS NOT NULL AND t.last_on < $3) OR (t.last_on IS NULL AND t.created_at < $4)";

/// The date and moment before which a target's last patrol (or its
/// coming on file) makes it due before `day`.
fn cutoff(cycles: &PatrolCycles, level: PatrolLevel, day: Date) -> [Value; 2] {
    let from = day.saturating_sub(Duration::days(i64::from(cycles.days(level))));
    let midnight = PrimitiveDateTime::new(from, Time::MIDNIGHT).assume_offset(CHINA);
    [from.into(), midnight.into()]
}

fn due_day(filter: DueFilter, today: Date) -> Date {
    match filter {
        DueFilter::Overdue => today,
        DueFilter::Due => today.saturating_add(Duration::days(DUE_SOON_DAYS + 1)),
    }
}

pub(crate) fn patrol_worklist(
    tx: &mut dyn Tx,
    scope: &Scope,
    query: &PatrolQuery,
) -> Result<Page<DuePatrol>> {
    let cycles = patrol_cycles(tx)?;
    let [low, high] = scope_bounds(scope);
    let [day, moment] = cutoff(&cycles, query.level, due_day(query.filter, query.today));
    let from = format!("FROM ({}) t WHERE {DUE_BEFORE}", targets(query.level));
    let params = [low, high, day, moment];
    let total = tx
        .query_one(&format!("SELECT COUNT(*) {from}"), &params)?
        .int(0)?;
    let mut paged = params.to_vec();
    paged.push(Value::Int(i64::from(query.page.limit())));
    paged.push(Value::Int(
        i64::try_from(query.page.offset()).unwrap_or(i64::MAX),
    ));
    let rows = tx.query(
        &format!(
            "SELECT t.house_id, t.name, t.unit_code, t.created_at, t.last_on {from} \
             ORDER BY COALESCE(t.last_on, t.created_at), t.unit_code, t.house_id \
             LIMIT $5 OFFSET $6"
        ),
        &paged,
    )?;
    let items = rows
        .iter()
        .map(|row| due_patrol(row, query.level, &cycles))
        .collect::<Result<_>>()?;
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
    })
}

fn due_patrol(row: &Row, level: PatrolLevel, cycles: &PatrolCycles) -> Result<DuePatrol> {
    let last_on = row.opt_date(4)?;
    let on_file = row.time(3)?.to_offset(CHINA).date();
    Ok(DuePatrol {
        level,
        house: row.opt_int(0)?.map(HouseId),
        unit: super::mapping::unit_code(row.text(2)?)?,
        name: row.text(1)?.to_owned(),
        last_on,
        due_on: cycles.due_on(level, last_on, on_file),
    })
}

pub(crate) fn patrol_waiting(tx: &mut dyn Tx, scope: &Scope, today: Date) -> Result<PatrolWaiting> {
    let cycles = patrol_cycles(tx)?;
    let cap = Value::Int(i64::try_from(WAITING_COUNT_CAP + 1).unwrap_or(i64::MAX));
    let mut overdue = 0;
    for level in PatrolLevel::ALL {
        let [low, high] = scope_bounds(scope);
        let [day, moment] = cutoff(&cycles, level, today);
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 AS one FROM ({}) t WHERE {DUE_BEFORE} LIMIT $5) c",
            targets(level)
        );
        let n = tx
            .query_one(&sql, &[low, high, day, moment, cap.clone()])?
            .int(0)?;
        overdue += u64::try_from(n).unwrap_or(0);
    }
    let [low, high] = scope_bounds(scope);
    let open_tasks = tx
        .query_one(
            "SELECT COUNT(*) FROM (SELECT 1 AS one FROM patrol_tasks WHERE closed_at IS NULL \
             AND unit_code >= $1 AND unit_code < $2 LIMIT $3) c",
            &[low, high, cap],
        )?
        .int(0)?;
    Ok(PatrolWaiting {
        overdue: overdue.min(WAITING_COUNT_CAP + 1),
        open_tasks: u64::try_from(open_tasks).unwrap_or(0),
    })
}

pub(crate) fn open_patrol_tasks(
    tx: &mut dyn Tx,
    scope: &Scope,
    house: Option<HouseId>,
    limit: u32,
) -> Result<Vec<PatrolTask>> {
    let [low, high] = scope_bounds(scope);
    let mut params = vec![low, high, Value::Int(i64::from(limit))];
    let mut sql = String::from(
        "SELECT k.id, k.house_id, h.address, k.unit_code, k.patrol_id, k.opened_on \
         FROM patrol_tasks k JOIN houses h ON h.id = k.house_id \
         WHERE k.closed_at IS NULL AND k.unit_code >= $1 AND k.unit_code < $2",
    );
    if let Some(house) = house {
        sql.push_str(" AND k.house_id = $4");
        params.push(house.0.into());
    }
    sql.push_str(" ORDER BY k.opened_on, k.id LIMIT $3");
    tx.query(&sql, &params)?
        .iter()
        .map(|row| {
            Ok(PatrolTask {
                id: row.int(0)?,
                house: HouseId(row.int(1)?),
                address: row.text(2)?.to_owned(),
                unit: super::mapping::unit_code(row.text(3)?)?,
                patrol: row.int(4)?,
                opened_on: row.date(5)?,
            })
        })
        .collect()
}

pub(crate) fn close_patrol_task(
    tx: &mut dyn Tx,
    scope: &Scope,
    task: i64,
    actor: &Actor,
) -> Result<()> {
    let open = open_patrol_tasks(tx, scope, None, u32::MAX)?
        .into_iter()
        .find(|t| t.id == task)
        .ok_or_else(|| StoreError::NotFound {
            kind: RecordKind::Patrol,
            id: task.to_string(),
        })?;
    tx.execute(
        "UPDATE patrol_tasks SET closed_at = $1, closed_by = $2 WHERE id = $3",
        &[now().into(), actor.name.as_str().into(), task.into()],
    )?;
    super::audit::record_change(
        tx,
        actor,
        AuditAction::Update,
        (RecordKind::Patrol, open.patrol),
        &open.unit,
        Some(serde_json::json!({ "task": task, "open": true })),
        serde_json::json!({ "task": task, "open": false }),
    )
}

pub(crate) fn patrol_cycles(tx: &mut dyn Tx) -> Result<PatrolCycles> {
    let mut cycles = PatrolCycles::default();
    for row in tx.query("SELECT level, days FROM patrol_cycles", &[])? {
        let days = u16::try_from(row.int(1)?).unwrap_or(u16::MAX);
        match PatrolLevel::from_key(row.text(0)?) {
            Some(PatrolLevel::House) => cycles.house = days,
            Some(PatrolLevel::CollectionPoint) => cycles.collection_point = days,
            Some(PatrolLevel::Station) => cycles.station = days,
            None => return Err(corrupt("patrol level", row.text(0)?)),
        }
    }
    Ok(cycles)
}

pub(crate) fn set_patrol_cycles(
    tx: &mut dyn Tx,
    scope: &Scope,
    cycles: PatrolCycles,
    actor: &Actor,
) -> Result<()> {
    let root = deployment_root(tx)?.ok_or(StoreError::Deployment("not initialised"))?;
    if scope.root() != &root.code {
        return Err(StoreError::ReferenceOutOfScope {
            kind: RecordKind::Unit,
            id: root.code.to_string(),
        });
    }
    let before = patrol_cycles(tx)?;
    for level in PatrolLevel::ALL {
        tx.execute(
            "UPDATE patrol_cycles SET days = $1 WHERE level = $2",
            &[
                Value::Int(i64::from(cycles.days(level))),
                level.key().into(),
            ],
        )?;
    }
    super::audit::record_change(
        tx,
        actor,
        AuditAction::Update,
        (RecordKind::Patrol, 0),
        &root.code,
        Some(cycles_snapshot(&before)),
        cycles_snapshot(&cycles),
    )
}

fn cycles_snapshot(c: &PatrolCycles) -> serde_json::Value {
    serde_json::json!({
        "house": c.house, "collection_point": c.collection_point, "station": c.station,
    })
}

/// Stored dates were checked against the day they were written.
const READ_TODAY: Date = date!(9999 - 12 - 31);

fn recorded_patrol(row: &Row) -> Result<RecordedPatrol> {
    let unit: UnitCode = super::mapping::unit_code(row.text(1)?)?;
    let level_key = row.text(2)?;
    let level = PatrolLevel::from_key(level_key).ok_or_else(|| corrupt("level", level_key))?;
    let on = row.date(4)?;
    let patroller = row.text(5)?;
    let visit = match (row.opt_int(3)?, row.opt_text(6)?) {
        (Some(house), Some(occupancy)) => Visit::House {
            house: HouseId(house),
            sighting: HouseSighting {
                occupancy: Occupancy::from_key(occupancy)
                    .ok_or_else(|| corrupt("occupancy", occupancy))?,
                unregistered_tenants: row.int(7)? != 0,
                hazard: row.int(8)? != 0,
            },
        },
        (None, None) => Visit::Unit(unit.clone()),
        _ => return Err(corrupt("patrol target", level_key)),
    };
    Ok(RecordedPatrol {
        id: row.int(0)?,
        unit,
        level,
        patrol: Patrol {
            visit,
            patrolled_on: PastDate::new(on, READ_TODAY)
                .map_err(|_| corrupt("date", &on.to_string()))?,
            patroller: PersonName::parse(patroller).map_err(|_| corrupt("patroller", patroller))?,
            note: row
                .opt_text(9)?
                .map(|n| Note::parse(n).map_err(|_| corrupt("note", n)))
                .transpose()?,
        },
        recorded_at: row.time(10)?,
        recorded_by: row.text(11)?.to_owned(),
    })
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("stored {what} {value:?} no longer parses"))
}

/// What the audit trail keeps of a patrol.
fn snapshot(r: &RecordedPatrol) -> serde_json::Value {
    let p = &r.patrol;
    let sighting = p.visit.sighting();
    serde_json::json!({
        "level": r.level.key(),
        "unit": r.unit.as_str(),
        "house": match p.visit { Visit::House { house, .. } => Some(house.0), Visit::Unit(_) => None },
        "patrolled_on": p.patrolled_on.date().to_string(),
        "patroller": p.patroller.as_str(),
        "occupancy": sighting.map(|s| s.occupancy.key()),
        "unregistered_tenants": sighting.map(|s| s.unregistered_tenants),
        "hazard": sighting.map(|s| s.hazard),
        "note": p.note.as_ref().map(Note::as_str),
    })
}

impl<B: super::Backend> crate::PatrolStore for super::SqlStore<B> {
    fn record_patrol(
        &self,
        scope: &Scope,
        patrol: &Patrol,
        actor: &Actor,
    ) -> Result<RecordedPatrol> {
        self.backend
            .write(|tx| record_patrol(tx, scope, patrol, actor))
    }

    fn patrols_of(
        &self,
        scope: &Scope,
        target: &PatrolTarget,
        limit: u32,
    ) -> Result<Vec<RecordedPatrol>> {
        self.backend.read(|tx| patrols_of(tx, scope, target, limit))
    }

    fn patrol_worklist(&self, scope: &Scope, query: &PatrolQuery) -> Result<Page<DuePatrol>> {
        self.backend.read(|tx| patrol_worklist(tx, scope, query))
    }

    fn patrol_waiting(&self, scope: &Scope, today: Date) -> Result<PatrolWaiting> {
        self.backend.read(|tx| patrol_waiting(tx, scope, today))
    }

    fn open_patrol_tasks(
        &self,
        scope: &Scope,
        house: Option<HouseId>,
        limit: u32,
    ) -> Result<Vec<PatrolTask>> {
        self.backend
            .read(|tx| open_patrol_tasks(tx, scope, house, limit))
    }

    fn close_patrol_task(&self, scope: &Scope, task: i64, actor: &Actor) -> Result<()> {
        self.backend
            .write(|tx| close_patrol_task(tx, scope, task, actor))
    }

    fn patrol_cycles(&self) -> Result<PatrolCycles> {
        self.backend.read(patrol_cycles)
    }

    fn set_patrol_cycles(&self, scope: &Scope, cycles: PatrolCycles, actor: &Actor) -> Result<()> {
        self.backend
            .write(|tx| set_patrol_cycles(tx, scope, cycles, actor))
    }
}
