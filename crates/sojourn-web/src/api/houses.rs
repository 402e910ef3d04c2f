//! Rental houses (以房管人): the register and each house's tenants.

use super::{history_of, run};
use crate::AppState;
use crate::dto::collection::with_collection;
use crate::dto::houses::{
    CreateHouseRequest, HouseListQuery, HousePage, HouseResponse, UpdateHouseRequest,
};
use crate::dto::inspections::{InspectionRequest, InspectionResponse};
use crate::dto::reveal::{RevealRequest, RevealResponse};
use crate::dto::{LinkResponse, RevisionResponse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::ops::records as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, json};
use sojourn_domain::house::Landlord;
use sojourn_domain::house::{HouseDetails, HouseId};
use sojourn_domain::record::RecordKind;
use sojourn_domain::time_rules::china_today;
use sojourn_store::{AuditAction, RecordRef};

#[utoipa::path(post, path = "/api/v1/houses", tag = "houses",
    request_body = CreateHouseRequest,
    responses(
        (status = 201, body = HouseResponse),
        (status = 422, description = "Invalid fields, or the unit is not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn create_house(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Json(body): Json<CreateHouseRequest>,
) -> Result<(StatusCode, Json<HouseResponse>), ApiError> {
    let collection = body.collection.parse(&actor, state.clock.now(), None);
    let (details, collection) = with_collection(HouseDetails::try_from(&body.house), collection)?;
    let house = ops::create_house(&state, scope, actor, details, collection)
        .await
        .map_err(ApiError::Internal)??;
    Ok((StatusCode::CREATED, Json((&house).into())))
}

/// Lists the houses of the caller's jurisdiction by filters. A search
/// term (`q`) is refused here: URLs end up in logs and browser history, so
/// searching is `POST /api/v1/houses/search`.
#[utoipa::path(get, path = "/api/v1/houses", tag = "houses",
    params(HouseListQuery),
    responses(
        (status = 200, body = HousePage),
        (status = 422, description = "Invalid filter, or a unit outside your jurisdiction", body = ErrorBody),
        (status = 400, description = "A search term in the URL", body = ErrorBody),
    ))]
pub(crate) async fn list_houses(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Query(query): Query<HouseListQuery>,
) -> Result<Json<HousePage>, ApiError> {
    if query.q.is_some() {
        return Err(ApiError::SearchTermInUrl("/api/v1/houses/search"));
    }
    page_of(&state, scope, actor, &query).await
}

