//! Staff accounts, managed in the administrator's subtree. 三员分立: the
//! system administrator opens, disables and re-enables accounts; the
//! security administrator grants roles, unlocks, resets passwords and
//! issues second factors. The route table holds who may do which; the
//! rules of each change (no administrator acts on their own account, an
//! administrator role only with a second factor) are the operation's, in
//! [`crate::ops::accounts`], which the pages call too.

use crate::AppState;
use crate::auth::Caller;
use crate::dto::accounts::{
    AccountResponse, AssignRolesRequest, CreateAccountRequest, IssuedPasswordResponse,
    NewAccountFields, TotpEnrolmentResponse,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::ops::accounts::{self as ops, IssuedPassword};
use axum::extract::State;
use axum::http::StatusCode;
use sojourn_domain::account::AccountId;
use sojourn_store::Account;

fn response(state: &AppState, account: &Account) -> AccountResponse {
    AccountResponse::new(account, state.clock.now())
}

fn issued(state: &AppState, issued: IssuedPassword) -> IssuedPasswordResponse {
    IssuedPasswordResponse {
        account: response(state, &issued.account),
        one_time_password: issued.one_time_password,
    }
}

/// The accounts of the caller's subtree, by user name.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
    responses(
        (status = 200, body = [AccountResponse]),
        (status = 403, description = "Only the system and security administrators", body = ErrorBody),
    ))]
pub(crate) async fn list_accounts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<AccountResponse>>, ApiError> {
    let accounts = ops::list(&state, &caller).await?;
    Ok(Json(accounts.iter().map(|a| response(&state, a)).collect()))
}

/// Opens an account in a unit of the caller's subtree, without roles, with
/// a one-time password shown this once.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts",
    request_body = CreateAccountRequest,
    responses(
        (status = 201, body = IssuedPasswordResponse),
        (status = 403, description = "Only the system administrator", body = ErrorBody),
        (status = 409, description = "The user name is taken", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the unit is not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn create_account(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateAccountRequest>,
) -> Result<(StatusCode, Json<IssuedPasswordResponse>), ApiError> {
    let fields = NewAccountFields::try_from(&body)?;
    let created = ops::create(&state, &caller, fields).await?;
    Ok((StatusCode::CREATED, Json(issued(&state, created))))
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, body = AccountResponse),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn get_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AccountResponse>, ApiError> {
    let account = ops::get(&state, &caller, AccountId(id)).await?;
    Ok(Json(response(&state, &account)))
}

/// Disables an account: it cannot sign in, its sessions end and its API
/// tokens stop working.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/disable", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, body = AccountResponse),
        (status = 403, description = "Only the system administrator, and not on their own account", body = ErrorBody),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn disable_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AccountResponse>, ApiError> {
    let account = ops::set_disabled(&state, &caller, AccountId(id), true).await?;
    Ok(Json(response(&state, &account)))
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, body = AccountResponse),
        (status = 403, description = "Only the system administrator, and not on their own account", body = ErrorBody),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn enable_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AccountResponse>, ApiError> {
    let account = ops::set_disabled(&state, &caller, AccountId(id), false).await?;
    Ok(Json(response(&state, &account)))
}

/// Replaces the roles of an account.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/roles", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    request_body = AssignRolesRequest,
    responses(
        (status = 200, body = AccountResponse),
        (status = 403, description = "Only the security administrator, and not on their own account", body = ErrorBody),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Unknown role, an administrator role combined with another, or an administrator role for an account without a second factor", body = ErrorBody),
    ))]
pub(crate) async fn assign_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<AssignRolesRequest>,
) -> Result<Json<AccountResponse>, ApiError> {
    let account = ops::assign_roles(&state, &caller, AccountId(id), &body).await?;
    Ok(Json(response(&state, &account)))
}

/// Lifts a lock left by failed sign-ins.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unlock", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, body = AccountResponse),
        (status = 403, description = "Only the security administrator, and not on their own account", body = ErrorBody),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn unlock_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AccountResponse>, ApiError> {
    let account = ops::unlock(&state, &caller, AccountId(id)).await?;
    Ok(Json(response(&state, &account)))
}

/// Issues a new one-time password (shown this once); the user must change
/// it at sign-in, and every session of the account ends.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/password", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, body = IssuedPasswordResponse),
        (status = 403, description = "Only the security administrator, and not on their own account", body = ErrorBody),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<IssuedPasswordResponse>, ApiError> {
    let reset = ops::reset_password(&state, &caller, AccountId(id)).await?;
    Ok(Json(issued(&state, reset)))
}

/// Issues a new TOTP secret for the account (shown this once), replacing
/// any it had.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/totp", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, body = TotpEnrolmentResponse),
        (status = 403, description = "Only the security administrator, and not on their own account", body = ErrorBody),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
    ))]
pub(crate) async fn enrol_totp(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<TotpEnrolmentResponse>, ApiError> {
    let enrolled = ops::enrol_totp(&state, &caller, AccountId(id)).await?;
    Ok(Json(TotpEnrolmentResponse {
        account: response(&state, &enrolled.account),
        secret: enrolled.secret,
        otpauth_uri: enrolled.otpauth_uri,
    }))
}

/// Withdraws the account's second factor; refused for administrators,
/// who must keep one.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}/totp", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, body = AccountResponse),
        (status = 403, description = "Only the security administrator, and not on their own account", body = ErrorBody),
        (status = 404, description = "Not in your jurisdiction", body = ErrorBody),
        (status = 422, description = "The account holds an administrator role", body = ErrorBody),
    ))]
pub(crate) async fn withdraw_totp(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AccountResponse>, ApiError> {
    let account = ops::withdraw_totp(&state, &caller, AccountId(id)).await?;
    Ok(Json(response(&state, &account)))
}
