//! Residence permits 居住证 at the window (R4.1).
//!
//! The counter of a person (`/persons/{id}/permits`): the person's permits
//! with their state and dates, the form to take an application (in person
//! or by a guardian or relative, with the proof a clerk saw), and on the
//! permit in progress the next steps: a one-time notice 一次性告知 that
//! ticks every missing document at once, acceptance 受理 (judged against
//! the register by the store), production, issue, the yearly endorsement
//! and cancellation. After acceptance the page offers the acceptance
//! receipt 受理回执 with the day the card is due; after a notice, the
//! notice itself — both print views (`/permits/{id}/receipt`,
//! `/permits/{id}/notice`), each an audited read. A refused step shows
//! its reason in the reader's language and changes nothing.
//!
//! The worklists (`/permits?list=…&unit=…`): applications to accept, cards
//! overdue for issue, endorsements due this month or overdue, suspended
//! cards, and the permit register 居住证台账, narrowed to a unit by the
//! URL, with the count of each list. "Today" is the clock's day in China.

use super::access::{Units, blocking, blocking_raw, unit_options};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::person::path_id;
use crate::AppState;
use crate::audit;
use crate::auth::Caller;
use crate::dto::permits::{PermitApplicationRequest, PermitStepRequest, parse_list};
use crate::error::ApiError;
use crate::format::Choice;
use crate::i18n::{Lang, Tr};
use crate::ops::permits as ops;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use sojourn_domain::Localized;
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::person::PersonId;
use sojourn_domain::record::RecordKind;
use sojourn_domain::services::permit::{
    Basis, CancelReason, Document, PermitId, PermitState, PermitStatus, ProxyGround,
};
use sojourn_domain::unit::UnitCode;
use sojourn_store::{AuditAction, PageRequest, PermitList, PermitRow, StoreError};
use std::collections::HashMap;
use time::Date;

/// A permit as the pages show it.
pub(crate) struct PermitView {
    pub id: i64,
    pub version: i64,
    pub person: i64,
    pub person_name: String,
    pub unit_name: String,
    pub state: String,
    pub state_code: &'static str,
    pub applied_on: String,
    pub accepted_on: String,
    pub issue_due: String,
    pub issued_on: String,
    pub endorse_by: String,
    pub missing: Vec<String>,
    pub cancel_reason: String,
    /// The steps the state allows today, as (code, label).
    pub steps: Vec<(&'static str, String)>,
    pub overdue: bool,
}

fn day(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

impl PermitView {
    fn of(tr: Tr, p: &PermitStatus, today: Date) -> Self {
        let zh = tr.lang == Lang::ZhCn;
        let state = p.state_on(today);
        let steps = next_steps(state)
            .into_iter()
            .map(|k| {
                (
                    k.code(),
                    if zh { k.name_zh() } else { k.name_en() }.to_owned(),
                )
            })
            .collect();
        Self {
            id: p.id.0,
            version: p.version,
            person: p.person.0,
            person_name: String::new(),
            unit_name: String::new(),
            state: if zh { state.name_zh() } else { state.name_en() }.to_owned(),
            state_code: state.code(),
            applied_on: p.applied_on.to_string(),
            accepted_on: day(p.accepted_on),
            issue_due: day(p.issue_due()),
            issued_on: day(p.issued_on),
            endorse_by: day(p.endorse_by),
            missing: p
                .missing
                .as_ref()
                .map(|m| {
                    m.documents()
                        .iter()
                        .map(|d| document_name(tr, *d))
                        .collect()
                })
                .unwrap_or_default(),
            cancel_reason: p
                .cancel_reason
                .map(|r| if zh { r.name_zh() } else { r.code() }.to_owned())
                .unwrap_or_default(),
            steps,
            overdue: p.issue_overdue(today),
        }
    }

    fn of_row(tr: Tr, row: &PermitRow, today: Date) -> Self {
        let mut view = Self::of(tr, &row.permit, today);
        view.person_name = row.person_name.clone();
        view.unit_name = row.unit_name.clone();
        view
    }
}

fn document_name(tr: Tr, d: Document) -> String {
    if tr.lang == Lang::ZhCn {
        d.name_zh()
    } else {
        d.name_en()
    }
    .to_owned()
}

/// The steps offered on a permit in `state` (the store refuses any other).
fn next_steps(state: PermitState) -> Vec<sojourn_domain::services::permit::PermitStepKind> {
    use sojourn_domain::services::permit::PermitStepKind as K;
    match state {
        PermitState::Applied => vec![K::Notice, K::Accept, K::Cancel],
        PermitState::Noticed => vec![K::Accept, K::Cancel],
        PermitState::Accepted => vec![K::Produce, K::Cancel],
        PermitState::Produced => vec![K::Issue, K::Cancel],
        PermitState::Issued | PermitState::Suspended => vec![K::Endorse, K::Cancel],
        PermitState::Cancelled => vec![],
    }
}

#[derive(Template)]
#[template(path = "permit_counter.html")]
struct CounterPage {
    tr: Tr,
    chrome: Chrome,
    person: i64,
    name: String,
    permits: Vec<PermitView>,
    may_apply: bool,
    may_step: bool,
    documents: Vec<Choice>,
    grounds: Vec<Choice>,
    bases: Vec<Choice>,
    reasons: Vec<Choice>,
    message: String,
}

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> String,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice::new(code(*x), label(*x), ""))
        .collect()
}

