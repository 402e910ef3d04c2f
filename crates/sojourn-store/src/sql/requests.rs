//! Service requests in SQL: the kinds table and the requests, each step
//! a versioned change through `change::update` (the story is in
//! `crate::requests`).

use super::change::{self, Step};
use super::{Row, Tx, Value, scope_bounds};
use crate::requests::{
    NewRequest, REQUEST_COUNT_CAP, RequestCounts, RequestFilter, RequestId, RequestSort,
    ServiceRequest, StateFilter,
};
use crate::snapshot::ServiceRequestSnapshot;
use crate::{Actor, Page, PageRequest, Result, StoreError};
use sojourn_domain::codes::Phone;
use sojourn_domain::person::PersonId;
use sojourn_domain::record::RecordKind;
use sojourn_domain::services::request::{
    Deadline, DuePeriod, KindCode, Referral, RequestKind, RequestRefusal, RequestState,
    RequestStep, Satisfaction, due_on,
};
use sojourn_domain::text::{Note, OrgName, PersonName};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::{Scope, UnitCode};
use time::Date;

change::versioned!(ServiceRequest: ServiceRequest, ServiceRequestSnapshot, get_request, RequestId, |r| &r.unit);

const COLUMNS: &str = "r.id, r.unit_code, r.person_id, p.name, r.kind, r.asked, r.received_on, \
    r.due_on, r.state, r.department, r.contact, r.contact_phone, r.referred_on, r.resolution, \
    r.resolved_on, r.satisfaction, r.feedback, r.closed_on, r.version, r.created_by";
const FROM: &str = "FROM service_requests r JOIN persons p ON p.id = r.person_id";
const IN_SCOPE: &str = "r.unit_code >= $1 AND r.unit_code < $2";

pub(crate) fn request_kinds(tx: &mut dyn Tx) -> Result<Vec<RequestKind>> {
    tx.query(
        "SELECT code, name_zh, name_en, due_days FROM service_request_kinds \
         ORDER BY position, code",
        &[],
    )?
    .iter()
    .map(|row| {
        Ok(RequestKind {
            code: parse(row.text(0)?, "kind", KindCode::parse)?,
            name_zh: parse(row.text(1)?, "kind name", OrgName::parse)?,
            name_en: parse(row.text(2)?, "kind name", OrgName::parse)?,
            due: DuePeriod::new(row.int(3)?).map_err(|_| corrupt("due period", "?"))?,
        })
    })
    .collect()
}

/// Adds or changes a kind, audited against the deployment's root unit.
pub(crate) fn set_request_kind(tx: &mut dyn Tx, kind: &RequestKind, actor: &Actor) -> Result<()> {
    let root = tx
        .query_opt("SELECT code FROM units WHERE is_root = 1", &[])?
        .ok_or(StoreError::Deployment(
            "the deployment has no root unit yet",
        ))?;
    let root = parse(root.text(0)?, "unit", UnitCode::parse)?;
    let before = request_kinds(tx)?.into_iter().find(|k| k.code == kind.code);
    let params: [Value; 4] = [
        kind.code.as_str().into(),
        kind.name_zh.as_str().into(),
        kind.name_en.as_str().into(),
        i64::from(kind.due.days()).into(),
    ];
    if before.is_some() {
        tx.execute(
            "UPDATE service_request_kinds SET name_zh = $1, name_en = $2, due_days = $3 \
             WHERE code = $4",
            &[
                params[1].clone(),
                params[2].clone(),
                params[3].clone(),
                params[0].clone(),
            ],
        )?;
    } else {
        tx.execute(
            "INSERT INTO service_request_kinds (code, name_zh, name_en, due_days, position) \
             SELECT $1, $2, $3, $4, COALESCE(MAX(position), 0) + 1 FROM service_request_kinds",
            &params,
        )?;
    }
    super::audit::record_change(
        tx,
        actor,
        if before.is_some() {
            crate::AuditAction::Update
        } else {
            crate::AuditAction::Create
        },
        (RecordKind::ServiceRequest, 0),
        &root,
        before.as_ref().map(kind_snapshot),
        kind_snapshot(kind),
    )
}

