//! Signing in, changing one's own password and signing out, as pages. The
//! rules (password, second factor, lockout, rate limits, the audit trail)
//! are the API's: these handlers call the same procedures
//! ([`crate::auth::login`], [`crate::ops::session`]) and only turn their
//! outcome into pages and redirects.

use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::{PageError, localized};
use super::form::FormData;
use super::lang::remembered;
use super::local_path::{LocalPath, NotLocal};
use crate::AppState;
use crate::auth::client::ClientAddress;
use crate::auth::login::{self, SignIn};
use crate::auth::{Caller, cookie};
use crate::error::ApiError;
use crate::i18n::{Tr, lang_cookie};
use crate::ops::session as ops;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

/// Where to go after signing in: a page of this site (by default, and in
/// place of the sign-in page itself or the API, the home page); a return
/// address that is not a path of this site is refused.
fn next_or_home(next: Option<&str>) -> Result<LocalPath, NotLocal> {
    let Some(next) = next.filter(|n| !n.is_empty()) else {
        return Ok(LocalPath::root());
    };
    let next = LocalPath::parse(next)?;
    let page = !next.as_str().starts_with("/sign-in") && !next.as_str().starts_with("/api/");
    Ok(if page { next } else { LocalPath::root() })
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    /// Why the reader is here: the session ended, or they signed out.
    notice: String,
}

fn sign_in_page(ctx: &PageCtx, f: FormData, notice: String) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let title = tr.t("sign-in-title");
    let page = SignInPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::None, ""),
        f,
        notice,
    };
    render(tr, &page)
}

/// `GET /sign-in`, with `next` (where to go after) and `expired=1` (the
/// guard sent the reader here because the session ended) or `out=1`.
pub(crate) async fn form(
    ctx: PageCtx,
    Query(query): Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let notice = if query.contains_key("expired") {
        tr.t("sign-in-expired")
    } else if query.contains_key("out") {
        tr.t("sign-in-signed-out")
    } else {
        String::new()
    };
    let next = next_or_home(query.get("next").map(String::as_str)).map_err(|why| why.page(tr))?;
    let mut f = FormData::default();
    f.set("next", next.as_str());
    sign_in_page(&ctx, f, notice)
}

/// `POST /sign-in`: the API's sign-in procedure; on success the session
/// cookie is set and the reader goes where they were going, or to the
/// password change when the password must be changed first.
pub(crate) async fn submit(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut f = FormData::new(values);
    // Checked before signing in, so that a refused address changes nothing.
    // Untrimmed: a line break around the address is refused, not dropped.
    let next = next_or_home(Some(f.val("next"))).map_err(|why| why.page(tr))?;
    let attempt = SignIn {
        username: f.val("username").trim().to_owned(),
        password: f.val("password").to_owned(),
        totp: f.opt("totp"),
    };
    let replacing = cookie::session_id(&headers);
    match login::sign_in(&state, attempt, address, replacing).await {
        Ok(signed_in) => {
            let to = if signed_in.principal.must_change_password {
                "/password"
            } else {
                next.as_str()
            };
            let mut response = Redirect::to(to).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                cookie::set(&signed_in.session_id, state.security.secure_cookies),
            );
            // The language the account chose last time, in this browser too.
            if let Some(lang) = remembered(&state, signed_in.principal.account).await
                && let Ok(value) = HeaderValue::from_str(&lang_cookie(lang))
            {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(ApiError::Denied(denied)) => {
            // One message above the form, whatever was wrong: the page
            // must not tell whether the name exists or the password was
            // right. The code field is always there, so an administrator
            // gives password and code in one go.
            let status = denied.status();
            f.form_error = Some(localized(tr, &denied));
            // The password is never sent back.
            f.set("password", "");
            let mut page = sign_in_page(&ctx, f, String::new())?;
            page.status = Some(status);
            Ok(page.into_response())
        }
        Err(other) => Err(PageError::internal(tr, other.to_string())),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    /// The password must be changed before anything else.
    required: bool,
    changed: bool,
}

fn password_page(
    ctx: &PageCtx,
    caller: &Caller,
    f: FormData,
    changed: bool,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let title = tr.t("password-title");
    let page = PasswordPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::None, ""),
        f,
        required: caller.principal.must_change_password,
        changed,
    };
    render(tr, &page)
}

/// `GET /password` (`changed=1` after a change).
pub(crate) async fn password_form(
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let changed = query.contains_key("changed");
    password_page(&ctx, &caller, FormData::default(), changed)
}

/// `POST /password`: the API's password change; the errors stand beside
/// their fields.
pub(crate) async fn password_submit(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut f = FormData::new(values);
    f.require(
        tr,
        &["current_password", "new_password", "confirm_password"],
    );
    if f.is_valid() && f.val("new_password") != f.val("confirm_password") {
        f.refuse("confirm_password", tr.t("password-mismatch"));
    }
    if f.is_valid() {
        let (current, new) = (
            f.val("current_password").to_owned(),
            f.val("new_password").to_owned(),
        );
        match login::change_password(&state, &caller, current, new).await {
            Ok(_) => return Ok(Redirect::to("/password?changed=1").into_response()),
            Err(ApiError::Denied(denied)) => f.form_error = Some(localized(tr, &denied)),
            Err(error) => {
                if let Err(other) = f.absorb(tr, error) {
                    return Err(PageError::internal(tr, other.to_string()));
                }
            }
        }
    }
    // Passwords are never sent back.
    for name in ["current_password", "new_password", "confirm_password"] {
        f.set(name, "");
    }
    let mut page = password_page(&ctx, &caller, f, false)?;
    page.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
    Ok(page.into_response())
}

/// `POST /sign-out`: the API's sign-out (which ends the session and records
/// it), the cookie cleared, then the sign-in page.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    // A program's token has no session to end: refused, as by the API.
    ops::sign_out(&state, &caller).await.map_err(|e| match e {
        ApiError::Denied(denied) => {
            PageError::with_status(tr, denied.status(), localized(tr, &denied))
        }
        other => PageError::internal(tr, other.to_string()),
    })?;
    let mut response = Redirect::to("/sign-in?out=1").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie::clear(state.security.secure_cookies),
    );
    Ok(response)
}

/// `GET /ui/session`: how long a session may sit unused, for the page's
/// script that warns before it ends and keeps it alive while a form is
/// typed. Reaching it is activity (the guard notes it), so the script
/// asks only when the reader is active or says "go on". A session that
/// has ended answers 401 (the script then keeps the form for after the
/// sign-in).
pub(crate) async fn keepalive(State(state): State<AppState>) -> Response {
    let idle = state.security.session_idle.whole_seconds();
    let body = format!("{{\"idle_seconds\":{idle}}}");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}
