//! API tokens for programs: random, shown once, stored as a digest, bound
//! to a unit of the creator's subtree and to one role that grants nothing
//! the creator's roles do not, expiring, revocable — for both `POST
//! /api/v1/tokens` and the page `/admin/tokens`.

use crate::AppState;
use crate::auth::{Caller, Credential, Denied, secret};
use crate::blocking::run;
use crate::dto::accounts::{CreateTokenRequest, NewTokenFields};
use crate::dto::fields::InputError;
use crate::error::{ApiError, FieldProblem};
use sojourn_domain::account::role_within;
use sojourn_store::{ApiToken, ApiTokenId, NewApiToken};
use time::{Duration, OffsetDateTime};

/// A token as the operation left it, and when: whether it is live is told
/// at that moment.
pub(crate) struct TokenAt {
    pub token: ApiToken,
    pub at: OffsetDateTime,
}

/// A token just issued, with its secret, to be shown this once.
pub(crate) struct IssuedToken {
    pub token: TokenAt,
    pub secret: String,
}

/// The tokens bound to units of the caller's subtree, newest first.
pub(crate) async fn list(state: &AppState, caller: &Caller) -> Result<Vec<ApiToken>, ApiError> {
    let scope = caller.scope();
    run(state, move |store| store.list_api_tokens(&scope)).await
}

/// Issues a token as `request` asks, for the signed-in caller (a token
/// cannot mint tokens: that would outlive its own expiry), counted against
/// the caller's address.
pub(crate) async fn create(
    state: &AppState,
    caller: &Caller,
    request: &CreateTokenRequest,
) -> Result<IssuedToken, ApiError> {
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
    let fields = NewTokenFields::try_from(request)?;
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
    let token = run(state, move |store| {
        store.create_api_token(&scope, &new, &actor)
    })
    .await?;
    Ok(IssuedToken {
        token: TokenAt { token, at: now },
        secret: token_secret,
    })
}

/// Revokes a token at once (revoking twice keeps the first time).
pub(crate) async fn revoke(
    state: &AppState,
    caller: &Caller,
    id: ApiTokenId,
) -> Result<TokenAt, ApiError> {
    let now = state.clock.now();
    let (scope, actor) = (caller.scope(), caller.actor());
    let token = run(state, move |store| {
        store.revoke_api_token(&scope, id, now, &actor)
    })
    .await?;
    Ok(TokenAt { token, at: now })
}
