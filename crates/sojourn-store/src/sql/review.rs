//! The review workflow (R3.1): each register record's review state and the
//! append-only history of its steps. A record gets its state in the
//! transaction that creates it (`open_reviews`, called by the register
//! paths); later steps move it through `ReviewStatus::take`, scoped to the
//! unit holding the record now, versioned and audited.
//!
//! The review workflow (R3.1, 采集 → 录入 → 审核 → 抽查) is a state machine in the
//! domain (`review.rs`): `ReviewState::after` is the only way a state moves
//! (collected → entered → approved / rejected / returned; returned → re-
//! submitted → entered; approved → spot-checked) and refuses every other
//! step; `ReviewStatus::take` keeps who and when beside each outcome, and
//! whether the entry came more than 24 hours after collection. Which role
//! may take which step is the permission table's (`Resource::Review` with
//! `Update` to enter and re-submit, `Action::Review` to decide,
//! `Action::SpotCheck`). The store (`sql/review.rs`, migration
//! `0500_review`) keeps one `review_states` row per register record (stays,
//! houses, employers, outflows; versioned, changed in place) and the append-
//! only `review_steps` (triggers refuse UPDATE and DELETE). A record's
//! review begins in the transaction that creates it, by one call in each
//! register path (`open_review`, `open_arrival_reviews` for a batch of
//! arrivals): collected when a collector made it, then and there if the
//! collector says when and where (`Actor::collection`, a
//! `sojourn_domain::collection::Collection`: a time not in the future, at
//! most 30 days back and not before the stay's arrival or the outflow's
//! departure, and a free-text place), else now at the collector's collection
//! point; entered otherwise; an edit that moves a record to another unit
//! moves its review along (`follow_unit`). Records registered before the
//! migration get their review from migration `0610_review_backfill`:
//! entered, by whoever created them and when, with the first step to match
//! (set-based and idempotent, run again by the conformance suite). Each
//! later step is scoped to the unit holding the record now, checked against
//! the version read, stamped with the caller's clock and audited
//! (`residence_review` … as the object). Times are kept also as Unix seconds
//! so that the 24-hour rule and the counts compare numbers on both engines.
//! The API (`api/review.rs`, `/api/v1/review/…`, one route per step so each
//! has its permission) and the pages (`pages/review.rs`: 审核队列, 待更正, 超时未录入,
//! 待抽查, the workload counts per person and unit) call the same store
//! methods; the lists are named, filtered, sorted and paged by
//! `Store::review_list` with the filters read from the URL
//! (`pages/review_filters.rs`), and `/review/approve-selected` approves the
//! ticked rows one step each. A discrepant spot check returns the record for
//! correction. Each record's own page (person file, house, employer,
//! outflow) shows its review through `pages/review_panel.rs` and
//! `templates/review_panel.html`: state, collection, steps, and the steps
//! the reader's role may take (`templates/review_actions.html`, shared with
//! the lists), which come back to the page. The registration requests
//! (arrival, house, employer, outflow) take a collector's `collected_at` and
//! `collected_place` (`dto/collection.rs`; refused for anyone else), as does
//! the registration form, with live checks.

use super::{Row, Tx, Value, scope_bounds};
use crate::audit::{AuditAction, ObjectKind};
use crate::review::{
    ReviewCounts, ReviewFilter, ReviewItem, ReviewList, ReviewQueue, ReviewSort, StepCount,
};
use crate::{Actor, PageRequest, Result, StoreError};
use sojourn_domain::account::Role;
use sojourn_domain::person::PersonId;
use sojourn_domain::residence::{Arrival, ResidenceId};
use sojourn_domain::review::{
    ENTRY_DEADLINE, RecordKind, ReviewEvent, ReviewRecord, ReviewState, ReviewStatus, ReviewStep,
    SpotCheckResult, Stamp, StepKind,
};
use sojourn_domain::unit::{Scope, UnitCode};
use time::OffsetDateTime;

const STATE_COLUMNS: &[&str] = &[
    "record_kind",
    "record_id",
    "unit_code",
    "person_id",
    "state",
    "version",
    "collected_at",
    "collected_s",
    "collected_by",
    "collected_place",
    "entered_at",
    "entered_by",
    "entered_late",
];

const STEP_COLUMNS: &[&str] = &[
    "record_kind",
    "record_id",
    "unit_code",
    "step",
    "state_after",
    "actor",
    "actor_account",
    "actor_unit",
    "at",
    "at_s",
    "place",
    "reason",
    "result",
];