/// `GET /persons/{id}/permits`: the counter.
pub(crate) async fn counter(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let person = PersonId(path_id(tr, &id)?);
    let today = ops::today(&state);
    let (file, permits, units) = blocking(&state, tr, move |store| {
        let file = store.get_person(&scope, person)?;
        let permits = store.permits_of(&scope, person)?;
        Ok((file, permits, Units::load(store, &scope)?))
    })
    .await?;
    let event = sojourn_store::AuditEvent::new(AuditAction::Read, sojourn_store::Outcome::Success)
        .object(RecordKind::Person, person.0)
        .unit(&file.unit)
        .details(json!({ "permits": permits.len() }));
    audit::record_read(&state, caller.actor(), event)
        .await
        .map_err(|e| super::person::page_error(tr, e))?;
    let zh = tr.lang == Lang::ZhCn;
    let open = permits.iter().any(|p| p.state != PermitState::Cancelled);
    let title = tr.t("permit-counter-title");
    let page = CounterPage {
        chrome: Chrome::new(&ctx, &title, Nav::Residents, &units.root_name()),
        person: person.0,
        name: file.details.name.to_string(),
        permits: permits
            .iter()
            .map(|p| PermitView::of(tr, p, today))
            .collect(),
        may_apply: !open && ctx.may(Action::Create, Resource::Permit),
        may_step: ctx.may(Action::Update, Resource::Permit),
        documents: choices(&Document::ALL, Document::code, |d| document_name(tr, d)),
        grounds: choices(&ProxyGround::ALL, ProxyGround::code, |g| {
            if zh { g.name_zh() } else { g.code() }.to_owned()
        }),
        bases: choices(&Basis::ALL, Basis::code, |b| {
            if zh { b.name_zh() } else { b.code() }.to_owned()
        }),
        reasons: choices(&CancelReason::ALL, CancelReason::code, |r| {
            if zh { r.name_zh() } else { r.code() }.to_owned()
        }),
        message: query
            .get("done")
            .map(|_| tr.t("permit-step-done"))
            .unwrap_or_default(),
        tr,
    };
    render(tr, &page)
}

