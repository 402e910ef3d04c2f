//! The family-planning follow-up kept (R4.3): a file per woman in
//! `fp_files`, her 三查 schedule in `fp_checks`.
//!
//! A file goes through the one write path (`change.rs`): versioned, each
//! state kept in the sealed history, each change audited with its
//! contents masked whole (`HiddenText`). The contents — certificate,
//! contraception, pregnancy, births — are one value sealed under the
//! `family_planning` field; a 三查's findings are sealed under
//! `family_planning_check`. What is in the clear is what any role may
//! see: that the file exists, whose it is, the arrival or departure and
//! the filing date (what the 30-day rule judges), and the schedule (each
//! window's dates and whether, and on which day, it was done).
//!
//! The filing date is the day a collector opened the file, or the
//! 建档日期 an imported sheet states — never the day an import ran. A
//! file opened for an inflow woman has her stay judged again, so the
//! monitor's 30-day finding follows the file.
//!
//! A year's schedule is made by three `INSERT … SELECT` statements, one
//! per window, whatever the number of women; a window already there is
//! kept (`ON CONFLICT DO NOTHING`), so the generation can be run again.
//! The worklists of the schedule (due, missed) are index range reads over
//! the open windows; the key groups that read the contents (all but
//! "missed a 三查") open the files of the scope one by one, which a
//! community's few thousand women allow.

use super::change::{self, Step, versioned};
use super::outflows::get_outflow;
use super::residents::{get_person, get_residence};
use super::sealed::{self, FAMILY_PLANNING, FAMILY_PLANNING_CHECK};
use super::{Row, Tx, Value, mapping, now, scope_bounds};
use crate::audit::AuditAction;
use crate::family_planning::*;
use crate::snapshot::HiddenText;
use crate::{Actor, Page, Result, StoreError};
use serde::Serialize;
use serde_json::{Value as Json, json};
use sojourn_domain::codes::ContraceptiveMethod;
use sojourn_domain::outflow::OutflowId;
use sojourn_domain::person::PersonId;
use sojourn_domain::record::RecordKind;
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::services::family_planning::*;
use sojourn_domain::unit::{Scope, UnitCode};
use time::{Date, Duration};

const COLUMNS: &str = "f.id, f.unit_code, f.population, f.residence_id, f.outflow_id, \
    f.person_id, f.birth_date, f.basis_on, f.filed_on, f.filing, f.contents, f.version";

versioned!(FollowUpFile: FamilyPlanningFile, FileSnapshot, get_file, FollowUpFileId, |f| &f.unit);

/// What the history keeps of a file, and the audit trail masked: the
/// contents are hidden whole wherever a snapshot is masked.
#[derive(Serialize)]
pub(crate) struct FileSnapshot {
    id: i64,
    unit: String,
    population: &'static str,
    residence: Option<i64>,
    outflow: Option<i64>,
    person: Option<i64>,
    birth_date: String,
    basis_on: String,
    filed_on: String,
    filing: &'static str,
    contents: HiddenText,
    version: i64,
}

impl From<&FollowUpFile> for FileSnapshot {
    fn from(f: &FollowUpFile) -> Self {
        let (residence, outflow, person) = woman_ids(f.woman);
        Self {
            id: f.id.0,
            unit: f.unit.as_str().to_owned(),
            population: f.woman.population().key(),
            residence,
            outflow,
            person,
            birth_date: f.birth_date.to_string(),
            basis_on: f.basis_on.to_string(),
            filed_on: f.filing.filed_on().to_string(),
            filing: f.filing.key(),
            contents: HiddenText::of(contents_json(&f.contents).to_string()),
            version: f.version,
        }
    }
}

fn woman_ids(woman: Woman) -> (Option<i64>, Option<i64>, Option<i64>) {
    match woman {
        Woman::Inflow { residence, person } => (Some(residence.0), None, Some(person.0)),
        Woman::Outflow { outflow } => (None, Some(outflow.0), None),
    }
}

