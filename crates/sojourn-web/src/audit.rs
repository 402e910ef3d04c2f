//! What the HTTP layer writes to the audit trail: sign-ins and sign-outs,
//! reads and searches of personal data, reveals, and every request the
//! guard or a handler refused. Changes are recorded by the store, inside
//! the transaction that makes them.
//!
//! An entry that cannot be written fails the request (a read of personal
//! data that leaves no trace must not happen), except for refusals, which
//! fail anyway.
//!
//! Audited reads (file reads, searches, reveals, histories, reads of the
//! trail) are limited per account (`SecurityConfig::audited_reads`): each
//! writes an entry of some 500 bytes, so one account reading as fast as
//! the server answers would grow the trail by gigabytes an hour. A read
//! over the limit is refused (429 `rate_limited`, `Retry-After`) and
//! leaves no entry.

use crate::AppState;
use crate::auth::Denied;
use crate::error::ApiError;
use serde_json::{Value, json};
use sojourn_domain::record::RecordKind;
use sojourn_domain::unit::UnitCode;
use sojourn_store::{Actor, AuditAction, AuditEvent, Outcome};
use std::net::IpAddr;
use std::sync::Arc;

/// Appends `event` as `actor`'s, off the async runtime.
pub(crate) async fn record(
    state: &AppState,
    actor: Actor,
    event: AuditEvent,
) -> Result<(), ApiError> {
    let store = Arc::clone(&state.store);
    tokio::task::spawn_blocking(move || store.append_audit(&actor, &event))
        .await
        .map_err(|e| ApiError::Internal(format!("audit task failed: {e}")))?
        .map(drop)
        .map_err(ApiError::from)
}

/// Counts an audited read by `actor`'s account; refused when the account
/// has used up its reads for now.
fn count_read(state: &AppState, actor: &Actor) -> Result<(), ApiError> {
    let Some(account) = actor.account else {
        return Ok(());
    };
    state
        .limiter
        .attempt(
            &format!("audited-read:{}", account.0),
            state.security.audited_reads,
            state.clock.now(),
        )
        .map_err(|retry_after| Denied::ReadsLimited { retry_after }.into())
}

/// Records a read that is not of one record (the trail's own reads),
/// counted as [`read`] counts.
pub(crate) async fn record_read(
    state: &AppState,
    actor: Actor,
    event: AuditEvent,
) -> Result<(), ApiError> {
    count_read(state, &actor)?;
    record(state, actor, event).await
}

/// Someone not (yet) signed in, known by address only.
pub(crate) fn anonymous(address: Option<IpAddr>) -> Actor {
    let mut actor = Actor::new("(anonymous)");
    actor.address = address;
    actor
}

/// Records a read of `kind` `id` and hands back the outcome: a success
/// with the unit and details `describe` gives, a failure (not found, out
/// of scope) with its code. A read whose entry cannot be written fails.
pub(crate) async fn read<T>(
    state: &AppState,
    actor: Actor,
    action: AuditAction,
    (kind, id): (RecordKind, i64),
    outcome: Result<T, ApiError>,
    describe: impl FnOnce(&T) -> (Option<UnitCode>, Value),
) -> Result<T, ApiError> {
    count_read(state, &actor)?;
    let event = AuditEvent::new(action, Outcome::Success).object(kind, id);
    let event = match &outcome {
        Ok(value) => {
            let (unit, details) = describe(value);
            let event = event.details(details);
            match unit {
                Some(unit) => event.unit(&unit),
                None => event,
            }
        }
        Err(error) => {
            let mut event = event.details(json!({ "refused": error_code(error) }));
            event.outcome = Outcome::Failure;
            event
        }
    };
    record(state, actor, event).await?;
    outcome
}

/// Records a search: which list, the kind of term (never the term: it may
/// be an ID number), the filters, and the ids of what it returned.
pub(crate) async fn search(
    state: &AppState,
    actor: Actor,
    list: &str,
    unit: Option<&UnitCode>,
    mut details: Value,
    returned: Value,
) -> Result<(), ApiError> {
    count_read(state, &actor)?;
    details["list"] = json!(list);
    details["returned"] = returned;
    let mut event = AuditEvent::new(AuditAction::Search, Outcome::Success).details(details);
    if let Some(unit) = unit {
        event = event.unit(unit);
    }
    record(state, actor, event).await
}

/// The stable code of an error, for an entry's details.
pub(crate) fn error_code(error: &ApiError) -> String {
    match error {
        ApiError::NotFound(p) | ApiError::Conflict(p) | ApiError::Unprocessable(p) => {
            p.code.clone()
        }
        ApiError::Denied(d) => sojourn_domain::Localized::code(d).to_owned(),
        other => other.status().as_u16().to_string(),
    }
}

/// The shape of a search term, for the audit trail.
pub(crate) fn term_kind(term: Option<&sojourn_domain::search::SearchTerm>) -> Value {
    use sojourn_domain::search::SearchTerm;
    json!(term.map(|t| match t {
        SearchTerm::IdNumber(_) => "id_number",
        SearchTerm::Digits(_) => "digits",
        SearchTerm::Pinyin(_) => "pinyin",
        SearchTerm::Name(_) => "name",
    }))
}
