//! Registering and changing an employer (新增/修改用工单位). The credit
//! code (统一社会信用代码) is checked as it is typed and fixed once
//! registered; a collector also gives when and where the record was
//! collected. Parsed by the API's own request types, so the form and
//! `POST/PUT /api/v1/employers` accept the same input.
//!
//! The pages show the phone masked, so the change form starts it empty:
//! left empty it keeps the number on file, and "remove" clears it.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::form::FormData;
use super::person::path_id;
use super::record_form::{absorb_as, collection_of, refuse_record, unit_choices, with_status};
use crate::AppState;
use crate::dto::collection::CollectionRequest;
use crate::dto::employers::{CreateEmployerRequest, EmployerFields};
use crate::format;
use crate::format::Choice;
use crate::i18n::Tr;
use crate::ops::records as ops;
use crate::scope::{CallerActor, CallerScope};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::Role;
use sojourn_domain::codes::Uscc;
use sojourn_domain::employer::{Employer, EmployerDetails, EmployerId};
use sojourn_domain::unit::Scope;
use sojourn_store::Actor;
use std::collections::HashMap;

/// Fields that must not be blank, checked before the parsers.
const REQUIRED: &[&str] = &["unit", "name", "legal_representative", "address"];

#[derive(Template)]
#[template(path = "employer_form.html")]
struct EmployerForm {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    /// The employer being changed, 0 for a new one.
    id: i64,
    /// Its credit code, fixed once registered.
    uscc: String,
    title: String,
    units: Vec<Choice>,
    collector: bool,
    /// The phone on file, masked, for the hint beside the empty field.
    phone_on_file: String,
}

/// Which employer the form is for: a new one, or one on file.
enum Target<'a> {
    New,
    Change(&'a Employer),
}

async fn show(
    state: &AppState,
    scope: Scope,
    ctx: &PageCtx,
    target: Target<'_>,
    f: FormData,
    actor: &Actor,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let units = blocking(state, tr, move |store| Units::load(store, &scope)).await?;
    let (id, uscc, title, phone_on_file) = match target {
        Target::New => (0, String::new(), tr.t("employer-new-title"), String::new()),
        Target::Change(e) => (
            e.id.0,
            e.uscc.to_string(),
            tr.ts("employer-edit-title", "name", &e.details.name.to_string()),
            format::phone(e.details.phone.as_ref()),
        ),
    };
    let page = EmployerForm {
        chrome: Chrome::new(ctx, &title, Nav::Employers, &units.root_name()),
        units: unit_choices(tr, &units, f.val("unit")),
        collector: id == 0 && actor.role == Some(Role::Collector),
        id,
        uscc,
        title,
        phone_on_file,
        f,
        tr,
    };
    render(tr, &page)
}

/// The fields as the API's request carries them; the phone as typed, or
/// (on a change left empty) the one on file unless "remove" is ticked.
fn fields_of(form: &FormData, on_file: Option<&Employer>) -> EmployerFields {
    let phone = match (form.opt("phone"), on_file) {
        (Some(typed), _) => Some(typed),
        (None, Some(_)) if form.opt("phone_clear").is_some() => None,
        (None, Some(e)) => e.details.phone.as_ref().map(|p| p.as_str().to_owned()),
        (None, None) => None,
    };
    EmployerFields {
        unit: form.val("unit").to_owned(),
        name: form.val("name").to_owned(),
        legal_representative: form.val("legal_representative").to_owned(),
        address: form.val("address").to_owned(),
        phone,
        declared_workers: 0,
    }
}

/// The declared workers: blank is none; anything else a whole number.
fn declared_workers(form: &mut FormData, tr: Tr) -> u32 {
    match form.opt("declared_workers") {
        None => 0,
        Some(text) => text.parse().unwrap_or_else(|_| {
            form.refuse("declared_workers", tr.t("error-not-a-number"));
            0
        }),
    }
}

/// `GET /employers/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
) -> Result<HtmlPage, PageError> {
    show(
        &state,
        scope,
        &ctx,
        Target::New,
        FormData::default(),
        &actor,
    )
    .await
}

