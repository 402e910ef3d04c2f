//! Patrols on the pages (巡查, R6.1). `/patrols` is the worklist: one
//! level at a time (houses, collection points, stations), due within the
//! week or overdue (`?level=&state=&unit=&page=` in the URL), most overdue
//! first, each row linking to the patrol form; below it the tasks that
//! patrols opened (new tenants not registered), each closed with a click
//! once dealt with, and, for the heads of the whole deployment, the
//! cycles. `/patrols/new?house=ID` or `?unit=CODE` is the form a
//! coordinator fills on a phone in a few taps: the date (today), who
//! (themselves), what was seen as big choices, a note. The worklist
//! downloads as .xlsx (`/patrols.xlsx`, at most [`EXPORT_ROWS`] rows).

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::{PageError, localized};
use super::form::FormData;
use super::imports::{XLSX, file_download, xlsx_file};
use super::person::path_id;
use crate::AppState;
use crate::auth::Caller;
use crate::format;
use crate::i18n::Tr;
use crate::ops::files::file_download as file_body;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::house::HouseId;
use sojourn_domain::patrol::{
    HouseSighting, Occupancy, Patrol, PatrolCycles, PatrolError, PatrolLevel, PatrolTarget,
    Timeliness, Visit,
};
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::time_rules::{PastDate, china_today};
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_sheets::write::TableWriter;
use sojourn_store::patrols::{DueFilter, DuePatrol, PatrolQuery, PatrolTask, RecordedPatrol};
use sojourn_store::{Page, PageRequest};
use std::collections::HashMap;

/// Rows a worklist page shows.
const PAGE_ROWS: u32 = 50;
/// Rows a downloaded worklist holds at most; a larger list is narrowed
/// by unit first.
pub(crate) const EXPORT_ROWS: u64 = 20_000;
/// Open tasks the page lists.
const TASKS_SHOWN: u32 = 200;
/// Patrols the form page shows of its target.
const HISTORY_SHOWN: u32 = 10;

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct ListQuery {
    level: Option<String>,
    state: Option<String>,
    unit: Option<String>,
    page: Option<String>,
    done: Option<String>,
}

/// A worklist's parameters, parsed.
struct Wanted {
    level: PatrolLevel,
    filter: DueFilter,
    unit: Option<UnitCode>,
    page: u64,
}

impl Wanted {
    fn parse(tr: Tr, query: &ListQuery) -> Result<Self, PageError> {
        let bad = || PageError::bad_input(tr);
        let level = match query.level.as_deref().filter(|l| !l.is_empty()) {
            None => PatrolLevel::House,
            Some(key) => PatrolLevel::from_key(key).ok_or_else(bad)?,
        };
        let filter = match query.state.as_deref() {
            None | Some("" | "due") => DueFilter::Due,
            Some("overdue") => DueFilter::Overdue,
            Some(_) => return Err(bad()),
        };
        let unit = match query.unit.as_deref().filter(|u| !u.is_empty()) {
            None => None,
            Some(code) => Some(UnitCode::parse(code).map_err(|_| bad())?),
        };
        let page = match query.page.as_deref().filter(|p| !p.is_empty()) {
            None => 1,
            Some(n) => n
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(bad)?,
        };
        Ok(Self {
            level,
            filter,
            unit,
            page,
        })
    }

    /// The caller's scope narrowed to the unit asked, which must lie in it.
    fn scope(&self, tr: Tr, scope: Scope) -> Result<Scope, PageError> {
        match &self.unit {
            None => Ok(scope),
            Some(unit) if scope.contains(unit) => Ok(Scope::of(unit.clone())),
            Some(_) => Err(PageError::not_found(tr)),
        }
    }

    fn query(&self, page: PageRequest) -> PatrolQuery {
        PatrolQuery {
            level: self.level,
            filter: self.filter,
            today: china_today(),
            page,
        }
    }

    /// The URL of this list with `page`, for the pager.
    fn href(&self, page: u64) -> String {
        let state = match self.filter {
            DueFilter::Due => "due",
            DueFilter::Overdue => "overdue",
        };
        let unit = self.unit.as_ref().map_or("", UnitCode::as_str);
        format!(
            "/patrols?level={}&state={state}&unit={unit}&page={page}",
            self.level.key()
        )
    }
}

