//! Residence permits over the register tables (see [`crate::permits`]).
//!
//! A permit is a versioned record: its application is created through
//! `change::create`, and each step rewrites its row through
//! `change::update` at the version the clerk read, so the version before
//! is kept in `revisions` and the step is audited in its transaction. The
//! domain decides whether the step may be taken (`PermitStatus::take`);
//! this module reads what it needs (the permit, the register's facts for
//! eligibility) and writes what it answers. A permit is in scope where the
//! unit that took it is.

use super::change::{self, Step};
use super::{Row, Tx, Value, count, get_person, mapping, narrow, rows, scope_bounds};
use crate::permits::{PermitList, PermitRate, PermitRow, PermitStore};
use crate::query::{Page, PageRequest, Revision, WAITING_COUNT_CAP};
use crate::{Actor, Result, StoreError, snapshot};
use sojourn_domain::person::PersonId;
use sojourn_domain::record::RecordKind;
use sojourn_domain::services::permit::{
    Application, Basis, CancelReason, Facts, ISSUE_DAYS, MissingDocuments, PermitError, PermitId,
    PermitRequest, PermitState, PermitStatus, PermitStep, Proxy, ProxyGround, RESIDENCE_MONTHS,
    add_months, eligibility, endorsement_window,
};
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::unit::{Scope, UnitCode};
use time::{Date, Duration};

change::versioned!(PermitStatus: ResidencePermit, snapshot::PermitSnapshot, get_permit, PermitId, |permit| &permit.unit);

const COLUMNS: &str = "p.id, p.person_id, p.unit_code, p.state, p.proxy_name, p.proxy_relation, \
    p.proxy_ground, p.proof, p.residence_proved, p.applied_on, p.noticed_on, p.missing, \
    p.accepted_on, p.basis, p.produced_on, p.issued_on, p.years_from, p.endorse_by, \
    p.endorsements, p.last_endorsed_on, p.cancelled_on, p.cancel_reason, p.cancel_note, p.version";
/// The columns of a list row: the permit's, then the names beside it.
const ROW_COLUMNS: &str = "p.id, p.person_id, p.unit_code, p.state, p.proxy_name, \
    p.proxy_relation, p.proxy_ground, p.proof, p.residence_proved, p.applied_on, p.noticed_on, \
    p.missing, p.accepted_on, p.basis, p.produced_on, p.issued_on, p.years_from, p.endorse_by, \
    p.endorsements, p.last_endorsed_on, p.cancelled_on, p.cancel_reason, p.cancel_note, \
    p.version, n.name, u.name";
const JOINS: &str = "FROM residence_permits p JOIN persons n ON n.id = p.person_id \
    JOIN units u ON u.code = p.unit_code";

fn not_found(id: PermitId) -> StoreError {
    StoreError::NotFound {
        kind: RecordKind::ResidencePermit,
        id: id.0.to_string(),
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("stored permit {what} {value:?} no longer parses"))
}

/// Reads a stored code through the domain's parser.
fn code<T>(
    row: &Row,
    i: usize,
    what: &str,
    parse: fn(&str) -> std::result::Result<T, PermitError>,
) -> Result<Option<T>> {
    row.opt_text(i)?
        .map(|text| parse(text).map_err(|_| corrupt(what, text)))
        .transpose()
}

fn permit(row: &Row) -> Result<PermitStatus> {
    let proxy = match (
        row.opt_text(4)?,
        row.opt_text(5)?,
        code(row, 6, "ground", ProxyGround::parse)?,
    ) {
        (Some(name), Some(relation), Some(ground)) => Some(Proxy {
            name: PersonName::parse(name).map_err(|_| corrupt("proxy", name))?,
            relation: Note::parse(relation).map_err(|_| corrupt("relation", relation))?,
            ground,
        }),
        (None, None, None) => None,
        _ => return Err(corrupt("proxy", "incomplete")),
    };
    let state = row.text(3)?;
    let note = row
        .opt_text(22)?
        .map(|n| Note::parse(n).map_err(|_| corrupt("note", n)))
        .transpose()?;
    Ok(PermitStatus {
        id: PermitId(row.int(0)?),
        person: PersonId(row.int(1)?),
        unit: mapping::unit_code(row.text(2)?)?,
        state: PermitState::parse(state).map_err(|_| corrupt("state", state))?,
        application: Application {
            proxy,
            proof: code(row, 7, "proof", Basis::parse)?,
            residence_proved: row.int(8)? == 1,
        },
        applied_on: row.date(9)?,
        noticed_on: row.opt_date(10)?,
        missing: code(row, 11, "missing documents", MissingDocuments::parse)?,
        accepted_on: row.opt_date(12)?,
        basis: code(row, 13, "basis", Basis::parse)?,
        produced_on: row.opt_date(14)?,
        issued_on: row.opt_date(15)?,
        years_from: row.opt_date(16)?,
        endorse_by: row.opt_date(17)?,
        endorsements: row.int(18)?,
        last_endorsed_on: row.opt_date(19)?,
        cancelled_on: row.opt_date(20)?,
        cancel_reason: code(row, 21, "cancel reason", CancelReason::parse)?,
        cancel_note: note,
        version: row.int(23)?,
    })
}

