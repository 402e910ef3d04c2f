//! Signing in and changing one's own password: the procedures behind the
//! session routes (and the sign-in page), kept apart from HTTP so both use
//! the same rules.
//!
//! Sign-in does not tell which user names are accounts, nor whether a
//! password was right. An unknown user name, a wrong password, a disabled
//! account, and an account needing a second factor whose code is missing,
//! wrong or replayed all get one answer (`invalid_credentials`), after an
//! Argon2id verification each (against a decoy hash for an unknown name),
//! and each counts as a failure under the user name typed, an account's or
//! not (`Store::record_sign_in_failure_unscoped`): five within 15 minutes
//! lock the name for 15 minutes, and a locked name, real or not, answers
//! `too_many_failures` with the wait in minutes without checking the
//! password. Only failures count; a good sign-in clears them. The truth
//! (unknown name, wrong code, locked…) goes to the audit trail alone.
//! Attempts from one client address are also limited, successes included.

use super::client::ClientAddress;
use super::secret::{self, csrf_token, digest};
use super::{Caller, Credential, Denied, Principal, password, totp};
use crate::AppState;
use crate::blocking::run;
use crate::error::{ApiError, FieldProblem};
use serde_json::json;
use sojourn_domain::Localized;
use sojourn_domain::account::{PasswordError, Username};
use sojourn_domain::record::RecordKind;
use sojourn_store::{
    Account, AccountChange, Actor, AuditAction, AuditEvent, Credentials, NewSession, Outcome,
};
use time::{Duration, OffsetDateTime};

/// What a user types to sign in.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub username: String,
    pub password: String,
    /// The authenticator app's code, when the account has a second factor.
    pub totp: Option<String>,
}

/// A new session: its id goes into the cookie, never anywhere else.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session_id: String,
    pub principal: Principal,
}

/// Longer than any password the policy lets be set (128 characters of up
/// to four bytes).
const MAX_PASSWORD_BYTES: usize = 512;

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

async fn verify_blocking(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => password::verify(&password, &stored),
        None => {
            password::verify_nobody(&password);
            false
        }
    })
    .await
    .map_err(internal)
}

fn rate_limit(state: &AppState, address: ClientAddress) -> Result<(), Denied> {
    let now = state.clock.now();
    state
        .limiter
        .attempt(
            &format!("sign-in:{}", address.key()),
            state.security.sign_in_per_address,
            now,
        )
        .map_err(|retry_after| Denied::TooManyAttempts { retry_after })
}

/// The account as the audit trail names it, from `address`.
fn account_actor(account: &Account, address: ClientAddress) -> Actor {
    let mut actor = Actor::new(account.username.as_str());
    actor.account = Some(account.id);
    actor.unit = Some(account.unit.clone());
    actor.address = address.0;
    actor
}

/// Records a sign-in event of `account` (or of a name that is none).
async fn audit_sign_in(
    state: &AppState,
    account: Option<&Account>,
    address: ClientAddress,
    action: AuditAction,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    let actor = match account {
        Some(account) => account_actor(account, address),
        // The name typed is not kept: a password typed into the wrong
        // field must not end up in the trail.
        None => crate::audit::anonymous(address.0),
    };
    let outcome = match action {
        AuditAction::SignIn => Outcome::Success,
        _ => Outcome::Failure,
    };
    let mut event = AuditEvent::new(action, outcome).details(json!({ "reason": reason }));
    if let Some(account) = account {
        event = event
            .object(RecordKind::Account, account.id.0)
            .unit(&account.unit);
    }
    crate::audit::record(state, actor, event).await
}

