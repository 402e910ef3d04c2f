//! The home page's to-do list (待办事项): what waits for the signed-in
//! person in their jurisdiction — records to review, to correct, entered
//! late, to spot-check, data-quality findings to resolve, probable
//! duplicate files to decide and transfer requests other communities sent
//! (转移申请, to accept or decline) — each counted and linked to its list. An item
//! is shown only to a role that may act on it (a collector is not told of
//! the station's review queue), and only when something waits.

use crate::auth::Caller;
use crate::i18n::Tr;
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::unit::Scope;
use sojourn_store::{ReviewQueue, Store};
use time::OffsetDateTime;

/// One line of the list: "待审核 6451", linked to the list it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TodoItem {
    pub label: String,
    pub count: u64,
    pub href: &'static str,
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
        }
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
        let counts = store.quality_counts(scope)?;
        if rights.resolve_findings {
            items.push(TodoItem {
                label: tr.t("todo-findings"),
                count: counts.findings.iter().map(|c| c.count).sum(),
                href: "/quality/findings",
            });
        }
        if rights.decide_duplicates {
            items.push(TodoItem {
                label: tr.t("todo-duplicates"),
                count: counts.open_duplicates.iter().map(|(_, n)| n).sum(),
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
    items.retain(|item| item.count > 0);
    Ok(items)
}
