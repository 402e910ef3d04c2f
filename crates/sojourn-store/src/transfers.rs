//! Transfer requests (转移申请): what a community does when the person it
//! would register still has a current stay in another community (重卡).
//!
//! The register allows one current stay per person in the whole
//! deployment, and only the community holding it may end it. A clerk who
//! meets that refusal cannot act on a file they may not even see; what
//! the plans prescribe is "人来有登记，人走有注销" [P1, P5]: the person has
//! left the old community, so the old community records the departure and
//! the new one registers the arrival on the same file (一人一档). A request
//! asks exactly that. The community asked sees it on its to-do list and
//! either **accepts** — its current stay is ended in the same transaction
//! (a departure today, towards the asking community), so the asking clerk
//! registers the arrival on the file as usual, with its own date, address
//! and reason — or **declines** with a reason the asker reads.
//!
//! Accepting does not move the stay or register the arrival itself: a
//! stay is never reopened or moved between communities (history is
//! appended, not rewritten), and the arrival's particulars are the asking
//! community's to enter and review.
//!
//! Scope holds both ways: a request is read by the asking and the asked
//! community (and the units above them) only, decided by the asked one
//! only; a request for a stay in the caller's own jurisdiction is refused
//! (they deregister it themselves). Every step is audited in its
//! transaction. A request names the asked community and the file's id,
//! never more of the person than the asker may already know (the ID
//! number they typed).

use crate::{Actor, Result};
use sojourn_domain::Localized;
use sojourn_domain::codes::IdNumber;
use sojourn_domain::person::PersonId;
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::text::Note;
use sojourn_domain::unit::{Scope, UnitCode};
use time::{Date, OffsetDateTime};

/// Where a number's current stay is: what the duplicate check on arrival
/// may tell anyone registering (the unit), and, when the caller's scope
/// holds the stay, the file to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentFile {
    pub residence: ResidenceId,
    pub unit: UnitCode,
    pub unit_name: String,
    /// The person's file, only when the stay lies in the caller's scope.
    pub person: Option<PersonId>,
}

/// A request's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TransferId(pub i64);

/// Where a request stands; a decision keeps who took it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferState {
    Pending,
    /// The asked community ended its stay.
    Accepted {
        by: String,
        at: OffsetDateTime,
    },
    /// The asked community refused, for the reason given.
    Declined {
        by: String,
        at: OffsetDateTime,
        reason: String,
    },
}

impl TransferState {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted { .. } => "accepted",
            Self::Declined { .. } => "declined",
        }
    }
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    pub id: TransferId,
    /// The asking community and its name.
    pub from_unit: UnitCode,
    pub from_name: String,
    /// The community asked: the one holding the stay when asked.
    pub to_unit: UnitCode,
    pub to_name: String,
    pub person: PersonId,
    pub residence: ResidenceId,
    /// The person's name, for the asked community's list (it holds the
    /// file); the asker's list shows it only where its scope may.
    pub person_name: String,
    pub note: Option<String>,
    pub requested_by: String,
    pub requested_at: OffsetDateTime,
    pub state: TransferState,
}

/// Which requests a list shows: those asked of the caller's jurisdiction
/// or those it asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferDirection {
    Incoming,
    Outgoing,
}

/// Why a request, or a decision on one, was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferRefusal {
    /// The number has no current stay: there is nothing to hand over.
    NoCurrentStay,
    /// The stay lies in the caller's own jurisdiction: they end it themselves.
    OwnJurisdiction,
    /// A request for this stay is pending already.
    AlreadyPending,
    /// The request was accepted or declined already.
    AlreadyDecided,
}

impl Localized for TransferRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::NoCurrentStay => "transfer_no_current_stay",
            Self::OwnJurisdiction => "transfer_own_jurisdiction",
            Self::AlreadyPending => "transfer_already_pending",
            Self::AlreadyDecided => "transfer_already_decided",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::NoCurrentStay => "该身份证号码没有在住登记，无需申请转移，可直接登记".into(),
            Self::OwnJurisdiction => {
                "该人员在您的管辖范围内登记在住：请直接在其档案上办理注销，无需申请".into()
            }
            Self::AlreadyPending => "已有一份该人员的转移申请待对方处理，请勿重复申请".into(),
            Self::AlreadyDecided => "该转移申请已处理（已同意或已拒绝）".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::NoCurrentStay => {
                "this ID number has no current stay: nothing to transfer, register the arrival"
                    .into()
            }
            Self::OwnJurisdiction => {
                "this person's current stay is in your own jurisdiction: deregister it on the file, no request is needed".into()
            }
            Self::AlreadyPending => {
                "a transfer request for this person is already waiting for the other community"
                    .into()
            }
            Self::AlreadyDecided => "this transfer request was already accepted or declined".into(),
        }
    }
}

/// Transfer requests: part of [`crate::Store`].
pub trait TransferStore {
    /// Where `id_number` has a current stay, anywhere in the deployment
    /// (the one deliberate cross-scope read of the duplicate check on
    /// arrival: it tells the unit, and the file only within `scope`).
    fn current_file(&self, scope: &Scope, id_number: &IdNumber) -> Result<Option<CurrentFile>>;
    /// Asks the community holding `id_number`'s current stay to end it,
    /// for the caller's jurisdiction (its root unit asks). Refused when
    /// there is no current stay, when it lies in `scope`, or when a
    /// request for it is pending. Audited.
    fn request_transfer(
        &self,
        scope: &Scope,
        id_number: &IdNumber,
        note: Option<&Note>,
        actor: &Actor,
    ) -> Result<TransferRequest>;
    /// A request asked by or of `scope`; `NotFound` for anyone else's.
    fn get_transfer(&self, scope: &Scope, id: TransferId) -> Result<TransferRequest>;
    /// Requests asked of (`Incoming`) or by (`Outgoing`) `scope`, newest
    /// first, pending ones only when `pending_only`.
    fn transfers(
        &self,
        scope: &Scope,
        direction: TransferDirection,
        pending_only: bool,
        limit: u32,
    ) -> Result<Vec<TransferRequest>>;
    /// How many requests asked of `scope` wait for a decision.
    fn pending_transfers(&self, scope: &Scope) -> Result<u64>;
    /// Accepts a pending request asked of `scope`: the stay, if still
    /// current, departs on `today` towards the asking community. Audited.
    fn accept_transfer(
        &self,
        scope: &Scope,
        id: TransferId,
        today: Date,
        actor: &Actor,
    ) -> Result<TransferRequest>;
    /// Declines a pending request asked of `scope`, with the reason. Audited.
    fn decline_transfer(
        &self,
        scope: &Scope,
        id: TransferId,
        reason: &Note,
        actor: &Actor,
    ) -> Result<TransferRequest>;
}
