//! API tokens for programs: random, shown once, stored as a digest, bound
//! to a unit of the creator's subtree and to one role that grants nothing
//! the creator's roles do not, expiring, revocable. A token acts for its
//! creator's account, and stops working if that account is disabled or
//! loses what the role grants.

use crate::AppState;
use crate::auth::Caller;
use crate::dto::accounts::{ApiTokenResponse, CreateTokenRequest, IssuedTokenResponse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::ops::tokens as ops;
use axum::extract::State;
use axum::http::StatusCode;
use sojourn_store::ApiTokenId;

/// The tokens bound to units of the caller's subtree, newest first.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses(
        (status = 200, body = [ApiTokenResponse]),
        (status = 403, description = "Only heads of office or station, and the security administrator", body = ErrorBody),
    ))]
pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ApiTokenResponse>>, ApiError> {
    let tokens = ops::list(&state, &caller).await?;
    let now = state.clock.now();
    Ok(Json(
        tokens
            .iter()
            .map(|t| ApiTokenResponse::new(t, now))
            .collect(),
    ))
}

/// Issues a token; its secret is in this response and nowhere else.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    request_body = CreateTokenRequest,
    responses(
        (status = 201, body = IssuedTokenResponse),
        (status = 403, description = "Not allowed to issue tokens, or called with a token", body = ErrorBody),
        (status = 422, description = "Invalid fields, a role above yours, or a unit outside your jurisdiction", body = ErrorBody),
        (status = 429, description = "Too many tokens issued from this address", body = ErrorBody),
    ))]
pub(crate) async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateTokenRequest>,
) -> Result<(StatusCode, Json<IssuedTokenResponse>), ApiError> {
    let issued = ops::create(&state, &caller, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedTokenResponse {
            token: ApiTokenResponse::new(&issued.token.token, issued.token.at),
            secret: issued.secret,
        }),
    ))
}

/// Revokes a token at once (revoking twice keeps the first time).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 200, body = ApiTokenResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ApiTokenResponse>, ApiError> {
    let revoked = ops::revoke(&state, &caller, ApiTokenId(id)).await?;
    Ok(Json(ApiTokenResponse::new(&revoked.token, revoked.at)))
}