fn kind_snapshot(kind: &RequestKind) -> serde_json::Value {
    serde_json::json!({
        "request_kind": kind.code.as_str(),
        "name_zh": kind.name_zh.as_str(),
        "name_en": kind.name_en.as_str(),
        "due_days": kind.due.days(),
    })
}

pub(crate) fn take_request(
    tx: &mut dyn Tx,
    scope: &Scope,
    request: &NewRequest,
    actor: &Actor,
) -> Result<ServiceRequest> {
    // The person is named by the input: one outside the scope is a
    // reference out of it, as a house or employer named on a stay is.
    let person = super::get_person(tx, scope, request.person).map_err(|e| match e {
        StoreError::NotFound { kind, id } => StoreError::ReferenceOutOfScope { kind, id },
        other => other,
    })?;
    let kind = request_kinds(tx)?
        .into_iter()
        .find(|k| k.code == request.kind)
        .ok_or_else(|| {
            StoreError::Request(RequestRefusal::UnknownKind(
                request.kind.as_str().to_owned(),
            ))
        })?;
    // A file held above the caller's scope (read through a stay here) is
    // taken in by the unit of that stay's reader: the caller's root.
    let unit = if scope.contains(&person.unit) {
        person.unit.clone()
    } else {
        scope.root().clone()
    };
    let due = due_on(request.received_on, kind.due);
    change::create::<ServiceRequest>(tx, scope, actor, |tx, stamp| {
        let [version, at, by] = stamp.values();
        let row = tx.query_one(
            "INSERT INTO service_requests (unit_code, person_id, kind, asked, received_on, \
             due_on, state, version, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, 'intake', $7, $8, $9, $8, $9) RETURNING id",
            &[
                unit.as_str().into(),
                request.person.0.into(),
                kind.code.as_str().into(),
                request.asked.as_str().into(),
                request.received_on.into(),
                due.into(),
                version,
                at,
                by,
            ],
        )?;
        row.int(0)
    })
}

pub(crate) fn get_request(tx: &mut dyn Tx, scope: &Scope, id: RequestId) -> Result<ServiceRequest> {
    let [low, high] = scope_bounds(scope);
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE {IN_SCOPE} AND r.id = $3");
    tx.query_opt(&sql, &[low, high, id.0.into()])?
        .map(|row| request(&row))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            kind: RecordKind::ServiceRequest,
            id: id.0.to_string(),
        })
}

pub(crate) fn step_request(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: RequestId,
    step: RequestStep,
    on: PastDate,
    expected_version: i64,
    actor: &Actor,
) -> Result<ServiceRequest> {
    let current = get_request(tx, scope, id)?;
    current
        .state
        .next(step.clone(), on, current.received_on)
        .map_err(StoreError::Request)?;
    let on = on.date();
    change::update::<ServiceRequest>(
        tx,
        scope,
        actor,
        (id.0, expected_version),
        Step::Updated,
        |tx, _before, stamp| {
            let [version, at, by] = stamp.values();
            let (sql, mut params): (&str, Vec<Value>) = match &step {
                RequestStep::Refer(r) => (
                    "state = 'referred', department = $4, contact = $5, contact_phone = $6, \
                     referred_on = $7",
                    vec![
                        r.department.as_str().into(),
                        r.contact.as_str().into(),
                        r.phone.as_str().into(),
                        on.into(),
                    ],
                ),
                RequestStep::Resolve(resolution) => (
                    "state = 'resolved', resolution = $4, resolved_on = $5",
                    vec![resolution.as_str().into(), on.into()],
                ),
                RequestStep::Close {
                    satisfaction,
                    feedback,
                } => (
                    "state = 'closed', satisfaction = $4, feedback = $5, closed_on = $6",
                    vec![
                        satisfaction.code().into(),
                        feedback.as_ref().map(Note::as_str).into(),
                        on.into(),
                    ],
                ),
            };
            // Placeholders are numbered in order of first use.
            let mut all = vec![version, at, by];
            all.append(&mut params);
            all.push(id.0.into());
            let sql = format!(
                "UPDATE service_requests SET version = $1, updated_at = $2, updated_by = $3, \
                 {sql} WHERE id = ${}",
                all.len()
            );
            tx.execute(&sql, &all)?;
            Ok(())
        },
    )
}

