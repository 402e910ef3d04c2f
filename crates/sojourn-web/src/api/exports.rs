//! Exports of the lists and ledgers (台账) through the API: `POST
//! /api/v1/exports/{list}` starts a job, `GET …/{job}` tells its progress,
//! `GET …/{job}/file` downloads the file once done. Each list's routes
//! need `Export` on its register (the route table says so); a job is its
//! account's alone (anyone else's answers 404).

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Problem};
use crate::export::jobs::{Job, JobState};
use crate::export::{ExportList, ExportSpec};
use crate::extract::Path;
use crate::json::Json;
use crate::ops::exports::{download, job_of, start};
use crate::scope::CallerScope;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sojourn_domain::unit::Scope;
use std::collections::HashMap;
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
    let job = job_of(&state, &caller, list_of(&uri)?, &id).await?;
    Ok(Json(ExportJobResponse::of(&job)))
}

async fn job_file(
    state: AppState,
    caller: Caller,
    uri: OriginalUri,
    id: String,
) -> Result<Response, ApiError> {
    download(job_of(&state, &caller, list_of(&uri)?, &id).await?).await
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
    "/api/v1/exports/permits",
    "/api/v1/exports/permits/{job}",
    "/api/v1/exports/permits/{job}/file",
    start_permits,
    permits_status,
    permits_file
);
export_routes!(
    "/api/v1/exports/quality-duplicates",
    "/api/v1/exports/quality-duplicates/{job}",
    "/api/v1/exports/quality-duplicates/{job}/file",
    start_quality_duplicates,
    quality_duplicates_status,
    quality_duplicates_file
);
