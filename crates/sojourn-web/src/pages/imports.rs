//! Importing a register from a sheet (`/import`): choose the register,
//! download its blank form, upload the filled sheet (.xlsx or CSV), or
//! only check it (仅检查); then the report — counts, and every refused row
//! with its Excel row number, column and reason, paged — with the report
//! as .xlsx and JSON to download. The upload calls the API's own import
//! (`api::imports`), so the page does exactly what the API allows the
//! same caller, audited the same way.

use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::i18n::Tr;
use crate::AppState;
use crate::api::imports::{self as api, Upload};
use crate::error::ApiError;
use crate::scope::{CallerActor, CallerScope};
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sojourn_domain::account::{Action, Resource, allows};
use sojourn_import::Register;
use sojourn_import::sheet::form_of;
use sojourn_sheets::{Report, Status};
use sojourn_store::Actor;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

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
/// Reports kept for their downloads (the newest; an older one is gone).
const REPORTS_KEPT: usize = 32;

/// A report kept for its pages and downloads, for the caller who made it.
struct Kept {
    id: String,
    owner: String,
    register: Register,
    report: Arc<Report>,
}

/// The reports of recent imports, in memory: they hold refused rows'
/// reasons, which may quote cells, so only their maker sees them, and a
/// restart forgets them.
static REPORTS: Mutex<VecDeque<Kept>> = Mutex::new(VecDeque::new());

fn owner_of(actor: &Actor) -> String {
    match &actor.account {
        Some(account) => format!("{account:?}"),
        None => actor.name.clone(),
    }
}

fn keep(actor: &Actor, register: Register, report: Report) -> Result<String, ApiError> {
    let mut bytes = [0_u8; 16];
    rand::TryRngCore::try_fill_bytes(&mut rand::rngs::OsRng, &mut bytes)
        .map_err(|_| ApiError::Internal("no randomness for a report id".into()))?;
    let id = data_encoding::HEXLOWER.encode(&bytes);
    let mut kept = REPORTS
        .lock()
        .map_err(|_| ApiError::Internal("report store poisoned".into()))?;
    if kept.len() >= REPORTS_KEPT {
        kept.pop_front();
    }
    kept.push_back(Kept {
        id: id.clone(),
        owner: owner_of(actor),
        register,
        report: Arc::new(report),
    });
    Ok(id)
}

/// The caller's report `id`; someone else's is not found.
fn kept(tr: Tr, actor: &Actor, id: &str) -> Result<(Register, Arc<Report>), PageError> {
    let kept = REPORTS
        .lock()
        .map_err(|_| PageError::internal(tr, "report store poisoned"))?;
    let owner = owner_of(actor);
    kept.iter()
        .find(|k| k.id == id && k.owner == owner)
        .map(|k| (k.register, Arc::clone(&k.report)))
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
}

fn register_name(tr: Tr, register: Register) -> String {
    tr.t(&format!("import-register-{}", register.key()))
}

/// `GET /import`.
pub(crate) async fn landing(ctx: PageCtx) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
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
    };
    render(tr, &page)
}

fn form_page(
    ctx: &PageCtx,
    register: Register,
    error: String,
    dry_run: bool,
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
    };
    render(tr, &page)
}

/// `GET /import/{register}`: the upload form.
pub(crate) async fn form(ctx: PageCtx, register: Register) -> Result<HtmlPage, PageError> {
    form_page(&ctx, register, String::new(), false)
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
    let outcome = match api::read_upload(multipart).await {
        Ok(upload) => {
            let dry_run = upload.dry_run;
            run(&state, scope, &actor, register, upload)
                .await
                .map_err(|e| (e, dry_run))
        }
        Err(error) => Err((error, false)),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/import/reports/{id}")).into_response()),
        Err((error @ (ApiError::Unprocessable(_) | ApiError::PayloadTooLarge), dry_run)) => {
            let message = match &error {
                ApiError::Unprocessable(problem) => tr
                    .lang
                    .pick(&problem.message.zh_cn, &problem.message.en)
                    .to_owned(),
                _ => tr.t("import-too-large"),
            };
            let mut page = form_page(&ctx, register, message, dry_run)?;
            page.status = Some(error.status());
            Ok(page.into_response())
        }
        Err((error, _)) => Err(page_error(tr, error)),
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
) -> Result<String, ApiError> {
    let report = api::run(state, scope, actor.clone(), register, upload).await?;
    keep(actor, register, report)
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

/// Every reason of every row not simply accepted, in row order.
fn lines(tr: Tr, report: &Report) -> Vec<Line> {
    report
        .rows
        .iter()
        .filter(|row| row.status != Status::Accepted)
        .flat_map(|row| {
            let status = match row.status {
                Status::Refused => tr.t("import-status-refused"),
                _ => tr.t("import-status-already"),
            };
            row.problems.iter().map(move |problem| Line {
                row: row.row,
                status: status.clone(),
                column: problem.column.clone().unwrap_or_default(),
                reason: tr
                    .lang
                    .pick(&problem.message_zh, &problem.message_en)
                    .to_owned(),
            })
        })
        .collect()
}

/// `GET /import/reports/{id}`: the report, refused rows paged.
pub(crate) async fn report(
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let (register, report) = kept(tr, &actor, &id)?;
    let all = lines(tr, &report);
    let pages = all.len().div_ceil(ROWS_PER_PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let lines = all
        .into_iter()
        .skip((page - 1) * ROWS_PER_PAGE)
        .take(ROWS_PER_PAGE)
        .collect();
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

fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_"),
        percent_encode(name)
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
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

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Writes an .xlsx through a temporary file (the sheet writer streams to
/// a path) and reads it back.
fn xlsx_bytes(
    tr: Tr,
    write: impl FnOnce(&std::path::Path) -> Result<(), sojourn_sheets::SheetError>,
) -> Result<Vec<u8>, PageError> {
    let dir = tempfile::tempdir().map_err(|e| PageError::internal(tr, e.to_string()))?;
    let path = dir.path().join("sheet.xlsx");
    write(&path).map_err(|e| PageError::internal(tr, e.to_string()))?;
    std::fs::read(&path).map_err(|e| PageError::internal(tr, e.to_string()))
}

/// `GET /import/reports/{id}/xlsx`.
pub(crate) async fn report_xlsx(
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let (register, report) = kept(tr, &actor, &id)?;
    let bytes = tokio::task::spawn_blocking(move || xlsx_bytes(tr, |path| report.write_xlsx(path)))
        .await
        .map_err(|e| PageError::internal(tr, e.to_string()))??;
    let name = format!("{}-report.xlsx", register.key());
    Ok(download(bytes, XLSX, &name))
}

/// `GET /import/reports/{id}/json`.
pub(crate) async fn report_json(
    CallerActor(actor): CallerActor,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let (register, report) = kept(tr, &actor, &id)?;
    let mut bytes = Vec::new();
    report
        .write_json(&mut bytes)
        .map_err(|e| PageError::internal(tr, e.to_string()))?;
    let name = format!("{}-report.json", register.key());
    Ok(download(bytes, "application/json", &name))
}

/// `GET /import/{register}/template`: the blank form as .xlsx.
pub(crate) async fn template(ctx: PageCtx, register: Register) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let form = form_of(register);
    let bytes = tokio::task::spawn_blocking(move || {
        xlsx_bytes(tr, |path| sojourn_sheets::write_template(form, path))
    })
    .await
    .map_err(|e| PageError::internal(tr, e.to_string()))??;
    let name = format!("{}.xlsx", form.title());
    Ok(download(bytes, XLSX, &name))
}
