//! Service requests at the window (一站式服务, R4.2) on the pages: the
//! worklist (`/service-requests`, its filters and sort in the URL), the
//! intake form (a person found by ID number, or the file the clerk came
//! from), and a request's page with the step its state allows next —
//! refer to a department's contact, resolve, close with the resident's
//! satisfaction. The forms parse through the API's own request types and
//! write through `ops::requests`, so a rule and its audit are written once.

use super::access::{Units, blocking};
use super::chrome::{Chrome, Nav, PageCtx, render};
use super::error::PageError;
use super::form::FormData;
use super::person::{page_error, path_id};
use crate::AppState;
use crate::auth::Caller;
use crate::dto::requests::{IntakeRequest, RequestListQuery, StepKind, StepRequest, deadline_key};
use crate::format::{self, Choice};
use crate::i18n::Tr;
use crate::ops::requests as ops;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::codes::IdNumber;
use sojourn_domain::services::request::{Deadline, RequestKind, RequestState, StateName};
use sojourn_domain::time_rules::china_today;
use sojourn_store::requests::{RequestId, ServiceRequest};
use std::collections::HashMap;

fn may(caller: &Caller, action: Action) -> bool {
    caller
        .principal
        .role_allowing(action, Resource::ServiceRequest)
        .is_some()
}

fn kind_name(tr: Tr, kinds: &[RequestKind], code: &str) -> String {
    kinds
        .iter()
        .find(|k| k.code.as_str() == code)
        .map(|k| {
            if tr.lang.is_en() {
                k.name_en.to_string()
            } else {
                k.name_zh.to_string()
            }
        })
        .unwrap_or_else(|| code.to_owned())
}

fn state_name(tr: Tr, state: StateName) -> String {
    if tr.lang.is_en() {
        state.name_en().to_owned()
    } else {
        state.name_zh().to_owned()
    }
}

/// A request as a row or a page shows it.
struct RequestView {
    id: i64,
    person: String,
    person_href: String,
    kind: String,
    asked: String,
    received_on: String,
    due_on: String,
    state: String,
    /// `overdue`, `due_soon` or empty, for the row's class and label.
    deadline: String,
    deadline_label: String,
    department: String,
    contact: String,
    phone: String,
    resolution: String,
    satisfaction: String,
    feedback: String,
    version: i64,
    /// Which step forms the page offers.
    open: bool,
    resolved: bool,
}

