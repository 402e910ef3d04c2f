//! Registering an arrival (来有登记), for `POST /api/v1/residents` and the
//! registration page alike: the request read into an arrival (and, for a
//! collector, when and where it was collected), then opened on the
//! person's file in the caller's jurisdiction, audited by the store. And
//! what else is written on a person's file from both sides: the person's
//! details, a stay's, a departure (走有注销) and a document check.

use super::Written;
use crate::AppState;
use crate::auth::Caller;
use crate::blocking::raw;
use crate::dto::collection::with_collection;
use crate::dto::people::RegisterArrivalRequest;
use crate::error::ApiError;
use sojourn_domain::collection::Collection;
use sojourn_domain::document::{DocumentCheck, RecordedDocumentCheck};
use sojourn_domain::person::{Person, PersonDetails, PersonId};
use sojourn_domain::residence::{Arrival, Departure, Residence, ResidenceId, StayDetails};
use sojourn_domain::unit::Scope;
use sojourn_store::Actor;

/// An arrival to register, with when and where a collector collected it.
pub(crate) struct NewArrival {
    arrival: Arrival,
    collection: Option<Collection>,
}

/// Reads `request` into an arrival for `caller`, refusing it with every
/// field problem at once. A collection is dated once the person had
/// arrived, not before.
pub(crate) fn parse_arrival(
    state: &AppState,
    caller: &Caller,
    mut request: RegisterArrivalRequest,
) -> Result<NewArrival, ApiError> {
    let collection = std::mem::take(&mut request.collection);
    let arrival = Arrival::try_from(request);
    let arrived_on = arrival.as_ref().ok().map(|a| a.stay.arrived_on.date());
    let collection = collection.parse(&caller.actor(), state.clock.now(), arrived_on);
    let (arrival, collection) = with_collection(arrival, collection)?;
    Ok(NewArrival {
        arrival,
        collection,
    })
}

/// Opens (or reopens) the person file for the arrival's ID number and a
/// new stay on it, in the caller's jurisdiction, as the caller. Refused
/// by the store for 重卡, or a unit, house or employer out of reach.
pub(crate) async fn register_arrival(
    state: &AppState,
    caller: &Caller,
    new: NewArrival,
) -> Written<(Person, Residence)> {
    let scope = caller.scope();
    let mut actor = caller.actor();
    actor.collection = new.collection;
    raw(state, move |store| {
        store.register_arrival(&scope, &new.arrival, &actor)
    })
    .await
}

/// Changes the person's details, if the file is still at `version`.
pub(crate) async fn update_person(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: PersonId,
    details: PersonDetails,
    version: i64,
) -> Written<Person> {
    raw(state, move |store| {
        store.update_person(&scope, id, &details, version, &actor)
    })
    .await
}

/// Changes a stay's details, if it is still at `version`.
pub(crate) async fn update_stay(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: ResidenceId,
    details: StayDetails,
    version: i64,
) -> Written<Residence> {
    raw(state, move |store| {
        store.update_stay(&scope, id, &details, version, &actor)
    })
    .await
}

/// Deregisters stay `id` (the person left), if it is still at `version`.
pub(crate) async fn register_departure(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: ResidenceId,
    departure: Departure,
    version: i64,
) -> Written<Residence> {
    raw(state, move |store| {
        store.register_departure(&scope, id, &departure, version, &actor)
    })
    .await
}

/// Records a document check (or a chase) on the person's file; only the
/// unit holding the file now may.
pub(crate) async fn record_document_check(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    person: PersonId,
    check: DocumentCheck,
) -> Written<RecordedDocumentCheck> {
    raw(state, move |store| {
        store.record_document_check(&scope, person, &check, &actor)
    })
    .await
}
