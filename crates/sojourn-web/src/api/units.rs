//! The jurisdiction tree: the units a caller may see, and new grids and
//! collection points below them.

use super::run;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::units::{CreateUnitRequest, UnitResponse, unit_code_param};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::ops::units as ops;
use crate::scope::CallerScope;
use axum::extract::State;
use axum::http::StatusCode;
use sojourn_domain::unit::Unit;

/// Every unit of the caller's jurisdiction, in code order.
#[utoipa::path(get, path = "/api/v1/units", tag = "units",
    responses((status = 200, description = "The caller's subtree", body = [UnitResponse])))]
pub(crate) async fn list_units(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
) -> Result<Json<Vec<UnitResponse>>, ApiError> {
    let units = run(&state, move |store| store.list_units(&scope, None)).await?;
    Ok(Json(units.iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "units",
    params(("code" = String, Path, description = "Unit code")),
    responses(
        (status = 200, body = UnitResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Malformed code", body = ErrorBody),
    ))]
pub(crate) async fn get_unit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Path(code): Path<String>,
) -> Result<Json<UnitResponse>, ApiError> {
    let code = unit_code_param(&code)?;
    let unit = run(&state, move |store| store.get_unit(&scope, &code)).await?;
    Ok(Json((&unit).into()))
}

/// The units directly below one unit.
#[utoipa::path(get, path = "/api/v1/units/{code}/children", tag = "units",
    params(("code" = String, Path, description = "Unit code")),
    responses(
        (status = 200, body = [UnitResponse]),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Malformed code", body = ErrorBody),
    ))]
pub(crate) async fn list_children(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    Path(code): Path<String>,
) -> Result<Json<Vec<UnitResponse>>, ApiError> {
    let code = unit_code_param(&code)?;
    let units = run(&state, move |store| store.list_units(&scope, Some(&code))).await?;
    Ok(Json(units.iter().map(Into::into).collect()))
}

/// Adds a grid below a community, or a collection point below a grid.
#[utoipa::path(post, path = "/api/v1/units", tag = "units",
    request_body = CreateUnitRequest,
    responses(
        (status = 201, body = UnitResponse),
        (status = 409, description = "The code is taken", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the parent is not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn create_unit(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateUnitRequest>,
) -> Result<(StatusCode, Json<UnitResponse>), ApiError> {
    let unit = Unit::try_from(body)?;
    let unit = ops::create(&state, &caller, unit).await?;
    Ok((StatusCode::CREATED, Json((&unit).into())))
}
