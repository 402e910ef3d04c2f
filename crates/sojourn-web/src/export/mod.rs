//! Exports of the register lists, with their filters, as .xlsx or CSV: the
//! list as its page shows it, or the ledger (台账) with the columns of the
//! paper form. ID and phone numbers are masked unless a role that may
//! reveal asks for them in full with a reason (audited as a reveal); every
//! export is audited with its list, filters and row count, never a number.
//!
//! An export runs as a background job ([`jobs`]) writing a temporary file,
//! so a page can show its progress and a million rows never hold up a
//! request. The scope is the caller's (`CallerScope`), taken when the job
//! starts. An account runs at most [`jobs::RUNNING_PER_ACCOUNT`] at once,
//! so a clerk clicking twice or a token in a loop cannot take every core.
//!
//! The four registers' exports read their filters and search term with the
//! list's own query parser ([`ExportSpec::parse`], `resident_filters` and
//! the rest), so an export has exactly the rows its list shows; their
//! columns are [`columns`]. The review workflow's and the data-quality
//! monitor's lists ([`workflow`]) are read by the store calls their pages
//! make, and show no number.

/// The ledgers' and lists' columns.
pub mod columns;
/// Export jobs: progress, owner, expiry.
pub mod jobs;
/// The review workflow's and the data-quality monitor's lists.
pub mod workflow;

use crate::dto::employers::EmployerListQuery;
use crate::dto::fields::InputError;
use crate::dto::houses::HouseListQuery;
use crate::dto::outflows::OutflowListQuery;
use crate::dto::residences::ResidentListQuery;
use crate::error::{ApiError, FieldProblem};
use crate::format::Numbers;
use crate::i18n::{Lang, Tr};
use columns::Names;
use serde_json::{Value, json};
use sojourn_domain::account::Resource;
use sojourn_domain::quality::Rule;
use sojourn_domain::search::SearchTerm;
use sojourn_domain::time_rules::{CHINA, parse_iso_date};
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_sheets::{ExportFormat, ExportWriter, SheetError};
use sojourn_store::quality::DuplicateStatus;
use sojourn_store::{
    EmployerQuery, HouseQuery, OutflowQuery, Page, PageRequest, ResidentQuery, ReviewQueue, Store,
    StoreError,
};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use time::OffsetDateTime;

/// A list that can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportList {
    Residents,
    Houses,
    Employers,
    Outflows,
    /// 审核队列: records awaiting the station's decision.
    ReviewQueue,
    /// 待更正: records returned for correction.
    ReviewCorrections,
    /// 超时未录入: collected records not entered within 24 hours.
    ReviewOverdue,
    /// 待抽查: approved records awaiting a spot check.
    ReviewSpotChecks,
    /// 工作量统计: steps per person and unit.
    ReviewCounts,
    /// 问题清单: the data-quality findings of a rule (or all).
    QualityFindings,
    /// 疑似重复档案: the duplicate queue.
    QualityDuplicates,
}

impl ExportList {
    pub const ALL: [Self; 11] = [
        Self::Residents,
        Self::Houses,
        Self::Employers,
        Self::Outflows,
        Self::ReviewQueue,
        Self::ReviewCorrections,
        Self::ReviewOverdue,
        Self::ReviewSpotChecks,
        Self::ReviewCounts,
        Self::QualityFindings,
        Self::QualityDuplicates,
    ];

