//! Registering and changing a rental house (新增/修改出租房屋): address,
//! rooms and use, the landlord (a person with an ID number, or a company
//! with a credit code), the filing (备案) and the security agreement
//! (治安责任书) dates. Parsed by the API's own request types, so the form
//! and `POST/PUT /api/v1/houses` accept the same input.
//!
//! A person landlord's ID number and the landlord's phone are shown
//! masked: the change form does not show them in full but starts them
//! empty, and left empty they keep what is on file (as the person file's
//! phone).

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::form::{FormData, optional_number};
use super::houses::usage_en;
use super::person::path_id;
use super::record_form::{absorb_as, collection_of, refuse_record, unit_choices, with_status};
use crate::AppState;
use crate::dto::houses::{HouseRequest, LandlordRequest};
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
use sojourn_domain::house::{Filing, House, HouseDetails, HouseId, HouseUse, Landlord};
use sojourn_domain::unit::Scope;
use sojourn_store::Actor;
use std::collections::HashMap;

/// Fields that must not be blank, checked before the parsers.
const REQUIRED: &[&str] = &["unit", "address", "rooms", "usage", "landlord_name"];

#[derive(Template)]
#[template(path = "house_form.html")]
struct HouseForm {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    /// The house being changed, 0 for a new one.
    id: i64,
    title: String,
    units: Vec<Choice>,
    usages: Vec<Choice>,
    /// A person landlord's numbers on file, masked, for the hints beside
    /// the empty fields of a change; empty when there are none.
    id_on_file: String,
    phone_on_file: String,
    collector: bool,
}

async fn show(
    state: &AppState,
    scope: Scope,
    ctx: &PageCtx,
    house: Option<&House>,
    f: FormData,
    actor: &Actor,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let units = blocking(state, tr, move |store| Units::load(store, &scope)).await?;
    let title = match house {
        None => tr.t("house-new-title"),
        Some(h) => tr.ts(
            "house-edit-title",
            "address",
            &h.details.address.to_string(),
        ),
    };
    let person_on_file = house.and_then(|h| match &h.details.landlord {
        Landlord::Person { id_number, .. } => Some(format::id_number(id_number)),
        Landlord::Company { .. } => None,
    });
    let mut usages = vec![Choice::new("", tr.t("form-choose"), f.val("usage"))];
    usages.extend(HouseUse::ALL.map(|u| {
        Choice::new(
            u.key(),
            tr.lang.pick(u.name_zh(), usage_en(u)),
            f.val("usage"),
        )
    }));
    let page = HouseForm {
        chrome: Chrome::new(ctx, &title, Nav::Houses, &units.root_name()),
        units: unit_choices(tr, &units, f.val("unit")),
        usages,
        id: house.map_or(0, |h| h.id.0),
        id_on_file: person_on_file.unwrap_or_default(),
        phone_on_file: house
            .map(|h| format::phone(h.details.landlord.phone()))
            .unwrap_or_default(),
        collector: house.is_none() && actor.role == Some(Role::Collector),
        title,
        f,
        tr,
    };
    render(tr, &page)
}

/// A person landlord's ID number and phone as a change keeps them: typed,
/// or else the ones on file (the phone unless "remove" is ticked).
fn kept(form: &FormData, house: Option<&House>) -> (Option<String>, Option<String>) {
    let landlord = house.map(|h| &h.details.landlord);
    let id_on_file = match landlord {
        Some(Landlord::Person { id_number, .. }) => Some(id_number.as_str().to_owned()),
        _ => None,
    };
    let phone_on_file = landlord
        .and_then(Landlord::phone)
        .map(|p| p.as_str().to_owned());
    let id = form.opt("landlord_id_number").or(id_on_file);
    let phone = match form.opt("landlord_phone") {
        Some(typed) => Some(typed),
        None if form.opt("landlord_phone_clear").is_some() => None,
        None => phone_on_file,
    };
    (id, phone)
}

/// The API's request, built from the form.
fn request_of(form: &mut FormData, tr: Tr, house: Option<&House>) -> HouseRequest {
    let (id_number, phone) = kept(form, house);
    let name = form.val("landlord_name").to_owned();
    let landlord = if form.val("landlord_kind") == "company" {
        form.require(tr, &["landlord_uscc"]);
        LandlordRequest::Company {
            name,
            uscc: form.val("landlord_uscc").to_owned(),
            phone,
        }
    } else {
        if id_number.is_none() {
            form.require(tr, &["landlord_id_number"]);
        }
        LandlordRequest::Person {
            name,
            id_number: id_number.unwrap_or_default(),
            phone,
        }
    };
    HouseRequest {
        unit: form.val("unit").to_owned(),
        address: form.val("address").to_owned(),
        landlord,
        rooms: optional_number(form, tr, "rooms").unwrap_or(0),
        usage: form.val("usage").to_owned(),
        filed_on: form.opt("filed_on"),
        security_agreement_on: form.opt("security_agreement_on"),
    }
}