/// Searches the houses of the caller's jurisdiction: the same filters as
/// the list, with the search term, in the body.
#[utoipa::path(post, path = "/api/v1/houses/search", tag = "houses",
    request_body = HouseListQuery,
    responses(
        (status = 200, body = HousePage),
        (status = 422, description = "Invalid filter, or a unit outside your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn search_houses(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Json(query): Json<HouseListQuery>,
) -> Result<Json<HousePage>, ApiError> {
    page_of(&state, scope, actor, &query).await
}

/// A page of houses; the search is audited with the ids it returned
/// (landlords are people).
async fn page_of(
    state: &AppState,
    scope: sojourn_domain::unit::Scope,
    actor: sojourn_store::Actor,
    query: &HouseListQuery,
) -> Result<Json<HousePage>, ApiError> {
    let (query, paging) = query.parse()?;
    let details = serde_json::json!({
        "term": query.text.is_some(),
        "unit": query.unit.as_ref().map(|u| u.as_str().to_owned()),
        "page": paging.page,
    });
    let unit = query.unit.clone();
    let page = run(state, move |store| store.search_houses(&scope, &query)).await?;
    let houses: Vec<i64> = page.items.iter().map(|h| h.id.0).collect();
    let returned = serde_json::json!({ "houses": houses });
    crate::audit::search(state, actor, "houses", unit.as_ref(), details, returned).await?;
    let items = page.items.iter().map(Into::into).collect();
    Ok(Json(HousePage::new(items, page.total, paging)))
}

#[utoipa::path(get, path = "/api/v1/houses/{id}", tag = "houses",
    params(("id" = i64, Path, description = "House id")),
    responses(
        (status = 200, body = HouseResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_house(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<HouseResponse>, ApiError> {
    let read = run(&state, move |store| store.get_house(&scope, HouseId(id))).await;
    let house = crate::audit::read(
        &state,
        actor,
        AuditAction::Read,
        (RecordKind::House, id),
        read,
        |h| (Some(h.details.unit.clone()), json!({})),
    )
    .await?;
    Ok(Json((&house).into()))
}

#[utoipa::path(put, path = "/api/v1/houses/{id}", tag = "houses",
    params(("id" = i64, Path, description = "House id")),
    request_body = UpdateHouseRequest,
    responses(
        (status = 200, body = HouseResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since you read it", body = ErrorBody),
        (status = 422, description = "Invalid fields, or a unit outside your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn update_house(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<UpdateHouseRequest>,
) -> Result<Json<HouseResponse>, ApiError> {
    let details = HouseDetails::try_from(&body.house)?;
    let house = ops::update_house(&state, scope, actor, HouseId(id), details, body.version)
        .await
        .map_err(ApiError::Internal)??;
    Ok(Json((&house).into()))
}

/// Tenancies of a house, current and ended, newest first.
#[utoipa::path(get, path = "/api/v1/houses/{id}/tenants", tag = "houses",
    params(("id" = i64, Path, description = "House id")),
    responses(
        (status = 200, body = [LinkResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn list_tenants(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<LinkResponse>>, ApiError> {
    let read = run(&state, move |store| store.tenants_of(&scope, HouseId(id))).await;
    let search = AuditAction::Search;
    let links = crate::audit::read(
        &state,
        actor,
        search,
        (RecordKind::House, id),
        read,
        |links| {
            let persons: Vec<i64> = links.iter().map(|l| l.person.0).collect();
            (
                None,
                json!({ "list": "tenants", "returned": { "persons": persons } }),
            )
        },
    )
    .await?;
    Ok(Json(links.iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/houses/{id}/history", tag = "houses",
    params(("id" = i64, Path, description = "House id")),
    responses(
        (status = 200, description = "Every version, oldest first", body = [RevisionResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn house_history(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RevisionResponse>>, ApiError> {
    history_of(&state, scope, actor, RecordRef::House(HouseId(id))).await
}

/// Shows a person landlord's ID number or phone in full. The reason is
/// required and, with the fields, goes into the audit trail.
#[utoipa::path(post, path = "/api/v1/houses/{id}/reveal", tag = "houses",
    params(("id" = i64, Path, description = "House id")),
    request_body = RevealRequest,
    responses(
        (status = 200, description = "`landlord.id_number`, `landlord.phone` in full", body = RevealResponse),
        (status = 403, description = "Your role may not reveal", body = ErrorBody),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Unknown field, or no reason of 5–200 characters (`reveal_reason_length`)", body = ErrorBody),
    ))]
pub(crate) async fn reveal_house(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<RevealRequest>,
) -> Result<Json<RevealResponse>, ApiError> {
    let reveal = body.parse(&["landlord.id_number", "landlord.phone"])?;
    let read = run(&state, move |store| store.get_house(&scope, HouseId(id))).await;
    let details = json!({ "fields": reveal.fields, "reason": reveal.reason });
    let house = crate::audit::read(
        &state,
        actor,
        AuditAction::Reveal,
        (RecordKind::House, id),
        read,
        |h| (Some(h.details.unit.clone()), details),
    )
    .await?;
    let landlord = &house.details.landlord;
    let mut values = Map::new();
    for field in reveal.fields {
        let value = match (field, landlord) {
            ("landlord.id_number", Landlord::Person { id_number, .. }) => {
                json!(id_number.as_str())
            }
            ("landlord.id_number", Landlord::Company { .. }) => json!(null),
            _ => json!(landlord.phone().map(|p| p.as_str())),
        };
        values.insert(field.to_owned(), value);
    }
    Ok(Json(RevealResponse { values }))
}

/// The safety inspections (安全检查) kept with the house, the latest
/// inspected first.
#[utoipa::path(get, path = "/api/v1/houses/{id}/inspections", tag = "houses",
    params(("id" = i64, Path, description = "House id")),
    responses(
        (status = 200, body = [InspectionResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn list_inspections(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<InspectionResponse>>, ApiError> {
    let read = run(&state, move |store| {
        let house = store.get_house(&scope, HouseId(id))?;
        let inspections = store.inspections_of(&scope, house.id)?;
        Ok((house.details.unit, inspections))
    })
    .await;
    let (_, inspections) = crate::audit::read(
        &state,
        actor,
        AuditAction::Read,
        (RecordKind::House, id),
        read,
        |(unit, list)| (Some(unit.clone()), json!({ "inspections": list.len() })),
    )
    .await?;
    Ok(Json(inspections.iter().map(Into::into).collect()))
}

/// Records a safety inspection of the house. Inspections are only added;
/// the house record itself does not change.
#[utoipa::path(post, path = "/api/v1/houses/{id}/inspections", tag = "houses",
    params(("id" = i64, Path, description = "House id")),
    request_body = InspectionRequest,
    responses(
        (status = 201, body = InspectionResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "A date in the future, no inspector, an unknown result, or issues found without saying what", body = ErrorBody),
    ))]
pub(crate) async fn record_inspection(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<InspectionRequest>,
) -> Result<(StatusCode, Json<InspectionResponse>), ApiError> {
    let inspection = body.parse(china_today())?;
    let recorded = ops::record_inspection(&state, scope, actor, HouseId(id), inspection)
        .await
        .map_err(ApiError::Internal)??;
    Ok((StatusCode::CREATED, Json((&recorded).into())))
}
