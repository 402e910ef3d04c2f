//! The outflow register (流出人口).

use super::{history_of, run};
use crate::AppState;
use crate::dto::RevisionResponse;
use crate::dto::outflows::{
    CreateOutflowRequest, OutflowListQuery, OutflowPage, OutflowResponse, UpdateOutflowRequest,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use axum::http::StatusCode;
use sojourn_domain::codes::IdNumber;
use sojourn_domain::outflow::{OutflowDetails, OutflowId};
use sojourn_store::RecordRef;

#[utoipa::path(post, path = "/api/v1/outflows", tag = "outflows",
    request_body = CreateOutflowRequest,
    responses(
        (status = 201, body = OutflowResponse),
        (status = 409, description = "The ID number already has an open outflow record; the message names the unit", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the unit is not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn create_outflow(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Json(body): Json<CreateOutflowRequest>,
) -> Result<(StatusCode, Json<OutflowResponse>), ApiError> {
    let (id_number, details) = <(IdNumber, OutflowDetails)>::try_from(&body)?;
    let outflow = run(&state, move |store| {
        store.create_outflow(&scope, &id_number, &details, &actor)
    })
    .await?;
    Ok((StatusCode::CREATED, Json((&outflow).into())))
}

/// Lists the outflows of the caller's jurisdiction by filters. A search
/// term (`q`) is refused here: URLs end up in logs and browser history, so
/// searching is `POST /api/v1/outflows/search`.
#[utoipa::path(get, path = "/api/v1/outflows", tag = "outflows",
    params(OutflowListQuery),
    responses(
        (status = 200, body = OutflowPage),
        (status = 422, description = "Invalid filter, or a unit outside your jurisdiction", body = ErrorBody),
        (status = 400, description = "A search term in the URL", body = ErrorBody),
    ))]
pub(crate) async fn list_outflows(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Query(query): Query<OutflowListQuery>,
) -> Result<Json<OutflowPage>, ApiError> {
    if query.q.is_some() {
        return Err(ApiError::SearchTermInUrl("/api/v1/outflows/search"));
    }
    page_of(&state, scope, &query).await
}

/// Searches the outflows of the caller's jurisdiction: the same filters as
/// the list, with the search term, in the body.
#[utoipa::path(post, path = "/api/v1/outflows/search", tag = "outflows",
    request_body = OutflowListQuery,
    responses(
        (status = 200, body = OutflowPage),
        (status = 422, description = "Invalid filter, or a unit outside your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn search_outflows(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Json(query): Json<OutflowListQuery>,
) -> Result<Json<OutflowPage>, ApiError> {
    page_of(&state, scope, &query).await
}

async fn page_of(
    state: &AppState,
    scope: sojourn_domain::unit::Scope,
    query: &OutflowListQuery,
) -> Result<Json<OutflowPage>, ApiError> {
    let (query, paging) = query.parse()?;
    let page = run(state, move |store| store.search_outflows(&scope, &query)).await?;
    let items = page.items.iter().map(Into::into).collect();
    Ok(Json(OutflowPage::new(items, page.total, paging)))
}

#[utoipa::path(get, path = "/api/v1/outflows/{id}", tag = "outflows",
    params(("id" = i64, Path, description = "Outflow record id")),
    responses(
        (status = 200, body = OutflowResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_outflow(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Path(id): Path<i64>,
) -> Result<Json<OutflowResponse>, ApiError> {
    let outflow = run(&state, move |store| {
        store.get_outflow(&scope, OutflowId(id))
    })
    .await?;
    Ok(Json((&outflow).into()))
}

#[utoipa::path(put, path = "/api/v1/outflows/{id}", tag = "outflows",
    params(("id" = i64, Path, description = "Outflow record id")),
    request_body = UpdateOutflowRequest,
    responses(
        (status = 200, body = OutflowResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since you read it", body = ErrorBody),
        (status = 422, description = "Invalid fields, or a unit outside your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn update_outflow(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<UpdateOutflowRequest>,
) -> Result<Json<OutflowResponse>, ApiError> {
    let details = OutflowDetails::try_from(&body.outflow)?;
    let outflow = run(&state, move |store| {
        store.update_outflow(&scope, OutflowId(id), &details, body.version, &actor)
    })
    .await?;
    Ok(Json((&outflow).into()))
}

#[utoipa::path(get, path = "/api/v1/outflows/{id}/history", tag = "outflows",
    params(("id" = i64, Path, description = "Outflow record id")),
    responses(
        (status = 200, description = "Every version, oldest first", body = [RevisionResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn outflow_history(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RevisionResponse>>, ApiError> {
    history_of(&state, scope, RecordRef::Outflow(OutflowId(id))).await
}