fn permit_row(row: &Row) -> Result<PermitRow> {
    Ok(PermitRow {
        permit: permit(row)?,
        person_name: row.text(24)?.to_owned(),
        unit_name: row.text(25)?.to_owned(),
    })
}

/// The permit `id`, if its unit lies in `scope`.
pub(crate) fn get_permit(tx: &mut dyn Tx, scope: &Scope, id: PermitId) -> Result<PermitStatus> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {COLUMNS} FROM residence_permits p \
         WHERE p.unit_code >= $1 AND p.unit_code < $2 AND p.id = $3"
    );
    tx.query_opt(&sql, &[low, high, id.0.into()])?
        .map(|row| permit(&row))
        .transpose()?
        .ok_or_else(|| not_found(id))
}

/// The current stay's arrival, house and employer.
fn facts(tx: &mut dyn Tx, scope: &Scope, person: PersonId) -> Result<Facts> {
    get_person(tx, scope, person)?;
    let stay = tx.query_opt(
        "SELECT arrived_on, house_id, employer_id FROM residences \
         WHERE person_id = $1 AND status <> 'departed'",
        &[person.0.into()],
    )?;
    Ok(match stay {
        Some(row) => Facts {
            arrived_on: Some(row.date(0)?),
            housed: row.opt_int(1)?.is_some(),
            employed: row.opt_int(2)?.is_some(),
        },
        None => Facts {
            arrived_on: None,
            housed: false,
            employed: false,
        },
    })
}

/// Every column a step may change, in the order of [`UPDATE`].
fn step_values(p: &PermitStatus) -> Vec<Value> {
    vec![
        p.state.code().into(),
        p.noticed_on.into(),
        p.missing.as_ref().map(MissingDocuments::codes).into(),
        p.accepted_on.into(),
        p.basis.map(Basis::code).into(),
        p.produced_on.into(),
        p.issued_on.into(),
        p.years_from.into(),
        p.endorse_by.into(),
        p.endorse_by.map(|due| endorsement_window(due).0).into(),
        p.endorsements.into(),
        p.last_endorsed_on.into(),
        p.cancelled_on.into(),
        p.cancel_reason.map(CancelReason::code).into(),
        p.cancel_note.as_ref().map(Note::as_str).into(),
    ]
}

const UPDATE: &str = "UPDATE residence_permits SET state = $1, noticed_on = $2, missing = $3, \
    accepted_on = $4, basis = $5, produced_on = $6, issued_on = $7, years_from = $8, \
    endorse_by = $9, endorse_from = $10, endorsements = $11, last_endorsed_on = $12, \
    cancelled_on = $13, cancel_reason = $14, cancel_note = $15, version = $16, \
    updated_at = $17, updated_by = $18 WHERE id = $19";