const SELECT_STATE: &str = "SELECT record_kind, record_id, unit_code, person_id, state, version, \
    collected_at, collected_by, collected_place, entered_at, entered_by, entered_late, \
    decided_at, decided_by, reason, checked_at, checked_by, check_result FROM review_states";

/// A record just created, as its review begins.
pub(crate) struct Opened<'a> {
    pub id: i64,
    pub unit: &'a UnitCode,
    pub person: Option<PersonId>,
}

/// Starts the review of records created by `actor` at `at`, in the
/// creating transaction: collected when a collector made them (when and
/// where the collector says, `Actor::collection`, else now at the
/// collector's collection point), entered otherwise.
pub(crate) fn open_reviews(
    tx: &mut dyn Tx,
    kind: RecordKind,
    records: &[Opened<'_>],
    actor: &Actor,
    at: OffsetDateTime,
) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let by_collector = actor.role == Some(Role::Collector);
    let state = ReviewState::opening(by_collector);
    let step = if by_collector {
        StepKind::Collect
    } else {
        StepKind::Enter
    };
    let collection = actor.collection.as_ref().filter(|_| by_collector);
    let place: Value = match collection.and_then(|c| c.place.as_ref()) {
        Some(place) => place.as_str().into(),
        None if by_collector => actor.unit.as_ref().map(|u| u.as_str()).into(),
        None => Value::Null,
    };
    // The collection step happened when the collector says it did.
    let step_at = collection.and_then(|c| c.at).map_or(at, |t| t.at());
    let stamp_if = |yes: bool, value: Value| if yes { value } else { Value::Null };
    let states: Vec<Vec<Value>> = records
        .iter()
        .map(|r| {
            vec![
                kind.code().into(),
                r.id.into(),
                r.unit.as_str().into(),
                r.person.map(|p| p.0).into(),
                state.code().into(),
                1i64.into(),
                stamp_if(by_collector, step_at.into()),
                stamp_if(by_collector, step_at.unix_timestamp().into()),
                stamp_if(by_collector, actor.name.as_str().into()),
                place.clone(),
                stamp_if(!by_collector, at.into()),
                stamp_if(!by_collector, actor.name.as_str().into()),
                0i64.into(),
            ]
        })
        .collect();
    let steps: Vec<Vec<Value>> = records
        .iter()
        .map(|r| {
            let event = Event {
                step,
                state_after: state,
                place: place.clone(),
                reason: None,
                result: None,
            };
            step_row(kind, r.id, r.unit, &event, actor, step_at)
        })
        .collect();
    tx.insert_rows("review_states", STATE_COLUMNS, &states)?;
    tx.insert_rows("review_steps", STEP_COLUMNS, &steps)
}

/// Starts the review of one record just created (not a stay).
pub(crate) fn open_review(
    tx: &mut dyn Tx,
    kind: RecordKind,
    id: i64,
    unit: &UnitCode,
    actor: &Actor,
) -> Result<()> {
    let opened = Opened {
        id,
        unit,
        person: None,
    };
    open_reviews(tx, kind, &[opened], actor, super::now())
}

/// Keeps a record's review with the unit holding the record, when an edit
/// moves it (so the new unit's queues list it, and the old unit's no more).
pub(crate) fn follow_unit(
    tx: &mut dyn Tx,
    kind: RecordKind,
    id: i64,
    unit: &UnitCode,
) -> Result<()> {
    tx.execute(
        "UPDATE review_states SET unit_code = $1 \
         WHERE record_kind = $2 AND record_id = $3 AND unit_code <> $1",
        &[unit.as_str().into(), kind.code().into(), id.into()],
    )
    .map(drop)
}

/// Starts the review of the stays a batch of arrivals wrote.
pub(crate) fn open_arrival_reviews(
    tx: &mut dyn Tx,
    arrivals: &[Arrival],
    outcomes: &[Result<(PersonId, ResidenceId)>],
    actor: &Actor,
    at: OffsetDateTime,
) -> Result<()> {
    let opened: Vec<Opened<'_>> = arrivals
        .iter()
        .zip(outcomes)
        .filter_map(|(arrival, outcome)| {
            let (person, residence) = outcome.as_ref().ok()?;
            Some(Opened {
                id: residence.0,
                unit: &arrival.stay.unit,
                person: Some(*person),
            })
        })
        .collect();
    open_reviews(tx, RecordKind::Residence, &opened, actor, at)
}

