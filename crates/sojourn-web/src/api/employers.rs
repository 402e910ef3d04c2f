//! Employers (以业控人): the register and each employer's workers.

use super::{history_of, run};
use crate::AppState;
use crate::dto::collection::with_collection;
use crate::dto::employers::{
    CreateEmployerRequest, EmployerListQuery, EmployerPage, EmployerResponse, UpdateEmployerRequest,
};
use crate::dto::{LinkResponse, RevisionResponse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::ops::records as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use sojourn_domain::codes::Uscc;
use sojourn_domain::employer::{EmployerDetails, EmployerId};
use sojourn_domain::record::RecordKind;
use sojourn_store::{AuditAction, RecordRef};

#[utoipa::path(post, path = "/api/v1/employers", tag = "employers",
    request_body = CreateEmployerRequest,
    responses(
        (status = 201, body = EmployerResponse),
        (status = 409, description = "The credit code is already registered", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the unit is not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn create_employer(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Json(body): Json<CreateEmployerRequest>,
) -> Result<(StatusCode, Json<EmployerResponse>), ApiError> {
    let collection = body.collection.parse(&actor, state.clock.now(), None);
    let (employer, collection) =
        with_collection(<(Uscc, EmployerDetails)>::try_from(&body), collection)?;
    let employer = ops::create_employer(&state, scope, actor, employer, collection)
        .await
        .map_err(ApiError::Internal)??;
    Ok((StatusCode::CREATED, Json((&employer).into())))
}

/// Lists the employers of the caller's jurisdiction by filters. A search
/// term (`q`) is refused here: URLs end up in logs and browser history, so
/// searching is `POST /api/v1/employers/search`.
#[utoipa::path(get, path = "/api/v1/employers", tag = "employers",
    params(EmployerListQuery),
    responses(
        (status = 200, body = EmployerPage),
        (status = 422, description = "Invalid filter, or a unit outside your jurisdiction", body = ErrorBody),
        (status = 400, description = "A search term in the URL", body = ErrorBody),
    ))]
pub(crate) async fn list_employers(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Query(query): Query<EmployerListQuery>,
) -> Result<Json<EmployerPage>, ApiError> {
    if query.q.is_some() {
        return Err(ApiError::SearchTermInUrl("/api/v1/employers/search"));
    }
    page_of(&state, scope, actor, &query).await
}

/// Searches the employers of the caller's jurisdiction: the same filters as
/// the list, with the search term, in the body.
#[utoipa::path(post, path = "/api/v1/employers/search", tag = "employers",
    request_body = EmployerListQuery,
    responses(
        (status = 200, body = EmployerPage),
        (status = 422, description = "Invalid filter, or a unit outside your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn search_employers(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Json(query): Json<EmployerListQuery>,
) -> Result<Json<EmployerPage>, ApiError> {
    page_of(&state, scope, actor, &query).await
}

/// A page of employers; the search is audited with the ids it returned.
async fn page_of(
    state: &AppState,
    scope: sojourn_domain::unit::Scope,
    actor: sojourn_store::Actor,
    query: &EmployerListQuery,
) -> Result<Json<EmployerPage>, ApiError> {
    let (query, paging) = query.parse()?;
    let details = json!({
        "term": query.text.is_some(),
        "unit": query.unit.as_ref().map(|u| u.as_str().to_owned()),
        "page": paging.page,
    });
    let unit = query.unit.clone();
    let page = run(state, move |store| store.search_employers(&scope, &query)).await?;
    let employers: Vec<i64> = page.items.iter().map(|e| e.id.0).collect();
    let returned = json!({ "employers": employers });
    crate::audit::search(state, actor, "employers", unit.as_ref(), details, returned).await?;
    let items = page.items.iter().map(Into::into).collect();
    Ok(Json(EmployerPage::new(items, page.total, paging)))
}

#[utoipa::path(get, path = "/api/v1/employers/{id}", tag = "employers",
    params(("id" = i64, Path, description = "Employer id")),
    responses(
        (status = 200, body = EmployerResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_employer(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<EmployerResponse>, ApiError> {
    let read = run(&state, move |store| {
        store.get_employer(&scope, EmployerId(id))
    })
    .await;
    let object = (RecordKind::Employer, id);
    let employer = crate::audit::read(&state, actor, AuditAction::Read, object, read, |e| {
        (Some(e.details.unit.clone()), json!({}))
    })
    .await?;
    Ok(Json((&employer).into()))
}

#[utoipa::path(put, path = "/api/v1/employers/{id}", tag = "employers",
    params(("id" = i64, Path, description = "Employer id")),
    request_body = UpdateEmployerRequest,
    responses(
        (status = 200, body = EmployerResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since you read it", body = ErrorBody),
        (status = 422, description = "Invalid fields, or a unit outside your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn update_employer(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<UpdateEmployerRequest>,
) -> Result<Json<EmployerResponse>, ApiError> {
    let details = EmployerDetails::try_from(&body.employer)?;
    let employer =
        ops::update_employer(&state, scope, actor, EmployerId(id), details, body.version)
            .await
            .map_err(ApiError::Internal)??;
    Ok(Json((&employer).into()))
}

/// Employments of an employer, current and ended, newest first.
#[utoipa::path(get, path = "/api/v1/employers/{id}/workers", tag = "employers",
    params(("id" = i64, Path, description = "Employer id")),
    responses(
        (status = 200, body = [LinkResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn list_workers(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<LinkResponse>>, ApiError> {
    let read = run(&state, move |store| {
        store.workers_of(&scope, EmployerId(id))
    })
    .await;
    let search = AuditAction::Search;
    let links = crate::audit::read(
        &state,
        actor,
        search,
        (RecordKind::Employer, id),
        read,
        |links| {
            let persons: Vec<i64> = links.iter().map(|l| l.person.0).collect();
            (
                None,
                json!({ "list": "workers", "returned": { "persons": persons } }),
            )
        },
    )
    .await?;
    Ok(Json(links.iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/employers/{id}/history", tag = "employers",
    params(("id" = i64, Path, description = "Employer id")),
    responses(
        (status = 200, description = "Every version, oldest first", body = [RevisionResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn employer_history(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RevisionResponse>>, ApiError> {
    history_of(&state, scope, actor, RecordRef::Employer(EmployerId(id))).await
}
