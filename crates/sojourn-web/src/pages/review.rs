//! The review workflow's pages (R3.1): the station's review queue (审核队列)
//! with approve / reject / return, the coordinator's corrections (待更正),
//! the overdue list (超时未录入), approved records awaiting a spot check,
//! and the counts per person and unit. Each step is a form posting to
//! `/review/{kind}/{id}/{step}`, behind the permission of the API route
//! taking the same step; a refusal shows the list again with the reason.
//! The same forms sit on each record's own page (`review_panel.rs`): a
//! step taken there comes back to that page, a refusal shows its reason.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::{PageError, localized};
use super::review_filters::{FilterChoices, Filters};
use super::url::Pager;
use crate::AppState;
use crate::auth::Caller;
pub(crate) use crate::format::{kind_name, stamped, state_name, step_name, step_table, when};
use crate::i18n::Tr;
use crate::ops::review as ops;
use crate::scope::CallerScope;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::review::{
    RecordKind, ReviewRecord, ReviewState, ReviewStatus, ReviewStep, StepKind, entry_overdue,
};
use sojourn_domain::time_rules::{CHINA, parse_iso_date};
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::{PageRequest, ReviewItem, ReviewList, ReviewQueue, StepCount, StoreError};
use std::collections::HashMap;
use time::OffsetDateTime;

/// The lists, each at its own path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Queue,
    Corrections,
    Overdue,
    SpotChecks,
}

impl List {
    const ALL: [List; 4] = [
        Self::Queue,
        Self::Corrections,
        Self::Overdue,
        Self::SpotChecks,
    ];

    fn path(self) -> &'static str {
        match self {
            Self::Queue => "/review",
            Self::Corrections => "/review/corrections",
            Self::Overdue => "/review/overdue",
            Self::SpotChecks => "/review/spot-checks",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Queue => "review-queue-title",
            Self::Corrections => "review-corrections-title",
            Self::Overdue => "review-overdue-title",
            Self::SpotChecks => "review-spot-checks-title",
        }
    }

    fn queue(self, now: OffsetDateTime) -> ReviewQueue {
        match self {
            Self::Queue => ReviewQueue::AwaitingReview,
            Self::Corrections => ReviewQueue::Corrections,
            Self::Overdue => ReviewQueue::Overdue { now },
            Self::SpotChecks => ReviewQueue::AwaitingSpotCheck,
        }
    }

    fn export(self) -> crate::export::ExportList {
        use crate::export::ExportList;
        match self {
            Self::Queue => ExportList::ReviewQueue,
            Self::Corrections => ExportList::ReviewCorrections,
            Self::Overdue => ExportList::ReviewOverdue,
            Self::SpotChecks => ExportList::ReviewSpotChecks,
        }
    }

    fn from_back(back: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|l| l.path() == back)
            .unwrap_or(Self::Queue)
    }
}

/// A tab of the review pages.
struct Tab {
    href: &'static str,
    label: String,
    active: bool,
}

fn tabs(tr: Tr, active: Option<List>) -> Vec<Tab> {
    let mut tabs: Vec<Tab> = List::ALL
        .into_iter()
        .map(|l| Tab {
            href: l.path(),
            label: tr.t(l.key()),
            active: Some(l) == active,
        })
        .collect();
    tabs.push(Tab {
        href: "/review/counts",
        label: tr.t("review-counts-title"),
        active: active.is_none(),
    });
    tabs
}