pub(crate) fn level_name(tr: Tr, level: PatrolLevel) -> String {
    tr.t(&format!("patrol-level-{}", level.key()))
}

struct Row {
    name: String,
    href: Option<String>,
    unit: String,
    last: String,
    due: String,
    overdue: bool,
    status: String,
    record: String,
}

impl Row {
    fn of(tr: Tr, d: &DuePatrol, units: &Units) -> Self {
        let today = china_today();
        let overdue = Timeliness::of(d.due_on, today) == Timeliness::Overdue;
        let status = if overdue {
            let days = (today - d.due_on).whole_days();
            tr.ts("patrol-overdue-days", "days", &days.to_string())
        } else {
            tr.t("patrol-due-soon")
        };
        let record = match d.house {
            Some(house) => format!("/patrols/new?house={}", house.0),
            None => format!("/patrols/new?unit={}", d.unit),
        };
        Self {
            name: d.name.clone(),
            href: d.house.map(|h| format!("/houses/{}", h.0)),
            unit: units.name_of(&d.unit),
            last: d.last_on.map_or_else(|| tr.t("patrol-never"), format::date),
            due: format::date(d.due_on),
            overdue,
            status,
            record,
        }
    }
}

struct TaskRow {
    id: i64,
    address: String,
    house: i64,
    unit: String,
    opened: String,
}

impl TaskRow {
    fn of(t: &PatrolTask, units: &Units) -> Self {
        Self {
            id: t.id,
            address: t.address.clone(),
            house: t.house.0,
            unit: units.name_of(&t.unit),
            opened: format::date(t.opened_on),
        }
    }
}

struct Tab {
    href: String,
    label: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "patrols.html")]
struct ListPage {
    tr: Tr,
    chrome: Chrome,
    tabs: Vec<Tab>,
    states: Vec<Tab>,
    units: Vec<format::Choice>,
    level: String,
    rows: Vec<Row>,
    total: u64,
    previous: Option<String>,
    next: Option<String>,
    export: String,
    tasks: Vec<TaskRow>,
    may_record: bool,
    cycles: Option<FormData>,
    message: Option<String>,
}

fn may(caller: &Caller, action: Action) -> bool {
    caller
        .principal
        .role_allowing(action, Resource::Patrol)
        .is_some()
}

/// `GET /patrols`.
pub(crate) async fn list(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<ListQuery>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let message = match query.done.as_deref() {
        Some("closed") => Some(tr.t("patrol-task-closed")),
        Some("cycles") => Some(tr.t("patrol-cycles-saved")),
        Some("saved") => Some(tr.t("patrol-saved")),
        _ => None,
    };
    show_list(&state, &ctx, &caller, scope, &query, message, None).await
}

async fn show_list(
    state: &AppState,
    ctx: &PageCtx,
    caller: &Caller,
    scope: Scope,
    query: &ListQuery,
    message: Option<String>,
    refused_cycles: Option<FormData>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let wanted = Wanted::parse(tr, query)?;
    let list_scope = wanted.scope(tr, scope.clone())?;
    let offset = (wanted.page - 1) * u64::from(PAGE_ROWS);
    let page = PageRequest::new(offset, PAGE_ROWS).unwrap_or_default();
    let patrol_query = wanted.query(page);
    let read_scope = scope.clone();
    let (units, found, tasks, cycles, root) = blocking(state, tr, move |store| {
        let found = store.patrol_worklist(&list_scope, &patrol_query)?;
        let tasks = store.open_patrol_tasks(&list_scope, None, TASKS_SHOWN)?;
        let root = store.deployment_root_unscoped()?;
        Ok((
            Units::load(store, &read_scope)?,
            found,
            tasks,
            store.patrol_cycles()?,
            root,
        ))
    })
    .await?;
    let whole_deployment = root.is_some_and(|r| &r.code == scope.root());
    let cycles = (may(caller, Action::Update) && whole_deployment)
        .then(|| refused_cycles.unwrap_or_else(|| cycles_form(&cycles)));
    let Page { items, total } = found;
    let shown_to = offset + items.len() as u64;
    let title = tr.t("patrols-title");
    let page = ListPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Patrols, &units.root_name()),
        tabs: tabs(tr, &wanted),
        states: states(tr, &wanted),
        units: super::access::unit_options(
            &units.all.iter().collect::<Vec<_>>(),
            wanted.unit.as_ref().map_or("", UnitCode::as_str),
        ),
        level: wanted.level.key().to_owned(),
        rows: items.iter().map(|d| Row::of(tr, d, &units)).collect(),
        total,
        previous: (wanted.page > 1).then(|| wanted.href(wanted.page - 1)),
        next: (shown_to < total).then(|| wanted.href(wanted.page + 1)),
        export: wanted.href(1).replacen("/patrols?", "/patrols.xlsx?", 1),
        tasks: tasks.iter().map(|t| TaskRow::of(t, &units)).collect(),
        may_record: may(caller, Action::Create),
        cycles,
        message,
    };
    render(tr, &page)
}