struct Event {
    step: StepKind,
    state_after: ReviewState,
    place: Value,
    reason: Option<String>,
    result: Option<SpotCheckResult>,
}

fn step_row(
    kind: RecordKind,
    id: i64,
    unit: &UnitCode,
    event: &Event,
    actor: &Actor,
    at: OffsetDateTime,
) -> Vec<Value> {
    vec![
        kind.code().into(),
        id.into(),
        unit.as_str().into(),
        event.step.code().into(),
        event.state_after.code().into(),
        actor.name.as_str().into(),
        actor.account.map(|a| a.0).into(),
        actor.unit.as_ref().map(|u| u.as_str()).into(),
        at.into(),
        at.unix_timestamp().into(),
        event.place.clone(),
        event.reason.clone().into(),
        event.result.map(|r| r.code()).into(),
    ]
}

fn table(kind: RecordKind) -> Result<&'static str> {
    Ok(match kind {
        RecordKind::Residence => "residences",
        RecordKind::House => "houses",
        RecordKind::Employer => "employers",
        RecordKind::Outflow => "outflows",
        other => return Err(not_reviewed(other)),
    })
}

/// A kind outside [`RecordKind::REVIEWED`] met where a reviewed one must be.
fn not_reviewed(kind: RecordKind) -> StoreError {
    StoreError::Review(sojourn_domain::review::ReviewError::UnknownKind(
        kind.code().to_owned(),
    ))
}

fn not_found(record: ReviewRecord) -> StoreError {
    StoreError::NotFound {
        kind: record.kind,
        id: record.id.to_string(),
    }
}

/// The unit holding the record now, if it is in scope.
fn record_unit(tx: &mut dyn Tx, scope: &Scope, record: ReviewRecord) -> Result<String> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT unit_code FROM {} WHERE id = $1 AND unit_code >= $2 AND unit_code < $3",
        table(record.kind)?
    );
    let row = tx.query_opt(&sql, &[record.id.into(), low, high])?;
    match row {
        Some(row) => Ok(row.text(0)?.to_owned()),
        None => Err(not_found(record)),
    }
}

/// A record's review as it stands, read in scope: `NotFound` when the
/// record is out of scope, or predates the workflow.
fn current(tx: &mut dyn Tx, scope: &Scope, record: ReviewRecord) -> Result<ReviewStatus> {
    record_unit(tx, scope, record)?;
    let sql = format!("{SELECT_STATE} WHERE record_kind = $1 AND record_id = $2");
    match tx.query_opt(&sql, &[record.kind.code().into(), record.id.into()])? {
        Some(row) => status(&row),
        None => Err(not_found(record)),
    }
}

/// A record's review and its history, oldest step first.
pub(crate) fn review_status(
    tx: &mut dyn Tx,
    scope: &Scope,
    record: ReviewRecord,
) -> Result<(ReviewStatus, Vec<ReviewEvent>)> {
    let now = current(tx, scope, record)?;
    let rows = tx.query(
        "SELECT step, state_after, actor, at, place, reason, result FROM review_steps \
         WHERE record_kind = $1 AND record_id = $2 ORDER BY id",
        &[record.kind.code().into(), record.id.into()],
    )?;
    let events = rows.iter().map(event).collect::<Result<Vec<_>>>()?;
    Ok((now, events))
}