/// One record of a list.
struct RowView {
    kind: &'static str,
    kind_name: String,
    id: i64,
    /// The person's name, the house's address, the employer's name.
    name: String,
    /// The record's own page.
    href: String,
    unit: String,
    state: String,
    version: i64,
    collected: String,
    entered: String,
    late: bool,
    overdue: bool,
    reason: String,
    /// Why a step on this row was refused, beside its reason field.
    error: String,
    /// The steps the reader may take on it here.
    may_enter: bool,
    may_decide: bool,
    may_resubmit: bool,
    may_spot_check: bool,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ListPage {
    tr: Tr,
    chrome: Chrome,
    heading: String,
    intro: String,
    tabs: Vec<Tab>,
    rows: Vec<RowView>,
    /// The list's own URL with its filters, where its steps come back to.
    back: String,
    path: &'static str,
    notice: String,
    error: String,
    total: u64,
    pager: Pager,
    filters: FilterChoices,
    /// Whether any row may be approved (the batch form is shown).
    may_batch: bool,
    /// The export form, for a role that may export the list.
    export: Option<super::exports::ExportForm>,
}

/// At most this many records are approved in one batch (a page's rows).
const MAX_BATCH: usize = 500;

/// The GET route of one of the workflow's lists.
pub(crate) fn list_route(which: List) -> axum::routing::MethodRouter<AppState> {
    axum::routing::get(
        move |state: State<AppState>,
              scope: CallerScope,
              caller: Caller,
              ctx: PageCtx,
              query: Query<HashMap<String, String>>| {
            list(state, scope, caller, ctx, query, which)
        },
    )
}

async fn list(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<HashMap<String, String>>,
    which: List,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let number = |key: &str| query.get(key).and_then(|v| v.trim().parse::<u64>().ok());
    let mut notice = match query.get("done").and_then(|d| StepKind::parse(d).ok()) {
        Some(step) => tr.ts("review-done", "step", &step_name(tr, step)),
        None => String::new(),
    };
    if let Some(approved) = number("approved") {
        notice = tr.tn("review-batch-done", approved);
    }
    let error = number("refused")
        .filter(|n| *n > 0)
        .map(|n| (StatusCode::OK, tr.tn("review-batch-refused", n)));
    let page = number("page").map_or(1, |p| u32::try_from(p.max(1)).unwrap_or(1));
    let view = ListView {
        which,
        filters: Filters::read(&query),
        page,
        notice,
        error,
        row_error: None,
    };
    render_list(&state, scope, &caller, &ctx, view).await
}

/// Whether the caller's roles allow `action` in the workflow.
fn may(caller: &Caller, action: Action) -> bool {
    caller
        .principal
        .role_allowing(action, Resource::Review)
        .is_some()
}

/// What a list page shows: which list, filtered how, which page, and
/// what the last step did.
struct ListView {
    which: List,
    filters: Filters,
    page: u32,
    notice: String,
    /// A refusal for the whole page, with the status to answer.
    error: Option<(StatusCode, String)>,
    /// A refusal of a step on one row: the record and why.
    row_error: Option<(ReviewRecord, String)>,
}

async fn render_list(
    state: &AppState,
    scope: Scope,
    caller: &Caller,
    ctx: &PageCtx,
    view: ListView,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let now = state.clock.now();
    let ListView {
        which,
        filters,
        page,
        notice,
        error,
        row_error,
    } = view;
    let per_page = filters.per_page;
    let offset = u64::from(page - 1) * u64::from(per_page);
    let request = PageRequest::new(offset, per_page).unwrap_or_default();
    let (list_scope, filter) = (filters.scope(&scope), filters.store_filter(now));
    let (units, list) = blocking(state, tr, move |store| {
        let units = Units::load(store, &scope)?;
        let list = match list_scope {
            Some(narrowed) => store.review_list(&narrowed, which.queue(now), &filter, request)?,
            None => ReviewList::default(),
        };
        Ok((units, list))
    })
    .await?;
    let rights = (
        may(caller, Action::Update),
        may(caller, Action::Review),
        may(caller, Action::SpotCheck),
    );
    let rows: Vec<RowView> = list
        .items
        .iter()
        .map(|item| {
            let mut row = row_view(tr, &units, item, now, rights);
            if let Some((_, message)) = row_error
                .as_ref()
                .filter(|(record, _)| *record == item.status.record)
            {
                row.error = message.clone();
            }
            row
        })
        .collect();
    let title = tr.t(which.key());
    let (status, error) = match error {
        Some((status, message)) => (Some(status), message),
        None => (None, String::new()),
    };
    let back = filters.params.href(which.path());
    let list = ListPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Review, &units.root_name()),
        intro: tr.t(&format!("{}-intro", which.key().trim_end_matches("-title"))),
        heading: title,
        tabs: tabs(tr, Some(which)),
        may_batch: rows.iter().any(|r| r.may_decide),
        rows,
        pager: Pager::new(&filters.params, which.path(), page, per_page, list.total),
        filters: filters.choices(tr, &units, &list.collectors),
        path: which.path(),
        back,
        notice,
        error,
        total: list.total,
        export: super::exports::form_with(ctx, which.export(), |_| String::new()),
    };
    let mut html = render(tr, &list)?;
    html.status = status
        .filter(|s| *s != StatusCode::OK)
        .or(row_error.as_ref().map(|_| StatusCode::UNPROCESSABLE_ENTITY));
    Ok(html)
}

