//! Person files (一人一档).

use super::{history_of, run};
use crate::AppState;
use crate::dto::RevisionResponse;
use crate::dto::people::{PersonFileResponse, PersonResponse, UpdatePersonRequest};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use sojourn_domain::person::{PersonDetails, PersonId};
use sojourn_store::RecordRef;

/// The person file with every stay in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons",
    params(("id" = i64, Path, description = "Person id")),
    responses(
        (status = 200, body = PersonFileResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_person(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Path(id): Path<i64>,
) -> Result<Json<PersonFileResponse>, ApiError> {
    let (person, residences) = run(&state, move |store| {
        let person = store.get_person(&scope, PersonId(id))?;
        let residences = store.residences_of(&scope, person.id)?;
        Ok((person, residences))
    })
    .await?;
    Ok(Json(PersonFileResponse {
        person: (&person).into(),
        residences: residences.iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(put, path = "/api/v1/persons/{id}", tag = "persons",
    params(("id" = i64, Path, description = "Person id")),
    request_body = UpdatePersonRequest,
    responses(
        (status = 200, body = PersonResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since you read it", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
pub(crate) async fn update_person(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<UpdatePersonRequest>,
) -> Result<Json<PersonResponse>, ApiError> {
    let details = PersonDetails::try_from(body.person)?;
    let person = run(&state, move |store| {
        store.update_person(&scope, PersonId(id), &details, body.version, &actor)
    })
    .await?;
    Ok(Json((&person).into()))
}

#[utoipa::path(get, path = "/api/v1/persons/{id}/history", tag = "persons",
    params(("id" = i64, Path, description = "Person id")),
    responses(
        (status = 200, description = "Every version, oldest first", body = [RevisionResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn person_history(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RevisionResponse>>, ApiError> {
    history_of(&state, scope, RecordRef::Person(PersonId(id))).await
}
