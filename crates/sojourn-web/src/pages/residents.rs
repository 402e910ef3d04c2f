//! The resident list (流动人口): one search box, filters, sortable columns
//! and pages, all kept in the URL.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::form::FormData;
use super::lists::{ListRequest, answer, number, page_or_empty, unit_filter, without_term};
use super::url::{Pager, Params};
use crate::AppState;
use crate::dto::age_band::AgeBand;
use crate::dto::residences::ResidentListQuery;
use crate::format;
use crate::format::Choice;
use crate::i18n::Tr;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use sojourn_domain::codes::Sex;
use sojourn_domain::codes::division::children;
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::Scope;
use sojourn_store::{Page, ResidentQuery, ResidentRow, StayLink, Store};
use std::collections::HashMap;

/// The list's parameters, as they appear in its URL.
pub(crate) const KEYS: [&str; 14] = [
    "q",
    "unit",
    "status",
    "sex",
    "age_band",
    "origin_province",
    "arrived_from",
    "arrived_to",
    "departed_from",
    "house",
    "employer",
    "sort",
    "page",
    "per_page",
];

/// The filters folded under the search box on a phone.
const FOLDED: [&str; 8] = [
    "unit",
    "status",
    "sex",
    "age_band",
    "origin_province",
    "arrived_from",
    "arrived_to",
    "departed_from",
];

/// One row as the list shows it.
struct ResidentView {
    person_id: i64,
    name: String,
    sex: String,
    age: i32,
    id_number: String,
    origin: String,
    unit: String,
    arrived_on: String,
    status: String,
    status_class: &'static str,
    address: String,
}

/// A column header that sorts the list.
struct SortLink {
    href: String,
    /// The order it asks for, for a header that posts (while searching).
    value: &'static str,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    state: &'static str,
}

/// A filter set by a link (house, employer) and how to remove it.
struct Chip {
    label: String,
    remove: String,
}

#[derive(Template)]
#[template(path = "residents.html")]
struct ResidentsPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    rows: Vec<ResidentView>,
    total: u64,
    pager: Pager,
    /// Whether a search term is in force, and what the hidden form posts.
    searching: bool,
    state: Vec<(String, String)>,
    /// Whether the filters beyond the search box are shown open.
    filtered: bool,
    sort_name: SortLink,
    sort_arrived: SortLink,
    units: Vec<Choice>,
    statuses: Vec<Choice>,
    sexes: Vec<Choice>,
    age_bands: Vec<Choice>,
    provinces: Vec<Choice>,
    chips: Vec<Chip>,
    clear: String,
    /// The export form, for a role that may export the list.
    export: Option<super::exports::ExportForm>,
}

/// The API's list query from the URL; a number that is not one is a
/// filter error.
fn list_query(f: &mut FormData, tr: Tr) -> ResidentListQuery {
    let mut id = |name: &str| -> Option<i64> {
        let text = f.opt(name)?;
        text.parse()
            .map_err(|_| f.refuse(name, tr.t("error-not-a-number")))
            .ok()
    };
    let (house, employer) = (id("house"), id("employer"));
    ResidentListQuery {
        sort: f.opt("sort"),
        page: number(f, "page"),
        per_page: number(f, "per_page"),
        ..crate::export::resident_filters(&|k| f.opt(k), house, employer)
    }
}

/// What the store gives the list: its units, the page, and the names of
/// the house and employer filters.
struct Found {
    units: Units,
    page: Page<ResidentRow>,
    house: Option<String>,
    employer: Option<String>,
}

fn find(
    store: &dyn Store,
    scope: &Scope,
    query: Option<&ResidentQuery>,
) -> sojourn_store::Result<Found> {
    let page = page_or_empty(
        scope,
        query,
        |q| q.unit.as_ref(),
        |q| match super::by_arrival::page(store, scope, q)? {
            Some(page) => Ok(page),
            None => store.search_residents(scope, q),
        },
    )?;
    // A filter may name a house or employer of another community (the
    // residents here who work there): its name is shown all the same.
    let name = |link| {
        store
            .stay_link(scope, link)
            .map(|found| found.map(|l| l.name))
    };
    let house = match query.and_then(|q| q.house) {
        Some(id) => name(StayLink::House(id))?,
        None => None,
    };
    let employer = match query.and_then(|q| q.employer) {
        Some(id) => name(StayLink::Employer(id))?,
        None => None,
    };
    Ok(Found {
        units: Units::load(store, scope)?,
        page,
        house,
        employer,
    })
}

/// `GET /residents`: the list for the filters in the URL.
pub(crate) async fn list(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    show_list(&state, scope, &ctx, without_term(raw)).await
}

/// `POST /residents`: the list's form, with or without a search term (see
/// [`super::lists`]).
pub(crate) async fn search(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Form(body): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    answer("/residents", &KEYS, body, |fields| {
        show_list(&state, scope, &ctx, fields)
    })
    .await
}