fn view(tr: Tr, kinds: &[RequestKind], r: &ServiceRequest) -> RequestView {
    let deadline = Deadline::of(r.state.name(), r.due_on, china_today())
        .filter(|d| *d != Deadline::InTime)
        .map(deadline_key)
        .unwrap_or_default();
    let referral = r.state.referral();
    let (resolution, satisfaction, feedback) = match &r.state {
        RequestState::Resolved { resolution, .. } => {
            (resolution.to_string(), String::new(), String::new())
        }
        RequestState::Closed {
            resolution,
            satisfaction,
            feedback,
            ..
        } => (
            resolution.to_string(),
            tr.t(&format!("request-satisfaction-{}", satisfaction.code())),
            feedback
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        _ => Default::default(),
    };
    RequestView {
        id: r.id.0,
        person: r.person_name.to_string(),
        person_href: format!("/persons/{}", r.person.0),
        kind: kind_name(tr, kinds, r.kind.as_str()),
        asked: r.asked.to_string(),
        received_on: format::date(r.received_on),
        due_on: format::date(r.due_on),
        state: state_name(tr, r.state.name()),
        deadline: deadline.to_owned(),
        deadline_label: if deadline.is_empty() {
            String::new()
        } else {
            tr.t(&format!("request-deadline-{deadline}"))
        },
        department: referral
            .map(|f| f.department.to_string())
            .unwrap_or_default(),
        contact: referral.map(|f| f.contact.to_string()).unwrap_or_default(),
        phone: referral
            .map(|f| f.phone.as_str().to_owned())
            .unwrap_or_default(),
        resolution,
        satisfaction,
        feedback,
        version: r.version,
        open: r.state.name().is_open(),
        resolved: r.state.name() == StateName::Resolved,
    }
}

// ---------------------------------------------------------------------------
// The worklist

#[derive(Template)]
#[template(path = "service_requests.html")]
struct ListPage {
    tr: Tr,
    chrome: Chrome,
    rows: Vec<RequestView>,
    total: String,
    kinds: Vec<Choice>,
    states: Vec<Choice>,
    sorts: Vec<Choice>,
    f: FormData,
    prev: Option<String>,
    next: Option<String>,
    can_take: bool,
}

/// `GET /service-requests`: the list, its filters and sort from the URL.
pub(crate) async fn list(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let get = |k: &str| query.get(k).filter(|v| !v.trim().is_empty()).cloned();
    let parsed = RequestListQuery {
        kind: get("kind"),
        state: get("state"),
        unit: get("unit"),
        sort: get("sort"),
        page: get("page").and_then(|p| p.parse().ok()),
        per_page: None,
    };
    let mut f = FormData::new(query.clone());
    let (filter, paging) = match parsed.parse(china_today()) {
        Ok(parsed) => parsed,
        Err(error) => {
            f.absorb(tr, error).map_err(|e| page_error(tr, e))?;
            RequestListQuery::default()
                .parse(china_today())
                .map_err(|e| page_error(tr, e))?
        }
    };
    let kinds = ops::request_kinds(&state)
        .await
        .map_err(|e| page_error(tr, e))?;
    let units = {
        let scope = scope.clone();
        blocking(&state, tr, move |store| Units::load(store, &scope)).await?
    };
    let page = ops::list_requests(&state, scope, caller.actor(), filter, paging.request)
        .await
        .map_err(|e| page_error(tr, e))?;
    let link = |page_no: u32| {
        let mut q: Vec<String> = ["kind", "state", "unit", "sort"]
            .iter()
            .filter_map(|k| get(k).map(|v| format!("{k}={}", urlencoding(&v))))
            .collect();
        q.push(format!("page={page_no}"));
        format!("/service-requests?{}", q.join("&"))
    };
    let shown_to = u64::from(paging.page) * u64::from(paging.per_page);
    let kind_sel = f.val("kind").to_owned();
    let state_sel = f.val("state").to_owned();
    let sort_sel = f.val("sort").to_owned();
    let mut kind_choices = vec![Choice::new("", tr.t("request-filter-any"), &kind_sel)];
    kind_choices.extend(kinds.iter().map(|k| {
        Choice::new(
            k.code.as_str(),
            kind_name(tr, &kinds, k.code.as_str()),
            &kind_sel,
        )
    }));
    let mut state_choices = vec![
        Choice::new("", tr.t("request-filter-any"), &state_sel),
        Choice::new("open", tr.t("request-filter-open"), &state_sel),
        Choice::new("overdue", tr.t("request-filter-overdue"), &state_sel),
    ];
    state_choices.extend(
        StateName::ALL
            .iter()
            .map(|s| Choice::new(s.code(), state_name(tr, *s), &state_sel)),
    );
    let title = tr.t("requests-title");
    let rendered = ListPage {
        rows: page.items.iter().map(|r| view(tr, &kinds, r)).collect(),
        total: if page.total > sojourn_store::requests::REQUEST_COUNT_CAP {
            format!("{}+", sojourn_store::requests::REQUEST_COUNT_CAP)
        } else {
            page.total.to_string()
        },
        kinds: kind_choices,
        states: state_choices,
        sorts: vec![
            Choice::new("due", tr.t("request-sort-due"), &sort_sel),
            Choice::new("received", tr.t("request-sort-received"), &sort_sel),
        ],
        prev: (paging.page > 1).then(|| link(paging.page - 1)),
        next: (page.total > shown_to).then(|| link(paging.page + 1)),
        can_take: may(&caller, Action::Create),
        chrome: Chrome::new(&ctx, &title, Nav::Requests, &units.root_name()),
        f,
        tr,
    };
    let invalid = !rendered.f.is_valid();
    let mut html = render(tr, &rendered)?;
    if invalid {
        html.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
    }
    Ok(html.into_response())
}

/// Percent-encodes a query value (codes and digits pass as they are).
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Intake

#[derive(Template)]
#[template(path = "service_request_new.html")]
struct IntakePage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    kinds: Vec<Choice>,
    /// The person the request is for, when the clerk came from the file.
    person: Option<(i64, String)>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct IntakeQuery {
    person: Option<String>,
}

/// `GET /service-requests/new[?person=ID]`.
pub(crate) async fn intake_form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(query): Query<IntakeQuery>,
) -> Result<Response, PageError> {
    let mut f = FormData::default();
    if let Some(person) = query.person.filter(|p| !p.trim().is_empty()) {
        f.set("person_id", person);
    }
    show_intake(&state, &ctx, scope, f).await
}

