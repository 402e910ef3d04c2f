//! Who is calling, and what they may do. A request is signed in by a
//! server-side session (cookie) or an API token (`Authorization: Bearer`);
//! either way it becomes a [`Principal`]: an account, its unit and roles.
//! The route table gives every route an [`Access`] requirement, checked in
//! one place ([`guard`]), which then hands the handler a [`Caller`]: the
//! principal, the role that allowed the call, and the client's address.
//!
//! **The scope comes from the principal's unit, never from the request.**
//!
//! An API token acts for its creator's account, narrowed to the token's
//! unit and role. The store and the audit trail record [`Caller::actor`].
//! Of a session id or a token the database keeps a digest only
//! ([`secret`]); sign-in failures lock a user name in the store
//! ([`login`]), and addresses are slowed down in memory ([`limiter`]).

/// Client addresses, behind trusted proxies or not.
pub mod client;
/// The injectable clock.
pub mod clock;
/// The session cookie.
pub mod cookie;
/// The guard every route passes: authentication, CSRF, permission.
pub mod guard;
/// Rate limits for sign-in and tokens.
pub mod limiter;
/// Signing in and changing one's password.
pub mod login;
/// Argon2id password hashes and one-time passwords.
pub mod password;
/// Random secrets, their digests, CSRF tokens.
pub mod secret;
/// TOTP second factor (RFC 6238).
pub mod totp;

/// Refusals of sign-in and of the guard (kept in [`crate::error`]).
pub use crate::error::Denied;
pub use clock::{Clock, ManualClock, SystemClock};
pub use guard::Access;
pub use limiter::{RateLimit, RateLimiter};

use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sojourn_domain::account::{
    AccountId, Action, PasswordPolicy, Resource, Role, Username, allows,
};
use sojourn_domain::text::PersonName;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::{Account, Actor, ApiTokenId, Lockout};
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

/// Audited reads an account may make in a minute unless the deployment
/// says otherwise (`sojourn serve --audited-reads-per-minute`).
pub const AUDITED_READS_PER_MINUTE: u32 = 600;

/// The security settings, with the level-3 values as defaults.
#[derive(Debug, Clone)]
pub struct SecurityConfig {
    pub password_policy: PasswordPolicy,
    /// After this long a password must be changed before anything else.
    pub password_max_age: Duration,
    /// Failed sign-ins under one user name (an account's or not) that lock
    /// it, within how long of the first, and for how long.
    pub lockout: Lockout,
    /// A session unused this long is ended.
    pub session_idle: Duration,
    /// A session this old is ended, used or not.
    pub session_absolute: Duration,
    /// Mark the session cookie `Secure` and send HSTS: on whenever users
    /// reach the server over HTTPS (directly or through a TLS proxy).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` names the client (the TLS proxy).
    pub trusted_proxies: Vec<IpAddr>,
    /// Sign-in attempts per client address.
    pub sign_in_per_address: RateLimit,
    /// Audited reads (file reads, searches, reveals, histories) per
    /// account: bounds how fast one account can grow the audit trail.
    pub audited_reads: RateLimit,
    /// Token issues and failed bearer sign-ins per client address.
    pub tokens_per_address: RateLimit,
    /// Longest life of an API token.
    pub token_max_lifetime: Duration,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            password_policy: PasswordPolicy::default(),
            password_max_age: Duration::days(90),
            lockout: Lockout {
                threshold: 5,
                duration: Duration::minutes(15),
            },
            session_idle: Duration::minutes(30),
            session_absolute: Duration::hours(12),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            sign_in_per_address: RateLimit {
                max: 20,
                per: Duration::minutes(1),
            },
            // Ten a second, for a minute: far above a clerk's pace (a few
            // a minute) and a program's paging through a register, yet an
            // account reading flat out adds at most some 20 MB an hour.
            audited_reads: RateLimit {
                max: AUDITED_READS_PER_MINUTE,
                per: Duration::minutes(1),
            },
            tokens_per_address: RateLimit {
                max: 20,
                per: Duration::minutes(1),
            },
            token_max_lifetime: Duration::days(365),
        }
    }
}

/// How a request was signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A session cookie; `csrf_token` must accompany every change.
    Session {
        token_hash: String,
        csrf_token: String,
    },
    /// An API token, for programs.
    ApiToken { id: ApiTokenId },
}

/// A signed-in account, as the request presents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account: AccountId,
    pub username: Username,
    pub display_name: PersonName,
    /// The root of everything the principal may see: the account's unit,
    /// or the narrower unit an API token is bound to.
    pub unit: UnitCode,
    /// The account's roles, or the token's one role.
    pub roles: Vec<Role>,
    pub credential: Credential,
    /// A first, reset or expired password: nothing but changing it is
    /// allowed until it is changed.
    pub must_change_password: bool,
    pub password_expires_at: OffsetDateTime,
}

impl Principal {
    /// The principal of a session of `account`.
    pub fn of_session(
        account: &Account,
        credential: Credential,
        config: &SecurityConfig,
        now: OffsetDateTime,
    ) -> Self {
        let password_expires_at = account.password_changed_at + config.password_max_age;
        Self {
            account: account.id,
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            unit: account.unit.clone(),
            roles: account.roles.clone(),
            credential,
            must_change_password: account.must_change_password || password_expires_at <= now,
            password_expires_at,
        }
    }

    /// The first of the principal's roles that allows `action` on `resource`.
    pub fn role_allowing(&self, action: Action, resource: Resource) -> Option<Role> {
        self.roles
            .iter()
            .copied()
            .find(|role| allows(*role, action, resource))
    }

    pub fn scope(&self) -> Scope {
        Scope::of(self.unit.clone())
    }

    /// The session's CSRF token, if signed in by session.
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { csrf_token, .. } => Some(csrf_token),
            Credential::ApiToken { .. } => None,
        }
    }
}

/// The caller of a route that passed the guard: who, as what, from where.
/// Handlers take it (or [`CallerScope`](crate::scope::CallerScope) and
/// [`CallerActor`](crate::scope::CallerActor), drawn from it).
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The role that allowed this route, for routes that need a permission.
    pub role: Option<Role>,
    pub address: Option<IpAddr>,
}

impl Caller {
    pub fn scope(&self) -> Scope {
        self.principal.scope()
    }

    /// Who the store and the audit trail record.
    pub fn actor(&self) -> Actor {
        let mut actor = Actor::new(self.principal.username.as_str());
        actor.account = Some(self.principal.account);
        actor.unit = Some(self.principal.unit.clone());
        actor.role = self.role;
        actor.address = self.address;
        if let Credential::ApiToken { id } = self.principal.credential {
            actor.api_token = Some(id);
        }
        actor
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    /// The guard put it there; a route without a guard has no caller, and
    /// its handler refuses (fails closed) rather than acting for nobody.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(ApiError::Denied(Denied::NotSignedIn))
    }
}
