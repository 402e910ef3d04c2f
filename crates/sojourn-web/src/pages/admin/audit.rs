//! The audit trail for the audit administrator: search by who, what,
//! outcome, period and unit, a page at a time (through the search the API
//! makes too, [`crate::ops::audit`], which records the search itself); the export link for archiving; and a
//! check of the whole hash chain.

use super::{absorb, role_name};
use crate::AppState;
use crate::auth::Caller;
use crate::dto::audit::{AuditEntryResponse, AuditListQuery};
use crate::format::Choice;
use crate::i18n::Tr;
use crate::ops::audit as ops;
use crate::pages::access::{Units, blocking, unit_options};
use crate::pages::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use crate::pages::error::PageError;
use crate::pages::form::FormData;
use crate::pages::url::encode;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use sojourn_domain::account::Role;
use sojourn_domain::unit::UnitCode;
use sojourn_store::{AuditAction, Outcome};
use std::collections::HashMap;

/// Entries on one page of the search.
const PER_PAGE: u32 = 50;

/// The filters the form and the URL carry.
const FILTERS: [&str; 6] = ["actor", "action", "outcome", "from", "to", "unit"];

struct Row {
    seq: i64,
    at: String,
    actor: String,
    role: String,
    address: String,
    action: String,
    object: String,
    unit: String,
    outcome: String,
    outcome_class: &'static str,
    details: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    units: Vec<Choice>,
    actions: Vec<Choice>,
    outcomes: Vec<Choice>,
    rows: Vec<Row>,
    total: u64,
    searched: bool,
    prev: Option<String>,
    next: Option<String>,
    page: u32,
    pages: u64,
    export_csv: String,
    export_jsonl: String,
}

/// The longest part of an entry's details shown in the table.
const DETAILS_SHOWN: usize = 240;

fn row(tr: Tr, units: &Units, e: &AuditEntryResponse) -> Row {
    let mut details = e.details.to_string();
    if details == "null" || details == "{}" {
        details.clear();
    }
    if details.chars().count() > DETAILS_SHOWN {
        details = details.chars().take(DETAILS_SHOWN).collect::<String>() + "…";
    }
    let (outcome, outcome_class) = match e.outcome.as_str() {
        "success" => (tr.t("audit-outcome-success"), "active"),
        "failure" => (tr.t("audit-outcome-failure"), "warn"),
        "denied" => (tr.t("audit-outcome-denied"), "warn"),
        other => (other.to_owned(), "departed"),
    };
    let unit = e
        .unit
        .as_deref()
        .and_then(|u| UnitCode::parse(u).ok())
        .map(|code| units.name_of(&code))
        .unwrap_or_default();
    Row {
        seq: e.seq,
        at: e.at.replace('T', " ").chars().take(19).collect(),
        actor: e.actor.name.clone(),
        role: e
            .actor
            .role
            .as_deref()
            .and_then(Role::from_key)
            .map(|r| role_name(tr, r))
            .unwrap_or_default(),
        address: e.actor.address.clone().unwrap_or_default(),
        action: e.action.clone(),
        object: e
            .object
            .as_ref()
            .map(|o| format!("{} {}", o.kind, o.id))
            .unwrap_or_default(),
        unit,
        outcome,
        outcome_class,
        details,
    }
}

/// The URL of the search with `values`' filters and `extra` parameters.
fn link(base: &str, values: &FormData, extra: &[(&str, String)]) -> String {
    let mut query: Vec<String> = FILTERS
        .iter()
        .filter_map(|name| values.opt(name).map(|v| format!("{name}={}", encode(&v))))
        .collect();
    query.extend(
        extra
            .iter()
            .map(|(name, v)| format!("{name}={}", encode(v))),
    );
    if query.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", query.join("&"))
    }
}