async fn show_intake(
    state: &AppState,
    ctx: &PageCtx,
    scope: sojourn_domain::unit::Scope,
    f: FormData,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let kinds = ops::request_kinds(state)
        .await
        .map_err(|e| page_error(tr, e))?;
    let person_id = f.opt("person_id").map(|p| path_id(tr, &p)).transpose()?;
    let read_scope = scope.clone();
    let (units, person) = blocking(state, tr, move |store| {
        let person = person_id
            .map(|id| store.get_person(&read_scope, sojourn_domain::person::PersonId(id)))
            .transpose()?;
        Ok((Units::load(store, &read_scope)?, person))
    })
    .await?;
    let selected = f.val("kind").to_owned();
    let title = tr.t("request-new-title");
    let invalid = !f.is_valid() || f.form_error.is_some();
    let page = IntakePage {
        chrome: Chrome::new(ctx, &title, Nav::Requests, &units.root_name()),
        kinds: kinds
            .iter()
            .map(|k| {
                Choice::new(
                    k.code.as_str(),
                    kind_name(tr, &kinds, k.code.as_str()),
                    &selected,
                )
            })
            .collect(),
        person: person.map(|p| (p.id.0, p.details.name.to_string())),
        f,
        tr,
    };
    let mut html = render(tr, &page)?;
    if invalid {
        html.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
    }
    Ok(html.into_response())
}

/// `POST /service-requests/new`: the person by `person_id` (from the
/// file) or by `id_number` (typed at the window).
pub(crate) async fn intake_submit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut f = FormData::new(values);
    let person = match (f.opt("person_id"), f.opt("id_number")) {
        (Some(id), _) => Some(path_id(tr, &id)?),
        (None, Some(number)) => match IdNumber::parse(&number) {
            Ok(number) => {
                let read_scope = scope.clone();
                let found = blocking(&state, tr, move |store| {
                    store.find_person(&read_scope, &number)
                })
                .await?;
                if found.is_none() {
                    f.refuse("id_number", tr.t("request-person-not-found"));
                }
                found.map(|p| p.id.0)
            }
            Err(error) => {
                f.refuse_with(tr, "id_number", &error);
                None
            }
        },
        (None, None) => {
            f.refuse("id_number", tr.t("request-person-required"));
            None
        }
    };
    let body = IntakeRequest {
        person_id: person.unwrap_or_default(),
        kind: f.val("kind").to_owned(),
        asked: f.val("asked").to_owned(),
        received_on: f.opt("received_on"),
    };
    let parsed = match body.parse(china_today()) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            f.absorb(tr, error).map_err(|e| page_error(tr, e))?;
            None
        }
    };
    let (Some(request), Some(_)) = (parsed, person) else {
        return show_intake(&state, &ctx, scope, f).await;
    };
    let written = ops::take_request(&state, scope.clone(), caller.actor(), request)
        .await
        .map_err(|e| PageError::internal(tr, e))?;
    match written {
        Ok(taken) => Ok(
            Redirect::to(&format!("/service-requests/{}?done=taken", taken.id.0)).into_response(),
        ),
        Err(sojourn_store::StoreError::ReferenceOutOfScope { .. }) => {
            f.refuse("id_number", tr.t("request-person-not-found"));
            show_intake(&state, &ctx, scope, f).await
        }
        Err(error @ sojourn_store::StoreError::Request(_)) => {
            f.refuse_with(tr, "kind", &error);
            show_intake(&state, &ctx, scope, f).await
        }
        Err(error) => Err(PageError::store(tr, error)),
    }
}

