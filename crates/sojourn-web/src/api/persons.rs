//! Person files (一人一档).

use super::{history_of, run};
use crate::AppState;
use crate::audit;
use crate::dto::RevisionResponse;
use crate::dto::people::{PersonFileResponse, PersonResponse, UpdatePersonRequest};
use crate::dto::reveal::{RevealRequest, RevealResponse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::ops::residents as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use serde_json::{Map, json};
use sojourn_domain::person::{PersonDetails, PersonId};
use sojourn_domain::record::RecordKind;
use sojourn_store::{AuditAction, RecordRef};

/// The person file with every stay in the caller's jurisdiction (ID and
/// phone numbers masked). The read is audited.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons",
    params(("id" = i64, Path, description = "Person id")),
    responses(
        (status = 200, body = PersonFileResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_person(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<PersonFileResponse>, ApiError> {
    let read = run(&state, move |store| {
        let person = store.get_person(&scope, PersonId(id))?;
        let residences = store.residences_of(&scope, person.id)?;
        Ok((person, residences))
    })
    .await;
    let (person, residences) = audit::read(
        &state,
        actor,
        AuditAction::Read,
        (RecordKind::Person, id),
        read,
        |(p, rs)| {
            let ids: Vec<i64> = rs.iter().map(|r| r.id.0).collect();
            (Some(p.unit.clone()), json!({ "residences": ids }))
        },
    )
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
    let person = ops::update_person(&state, scope, actor, PersonId(id), details, body.version)
        .await
        .map_err(ApiError::Internal)??;
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
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RevisionResponse>>, ApiError> {
    history_of(&state, scope, actor, RecordRef::Person(PersonId(id))).await
}

/// Shows a person's ID number or phone in full. The reason is required
/// and, with the fields, goes into the audit trail.
#[utoipa::path(post, path = "/api/v1/persons/{id}/reveal", tag = "persons",
    params(("id" = i64, Path, description = "Person id")),
    request_body = RevealRequest,
    responses(
        (status = 200, description = "`id_number`, `phone`, `guardian.id_number`, `guardian.phone` in full (null when the file has none)", body = RevealResponse),
        (status = 403, description = "Your role may not reveal", body = ErrorBody),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Unknown field, or no reason of 5–200 characters (`reveal_reason_length`)", body = ErrorBody),
    ))]
pub(crate) async fn reveal_person(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<RevealRequest>,
) -> Result<Json<RevealResponse>, ApiError> {
    let reveal = body.parse(&["id_number", "phone", "guardian.id_number", "guardian.phone"])?;
    let read = run(&state, move |store| store.get_person(&scope, PersonId(id))).await;
    let details = json!({ "fields": reveal.fields, "reason": reveal.reason });
    let person = audit::read(
        &state,
        actor,
        AuditAction::Reveal,
        (RecordKind::Person, id),
        read,
        |p| (Some(p.unit.clone()), details),
    )
    .await?;
    let mut values = Map::new();
    for field in reveal.fields {
        let guardian = person.details.guardian.as_ref();
        let value = match field {
            "id_number" => json!(person.id_number.as_str()),
            "guardian.id_number" => json!(guardian.map(|g| g.id_number().as_str())),
            "guardian.phone" => json!(guardian.map(|g| g.phone().as_str())),
            _ => json!(person.details.phone.as_ref().map(|p| p.as_str())),
        };
        values.insert(field.to_owned(), value);
    }
    Ok(Json(RevealResponse { values }))
}
