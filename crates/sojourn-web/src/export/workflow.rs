//! The exports of the review workflow's lists (审核队列, 待更正, 超时未录入,
//! 待抽查, 工作量统计) and the data-quality monitor's (问题清单, 疑似重复档案):
//! the columns their pages show, with the headers and words of the reader's
//! language (Chinese by default), read through the caller's scope by the
//! same store calls as the pages. None of them shows an ID or phone number.

use super::columns::Names;
use super::writing::{PAGE, pipe};
use super::{ExportError, ExportList, Filters, Progress};
use crate::format::{
    kind_name, reasons_text, record_place, stamped, state_name, step_name, step_table,
};
use crate::i18n::Tr;
use sojourn_domain::review::{ReviewStatus, StepKind};
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_sheets::ExportWriter;
use sojourn_store::quality::{DuplicateDecision, DuplicateEntry, DuplicateStatus, FindingRow};
use sojourn_store::{PageRequest, PermitRow, Store, StoreError};

/// The page's title and column headers (message keys) of a workflow list.
pub(crate) fn headers(list: ExportList, tr: Tr) -> Vec<String> {
    let keys: &[&str] = match list {
        ExportList::ReviewCounts => {
            let mut headers = vec![
                tr.t("export-col-number"),
                tr.t("export-col-counted"),
                tr.t("review-counts-who"),
            ];
            headers.extend(StepKind::ALL.into_iter().map(|s| step_name(tr, s)));
            return headers;
        }
        ExportList::QualityFindings => &[
            "quality-col-unit",
            "quality-col-rule",
            "quality-col-record",
            "quality-col-detail",
            "quality-col-found",
        ],
        ExportList::QualityDuplicates => &[
            "quality-col-score",
            "quality-col-files",
            "quality-col-reasons",
            "quality-col-unit",
            "quality-col-status",
            "quality-col-decision",
        ],
        ExportList::Permits => &[
            "col-name",
            "permits-unit",
            "permit-col-state",
            "permit-col-applied",
            "permit-col-accepted",
            "permit-col-due",
            "permit-col-issued",
            "permit-col-endorse-by",
            "permit-col-cancel-reason",
        ],
        _ => &[
            "review-col-record",
            "col-unit",
            "review-col-state",
            "review-col-collected",
            "review-col-entered",
            "review-col-reason",
        ],
    };
    let mut headers = vec![tr.t("export-col-number")];
    headers.extend(keys.iter().map(|k| tr.t(k)));
    headers
}

fn unit_name(names: &Names, code: &str) -> String {
    UnitCode::parse(code).map_or_else(|_| code.to_owned(), |c| names.unit_name(&c))
}

fn date_of(at: time::OffsetDateTime) -> String {
    at.to_offset(sojourn_domain::time_rules::CHINA)
        .date()
        .to_string()
}

/// A record of a review list, as its page's row shows it.
fn review_cells(tr: Tr, number: u64, s: &ReviewStatus, names: &Names) -> Vec<String> {
    vec![
        number.to_string(),
        format!("{} #{}", kind_name(tr, s.record.kind), s.record.id),
        unit_name(names, &s.unit),
        state_name(tr, s.state),
        stamped(s.collected.as_ref()),
        stamped(s.entered.as_ref()),
        s.reason.clone().unwrap_or_default(),
    ]
}

fn finding_cells(tr: Tr, number: u64, f: &FindingRow, names: &Names) -> Vec<String> {
    vec![
        number.to_string(),
        names.unit_name(&f.unit),
        tr.t(&format!("quality-rule-{}", f.rule.code())),
        {
            // Named as the page names it: the person or the address, and
            // where the person lives and works.
            // with its number, which tells namesakes apart in a sheet.
            let place = record_place(tr, f);
            let kind = tr.t(&format!("quality-kind-{}", f.record.code()));
            let id = f.record_id;
            format!("{}（{kind} #{id}）{place}", f.record_name)
                .trim()
                .to_owned()
        },
        tr.lang.pick(&f.detail_zh, &f.detail_en).to_owned(),
        date_of(f.found_at),
    ]
}

fn decision_text(tr: Tr, d: &DuplicateDecision) -> String {
    let text = match (d.decision, d.kept, d.reason.as_deref()) {
        (DuplicateStatus::Merged, Some(kept), _) => {
            tr.ts("quality-decision-merged", "id", &kept.0.to_string())
        }
        (_, _, Some(reason)) => tr.ts("quality-decision-dismissed", "reason", reason),
        _ => tr.t(&format!("quality-status-{}", d.decision.code())),
    };
    format!("{text} {} {}", d.decided_by, date_of(d.decided_at))
}