// ---------------------------------------------------------------------------
// A request and its steps

#[derive(Template)]
#[template(path = "service_request.html")]
struct RequestPage {
    tr: Tr,
    chrome: Chrome,
    r: RequestView,
    f: FormData,
    can_step: bool,
    message: Option<String>,
    satisfactions: Vec<Choice>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ShowQuery {
    done: Option<String>,
}

/// `GET /service-requests/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = RequestId(path_id(tr, &id)?);
    let message = query
        .done
        .as_deref()
        .filter(|d| matches!(*d, "taken" | "refer" | "resolve" | "close"))
        .map(|d| tr.t(&format!("request-done-{d}")));
    show_request(
        &state,
        &ctx,
        &caller,
        scope,
        id,
        FormData::default(),
        message,
    )
    .await
}

async fn show_request(
    state: &AppState,
    ctx: &PageCtx,
    caller: &Caller,
    scope: sojourn_domain::unit::Scope,
    id: RequestId,
    f: FormData,
    message: Option<String>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let request = ops::get_request(state, scope.clone(), caller.actor(), id)
        .await
        .map_err(|e| page_error(tr, e))?;
    let kinds = ops::request_kinds(state)
        .await
        .map_err(|e| page_error(tr, e))?;
    let units = blocking(state, tr, move |store| Units::load(store, &scope)).await?;
    let selected = f.val("satisfaction").to_owned();
    let title = tr.t("request-title");
    let invalid = !f.is_valid() || f.form_error.is_some();
    let page = RequestPage {
        chrome: Chrome::new(ctx, &title, Nav::Requests, &units.root_name()),
        r: view(tr, &kinds, &request),
        can_step: may(caller, Action::Update),
        message,
        satisfactions: sojourn_domain::services::request::Satisfaction::ALL
            .iter()
            .map(|s| {
                Choice::new(
                    s.code(),
                    tr.t(&format!("request-satisfaction-{}", s.code())),
                    &selected,
                )
            })
            .collect(),
        f,
        tr,
    };
    let mut html = render(tr, &page)?;
    if invalid {
        html.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
    }
    Ok(html.into_response())
}

/// `POST /service-requests/{id}/{step}` (refer, resolve, close).
pub(crate) async fn step(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path((id, step)): Path<(String, String)>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = RequestId(path_id(tr, &id)?);
    // A request out of scope is not found before its form is read.
    let read_scope = scope.clone();
    blocking(&state, tr, move |store| store.get_request(&read_scope, id)).await?;
    let kind = match step.as_str() {
        "refer" => StepKind::Refer,
        "resolve" => StepKind::Resolve,
        "close" => StepKind::Close,
        _ => return Err(PageError::not_found(tr)),
    };
    let mut f = FormData::new(values);
    let body = StepRequest {
        version: f.val("version").parse().unwrap_or_default(),
        on: f.opt("on"),
        department: f.opt("department"),
        contact: f.opt("contact"),
        phone: f.opt("phone"),
        resolution: f.opt("resolution"),
        satisfaction: f.opt("satisfaction"),
        feedback: f.opt("feedback"),
    };
    let parsed = match body.parse(kind, china_today()) {
        Ok(parsed) => parsed,
        Err(error) => {
            f.absorb(tr, error).map_err(|e| page_error(tr, e))?;
            return show_request(&state, &ctx, &caller, scope, id, f, None).await;
        }
    };
    let written = ops::step_request(&state, scope.clone(), caller.actor(), id, parsed)
        .await
        .map_err(|e| PageError::internal(tr, e))?;
    match written {
        Ok(_) => {
            Ok(Redirect::to(&format!("/service-requests/{}?done={step}", id.0)).into_response())
        }
        Err(
            error @ (sojourn_store::StoreError::Request(_)
            | sojourn_store::StoreError::VersionConflict { .. }),
        ) => {
            f.form_error = Some(format::localized(tr, &error));
            show_request(&state, &ctx, &caller, scope, id, f, None).await
        }
        Err(error) => Err(PageError::store(tr, error)),
    }
}