/// Counts a failure under `username` and records it (as `account`'s if
/// the name is one); the answer is "too many failures" if this one locked
/// the name, else the one answer for every failure.
async fn failed(
    state: &AppState,
    username: Username,
    account: Option<&Account>,
    address: ClientAddress,
    reason: &str,
) -> ApiError {
    let now = state.clock.now();
    let lockout = state.security.lockout;
    let (error, action) = match run(state, move |store| {
        store.record_sign_in_failure_unscoped(&username, now, &lockout)
    })
    .await
    {
        Ok(after) if after.is_locked_at(now) => (
            locked(after.locked_until, now).into(),
            AuditAction::SignInLocked,
        ),
        Ok(_) => (Denied::InvalidCredentials.into(), AuditAction::SignInFailed),
        Err(error) => return error,
    };
    match audit_sign_in(state, account, address, action, Some(reason)).await {
        Ok(()) => error,
        Err(audit_error) => audit_error,
    }
}

fn locked(until: Option<OffsetDateTime>, now: OffsetDateTime) -> Denied {
    Denied::TooManyFailures {
        retry_after: until.map_or(Duration::ZERO, |until| until - now),
    }
}

/// Why a password that matched is still refused, if it is: the account is
/// disabled, or its second factor is missing, wrong or replayed.
async fn second_check(
    state: &AppState,
    account: &Account,
    totp_secret: Option<String>,
    code: Option<String>,
    now: OffsetDateTime,
) -> Result<Option<&'static str>, ApiError> {
    if account.disabled {
        return Ok(Some("disabled"));
    }
    let needs_totp = account.has_totp || account.roles.iter().any(|r| r.is_administrator());
    if !needs_totp {
        return Ok(None);
    }
    // An administrator without a second factor cannot sign in; the
    // security administrator must enrol one first.
    let Some(secret) = totp_secret else {
        return Ok(Some("no_second_factor"));
    };
    // The password was right, but saying so would confirm it: a missing
    // code is a failure like any other, and the trail alone knows why.
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
        return Ok(Some("second_factor_required"));
    };
    let Some(step) = totp::verify(&secret, &code, now) else {
        return Ok(Some("wrong_code"));
    };
    let id = account.id;
    // A code is good once: a replayed one counts as a failure.
    if !run(state, move |store| store.claim_totp_step_unscoped(id, step)).await? {
        return Ok(Some("replayed_code"));
    }
    Ok(None)
}

/// Checks the attempt and opens a new session, ending `replacing` (the
/// session the browser had, if any: a sign-in always gets a new id).
pub async fn sign_in(
    state: &AppState,
    attempt: SignIn,
    address: ClientAddress,
    replacing: Option<String>,
) -> Result<SignedIn, ApiError> {
    rate_limit(state, address)?;
    // No password is this long; do not spend hashing on megabytes.
    if attempt.password.len() > MAX_PASSWORD_BYTES {
        verify_blocking(String::new(), None).await?;
        let reason = Some("password_too_long");
        audit_sign_in(state, None, address, AuditAction::SignInFailed, reason).await?;
        return Err(Denied::InvalidCredentials.into());
    }
    // A name that cannot be an account's is refused like a wrong password,
    // without counting: it tells nothing about the accounts there are.
    let Ok(username) = Username::parse(&attempt.username) else {
        verify_blocking(attempt.password, None).await?;
        let reason = Some("malformed_user_name");
        audit_sign_in(state, None, address, AuditAction::SignInFailed, reason).await?;
        return Err(Denied::InvalidCredentials.into());
    };
    let now = state.clock.now();
    let name = username.clone();
    let (credentials, failures) = run(state, move |store| {
        Ok((
            store.credentials_unscoped(&name)?,
            store.sign_in_failures_unscoped(&name)?,
        ))
    })
    .await?;
    let account = credentials.as_ref().map(|c| c.account.clone());
    if failures.is_locked_at(now) {
        let reason = if account.is_some() {
            "locked"
        } else {
            "unknown_user_locked"
        };
        audit_sign_in(
            state,
            account.as_ref(),
            address,
            AuditAction::SignInLocked,
            Some(reason),
        )
        .await?;
        return Err(locked(failures.locked_until, now).into());
    }
    let Some(Credentials {
        account,
        password_hash,
        totp_secret,
        ..
    }) = credentials
    else {
        verify_blocking(attempt.password, None).await?;
        return Err(failed(state, username, None, address, "unknown_user").await);
    };
    if !verify_blocking(attempt.password, Some(password_hash)).await? {
        return Err(failed(state, username, Some(&account), address, "wrong_password").await);
    }
    if let Some(reason) = second_check(state, &account, totp_secret, attempt.totp, now).await? {
        return Err(failed(state, username, Some(&account), address, reason).await);
    }
    let signed_in = open_session(state, &account, address, replacing, now).await?;
    audit_sign_in(state, Some(&account), address, AuditAction::SignIn, None).await?;
    Ok(signed_in)
}

