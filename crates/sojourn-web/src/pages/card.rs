//! The contact card (便民服务联系卡, SPEC R3.4): a card the clerk prints and
//! hands to a registered resident, with their registration on the front
//! and the services and contacts of the community on the back. The page is
//! a print view: on paper only the card shows, with a cut line.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::format;
use super::i18n::Tr;
use super::person::path_id;
use crate::AppState;
use crate::scope::CallerScope;
use askama::Template;
use axum::extract::{Path, State};
use sojourn_domain::person::PersonId;
use sojourn_domain::time_rules::china_today;

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

/// `GET /persons/{id}/card`.
pub(crate) async fn show(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = PersonId(path_id(tr, &id)?);
    let (units, person, stays) = blocking(&state, tr, move |store| {
        let person = store.get_person(&scope, id)?;
        let stays = store.residences_of(&scope, id)?;
        Ok((Units::load(store, &scope)?, person, stays))
    })
    .await?;
    // The current stay, or the latest one for a card reprinted after leaving.
    let stay = stays
        .iter()
        .find(|r| r.status.is_current())
        .or(stays.first());
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
        name,
        tr,
    };
    render(tr, &page)
}
