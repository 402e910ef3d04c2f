//! Each list's filters and search term, read by the list's own query
//! parser so that an export has exactly the rows its page shows; and what
//! the audit trail keeps of them.

use super::lists::ExportList;
use crate::dto::employers::EmployerListQuery;
use crate::dto::fields::InputError;
use crate::dto::houses::HouseListQuery;
use crate::dto::outflows::OutflowListQuery;
use crate::dto::residences::ResidentListQuery;
use crate::error::{ApiError, FieldProblem};
use sojourn_domain::quality::Rule;
use sojourn_domain::search::SearchTerm;
use sojourn_domain::time_rules::{CHINA, parse_iso_date};
use sojourn_domain::unit::UnitCode;
use sojourn_store::quality::DuplicateStatus;
use sojourn_store::{
    EmployerQuery, HouseQuery, OutflowQuery, PermitList, ResidentQuery, ReviewQueue,
};
use std::collections::HashMap;
use time::OffsetDateTime;

/// The store query of a list's filters.
#[derive(Debug, Clone)]
pub enum Filters {
    Residents(ResidentQuery),
    Houses(HouseQuery),
    Employers(EmployerQuery),
    Outflows(OutflowQuery),
    /// A review work list (the overdue one as of the job's start).
    Review(ReviewQueue),
    /// Steps counted since a moment (all time when `None`).
    ReviewCounts(Option<OffsetDateTime>),
    /// Open findings of a rule (every rule when `None`).
    Findings(Option<Rule>),
    /// Pairs of a status (every status when `None`).
    Duplicates(Option<DuplicateStatus>),
    /// A permit worklist (or the register) narrowed to a unit, on the
    /// day the job starts.
    Permits(PermitList, Option<UnitCode>, time::Date),
}

impl Filters {
    /// The unit a register's list is narrowed to; the workflow's lists
    /// have none (they cover the caller's jurisdiction).
    pub(crate) fn unit(&self) -> Option<&UnitCode> {
        match self {
            Self::Residents(q) => q.unit.as_ref(),
            Self::Houses(q) => q.unit.as_ref(),
            Self::Employers(q) => q.unit.as_ref(),
            Self::Outflows(q) => q.unit.as_ref(),
            Self::Permits(_, unit, _) => unit.as_ref(),
            Self::Review(_) | Self::ReviewCounts(_) | Self::Findings(_) | Self::Duplicates(_) => {
                None
            }
        }
    }
}

/// Field errors of an export request, all reported at once.
#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<FieldProblem>);

impl Problems {
    pub(super) fn refuse(&mut self, field: &str, error: &dyn sojourn_domain::Localized) {
        self.0.push(FieldProblem::new(field, error));
    }

    pub(super) fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(ApiError::Validation(self.0)),
        }
    }

    fn optional<T, E: sojourn_domain::Localized>(
        &mut self,
        field: &str,
        input: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match input {
            None => Some(None),
            Some(text) => match parse(text) {
                Ok(v) => Some(Some(v)),
                Err(e) => {
                    self.refuse(field, &e);
                    None
                }
            },
        }
    }
}

/// A record number (`house=12`) that is not a number.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0:?} is not a record number")]
pub struct NotARecordNumber(String);

impl sojourn_domain::Localized for NotARecordNumber {
    fn code(&self) -> &'static str {
        "not_a_number"
    }
    fn message_zh(&self) -> String {
        format!("“{}”不是记录编号", self.0)
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

pub(super) fn unknown(value: &str, allowed: &str) -> InputError {
    InputError::UnknownOption {
        value: value.to_owned(),
        allowed: allowed.to_owned(),
    }
}

/// The list's search box (posted with the export form, never in a URL).
pub const SEARCH: &str = "q";

/// Where the audit trail notes a search: its kind alone.
pub(super) const SEARCH_RECORD: &str = "search";

/// What the audit trail keeps of a search term: how it was read, never
/// the text (an ID number, phone or name is personal data).
pub(super) fn search_kind(text: &str) -> &'static str {
    match SearchTerm::parse(text) {
        Some(SearchTerm::IdNumber(_)) => "id_number",
        Some(SearchTerm::Digits(_)) => "digits",
        Some(SearchTerm::Pinyin(_)) => "pinyin",
        Some(SearchTerm::Name(_)) => "name",
        None => "blank",
    }
}

/// The filter parameters of `list`, its search term included (what its
/// export form carries).
pub fn filter_keys(list: ExportList) -> &'static [&'static str] {
    match list {
        ExportList::Residents => &[
            SEARCH,
            "unit",
            "status",
            "sex",
            "age_band",
            "origin_province",
            "arrived_from",
            "arrived_to",
            "departed_from",
            "house",
            "employer",
        ],
        ExportList::Houses => &[SEARCH, "unit", "filed"],
        ExportList::Employers => &[SEARCH, "unit"],
        ExportList::Outflows => &[SEARCH, "unit", "returned", "destination_province"],
        ExportList::ReviewQueue
        | ExportList::ReviewCorrections
        | ExportList::ReviewOverdue
        | ExportList::ReviewSpotChecks => &[],
        ExportList::ReviewCounts => &["since"],
        ExportList::QualityFindings => &["rule"],
        ExportList::QualityDuplicates => &["status"],
        ExportList::Permits => &["list", "unit"],
    }
}

