//! Residence permits 居住证 (R4.1) in the store: the trait's part and its
//! types. The lifecycle, the deadlines and eligibility are the domain's
//! (`sojourn_domain::services::permit`); the store keeps each permit as a
//! versioned record (`sql/permits.rs`, through `sql/change.rs`: every step
//! a new version, the old one in the history, audited in the step's
//! transaction), reads the register facts eligibility is judged on, and
//! answers the worklists. "Today" is always passed in: the worklists and
//! suspension are questions about a day, and the store never reads the
//! clock for them.

use crate::query::{Page, PageRequest, Revision};
use crate::{Actor, Result};
use sojourn_domain::person::PersonId;
use sojourn_domain::services::permit::{Application, Facts, PermitId, PermitRequest, PermitStatus};
use sojourn_domain::unit::{Scope, UnitCode};
use time::Date;

/// The worklists of the permit window, and the register as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermitList {
    /// Applications (or answered notices) waiting to be accepted.
    ToAccept,
    /// Accepted or produced, and past the 15 days the card was due in.
    IssueOverdue,
    /// Issued cards whose endorsement window is open today.
    EndorsementDue,
    /// Cards whose anniversary passed less than a month ago unendorsed:
    /// suspended since, and the holders to chase now.
    EndorsementOverdue,
    /// Every card suspended for want of its endorsement.
    Suspended,
    /// Every permit in scope: the permit register 居住证台账.
    Register,
}

impl PermitList {
    pub const ALL: [PermitList; 6] = [
        Self::ToAccept,
        Self::IssueOverdue,
        Self::EndorsementDue,
        Self::EndorsementOverdue,
        Self::Suspended,
        Self::Register,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ToAccept => "to_accept",
            Self::IssueOverdue => "issue_overdue",
            Self::EndorsementDue => "endorsement_due",
            Self::EndorsementOverdue => "endorsement_overdue",
            Self::Suspended => "suspended",
            Self::Register => "register",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == input.trim())
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::ToAccept => "待受理",
            Self::IssueOverdue => "逾期未发证",
            Self::EndorsementDue => "本月应签注",
            Self::EndorsementOverdue => "逾期未签注",
            Self::Suspended => "已中止",
            Self::Register => "居住证台账",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::ToAccept => "to accept",
            Self::IssueOverdue => "overdue for issue",
            Self::EndorsementDue => "endorsements due",
            Self::EndorsementOverdue => "endorsements overdue",
            Self::Suspended => "suspended cards",
            Self::Register => "permit register",
        }
    }
}

/// A permit in a list, with the holder's name and the unit's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitRow {
    pub permit: PermitStatus,
    pub person_name: String,
    pub unit_name: String,
}

/// Holders of a card in force over residents eligible for one (办证率),
/// in one unit's subtree on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PermitRate {
    /// Issued cards not suspended.
    pub holders: u64,
    /// Current residents with six months on file and work or a house on
    /// file, and anyone holding a card in force (who proved it).
    pub eligible: u64,
}

impl PermitRate {
    /// The rate in per mille, `None` with no one eligible.
    pub fn per_mille(self) -> Option<u64> {
        (self.eligible > 0).then(|| (self.holders.min(self.eligible) * 1000) / self.eligible)
    }
}

/// Residence permits: part of [`crate::Store`].
pub trait PermitStore {
    /// What the register shows of `person` for eligibility: the current
    /// stay's arrival, employer and house.
    fn permit_facts(&self, scope: &Scope, person: PersonId) -> Result<Facts>;
    /// Takes an application for `person` on `today`. Refused when the
    /// person has a permit in progress or in force, or when a proxy applies
    /// for someone it may not. Audited.
    fn apply_for_permit(
        &self,
        scope: &Scope,
        person: PersonId,
        application: &Application,
        today: Date,
        actor: &Actor,
    ) -> Result<PermitStatus>;
    /// Takes a step on the permit at `version`, on `today`. Acceptance is
    /// judged eligible against the register first. Audited.
    fn take_permit_step(
        &self,
        scope: &Scope,
        id: PermitId,
        version: i64,
        request: &PermitRequest,
        today: Date,
        actor: &Actor,
    ) -> Result<PermitStatus>;
    fn permit(&self, scope: &Scope, id: PermitId) -> Result<PermitRow>;
    /// Every permit of a person, newest first.
    fn permits_of(&self, scope: &Scope, person: PersonId) -> Result<Vec<PermitStatus>>;
    /// A page of a worklist in scope (narrowed to `unit`), on `today`.
    /// The total is counted up to [`crate::WAITING_COUNT_CAP`] and one more.
    fn permit_list(
        &self,
        scope: &Scope,
        list: PermitList,
        unit: Option<&UnitCode>,
        today: Date,
        page: PageRequest,
    ) -> Result<Page<PermitRow>>;
    /// How many permits wait in `list`, up to the cap and one more.
    fn permit_list_size(&self, scope: &Scope, list: PermitList, today: Date) -> Result<u64>;
    /// The permit rate of `unit` (or the whole scope) on `today`.
    fn permit_rate(
        &self,
        scope: &Scope,
        unit: Option<&UnitCode>,
        today: Date,
    ) -> Result<PermitRate>;
    /// The versions of a permit, oldest first.
    fn permit_history(&self, scope: &Scope, id: PermitId) -> Result<Vec<Revision>>;
}
