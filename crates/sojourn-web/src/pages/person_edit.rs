//! Changing a person file (修改档案): identity and contact fields and the
//! current stay, in one form. A refused form comes back with everything
//! as typed and each error in the reader's language beside its field; the
//! versions read travel with the form, so a change made meanwhile by
//! someone else is refused rather than overwritten. Every change is kept
//! as a revision the file's history shows.
//!
//! The phone field starts empty, so the form never shows a number in full:
//! left empty it keeps the number on file, and "remove" clears it.

use super::access::{Units, blocking, unit_options};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::form::{FormData, optional_number};
use super::guardian::{self, GuardianNeed, GuardianView};
use super::live::PickList;
use super::person::{PersonFile, load_audited, path_id};
use super::pickers::{LEVELS, Picker, PickerKind};
use crate::AppState;
use crate::auth::Caller;
use crate::dto::fields::Fields;
use crate::dto::people::{PersonFields, person_details};
use crate::dto::residences::{StayFields, stay_details};
use crate::format::Choice;
use crate::format::{self, code_options, code_rows};
use crate::i18n::Tr;
use crate::ops::residents as ops;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::codes::{
    Education, Ethnicity, MaritalStatus, Occupation, PoliticalStatus, ReasonForStay,
};
use sojourn_domain::person::{PersonDetails, PersonId};
use sojourn_domain::residence::{ResidenceId, StayDetails};
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::Scope;
use sojourn_store::AuditAction;
use std::collections::HashMap;

/// Fields that must not be blank (as on the registration form).
const REQUIRED: &[&str] = &["name", "ethnicity"];
const REQUIRED_STAY: &[&str] = &["unit", "arrived_on", "reason", "current_address"];

#[derive(Template)]
#[template(path = "person_edit.html")]
struct EditPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    person_id: i64,
    name: String,
    id_number: String,
    /// The phone on file, masked, for the hint beside the empty field.
    phone_on_file: String,
    has_stay: bool,
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
}

/// `GET /persons/{id}/edit`: the form filled from the file.
pub(crate) async fn form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = PersonId(path_id(tr, &id)?);
    let file = editable_file(&state, tr, scope.clone(), &caller, id).await?;
    let form = filled(&file);
    show(&state, scope, &ctx, &file, form, StatusCode::OK).await
}

/// The file, if the reader may change it: a past community reads a file
/// but may not change it, and sees "no such page" here.
async fn editable_file(
    state: &AppState,
    tr: Tr,
    scope: Scope,
    caller: &Caller,
    id: PersonId,
) -> Result<PersonFile, PageError> {
    let file = load_audited(state, tr, scope, caller, id, AuditAction::Read, None).await?;
    if file.editable {
        Ok(file)
    } else {
        Err(PageError::not_found(tr))
    }
}

/// The form's values as the file holds them.
fn filled(file: &PersonFile) -> FormData {
    let mut f = FormData::default();
    let d = &file.person.details;
    f.set("version", file.person.version.to_string());
    f.set("name", d.name.to_string());
    f.set("ethnicity", d.ethnicity.code());
    let domicile = d.domicile.as_str();
    for (level, len) in LEVELS.iter().zip([2, 4, 6, 9, 12]) {
        if let Some(prefix) = domicile.get(..len) {
            f.set(&format!("domicile_{level}"), prefix);
        }
    }
    let text = |v: Option<String>| v.unwrap_or_default();
    f.set(
        "domicile_address",
        text(d.domicile_address.as_ref().map(ToString::to_string)),
    );
    f.set("marital_status", d.marital_status.map_or("", |v| v.code()));
    f.set("education", d.education.map_or("", |v| v.code()));
    f.set(
        "political_status",
        d.political_status.map_or("", |v| v.code()),
    );
    f.set("occupation", d.occupation.map_or("", |v| v.code()));
    guardian::fill(&mut f, d.guardian.as_ref());
    if let Some(r) = file.current() {
        let s = &r.stay;
        f.set("stay_id", r.id.0.to_string());
        f.set("stay_version", r.version.to_string());
        f.set("unit", s.unit.as_str());
        f.set("arrived_on", s.arrived_on.date().to_string());
        f.set(
            "intended_stay_months",
            text(s.intended_stay_months.map(|m| m.to_string())),
        );
        f.set("reason", s.reason.code());
        f.set("current_address", s.current_address.to_string());
        f.set("house_id", text(s.house.map(|h| h.0.to_string())));
        f.set("employer_id", text(s.employer.map(|e| e.0.to_string())));
    }
    f
}

