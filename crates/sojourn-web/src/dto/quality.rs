//! The data-quality monitor (监控管理): counts, findings, the duplicate
//! queue and its decisions.

use crate::error::{ApiError, FieldProblem};
use serde::{Deserialize, Serialize};
use sojourn_domain::Localized;
use sojourn_domain::person::PersonId;
use sojourn_domain::quality::Rule;
use sojourn_domain::text::Note;
use sojourn_store::PageRequest;
use sojourn_store::quality::{
    DuplicateDecision, DuplicateEntry, DuplicateStatus, FindingRow, QualityCounts, ScanSummary,
    rule_from_code,
};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// Records a scan reads per transaction.
pub(crate) const SCAN_BATCH: u32 = 5_000;
/// Rows a list gives when the caller names no limit.
const DEFAULT_LIMIT: u32 = 50;

/// Input of the monitor that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum QualityInputError {
    UnknownRule(String),
    UnknownStatus(String),
    Limit(u32),
    ReasonRequired,
}

impl Localized for QualityInputError {
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownRule(_) => "quality_unknown_rule",
            Self::UnknownStatus(_) => "quality_unknown_status",
            Self::Limit(_) => "page_limit",
            Self::ReasonRequired => "dismiss_reason_required",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::UnknownRule(rule) => format!("没有名为“{rule}”的监控规则"),
            Self::UnknownStatus(status) => {
                format!("状态“{status}”不存在，应为 open、merged 或 dismissed")
            }
            Self::Limit(_) => format!("每页条数须在 1 到 {} 之间", PageRequest::MAX_LIMIT),
            Self::ReasonRequired => "排除疑似重复须填写理由".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::UnknownRule(rule) => format!("no monitor rule is called {rule:?}"),
            Self::UnknownStatus(status) => {
                format!("unknown status {status:?}: open, merged or dismissed")
            }
            Self::Limit(_) => format!("limit must be 1 to {}", PageRequest::MAX_LIMIT),
            Self::ReasonRequired => "a dismissal needs a reason".into(),
        }
    }
}

fn invalid(field: &str, error: &dyn Localized) -> ApiError {
    ApiError::Validation(vec![FieldProblem::new(field, error)])
}

/// A rule by its code (`quality_id_missing`, …).
pub(crate) fn parse_rule(code: &str) -> Result<Rule, ApiError> {
    rule_from_code(code.trim())
        .ok_or_else(|| invalid("rule", &QualityInputError::UnknownRule(code.to_owned())))
}

fn parse_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    PageRequest::new(0, limit)
        .map(|p| p.limit())
        .ok_or_else(|| invalid("limit", &QualityInputError::Limit(limit)))
}

fn parse_status(status: Option<&str>) -> Result<Option<DuplicateStatus>, ApiError> {
    match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DuplicateStatus::from_code(s)
            .map(Some)
            .ok_or_else(|| invalid("status", &QualityInputError::UnknownStatus(s.to_owned()))),
    }
}

/// Findings of one rule, oldest first, by key.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingsQuery {
    /// The rule's code, e.g. `quality_resident_without_house`; every
    /// rule when absent.
    pub rule: Option<String>,
    /// The last finding id of the previous page.
    pub after: Option<i64>,
    /// 1 to 500; 50 when absent.
    pub limit: Option<u32>,
}

impl FindingsQuery {
    pub(crate) fn parse(&self) -> Result<(Option<Rule>, Option<i64>, u32), ApiError> {
        let rule = match self.rule.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(parse_rule(code)?),
        };
        Ok((rule, self.after, parse_limit(self.limit)?))
    }
}

/// The duplicate queue, highest score first.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DuplicatesQuery {
    /// `open`, `merged` or `dismissed`; every pair when absent.
    pub status: Option<String>,
    /// Pairs to skip; 0 when absent.
    #[param(value_type = Option<u64>, maximum = 9223372036854775807_u64)]
    pub offset: Option<Offset>,
    /// 1 to 500; 50 when absent.
    pub limit: Option<u32>,
}

impl DuplicatesQuery {
    pub(crate) fn parse(&self) -> Result<(Option<DuplicateStatus>, u64, u32), ApiError> {
        Ok((
            parse_status(self.status.as_deref())?,
            self.offset.unwrap_or_default().get(),
            parse_limit(self.limit)?,
        ))
    }
}

/// Rows to skip in a list. The store counts in SQL's signed integers, so
/// an offset is at most `i64::MAX`; a larger one fails to parse, as any
/// malformed query value does (400).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offset(u64);

impl Offset {
    pub fn get(self) -> u64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Offset {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let offset = u64::deserialize(deserializer)?;
        if i64::try_from(offset).is_err() {
            return Err(serde::de::Error::custom(format!(
                "offset must be 0 to {}",
                i64::MAX
            )));
        }
        Ok(Self(offset))
    }
}

/// Keep this file; the other is merged into it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeRequest {
    pub keep: i64,
}

impl MergeRequest {
    pub(crate) fn keep(&self) -> PersonId {
        PersonId(self.keep)
    }
}

/// Why the two files are two people.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DismissRequest {
    /// 1 to 500 characters.
    pub reason: String,
}

