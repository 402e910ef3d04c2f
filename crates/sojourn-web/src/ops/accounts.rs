//! Staff accounts, managed in the administrator's subtree: what `POST
//! /api/v1/accounts…` and the pages under `/admin/accounts` both do. 三员分立:
//! the system administrator opens, disables and re-enables accounts; the
//! security administrator grants roles, unlocks, resets passwords and
//! issues second factors. The route tables hold who may do which; here,
//! no administrator acts on their own account, and an administrator role
//! is granted only to an account with a second factor. The store audits
//! every change in the same transaction.

use crate::AppState;
use crate::auth::{Caller, Denied, password, totp};
use crate::blocking::run;
use crate::dto::accounts::{AssignRolesRequest, NewAccountFields};
use crate::dto::fields::InputError;
use crate::error::{ApiError, FieldProblem, Problem};
use sojourn_domain::account::{AccountId, Role};
use sojourn_store::{Account, AccountChange, NewAccount};

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// An account with a one-time password just issued for it, to be shown
/// this once.
pub(crate) struct IssuedPassword {
    pub account: Account,
    pub one_time_password: String,
}

/// An account with a second factor just issued for it, to be shown this
/// once: the secret and its provisioning URI.
pub(crate) struct TotpEnrolment {
    pub account: Account,
    pub secret: String,
    pub otpauth_uri: String,
}

/// Administrators do not act on their own account: nobody grants
/// themselves a role or resets their own credentials.
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

/// The accounts of the caller's subtree.
pub(crate) async fn list(state: &AppState, caller: &Caller) -> Result<Vec<Account>, ApiError> {
    let scope = caller.scope();
    run(state, move |store| store.list_accounts(&scope)).await
}

/// One account of the caller's subtree.
pub(crate) async fn get(
    state: &AppState,
    caller: &Caller,
    id: AccountId,
) -> Result<Account, ApiError> {
    let scope = caller.scope();
    run(state, move |store| store.get_account(&scope, id)).await
}

/// Opens an account in a unit of the caller's subtree, without roles, with
/// a one-time password the user must change at first sign-in.
pub(crate) async fn create(
    state: &AppState,
    caller: &Caller,
    fields: NewAccountFields,
) -> Result<IssuedPassword, ApiError> {
    let (one_time, hash) = one_time_password(state, fields.username.as_str()).await?;
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
    let account = run(state, move |store| {
        store.create_account(&scope, &new, &actor)
    })
    .await?;
    Ok(IssuedPassword {
        account,
        one_time_password: one_time,
    })
}

/// Disables an account (its sessions end, its tokens stop working), or
/// enables it again.
pub(crate) async fn set_disabled(
    state: &AppState,
    caller: &Caller,
    id: AccountId,
    disabled: bool,
) -> Result<Account, ApiError> {
    change(state, caller, id, AccountChange::Disabled(disabled)).await
}

/// Replaces the roles of an account with those `request` names; an
/// administrator role needs a second factor.
pub(crate) async fn assign_roles(
    state: &AppState,
    caller: &Caller,
    id: AccountId,
    request: &AssignRolesRequest,
) -> Result<Account, ApiError> {
    not_own(caller, id)?;
    let roles = Vec::<Role>::try_from(request)?;
    let target = get(state, caller, id).await?;
    if roles.iter().any(|r| r.is_administrator()) && !target.has_totp {
        return Err(ApiError::Validation(vec![FieldProblem::new(
            "roles",
            &InputError::AdministratorNeedsTotp,
        )]));
    }
    change(state, caller, id, AccountChange::Roles(roles)).await
}

/// Lifts a lock left by failed sign-ins.
pub(crate) async fn unlock(
    state: &AppState,
    caller: &Caller,
    id: AccountId,
) -> Result<Account, ApiError> {
    change(state, caller, id, AccountChange::Unlock).await
}

/// Issues a new one-time password; the user must change it at sign-in,
/// and every session of the account ends.
pub(crate) async fn reset_password(
    state: &AppState,
    caller: &Caller,
    id: AccountId,
) -> Result<IssuedPassword, ApiError> {
    not_own(caller, id)?;
    let target = get(state, caller, id).await?;
    let (one_time, hash) = one_time_password(state, target.username.as_str()).await?;
    let reset = AccountChange::Password {
        hash,
        must_change: true,
        at: state.clock.now(),
        keep_session: None,
    };
    let account = change(state, caller, id, reset).await?;
    Ok(IssuedPassword {
        account,
        one_time_password: one_time,
    })
}

/// Issues a new TOTP secret for the account, replacing any it had.
pub(crate) async fn enrol_totp(
    state: &AppState,
    caller: &Caller,
    id: AccountId,
) -> Result<TotpEnrolment, ApiError> {
    let secret = totp::new_secret().map_err(internal)?;
    let enrol = AccountChange::Totp(Some(secret.clone()));
    let account = change(state, caller, id, enrol).await?;
    Ok(TotpEnrolment {
        otpauth_uri: totp::provisioning_uri(&secret, account.username.as_str()),
        account,
        secret,
    })
}

/// Withdraws the account's second factor; refused for administrators,
/// who must keep one.
pub(crate) async fn withdraw_totp(
    state: &AppState,
    caller: &Caller,
    id: AccountId,
) -> Result<Account, ApiError> {
    not_own(caller, id)?;
    let target = get(state, caller, id).await?;
    if target.roles.iter().any(|r| r.is_administrator()) {
        return Err(ApiError::Unprocessable(Problem::of(
            &InputError::AdministratorNeedsTotp,
        )));
    }
    change(state, caller, id, AccountChange::Totp(None)).await
}