/// Takes `step` on a record in scope whose review is at `expected_version`,
/// at `at` (the caller's clock), audited in the same transaction.
pub(crate) fn take_review_step(
    tx: &mut dyn Tx,
    scope: &Scope,
    record: ReviewRecord,
    step: &ReviewStep,
    expected_version: i64,
    at: OffsetDateTime,
    actor: &Actor,
) -> Result<ReviewStatus> {
    let before = current(tx, scope, record)?;
    if before.version != expected_version {
        return Err(StoreError::VersionConflict {
            expected: expected_version,
            current: before.version,
        });
    }
    let stamp = Stamp {
        by: actor.name.clone(),
        at,
    };
    let mut after = before.take(step, stamp).map_err(StoreError::Review)?;
    // The record may have moved since its review began.
    after.unit = record_unit(tx, scope, record)?;
    let unit = UnitCode::parse(&after.unit).map_err(|_| {
        StoreError::Corrupt(format!("stored unit {:?} no longer parses", after.unit))
    })?;
    let changed = tx.execute(
        "UPDATE review_states SET unit_code = $1, state = $2, version = $3, entered_at = $4, \
         entered_by = $5, entered_late = $6, decided_at = $7, decided_by = $8, reason = $9, \
         checked_at = $10, checked_by = $11, check_result = $12 \
         WHERE record_kind = $13 AND record_id = $14 AND version = $15",
        &[
            after.unit.as_str().into(),
            after.state.code().into(),
            after.version.into(),
            after.entered.as_ref().map(|s| s.at).into(),
            after.entered.as_ref().map(|s| s.by.as_str()).into(),
            i64::from(after.entered_late).into(),
            after.decided.as_ref().map(|s| s.at).into(),
            after.decided.as_ref().map(|s| s.by.as_str()).into(),
            after.reason.as_deref().into(),
            after.spot_checked.as_ref().map(|s| s.at).into(),
            after.spot_checked.as_ref().map(|s| s.by.as_str()).into(),
            after.spot_check_result.map(|r| r.code()).into(),
            record.kind.code().into(),
            record.id.into(),
            expected_version.into(),
        ],
    )?;
    if changed != 1 {
        return Err(StoreError::VersionConflict {
            expected: expected_version,
            current: expected_version + 1,
        });
    }
    let event = Event {
        step: step.kind(),
        state_after: after.state,
        place: Value::Null,
        reason: step.reason().map(|r| r.as_str().to_owned()),
        result: step.result(),
    };
    tx.insert_rows(
        "review_steps",
        STEP_COLUMNS,
        &[step_row(record.kind, record.id, &unit, &event, actor, at)],
    )?;
    super::audit::record_change(
        tx,
        actor,
        AuditAction::Update,
        (audit_kind(record.kind)?, record.id),
        &unit,
        Some(snapshot(&before, None)),
        snapshot(&after, Some(step)),
    )?;
    Ok(after)
}

fn audit_kind(kind: RecordKind) -> Result<ObjectKind> {
    if RecordKind::REVIEWED.contains(&kind) {
        Ok(ObjectKind::Review(kind))
    } else {
        Err(not_reviewed(kind))
    }
}

/// What the audit trail keeps of a review (no personal data in it).
fn snapshot(s: &ReviewStatus, step: Option<&ReviewStep>) -> serde_json::Value {
    serde_json::json!({
        "record": s.record.kind.code(),
        "id": s.record.id,
        "state": s.state.code(),
        "version": s.version,
        "step": step.map(|s| s.kind().code()),
        "reason": s.reason,
        "spot_check_result": s.spot_check_result.map(|r| r.code()),
    })
}

/// A page of one of the workflow's queues in scope.
pub(crate) fn review_queue(
    tx: &mut dyn Tx,
    scope: &Scope,
    queue: ReviewQueue,
    page: PageRequest,
) -> Result<Vec<ReviewStatus>> {
    let mut conditions = Conditions::of(scope, queue);
    let (limit, offset) = conditions.page(page);
    let sql = format!(
        "{SELECT_STATE} WHERE {} ORDER BY record_kind, record_id LIMIT ${limit} OFFSET ${offset}",
        conditions.text
    );
    tx.query(&sql, &conditions.params)?
        .iter()
        .map(status)
        .collect()
}

/// How many records in scope wait in `queue` (the home page's to-do list),
/// up to [`crate::WAITING_COUNT_CAP`] and one more.
pub(crate) fn review_queue_size(tx: &mut dyn Tx, scope: &Scope, queue: ReviewQueue) -> Result<u64> {
    let conditions = Conditions::of(scope, queue);
    let from = format!("FROM review_states WHERE {}", conditions.text);
    super::count(
        tx,
        &from,
        &conditions.params,
        Some(crate::WAITING_COUNT_CAP),
    )
}

/// What a reader knows a record by: the person's name, the house's
/// address, the employer's or outflow person's name.
const RECORD_NAME: &str = "CASE review_states.record_kind \
    WHEN 'residence' THEN (SELECT p.name FROM persons p WHERE p.id = review_states.person_id) \
    WHEN 'house' THEN (SELECT h.address FROM houses h WHERE h.id = review_states.record_id) \
    WHEN 'employer' THEN (SELECT e.name FROM employers e WHERE e.id = review_states.record_id) \
    WHEN 'outflow' THEN (SELECT o.name FROM outflows o WHERE o.id = review_states.record_id) END";

