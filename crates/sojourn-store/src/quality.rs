//! The data-quality monitor's store (监控管理, R6.2): findings kept per
//! record and rule, refreshed by every write in the writing transaction and
//! re-derived for a whole scope on demand; and the queue of probable
//! duplicates, merged or dismissed with every decision kept.
//!
//! The rules themselves are `sojourn_domain::quality`; the store decides
//! which records to feed them and keeps what they say.

use crate::Result;
use crate::{Actor, StoreError};
use sojourn_domain::Localized;
use sojourn_domain::person::PersonId;
use sojourn_domain::quality::{DuplicateReason, Rule};
use sojourn_domain::text::Note;
use sojourn_domain::unit::{Scope, UnitCode};
use time::{Date, OffsetDateTime};

/// Which register a finding is about: one of [`RecordKind::JUDGED`].
pub use sojourn_domain::record::RecordKind;

/// The rule of a stored code, if it is one.
pub fn rule_from_code(code: &str) -> Option<Rule> {
    Rule::ALL.into_iter().find(|r| r.code() == code)
}

/// One open finding: a record breaking a rule, since `found_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRow {
    pub id: i64,
    pub unit: UnitCode,
    pub rule: Rule,
    pub record: RecordKind,
    pub record_id: i64,
    pub detail_zh: String,
    pub detail_en: String,
    pub found_at: OffsetDateTime,
    /// What a clerk calls the record: a person's name, a house's address.
    pub record_name: String,
    /// Where the person of a file or stay lives (the current stay's
    /// address), and the name of the employer they work for.
    pub record_address: Option<String>,
    pub record_employer: Option<String>,
}

/// Open findings of one rule in one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCount {
    pub unit: UnitCode,
    pub rule: Rule,
    pub count: u64,
}

/// What the monitor counts in a scope: open findings by unit and rule, and
/// open probable duplicates by unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QualityCounts {
    pub findings: Vec<RuleCount>,
    pub open_duplicates: Vec<(UnitCode, u64)>,
}

/// What waits on the monitor in a scope, each counted up to
/// [`crate::WAITING_COUNT_CAP`] and one more.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QualityWaiting {
    pub findings: u64,
    pub duplicates: u64,
}

/// Where a probable duplicate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DuplicateStatus {
    Open,
    Merged,
    Dismissed,
}

impl DuplicateStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Merged => "merged",
            Self::Dismissed => "dismissed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Open, Self::Merged, Self::Dismissed]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A pair of person files that may be one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateEntry {
    pub id: i64,
    /// The unit holding the first file (the queue is scoped by it).
    pub unit: UnitCode,
    pub first: PersonId,
    pub second: PersonId,
    pub first_name: String,
    pub second_name: String,
    pub score: u8,
    pub reasons: Vec<DuplicateReason>,
    pub status: DuplicateStatus,
    pub found_at: OffsetDateTime,
}

/// One decision on a pair, as kept (append-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateDecision {
    pub id: i64,
    pub duplicate: i64,
    pub decision: DuplicateStatus,
    /// The file kept, for a merge.
    pub kept: Option<PersonId>,
    /// Why, for a dismissal.
    pub reason: Option<String>,
    pub decided_at: OffsetDateTime,
    pub decided_by: String,
}

/// What a scan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Records judged (files, stays, houses, outflow records).
    pub records: u64,
    /// Findings opened and resolved by this scan.
    pub opened: u64,
    pub resolved: u64,
    /// Probable-duplicate pairs found, and how many were new to the queue.
    pub pairs: u64,
    pub new_pairs: u64,
}

/// Why a merge or dismissal was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QualityRefusal {
    /// Both files have a current stay: one must be deregistered first.
    BothHaveCurrentStay,
    /// The pair was already merged or dismissed.
    AlreadyDecided,
    /// The file to keep is not one of the pair.
    KeptNotInPair,
}

impl Localized for QualityRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::BothHaveCurrentStay => "merge_both_current",
            Self::AlreadyDecided => "duplicate_already_decided",
            Self::KeptNotInPair => "merge_kept_not_in_pair",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::BothHaveCurrentStay => {
                "两份档案都有在住登记，不能合并：请先为其中一人办理注销".into()
            }
            Self::AlreadyDecided => "该疑似重复已处理（已合并或已排除）".into(),
            Self::KeptNotInPair => "保留的档案不属于该疑似重复".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::BothHaveCurrentStay => {
                "both files have a current stay and cannot be merged: deregister one first".into()
            }
            Self::AlreadyDecided => {
                "this probable duplicate was already merged or dismissed".into()
            }
            Self::KeptNotInPair => "the file to keep is not one of the pair".into(),
        }
    }
}

