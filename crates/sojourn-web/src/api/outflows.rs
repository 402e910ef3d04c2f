//! The outflow register (流出人口).

use super::{history_of, run};
use crate::AppState;
use crate::dto::RevisionResponse;
use crate::dto::collection::with_collection;
use crate::dto::outflows::{
    CreateOutflowRequest, OutflowListQuery, OutflowPage, OutflowResponse, ReturnRequest,
    UpdateOutflowRequest,
};
use crate::dto::reveal::{RevealRequest, RevealResponse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::ops::records as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, json};
use sojourn_domain::codes::IdNumber;
use sojourn_domain::outflow::{OutflowDetails, OutflowId};
use sojourn_domain::record::RecordKind;
use sojourn_domain::time_rules::PastDate;
use sojourn_store::{AuditAction, RecordRef};

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
    let record = <(IdNumber, OutflowDetails)>::try_from(&body);
    // Collected after the person left, not before.
    let left_on = record.as_ref().ok().map(|(_, d)| d.left_on.date());
    let collection = body.collection.parse(&actor, state.clock.now(), left_on);
    let (record, collection) = with_collection(record, collection)?;
    let outflow = ops::create_outflow(&state, scope, actor, record, collection)
        .await
        .map_err(ApiError::Internal)??;
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
    CallerActor(actor): CallerActor,
    Query(query): Query<OutflowListQuery>,
) -> Result<Json<OutflowPage>, ApiError> {
    if query.q.is_some() {
        return Err(ApiError::SearchTermInUrl("/api/v1/outflows/search"));
    }
    page_of(&state, scope, actor, &query).await
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
    CallerActor(actor): CallerActor,
    Json(query): Json<OutflowListQuery>,
) -> Result<Json<OutflowPage>, ApiError> {
    page_of(&state, scope, actor, &query).await
}

/// A page of outflow records; the search is audited with the ids it
/// returned.
async fn page_of(
    state: &AppState,
    scope: sojourn_domain::unit::Scope,
    actor: sojourn_store::Actor,
    query: &OutflowListQuery,
) -> Result<Json<OutflowPage>, ApiError> {
    let (query, paging) = query.parse()?;
    let details = json!({
        "term": crate::audit::term_kind(query.term.as_ref()),
        "unit": query.unit.as_ref().map(|u| u.as_str().to_owned()),
        "page": paging.page,
    });
    let unit = query.unit.clone();
    let page = run(state, move |store| store.search_outflows(&scope, &query)).await?;
    let outflows: Vec<i64> = page.items.iter().map(|o| o.id.0).collect();
    let returned = json!({ "outflows": outflows });
    crate::audit::search(state, actor, "outflows", unit.as_ref(), details, returned).await?;
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
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<OutflowResponse>, ApiError> {
    let read = run(&state, move |store| {
        store.get_outflow(&scope, OutflowId(id))
    })
    .await;
    let object = (RecordKind::Outflow, id);
    let outflow = crate::audit::read(&state, actor, AuditAction::Read, object, read, |o| {
        (Some(o.details.unit.clone()), json!({}))
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
    let outflow = ops::update_outflow(&state, scope, actor, OutflowId(id), details, body.version)
        .await
        .map_err(ApiError::Internal)??;
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
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RevisionResponse>>, ApiError> {
    history_of(&state, scope, actor, RecordRef::Outflow(OutflowId(id))).await
}

/// Shows the ID number or contact phone of an outflow record (or the ID
/// numbers of the family left behind) in full. The reason is required
/// and, with the fields, goes into the audit trail.
#[utoipa::path(post, path = "/api/v1/outflows/{id}/reveal", tag = "outflows",
    params(("id" = i64, Path, description = "Outflow record id")),
    request_body = RevealRequest,
    responses(
        (status = 200, description = "`id_number`, `contact_phone`, `left_behind.id_number` (a list, in order) in full", body = RevealResponse),
        (status = 403, description = "Your role may not reveal", body = ErrorBody),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Unknown field, or no reason of 5–200 characters (`reveal_reason_length`)", body = ErrorBody),
    ))]
pub(crate) async fn reveal_outflow(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<RevealRequest>,
) -> Result<Json<RevealResponse>, ApiError> {
    let reveal = body.parse(&["id_number", "contact_phone", "left_behind.id_number"])?;
    let read = run(&state, move |store| {
        store.get_outflow(&scope, OutflowId(id))
    })
    .await;
    let details = json!({ "fields": reveal.fields, "reason": reveal.reason });
    let object = (RecordKind::Outflow, id);
    let outflow = crate::audit::read(&state, actor, AuditAction::Reveal, object, read, |o| {
        (Some(o.details.unit.clone()), details)
    })
    .await?;
    let d = &outflow.details;
    let mut values = Map::new();
    for field in reveal.fields {
        let value = match field {
            "id_number" => json!(outflow.id_number.as_str()),
            "contact_phone" => json!(d.contact_phone.as_ref().map(|p| p.as_str())),
            _ => {
                let ids: Vec<Option<&str>> = d
                    .left_behind
                    .iter()
                    .map(|m| m.id_number.as_ref().map(|n| n.as_str()))
                    .collect();
                json!(ids)
            }
        };
        values.insert(field.to_owned(), value);
    }
    Ok(Json(RevealResponse { values }))
}

/// Records that the person came back: the record closes and keeps its
/// history; should they leave again, a new record is opened.
#[utoipa::path(post, path = "/api/v1/outflows/{id}/return", tag = "outflows",
    params(("id" = i64, Path, description = "Outflow record id")),
    request_body = ReturnRequest,
    responses(
        (status = 200, body = OutflowResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since you read it", body = ErrorBody),
        (status = 422, description = "Invalid date, a return before the leaving, or already returned", body = ErrorBody),
    ))]
pub(crate) async fn register_return(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<ReturnRequest>,
) -> Result<Json<OutflowResponse>, ApiError> {
    let returned_on = PastDate::try_from(&body)?;
    let outflow = ops::register_return(
        &state,
        scope,
        actor,
        OutflowId(id),
        returned_on,
        body.version,
    )
    .await
    .map_err(ApiError::Internal)??;
    Ok(Json((&outflow).into()))
}
