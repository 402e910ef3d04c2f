//! The family-planning follow-up (R4.3): a woman's file on her stay or
//! outflow record, her 三查 results, the year's schedule and the
//! worklists. Everyone who may read the follow-up sees that a file exists
//! and its dates; what it holds goes only to the roles that may see it
//! (`ops::family_planning`).

use super::run;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::family_planning::{
    CheckBody, FileResponse, OpenFileRequest, ScheduleRequest, ScheduleResponse, UpdateFileRequest,
    WindowResponse, WorklistQuery, WorklistResponse,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::ops::family_planning as ops;
use axum::extract::State;
use axum::http::StatusCode;
use sojourn_domain::outflow::OutflowId;
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::services::family_planning::{FileOpening, WomanRef};
use sojourn_domain::time_rules::china_today;

async fn read(
    state: &AppState,
    caller: &Caller,
    woman: WomanRef,
) -> Result<FileResponse, ApiError> {
    let read = ops::read_file_of(state, caller, woman).await?;
    Ok(FileResponse::of(
        &read.file,
        &read.schedule,
        china_today(),
        read.reveal,
    ))
}

async fn open(
    state: &AppState,
    caller: &Caller,
    woman: WomanRef,
    body: &OpenFileRequest,
) -> Result<(StatusCode, Json<FileResponse>), ApiError> {
    let parsed = body.parse(china_today())?;
    let opening = FileOpening {
        woman,
        filing: parsed.filing,
        marital_status: parsed.marital_status,
        contents: parsed.contents,
    };
    let file = ops::open_file(state, caller.scope(), caller.actor(), opening)
        .await
        .map_err(ApiError::Internal)??;
    let reveal = ops::may_see_contents(caller);
    Ok((
        StatusCode::CREATED,
        Json(FileResponse::of(&file, &[], china_today(), reveal)),
    ))
}

async fn update(
    state: &AppState,
    caller: &Caller,
    woman: WomanRef,
    body: &UpdateFileRequest,
) -> Result<Json<FileResponse>, ApiError> {
    let contents = body.parse()?;
    let scope = caller.scope();
    let file = run(state, move |store| {
        store
            .family_planning_file_of(&scope, woman)?
            .ok_or_else(|| not_filed(woman))
    })
    .await?;
    let file = ops::update_file(
        state,
        caller.scope(),
        caller.actor(),
        (file.id, body.version),
        contents,
    )
    .await
    .map_err(ApiError::Internal)??;
    let reveal = ops::may_see_contents(caller);
    Ok(Json(FileResponse::of(&file, &[], china_today(), reveal)))
}

async fn check(
    state: &AppState,
    caller: &Caller,
    woman: WomanRef,
    body: &CheckBody,
) -> Result<(StatusCode, Json<WindowResponse>), ApiError> {
    let result = body.parse()?;
    let scope = caller.scope();
    let file = run(state, move |store| {
        store
            .family_planning_file_of(&scope, woman)?
            .ok_or_else(|| not_filed(woman))
    })
    .await?;
    let recorded = ops::record_check(state, caller.scope(), caller.actor(), file.id, result)
        .await
        .map_err(ApiError::Internal)??;
    let reveal = ops::may_see_contents(caller);
    Ok((
        StatusCode::CREATED,
        Json(WindowResponse::of(&recorded, china_today(), reveal)),
    ))
}

fn not_filed(woman: WomanRef) -> sojourn_store::StoreError {
    sojourn_store::StoreError::NotFound {
        kind: sojourn_domain::record::RecordKind::FamilyPlanningFile,
        id: format!("{woman:?}"),
    }
}

/// The follow-up file of an inflow woman's stay: that it exists, its
/// dates and schedule; its contents only for a role that may see them.
/// Audited, with whether the contents were shown.
#[utoipa::path(get, path = "/api/v1/residences/{id}/family-planning", tag = "family-planning",
    params(("id" = i64, Path, description = "Residence id")),
    responses(
        (status = 200, body = FileResponse),
        (status = 404, description = "No file, or not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_stay_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<FileResponse>, ApiError> {
    Ok(Json(
        read(&state, &caller, WomanRef::Residence(ResidenceId(id))).await?,
    ))
}

/// Opens the follow-up file of a married inflow woman 15–49 on arrival.
#[utoipa::path(post, path = "/api/v1/residences/{id}/family-planning", tag = "family-planning",
    params(("id" = i64, Path, description = "Residence id")),
    request_body = OpenFileRequest,
    responses(
        (status = 201, body = FileResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Not a married woman 15–49 on arrival; already filed; a date in the future", body = ErrorBody),
    ))]
pub(crate) async fn open_stay_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<OpenFileRequest>,
) -> Result<(StatusCode, Json<FileResponse>), ApiError> {
    open(&state, &caller, WomanRef::Residence(ResidenceId(id)), &body).await
}

