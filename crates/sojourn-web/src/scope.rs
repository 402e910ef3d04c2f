//! The caller's jurisdiction. Every handler that touches a record takes its
//! scope from [`CallerScope`] and from nowhere else, so the rule "no header
//! or parameter widens what a caller sees" is enforced in one place.

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sojourn_domain::unit::Scope;
use std::convert::Infallible;

/// The subtree of units the caller may read and change.
///
/// Until sign-in exists it is the state's acting unit (the deployment's root
/// for the server). The accounts issue will draw it from the session here,
/// and nothing else needs to change: request input never reaches it.
#[derive(Debug, Clone)]
pub struct CallerScope(pub Scope);

impl FromRequestParts<AppState> for CallerScope {
    type Rejection = Infallible;

    async fn from_request_parts(
        _parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(Scope::of(state.acting_unit.clone())))
    }
}
