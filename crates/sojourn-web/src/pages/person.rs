//! The person file (一人一档): identity, the current stay with its house
//! and employer, every stay as a timeline, and the history of changes.
//! It prints as a file (print CSS).

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::format;
use super::i18n::{Lang, Tr};
use crate::AppState;
use crate::scope::CallerScope;
use askama::Template;
use axum::extract::{Path, Query, State};
use sojourn_domain::employer::Employer;
use sojourn_domain::house::House;
use sojourn_domain::person::{Person, PersonId};
use sojourn_domain::residence::{Residence, ResidenceStatus};
use sojourn_domain::time_rules::{CHINA, china_today};
use sojourn_domain::unit::Scope;
use sojourn_store::{RecordRef, Revision, Store};

/// A labelled value of the identity section.
pub(crate) struct Item {
    pub label: String,
    pub value: String,
}

/// One stay on the timeline.
struct StayView {
    id: i64,
    from: String,
    /// Departure date, empty while the stay lasts.
    to: String,
    unit: String,
    address: String,
    reason: String,
    status: String,
    status_class: &'static str,
    destination: String,
    is_current: bool,
}

/// One change in the history.
struct ChangeView {
    at: String,
    actor: String,
    action: String,
    record: String,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    tr: Tr,
    chrome: Chrome,
    person_id: i64,
    name: String,
    identity: Vec<Item>,
    current: Option<StayView>,
    current_items: Vec<Item>,
    house: Option<(i64, String)>,
    employer: Option<(i64, String)>,
    stays: Vec<StayView>,
    changes: Vec<ChangeView>,
    notice: String,
}

/// Flags the registration and departure forms send the reader back with.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Notice {
    registered: Option<String>,
    departed: Option<String>,
}

