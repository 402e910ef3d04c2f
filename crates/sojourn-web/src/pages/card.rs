//! The contact card (便民服务联系卡, SPEC R3.4): a card the clerk prints and
//! hands to a registered resident, with their registration on the front
//! and the services and contacts of the community on the back. The page is
//! a print view: on paper only the card shows, with a cut line.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::person::path_id;
use crate::AppState;
use crate::format;
use crate::i18n::Tr;
use crate::scope::CallerScope;
use askama::Template;
use axum::extract::{Path, State};
use sojourn_domain::person::PersonId;
use sojourn_domain::residence::Residence;
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::{Scope, UnitCode, UnitContacts};
use sojourn_store::{Store, StoreError};

#[derive(Template)]
#[template(path = "card.html")]
struct CardPage {
    tr: Tr,
    chrome: Chrome,
    person_id: i64,
    name: String,
    sex: String,
    /// Masked even for staff: the card leaves the office in a pocket.
    id_number: String,
    domicile: String,
    address: String,
    community: String,
    registered_on: String,
    issuer: String,
    issued_on: String,
    services: Vec<String>,
    /// The community's contacts; an unknown one prints as a blank line.
    coordinator: String,
    phone: String,
    police: String,
}

fn services(tr: Tr) -> Vec<String> {
    vec![
        tr.t("card-service-permit"),
        tr.t("card-service-family-planning"),
        tr.t("card-service-vaccination"),
        tr.t("card-service-schooling"),
        tr.t("card-service-employment"),
        tr.t("card-service-legal-aid"),
    ]
}

/// The current stay, or the latest one for a card reprinted after leaving.
fn current_or_latest(stays: &[Residence]) -> Option<&Residence> {
    stays
        .iter()
        .find(|r| r.status.is_current())
        .or(stays.first())
}

/// The contacts of the stay's community; one another community keeps (the
/// file moved) is not this reader's to print, and prints blank.
fn contacts_of(
    store: &dyn Store,
    scope: &Scope,
    unit: &UnitCode,
) -> sojourn_store::Result<UnitContacts> {
    match store.unit_contacts(scope, unit) {
        Err(StoreError::NotFound { .. }) => Ok(UnitContacts::default()),
        other => other,
    }
}

/// `GET /persons/{id}/card`.
pub(crate) async fn show(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = PersonId(path_id(tr, &id)?);
    let (units, person, stays, contacts) = blocking(&state, tr, move |store| {
        let person = store.get_person(&scope, id)?;
        let stays = store.residences_of(&scope, id)?;
        let contacts = match current_or_latest(&stays) {
            Some(stay) => contacts_of(store, &scope, &stay.stay.unit)?,
            None => UnitContacts::default(),
        };
        Ok((Units::load(store, &scope)?, person, stays, contacts))
    })
    .await?;
    let stay = current_or_latest(&stays);
    let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
    let name = person.details.name.to_string();
    let title = tr.ts("card-title-for", "name", &name);
    let page = CardPage {
        chrome: Chrome::new(&ctx, &title, Nav::Residents, &units.root_name()),
        person_id: person.id.0,
        sex: format::sex(tr.lang, person.sex()),
        id_number: person.id_number.masked(),
        domicile: format::place(&person.details.domicile),
        address: stay
            .map(|r| r.stay.current_address.to_string())
            .unwrap_or_default(),
        community: stay
            .map(|r| units.name_of(&r.stay.unit))
            .unwrap_or_default(),
        registered_on: stay
            .map(|r| format::date(r.stay.arrived_on.date()))
            .unwrap_or_default(),
        issuer: tr.ts("card-issuer", "unit", &units.root_name()),
        issued_on: format::date(china_today()),
        services: services(tr),
        coordinator: text(contacts.coordinator.as_ref().map(|n| n.as_str())),
        phone: text(contacts.phone.as_ref().map(|p| p.as_str())),
        police: match (&contacts.police_officer, &contacts.police_phone) {
            (Some(name), Some(phone)) => format!("{name} {}", phone.as_str()),
            (Some(name), None) => name.to_string(),
            (None, Some(phone)) => phone.as_str().to_owned(),
            (None, None) => String::new(),
        },
        name,
        tr,
    };
    render(tr, &page)
}
