//! API tokens of the reader's subtree: the list, a new token (its secret
//! shown once), and revoking one — through the same operations as the
//! API's ([`crate::ops::tokens`]).

use super::accounts::SecretPage;
use super::{absorb, may, role_name, when};
use crate::AppState;
use crate::auth::Caller;
use crate::dto::accounts::{CreateTokenRequest, DEFAULT_TOKEN_DAYS};
use crate::format::Choice;
use crate::i18n::Tr;
use crate::ops::tokens as ops;
use crate::pages::access::{Units, blocking, unit_options};
use crate::pages::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use crate::pages::error::PageError;
use crate::pages::form::FormData;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource, Role, role_within};
use sojourn_store::ApiTokenId;
use std::collections::HashMap;

struct Row {
    id: i64,
    name: String,
    unit: String,
    role: String,
    created: String,
    expires: String,
    last_used: String,
    live: bool,
    revoked: String,
}

#[derive(Template)]
#[template(path = "admin_tokens.html")]
struct TokensPage {
    tr: Tr,
    chrome: Chrome,
    rows: Vec<Row>,
    can_create: bool,
    can_revoke: bool,
    f: FormData,
    units: Vec<Choice>,
    roles: Vec<Choice>,
}

async fn tokens_page(
    state: &AppState,
    caller: &Caller,
    ctx: &PageCtx,
    mut f: FormData,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let scope = caller.scope();
    let (units, tokens) = blocking(state, tr, move |store| {
        Ok((Units::load(store, &scope)?, store.list_api_tokens(&scope)?))
    })
    .await?;
    let now = state.clock.now();
    let never = tr.t("accounts-never");
    let rows = tokens
        .iter()
        .map(|t| Row {
            id: t.id.0,
            name: t.name.to_string(),
            unit: units.name_of(&t.unit),
            role: role_name(tr, t.role),
            created: format!("{} · {}", when(t.created_at), t.created_by),
            expires: when(t.expires_at),
            last_used: t.last_used_at.map_or_else(|| never.clone(), when),
            live: t.is_live_at(now),
            revoked: t
                .revoked_at
                .map(|at| {
                    format!(
                        "{} · {}",
                        when(at),
                        t.revoked_by.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_default(),
        })
        .collect();
    if f.val("expires_in_days").is_empty() {
        f.set("expires_in_days", DEFAULT_TOKEN_DAYS.to_string());
    }
    let unit = f.val("unit").to_owned();
    let role = f.val("role").to_owned();
    let mut unit_choices = vec![Choice::new("", tr.t("tokens-unit-own"), &unit)];
    unit_choices.extend(unit_options(&units.all.iter().collect::<Vec<_>>(), &unit));
    // Only roles a token of this reader may carry.
    let mut role_choices = vec![Choice::new("", tr.t("form-choose"), &role)];
    role_choices.extend(
        Role::ALL
            .into_iter()
            .filter(|r| role_within(*r, &caller.principal.roles))
            .map(|r| Choice::new(r.key(), role_name(tr, r), &role)),
    );
    let title = tr.t("tokens-title");
    let page = TokensPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Tokens, &units.root_name()),
        rows,
        can_create: may(caller, Action::Create, Resource::ApiToken),
        can_revoke: may(caller, Action::Manage, Resource::ApiToken),
        f,
        units: unit_choices,
        roles: role_choices,
    };
    render(tr, &page)
}

/// `GET /admin/tokens`.
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
) -> Result<HtmlPage, PageError> {
    tokens_page(&state, &caller, &ctx, FormData::default()).await
}

/// `POST /admin/tokens/new`: as the API's `POST /tokens`; the secret is on
/// the page that answers, once.
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut f = FormData::new(values);
    f.require(tr, &["name", "role"]);
    let days = match f.opt("expires_in_days") {
        None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(days) => Some(days),
            Err(_) => {
                f.refuse("expires_in_days", tr.t("error-not-a-number"));
                None
            }
        },
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if f.is_valid() {
        let request = CreateTokenRequest {
            name: f.opt("name").unwrap_or_default(),
            unit: f.opt("unit"),
            role: f.opt("role").unwrap_or_default(),
            expires_in_days: days,
        };
        match ops::create(&state, &caller, &request).await {
            Ok(issued) => {
                let page = SecretPage {
                    tr,
                    chrome: Chrome::new(&ctx, &tr.t("tokens-created-title"), Nav::Tokens, ""),
                    heading: tr.ts(
                        "tokens-created-heading",
                        "name",
                        &issued.token.token.name.to_string(),
                    ),
                    explanation: tr.t("tokens-created-explanation"),
                    secret_label: tr.t("tokens-secret"),
                    secret: issued.secret,
                    extra_label: String::new(),
                    extra: String::new(),
                    back_href: "/admin/tokens".to_owned(),
                    back_label: tr.t("tokens-back"),
                };
                let mut html = render(tr, &page)?;
                html.status = Some(StatusCode::CREATED);
                return Ok(html.into_response());
            }
            Err(error) => {
                status = absorb(tr, &mut f, error, &[("reference_out_of_scope", "unit")])?;
            }
        }
    }
    let mut page = tokens_page(&state, &caller, &ctx, f).await?;
    page.status = Some(status);
    Ok(page.into_response())
}

/// `POST /admin/tokens/{id}/revoke`.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    match ops::revoke(&state, &caller, ApiTokenId(id)).await {
        Ok(_) => Ok(Redirect::to("/admin/tokens").into_response()),
        Err(error) => {
            let mut f = FormData::default();
            let status = absorb(ctx.tr, &mut f, error, &[])?;
            let message = f.form_error.unwrap_or_else(|| ctx.tr.t("error-refused"));
            Err(PageError::with_status(ctx.tr, status, message))
        }
    }
}
