//! A record's review as the record's own page shows it: the person file
//! (one panel per stay), and the house, employer and outflow pages. State,
//! who collected it when and where, the steps with who, when and why, and
//! the steps the reader's role may take now, posted to the workflow's
//! routes (`/review/{kind}/{id}/{step}`, each behind its permission) with
//! the page to come back to.

use super::access::Units;
use super::review::{record_href, result_name, stamped, state_name, step_name, unit_name, when};
use crate::auth::Caller;
use crate::i18n::Tr;
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::review::{ReviewEvent, ReviewRecord, ReviewState, ReviewStatus};
use sojourn_domain::unit::Scope;
use sojourn_store::{Store, StoreError};

/// A record's review and its steps, oldest first.
pub(crate) type Review = (ReviewStatus, Vec<ReviewEvent>);

/// The review of `record`, `None` when it has none (a record the store
/// reports not found here is not the page's to show).
pub(crate) fn load(
    store: &dyn Store,
    scope: &Scope,
    record: ReviewRecord,
) -> sojourn_store::Result<Option<Review>> {
    match store.review_status(scope, record) {
        Ok(review) => Ok(Some(review)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Which steps of the workflow the reader's roles allow.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReviewRights {
    enter: bool,
    decide: bool,
    spot_check: bool,
}

impl ReviewRights {
    pub(crate) fn of(caller: &Caller) -> Self {
        let may = |action| {
            caller
                .principal
                .role_allowing(action, Resource::Review)
                .is_some()
        };
        Self {
            enter: may(Action::Update),
            decide: may(Action::Review),
            spot_check: may(Action::SpotCheck),
        }
    }
}

/// One step of a review history.
pub(crate) struct EventView {
    pub step: String,
    pub by: String,
    pub at: String,
    pub note: String,
}

/// One record's review, ready for `review_panel.html`.
pub(crate) struct ReviewPanel {
    /// Which record, where a page shows several (the person's stays).
    pub heading: String,
    pub kind: &'static str,
    pub id: i64,
    pub version: i64,
    pub state: String,
    pub late: bool,
    pub reason: String,
    /// Who collected it and when, empty if it was not collected.
    pub collected: String,
    pub place: String,
    pub history: Vec<EventView>,
    /// The record's page, where a step taken here comes back to.
    pub back: String,
    /// Why a step was refused here (shown beside its field); the panel
    /// itself never has one, a refusal there is a page of its own.
    pub error: String,
    pub may_enter: bool,
    pub may_resubmit: bool,
    pub may_decide: bool,
    pub may_spot_check: bool,
}

/// The panel of one review, with the steps `rights` allow in its state.
pub(crate) fn panel(
    tr: Tr,
    units: &Units,
    rights: ReviewRights,
    (status, history): &Review,
    heading: String,
) -> ReviewPanel {
    let place = |text: &str| unit_name(units, text);
    ReviewPanel {
        heading,
        kind: status.record.kind.code(),
        id: status.record.id,
        version: status.version,
        state: state_name(tr, status.state),
        late: status.entered_late,
        reason: status.reason.clone().unwrap_or_default(),
        collected: stamped(status.collected.as_ref()),
        place: status
            .collected_place
            .as_deref()
            .map(place)
            .unwrap_or_default(),
        history: history
            .iter()
            .map(|e| EventView {
                step: step_name(tr, e.step),
                by: e.stamp.by.clone(),
                at: when(e.stamp.at),
                note: match (&e.reason, e.result) {
                    (Some(reason), Some(result)) => {
                        format!("{} {reason}", result_name(tr, result.code()))
                    }
                    (None, Some(result)) => result_name(tr, result.code()),
                    (Some(reason), None) => reason.clone(),
                    (None, None) => e.place.as_deref().map(place).unwrap_or_default(),
                },
            })
            .collect(),
        back: record_href(status),
        error: String::new(),
        may_enter: rights.enter && status.state == ReviewState::Collected,
        may_resubmit: rights.enter && status.state == ReviewState::Returned,
        may_decide: rights.decide && status.state == ReviewState::Entered,
        may_spot_check: rights.spot_check && status.state == ReviewState::Approved,
    }
}

/// The panel of a page showing one record (house, employer, outflow).
pub(crate) fn panels(
    tr: Tr,
    units: &Units,
    rights: ReviewRights,
    review: Option<&Review>,
) -> Vec<ReviewPanel> {
    review
        .map(|r| panel(tr, units, rights, r, String::new()))
        .into_iter()
        .collect()
}