pub(crate) fn record_href(s: &ReviewStatus) -> String {
    match (s.record.kind, s.person) {
        (RecordKind::Residence, Some(person)) => format!("/persons/{person}"),
        (RecordKind::Residence, None) => "/residents".to_owned(),
        (RecordKind::House, _) => format!("/houses/{}", s.record.id),
        (RecordKind::Employer, _) => format!("/employers/{}", s.record.id),
        (RecordKind::Outflow, _) => format!("/outflows/{}", s.record.id),
        // Only the reviewed registers are under review.
        _ => String::new(),
    }
}

pub(crate) fn unit_name(units: &Units, code: &str) -> String {
    UnitCode::parse(code).map_or_else(|_| code.to_owned(), |c| units.name_of(&c))
}

fn row_view(
    tr: Tr,
    units: &Units,
    item: &ReviewItem,
    now: OffsetDateTime,
    (may_update, may_review, may_spot_check): (bool, bool, bool),
) -> RowView {
    let s = &item.status;
    let waiting = s.state == ReviewState::Collected;
    RowView {
        kind: s.record.kind.code(),
        kind_name: kind_name(tr, s.record.kind),
        id: s.record.id,
        name: item.name.clone(),
        href: record_href(s),
        unit: unit_name(units, &s.unit),
        state: state_name(tr, s.state),
        version: s.version,
        collected: stamped(s.collected.as_ref()),
        entered: stamped(s.entered.as_ref()),
        late: s.entered_late,
        overdue: waiting
            && s.collected
                .as_ref()
                .is_some_and(|c| entry_overdue(c.at, now)),
        reason: s.reason.clone().unwrap_or_default(),
        error: String::new(),
        may_enter: may_update && waiting,
        may_decide: may_review && s.state == ReviewState::Entered,
        may_resubmit: may_update && s.state == ReviewState::Returned,
        may_spot_check: may_spot_check && s.state == ReviewState::Approved,
    }
}

/// `POST /review/{kind}/{id}/{step}`: takes the step, then back to the
/// list (with its filters) it was taken from; a refusal shows that list
/// with the reason beside the row's field.
pub(crate) async fn take(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path((kind, id)): Path<(String, String)>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let value = |name: &str| values.get(name).map(String::as_str);
    let back = Back::read(value("back").unwrap_or_default());
    let id = super::person::path_id(tr, &id)?;
    let record = match RecordKind::parse_reviewed(&kind) {
        Ok(kind) => ReviewRecord { kind, id },
        Err(_) => return Err(PageError::not_found(tr)),
    };
    // The step is the path's last segment (`…/spot-check`): each has its
    // own route, so that each has its own permission.
    let path = ctx.here.split('?').next().unwrap_or_default();
    let code = path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .replace('-', "_");
    let parsed = ReviewStep::parse(&code, value("reason"), value("result"));
    let version = value("version").and_then(|v| v.trim().parse::<i64>().ok());
    let (step, version) = match (parsed, version) {
        (Ok(step), Some(version)) => (step, version),
        (Err(error), _) => {
            let refusal = back.refused(
                Some(record),
                StatusCode::UNPROCESSABLE_ENTITY,
                localized(tr, &error),
            );
            return refusal.show(&state, scope, &caller, &ctx).await;
        }
        (_, None) => {
            let message = tr.t("review-version-missing");
            let refusal = back.refused(None, StatusCode::UNPROCESSABLE_ENTITY, message);
            return refusal.show(&state, scope, &caller, &ctx).await;
        }
    };
    let kind_of_step = step.kind();
    let (write_scope, actor) = (scope.clone(), caller.actor());
    let outcome = ops::take_step(&state, write_scope, actor, record, step, version)
        .await
        .map_err(|why| PageError::internal(tr, why))?;
    match outcome {
        Ok(_) => Ok(
            Redirect::to(&back.done(&[("done", kind_of_step.code().to_owned())])).into_response(),
        ),
        Err(StoreError::NotFound { .. }) => Err(PageError::not_found(tr)),
        Err(error) if error.is_failure() || matches!(error, StoreError::Deployment(_)) => {
            Err(PageError::store(tr, error))
        }
        Err(error) => {
            let refusal = back.refused(Some(record), StatusCode::CONFLICT, localized(tr, &error));
            refusal.show(&state, scope, &caller, &ctx).await
        }
    }
}

