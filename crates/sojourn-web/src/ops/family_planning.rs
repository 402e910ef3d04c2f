//! The family-planning follow-up's operations (R4.3), for the API and the
//! pages alike. A file's contents are the most sensitive data the system
//! holds: they are handed on only when the caller holds a role that may
//! see them (`Reveal` on the follow-up: the family-planning officer and
//! the health service), and every read of a file is audited — with
//! whether its contents were shown.

use crate::AppState;
use crate::audit;
use crate::auth::Caller;
use crate::blocking::raw;
use crate::error::ApiError;
use crate::ops::Written;
use serde_json::json;
use sojourn_domain::account::{Action, Resource, allows};
use sojourn_domain::record::RecordKind;
use sojourn_domain::services::family_planning::{
    CheckResult, FileOpening, FollowUp, FollowUpFile, FollowUpFileId, ScheduledCheck, WomanRef,
};
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::Scope;
use sojourn_store::family_planning::{FamilyPlanningQuery, FamilyPlanningRow};
use sojourn_store::{Actor, AuditAction, Page};

/// Whether the caller may see what a file holds.
pub(crate) fn may_see_contents(caller: &Caller) -> bool {
    (caller.principal.roles.iter()).any(|r| allows(*r, Action::Reveal, Resource::FamilyPlanning))
}

/// A file read, with its schedule, and whether its contents may be shown.
pub(crate) struct FileRead {
    pub file: FollowUpFile,
    pub schedule: Vec<ScheduledCheck>,
    pub reveal: bool,
}

/// The file opened on a stay or an outflow record (404 when none), read
/// in scope and audited: the entry says whether its contents were shown.
pub(crate) async fn read_file_of(
    state: &AppState,
    caller: &Caller,
    woman: WomanRef,
) -> Result<FileRead, ApiError> {
    let scope = caller.scope();
    let read = crate::blocking::run(state, move |store| {
        let file = store
            .family_planning_file_of(&scope, woman)?
            .ok_or_else(|| sojourn_store::StoreError::NotFound {
                kind: RecordKind::FamilyPlanningFile,
                id: format!("{woman:?}"),
            })?;
        let schedule = store.family_planning_schedule(&scope, file.id)?;
        Ok((file, schedule))
    })
    .await;
    let reveal = may_see_contents(caller);
    let object = match woman {
        WomanRef::Residence(id) => (RecordKind::Residence, id.0),
        WomanRef::Outflow(id) => (RecordKind::Outflow, id.0),
    };
    let (file, schedule) = audit::read(
        state,
        caller.actor(),
        AuditAction::Read,
        object,
        read,
        |(file, _)| {
            let details = json!({ "family_planning_file": file.id.0, "contents_shown": reveal });
            (Some(file.unit.clone()), details)
        },
    )
    .await?;
    Ok(FileRead {
        file,
        schedule,
        reveal,
    })
}

pub(crate) async fn open_file(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    opening: FileOpening,
) -> Written<FollowUpFile> {
    raw(state, move |store| {
        store.open_family_planning_file(&scope, &opening, china_today(), &actor)
    })
    .await
}

pub(crate) async fn update_file(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    (id, version): (FollowUpFileId, i64),
    contents: FollowUp,
) -> Written<FollowUpFile> {
    raw(state, move |store| {
        store.update_family_planning_file(&scope, id, &contents, version, china_today(), &actor)
    })
    .await
}

pub(crate) async fn record_check(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    id: FollowUpFileId,
    result: CheckResult,
) -> Written<ScheduledCheck> {
    let windows = state.check_windows;
    raw(state, move |store| {
        store.record_family_planning_check(&scope, id, &result, windows, china_today(), &actor)
    })
    .await
}

pub(crate) async fn generate_schedule(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    year: i32,
) -> Written<u64> {
    let windows = state.check_windows;
    raw(state, move |store| {
        store.generate_family_planning_schedule(&scope, year, windows, &actor)
    })
    .await
}

/// A worklist page. A key group's list is drawn from the files' contents:
/// it is refused (403) to a caller who may not see them, and audited as a
/// search with the files it returned.
pub(crate) async fn worklist(
    state: &AppState,
    caller: &Caller,
    scope: Scope,
    query: FamilyPlanningQuery,
) -> Result<Page<FamilyPlanningRow>, ApiError> {
    use sojourn_store::family_planning::FamilyPlanningList::Group;
    if matches!(query.list, Group(_)) && !may_see_contents(caller) {
        return Err(ApiError::Denied(crate::error::Denied::Forbidden));
    }
    let page = crate::blocking::run(state, move |store| {
        store.family_planning_worklist(&scope, &query)
    })
    .await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.file.0).collect();
    let event =
        sojourn_store::AuditEvent::new(AuditAction::Search, sojourn_store::Outcome::Success)
            .details(json!({ "list": "family_planning", "files": ids }));
    audit::record(state, caller.actor(), event).await?;
    Ok(page)
}