// ---------------------------------------------------------------------------
// Files

/// The woman a file is opened on, as the registers tell of her.
fn subject_of(
    tx: &mut dyn Tx,
    scope: &Scope,
    opening: &FileOpening,
) -> Result<(Subject, Woman, UnitCode)> {
    match opening.woman {
        WomanRef::Residence(id) => {
            let stay = get_residence(tx, scope, id)?;
            let person = get_person(tx, scope, stay.person)?;
            let subject = Subject {
                sex: person.sex(),
                birth_date: person.birth_date(),
                marital_status: person.details.marital_status.or(opening.marital_status),
                population: Population::Inflow,
                basis_on: stay.stay.arrived_on.date(),
            };
            let woman = Woman::Inflow {
                residence: id,
                person: stay.person,
            };
            Ok((subject, woman, stay.stay.unit))
        }
        WomanRef::Outflow(id) => {
            let outflow = get_outflow(tx, scope, id)?;
            let subject = Subject {
                sex: outflow.id_number.sex(),
                birth_date: outflow.id_number.birth_date(),
                marital_status: opening.marital_status,
                population: Population::Outflow,
                basis_on: outflow.details.left_on.date(),
            };
            Ok((
                subject,
                Woman::Outflow { outflow: id },
                outflow.details.unit,
            ))
        }
    }
}

pub(crate) fn open_file(
    tx: &mut dyn Tx,
    scope: &Scope,
    opening: &FileOpening,
    today: Date,
    actor: &Actor,
) -> Result<FollowUpFile> {
    let (subject, woman, unit) = subject_of(tx, scope, opening)?;
    subject.check_in_scope()?;
    opening.filing.check(today)?;
    let contents = opening.contents.clone().check(today)?;
    if let Some(on_file) = file_of(tx, scope, opening.woman)? {
        return Err(StoreError::FamilyPlanning(
            FamilyPlanningError::AlreadyFiled { file: on_file.id.0 },
        ));
    }
    let (residence, outflow, person) = woman_ids(woman);
    let sealed_contents = seal_contents(tx, &contents);
    let file = change::create::<FollowUpFile>(tx, scope, actor, |tx, stamp| {
        let [version, at, by] = stamp.values();
        let row = tx.query_one(
            "INSERT INTO fp_files (unit_code, population, residence_id, outflow_id, person_id, \
             birth_date, basis_on, filed_on, filing, contents, version, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            &[
                unit.as_str().into(),
                subject.population.key().into(),
                residence.into(),
                outflow.into(),
                person.into(),
                subject.birth_date.into(),
                subject.basis_on.into(),
                opening.filing.filed_on().into(),
                opening.filing.key().into(),
                sealed_contents,
                version,
                at,
                by,
            ],
        )?;
        row.int(0)
    })?;
    rejudge_stay(tx, &file)?;
    Ok(file)
}

/// The monitor judges a woman's follow-up on her stay (inflow) or her
/// outflow record: the 30-day rule reads the file's filing date, the age
/// rule the days of her 三查. The record is judged again when either
/// changes.
fn rejudge_stay(tx: &mut dyn Tx, file: &FollowUpFile) -> Result<()> {
    match file.woman {
        Woman::Inflow { residence, .. } => {
            super::quality::refresh(tx, RecordKind::Residence, residence.0)
        }
        Woman::Outflow { outflow } => super::quality::refresh(tx, RecordKind::Outflow, outflow.0),
    }
}

pub(crate) fn update_file(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: FollowUpFileId,
    contents: &FollowUp,
    (expected_version, today): (i64, Date),
    actor: &Actor,
) -> Result<FollowUpFile> {
    let contents = contents.clone().check(today)?;
    let sealed_contents = seal_contents(tx, &contents);
    change::update::<FollowUpFile>(
        tx,
        scope,
        actor,
        (id.0, expected_version),
        Step::Updated,
        |tx, _before, stamp| {
            let [version, at, by] = stamp.values();
            tx.execute(
                "UPDATE fp_files SET contents = $1, version = $2, updated_at = $3, \
                 updated_by = $4 WHERE id = $5",
                &[sealed_contents, version, at, by, id.0.into()],
            )
            .map(drop)
        },
    )
}

