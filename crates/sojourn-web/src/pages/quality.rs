//! 数据质量监控 (R6.2): open findings counted by unit × rule with a "scan
//! now" action, the findings of each rule linking to their records, the
//! queue of probable duplicates with merge, dismiss and the decisions
//! taken, and the monitor report of plan 12 as .xlsx.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::quality::{parse_reason, parse_rule};
pub(crate) use crate::format::{reasons_text, record_place};
use crate::i18n::Tr;
use crate::ops::quality as ops;
use crate::scope::CallerScope;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::person::PersonId;
use sojourn_domain::quality::Rule;
use sojourn_domain::time_rules::china_today;
use sojourn_store::quality::{
    DuplicateDecision, DuplicateEntry, DuplicateStatus, FindingRow, QualityCounts, RecordKind,
};
use std::collections::HashMap;

/// Findings or pairs a page shows.
const PAGE: u32 = 50;

fn may(caller: &Caller, action: Action) -> bool {
    caller
        .principal
        .role_allowing(action, Resource::Quality)
        .is_some()
}

fn rule_name(tr: Tr, rule: Rule) -> String {
    tr.t(&format!("quality-rule-{}", rule.code()))
}

// ---------------------------------------------------------------------------
// The monitor: counts by unit × rule

struct CountRow {
    unit: String,
    counts: Vec<u64>,
    duplicates: u64,
    total: u64,
}

struct RuleHead {
    code: &'static str,
    name: String,
}

#[derive(Template)]
#[template(path = "quality.html")]
struct MonitorPage {
    tr: Tr,
    chrome: Chrome,
    rules: Vec<RuleHead>,
    rows: Vec<CountRow>,
    totals: Vec<u64>,
    duplicates: u64,
    can_scan: bool,
    can_export: bool,
    /// What the scan just made did, one line each.
    scanned: Vec<String>,
}

/// Counts by unit (named) × rule, units in code order.
fn count_rows(counts: &QualityCounts, units: &Units) -> Vec<CountRow> {
    let mut by_unit: std::collections::BTreeMap<String, CountRow> = Default::default();
    fn row_of<'m>(
        by_unit: &'m mut std::collections::BTreeMap<String, CountRow>,
        units: &Units,
        code: &sojourn_domain::unit::UnitCode,
    ) -> &'m mut CountRow {
        by_unit
            .entry(code.as_str().to_owned())
            .or_insert_with(|| CountRow {
                unit: units.name_of(code),
                counts: vec![0; Rule::ALL.len()],
                duplicates: 0,
                total: 0,
            })
    }
    for c in &counts.findings {
        let row = row_of(&mut by_unit, units, &c.unit);
        if let Some(i) = Rule::ALL.iter().position(|r| *r == c.rule) {
            row.counts[i] += c.count;
        }
        row.total += c.count;
    }
    for (unit, n) in &counts.open_duplicates {
        let row = row_of(&mut by_unit, units, unit);
        row.duplicates += n;
        row.total += n;
    }
    by_unit.into_values().collect()
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct MonitorQuery {
    scanned: Option<String>,
}

/// `GET /quality`.
pub(crate) async fn monitor(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<MonitorQuery>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let (units, counts) = blocking(&state, tr, move |store| {
        Ok((Units::load(store, &scope)?, store.quality_counts(&scope)?))
    })
    .await?;
    let rows = count_rows(&counts, &units);
    let totals = (0..Rule::ALL.len())
        .map(|i| rows.iter().map(|r| r.counts[i]).sum())
        .collect();
    let title = tr.t("quality-title");
    let page = MonitorPage {
        tr,
        chrome: Chrome::new(&ctx, &title, Nav::Quality, &units.root_name()),
        rules: Rule::ALL
            .iter()
            .map(|r| RuleHead {
                code: r.code(),
                name: rule_name(tr, *r),
            })
            .collect(),
        duplicates: rows.iter().map(|r| r.duplicates).sum(),
        rows,
        totals,
        can_scan: may(&caller, Action::Manage),
        can_export: may(&caller, Action::Export),
        scanned: scan_lines(tr, query.scanned.as_deref()),
    };
    render(tr, &page)
}

