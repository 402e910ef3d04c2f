//! Staff accounts of the reader's subtree: the list with its filters, a new
//! account (its one-time password shown once), and the page of one account
//! with the changes the reader's roles allow — each through the same
//! operation as the API's ([`crate::ops::accounts`]), so the rules (and
//! the audit trail) are one.

use super::{absorb, may, role_name, when};
use crate::AppState;
use crate::auth::Caller;
use crate::dto::accounts::{AssignRolesRequest, CreateAccountRequest, NewAccountFields};
use crate::format::Choice;
use crate::i18n::Tr;
use crate::ops::accounts as ops;
use crate::pages::access::{Units, blocking, unit_options};
use crate::pages::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use crate::pages::error::PageError;
use crate::pages::form::FormData;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{AccountId, Action, Resource, Role};
use sojourn_domain::unit::UnitCode;
use sojourn_store::Account;
use std::collections::HashMap;
use time::OffsetDateTime;

/// An account as a row of the list.
struct Row {
    id: i64,
    username: String,
    name: String,
    unit: String,
    roles: String,
    status: Vec<(&'static str, String)>,
}

/// The badges of an account's state: class and label.
fn status(tr: Tr, a: &Account, now: OffsetDateTime) -> Vec<(&'static str, String)> {
    let mut badges = Vec::new();
    if a.disabled {
        badges.push(("departed", tr.t("accounts-status-disabled")));
    } else {
        badges.push(("active", tr.t("accounts-status-active")));
    }
    if a.is_locked_at(now) {
        badges.push(("warn", tr.t("accounts-status-locked")));
    }
    if a.must_change_password {
        badges.push(("registered", tr.t("accounts-status-must-change")));
    }
    if a.roles.is_empty() {
        badges.push(("registered", tr.t("accounts-status-no-roles")));
    }
    badges
}

fn roles_text(tr: Tr, roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| role_name(tr, *r))
        .collect::<Vec<_>>()
        .join("、")
}

fn row(tr: Tr, units: &Units, a: &Account, now: OffsetDateTime) -> Row {
    Row {
        id: a.id.0,
        username: a.username.to_string(),
        name: a.display_name.to_string(),
        unit: units.name_of(&a.unit),
        roles: roles_text(tr, &a.roles),
        status: status(tr, a, now),
    }
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct ListPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    units: Vec<Choice>,
    roles: Vec<Choice>,
    statuses: Vec<Choice>,
    rows: Vec<Row>,
    can_create: bool,
}

/// The list's filters, as the URL carries them.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Filter {
    unit: Option<String>,
    role: Option<String>,
    status: Option<String>,
}

fn keep(filter: &Filter, unit: Option<&UnitCode>, a: &Account, now: OffsetDateTime) -> bool {
    let role = filter.role.as_deref().filter(|r| !r.is_empty());
    let status = filter.status.as_deref().unwrap_or_default();
    unit.is_none_or(|u| u.contains(&a.unit))
        && role.is_none_or(|key| a.roles.iter().any(|r| r.key() == key))
        && match status {
            "active" => !a.disabled,
            "disabled" => a.disabled,
            "locked" => a.is_locked_at(now),
            "must_change" => a.must_change_password,
            "no_roles" => a.roles.is_empty(),
            _ => true,
        }
}

