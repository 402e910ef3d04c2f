//! The review workflow (R3.1): a record's review and its history, the steps
//! (one route per step, each with the permission the table gives it), the
//! queues and the counts. The answers hold record ids, unit codes and staff
//! user names, no personal data; the person file that shows a stay's review
//! audits its own read.

use super::run;
use crate::AppState;
use crate::dto::review::{
    ReviewCountsQuery, ReviewCountsResponse, ReviewDetailResponse, ReviewQueueQuery,
    ReviewQueueResponse, ReviewStatusResponse, ReviewStepRequest, record,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::ops::review as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use sojourn_store::{Actor, ReviewQueue};

/// A record's review as it stands, and every step taken.
#[utoipa::path(get, path = "/api/v1/review/{kind}/{id}", tag = "review",
    params(
        ("kind" = String, Path, description = "residence, house, employer or outflow"),
        ("id" = i64, Path, description = "Record id"),
    ),
    responses(
        (status = 200, body = ReviewDetailResponse),
        (status = 404, description = "Not in your jurisdiction, or predates the workflow", body = ErrorBody),
        (status = 422, description = "Unknown kind", body = ErrorBody),
    ))]
pub(crate) async fn get_review(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Path((kind, id)): Path<(String, i64)>,
) -> Result<Json<ReviewDetailResponse>, ApiError> {
    let record = record(&kind, id)?;
    let now = state.clock.now();
    let (status, history) = run(&state, move |store| store.review_status(&scope, record)).await?;
    Ok(Json(ReviewDetailResponse {
        status: ReviewStatusResponse::new(&status, now),
        history: history.iter().map(Into::into).collect(),
    }))
}

/// Takes the step `code` on the record a path names.
pub(crate) async fn take_step(
    state: &AppState,
    scope: sojourn_domain::unit::Scope,
    actor: Actor,
    (kind, id): (String, i64),
    code: &str,
    body: &ReviewStepRequest,
) -> Result<ReviewStatusResponse, ApiError> {
    let record = record(&kind, id)?;
    let step = body.parse(code)?;
    let (status, at) = ops::take_step(state, scope, actor, record, step, body.version)
        .await
        .map_err(ApiError::Internal)??;
    Ok(ReviewStatusResponse::new(&status, at))
}

macro_rules! step_route {
    ($(#[$doc:meta])* $name:ident, $path:literal, $code:literal) => {
        $(#[$doc])*
        #[utoipa::path(post, path = $path, tag = "review",
            params(
                ("kind" = String, Path, description = "residence, house, employer or outflow"),
                ("id" = i64, Path, description = "Record id"),
            ),
            request_body = ReviewStepRequest,
            responses(
                (status = 200, body = ReviewStatusResponse),
                (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
                (status = 409, description = "The record's state does not allow the step, or the version is stale", body = ErrorBody),
                (status = 422, description = "Unknown kind; a reason or result missing or too long", body = ErrorBody),
            ))]
        pub(crate) async fn $name(
            State(state): State<AppState>,
            CallerScope(scope): CallerScope,
            CallerActor(actor): CallerActor,
            Path(path): Path<(String, i64)>,
            Json(body): Json<ReviewStepRequest>,
        ) -> Result<Json<ReviewStatusResponse>, ApiError> {
            take_step(&state, scope, actor, path, $code, &body).await.map(Json)
        }
    };
}

step_route!(
    /// The coordinator enters a collected record (录入).
    enter, "/api/v1/review/{kind}/{id}/enter", "enter"
);
step_route!(
    /// The coordinator re-submits a returned record after correcting it.
    resubmit, "/api/v1/review/{kind}/{id}/resubmit", "resubmit"
);
step_route!(
    /// The station approves an entered record (审核通过).
    approve, "/api/v1/review/{kind}/{id}/approve", "approve"
);
step_route!(
    /// The station rejects an entered record, giving the reason.
    reject, "/api/v1/review/{kind}/{id}/reject", "reject"
);
step_route!(
    /// The station returns an entered record for correction, giving the reason.
    return_for_correction, "/api/v1/review/{kind}/{id}/return", "return"
);
step_route!(
    /// An approved record was checked on site (实地抽查): its result.
    spot_check, "/api/v1/review/{kind}/{id}/spot-check", "spot_check"
);

async fn queue(
    state: &AppState,
    scope: sojourn_domain::unit::Scope,
    which: ReviewQueue,
    query: &ReviewQueueQuery,
) -> Result<Json<ReviewQueueResponse>, ApiError> {
    let paging = query.parse()?;
    let now = state.clock.now();
    let items = run(state, move |store| {
        store.review_queue(&scope, which, paging.request)
    })
    .await?;
    Ok(Json(ReviewQueueResponse {
        page: paging.page,
        per_page: paging.per_page,
        items: items
            .iter()
            .map(|s| ReviewStatusResponse::new(s, now))
            .collect(),
    }))
}

macro_rules! queue_route {
    ($(#[$doc:meta])* $name:ident, $path:literal, $queue:expr) => {
        $(#[$doc])*
        #[utoipa::path(get, path = $path, tag = "review",
            params(ReviewQueueQuery),
            responses(
                (status = 200, body = ReviewQueueResponse),
                (status = 422, description = "Page out of range", body = ErrorBody),
            ))]
        pub(crate) async fn $name(
            State(state): State<AppState>,
            CallerScope(scope): CallerScope,
            Query(query): Query<ReviewQueueQuery>,
        ) -> Result<Json<ReviewQueueResponse>, ApiError> {
            let make: fn(time::OffsetDateTime) -> ReviewQueue = $queue;
            let which = make(state.clock.now());
            queue(&state, scope, which, &query).await
        }
    };
}

queue_route!(
    /// The station's queue: entered or re-submitted records awaiting review.
    awaiting_review, "/api/v1/review/queue", |_| ReviewQueue::AwaitingReview
);
queue_route!(
    /// The coordinator's corrections: records returned for correction.
    corrections, "/api/v1/review/corrections", |_| ReviewQueue::Corrections
);
queue_route!(
    /// Approved records not yet spot-checked.
    awaiting_spot_check, "/api/v1/review/spot-checks", |_| ReviewQueue::AwaitingSpotCheck
);
queue_route!(
    /// Collected but not entered within 24 hours, or entered late.
    overdue, "/api/v1/review/overdue", |now| ReviewQueue::Overdue { now }
);

/// Steps taken in the jurisdiction, per person and per unit (the figures
/// rewards are reckoned from).
#[utoipa::path(get, path = "/api/v1/review/counts", tag = "review",
    params(ReviewCountsQuery),
    responses(
        (status = 200, body = ReviewCountsResponse),
        (status = 422, description = "Not a date", body = ErrorBody),
    ))]
pub(crate) async fn counts(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Query(query): Query<ReviewCountsQuery>,
) -> Result<Json<ReviewCountsResponse>, ApiError> {
    let since = query.parse()?;
    let counts = run(&state, move |store| store.review_counts(&scope, since)).await?;
    Ok(Json((&counts).into()))
}
