//! The family-planning follow-up's part of the store (R4.3): the files of
//! married women of childbearing age, their 三查 schedule and results, and
//! the worklists drawn from them. The rules are the domain's
//! (`sojourn_domain::services::family_planning`); how the records are kept
//! is told in `sql/family_planning.rs`.
//!
//! The store hands a file's contents to whoever asks within scope: which
//! roles may see them, and the audit entry of each read, are the web
//! layer's, like every other read of personal data.

use crate::{Actor, Page, PageRequest, Result};
use sojourn_domain::person::PersonId;
use sojourn_domain::services::family_planning::{
    CheckResult, CheckWindows, FileOpening, FollowUp, FollowUpFile, FollowUpFileId, KeyGroup,
    Population, ScheduledCheck, WomanRef,
};
use sojourn_domain::unit::{Scope, UnitCode};
use time::Date;

/// Which women a worklist shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyPlanningList {
    /// The window `today` falls in, not yet checked.
    Due,
    /// Windows that ended without a check (one row per window).
    Missed,
    /// A key group (重点人群), one row per woman.
    Group(KeyGroup),
}

/// A worklist page's question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyPlanningQuery {
    pub list: FamilyPlanningList,
    pub today: Date,
    pub windows: CheckWindows,
    pub page: PageRequest,
}

/// One row of a worklist: the woman and, for the schedule's lists, the
/// window concerned. Nothing of the file's contents: a key group's list
/// tells membership, which the caller may show only to the roles that may
/// see contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyPlanningRow {
    pub file: FollowUpFileId,
    pub unit: UnitCode,
    pub person: Option<PersonId>,
    pub name: String,
    pub population: Population,
    pub basis_on: Date,
    /// The window's first and last day, for `Due` and `Missed`.
    pub due: Option<(Date, Date)>,
}

/// The family-planning follow-up: part of [`crate::Store`].
pub trait FamilyPlanningStore {
    /// Opens the file of a woman in scope: refused unless she is a married
    /// woman, 15–49 on her arrival or departure, without a file yet, and
    /// unless the filing date and the contents' dates are not after
    /// `today`. Audited; the monitor judges her stay again.
    fn open_family_planning_file(
        &self,
        scope: &Scope,
        opening: &FileOpening,
        today: Date,
        actor: &Actor,
    ) -> Result<FollowUpFile>;
    /// Changes a file's contents at `expected_version`. Audited, the state
    /// before kept in the history.
    fn update_family_planning_file(
        &self,
        scope: &Scope,
        id: FollowUpFileId,
        contents: &FollowUp,
        expected_version: i64,
        today: Date,
        actor: &Actor,
    ) -> Result<FollowUpFile>;
    fn family_planning_file(&self, scope: &Scope, id: FollowUpFileId) -> Result<FollowUpFile>;
    /// The file opened on a register record, if any.
    fn family_planning_file_of(
        &self,
        scope: &Scope,
        woman: WomanRef,
    ) -> Result<Option<FollowUpFile>>;
    /// The files of a person's stays in scope (for the person's page).
    fn family_planning_files_of_person(
        &self,
        scope: &Scope,
        person: PersonId,
    ) -> Result<Vec<FollowUpFile>>;
    /// Records a 三查 result for the window its date falls in; a second
    /// result for the same window replaces the first. Refused when dated
    /// in the future, before her arrival, or on a day she is outside
    /// 15–49. Audited.
    fn record_family_planning_check(
        &self,
        scope: &Scope,
        id: FollowUpFileId,
        result: &CheckResult,
        windows: CheckWindows,
        today: Date,
        actor: &Actor,
    ) -> Result<ScheduledCheck>;
    /// A file's schedule, results included, latest window first.
    fn family_planning_schedule(
        &self,
        scope: &Scope,
        id: FollowUpFileId,
    ) -> Result<Vec<ScheduledCheck>>;
    /// Adds the three windows of `year` for every woman on file in scope
    /// still here (a stay not ended, an outflow not returned) and under 50
    /// when the window opens; windows already there are kept. Answers the
    /// windows added. A few statements, however many women. Audited once.
    fn generate_family_planning_schedule(
        &self,
        scope: &Scope,
        year: i32,
        windows: CheckWindows,
        actor: &Actor,
    ) -> Result<u64>;
    /// A page of a worklist, counted up to [`crate::WAITING_COUNT_CAP`]
    /// and one more.
    fn family_planning_worklist(
        &self,
        scope: &Scope,
        query: &FamilyPlanningQuery,
    ) -> Result<Page<FamilyPlanningRow>>;
}