async fn show_list(
    state: &AppState,
    scope: Scope,
    ctx: &PageCtx,
    raw: HashMap<String, String>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let request = ListRequest::read(tr, raw, &KEYS, |f| list_query(f, tr).parse())?;
    let query = request.query;
    let found = blocking(state, tr, move |store| find(store, &scope, query.as_ref())).await?;
    let title = tr.t("residents-title");
    let (params, f) = (request.params, request.f);
    let view = ResidentsPage {
        chrome: Chrome::new(ctx, &title, Nav::Residents, &found.units.root_name()),
        rows: found
            .page
            .items
            .iter()
            .map(|r| view(tr, &found.units, r))
            .collect(),
        total: found.page.total,
        pager: Pager::new(
            &params,
            "/residents",
            request.page,
            request.per_page,
            found.page.total,
        )
        .posted(request.searching),
        sort_name: sort_link(&params, "name"),
        sort_arrived: sort_arrived(&params),
        filtered: f.any_set(&FOLDED),
        units: unit_filter(tr, &found.units, f.val("unit")),
        statuses: statuses(tr, f.val("status")),
        sexes: sexes(tr, f.val("sex")),
        age_bands: age_bands(tr, f.val("age_band")),
        provinces: provinces(tr, f.val("origin_province")),
        chips: chips(tr, &params, found.house, found.employer),
        clear: "/residents".to_owned(),
        searching: request.searching,
        state: request.state.clone(),
        export: super::exports::form(ctx, crate::export::ExportList::Residents, &f),
        f,
        tr,
    };
    render(tr, &view)
}

fn view(tr: Tr, units: &Units, row: &ResidentRow) -> ResidentView {
    let (person, residence) = (&row.person, &row.residence);
    ResidentView {
        person_id: person.id.0,
        name: person.details.name.to_string(),
        sex: format::sex(tr.lang, person.sex()),
        age: format::age(person.birth_date(), china_today()),
        id_number: format::id_number(&person.id_number),
        origin: format::province(&person.details.domicile),
        unit: units.name_of(&residence.stay.unit),
        arrived_on: format::date(residence.stay.arrived_on.date()),
        status: format::status(tr, &residence.status),
        status_class: format::status_class(&residence.status),
        address: residence.stay.current_address.to_string(),
    }
}

fn sort_link(params: &Params, value: &'static str) -> SortLink {
    let active = params.get("sort") == Some(value);
    SortLink {
        href: params.with("sort", Some(value)).href("/residents"),
        value,
        state: if active { "ascending" } else { "none" },
    }
}

/// Arrival sorts newest first by default; a second click reverses it.
fn sort_arrived(params: &Params) -> SortLink {
    let current = params.get("sort").unwrap_or("arrived_desc");
    let (next, state) = match current {
        "arrived_desc" => ("arrived_asc", "descending"),
        "arrived_asc" => ("arrived_desc", "ascending"),
        _ => ("arrived_desc", "none"),
    };
    SortLink {
        href: params.with("sort", Some(next)).href("/residents"),
        value: next,
        state,
    }
}

fn statuses(tr: Tr, selected: &str) -> Vec<Choice> {
    vec![
        Choice::new("", tr.t("status-current"), selected),
        Choice::new("registered", tr.t("status-registered"), selected),
        Choice::new("active", tr.t("status-active"), selected),
        Choice::new("departed", tr.t("status-departed"), selected),
        Choice::new("any", tr.t("status-any"), selected),
    ]
}

fn sexes(tr: Tr, selected: &str) -> Vec<Choice> {
    let mut choices = vec![Choice::new("", tr.t("filter-any"), selected)];
    for sex in [Sex::Male, Sex::Female] {
        choices.push(Choice::new(sex.code(), format::sex(tr.lang, sex), selected));
    }
    choices
}

fn age_bands(tr: Tr, selected: &str) -> Vec<Choice> {
    let mut choices = vec![Choice::new("", tr.t("filter-any"), selected)];
    for band in AgeBand::ALL {
        let label = match band {
            AgeBand::Under16 => tr.t("age-band-under-16"),
            AgeBand::From16To59 => tr.t("age-band-16-59"),
            AgeBand::From60 => tr.t("age-band-60-plus"),
        };
        choices.push(Choice::new(band.code(), label, selected));
    }
    choices
}

pub(crate) fn provinces(tr: Tr, selected: &str) -> Vec<Choice> {
    let mut choices = vec![Choice::new("", tr.t("filter-any"), selected)];
    for p in children(None) {
        choices.push(Choice::new(p.code.as_str(), p.name, selected));
    }
    choices
}

fn chips(tr: Tr, params: &Params, house: Option<String>, employer: Option<String>) -> Vec<Chip> {
    let mut chips = Vec::new();
    if params.get("house").is_some() {
        chips.push(Chip {
            label: tr.ts("filter-house-chip", "name", &house.unwrap_or_default()),
            remove: params.with("house", None).href("/residents"),
        });
    }
    if params.get("employer").is_some() {
        chips.push(Chip {
            label: tr.ts(
                "filter-employer-chip",
                "name",
                &employer.unwrap_or_default(),
            ),
            remove: params.with("employer", None).href("/residents"),
        });
    }
    chips
}
