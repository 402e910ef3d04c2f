//! Exports of the lists and ledgers (台账), for `POST /api/v1/exports/…`
//! and the export forms under the list pages alike: starting a job (a
//! reveal of full numbers checked against the caller's roles and audited
//! first), finding the caller's own job (anyone else's is not found), and
//! its file once done.

use super::files::FileChunks;
use crate::AppState;
use crate::auth::{Caller, Denied};
use crate::blocking::run;
use crate::error::{ApiError, Problem};
use crate::export::jobs::{self, Job, JobState};
use crate::export::{ExportList, ExportSpec, FileNames, Filters};
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sojourn_domain::account::{Action, allows};
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::Scope;
use sojourn_store::{AuditAction, AuditEvent, Outcome, StoreError};
use std::sync::Arc;

/// Starts an export of `spec` in `scope` for `caller`: a reveal is
/// checked against the caller's roles and audited first; the job then
/// runs on the blocking pool and audits itself when done.
pub(crate) async fn start(
    state: &AppState,
    caller: &Caller,
    scope: Scope,
    spec: ExportSpec,
) -> Result<Arc<Job>, ApiError> {
    unit_in_scope(&scope, &spec.filters)?;
    let spec = spec.at(state.clock.now());
    let actor = caller.actor();
    if let Some(reason) = &spec.reveal {
        let resource = spec.list.resource();
        let may = caller
            .principal
            .roles
            .iter()
            .any(|role| allows(*role, Action::Reveal, resource));
        if !may {
            return Err(Denied::Forbidden.into());
        }
        let mut details = spec.audit_details();
        details["fields"] = json!(["id_number", "phone"]);
        details["reason"] = json!(reason);
        let mut event = AuditEvent::new(AuditAction::Reveal, Outcome::Success).details(details);
        if let Some(unit) = actor.unit.as_ref() {
            event = event.unit(unit);
        }
        crate::audit::record(state, actor.clone(), event).await?;
    }
    let names = file_names(state, &scope, &spec).await?;
    let (store, exports, account) = (
        Arc::clone(&state.store),
        Arc::clone(&state.exports),
        caller.principal.account,
    );
    let (job, spec) = tokio::task::spawn_blocking(move || {
        let job = exports.create(store.as_ref(), account, &spec, names);
        (job, spec)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("export task failed: {e}")))?;
    let job = job.map_err(|e| match e {
        jobs::NotStarted::Busy(_) => ApiError::Busy(Problem::of(&e)),
        jobs::NotStarted::NoRandomness(_) => ApiError::Internal(e.to_string()),
        jobs::NotStarted::Store(e) => ApiError::from(e),
    })?;
    let (store, exports, running) = (
        Arc::clone(&state.store),
        Arc::clone(&state.exports),
        Arc::clone(&job),
    );
    tokio::task::spawn_blocking(move || {
        jobs::run(&exports, store.as_ref(), &scope, &actor, &spec, &running);
    });
    Ok(job)
}

/// The file's name: the list, the unit it covers and today's date.
async fn file_names(
    state: &AppState,
    scope: &Scope,
    spec: &ExportSpec,
) -> Result<FileNames, ApiError> {
    let (scope, unit) = (scope.clone(), spec.unit(scope).clone());
    let name = run(state, move |store| store.get_unit(&scope, &unit))
        .await?
        .name;
    Ok(spec.file_names(name.as_str(), china_today()))
}

/// A unit filter outside the scope is refused at once, as the list
/// refuses it, rather than by a job that fails later.
fn unit_in_scope(scope: &Scope, filters: &Filters) -> Result<(), ApiError> {
    match filters.unit() {
        Some(unit) if scope.narrow_to(unit).is_err() => {
            Err(ApiError::from(StoreError::ReferenceOutOfScope {
                kind: sojourn_domain::record::RecordKind::Unit,
                id: unit.to_string(),
            }))
        }
        _ => Ok(()),
    }
}

/// The caller's job `id` of `list`, or 404.
pub(crate) async fn job_of(
    state: &AppState,
    caller: &Caller,
    list: ExportList,
    id: &str,
) -> Result<Arc<Job>, ApiError> {
    let (exports, id, account) = (
        Arc::clone(&state.exports),
        id.to_owned(),
        caller.principal.account,
    );
    run(state, move |store| exports.get(store, &id, account, list))
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(Problem::new(
                "export_not_found",
                "没有该导出任务（任务只对发起的账号可见，过了保留期即删除）",
                "no such export (an export is its account's alone, and is deleted once its retention time is over)",
            ))
        })
}

/// The finished file as a download; a job still running or failed is a
/// conflict.
pub(crate) async fn download(job: Arc<Job>) -> Result<Response, ApiError> {
    match job.state() {
        JobState::Done { .. } => {}
        JobState::Running => {
            return Err(ApiError::Conflict(Problem::new(
                "export_running",
                "导出尚未完成",
                "the export is still running",
            )));
        }
        JobState::Failed { code, zh, en } => {
            return Err(ApiError::Conflict(Problem::new(&code, zh, en)));
        }
    }
    let file = std::fs::File::open(&job.path)
        .map_err(|e| ApiError::Internal(format!("export file: {e}")))?;
    // A job that expires while its file is being sent is zeroed under the
    // download (the sweep overwrites before it unlinks): retention is a
    // promise about the disk, not about a transfer begun at its end.
    let mut response = Body::from_stream(FileChunks::new(file, job.clone())).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(job.content_type),
    );
    let disposition = job.file_names.disposition();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
