//! Residence permits 居住证 (R4.1): applications, steps, the worklists of
//! the window and the permit rate. Reading a permit is reading the
//! holder's file, audited as such; a worklist is audited as a search.

use super::run;
use crate::AppState;
use crate::audit;
use crate::dto::RevisionResponse;
use crate::dto::permits::{
    PermitApplicationRequest, PermitListQuery, PermitListResponse, PermitRateQuery,
    PermitRateResponse, PermitResponse, PermitStepRequest,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::ops::permits as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use sojourn_domain::record::RecordKind;
use sojourn_domain::services::permit::PermitId;
use sojourn_store::AuditAction;

/// Takes an application at the window, today. Refused when the person
/// has a permit in progress or in force, or a proxy applies for an adult
/// who is neither elderly nor disabled.
#[utoipa::path(post, path = "/api/v1/permits", tag = "permits",
    request_body = PermitApplicationRequest,
    responses(
        (status = 201, body = PermitResponse),
        (status = 404, description = "Person not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "A permit in progress or in force (`permit_already_held`)", body = ErrorBody),
        (status = 422, description = "A field at fault; a proxy not allowed (`permit_proxy_not_allowed`)", body = ErrorBody),
    ))]
pub(crate) async fn apply(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Json(body): Json<PermitApplicationRequest>,
) -> Result<(StatusCode, Json<PermitResponse>), ApiError> {
    let (person, application) = body.parse()?;
    let permit = ops::apply(&state, scope, actor, person, application)
        .await
        .map_err(ApiError::Internal)??;
    let today = ops::today(&state);
    Ok((
        StatusCode::CREATED,
        Json(PermitResponse::new(&permit, today)),
    ))
}

/// A permit, as it stands today.
#[utoipa::path(get, path = "/api/v1/permits/{id}", tag = "permits",
    params(("id" = i64, Path, description = "Permit id")),
    responses(
        (status = 200, body = PermitResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_permit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<PermitResponse>, ApiError> {
    let read = run(&state, move |store| store.permit(&scope, PermitId(id))).await;
    let row = audit::read(
        &state,
        actor,
        AuditAction::Read,
        (RecordKind::ResidencePermit, id),
        read,
        |row| {
            let person = row.permit.person.0;
            (Some(row.permit.unit.clone()), json!({ "person": person }))
        },
    )
    .await?;
    Ok(Json(PermitResponse::of_row(&row, ops::today(&state))))
}

/// Takes a step (notice, accept, produce, issue, endorse, cancel) on the
/// permit at the version read, today. Acceptance is judged against the
/// register first: six months on file plus work, a house or a proof.
#[utoipa::path(post, path = "/api/v1/permits/{id}/steps", tag = "permits",
    params(("id" = i64, Path, description = "Permit id")),
    request_body = PermitStepRequest,
    responses(
        (status = 200, body = PermitResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "A step the permit's state does not allow (`permit_wrong_step`, `permit_cancelled`, `permit_notice_given`, `permit_endorsement_not_due`), or a stale version", body = ErrorBody),
        (status = 422, description = "A field at fault; the person not eligible (`permit_short_residence`, `permit_no_basis`)", body = ErrorBody),
    ))]
pub(crate) async fn take_step(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<PermitStepRequest>,
) -> Result<Json<PermitResponse>, ApiError> {
    let request = body.parse()?;
    let permit = ops::step(&state, scope, actor, (PermitId(id), body.version), request)
        .await
        .map_err(ApiError::Internal)??;
    Ok(Json(PermitResponse::new(&permit, ops::today(&state))))
}

/// Every version of a permit, oldest first: one per step.
#[utoipa::path(get, path = "/api/v1/permits/{id}/history", tag = "permits",
    params(("id" = i64, Path, description = "Permit id")),
    responses(
        (status = 200, description = "Every version, oldest first", body = [RevisionResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn permit_history(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RevisionResponse>>, ApiError> {
    let read = run(&state, move |store| {
        let unit = store.permit(&scope, PermitId(id))?.permit.unit;
        Ok((unit, store.permit_history(&scope, PermitId(id))?))
    })
    .await;
    let (_, revisions) = audit::read(
        &state,
        actor,
        AuditAction::History,
        (RecordKind::ResidencePermit, id),
        read,
        |(unit, revisions)| (Some(unit.clone()), json!({ "versions": revisions.len() })),
    )
    .await?;
    revisions
        .iter()
        .map(RevisionResponse::try_from)
        .collect::<Result<Vec<_>, _>>()
        .map(Json)
        .map_err(ApiError::Internal)
}

/// A worklist of the window, today: applications to accept, cards overdue
/// for issue, endorsements due or overdue, suspended cards, or the whole
/// register; narrowed to a unit, a page at a time.
#[utoipa::path(get, path = "/api/v1/permits", tag = "permits",
    params(PermitListQuery),
    responses(
        (status = 200, body = PermitListResponse),
        (status = 422, description = "Unknown list, unit out of range or page out of range", body = ErrorBody),
    ))]
pub(crate) async fn list_permits(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Query(query): Query<PermitListQuery>,
) -> Result<Json<PermitListResponse>, ApiError> {
    let asked = query.parse()?;
    let today = ops::today(&state);
    let (list, unit, request) = (asked.list, asked.unit.clone(), asked.paging.request);
    let page = run(&state, move |store| {
        store.permit_list(&scope, list, unit.as_ref(), today, request)
    })
    .await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.permit.id.0).collect();
    audit::search(
        &state,
        actor,
        "permits",
        asked.unit.as_ref(),
        json!({ "permit_list": list.code() }),
        json!(ids),
    )
    .await?;
    Ok(Json(PermitListResponse {
        list: list.code().to_owned(),
        page: asked.paging.page,
        per_page: asked.paging.per_page,
        total: page.total,
        items: page
            .items
            .iter()
            .map(|row| PermitResponse::of_row(row, today))
            .collect(),
    }))
}

/// The permit rate (办证率) of a unit or of your jurisdiction, today.
#[utoipa::path(get, path = "/api/v1/permits/rate", tag = "permits",
    params(PermitRateQuery),
    responses(
        (status = 200, body = PermitRateResponse),
        (status = 422, description = "Unit out of range", body = ErrorBody),
    ))]
pub(crate) async fn permit_rate(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Query(query): Query<PermitRateQuery>,
) -> Result<Json<PermitRateResponse>, ApiError> {
    let unit = query.parse()?;
    let today = ops::today(&state);
    let rate = run(&state, move |store| {
        store.permit_rate(&scope, unit.as_ref(), today)
    })
    .await?;
    Ok(Json(rate.into()))
}