async fn show(
    state: &AppState,
    scope: Scope,
    ctx: &PageCtx,
    file: &PersonFile,
    form: FormData,
    status: StatusCode,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let house = form.opt("house_id");
    let employer = form.opt("employer_id");
    let (house_q, employer_q) = (form.opt("house_q"), form.opt("employer_q"));
    let (houses, employers) = blocking(state, tr, move |store| {
        let houses = PickList::houses(store, &scope, house_q.as_deref(), house.as_deref())?;
        let employers =
            PickList::employers(store, &scope, employer_q.as_deref(), employer.as_deref())?;
        Ok((houses, employers))
    })
    .await?;
    let name = file.person.details.name.to_string();
    let title = tr.ts("edit-title", "name", &name);
    let picker = Picker::from_form(tr, PickerKind::Domicile, form.values(), true)
        .with_error(form.error_for("domicile"));
    let page = EditPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Residents, &file.units.root_name()),
        person_id: file.person.id.0,
        name,
        id_number: format::id_number(&file.person.id_number),
        phone_on_file: format::phone(file.person.details.phone.as_ref()),
        has_stay: file.current().is_some(),
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
        units: unit_choices(tr, &file.units, form.val("unit")),
        houses: houses.html(tr, "house_id"),
        employers: employers.html(tr, "employer_id"),
        guardian: guardian_view(tr, &form, file),
        today: china_today().to_string(),
        f: form,
    };
    let mut page = render(tr, &page)?;
    if status != StatusCode::OK {
        page.status = Some(status);
    }
    Ok(page)
}

/// The fieldset for this file: needed while the person is under 16 today;
/// shown for an adult whose file keeps a guardian.
fn guardian_view(tr: Tr, form: &FormData, file: &PersonFile) -> GuardianView {
    let on_file = file.person.details.guardian.as_ref();
    let need = GuardianNeed::of(tr, Some(&file.person.id_number), china_today())
        .shown_for_kept(on_file.is_some());
    GuardianView::new(tr, form, need).on_file(on_file)
}

fn unit_choices(tr: Tr, units: &Units, selected: &str) -> Vec<Choice> {
    let mut choices = vec![Choice::new("", tr.t("form-choose"), selected)];
    choices.extend(unit_options(&units.residence_units(), selected));
    choices
}

/// A checked change: the person's details and, if the file has a current
/// stay, the stay's; each with the version it was read at.
struct Change {
    person: PersonDetails,
    version: i64,
    stay: Option<(ResidenceId, StayDetails, i64)>,
}

/// The phone as the change keeps it: a new number if typed, none if
/// "remove" is ticked, else the number on file.
fn phone_field(form: &FormData, file: &PersonFile) -> Option<String> {
    if let Some(typed) = form.opt("phone") {
        return Some(typed);
    }
    if form.opt("phone_clear").is_some() {
        return None;
    }
    file.person
        .details
        .phone
        .as_ref()
        .map(|p| p.as_str().to_owned())
}