    /// The list's word in the API's paths (`residents`, `review-queue`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Residents => "residents",
            Self::Houses => "houses",
            Self::Employers => "employers",
            Self::Outflows => "outflows",
            Self::ReviewQueue => "review-queue",
            Self::ReviewCorrections => "review-corrections",
            Self::ReviewOverdue => "review-overdue",
            Self::ReviewSpotChecks => "review-spot-checks",
            Self::ReviewCounts => "review-counts",
            Self::QualityFindings => "quality-findings",
            Self::QualityDuplicates => "quality-duplicates",
        }
    }

    /// The list's name at the head of a downloaded file's name: a
    /// register's 台账 (the paper form's columns) or 名单 (the page's).
    fn file_title(self, layout: LayoutKind, lang: Lang) -> &'static str {
        let ledger = layout == LayoutKind::Ledger;
        let (zh, en) = match self {
            Self::Residents if ledger => ("流动人口台账", "floating-population-ledger"),
            Self::Residents => ("流动人口名单", "floating-population"),
            Self::Houses if ledger => ("出租房屋台账", "rental-houses-ledger"),
            Self::Houses => ("出租房屋名单", "rental-houses"),
            Self::Employers if ledger => ("用工单位台账", "employers-ledger"),
            Self::Employers => ("用工单位名单", "employers"),
            Self::Outflows if ledger => ("流出人口台账", "outflow-ledger"),
            Self::Outflows => ("流出人口名单", "outflow"),
            Self::ReviewQueue => ("待审核", "awaiting-review"),
            Self::ReviewCorrections => ("退回待更正", "returned-for-correction"),
            Self::ReviewOverdue => ("逾期录入", "overdue-entry"),
            Self::ReviewSpotChecks => ("待抽查", "awaiting-spot-check"),
            Self::ReviewCounts => ("工作量统计", "workload"),
            Self::QualityFindings => ("问题清单", "data-problems"),
            Self::QualityDuplicates => ("疑似重复档案", "probable-duplicates"),
        };
        lang.pick(zh, en)
    }

    /// The list's page; its exports live under `{page}/export`.
    pub fn page_path(self) -> &'static str {
        match self {
            Self::Residents => "/residents",
            Self::Houses => "/houses",
            Self::Employers => "/employers",
            Self::Outflows => "/outflows",
            Self::ReviewQueue => "/review",
            Self::ReviewCorrections => "/review/corrections",
            Self::ReviewOverdue => "/review/overdue",
            Self::ReviewSpotChecks => "/review/spot-checks",
            Self::ReviewCounts => "/review/counts",
            Self::QualityFindings => "/quality/findings",
            Self::QualityDuplicates => "/quality/duplicates",
        }
    }

    /// The list a path names: the API's `/api/v1/exports/{key}…`, or a
    /// page's `{page}/export…`.
    pub fn of_path(path: &str) -> Option<Self> {
        if let Some((_, rest)) = path.split_once("/exports/") {
            let key = rest.split('/').next().unwrap_or_default();
            return Self::ALL.into_iter().find(|l| l.key() == key);
        }
        let (page, _) = path.split_once("/export")?;
        Self::ALL.into_iter().find(|l| l.page_path() == page)
    }

    /// The resource whose `Export` permission the list needs.
    pub fn resource(self) -> Resource {
        match self {
            Self::Residents => Resource::Resident,
            Self::Houses => Resource::House,
            Self::Employers => Resource::Employer,
            Self::Outflows => Resource::Outflow,
            Self::ReviewQueue
            | Self::ReviewCorrections
            | Self::ReviewOverdue
            | Self::ReviewSpotChecks
            | Self::ReviewCounts => Resource::Review,
            Self::QualityFindings | Self::QualityDuplicates => Resource::Quality,
        }
    }

    /// Whether the list shows ID or phone numbers (masked unless revealed)
    /// and has a ledger beside its page's columns: the registers.
    pub fn is_register(self) -> bool {
        matches!(
            self,
            Self::Residents | Self::Houses | Self::Employers | Self::Outflows
        )
    }

    /// The ledger's title (and sheet name).
    pub fn ledger_title(self) -> &'static str {
        match self {
            Self::Residents => "流动人口登记台账",
            Self::Houses => "出租房屋台账",
            Self::Employers => "用工单位台账",
            Self::Outflows => "流出人口台账",
            Self::ReviewQueue => "审核队列",
            Self::ReviewCorrections => "待更正",
            Self::ReviewOverdue => "超时未录入",
            Self::ReviewSpotChecks => "待抽查",
            Self::ReviewCounts => "工作量统计",
            Self::QualityFindings => "问题清单",
            Self::QualityDuplicates => "疑似重复档案",
        }
    }

    /// The message of the list page's title.
    pub fn title_key(self) -> &'static str {
        match self {
            Self::Residents => "residents-title",
            Self::Houses => "houses-title",
            Self::Employers => "employers-title",
            Self::Outflows => "outflows-title",
            Self::ReviewQueue => "review-queue-title",
            Self::ReviewCorrections => "review-corrections-title",
            Self::ReviewOverdue => "review-overdue-title",
            Self::ReviewSpotChecks => "review-spot-checks-title",
            Self::ReviewCounts => "review-counts-title",
            Self::QualityFindings => "quality-findings-title",
            Self::QualityDuplicates => "quality-duplicates-title",
        }
    }
}

