use axum::http::StatusCode;
use sojourn_domain::Localized;
use time::Duration;

/// Why a request was refused before it reached its handler, or why a
/// sign-in failed. Sign-in failures do not say whether the user name
/// exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// 401: no session cookie or token.
    #[error("please sign in")]
    NotSignedIn,
    /// 401: the session ended (idle, too old, signed out, password changed).
    #[error("your session has ended; please sign in again")]
    SessionExpired,
    /// 401: the token is unknown, expired, revoked, or its account cannot
    /// use it any more.
    #[error("the API token is not valid")]
    InvalidToken,
    /// 401: wrong user name, password or second-factor code.
    #[error("the user name, password or verification code is wrong")]
    InvalidCredentials,
    /// 401: too many failures; try again after the lock.
    #[error("the account is locked after repeated failed sign-ins; try again in {minutes} minutes")]
    AccountLocked { minutes: i64 },
    /// 401: the password was right; the account needs its TOTP code too.
    #[error("enter the verification code from your authenticator app")]
    TotpRequired,
    /// 403: the user's roles do not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// 403: a change through a session without the session's CSRF token.
    #[error("the request lacks the session's CSRF token (X-CSRF-Token)")]
    CsrfTokenInvalid,
    /// 403: the password must be changed before anything else.
    #[error("change your password first")]
    PasswordChangeRequired,
    /// 403: administrators do not act on their own account.
    #[error("you cannot do this to your own account")]
    OwnAccount,
    /// 403: only a person signed in by session may do this (not a token).
    #[error("this needs a signed-in user, not an API token")]
    SessionRequired,
    /// 429: too many attempts from this address or for this user name.
    #[error("too many attempts; try again in {} seconds", retry_after.whole_seconds())]
    TooManyAttempts { retry_after: Duration },
}

impl Denied {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotSignedIn
            | Self::SessionExpired
            | Self::InvalidToken
            | Self::InvalidCredentials
            | Self::AccountLocked { .. }
            | Self::TotpRequired => StatusCode::UNAUTHORIZED,
            Self::Forbidden
            | Self::CsrfTokenInvalid
            | Self::PasswordChangeRequired
            | Self::OwnAccount
            | Self::SessionRequired => StatusCode::FORBIDDEN,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// Seconds to wait, for `Retry-After`.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Self::TooManyAttempts { retry_after } => Some(retry_after.whole_seconds().max(1)),
            _ => None,
        }
    }
}

impl Localized for Denied {
    fn code(&self) -> &'static str {
        match self {
            Self::NotSignedIn => "unauthenticated",
            Self::SessionExpired => "session_expired",
            Self::InvalidToken => "invalid_token",
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountLocked { .. } => "account_locked",
            Self::TotpRequired => "totp_required",
            Self::Forbidden => "forbidden",
            Self::CsrfTokenInvalid => "csrf_token_invalid",
            Self::PasswordChangeRequired => "password_change_required",
            Self::OwnAccount => "own_account",
            Self::SessionRequired => "session_required",
            Self::TooManyAttempts { .. } => "too_many_attempts",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::NotSignedIn => "请先登录".into(),
            Self::SessionExpired => "登录已失效，请重新登录".into(),
            Self::InvalidToken => "接口令牌无效、已过期或已被撤销".into(),
            Self::InvalidCredentials => "用户名、密码或动态验证码错误".into(),
            Self::AccountLocked { minutes } => {
                format!("登录失败次数过多，账号已被锁定，请{minutes}分钟后再试")
            }
            Self::TotpRequired => "请输入身份验证器上的动态验证码".into(),
            Self::Forbidden => "您的角色无权进行此操作".into(),
            Self::CsrfTokenInvalid => {
                "请求缺少有效的防跨站令牌（X-CSRF-Token），请刷新页面后重试".into()
            }
            Self::PasswordChangeRequired => "请先修改密码".into(),
            Self::OwnAccount => "不能对自己的账号进行此操作".into(),
            Self::SessionRequired => "此操作须由登录用户进行，不能使用接口令牌".into(),
            Self::TooManyAttempts { retry_after } => format!(
                "尝试次数过多，请{}秒后再试",
                retry_after.whole_seconds().max(1)
            ),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}