pub(crate) fn get_file(tx: &mut dyn Tx, scope: &Scope, id: FollowUpFileId) -> Result<FollowUpFile> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {COLUMNS} FROM fp_files f WHERE f.unit_code >= $1 AND f.unit_code < $2 \
         AND f.id = $3"
    );
    let row = tx
        .query_opt(&sql, &[low, high, id.0.into()])?
        .ok_or_else(|| StoreError::NotFound {
            kind: RecordKind::FamilyPlanningFile,
            id: id.0.to_string(),
        })?;
    file_from(tx, &row)
}

pub(crate) fn file_of(
    tx: &mut dyn Tx,
    scope: &Scope,
    woman: WomanRef,
) -> Result<Option<FollowUpFile>> {
    let [low, high] = scope_bounds(scope);
    let (column, id) = match woman {
        WomanRef::Residence(ResidenceId(id)) => ("residence_id", id),
        WomanRef::Outflow(OutflowId(id)) => ("outflow_id", id),
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM fp_files f WHERE f.unit_code >= $1 AND f.unit_code < $2 \
         AND f.{column} = $3"
    );
    match tx.query_opt(&sql, &[low, high, id.into()])? {
        Some(row) => file_from(tx, &row).map(Some),
        None => Ok(None),
    }
}

pub(crate) fn files_of_person(
    tx: &mut dyn Tx,
    scope: &Scope,
    person: PersonId,
) -> Result<Vec<FollowUpFile>> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {COLUMNS} FROM fp_files f WHERE f.unit_code >= $1 AND f.unit_code < $2 \
         AND f.person_id = $3 ORDER BY f.basis_on DESC, f.id DESC"
    );
    let rows = tx.query(&sql, &[low, high, person.0.into()])?;
    rows.iter().map(|row| file_from(tx, row)).collect()
}

fn file_from(tx: &mut dyn Tx, row: &Row) -> Result<FollowUpFile> {
    let population = row.text(2)?;
    let woman = match (
        population,
        row.opt_int(3)?,
        row.opt_int(4)?,
        row.opt_int(5)?,
    ) {
        ("inflow", Some(residence), None, Some(person)) => Woman::Inflow {
            residence: ResidenceId(residence),
            person: PersonId(person),
        },
        ("outflow", None, Some(outflow), _) => Woman::Outflow {
            outflow: OutflowId(outflow),
        },
        _ => return Err(corrupt("family-planning file's woman", population)),
    };
    let filed_on = row.date(8)?;
    let filing = match row.text(9)? {
        "collector" => Filing::Collector { on: filed_on },
        "sheet" => Filing::Sheet { stated: filed_on },
        other => return Err(corrupt("filing", other)),
    };
    let plain = sealed::open(&tx.keys(), FAMILY_PLANNING, row.text(10)?)?;
    Ok(FollowUpFile {
        id: FollowUpFileId(row.int(0)?),
        unit: mapping::unit_code(row.text(1)?)?,
        woman,
        birth_date: row.date(6)?,
        basis_on: row.date(7)?,
        filing,
        contents: contents_from(&plain)?,
        version: row.int(11)?,
    })
}

fn seal_contents(tx: &mut dyn Tx, contents: &FollowUp) -> Value {
    sealed::seal(
        &tx.keys(),
        FAMILY_PLANNING,
        &contents_json(contents).to_string(),
    )
}