fn tabs(tr: Tr, wanted: &Wanted) -> Vec<Tab> {
    PatrolLevel::ALL
        .into_iter()
        .map(|level| Tab {
            href: Wanted {
                level,
                page: 1,
                unit: wanted.unit.clone(),
                filter: wanted.filter,
            }
            .href(1),
            label: level_name(tr, level),
            active: level == wanted.level,
        })
        .collect()
}

fn states(tr: Tr, wanted: &Wanted) -> Vec<Tab> {
    [
        (DueFilter::Due, "patrol-state-due"),
        (DueFilter::Overdue, "patrol-state-overdue"),
    ]
    .into_iter()
    .map(|(filter, key)| Tab {
        href: Wanted {
            filter,
            page: 1,
            unit: wanted.unit.clone(),
            level: wanted.level,
        }
        .href(1),
        label: tr.t(key),
        active: filter == wanted.filter,
    })
    .collect()
}

fn cycles_form(cycles: &PatrolCycles) -> FormData {
    let mut f = FormData::default();
    for level in PatrolLevel::ALL {
        f.set(level.key(), cycles.days(level).to_string());
    }
    f
}

/// `POST /patrols/cycles`.
pub(crate) async fn set_cycles(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut form = FormData::new(values);
    let mut days = |level: PatrolLevel| match PatrolCycles::parse_days(form.val(level.key())) {
        Ok(days) => days,
        Err(error) => {
            form.refuse_with(tr, level.key(), &error);
            0
        }
    };
    let cycles = PatrolCycles {
        house: days(PatrolLevel::House),
        collection_point: days(PatrolLevel::CollectionPoint),
        station: days(PatrolLevel::Station),
    };
    if !form.is_valid() {
        let query = ListQuery::default();
        let page = show_list(&state, &ctx, &caller, scope, &query, None, Some(form)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let actor = caller.actor();
    blocking(&state, tr, move |store| {
        store.set_patrol_cycles(&scope, cycles, &actor)
    })
    .await?;
    Ok(Redirect::to("/patrols?done=cycles").into_response())
}

/// `POST /patrols/tasks/{id}/close`.
pub(crate) async fn close_task(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let task = path_id(tr, &id)?;
    let actor = caller.actor();
    blocking(&state, tr, move |store| {
        store.close_patrol_task(&scope, task, &actor)
    })
    .await?;
    Ok(Redirect::to("/patrols?done=closed#tasks").into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct TargetQuery {
    house: Option<String>,
    unit: Option<String>,
}

/// The target a form is for, from `house=` or `unit=`.
fn target_of(tr: Tr, house: Option<&str>, unit: Option<&str>) -> Result<PatrolTarget, PageError> {
    match (
        house.filter(|h| !h.is_empty()),
        unit.filter(|u| !u.is_empty()),
    ) {
        (Some(house), None) => Ok(PatrolTarget::House(HouseId(path_id(tr, house)?))),
        (None, Some(unit)) => UnitCode::parse(unit)
            .map(PatrolTarget::Unit)
            .map_err(|_| PageError::bad_input(tr)),
        _ => Err(PageError::bad_input(tr)),
    }
}

struct HistoryRow {
    on: String,
    patroller: String,
    seen: String,
    note: String,
}

impl HistoryRow {
    fn of(tr: Tr, r: &RecordedPatrol) -> Self {
        let p = &r.patrol;
        Self {
            on: format::date(p.patrolled_on.date()),
            patroller: p.patroller.to_string(),
            seen: p.visit.sighting().map_or_else(String::new, |s| seen(tr, s)),
            note: p.note.as_ref().map(ToString::to_string).unwrap_or_default(),
        }
    }
}

fn seen(tr: Tr, s: HouseSighting) -> String {
    let mut parts = vec![tr.t(&format!("patrol-occupancy-{}", s.occupancy.key()))];
    if s.unregistered_tenants {
        parts.push(tr.t("patrol-unregistered"));
    }
    if s.hazard {
        parts.push(tr.t("patrol-hazard"));
    }
    parts.join("，")
}

#[derive(Template)]
#[template(path = "patrol_form.html")]
struct FormPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    target_name: String,
    level: String,
    house: String,
    unit: String,
    is_house: bool,
    today: String,
    history: Vec<HistoryRow>,
}

/// What the form page shows of its target: name, level, patrols so far.
async fn describe(
    state: &AppState,
    tr: Tr,
    scope: Scope,
    target: PatrolTarget,
) -> Result<(String, PatrolLevel, Vec<RecordedPatrol>, Units), PageError> {
    blocking(state, tr, move |store| {
        let (name, level) = match &target {
            PatrolTarget::House(house) => (
                store.get_house(&scope, *house)?.details.address.to_string(),
                PatrolLevel::House,
            ),
            PatrolTarget::Unit(code) => {
                let unit = store.get_unit(&scope, code)?;
                let level = sojourn_domain::patrol::unit_level(code)
                    .map_err(|e| sojourn_store::StoreError::Rule(e.into()))?;
                (unit.name.to_string(), level)
            }
        };
        let history = store.patrols_of(&scope, &target, HISTORY_SHOWN)?;
        Ok((name, level, history, Units::load(store, &scope)?))
    })
    .await
}

/// `GET /patrols/new?house=ID` or `?unit=CODE`.
pub(crate) async fn form(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<TargetQuery>,
) -> Result<HtmlPage, PageError> {
    let target = target_of(ctx.tr, query.house.as_deref(), query.unit.as_deref())?;
    let mut f = FormData::default();
    f.set("patrolled_on", china_today().to_string());
    f.set("patroller", caller.principal.display_name.to_string());
    show_form(&state, &ctx, scope, target, f).await
}

async fn show_form(
    state: &AppState,
    ctx: &PageCtx,
    scope: Scope,
    target: PatrolTarget,
    f: FormData,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let (name, level, history, units) = describe(state, tr, scope, target.clone()).await?;
    let (house, unit) = match &target {
        PatrolTarget::House(h) => (h.0.to_string(), String::new()),
        PatrolTarget::Unit(code) => (String::new(), code.to_string()),
    };
    let title = tr.t("patrol-form-title");
    let page = FormPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Patrols, &units.root_name()),
        f,
        target_name: name,
        level: level_name(tr, level),
        is_house: level == PatrolLevel::House,
        house,
        unit,
        today: china_today().to_string(),
        history: history.iter().map(|r| HistoryRow::of(tr, r)).collect(),
    };
    render(tr, &page)
}

/// The patrol the form describes, or the form with its errors.
fn parse_patrol(tr: Tr, target: &PatrolTarget, form: &mut FormData) -> Option<Patrol> {
    let today = china_today();
    let on = PastDate::parse(form.val("patrolled_on"), today)
        .map_err(|e| form.refuse_with(tr, "patrolled_on", &e))
        .ok();
    let patroller = PersonName::parse(form.val("patroller"))
        .map_err(|e| form.refuse_with(tr, "patroller", &e))
        .ok();
    let note = match form.opt("note") {
        None => None,
        Some(text) => match Note::parse(&text) {
            Ok(note) => Some(note),
            Err(e) => {
                form.refuse_with(tr, "note", &e);
                None
            }
        },
    };
    let visit = match target {
        PatrolTarget::Unit(code) => Some(Visit::Unit(code.clone())),
        PatrolTarget::House(house) => match Occupancy::from_key(form.val("occupancy")) {
            Some(occupancy) => Some(Visit::House {
                house: *house,
                sighting: HouseSighting {
                    occupancy,
                    unregistered_tenants: form.val("unregistered_tenants") == "1",
                    hazard: form.val("hazard") == "1",
                },
            }),
            None => {
                form.refuse("occupancy", localized(tr, &PatrolError::SightingMissing));
                None
            }
        },
    };
    Some(Patrol {
        visit: visit?,
        patrolled_on: on?,
        patroller: patroller?,
        note,
    })
    .filter(|_| form.is_valid())
}

/// `POST /patrols/new`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let target = target_of(
        tr,
        values.get("house").map(String::as_str),
        values.get("unit").map(String::as_str),
    )?;
    let mut form = FormData::new(values);
    let Some(patrol) = parse_patrol(tr, &target, &mut form) else {
        let page = show_form(&state, &ctx, scope, target, form).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (write_scope, actor) = (scope.clone(), caller.actor());
    let recorded = blocking(&state, tr, move |store| {
        store.record_patrol(&write_scope, &patrol, &actor)
    })
    .await?;
    let back = match recorded.patrol.visit {
        Visit::House { house, .. } => format!("/houses/{}?patrolled=1", house.0),
        Visit::Unit(_) => format!("/patrols?level={}&done=saved", recorded.level.key()),
    };
    Ok(Redirect::to(&back).into_response())
}

