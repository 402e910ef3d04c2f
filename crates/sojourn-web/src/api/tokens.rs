//! API tokens for programs: random, shown once, stored as a digest, bound
//! to a unit of the creator's subtree and to one role that grants nothing
//! the creator's roles do not, expiring, revocable. A token acts for its
//! creator's account, and stops working if that account is disabled or
//! loses what the role grants.

use super::run;
use crate::AppState;
use crate::auth::{Caller, Credential, Denied, secret};
use crate::dto::accounts::{
    ApiTokenResponse, CreateTokenRequest, IssuedTokenResponse, NewTokenFields,
};
use crate::dto::fields::InputError;
use crate::error::{ApiError, ErrorBody, FieldProblem};
use crate::extract::Path;
use crate::json::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sojourn_domain::account::role_within;
use sojourn_store::{ApiTokenId, NewApiToken};
use time::Duration;

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
    let scope = caller.scope();
    let tokens = run(&state, move |store| store.list_api_tokens(&scope)).await?;
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
    // A token cannot mint tokens: that would outlive its own expiry.
    let Credential::Session { .. } = caller.principal.credential else {
        return Err(Denied::SessionRequired.into());
    };
    let now = state.clock.now();
    let address = crate::auth::client::ClientAddress(caller.address);
    state
        .limiter
        .attempt(
            &format!("token-issue:{}", address.key()),
            state.security.tokens_per_address,
            now,
        )
        .map_err(|retry_after| Denied::TooManyAttempts { retry_after })?;
    let fields = NewTokenFields::try_from(&body)?;
    if !role_within(fields.role, &caller.principal.roles) {
        return Err(ApiError::Validation(vec![FieldProblem::new(
            "role",
            &InputError::RoleAboveYours,
        )]));
    }
    let lifetime =
        Duration::days(fields.expires_in_days.into()).min(state.security.token_max_lifetime);
    let token_secret = secret::new_api_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let new = NewApiToken {
        token_hash: secret::digest(&token_secret),
        name: fields.name,
        unit: fields.unit.unwrap_or_else(|| caller.principal.unit.clone()),
        role: fields.role,
        account: caller.principal.account,
        expires_at: now + lifetime,
    };
    let (scope, actor) = (caller.scope(), caller.actor());
    let token = run(&state, move |store| {
        store.create_api_token(&scope, &new, &actor)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedTokenResponse {
            token: ApiTokenResponse::new(&token, now),
            secret: token_secret,
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
    let now = state.clock.now();
    let (scope, actor) = (caller.scope(), caller.actor());
    let token = run(&state, move |store| {
        store.revoke_api_token(&scope, ApiTokenId(id), now, &actor)
    })
    .await?;
    Ok(Json(ApiTokenResponse::new(&token, now)))
}