/// The list's filters, parsed by the list's own query type.
pub(super) fn filters(
    list: ExportList,
    params: &HashMap<String, String>,
) -> Result<Filters, ApiError> {
    let text = |k: &str| {
        params
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut fields = Problems::default();
    let mut id = |k: &str| -> Option<Option<i64>> {
        fields.optional(k, text(k).as_deref(), |t| {
            t.parse::<i64>().map_err(|_| NotARecordNumber(t.to_owned()))
        })
    };
    let (house, employer) = (id("house"), id("employer"));
    let mut flag = |k: &str| -> Option<Option<bool>> {
        fields.optional(k, text(k).as_deref(), |t| match t {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(unknown(other, "true, false")),
        })
    };
    let (filed, returned) = (flag("filed"), flag("returned"));
    let parsed = match list {
        ExportList::Residents => resident_filters(&text, house.flatten(), employer.flatten())
            .parse()
            .map(|(q, _)| Filters::Residents(q)),
        ExportList::Houses => house_filters(&text, filed.flatten())
            .parse()
            .map(|(q, _)| Filters::Houses(q)),
        ExportList::Employers => employer_filters(&text)
            .parse()
            .map(|(q, _)| Filters::Employers(q)),
        ExportList::Outflows => outflow_filters(&text, returned.flatten())
            .parse()
            .map(|(q, _)| Filters::Outflows(q)),
        workflow => workflow_filters(workflow, &text),
    };
    let ok = house.is_some() && employer.is_some() && filed.is_some() && returned.is_some();
    match parsed {
        Ok(filters) if ok => Ok(filters),
        Ok(_) => fields.finish(None),
        Err(ApiError::Validation(problems)) => {
            fields.0.extend(problems);
            fields.finish(None)
        }
        Err(other) => Err(other),
    }
}

/// The resident list's filters and search term, its fields read by
/// `text`: the one reading of both the list page and its export, so an
/// export has the rows the list shows. (Record numbers come parsed: the
/// page and the API word their errors differently.)
pub(crate) fn resident_filters(
    text: &dyn Fn(&str) -> Option<String>,
    house: Option<i64>,
    employer: Option<i64>,
) -> ResidentListQuery {
    ResidentListQuery {
        q: text(SEARCH),
        unit: text("unit"),
        status: text("status"),
        sex: text("sex"),
        house,
        employer,
        arrived_from: text("arrived_from"),
        arrived_to: text("arrived_to"),
        departed_from: text("departed_from"),
        origin_province: text("origin_province"),
        age_band: text("age_band"),
        ..ResidentListQuery::default()
    }
}

/// The house list's filters and search term (see [`resident_filters`]).
pub(crate) fn house_filters(
    text: &dyn Fn(&str) -> Option<String>,
    filed: Option<bool>,
) -> HouseListQuery {
    HouseListQuery {
        q: text(SEARCH),
        unit: text("unit"),
        filed,
        ..HouseListQuery::default()
    }
}

/// The employer list's filters and search term (see [`resident_filters`]).
pub(crate) fn employer_filters(text: &dyn Fn(&str) -> Option<String>) -> EmployerListQuery {
    EmployerListQuery {
        q: text(SEARCH),
        unit: text("unit"),
        ..EmployerListQuery::default()
    }
}

/// The outflow list's filters and search term (see [`resident_filters`]).
pub(crate) fn outflow_filters(
    text: &dyn Fn(&str) -> Option<String>,
    returned: Option<bool>,
) -> OutflowListQuery {
    OutflowListQuery {
        q: text(SEARCH),
        unit: text("unit"),
        returned,
        destination_province: text("destination_province"),
        ..OutflowListQuery::default()
    }
}

/// The filters of a workflow list, as its page reads them.
fn workflow_filters(
    list: ExportList,
    text: &dyn Fn(&str) -> Option<String>,
) -> Result<Filters, ApiError> {
    let mut fields = Problems::default();
    let filters = match list {
        ExportList::ReviewCorrections => Some(Filters::Review(ReviewQueue::Corrections)),
        ExportList::ReviewOverdue => Some(Filters::Review(ReviewQueue::Overdue {
            now: OffsetDateTime::now_utc(),
        })),
        ExportList::ReviewSpotChecks => Some(Filters::Review(ReviewQueue::AwaitingSpotCheck)),
        ExportList::ReviewCounts => fields
            .optional("since", text("since").as_deref(), parse_iso_date)
            .map(|day| Filters::ReviewCounts(day.map(|d| d.midnight().assume_offset(CHINA)))),
        ExportList::QualityFindings => match text("rule") {
            None => Some(Filters::Findings(None)),
            Some(code) => match crate::dto::quality::parse_rule(&code) {
                Ok(rule) => Some(Filters::Findings(Some(rule))),
                Err(ApiError::Validation(problems)) => {
                    fields.0.extend(problems);
                    None
                }
                Err(other) => return Err(other),
            },
        },
        ExportList::QualityDuplicates => match text("status").as_deref() {
            None | Some("open") => Some(Filters::Duplicates(Some(DuplicateStatus::Open))),
            Some("all") => Some(Filters::Duplicates(None)),
            Some(code) => match DuplicateStatus::from_code(code) {
                Some(status) => Some(Filters::Duplicates(Some(status))),
                None => {
                    fields.refuse("status", &unknown(code, "open, merged, dismissed, all"));
                    None
                }
            },
        },
        ExportList::Permits => {
            let list = match crate::dto::permits::parse_list(text("list").as_deref()) {
                Ok(list) => Some(list),
                Err(error) => {
                    fields.refuse("list", &error);
                    None
                }
            };
            let unit = fields.optional("unit", text("unit").as_deref(), UnitCode::parse);
            let today = OffsetDateTime::now_utc().to_offset(CHINA).date();
            match (list, unit) {
                (Some(list), Some(unit)) => Some(Filters::Permits(list, unit, today)),
                _ => None,
            }
        }
        _ => Some(Filters::Review(ReviewQueue::AwaitingReview)),
    };
    fields.finish(filters)
}
