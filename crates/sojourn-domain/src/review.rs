//! The review workflow of a register record (R3.1, plan 5): collected by a
//! collector (采集) → entered by the grid's coordinator (录入, within 24
//! hours) → reviewed by the station (审核: approved, rejected with a reason,
//! or returned for correction) → spot-checked on site (倒查/抽查).
//!
//! A record's state moves only through [`ReviewState::after`], which takes
//! a [`ReviewStep`] and refuses every step the state does not allow. Which
//! role may take which step is the permission table's
//! ([`ReviewStep::permission`] names the entry).

use crate::account::{Action, Resource};
use crate::localized::Localized;
use crate::text::{Note, TextError};
use thiserror::Error;
use time::{Duration, OffsetDateTime};

/// How long a coordinator has to enter what a collector collected.
pub const ENTRY_DEADLINE: Duration = Duration::hours(24);

pub use crate::record::RecordKind;

impl RecordKind {
    /// A kind a station reviews, from its code ([`RecordKind::REVIEWED`]).
    pub fn parse_reviewed(input: &str) -> Result<Self, ReviewError> {
        Self::REVIEWED
            .into_iter()
            .find(|k| k.code() == input.trim())
            .ok_or_else(|| ReviewError::UnknownKind(input.trim().to_owned()))
    }
}

/// One record under review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReviewRecord {
    pub kind: RecordKind,
    pub id: i64,
}

/// Where a record stands in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewState {
    /// Collected in the field, not yet entered.
    Collected,
    /// Entered (or re-submitted after correction): awaiting the station.
    Entered,
    Approved,
    /// Refused by the station, with a reason. Final.
    Rejected,
    /// Sent back to the coordinator for correction, with a reason.
    Returned,
    /// Approved and then checked on site. Final.
    SpotChecked,
}

impl ReviewState {
    pub const ALL: [ReviewState; 6] = [
        Self::Collected,
        Self::Entered,
        Self::Approved,
        Self::Rejected,
        Self::Returned,
        Self::SpotChecked,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Collected => "collected",
            Self::Entered => "entered",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Returned => "returned",
            Self::SpotChecked => "spot_checked",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Collected => "已采集",
            Self::Entered => "已录入待审核",
            Self::Approved => "审核通过",
            Self::Rejected => "审核不通过",
            Self::Returned => "退回更正",
            Self::SpotChecked => "已抽查",
        }
    }

    /// Reads a stored code.
    pub fn parse(input: &str) -> Result<Self, ReviewError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == input)
            .ok_or_else(|| ReviewError::UnknownState(input.to_owned()))
    }

    /// The state a new record starts in: collected when a collector made
    /// it in the field, entered when anyone else registered it.
    pub fn opening(by_collector: bool) -> Self {
        if by_collector {
            Self::Collected
        } else {
            Self::Entered
        }
    }

    /// The state after `step`, or why the step cannot be taken now. The
    /// only way a state moves.
    pub fn after(self, step: &ReviewStep) -> Result<Self, ReviewError> {
        use ReviewState::*;
        let next = match (self, step) {
            (Collected, ReviewStep::Enter) => Entered,
            (Entered, ReviewStep::Approve) => Approved,
            (Entered, ReviewStep::Reject { .. }) => Rejected,
            (Entered, ReviewStep::Return { .. }) => Returned,
            (Returned, ReviewStep::Resubmit) => Entered,
            // What the check found differs from the record: back to the
            // coordinator for correction, then reviewed (and checked) again.
            (
                Approved,
                ReviewStep::SpotCheck {
                    result: SpotCheckResult::Discrepant,
                    ..
                },
            ) => Returned,
            (Approved, ReviewStep::SpotCheck { .. }) => SpotChecked,
            (from, step) => {
                return Err(ReviewError::WrongStep {
                    from,
                    step: step.kind(),
                });
            }
        };
        Ok(next)
    }
}

/// What an on-site spot check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpotCheckResult {
    /// The record matches what was found (属实).
    Confirmed,
    /// The record differs from what was found (不符).
    Discrepant,
}

impl SpotCheckResult {
    pub fn code(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Discrepant => "discrepant",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ReviewError> {
        match input.trim() {
            "confirmed" | "属实" => Ok(Self::Confirmed),
            "discrepant" | "不符" => Ok(Self::Discrepant),
            other => Err(ReviewError::UnknownResult(other.to_owned())),
        }
    }
}

/// The name of a step, without its details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepKind {
    Collect,
    Enter,
    Approve,
    Reject,
    Return,
    Resubmit,
    SpotCheck,
}

