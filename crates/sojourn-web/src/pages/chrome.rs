//! What every page shares: the request context (language, where we are),
//! the header and navigation around the content, and the HTML response.

use super::assets;
use super::error::PageError;
use super::url::encode;
use crate::auth::Caller;
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sojourn_domain::account::{Action, Resource, Role, allows};
use std::convert::Infallible;

/// The request as a page sees it: who reads (language), where (path and
/// query, for the language switch to come back to), and the token a form
/// or an htmx request must send back.
#[derive(Debug, Clone)]
pub(crate) struct PageCtx {
    pub tr: Tr,
    pub here: String,
    pub csrf: String,
    /// The signed-in user's display name; empty on public pages.
    pub user: String,
    /// The signed-in user's roles (none on public pages): the navigation
    /// offers only what they allow.
    pub roles: Vec<Role>,
}

impl PageCtx {
    /// Whether one of the reader's roles allows `action` on `resource`:
    /// a page offers only the buttons the guard would let through.
    pub(crate) fn may(&self, action: Action, resource: Resource) -> bool {
        self.roles.iter().any(|r| allows(*r, action, resource))
    }
}

/// The CSRF token of the caller's session, sent back by every form (field
/// `csrf_token`) and every htmx request (header `x-csrf-token`): the guard
/// leaves the signed-in [`Caller`] in the request's extensions. Empty on a
/// public page.
fn csrf_token(parts: &Parts) -> String {
    parts
        .extensions
        .get::<Caller>()
        .and_then(|c| c.principal.csrf_token())
        .unwrap_or_default()
        .to_owned()
}

fn user_roles(parts: &Parts) -> Vec<Role> {
    parts
        .extensions
        .get::<Caller>()
        .map(|c| c.principal.roles.clone())
        .unwrap_or_default()
}

fn user_name(parts: &Parts) -> String {
    parts
        .extensions
        .get::<Caller>()
        .map(|c| c.principal.display_name.to_string())
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let lang = Lang::from_request_parts(parts, state).await?;
        let here = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
        Ok(Self {
            tr: Tr::new(lang),
            here,
            csrf: csrf_token(parts),
            user: user_name(parts),
            roles: user_roles(parts),
        })
    }
}

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    Home,
    Residents,
    Register,
    Houses,
    Employers,
    Outflows,
    Units,
    Accounts,
    Tokens,
    Audit,
    Review,
    Quality,
    Staffing,
    Patrols,
    Import,
    /// Service requests at the window.
    Requests,
    None,
}

/// One entry of the navigation bar.
#[derive(Debug, Clone)]
pub(crate) struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

/// The entries the reader's roles allow (each page checks again).
fn nav_items(tr: Tr, active: Nav, roles: &[Role]) -> Vec<NavItem> {
    use Action::{Create, Read};
    use Resource::{Account, ApiToken, Audit, Employer, House, Outflow, Resident, Unit};
    let item = |href, label: String, nav| NavItem {
        href,
        label,
        active: nav == active,
    };
    let may = |action, resource| roles.iter().any(|r| allows(*r, action, resource));
    [
        (may(Read, Resident), item("/", tr.t("nav-home"), Nav::Home)),
        (
            may(Read, Resident),
            item("/residents", tr.t("nav-residents"), Nav::Residents),
        ),
        (
            may(Create, Resident),
            item("/residents/new", tr.t("nav-register"), Nav::Register),
        ),
        (
            may(Read, House),
            item("/houses", tr.t("nav-houses"), Nav::Houses),
        ),
        (
            may(Read, Employer),
            item("/employers", tr.t("nav-employers"), Nav::Employers),
        ),
        (
            may(Read, Outflow),
            item("/outflows", tr.t("nav-outflows"), Nav::Outflows),
        ),
        (
            may(Create, Resident),
            item("/import", tr.t("nav-import"), Nav::Import),
        ),
        (
            may(Read, Resource::Review),
            item("/review", tr.t("nav-review"), Nav::Review),
        ),
        (
            may(Read, Resource::Quality),
            item("/quality", tr.t("nav-quality"), Nav::Quality),
        ),
        (
            may(Read, Resource::Patrol),
            item("/patrols", tr.t("nav-patrols"), Nav::Patrols),
        ),
        (
            may(Read, Resource::Assessment),
            item("/staffing", tr.t("nav-staffing"), Nav::Staffing),
        ),
        (
            may(Read, Resource::ServiceRequest),
            item("/service-requests", tr.t("nav-requests"), Nav::Requests),
        ),
        (
            may(Read, Unit),
            item("/admin/units", tr.t("nav-units"), Nav::Units),
        ),
        (
            may(Read, Account),
            item("/admin/accounts", tr.t("nav-accounts"), Nav::Accounts),
        ),
        (
            may(Read, ApiToken),
            item("/admin/tokens", tr.t("nav-tokens"), Nav::Tokens),
        ),
        (
            may(Read, Audit),
            item("/admin/audit", tr.t("nav-audit"), Nav::Audit),
        ),
    ]
    .into_iter()
    .filter_map(|(shown, item)| shown.then_some(item))
    .collect()
}

/// The frame around a page's content.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    pub lang_tag: &'static str,
    pub title: String,
    pub nav: Vec<NavItem>,
    /// Name of the unit whose data the reader sees (the scope's root).
    pub unit_name: String,
    /// The link that switches to the other language and comes back here.
    pub switch_href: String,
    pub switch_label: String,
    pub css: String,
    pub js: String,
    pub htmx: String,
    /// See [`csrf_token`]; empty when there is none.
    pub csrf: String,
    /// Who is signed in; empty on public pages, which then show neither
    /// navigation nor search.
    pub user: String,
    /// Whether the reader may search residents (the header's search box).
    pub search: bool,
}

impl Chrome {
    pub(crate) fn new(ctx: &PageCtx, title: &str, nav: Nav, unit_name: &str) -> Self {
        let tr = ctx.tr;
        let other = tr.lang.other();
        Self {
            lang_tag: tr.lang.tag(),
            title: title.to_owned(),
            nav: nav_items(tr, nav, &ctx.roles),
            unit_name: unit_name.to_owned(),
            switch_href: format!("/lang/{}?back={}", other.tag(), encode(&ctx.here)),
            switch_label: Tr::new(other).t("lang-name"),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            htmx: assets::url("htmx.min.js"),
            csrf: ctx.csrf.clone(),
            user: ctx.user.clone(),
            search: ctx
                .roles
                .iter()
                .any(|r| allows(*r, Action::Read, Resource::Resident)),
        }
    }

    /// The frame of an error page, which knows neither unit nor place.
    pub(crate) fn bare(tr: Tr, title: &str, nav: Nav) -> Self {
        let ctx = PageCtx {
            tr,
            here: "/".to_owned(),
            csrf: String::new(),
            user: String::new(),
            roles: Vec::new(),
        };
        Self::new(&ctx, title, nav, "")
    }
}

/// A rendered page. Pages show personal data, so no cache keeps them.
pub(crate) struct HtmlPage {
    pub body: String,
    /// 200 unless set (422 for a refused form).
    pub status: Option<StatusCode>,
}

impl IntoResponse for HtmlPage {
    fn into_response(self) -> Response {
        (
            self.status.unwrap_or(StatusCode::OK),
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            self.body,
        )
            .into_response()
    }
}

/// Renders a template into a page, or the error page if it fails.
pub(crate) fn render(tr: Tr, template: &impl Template) -> Result<HtmlPage, PageError> {
    template
        .render()
        .map(|body| HtmlPage { body, status: None })
        .map_err(|e| PageError::internal(tr, format!("template: {e}")))
}
