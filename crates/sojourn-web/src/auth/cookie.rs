//! The session cookie: `HttpOnly` (no script reads it), `SameSite=Strict`
//! (no other site's page sends it), `Path=/`, `Secure` when served over
//! TLS, and no `Max-Age`, so it dies with the browser — staff share
//! computers. The server ends it after idling or at its absolute limit
//! whatever the browser keeps.

use axum::http::{HeaderMap, HeaderValue, header};

pub const NAME: &str = "sojourn_session";

/// The session id the request's cookies carry, if any.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == NAME)
        .map(|(_, value)| value.trim_matches('"').to_owned())
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` for a new session.
pub fn set(session_id: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{NAME}={session_id}; HttpOnly; SameSite=Strict; Path=/{secure}"
    ))
    .unwrap_or_else(|_| clear(false))
}

/// `Set-Cookie` that makes the browser forget the session.
pub fn clear(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}"
    ))
    .unwrap_or(HeaderValue::from_static("sojourn_session=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_id_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; sojourn_session=abc123; lang=zh"),
        );
        assert_eq!(session_id(&headers).as_deref(), Some("abc123"));
        assert_eq!(session_id(&HeaderMap::new()), None);
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_when_asked() {
        let plain = set("abc", false);
        let plain = plain.to_str().expect("ascii");
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        assert!(
            set("abc", true)
                .to_str()
                .expect("ascii")
                .ends_with("; Secure")
        );
    }
}