impl StepKind {
    pub const ALL: [StepKind; 7] = [
        Self::Collect,
        Self::Enter,
        Self::Approve,
        Self::Reject,
        Self::Return,
        Self::Resubmit,
        Self::SpotCheck,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Collect => "collect",
            Self::Enter => "enter",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Return => "return",
            Self::Resubmit => "resubmit",
            Self::SpotCheck => "spot_check",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Collect => "采集",
            Self::Enter => "录入",
            Self::Approve => "审核通过",
            Self::Reject => "审核不通过",
            Self::Return => "退回更正",
            Self::Resubmit => "更正后重报",
            Self::SpotCheck => "实地抽查",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ReviewError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == input)
            .ok_or_else(|| ReviewError::UnknownStep(input.to_owned()))
    }

    /// The permission a step needs (checked by the web layer's guard
    /// against the one table, `account::allows`). Collecting happens as the
    /// record is created, under the register's own `Create`.
    pub fn permission(self) -> (Action, Resource) {
        match self {
            Self::Collect => (Action::Create, Resource::Resident),
            Self::Enter | Self::Resubmit => (Action::Update, Resource::Review),
            Self::Approve | Self::Reject | Self::Return => (Action::Review, Resource::Review),
            Self::SpotCheck => (Action::SpotCheck, Resource::Review),
        }
    }
}

/// A step taken on a record after it was created, with its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewStep {
    /// The coordinator enters what was collected.
    Enter,
    Approve,
    Reject {
        reason: Note,
    },
    Return {
        reason: Note,
    },
    /// The coordinator has corrected a returned record.
    Resubmit,
    SpotCheck {
        result: SpotCheckResult,
        note: Option<Note>,
    },
}

impl ReviewStep {
    /// Parses a step from its code and the form or API fields: a reason is
    /// required to reject or return; a spot check needs its result.
    pub fn parse(
        step: &str,
        reason: Option<&str>,
        result: Option<&str>,
    ) -> Result<Self, ReviewError> {
        let reason_text = reason.map(str::trim).filter(|r| !r.is_empty());
        let required_reason = || {
            reason_text
                .ok_or(ReviewError::ReasonRequired)
                .and_then(|r| Note::parse(r).map_err(ReviewError::Reason))
        };
        match StepKind::parse(step)? {
            StepKind::Collect => Err(ReviewError::UnknownStep(step.to_owned())),
            StepKind::Enter => Ok(Self::Enter),
            StepKind::Approve => Ok(Self::Approve),
            StepKind::Resubmit => Ok(Self::Resubmit),
            StepKind::Reject => Ok(Self::Reject {
                reason: required_reason()?,
            }),
            StepKind::Return => Ok(Self::Return {
                reason: required_reason()?,
            }),
            StepKind::SpotCheck => Ok(Self::SpotCheck {
                result: SpotCheckResult::parse(result.ok_or(ReviewError::ResultRequired)?)?,
                note: reason_text
                    .map(|r| Note::parse(r).map_err(ReviewError::Reason))
                    .transpose()?,
            }),
        }
    }

    pub fn kind(&self) -> StepKind {
        match self {
            Self::Enter => StepKind::Enter,
            Self::Approve => StepKind::Approve,
            Self::Reject { .. } => StepKind::Reject,
            Self::Return { .. } => StepKind::Return,
            Self::Resubmit => StepKind::Resubmit,
            Self::SpotCheck { .. } => StepKind::SpotCheck,
        }
    }

    /// The reason or note the step carries.
    pub fn reason(&self) -> Option<&Note> {
        match self {
            Self::Reject { reason } | Self::Return { reason } => Some(reason),
            Self::SpotCheck { note, .. } => note.as_ref(),
            _ => None,
        }
    }

    pub fn result(&self) -> Option<SpotCheckResult> {
        match self {
            Self::SpotCheck { result, .. } => Some(*result),
            _ => None,
        }
    }
}

/// The reason a record sent back by a spot check without a note carries.
pub const DISCREPANT_REASON: &str = "实地抽查不符";

/// Whether an entry came later than [`ENTRY_DEADLINE`] after collection.
pub fn entered_late(collected_at: OffsetDateTime, entered_at: OffsetDateTime) -> bool {
    entered_at - collected_at > ENTRY_DEADLINE
}

/// Whether a record collected at `collected_at` and still not entered is
/// overdue at `now`.
pub fn entry_overdue(collected_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    entered_late(collected_at, now)
}

