//! Exports of the lists and ledgers (台账) through the API: `POST
//! /api/v1/exports/{list}` starts a job, `GET …/{job}` tells its progress,
//! `GET …/{job}/file` downloads the file once done. Each list's routes
//! need `Export` on its register (the route table says so); a job is its
//! account's alone (anyone else's answers 404).

use super::run;
use crate::AppState;
use crate::auth::{Caller, Denied};
use crate::error::{ApiError, ErrorBody, Problem};
use crate::export::jobs::{self, Job, JobState};
use crate::export::{ExportList, ExportSpec, FileNames, Filters};
use crate::extract::Path;
use crate::json::Json;
use crate::scope::CallerScope;
use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sojourn_domain::account::{Action, allows};
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::Scope;
use sojourn_store::{AuditAction, AuditEvent, Outcome, StoreError};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

/// What to export.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExportRequest {
    /// `xlsx` or `csv` (UTF-8 with a BOM).
    #[schema(example = "xlsx")]
    pub format: Option<String>,
    /// `ledger` (default: the paper form's columns, 台账) or `list` (the
    /// list page's columns).
    pub layout: Option<String>,
    /// `masked` (default) or `full`: full ID and phone numbers, for a role
    /// that may reveal, with a `reason` (audited as a reveal). The work
    /// lists show no number: `masked` only.
    pub numbers: Option<String>,
    pub reason: Option<String>,
    /// The list's filters, as its `GET` takes them (`unit`, `status`, …),
    /// and its search term `q` as its `POST …/search` takes it (the audit
    /// trail keeps only the term's kind). The work lists take their page's
    /// filter: `since` (review-counts, a date), `rule` (quality-findings),
    /// `status` (quality-duplicates: open, merged, dismissed or all).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub filters: HashMap<String, String>,
}

/// An export job and its progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportJobResponse {
    pub id: String,
    pub list: String,
    /// `running`, `done` or `failed`.
    pub state: String,
    pub rows_written: u64,
    /// The rows the filters match (0 until counted).
    pub total: u64,
    /// Where to download the file, once done.
    pub file: Option<String>,
    /// Why it failed.
    pub error: Option<Problem>,
}

impl ExportJobResponse {
    pub(crate) fn of(job: &Job) -> Self {
        let (state, file, error) = match job.state() {
            JobState::Running => ("running", None, None),
            JobState::Done { .. } => ("done", Some(file_url(job)), None),
            JobState::Failed { code, zh, en } => {
                ("failed", None, Some(Problem::new(&code, zh, en)))
            }
        };
        Self {
            id: job.id.clone(),
            list: job.list.key().to_owned(),
            state: state.to_owned(),
            rows_written: job
                .progress
                .written
                .load(std::sync::atomic::Ordering::Relaxed),
            total: job
                .progress
                .total
                .load(std::sync::atomic::Ordering::Relaxed),
            file,
            error,
        }
    }
}

