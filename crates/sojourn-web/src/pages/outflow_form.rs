//! Registering and changing an outflow record (新增/修改流出人口), and
//! recording that the person came back (已返回). The destination is
//! chosen from the division picker (province, prefecture, county or
//! town); the family left behind is kept with the record: members on file
//! stay unless removed, and new ones are added in blank rows. Parsed by
//! the API's own request types, so the form and `/api/v1/outflows`
//! accept the same input.
//!
//! The ID number is fixed once registered; the contact phone, personal,
//! starts empty on the change form and left empty keeps the one on file.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::form::{FormData, optional_number};
use super::person::path_id;
use super::pickers::{Picker, PickerKind};
use super::record_form::{
    absorb_as, collection_of, fill_picker, refuse_record, unit_choices, with_status,
};
use crate::AppState;
use crate::dto::collection::CollectionRequest;
use crate::dto::outflows::{CreateOutflowRequest, LeftBehindRequest, OutflowFields, ReturnRequest};
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
use sojourn_domain::codes::IdNumber;
use sojourn_domain::codes::division::full_name;
use sojourn_domain::outflow::{Outflow, OutflowDetails, OutflowId};
use sojourn_domain::time_rules::{PastDate, china_today};
use sojourn_domain::unit::Scope;
use sojourn_store::Actor;
use std::collections::HashMap;

/// Fields that must not be blank, checked before the parsers.
const REQUIRED: &[&str] = &["unit", "name", "left_on"];

/// Blank rows for new family members left behind.
const NEW_ROWS: usize = 2;

/// A family member on file, as the change form lists them.
struct KeptMember {
    index: usize,
    label: String,
    dropped: bool,
    error: String,
}

/// One field of a blank family row, with its value and error.
struct RowField {
    name: String,
    label: String,
    kind: &'static str,
    hint: String,
    value: String,
    error: String,
}

/// A blank row for a new family member.
struct FamilyRow {
    id: String,
    fields: Vec<RowField>,
    /// A rule about the member as a whole (their age).
    error: String,
}

