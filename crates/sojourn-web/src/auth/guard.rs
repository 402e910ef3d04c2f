//! The one check every route passes before its handler runs: who is
//! calling (session cookie or API token), whether a change through a
//! session carries the session's CSRF token, whether the password must be
//! changed first, and whether one of the caller's roles allows what the
//! route does. The route table states each route's [`Access`]; this module
//! enforces it, so a route's permission is data that tests can read.
//!
//! The caller is known before any of the body is read: a page form's CSRF
//! field is looked for only in the body of a signed-in session's change
//! (and of a multipart upload, only in its first part). A refusal answered
//! before the body was read drains a small body, or closes the connection
//! for a large one, so the next request on it is not read from the middle
//! of the last one's body.

use super::client::ClientAddress;
use super::secret::{API_TOKEN_PREFIX, constant_time_eq, csrf_token, digest};
use super::{Caller, Credential, Denied, Principal, cookie};
use crate::AppState;
use crate::blocking::run;
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use serde_json::json;
use sojourn_domain::account::{Action, Resource, Role, role_within};
use sojourn_store::{Actor, AuditAction, AuditEvent, Outcome};
use time::{Duration, OffsetDateTime};

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: signing in, the API document.
    Public,
    /// Any signed-in account, even one that must change its password
    /// first: its own session and the password change.
    SelfService,
    /// Any signed-in account with a usable password (reference data,
    /// checks that read no records).
    SignedIn,
    /// A signed-in account one of whose roles the permission table allows
    /// this action on this resource.
    Permission(Action, Resource),
}

/// Header that carries the CSRF token of a cookie-authenticated change.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Activity is written back at most this often, so reads do not each
/// cost a write; idle time is measured to within it.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// How a refused request is answered: the API answers with its JSON
/// error; pages may answer with a sign-in page instead.
pub type Refusal = fn(&Parts, ApiError) -> Response;

#[derive(Clone)]
struct Guarded {
    state: AppState,
    access: Access,
    refuse: Refusal,
}

/// `route` behind the guard for `access`, refusals answered in JSON.
pub fn guard(
    route: MethodRouter<AppState>,
    state: &AppState,
    access: Access,
) -> MethodRouter<AppState> {
    guard_with(route, state, access, |_, error| error.into_response())
}

/// `route` behind the guard for `access`, refusals answered by `refuse`
/// (a session that ended also has its cookie cleared).
pub fn guard_with(
    route: MethodRouter<AppState>,
    state: &AppState,
    access: Access,
    refuse: Refusal,
) -> MethodRouter<AppState> {
    route.route_layer(axum::middleware::from_fn_with_state(
        Guarded {
            state: state.clone(),
            access,
            refuse,
        },
        check,
    ))
}

async fn check(State(guarded): State<Guarded>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let state = &guarded.state;
    match admit_as(state, guarded.access, &mut parts, body).await {
        Ok(body) => {
            let caller = parts.extensions.get::<Caller>().cloned();
            let (method, path) = (parts.method.clone(), request_path(&parts));
            let response = next.run(Request::from_parts(parts, body)).await;
            // A handler's own refusals (not one's own account, not by
            // token); a failed sign-in is recorded by sign-in itself.
            let status = response.status();
            let refused = status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN;
            if refused && guarded.access != Access::Public {
                let actor = caller.as_ref().map(Caller::actor);
                let address = caller.and_then(|c| c.address);
                let details =
                    json!({ "method": method.as_str(), "path": path, "status": status.as_u16() });
                if audit_refusal(state, actor, address, details).await.is_err() {
                    return ApiError::Internal("the refusal could not be audited".into())
                        .into_response();
                }
            }
            response
        }
        Err(Refused {
            error,
            principal,
            body,
        }) => {
            let address = parts.extensions.get::<ClientAddress>().and_then(|a| a.0);
            let actor = principal.map(|p| {
                Caller {
                    principal: p,
                    role: None,
                    address,
                }
                .actor()
            });
            let details = json!({
                "method": parts.method.as_str(),
                "path": request_path(&parts),
                "status": error.status().as_u16(),
                "code": crate::audit::error_code(&error),
            });
            // A refusal whose entry cannot be written is refused all the same.
            let _ = audit_refusal(state, actor, address, details).await;
            let ended = matches!(error, ApiError::Denied(Denied::SessionExpired));
            let mut response = (guarded.refuse)(&parts, error);
            if ended {
                let clear = cookie::clear(state.security.secure_cookies);
                response.headers_mut().append(header::SET_COOKIE, clear);
            }
            drain_or_close(body, &mut response).await;
            response
        }
    }
}

