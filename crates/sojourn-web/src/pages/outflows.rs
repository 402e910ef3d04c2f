//! The outflow register (流出人口): local people who went to live
//! elsewhere, where to, and the elderly and children they left behind.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::employers::RecordNotice;
use super::error::PageError;
use super::form::FormData;
use super::lists::{ListRequest, answer, number, page_or_empty, unit_filter, without_term};
use super::person::{Item, path_id};
use super::residents::provinces;
use super::review_panel::{self, ReviewPanel, ReviewRights};
use super::url::Pager;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::outflows::OutflowListQuery;
use crate::format;
use crate::format::Choice;
use crate::i18n::Tr;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::outflow::{LeftBehindKind, Outflow, OutflowId};
use sojourn_domain::review::{RecordKind, ReviewRecord};
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::Scope;
use std::collections::HashMap;

pub(crate) const KEYS: [&str; 6] = [
    "q",
    "unit",
    "returned",
    "destination_province",
    "page",
    "per_page",
];

struct OutflowView {
    id: i64,
    name: String,
    sex: String,
    id_number: String,
    unit: String,
    left_on: String,
    destination: String,
    employer: String,
    elderly: usize,
    children: usize,
    returned: Option<String>,
}

fn outflow_view(tr: Tr, units: &Units, o: &Outflow) -> OutflowView {
    let d = &o.details;
    let count = |kind| d.left_behind.iter().filter(|m| m.kind() == kind).count();
    OutflowView {
        id: o.id.0,
        name: d.name.to_string(),
        sex: format::sex(tr.lang, o.id_number.sex()),
        id_number: format::id_number(&o.id_number),
        unit: units.name_of(&d.unit),
        left_on: format::date(d.left_on.date()),
        destination: format::place(&d.destination),
        employer: d
            .employer_name
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        elderly: count(LeftBehindKind::Elderly),
        children: count(LeftBehindKind::Child),
        returned: o.returned_on.map(format::date),
    }
}

#[derive(Template)]
#[template(path = "outflows.html")]
struct OutflowsPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    rows: Vec<OutflowView>,
    total: u64,
    pager: Pager,
    /// Whether a search term is in force, and what the hidden form posts.
    searching: bool,
    state: Vec<(String, String)>,
    /// Whether the filters beyond the search box are shown open.
    filtered: bool,
    units: Vec<Choice>,
    returned: Vec<Choice>,
    provinces: Vec<Choice>,
    /// The export form, for a role that may export the list.
    export: Option<super::exports::ExportForm>,
    /// Whether the reader may register an outflow (新增).
    may_create: bool,
}

fn list_query(f: &FormData) -> OutflowListQuery {
    let returned = f.opt("returned").and_then(|v| v.parse().ok());
    OutflowListQuery {
        page: number(f, "page"),
        per_page: number(f, "per_page"),
        ..crate::export::outflow_filters(&|k| f.opt(k), returned)
    }
}

/// `GET /outflows`: the list for the filters in the URL.
pub(crate) async fn list(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    show_list(&state, scope, &ctx, without_term(raw)).await
}