/// The lines telling what a scan did, from its note in the URL
/// (`records-opened-resolved-new pairs`); nothing for anything else.
fn scan_lines(tr: Tr, note: Option<&str>) -> Vec<String> {
    let Some(note) = note else {
        return Vec::new();
    };
    let numbers: Vec<u64> = note.split('-').filter_map(|n| n.parse().ok()).collect();
    let keys = [
        "quality-scanned-records",
        "quality-scanned-opened",
        "quality-scanned-resolved",
        "quality-scanned-pairs",
    ];
    if numbers.len() != keys.len() {
        return Vec::new();
    }
    keys.iter().zip(numbers).map(|(k, n)| tr.tn(k, n)).collect()
}

/// `POST /quality/scan`: judges the caller's jurisdiction again, then
/// shows the monitor with what the scan did.
pub(crate) async fn scan(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let summary = ops::scan(&state, scope)
        .await
        .map_err(|why| PageError::internal(tr, why))?
        .map_err(|e| PageError::store(tr, e))?;
    let note = format!(
        "{}-{}-{}-{}",
        summary.records, summary.opened, summary.resolved, summary.new_pairs
    );
    Ok(Redirect::to(&format!("/quality?scanned={note}")).into_response())
}

// ---------------------------------------------------------------------------
// The findings of a rule

struct FindingView {
    unit: String,
    rule: String,
    kind: String,
    /// The person's name or the house's address.
    name: String,
    /// Where the person lives and works, for a file or a stay.
    place: String,
    href: String,
    detail: String,
    found_on: String,
}