async fn open_session(
    state: &AppState,
    account: &Account,
    address: ClientAddress,
    replacing: Option<String>,
    now: OffsetDateTime,
) -> Result<SignedIn, ApiError> {
    let session_id = secret::new_session_id().map_err(internal)?;
    let token_hash = digest(&session_id);
    let new = NewSession {
        token_hash: token_hash.clone(),
        account: account.id,
        at: now,
        address: address.0,
    };
    let id = account.id;
    let (idle_before, opened_before) = (
        now - state.security.session_idle,
        now - state.security.session_absolute,
    );
    run(state, move |store| {
        store.record_login_success_unscoped(id, now)?;
        if let Some(old) = replacing {
            store.end_session_unscoped(&digest(&old))?;
        }
        // Sweep ended sessions now and then: at every sign-in.
        store.end_expired_sessions_unscoped(idle_before, opened_before)?;
        store.create_session(&new)
    })
    .await?;
    let credential = Credential::Session {
        token_hash,
        csrf_token: csrf_token(&session_id),
    };
    let mut account = account.clone();
    account.last_login_at = Some(now);
    Ok(SignedIn {
        principal: Principal::of_session(&account, credential, &state.security, now),
        session_id,
    })
}

/// The current password given to change it was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the current password is wrong")]
pub struct CurrentPasswordWrong;

impl Localized for CurrentPasswordWrong {
    fn code(&self) -> &'static str {
        "current_password_wrong"
    }
    fn message_zh(&self) -> String {
        "当前密码不正确".into()
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// Changes the caller's own password: the current one must be given (a
/// wrong one counts towards the lock), the new one must meet the policy
/// and differ. Every other session of the account ends.
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    current: String,
    new: String,
) -> Result<Account, ApiError> {
    let principal = &caller.principal;
    let Credential::Session { token_hash, .. } = &principal.credential else {
        return Err(Denied::SessionRequired.into());
    };
    rate_limit(state, ClientAddress(caller.address))?;
    let username = principal.username.clone();
    let Some(credentials) = run(state, move |store| store.credentials_unscoped(&username)).await?
    else {
        return Err(Denied::SessionExpired.into());
    };
    let now = state.clock.now();
    if credentials.account.is_locked_at(now) {
        return Err(locked(credentials.account.locked_until, now).into());
    }
    let stored = credentials.password_hash.clone();
    if !verify_blocking(current, Some(stored.clone())).await? {
        let address = ClientAddress(caller.address);
        let (name, account) = (principal.username.clone(), &credentials.account);
        failed(
            state,
            name,
            Some(account),
            address,
            "wrong_current_password",
        )
        .await;
        return Err(ApiError::Validation(vec![FieldProblem::new(
            "current_password",
            &CurrentPasswordWrong,
        )]));
    }
    let policy = state.security.password_policy;
    let refuse =
        |e: PasswordError| ApiError::Validation(vec![FieldProblem::new("new_password", &e)]);
    policy
        .check(principal.username.as_str(), &new)
        .map_err(refuse)?;
    if verify_blocking(new.clone(), Some(stored)).await? {
        return Err(refuse(PasswordError::Unchanged));
    }
    let hash = tokio::task::spawn_blocking(move || password::hash(&new))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    let change = AccountChange::Password {
        hash,
        must_change: false,
        at: now,
        keep_session: Some(token_hash.clone()),
    };
    let (scope, id, actor) = (caller.scope(), principal.account, caller.actor());
    run(state, move |store| {
        store.change_account(&scope, id, &change, &actor)
    })
    .await
}