/// `GET /admin/accounts?unit=&role=&status=`.
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Query(filter): Query<Filter>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let scope = caller.scope();
    let (units, accounts) = blocking(&state, tr, move |store| {
        Ok((Units::load(store, &scope)?, store.list_accounts(&scope)?))
    })
    .await?;
    let mut f = FormData::default();
    let unit_text = filter.unit.clone().unwrap_or_default();
    let unit = match unit_text.trim() {
        "" => None,
        text => match UnitCode::parse(text)
            .ok()
            .filter(|c| caller.scope().contains(c))
        {
            Some(code) => Some(code),
            None => {
                f.refuse("unit", tr.t("accounts-unit-outside"));
                None
            }
        },
    };
    let now = state.clock.now();
    let rows = accounts
        .iter()
        .filter(|a| keep(&filter, unit.as_ref(), a, now))
        .map(|a| row(tr, &units, a, now))
        .collect();
    let role = filter.role.clone().unwrap_or_default();
    let status_key = filter.status.clone().unwrap_or_default();
    let mut unit_choices = vec![Choice::new("", tr.t("filter-any"), &unit_text)];
    unit_choices.extend(unit_options(
        &units.all.iter().collect::<Vec<_>>(),
        &unit_text,
    ));
    let mut role_choices = vec![Choice::new("", tr.t("filter-any"), &role)];
    role_choices.extend(
        Role::ALL
            .into_iter()
            .map(|r| Choice::new(r.key(), role_name(tr, r), &role)),
    );
    let statuses = [
        ("", tr.t("filter-any")),
        ("active", tr.t("accounts-status-active")),
        ("disabled", tr.t("accounts-status-disabled")),
        ("locked", tr.t("accounts-status-locked")),
        ("must_change", tr.t("accounts-status-must-change")),
        ("no_roles", tr.t("accounts-status-no-roles")),
    ]
    .into_iter()
    .map(|(value, label)| Choice::new(value, label, &status_key))
    .collect();
    let title = tr.t("accounts-title");
    let page = ListPage {
        tr,
        chrome: Chrome::new(&ctx, &title, Nav::Accounts, &units.root_name()),
        f,
        units: unit_choices,
        roles: role_choices,
        statuses,
        rows,
        can_create: may(&caller, Action::Create, Resource::Account),
    };
    let mut html = render(tr, &page)?;
    if !page.f.is_valid() {
        html.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
    }
    Ok(html)
}

#[derive(Template)]
#[template(path = "admin_account_new.html")]
struct NewPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    units: Vec<Choice>,
}

async fn new_page(
    state: &AppState,
    caller: &Caller,
    ctx: &PageCtx,
    f: FormData,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let scope = caller.scope();
    let units = blocking(state, tr, move |store| Units::load(store, &scope)).await?;
    let selected = f.val("unit").to_owned();
    let mut choices = vec![Choice::new("", tr.t("form-choose"), &selected)];
    choices.extend(unit_options(
        &units.all.iter().collect::<Vec<_>>(),
        &selected,
    ));
    let title = tr.t("accounts-new-title");
    let page = NewPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Accounts, &units.root_name()),
        f,
        units: choices,
    };
    render(tr, &page)
}

/// `GET /admin/accounts/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
) -> Result<HtmlPage, PageError> {
    new_page(&state, &caller, &ctx, FormData::default()).await
}

/// The page that shows a secret once (a one-time password, a TOTP secret,
/// an API token): it is in this response and nowhere else.
#[derive(Template)]
#[template(path = "admin_secret.html")]
pub(super) struct SecretPage {
    pub tr: Tr,
    pub chrome: Chrome,
    pub heading: String,
    pub explanation: String,
    pub secret_label: String,
    pub secret: String,
    /// A second value (the TOTP provisioning URI), if any.
    pub extra_label: String,
    pub extra: String,
    pub back_href: String,
    pub back_label: String,
}

/// `POST /admin/accounts/new`: as the API's `POST /accounts`; the one-time
/// password is shown on the page that answers, once.
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut f = FormData::new(values);
    f.require(tr, &["username", "display_name", "unit"]);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if f.is_valid() {
        let request = CreateAccountRequest {
            username: f.opt("username").unwrap_or_default(),
            display_name: f.opt("display_name").unwrap_or_default(),
            unit: f.opt("unit").unwrap_or_default(),
        };
        let created = match NewAccountFields::try_from(&request) {
            Ok(fields) => ops::create(&state, &caller, fields).await,
            Err(error) => Err(error),
        };
        match created {
            Ok(issued) => {
                let account = issued.account;
                let page = SecretPage {
                    tr,
                    chrome: Chrome::new(&ctx, &tr.t("accounts-created-title"), Nav::Accounts, ""),
                    heading: tr.ts(
                        "accounts-created-heading",
                        "name",
                        account.username.as_str(),
                    ),
                    explanation: tr.t("accounts-created-explanation"),
                    secret_label: tr.t("accounts-one-time-password"),
                    secret: issued.one_time_password,
                    extra_label: String::new(),
                    extra: String::new(),
                    back_href: format!("/admin/accounts/{}", account.id.0),
                    back_label: tr.t("accounts-to-account"),
                };
                let mut html = render(tr, &page)?;
                html.status = Some(StatusCode::CREATED);
                return Ok(html.into_response());
            }
            Err(error) => {
                let fields = [
                    ("duplicate_account", "username"),
                    ("reference_out_of_scope", "unit"),
                ];
                status = absorb(tr, &mut f, error, &fields)?;
            }
        }
    }
    let mut page = new_page(&state, &caller, &ctx, f).await?;
    page.status = Some(status);
    Ok(page.into_response())
}