#[derive(Template)]
#[template(path = "quality_findings.html")]
struct FindingsPage {
    tr: Tr,
    chrome: Chrome,
    rule_name: String,
    rules: Vec<RuleHead>,
    selected: String,
    rows: Vec<FindingView>,
    next: Option<String>,
    /// The export form, for a role that may export the list.
    export: Option<super::exports::ExportForm>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct FindingsQuery {
    rule: Option<String>,
    after: Option<i64>,
}

/// The page of a record a finding is about. A stay is shown on its
/// person's file, which the store names.
fn record_href(f: &FindingRow, persons: &HashMap<i64, i64>) -> String {
    match f.record {
        RecordKind::Person => format!("/persons/{}", f.record_id),
        RecordKind::Residence => persons
            .get(&f.record_id)
            .map_or_else(String::new, |p| format!("/persons/{p}")),
        RecordKind::House => format!("/houses/{}", f.record_id),
        RecordKind::Outflow => format!("/outflows/{}", f.record_id),
        RecordKind::Employer => format!("/employers/{}", f.record_id),
        // Findings are kept of the judged registers only.
        _ => String::new(),
    }
}

/// `GET /quality/findings?rule=…&after=…`.
pub(crate) async fn findings(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(query): Query<FindingsQuery>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let rule = match query.rule.as_deref().filter(|r| !r.trim().is_empty()) {
        Some(code) => Some(parse_rule(code).map_err(|_| PageError::not_found(tr))?),
        None => None,
    };
    let after = query.after;
    let (units, rows, persons) = blocking(&state, tr, move |store| {
        let rows = store.quality_findings(&scope, rule, after, PAGE)?;
        let mut persons = HashMap::new();
        for f in rows.iter().filter(|f| f.record == RecordKind::Residence) {
            let stay =
                store.get_residence(&scope, sojourn_domain::residence::ResidenceId(f.record_id))?;
            persons.insert(f.record_id, stay.person.0);
        }
        Ok((Units::load(store, &scope)?, rows, persons))
    })
    .await?;
    let next = (rows.len() as u32 == PAGE).then(|| {
        let last = rows.last().map_or(0, |f| f.id);
        let rule = rule.map_or("", |r| r.code());
        format!("/quality/findings?rule={rule}&after={last}")
    });
    let views = rows
        .iter()
        .map(|f| FindingView {
            unit: units.name_of(&f.unit),
            rule: rule_name(tr, f.rule),
            kind: tr.t(&format!("quality-kind-{}", f.record.code())),
            name: f.record_name.clone(),
            place: record_place(tr, f),
            href: record_href(f, &persons),
            detail: tr.lang.pick(&f.detail_zh, &f.detail_en).to_owned(),
            found_on: f
                .found_at
                .to_offset(sojourn_domain::time_rules::CHINA)
                .date()
                .to_string(),
        })
        .collect();
    let rule_name_text = rule.map_or_else(|| tr.t("quality-all-rules"), |r| rule_name(tr, r));
    let title = tr.t("quality-findings-title");
    let page = FindingsPage {
        tr,
        chrome: Chrome::new(&ctx, &title, Nav::Quality, &units.root_name()),
        rule_name: rule_name_text,
        rules: Rule::ALL
            .iter()
            .map(|r| RuleHead {
                code: r.code(),
                name: rule_name(tr, *r),
            })
            .collect(),
        selected: rule.map_or_else(String::new, |r| r.code().to_owned()),
        rows: views,
        next,
        export: super::exports::form_with(&ctx, crate::export::ExportList::QualityFindings, |_| {
            rule.map_or_else(String::new, |r| r.code().to_owned())
        }),
    };
    render(tr, &page)
}

// ---------------------------------------------------------------------------
// The duplicate queue

struct DecisionView {
    text: String,
    by: String,
    on: String,
}

struct PairView {
    id: i64,
    unit: String,
    first: i64,
    second: i64,
    first_name: String,
    second_name: String,
    score: u8,
    reasons: String,
    status: String,
    open: bool,
    decisions: Vec<DecisionView>,
}

#[derive(Template)]
#[template(path = "quality_duplicates.html")]
struct QueuePage {
    tr: Tr,
    chrome: Chrome,
    pairs: Vec<PairView>,
    /// The status filters: code, label, whether shown now.
    status_links: Vec<(String, String, bool)>,
    can_decide: bool,
    message: Option<String>,
    next: Option<String>,
    /// The export form, for a role that may export the queue.
    export: Option<super::exports::ExportForm>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct QueueQuery {
    status: Option<String>,
    offset: Option<crate::dto::quality::Offset>,
    done: Option<String>,
}

fn decision_view(tr: Tr, d: &DuplicateDecision) -> DecisionView {
    let text = match (d.decision, d.kept, d.reason.as_deref()) {
        (DuplicateStatus::Merged, Some(kept), _) => {
            tr.ts("quality-decision-merged", "id", &kept.0.to_string())
        }
        (_, _, Some(reason)) => tr.ts("quality-decision-dismissed", "reason", reason),
        _ => tr.t(&format!("quality-status-{}", d.decision.code())),
    };
    DecisionView {
        text,
        by: d.decided_by.clone(),
        on: d
            .decided_at
            .to_offset(sojourn_domain::time_rules::CHINA)
            .date()
            .to_string(),
    }
}

fn pair_view(
    tr: Tr,
    units: &Units,
    p: &DuplicateEntry,
    decisions: &[DuplicateDecision],
) -> PairView {
    PairView {
        id: p.id,
        unit: units.name_of(&p.unit),
        first: p.first.0,
        second: p.second.0,
        first_name: p.first_name.clone(),
        second_name: p.second_name.clone(),
        score: p.score,
        reasons: reasons_text(tr, &p.reasons),
        status: tr.t(&format!("quality-status-{}", p.status.code())),
        open: p.status == DuplicateStatus::Open,
        decisions: decisions.iter().map(|d| decision_view(tr, d)).collect(),
    }
}

/// `GET /quality/duplicates?status=…`: the queue, highest score first,
/// each pair with the decisions taken on it.
pub(crate) async fn duplicates(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<QueueQuery>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let status_text = query.status.clone().unwrap_or_else(|| "open".to_owned());
    let status = match status_text.as_str() {
        "all" => None,
        code => Some(DuplicateStatus::from_code(code).ok_or_else(|| PageError::not_found(tr))?),
    };
    let offset = query.offset.unwrap_or_default().get();
    let (units, pairs) = blocking(&state, tr, move |store| {
        let pairs = store.duplicate_queue(&scope, status, offset, PAGE)?;
        let mut with_decisions = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let decisions = store.duplicate_decisions(&scope, pair.id)?;
            with_decisions.push((pair, decisions));
        }
        Ok((Units::load(store, &scope)?, with_decisions))
    })
    .await?;
    let next = (pairs.len() as u32 == PAGE).then(|| {
        format!(
            "/quality/duplicates?status={status_text}&offset={}",
            offset + u64::from(PAGE)
        )
    });
    let message = query
        .done
        .as_deref()
        .filter(|d| matches!(*d, "merged" | "dismissed"))
        .map(|d| tr.t(&format!("quality-done-{d}")));
    let title = tr.t("quality-duplicates-title");
    let page = QueuePage {
        tr,
        chrome: Chrome::new(&ctx, &title, Nav::Quality, &units.root_name()),
        pairs: pairs
            .iter()
            .map(|(p, d)| pair_view(tr, &units, p, d))
            .collect(),
        status_links: ["open", "merged", "dismissed", "all"]
            .iter()
            .map(|code| {
                let label = tr.t(&format!("quality-status-{code}"));
                ((*code).to_owned(), label, *code == status_text)
            })
            .collect(),
        can_decide: may(&caller, Action::Manage),
        message,
        next,
        export: super::exports::form_with(
            &ctx,
            crate::export::ExportList::QualityDuplicates,
            |_| status_text.clone(),
        ),
    };
    render(tr, &page)
}

/// `POST /quality/duplicates/{id}/merge` (`keep=` the file kept).
pub(crate) async fn merge(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = super::person::path_id(tr, &id)?;
    let keep = values
        .get("keep")
        .and_then(|k| k.parse().ok())
        .map(PersonId)
        .ok_or_else(|| {
            PageError::refused(tr, &sojourn_store::quality::QualityRefusal::KeptNotInPair)
        })?;
    let actor = caller.actor();
    ops::merge_duplicate(&state, scope, actor, id, keep)
        .await
        .map_err(|why| PageError::internal(tr, why))?
        .map_err(|e| PageError::store(tr, e))?;
    Ok(Redirect::to("/quality/duplicates?done=merged").into_response())
}

/// `POST /quality/duplicates/{id}/dismiss` (`reason=` required).
pub(crate) async fn dismiss(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = super::person::path_id(tr, &id)?;
    let raw = values.get("reason").map(String::as_str).unwrap_or_default();
    let reason = parse_reason(raw).map_err(|_| {
        PageError::refused(tr, &crate::dto::quality::QualityInputError::ReasonRequired)
    })?;
    let actor = caller.actor();
    ops::dismiss_duplicate(&state, scope, actor, id, reason)
        .await
        .map_err(|why| PageError::internal(tr, why))?
        .map_err(|e| PageError::store(tr, e))?;
    Ok(Redirect::to("/quality/duplicates?done=dismissed").into_response())
}

// ---------------------------------------------------------------------------
// The monitor report (plan 12: 监控报表)

/// `GET /quality/report.xlsx`: open findings by unit × rule and the open
/// probable duplicates (重卡), with totals, as of today.
pub(crate) async fn report(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let (units, counts) = blocking(&state, tr, move |store| {
        Ok((Units::load(store, &scope)?, store.quality_counts(&scope)?))
    })
    .await?;
    let rows = count_rows(&counts, &units);
    let bytes = tokio::task::spawn_blocking(move || report_bytes(tr, &rows))
        .await
        .map_err(|e| PageError::internal(tr, format!("report task: {e}")))?
        .map_err(|e| PageError::internal(tr, format!("report: {e}")))?;
    let name = format!("quality-report-{}.xlsx", china_today());
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}

/// The report written by the sheets writer into a temporary file, read
/// back whole (a report has a row per unit: small).
fn report_bytes(tr: Tr, rows: &[CountRow]) -> Result<Vec<u8>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("report.xlsx");
    let mut header = vec![tr.t("quality-col-unit")];
    header.extend(Rule::ALL.iter().map(|r| rule_name(tr, *r)));
    header.push(tr.t("quality-col-duplicates"));
    header.push(tr.t("quality-col-total"));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let title = tr.ts("quality-report-title", "date", &china_today().to_string());
    let sheet = tr.t("quality-report-sheet");
    let mut writer =
        sojourn_sheets::write::TableWriter::create(&path, &sheet, Some(&title), &header)
            .map_err(|e| e.to_string())?;
    let mut totals = vec![0u64; Rule::ALL.len() + 2];
    for row in rows {
        let mut cells = vec![row.unit.clone()];
        let numbers = row
            .counts
            .iter()
            .copied()
            .chain([row.duplicates, row.total]);
        for (i, n) in numbers.enumerate() {
            totals[i] += n;
            cells.push(n.to_string());
        }
        writer.row(&cells).map_err(|e| e.to_string())?;
    }
    let mut last = vec![tr.t("quality-col-all")];
    last.extend(totals.iter().map(u64::to_string));
    writer.row(&last).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    std::fs::read(&path).map_err(|e| e.to_string())
}