/// The form's name of a request field (`landlord.id_number` →
/// `landlord_id_number`).
fn form_field(field: &str) -> String {
    field.replace('.', "_")
}

/// Checks the whole form; the house if every field holds.
fn parse(
    form: &mut FormData,
    tr: Tr,
    house: Option<&House>,
) -> Result<Option<HouseDetails>, PageError> {
    form.require(tr, REQUIRED);
    let request = request_of(form, tr, house);
    match HouseDetails::try_from(&request) {
        Ok(details) => Ok(Some(details).filter(|_| form.is_valid())),
        Err(error) => {
            absorb_as(form, tr, error, form_field)?;
            Ok(None)
        }
    }
}

/// `GET /houses/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
) -> Result<HtmlPage, PageError> {
    let mut form = FormData::default();
    form.set("landlord_kind", "person");
    form.set("usage", HouseUse::Residential.key());
    form.set("rooms", "1");
    show(&state, scope, &ctx, None, form, &actor).await
}

/// `POST /houses/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut form = FormData::new(values);
    let details = parse(&mut form, tr, None)?;
    let collection = collection_of(&mut form, tr, &actor, state.clock.now(), None)?;
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(details) = details.filter(|_| form.is_valid()) else {
        let page = show(&state, scope, &ctx, None, form, &actor).await?;
        return Ok(with_status(page, refused).into_response());
    };
    let outcome = ops::create_house(&state, scope.clone(), actor.clone(), details, collection)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    match outcome {
        Ok(house) => Ok(Redirect::to(&format!("/houses/{}?saved=1", house.id.0)).into_response()),
        Err(error) => {
            refuse_record(&mut form, tr, error, None)?;
            let page = show(&state, scope, &ctx, None, form, &actor).await?;
            Ok(with_status(page, refused).into_response())
        }
    }
}

/// The house on file, in the reader's jurisdiction (another unit's is
/// "no such page").
pub(crate) async fn on_file(
    state: &AppState,
    tr: Tr,
    scope: Scope,
    id: &str,
) -> Result<House, PageError> {
    let id = HouseId(path_id(tr, id)?);
    blocking(state, tr, move |store| store.get_house(&scope, id)).await
}

/// The change form's values as the record holds them; a person
/// landlord's numbers start empty (kept unless typed over).
fn filled(h: &House) -> FormData {
    let mut f = FormData::default();
    let d = &h.details;
    f.set("version", h.version.to_string());
    f.set("unit", d.unit.as_str());
    f.set("address", d.address.to_string());
    f.set("rooms", d.rooms.to_string());
    f.set("usage", d.usage.key());
    f.set("landlord_name", d.landlord.display_name());
    match &d.landlord {
        Landlord::Person { .. } => f.set("landlord_kind", "person"),
        Landlord::Company { uscc, .. } => {
            f.set("landlord_kind", "company");
            f.set("landlord_uscc", uscc.to_string());
        }
    }
    if let Filing::Filed { on } = &d.filing {
        f.set("filed_on", on.to_string());
    }
    if let Some(on) = &d.security_agreement_on {
        f.set("security_agreement_on", on.to_string());
    }
    f
}

/// `GET /houses/{id}/edit`: the form filled from the record.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<HtmlPage, PageError> {
    let house = on_file(&state, ctx.tr, scope.clone(), &id).await?;
    let form = filled(&house);
    show(&state, scope, &ctx, Some(&house), form, &actor).await
}

/// `POST /houses/{id}/edit`.
pub(crate) async fn update(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let house = on_file(&state, tr, scope.clone(), &id).await?;
    let mut form = FormData::new(values);
    let version = optional_number::<i64>(&mut form, tr, "version");
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(details) = parse(&mut form, tr, Some(&house))? else {
        let page = show(&state, scope, &ctx, Some(&house), form, &actor).await?;
        return Ok(with_status(page, refused).into_response());
    };
    let version = version.unwrap_or(house.version);
    let (write_scope, writer, id) = (scope.clone(), actor.clone(), house.id);
    let outcome = ops::update_house(&state, write_scope, writer, id, details, version)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    match outcome {
        Ok(saved) => Ok(Redirect::to(&format!("/houses/{}?saved=1", saved.id.0)).into_response()),
        Err(error) => {
            refuse_record(&mut form, tr, error, None)?;
            let page = show(&state, scope, &ctx, Some(&house), form, &actor).await?;
            Ok(with_status(page, refused).into_response())
        }
    }
}
