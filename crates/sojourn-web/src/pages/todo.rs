//! The home page's to-do list (待办事项): what waits for the signed-in
//! person in their jurisdiction — records to review, to correct, entered
//! late, to spot-check, data-quality findings to resolve, probable
//! duplicate files to decide, transfer requests other communities sent
//! (转移申请, to accept or decline), residence permits to accept, to issue
//! (overdue) or to endorse, the family-planning 三查 due this window or
//! missed, patrols overdue and what patrols found — each counted and
//! linked to its list. An item
//! is shown only to a role that may act on it (a collector is not told of
//! the station's review queue), and only when something waits. Counts stop
//! at [`WAITING_COUNT_CAP`] ("1000+"): a register of a million awaiting
//! review would otherwise be counted on every visit to the home page.
//!
//! The services of the one-stop window (R4.1–R4.4) add their due and
//! overdue work through [`SERVICES`]: one entry per service, naming the
//! right that acts on it, its two labels and lists, and the store call
//! that counts it. A service is added there, and nowhere else here.

use crate::auth::Caller;
use crate::i18n::Tr;
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::services::family_planning::CheckWindows;
use sojourn_domain::unit::Scope;
use sojourn_store::family_planning::{FamilyPlanningList, FamilyPlanningQuery};
use sojourn_store::{PageRequest, PermitList, ReviewQueue, Store, WAITING_COUNT_CAP};
use time::{Date, OffsetDateTime};

/// A service's work on a day: open items due soon, and those past due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct DueCounts {
    pub due: u64,
    pub overdue: u64,
}

/// One service's line pair on the to-do list.
pub(crate) struct ServiceTodo {
    /// Who may act on the service's work: the roles allowed `Update` on it.
    pub resource: Resource,
    /// Catalogue keys of the two labels, and the lists they link to.
    pub due: (&'static str, &'static str),
    pub overdue: (&'static str, &'static str),
    /// Counts the work in scope on a day (each up to the cap, and one more).
    pub counts: fn(&dyn Store, &Scope, Date) -> sojourn_store::Result<DueCounts>,
}

/// The services' work, in the order the window takes it.
pub(crate) const SERVICES: &[ServiceTodo] = &[
    // Service requests (R4.2).
    ServiceTodo {
        resource: Resource::ServiceRequest,
        due: ("todo-requests-due", "/service-requests?state=open&sort=due"),
        overdue: ("todo-requests-overdue", "/service-requests?state=overdue"),
        counts: |store, scope, today| {
            let counts = store.request_counts(scope, today)?;
            Ok(DueCounts {
                due: counts.due_soon,
                overdue: counts.overdue,
            })
        },
    },
];

/// One line of the list: "待审核 651", linked to the list it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TodoItem {
    pub label: String,
    /// Up to [`WAITING_COUNT_CAP`] and one more, which reads "more".
    pub count: u64,
    pub href: &'static str,
}

impl TodoItem {
    /// The count as shown: "1000+" past the cap.
    pub(crate) fn shown(&self) -> String {
        if self.count > WAITING_COUNT_CAP {
            format!("{WAITING_COUNT_CAP}+")
        } else {
            self.count.to_string()
        }
    }
}

/// What kinds of waiting work the caller's roles may act on.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TodoRights {
    review: bool,
    correct: bool,
    spot_check: bool,
    resolve_findings: bool,
    decide_duplicates: bool,
    decide_transfers: bool,
    patrol: bool,
    work_permits: bool,
    /// Bit `i` set: the caller may act on `SERVICES[i]`'s work.
    services: u64,
    /// The 三查 windows, for a role that records the checks (the
    /// family-planning officer, the health service).
    three_checks: Option<CheckWindows>,
}

impl TodoRights {
    pub(crate) fn of(caller: &Caller) -> Self {
        let may = |action, resource| caller.principal.role_allowing(action, resource).is_some();
        Self {
            review: may(Action::Review, Resource::Review),
            correct: may(Action::Update, Resource::Review),
            spot_check: may(Action::SpotCheck, Resource::Review),
            resolve_findings: may(Action::Read, Resource::Quality)
                && may(Action::Update, Resource::Resident),
            decide_duplicates: may(Action::Manage, Resource::Quality),
            // Accepting ends a stay: the right to register a departure.
            decide_transfers: may(Action::Update, Resource::Resident),
            patrol: may(Action::Create, Resource::Patrol),
            work_permits: may(Action::Update, Resource::Permit),
            services: SERVICES
                .iter()
                .enumerate()
                .filter(|(_, service)| may(Action::Update, service.resource))
                .fold(0, |bits, (i, _)| bits | (1 << i)),
            three_checks: may(Action::Update, Resource::FamilyPlanning).then(CheckWindows::default),
        }
    }

    /// The deployment's 三查 windows instead of the default.
    pub(crate) fn with_check_windows(mut self, windows: CheckWindows) -> Self {
        self.three_checks = self.three_checks.map(|_| windows);
        self
    }
}

