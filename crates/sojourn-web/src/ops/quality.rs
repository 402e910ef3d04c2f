//! The data-quality monitor's changes, for `POST /api/v1/quality/…` and
//! the monitor's pages alike: a scan of the caller's jurisdiction, and
//! the decision on a suspected duplicate pair — merged into the file kept,
//! or dismissed as two people with a reason (the store audits each).

use super::Written;
use crate::AppState;
use crate::blocking::raw;
use crate::dto::quality::SCAN_BATCH;
use sojourn_domain::person::PersonId;
use sojourn_domain::text::Note;
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::Scope;
use sojourn_store::Actor;
use sojourn_store::quality::{DuplicateEntry, ScanSummary};

/// Judges every record of `scope` again as of today and queues the
/// probable duplicates among its files, a batch at a time. Long on a
/// large jurisdiction.
pub(crate) async fn scan(state: &AppState, scope: Scope) -> Written<ScanSummary> {
    let today = china_today();
    raw(state, move |store| {
        store.scan_quality(&scope, today, SCAN_BATCH)
    })
    .await
}

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
