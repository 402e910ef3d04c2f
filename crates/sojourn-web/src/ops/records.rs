//! Writing the records of the house, employer and outflow registers, for
//! their API handlers and their forms alike. A new record carries on its
//! writer when and where a collector collected it; every write goes
//! through the store's one write path (version check, revision, review,
//! quality, audit) in the caller's scope and name.
//!
//! Each answers as [`Written`]: the page puts a refusal of the store
//! beside the field it concerns, the API answers it with its status.

use super::Written;
use crate::AppState;
use crate::blocking::raw;
use sojourn_domain::codes::{IdNumber, Uscc};
use sojourn_domain::collection::Collection;
use sojourn_domain::employer::{Employer, EmployerDetails, EmployerId};
use sojourn_domain::house::{House, HouseDetails, HouseId, Inspection, RecordedInspection};
use sojourn_domain::outflow::{Outflow, OutflowDetails, OutflowId};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::Scope;
use sojourn_store::Actor;

/// The writer of a new record: the caller, with the collection if any.
fn collected_by(mut actor: Actor, collection: Option<Collection>) -> Actor {
    actor.collection = collection;
    actor
}

/// Files a new rental house.
pub(crate) async fn create_house(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    details: HouseDetails,
    collection: Option<Collection>,
) -> Written<House> {
    let writer = collected_by(actor, collection);
    raw(state, move |store| {
        store.create_house(&scope, &details, &writer)
    })
    .await
}

/// Changes a house, if it is still at `version`.
pub(crate) async fn update_house(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: HouseId,
    details: HouseDetails,
    version: i64,
) -> Written<House> {
    raw(state, move |store| {
        store.update_house(&scope, id, &details, version, &actor)
    })
    .await
}

/// Files a new employer under its credit code.
pub(crate) async fn create_employer(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    (uscc, details): (Uscc, EmployerDetails),
    collection: Option<Collection>,
) -> Written<Employer> {
    let writer = collected_by(actor, collection);
    raw(state, move |store| {
        store.create_employer(&scope, &uscc, &details, &writer)
    })
    .await
}

/// Changes an employer, if it is still at `version`.
pub(crate) async fn update_employer(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: EmployerId,
    details: EmployerDetails,
    version: i64,
) -> Written<Employer> {
    raw(state, move |store| {
        store.update_employer(&scope, id, &details, version, &actor)
    })
    .await
}

/// Files a person who left for elsewhere (流出).
pub(crate) async fn create_outflow(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    (id_number, details): (IdNumber, OutflowDetails),
    collection: Option<Collection>,
) -> Written<Outflow> {
    let writer = collected_by(actor, collection);
    raw(state, move |store| {
        store.create_outflow(&scope, &id_number, &details, &writer)
    })
    .await
}

/// Changes an outflow record, if it is still at `version`.
pub(crate) async fn update_outflow(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: OutflowId,
    details: OutflowDetails,
    version: i64,
) -> Written<Outflow> {
    raw(state, move |store| {
        store.update_outflow(&scope, id, &details, version, &actor)
    })
    .await
}

/// Records the person's return, if the record is still at `version`.
pub(crate) async fn register_return(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: OutflowId,
    returned_on: PastDate,
    version: i64,
) -> Written<Outflow> {
    raw(state, move |store| {
        store.register_return(&scope, id, returned_on, version, &actor)
    })
    .await
}

/// Records a safety inspection of a house; the house itself does not
/// change.
pub(crate) async fn record_inspection(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    house: HouseId,
    inspection: Inspection,
) -> Written<RecordedInspection> {
    raw(state, move |store| {
        store.record_inspection(&scope, house, &inspection, &actor)
    })
    .await
}