/// `POST /outflows`: the list's form, with or without a search term (see
/// [`super::lists`]).
pub(crate) async fn search(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Form(body): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    answer("/outflows", &KEYS, body, |fields| {
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
    let request = ListRequest::read(tr, raw, &KEYS, |f| list_query(f).parse())?;
    let query = request.query;
    let (units, page) = blocking(state, tr, move |store| {
        let page = page_or_empty(
            &scope,
            query.as_ref(),
            |q| q.unit.as_ref(),
            |q| store.search_outflows(&scope, q),
        )?;
        Ok((Units::load(store, &scope)?, page))
    })
    .await?;
    let title = tr.t("outflows-title");
    let f = request.f;
    let filtered = f.any_set(&["unit", "returned", "destination_province"]);
    let view = OutflowsPage {
        chrome: Chrome::new(ctx, &title, Nav::Outflows, &units.root_name()),
        rows: page
            .items
            .iter()
            .map(|o| outflow_view(tr, &units, o))
            .collect(),
        total: page.total,
        pager: Pager::new(
            &request.params,
            "/outflows",
            request.page,
            request.per_page,
            page.total,
        )
        .posted(request.searching),
        filtered,
        units: unit_filter(tr, &units, f.val("unit")),
        returned: vec![
            Choice::new("", tr.t("filter-any"), f.val("returned")),
            Choice::new("false", tr.t("outflow-away"), f.val("returned")),
            Choice::new("true", tr.t("outflow-returned"), f.val("returned")),
        ],
        provinces: provinces(tr, f.val("destination_province")),
        searching: request.searching,
        state: request.state.clone(),
        export: super::exports::form(ctx, crate::export::ExportList::Outflows, &f),
        may_create: ctx.may(Action::Create, Resource::Outflow),
        f,
        tr,
    };
    render(tr, &view)
}

/// A left-behind family member as the page shows them.
struct MemberView {
    name: String,
    relation: String,
    birth_date: String,
    age: i32,
    kind: String,
}

#[derive(Template)]
#[template(path = "outflow.html")]
struct OutflowPage {
    tr: Tr,
    chrome: Chrome,
    outflow: OutflowView,
    items: Vec<Item>,
    family: Vec<MemberView>,
    reviews: Vec<ReviewPanel>,
    /// Whether the reader may change the record and record a return.
    may_edit: bool,
    notice: String,
}

/// `GET /outflows/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(notice): Query<RecordNotice>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = OutflowId(path_id(tr, &id)?);
    let (units, outflow, review) = blocking(&state, tr, move |store| {
        let outflow = store.get_outflow(&scope, id)?;
        let record = ReviewRecord {
            kind: RecordKind::Outflow,
            id: id.0,
        };
        let review = review_panel::load(store, &scope, record)?;
        Ok((Units::load(store, &scope)?, outflow, review))
    })
    .await?;
    let view = outflow_view(tr, &units, &outflow);
    let d = &outflow.details;
    let text = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    let items = vec![
        Item {
            label: tr.t("field-id-number"),
            value: view.id_number.clone(),
        },
        Item {
            label: tr.t("field-sex"),
            value: view.sex.clone(),
        },
        Item {
            label: tr.t("col-unit"),
            value: view.unit.clone(),
        },
        Item {
            label: tr.t("outflow-left-on"),
            value: view.left_on.clone(),
        },
        Item {
            label: tr.t("field-destination"),
            value: view.destination.clone(),
        },
        Item {
            label: tr.t("field-destination-address"),
            value: text(d.destination_address.as_ref().map(ToString::to_string)),
        },
        Item {
            label: tr.t("field-departure-reason"),
            value: text(d.reason.as_ref().map(ToString::to_string)),
        },
        Item {
            label: tr.t("outflow-employer"),
            value: text(d.employer_name.as_ref().map(ToString::to_string)),
        },
        Item {
            label: tr.t("outflow-contact"),
            value: text(Some(format::phone(d.contact_phone.as_ref())).filter(|p| !p.is_empty())),
        },
    ];
    let today = china_today();
    let family = d
        .left_behind
        .iter()
        .map(|m| MemberView {
            name: m.name.to_string(),
            relation: m.relation.to_string(),
            birth_date: format::date(m.birth_date),
            age: format::age(m.birth_date, today),
            kind: match m.kind() {
                LeftBehindKind::Elderly => tr.t("outflow-elderly"),
                LeftBehindKind::Child => tr.t("outflow-child"),
            },
        })
        .collect();
    let page = OutflowPage {
        chrome: Chrome::new(&ctx, &view.name, Nav::Outflows, &units.root_name()),
        outflow: view,
        may_edit: ctx.may(Action::Update, Resource::Outflow),
        notice: notice.message(tr),
        items,
        family,
        reviews: review_panel::panels(tr, &units, ReviewRights::of(&caller), review.as_ref()),
        tr,
    };
    render(tr, &page)
}