/// Who took a step, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The account's user name (or the program's name).
    pub by: String,
    pub at: OffsetDateTime,
}

/// A record's review as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewStatus {
    pub record: ReviewRecord,
    /// The unit holding the record.
    pub unit: String,
    /// For a residence, the person whose file it belongs to.
    pub person: Option<i64>,
    pub state: ReviewState,
    pub version: i64,
    pub collected: Option<Stamp>,
    /// Where it was collected: the place the collector gave, else the
    /// collection point's unit code.
    pub collected_place: Option<String>,
    pub entered: Option<Stamp>,
    /// Entered more than 24 hours after collection.
    pub entered_late: bool,
    /// The station's last decision (approve, reject, return).
    pub decided: Option<Stamp>,
    /// The reason of the last rejection or return.
    pub reason: Option<String>,
    pub spot_checked: Option<Stamp>,
    pub spot_check_result: Option<SpotCheckResult>,
}

impl ReviewStatus {
    /// The status after `step`, taken as `stamp` says: the state moved by
    /// [`ReviewState::after`] (or the step refused), the version bumped,
    /// and who and when kept beside the step's outcome.
    pub fn take(&self, step: &ReviewStep, stamp: Stamp) -> Result<Self, ReviewError> {
        let mut next = self.clone();
        next.state = self.state.after(step)?;
        next.version += 1;
        match step {
            ReviewStep::Enter => {
                next.entered_late = self
                    .collected
                    .as_ref()
                    .is_some_and(|c| entered_late(c.at, stamp.at));
                next.entered = Some(stamp);
            }
            // The first entry (and whether it was late) stands; the
            // re-submission is in the history.
            ReviewStep::Resubmit => {}
            ReviewStep::Approve => {
                next.decided = Some(stamp);
                next.reason = None;
            }
            ReviewStep::Reject { reason } | ReviewStep::Return { reason } => {
                next.decided = Some(stamp);
                next.reason = Some(reason.as_str().to_owned());
            }
            ReviewStep::SpotCheck { result, note } => {
                next.spot_checked = Some(stamp);
                next.spot_check_result = Some(*result);
                // A record sent back says why, as a return does.
                if *result == SpotCheckResult::Discrepant {
                    next.reason =
                        Some(note.as_ref().map_or_else(
                            || DISCREPANT_REASON.to_owned(),
                            |n| n.as_str().to_owned(),
                        ));
                }
            }
        }
        Ok(next)
    }
}

/// One step in a record's history (append-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewEvent {
    pub step: StepKind,
    pub state_after: ReviewState,
    pub stamp: Stamp,
    pub place: Option<String>,
    pub reason: Option<String>,
    pub result: Option<SpotCheckResult>,
}

/// Why a review step was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReviewError {
    #[error("a record that is {} cannot be given the step {}", from.code(), step.code())]
    WrongStep { from: ReviewState, step: StepKind },
    #[error("{0:?} is not a kind of record under review (residence, house, employer, outflow)")]
    UnknownKind(String),
    #[error("{0:?} is not a review step")]
    UnknownStep(String),
    #[error("{0:?} is not a review state")]
    UnknownState(String),
    #[error("{0:?} is not a spot check result (confirmed, discrepant)")]
    UnknownResult(String),
    #[error("give the reason for rejecting or returning the record")]
    ReasonRequired,
    #[error("give the result of the spot check")]
    ResultRequired,
    #[error("{0}")]
    Reason(TextError),
}

impl ReviewError {
    /// The form or API field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::WrongStep { .. } | Self::UnknownState(_) => "state",
            Self::UnknownKind(_) => "kind",
            Self::UnknownStep(_) => "step",
            Self::UnknownResult(_) | Self::ResultRequired => "result",
            Self::ReasonRequired | Self::Reason(_) => "reason",
        }
    }
}

impl Localized for ReviewError {
    fn code(&self) -> &'static str {
        match self {
            Self::WrongStep { .. } => "review_wrong_step",
            Self::UnknownKind(_) => "review_kind_unknown",
            Self::UnknownStep(_) => "review_step_unknown",
            Self::UnknownState(_) => "review_state_unknown",
            Self::UnknownResult(_) => "review_result_unknown",
            Self::ReasonRequired => "review_reason_required",
            Self::ResultRequired => "review_result_required",
            Self::Reason(e) => e.code(),
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::WrongStep { from, step } => format!(
                "该记录当前为“{}”，不能进行“{}”",
                from.name_zh(),
                step.name_zh()
            ),
            Self::UnknownKind(k) => format!("“{k}”不是可审核的记录类别"),
            Self::UnknownStep(s) => format!("“{s}”不是审核环节"),
            Self::UnknownState(s) => format!("“{s}”不是审核状态"),
            Self::UnknownResult(r) => format!("“{r}”不是抽查结果（属实、不符）"),
            Self::ReasonRequired => "审核不通过或退回更正须填写原因".into(),
            Self::ResultRequired => "请填写抽查结果".into(),
            Self::Reason(e) => e.message_zh(),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Role, allows};
    use ReviewState::*;

