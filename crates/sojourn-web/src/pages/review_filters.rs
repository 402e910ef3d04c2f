//! The filters of the review workflow's lists, read from the URL: which
//! register, which community, whose collection, how long it has waited,
//! only the late entries, the order, and how many rows a page shows. A
//! value a hand-edited URL gets wrong narrows nothing rather than failing
//! the page; a community outside the caller's scope finds nothing.
//!
//! The list's URL (path and these filters) travels with every step taken
//! on it as `back`, so a step, a refusal or a batch comes back to the same
//! filtered page.

use super::access::Units;
use super::lists::unit_filter;
use super::review::kind_name;
use super::url::Params;
use crate::format::Choice;
use crate::i18n::Tr;
use sojourn_domain::review::RecordKind;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::{ReviewFilter, ReviewSort};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// The URL keys of the filters, in the order links carry them.
pub(crate) const KEYS: [&str; 7] = [
    "kind",
    "unit",
    "collector",
    "waiting",
    "late",
    "sort",
    "per",
];

/// How many days a record may have waited, as the filter offers them.
const WAITING_DAYS: [u32; 4] = [1, 3, 7, 30];

/// Rows per page the list offers; enough for a chief to approve a
/// community's week in one batch.
const PER_PAGE: [u32; 3] = [50, 100, 200];

const SORTS: [(&str, ReviewSort); 4] = [
    ("", ReviewSort::Registered),
    ("oldest", ReviewSort::OldestFirst),
    ("newest", ReviewSort::NewestFirst),
    ("unit", ReviewSort::Unit),
];

/// A list's filters as read from its URL.
#[derive(Debug, Clone)]
pub(crate) struct Filters {
    pub kind: Option<RecordKind>,
    pub unit: Option<UnitCode>,
    pub collector: Option<String>,
    pub waiting_days: Option<u32>,
    pub late: bool,
    pub sort: ReviewSort,
    pub per_page: u32,
    /// The recognised values, as links keep them (without the page).
    pub params: Params,
}

impl Filters {
    /// Reads the filters from a URL's query pairs, keeping what parses.
    pub(crate) fn read(query: &HashMap<String, String>) -> Self {
        let value = |key: &str| query.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let kind = value("kind").and_then(|k| RecordKind::parse_reviewed(k).ok());
        let unit = value("unit").and_then(|u| UnitCode::parse(u).ok());
        let collector = value("collector")
            .filter(|c| c.chars().count() <= 64)
            .map(str::to_owned);
        let waiting_days = value("waiting")
            .and_then(|d| d.parse().ok())
            .filter(|d| WAITING_DAYS.contains(d));
        let late = value("late") == Some("1");
        let sort_key = value("sort").unwrap_or_default();
        let sort = SORTS
            .iter()
            .find(|(key, _)| *key == sort_key)
            .map_or(ReviewSort::Registered, |(_, sort)| *sort);
        let per_page = value("per")
            .and_then(|p| p.parse().ok())
            .filter(|p| PER_PAGE.contains(p))
            .unwrap_or(PER_PAGE[0]);
        let waiting_text = waiting_days.map(|d| d.to_string());
        let per_text = (per_page != PER_PAGE[0]).then(|| per_page.to_string());
        let params = Params::default()
            .add("kind", kind.map(RecordKind::code))
            .add("unit", unit.as_ref().map(UnitCode::as_str))
            .add("collector", collector.as_deref())
            .add("waiting", waiting_text.as_deref())
            .add("late", late.then_some("1"))
            .add(
                "sort",
                Some(sort_key).filter(|_| sort != ReviewSort::Registered),
            )
            .add("per", per_text.as_deref());
        Self {
            kind,
            unit,
            collector,
            waiting_days,
            late,
            sort,
            per_page,
            params,
        }
    }

    /// Reads the filters from a list URL's query (`back` of a form).
    pub(crate) fn from_url_query(query: &str) -> Self {
        let pairs = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .filter(|(key, _)| KEYS.contains(key))
            .map(|(key, value)| (key.to_owned(), decode(value)))
            .collect();
        Self::read(&pairs)
    }

    /// What the store narrows by, waiting counted back from `now`.
    pub(crate) fn store_filter(&self, now: OffsetDateTime) -> ReviewFilter {
        ReviewFilter {
            kind: self.kind,
            collector: self.collector.clone(),
            waiting_before: self
                .waiting_days
                .map(|days| now - Duration::days(i64::from(days))),
            late_only: self.late,
            sort: self.sort,
        }
    }

