//! The 三查 worklist (R4.3): the women whose checks are due in the window
//! open today, or whose windows ended without one, in the caller's
//! jurisdiction or a unit of it (`?unit=`, kept in the URL with the list).
//! A role that records checks records a result from the row itself; the
//! woman then leaves the due list. The key groups, drawn from what files
//! hold, are offered only to the roles that may see it.

use super::access::{Units, blocking, blocking_raw};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::person::path_id;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::family_planning::CheckBody;
use crate::format::localized;
use crate::i18n::Tr;
use crate::ops::family_planning as ops;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::services::family_planning::{FollowUpFileId, KeyGroup};
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::family_planning::{FamilyPlanningList, FamilyPlanningQuery};
use sojourn_store::{PageRequest, StoreError};
use std::collections::HashMap;

/// A row as the page shows it.
struct RowView {
    file: i64,
    name: String,
    href: Option<String>,
    unit: String,
    population: &'static str,
    basis_on: String,
    due: String,
}

/// A list the page links to.
struct Tab {
    key: &'static str,
    label: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "family_planning.html")]
struct WorklistPage {
    tr: Tr,
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<RowView>,
    total: u64,
    /// Whether rows carry the form to record a result.
    can_record: bool,
    unit: String,
    list: String,
    today: String,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct WorklistParams {
    list: Option<String>,
    unit: Option<String>,
    done: Option<String>,
}

fn list_of(key: &str) -> Option<FamilyPlanningList> {
    match key {
        "" | "due" => Some(FamilyPlanningList::Due),
        "missed" => Some(FamilyPlanningList::Missed),
        other => KeyGroup::from_key(other).map(FamilyPlanningList::Group),
    }
}

fn may(caller: &Caller, action: Action) -> bool {
    (caller.principal)
        .role_allowing(action, Resource::FamilyPlanning)
        .is_some()
}

/// `GET /family-planning`.
pub(crate) async fn worklist(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Query(params): Query<WorklistParams>,
) -> Result<HtmlPage, PageError> {
    let message = (params.done.as_deref() == Some("check")).then(|| ctx.tr.t("fp-check-done"));
    show(&state, &ctx, &caller, &params, message, None).await
}

/// The narrower unit of `?unit=`, if it lies in the caller's scope.
fn narrowed(tr: Tr, scope: &Scope, unit: Option<&str>) -> Result<Scope, PageError> {
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        None => Ok(scope.clone()),
        Some(text) => UnitCode::parse(text)
            .ok()
            .and_then(|code| scope.narrow_to(&code).ok())
            .ok_or_else(|| PageError::not_found(tr)),
    }
}

async fn show(
    state: &AppState,
    ctx: &PageCtx,
    caller: &Caller,
    params: &WorklistParams,
    message: Option<String>,
    error: Option<String>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let key = params.list.clone().unwrap_or_else(|| "due".to_owned());
    let list = list_of(&key).ok_or_else(|| PageError::bad_input(tr))?;
    let scope = narrowed(tr, &caller.scope(), params.unit.as_deref())?;
    let query = FamilyPlanningQuery {
        list,
        today: china_today(),
        windows: state.check_windows,
        page: PageRequest::new(0, PageRequest::MAX_LIMIT).unwrap_or_default(),
    };
    let page = ops::worklist(state, caller, scope, query)
        .await
        .map_err(|e| super::person::page_error(tr, e))?;
    let root_scope = caller.scope();
    let units = blocking(state, tr, move |store| Units::load(store, &root_scope)).await?;
    let unit = params.unit.clone().unwrap_or_default();
    let reveal = ops::may_see_contents(caller);
    let mut keys = vec!["due", "missed"];
    if reveal {
        keys.extend(KeyGroup::ALL.map(KeyGroup::key));
    }
    let tabs = keys
        .into_iter()
        .map(|k| Tab {
            key: k,
            label: tr.t(&format!("fp-list-{k}")),
            href: if unit.is_empty() {
                format!("/family-planning?list={k}")
            } else {
                format!("/family-planning?list={k}&unit={unit}")
            },
            current: k == key,
        })
        .collect();
    let may_read_people = (caller.principal)
        .role_allowing(Action::Read, Resource::Resident)
        .is_some();
    let rows = (page.items.iter())
        .map(|r| RowView {
            file: r.file.0,
            name: r.name.clone(),
            href: r
                .person
                .filter(|_| may_read_people)
                .map(|p| format!("/persons/{}", p.0)),
            unit: units.name_of(&r.unit),
            population: r.population.name_zh(),
            basis_on: r.basis_on.to_string(),
            due: r.due.map(|(a, b)| format!("{a} – {b}")).unwrap_or_default(),
        })
        .collect();
    let title = tr.t("fp-title");
    let view = WorklistPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Residents, &units.root_name()),
        tabs,
        rows,
        total: page.total,
        can_record: may(caller, Action::Update) && key != "missed_check",
        unit,
        list: key,
        today: china_today().to_string(),
        message,
        error,
    };
    render(tr, &view)
}

/// `POST /family-planning/{id}/checks`: a 三查 result recorded from the
/// worklist's row (`list` and `unit` bring the reader back to the list).
pub(crate) async fn record_check(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = FollowUpFileId(path_id(tr, &id)?);
    let value = |k: &str| values.get(k).cloned().unwrap_or_default();
    let params = WorklistParams {
        list: Some(value("list")).filter(|l| list_of(l).is_some()),
        unit: Some(value("unit")).filter(|u| !u.is_empty()),
        done: None,
    };
    // The file must be in scope before anything is said about the form.
    let read_scope = caller.scope();
    blocking(&state, tr, move |store| {
        store.family_planning_file(&read_scope, id)
    })
    .await?;
    let body = CheckBody {
        checked_on: value("checked_on"),
        iud: value("iud"),
        pregnancy: value("pregnancy"),
        health: value("health"),
    };
    let refused = |error: String| async {
        let mut page = show(&state, &ctx, &caller, &params, None, Some(error)).await?;
        page.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
        Ok::<_, PageError>(page.into_response())
    };
    let result = match body.parse() {
        Ok(result) => result,
        Err(_) => return refused(tr.t("fp-check-invalid")).await,
    };
    let (scope, actor, windows) = (caller.scope(), caller.actor(), state.check_windows);
    let outcome = blocking_raw(&state, tr, move |store| {
        store.record_family_planning_check(&scope, id, &result, windows, china_today(), &actor)
    })
    .await?;
    match outcome {
        Ok(_) => {
            let mut to = format!(
                "/family-planning?list={}&done=check",
                params.list.as_deref().unwrap_or("due")
            );
            if let Some(unit) = &params.unit {
                to.push_str(&format!("&unit={unit}"));
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(error @ StoreError::FamilyPlanning(_)) => refused(localized(tr, &error)).await,
        Err(error) => Err(PageError::store(tr, error)),
    }
}
