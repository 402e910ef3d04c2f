//! Sign-in, staff accounts and API tokens. Secrets (passwords, session ids,
//! tokens, TOTP secrets) appear in a response only where one is issued, and
//! only that once; the session id never appears in a body at all (it is
//! the cookie).

use super::fields::{Fields, InputError};
use crate::auth::{Credential, Principal};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use sojourn_domain::Localized;
use sojourn_domain::account::{Role, Username};
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::unit::UnitCode;
use sojourn_store::{Account, ApiToken};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

/// RFC 3339 text of a time, the one timestamp format of the API.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SignInRequest {
    #[schema(example = "clerk1")]
    pub username: String,
    pub password: String,
    /// The six-digit code of the authenticator app; required for the
    /// administrators and for accounts that enrolled one.
    #[schema(example = "123456")]
    pub totp: Option<String>,
}

/// A role, by key and by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleResponse {
    #[schema(example = "clerk")]
    pub key: String,
    #[schema(example = "信息录入员")]
    pub name: String,
}

impl From<Role> for RoleResponse {
    fn from(role: Role) -> Self {
        Self {
            key: role.key().to_owned(),
            name: role.name_zh().to_owned(),
        }
    }
}

/// Who is signed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrincipalResponse {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    /// The unit whose subtree the caller works in.
    pub unit: String,
    pub roles: Vec<RoleResponse>,
    /// `session` or `api_token`.
    pub via: String,
    /// Until the password is changed, nothing else is allowed.
    pub password_change_required: bool,
    pub password_expires_at: String,
}

impl From<&Principal> for PrincipalResponse {
    fn from(principal: &Principal) -> Self {
        Self {
            account_id: principal.account.0,
            username: principal.username.to_string(),
            display_name: principal.display_name.to_string(),
            unit: principal.unit.to_string(),
            roles: principal.roles.iter().copied().map(Into::into).collect(),
            via: match principal.credential {
                Credential::Session { .. } => "session",
                Credential::ApiToken { .. } => "api_token",
            }
            .to_owned(),
            password_change_required: principal.must_change_password,
            password_expires_at: rfc3339(principal.password_expires_at),
        }
    }
}

/// The signed-in principal and, for a session, the token every change
/// must carry in the `X-CSRF-Token` header.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub principal: PrincipalResponse,
    pub csrf_token: Option<String>,
}

impl From<&Principal> for SessionResponse {
    fn from(principal: &Principal) -> Self {
        Self {
            principal: principal.into(),
            csrf_token: principal.csrf_token().map(str::to_owned),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// At least 10 characters from three of: lower case, upper case,
    /// digits, symbols; not containing the user name; not a common password.
    pub new_password: String,
}

/// A staff account, without secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountResponse {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit: String,
    pub roles: Vec<RoleResponse>,
    pub disabled: bool,
    /// Locked after repeated failed sign-ins, until `locked_until`.
    pub locked: bool,
    pub locked_until: Option<String>,
    pub must_change_password: bool,
    pub password_changed_at: String,
    /// Whether a second factor (TOTP) is enrolled.
    pub has_totp: bool,
    pub last_login_at: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

impl AccountResponse {
    pub fn new(account: &Account, now: OffsetDateTime) -> Self {
        Self {
            id: account.id.0,
            username: account.username.to_string(),
            display_name: account.display_name.to_string(),
            unit: account.unit.to_string(),
            roles: account.roles.iter().copied().map(Into::into).collect(),
            disabled: account.disabled,
            locked: account.is_locked_at(now),
            locked_until: account
                .locked_until
                .filter(|until| *until > now)
                .map(rfc3339),
            must_change_password: account.must_change_password,
            password_changed_at: rfc3339(account.password_changed_at),
            has_totp: account.has_totp,
            last_login_at: account.last_login_at.map(rfc3339),
            created_at: rfc3339(account.created_at),
            created_by: account.created_by.clone(),
            updated_at: rfc3339(account.updated_at),
            updated_by: account.updated_by.clone(),
        }
    }
}

/// A new account: opened without roles (the security administrator grants
/// them) and with a one-time password that must be changed at first
/// sign-in.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAccountRequest {
    #[schema(example = "wangxm")]
    pub username: String,
    #[schema(example = "王小明")]
    pub display_name: String,
    #[schema(example = "110101001001")]
    pub unit: String,
}

/// The fields of a new account, parsed.
pub struct NewAccountFields {
    pub username: Username,
    pub display_name: PersonName,
    pub unit: UnitCode,
}

impl TryFrom<&CreateAccountRequest> for NewAccountFields {
    type Error = ApiError;

