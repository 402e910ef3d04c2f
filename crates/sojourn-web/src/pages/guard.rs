//! The pages pass the API's guard ([`crate::auth::guard`]): the same
//! sign-in, CSRF and permission checks, from the same table of roles. Only
//! the refusal differs: a reader who is not signed in (or whose session
//! ended, or whose password must be changed) is sent to the page that
//! helps, and any other refusal is an HTML page in the reader's language.

use super::error::{PageError, localized};
use super::url::encode;
use crate::AppState;
use crate::auth::Access;
use crate::auth::Denied;
use crate::auth::guard::guard_with;
use crate::error::ApiError;
use crate::i18n::{Lang, Tr};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;

/// `route` behind the guard for `access`, refused with pages.
pub(crate) fn page(
    route: MethodRouter<AppState>,
    state: &AppState,
    access: Access,
) -> MethodRouter<AppState> {
    guard_with(route, state, access, refuse)
}

/// Sends the reader to `to`: a redirect, or for an htmx request (which
/// would otherwise swap the target page into a fragment) `HX-Redirect`.
fn send_to(parts: &Parts, to: &str) -> Response {
    if parts.headers.contains_key("hx-request") {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(value) = HeaderValue::from_str(to) {
            response.headers_mut().insert("hx-redirect", value);
        }
        response
    } else {
        Redirect::to(to).into_response()
    }
}

/// The sign-in page, coming back afterwards to the page one can come back
/// to: here for a GET that is not a fragment; for a form posted after the
/// session ended, the form's own page (its `Referer`, when it is this
/// server's), where the page's script has kept what was typed; for a
/// fragment (a live check as one types, a picker), the page it was asked
/// for from, likewise: a clerk typing when the session ends comes back to
/// the form, wherever the first refused request came from.
fn to_sign_in(parts: &Parts, expired: bool) -> Response {
    let mut to = "/sign-in".to_owned();
    let mut query = Vec::new();
    if expired {
        query.push("expired=1".to_owned());
    }
    let here = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let fragment = parts.headers.contains_key("hx-request");
    let back = match parts.method {
        _ if fragment => form_page(&parts.headers),
        Method::GET => Some(here.to_owned()),
        Method::POST => form_page(&parts.headers),
        _ => None,
    };
    if let Some(back) = back.filter(|b| b != "/") {
        query.push(format!("next={}", encode(&back)));
    }
    if !query.is_empty() {
        to = format!("{to}?{}", query.join("&"));
    }
    send_to(parts, &to)
}

/// The path of the page a form was posted (or a fragment asked) from, when
/// the `Referer` names this server (the sign-in page checks it is a local page again).
fn form_page(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("http://")
        .or_else(|| referer.strip_prefix("https://"))?;
    let path = rest.strip_prefix(host)?;
    path.starts_with('/').then(|| path.to_owned())
}

/// How the guard's refusals of a page are answered.
fn refuse(parts: &Parts, error: ApiError) -> Response {
    let tr = Tr::new(Lang::of_headers(&parts.headers));
    match error {
        ApiError::Denied(Denied::SessionExpired) => to_sign_in(parts, true),
        ApiError::Denied(Denied::NotSignedIn | Denied::InvalidToken) => to_sign_in(parts, false),
        ApiError::Denied(Denied::PasswordChangeRequired) => send_to(parts, "/password"),
        ApiError::Denied(denied) => {
            PageError::with_status(tr, denied.status(), localized(tr, &denied)).into_response()
        }
        ApiError::Internal(detail) => PageError::internal(tr, detail).into_response(),
        other => PageError::with_status(tr, other.status(), tr.t("error-refused")).into_response(),
    }
}

/// The answer to a path that is no page: the HTML "not found" page.
pub(crate) async fn no_page(headers: HeaderMap) -> Response {
    let tr = Tr::new(Lang::of_headers(&headers));
    PageError::with_status(tr, StatusCode::NOT_FOUND, tr.t("error-no-page")).into_response()
}