/// Changes what an inflow woman's file holds, at its version.
#[utoipa::path(put, path = "/api/v1/residences/{id}/family-planning", tag = "family-planning",
    params(("id" = i64, Path, description = "Residence id")),
    request_body = UpdateFileRequest,
    responses(
        (status = 200, body = FileResponse),
        (status = 404, description = "No file, or not in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since read", body = ErrorBody),
        (status = 422, description = "A date in the future", body = ErrorBody),
    ))]
pub(crate) async fn update_stay_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<UpdateFileRequest>,
) -> Result<Json<FileResponse>, ApiError> {
    update(&state, &caller, WomanRef::Residence(ResidenceId(id)), &body).await
}

/// Records a 三查 result on an inflow woman's file, for the window its
/// date falls in.
#[utoipa::path(post, path = "/api/v1/residences/{id}/family-planning/checks", tag = "family-planning",
    params(("id" = i64, Path, description = "Residence id")),
    request_body = CheckBody,
    responses(
        (status = 201, body = WindowResponse),
        (status = 404, description = "No file, or not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Dated before her arrival, in the future, or when she was outside 15–49", body = ErrorBody),
    ))]
pub(crate) async fn record_stay_check(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<CheckBody>,
) -> Result<(StatusCode, Json<WindowResponse>), ApiError> {
    check(&state, &caller, WomanRef::Residence(ResidenceId(id)), &body).await
}

/// The follow-up file of an outflow woman (judged on her departure).
#[utoipa::path(get, path = "/api/v1/outflows/{id}/family-planning", tag = "family-planning",
    params(("id" = i64, Path, description = "Outflow record id")),
    responses(
        (status = 200, body = FileResponse),
        (status = 404, description = "No file, or not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_outflow_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<FileResponse>, ApiError> {
    Ok(Json(
        read(&state, &caller, WomanRef::Outflow(OutflowId(id))).await?,
    ))
}

/// Opens the follow-up file of a married outflow woman 15–49 on departure
/// (the outflow register keeps no marital status: the request states it).
#[utoipa::path(post, path = "/api/v1/outflows/{id}/family-planning", tag = "family-planning",
    params(("id" = i64, Path, description = "Outflow record id")),
    request_body = OpenFileRequest,
    responses(
        (status = 201, body = FileResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Not a married woman 15–49 on departure; already filed; a date in the future", body = ErrorBody),
    ))]
pub(crate) async fn open_outflow_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<OpenFileRequest>,
) -> Result<(StatusCode, Json<FileResponse>), ApiError> {
    open(&state, &caller, WomanRef::Outflow(OutflowId(id)), &body).await
}

/// Records a 三查 result on an outflow woman's file.
#[utoipa::path(post, path = "/api/v1/outflows/{id}/family-planning/checks", tag = "family-planning",
    params(("id" = i64, Path, description = "Outflow record id")),
    request_body = CheckBody,
    responses(
        (status = 201, body = WindowResponse),
        (status = 404, description = "No file, or not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Dated in the future, or when she was outside 15–49", body = ErrorBody),
    ))]
pub(crate) async fn record_outflow_check(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<CheckBody>,
) -> Result<(StatusCode, Json<WindowResponse>), ApiError> {
    check(&state, &caller, WomanRef::Outflow(OutflowId(id)), &body).await
}

/// A worklist of the caller's jurisdiction: the 三查 due in the window
/// open today, the windows missed, or a key group (重点人群, only for a
/// role that may see files' contents). Audited as a search.
#[utoipa::path(get, path = "/api/v1/family-planning/worklist", tag = "family-planning",
    params(WorklistQuery),
    responses(
        (status = 200, body = WorklistResponse),
        (status = 403, description = "A key group, for a role that may not see files' contents", body = ErrorBody),
        (status = 422, description = "Unknown list; page out of range", body = ErrorBody),
    ))]
pub(crate) async fn worklist(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<WorklistQuery>,
) -> Result<Json<WorklistResponse>, ApiError> {
    let query = query.parse(china_today(), state.check_windows)?;
    let page = ops::worklist(&state, &caller, caller.scope(), query).await?;
    Ok(Json(WorklistResponse {
        items: page.items.iter().map(Into::into).collect(),
        total: page.total,
    }))
}

/// Makes the year's 三查 schedule for every woman on file in the caller's
/// jurisdiction; windows already made are kept. Answers the windows added.
#[utoipa::path(post, path = "/api/v1/family-planning/schedule", tag = "family-planning",
    request_body = ScheduleRequest,
    responses((status = 200, body = ScheduleResponse)))]
pub(crate) async fn generate_schedule(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ScheduleRequest>,
) -> Result<Json<ScheduleResponse>, ApiError> {
    let added = ops::generate_schedule(&state, caller.scope(), caller.actor(), body.year)
        .await
        .map_err(ApiError::Internal)??;
    Ok(Json(ScheduleResponse { added }))
}
