//! Signing in and out, who am I, and changing one's own password. The
//! session id travels only in the `sojourn_session` cookie; the body
//! carries the CSRF token that every change through the session must send
//! back in the `X-CSRF-Token` header.

use crate::AppState;
use crate::auth::client::ClientAddress;
use crate::auth::login::{self, SignIn};
use crate::auth::{Caller, Principal, cookie};
use crate::dto::accounts::{ChangePasswordRequest, SessionResponse, SignInRequest};
use crate::error::{ApiError, ErrorBody};
use crate::json::Json;
use crate::ops::session as ops;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Signs in: checks the password (and the authenticator code where the
/// account has one — always for administrators), opens a new session and
/// sets its cookie. Any session the browser had is ended.
#[utoipa::path(post, path = "/api/v1/session", tag = "session",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; the `sojourn_session` cookie is set", body = SessionResponse),
        (status = 401, description = "Wrong user name, password or code, a missing code, or a disabled account: one answer (`invalid_credentials`)", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins under this user name (`too_many_failures`), or too many attempts from this address (`too_many_attempts`)", body = ErrorBody),
    ))]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    Json(body): Json<SignInRequest>,
) -> Result<Response, ApiError> {
    let attempt = SignIn {
        username: body.username,
        password: body.password,
        totp: body.totp,
    };
    let replacing = cookie::session_id(&headers);
    let signed_in = login::sign_in(&state, attempt, address, replacing).await?;
    let mut response = Json(SessionResponse::from(&signed_in.principal)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie::set(&signed_in.session_id, state.security.secure_cookies),
    );
    Ok(response)
}

/// Who is signed in, and the session's CSRF token.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses(
        (status = 200, body = SessionResponse),
        (status = 401, description = "Not signed in, or the session ended", body = ErrorBody),
    ))]
pub(crate) async fn current_session(caller: Caller) -> Json<SessionResponse> {
    Json(SessionResponse::from(&caller.principal))
}

/// Signs out: ends the session and clears its cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No CSRF token, or called with an API token", body = ErrorBody),
    ))]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    ops::sign_out(&state, &caller).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie::clear(state.security.secure_cookies),
    );
    Ok(response)
}

/// Changes the signed-in user's password. Allowed (and required) when the
/// password is new, reset or expired; every other session of the account
/// ends.
#[utoipa::path(post, path = "/api/v1/session/password", tag = "session",
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Changed", body = SessionResponse),
        (status = 401, description = "Not signed in, or the account is locked", body = ErrorBody),
        (status = 403, description = "No CSRF token, or called with an API token", body = ErrorBody),
        (status = 422, description = "The current password is wrong, or the new one breaks the policy", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub(crate) async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ChangePasswordRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let account =
        login::change_password(&state, &caller, body.current_password, body.new_password).await?;
    let principal = Principal::of_session(
        &account,
        caller.principal.credential.clone(),
        &state.security,
        state.clock.now(),
    );
    Ok(Json(SessionResponse::from(&principal)))
}
