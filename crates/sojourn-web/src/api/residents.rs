//! Registering arrivals (来有登记) and finding residents.

use super::run;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::people::{ArrivalResponse, RegisterArrivalRequest};
use crate::dto::residences::{ResidentListQuery, ResidentPage};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::json::Json;
use crate::ops::residents as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use axum::http::StatusCode;

/// Registers an arrival: opens (or reopens) the person file for the ID
/// number and a new stay on it.
#[utoipa::path(post, path = "/api/v1/residents", tag = "residents",
    request_body = RegisterArrivalRequest,
    responses(
        (status = 201, description = "The person file and the new stay", body = ArrivalResponse),
        (status = 409, description = "The ID number already has a current residence (重卡); the message names the unit", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the unit, house or employer is not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn register_arrival(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<RegisterArrivalRequest>,
) -> Result<(StatusCode, Json<ArrivalResponse>), ApiError> {
    let arrival = ops::parse_arrival(&state, &caller, body)?;
    let (person, residence) = ops::register_arrival(&state, &caller, arrival)
        .await
        .map_err(ApiError::Internal)??;
    Ok((
        StatusCode::CREATED,
        Json(ArrivalResponse::new(&person, &residence)),
    ))
}

/// Lists the residents of the caller's jurisdiction by filters. A search
/// term (`q`) is refused here: URLs end up in logs and browser history, so
/// searching is `POST /api/v1/residents/search`.
#[utoipa::path(get, path = "/api/v1/residents", tag = "residents",
    params(ResidentListQuery),
    responses(
        (status = 200, body = ResidentPage),
        (status = 422, description = "Invalid filter, or a unit outside your jurisdiction", body = ErrorBody),
        (status = 400, description = "A search term in the URL", body = ErrorBody),
    ))]
pub(crate) async fn list_residents(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Query(query): Query<ResidentListQuery>,
) -> Result<Json<ResidentPage>, ApiError> {
    if query.q.is_some() {
        return Err(ApiError::SearchTermInUrl("/api/v1/residents/search"));
    }
    page_of(&state, scope, actor, &query).await
}

/// Searches the residents of the caller's jurisdiction: the same filters as
/// the list, with the search term, in the body.
#[utoipa::path(post, path = "/api/v1/residents/search", tag = "residents",
    request_body = ResidentListQuery,
    responses(
        (status = 200, body = ResidentPage),
        (status = 422, description = "Invalid filter, or a unit outside your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn search_residents(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Json(query): Json<ResidentListQuery>,
) -> Result<Json<ResidentPage>, ApiError> {
    page_of(&state, scope, actor, &query).await
}

/// A page of residents; the search is audited with the ids it returned.
async fn page_of(
    state: &AppState,
    scope: sojourn_domain::unit::Scope,
    actor: sojourn_store::Actor,
    query: &ResidentListQuery,
) -> Result<Json<ResidentPage>, ApiError> {
    let (query, paging) = query.parse()?;
    let details = serde_json::json!({
        "term": crate::audit::term_kind(query.term.as_ref()),
        "unit": query.unit.as_ref().map(|u| u.as_str().to_owned()),
        "status": format!("{:?}", query.status),
        "page": paging.page,
    });
    let unit = query.unit.clone();
    let page = run(state, move |store| store.search_residents(&scope, &query)).await?;
    let persons: Vec<i64> = page.items.iter().map(|r| r.person.id.0).collect();
    let residences: Vec<i64> = page.items.iter().map(|r| r.residence.id.0).collect();
    let returned = serde_json::json!({ "persons": persons, "residences": residences });
    crate::audit::search(state, actor, "residents", unit.as_ref(), details, returned).await?;
    let items = page.items.iter().map(Into::into).collect();
    Ok(Json(ResidentPage::new(items, page.total, paging)))
}