/// `GET /patrols.xlsx`: the worklist as asked, up to [`EXPORT_ROWS`].
pub(crate) async fn download(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let wanted = Wanted::parse(tr, &query)?;
    let list_scope = wanted.scope(tr, scope.clone())?;
    let first = wanted.query(PageRequest::new(0, 1).unwrap_or_default());
    let (total, units) = blocking(&state, tr, {
        let list_scope = list_scope.clone();
        move |store| {
            Ok((
                store.patrol_worklist(&list_scope, &first)?.total,
                Units::load(store, &scope)?,
            ))
        }
    })
    .await?;
    if total > EXPORT_ROWS {
        let message = tr.ts("patrol-export-too-many", "count", &total.to_string());
        return Err(PageError::with_status(
            tr,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        ));
    }
    let mut rows = Vec::new();
    let mut offset = 0;
    while offset < total {
        let page = PageRequest::new(offset, PageRequest::MAX_LIMIT).unwrap_or_default();
        let query = wanted.query(page);
        let read_scope = list_scope.clone();
        let found = blocking(&state, tr, move |store| {
            store.patrol_worklist(&read_scope, &query)
        })
        .await?;
        if found.items.is_empty() {
            break;
        }
        offset += found.items.len() as u64;
        rows.extend(found.items.iter().map(|d| Row::of(tr, d, &units)));
    }
    let level = level_name(tr, wanted.level);
    let file = xlsx_file(tr, move |path| write_rows(path, tr, &level, &rows)).await?;
    file_download(tr, file_body(file, XLSX), &tr.t("patrol-file-name"))
}

fn write_rows(
    path: &std::path::Path,
    tr: Tr,
    level: &str,
    rows: &[Row],
) -> Result<(), sojourn_sheets::SheetError> {
    let header: Vec<String> = [
        "patrol-col-target",
        "patrol-col-unit",
        "patrol-col-last",
        "patrol-col-due",
        "patrol-col-status",
    ]
    .iter()
    .map(|key| tr.t(key))
    .collect();
    let title = format!("{}（{level}）", tr.t("patrols-title"));
    let mut writer = TableWriter::create(
        path,
        level,
        Some(&title),
        &header.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    for row in rows {
        writer.row(&[&row.name, &row.unit, &row.last, &row.due, &row.status])?;
    }
    writer.finish()
}
