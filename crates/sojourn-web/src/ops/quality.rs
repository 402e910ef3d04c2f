//! Deciding a suspected duplicate pair of the data-quality monitor, for
//! `POST /api/v1/quality/duplicates/{id}/…` and the monitor's page alike:
//! merged into the file kept, or dismissed as two people with a reason.
//! The store audits each decision.

use super::Written;
use crate::AppState;
use crate::blocking::raw;
use sojourn_domain::person::PersonId;
use sojourn_domain::text::Note;
use sojourn_domain::unit::Scope;
use sojourn_store::Actor;
use sojourn_store::quality::DuplicateEntry;

/// Merges pair `id` into the file `keep`: the other file's stays and
/// document checks move to it, and the other is marked merged.
pub(crate) async fn merge_duplicate(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: i64,
    keep: PersonId,
) -> Written<DuplicateEntry> {
    raw(state, move |store| {
        store.merge_duplicate(&scope, id, keep, &actor)
    })
    .await
}

/// Dismisses pair `id` as two people, for `reason`.
pub(crate) async fn dismiss_duplicate(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: i64,
    reason: Note,
) -> Written<DuplicateEntry> {
    raw(state, move |store| {
        store.dismiss_duplicate(&scope, id, &reason, &actor)
    })
    .await
}