/// Bodies up to this size are read to their end after a refusal, so the
/// connection can serve the next request; a larger one closes it.
const DRAIN_LIMIT: usize = 64 * 1024;

/// Leaves the connection ready for the next request after a refusal that
/// did not read the body: a small body is read to its end; a large one
/// (or one of unknown length) is not read at all, and the response says
/// the connection closes, so the client does not send another request on
/// it while the server stops reading.
async fn drain_or_close(body: Body, response: &mut Response) {
    use axum::body::HttpBody;
    let hint = body.size_hint();
    if body.is_end_stream() || hint.exact() == Some(0) {
        return;
    }
    let small = hint
        .upper()
        .is_some_and(|upper| upper <= DRAIN_LIMIT as u64);
    if small && axum::body::to_bytes(body, DRAIN_LIMIT).await.is_ok() {
        return;
    }
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
}

/// The path the client asked for (the API is nested under its prefix).
fn request_path(parts: &Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.path().to_owned(), |u| u.path().to_owned())
}

/// Records a request the guard or a handler refused (401, 403).
async fn audit_refusal(
    state: &AppState,
    actor: Option<Actor>,
    address: Option<std::net::IpAddr>,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    let actor = actor.unwrap_or_else(|| crate::audit::anonymous(address));
    let event = AuditEvent::new(AuditAction::Refused, Outcome::Denied).details(details);
    crate::audit::record(state, actor, event).await
}

/// Decides whether the request may reach a route requiring `access`; if
/// so, leaves its [`ClientAddress`] and (unless public) its [`Caller`] in
/// the request's extensions. (Routes get it through [`guard`] or
/// [`guard_with`], where a form's `csrf_token` field is read from the body;
/// here there is none, so a change must carry the header.)
pub async fn admit(state: &AppState, access: Access, parts: &mut Parts) -> Result<(), ApiError> {
    admit_as(state, access, parts, Body::empty())
        .await
        .map(drop)
        .map_err(|refused| refused.error)
}

/// A request the guard refused: why, the principal refused when it got
/// that far (for the audit trail), and the body as far as it was read.
struct Refused {
    error: ApiError,
    principal: Option<Principal>,
    body: Body,
}

/// [`admit`] with the request's body, handed back (for the handler, or
/// with the refusal). The caller is authenticated before any of the body
/// is read, and a body is read (for a form's CSRF field) only for a
/// session that may send it.
async fn admit_as(
    state: &AppState,
    access: Access,
    parts: &mut Parts,
    body: Body,
) -> Result<Body, Refused> {
    let address = ClientAddress::of(parts, &state.security.trusted_proxies);
    parts.extensions.insert(address);
    if access == Access::Public {
        return Ok(body);
    }
    let principal = match authenticate(state, parts, address).await {
        Ok(principal) => principal,
        Err(error) => {
            return Err(Refused {
                error,
                principal: None,
                body,
            });
        }
    };
    // Whether the caller may do this at all comes first: a caller who may
    // not has none of the body read.
    let role = match role_for(&principal, access) {
        Ok(role) => role,
        Err(denied) => {
            return Err(Refused {
                error: denied.into(),
                principal: Some(principal),
                body,
            });
        }
    };
    let mut body = body;
    if let Credential::Session { csrf_token, .. } = &principal.credential
        && !parts.method.is_safe()
    {
        body = match csrf_from_form(parts, body).await {
            Ok(body) => body,
            Err(error) => {
                return Err(Refused {
                    error,
                    principal: Some(principal),
                    body: Body::empty(),
                });
            }
        };
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) {
            return Err(Refused {
                error: Denied::CsrfTokenInvalid.into(),
                principal: Some(principal),
                body,
            });
        }
    }
    parts.extensions.insert(Caller {
        principal,
        role,
        address: address.0,
    });
    Ok(body)
}