/// `POST /employers/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut form = FormData::new(values);
    form.require(tr, &["uscc"]);
    form.require(tr, REQUIRED);
    let mut employer = fields_of(&form, None);
    employer.declared_workers = declared_workers(&mut form, tr);
    let request = CreateEmployerRequest {
        uscc: form.val("uscc").to_owned(),
        employer,
        collection: CollectionRequest::default(),
    };
    let parsed = match <(Uscc, EmployerDetails)>::try_from(&request) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            absorb_as(&mut form, tr, error, str::to_owned)?;
            None
        }
    };
    let collection = collection_of(&mut form, tr, &actor, state.clock.now(), None)?;
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    let Some((uscc, details)) = parsed.filter(|_| form.is_valid()) else {
        let page = show(&state, scope, &ctx, Target::New, form, &actor).await?;
        return Ok(with_status(page, refused).into_response());
    };
    let (write_scope, writer) = (scope.clone(), actor.clone());
    let outcome = ops::create_employer(&state, write_scope, writer, (uscc, details), collection)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    match outcome {
        Ok(employer) => {
            Ok(Redirect::to(&format!("/employers/{}?saved=1", employer.id.0)).into_response())
        }
        Err(error) => {
            refuse_record(&mut form, tr, error, None)?;
            let page = show(&state, scope, &ctx, Target::New, form, &actor).await?;
            Ok(with_status(page, refused).into_response())
        }
    }
}

/// The employer on file, in the reader's jurisdiction (another unit's is
/// "no such page").
async fn on_file(state: &AppState, tr: Tr, scope: Scope, id: &str) -> Result<Employer, PageError> {
    let id = EmployerId(path_id(tr, id)?);
    blocking(state, tr, move |store| store.get_employer(&scope, id)).await
}

fn filled(e: &Employer) -> FormData {
    let mut f = FormData::default();
    let d = &e.details;
    f.set("version", e.version.to_string());
    f.set("unit", d.unit.as_str());
    f.set("name", d.name.to_string());
    f.set("legal_representative", d.legal_representative.to_string());
    f.set("address", d.address.to_string());
    f.set("declared_workers", d.declared_workers.to_string());
    f
}

/// `GET /employers/{id}/edit`: the form filled from the record.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<HtmlPage, PageError> {
    let employer = on_file(&state, ctx.tr, scope.clone(), &id).await?;
    let form = filled(&employer);
    show(&state, scope, &ctx, Target::Change(&employer), form, &actor).await
}

/// `POST /employers/{id}/edit`.
pub(crate) async fn update(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let employer = on_file(&state, tr, scope.clone(), &id).await?;
    let mut form = FormData::new(values);
    form.require(tr, REQUIRED);
    let version = super::form::optional_number::<i64>(&mut form, tr, "version");
    let mut fields = fields_of(&form, Some(&employer));
    fields.declared_workers = declared_workers(&mut form, tr);
    let details = match EmployerDetails::try_from(&fields) {
        Ok(details) => Some(details).filter(|_| form.is_valid()),
        Err(error) => {
            absorb_as(&mut form, tr, error, str::to_owned)?;
            None
        }
    };
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(details) = details else {
        let page = show(&state, scope, &ctx, Target::Change(&employer), form, &actor).await?;
        return Ok(with_status(page, refused).into_response());
    };
    let version = version.unwrap_or(employer.version);
    let (write_scope, writer, id) = (scope.clone(), actor.clone(), employer.id);
    let outcome = ops::update_employer(&state, write_scope, writer, id, details, version)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    match outcome {
        Ok(saved) => {
            Ok(Redirect::to(&format!("/employers/{}?saved=1", saved.id.0)).into_response())
        }
        Err(error) => {
            refuse_record(&mut form, tr, error, None)?;
            let page = show(&state, scope, &ctx, Target::Change(&employer), form, &actor).await?;
            Ok(with_status(page, refused).into_response())
        }
    }
}
