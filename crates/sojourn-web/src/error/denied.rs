//! Why a request was refused before its handler ran, or a sign-in failed:
//! the refusals of the guard and of `auth::login`, with their statuses.

use axum::http::StatusCode;
use sojourn_domain::Localized;
use time::Duration;

/// Why a request was refused before it reached its handler, or why a
/// sign-in failed. Sign-in failures do not say whether the user name
/// exists, whether the password was right, or whether a second factor is
/// needed: one answer for all, and one for a locked user name.
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
    /// 401: wrong user name, password or second-factor code, or a
    /// disabled account.
    #[error("the user name, password or verification code is wrong")]
    InvalidCredentials,
    /// 429: too many failed sign-ins under this user name (an account's
    /// or not); try again after the lock.
    #[error("the user name, password or verification code was wrong too many times; try again in {} minutes", minutes(*retry_after))]
    TooManyFailures { retry_after: Duration },
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
    /// 429: the account has made too many audited reads (files, searches,
    /// reveals) for now.
    #[error("too many reads of personal data in a short time; try again in {} seconds", retry_after.whole_seconds().max(1))]
    ReadsLimited { retry_after: Duration },
    /// 429: too many sign-in or token attempts from this address.
    #[error("too many attempts; try again in {} minutes", minutes(*retry_after))]
    TooManyAttempts { retry_after: Duration },
}

/// A wait in whole minutes, rounded up: people read minutes, not seconds.
fn minutes(wait: Duration) -> i64 {
    ((wait.whole_seconds() + 59) / 60).max(1)
}

impl Denied {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotSignedIn
            | Self::SessionExpired
            | Self::InvalidToken
            | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden
            | Self::CsrfTokenInvalid
            | Self::PasswordChangeRequired
            | Self::OwnAccount
            | Self::SessionRequired => StatusCode::FORBIDDEN,
            Self::TooManyFailures { .. }
            | Self::ReadsLimited { .. }
            | Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// Seconds to wait, for `Retry-After`.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Self::TooManyFailures { retry_after }
            | Self::ReadsLimited { retry_after }
            | Self::TooManyAttempts { retry_after } => Some(retry_after.whole_seconds().max(1)),
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
            Self::TooManyFailures { .. } => "too_many_failures",
            Self::ReadsLimited { .. } => "rate_limited",
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
            Self::TooManyFailures { retry_after } => format!(
                "用户名、密码或动态验证码错误次数过多，请{}分钟后再试",
                minutes(*retry_after)
            ),
            Self::Forbidden => "您的角色无权进行此操作".into(),
            Self::CsrfTokenInvalid => {
                "请求缺少有效的防跨站令牌（X-CSRF-Token），请刷新页面后重试".into()
            }
            Self::PasswordChangeRequired => "请先修改密码".into(),
            Self::OwnAccount => "不能对自己的账号进行此操作".into(),
            Self::SessionRequired => "此操作须由登录用户进行，不能使用接口令牌".into(),
            Self::ReadsLimited { retry_after } => format!(
                "短时间内查阅个人信息次数过多，请{}秒后再试",
                retry_after.whole_seconds().max(1)
            ),
            Self::TooManyAttempts { retry_after } => {
                format!("尝试次数过多，请{}分钟后再试", minutes(*retry_after))
            }
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_said_in_minutes_rounded_up() {
        let locked = Denied::TooManyFailures {
            retry_after: Duration::seconds(761),
        };
        assert!(
            locked.message_zh().contains("请13分钟后再试"),
            "{}",
            locked.message_zh()
        );
        assert!(
            locked.message_en().contains("in 13 minutes"),
            "{}",
            locked.message_en()
        );
        assert_eq!(locked.retry_after(), Some(761));
        let brief = Denied::TooManyAttempts {
            retry_after: Duration::seconds(5),
        };
        assert!(
            brief.message_zh().contains("请1分钟后再试"),
            "{}",
            brief.message_zh()
        );
    }
}