fn contents_json(c: &FollowUp) -> Json {
    json!({
        "certificate": c.certificate.key(),
        "certificate_on": c.certificate.on().map(|d| d.to_string()),
        "method": c.contraception.map(|m| m.method.code()),
        "method_since": c.contraception.map(|m| m.since.to_string()),
        "pregnant_since": c.pregnant_since.map(|d| d.to_string()),
        "births": c.births.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

fn contents_from(text: &str) -> Result<FollowUp> {
    let value: Json = serde_json::from_str(text).map_err(|_| corrupt("file contents", "json"))?;
    let date_at = |key: &str| -> Result<Option<Date>> {
        value
            .get(key)
            .and_then(Json::as_str)
            .map(parse_date)
            .transpose()
    };
    let key = value
        .get("certificate")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let certificate = Certificate::from_parts(key, date_at("certificate_on")?)
        .ok_or_else(|| corrupt("certificate", key))?;
    let contraception = match (
        value.get("method").and_then(Json::as_str),
        date_at("method_since")?,
    ) {
        (Some(code), Some(since)) => Some(Contraception {
            method: ContraceptiveMethod::from_code(code).ok_or_else(|| corrupt("method", code))?,
            since,
        }),
        _ => None,
    };
    let births = (value.get("births").and_then(Json::as_array))
        .map(|list| {
            list.iter()
                .filter_map(Json::as_str)
                .map(parse_date)
                .collect()
        })
        .transpose()?
        .unwrap_or_default();
    Ok(FollowUp {
        certificate,
        contraception,
        pregnant_since: date_at("pregnant_since")?,
        births,
    })
}

fn parse_date(text: &str) -> Result<Date> {
    Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|_| corrupt("date", text))
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("stored {what} {value:?} no longer parses"))
}

// ---------------------------------------------------------------------------
// The 三查 schedule

const CHECK_COLUMNS: &str = "c.id, c.file_id, c.check_year, c.term, c.due_from, c.due_to, \
    c.checked_on, c.findings";

pub(crate) fn record_check(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: FollowUpFileId,
    result: &CheckResult,
    (windows, today): (CheckWindows, Date),
    actor: &Actor,
) -> Result<ScheduledCheck> {
    let file = get_file(tx, scope, id)?;
    let window = result.check(&file.subject(), windows, today)?;
    let (due_from, due_to) = windows.range(window);
    let findings = sealed::seal(&tx.keys(), FAMILY_PLANNING_CHECK, &findings_text(result));
    let key = [
        id.0.into(),
        i64::from(window.year).into(),
        i64::from(window.number).into(),
    ];
    let sql = format!(
        "SELECT {CHECK_COLUMNS} FROM fp_checks c WHERE c.file_id = $1 AND c.check_year = $2 \
         AND c.term = $3"
    );
    let before = match tx.query_opt(&sql, &key)? {
        Some(row) => Some(check_from(tx, &row)?),
        None => None,
    };
    let stamp = [now().into(), actor.name.as_str().into()];
    let row_id = match &before {
        Some(_) => {
            let mut params = vec![result.checked_on.into(), findings];
            params.extend(stamp);
            params.extend(key);
            tx.query_one(
                "UPDATE fp_checks SET checked_on = $1, findings = $2, recorded_at = $3, \
                 recorded_by = $4 WHERE file_id = $5 AND check_year = $6 AND term = $7 \
                 RETURNING id",
                &params,
            )?
        }
        None => {
            let mut params = key.to_vec();
            params.extend([
                file.unit.as_str().into(),
                due_from.into(),
                due_to.into(),
                result.checked_on.into(),
                findings,
            ]);
            params.extend(stamp);
            tx.query_one(
                "INSERT INTO fp_checks (file_id, check_year, term, unit_code, due_from, due_to, \
                 checked_on, findings, recorded_at, recorded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                &params,
            )?
        }
    }
    .int(0)?;
    rejudge_stay(tx, &file)?;
    let recorded = ScheduledCheck {
        file: id,
        window,
        due_from,
        due_to,
        result: Some(*result),
    };
    let action = if before.is_some() {
        AuditAction::Update
    } else {
        AuditAction::Create
    };
    super::audit::record_change(
        tx,
        actor,
        action,
        (RecordKind::FamilyPlanningCheck, row_id),
        &file.unit,
        before.as_ref().map(check_audit),
        check_audit(&recorded),
    )?;
    Ok(recorded)
}

/// What the audit trail keeps of a 三查: the window and its day; the
/// findings go under the sealed field's key, which the audit net masks.
fn check_audit(c: &ScheduledCheck) -> Json {
    json!({
        "file": c.file.0,
        "year": c.window.year,
        "window": c.window.number,
        "checked_on": c.result.map(|r| r.checked_on.to_string()),
        "findings": c.result.map(|r| findings_text(&r)),
    })
}

fn findings_text(r: &CheckResult) -> String {
    format!("{} {} {}", r.iud.key(), r.pregnancy.key(), r.health.key())
}

fn findings_from(checked_on: Date, text: &str) -> Result<CheckResult> {
    let mut parts = text.split(' ');
    let mut next = || parts.next().unwrap_or_default();
    let (iud, pregnancy, health) = (next(), next(), next());
    Ok(CheckResult {
        checked_on,
        iud: IudFinding::from_key(iud).ok_or_else(|| corrupt("IUD finding", iud))?,
        pregnancy: PregnancyFinding::from_key(pregnancy)
            .ok_or_else(|| corrupt("pregnancy finding", pregnancy))?,
        health: HealthFinding::from_key(health).ok_or_else(|| corrupt("health finding", health))?,
    })
}

fn check_from(tx: &mut dyn Tx, row: &Row) -> Result<ScheduledCheck> {
    let result = match (row.opt_date(6)?, row.opt_text(7)?) {
        (Some(on), Some(sealed_text)) => {
            let plain = sealed::open(&tx.keys(), FAMILY_PLANNING_CHECK, sealed_text)?;
            Some(findings_from(on, &plain)?)
        }
        (None, None) => None,
        _ => return Err(corrupt("三查", "half recorded")),
    };
    let number = u8::try_from(row.int(3)?).map_err(|_| corrupt("window", "number"))?;
    let year = i32::try_from(row.int(2)?).map_err(|_| corrupt("window", "year"))?;
    Ok(ScheduledCheck {
        file: FollowUpFileId(row.int(1)?),
        window: Window { year, number },
        due_from: row.date(4)?,
        due_to: row.date(5)?,
        result,
    })
}

pub(crate) fn schedule(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: FollowUpFileId,
) -> Result<Vec<ScheduledCheck>> {
    get_file(tx, scope, id)?;
    let sql = format!(
        "SELECT {CHECK_COLUMNS} FROM fp_checks c WHERE c.file_id = $1 \
         ORDER BY c.check_year DESC, c.term DESC"
    );
    let rows = tx.query(&sql, &[id.0.into()])?;
    rows.iter().map(|row| check_from(tx, row)).collect()
}

/// A woman turns 50 on her 50th birthday: born after this day, she is
/// under 50 on `day`.
fn born_after_for_under_50(day: Date) -> Date {
    day.replace_year(day.year() - 50)
        // 29 February fifty years before a leap day that has none.
        .unwrap_or_else(|_| day - Duration::days(365 * 50 + 12))
}

pub(crate) fn generate_schedule(
    tx: &mut dyn Tx,
    scope: &Scope,
    year: i32,
    windows: CheckWindows,
    actor: &Actor,
) -> Result<u64> {
    let year = sojourn_domain::services::family_planning::schedule_year(year)?;
    let [low, high] = scope_bounds(scope);
    let mut added = 0;
    for window in windows.of_year(year) {
        let (from, to) = windows.range(window);
        // She is still here (a stay not ended, an outflow not returned),
        // had arrived by the window's end, and is under 50 when it opens.
        added += tx.execute(
            "INSERT INTO fp_checks (file_id, check_year, term, unit_code, due_from, due_to) \
             SELECT f.id, $1, $2, f.unit_code, $3, $4 FROM fp_files f \
             WHERE f.unit_code >= $5 AND f.unit_code < $6 AND f.birth_date > $7 \
             AND (f.population = 'outflow' OR f.basis_on <= $4) \
             AND NOT EXISTS (SELECT 1 FROM residences r WHERE r.id = f.residence_id \
                 AND r.status = 'departed') \
             AND NOT EXISTS (SELECT 1 FROM outflows o WHERE o.id = f.outflow_id \
                 AND o.returned_on IS NOT NULL) \
             ON CONFLICT (file_id, check_year, term) DO NOTHING",
            // SQLite numbers `$n` in the order they first appear.
            &[
                i64::from(window.year).into(),
                i64::from(window.number).into(),
                from.into(),
                to.into(),
                low.clone(),
                high.clone(),
                born_after_for_under_50(from).into(),
            ],
        )?;
    }
    let root = scope.root();
    super::audit::record_change(
        tx,
        actor,
        AuditAction::Create,
        (RecordKind::FamilyPlanningCheck, 0),
        root,
        None,
        json!({ "schedule_year": year, "windows_added": added }),
    )?;
    Ok(added)
}

// ---------------------------------------------------------------------------
// Worklists

const ROW_COLUMNS: &str = "f.id, f.unit_code, f.person_id, f.population, f.basis_on, \
    COALESCE((SELECT p.name FROM persons p WHERE p.id = f.person_id), \
    (SELECT o.name FROM outflows o WHERE o.id = f.outflow_id), '')";

pub(crate) fn worklist(
    tx: &mut dyn Tx,
    scope: &Scope,
    query: &FamilyPlanningQuery,
) -> Result<Page<FamilyPlanningRow>> {
    let [low, high] = scope_bounds(scope);
    let cap = Some(crate::WAITING_COUNT_CAP);
    let today = query.today;
    let (from, params, order) = match query.list {
        FamilyPlanningList::Due => {
            let window = query.windows.window_of(today);
            (
                "FROM fp_checks c JOIN fp_files f ON f.id = c.file_id \
                 WHERE c.check_year = $1 AND c.term = $2 AND c.unit_code >= $3 \
                 AND c.unit_code < $4 AND c.checked_on IS NULL",
                vec![
                    i64::from(window.year).into(),
                    i64::from(window.number).into(),
                    low,
                    high,
                ],
                "c.unit_code, c.file_id",
            )
        }
        FamilyPlanningList::Missed => (
            "FROM fp_checks c JOIN fp_files f ON f.id = c.file_id \
             WHERE c.unit_code >= $1 AND c.unit_code < $2 AND c.checked_on IS NULL \
             AND c.due_to < $3",
            vec![low, high, today.into()],
            "c.due_to DESC, c.file_id",
        ),
        FamilyPlanningList::Group(KeyGroup::MissedCheck) => (
            "FROM fp_files f WHERE f.unit_code >= $1 AND f.unit_code < $2 AND EXISTS \
             (SELECT 1 FROM fp_checks c WHERE c.file_id = f.id AND c.checked_on IS NULL \
             AND c.due_to < $3)",
            vec![low, high, today.into()],
            "f.unit_code, f.id",
        ),
        FamilyPlanningList::Group(group) => return group_list(tx, scope, group, query),
    };
    let windowed = matches!(
        query.list,
        FamilyPlanningList::Due | FamilyPlanningList::Missed
    );
    let columns = if windowed {
        format!("{ROW_COLUMNS}, c.due_from, c.due_to")
    } else {
        ROW_COLUMNS.to_owned()
    };
    let items = super::rows(tx, from, &columns, order, &params, query.page, |row| {
        worklist_row(row, windowed)
    })?;
    let total = super::count(tx, from, &params, cap)?;
    Ok(Page { items, total })
}

fn worklist_row(row: &Row, windowed: bool) -> Result<FamilyPlanningRow> {
    let population = row.text(3)?;
    Ok(FamilyPlanningRow {
        file: FollowUpFileId(row.int(0)?),
        unit: mapping::unit_code(row.text(1)?)?,
        person: row.opt_int(2)?.map(PersonId),
        population: Population::from_key(population)
            .ok_or_else(|| corrupt("population", population))?,
        basis_on: row.date(4)?,
        name: row.text(5)?.to_owned(),
        due: if windowed {
            Some((row.date(6)?, row.date(7)?))
        } else {
            None
        },
    })
}

/// A key group read from the contents: every file of the scope opened,
/// the group's predicate applied, the page cut from the matches.
fn group_list(
    tx: &mut dyn Tx,
    scope: &Scope,
    group: KeyGroup,
    query: &FamilyPlanningQuery,
) -> Result<Page<FamilyPlanningRow>> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {ROW_COLUMNS}, f.contents FROM fp_files f \
         WHERE f.unit_code >= $1 AND f.unit_code < $2 ORDER BY f.unit_code, f.id"
    );
    let keys = tx.keys();
    let mut matches = Vec::new();
    for row in tx.query(&sql, &[low, high])? {
        let contents = contents_from(&sealed::open(&keys, FAMILY_PLANNING, row.text(6)?)?)?;
        if group.holds(&contents, false, query.today) {
            matches.push(worklist_row(&row, false)?);
        }
    }
    let total = u64::try_from(matches.len()).unwrap_or(u64::MAX);
    let offset = usize::try_from(query.page.offset()).unwrap_or(usize::MAX);
    let items = (matches.into_iter().skip(offset))
        .take(query.page.limit() as usize)
        .collect();
    Ok(Page { items, total })
}