/// Everything the file shows, read in one blocking call.
pub(crate) struct PersonFile {
    pub units: Units,
    pub person: Person,
    /// Newest first.
    pub stays: Vec<Residence>,
    pub house: Option<House>,
    pub employer: Option<Employer>,
    pub changes: Vec<(&'static str, Revision)>,
}

impl PersonFile {
    pub(crate) fn load(
        store: &dyn Store,
        scope: &Scope,
        id: PersonId,
    ) -> sojourn_store::Result<Self> {
        let person = store.get_person(scope, id)?;
        let stays = store.residences_of(scope, id)?;
        let current = stays.iter().find(|r| r.status.is_current());
        let house = match current.and_then(|r| r.stay.house) {
            Some(h) => Some(store.get_house(scope, h)?),
            None => None,
        };
        let employer = match current.and_then(|r| r.stay.employer) {
            Some(e) => Some(store.get_employer(scope, e)?),
            None => None,
        };
        let mut changes: Vec<(&'static str, Revision)> = store
            .history(scope, RecordRef::Person(id))?
            .into_iter()
            .map(|r| ("person", r))
            .collect();
        for stay in &stays {
            let revisions = store.history(scope, RecordRef::Residence(stay.id))?;
            changes.extend(revisions.into_iter().map(|r| ("residence", r)));
        }
        changes.sort_by_key(|(_, r)| std::cmp::Reverse(r.at));
        Ok(Self {
            units: Units::load(store, scope)?,
            person,
            stays,
            house,
            employer,
            changes,
        })
    }

    pub(crate) fn current(&self) -> Option<&Residence> {
        self.stays.iter().find(|r| r.status.is_current())
    }
}

/// A path id; anything else is "no such record".
pub(crate) fn path_id(tr: Tr, text: &str) -> Result<i64, PageError> {
    text.parse().map_err(|_| PageError::not_found(tr))
}

/// `GET /persons/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = PersonId(path_id(tr, &id)?);
    let file = blocking(&state, tr, move |store| PersonFile::load(store, &scope, id)).await?;
    let name = file.person.details.name.to_string();
    let title = tr.ts("person-title", "name", &name);
    let page = PersonPage {
        tr,
        chrome: Chrome::new(&ctx, &title, Nav::Residents, &file.units.root_name()),
        person_id: file.person.id.0,
        identity: identity(tr, &file.person),
        current: file.current().map(|r| stay_view(tr, &file.units, r)),
        current_items: file
            .current()
            .map(|r| stay_items(tr, r))
            .unwrap_or_default(),
        house: file
            .house
            .as_ref()
            .map(|h| (h.id.0, h.details.address.to_string())),
        employer: file
            .employer
            .as_ref()
            .map(|e| (e.id.0, e.details.name.to_string())),
        stays: file
            .stays
            .iter()
            .map(|r| stay_view(tr, &file.units, r))
            .collect(),
        changes: file
            .changes
            .iter()
            .map(|(k, r)| change_view(tr, k, r))
            .collect(),
        notice: notice_text(tr, &notice),
        name,
    };
    render(tr, &page)
}

fn notice_text(tr: Tr, notice: &Notice) -> String {
    if notice.registered.is_some() {
        tr.t("person-registered")
    } else if notice.departed.is_some() {
        tr.t("person-departed")
    } else {
        String::new()
    }
}

fn item(label: String, value: impl Into<String>) -> Item {
    Item {
        label,
        value: value.into(),
    }
}

/// A code-table value in the reader's language, `—` when not given.
fn named<T: Copy>(
    lang: Lang,
    value: Option<T>,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> String {
    value.map_or_else(|| "—".to_owned(), |v| lang.pick(zh(v), en(v)).to_owned())
}

pub(crate) fn identity(tr: Tr, person: &Person) -> Vec<Item> {
    let d = &person.details;
    let lang = tr.lang;
    let birth = person.birth_date();
    let domicile = match &d.domicile_address {
        Some(address) => format!("{} {address}", format::place(&d.domicile)),
        None => format::place(&d.domicile),
    };
    vec![
        item(
            tr.t("field-id-number"),
            format::id_number(&person.id_number),
        ),
        item(tr.t("field-sex"), format::sex(lang, person.sex())),
        item(
            tr.t("field-birth-date"),
            format!(
                "{}（{}）",
                format::date(birth),
                tr.tn(
                    "person-age",
                    format::age(birth, china_today()).max(0) as u64
                )
            ),
        ),
        item(
            tr.t("field-ethnicity"),
            lang.pick(d.ethnicity.name_zh(), d.ethnicity.name_en()),
        ),
        item(tr.t("field-domicile"), domicile),
        item(tr.t("field-phone"), format::phone(d.phone.as_ref())),
        item(
            tr.t("field-marital-status"),
            named(lang, d.marital_status, |v| v.name_zh(), |v| v.name_en()),
        ),
        item(
            tr.t("field-education"),
            named(lang, d.education, |v| v.name_zh(), |v| v.name_en()),
        ),
        item(
            tr.t("field-political-status"),
            named(lang, d.political_status, |v| v.name_zh(), |v| v.name_en()),
        ),
        item(
            tr.t("field-occupation"),
            named(lang, d.occupation, |v| v.name_zh(), |v| v.name_en()),
        ),
        item(
            tr.t("person-issuing-county"),
            format::issuing_place(&person.id_number).unwrap_or_default(),
        ),
    ]
}

fn stay_items(tr: Tr, r: &Residence) -> Vec<Item> {
    let months = r
        .stay
        .intended_stay_months
        .map_or_else(|| "—".to_owned(), |m| tr.tn("person-months", u64::from(m)));
    vec![
        item(
            tr.t("field-arrived-on"),
            format::date(r.stay.arrived_on.date()),
        ),
        item(
            tr.t("field-reason"),
            tr.lang
                .pick(r.stay.reason.name_zh(), r.stay.reason.name_en()),
        ),
        item(tr.t("field-intended-stay"), months),
        item(
            tr.t("field-current-address"),
            r.stay.current_address.to_string(),
        ),
    ]
}

fn stay_view(tr: Tr, units: &Units, r: &Residence) -> StayView {
    let (to, destination) = match &r.status {
        ResidenceStatus::Departed(d) => {
            let place = d
                .destination
                .as_ref()
                .map(format::place)
                .unwrap_or_default();
            let address = d
                .destination_address
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            (
                format::date(d.departed_on.date()),
                format!("{place} {address}").trim().to_owned(),
            )
        }
        _ => (String::new(), String::new()),
    };
    StayView {
        id: r.id.0,
        from: format::date(r.stay.arrived_on.date()),
        to,
        unit: units.name_of(&r.stay.unit),
        address: r.stay.current_address.to_string(),
        reason: tr
            .lang
            .pick(r.stay.reason.name_zh(), r.stay.reason.name_en())
            .to_owned(),
        status: format::status(tr, &r.status),
        status_class: format::status_class(&r.status),
        destination,
        is_current: r.status.is_current(),
    }
}

fn change_view(tr: Tr, kind: &str, r: &Revision) -> ChangeView {
    let at =
        r.at.to_offset(CHINA)
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]"
            ))
            .unwrap_or_default();
    let action = match r.action.as_str() {
        "created" => tr.t("history-created"),
        "updated" => tr.t("history-updated"),
        "arrival" => tr.t("history-arrival"),
        "activated" => tr.t("history-activated"),
        "departed" => tr.t("history-departed"),
        other => other.to_owned(),
    };
    let record = match kind {
        "person" => tr.t("history-record-person"),
        _ => tr.t("history-record-residence"),
    };
    ChangeView {
        at,
        actor: r.actor.clone(),
        action,
        record,
    }
}