/// The waiting work in `scope`, in the order a day's work takes it.
pub(crate) fn todo_list(
    store: &dyn Store,
    scope: &Scope,
    rights: TodoRights,
    now: OffsetDateTime,
    tr: Tr,
) -> sojourn_store::Result<Vec<TodoItem>> {
    let mut items = Vec::new();
    let mut queue = |wanted: bool, queue, key: &str, href| -> sojourn_store::Result<()> {
        if wanted {
            let count = store.review_queue_size(scope, queue)?;
            items.push(TodoItem {
                label: tr.t(key),
                count,
                href,
            });
        }
        Ok(())
    };
    queue(
        rights.review,
        ReviewQueue::AwaitingReview,
        "todo-review",
        "/review",
    )?;
    queue(
        rights.correct,
        ReviewQueue::Corrections,
        "todo-corrections",
        "/review/corrections",
    )?;
    queue(
        rights.correct || rights.review,
        ReviewQueue::Overdue { now },
        "todo-overdue",
        "/review/overdue",
    )?;
    queue(
        rights.spot_check,
        ReviewQueue::AwaitingSpotCheck,
        "todo-spot-checks",
        "/review/spot-checks",
    )?;
    if rights.resolve_findings || rights.decide_duplicates {
        let waiting = store.quality_waiting(scope)?;
        if rights.resolve_findings {
            items.push(TodoItem {
                label: tr.t("todo-findings"),
                count: waiting.findings,
                href: "/quality/findings",
            });
        }
        if rights.decide_duplicates {
            items.push(TodoItem {
                label: tr.t("todo-duplicates"),
                count: waiting.duplicates,
                href: "/quality/duplicates",
            });
        }
    }
    if rights.decide_transfers {
        items.push(TodoItem {
            label: tr.t("todo-transfers"),
            count: store.pending_transfers(scope)?,
            href: "/transfers",
        });
    }
    if rights.patrol {
        let today = now.to_offset(sojourn_domain::time_rules::CHINA).date();
        let waiting = store.patrol_waiting(scope, today)?;
        items.push(TodoItem {
            label: tr.t("todo-patrols-overdue"),
            count: waiting.overdue,
            href: "/patrols?state=overdue",
        });
        items.push(TodoItem {
            label: tr.t("todo-patrol-tasks"),
            count: waiting.open_tasks,
            href: "/patrols#tasks",
        });
    }
    let today = now.to_offset(sojourn_domain::time_rules::CHINA).date();
    for (i, service) in SERVICES.iter().enumerate() {
        if rights.services & (1 << i) != 0 {
            let counts = (service.counts)(store, scope, today)?;
            for ((key, href), count) in
                [(service.overdue, counts.overdue), (service.due, counts.due)]
            {
                items.push(TodoItem {
                    label: tr.t(key),
                    count,
                    href,
                });
            }
        }
    }
    if rights.work_permits {
        // Residence permits: what the window must do today.
        for (list, key, href) in [
            (
                PermitList::ToAccept,
                "todo-permits-to-accept",
                "/permits?list=to_accept",
            ),
            (
                PermitList::IssueOverdue,
                "todo-permits-issue-overdue",
                "/permits?list=issue_overdue",
            ),
            (
                PermitList::EndorsementDue,
                "todo-permits-endorsement-due",
                "/permits?list=endorsement_due",
            ),
            (
                PermitList::EndorsementOverdue,
                "todo-permits-endorsement-overdue",
                "/permits?list=endorsement_overdue",
            ),
        ] {
            items.push(TodoItem {
                label: tr.t(key),
                count: store.permit_list_size(scope, list, today)?,
                href,
            });
        }
    }
    if let Some(windows) = rights.three_checks {
        let lists = [
            (
                FamilyPlanningList::Due,
                "todo-three-checks-due",
                "/family-planning?list=due",
            ),
            (
                FamilyPlanningList::Missed,
                "todo-three-checks-missed",
                "/family-planning?list=missed",
            ),
        ];
        for (list, key, href) in lists {
            let query = FamilyPlanningQuery {
                list,
                today: now.to_offset(sojourn_domain::time_rules::CHINA).date(),
                windows,
                page: PageRequest::default(),
            };
            items.push(TodoItem {
                label: tr.t(key),
                count: store.family_planning_worklist(scope, &query)?.total,
                href,
            });
        }
    }
    items.retain(|item| item.count > 0);
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(count: u64) -> TodoItem {
        TodoItem {
            label: "待审核".to_owned(),
            count,
            href: "/review",
        }
    }

    #[test]
    fn a_count_past_the_cap_reads_more_than_the_cap() {
        assert_eq!(item(7).shown(), "7");
        assert_eq!(item(WAITING_COUNT_CAP).shown(), "1000");
        assert_eq!(item(WAITING_COUNT_CAP + 1).shown(), "1000+");
    }
}
