//! Exports from the list pages: the form under each list (format, ledger
//! or list, full numbers with a reason for a role that may reveal), the
//! job's page, which polls its progress (htmx, no inline script), and the
//! download. Each starts and reads jobs through the operations the API
//! calls too ([`crate::ops::exports`]), so a page can do exactly what the
//! API allows the same caller, audited the same way.

use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::{PageError, localized};
use super::form::FormData;
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::export::jobs::{Job, JobState};
use crate::export::{ExportList, ExportSpec, filter_keys};
use crate::i18n::Tr;
use crate::ops::exports::{download, job_of, start};
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, allows};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// The export form under a list: where it posts, the list's filters as
/// hidden fields, and whether to offer full numbers.
pub(crate) struct ExportForm {
    pub action: String,
    pub hidden: Vec<(String, String)>,
    pub may_reveal: bool,
    /// Whether to offer the ledger beside the list (the registers').
    pub ledger: bool,
}

/// The form for `list` with the filters in `f`, or `None` for a reader
/// whose roles do not allow exporting it.
pub(crate) fn form(ctx: &PageCtx, list: ExportList, f: &FormData) -> Option<ExportForm> {
    form_with(ctx, list, |k| f.val(k).to_owned())
}

/// The form for `list`, its filters read by `value` (a page without a
/// `FormData`), or `None` for a reader who may not export it.
pub(crate) fn form_with(
    ctx: &PageCtx,
    list: ExportList,
    value: impl Fn(&str) -> String,
) -> Option<ExportForm> {
    let resource = list.resource();
    let may = |action| ctx.roles.iter().any(|r| allows(*r, action, resource));
    if !may(Action::Export) {
        return None;
    }
    let hidden = filter_keys(list)
        .iter()
        .map(|k| ((*k).to_owned(), value(k).trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    Some(ExportForm {
        action: format!("{}/export", list.page_path()),
        hidden,
        may_reveal: list.is_register() && may(Action::Reveal),
        ledger: list.is_register(),
    })
}

fn list_of(tr: Tr, uri: &OriginalUri) -> Result<ExportList, PageError> {
    ExportList::of_path(uri.path()).ok_or_else(|| PageError::not_found(tr))
}

/// An API refusal as a page: field errors listed, 403 and 404 as such.
fn refused(tr: Tr, error: ApiError) -> PageError {
    let status = error.status();
    match error {
        ApiError::Validation(problems) => {
            let message = problems
                .iter()
                .map(|p| {
                    let text = if tr.lang.is_en() {
                        &p.message.en
                    } else {
                        &p.message.zh_cn
                    };
                    format!("{}: {text}", p.field)
                })
                .collect::<Vec<_>>()
                .join("; ");
            PageError::with_status(tr, status, message)
        }
        ApiError::NotFound(_) => PageError::not_found(tr),
        ApiError::Denied(denied) => PageError::with_status(tr, status, localized(tr, &denied)),
        ApiError::Conflict(p) | ApiError::Busy(p) | ApiError::Unprocessable(p) => {
            let text = if tr.lang.is_en() {
                p.message.en
            } else {
                p.message.zh_cn
            };
            PageError::with_status(tr, status, text)
        }
        other => PageError::internal(tr, other.to_string()),
    }
}

/// `POST /{list}/export`: starts the job and goes to its page.
pub(crate) async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    uri: OriginalUri,
    Form(mut body): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let list = list_of(tr, &uri)?;
    body.remove("csrf_token");
    let spec = ExportSpec::parse(list, &body)
        .map_err(|e| refused(tr, e))?
        .in_lang(tr.lang);
    // The workflow's lists have one layout: their page's, in its language.
    let spec = if list.is_register() {
        spec
    } else {
        spec.in_list_layout()
    };
    let job = start(&state, &caller, scope, spec)
        .await
        .map_err(|e| refused(tr, e))?;
    Ok(Redirect::to(&format!("{}/export/{}", list.page_path(), job.id)).into_response())
}

/// What the progress box shows.
struct JobView {
    status_href: String,
    file_href: String,
    running: bool,
    done: bool,
    message: String,
    /// Percent written, when the total is known.
    percent: u64,
}

impl JobView {
    fn of(tr: Tr, job: &Job) -> Self {
        let base = format!("{}/export/{}", job.list.page_path(), job.id);
        let written = job.progress.written.load(Ordering::Relaxed);
        let total = job.progress.total.load(Ordering::Relaxed);
        let state = job.state();
        let message = match &state {
            JobState::Running if total == 0 => tr.tn("export-progress-uncounted", written),
            JobState::Running => tr.t2("export-progress", "written", written, "total", total),
            JobState::Done { rows } => tr.tn("export-done", *rows),
            JobState::Failed { zh, en, .. } => {
                let why = if tr.lang.is_en() { en } else { zh };
                tr.ts("export-failed", "reason", why)
            }
        };
        Self {
            status_href: format!("{base}/status"),
            file_href: format!("{base}/file"),
            running: state == JobState::Running,
            done: matches!(state, JobState::Done { .. }),
            message,
            percent: (written * 100).checked_div(total).unwrap_or(0).min(100),
        }
    }
}

#[derive(Template)]
#[template(path = "export_job.html")]
struct JobPage {
    tr: Tr,
    chrome: Chrome,
    job: JobView,
    back: String,
}

#[derive(Template)]
#[template(path = "export_status.html")]
struct StatusFragment {
    tr: Tr,
    job: JobView,
}

async fn job_for(
    state: &AppState,
    caller: &Caller,
    tr: Tr,
    uri: &OriginalUri,
    id: &str,
) -> Result<Arc<Job>, PageError> {
    let list = list_of(tr, uri)?;
    job_of(state, caller, list, id)
        .await
        .map_err(|e| refused(tr, e))
}

/// `GET /{list}/export/{job}`: the job's page.
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let job = job_for(&state, &caller, tr, &uri, &id).await?;
    let title = tr.t("export-title");
    let nav = match job.list {
        ExportList::Residents => Nav::Residents,
        ExportList::Houses => Nav::Houses,
        ExportList::Employers => Nav::Employers,
        ExportList::Outflows => Nav::Outflows,
        ExportList::ReviewQueue
        | ExportList::ReviewCorrections
        | ExportList::ReviewOverdue
        | ExportList::ReviewSpotChecks
        | ExportList::ReviewCounts => Nav::Review,
        ExportList::QualityFindings | ExportList::QualityDuplicates => Nav::Quality,
        ExportList::Permits => Nav::Residents,
    };
    let page = JobPage {
        chrome: Chrome::new(&ctx, &title, nav, ""),
        job: JobView::of(tr, &job),
        back: job.list.page_path().to_owned(),
        tr,
    };
    render(tr, &page)
}

