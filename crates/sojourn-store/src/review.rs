//! What the review workflow's reads return: its queues and its counts.

use sojourn_domain::review::StepKind;
use time::OffsetDateTime;

/// The workflow's work lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewQueue {
    /// Entered (or re-submitted), awaiting the station's decision.
    AwaitingReview,
    /// Returned for correction, awaiting the coordinator.
    Corrections,
    /// Approved, not yet spot-checked.
    AwaitingSpotCheck,
    /// Collected but not entered within 24 hours of `now`, or entered late.
    Overdue { now: OffsetDateTime },
}

/// How many steps of a kind one person took, or were taken in one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCount {
    pub step: StepKind,
    /// The account's user name (per person) or the unit code (per unit).
    pub who: String,
    pub count: u64,
}

/// The steps taken on records in scope, counted per person and per unit
/// (where the record is held): what rewards are reckoned from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewCounts {
    pub by_person: Vec<StepCount>,
    pub by_unit: Vec<StepCount>,
}