/// `POST /review/approve-selected`: approves every record ticked on a
/// list page (`item` = `kind:id:version`, at most [`MAX_BATCH`]), each in
/// its own step, checked and audited as one approval; then back to the
/// list, which says how many were approved and how many were not (taken
/// meanwhile by someone else, or changed).
pub(crate) async fn approve_selected(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let back = values
        .iter()
        .find(|(k, _)| k == "back")
        .map_or("", |(_, v)| v.as_str());
    let back = Back::read(back);
    let items: Vec<&str> = values
        .iter()
        .filter(|(k, _)| k == "item")
        .map(|(_, v)| v.as_str())
        .collect();
    if items.is_empty() || items.len() > MAX_BATCH {
        let message = if items.is_empty() {
            tr.t("review-batch-none")
        } else {
            tr.tn("review-batch-too-many", MAX_BATCH as u64)
        };
        let refusal = back.refused(None, StatusCode::UNPROCESSABLE_ENTITY, message);
        return refusal.show(&state, scope, &caller, &ctx).await;
    }
    let parsed: Vec<Option<(ReviewRecord, i64)>> = items.iter().map(|i| batch_item(i)).collect();
    let (actor, at) = (caller.actor(), state.clock.now());
    let approved = blocking(&state, tr, move |store| {
        let mut approved = 0u64;
        for (record, version) in parsed.into_iter().flatten() {
            let step = ReviewStep::Approve;
            match store.take_review_step(&scope, record, &step, version, at, &actor) {
                Ok(_) => approved += 1,
                Err(error) if error.is_failure() || matches!(error, StoreError::Deployment(_)) => {
                    return Err(error);
                }
                Err(_) => {}
            }
        }
        Ok(approved)
    })
    .await?;
    let refused = items.len() as u64 - approved;
    let to = back.done(&[
        ("approved", approved.to_string()),
        ("refused", refused.to_string()),
    ]);
    Ok(Redirect::to(&to).into_response())
}

/// One ticked row of a batch: `kind:id:version`.
fn batch_item(item: &str) -> Option<(ReviewRecord, i64)> {
    let mut parts = item.split(':');
    let kind = RecordKind::parse_reviewed(parts.next()?).ok()?;
    let id = parts.next()?.parse().ok()?;
    let version = parts.next()?.parse().ok()?;
    parts
        .next()
        .is_none()
        .then_some((ReviewRecord { kind, id }, version))
}

/// Where a step's form came from: one of the lists (with its filters), or
/// a record's own page.
struct Back {
    which: List,
    filters: Filters,
    /// The record page (`/houses/12` …), when the step was taken there.
    record_page: Option<String>,
}

impl Back {
    /// Reads a form's `back`; anything but a list or a record page is the
    /// review queue, so nothing else is ever redirected to.
    fn read(back: &str) -> Self {
        let (path, query) = back.split_once('?').unwrap_or((back, ""));
        Self {
            which: List::from_back(path),
            filters: Filters::from_url_query(query),
            record_page: record_page(back),
        }
    }

