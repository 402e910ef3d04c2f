//! Service requests (一站式服务, R4.2) as the store keeps them: the
//! deployment's table of kinds and the requests themselves, versioned
//! through the one write path (`sql/change.rs`), so every step leaves a
//! revision and an audit entry. The states and their steps are the
//! domain's (`sojourn_domain::services::request`); the store adds who
//! holds a request (the unit of the person's file at intake) and the
//! worklists. Every read and write is scoped by that unit.

use crate::{Actor, Page};
use crate::{PageRequest, Result};
use sojourn_domain::person::PersonId;
use sojourn_domain::services::request::{
    KindCode, RequestKind, RequestState, RequestStep, StateName,
};
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::{Scope, UnitCode};
use time::Date;

/// A request's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub i64);

/// What the window takes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub person: PersonId,
    pub kind: KindCode,
    pub asked: Note,
    /// The day it was taken in: today or earlier.
    pub received_on: Date,
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRequest {
    pub id: RequestId,
    pub unit: UnitCode,
    pub person: PersonId,
    pub person_name: PersonName,
    pub kind: KindCode,
    pub asked: Note,
    pub received_on: Date,
    pub due_on: Date,
    pub state: RequestState,
    pub version: i64,
    pub created_by: String,
}

/// Which requests a worklist shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestFilter {
    pub kind: Option<KindCode>,
    pub state: Option<StateFilter>,
    /// Only those held by this unit's subtree (within the scope).
    pub unit: Option<UnitCode>,
    pub sort: RequestSort,
}

/// The state a list asks for: one state, every open one, or only the
/// open ones past their due date (on the given day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    Is(StateName),
    Open,
    Overdue(Date),
}

/// The order of a worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestSort {
    /// The earliest due first (the worklist's order).
    #[default]
    DueAsc,
    /// The latest taken in first.
    ReceivedDesc,
}

/// How many open requests in scope are due soon and overdue on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestCounts {
    pub due_soon: u64,
    pub overdue: u64,
}

/// Lists are counted up to this many (a longer one answers one more).
pub const REQUEST_COUNT_CAP: u64 = 1000;

/// Service requests: part of [`crate::Store`].
pub trait RequestStore {
    /// The deployment's kinds, in their order.
    fn request_kinds(&self) -> Result<Vec<RequestKind>>;
    /// Adds a kind, or changes the names and due period of one; audited.
    /// Requests taken in before keep their due date.
    fn set_request_kind(&self, kind: &RequestKind, actor: &Actor) -> Result<()>;
    /// Takes a request in for a person readable in scope; it is held by
    /// the unit holding the file and due after its kind's period.
    fn take_request(
        &self,
        scope: &Scope,
        request: &NewRequest,
        actor: &Actor,
    ) -> Result<ServiceRequest>;
    fn get_request(&self, scope: &Scope, id: RequestId) -> Result<ServiceRequest>;
    /// Takes `step` on `on`, refused out of order (see the domain) or on
    /// a stale version.
    fn step_request(
        &self,
        scope: &Scope,
        id: RequestId,
        step: RequestStep,
        on: PastDate,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<ServiceRequest>;
    /// A page of the requests in scope, with the list's size counted up to
    /// [`REQUEST_COUNT_CAP`] and one more.
    fn list_requests(
        &self,
        scope: &Scope,
        filter: &RequestFilter,
        page: PageRequest,
    ) -> Result<Page<ServiceRequest>>;
    /// The requests of a person readable in scope, newest first.
    fn requests_of(&self, scope: &Scope, person: PersonId) -> Result<Vec<ServiceRequest>>;
    /// The open requests due soon and overdue on `today`, each counted up
    /// to [`REQUEST_COUNT_CAP`] and one more.
    fn request_counts(&self, scope: &Scope, today: Date) -> Result<RequestCounts>;
}
