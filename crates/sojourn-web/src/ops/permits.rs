//! Residence permits 居住证 (R4.1) for the API and the pages alike: an
//! application taken, a step taken, a permit or a worklist read (each read
//! audited like the file it belongs to). "Today" is the clock's day in
//! China, taken once per operation and passed to the store, so a test
//! that moves the clock moves the deadlines.

use super::Written;
use crate::AppState;
use crate::blocking::raw;
use sojourn_domain::person::PersonId;
use sojourn_domain::services::permit::{Application, PermitId, PermitRequest, PermitStatus};
use sojourn_domain::time_rules::CHINA;
use sojourn_domain::unit::Scope;
use sojourn_store::Actor;
use time::Date;

/// The day in China by the state's clock.
pub(crate) fn today(state: &AppState) -> Date {
    state.clock.now().to_offset(CHINA).date()
}

/// Takes an application for `person` today.
pub(crate) async fn apply(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    person: PersonId,
    application: Application,
) -> Written<PermitStatus> {
    let today = today(state);
    raw(state, move |store| {
        store.apply_for_permit(&scope, person, &application, today, &actor)
    })
    .await
}

/// Takes a step on the permit at `version`, today.
pub(crate) async fn step(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    (id, version): (PermitId, i64),
    request: PermitRequest,
) -> Written<PermitStatus> {
    let today = today(state);
    raw(state, move |store| {
        store.take_permit_step(&scope, id, version, &request, today, &actor)
    })
    .await
}