    /// Where to go after the step: the record's page, or the list with its
    /// filters and `notes` saying what was done.
    fn done(&self, notes: &[(&'static str, String)]) -> String {
        if let Some(page) = &self.record_page {
            return format!("{page}#review");
        }
        let params = notes
            .iter()
            .fold(self.filters.params.clone(), |params, (key, value)| {
                params.with(key, Some(value))
            });
        params.href(self.which.path())
    }

    fn refused(
        &self,
        record: Option<ReviewRecord>,
        status: StatusCode,
        message: String,
    ) -> Refusal<'_> {
        Refusal {
            back: self,
            record,
            status,
            message,
        }
    }
}

/// The record page a step was taken from (`/houses/12` …), if `back` is
/// one: nothing else is redirected to.
fn record_page(back: &str) -> Option<String> {
    let (kind, id) = back.strip_prefix('/')?.split_once('/')?;
    let known = ["persons", "houses", "employers", "outflows"].contains(&kind);
    let numeric = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    (known && numeric).then(|| back.to_owned())
}

/// A step refused: the list it was taken from, with the reason beside the
/// row's field (or at the top when it concerns no row); from a record's
/// page, the reason on a page of its own.
struct Refusal<'a> {
    back: &'a Back,
    record: Option<ReviewRecord>,
    status: StatusCode,
    message: String,
}

impl Refusal<'_> {
    async fn show(
        self,
        state: &AppState,
        scope: Scope,
        caller: &Caller,
        ctx: &PageCtx,
    ) -> Result<Response, PageError> {
        if self.back.record_page.is_some() {
            return Err(PageError::with_status(ctx.tr, self.status, self.message));
        }
        let (error, row_error) = match self.record {
            Some(record) if self.status == StatusCode::UNPROCESSABLE_ENTITY => {
                (None, Some((record, self.message)))
            }
            _ => (Some((self.status, self.message)), None),
        };
        let view = ListView {
            which: self.back.which,
            filters: self.back.filters.clone(),
            page: 1,
            notice: String::new(),
            error,
            row_error,
        };
        let page = render_list(state, scope, caller, ctx, view).await?;
        Ok(page.into_response())
    }
}

/// One line of the counts: who (a person or a unit) and a count per step.
struct CountRow {
    who: String,
    counts: Vec<u64>,
}

#[derive(Template)]
#[template(path = "review_counts.html")]
struct CountsPage {
    tr: Tr,
    chrome: Chrome,
    tabs: Vec<Tab>,
    steps: Vec<String>,
    by_person: Vec<CountRow>,
    by_unit: Vec<CountRow>,
    since: String,
    error: String,
    /// The export form, for a role that may export the counts.
    export: Option<super::exports::ExportForm>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct CountsQuery {
    since: Option<String>,
}

/// `GET /review/counts`: steps per person and per unit, since a day.
pub(crate) async fn counts(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(query): Query<CountsQuery>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let since_text = query.since.unwrap_or_default().trim().to_owned();
    let (since, error) = match since_text.as_str() {
        "" => (None, String::new()),
        text => match parse_iso_date(text) {
            Ok(day) => (Some(day.midnight().assume_offset(CHINA)), String::new()),
            Err(e) => (None, localized(tr, &e)),
        },
    };
    let (units, counts) = blocking(&state, tr, move |store| {
        Ok((
            Units::load(store, &scope)?,
            store.review_counts(&scope, since)?,
        ))
    })
    .await?;
    let title = tr.t("review-counts-title");
    let page = CountsPage {
        tr,
        chrome: Chrome::new(&ctx, &title, Nav::Review, &units.root_name()),
        tabs: tabs(tr, None),
        steps: StepKind::ALL
            .into_iter()
            .map(|s| step_name(tr, s))
            .collect(),
        by_person: pivot(&counts.by_person, |who| who.to_owned()),
        by_unit: pivot(&counts.by_unit, |code| unit_name(&units, code)),
        export: super::exports::form_with(&ctx, crate::export::ExportList::ReviewCounts, |_| {
            since_text.clone()
        }),
        since: since_text,
        error: error.clone(),
    };
    let mut html = render(tr, &page)?;
    if !error.is_empty() {
        html.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
    }
    Ok(html)
}

/// One row per person or unit, one column per step.
fn pivot(counts: &[StepCount], name: impl Fn(&str) -> String) -> Vec<CountRow> {
    step_table(counts)
        .into_iter()
        .map(|(who, counts)| CountRow {
            who: name(&who),
            counts,
        })
        .collect()
}

pub(crate) fn result_name(tr: Tr, code: &str) -> String {
    tr.t(&format!("review-result-{code}"))
}