fn file_url(job: &Job) -> String {
    format!(
        "{}/exports/{}/{}/file",
        super::PREFIX,
        job.list.key(),
        job.id
    )
}

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
    let job = state
        .exports
        .create(caller.principal.account, &spec, names)
        .map_err(|e| match e {
            jobs::NotStarted::Busy(_) => ApiError::Busy(Problem::of(&e)),
            jobs::NotStarted::NoRandomness(_) => ApiError::Internal(e.to_string()),
        })?;
    let (store, running) = (Arc::clone(&state.store), Arc::clone(&job));
    tokio::task::spawn_blocking(move || {
        jobs::run(store.as_ref(), &scope, &actor, &spec, &running);
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
pub(crate) fn job_of(
    state: &AppState,
    caller: &Caller,
    list: ExportList,
    id: &str,
) -> Result<Arc<Job>, ApiError> {
    state
        .exports
        .get(id, caller.principal.account, list)
        .ok_or_else(|| {
            ApiError::NotFound(Problem::new(
                "export_not_found",
                "没有该导出任务（任务只对发起的账号可见，一小时后过期）",
                "no such export (an export is its account's alone, and expires after an hour)",
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
    // The job is kept alive (and its file with it) until the body is sent.
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

/// A file sent in chunks, each read on the blocking pool: a million-row
/// export (some 180 MB) never sits in memory whole. What the file belongs
/// to (its job, its temporary file) is kept alive until the body is sent.
pub(crate) struct FileChunks {
    file: Option<std::fs::File>,
    reading: Option<tokio::task::JoinHandle<(std::fs::File, std::io::Result<Vec<u8>>)>>,
    _owner: Arc<dyn std::any::Any + Send + Sync>,
}

/// Bytes read at once.
const CHUNK: usize = 256 * 1024;

impl FileChunks {
    pub(crate) fn new(file: std::fs::File, owner: Arc<dyn std::any::Any + Send + Sync>) -> Self {
        Self {
            file: Some(file),
            reading: None,
            _owner: owner,
        }
    }
}

impl futures_core::Stream for FileChunks {
    type Item = std::io::Result<axum::body::Bytes>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::future::Future;
        use std::io::Read;
        use std::task::Poll;
        if self.reading.is_none() {
            let Some(mut file) = self.file.take() else {
                return Poll::Ready(None);
            };
            self.reading = Some(tokio::task::spawn_blocking(move || {
                let mut chunk = vec![0; CHUNK];
                let read = file.read(&mut chunk).map(|n| {
                    chunk.truncate(n);
                    chunk
                });
                (file, read)
            }));
        }
        let Some(reading) = self.reading.as_mut() else {
            return Poll::Ready(None);
        };
        match std::pin::Pin::new(reading).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(joined) => {
                self.reading = None;
                match joined {
                    Err(e) => Poll::Ready(Some(Err(std::io::Error::other(e)))),
                    Ok((_, Err(e))) => Poll::Ready(Some(Err(e))),
                    Ok((_, Ok(chunk))) if chunk.is_empty() => Poll::Ready(None),
                    Ok((file, Ok(chunk))) => {
                        self.file = Some(file);
                        Poll::Ready(Some(Ok(chunk.into())))
                    }
                }
            }
        }
    }
}

fn list_of(uri: &OriginalUri) -> Result<ExportList, ApiError> {
    ExportList::of_path(uri.path()).ok_or(ApiError::NoRoute)
}

async fn start_export(
    state: AppState,
    caller: Caller,
    scope: Scope,
    uri: OriginalUri,
    body: ExportRequest,
) -> Result<(StatusCode, Json<ExportJobResponse>), ApiError> {
    let list = list_of(&uri)?;
    let mut params = body.filters;
    for (key, value) in [
        ("format", body.format),
        ("layout", body.layout),
        ("numbers", body.numbers),
        ("reason", body.reason),
    ] {
        match value {
            Some(value) => params.insert(key.to_owned(), value),
            None => params.remove(key),
        };
    }
    let spec = ExportSpec::parse(list, &params)?;
    let job = start(&state, &caller, scope, spec).await?;
    Ok((StatusCode::ACCEPTED, Json(ExportJobResponse::of(&job))))
}

async fn job_status(
    state: AppState,
    caller: Caller,
    uri: OriginalUri,
    id: String,
) -> Result<Json<ExportJobResponse>, ApiError> {
    let job = job_of(&state, &caller, list_of(&uri)?, &id)?;
    Ok(Json(ExportJobResponse::of(&job)))
}

async fn job_file(
    state: AppState,
    caller: Caller,
    uri: OriginalUri,
    id: String,
) -> Result<Response, ApiError> {
    download(job_of(&state, &caller, list_of(&uri)?, &id)?).await
}

/// The three handlers of one list, each with its own path in the OpenAPI
/// document.
macro_rules! export_routes {
    ($start_path:tt, $status_path:tt, $file_path:tt, $start:ident, $status:ident, $file:ident) => {
        /// Starts an export of the list with its filters, as .xlsx or CSV,
        /// masked unless `numbers` is `full` (with a reason; audited).
        #[utoipa::path(post, path = $start_path, tag = "exports",
            request_body = ExportRequest,
            responses(
                (status = 202, description = "The job, started", body = ExportJobResponse),
                (status = 403, description = "No export permission, or full numbers without the reveal permission", body = ErrorBody),
                (status = 422, description = "A wrong format, layout, filter or reason; or a unit outside your jurisdiction", body = ErrorBody),
                (status = 429, description = "You have as many exports running as one account may (`export_jobs_busy`); start again when one is done", body = ErrorBody),
            ))]
        pub(crate) async fn $start(
            State(state): State<AppState>,
            caller: Caller,
            CallerScope(scope): CallerScope,
            uri: OriginalUri,
            Json(body): Json<ExportRequest>,
        ) -> Result<(StatusCode, Json<ExportJobResponse>), ApiError> {
            start_export(state, caller, scope, uri, body).await
        }

        /// The progress of one of your exports.
        #[utoipa::path(get, path = $status_path, tag = "exports",
            params(("job" = String, Path, description = "The job's id")),
            responses(
                (status = 200, body = ExportJobResponse),
                (status = 404, description = "No such job of yours", body = ErrorBody),
            ))]
        pub(crate) async fn $status(
            State(state): State<AppState>,
            caller: Caller,
            uri: OriginalUri,
            Path(id): Path<String>,
        ) -> Result<Json<ExportJobResponse>, ApiError> {
            job_status(state, caller, uri, id).await
        }

        /// The file of one of your finished exports.
        #[utoipa::path(get, path = $file_path, tag = "exports",
            params(("job" = String, Path, description = "The job's id")),
            responses(
                (status = 200, description = "The .xlsx or CSV attachment", content_type = "application/octet-stream"),
                (status = 404, description = "No such job of yours", body = ErrorBody),
                (status = 409, description = "Still running, or failed", body = ErrorBody),
            ))]
        pub(crate) async fn $file(
            State(state): State<AppState>,
            caller: Caller,
            uri: OriginalUri,
            Path(id): Path<String>,
        ) -> Result<Response, ApiError> {
            job_file(state, caller, uri, id).await
        }
    };
}

