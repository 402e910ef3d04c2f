//! The data-quality monitor (监控管理, R6.2): counts by unit and rule, the
//! findings of each rule, a scan of the caller's jurisdiction, and the
//! queue of probable duplicates with merge and dismiss.

use super::run;
use crate::AppState;
use crate::dto::quality::{
    DecisionResponse, DismissRequest, DuplicateDetailResponse, DuplicateResponse, DuplicatesQuery,
    FindingResponse, FindingsQuery, MergeRequest, QualityCountsResponse, ScanResponse,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::ops::quality as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;

/// Open findings by unit and rule, and open probable duplicates by unit,
/// in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/quality/counts", tag = "quality",
    responses((status = 200, body = QualityCountsResponse)))]
pub(crate) async fn quality_counts(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
) -> Result<Json<QualityCountsResponse>, ApiError> {
    let counts = run(&state, move |store| store.quality_counts(&scope)).await?;
    Ok(Json((&counts).into()))
}

/// The open findings of one rule, oldest first, paged by key (`after`:
/// the last id of the previous page).
#[utoipa::path(get, path = "/api/v1/quality/findings", tag = "quality",
    params(FindingsQuery),
    responses(
        (status = 200, body = [FindingResponse]),
        (status = 422, description = "Unknown rule; limit out of range", body = ErrorBody),
    ))]
pub(crate) async fn list_findings(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Query(query): Query<FindingsQuery>,
) -> Result<Json<Vec<FindingResponse>>, ApiError> {
    let (rule, after, limit) = query.parse()?;
    let rows = run(&state, move |store| {
        store.quality_findings(&scope, rule, after, limit)
    })
    .await?;
    Ok(Json(rows.iter().map(Into::into).collect()))
}

/// Judges every record of the caller's jurisdiction again and queues the
/// probable duplicates among its files. Long on a large jurisdiction.
#[utoipa::path(post, path = "/api/v1/quality/scan", tag = "quality",
    responses((status = 200, body = ScanResponse)))]
pub(crate) async fn scan(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
) -> Result<Json<ScanResponse>, ApiError> {
    let summary = ops::scan(&state, scope)
        .await
        .map_err(ApiError::Internal)??;
    Ok(Json(summary.into()))
}

/// The probable duplicates, highest score first.
#[utoipa::path(get, path = "/api/v1/quality/duplicates", tag = "quality",
    params(DuplicatesQuery),
    responses(
        (status = 200, body = [DuplicateResponse]),
        (status = 422, description = "Unknown status; limit out of range", body = ErrorBody),
    ))]
pub(crate) async fn list_duplicates(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Query(query): Query<DuplicatesQuery>,
) -> Result<Json<Vec<DuplicateResponse>>, ApiError> {
    let (status, offset, limit) = query.parse()?;
    let rows = run(&state, move |store| {
        store.duplicate_queue(&scope, status, offset, limit)
    })
    .await?;
    Ok(Json(rows.iter().map(Into::into).collect()))
}

/// One pair with every decision taken on it.
#[utoipa::path(get, path = "/api/v1/quality/duplicates/{id}", tag = "quality",
    params(("id" = i64, Path, description = "Pair id")),
    responses(
        (status = 200, body = DuplicateDetailResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_duplicate(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Path(id): Path<i64>,
) -> Result<Json<DuplicateDetailResponse>, ApiError> {
    let (pair, decisions) = run(&state, move |store| {
        Ok((
            store.get_duplicate(&scope, id)?,
            store.duplicate_decisions(&scope, id)?,
        ))
    })
    .await?;
    Ok(Json(DuplicateDetailResponse {
        pair: (&pair).into(),
        decisions: decisions.iter().map(DecisionResponse::from).collect(),
    }))
}

/// Merges the pair into the file `keep`: the other file's stays and
/// document checks move to it and the other is marked merged (its history
/// kept). Audited.
#[utoipa::path(post, path = "/api/v1/quality/duplicates/{id}/merge", tag = "quality",
    params(("id" = i64, Path, description = "Pair id")),
    request_body = MergeRequest,
    responses(
        (status = 200, body = DuplicateResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Both files have a current stay; already decided; the kept file is not of the pair", body = ErrorBody),
    ))]
pub(crate) async fn merge_duplicate(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<MergeRequest>,
) -> Result<Json<DuplicateResponse>, ApiError> {
    let keep = body.keep();
    let pair = ops::merge_duplicate(&state, scope, actor, id, keep)
        .await
        .map_err(ApiError::Internal)??;
    Ok(Json((&pair).into()))
}

/// Dismisses the pair as two people, with the reason. Audited.
#[utoipa::path(post, path = "/api/v1/quality/duplicates/{id}/dismiss", tag = "quality",
    params(("id" = i64, Path, description = "Pair id")),
    request_body = DismissRequest,
    responses(
        (status = 200, body = DuplicateResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody),
        (status = 422, description = "No reason, or one too long", body = ErrorBody),
    ))]
pub(crate) async fn dismiss_duplicate(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<DismissRequest>,
) -> Result<Json<DuplicateResponse>, ApiError> {
    let reason = body.parse()?;
    let pair = ops::dismiss_duplicate(&state, scope, actor, id, reason)
        .await
        .map_err(ApiError::Internal)??;
    Ok(Json((&pair).into()))
}