fn apply(
    tx: &mut dyn Tx,
    scope: &Scope,
    person: PersonId,
    application: &Application,
    today: Date,
    actor: &Actor,
) -> Result<PermitStatus> {
    // The person is named in the request, not the path: out of reach is
    // a reference out of scope, as for a house or employer named.
    let file = get_person(tx, scope, person).map_err(|error| match error {
        StoreError::NotFound { .. } => StoreError::ReferenceOutOfScope {
            kind: RecordKind::Person,
            id: person.0.to_string(),
        },
        other => other,
    })?;
    application.check_proxy(file.birth_date(), today)?;
    let open = tx.query_opt(
        "SELECT id FROM residence_permits WHERE person_id = $1 AND state <> 'cancelled'",
        &[person.0.into()],
    )?;
    if open.is_some() {
        return Err(PermitError::AlreadyHeld.into());
    }
    let proxy = application.proxy.as_ref();
    change::create(tx, scope, actor, |tx, stamp| {
        let mut values: Vec<Value> = vec![
            person.0.into(),
            file.unit.as_str().into(),
            proxy.map(|x| x.name.as_str()).into(),
            proxy.map(|x| x.relation.as_str()).into(),
            proxy.map(|x| x.ground.code()).into(),
            application.proof.map(Basis::code).into(),
            i64::from(application.residence_proved).into(),
            today.into(),
        ];
        values.extend(stamp.values());
        let row = tx.query_one(
            "INSERT INTO residence_permits (person_id, unit_code, state, proxy_name, \
             proxy_relation, proxy_ground, proof, residence_proved, applied_on, version, \
             created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, 'applied', $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $11) RETURNING id",
            &values,
        )?;
        row.int(0)
    })
}

fn step(
    tx: &mut dyn Tx,
    scope: &Scope,
    (id, version): (PermitId, i64),
    request: &PermitRequest,
    today: Date,
    actor: &Actor,
) -> Result<PermitStatus> {
    let before = get_permit(tx, scope, id)?;
    let step = match request {
        PermitRequest::Step(step) => step.clone(),
        PermitRequest::Accept => {
            let facts = facts(tx, scope, before.person)?;
            PermitStep::Accept {
                basis: eligibility(&facts, &before.application, today)?,
            }
        }
    };
    let next = before.take(&step, today)?;
    change::update(
        tx,
        scope,
        actor,
        (id.0, version),
        Step::Service(step.kind().code()),
        |tx, _, stamp| {
            let mut values = step_values(&next);
            values.extend(stamp.values());
            values.push(id.0.into());
            tx.execute(UPDATE, &values)?;
            Ok(())
        },
    )
}

/// The condition and its parameters (after the scope's two) of a list.
fn list_filter(list: PermitList, today: Date) -> (&'static str, Vec<Value>) {
    match list {
        PermitList::ToAccept => ("p.state IN ('applied', 'noticed')", vec![]),
        // Overdue once today is past acceptance + 15 days.
        PermitList::IssueOverdue => (
            "p.state IN ('accepted', 'produced') AND p.accepted_on < $3",
            vec![(today - Duration::days(ISSUE_DAYS)).into()],
        ),
        PermitList::EndorsementDue => (
            "p.state = 'issued' AND p.endorse_from <= $3 AND p.endorse_by > $3",
            vec![today.into()],
        ),
        PermitList::EndorsementOverdue => (
            "p.state = 'issued' AND p.endorse_by <= $3 AND p.endorse_by > $4",
            vec![today.into(), add_months(today, -1).into()],
        ),
        PermitList::Suspended => (
            "p.state = 'issued' AND p.endorse_by <= $3",
            vec![today.into()],
        ),
        PermitList::Register => ("1 = 1", vec![]),
    }
}

fn order_of(list: PermitList) -> &'static str {
    match list {
        PermitList::ToAccept => "p.applied_on, p.id",
        PermitList::IssueOverdue => "p.accepted_on, p.id",
        PermitList::EndorsementDue | PermitList::EndorsementOverdue | PermitList::Suspended => {
            "p.endorse_by, p.id"
        }
        PermitList::Register => "p.id",
    }
}

fn list_params(scope: &Scope, list: PermitList, today: Date) -> (String, Vec<Value>) {
    let (condition, extra) = list_filter(list, today);
    let mut params = scope_bounds(scope).to_vec();
    params.extend(extra);
    (
        format!("{JOINS} WHERE p.unit_code >= $1 AND p.unit_code < $2 AND {condition}"),
        params,
    )
}