/// The role that allows `principal` what `access` requires.
fn role_for(principal: &Principal, access: Access) -> Result<Option<Role>, Denied> {
    match access {
        Access::Public | Access::SelfService => Ok(None),
        Access::SignedIn => usable_password(principal).map(|()| None),
        Access::Permission(action, resource) => {
            usable_password(principal)?;
            principal
                .role_allowing(action, resource)
                .map(Some)
                .ok_or(Denied::Forbidden)
        }
    }
}

/// Form field that carries the CSRF token of a page's form.
pub const CSRF_FIELD: &str = "csrf_token";

/// A page's form posts its CSRF token as a field rather than a header:
/// for a form body without the header, the field is copied into the
/// header, so one check serves both. A form body is read whole (within
/// the request size limit); of a multipart body (an upload) only the
/// start, where a form puts the field before the file, and the body is
/// handed on whole all the same.
async fn csrf_from_form(parts: &mut Parts, body: Body) -> Result<Body, ApiError> {
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    // An upload form (a sheet to import) posts multipart.
    let is_multipart = content_type.starts_with("multipart/form-data");
    if !(is_form || is_multipart) || parts.headers.contains_key(CSRF_HEADER) {
        return Ok(body);
    }
    let (bytes, rest) = if is_multipart {
        read_start(body, MULTIPART_TOKEN_WITHIN).await?
    } else {
        let bytes = axum::body::to_bytes(body, crate::BODY_LIMIT_BYTES)
            .await
            .map_err(|_| ApiError::PayloadTooLarge)?;
        (bytes, None)
    };
    let token = if is_multipart {
        multipart_token(&bytes)
    } else {
        bytes
            .split(|b| *b == b'&')
            .filter_map(|pair| pair.strip_prefix(format!("{CSRF_FIELD}=").as_bytes()))
            .next()
    };
    if let Some(token) = token.and_then(|value| HeaderValue::from_bytes(value).ok()) {
        parts.headers.insert(CSRF_HEADER, token);
    }
    Ok(match rest {
        None => Body::from(bytes),
        Some(rest) => Body::from_stream(Prefixed {
            prefix: Some(bytes),
            rest: rest.into_data_stream(),
        }),
    })
}

/// Bytes of a multipart body searched for the CSRF field: the page's
/// upload form sends it first, in its first few hundred bytes.
const MULTIPART_TOKEN_WITHIN: usize = 16 * 1024;

/// Reads `body` until at least `at_least` bytes or its end: the bytes
/// read, and the rest of the body unless it ended.
async fn read_start(
    mut body: Body,
    at_least: usize,
) -> Result<(axum::body::Bytes, Option<Body>), ApiError> {
    use http_body_util::BodyExt;
    let mut start = Vec::new();
    while start.len() < at_least {
        match body.frame().await {
            None => return Ok((start.into(), None)),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    start.extend_from_slice(&data);
                }
            }
            // The body limit's error, or a broken connection.
            Some(Err(_)) => return Err(ApiError::PayloadTooLarge),
        }
    }
    Ok((start.into(), Some(body)))
}

/// A body whose start was read, handed on whole: the bytes read, then the
/// rest as it comes.
struct Prefixed {
    prefix: Option<axum::body::Bytes>,
    rest: axum::body::BodyDataStream,
}

impl futures_core::Stream for Prefixed {
    type Item = Result<axum::body::Bytes, axum::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        if let Some(prefix) = self.prefix.take() {
            return std::task::Poll::Ready(Some(Ok(prefix)));
        }
        std::pin::Pin::new(&mut self.rest).poll_next(cx)
    }
}

