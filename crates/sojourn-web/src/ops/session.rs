//! Signing out, for `DELETE /api/v1/session` and `POST /sign-out` alike
//! (signing in and changing one's password are [`crate::auth::login`]'s).

use crate::AppState;
use crate::auth::{Caller, Credential, Denied};
use crate::blocking::run;
use crate::error::ApiError;
use sojourn_store::{AuditAction, AuditEvent, Outcome};

/// Ends the caller's session and records it. A program's token has no
/// session to end: refused. The caller then clears the cookie.
pub(crate) async fn sign_out(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    let Credential::Session { token_hash, .. } = caller.principal.credential.clone() else {
        return Err(Denied::SessionRequired.into());
    };
    run(state, move |store| store.end_session_unscoped(&token_hash)).await?;
    let event = AuditEvent::new(AuditAction::SignOut, Outcome::Success).object(
        sojourn_domain::record::RecordKind::Account,
        caller.principal.account.0,
    );
    crate::audit::record(state, caller.actor(), event).await
}