/// The WHERE clause and parameters of a filtered list in scope.
fn filtered(scope: &Scope, filter: &RequestFilter) -> (String, Vec<Value>) {
    let mut params = scope_bounds(scope).to_vec();
    let mut clause = format!("{FROM} WHERE {IN_SCOPE}");
    let mut bind = |clause: &mut String, sql: &str, value: Value| {
        params.push(value);
        clause.push_str(&sql.replace('?', &format!("${}", params.len())));
    };
    if let Some(unit) = &filter.unit {
        let (low, high) = Scope::of(unit.clone()).code_range();
        bind(&mut clause, " AND r.unit_code >= ?", low.into());
        bind(&mut clause, " AND r.unit_code < ?", high.into());
    }
    if let Some(kind) = &filter.kind {
        bind(&mut clause, " AND r.kind = ?", kind.as_str().into());
    }
    match filter.state {
        Some(StateFilter::Is(state)) => bind(&mut clause, " AND r.state = ?", state.code().into()),
        Some(StateFilter::Open) => clause.push_str(" AND r.state IN ('intake', 'referred')"),
        Some(StateFilter::Overdue(today)) => {
            clause.push_str(" AND r.state IN ('intake', 'referred')");
            bind(&mut clause, " AND r.due_on < ?", today.into());
        }
        None => {}
    }
    (clause, params)
}

pub(crate) fn list_requests(
    tx: &mut dyn Tx,
    scope: &Scope,
    filter: &RequestFilter,
    page: PageRequest,
) -> Result<Page<ServiceRequest>> {
    let (from, params) = filtered(scope, filter);
    let order = match filter.sort {
        RequestSort::DueAsc => "r.due_on, r.id",
        RequestSort::ReceivedDesc => "r.received_on DESC, r.id DESC",
    };
    let sql = format!(
        "SELECT {COLUMNS} {from} ORDER BY {order} LIMIT {} OFFSET {}",
        page.limit(),
        page.offset()
    );
    let items = tx
        .query(&sql, &params)?
        .iter()
        .map(request)
        .collect::<Result<_>>()?;
    let total = super::count(tx, &from, &params, Some(REQUEST_COUNT_CAP))?;
    Ok(Page { items, total })
}

pub(crate) fn requests_of(
    tx: &mut dyn Tx,
    scope: &Scope,
    person: PersonId,
) -> Result<Vec<ServiceRequest>> {
    super::get_person(tx, scope, person)?;
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE {IN_SCOPE} AND r.person_id = $3 \
         ORDER BY r.received_on DESC, r.id DESC"
    );
    tx.query(&sql, &[low, high, person.0.into()])?
        .iter()
        .map(request)
        .collect()
}

pub(crate) fn request_counts(tx: &mut dyn Tx, scope: &Scope, today: Date) -> Result<RequestCounts> {
    let [low, high] = scope_bounds(scope);
    let open =
        format!("FROM service_requests r WHERE {IN_SCOPE} AND r.state IN ('intake', 'referred')");
    let soon_until = Deadline::due_soon_until(today);
    let due_soon = super::count(
        tx,
        &format!("{open} AND r.due_on >= $3 AND r.due_on <= $4"),
        &[low.clone(), high.clone(), today.into(), soon_until.into()],
        Some(REQUEST_COUNT_CAP),
    )?;
    let overdue = super::count(
        tx,
        &format!("{open} AND r.due_on < $3"),
        &[low, high, today.into()],
        Some(REQUEST_COUNT_CAP),
    )?;
    Ok(RequestCounts { due_soon, overdue })
}