/// The ledger or the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutKind {
    Ledger,
    List,
}

impl LayoutKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Ledger => "ledger",
            Self::List => "list",
        }
    }
}

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
            Self::Review(_) | Self::ReviewCounts(_) | Self::Findings(_) | Self::Duplicates(_) => {
                None
            }
        }
    }
}

/// A checked export request.
#[derive(Debug, Clone)]
pub struct ExportSpec {
    pub list: ExportList,
    pub layout: LayoutKind,
    pub format: ExportFormat,
    pub filters: Filters,
    /// The filters as given (blank ones left out), for the audit trail;
    /// a search term only by its kind (`"search": "id_number"`), never
    /// its text, which may be an ID or phone number.
    pub filter_record: Value,
    /// The numbers in full: the reason given.
    pub reveal: Option<String>,
    /// The language of the list's headers.
    pub(crate) lang: Lang,
}

impl ExportSpec {
    /// Reads an export request: `format` (`xlsx` or `csv`), `layout`
    /// (`ledger`, the default, or `list`), `numbers` (`masked`, the
    /// default, or `full` with a `reason` of 5–200 characters) and the
    /// list's filters as its URL has them, and the list's search term `q`
    /// (posted, never in a URL), read by the list's own query parser so the
    /// export has exactly the list's rows. Every wrong field is reported
    /// at once.
    /// The list's headers are in Chinese; see [`ExportSpec::in_lang`].
    pub fn parse(list: ExportList, params: &HashMap<String, String>) -> Result<Self, ApiError> {
        let lang = Lang::ZhCn;
        let get = |k: &str| params.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let mut fields = Problems::default();
        let format = match get("format") {
            None => {
                fields.refuse("format", &InputError::Required);
                None
            }
            Some(text) => ExportFormat::parse(text).or_else(|| {
                fields.refuse("format", &unknown(text, "xlsx, csv"));
                None
            }),
        };
        let layout = match get("layout") {
            None | Some("ledger") => Some(LayoutKind::Ledger),
            Some("list") => Some(LayoutKind::List),
            Some(other) => {
                fields.refuse("layout", &unknown(other, "ledger, list"));
                None
            }
        };
        let reveal = match get("numbers") {
            None | Some("masked") => Some(None),
            Some("full") if list.is_register() => {
                let reason = get("reason").unwrap_or_default();
                if (5..=200).contains(&reason.chars().count()) {
                    Some(Some(reason.to_owned()))
                } else {
                    fields.refuse("reason", &crate::dto::reveal::RevealReasonLength);
                    None
                }
            }
            Some(other) if list.is_register() => {
                fields.refuse("numbers", &unknown(other, "masked, full"));
                None
            }
            // The workflow's lists show no number to reveal.
            Some(other) => {
                fields.refuse("numbers", &unknown(other, "masked"));
                None
            }
        };
        let filters = match filters(list, params) {
            Ok(filters) => Some(filters),
            Err(ApiError::Validation(problems)) => {
                fields.0.extend(problems);
                None
            }
            Err(other) => return Err(other),
        };
        let mut record: serde_json::Map<String, Value> = FILTER_KEYS[list as usize]
            .iter()
            .filter(|k| **k != SEARCH)
            .filter_map(|k| get(k).map(|v| ((*k).to_owned(), json!(v))))
            .collect();
        if let Some(kind) = get(SEARCH).map(search_kind) {
            record.insert(SEARCH_RECORD.to_owned(), json!(kind));
        }
        let parsed = (|| {
            Some(Self {
                list,
                layout: layout?,
                format: format?,
                filters: filters?,
                filter_record: Value::Object(record),
                reveal: reveal?,
                lang,
            })
        })();
        fields.finish(parsed)
    }

