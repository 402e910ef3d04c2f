//! Service requests at the one-stop window (一站式服务, R4.2): intake,
//! referral, resolution, closing with satisfaction; the worklist and a
//! person's requests.

use crate::AppState;
use crate::dto::requests::{
    IntakeRequest, RequestKindResponse, RequestListQuery, ServiceRequestList,
    ServiceRequestResponse, StepKind, StepRequest,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::ops::requests as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use axum::http::StatusCode;
use sojourn_domain::person::PersonId;
use sojourn_domain::time_rules::china_today;
use sojourn_store::requests::RequestId;

/// The deployment's kinds of request, each with its due period.
#[utoipa::path(get, path = "/api/v1/service-requests/kinds", tag = "service-requests",
    responses((status = 200, body = [RequestKindResponse])))]
pub(crate) async fn list_kinds(
    State(state): State<AppState>,
    // A signed-in caller only: the extractor fails closed without the guard.
    CallerScope(_): CallerScope,
) -> Result<Json<Vec<RequestKindResponse>>, ApiError> {
    let kinds = ops::request_kinds(&state).await?;
    Ok(Json(kinds.iter().map(Into::into).collect()))
}

/// Takes a request in for a person in your jurisdiction; it is due after
/// its kind's period.
#[utoipa::path(post, path = "/api/v1/service-requests", tag = "service-requests",
    request_body = IntakeRequest,
    responses(
        (status = 201, body = ServiceRequestResponse),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Unknown kind; nothing asked; a date in the future", body = ErrorBody),
    ))]
pub(crate) async fn take_request(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Json(body): Json<IntakeRequest>,
) -> Result<(StatusCode, Json<ServiceRequestResponse>), ApiError> {
    let today = china_today();
    let request = body.parse(today)?;
    let taken = ops::take_request(&state, scope, actor, request)
        .await
        .map_err(ApiError::Internal)??;
    Ok((
        StatusCode::CREATED,
        Json(ServiceRequestResponse::of(&taken, today)),
    ))
}

/// The requests in your jurisdiction, filtered and sorted as the query says.
#[utoipa::path(get, path = "/api/v1/service-requests", tag = "service-requests",
    params(RequestListQuery),
    responses(
        (status = 200, body = ServiceRequestList),
        (status = 422, description = "A filter or page out of range", body = ErrorBody),
    ))]
pub(crate) async fn list_requests(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Query(query): Query<RequestListQuery>,
) -> Result<Json<ServiceRequestList>, ApiError> {
    let today = china_today();
    let (filter, paging) = query.parse(today)?;
    let page = ops::list_requests(&state, scope, actor, filter, paging.request).await?;
    Ok(Json(ServiceRequestList {
        items: page
            .items
            .iter()
            .map(|r| ServiceRequestResponse::of(r, today))
            .collect(),
        total: page.total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// One request.
#[utoipa::path(get, path = "/api/v1/service-requests/{id}", tag = "service-requests",
    params(("id" = i64, Path, description = "Request id")),
    responses(
        (status = 200, body = ServiceRequestResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_request(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<ServiceRequestResponse>, ApiError> {
    let request = ops::get_request(&state, scope, actor, RequestId(id)).await?;
    Ok(Json(ServiceRequestResponse::of(&request, china_today())))
}

async fn step(
    state: AppState,
    (scope, actor): (sojourn_domain::unit::Scope, sojourn_store::Actor),
    id: i64,
    kind: StepKind,
    body: &StepRequest,
) -> Result<Json<ServiceRequestResponse>, ApiError> {
    let today = china_today();
    let step = body.parse(kind, today)?;
    let stepped = ops::step_request(&state, scope, actor, RequestId(id), step)
        .await
        .map_err(ApiError::Internal)??;
    Ok(Json(ServiceRequestResponse::of(&stepped, today)))
}

/// Refers an open request to the responsible department's contact
/// (department, person, phone).
#[utoipa::path(post, path = "/api/v1/service-requests/{id}/refer", tag = "service-requests",
    params(("id" = i64, Path, description = "Request id")),
    request_body = StepRequest,
    responses(
        (status = 200, body = ServiceRequestResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Resolved or closed already; a stale version", body = ErrorBody),
        (status = 422, description = "A field missing or invalid; a date before intake or in the future", body = ErrorBody),
    ))]
pub(crate) async fn refer_request(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<StepRequest>,
) -> Result<Json<ServiceRequestResponse>, ApiError> {
    step(state, (scope, actor), id, StepKind::Refer, &body).await
}

/// Resolves an open request, saying what was done.
#[utoipa::path(post, path = "/api/v1/service-requests/{id}/resolve", tag = "service-requests",
    params(("id" = i64, Path, description = "Request id")),
    request_body = StepRequest,
    responses(
        (status = 200, body = ServiceRequestResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Resolved or closed already; a stale version", body = ErrorBody),
        (status = 422, description = "No resolution; a date before intake or in the future", body = ErrorBody),
    ))]
pub(crate) async fn resolve_request(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<StepRequest>,
) -> Result<Json<ServiceRequestResponse>, ApiError> {
    step(state, (scope, actor), id, StepKind::Resolve, &body).await
}

/// Closes a resolved request with the resident's satisfaction.
#[utoipa::path(post, path = "/api/v1/service-requests/{id}/close", tag = "service-requests",
    params(("id" = i64, Path, description = "Request id")),
    request_body = StepRequest,
    responses(
        (status = 200, body = ServiceRequestResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Not resolved yet, or closed already; a stale version", body = ErrorBody),
        (status = 422, description = "No satisfaction given; a date before intake or in the future", body = ErrorBody),
    ))]
pub(crate) async fn close_request(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<StepRequest>,
) -> Result<Json<ServiceRequestResponse>, ApiError> {
    step(state, (scope, actor), id, StepKind::Close, &body).await
}

/// A person's requests, newest first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/service-requests", tag = "service-requests",
    params(("id" = i64, Path, description = "Person id")),
    responses(
        (status = 200, body = [ServiceRequestResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn requests_of_person(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ServiceRequestResponse>>, ApiError> {
    let today = china_today();
    let list = ops::requests_of(&state, scope, actor, PersonId(id)).await?;
    Ok(Json(
        list.iter()
            .map(|r| ServiceRequestResponse::of(r, today))
            .collect(),
    ))
}