fn request(row: &Row) -> Result<ServiceRequest> {
    let referral = match (row.opt_text(9)?, row.opt_text(10)?, row.opt_text(11)?) {
        (Some(department), Some(contact), Some(phone)) => Some(Referral {
            department: parse(department, "department", OrgName::parse)?,
            contact: parse(contact, "contact", PersonName::parse)?,
            phone: parse(phone, "contact phone", Phone::parse)?,
        }),
        _ => None,
    };
    let resolution = |row: &Row| -> Result<(Note, Date)> {
        let note = row.opt_text(13)?.ok_or_else(|| corrupt("resolution", ""))?;
        let on = row
            .opt_date(14)?
            .ok_or_else(|| corrupt("resolved on", ""))?;
        Ok((parse(note, "resolution", Note::parse)?, on))
    };
    let state = match row.text(8)? {
        "intake" => RequestState::Intake,
        "referred" => RequestState::Referred {
            referral: referral.ok_or_else(|| corrupt("referral", ""))?,
            on: row
                .opt_date(12)?
                .ok_or_else(|| corrupt("referred on", ""))?,
        },
        "resolved" => {
            let (resolution, on) = resolution(row)?;
            RequestState::Resolved {
                referral,
                resolution,
                on,
            }
        }
        "closed" => {
            let (resolution, resolved_on) = resolution(row)?;
            let satisfaction = row.opt_text(15)?.unwrap_or_default();
            RequestState::Closed {
                referral,
                resolution,
                resolved_on,
                satisfaction: Satisfaction::from_code(satisfaction)
                    .ok_or_else(|| corrupt("satisfaction", satisfaction))?,
                feedback: row
                    .opt_text(16)?
                    .map(|f| parse(f, "feedback", Note::parse))
                    .transpose()?,
                on: row.opt_date(17)?.ok_or_else(|| corrupt("closed on", ""))?,
            }
        }
        other => return Err(corrupt("state", other)),
    };
    Ok(ServiceRequest {
        id: RequestId(row.int(0)?),
        unit: parse(row.text(1)?, "unit", UnitCode::parse)?,
        person: PersonId(row.int(2)?),
        person_name: parse(row.text(3)?, "name", PersonName::parse)?,
        kind: parse(row.text(4)?, "kind", KindCode::parse)?,
        asked: parse(row.text(5)?, "asked", Note::parse)?,
        received_on: row.date(6)?,
        due_on: row.date(7)?,
        state,
        version: row.int(18)?,
        created_by: row.text(19)?.to_owned(),
    })
}

fn parse<T, E>(
    text: &str,
    what: &str,
    parser: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> Result<T> {
    parser(text).map_err(|_| corrupt(what, text))
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("stored {what} {value:?} no longer parses"))
}

impl<B: super::Backend> crate::requests::RequestStore for super::SqlStore<B> {
    fn request_kinds(&self) -> Result<Vec<RequestKind>> {
        self.backend.read(request_kinds)
    }
    fn set_request_kind(&self, kind: &RequestKind, actor: &Actor) -> Result<()> {
        self.backend.write(|tx| set_request_kind(tx, kind, actor))
    }
    fn take_request(
        &self,
        scope: &Scope,
        request: &NewRequest,
        actor: &Actor,
    ) -> Result<ServiceRequest> {
        self.backend
            .write(|tx| take_request(tx, scope, request, actor))
    }
    fn get_request(&self, scope: &Scope, id: RequestId) -> Result<ServiceRequest> {
        self.backend.read(|tx| get_request(tx, scope, id))
    }
    fn step_request(
        &self,
        scope: &Scope,
        id: RequestId,
        step: RequestStep,
        on: PastDate,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<ServiceRequest> {
        self.backend
            .write(|tx| step_request(tx, scope, id, step, on, expected_version, actor))
    }
    fn list_requests(
        &self,
        scope: &Scope,
        filter: &RequestFilter,
        page: PageRequest,
    ) -> Result<Page<ServiceRequest>> {
        self.backend
            .read(|tx| list_requests(tx, scope, filter, page))
    }
    fn requests_of(&self, scope: &Scope, person: PersonId) -> Result<Vec<ServiceRequest>> {
        self.backend.read(|tx| requests_of(tx, scope, person))
    }
    fn request_counts(&self, scope: &Scope, today: Date) -> Result<RequestCounts> {
        self.backend.read(|tx| request_counts(tx, scope, today))
    }
}