fn duplicate_cells(
    tr: Tr,
    number: u64,
    (p, decisions): &(DuplicateEntry, Vec<DuplicateDecision>),
    names: &Names,
) -> Vec<String> {
    let separator = tr.lang.pick("；", "; ");
    vec![
        number.to_string(),
        p.score.to_string(),
        // Named first; the file numbers tell namesakes apart.
        format!(
            "{}（{}）{separator}{}（{}）",
            p.first_name, p.first.0, p.second_name, p.second.0
        ),
        reasons_text(tr, &p.reasons),
        names.unit_name(&p.unit),
        tr.t(&format!("quality-status-{}", p.status.code())),
        decisions
            .iter()
            .map(|d| decision_text(tr, d))
            .collect::<Vec<_>>()
            .join(separator),
    ]
}

/// A permit as its worklist's row shows it.
fn permit_cells(tr: Tr, number: u64, row: &PermitRow, today: time::Date) -> Vec<String> {
    let p = &row.permit;
    let day = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let state = p.state_on(today);
    vec![
        number.to_string(),
        row.person_name.clone(),
        row.unit_name.clone(),
        tr.lang.pick(state.name_zh(), state.name_en()).to_owned(),
        p.applied_on.to_string(),
        day(p.accepted_on),
        day(p.issue_due()),
        day(p.issued_on),
        day(p.endorse_by),
        p.cancel_reason
            .map(|r| tr.lang.pick(r.name_zh(), r.code()).to_owned())
            .unwrap_or_default(),
    ]
}

/// Writes a workflow list's rows in `scope` and returns their number.
pub(super) fn write(
    store: &dyn Store,
    scope: &Scope,
    filters: &Filters,
    tr: Tr,
    names: &Names,
    out: &mut ExportWriter,
    progress: &Progress,
) -> Result<u64, ExportError> {
    match filters {
        Filters::Review(queue) => pipe(
            out,
            progress,
            |n, s: &ReviewStatus| review_cells(tr, n, s, names),
            by_offset(|page| store.review_queue(scope, *queue, page)),
        ),
        Filters::Findings(rule) => pipe(
            out,
            progress,
            |n, f: &FindingRow| finding_cells(tr, n, f, names),
            |after: Option<i64>| {
                let rows = store.quality_findings(scope, *rule, after, PAGE)?;
                let next = (rows.len() == PAGE as usize)
                    .then(|| rows.last().map(|f| f.id))
                    .flatten();
                Ok((rows, next))
            },
        ),
        Filters::Duplicates(status) => pipe(
            out,
            progress,
            |n, p: &(DuplicateEntry, Vec<DuplicateDecision>)| duplicate_cells(tr, n, p, names),
            by_offset(|page| {
                let pairs = store.duplicate_queue(scope, *status, page.offset(), page.limit())?;
                pairs
                    .into_iter()
                    .map(|pair| {
                        let decisions = store.duplicate_decisions(scope, pair.id)?;
                        Ok((pair, decisions))
                    })
                    .collect()
            }),
        ),
        Filters::Permits(list, unit, today) => pipe(
            out,
            progress,
            |n, row: &PermitRow| permit_cells(tr, n, row, *today),
            by_offset(|page| {
                Ok(store
                    .permit_list(scope, *list, unit.as_ref(), *today, page)?
                    .items)
            }),
        ),
        Filters::ReviewCounts(since) => {
            let counts = store.review_counts(scope, *since)?;
            let people = step_table(&counts.by_person)
                .into_iter()
                .map(|(who, steps)| (tr.t("export-counted-person"), who, steps));
            let units = step_table(&counts.by_unit)
                .into_iter()
                .map(|(code, steps)| (tr.t("export-counted-unit"), unit_name(names, &code), steps));
            let mut number = 0;
            for (what, who, steps) in people.chain(units) {
                number += 1;
                let mut cells = vec![number.to_string(), what, who];
                cells.extend(steps.iter().map(u64::to_string));
                out.row(&cells)?;
            }
            progress
                .written
                .store(number, std::sync::atomic::Ordering::Relaxed);
            Ok(number)
        }
        _ => Ok(0),
    }
}

/// A pager by offset over a store call that gives a page's rows without a
/// total: a full page is followed by the next.
fn by_offset<T>(
    mut fetch: impl FnMut(PageRequest) -> Result<Vec<T>, StoreError>,
) -> impl FnMut(Option<u64>) -> Result<(Vec<T>, Option<u64>), StoreError> {
    move |at: Option<u64>| {
        let offset = at.unwrap_or(0);
        let page = PageRequest::new(offset, PAGE).unwrap_or_default();
        let rows = fetch(page)?;
        let next = (rows.len() == PAGE as usize).then_some(offset + PAGE as u64);
        Ok((rows, next))
    }
}