    fn reason() -> Note {
        Note::parse("地址与房屋不符").expect("allowed")
    }

    fn steps() -> Vec<ReviewStep> {
        vec![
            ReviewStep::Enter,
            ReviewStep::Approve,
            ReviewStep::Reject { reason: reason() },
            ReviewStep::Return { reason: reason() },
            ReviewStep::Resubmit,
            ReviewStep::SpotCheck {
                result: SpotCheckResult::Confirmed,
                note: None,
            },
        ]
    }

    #[test]
    fn the_workflow_runs_collect_enter_return_resubmit_approve_spot_check() {
        let mut state = ReviewState::opening(true);
        assert_eq!(state, Collected);
        for (step, expected) in [
            (ReviewStep::Enter, Entered),
            (ReviewStep::Return { reason: reason() }, Returned),
            (ReviewStep::Resubmit, Entered),
            (ReviewStep::Approve, Approved),
            (steps()[5].clone(), SpotChecked),
        ] {
            state = state.after(&step).expect("allowed");
            assert_eq!(state, expected);
        }
        assert_eq!(ReviewState::opening(false), Entered);
    }

    #[test]
    fn a_discrepant_spot_check_sends_the_record_back_for_correction_with_its_note() {
        let approved = ReviewStatus {
            record: ReviewRecord {
                kind: RecordKind::House,
                id: 7,
            },
            unit: "110101001001".into(),
            person: None,
            state: Approved,
            version: 4,
            collected: None,
            collected_place: None,
            entered: None,
            entered_late: false,
            decided: None,
            reason: None,
            spot_checked: None,
            spot_check_result: None,
        };
        let check = |note: Option<&str>| ReviewStep::SpotCheck {
            result: SpotCheckResult::Discrepant,
            note: note.map(|n| Note::parse(n).expect("note")),
        };
        let stamp = || Stamp {
            by: "inspector".into(),
            at: OffsetDateTime::UNIX_EPOCH,
        };
        let back = approved
            .take(&check(Some("门牌号不符")), stamp())
            .expect("taken");
        assert_eq!(back.state, Returned);
        assert_eq!(back.reason.as_deref(), Some("门牌号不符"));
        assert_eq!(back.spot_check_result, Some(SpotCheckResult::Discrepant));
        let back = approved.take(&check(None), stamp()).expect("taken");
        assert_eq!(back.reason.as_deref(), Some(DISCREPANT_REASON));
        // Corrected, it goes through review again.
        assert_eq!(back.state.after(&ReviewStep::Resubmit), Ok(Entered));
    }

    #[test]
    fn every_other_step_is_refused() {
        let allowed = [
            (Collected, StepKind::Enter),
            (Entered, StepKind::Approve),
            (Entered, StepKind::Reject),
            (Entered, StepKind::Return),
            (Returned, StepKind::Resubmit),
            (Approved, StepKind::SpotCheck),
        ];
        for state in ReviewState::ALL {
            for step in steps() {
                let outcome = state.after(&step);
                if allowed.contains(&(state, step.kind())) {
                    assert!(outcome.is_ok(), "{state:?} {step:?}");
                } else {
                    let error = outcome.expect_err("refused");
                    assert_eq!(
                        error,
                        ReviewError::WrongStep {
                            from: state,
                            step: step.kind()
                        }
                    );
                    assert_eq!(error.code(), "review_wrong_step");
                    assert!(error.message_zh().contains(state.name_zh()));
                }
            }
        }
        // Rejected and spot-checked are final.
        for step in steps() {
            assert!(Rejected.after(&step).is_err());
            assert!(SpotChecked.after(&step).is_err());
        }
    }

