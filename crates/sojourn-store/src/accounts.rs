//! Staff accounts, their sessions and API tokens: the storage side of
//! sign-in. What a password or token *is* (Argon2id, SHA-256) is the web
//! layer's business; the store keeps hashes and never sees a secret.
//!
//! Accounts are scoped like records: an administrator reads and changes the
//! accounts of their unit's subtree only. Sign-in itself cannot be scoped
//! (the caller is not known yet), so the methods it uses say so in their
//! name (`*_unscoped`) and look up by user name or by a secret's hash only.
//!
//! Times that decide locks and expiry are passed in, so the web layer's
//! clock (injectable in tests) is the only one that counts.

use crate::{Actor, Result};
use sojourn_domain::account::{AccountId, Role, Username};
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::unit::{Scope, UnitCode};
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

/// A staff account as administrators see it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub username: Username,
    pub display_name: PersonName,
    /// The unit whose subtree the account works in.
    pub unit: UnitCode,
    /// In the order of [`Role`]; empty until the security administrator grants some.
    pub roles: Vec<Role>,
    pub disabled: bool,
    /// Set for a first or reset password: the user may only change it.
    pub must_change_password: bool,
    pub password_changed_at: OffsetDateTime,
    /// Failed sign-ins since the last success or lock.
    pub failed_logins: u32,
    pub locked_until: Option<OffsetDateTime>,
    /// Whether a second factor (TOTP) is enrolled.
    pub has_totp: bool,
    pub last_login_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub created_by: String,
    pub updated_at: OffsetDateTime,
    pub updated_by: String,
}

impl Account {
    pub fn is_locked_at(&self, now: OffsetDateTime) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

/// An account with what sign-in checks: read only by sign-in and by the
/// user changing their own password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub account: Account,
    /// PHC string (`$argon2id$…`).
    pub password_hash: String,
    /// Base32 TOTP secret, if enrolled.
    pub totp_secret: Option<String>,
    /// The last 30-second step a code was accepted for: a code is good once.
    pub totp_last_step: Option<i64>,
}

/// An account to open.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: Username,
    pub display_name: PersonName,
    pub unit: UnitCode,
    pub roles: Vec<Role>,
    pub password_hash: String,
    pub password_set_at: OffsetDateTime,
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
}

/// One change to an account.
#[derive(Debug, Clone)]
pub enum AccountChange {
    /// Replace the roles (the caller has checked the combination).
    Roles(Vec<Role>),
    /// Disabling also ends every session of the account.
    Disabled(bool),
    /// Clear a lock and the failure count.
    Unlock,
    /// A new password hash. Ends every session of the account but `keep`
    /// (the hash of the session making the change, if it is the owner's).
    Password {
        hash: String,
        must_change: bool,
        at: OffsetDateTime,
        keep_session: Option<String>,
    },
    /// Enrol (Some) or withdraw (None) the TOTP secret.
    Totp(Option<String>),
}

/// When repeated failures lock a user name: `threshold` failures within
/// `duration` of the first lock it for `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    pub threshold: u32,
    pub duration: Duration,
}

/// The failed sign-ins under one user name (an account's or not) and the
/// lock they made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// Failures counted since `since`.
    pub count: u32,
    /// The first failure of the count.
    pub since: Option<OffsetDateTime>,
    pub locked_until: Option<OffsetDateTime>,
}

impl Failures {
    pub fn is_locked_at(&self, now: OffsetDateTime) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

impl Lockout {
    /// `before` after one more failure at `at`. A count older than
    /// `duration` starts again; the `threshold`-th failure of a count locks
    /// the name until `at + duration` and clears the count. Written once,
    /// here, so that a name with an account and one without lock alike.
    pub fn after_failure(&self, before: Failures, at: OffsetDateTime) -> Failures {
        let (count, since) = match before.since {
            Some(since) if before.count > 0 && since + self.duration > at => {
                (before.count.saturating_add(1), since)
            }
            _ => (1, at),
        };
        if count >= self.threshold {
            Failures {
                count: 0,
                since: None,
                locked_until: Some(at + self.duration),
            }
        } else {
            Failures {
                count,
                since: Some(since),
                locked_until: before.locked_until,
            }
        }
    }

    /// When `failures` stop mattering: its count window and lock are over.
    pub fn forget_after(&self, failures: &Failures) -> Option<OffsetDateTime> {
        let window_end = failures.since.map(|since| since + self.duration);
        window_end.max(failures.locked_until)
    }
}

/// A session to open: the hash of its secret id, never the id.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub account: AccountId,
    pub at: OffsetDateTime,
    pub address: Option<IpAddr>,
}

/// A live session and its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub account: Account,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiTokenId(pub i64);

/// An API token to issue: the hash of its secret, never the secret.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub token_hash: String,
    /// What the token is for, e.g. 社区数据对接程序.
    pub name: Note,
    pub unit: UnitCode,
    pub role: Role,
    /// The account the token acts for; it stops working when the account
    /// is disabled or no longer holds what the role grants.
    pub account: AccountId,
    pub expires_at: OffsetDateTime,
}

