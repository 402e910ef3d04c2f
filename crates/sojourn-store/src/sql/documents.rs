//! Documents checked or chased for a person (R2.6). Readable where the file
//! is readable; recorded only by the unit holding the file now, like an edit
//! of the file itself, and audited in the transaction that records them.

use super::residents::get_person;
use super::{Row, Tx, now};
use crate::audit::AuditAction;
use crate::{Actor, Result, StoreError};
use sojourn_domain::document::{
    DocumentCheck, DocumentKind, DocumentStatus, DueDate, RecordedDocumentCheck,
};
use sojourn_domain::person::PersonId;
use sojourn_domain::text::Note;
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::Scope;
use time::Date;
use time::macros::date;

const COLUMNS: &str = "id, person_id, kind, checked_on, due_on, note, recorded_at, recorded_by";

pub(crate) fn record_document_check(
    tx: &mut dyn Tx,
    scope: &Scope,
    person: PersonId,
    check: &DocumentCheck,
    actor: &Actor,
) -> Result<RecordedDocumentCheck> {
    // The same rule as editing the file: only the unit holding it now.
    let file = get_person(tx, scope, person)?;
    if !scope.contains(&file.unit) {
        return Err(not_found(person));
    }
    let sql = format!(
        "INSERT INTO document_checks (person_id, kind, checked_on, due_on, note, recorded_at, \
         recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    let row = tx.query_one(
        &sql,
        &[
            person.0.into(),
            check.kind.code().into(),
            check.checked_on().into(),
            check.due_on().into(),
            check.note.as_ref().map(Note::as_str).into(),
            now().into(),
            actor.name.as_str().into(),
        ],
    )?;
    let recorded = recorded_check(&row)?;
    let after = snapshot(&recorded);
    let create = AuditAction::Create;
    let id = recorded.id;
    super::audit::record_change(
        tx,
        actor,
        create,
        (sojourn_domain::record::RecordKind::DocumentCheck, id),
        &file.unit,
        None,
        after,
    )?;
    Ok(recorded)
}

/// Every check of a person's documents, newest first.
pub(crate) fn document_checks(
    tx: &mut dyn Tx,
    scope: &Scope,
    person: PersonId,
) -> Result<Vec<RecordedDocumentCheck>> {
    get_person(tx, scope, person)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM document_checks WHERE person_id = $1 \
         ORDER BY recorded_at DESC, id DESC"
    );
    tx.query(&sql, &[person.0.into()])?
        .iter()
        .map(recorded_check)
        .collect()
}

fn not_found(person: PersonId) -> StoreError {
    StoreError::NotFound {
        kind: sojourn_domain::record::RecordKind::Person,
        id: person.0.to_string(),
    }
}

/// Stored dates were checked against the day they were written; read back
/// they are taken as they are (a chase may be overdue by now).
const READ_TODAY: Date = date!(9999 - 12 - 31);
const READ_EPOCH: Date = date!(1900 - 01 - 01);

fn recorded_check(row: &Row) -> Result<RecordedDocumentCheck> {
    let kind = row.text(2)?;
    let kind = DocumentKind::parse(kind).map_err(|_| corrupt("document kind", kind))?;
    let status = match (row.opt_date(3)?, row.opt_date(4)?) {
        (Some(on), None) => DocumentStatus::Checked {
            on: PastDate::new(on, READ_TODAY).map_err(|_| corrupt("date", &on.to_string()))?,
        },
        (None, Some(due)) => DocumentStatus::Chased {
            due: DueDate::new(due, READ_EPOCH).map_err(|_| corrupt("date", &due.to_string()))?,
        },
        _ => return Err(corrupt("document check dates", "both or neither")),
    };
    let note = row
        .opt_text(5)?
        .map(|n| Note::parse(n).map_err(|_| corrupt("note", n)))
        .transpose()?;
    Ok(RecordedDocumentCheck {
        id: row.int(0)?,
        person: PersonId(row.int(1)?),
        check: DocumentCheck { kind, status, note },
        recorded_at: row.time(6)?,
        recorded_by: row.text(7)?.to_owned(),
    })
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("stored {what} {value:?} no longer parses"))
}

/// What the audit trail keeps of a check.
fn snapshot(r: &RecordedDocumentCheck) -> serde_json::Value {
    serde_json::json!({
        "person": r.person.0,
        "kind": r.check.kind.code(),
        "checked_on": r.check.checked_on().map(|d| d.to_string()),
        "due_on": r.check.due_on().map(|d| d.to_string()),
        "note": r.check.note.as_ref().map(Note::as_str),
    })
}
