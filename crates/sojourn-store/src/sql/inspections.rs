//! Safety inspections (安全检查) of rental houses, kept with the house:
//! recorded where the house is in scope, read likewise, only ever added.
//! Each is audited in the transaction that writes it, and none changes
//! the house's version: an inspection is not an edit of the house.

use super::houses::get_house;
use super::{Row, Tx, now};
use crate::audit::AuditAction;
use crate::{Actor, Result, StoreError};
use sojourn_domain::house::{HouseId, Inspection, InspectionOutcome, RecordedInspection};
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::Scope;
use time::Date;
use time::macros::date;

const COLUMNS: &str =
    "id, house_id, inspected_on, inspector, result, notes, recorded_at, recorded_by";

pub(crate) fn record_inspection(
    tx: &mut dyn Tx,
    scope: &Scope,
    house: HouseId,
    inspection: &Inspection,
    actor: &Actor,
) -> Result<RecordedInspection> {
    let on_file = get_house(tx, scope, house)?;
    let sql = format!(
        "INSERT INTO house_inspections (house_id, inspected_on, inspector, result, notes, \
         recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    let row = tx.query_one(
        &sql,
        &[
            house.0.into(),
            inspection.inspected_on.date().into(),
            inspection.inspector.as_str().into(),
            inspection.outcome.key().into(),
            inspection.outcome.notes().map(Note::as_str).into(),
            now().into(),
            actor.name.as_str().into(),
        ],
    )?;
    let recorded = recorded_inspection(&row)?;
    let after = snapshot(&recorded);
    super::audit::record_change(
        tx,
        actor,
        AuditAction::Create,
        (
            sojourn_domain::record::RecordKind::HouseInspection,
            recorded.id,
        ),
        &on_file.details.unit,
        None,
        after,
    )?;
    Ok(recorded)
}

/// Every inspection of a house, newest first.
pub(crate) fn inspections_of(
    tx: &mut dyn Tx,
    scope: &Scope,
    house: HouseId,
) -> Result<Vec<RecordedInspection>> {
    get_house(tx, scope, house)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM house_inspections WHERE house_id = $1 \
         ORDER BY inspected_on DESC, id DESC"
    );
    tx.query(&sql, &[house.0.into()])?
        .iter()
        .map(recorded_inspection)
        .collect()
}

/// Stored dates were checked against the day they were written.
const READ_TODAY: Date = date!(9999 - 12 - 31);

fn recorded_inspection(row: &Row) -> Result<RecordedInspection> {
    let on = row.date(2)?;
    let inspected_on =
        PastDate::new(on, READ_TODAY).map_err(|_| corrupt("date", &on.to_string()))?;
    let inspector = row.text(3)?;
    let inspector = PersonName::parse(inspector).map_err(|_| corrupt("inspector", inspector))?;
    let notes = row
        .opt_text(5)?
        .map(|n| Note::parse(n).map_err(|_| corrupt("notes", n)))
        .transpose()?;
    let outcome = match (row.text(4)?, notes) {
        ("passed", remark) => InspectionOutcome::Passed { remark },
        ("issues_found", Some(issues)) => InspectionOutcome::IssuesFound { issues },
        (other, _) => return Err(corrupt("inspection result", other)),
    };
    Ok(RecordedInspection {
        id: row.int(0)?,
        house: HouseId(row.int(1)?),
        inspection: Inspection {
            inspected_on,
            inspector,
            outcome,
        },
        recorded_at: row.time(6)?,
        recorded_by: row.text(7)?.to_owned(),
    })
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("stored {what} {value:?} no longer parses"))
}

/// What the audit trail keeps of an inspection.
fn snapshot(r: &RecordedInspection) -> serde_json::Value {
    let i = &r.inspection;
    serde_json::json!({
        "house": r.house.0,
        "inspected_on": i.inspected_on.date().to_string(),
        "inspector": i.inspector.as_str(),
        "result": i.outcome.key(),
        "notes": i.outcome.notes().map(Note::as_str),
    })
}
