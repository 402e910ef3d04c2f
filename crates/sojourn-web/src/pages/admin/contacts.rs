//! The contacts of a unit (联系方式): its coordinator and phone, and the
//! police officer for it, as the contact card (便民服务联系卡) prints them
//! for the unit's residents. Kept by whoever keeps the unit tree; each
//! change audited. A refused form comes back as typed, every error beside
//! its field.

use super::may;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::fields::Fields;
use crate::i18n::Tr;
use crate::pages::access::{Units, blocking, blocking_raw};
use crate::pages::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use crate::pages::error::PageError;
use crate::pages::form::FormData;
use crate::scope::{CallerActor, CallerScope};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::codes::Phone;
use sojourn_domain::text::PersonName;
use sojourn_domain::unit::{Scope, UnitCode, UnitContacts};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "admin_unit_contacts.html")]
struct ContactsPage {
    tr: Tr,
    chrome: Chrome,
    code: String,
    unit_name: String,
    f: FormData,
    may_change: bool,
    saved: bool,
}

fn unit_code(tr: Tr, code: &str) -> Result<UnitCode, PageError> {
    UnitCode::parse(code).map_err(|_| PageError::not_found(tr))
}

fn typed(contacts: &UnitContacts) -> FormData {
    let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
    FormData::new(HashMap::from([
        (
            "coordinator".to_owned(),
            text(contacts.coordinator.as_ref().map(PersonName::as_str)),
        ),
        (
            "phone".to_owned(),
            text(contacts.phone.as_ref().map(Phone::as_str)),
        ),
        (
            "police_officer".to_owned(),
            text(contacts.police_officer.as_ref().map(PersonName::as_str)),
        ),
        (
            "police_phone".to_owned(),
            text(contacts.police_phone.as_ref().map(Phone::as_str)),
        ),
    ]))
}

/// The contacts as typed, each blank one unknown; `None` with every error
/// on the form.
fn parse(tr: Tr, f: &mut FormData) -> Option<UnitContacts> {
    let mut fields = Fields::default();
    let name = |fields: &mut Fields, key: &str| {
        f.opt(key)
            .and_then(|v| fields.take(key, PersonName::parse(&v)))
    };
    let phone = |fields: &mut Fields, key: &str| {
        f.opt(key).and_then(|v| fields.take(key, Phone::parse(&v)))
    };
    let contacts = UnitContacts {
        coordinator: name(&mut fields, "coordinator"),
        phone: phone(&mut fields, "phone"),
        police_officer: name(&mut fields, "police_officer"),
        police_phone: phone(&mut fields, "police_phone"),
    };
    match fields.finish(Some(contacts)) {
        Ok(contacts) => Some(contacts),
        Err(error) => {
            // Field problems go beside their fields; nothing else comes here.
            let _ = f.absorb(tr, error);
            None
        }
    }
}

async fn show(
    state: &AppState,
    scope: Scope,
    caller: &Caller,
    ctx: &PageCtx,
    code: UnitCode,
    form: Option<FormData>,
    saved: bool,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let (units, unit, contacts) = blocking(state, tr, move |store| {
        let unit = store.get_unit(&scope, &code)?;
        let contacts = store.unit_contacts(&scope, &code)?;
        Ok((Units::load(store, &scope)?, unit, contacts))
    })
    .await?;
    let title = tr.ts("contacts-title", "unit", unit.name.as_str());
    let page = ContactsPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Units, &units.root_name()),
        code: unit.code.to_string(),
        unit_name: unit.name.to_string(),
        f: form.unwrap_or_else(|| typed(&contacts)),
        may_change: may(caller, Action::Update, Resource::Unit),
        saved,
    };
    render(tr, &page)
}

/// `GET /admin/units/{code}/contacts`.
pub(crate) async fn form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(code): Path<String>,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let code = unit_code(ctx.tr, &code)?;
    let saved = query.contains_key("saved");
    show(&state, scope, &caller, &ctx, code, None, saved).await
}

/// `POST /admin/units/{code}/contacts`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    caller: Caller,
    ctx: PageCtx,
    Path(code): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let code = unit_code(tr, &code)?;
    // Another jurisdiction's unit is not found, whoever asks; then, as
    // the route is the page's (reading the tree), changing takes more.
    let (read_scope, unit) = (scope.clone(), code.clone());
    blocking(&state, tr, move |store| store.get_unit(&read_scope, &unit)).await?;
    if !may(&caller, Action::Update, Resource::Unit) {
        let why = crate::pages::error::localized(tr, &crate::auth::Denied::Forbidden);
        return Err(PageError::with_status(tr, StatusCode::FORBIDDEN, why));
    }
    let mut f = FormData::new(values);
    let Some(contacts) = parse(tr, &mut f) else {
        let mut page = show(&state, scope, &caller, &ctx, code, Some(f), false).await?;
        page.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
        return Ok(page.into_response());
    };
    let (write_scope, unit) = (scope.clone(), code.clone());
    blocking_raw(&state, tr, move |store| {
        store.set_unit_contacts(&write_scope, &unit, &contacts, &actor)
    })
    .await?
    .map_err(|e| PageError::store(tr, e))?;
    let to = format!("/admin/units/{}/contacts?saved=1", code.as_str());
    Ok(Redirect::to(&to).into_response())
}