fn family_rows(tr: Tr, f: &FormData) -> Vec<FamilyRow> {
    let spec = [
        ("name", "outflow-family-name", "text", ""),
        (
            "relation",
            "outflow-relation",
            "text",
            "outflow-relation-hint",
        ),
        ("id_number", "field-id-number", "text", ""),
        (
            "birth_date",
            "field-birth-date",
            "date",
            "outflow-family-birth-hint",
        ),
    ];
    (0..NEW_ROWS)
        .map(|row| FamilyRow {
            id: format!("lb{row}"),
            fields: spec
                .into_iter()
                .map(|(field, label, kind, hint)| {
                    let name = format!("lb{row}_{field}");
                    RowField {
                        label: tr.t(label),
                        kind,
                        hint: if hint.is_empty() {
                            String::new()
                        } else {
                            tr.t(hint)
                        },
                        value: f.val(&name).to_owned(),
                        error: f.err(&name).to_owned(),
                        name,
                    }
                })
                .collect(),
            error: f.err(&format!("lb{row}")).to_owned(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "outflow_form.html")]
struct OutflowForm {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    /// The record being changed, 0 for a new one.
    id: i64,
    title: String,
    /// The ID number on file, masked (a change only).
    id_number: String,
    phone_on_file: String,
    units: Vec<Choice>,
    destination: String,
    kept: Vec<KeptMember>,
    rows: Vec<FamilyRow>,
    today: String,
    collector: bool,
}

async fn show(
    state: &AppState,
    scope: Scope,
    ctx: &PageCtx,
    record: Option<&Outflow>,
    f: FormData,
    actor: &Actor,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let units = blocking(state, tr, move |store| Units::load(store, &scope)).await?;
    let title = match record {
        None => tr.t("outflow-new-title"),
        Some(o) => tr.ts("outflow-edit-title", "name", &o.details.name.to_string()),
    };
    let picker = Picker::from_form(tr, PickerKind::Destination, f.values(), true)
        .with_error(f.error_for("destination"));
    let kept = record.map_or_else(Vec::new, |o| {
        (o.details.left_behind.iter().enumerate())
            .map(|(index, m)| KeptMember {
                index,
                dropped: f.opt(&format!("family_drop_{index}")).is_some(),
                error: f.err(&format!("family_kept_{index}")).to_owned(),
                label: format!(
                    "{}（{}，{}）",
                    m.name,
                    m.relation,
                    format::date(m.birth_date)
                ),
            })
            .collect()
    });
    let page = OutflowForm {
        chrome: Chrome::new(ctx, &title, Nav::Outflows, &units.root_name()),
        id: record.map_or(0, |o| o.id.0),
        id_number: record
            .map(|o| format::id_number(&o.id_number))
            .unwrap_or_default(),
        phone_on_file: record
            .map(|o| format::phone(o.details.contact_phone.as_ref()))
            .unwrap_or_default(),
        units: unit_choices(tr, &units, f.val("unit")),
        destination: picker.html(),
        kept,
        rows: family_rows(tr, &f),
        today: china_today().to_string(),
        collector: record.is_none() && actor.role == Some(Role::Collector),
        title,
        f,
        tr,
    };
    render(tr, &page)
}

/// The family as the request carries it: the members on file not
/// removed, then the rows filled in. Also which on-file member (or new
/// row) each request index is, to put its errors back beside it.
fn family(form: &FormData, record: Option<&Outflow>) -> (Vec<LeftBehindRequest>, Vec<String>) {
    let mut members = Vec::new();
    let mut places = Vec::new();
    if let Some(o) = record {
        for (i, m) in o.details.left_behind.iter().enumerate() {
            if form.opt(&format!("family_drop_{i}")).is_some() {
                continue;
            }
            members.push(LeftBehindRequest {
                name: m.name.to_string(),
                id_number: m.id_number.as_ref().map(|n| n.as_str().to_owned()),
                birth_date: Some(m.birth_date.to_string()),
                relation: m.relation.to_string(),
            });
            places.push(format!("family_kept_{i}"));
        }
    }
    for row in 0..NEW_ROWS {
        let field = |name: &str| format!("lb{row}_{name}");
        let names = ["name", "id_number", "birth_date", "relation"].map(field);
        if !form.any_set(&names.each_ref().map(String::as_str)) {
            continue;
        }
        members.push(LeftBehindRequest {
            name: form.val(&names[0]).to_owned(),
            id_number: form.opt(&names[1]),
            birth_date: form.opt(&names[2]),
            relation: form.val(&names[3]).to_owned(),
        });
        places.push(format!("lb{row}"));
    }
    (members, places)
}

/// The form's name of a request field: `left_behind[2].birth_date` →
/// `lb0_birth_date` (a new row) or `family_kept_1` (a member on file).
fn form_field(places: &[String], field: &str) -> String {
    let Some(rest) = field.strip_prefix("left_behind[") else {
        return field.to_owned();
    };
    let (index, tail) = rest.split_once(']').unwrap_or((rest, ""));
    let Some(place) = index.parse::<usize>().ok().and_then(|i| places.get(i)) else {
        return "left_behind".to_owned();
    };
    match tail.strip_prefix('.') {
        Some(name) if place.starts_with("lb") => format!("{place}_{name}"),
        _ => place.clone(),
    }
}

/// The fields as the API's request carries them.
fn fields_of(
    form: &mut FormData,
    tr: Tr,
    record: Option<&Outflow>,
) -> (OutflowFields, Vec<String>) {
    let picked = Picker::from_form(tr, PickerKind::Destination, form.values(), true).value;
    let destination = deeper_on_file(picked, record);
    if destination.is_empty() {
        form.refuse("destination", tr.t("error-destination-required"));
    }
    let phone = match (form.opt("contact_phone"), record) {
        (Some(typed), _) => Some(typed),
        (None, Some(_)) if form.opt("contact_phone_clear").is_some() => None,
        (None, Some(o)) => o
            .details
            .contact_phone
            .as_ref()
            .map(|p| p.as_str().to_owned()),
        (None, None) => None,
    };
    let (left_behind, places) = family(form, record);
    let fields = OutflowFields {
        unit: form.val("unit").to_owned(),
        name: form.val("name").to_owned(),
        left_on: form.val("left_on").to_owned(),
        destination,
        destination_address: form.opt("destination_address"),
        reason: form.opt("reason"),
        employer_name: form.opt("employer_name"),
        contact_phone: phone,
        left_behind,
    };
    (fields, places)
}

/// The picker goes down to the town; a destination on file that goes
/// deeper (a village, from an import) is kept while its town is still the
/// one chosen, so saving a change does not quietly cut it short.
fn deeper_on_file(picked: String, record: Option<&Outflow>) -> String {
    let Some(on_file) = record.map(|o| o.details.destination.as_str()) else {
        return picked;
    };
    let town_level = picked.len() == 9;
    if town_level && on_file.len() > picked.len() && on_file.starts_with(&picked) {
        on_file.to_owned()
    } else {
        picked
    }
}

/// `GET /outflows/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
) -> Result<HtmlPage, PageError> {
    show(&state, scope, &ctx, None, FormData::default(), &actor).await
}

/// `POST /outflows/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut form = FormData::new(values);
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    if form.is_refresh() {
        return Ok(show(&state, scope, &ctx, None, form, &actor)
            .await?
            .into_response());
    }
    form.require(tr, &["id_number"]);
    form.require(tr, REQUIRED);
    let (outflow, places) = fields_of(&mut form, tr, None);
    let request = CreateOutflowRequest {
        id_number: form.val("id_number").to_owned(),
        outflow,
        collection: CollectionRequest::default(),
    };
    let parsed = match <(IdNumber, OutflowDetails)>::try_from(&request) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            absorb_as(&mut form, tr, error, |f| form_field(&places, f))?;
            None
        }
    };
    // Collected after the person left, not before.
    let left_on = parsed.as_ref().map(|(_, d)| d.left_on.date());
    let collection = collection_of(&mut form, tr, &actor, state.clock.now(), left_on)?;
    let Some((id_number, details)) = parsed.filter(|_| form.is_valid()) else {
        let page = show(&state, scope, &ctx, None, form, &actor).await?;
        return Ok(with_status(page, refused).into_response());
    };
    let (write_scope, writer) = (scope.clone(), actor.clone());
    let record = (id_number, details);
    let outcome = ops::create_outflow(&state, write_scope, writer, record, collection)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    match outcome {
        Ok(o) => Ok(Redirect::to(&format!("/outflows/{}?saved=1", o.id.0)).into_response()),
        Err(error) => {
            refuse_record(&mut form, tr, error, None)?;
            let page = show(&state, scope, &ctx, None, form, &actor).await?;
            Ok(with_status(page, refused).into_response())
        }
    }
}