/// One role's checkbox.
struct RoleBox {
    key: &'static str,
    label: String,
    checked: bool,
    administrator: bool,
}

#[derive(Template)]
#[template(path = "admin_account.html")]
struct AccountPage {
    tr: Tr,
    chrome: Chrome,
    id: i64,
    username: String,
    name: String,
    unit: String,
    roles: String,
    status: Vec<(&'static str, String)>,
    has_totp: bool,
    locked: bool,
    disabled: bool,
    password_changed: String,
    last_login: String,
    created: String,
    updated: String,
    /// The reader's own account: the changes are someone else's job.
    own: bool,
    can_update: bool,
    can_assign: bool,
    can_manage: bool,
    role_boxes: Vec<RoleBox>,
    f: FormData,
    /// What was just done, from `?done=`.
    done: String,
}

async fn account_page(
    state: &AppState,
    caller: &Caller,
    ctx: &PageCtx,
    id: i64,
    f: FormData,
    done: &str,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let scope = caller.scope();
    let (units, account) = blocking(state, tr, move |store| {
        Ok((
            Units::load(store, &scope)?,
            store.get_account(&scope, AccountId(id))?,
        ))
    })
    .await?;
    let now = state.clock.now();
    let never = tr.t("accounts-never");
    let done = match done {
        "disabled" => tr.t("accounts-done-disabled"),
        "enabled" => tr.t("accounts-done-enabled"),
        "roles" => tr.t("accounts-done-roles"),
        "unlocked" => tr.t("accounts-done-unlocked"),
        "totp_withdrawn" => tr.t("accounts-done-totp-withdrawn"),
        _ => String::new(),
    };
    let role_boxes = Role::ALL
        .into_iter()
        .map(|r| RoleBox {
            key: r.key(),
            label: role_name(tr, r),
            checked: account.roles.contains(&r),
            administrator: r.is_administrator(),
        })
        .collect();
    let title = tr.ts("accounts-account-title", "name", account.username.as_str());
    let page = AccountPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Accounts, &units.root_name()),
        id,
        username: account.username.to_string(),
        name: account.display_name.to_string(),
        unit: units.name_of(&account.unit),
        roles: roles_text(tr, &account.roles),
        status: status(tr, &account, now),
        has_totp: account.has_totp,
        locked: account.is_locked_at(now),
        disabled: account.disabled,
        password_changed: when(account.password_changed_at),
        last_login: account.last_login_at.map_or(never, when),
        created: format!("{} · {}", when(account.created_at), account.created_by),
        updated: format!("{} · {}", when(account.updated_at), account.updated_by),
        own: caller.principal.account == account.id,
        can_update: may(caller, Action::Update, Resource::Account),
        can_assign: may(caller, Action::Assign, Resource::Account),
        can_manage: may(caller, Action::Manage, Resource::Account),
        role_boxes,
        f,
        done,
    };
    render(tr, &page)
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ShowQuery {
    done: Option<String>,
}

/// `GET /admin/accounts/{id}` (`done=` after a change).
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Query(query): Query<ShowQuery>,
) -> Result<HtmlPage, PageError> {
    let done = query.done.unwrap_or_default();
    account_page(&state, &caller, &ctx, id, FormData::default(), &done).await
}

