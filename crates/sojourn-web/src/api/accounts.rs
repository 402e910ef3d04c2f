//! Staff accounts, managed in the administrator's subtree. 三员分立: the
//! system administrator opens, disables and re-enables accounts; the
//! security administrator grants roles, unlocks, resets passwords and
//! issues second factors. The route table holds who may do which; here,
//! no administrator acts on their own account, and an administrator role
//! is granted only to an account with a second factor.

use super::run;
use crate::AppState;
use crate::auth::{Caller, Denied, password, totp};
use crate::dto::accounts::{
    AccountResponse, AssignRolesRequest, CreateAccountRequest, IssuedPasswordResponse,
    NewAccountFields, TotpEnrolmentResponse,
};
use crate::dto::fields::InputError;
use crate::error::{ApiError, ErrorBody, FieldProblem, Problem};
use crate::extract::Path;
use crate::json::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sojourn_domain::account::{AccountId, Role};
use sojourn_store::{Account, AccountChange, NewAccount};

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

fn response(state: &AppState, account: &Account) -> AccountResponse {
    AccountResponse::new(account, state.clock.now())
}

/// Administrators do not act on their own account through these routes:
/// nobody grants themselves a role or resets their own credentials.
fn not_own(caller: &Caller, id: AccountId) -> Result<(), ApiError> {
    if caller.principal.account == id {
        Err(Denied::OwnAccount.into())
    } else {
        Ok(())
    }
}

async fn change(
    state: &AppState,
    caller: &Caller,
    id: AccountId,
    change: AccountChange,
) -> Result<Account, ApiError> {
    not_own(caller, id)?;
    let (scope, actor) = (caller.scope(), caller.actor());
    run(state, move |store| {
        store.change_account(&scope, id, &change, &actor)
    })
    .await
}

async fn get(state: &AppState, caller: &Caller, id: AccountId) -> Result<Account, ApiError> {
    let scope = caller.scope();
    run(state, move |store| store.get_account(&scope, id)).await
}

/// A one-time password for `username` and its hash.
async fn one_time_password(state: &AppState, username: &str) -> Result<(String, String), ApiError> {
    let (username, policy) = (username.to_owned(), state.security.password_policy);
    tokio::task::spawn_blocking(move || {
        let one_time = password::one_time(&username, &policy).map_err(internal)?;
        let hash = password::hash(&one_time).map_err(internal)?;
        Ok((one_time, hash))
    })
    .await
    .map_err(internal)?
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
    let scope = caller.scope();
    let accounts = run(&state, move |store| store.list_accounts(&scope)).await?;
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
    let (one_time, hash) = one_time_password(&state, fields.username.as_str()).await?;
    let new = NewAccount {
        username: fields.username,
        display_name: fields.display_name,
        unit: fields.unit,
        roles: Vec::new(),
        password_hash: hash,
        password_set_at: state.clock.now(),
        must_change_password: true,
        totp_secret: None,
    };
    let (scope, actor) = (caller.scope(), caller.actor());
    let account = run(&state, move |store| {
        store.create_account(&scope, &new, &actor)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedPasswordResponse {
            account: response(&state, &account),
            one_time_password: one_time,
        }),
    ))
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
    let account = get(&state, &caller, AccountId(id)).await?;
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
    let account = change(
        &state,
        &caller,
        AccountId(id),
        AccountChange::Disabled(true),
    )
    .await?;
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
    let account = change(
        &state,
        &caller,
        AccountId(id),
        AccountChange::Disabled(false),
    )
    .await?;
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
    let id = AccountId(id);
    not_own(&caller, id)?;
    let roles = Vec::<Role>::try_from(&body)?;
    let target = get(&state, &caller, id).await?;
    if roles.iter().any(|r| r.is_administrator()) && !target.has_totp {
        return Err(ApiError::Validation(vec![FieldProblem::new(
            "roles",
            &InputError::AdministratorNeedsTotp,
        )]));
    }
    let account = change(&state, &caller, id, AccountChange::Roles(roles)).await?;
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
    let account = change(&state, &caller, AccountId(id), AccountChange::Unlock).await?;
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
    let id = AccountId(id);
    not_own(&caller, id)?;
    let target = get(&state, &caller, id).await?;
    let (one_time, hash) = one_time_password(&state, target.username.as_str()).await?;
    let reset = AccountChange::Password {
        hash,
        must_change: true,
        at: state.clock.now(),
        keep_session: None,
    };
    let account = change(&state, &caller, id, reset).await?;
    Ok(Json(IssuedPasswordResponse {
        account: response(&state, &account),
        one_time_password: one_time,
    }))
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
    let secret = totp::new_secret().map_err(internal)?;
    let enrol = AccountChange::Totp(Some(secret.clone()));
    let account = change(&state, &caller, AccountId(id), enrol).await?;
    Ok(Json(TotpEnrolmentResponse {
        otpauth_uri: totp::provisioning_uri(&secret, account.username.as_str()),
        account: response(&state, &account),
        secret,
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
    let id = AccountId(id);
    not_own(&caller, id)?;
    let target = get(&state, &caller, id).await?;
    if target.roles.iter().any(|r| r.is_administrator()) {
        return Err(ApiError::Unprocessable(Problem::of(
            &InputError::AdministratorNeedsTotp,
        )));
    }
    let account = change(&state, &caller, id, AccountChange::Totp(None)).await?;
    Ok(Json(response(&state, &account)))
}
