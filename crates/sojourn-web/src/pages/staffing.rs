//! The staffing ratios page (配备标准, R1.4): every community or village
//! of the reader's jurisdiction with the coordinators it needs for its
//! floating residents and rental houses and the coordinators' accounts it
//! has, and every employer with the coordinators its temporary residents
//! need and those it has. The heads of an office or station record an
//! employer's coordinators in the row (they are the employer's staff, not
//! accounts). `?short=1` keeps the rows that fall short; the same view
//! downloads as .xlsx, one sheet for communities, one for employers.
//!
//! The rule is `sojourn_domain::staffing`; the figures come from
//! `Store::staffing`, a few grouped counts however large the register.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::imports::{XLSX, file_download, xlsx_file};
use super::person::path_id;
use crate::AppState;
use crate::auth::Caller;
use crate::i18n::Tr;
use crate::ops::files::file_download as file_body;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::employer::EmployerId;
use sojourn_domain::staffing::EmployerCoordinators;
use sojourn_domain::unit::Scope;
use sojourn_sheets::write::TableWriter;
use sojourn_store::staffing::{CommunityStaffing, EmployerStaffing, Staffing};
use std::collections::HashMap;

/// More coordinators than any employer has: a typing slip, refused.
const MOST_COORDINATORS: u32 = 999;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct StaffingQuery {
    short: Option<String>,
    done: Option<String>,
}

impl StaffingQuery {
    fn short_only(&self) -> bool {
        self.short.as_deref() == Some("1")
    }
}

struct CommunityRow {
    name: String,
    residents: u64,
    houses: u64,
    needed: u64,
    have: u64,
    short_by: u64,
}

impl CommunityRow {
    fn of(c: &CommunityStaffing) -> Self {
        Self {
            name: c.unit.name.to_string(),
            residents: c.residents,
            houses: c.houses,
            needed: c.needed(),
            have: c.coordinators,
            short_by: c.short_by(),
        }
    }
}

struct EmployerRow {
    id: i64,
    name: String,
    unit: String,
    workers: u64,
    needed: String,
    full_time: String,
    part_time: String,
    short: bool,
    /// The row's form error, when its save was refused.
    error: String,
}

impl EmployerRow {
    fn of(tr: Tr, e: &EmployerStaffing, units: &Units) -> Self {
        Self {
            id: e.id.0,
            name: e.name.to_string(),
            unit: units.name_of(&e.unit),
            workers: e.workers,
            needed: needed_text(tr, e.needed()),
            full_time: e.coordinators.full_time.to_string(),
            part_time: e.coordinators.part_time.to_string(),
            short: e.falls_short(),
            error: String::new(),
        }
    }
}

fn needed_text(tr: Tr, need: EmployerCoordinators) -> String {
    match (need.full_time, need.part_time) {
        (0, 0) => tr.t("staffing-need-none"),
        (0, _) => tr.t("staffing-need-part-time"),
        (n, _) => tr.ts("staffing-need-full-time", "count", &n.to_string()),
    }
}

#[derive(Template)]
#[template(path = "staffing.html")]
struct StaffingPage {
    tr: Tr,
    chrome: Chrome,
    communities: Vec<CommunityRow>,
    employers: Vec<EmployerRow>,
    short_only: bool,
    can_update: bool,
    message: Option<String>,
}

fn may(caller: &Caller, action: Action) -> bool {
    caller
        .principal
        .role_allowing(action, Resource::Assessment)
        .is_some()
}

/// The staffing of `scope` and its units' names.
async fn load(state: &AppState, tr: Tr, scope: Scope) -> Result<(Staffing, Units), PageError> {
    blocking(state, tr, move |store| {
        Ok((store.staffing(&scope)?, Units::load(store, &scope)?))
    })
    .await
}

/// `GET /staffing`.
pub(crate) async fn page(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<StaffingQuery>,
) -> Result<HtmlPage, PageError> {
    let message = (query.done.as_deref() == Some("saved")).then(|| ctx.tr.t("staffing-saved"));
    show(&state, &ctx, &caller, scope, &query, message, None).await
}

/// A save refused: the row it was for and why.
struct Refused {
    id: i64,
    full_time: String,
    part_time: String,
    error: String,
}