impl DismissRequest {
    pub(crate) fn parse(&self) -> Result<Note, ApiError> {
        parse_reason(&self.reason)
    }
}

/// A dismissal's reason: required, at most 500 characters.
pub(crate) fn parse_reason(reason: &str) -> Result<Note, ApiError> {
    if reason.trim().is_empty() {
        return Err(invalid("reason", &QualityInputError::ReasonRequired));
    }
    Note::parse(reason).map_err(|e| invalid("reason", &e))
}

pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(sojourn_domain::time_rules::CHINA);
    // RFC 3339 formats every time with a four-digit year.
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleCountResponse {
    pub unit: String,
    #[schema(example = "quality_resident_without_house")]
    pub rule: String,
    pub rule_name_zh: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitCountResponse {
    pub unit: String,
    pub count: u64,
}

/// Open findings by unit and rule; open probable duplicates by unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct QualityCountsResponse {
    pub findings: Vec<RuleCountResponse>,
    pub open_duplicates: Vec<UnitCountResponse>,
}

impl From<&QualityCounts> for QualityCountsResponse {
    fn from(c: &QualityCounts) -> Self {
        Self {
            findings: c
                .findings
                .iter()
                .map(|r| RuleCountResponse {
                    unit: r.unit.as_str().to_owned(),
                    rule: r.rule.code().to_owned(),
                    rule_name_zh: r.rule.name_zh().to_owned(),
                    count: r.count,
                })
                .collect(),
            open_duplicates: c
                .open_duplicates
                .iter()
                .map(|(unit, count)| UnitCountResponse {
                    unit: unit.as_str().to_owned(),
                    count: *count,
                })
                .collect(),
        }
    }
}

/// One open finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingResponse {
    pub id: i64,
    pub unit: String,
    pub rule: String,
    /// `person`, `residence`, `house` or `outflow`.
    pub record_kind: String,
    pub record_id: i64,
    /// What the record is called: the person's name (of a file or a
    /// stay), the house's address, the outflow person's name.
    pub record_name: String,
    pub detail_zh: String,
    pub detail_en: String,
    #[schema(value_type = String, format = DateTime)]
    pub found_at: String,
}

impl From<&FindingRow> for FindingResponse {
    fn from(f: &FindingRow) -> Self {
        Self {
            id: f.id,
            unit: f.unit.as_str().to_owned(),
            rule: f.rule.code().to_owned(),
            record_kind: f.record.code().to_owned(),
            record_id: f.record_id,
            record_name: f.record_name.clone(),
            detail_zh: f.detail_zh.clone(),
            detail_en: f.detail_en.clone(),
            found_at: rfc3339(f.found_at),
        }
    }
}

/// What a scan did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanResponse {
    pub records: u64,
    pub opened: u64,
    pub resolved: u64,
    pub pairs: u64,
    pub new_pairs: u64,
}

impl From<ScanSummary> for ScanResponse {
    fn from(s: ScanSummary) -> Self {
        Self {
            records: s.records,
            opened: s.opened,
            resolved: s.resolved,
            pairs: s.pairs,
            new_pairs: s.new_pairs,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonResponse {
    #[schema(example = "duplicate_same_name_and_birth_date")]
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// A pair of person files that may be one person.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateResponse {
    pub id: i64,
    pub unit: String,
    pub first_person: i64,
    pub second_person: i64,
    pub first_name: String,
    pub second_name: String,
    /// 1 to 100.
    pub score: u8,
    pub reasons: Vec<ReasonResponse>,
    /// `open`, `merged` or `dismissed`.
    pub status: String,
    #[schema(value_type = String, format = DateTime)]
    pub found_at: String,
}

impl From<&DuplicateEntry> for DuplicateResponse {
    fn from(d: &DuplicateEntry) -> Self {
        Self {
            id: d.id,
            unit: d.unit.as_str().to_owned(),
            first_person: d.first.0,
            second_person: d.second.0,
            first_name: d.first_name.clone(),
            second_name: d.second_name.clone(),
            score: d.score,
            reasons: d
                .reasons
                .iter()
                .map(|r| ReasonResponse {
                    code: r.code().to_owned(),
                    zh: r.message_zh(),
                    en: r.message_en(),
                })
                .collect(),
            status: d.status.code().to_owned(),
            found_at: rfc3339(d.found_at),
        }
    }
}

/// One decision on a pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResponse {
    pub id: i64,
    /// `merged` or `dismissed`.
    pub decision: String,
    pub kept_person: Option<i64>,
    pub reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub decided_at: String,
    pub decided_by: String,
}

impl From<&DuplicateDecision> for DecisionResponse {
    fn from(d: &DuplicateDecision) -> Self {
        Self {
            id: d.id,
            decision: d.decision.code().to_owned(),
            kept_person: d.kept.map(|p| p.0),
            reason: d.reason.clone(),
            decided_at: rfc3339(d.decided_at),
            decided_by: d.decided_by.clone(),
        }
    }
}

/// A pair with its decisions, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateDetailResponse {
    pub pair: DuplicateResponse,
    pub decisions: Vec<DecisionResponse>,
}
