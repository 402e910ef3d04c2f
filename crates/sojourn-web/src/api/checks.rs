//! Live checks for forms: answers 200 whether the value is valid or not,
//! because "invalid" is the answer asked for, not a failed request.

use crate::dto::checks::{IdCheckQuery, IdCheckResponse};
use crate::error::ErrorBody;
use crate::extract::Query;
use crate::json::Json;

/// Checks an identity number as it is typed.
#[utoipa::path(get, path = "/api/v1/checks/id-number", tag = "checks",
    params(IdCheckQuery),
    responses(
        (status = 200, description = "The verdict, valid or not", body = IdCheckResponse),
        (status = 400, description = "No `value` parameter", body = ErrorBody),
    ))]
pub(crate) async fn check_id_number(Query(query): Query<IdCheckQuery>) -> Json<IdCheckResponse> {
    Json(IdCheckResponse::check(&query.value))
}
