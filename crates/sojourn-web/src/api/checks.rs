//! Live checks for forms: answers 200 whether the value is valid or not,
//! because "invalid" is the answer asked for, not a failed request. The
//! number travels in the body: an ID number in a URL would be logged.

use crate::auth::Caller;
use crate::dto::checks::{IdCheckRequest, IdCheckResponse};
use crate::error::ErrorBody;
use crate::json::Json;

/// Checks an identity number as it is typed.
#[utoipa::path(post, path = "/api/v1/checks/id-number", tag = "checks",
    request_body = IdCheckRequest,
    responses(
        (status = 200, description = "The verdict, valid or not", body = IdCheckResponse),
        (status = 422, description = "No `value` field", body = ErrorBody),
    ))]
pub(crate) async fn check_id_number(
    _signed_in: Caller,
    Json(request): Json<IdCheckRequest>,
) -> Json<IdCheckResponse> {
    Json(IdCheckResponse::check(&request.value))
}
