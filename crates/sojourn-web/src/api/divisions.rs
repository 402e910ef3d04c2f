//! Administrative divisions from the embedded national data: no store, no
//! scope (the data is public and the same for every caller).

use crate::auth::Caller;
use crate::dto::divisions::{
    DivisionDetailResponse, DivisionListQuery, DivisionResponse, known_division,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use sojourn_domain::codes::division;

/// The divisions one level below `parent`, or the provinces: what a
/// cascading picker shows next.
#[utoipa::path(get, path = "/api/v1/divisions", tag = "divisions",
    params(DivisionListQuery),
    responses(
        (status = 200, body = [DivisionResponse]),
        (status = 404, description = "No such division", body = ErrorBody),
        (status = 422, description = "Malformed code", body = ErrorBody),
    ))]
pub(crate) async fn list_divisions(
    _signed_in: Caller,
    Query(query): Query<DivisionListQuery>,
) -> Result<Json<Vec<DivisionResponse>>, ApiError> {
    let parent = match crate::dto::fields::non_blank(query.parent.as_deref()) {
        Some(text) => Some(known_division("parent", text)?),
        None => None,
    };
    let children = division::children(parent.as_ref());
    Ok(Json(children.iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/divisions/{code}", tag = "divisions",
    params(("code" = String, Path, description = "Division code, 2 to 12 digits")),
    responses(
        (status = 200, body = DivisionDetailResponse),
        (status = 404, description = "No such division", body = ErrorBody),
        (status = 422, description = "Malformed code", body = ErrorBody),
    ))]
pub(crate) async fn get_division(
    _signed_in: Caller,
    Path(code): Path<String>,
) -> Result<Json<DivisionDetailResponse>, ApiError> {
    let code = known_division("code", &code)?;
    DivisionDetailResponse::of(&code).map(Json)
}