/// A page of a queue as a list page shows it: narrowed, sorted, named.
pub(crate) fn review_list(
    tx: &mut dyn Tx,
    scope: &Scope,
    queue: ReviewQueue,
    filter: &ReviewFilter,
    page: PageRequest,
) -> Result<ReviewList> {
    let collectors = collectors(tx, &Conditions::of(scope, queue))?;
    let mut conditions = Conditions::of(scope, queue);
    conditions.narrow(queue, filter);
    let total = count(tx, &conditions)?;
    let order = order_by(queue, filter.sort);
    let (limit, offset) = conditions.page(page);
    let select = SELECT_STATE.replace(
        " FROM review_states",
        &format!(", {RECORD_NAME} FROM review_states"),
    );
    let sql = format!(
        "{select} WHERE {} ORDER BY {order} LIMIT ${limit} OFFSET ${offset}",
        conditions.text
    );
    let items = tx
        .query(&sql, &conditions.params)?
        .iter()
        .map(|row| {
            Ok(ReviewItem {
                status: status(row)?,
                name: row.opt_text(18)?.unwrap_or_default().to_owned(),
            })
        })
        .collect::<Result<_>>()?;
    Ok(ReviewList {
        items,
        total,
        collectors,
    })
}

/// At most this many collectors are offered as the filter's choices.
const COLLECTOR_CHOICES: i64 = 200;

fn collectors(tx: &mut dyn Tx, conditions: &Conditions) -> Result<Vec<String>> {
    let mut params = conditions.params.clone();
    params.push(COLLECTOR_CHOICES.into());
    let sql = format!(
        "SELECT DISTINCT collected_by FROM review_states WHERE {} AND collected_by IS NOT NULL \
         ORDER BY collected_by LIMIT ${}",
        conditions.text,
        params.len()
    );
    tx.query(&sql, &params)?
        .iter()
        .map(|row| Ok(row.text(0)?.to_owned()))
        .collect()
}

fn count(tx: &mut dyn Tx, conditions: &Conditions) -> Result<u64> {
    let sql = format!(
        "SELECT COUNT(*) FROM review_states WHERE {}",
        conditions.text
    );
    let count = tx.query_one(&sql, &conditions.params)?.int(0)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Since when a record has waited on `queue`: its entry for the review,
/// the station's decision for corrections and spot checks, its
/// collection for the overdue.
fn waiting_column(queue: ReviewQueue) -> &'static str {
    match queue {
        ReviewQueue::AwaitingReview => "entered_at",
        ReviewQueue::Corrections | ReviewQueue::AwaitingSpotCheck => "decided_at",
        ReviewQueue::Overdue { .. } => "collected_at",
    }
}

fn order_by(queue: ReviewQueue, sort: ReviewSort) -> String {
    let waiting = waiting_column(queue);
    match sort {
        ReviewSort::Registered => "record_kind, record_id".to_owned(),
        ReviewSort::OldestFirst => format!("{waiting}, record_kind, record_id"),
        ReviewSort::NewestFirst => format!("{waiting} DESC, record_kind, record_id"),
        ReviewSort::Unit => "unit_code, record_kind, record_id".to_owned(),
    }
}

/// The WHERE clause of a work list and its parameters, numbered as added.
struct Conditions {
    text: String,
    params: Vec<Value>,
}

impl Conditions {
    /// The records in scope on `queue`.
    fn of(scope: &Scope, queue: ReviewQueue) -> Self {
        let [low, high] = scope_bounds(scope);
        let mut params = vec![low, high];
        let filter = queue_filter(queue, &mut params);
        Self {
            text: format!("unit_code >= $1 AND unit_code < $2 AND {filter}"),
            params,
        }
    }

    fn and(&mut self, condition: &str, value: Value) {
        self.params.push(value);
        let n = self.params.len();
        self.text.push_str(&format!(
            " AND {}",
            condition.replace("$?", &format!("${n}"))
        ));
    }

    fn narrow(&mut self, queue: ReviewQueue, filter: &ReviewFilter) {
        if let Some(kind) = filter.kind {
            self.and("record_kind = $?", kind.code().into());
        }
        if let Some(collector) = &filter.collector {
            self.and("collected_by = $?", collector.as_str().into());
        }
        if let Some(before) = filter.waiting_before {
            self.and(&format!("{} < $?", waiting_column(queue)), before.into());
        }
        if filter.late_only {
            self.text.push_str(" AND entered_late = 1");
        }
    }

