//! Taking a step of the review workflow (submit, approve, return, spot
//! check …) on a record, for `POST /api/v1/review/{kind}/{id}/…` and the
//! review pages alike: at the server's clock, if the record is still at
//! the version the caller saw; the store checks the step against the
//! record's state and audits it.

use super::Written;
use crate::AppState;
use crate::blocking::raw;
use sojourn_domain::review::{ReviewRecord, ReviewStatus, ReviewStep};
use sojourn_domain::unit::Scope;
use sojourn_store::Actor;
use time::OffsetDateTime;

/// Takes `step` on `record` now; the record's status after it, and the
/// moment it was taken.
pub(crate) async fn take_step(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    record: ReviewRecord,
    step: ReviewStep,
    version: i64,
) -> Written<(ReviewStatus, OffsetDateTime)> {
    let at = state.clock.now();
    raw(state, move |store| {
        store
            .take_review_step(&scope, record, &step, version, at, &actor)
            .map(|status| (status, at))
    })
    .await
}