/// Reasons stored as one text: `code` or `code:position`, comma-separated.
pub(crate) fn reasons_text(reasons: &[DuplicateReason]) -> String {
    reasons
        .iter()
        .map(|r| match r {
            DuplicateReason::IdDiffersInOneDigit { position } => {
                format!("{}:{position}", r.code())
            }
            other => other.code().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn reasons_from_text(text: &str) -> Result<Vec<DuplicateReason>> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|part| {
            let (code, position) = part.split_once(':').unwrap_or((part, ""));
            let known = [
                DuplicateReason::SameIdNumber,
                DuplicateReason::SameNameAndBirthDate,
                DuplicateReason::SamePinyinAndBirthYear,
            ];
            if let Some(r) = known.into_iter().find(|r| r.code() == code) {
                return Ok(r);
            }
            match position.parse::<u8>() {
                Ok(position)
                    if code == (DuplicateReason::IdDiffersInOneDigit { position: 0 }).code() =>
                {
                    Ok(DuplicateReason::IdDiffersInOneDigit { position })
                }
                _ => Err(StoreError::Corrupt(format!(
                    "stored duplicate reason {part:?} no longer parses"
                ))),
            }
        })
        .collect()
}

/// The monitor's half of the store (part of [`crate::Store`]). Every call
/// is scoped: findings by the unit of their record, pairs by the unit
/// holding both files.
pub trait QualityStore {
    /// Open findings by unit and rule, and open pairs by unit.
    fn quality_counts(&self, scope: &Scope) -> Result<QualityCounts>;
    /// The open findings and the open pairs in scope, each counted up to
    /// [`crate::WAITING_COUNT_CAP`] (a longer list answers one more): the
    /// home page's to-do list, which must not count millions to say "many".
    fn quality_waiting(&self, scope: &Scope) -> Result<QualityWaiting>;
    /// Open findings of `rule` (every rule when `None`) in scope, oldest
    /// first: at most `limit` after the finding `after` (keyset paging).
    fn quality_findings(
        &self,
        scope: &Scope,
        rule: Option<Rule>,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<FindingRow>>;
    /// The open findings of one record in scope.
    fn findings_of(&self, scope: &Scope, record: RecordKind, id: i64) -> Result<Vec<FindingRow>>;
    /// Judges every record in scope again as of `today`, `batch` records
    /// per transaction (keyset-paged reads), opening and resolving findings,
    /// and puts the probable duplicates among the files in scope into the
    /// queue (pairs already decided keep their decision).
    fn scan_quality(&self, scope: &Scope, today: Date, batch: u32) -> Result<ScanSummary>;
    /// The duplicate part of a scan alone: the probable duplicates among
    /// the files in scope are queued as `scan_quality` queues them, and no
    /// record is judged. Every write queues the pairs of the files it
    /// touches itself, except while a first bulk load has the search
    /// indexes set aside: this is what such a load needs once they are
    /// back. The summary counts the files read as `records`.
    fn queue_probable_duplicates(&self, scope: &Scope) -> Result<ScanSummary>;
    /// Pairs with `status` (any when `None`), highest score first: at most
    /// `limit` from position `offset`.
    fn duplicate_queue(
        &self,
        scope: &Scope,
        status: Option<DuplicateStatus>,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<DuplicateEntry>>;
    fn get_duplicate(&self, scope: &Scope, id: i64) -> Result<DuplicateEntry>;
    /// The decisions on a pair, oldest first.
    fn duplicate_decisions(&self, scope: &Scope, id: i64) -> Result<Vec<DuplicateDecision>>;
    /// Merges the pair into `keep`: the other file's stays, tenancies,
    /// employments and document checks move to it, and the other file is
    /// marked merged into it (its row, revisions and audit entries stay).
    /// Refused when both files have a current stay. Audited.
    fn merge_duplicate(
        &self,
        scope: &Scope,
        id: i64,
        keep: PersonId,
        actor: &Actor,
    ) -> Result<DuplicateEntry>;
    /// Dismisses the pair as two people, with the reason. Audited.
    fn dismiss_duplicate(
        &self,
        scope: &Scope,
        id: i64,
        reason: &Note,
        actor: &Actor,
    ) -> Result<DuplicateEntry>;
}
