//! The pages pass the API's guard ([`crate::auth::guard`]): the same
//! sign-in, CSRF and permission checks, from the same table of roles. Only
//! the refusal differs: a reader who is not signed in (or whose session
//! ended, or whose password must be changed) is sent to the page that
//! helps, and any other refusal is an HTML page in the reader's language.

use super::error::{PageError, localized};
use super::i18n::{Lang, Tr};
use super::url::encode;
use crate::AppState;
use crate::auth::Access;
use crate::auth::Denied;
use crate::auth::guard::guard_with;
use crate::error::ApiError;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
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

/// The sign-in page, coming back here afterwards when here is a page one
/// can come back to (a GET that is not a fragment).
fn to_sign_in(parts: &Parts, expired: bool) -> Response {
    let mut to = "/sign-in".to_owned();
    let mut query = Vec::new();
    if expired {
        query.push("expired=1".to_owned());
    }
    let here = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    if parts.method == Method::GET && !parts.headers.contains_key("hx-request") && here != "/" {
        query.push(format!("next={}", encode(here)));
    }
    if !query.is_empty() {
        to = format!("{to}?{}", query.join("&"));
    }
    send_to(parts, &to)
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