/// `GET /admin/audit?actor=&action=&outcome=&from=&to=&unit=&page=`: the
/// trail of the reader's jurisdiction (or of one unit in it), newest first.
/// Without any filter the newest entries are shown.
pub(crate) async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Query(values): Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let mut f = FormData::new(values);
    let scope = caller.scope();
    let unit_scope = match f.opt("unit") {
        None => Some(scope.clone()),
        Some(text) => match UnitCode::parse(&text)
            .ok()
            .and_then(|c| scope.narrow_to(&c).ok())
        {
            Some(narrowed) => Some(narrowed),
            None => {
                f.refuse("unit", tr.t("accounts-unit-outside"));
                None
            }
        },
    };
    let page = match f.opt("page") {
        None => Some(1),
        Some(text) => text.parse::<u32>().ok().filter(|p| *p >= 1),
    };
    let page_number = page.unwrap_or(1);
    let query = AuditListQuery {
        actor: f.opt("actor"),
        action: f.opt("action"),
        outcome: f.opt("outcome"),
        from: f.opt("from"),
        to: f.opt("to"),
        page: Some(page_number),
        per_page: Some(PER_PAGE),
        ..AuditListQuery::default()
    };
    let mut status = None;
    let mut found = None;
    if let Some(narrowed) = unit_scope {
        let outcome = match query.parse() {
            Ok((query, paging, _)) => {
                ops::search(&state, narrowed, caller.actor(), query, &paging).await
            }
            Err(error) => Err(error),
        };
        match outcome {
            Ok(page) => found = Some(page),
            Err(error) => status = Some(absorb(tr, &mut f, error, &[])?),
        }
    } else {
        status = Some(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let units = blocking(&state, tr, move |store| Units::load(store, &scope)).await?;
    let rows: Vec<Row> = found
        .as_ref()
        .map(|p| p.items.iter().map(|e| row(tr, &units, &e.into())).collect())
        .unwrap_or_default();
    let total = found.as_ref().map_or(0, |p| p.total);
    let pages = total.div_ceil(u64::from(PER_PAGE)).max(1);
    let at = |n: u32| link("/admin/audit", &f, &[("page", n.to_string())]);
    let prev = (page_number > 1).then(|| at(page_number - 1));
    let next = (u64::from(page_number) < pages).then(|| at(page_number + 1));
    let chosen = |name: &str| f.val(name).to_owned();
    let (unit, action, outcome) = (chosen("unit"), chosen("action"), chosen("outcome"));
    let mut unit_choices = vec![Choice::new("", tr.t("filter-any"), &unit)];
    unit_choices.extend(unit_options(&units.all.iter().collect::<Vec<_>>(), &unit));
    let mut actions = vec![Choice::new("", tr.t("filter-any"), &action)];
    actions.extend(
        AuditAction::ALL
            .into_iter()
            .map(|a| Choice::new(a.key(), a.key(), &action)),
    );
    let outcomes = [
        ("", tr.t("filter-any")),
        (Outcome::Success.key(), tr.t("audit-outcome-success")),
        (Outcome::Failure.key(), tr.t("audit-outcome-failure")),
        (Outcome::Denied.key(), tr.t("audit-outcome-denied")),
    ]
    .into_iter()
    .map(|(value, label)| Choice::new(value, label, &outcome))
    .collect();
    let export = |format: &str| link("/api/v1/audit/export", &f, &[("format", format.into())]);
    let title = tr.t("audit-title");
    let html = AuditPage {
        tr,
        chrome: Chrome::new(&ctx, &title, Nav::Audit, &units.root_name()),
        export_csv: export("csv"),
        export_jsonl: export("jsonl"),
        units: unit_choices,
        actions,
        outcomes,
        rows,
        total,
        searched: found.is_some(),
        prev,
        next,
        page: page_number,
        pages,
        f,
    };
    let mut rendered = render(tr, &html)?;
    rendered.status = status.filter(|s| *s != StatusCode::OK);
    Ok(rendered)
}

#[derive(Template)]
#[template(path = "admin_audit_verify.html")]
struct VerifyPage {
    tr: Tr,
    chrome: Chrome,
    entries: u64,
    intact: bool,
    last: String,
    findings: Vec<String>,
}

/// `GET /admin/audit/verify`: walks the whole hash chain, as `sojourn
/// audit verify` does, and names every entry found edited, deleted,
/// inserted or moved.
pub(crate) async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let scope = caller.scope();
    let (units, report) = blocking(&state, tr, move |store| {
        Ok((
            Units::load(store, &scope)?,
            store.verify_audit_unscoped(&[])?,
        ))
    })
    .await?;
    // Each finding reads "English / 中文".
    let findings = report
        .findings
        .iter()
        .map(|finding| {
            let text = finding.describe();
            let (en, zh) = text.split_once(" / ").unwrap_or((&text, &text));
            tr.lang.pick(zh, en).to_owned()
        })
        .collect();
    let title = tr.t("audit-verify-title");
    let page = VerifyPage {
        tr,
        chrome: Chrome::new(&ctx, &title, Nav::Audit, &units.root_name()),
        entries: report.entries,
        intact: report.is_intact(),
        last: report
            .last
            .as_ref()
            .map(|a| format!("{}:{}", a.seq, a.hash))
            .unwrap_or_default(),
        findings,
    };
    render(tr, &page)
}