async fn show(
    state: &AppState,
    ctx: &PageCtx,
    caller: &Caller,
    scope: Scope,
    query: &StaffingQuery,
    message: Option<String>,
    refused: Option<Refused>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let (staffing, units) = load(state, tr, scope).await?;
    let short_only = query.short_only();
    let mut employers: Vec<EmployerRow> = staffing
        .employers
        .iter()
        .filter(|e| e.workers > 0 || e.coordinators != EmployerCoordinators::default())
        .filter(|e| !short_only || e.falls_short())
        .map(|e| EmployerRow::of(tr, e, &units))
        .collect();
    if let Some(refused) = refused
        && let Some(row) = employers.iter_mut().find(|r| r.id == refused.id)
    {
        row.full_time = refused.full_time;
        row.part_time = refused.part_time;
        row.error = refused.error;
    }
    let title = tr.t("staffing-title");
    let page = StaffingPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Staffing, &units.root_name()),
        communities: staffing
            .communities
            .iter()
            .filter(|c| !short_only || c.short_by() > 0)
            .map(CommunityRow::of)
            .collect(),
        employers,
        short_only,
        can_update: may(caller, Action::Update),
        message,
    };
    render(tr, &page)
}

/// A count of coordinators as typed, or the reason it is refused.
fn coordinators(tr: Tr, typed: &str) -> Result<u32, String> {
    let text = typed.trim();
    if text.is_empty() {
        return Ok(0);
    }
    match text.parse::<u32>() {
        Ok(n) if n <= MOST_COORDINATORS => Ok(n),
        _ => Err(tr.ts("staffing-count-invalid", "typed", text)),
    }
}

/// `POST /staffing/employers/{id}` (`full_time=`, `part_time=`).
pub(crate) async fn set_employer(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = EmployerId(path_id(tr, &id)?);
    let typed = |field: &str| values.get(field).cloned().unwrap_or_default();
    let (full_time, part_time) = (typed("full_time"), typed("part_time"));
    let parsed = coordinators(tr, &full_time).and_then(|full| {
        coordinators(tr, &part_time).map(|part| EmployerCoordinators {
            full_time: full,
            part_time: part,
        })
    });
    let counts = match parsed {
        Ok(counts) => counts,
        Err(error) => {
            let refused = Refused {
                id: id.0,
                full_time,
                part_time,
                error,
            };
            let query = StaffingQuery::default();
            let page = show(&state, &ctx, &caller, scope, &query, None, Some(refused)).await?;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let actor = caller.actor();
    blocking(&state, tr, move |store| {
        store.set_employer_coordinators(&scope, id, counts, &actor)
    })
    .await?;
    Ok(Redirect::to(&format!("/staffing?done=saved#employer-{}", id.0)).into_response())
}

/// `GET /staffing.xlsx`: the page's two tables as a workbook.
pub(crate) async fn download(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(query): Query<StaffingQuery>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let (staffing, units) = load(&state, tr, scope).await?;
    let short_only = query.short_only();
    let file = xlsx_file(tr, move |path| {
        write_workbook(path, tr, &staffing, &units, short_only)
    })
    .await?;
    let name = tr.t("staffing-file-name");
    file_download(tr, file_body(file, XLSX), &name)
}

fn write_workbook(
    path: &std::path::Path,
    tr: Tr,
    staffing: &Staffing,
    units: &Units,
    short_only: bool,
) -> Result<(), sojourn_sheets::SheetError> {
    let header = |keys: &[&str]| keys.iter().map(|key| tr.t(key)).collect::<Vec<_>>();
    let communities = header(&[
        "staffing-col-community",
        "staffing-col-residents",
        "staffing-col-houses",
        "staffing-col-needed",
        "staffing-col-have",
        "staffing-col-short",
    ]);
    let title = tr.t("staffing-title");
    let mut writer = TableWriter::create(
        path,
        &tr.t("staffing-sheet-communities"),
        Some(&title),
        &communities.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    for c in staffing
        .communities
        .iter()
        .filter(|c| !short_only || c.short_by() > 0)
    {
        let row = CommunityRow::of(c);
        writer.row(&[
            row.name,
            row.residents.to_string(),
            row.houses.to_string(),
            row.needed.to_string(),
            row.have.to_string(),
            row.short_by.to_string(),
        ])?;
    }
    let employers = header(&[
        "staffing-col-employer",
        "staffing-col-unit",
        "staffing-col-workers",
        "staffing-col-needed",
        "staffing-col-full-time",
        "staffing-col-part-time",
        "staffing-col-short",
    ]);
    writer.add_sheet(
        &tr.t("staffing-sheet-employers"),
        Some(&title),
        &employers.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    for e in staffing
        .employers
        .iter()
        .filter(|e| e.workers > 0 && (!short_only || e.falls_short()))
    {
        let row = EmployerRow::of(tr, e, units);
        let short = if row.short {
            tr.t("staffing-falls-short")
        } else {
            String::new()
        };
        writer.row(&[
            row.name,
            row.unit,
            row.workers.to_string(),
            row.needed,
            row.full_time,
            row.part_time,
            short,
        ])?;
    }
    writer.finish()
}