/// `GET /{list}/export/{job}/status`: the progress box alone, which polls
/// itself while the job runs.
pub(crate) async fn status(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let job = job_for(&state, &caller, tr, &uri, &id).await?;
    render(
        tr,
        &StatusFragment {
            tr,
            job: JobView::of(tr, &job),
        },
    )
}

/// `GET /{list}/export/{job}/file`: the download.
pub(crate) async fn file(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let job = job_for(&state, &caller, tr, &uri, &id).await?;
    download(job).await.map_err(|e| refused(tr, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The export form carries every field its list page reads to choose
    /// rows (the search term included), and nothing else: the export then
    /// has the rows the page shows. Sorting and paging choose no rows.
    #[test]
    fn each_export_form_carries_exactly_the_fields_its_list_reads() {
        let paging = ["sort", "page", "per_page"];
        for (list, page_keys) in [
            (ExportList::Residents, &super::super::residents::KEYS[..]),
            (ExportList::Houses, &super::super::houses::KEYS[..]),
            (ExportList::Employers, &super::super::employers::KEYS[..]),
            (ExportList::Outflows, &super::super::outflows::KEYS[..]),
        ] {
            let mut read: Vec<&str> = page_keys
                .iter()
                .copied()
                .filter(|k| !paging.contains(k))
                .collect();
            let mut carried = filter_keys(list).to_vec();
            read.sort_unstable();
            carried.sort_unstable();
            assert_eq!(read, carried, "{}", list.key());
        }
    }
}
