//! Employers (用工单位, 以业控人): the list and an employer's page with its
//! workers now and before.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::form::FormData;
use super::houses::{LinkView, split_links};
use super::lists::{ListRequest, answer, number, page_or_empty, unit_filter, without_term};
use super::person::path_id;
use super::review_panel::{self, ReviewPanel, ReviewRights};
use super::url::Pager;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::employers::EmployerListQuery;
use crate::format;
use crate::format::Choice;
use crate::i18n::Tr;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::employer::{Employer, EmployerId};
use sojourn_domain::review::{RecordKind, ReviewRecord};
use sojourn_domain::unit::Scope;
use std::collections::HashMap;

pub(crate) const KEYS: [&str; 4] = ["q", "unit", "page", "per_page"];

struct EmployerView {
    id: i64,
    name: String,
    uscc: String,
    representative: String,
    phone: String,
    address: String,
    declared: u32,
    current: u32,
    unit: String,
}

fn employer_view(units: &Units, e: &Employer) -> EmployerView {
    let d = &e.details;
    EmployerView {
        id: e.id.0,
        name: d.name.to_string(),
        uscc: e.uscc.to_string(),
        representative: d.legal_representative.to_string(),
        phone: format::phone(d.phone.as_ref()),
        address: d.address.to_string(),
        declared: d.declared_workers,
        current: e.current_workers,
        unit: units.name_of(&d.unit),
    }
}

#[derive(Template)]
#[template(path = "employers.html")]
struct EmployersPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    rows: Vec<EmployerView>,
    total: u64,
    pager: Pager,
    /// Whether a search term is in force, and what the hidden form posts.
    searching: bool,
    state: Vec<(String, String)>,
    units: Vec<Choice>,
    /// The export form, for a role that may export the list.
    export: Option<super::exports::ExportForm>,
    /// Whether the reader may register an employer (新增).
    may_create: bool,
}

/// `GET /employers`: the list for the filters in the URL.
pub(crate) async fn list(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    show_list(&state, scope, &ctx, without_term(raw)).await
}

/// `POST /employers`: the list's form, with or without a search term (see
/// [`super::lists`]).
pub(crate) async fn search(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Form(body): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    answer("/employers", &KEYS, body, |fields| {
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
    let request = ListRequest::read(tr, raw, &KEYS, |f| {
        EmployerListQuery {
            page: number(f, "page"),
            per_page: number(f, "per_page"),
            ..crate::export::employer_filters(&|k| f.opt(k))
        }
        .parse()
    })?;
    let query = request.query;
    let (units, page) = blocking(state, tr, move |store| {
        let page = page_or_empty(
            &scope,
            query.as_ref(),
            |q| q.unit.as_ref(),
            |q| store.search_employers(&scope, q),
        )?;
        Ok((Units::load(store, &scope)?, page))
    })
    .await?;
    let title = tr.t("employers-title");
    let view = EmployersPage {
        chrome: Chrome::new(ctx, &title, Nav::Employers, &units.root_name()),
        rows: page
            .items
            .iter()
            .map(|e| employer_view(&units, e))
            .collect(),
        total: page.total,
        pager: Pager::new(
            &request.params,
            "/employers",
            request.page,
            request.per_page,
            page.total,
        )
        .posted(request.searching),
        units: unit_filter(tr, &units, request.f.val("unit")),
        searching: request.searching,
        state: request.state.clone(),
        export: super::exports::form(ctx, crate::export::ExportList::Employers, &request.f),
        may_create: ctx.may(Action::Create, Resource::Employer),
        f: request.f,
        tr,
    };
    render(tr, &view)
}

#[derive(Template)]
#[template(path = "employer.html")]
struct EmployerPage {
    tr: Tr,
    chrome: Chrome,
    employer: EmployerView,
    now: Vec<LinkView>,
    before: Vec<LinkView>,
    reviews: Vec<ReviewPanel>,
    /// Whether the reader may change the employer (修改).
    may_edit: bool,
    /// What the form the reader comes from did.
    notice: String,
}

/// Flags a form sends the reader back with.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RecordNotice {
    pub saved: Option<String>,
    pub returned: Option<String>,
}

impl RecordNotice {
    pub(crate) fn message(&self, tr: Tr) -> String {
        if self.returned.is_some() {
            tr.t("outflow-returned-notice")
        } else if self.saved.is_some() {
            tr.t("record-saved")
        } else {
            String::new()
        }
    }
}

/// `GET /employers/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(notice): Query<RecordNotice>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = EmployerId(path_id(tr, &id)?);
    let (units, employer, links, review) = blocking(&state, tr, move |store| {
        let employer = store.get_employer(&scope, id)?;
        let links = store.workers_of(&scope, id)?;
        let record = ReviewRecord {
            kind: RecordKind::Employer,
            id: id.0,
        };
        let review = review_panel::load(store, &scope, record)?;
        Ok((Units::load(store, &scope)?, employer, links, review))
    })
    .await?;
    let (now, before) = split_links(&links);
    let view = employer_view(&units, &employer);
    let page = EmployerPage {
        chrome: Chrome::new(&ctx, &view.name, Nav::Employers, &units.root_name()),
        employer: view,
        may_edit: ctx.may(Action::Update, Resource::Employer),
        notice: notice.message(tr),
        now,
        before,
        reviews: review_panel::panels(tr, &units, ReviewRights::of(&caller), review.as_ref()),
        tr,
    };
    render(tr, &page)
}