    fn try_from(request: &CreateAccountRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let username = fields.take("username", Username::parse(&request.username));
        let display_name = fields.take("display_name", PersonName::parse(&request.display_name));
        let unit = fields.take("unit", UnitCode::parse(&request.unit));
        let parsed = (|| {
            Some(Self {
                username: username?,
                display_name: display_name?,
                unit: unit?,
            })
        })();
        fields.finish(parsed)
    }
}

/// An account with a password issued for it, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedPasswordResponse {
    pub account: AccountResponse,
    /// Give it to the user in person; it must be changed at first sign-in.
    pub one_time_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRolesRequest {
    /// Role keys; an administrator role stands alone. An empty list
    /// withdraws every role.
    #[schema(example = json!(["clerk", "coordinator"]))]
    pub roles: Vec<String>,
}

/// A role key that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a role")]
pub struct UnknownRole(pub String);

impl Localized for UnknownRole {
    fn code(&self) -> &'static str {
        "unknown_role"
    }
    fn message_zh(&self) -> String {
        format!("“{}”不是系统中的角色", self.0)
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

impl TryFrom<&AssignRolesRequest> for Vec<Role> {
    type Error = ApiError;

    fn try_from(request: &AssignRolesRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let roles: Vec<Option<Role>> = request
            .roles
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let role = Role::from_key(key.trim()).ok_or_else(|| UnknownRole(key.clone()));
                fields.take(&format!("roles[{i}]"), role)
            })
            .collect();
        let roles: Option<Vec<Role>> = roles.into_iter().collect();
        let roles = roles.and_then(|roles| {
            fields.take(
                "roles",
                sojourn_domain::account::check_role_set(&roles).map(|()| roles.clone()),
            )
        });
        fields.finish(roles)
    }
}

/// A second factor issued for an account, shown this once: enter the
/// secret (or scan the URI as a QR code) in an authenticator app.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolmentResponse {
    pub account: AccountResponse,
    /// Base32.
    pub secret: String,
    pub otpauth_uri: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTokenRequest {
    /// What the token is for.
    #[schema(example = "社区数据对接程序")]
    pub name: String,
    /// A unit of your jurisdiction; yours when left out.
    pub unit: Option<String>,
    /// One role, granting nothing your own roles do not.
    #[schema(example = "collector")]
    pub role: String,
    /// Days until it expires (default 90, at most 365).
    pub expires_in_days: Option<u32>,
}

/// The fields of a new token, parsed.
pub struct NewTokenFields {
    pub name: Note,
    pub unit: Option<UnitCode>,
    pub role: Role,
    pub expires_in_days: u32,
}

/// Default life of a token, in days.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;

impl TryFrom<&CreateTokenRequest> for NewTokenFields {
    type Error = ApiError;

    fn try_from(request: &CreateTokenRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let name = fields.take("name", Note::parse(&request.name));
        let unit = fields.optional("unit", request.unit.as_deref(), UnitCode::parse);
        let role = fields.take(
            "role",
            Role::from_key(request.role.trim()).ok_or_else(|| UnknownRole(request.role.clone())),
        );
        let days = request.expires_in_days.unwrap_or(DEFAULT_TOKEN_DAYS);
        let days = fields.take(
            "expires_in_days",
            if (1..=365).contains(&days) {
                Ok(days)
            } else {
                Err(InputError::DaysOutOfRange { max: 365 })
            },
        );
        let parsed = (|| {
            Some(Self {
                name: name?,
                unit: unit?,
                role: role?,
                expires_in_days: days?,
            })
        })();
        fields.finish(parsed)
    }
}

/// An API token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenResponse {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub role: RoleResponse,
    /// The account the token acts for.
    pub account_id: i64,
    pub created_at: String,
    pub created_by: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub last_used_at: Option<String>,
    /// Neither revoked nor expired.
    pub live: bool,
}

impl ApiTokenResponse {
    pub fn new(token: &ApiToken, now: OffsetDateTime) -> Self {
        Self {
            id: token.id.0,
            name: token.name.to_string(),
            unit: token.unit.to_string(),
            role: token.role.into(),
            account_id: token.account.0,
            created_at: rfc3339(token.created_at),
            created_by: token.created_by.clone(),
            expires_at: rfc3339(token.expires_at),
            revoked_at: token.revoked_at.map(rfc3339),
            revoked_by: token.revoked_by.clone(),
            last_used_at: token.last_used_at.map(rfc3339),
            live: token.is_live_at(now),
        }
    }
}

/// A new token and its secret, shown this once: send it as
/// `Authorization: Bearer <secret>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedTokenResponse {
    pub token: ApiTokenResponse,
    pub secret: String,
}