    /// Takes `now` (the server's clock) as the moment the overdue list
    /// is judged at.
    pub(crate) fn at(mut self, now: OffsetDateTime) -> Self {
        if let Filters::Review(ReviewQueue::Overdue { .. }) = self.filters {
            self.filters = Filters::Review(ReviewQueue::Overdue { now });
        }
        self
    }

    /// The page's columns rather than the ledger's.
    pub(crate) fn in_list_layout(mut self) -> Self {
        self.layout = LayoutKind::List;
        self
    }

    /// The list's headers in `lang`.
    pub(crate) fn in_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// Whether numbers are shown in full.
    pub(crate) fn numbers(&self) -> Numbers {
        if self.reveal.is_some() {
            Numbers::InFull
        } else {
            Numbers::Masked
        }
    }

    /// The downloaded file's name as an office files it
    /// (`流动人口台账-多福巷社区-2026-12-07.xlsx`), and its ASCII form for a
    /// client that reads no other (`residents-ledger.xlsx`).
    pub fn file_names(&self, unit_name: &str, today: time::Date) -> FileNames {
        let extension = self.format.extension();
        let title = self.list.file_title(self.layout, self.lang);
        FileNames {
            full: format!("{title}-{unit_name}-{today}.{extension}"),
            ascii: format!("{}-{}.{extension}", self.list.key(), self.layout.key()),
        }
    }

    /// The unit the export covers: its unit filter, or else the scope.
    pub(crate) fn unit<'a>(&'a self, scope: &'a Scope) -> &'a UnitCode {
        self.filters.unit().unwrap_or_else(|| scope.root())
    }

    /// What the audit trail keeps of the request: never a number.
    pub fn audit_details(&self) -> Value {
        json!({
            "list": self.list.key(),
            "layout": self.layout.key(),
            "format": self.format.extension(),
            "filters": self.filter_record,
            "numbers": if self.reveal.is_some() { "full" } else { "masked" },
        })
    }
}

/// A download's name, in full and in ASCII.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNames {
    pub full: String,
    pub ascii: String,
}

impl FileNames {
    /// `Content-Disposition` naming the file both ways (RFC 6266): the
    /// UTF-8 name for every current browser, the ASCII one for the rest.
    pub(crate) fn disposition(&self) -> String {
        let encoded: String = self
            .full
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        format!(
            "attachment; filename=\"{}\"; filename*=UTF-8''{encoded}",
            self.ascii
        )
    }
}

/// Field errors of an export request, all reported at once.
#[derive(Default)]
struct Problems(Vec<FieldProblem>);

