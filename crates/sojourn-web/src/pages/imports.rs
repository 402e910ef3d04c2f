//! Importing a register from a sheet (`/import`): choose the register,
//! download its blank form, upload the filled sheet (.xlsx or CSV), or
//! only check it (仅检查), with the community the sheet is for picked
//! from the caller's units when the sheet has no column for it; then the
//! report — counts, and every refused row
//! with its Excel row number, column and reason, paged — with the report
//! as .xlsx and JSON to download, read from the report's file on disk.
//! The upload calls the import the API calls too ([`crate::ops::imports`]),
//! so the page does exactly what the API allows the same caller, within
//! the same bounds, audited the same way.

use super::access::{Units, blocking, unit_options};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use crate::AppState;
use crate::error::ApiError;
use crate::format::Choice as UnitChoice;
use crate::i18n::Tr;
use crate::ops::files::file_download as file_body;
use crate::ops::imports::{self as ops, Slot, Upload};
use crate::scope::{CallerActor, CallerScope};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sojourn_domain::account::{Action, Resource, allows};
use sojourn_import::Register;
use sojourn_import::sheet::form_of;
use sojourn_sheets::{Report, Status};
use sojourn_store::Actor;
use std::sync::Arc;

/// Whether `path` takes an uploaded sheet (the larger body limit).
pub(crate) fn is_upload_path(path: &str) -> bool {
    path.starts_with("/import/")
}

/// The registers a sheet can be imported into, with their upload page,
/// their template and the resource whose `Create` permission the import
/// needs.
pub(crate) const REGISTERS: [(Register, &str, &str, Resource); 4] = [
    (
        Register::Residents,
        "/import/residents",
        "/import/residents/template",
        Resource::Resident,
    ),
    (
        Register::Houses,
        "/import/houses",
        "/import/houses/template",
        Resource::House,
    ),
    (
        Register::Employers,
        "/import/employers",
        "/import/employers/template",
        Resource::Employer,
    ),
    (
        Register::Outflows,
        "/import/outflows",
        "/import/outflows/template",
        Resource::Outflow,
    ),
];

/// Refused rows shown per page of the report.
const ROWS_PER_PAGE: usize = 100;

/// The caller's report `id`; someone else's is not found.
async fn kept(
    tr: Tr,
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<(Register, Arc<Report>), PageError> {
    ops::kept(state, actor, id)
        .await
        .map_err(|e| page_error(tr, e))?
        .ok_or_else(|| PageError::not_found(tr))
}

/// A register offered on the landing page.
struct Choice {
    name: String,
    href: &'static str,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    tr: Tr,
    chrome: Chrome,
    /// The landing page: the registers the caller may import into.
    choices: Vec<Choice>,
    /// The upload form of one register (empty on the landing page).
    action: String,
    register_name: String,
    error: String,
    dry_run: bool,
    /// The picker of the unit the sheet is for: none, then the caller's
    /// communities and below.
    units: Vec<UnitChoice>,
    /// The landing page: the caller's imports still kept, newest first
    /// (an interrupted one with the rows it had committed).
    recent: Vec<RecentLine>,
}

/// Imports listed on the landing page.
const RECENT_SHOWN: u32 = 10;

/// One of the caller's imports as the landing page lists it.
struct RecentLine {
    when: String,
    register_name: String,
    file: String,
    /// What became of it, with its row count.
    outcome: String,
    /// Its report, when it finished.
    href: Option<String>,
    /// Failed or interrupted: shown as a warning.
    warn: bool,
}

impl RecentLine {
    fn of(tr: Tr, job: ops::RecentImport) -> Self {
        use sojourn_store::jobs::JobStatus;
        let why = job
            .why
            .map(|(zh, en)| if tr.lang.is_en() { en } else { zh })
            .unwrap_or_default();
        let outcome = match job.status {
            JobStatus::Running => tr.tn("import-recent-running", job.rows),
            JobStatus::Done if job.dry_run => tr.tn("import-recent-checked", job.rows),
            JobStatus::Done => tr.tn("import-recent-done", job.rows),
            JobStatus::Interrupted => {
                format!("{} {why}", tr.tn("import-recent-interrupted", job.rows))
            }
            JobStatus::Failed => tr.ts("import-recent-failed", "reason", &why),
        };
        Self {
            when: crate::format::when(job.started_at),
            register_name: register_name(tr, job.register),
            file: job.file,
            warn: matches!(job.status, JobStatus::Failed | JobStatus::Interrupted),
            href: (job.status == JobStatus::Done).then(|| format!("/import/reports/{}", job.id)),
            outcome,
        }
    }
}

fn register_name(tr: Tr, register: Register) -> String {
    tr.t(&format!("import-register-{}", register.key()))
}

/// `GET /import`: the registers to import into, and the caller's imports
/// still kept.
pub(crate) async fn landing(
    State(state): State<AppState>,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let recent = ops::recent(&state, &actor, RECENT_SHOWN)
        .await
        .map_err(|e| page_error(tr, e))?
        .into_iter()
        .map(|job| RecentLine::of(tr, job))
        .collect();
    let choices = REGISTERS
        .iter()
        .filter(|(_, _, _, resource)| {
            ctx.roles
                .iter()
                .any(|role| allows(*role, Action::Create, *resource))
        })
        .map(|(register, href, _, _)| Choice {
            name: register_name(tr, *register),
            href,
        })
        .collect();
    let page = ImportPage {
        tr,
        chrome: Chrome::new(&ctx, &tr.t("import-title"), Nav::Import, ""),
        choices,
        action: String::new(),
        register_name: String::new(),
        error: String::new(),
        dry_run: false,
        units: Vec::new(),
        recent,
    };
    render(tr, &page)
}

/// The units a sheet may be for, `selected` chosen.
async fn unit_picker(
    state: &AppState,
    ctx: &PageCtx,
    scope: sojourn_domain::unit::Scope,
    selected: &str,
) -> Result<Vec<UnitChoice>, PageError> {
    let tr = ctx.tr;
    let units = blocking(state, tr, move |store| Units::load(store, &scope)).await?;
    let mut choices = vec![UnitChoice::new(
        "",
        tr.t("import-unit-from-sheet"),
        selected,
    )];
    choices.extend(unit_options(&units.residence_units(), selected));
    Ok(choices)
}

fn form_page(
    ctx: &PageCtx,
    register: Register,
    error: String,
    dry_run: bool,
    units: Vec<UnitChoice>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let name = register_name(tr, register);
    let title = tr.ts("import-form-title", "register", &name);
    let page = ImportPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Import, ""),
        choices: Vec::new(),
        action: format!("/import/{}", register.key()),
        register_name: name,
        error,
        dry_run,
        units,
        recent: Vec::new(),
    };
    render(tr, &page)
}