/// The record on file, in the reader's jurisdiction (another unit's is
/// "no such page").
async fn on_file(state: &AppState, tr: Tr, scope: Scope, id: &str) -> Result<Outflow, PageError> {
    let id = OutflowId(path_id(tr, id)?);
    blocking(state, tr, move |store| store.get_outflow(&scope, id)).await
}

fn filled(o: &Outflow) -> FormData {
    let mut f = FormData::default();
    let d = &o.details;
    let text = |v: Option<String>| v.unwrap_or_default();
    f.set("version", o.version.to_string());
    f.set("unit", d.unit.as_str());
    f.set("name", d.name.to_string());
    f.set("left_on", d.left_on.to_string());
    fill_picker(&mut f, "destination", d.destination.as_str());
    f.set(
        "destination_address",
        text(d.destination_address.as_ref().map(ToString::to_string)),
    );
    f.set("reason", text(d.reason.as_ref().map(ToString::to_string)));
    f.set(
        "employer_name",
        text(d.employer_name.as_ref().map(ToString::to_string)),
    );
    f
}

/// `GET /outflows/{id}/edit`: the form filled from the record.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<HtmlPage, PageError> {
    let record = on_file(&state, ctx.tr, scope.clone(), &id).await?;
    let form = filled(&record);
    show(&state, scope, &ctx, Some(&record), form, &actor).await
}