impl Problems {
    fn refuse(&mut self, field: &str, error: &dyn sojourn_domain::Localized) {
        self.0.push(FieldProblem::new(field, error));
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
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

fn unknown(value: &str, allowed: &str) -> InputError {
    InputError::UnknownOption {
        value: value.to_owned(),
        allowed: allowed.to_owned(),
    }
}

/// The list's search box (posted with the export form, never in a URL).
pub const SEARCH: &str = "q";

/// Where the audit trail notes a search: its kind alone.
const SEARCH_RECORD: &str = "search";

/// What the audit trail keeps of a search term: how it was read, never
/// the text (an ID number, phone or name is personal data).
fn search_kind(text: &str) -> &'static str {
    match SearchTerm::parse(text) {
        Some(SearchTerm::IdNumber(_)) => "id_number",
        Some(SearchTerm::Digits(_)) => "digits",
        Some(SearchTerm::Pinyin(_)) => "pinyin",
        Some(SearchTerm::Name(_)) => "name",
        None => "blank",
    }
}

/// The filter parameters of each list, in [`ExportList`] order.
const FILTER_KEYS: [&[&str]; 11] = [
    &[
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
    &[SEARCH, "unit", "filed"],
    &[SEARCH, "unit"],
    &[SEARCH, "unit", "returned", "destination_province"],
    &[],
    &[],
    &[],
    &[],
    &["since"],
    &["rule"],
    &["status"],
];

/// The filter parameters of `list`, its search term included (what its
/// export form carries).
pub fn filter_keys(list: ExportList) -> &'static [&'static str] {
    FILTER_KEYS[list as usize]
}

/// The list's filters, parsed by the list's own query type.
fn filters(list: ExportList, params: &HashMap<String, String>) -> Result<Filters, ApiError> {
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
        _ => Some(Filters::Review(ReviewQueue::AwaitingReview)),
    };
    fields.finish(filters)
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sheet(#[from] SheetError),
}

/// Counts rows as they are written, for the progress page.
#[derive(Debug, Default)]
pub struct Progress {
    pub written: AtomicU64,
    /// The rows the filters match (0 until counted).
    pub total: AtomicU64,
}

/// How many rows the store reads at once.
const PAGE: u32 = PageRequest::MAX_LIMIT;

/// Pages read ahead of the writer.
const READ_AHEAD: usize = 8;

/// Writes `spec`'s rows in `scope` to `path` and returns their number.
/// The store is read on one thread, page by page (by key for residents,
/// the register of millions), while this thread writes the file.
pub fn write_export(
    store: &dyn Store,
    scope: &Scope,
    spec: &ExportSpec,
    path: &Path,
    progress: &Progress,
) -> Result<u64, ExportError> {
    let mut names = Names::new(spec.numbers());
    names.units = store
        .list_units(scope, None)?
        .into_iter()
        .map(|u| (u.code.to_string(), u.name.to_string()))
        .collect();
    let layout = match spec.layout {
        LayoutKind::Ledger => columns::ledger(spec.list),
        LayoutKind::List => columns::list(spec.list, spec.lang),
    };
    let tr = Tr::new(match spec.layout {
        LayoutKind::Ledger => Lang::ZhCn,
        LayoutKind::List => spec.lang,
    });
    let headers: Vec<&str> = layout.headers.iter().map(String::as_str).collect();
    let mut out = ExportWriter::create(spec.format, path, &layout.title, &layout.title, &headers)?;
    let count = match &spec.filters {
        Filters::Residents(query) => {
            if spec.layout == LayoutKind::Ledger {
                load_links(store, scope, &mut names)?;
            }
            if query.term.is_some() {
                // A search selects few rows: read them as the list pages
                // them, by the same query.
                pipe(
                    &mut out,
                    progress,
                    |n, r| columns::cells(columns::RESIDENTS, &layout.columns, n, r, &names),
                    offset_pages(|page| {
                        store.search_residents(
                            scope,
                            &ResidentQuery {
                                page,
                                ..query.clone()
                            },
                        )
                    }),
                )?
            } else {
                pipe(
                    &mut out,
                    progress,
                    |n, r| columns::cells(columns::RESIDENTS, &layout.columns, n, r, &names),
                    |after| {
                        let rows = store.export_residents_matching(scope, query, after, PAGE)?;
                        let next = rows.last().map(|r| r.residence.id);
                        Ok((rows, next))
                    },
                )?
            }
        }
        Filters::Houses(query) => pipe(
            &mut out,
            progress,
            |n, r| columns::cells(columns::HOUSES, &layout.columns, n, r, &names),
            offset_pages(|page| {
                store.search_houses(
                    scope,
                    &HouseQuery {
                        page,
                        ..query.clone()
                    },
                )
            }),
        )?,
        Filters::Employers(query) => pipe(
            &mut out,
            progress,
            |n, r| columns::cells(columns::EMPLOYERS, &layout.columns, n, r, &names),
            offset_pages(|page| {
                store.search_employers(
                    scope,
                    &EmployerQuery {
                        page,
                        ..query.clone()
                    },
                )
            }),
        )?,
        Filters::Outflows(query) => pipe(
            &mut out,
            progress,
            |n, r| columns::cells(columns::OUTFLOWS, &layout.columns, n, r, &names),
            offset_pages(|page| {
                store.search_outflows(
                    scope,
                    &OutflowQuery {
                        page,
                        ..query.clone()
                    },
                )
            }),
        )?,
        workflow => workflow::write(store, scope, workflow, tr, &names, &mut out, progress)?,
    };
    out.finish()?;
    Ok(count)
}

/// The rows the filters of `spec` match (a list's total, as its page
/// counts it).
pub fn count(store: &dyn Store, scope: &Scope, spec: &ExportSpec) -> Result<u64, StoreError> {
    let one = PageRequest::new(0, 1).unwrap_or_default();
    Ok(match &spec.filters {
        Filters::Residents(q) => {
            let q = ResidentQuery {
                page: one,
                ..q.clone()
            };
            store.search_residents(scope, &q)?.total
        }
        Filters::Houses(q) => {
            let q = HouseQuery {
                page: one,
                ..q.clone()
            };
            store.search_houses(scope, &q)?.total
        }
        Filters::Employers(q) => {
            let q = EmployerQuery {
                page: one,
                ..q.clone()
            };
            store.search_employers(scope, &q)?.total
        }
        Filters::Outflows(q) => {
            let q = OutflowQuery {
                page: one,
                ..q.clone()
            };
            store.search_outflows(scope, &q)?.total
        }
        // The workflow's lists are short, and their store calls count
        // nothing: the page shows the rows written.
        _ => 0,
    })
}

/// The addresses of the houses and names of the employers in scope, which
/// the resident ledger prints for each stay (hundreds to thousands).
fn load_links(store: &dyn Store, scope: &Scope, names: &mut Names) -> Result<(), StoreError> {
    let mut houses = offset_pages(|page| {
        store.search_houses(
            scope,
            &HouseQuery {
                page,
                ..HouseQuery::default()
            },
        )
    });
    let mut at = None;
    loop {
        let (page, next) = houses(at)?;
        names.houses.extend(
            page.into_iter()
                .map(|h| (h.id.0, h.details.address.to_string())),
        );
        match next {
            Some(n) => at = Some(n),
            None => break,
        }
    }
    let mut employers = offset_pages(|page| {
        store.search_employers(
            scope,
            &EmployerQuery {
                page,
                ..EmployerQuery::default()
            },
        )
    });
    let mut at = None;
    loop {
        let (page, next) = employers(at)?;
        names.employers.extend(
            page.into_iter()
                .map(|e| (e.id.0, e.details.name.to_string())),
        );
        match next {
            Some(n) => at = Some(n),
            None => break,
        }
    }
    Ok(())
}

/// A pager by offset, for the short registers (houses, employers,
/// outflows) and searches, that the lists page the same way: `next` is the
/// offset of the following page, `None` after the last. A full page is
/// followed by another even past `total`, which a search caps.
fn offset_pages<T>(
    mut fetch: impl FnMut(PageRequest) -> sojourn_store::Result<Page<T>>,
) -> impl FnMut(Option<u64>) -> Result<(Vec<T>, Option<u64>), StoreError> {
    move |at: Option<u64>| {
        let offset = at.unwrap_or(0);
        let page = PageRequest::new(offset, PAGE).unwrap_or_default();
        let Page { items, total } = fetch(page)?;
        let end = offset + items.len() as u64;
        let full = items.len() == PAGE as usize;
        let next = (!items.is_empty() && (end < total || full)).then_some(end);
        Ok((items, next))
    }
}

/// Reads pages with `fetch` on a second thread while this one writes
/// them: reading (SQL, decryption) and writing (XML, deflate) then overlap
/// on two cores. `fetch(after)` gives a page and the key of the next
/// (`None`: the last page, or an empty one).
fn pipe<R: Send, K: Send>(
    out: &mut ExportWriter,
    progress: &Progress,
    cells: impl Fn(u64, &R) -> Vec<String>,
    mut fetch: impl FnMut(Option<K>) -> Result<(Vec<R>, Option<K>), StoreError> + Send,
) -> Result<u64, ExportError> {
    std::thread::scope(|threads| {
        let (send, receive) = mpsc::sync_channel::<Result<Vec<R>, StoreError>>(READ_AHEAD);
        threads.spawn(move || {
            let mut after = None;
            loop {
                let (page, next) = match fetch(after.take()) {
                    Ok(found) => found,
                    Err(error) => {
                        let _ = send.send(Err(error));
                        return;
                    }
                };
                let last = page.is_empty() || next.is_none();
                // The writer hung up (it failed): stop reading.
                if send.send(Ok(page)).is_err() || last {
                    return;
                }
                after = next;
            }
        });
        let mut number = 0_u64;
        for page in receive {
            for record in page? {
                number += 1;
                out.row(&cells(number, &record))?;
            }
            progress.written.store(number, Ordering::Relaxed);
        }
        Ok(number)
    })
}