    /// The scope the list reads: the caller's, narrowed to the chosen
    /// community; `None` when that community is outside it.
    pub(crate) fn scope(&self, scope: &Scope) -> Option<Scope> {
        match &self.unit {
            Some(unit) => scope.narrow_to(unit).ok(),
            None => Some(scope.clone()),
        }
    }

    /// The select boxes of the filter form.
    pub(crate) fn choices(&self, tr: Tr, units: &Units, collectors: &[String]) -> FilterChoices {
        let selected = |key: &str| self.params.get(key).unwrap_or_default().to_owned();
        let kind = selected("kind");
        let mut kinds = vec![Choice::new("", tr.t("review-filter-all-kinds"), &kind)];
        kinds.extend(
            RecordKind::REVIEWED
                .into_iter()
                .map(|k| Choice::new(k.code(), kind_name(tr, k), &kind)),
        );
        let collector = selected("collector");
        let mut collector_choices = vec![Choice::new("", tr.t("review-filter-anyone"), &collector)];
        collector_choices.extend(
            collectors
                .iter()
                .map(|c| Choice::new(c, c.clone(), &collector)),
        );
        let waiting = selected("waiting");
        let mut waiting_choices = vec![Choice::new("", tr.t("review-filter-any-age"), &waiting)];
        waiting_choices.extend(WAITING_DAYS.into_iter().map(|d| {
            Choice::new(
                &d.to_string(),
                tr.tn("review-filter-days", u64::from(d)),
                &waiting,
            )
        }));
        let sort = selected("sort");
        let sorts = SORTS
            .iter()
            .map(|(key, _)| {
                let label = tr.t(&format!(
                    "review-sort-{}",
                    if key.is_empty() { "registered" } else { key }
                ));
                Choice::new(key, label, &sort)
            })
            .collect();
        let per = self.per_page.to_string();
        let per_page = PER_PAGE
            .into_iter()
            .map(|p| Choice::new(&p.to_string(), tr.tn("review-per-page", u64::from(p)), &per))
            .collect();
        FilterChoices {
            kinds,
            units: unit_filter(tr, units, &selected("unit")),
            collectors: collector_choices,
            waiting: waiting_choices,
            sorts,
            per_page,
            late: self.late,
        }
    }
}

/// The options of the filter form's fields.
pub(crate) struct FilterChoices {
    pub kinds: Vec<Choice>,
    pub units: Vec<Choice>,
    pub collectors: Vec<Choice>,
    pub waiting: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub per_page: Vec<Choice>,
    pub late: bool,
}

/// Decodes one `application/x-www-form-urlencoded` value; bytes that do
/// not decode are kept as typed.
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_filters_keep_what_parses_and_drop_the_rest() {
        let filters = Filters::read(&query(&[
            ("kind", "house"),
            ("unit", "110101001001"),
            ("waiting", "3"),
            ("late", "1"),
            ("sort", "oldest"),
            ("per", "200"),
            ("collector", "caiji01"),
        ]));
        assert_eq!(filters.kind, Some(RecordKind::House));
        assert_eq!(filters.waiting_days, Some(3));
        assert!(filters.late);
        assert_eq!(filters.sort, ReviewSort::OldestFirst);
        assert_eq!(filters.per_page, 200);
        assert_eq!(
            filters.params.href("/review"),
            "/review?kind=house&unit=110101001001&collector=caiji01&waiting=3&late=1&sort=oldest&per=200"
        );
        let wrong = Filters::read(&query(&[
            ("kind", "car"),
            ("unit", "x"),
            ("waiting", "2"),
            ("sort", "name; DROP"),
            ("per", "100000"),
        ]));
        assert_eq!(wrong.kind, None);
        assert_eq!(wrong.unit, None);
        assert_eq!(wrong.waiting_days, None);
        assert_eq!(wrong.sort, ReviewSort::Registered);
        assert_eq!(wrong.per_page, 50);
        assert_eq!(wrong.params.href("/review"), "/review");
    }

    #[test]
    fn a_list_url_comes_back_with_its_filters() {
        let filters =
            Filters::from_url_query("kind=outflow&collector=%E9%87%87%E9%9B%86+1&page=3&evil=1");
        assert_eq!(filters.kind, Some(RecordKind::Outflow));
        assert_eq!(filters.collector.as_deref(), Some("采集 1"));
        assert_eq!(
            filters.params.href("/review"),
            "/review?kind=outflow&collector=%E9%87%87%E9%9B%86+1"
        );
        assert_eq!(decode("%zz%4"), "%zz%4");
    }
}
