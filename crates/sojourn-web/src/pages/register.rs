//! The registration form (来有登记): one page, checked as it is filled in
//! (ID number, pickers, single fields through htmx) and in full on submit.
//! A refused form comes back with everything typed and each error in the
//! reader's language beside its field.

use super::access::{Units, blocking, unit_options};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::form::{FormData, optional_number};
use super::guardian::{self, GuardianNeed, GuardianView};
use super::live::{IdInfo, PickList};
use super::pickers::{Picker, PickerKind};
use super::transfers::on_file;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::collection::CollectionRequest;
use crate::dto::people::{PersonFields, RegisterArrivalRequest};
use crate::dto::residences::StayFields;
use crate::format::Choice;
use crate::format::{code_options, code_rows};
use crate::i18n::Tr;
use crate::ops::residents::{self as ops, NewArrival};
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::Role;
use sojourn_domain::codes::{
    Education, Ethnicity, IdNumber, MaritalStatus, Occupation, PoliticalStatus, ReasonForStay,
};
use sojourn_domain::time_rules::{china_today, parse_iso_date};
use sojourn_domain::unit::Scope;
use std::collections::HashMap;
use time::Date;

/// Fields that must not be blank, checked before the parsers so a blank
/// field says "required" rather than "not a valid code".
const REQUIRED: &[&str] = &[
    "id_number",
    "name",
    "ethnicity",
    "unit",
    "arrived_on",
    "reason",
    "current_address",
];

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    /// The verdict on the ID number (named as the live check's fragment
    /// names it: both render `id_msg.html`).
    info: IdInfo,
    domicile: String,
    ethnicities: Vec<Choice>,
    marital_statuses: Vec<Choice>,
    educations: Vec<Choice>,
    political_statuses: Vec<Choice>,
    occupations: Vec<Choice>,
    reasons: Vec<Choice>,
    units: Vec<Choice>,
    houses: String,
    employers: String,
    guardian: GuardianView,
    today: String,
    /// Whether the reader registers as a collector: only then does the
    /// form ask when and where the record was collected.
    collector: bool,
}

/// `GET /residents/new`, optionally with `house_id`, `employer_id` or
/// `unit` chosen already (from a house's or employer's page).
pub(crate) async fn form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let mut form = FormData::default();
    for key in ["house_id", "employer_id", "unit"] {
        if let Some(value) = query.get(key) {
            form.set(key, value.trim());
        }
    }
    form.set("ethnicity", Ethnicity::Han.code());
    form.set("arrived_on", china_today().to_string());
    form.set(
        "reason",
        ReasonForStay::ALL.first().map_or("", |r| r.code()),
    );
    show(&state, scope, &ctx, form, StatusCode::OK, &caller).await
}

async fn show(
    state: &AppState,
    scope: Scope,
    ctx: &PageCtx,
    form: FormData,
    status: StatusCode,
    caller: &Caller,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    // A number with a current stay is 重卡 whatever else the form holds:
    // said beside the number, with the next step, on every showing.
    let found = match IdNumber::parse(form.val("id_number")) {
        Ok(id) => on_file(state, tr, caller, scope.clone(), id).await?,
        Err(_) => None,
    };
    let house = form.opt("house_id");
    let employer = form.opt("employer_id");
    let (house_q, employer_q) = (form.opt("house_q"), form.opt("employer_q"));
    let (units, houses, employers) = blocking(state, tr, move |store| {
        let units = Units::load(store, &scope)?;
        let houses = PickList::houses(store, &scope, house_q.as_deref(), house.as_deref())?;
        let employers =
            PickList::employers(store, &scope, employer_q.as_deref(), employer.as_deref())?;
        Ok((units, houses, employers))
    })
    .await?;
    let title = tr.t("register-title");
    let picker = Picker::from_form(tr, PickerKind::Domicile, form.values(), true)
        .with_error(form.error_for("domicile"));
    let page = RegisterPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Register, &units.root_name()),
        info: IdInfo::of(tr, form.val("id_number"), false).on_file(tr, found),
        domicile: picker.html(),
        ethnicities: code_options(tr, code_rows!(Ethnicity), form.val("ethnicity"), true),
        marital_statuses: code_options(
            tr,
            code_rows!(MaritalStatus),
            form.val("marital_status"),
            false,
        ),
        educations: code_options(tr, code_rows!(Education), form.val("education"), false),
        political_statuses: code_options(
            tr,
            code_rows!(PoliticalStatus),
            form.val("political_status"),
            false,
        ),
        occupations: code_options(tr, code_rows!(Occupation), form.val("occupation"), false),
        reasons: code_options(tr, code_rows!(ReasonForStay), form.val("reason"), true),
        units: unit_choices(tr, &units, form.val("unit")),
        houses: houses.html(tr, "house_id"),
        employers: employers.html(tr, "employer_id"),
        guardian: GuardianView::new(tr, &form, need_of(tr, &form)),
        today: china_today().to_string(),
        collector: caller.role == Some(Role::Collector),
        f: form,
    };
    let mut page = render(tr, &page)?;
    if status != StatusCode::OK {
        page.status = Some(status);
    }
    Ok(page)
}