fn rate(tx: &mut dyn Tx, scope: &Scope, today: Date) -> Result<PermitRate> {
    let [low, high] = scope_bounds(scope);
    let holders = tx
        .query_one(
            "SELECT COUNT(*) FROM residence_permits WHERE unit_code >= $1 AND unit_code < $2 \
             AND state = 'issued' AND endorse_by > $3",
            &[low.clone(), high.clone(), today.into()],
        )?
        .int(0)?;
    let settled_since = add_months(today, -RESIDENCE_MONTHS);
    let eligible = tx
        .query_one(
            "SELECT COUNT(*) FROM residences r WHERE r.unit_code >= $1 AND r.unit_code < $2 \
             AND r.status <> 'departed' AND ((r.arrived_on <= $3 \
             AND (r.house_id IS NOT NULL OR r.employer_id IS NOT NULL)) \
             OR EXISTS (SELECT 1 FROM residence_permits p WHERE p.person_id = r.person_id \
             AND p.state = 'issued' AND p.endorse_by > $4))",
            &[low, high, settled_since.into(), today.into()],
        )?
        .int(0)?;
    Ok(PermitRate {
        holders: u64::try_from(holders).unwrap_or(0),
        eligible: u64::try_from(eligible).unwrap_or(0),
    })
}

impl<B: super::Backend> PermitStore for super::SqlStore<B> {
    fn permit_facts(&self, scope: &Scope, person: PersonId) -> Result<Facts> {
        self.backend.read(|tx| facts(tx, scope, person))
    }

    fn apply_for_permit(
        &self,
        scope: &Scope,
        person: PersonId,
        application: &Application,
        today: Date,
        actor: &Actor,
    ) -> Result<PermitStatus> {
        self.backend
            .write(|tx| apply(tx, scope, person, application, today, actor))
    }

    fn take_permit_step(
        &self,
        scope: &Scope,
        id: PermitId,
        version: i64,
        request: &PermitRequest,
        today: Date,
        actor: &Actor,
    ) -> Result<PermitStatus> {
        self.backend
            .write(|tx| step(tx, scope, (id, version), request, today, actor))
    }

    fn permit(&self, scope: &Scope, id: PermitId) -> Result<PermitRow> {
        self.backend.read(|tx| {
            let [low, high] = scope_bounds(scope);
            let sql = format!(
                "SELECT {ROW_COLUMNS} {JOINS} \
                 WHERE p.unit_code >= $1 AND p.unit_code < $2 AND p.id = $3"
            );
            tx.query_opt(&sql, &[low, high, id.0.into()])?
                .map(|row| permit_row(&row))
                .transpose()?
                .ok_or_else(|| not_found(id))
        })
    }

    fn permits_of(&self, scope: &Scope, person: PersonId) -> Result<Vec<PermitStatus>> {
        self.backend.read(|tx| {
            let [low, high] = scope_bounds(scope);
            let sql = format!(
                "SELECT {COLUMNS} FROM residence_permits p WHERE p.unit_code >= $1 \
                 AND p.unit_code < $2 AND p.person_id = $3 ORDER BY p.id DESC"
            );
            tx.query(&sql, &[low, high, person.0.into()])?
                .iter()
                .map(permit)
                .collect()
        })
    }

    fn permit_list(
        &self,
        scope: &Scope,
        list: PermitList,
        unit: Option<&UnitCode>,
        today: Date,
        page: PageRequest,
    ) -> Result<Page<PermitRow>> {
        let scope = narrow(scope, unit)?;
        self.backend.read(|tx| {
            let (from, params) = list_params(&scope, list, today);
            Ok(Page {
                total: count(tx, &from, &params, Some(WAITING_COUNT_CAP))?,
                items: rows(
                    tx,
                    &from,
                    ROW_COLUMNS,
                    order_of(list),
                    &params,
                    page,
                    permit_row,
                )?,
            })
        })
    }

    fn permit_list_size(&self, scope: &Scope, list: PermitList, today: Date) -> Result<u64> {
        self.backend.read(|tx| {
            let (from, params) = list_params(scope, list, today);
            count(tx, &from, &params, Some(WAITING_COUNT_CAP))
        })
    }

    fn permit_rate(
        &self,
        scope: &Scope,
        unit: Option<&UnitCode>,
        today: Date,
    ) -> Result<PermitRate> {
        let scope = narrow(scope, unit)?;
        self.backend.read(|tx| rate(tx, &scope, today))
    }

    fn permit_history(&self, scope: &Scope, id: PermitId) -> Result<Vec<Revision>> {
        self.backend.read(|tx| {
            let current = change::snapshot_now::<PermitStatus>(tx, scope, id.0)?;
            super::history_of(
                tx,
                (RecordKind::ResidencePermit, id.0),
                "residence_permits",
                current,
            )
        })
    }
}