    /// Adds the page's limit and offset; their parameter numbers.
    fn page(&mut self, page: PageRequest) -> (usize, usize) {
        self.params.push(i64::from(page.limit()).into());
        self.params
            .push(i64::try_from(page.offset()).unwrap_or(i64::MAX).into());
        (self.params.len() - 1, self.params.len())
    }
}

/// The condition of a queue on `review_states`, after the scope's two
/// parameters.
fn queue_filter(queue: ReviewQueue, params: &mut Vec<Value>) -> &'static str {
    match queue {
        ReviewQueue::AwaitingReview => "state = 'entered'",
        ReviewQueue::Corrections => "state = 'returned'",
        ReviewQueue::AwaitingSpotCheck => "state = 'approved'",
        ReviewQueue::Overdue { now } => {
            params.push((now - ENTRY_DEADLINE).unix_timestamp().into());
            "((state = 'collected' AND collected_s < $3) OR entered_late = 1)"
        }
    }
}

/// Steps taken on records in scope since `since` (all when `None`), by
/// step and person and by step and unit.
pub(crate) fn review_counts(
    tx: &mut dyn Tx,
    scope: &Scope,
    since: Option<OffsetDateTime>,
) -> Result<ReviewCounts> {
    let [low, high] = scope_bounds(scope);
    let since = since.map_or(i64::MIN, OffsetDateTime::unix_timestamp);
    let filter = "FROM review_steps WHERE unit_code >= $1 AND unit_code < $2 AND at_s >= $3";
    let params = [low, high, since.into()];
    let by_person = tx.query(
        &format!("SELECT step, actor, COUNT(*) {filter} GROUP BY step, actor ORDER BY actor, step"),
        &params,
    )?;
    let by_unit = tx.query(
        &format!(
            "SELECT step, unit_code, COUNT(*) {filter} GROUP BY step, unit_code \
             ORDER BY unit_code, step"
        ),
        &params,
    )?;
    Ok(ReviewCounts {
        by_person: by_person.iter().map(step_count).collect::<Result<_>>()?,
        by_unit: by_unit.iter().map(step_count).collect::<Result<_>>()?,
    })
}

fn step_count(row: &Row) -> Result<StepCount> {
    Ok(StepCount {
        step: StepKind::parse(row.text(0)?).map_err(StoreError::Review)?,
        who: row.text(1)?.to_owned(),
        count: u64::try_from(row.int(2)?).unwrap_or(0),
    })
}

fn stamp(row: &Row, at: usize, by: usize) -> Result<Option<Stamp>> {
    match (row.opt_time(at)?, row.opt_text(by)?) {
        (Some(at), Some(by)) => Ok(Some(Stamp {
            by: by.to_owned(),
            at,
        })),
        _ => Ok(None),
    }
}

fn status(row: &Row) -> Result<ReviewStatus> {
    let kind = RecordKind::parse_reviewed(row.text(0)?).map_err(StoreError::Review)?;
    Ok(ReviewStatus {
        record: ReviewRecord {
            kind,
            id: row.int(1)?,
        },
        unit: row.text(2)?.to_owned(),
        person: row.opt_int(3)?,
        state: ReviewState::parse(row.text(4)?).map_err(StoreError::Review)?,
        version: row.int(5)?,
        collected: stamp(row, 6, 7)?,
        collected_place: row.opt_text(8)?.map(str::to_owned),
        entered: stamp(row, 9, 10)?,
        entered_late: row.int(11)? != 0,
        decided: stamp(row, 12, 13)?,
        reason: row.opt_text(14)?.map(str::to_owned),
        spot_checked: stamp(row, 15, 16)?,
        spot_check_result: row
            .opt_text(17)?
            .map(SpotCheckResult::parse)
            .transpose()
            .map_err(StoreError::Review)?,
    })
}

fn event(row: &Row) -> Result<ReviewEvent> {
    Ok(ReviewEvent {
        step: StepKind::parse(row.text(0)?).map_err(StoreError::Review)?,
        state_after: ReviewState::parse(row.text(1)?).map_err(StoreError::Review)?,
        stamp: Stamp {
            by: row.text(2)?.to_owned(),
            at: row.time(3)?,
        },
        place: row.opt_text(4)?.map(str::to_owned),
        reason: row.opt_text(5)?.map(str::to_owned),
        result: row
            .opt_text(6)?
            .map(SpotCheckResult::parse)
            .transpose()
            .map_err(StoreError::Review)?,
    })
}