/// `GET /import/{register}`: the upload form.
pub(crate) async fn form(
    state: AppState,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    register: Register,
) -> Result<HtmlPage, PageError> {
    let units = unit_picker(&state, &ctx, scope, "").await?;
    form_page(&ctx, register, String::new(), false, units)
}

/// `POST /import/{register}`: imports (or checks) the uploaded sheet,
/// then shows its report; a refused upload shows the form with why.
pub(crate) async fn submit(
    state: AppState,
    scope: CallerScope,
    actor: CallerActor,
    ctx: PageCtx,
    register: Register,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let (CallerScope(scope), CallerActor(actor)) = (scope, actor);
    let slot = match state.imports.start(&actor) {
        Ok(slot) => slot,
        Err(error) => {
            // Refused before the body is read: the form says why, and the
            // connection closes.
            let message = busy_message(tr, &error);
            let units = unit_picker(&state, &ctx, scope, "").await?;
            let mut page = form_page(&ctx, register, message, false, units)?;
            page.status = Some(error.status());
            let mut response = page.into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return Ok(response);
        }
    };
    let outcome = match ops::read_upload(multipart).await {
        Ok(upload) => {
            let typed = (upload.dry_run, upload.unit.clone());
            run(&state, scope.clone(), &actor, register, upload, slot)
                .await
                .map_err(|e| (e, typed))
        }
        Err(error) => Err((error, (false, String::new()))),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/import/reports/{id}")).into_response()),
        Err((
            error @ (ApiError::Unprocessable(_) | ApiError::PayloadTooLarge),
            (dry_run, unit),
        )) => {
            let message = match &error {
                ApiError::Unprocessable(problem) => tr
                    .lang
                    .pick(&problem.message.zh_cn, &problem.message.en)
                    .to_owned(),
                _ => tr.t("import-too-large"),
            };
            // The form comes back as sent: the check box and the unit picked.
            let units = unit_picker(&state, &ctx, scope, &unit).await?;
            let mut page = form_page(&ctx, register, message, dry_run, units)?;
            page.status = Some(error.status());
            Ok(page.into_response())
        }
        Err((error, _)) => Err(page_error(tr, error)),
    }
}

fn busy_message(tr: Tr, error: &ApiError) -> String {
    match error {
        ApiError::Busy(problem) => tr
            .lang
            .pick(&problem.message.zh_cn, &problem.message.en)
            .to_owned(),
        other => other.to_string(),
    }
}

/// The error page for a failure of the import itself.
fn page_error(tr: Tr, error: ApiError) -> PageError {
    match error {
        ApiError::Denied(_) | ApiError::NotFound(_) => PageError::not_found(tr),
        ApiError::Unprocessable(problem) | ApiError::Conflict(problem) => {
            let message = tr.lang.pick(&problem.message.zh_cn, &problem.message.en);
            PageError::with_status(tr, StatusCode::UNPROCESSABLE_ENTITY, message.to_owned())
        }
        other => PageError::internal(tr, other.to_string()),
    }
}

async fn run(
    state: &AppState,
    scope: sojourn_domain::unit::Scope,
    actor: &Actor,
    register: Register,
    upload: Upload,
    slot: Slot,
) -> Result<String, ApiError> {
    let (id, _) = ops::import(state, scope, actor, register, upload, slot).await?;
    Ok(id)
}

/// A refused row (or a row's reason) as the report page lists it.
struct Line {
    row: u64,
    status: String,
    column: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "import_report.html")]
