//! The caller's jurisdiction. Every handler that touches a record takes its
//! scope from [`CallerScope`] and from nowhere else, so the rule "no header
//! or parameter widens what a caller sees" is enforced in one place: the
//! scope is the signed-in principal's unit, which the guard
//! ([`crate::auth::guard`]) established before the handler ran.

use crate::auth::Caller;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sojourn_domain::unit::Scope;
use sojourn_store::Actor;

/// The subtree of units the caller may read and change: their account's
/// unit (or their API token's).
#[derive(Debug, Clone)]
pub struct CallerScope(pub Scope);

impl<S: Send + Sync> FromRequestParts<S> for CallerScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(Self(caller.scope()))
    }
}

/// Who a change is recorded as: the caller's account, role and address.
#[derive(Debug, Clone)]
pub struct CallerActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for CallerActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(Self(caller.actor()))
    }
}