impl<B: super::Backend> FamilyPlanningStore for super::SqlStore<B> {
    fn open_family_planning_file(
        &self,
        scope: &Scope,
        opening: &FileOpening,
        today: Date,
        actor: &Actor,
    ) -> Result<FollowUpFile> {
        self.backend
            .write(|tx| open_file(tx, scope, opening, today, actor))
    }

    fn update_family_planning_file(
        &self,
        scope: &Scope,
        id: FollowUpFileId,
        contents: &FollowUp,
        expected_version: i64,
        today: Date,
        actor: &Actor,
    ) -> Result<FollowUpFile> {
        self.backend
            .write(|tx| update_file(tx, scope, id, contents, (expected_version, today), actor))
    }

    fn family_planning_file(&self, scope: &Scope, id: FollowUpFileId) -> Result<FollowUpFile> {
        self.backend.read(|tx| get_file(tx, scope, id))
    }

    fn family_planning_file_of(
        &self,
        scope: &Scope,
        woman: WomanRef,
    ) -> Result<Option<FollowUpFile>> {
        self.backend.read(|tx| file_of(tx, scope, woman))
    }

    fn family_planning_files_of_person(
        &self,
        scope: &Scope,
        person: PersonId,
    ) -> Result<Vec<FollowUpFile>> {
        self.backend.read(|tx| files_of_person(tx, scope, person))
    }

    fn record_family_planning_check(
        &self,
        scope: &Scope,
        id: FollowUpFileId,
        result: &CheckResult,
        windows: CheckWindows,
        today: Date,
        actor: &Actor,
    ) -> Result<ScheduledCheck> {
        self.backend
            .write(|tx| record_check(tx, scope, id, result, (windows, today), actor))
    }

    fn family_planning_schedule(
        &self,
        scope: &Scope,
        id: FollowUpFileId,
    ) -> Result<Vec<ScheduledCheck>> {
        self.backend.read(|tx| schedule(tx, scope, id))
    }

    fn generate_family_planning_schedule(
        &self,
        scope: &Scope,
        year: i32,
        windows: CheckWindows,
        actor: &Actor,
    ) -> Result<u64> {
        self.backend
            .write(|tx| generate_schedule(tx, scope, year, windows, actor))
    }

    fn family_planning_worklist(
        &self,
        scope: &Scope,
        query: &FamilyPlanningQuery,
    ) -> Result<Page<FamilyPlanningRow>> {
        self.backend.read(|tx| worklist(tx, scope, query))
    }
}
