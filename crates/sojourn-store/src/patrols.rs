//! Patrols' store side (巡查, R6.1): patrols are recorded in the caller's
//! scope and only ever added; each target's due date comes from its last
//! patrol and the deployment's cycles (`sojourn_domain::patrol`). The
//! worklists are the targets due within the coming week or already
//! overdue, most overdue first; a task opened by a patrol that found
//! unregistered tenants stays open until someone closes it.

use crate::Actor;
use crate::Result;
use crate::query::{Page, PageRequest};
use sojourn_domain::house::HouseId;
use sojourn_domain::patrol::{Patrol, PatrolCycles, PatrolLevel, PatrolTarget};
use sojourn_domain::unit::{Scope, UnitCode};
use time::{Date, OffsetDateTime};

/// A patrol as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedPatrol {
    pub id: i64,
    /// The unit of what was patrolled (the house's, or the unit itself).
    pub unit: UnitCode,
    pub level: PatrolLevel,
    pub patrol: Patrol,
    pub recorded_at: OffsetDateTime,
    pub recorded_by: String,
}

/// Which targets a worklist shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DueFilter {
    /// Due within the coming week, overdue ones included.
    #[default]
    Due,
    /// Past their due date.
    Overdue,
}

/// A worklist of one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatrolQuery {
    pub level: PatrolLevel,
    pub filter: DueFilter,
    /// The day the list is for (China time).
    pub today: Date,
    pub page: PageRequest,
}

/// A target on a worklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePatrol {
    pub level: PatrolLevel,
    /// The house, for a house's patrol.
    pub house: Option<HouseId>,
    pub unit: UnitCode,
    /// The house's address or the unit's name.
    pub name: String,
    pub last_on: Option<Date>,
    pub due_on: Date,
}

/// A task a patrol opened on a house.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatrolTask {
    pub id: i64,
    pub house: HouseId,
    pub address: String,
    pub unit: UnitCode,
    pub patrol: i64,
    pub opened_on: Date,
}

/// What waits on the to-do list, each count capped at
/// [`crate::WAITING_COUNT_CAP`] + 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PatrolWaiting {
    /// Targets of every level past their due date.
    pub overdue: u64,
    pub open_tasks: u64,
}

/// The patrols' part of the store.
pub trait PatrolStore {
    /// Records a patrol of a target in `scope` (a house in scope, or a
    /// station or collection point in scope), audited; opens a task when
    /// it found unregistered tenants.
    fn record_patrol(
        &self,
        scope: &Scope,
        patrol: &Patrol,
        actor: &Actor,
    ) -> Result<RecordedPatrol>;

    /// The latest `limit` patrols of a target in `scope`, newest first.
    fn patrols_of(
        &self,
        scope: &Scope,
        target: &PatrolTarget,
        limit: u32,
    ) -> Result<Vec<RecordedPatrol>>;

    /// The targets of `query.level` in `scope` that are due or overdue,
    /// most overdue first.
    fn patrol_worklist(&self, scope: &Scope, query: &PatrolQuery) -> Result<Page<DuePatrol>>;

    fn patrol_waiting(&self, scope: &Scope, today: Date) -> Result<PatrolWaiting>;

    /// Open tasks in `scope` (of one house, or all), oldest first.
    fn open_patrol_tasks(
        &self,
        scope: &Scope,
        house: Option<HouseId>,
        limit: u32,
    ) -> Result<Vec<PatrolTask>>;

    /// Closes an open task in `scope` (audited).
    fn close_patrol_task(&self, scope: &Scope, task: i64, actor: &Actor) -> Result<()>;

    fn patrol_cycles(&self) -> Result<PatrolCycles>;

    /// Sets the deployment's cycles: only a caller whose scope is the
    /// whole deployment may (audited).
    fn set_patrol_cycles(&self, scope: &Scope, cycles: PatrolCycles, actor: &Actor) -> Result<()>;
}