    #[test]
    fn rejecting_or_returning_needs_a_reason_and_a_spot_check_its_result() {
        assert_eq!(
            ReviewStep::parse("reject", None, None),
            Err(ReviewError::ReasonRequired)
        );
        assert_eq!(
            ReviewStep::parse("return", Some("  "), None),
            Err(ReviewError::ReasonRequired)
        );
        assert_eq!(
            ReviewStep::parse("return", Some("缺少房东信息"), None)
                .expect("allowed")
                .reason()
                .map(Note::as_str),
            Some("缺少房东信息")
        );
        assert_eq!(
            ReviewStep::parse("spot_check", None, None),
            Err(ReviewError::ResultRequired)
        );
        assert!(matches!(
            ReviewStep::parse("spot_check", None, Some("maybe")),
            Err(ReviewError::UnknownResult(_))
        ));
        assert_eq!(
            ReviewStep::parse("spot_check", None, Some("不符"))
                .expect("allowed")
                .result(),
            Some(SpotCheckResult::Discrepant)
        );
        assert!(matches!(
            ReviewStep::parse("reject", Some(&"长".repeat(501)), None),
            Err(ReviewError::Reason(TextError::TooLong { .. }))
        ));
        // Collecting is not a step taken afterwards.
        assert!(ReviewStep::parse("collect", None, None).is_err());
        assert!(ReviewStep::parse("approve!", None, None).is_err());
    }

    #[test]
    fn a_status_keeps_who_and_when_and_whether_the_entry_was_late() {
        let at = |h: i64| OffsetDateTime::UNIX_EPOCH + Duration::hours(h);
        let stamp = |by: &str, h| Stamp {
            by: by.into(),
            at: at(h),
        };
        let collected = ReviewStatus {
            record: ReviewRecord {
                kind: RecordKind::House,
                id: 7,
            },
            unit: "110101001001".into(),
            person: None,
            state: Collected,
            version: 1,
            collected: Some(stamp("caiji", 0)),
            collected_place: Some("110101001001001".into()),
            entered: None,
            entered_late: false,
            decided: None,
            reason: None,
            spot_checked: None,
            spot_check_result: None,
        };
        let entered = collected
            .take(&ReviewStep::Enter, stamp("xieguan", 30))
            .expect("allowed");
        assert_eq!(entered.state, Entered);
        assert_eq!(entered.version, 2);
        assert!(entered.entered_late);
        assert_eq!(entered.entered, Some(stamp("xieguan", 30)));
        let on_time = collected
            .take(&ReviewStep::Enter, stamp("xieguan", 23))
            .expect("allowed");
        assert!(!on_time.entered_late);
        let returned = entered
            .take(&ReviewStep::Return { reason: reason() }, stamp("zhan", 31))
            .expect("allowed");
        assert_eq!(returned.reason.as_deref(), Some("地址与房屋不符"));
        assert_eq!(returned.decided, Some(stamp("zhan", 31)));
        let approved = returned
            .take(&ReviewStep::Resubmit, stamp("xieguan", 32))
            .and_then(|s| s.take(&ReviewStep::Approve, stamp("zhan", 33)))
            .expect("allowed");
        assert_eq!(approved.reason, None);
        assert_eq!(approved.version, 5);
        assert!(
            approved
                .take(&ReviewStep::Approve, stamp("zhan", 34))
                .is_err()
        );
    }

    #[test]
    fn entry_is_late_after_twenty_four_hours() {
        let collected = OffsetDateTime::UNIX_EPOCH;
        assert!(!entered_late(collected, collected + Duration::hours(24)));
        assert!(entered_late(
            collected,
            collected + Duration::hours(24) + Duration::seconds(1)
        ));
        assert!(entry_overdue(collected, collected + Duration::hours(25)));
    }

    #[test]
    fn coordinators_enter_stations_decide_inspectors_spot_check() {
        let may = |role: Role, step: StepKind| {
            let (action, resource) = step.permission();
            allows(role, action, resource)
        };
        assert!(may(Role::Coordinator, StepKind::Enter));
        assert!(may(Role::Coordinator, StepKind::Resubmit));
        assert!(!may(Role::Coordinator, StepKind::Approve));
        assert!(!may(Role::Collector, StepKind::Enter));
        assert!(may(Role::Collector, StepKind::Collect));
        for step in [StepKind::Approve, StepKind::Reject, StepKind::Return] {
            assert!(may(Role::StationChief, step));
            assert!(!may(Role::Clerk, step));
            assert!(!may(Role::Inspector, step));
        }
        assert!(may(Role::Inspector, StepKind::SpotCheck));
        assert!(!may(Role::Inspector, StepKind::Enter));
        assert!(!may(Role::Coordinator, StepKind::SpotCheck));
        for admin in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            for step in StepKind::ALL {
                assert!(!may(admin, step));
            }
            assert!(!allows(admin, Action::Read, Resource::Review));
        }
    }
}