/// `POST /outflows/{id}/edit`.
pub(crate) async fn update(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let record = on_file(&state, tr, scope.clone(), &id).await?;
    let mut form = FormData::new(values);
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    if form.is_refresh() {
        let page = show(&state, scope, &ctx, Some(&record), form, &actor).await?;
        return Ok(page.into_response());
    }
    form.require(tr, REQUIRED);
    let version = optional_number::<i64>(&mut form, tr, "version");
    let (fields, places) = fields_of(&mut form, tr, Some(&record));
    let details = match OutflowDetails::try_from(&fields) {
        Ok(details) => Some(details).filter(|_| form.is_valid()),
        Err(error) => {
            absorb_as(&mut form, tr, error, |f| form_field(&places, f))?;
            None
        }
    };
    let Some(details) = details else {
        let page = show(&state, scope, &ctx, Some(&record), form, &actor).await?;
        return Ok(with_status(page, refused).into_response());
    };
    let version = version.unwrap_or(record.version);
    let (write_scope, writer, id) = (scope.clone(), actor.clone(), record.id);
    let outcome = ops::update_outflow(&state, write_scope, writer, id, details, version)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    match outcome {
        Ok(o) => Ok(Redirect::to(&format!("/outflows/{}?saved=1", o.id.0)).into_response()),
        Err(error) => {
            refuse_record(&mut form, tr, error, None)?;
            let page = show(&state, scope, &ctx, Some(&record), form, &actor).await?;
            Ok(with_status(page, refused).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "outflow_return.html")]
struct ReturnForm {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    id: i64,
    name: String,
    left_on: String,
    destination: String,
    today: String,
}

async fn show_return(
    state: &AppState,
    scope: Scope,
    ctx: &PageCtx,
    record: &Outflow,
    f: FormData,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let units = blocking(state, tr, move |store| Units::load(store, &scope)).await?;
    let name = record.details.name.to_string();
    let title = tr.ts("outflow-return-title", "name", &name);
    let page = ReturnForm {
        chrome: Chrome::new(ctx, &title, Nav::Outflows, &units.root_name()),
        id: record.id.0,
        name,
        left_on: format::date(record.details.left_on.date()),
        destination: full_name(&record.details.destination)
            .unwrap_or_else(|| record.details.destination.to_string()),
        today: china_today().to_string(),
        f,
        tr,
    };
    render(tr, &page)
}

/// `GET /outflows/{id}/return`: the date they came back, today unless
/// changed. A record already closed is not offered the form.
pub(crate) async fn return_form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let record = on_file(&state, ctx.tr, scope.clone(), &id).await?;
    if record.returned_on.is_some() {
        return Ok(Redirect::to(&format!("/outflows/{}", record.id.0)).into_response());
    }
    let mut form = FormData::default();
    form.set("version", record.version.to_string());
    form.set("returned_on", china_today().to_string());
    Ok(show_return(&state, scope, &ctx, &record, form)
        .await?
        .into_response())
}

/// `POST /outflows/{id}/return`.
pub(crate) async fn register_return(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let record = on_file(&state, tr, scope.clone(), &id).await?;
    let mut form = FormData::new(values);
    form.require(tr, &["returned_on"]);
    let version = optional_number::<i64>(&mut form, tr, "version").unwrap_or(record.version);
    let request = ReturnRequest {
        returned_on: form.val("returned_on").to_owned(),
        version,
    };
    let returned_on = match PastDate::try_from(&request) {
        Ok(on) => Some(on).filter(|_| form.is_valid()),
        Err(error) => {
            absorb_as(&mut form, tr, error, str::to_owned)?;
            None
        }
    };
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(returned_on) = returned_on else {
        let page = show_return(&state, scope, &ctx, &record, form).await?;
        return Ok(with_status(page, refused).into_response());
    };
    let (write_scope, writer, id) = (scope.clone(), actor.clone(), record.id);
    let outcome = ops::register_return(&state, write_scope, writer, id, returned_on, version)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    match outcome {
        Ok(o) => Ok(Redirect::to(&format!("/outflows/{}?returned=1", o.id.0)).into_response()),
        Err(error) => {
            refuse_record(&mut form, tr, error, Some("returned_on"))?;
            let page = show_return(&state, scope, &ctx, &record, form).await?;
            Ok(with_status(page, refused).into_response())
        }
    }
}