/// An issued API token (without its secret, which is shown once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: Note,
    pub unit: UnitCode,
    pub role: Role,
    pub account: AccountId,
    pub created_at: OffsetDateTime,
    pub created_by: String,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub revoked_by: Option<String>,
    pub last_used_at: Option<OffsetDateTime>,
}

impl ApiToken {
    /// Not revoked and not expired at `now`.
    pub fn is_live_at(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// The storage of accounts, sessions and tokens. Part of every [`Store`](crate::Store).
pub trait AccountStore {
    // ---- accounts, managed by administrators in their subtree ----

    /// Opens an account in a unit of `scope`. Refused with
    /// [`StoreError::DuplicateAccount`](crate::StoreError::DuplicateAccount)
    /// if the user name is taken anywhere in the deployment.
    fn create_account(&self, scope: &Scope, new: &NewAccount, actor: &Actor) -> Result<Account>;
    fn get_account(&self, scope: &Scope, id: AccountId) -> Result<Account>;
    /// The accounts of the subtree, by user name.
    fn list_accounts(&self, scope: &Scope) -> Result<Vec<Account>>;
    fn change_account(
        &self,
        scope: &Scope,
        id: AccountId,
        change: &AccountChange,
        actor: &Actor,
    ) -> Result<Account>;
    /// Whether the deployment has any account (a fresh one has none).
    fn has_accounts_unscoped(&self) -> Result<bool>;

    // ---- the account's own preferences ----

    /// The language the account last chose for the pages (a BCP 47 tag),
    /// `None` if it never chose one. Read at sign-in, for that account only.
    fn account_locale_unscoped(&self, id: AccountId) -> Result<Option<String>>;
    /// Remembers the language the account chose (`None` forgets it). Set by
    /// the signed-in account itself; not an account change for the audit
    /// trail, as it grants and reveals nothing.
    fn set_account_locale_unscoped(&self, id: AccountId, locale: Option<&str>) -> Result<()>;

    // ---- sign-in ----

    /// The account signing in with `username`, with its secrets.
    fn credentials_unscoped(&self, username: &Username) -> Result<Option<Credentials>>;
    /// The failed sign-ins under `username`, whether or not it is an
    /// account's (none if there were none).
    fn sign_in_failures_unscoped(&self, username: &Username) -> Result<Failures>;
    /// Counts a failed sign-in under `username` by the rule of
    /// [`Lockout::after_failure`]: on the account if the name is an
    /// account's, else on the name alone, so both lock alike. A failure
    /// that locks an account ends its sessions. Returns the failures as
    /// they now stand.
    fn record_sign_in_failure_unscoped(
        &self,
        username: &Username,
        at: OffsetDateTime,
        lockout: &Lockout,
    ) -> Result<Failures>;
    /// Clears the failure count and notes the sign-in.
    fn record_login_success_unscoped(&self, id: AccountId, at: OffsetDateTime) -> Result<()>;
    /// Accepts the TOTP step `step` for the account if no code of this or a
    /// later step was accepted before: `false` means a replayed code.
    fn claim_totp_step_unscoped(&self, id: AccountId, step: i64) -> Result<bool>;

    // ---- sessions, found by the hash of their secret id ----

    fn create_session(&self, new: &NewSession) -> Result<()>;
    fn session_unscoped(&self, token_hash: &str) -> Result<Option<Session>>;
    /// Notes activity, which keeps the session from idling out.
    fn touch_session_unscoped(&self, token_hash: &str, at: OffsetDateTime) -> Result<()>;
    fn end_session_unscoped(&self, token_hash: &str) -> Result<()>;
    /// Ends sessions idle since before `idle_before` or opened before
    /// `opened_before`; returns how many.
    fn end_expired_sessions_unscoped(
        &self,
        idle_before: OffsetDateTime,
        opened_before: OffsetDateTime,
    ) -> Result<u64>;

    // ---- API tokens ----

    /// Issues a token bound to a unit of `scope`.
    fn create_api_token(&self, scope: &Scope, new: &NewApiToken, actor: &Actor)
    -> Result<ApiToken>;
    /// Tokens bound to units of the subtree, newest first.
    fn list_api_tokens(&self, scope: &Scope) -> Result<Vec<ApiToken>>;
    /// Revokes a token of the subtree (revoking twice keeps the first time).
    fn revoke_api_token(
        &self,
        scope: &Scope,
        id: ApiTokenId,
        at: OffsetDateTime,
        actor: &Actor,
    ) -> Result<ApiToken>;
    /// The token with this hash and the account it acts for.
    fn api_token_unscoped(&self, token_hash: &str) -> Result<Option<(ApiToken, Account)>>;
    fn touch_api_token_unscoped(&self, id: ApiTokenId, at: OffsetDateTime) -> Result<()>;
}
