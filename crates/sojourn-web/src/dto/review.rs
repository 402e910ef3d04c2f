//! The review workflow (采集 → 录入 → 审核 → 抽查): steps, statuses, queues
//! and counts.

use crate::dto::fields::{Fields, Paging, paging};
use crate::error::{ApiError, FieldProblem};
use serde::{Deserialize, Serialize};
use sojourn_domain::review::{
    RecordKind, ReviewError, ReviewEvent, ReviewRecord, ReviewStatus, ReviewStep, Stamp,
    entry_overdue,
};
use sojourn_domain::time_rules::{CHINA, parse_iso_date};
use sojourn_store::{ReviewCounts, StepCount};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// The record a path names: `/review/{kind}/{id}`.
pub(crate) fn record(kind: &str, id: i64) -> Result<ReviewRecord, ApiError> {
    let kind = RecordKind::parse_reviewed(kind).map_err(|e| invalid("kind", &e))?;
    Ok(ReviewRecord { kind, id })
}

fn invalid(field: &str, error: &ReviewError) -> ApiError {
    ApiError::Validation(vec![FieldProblem::new(field, error)])
}

/// A step on a record, based on the review version read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewStepRequest {
    /// The review's `version` as read: a stale one is refused (409).
    pub version: i64,
    /// Required to reject or return; a note for a spot check. At most 500
    /// characters.
    pub reason: Option<String>,
    /// A spot check's result: `confirmed` (属实) or `discrepant` (不符).
    pub result: Option<String>,
}

impl ReviewStepRequest {
    /// The step named by `code` with this body's details, or a 422 naming
    /// the field at fault.
    pub(crate) fn parse(&self, code: &str) -> Result<ReviewStep, ApiError> {
        ReviewStep::parse(code, self.reason.as_deref(), self.result.as_deref())
            .map_err(|e| invalid(e.field(), &e))
    }
}

/// A page of a queue.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReviewQueueQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ReviewQueueQuery {
    pub(crate) fn parse(&self) -> Result<Paging, ApiError> {
        let mut fields = Fields::default();
        let paging = paging(&mut fields, self.page, self.per_page);
        fields.finish(paging)
    }
}

/// The counts' period.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReviewCountsQuery {
    /// Count steps taken on or after this day (China Standard Time); all
    /// when absent.
    pub since: Option<String>,
}

impl ReviewCountsQuery {
    pub(crate) fn parse(&self) -> Result<Option<OffsetDateTime>, ApiError> {
        let mut fields = Fields::default();
        let since = fields.optional("since", self.since.as_deref(), parse_iso_date);
        let since = fields.finish(since)?;
        Ok(since.map(|day| day.midnight().assume_offset(CHINA)))
    }
}

/// RFC 3339 time in China Standard Time.
fn cst(at: OffsetDateTime) -> String {
    let at = at.to_offset(CHINA);
    // RFC 3339 formats every time with a four-digit year; the fallback keeps
    // the field filled rather than failing the answer.
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

fn at(stamp: Option<&Stamp>) -> Option<String> {
    stamp.map(|s| cst(s.at))
}

fn by(stamp: Option<&Stamp>) -> Option<String> {
    stamp.map(|s| s.by.clone())
}

/// Where a record stands in the workflow.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewStatusResponse {
    /// `residence`, `house`, `employer` or `outflow`.
    pub kind: String,
    pub id: i64,
    pub unit: String,
    /// For a stay, the person file it belongs to.
    pub person_id: Option<i64>,
    /// `collected`, `entered`, `approved`, `rejected`, `returned` or
    /// `spot_checked`.
    pub state: String,
    pub version: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub collected_at: Option<String>,
    pub collected_by: Option<String>,
    /// Where it was collected: the place the collector gave, else the
    /// collection point's unit code.
    pub collected_place: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub entered_at: Option<String>,
    pub entered_by: Option<String>,
    /// Entered more than 24 hours after collection.
    pub entered_late: bool,
    /// Collected, not entered, and more than 24 hours have passed.
    pub overdue: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    /// The reason of the last rejection or return.
    pub reason: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub spot_checked_at: Option<String>,
    pub spot_checked_by: Option<String>,
    pub spot_check_result: Option<String>,
}

impl ReviewStatusResponse {
    pub(crate) fn new(s: &ReviewStatus, now: OffsetDateTime) -> Self {
        let waiting = s.state == sojourn_domain::review::ReviewState::Collected;
        Self {
            kind: s.record.kind.code().to_owned(),
            id: s.record.id,
            unit: s.unit.clone(),
            person_id: s.person,
            state: s.state.code().to_owned(),
            version: s.version,
            collected_at: at(s.collected.as_ref()),
            collected_by: by(s.collected.as_ref()),
            collected_place: s.collected_place.clone(),
            entered_at: at(s.entered.as_ref()),
            entered_by: by(s.entered.as_ref()),
            entered_late: s.entered_late,
            overdue: waiting
                && s.collected
                    .as_ref()
                    .is_some_and(|c| entry_overdue(c.at, now)),
            decided_at: at(s.decided.as_ref()),
            decided_by: by(s.decided.as_ref()),
            reason: s.reason.clone(),
            spot_checked_at: at(s.spot_checked.as_ref()),
            spot_checked_by: by(s.spot_checked.as_ref()),
            spot_check_result: s.spot_check_result.map(|r| r.code().to_owned()),
        }
    }
}

/// One step of a record's review history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewEventResponse {
    /// `collect`, `enter`, `approve`, `reject`, `return`, `resubmit` or
    /// `spot_check`.
    pub step: String,
    pub state_after: String,
    pub by: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    pub place: Option<String>,
    pub reason: Option<String>,
    pub result: Option<String>,
}

impl From<&ReviewEvent> for ReviewEventResponse {
    fn from(e: &ReviewEvent) -> Self {
        Self {
            step: e.step.code().to_owned(),
            state_after: e.state_after.code().to_owned(),
            by: e.stamp.by.clone(),
            at: cst(e.stamp.at),
            place: e.place.clone(),
            reason: e.reason.clone(),
            result: e.result.map(|r| r.code().to_owned()),
        }
    }
}

/// A record's review and its history, oldest step first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDetailResponse {
    pub status: ReviewStatusResponse,
    pub history: Vec<ReviewEventResponse>,
}

/// A page of a queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewQueueResponse {
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<ReviewStatusResponse>,
}

/// How many steps of one kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepCountResponse {
    pub step: String,
    /// A user name (per person) or a unit code (per unit).
    pub who: String,
    pub count: u64,
}

impl From<&StepCount> for StepCountResponse {
    fn from(c: &StepCount) -> Self {
        Self {
            step: c.step.code().to_owned(),
            who: c.who.clone(),
            count: c.count,
        }
    }
}

/// Steps taken in the jurisdiction, per person and per unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewCountsResponse {
    pub by_person: Vec<StepCountResponse>,
    pub by_unit: Vec<StepCountResponse>,
}

impl From<&ReviewCounts> for ReviewCountsResponse {
    fn from(c: &ReviewCounts) -> Self {
        Self {
            by_person: c.by_person.iter().map(Into::into).collect(),
            by_unit: c.by_unit.iter().map(Into::into).collect(),
        }
    }
}