/// Whether the number typed needs a guardian, on the arrival date typed
/// (today when that is not a date yet).
fn need_of(tr: Tr, form: &FormData) -> GuardianNeed {
    let id = IdNumber::parse(form.val("id_number")).ok();
    GuardianNeed::of(tr, id.as_ref(), arrival_day(form.val("arrived_on")))
}

/// The arrival date typed, or today.
pub(crate) fn arrival_day(typed: &str) -> Date {
    parse_iso_date(typed.trim()).unwrap_or_else(|_| china_today())
}

fn unit_choices(tr: Tr, units: &Units, selected: &str) -> Vec<Choice> {
    let mut choices = vec![Choice::new("", tr.t("form-choose"), selected)];
    choices.extend(unit_options(&units.residence_units(), selected));
    choices
}

/// The API's request, built from the form; problems of our own (a number
/// that is not one) are recorded on the form.
fn arrival_request(form: &mut FormData, tr: Tr, domicile: &str) -> RegisterArrivalRequest {
    let intended_stay_months = optional_number(form, tr, "intended_stay_months");
    let house_id = optional_number(form, tr, "house_id");
    let employer_id = optional_number(form, tr, "employer_id");
    RegisterArrivalRequest {
        id_number: form.val("id_number").to_owned(),
        person: PersonFields {
            name: form.val("name").to_owned(),
            ethnicity: form.val("ethnicity").to_owned(),
            domicile: domicile.to_owned(),
            domicile_address: form.opt("domicile_address"),
            phone: form.opt("phone"),
            marital_status: form.opt("marital_status"),
            education: form.opt("education"),
            political_status: form.opt("political_status"),
            occupation: form.opt("occupation"),
            guardian: Some(guardian::typed(form)),
        },
        stay: StayFields {
            unit: form.val("unit").to_owned(),
            arrived_on: form.val("arrived_on").to_owned(),
            intended_stay_months,
            reason: form.val("reason").to_owned(),
            current_address: form.val("current_address").to_owned(),
            house_id,
            employer_id,
        },
        collection: CollectionRequest {
            collected_at: form.opt("collected_at"),
            collected_place: form.opt("collected_place"),
        },
    }
}

/// Checks the whole form as the API checks its request; the arrival, and
/// when and where a collector collected it, if every field holds.
fn parse_arrival(
    form: &mut FormData,
    tr: Tr,
    state: &AppState,
    caller: &Caller,
) -> Result<Option<NewArrival>, PageError> {
    let domicile = Picker::from_form(tr, PickerKind::Domicile, form.values(), true).value;
    form.require(tr, REQUIRED);
    if domicile.is_empty() {
        form.refuse("domicile", tr.t("error-domicile-required"));
    }
    let request = arrival_request(form, tr, &domicile);
    match ops::parse_arrival(state, caller, request) {
        Ok(parsed) => Ok(form.is_valid().then_some(parsed)),
        Err(error) => {
            form.absorb(tr, error)
                .map_err(|e| PageError::internal(tr, e.to_string()))?;
            Ok(None)
        }
    }
}

/// `POST /residents/new`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut form = FormData::new(values);
    if form.is_refresh() {
        return Ok(show(&state, scope, &ctx, form, StatusCode::OK, &caller)
            .await?
            .into_response());
    }
    let Some(arrival) = parse_arrival(&mut form, tr, &state, &caller)? else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(show(&state, scope, &ctx, form, status, &caller)
            .await?
            .into_response());
    };
    let outcome = ops::register_arrival(&state, &caller, arrival)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    match outcome {
        Ok((person, _)) => {
            let to = format!("/persons/{}?registered=1", person.id.0);
            Ok(Redirect::to(&to).into_response())
        }
        Err(error) => {
            form.refuse_from_store(tr, error)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(show(&state, scope, &ctx, form, status, &caller)
                .await?
                .into_response())
        }
    }
}
