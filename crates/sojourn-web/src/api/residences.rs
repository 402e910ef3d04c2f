//! Residence episodes: reading, correcting, confirming and deregistering a
//! stay (走有注销).

use super::{history_of, run};
use crate::AppState;
use crate::dto::residences::{DepartureRequest, ResidenceResponse, UpdateStayRequest};
use crate::dto::{RevisionResponse, VersionRequest};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::ops::residents as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use sojourn_domain::record::RecordKind;
use sojourn_domain::residence::{Departure, ResidenceId, StayDetails};
use sojourn_store::{AuditAction, RecordRef};

#[utoipa::path(get, path = "/api/v1/residences/{id}", tag = "residences",
    params(("id" = i64, Path, description = "Residence id")),
    responses(
        (status = 200, body = ResidenceResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_residence(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<ResidenceResponse>, ApiError> {
    let read = run(&state, move |store| {
        store.get_residence(&scope, ResidenceId(id))
    })
    .await;
    let object = (RecordKind::Residence, id);
    let residence = crate::audit::read(&state, actor, AuditAction::Read, object, read, |r| {
        (
            Some(r.stay.unit.clone()),
            serde_json::json!({ "person": r.person.0 }),
        )
    })
    .await?;
    Ok(Json((&residence).into()))
}

/// Corrects a current stay; a move to another house or employer ends the
/// old link today and opens a new one.
#[utoipa::path(put, path = "/api/v1/residences/{id}", tag = "residences",
    params(("id" = i64, Path, description = "Residence id")),
    request_body = UpdateStayRequest,
    responses(
        (status = 200, body = ResidenceResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since you read it", body = ErrorBody),
        (status = 422, description = "Invalid fields, already departed, or a reference outside your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn update_stay(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<UpdateStayRequest>,
) -> Result<Json<ResidenceResponse>, ApiError> {
    let stay = StayDetails::try_from(&body)?;
    let residence = ops::update_stay(&state, scope, actor, ResidenceId(id), stay, body.version)
        .await
        .map_err(ApiError::Internal)??;
    Ok(Json((&residence).into()))
}

/// Confirms a registered stay.
#[utoipa::path(post, path = "/api/v1/residences/{id}/activate", tag = "residences",
    params(("id" = i64, Path, description = "Residence id")),
    request_body = VersionRequest,
    responses(
        (status = 200, body = ResidenceResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since you read it", body = ErrorBody),
        (status = 422, description = "Already active or departed", body = ErrorBody),
    ))]
pub(crate) async fn activate_residence(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<VersionRequest>,
) -> Result<Json<ResidenceResponse>, ApiError> {
    let residence = run(&state, move |store| {
        store.activate_residence(&scope, ResidenceId(id), body.version, &actor)
    })
    .await?;
    Ok(Json((&residence).into()))
}

/// Deregisters a stay: the person left.
#[utoipa::path(post, path = "/api/v1/residences/{id}/departure", tag = "residences",
    params(("id" = i64, Path, description = "Residence id")),
    request_body = DepartureRequest,
    responses(
        (status = 200, body = ResidenceResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since you read it", body = ErrorBody),
        (status = 422, description = "Invalid fields, departure before arrival, or already departed", body = ErrorBody),
    ))]
pub(crate) async fn register_departure(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<DepartureRequest>,
) -> Result<Json<ResidenceResponse>, ApiError> {
    let departure = Departure::try_from(&body)?;
    let residence = ops::register_departure(
        &state,
        scope,
        actor,
        ResidenceId(id),
        departure,
        body.version,
    )
    .await
    .map_err(ApiError::Internal)??;
    Ok(Json((&residence).into()))
}

#[utoipa::path(get, path = "/api/v1/residences/{id}/history", tag = "residences",
    params(("id" = i64, Path, description = "Residence id")),
    responses(
        (status = 200, description = "Every version, oldest first", body = [RevisionResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn residence_history(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RevisionResponse>>, ApiError> {
    history_of(&state, scope, actor, RecordRef::Residence(ResidenceId(id))).await
}