/// A refusal of the API's parsers or the store, as a page in the
/// reader's language (nothing was written).
fn refused(tr: Tr, error: ApiError) -> PageError {
    match error {
        ApiError::Validation(problems) => {
            let text = problems
                .iter()
                .map(|p| {
                    if tr.lang == Lang::ZhCn {
                        p.message.zh_cn.clone()
                    } else {
                        p.message.en.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join("；");
            PageError::with_status(tr, StatusCode::UNPROCESSABLE_ENTITY, text)
        }
        other => super::person::page_error(tr, other),
    }
}

fn store_refused(tr: Tr, error: StoreError) -> PageError {
    let status = match &error {
        StoreError::Permit(_) | StoreError::VersionConflict { .. } => StatusCode::CONFLICT,
        _ => return PageError::store(tr, error),
    };
    let text = if tr.lang == Lang::ZhCn {
        error.message_zh()
    } else {
        error.message_en()
    };
    PageError::with_status(tr, status, text)
}

/// `POST /persons/{id}/permits/apply`.
pub(crate) async fn apply(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let person = PersonId(path_id(tr, &id)?);
    // The file first: another community's is not found, whatever the form.
    let read_scope = scope.clone();
    blocking(&state, tr, move |store| {
        store.get_person(&read_scope, person)
    })
    .await?;
    let text = |k: &str| values.get(k).cloned().filter(|v| !v.trim().is_empty());
    let request = PermitApplicationRequest {
        person_id: person.0,
        proxy_name: text("proxy_name"),
        proxy_relation: text("proxy_relation"),
        proxy_ground: text("proxy_ground"),
        proof: text("proof"),
        residence_proved: values.contains_key("residence_proved"),
    };
    let (person, application) = request.parse().map_err(|e| refused(tr, e))?;
    let written = ops::apply(&state, scope, caller.actor(), person, application)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    written.map_err(|e| store_refused(tr, e))?;
    Ok(Redirect::to(&format!("/persons/{}/permits?done=1", person.0)).into_response())
}

/// `POST /permits/{id}/step`.
pub(crate) async fn step(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = PermitId(path_id(tr, &id)?);
    let read_scope = scope.clone();
    let row = blocking(&state, tr, move |store| store.permit(&read_scope, id)).await?;
    let field = |k: &str| {
        values
            .iter()
            .find(|(key, v)| key == k && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
    };
    let request = PermitStepRequest {
        step: field("step").unwrap_or_default(),
        version: field("version").and_then(|v| v.parse().ok()).unwrap_or(0),
        documents: values
            .iter()
            .filter(|(k, _)| k == "documents")
            .map(|(_, v)| v.clone())
            .collect(),
        reason: field("reason"),
        note: field("note"),
    };
    let parsed = request.parse().map_err(|e| refused(tr, e))?;
    let written = ops::step(&state, scope, caller.actor(), (id, request.version), parsed)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    let permit = written.map_err(|e| store_refused(tr, e))?;
    let to = match permit.state {
        PermitState::Accepted if request.step == "accept" => format!("/permits/{}/receipt", id.0),
        PermitState::Noticed => format!("/permits/{}/notice", id.0),
        _ => format!("/persons/{}/permits?done=1", row.permit.person.0),
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "permit_print.html")]
struct PrintPage {
    tr: Tr,
    chrome: Chrome,
    heading: String,
    receipt: bool,
    permit: PermitView,
    number: String,
    issuer: String,
    clerk: String,
    printed_on: String,
}

/// `GET /permits/{id}/receipt`: the acceptance receipt 受理回执.
pub(crate) async fn receipt(
    state: State<AppState>,
    scope: CallerScope,
    caller: Caller,
    ctx: PageCtx,
    id: Path<String>,
) -> Result<HtmlPage, PageError> {
    print(state, scope, caller, ctx, id, true).await
}

/// `GET /permits/{id}/notice`: the one-time notice 一次性告知书.
pub(crate) async fn notice(
    state: State<AppState>,
    scope: CallerScope,
    caller: Caller,
    ctx: PageCtx,
    id: Path<String>,
) -> Result<HtmlPage, PageError> {
    print(state, scope, caller, ctx, id, false).await
}

async fn print(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    receipt: bool,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = PermitId(path_id(tr, &id)?);
    let read = blocking_raw(&state, tr, move |store| {
        Ok((store.permit(&scope, id)?, Units::load(store, &scope)?))
    })
    .await?
    .map_err(ApiError::from);
    let (row, units) = audit::read(
        &state,
        caller.actor(),
        AuditAction::Read,
        (RecordKind::ResidencePermit, id.0),
        read,
        |(row, _)| {
            let person = row.permit.person.0;
            (
                Some(row.permit.unit.clone()),
                json!({ "person": person, "print": if receipt { "receipt" } else { "notice" } }),
            )
        },
    )
    .await
    .map_err(|e| super::person::page_error(tr, e))?;
    let printable = if receipt {
        row.permit.accepted_on.is_some()
    } else {
        row.permit.missing.is_some()
    };
    if !printable {
        return Err(PageError::not_found(tr));
    }
    let today = ops::today(&state);
    let heading = if receipt {
        tr.t("permit-receipt-title")
    } else {
        tr.t("permit-notice-title")
    };
    let page = PrintPage {
        chrome: Chrome::new(&ctx, &heading, Nav::Residents, &units.root_name()),
        heading,
        receipt,
        permit: PermitView::of_row(tr, &row, today),
        number: format!("JZZ{:08}", id.0),
        issuer: units.name_of(&row.permit.unit),
        clerk: caller.principal.display_name.to_string(),
        printed_on: today.to_string(),
        tr,
    };
    render(tr, &page)
}

#[derive(Template)]
#[template(path = "permits.html")]
struct ListPage {
    tr: Tr,
    chrome: Chrome,
    lists: Vec<ListTab>,
    list: &'static str,
    list_name: String,
    unit: String,
    units: Vec<Choice>,
    items: Vec<PermitView>,
    total: u64,
    more: bool,
    /// The export of this list (the register as 居住证台账), for the heads.
    export: Option<super::exports::ExportForm>,
}

pub(crate) struct ListTab {
    pub code: &'static str,
    pub name: String,
    pub count: String,
    pub current: bool,
}

fn list_name(tr: Tr, list: PermitList) -> String {
    if tr.lang == Lang::ZhCn {
        list.name_zh()
    } else {
        list.name_en()
    }
    .to_owned()
}

/// `GET /permits`: the worklists and the register, a unit in the URL.
pub(crate) async fn list(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let list = parse_list(query.get("list").map(String::as_str))
        .map_err(|e| PageError::refused(tr, &e))?;
    let unit = match query
        .get("unit")
        .map(|u| u.trim())
        .filter(|u| !u.is_empty())
    {
        Some(code) => Some(UnitCode::parse(code).map_err(|e| PageError::refused(tr, &e))?),
        None => None,
    };
    let today = ops::today(&state);
    let narrowed = unit.clone();
    let (page, counts, units) = blocking(&state, tr, move |store| {
        let within = match &narrowed {
            Some(code) => scope
                .narrow_to(code)
                .map_err(|_| StoreError::ReferenceOutOfScope {
                    kind: RecordKind::Unit,
                    id: code.to_string(),
                })?,
            None => scope.clone(),
        };
        let request =
            PageRequest::new(0, 200).ok_or_else(|| StoreError::Internal("page".into()))?;
        let page = store.permit_list(&scope, list, narrowed.as_ref(), today, request)?;
        let counts = PermitList::ALL
            .into_iter()
            .map(|l| store.permit_list_size(&within, l, today))
            .collect::<sojourn_store::Result<Vec<_>>>()?;
        Ok((page, counts, Units::load(store, &scope)?))
    })
    .await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.permit.id.0).collect();
    audit::search(
        &state,
        caller.actor(),
        "permits",
        unit.as_ref(),
        json!({ "permit_list": list.code() }),
        json!(ids),
    )
    .await
    .map_err(|e| super::person::page_error(tr, e))?;
    let selected = unit.as_ref().map(|u| u.to_string()).unwrap_or_default();
    let lists = PermitList::ALL
        .into_iter()
        .zip(counts)
        .map(|(l, n)| ListTab {
            code: l.code(),
            name: list_name(tr, l),
            count: if n > sojourn_store::WAITING_COUNT_CAP {
                format!("{}+", sojourn_store::WAITING_COUNT_CAP)
            } else {
                n.to_string()
            },
            current: l == list,
        })
        .collect();
    let title = tr.t("permits-title");
    let all_units: Vec<_> = units.residence_units();
    let (list_code, unit_code) = (list.code().to_owned(), selected.clone());
    let export =
        super::exports::form_with(&ctx, crate::export::ExportList::Permits, |key| match key {
            "list" => list_code.clone(),
            "unit" => unit_code.clone(),
            _ => String::new(),
        });
    let page_view = ListPage {
        export,
        chrome: Chrome::new(&ctx, &title, Nav::Residents, &units.root_name()),
        lists,
        list: list.code(),
        list_name: list_name(tr, list),
        units: unit_options(&all_units, &selected),
        unit: selected,
        more: page.total > page.items.len() as u64,
        total: page.total,
        items: page
            .items
            .iter()
            .map(|r| PermitView::of_row(tr, r, today))
            .collect(),
        tr,
    };
    render(tr, &page_view)
}