/// Checks the whole form; the change if every field holds.
fn parse_change(
    form: &mut FormData,
    tr: Tr,
    file: &PersonFile,
) -> Result<Option<Change>, PageError> {
    let domicile = Picker::from_form(tr, PickerKind::Domicile, form.values(), true).value;
    form.require(tr, REQUIRED);
    let current = file.current();
    if current.is_some() {
        form.require(tr, REQUIRED_STAY);
    }
    if domicile.is_empty() {
        form.refuse("domicile", tr.t("error-domicile-required"));
    }
    let version = optional_number::<i64>(form, tr, "version");
    let stay_version = optional_number::<i64>(form, tr, "stay_version");
    let person_fields = PersonFields {
        name: form.val("name").to_owned(),
        ethnicity: form.val("ethnicity").to_owned(),
        domicile,
        domicile_address: form.opt("domicile_address"),
        phone: phone_field(form, file),
        marital_status: form.opt("marital_status"),
        education: form.opt("education"),
        political_status: form.opt("political_status"),
        occupation: form.opt("occupation"),
        guardian: Some(guardian::edited(
            form,
            file.person.details.guardian.as_ref(),
        )),
    };
    let stay_fields = StayFields {
        unit: form.val("unit").to_owned(),
        arrived_on: form.val("arrived_on").to_owned(),
        intended_stay_months: optional_number(form, tr, "intended_stay_months"),
        reason: form.val("reason").to_owned(),
        current_address: form.val("current_address").to_owned(),
        house_id: optional_number(form, tr, "house_id"),
        employer_id: optional_number(form, tr, "employer_id"),
    };
    let mut fields = Fields::default();
    let person = person_details(&mut fields, &person_fields);
    let stay = current.map(|_| stay_details(&mut fields, &stay_fields, china_today()));
    let parsed = fields.finish(Some(()));
    if let Err(error) = parsed {
        form.absorb(tr, error)
            .map_err(|e| PageError::internal(tr, e.to_string()))?;
        return Ok(None);
    }
    let stay = match (current, stay.flatten()) {
        (Some(r), Some(details)) => Some((r.id, details, stay_version.unwrap_or(r.version))),
        _ => None,
    };
    let change = person.map(|person| Change {
        person,
        version: version.unwrap_or(file.person.version),
        stay,
    });
    Ok(change.filter(|_| form.is_valid()))
}

/// `POST /persons/{id}/edit`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = PersonId(path_id(tr, &id)?);
    let file = editable_file(&state, tr, scope.clone(), &caller, id).await?;
    let mut form = FormData::new(values);
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    if form.is_refresh() {
        return Ok(show(&state, scope, &ctx, &file, form, StatusCode::OK)
            .await?
            .into_response());
    }
    let Some(change) = parse_change(&mut form, tr, &file)? else {
        return Ok(show(&state, scope, &ctx, &file, form, refused)
            .await?
            .into_response());
    };
    let (write_scope, actor) = (scope.clone(), caller.actor());
    let internal = |why| PageError::internal(tr, why);
    let person = ops::update_person(
        &state,
        write_scope.clone(),
        actor.clone(),
        id,
        change.person,
        change.version,
    )
    .await
    .map_err(internal)?;
    // The stay is changed once the person is saved.
    let outcome = match person {
        Err(error) => (None, Some(error)),
        Ok(person) => {
            let stay = match change.stay {
                Some((stay, details, version)) => {
                    ops::update_stay(&state, write_scope, actor, stay, details, version)
                        .await
                        .map_err(internal)?
                        .err()
                }
                None => None,
            };
            (Some(person.version), stay)
        }
    };
    match outcome {
        (_, None) => {
            let to = format!("/persons/{}?saved=1", id.0);
            Ok(Redirect::to(&to).into_response())
        }
        (saved_version, Some(error)) => {
            // The person may be saved and the stay refused: the form then
            // carries the new version, so a corrected stay can be sent.
            if let Some(version) = saved_version {
                form.set("version", version.to_string());
            }
            form.refuse_from_store(tr, error)?;
            Ok(show(&state, scope, &ctx, &file, form, refused)
                .await?
                .into_response())
        }
    }
}