export_routes!(
    "/api/v1/exports/residents",
    "/api/v1/exports/residents/{job}",
    "/api/v1/exports/residents/{job}/file",
    start_residents,
    residents_status,
    residents_file
);
export_routes!(
    "/api/v1/exports/houses",
    "/api/v1/exports/houses/{job}",
    "/api/v1/exports/houses/{job}/file",
    start_houses,
    houses_status,
    houses_file
);
export_routes!(
    "/api/v1/exports/employers",
    "/api/v1/exports/employers/{job}",
    "/api/v1/exports/employers/{job}/file",
    start_employers,
    employers_status,
    employers_file
);
export_routes!(
    "/api/v1/exports/outflows",
    "/api/v1/exports/outflows/{job}",
    "/api/v1/exports/outflows/{job}/file",
    start_outflows,
    outflows_status,
    outflows_file
);
export_routes!(
    "/api/v1/exports/review-queue",
    "/api/v1/exports/review-queue/{job}",
    "/api/v1/exports/review-queue/{job}/file",
    start_review_queue,
    review_queue_status,
    review_queue_file
);
export_routes!(
    "/api/v1/exports/review-corrections",
    "/api/v1/exports/review-corrections/{job}",
    "/api/v1/exports/review-corrections/{job}/file",
    start_review_corrections,
    review_corrections_status,
    review_corrections_file
);
export_routes!(
    "/api/v1/exports/review-overdue",
    "/api/v1/exports/review-overdue/{job}",
    "/api/v1/exports/review-overdue/{job}/file",
    start_review_overdue,
    review_overdue_status,
    review_overdue_file
);
export_routes!(
    "/api/v1/exports/review-spot-checks",
    "/api/v1/exports/review-spot-checks/{job}",
    "/api/v1/exports/review-spot-checks/{job}/file",
    start_review_spot_checks,
    review_spot_checks_status,
    review_spot_checks_file
);
export_routes!(
    "/api/v1/exports/review-counts",
    "/api/v1/exports/review-counts/{job}",
    "/api/v1/exports/review-counts/{job}/file",
    start_review_counts,
    review_counts_status,
    review_counts_file
);
export_routes!(
    "/api/v1/exports/quality-findings",
    "/api/v1/exports/quality-findings/{job}",
    "/api/v1/exports/quality-findings/{job}/file",
    start_quality_findings,
    quality_findings_status,
    quality_findings_file
);
export_routes!(
    "/api/v1/exports/quality-duplicates",
    "/api/v1/exports/quality-duplicates/{job}",
    "/api/v1/exports/quality-duplicates/{job}/file",
    start_quality_duplicates,
    quality_duplicates_status,
    quality_duplicates_file
);
