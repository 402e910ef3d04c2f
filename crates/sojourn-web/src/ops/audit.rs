//! Searching the audit trail, for `GET /api/v1/audit` and the page
//! `/admin/audit` alike: the search itself is recorded in the trail (and
//! counted as a read), with the filters it used.

use crate::AppState;
use crate::blocking::run;
use crate::dto::fields::Paging;
use crate::error::ApiError;
use serde_json::json;
use sojourn_domain::unit::Scope;
use sojourn_store::{Actor, AuditAction, AuditEntry, AuditEvent, AuditQuery, Outcome, Page};

/// Entries of `scope` (the caller's jurisdiction, or a unit of it) that
/// `query` matches, newest first; the search is recorded for `actor`.
pub(crate) async fn search(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    query: AuditQuery,
    paging: &Paging,
) -> Result<Page<AuditEntry>, ApiError> {
    let filters = filters(&query);
    let page = run(state, move |store| store.search_audit(&scope, &query)).await?;
    let event = AuditEvent::new(AuditAction::AuditRead, Outcome::Success)
        .details(json!({ "filters": filters, "page": paging.page, "total": page.total }));
    crate::audit::record_read(state, actor, event).await?;
    Ok(page)
}

/// The filters, as the entry recording a search or an export keeps them.
pub(crate) fn filters(query: &AuditQuery) -> serde_json::Value {
    let micros = |t: time::OffsetDateTime| t.unix_timestamp_nanos() / 1000;
    json!({
        "actor": query.actor,
        "action": query.action.map(|a| a.key()),
        "object_kind": query.object_kind,
        "object_id": query.object_id,
        "from_us": query.from.map(micros).map(|v| v.to_string()),
        "to_us": query.to.map(micros).map(|v| v.to_string()),
        "outcome": query.outcome.map(|o| o.key()),
    })
}
