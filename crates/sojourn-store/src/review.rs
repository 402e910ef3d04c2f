//! What the review workflow's reads return: its queues and its counts.

use sojourn_domain::review::{RecordKind, ReviewStatus, StepKind};
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

/// What narrows a work list beyond its queue and scope (the list page's
/// filters); the default narrows nothing. A unit is chosen by narrowing
/// the scope ([`sojourn_domain::unit::Scope::narrow_to`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    pub kind: Option<RecordKind>,
    /// The collector's user name.
    pub collector: Option<String>,
    /// Only records waiting since before this time (in the queue's own
    /// sense: entered, decided, or collected).
    pub waiting_before: Option<OffsetDateTime>,
    /// Only records entered more than 24 hours after collection.
    pub late_only: bool,
    pub sort: ReviewSort,
}

/// The order of a work list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReviewSort {
    /// Register, then the order records were made.
    #[default]
    Registered,
    /// The longest waiting first.
    OldestFirst,
    NewestFirst,
    /// By the unit holding the record.
    Unit,
}

/// One record of a work list, with what a reader knows it by: the
/// person's name, the house's address, the employer's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    pub status: ReviewStatus,
    pub name: String,
}

/// A page of a work list, how many records the whole list holds, and the
/// collectors whose records are on it (the collector filter's choices).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewList {
    pub items: Vec<ReviewItem>,
    pub total: u64,
    pub collectors: Vec<String>,
}
