//! Registering a departure (走有注销): when, where to (picked down to the
//! town) and why. The form names the version of the stay it was read at,
//! so a departure registered meanwhile by someone else is not overwritten.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::{PageError, localized};
use super::form::FormData;
use super::person::path_id;
use super::pickers::{Picker, PickerKind};
use crate::AppState;
use crate::dto::residences::DepartureRequest;
use crate::format;
use crate::i18n::Tr;
use crate::ops::residents as ops;
use crate::scope::{CallerActor, CallerScope};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::DomainError;
use sojourn_domain::codes::DivisionCode;
use sojourn_domain::person::Person;
use sojourn_domain::residence::{Departure, Residence, ResidenceId};
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::Scope;
use sojourn_store::StoreError;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "departure.html")]
struct DeparturePage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    residence_id: i64,
    person_id: i64,
    name: String,
    id_number: String,
    unit: String,
    arrived_on: String,
    departed: bool,
    destination: String,
    today: String,
}

/// The stay and its person.
struct Stay {
    units: Units,
    residence: Residence,
    person: Person,
}

async fn load(state: &AppState, tr: Tr, scope: Scope, id: ResidenceId) -> Result<Stay, PageError> {
    blocking(state, tr, move |store| {
        let residence = store.get_residence(&scope, id)?;
        let person = store.get_person(&scope, residence.person)?;
        Ok(Stay {
            units: Units::load(store, &scope)?,
            residence,
            person,
        })
    })
    .await
}

/// `GET /residences/{id}/departure`.
pub(crate) async fn form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<HtmlPage, PageError> {
    let id = ResidenceId(path_id(ctx.tr, &id)?);
    let stay = load(&state, ctx.tr, scope, id).await?;
    let mut f = FormData::default();
    f.set("departed_on", china_today().to_string());
    f.set("version", stay.residence.version.to_string());
    show(&ctx, &stay, f, StatusCode::OK)
}

fn show(
    ctx: &PageCtx,
    stay: &Stay,
    f: FormData,
    status: StatusCode,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let name = stay.person.details.name.to_string();
    let title = tr.ts("departure-title", "name", &name);
    let picker = Picker::from_form(tr, PickerKind::Destination, f.values(), false)
        .with_error(f.error_for("destination"));
    let page = DeparturePage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Residents, &stay.units.root_name()),
        residence_id: stay.residence.id.0,
        person_id: stay.person.id.0,
        name,
        id_number: format::id_number(&stay.person.id_number),
        unit: stay.units.name_of(&stay.residence.stay.unit),
        arrived_on: format::date(stay.residence.stay.arrived_on.date()),
        departed: !stay.residence.status.is_current(),
        destination: picker.html(),
        today: china_today().to_string(),
        f,
    };
    let mut page = render(tr, &page)?;
    page.status = Some(status);
    Ok(page)
}

/// Checks the form; the departure and the version it was read at.
fn parse_departure(f: &mut FormData, tr: Tr) -> Result<Option<(Departure, i64)>, PageError> {
    let destination = Picker::from_form(tr, PickerKind::Destination, f.values(), false).value;
    f.require(tr, &["departed_on"]);
    let town_level = DivisionCode::parse_known(&destination).map(|c| c.is_down_to_town());
    if matches!(town_level, Ok(false)) {
        f.refuse("destination", tr.t("error-destination-town"));
    }
    let version = f.val("version").parse::<i64>();
    let request = DepartureRequest {
        departed_on: f.val("departed_on").to_owned(),
        destination: (!destination.is_empty()).then_some(destination),
        destination_address: f.opt("destination_address"),
        reason: f.opt("reason_note"),
        version: *version.as_ref().unwrap_or(&0),
    };
    match Departure::try_from(&request) {
        Ok(departure) => match version {
            Ok(v) if f.is_valid() => Ok(Some((departure, v))),
            Ok(_) => Ok(None),
            Err(_) => Err(PageError::not_found(tr)),
        },
        Err(error) => {
            f.absorb(tr, rename_reason(error))
                .map_err(|e| PageError::internal(tr, e.to_string()))?;
            Ok(None)
        }
    }
}

/// The API calls the note `reason`; the form calls it `reason_note`, since
/// `reason` is the arrival's reason-for-stay code elsewhere.
fn rename_reason(error: crate::error::ApiError) -> crate::error::ApiError {
    match error {
        crate::error::ApiError::Validation(mut problems) => {
            for p in &mut problems {
                if p.field == "reason" {
                    p.field = "reason_note".to_owned();
                }
            }
            crate::error::ApiError::Validation(problems)
        }
        other => other,
    }
}

/// `POST /residences/{id}/departure`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = ResidenceId(path_id(tr, &id)?);
    let mut f = FormData::new(values);
    let parsed = if f.is_refresh() {
        None
    } else {
        parse_departure(&mut f, tr)?
    };
    if let Some((departure, version)) = parsed {
        let write_scope = scope.clone();
        let outcome = ops::register_departure(&state, write_scope, actor, id, departure, version)
            .await
            .map_err(|why| PageError::internal(tr, why))?;
        match outcome {
            Ok(residence) => {
                let to = format!("/persons/{}?departed=1", residence.person.0);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(error) => refuse_from_store(&mut f, tr, error)?,
        }
    }
    let stay = load(&state, tr, scope, id).await?;
    let status = if f.is_refresh() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(show(&ctx, &stay, f, status)?.into_response())
}

fn refuse_from_store(f: &mut FormData, tr: Tr, error: StoreError) -> Result<(), PageError> {
    match &error {
        StoreError::Rule(DomainError::DepartureBeforeArrival { .. }) => {
            f.refuse_with(tr, "departed_on", &error);
            Ok(())
        }
        StoreError::Rule(_) | StoreError::VersionConflict { .. } => {
            f.form_error = Some(localized(tr, &error));
            Ok(())
        }
        _ => Err(PageError::store(tr, error)),
    }
}