/// After a change: back to the account, saying what was done; or the
/// refusal on the account's page.
async fn after<T>(
    state: &AppState,
    caller: &Caller,
    ctx: &PageCtx,
    id: i64,
    outcome: Result<T, crate::error::ApiError>,
    done: &str,
) -> Result<Response, PageError> {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/admin/accounts/{id}?done={done}")).into_response()),
        Err(error) => {
            let mut f = FormData::default();
            let status = absorb(ctx.tr, &mut f, error, &[])?;
            if let Some(message) = f.error_for("roles") {
                f.form_error = Some(message);
            }
            let mut page = account_page(state, caller, ctx, id, f, "").await?;
            page.status = Some(status);
            Ok(page.into_response())
        }
    }
}

/// `POST /admin/accounts/{id}/disable`.
pub(crate) async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let outcome = ops::set_disabled(&state, &caller, AccountId(id), true).await;
    after(&state, &caller, &ctx, id, outcome, "disabled").await
}

/// `POST /admin/accounts/{id}/enable`.
pub(crate) async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let outcome = ops::set_disabled(&state, &caller, AccountId(id), false).await;
    after(&state, &caller, &ctx, id, outcome, "enabled").await
}

/// `POST /admin/accounts/{id}/unlock`.
pub(crate) async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let outcome = ops::unlock(&state, &caller, AccountId(id)).await;
    after(&state, &caller, &ctx, id, outcome, "unlocked").await
}

/// `POST /admin/accounts/{id}/roles`: the checked roles replace the
/// account's (none checked withdraws them all).
pub(crate) async fn assign_roles(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let roles = values
        .into_iter()
        .filter(|(name, _)| name == "role")
        .map(|(_, value)| value)
        .collect();
    let request = AssignRolesRequest { roles };
    let outcome = ops::assign_roles(&state, &caller, AccountId(id), &request).await;
    after(&state, &caller, &ctx, id, outcome, "roles").await
}

/// `POST /admin/accounts/{id}/totp/withdraw`.
pub(crate) async fn withdraw_totp(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let outcome = ops::withdraw_totp(&state, &caller, AccountId(id)).await;
    after(&state, &caller, &ctx, id, outcome, "totp_withdrawn").await
}

/// `POST /admin/accounts/{id}/password`: a new one-time password, shown
/// once; the user must change it at sign-in.
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    match ops::reset_password(&state, &caller, AccountId(id)).await {
        Ok(issued) => {
            let page = SecretPage {
                tr,
                chrome: Chrome::new(&ctx, &tr.t("accounts-reset-title"), Nav::Accounts, ""),
                heading: tr.ts(
                    "accounts-reset-heading",
                    "name",
                    issued.account.username.as_str(),
                ),
                explanation: tr.t("accounts-created-explanation"),
                secret_label: tr.t("accounts-one-time-password"),
                secret: issued.one_time_password,
                extra_label: String::new(),
                extra: String::new(),
                back_href: format!("/admin/accounts/{id}"),
                back_label: tr.t("accounts-to-account"),
            };
            Ok(render(tr, &page)?.into_response())
        }
        Err(error) => after(&state, &caller, &ctx, id, Err::<(), _>(error), "").await,
    }
}

/// `POST /admin/accounts/{id}/totp`: a new second-factor secret replacing
/// any the account had, shown once for the user's authenticator app.
pub(crate) async fn reset_totp(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    match ops::enrol_totp(&state, &caller, AccountId(id)).await {
        Ok(enrolled) => {
            let page = SecretPage {
                tr,
                chrome: Chrome::new(&ctx, &tr.t("accounts-totp-title"), Nav::Accounts, ""),
                heading: tr.ts(
                    "accounts-totp-heading",
                    "name",
                    enrolled.account.username.as_str(),
                ),
                explanation: tr.t("accounts-totp-explanation"),
                secret_label: tr.t("accounts-totp-secret"),
                secret: enrolled.secret,
                extra_label: tr.t("accounts-totp-uri"),
                extra: enrolled.otpauth_uri,
                back_href: format!("/admin/accounts/{id}"),
                back_label: tr.t("accounts-to-account"),
            };
            Ok(render(tr, &page)?.into_response())
        }
        Err(error) => after(&state, &caller, &ctx, id, Err::<(), _>(error), "").await,
    }
}
