//! Documents checked (查验) or chased (催办) on a person's file (R2.6).

use super::run;
use crate::AppState;
use crate::audit;
use crate::dto::documents::{DocumentCheckRequest, DocumentCheckResponse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::ops::residents as ops;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use sojourn_domain::person::PersonId;
use sojourn_domain::record::RecordKind;
use sojourn_domain::time_rules::china_today;
use sojourn_store::AuditAction;

/// The person's document checks and chases, newest first. Readable where
/// the file is; the read is audited like the file's.
#[utoipa::path(get, path = "/api/v1/persons/{id}/documents", tag = "persons",
    params(("id" = i64, Path, description = "Person id")),
    responses(
        (status = 200, body = [DocumentCheckResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn list_document_checks(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DocumentCheckResponse>>, ApiError> {
    let read = run(&state, move |store| {
        let person = store.get_person(&scope, PersonId(id))?;
        let checks = store.document_checks(&scope, person.id)?;
        Ok((person.unit, checks))
    })
    .await;
    let (_, checks) = audit::read(
        &state,
        actor,
        AuditAction::Read,
        (RecordKind::Person, id),
        read,
        |(unit, checks)| (Some(unit.clone()), json!({ "documents": checks.len() })),
    )
    .await?;
    Ok(Json(checks.iter().map(Into::into).collect()))
}

/// Records a check (with the date checked) or a chase (with a due date).
/// Only the unit holding the file now may.
#[utoipa::path(post, path = "/api/v1/persons/{id}/documents", tag = "persons",
    params(("id" = i64, Path, description = "Person id")),
    request_body = DocumentCheckRequest,
    responses(
        (status = 201, body = DocumentCheckResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Unknown kind; a check date in the future; a chase due date in the past; both dates or neither", body = ErrorBody),
    ))]
pub(crate) async fn record_document_check(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Path(id): Path<i64>,
    Json(body): Json<DocumentCheckRequest>,
) -> Result<(StatusCode, Json<DocumentCheckResponse>), ApiError> {
    let check = body.parse(china_today())?;
    let recorded = ops::record_document_check(&state, scope, actor, PersonId(id), check)
        .await
        .map_err(ApiError::Internal)??;
    Ok((StatusCode::CREATED, Json((&recorded).into())))
}