/// The CSRF field of a multipart body: the value of the part named
/// [`CSRF_FIELD`] (a token has no line breaks, so it ends at the first).
/// Forms put the field first, before the file.
fn multipart_token(body: &[u8]) -> Option<&[u8]> {
    let name = format!("name=\"{CSRF_FIELD}\"");
    let at = find(body, name.as_bytes())?;
    let rest = &body[at..];
    let start = find(rest, b"\r\n\r\n")? + 4;
    let value = &rest[start..];
    let end = find(value, b"\r\n")?;
    Some(&value[..end])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn usable_password(principal: &Principal) -> Result<(), Denied> {
    if principal.must_change_password {
        Err(Denied::PasswordChangeRequired)
    } else {
        Ok(())
    }
}

async fn authenticate(
    state: &AppState,
    parts: &Parts,
    address: ClientAddress,
) -> Result<Principal, ApiError> {
    let now = state.clock.now();
    if let Some(authorization) = parts.headers.get(header::AUTHORIZATION) {
        return bearer(state, authorization, address, now).await;
    }
    match cookie::session_id(&parts.headers) {
        Some(session_id) => session(state, &session_id, now).await,
        None => Err(Denied::NotSignedIn.into()),
    }
}

async fn session(
    state: &AppState,
    session_id: &str,
    now: OffsetDateTime,
) -> Result<Principal, ApiError> {
    let token_hash = digest(session_id);
    let hash = token_hash.clone();
    let Some(session) = run(state, move |store| store.session_unscoped(&hash)).await? else {
        return Err(Denied::SessionExpired.into());
    };
    let config = &state.security;
    let idle = session.last_seen_at + config.session_idle <= now;
    let too_old = session.created_at + config.session_absolute <= now;
    if idle || too_old || session.account.disabled {
        let hash = token_hash.clone();
        run(state, move |store| store.end_session_unscoped(&hash)).await?;
        return Err(Denied::SessionExpired.into());
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        let hash = token_hash.clone();
        run(state, move |store| store.touch_session_unscoped(&hash, now)).await?;
    }
    let credential = Credential::Session {
        token_hash,
        csrf_token: csrf_token(session_id),
    };
    Ok(Principal::of_session(
        &session.account,
        credential,
        config,
        now,
    ))
}

async fn bearer(
    state: &AppState,
    authorization: &HeaderValue,
    address: ClientAddress,
    now: OffsetDateTime,
) -> Result<Principal, ApiError> {
    let limit = state.security.tokens_per_address;
    let key = format!("bearer:{}", address.key());
    state
        .limiter
        .check(&key, limit, now)
        .map_err(|retry_after| Denied::TooManyAttempts { retry_after })?;
    let refuse = || -> ApiError {
        // Only failures count: a program using a good token is not slowed.
        let _ = state.limiter.attempt(&key, limit, now);
        Denied::InvalidToken.into()
    };
    let Some(token) = authorization
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with(API_TOKEN_PREFIX))
    else {
        return Err(refuse());
    };
    let hash = digest(token);
    let Some((token, account)) = run(state, move |store| store.api_token_unscoped(&hash)).await?
    else {
        return Err(refuse());
    };
    // The token stops working when its account could no longer issue it.
    let usable = token.is_live_at(now)
        && !account.disabled
        && account.unit.contains(&token.unit)
        && role_within(token.role, &account.roles);
    if !usable {
        return Err(refuse());
    }
    if token
        .last_used_at
        .is_none_or(|used| now - used >= TOUCH_EVERY)
    {
        let id = token.id;
        run(state, move |store| store.touch_api_token_unscoped(id, now)).await?;
    }
    Ok(Principal {
        account: account.id,
        username: account.username,
        display_name: account.display_name,
        unit: token.unit,
        roles: vec![token.role],
        credential: Credential::ApiToken { id: token.id },
        must_change_password: false,
        password_expires_at: token.expires_at,
    })
}
