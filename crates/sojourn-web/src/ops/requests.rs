//! Service requests (一站式服务, R4.2) for the API and the pages alike:
//! intake, the steps, the reads. Every write goes through the store's one
//! write path in the caller's scope and name; every read of a request or
//! a list of them (names of residents) is audited here, once for both.

use super::Written;
use crate::AppState;
use crate::audit;
use crate::blocking::{raw, run};
use crate::error::ApiError;
use serde_json::json;
use sojourn_domain::person::PersonId;
use sojourn_domain::record::RecordKind;
use sojourn_domain::services::request::{RequestKind, RequestStep};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::Scope;
use sojourn_store::requests::{NewRequest, RequestFilter, RequestId, ServiceRequest};
use sojourn_store::{Actor, AuditAction, Page, PageRequest};

/// Takes a request in for a person in scope.
pub(crate) async fn take_request(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    request: NewRequest,
) -> Written<ServiceRequest> {
    raw(state, move |store| {
        store.take_request(&scope, &request, &actor)
    })
    .await
}

/// Refers, resolves or closes a request still at `version`.
pub(crate) async fn step_request(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: RequestId,
    (step, on, version): (RequestStep, PastDate, i64),
) -> Written<ServiceRequest> {
    raw(state, move |store| {
        store.step_request(&scope, id, step, on, version, &actor)
    })
    .await
}

/// One request in scope; the read is audited.
pub(crate) async fn get_request(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: RequestId,
) -> Result<ServiceRequest, ApiError> {
    let read = run(state, move |store| store.get_request(&scope, id)).await;
    audit::read(
        state,
        actor,
        AuditAction::Read,
        (RecordKind::ServiceRequest, id.0),
        read,
        |r| (Some(r.unit.clone()), json!({ "person_id": r.person.0 })),
    )
    .await
}

/// A page of the list; the search is audited with its filters.
pub(crate) async fn list_requests(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    filter: RequestFilter,
    page: PageRequest,
) -> Result<Page<ServiceRequest>, ApiError> {
    let details = json!({
        "kind": filter.kind.as_ref().map(|k| k.as_str().to_owned()),
        "unit": filter.unit.as_ref().map(ToString::to_string),
    });
    let root = scope.root().clone();
    let list = run(state, move |store| {
        store.list_requests(&scope, &filter, page)
    })
    .await?;
    audit::search(
        state,
        actor,
        "service_requests",
        Some(&root),
        details,
        json!(list.items.len()),
    )
    .await?;
    Ok(list)
}

/// The requests of a person in scope, newest first; audited as a read
/// of the file.
pub(crate) async fn requests_of(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    person: PersonId,
) -> Result<Vec<ServiceRequest>, ApiError> {
    let read = run(state, move |store| store.requests_of(&scope, person)).await;
    audit::read(
        state,
        actor,
        AuditAction::Read,
        (RecordKind::Person, person.0),
        read,
        |list| (None, json!({ "service_requests": list.len() })),
    )
    .await
}

/// The deployment's kinds of request.
pub(crate) async fn request_kinds(state: &AppState) -> Result<Vec<RequestKind>, ApiError> {
    run(state, |store| store.request_kinds()).await
}