struct ReportPage {
    tr: Tr,
    chrome: Chrome,
    id: String,
    register_name: String,
    file: String,
    dry_run: bool,
    accepted: u64,
    refused: u64,
    already_imported: u64,
    ignored: String,
    lines: Vec<Line>,
    page: usize,
    pages: usize,
    again: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    page: Option<usize>,
}

/// The reasons of the rows not simply accepted, in row order: how many,
/// and those of page `page` (from 1), read from the report's file.
fn read_lines(tr: Tr, report: &Report, page: usize) -> Result<(usize, Vec<Line>), PageError> {
    let skip = (page - 1) * ROWS_PER_PAGE;
    let mut count = 0;
    let mut shown = Vec::new();
    for row in report
        .rows()
        .map_err(|e| PageError::internal(tr, e.to_string()))?
    {
        let row = row.map_err(|e| PageError::internal(tr, e.to_string()))?;
        if row.status == Status::Accepted {
            continue;
        }
        let status = match row.status {
            Status::Refused => tr.t("import-status-refused"),
            _ => tr.t("import-status-already"),
        };
        for problem in &row.problems {
            if count >= skip && shown.len() < ROWS_PER_PAGE {
                shown.push(Line {
                    row: row.row,
                    status: status.clone(),
                    column: problem.column.clone().unwrap_or_default(),
                    reason: tr
                        .lang
                        .pick(&problem.message_zh, &problem.message_en)
                        .to_owned(),
                });
            }
            count += 1;
        }
    }
    Ok((count, shown))
}

/// `GET /import/reports/{id}`: the report, refused rows paged.
pub(crate) async fn report(
    State(state): State<AppState>,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let (register, report) = kept(tr, &state, &actor, &id).await?;
    let wanted = query.page.unwrap_or(1).max(1);
    let read = Arc::clone(&report);
    let (count, mut lines) = tokio::task::spawn_blocking(move || read_lines(tr, &read, wanted))
        .await
        .map_err(|e| PageError::internal(tr, e.to_string()))??;
    let pages = count.div_ceil(ROWS_PER_PAGE).max(1);
    let page = wanted.min(pages);
    if page != wanted {
        // Past the last page: show the last.
        let read = Arc::clone(&report);
        lines = tokio::task::spawn_blocking(move || read_lines(tr, &read, page))
            .await
            .map_err(|e| PageError::internal(tr, e.to_string()))??
            .1;
    }
    let view = ReportPage {
        tr,
        chrome: Chrome::new(&ctx, &tr.t("import-report-title"), Nav::Import, ""),
        id,
        register_name: register_name(tr, register),
        file: report.file.clone(),
        dry_run: report.dry_run,
        accepted: report.accepted,
        refused: report.refused,
        already_imported: report.already_imported,
        ignored: report.ignored_columns.join("、"),
        lines,
        page,
        pages,
        again: format!("/import/{}", register.key()),
    };
    render(tr, &view)
}

/// RFC 5987 encoding of a file name.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Writes an .xlsx to a temporary file (the sheet writer streams to a
/// path), to be sent from there.
pub(super) async fn xlsx_file(
    tr: Tr,
    write: impl FnOnce(&std::path::Path) -> Result<(), sojourn_sheets::SheetError> + Send + 'static,
) -> Result<tempfile::NamedTempFile, PageError> {
    tokio::task::spawn_blocking(move || {
        let file = tempfile::Builder::new()
            .suffix(".xlsx")
            .tempfile()
            .map_err(|e| PageError::internal(tr, e.to_string()))?;
        write(file.path()).map_err(|e| PageError::internal(tr, e.to_string()))?;
        Ok(file)
    })
    .await
    .map_err(|e| PageError::internal(tr, e.to_string()))?
}

/// A file as a download named `name`, streamed from disk.
pub(super) fn file_download(
    tr: Tr,
    response: Result<Response, ApiError>,
    name: &str,
) -> Result<Response, PageError> {
    let mut response = response.map_err(|e| PageError::internal(tr, e.to_string()))?;
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_"),
        percent_encode(name)
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `GET /import/reports/{id}/xlsx`.
pub(crate) async fn report_xlsx(
    State(state): State<AppState>,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let (register, report) = kept(tr, &state, &actor, &id).await?;
    let file = xlsx_file(tr, move |path| report.write_xlsx(path)).await?;
    let name = format!("{}-report.xlsx", register.key());
    file_download(tr, file_body(file, XLSX), &name)
}

/// `GET /import/reports/{id}/json`.
pub(crate) async fn report_json(
    State(state): State<AppState>,
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let (register, report) = kept(tr, &state, &actor, &id).await?;
    let name = format!("{}-report.json", register.key());
    file_download(tr, ops::json_download(report).await, &name)
}

/// `GET /import/{register}/template`: the blank form as .xlsx.
pub(crate) async fn template(ctx: PageCtx, register: Register) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let form = form_of(register);
    let file = xlsx_file(tr, move |path| sojourn_sheets::write_template(form, path)).await?;
    let name = format!("{}.xlsx", form.title());
    file_download(tr, file_body(file, XLSX), &name)
}
