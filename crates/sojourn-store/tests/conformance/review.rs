//! The review workflow (R3.1): collected → entered → approved / rejected /
//! returned → spot-checked, on every kind of register record.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::account::Role;
use sojourn_domain::residence::Arrival;
use sojourn_domain::review::{
    RecordKind, ReviewError, ReviewRecord, ReviewState, ReviewStep, SpotCheckResult, StepKind,
};
use sojourn_domain::text::Note;
use sojourn_domain::unit::Scope;
use sojourn_store::*;
use time::{Duration, OffsetDateTime};

/// A collection point below 多福巷社区 (grid 001, point 001).
const POINT: &str = "110101001001001";

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

fn as_role(name: &str, role: Role, unit: &str) -> Actor {
    let mut actor = Actor::new(name);
    actor.role = Some(role);
    actor.unit = Some(code(unit));
    actor
}

fn collector() -> Actor {
    as_role("caiji01", Role::Collector, POINT)
}
fn coordinator() -> Actor {
    as_role("xieguan01", Role::Coordinator, DUOFU)
}
fn chief() -> Actor {
    as_role("zhanzhang01", Role::StationChief, TOWN)
}
fn inspector() -> Actor {
    as_role("ducha01", Role::Inspector, TOWN)
}

fn stay_by(store: &dyn Store, who: &Actor, seq: u16) -> ReviewRecord {
    let number = id_number("19900307", seq);
    let (_, residence) = store
        .register_arrival(
            &scope(DUOFU),
            &arrival(&number, "张三", DUOFU, "2024-03-05"),
            who,
        )
        .expect("arrival");
    ReviewRecord {
        kind: RecordKind::Residence,
        id: residence.id.0,
    }
}

fn reason(text: &str) -> Note {
    Note::parse(text).expect("reason")
}

fn step(
    store: &dyn Store,
    record: ReviewRecord,
    step: ReviewStep,
    version: i64,
    at: OffsetDateTime,
    who: &Actor,
) -> Result<sojourn_domain::review::ReviewStatus> {
    store.take_review_step(&scope(TOWN), record, &step, version, at, who)
}

pub fn a_collected_stay_is_entered_returned_corrected_approved_and_spot_checked(db: &TestDb) {
    let store = deployed(db);
    let record = stay_by(store, &collector(), 31);
    let (status, history) = store.review_status(&scope(DUOFU), record).expect("status");
    assert_eq!(status.state, ReviewState::Collected);
    assert_eq!(
        status.collected.as_ref().map(|s| s.by.as_str()),
        Some("caiji01")
    );
    assert_eq!(status.collected_place.as_deref(), Some(POINT));
    assert!(status.person.is_some());
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].step, StepKind::Collect);

    let now = OffsetDateTime::now_utc();
    let entered = step(store, record, ReviewStep::Enter, 1, now, &coordinator()).expect("enter");
    assert_eq!(entered.state, ReviewState::Entered);
    assert!(!entered.entered_late);
    let returned = step(
        store,
        record,
        ReviewStep::Return {
            reason: reason("现住址门牌号缺失"),
        },
        2,
        now,
        &chief(),
    )
    .expect("return");
    assert_eq!(returned.reason.as_deref(), Some("现住址门牌号缺失"));
    let corrections = store
        .review_queue(
            &scope(DUOFU),
            ReviewQueue::Corrections,
            PageRequest::default(),
        )
        .expect("corrections");
    let size = store.review_queue_size(&scope(DUOFU), ReviewQueue::Corrections);
    assert_eq!(size.expect("size"), 1);
    assert_eq!(
        corrections.iter().map(|s| s.record).collect::<Vec<_>>(),
        [record]
    );

    step(store, record, ReviewStep::Resubmit, 3, now, &coordinator()).expect("resubmit");
    let waiting = store
        .review_queue(
            &scope(TOWN),
            ReviewQueue::AwaitingReview,
            PageRequest::default(),
        )
        .expect("queue");
    assert_eq!(
        waiting.iter().map(|s| s.record).collect::<Vec<_>>(),
        [record]
    );
    let approved = step(store, record, ReviewStep::Approve, 4, now, &chief()).expect("approve");
    assert_eq!(
        approved.decided.as_ref().map(|s| s.by.as_str()),
        Some("zhanzhang01")
    );
    assert_eq!(approved.reason, None);
    let checked = step(
        store,
        record,
        ReviewStep::SpotCheck {
            result: SpotCheckResult::Confirmed,
            note: None,
        },
        5,
        now,
        &inspector(),
    )
    .expect("spot check");
    assert_eq!(checked.state, ReviewState::SpotChecked);
    assert_eq!(checked.spot_check_result, Some(SpotCheckResult::Confirmed));
    assert_eq!(checked.version, 6);

    let (_, history) = store.review_status(&scope(TOWN), record).expect("status");
    let steps: Vec<_> = history
        .iter()
        .map(|e| (e.step, e.stamp.by.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (StepKind::Collect, "caiji01"),
            (StepKind::Enter, "xieguan01"),
            (StepKind::Return, "zhanzhang01"),
            (StepKind::Resubmit, "xieguan01"),
            (StepKind::Approve, "zhanzhang01"),
            (StepKind::SpotCheck, "ducha01"),
        ]
    );
    assert_eq!(history[2].reason.as_deref(), Some("现住址门牌号缺失"));
}

pub fn every_register_record_gets_its_review_when_created(db: &TestDb) {
    let store = deployed(db);
    let house = store
        .create_house(&scope(DUOFU), &house(DUOFU, "多福巷12号"), &collector())
        .expect("house");
    let employer = store
        .create_employer(
            &scope(DUOFU),
            &uscc(31),
            &employer(DUOFU, "某餐饮公司"),
            &actor(),
        )
        .expect("employer");
    let outflow = store
        .create_outflow(
            &scope(DUOFU),
            &id_number("19850101", 31),
            &outflow(DUOFU, "孙外出"),
            &coordinator(),
        )
        .expect("outflow");
    let batch = [
        arrival(&id_number("19910101", 32), "李四", DUOFU, "2024-03-05"),
        arrival(&id_number("19910101", 33), "王五", YINZHA, "2024-03-06"),
    ];
    let stays = store
        .register_arrivals(&scope(TOWN), &batch, &actor())
        .expect("batch");
    let mut expected = vec![
        (RecordKind::House, house.id.0, ReviewState::Collected),
        (RecordKind::Employer, employer.id.0, ReviewState::Entered),
        (RecordKind::Outflow, outflow.id.0, ReviewState::Entered),
    ];
    for stay in stays {
        let stay = stay.expect("stay");
        expected.push((RecordKind::Residence, stay.0, ReviewState::Entered));
    }
    for (kind, id, state) in expected {
        let (status, history) = store
            .review_status(&scope(TOWN), ReviewRecord { kind, id })
            .expect("status");
        assert_eq!(status.state, state, "{kind:?}");
        assert_eq!(status.version, 1);
        assert_eq!(history.len(), 1);
        if state == ReviewState::Entered {
            assert!(status.entered.is_some() && status.collected.is_none());
        }
    }
}

pub fn a_step_the_state_does_not_allow_is_refused_and_changes_nothing(db: &TestDb) {
    let store = deployed(db);
    let record = stay_by(store, &collector(), 34);
    let now = OffsetDateTime::now_utc();
    for wrong in [
        ReviewStep::Approve,
        ReviewStep::Resubmit,
        ReviewStep::Reject {
            reason: reason("不实"),
        },
    ] {
        let kind = wrong.kind();
        let refused = step(store, record, wrong, 1, now, &chief()).expect_err("refused");
        assert!(
            matches!(
                refused,
                StoreError::Review(ReviewError::WrongStep {
                    from: ReviewState::Collected,
                    step
                }) if step == kind
            ),
            "{refused:?}"
        );
    }
    step(store, record, ReviewStep::Enter, 1, now, &coordinator()).expect("enter");
    step(
        store,
        record,
        ReviewStep::Reject {
            reason: reason("身份信息不实"),
        },
        2,
        now,
        &chief(),
    )
    .expect("reject");
    // Rejected is final.
    let refused = step(store, record, ReviewStep::Resubmit, 3, now, &coordinator());
    assert!(matches!(refused, Err(StoreError::Review(_))));
    let (status, history) = store.review_status(&scope(TOWN), record).expect("status");
    assert_eq!(status.state, ReviewState::Rejected);
    assert_eq!(status.version, 3);
    assert_eq!(history.len(), 3);
}

pub fn a_review_step_with_a_stale_version_is_refused(db: &TestDb) {
    let store = deployed(db);
    let record = stay_by(store, &actor(), 35);
    let now = OffsetDateTime::now_utc();
    step(store, record, ReviewStep::Approve, 1, now, &chief()).expect("approve");
    let stale = step(
        store,
        record,
        ReviewStep::SpotCheck {
            result: SpotCheckResult::Discrepant,
            note: None,
        },
        1,
        now,
        &inspector(),
    );
    assert!(
        matches!(
            stale,
            Err(StoreError::VersionConflict {
                expected: 1,
                current: 2
            })
        ),
        "{stale:?}"
    );
    let (status, _) = store.review_status(&scope(TOWN), record).expect("status");
    assert_eq!(status.state, ReviewState::Approved);
}

pub fn a_record_out_of_scope_is_not_found_in_the_workflow(db: &TestDb) {
    let store = deployed(db);
    let record = stay_by(store, &actor(), 36);
    let now = OffsetDateTime::now_utc();
    let elsewhere = scope(YINZHA);
    assert!(matches!(
        store.review_status(&elsewhere, record),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.take_review_step(&elsewhere, record, &ReviewStep::Approve, 1, now, &chief()),
        Err(StoreError::NotFound { .. })
    ));
    let missing = ReviewRecord {
        kind: RecordKind::House,
        id: 999_999,
    };
    assert!(matches!(
        store.review_status(&scope(TOWN), missing),
        Err(StoreError::NotFound { .. })
    ));
    for queue in [ReviewQueue::AwaitingReview, ReviewQueue::Overdue { now }] {
        let listed = store
            .review_queue(&elsewhere, queue, PageRequest::default())
            .expect("queue");
        assert!(listed.is_empty(), "{queue:?}");
        assert_eq!(store.review_queue_size(&elsewhere, queue).expect("size"), 0);
        let here = store.review_queue_size(&scope(TOWN), queue).expect("size");
        let listed = store.review_queue(&scope(TOWN), queue, PageRequest::default());
        assert_eq!(here, listed.expect("queue").len() as u64, "{queue:?}");
    }
    let counts = store.review_counts(&elsewhere, None).expect("counts");
    assert_eq!(counts, ReviewCounts::default());
    let (status, _) = store.review_status(&scope(DUOFU), record).expect("status");
    assert_eq!(status.version, 1);
}

pub fn a_waiting_count_stops_one_past_its_cap_and_the_list_keeps_the_whole_total(db: &TestDb) {
    let store = deployed(db);
    // Distinct names (no probable duplicates to pair), birth dates apart.
    let syllables: Vec<char> = "安白陈丁方高韩江康李孟宁欧潘秦任宋唐万夏杨于曾周朱"
        .chars()
        .collect();
    let over = WAITING_COUNT_CAP + 2;
    let batch: Vec<Arrival> = (0..over)
        .map(|i| {
            let i = usize::try_from(i).expect("small");
            let name: String = [syllables[i % 25], syllables[(i / 25) % 25], '明']
                .iter()
                .collect();
            let birth = format!("19{:02}0101", 50 + i / 900);
            let seq = u16::try_from(i % 900 + 1).expect("small");
            arrival(&id_number(&birth, seq), &name, DUOFU, "2024-03-05")
        })
        .collect();
    for outcome in store
        .register_arrivals(&scope(DUOFU), &batch, &coordinator())
        .expect("batch")
    {
        outcome.expect("arrival");
    }
    let queue = ReviewQueue::AwaitingReview;
    let counted = store.review_queue_size(&scope(TOWN), queue).expect("size");
    assert_eq!(counted, WAITING_COUNT_CAP + 1, "one past the cap says more");
    let list = store
        .review_list(
            &scope(TOWN),
            queue,
            &ReviewFilter::default(),
            PageRequest::default(),
        )
        .expect("list");
    assert_eq!(list.total, over, "the list counts them all");
}

pub fn collected_records_not_entered_in_24_hours_are_overdue(db: &TestDb) {
    let store = deployed(db);
    let waiting = stay_by(store, &collector(), 37);
    let late = stay_by(store, &collector(), 38);
    let on_time = stay_by(store, &collector(), 39);
    let now = OffsetDateTime::now_utc();
    let overdue = |at| {
        store
            .review_queue(
                &scope(TOWN),
                ReviewQueue::Overdue { now: at },
                PageRequest::default(),
            )
            .expect("overdue")
            .iter()
            .map(|s| s.record)
            .collect::<Vec<_>>()
    };
    assert!(overdue(now).is_empty());
    let entered = step(
        store,
        on_time,
        ReviewStep::Enter,
        1,
        now + Duration::hours(2),
        &coordinator(),
    )
    .expect("enter on time");
    assert!(!entered.entered_late);
    let entered = step(
        store,
        late,
        ReviewStep::Enter,
        1,
        now + Duration::hours(25),
        &coordinator(),
    )
    .expect("enter late");
    assert!(entered.entered_late);
    let mut expected = vec![waiting, late];
    expected.sort_by_key(|r| r.id);
    assert_eq!(overdue(now + Duration::hours(25)), expected);
    assert_eq!(overdue(now), [late]);
}

pub fn review_steps_are_counted_per_person_and_unit_and_audited(db: &TestDb) {
    let store = deployed(db);
    let first = stay_by(store, &collector(), 40);
    let second = stay_by(store, &collector(), 41);
    let now = OffsetDateTime::now_utc();
    for record in [first, second] {
        step(store, record, ReviewStep::Enter, 1, now, &coordinator()).expect("enter");
    }
    step(store, first, ReviewStep::Approve, 2, now, &chief()).expect("approve");
    let counts = store.review_counts(&scope(TOWN), None).expect("counts");
    let of = |list: &[StepCount], step: StepKind, who: &str| {
        list.iter()
            .find(|c| c.step == step && c.who == who)
            .map(|c| c.count)
    };
    assert_eq!(of(&counts.by_person, StepKind::Collect, "caiji01"), Some(2));
    assert_eq!(of(&counts.by_person, StepKind::Enter, "xieguan01"), Some(2));
    assert_eq!(
        of(&counts.by_person, StepKind::Approve, "zhanzhang01"),
        Some(1)
    );
    assert_eq!(of(&counts.by_unit, StepKind::Enter, DUOFU), Some(2));
    let later = store
        .review_counts(&scope(TOWN), Some(now + Duration::hours(1)))
        .expect("counts");
    assert!(later.by_person.is_empty());

    let entries = store.audit_entries_unscoped(0, 1000).expect("entries");
    let entry = entries.last().expect("an entry");
    assert_eq!(entry.action.as_str(), "update");
    assert_eq!(entry.object_kind.as_deref(), Some("residence_review"));
    assert_eq!(entry.object_id, Some(first.id.to_string()));
    assert_eq!(entry.actor_name, "zhanzhang01");
    let details: serde_json::Value = serde_json::from_str(&entry.details).expect("json");
    assert_eq!(details["before"]["state"], "entered");
    assert_eq!(details["after"]["state"], "approved");
}

pub fn the_review_history_is_append_only(db: &TestDb) {
    let store = deployed(db);
    stay_by(store, &collector(), 42);
    let append_only = "review steps are append-only";
    db.assert_refused(
        "UPDATE review_steps SET actor = 'x'",
        append_only,
        append_only,
    );
    db.assert_refused("DELETE FROM review_steps", append_only, append_only);
    if db.is_postgres() {
        db.assert_refused("TRUNCATE review_steps", append_only, append_only);
    }
}

pub fn a_record_moved_to_another_unit_takes_its_review_along(db: &TestDb) {
    let store = deployed(db);
    let created = store
        .create_house(&scope(DUOFU), &house(DUOFU, "多福巷20号"), &actor())
        .expect("house");
    let record = ReviewRecord {
        kind: RecordKind::House,
        id: created.id.0,
    };
    store
        .update_house(
            &scope(TOWN),
            created.id,
            &house(YINZHA, "银闸胡同20号"),
            created.version,
            &actor(),
        )
        .expect("moved");
    let queued = |unit: &str| {
        store
            .review_queue(
                &scope(unit),
                ReviewQueue::AwaitingReview,
                PageRequest::default(),
            )
            .expect("queue")
            .iter()
            .map(|s| s.record)
            .collect::<Vec<_>>()
    };
    assert!(queued(DUOFU).is_empty());
    assert_eq!(queued(YINZHA), [record]);
    let (status, _) = store.review_status(&scope(YINZHA), record).expect("status");
    assert_eq!(status.unit, YINZHA);
    assert!(matches!(
        store.review_status(&scope(DUOFU), record),
        Err(StoreError::NotFound { .. })
    ));
}

/// Takes away the review rows of the records in `kinds_ids` (append-only
/// triggers set aside for it), as a database from before 0500_review had
/// none, and forgets that 0610_review_backfill ran, so that the next open
/// runs it again.
fn as_before_the_workflow(db: &TestDb, records: &[ReviewRecord]) {
    let wanted = records
        .iter()
        .map(|r| {
            format!(
                "(record_kind = '{}' AND record_id = {})",
                r.kind.code(),
                r.id
            )
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    let delete = format!(
        "DELETE FROM review_steps WHERE {wanted}; DELETE FROM review_states WHERE {wanted};"
    );
    let forget = "DELETE FROM schema_migrations WHERE name = '0610_review_backfill';";
    db.execute_raw_for_backend(
        &format!(
            "DROP TRIGGER review_steps_append_only_delete; {delete} \
             CREATE TRIGGER review_steps_append_only_delete BEFORE DELETE ON review_steps \
             BEGIN SELECT RAISE(ABORT, 'review steps are append-only'); END; {forget}"
        ),
        &format!(
            "ALTER TABLE review_steps DISABLE TRIGGER review_steps_append_only; {delete} \
             ALTER TABLE review_steps ENABLE TRIGGER review_steps_append_only; {forget}"
        ),
    )
    .expect("review rows taken away");
}

pub fn records_from_before_the_workflow_get_their_review_from_the_migration(db: &TestDb) {
    let store = deployed(db);
    let started = OffsetDateTime::now_utc() - Duration::seconds(1);
    let stay = stay_by(store, &actor(), 43);
    let house = store
        .create_house(&scope(DUOFU), &house(DUOFU, "多福巷30号"), &actor())
        .expect("house");
    let employer = store
        .create_employer(
            &scope(YINZHA),
            &uscc(43),
            &employer(YINZHA, "某物流公司"),
            &actor(),
        )
        .expect("employer");
    let outflow = store
        .create_outflow(
            &scope(DUOFU),
            &id_number("19800101", 43),
            &outflow(DUOFU, "钱外出"),
            &actor(),
        )
        .expect("outflow");
    let finished = OffsetDateTime::now_utc() + Duration::seconds(1);
    // A record whose review went on: the migration must leave it alone.
    let approved = stay_by(store, &collector(), 44);
    let now = OffsetDateTime::now_utc();
    step(store, approved, ReviewStep::Enter, 1, now, &coordinator()).expect("enter");
    step(store, approved, ReviewStep::Approve, 2, now, &chief()).expect("approve");

    let old = [
        (stay, DUOFU),
        (
            ReviewRecord {
                kind: RecordKind::House,
                id: house.id.0,
            },
            DUOFU,
        ),
        (
            ReviewRecord {
                kind: RecordKind::Employer,
                id: employer.id.0,
            },
            YINZHA,
        ),
        (
            ReviewRecord {
                kind: RecordKind::Outflow,
                id: outflow.id.0,
            },
            DUOFU,
        ),
    ];
    let records: Vec<ReviewRecord> = old.iter().map(|(r, _)| *r).collect();
    as_before_the_workflow(db, &records);
    for record in &records {
        assert!(
            matches!(
                store.review_status(&scope(TOWN), *record),
                Err(StoreError::NotFound { .. })
            ),
            "{record:?} has no review before the migration"
        );
    }

    let store = db.open_again();
    for (record, unit) in old {
        let (status, history) = store.review_status(&scope(TOWN), record).expect("review");
        assert_eq!(status.state, ReviewState::Entered, "{record:?}");
        assert_eq!(status.version, 1);
        assert_eq!(status.unit, unit);
        assert_eq!(status.collected, None);
        assert!(!status.entered_late);
        let entered = status.entered.expect("entered stamp");
        assert_eq!(entered.by, "clerk");
        assert!(
            started <= entered.at && entered.at <= finished,
            "{entered:?}"
        );
        assert_eq!(
            status.person.is_some(),
            record.kind == RecordKind::Residence
        );
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].step, StepKind::Enter);
        assert_eq!(history[0].state_after, ReviewState::Entered);
        assert_eq!(history[0].stamp, entered);
    }
    // The steps carry their time as Unix seconds too, which the counts read.
    let counts = store
        .review_counts(&scope(TOWN), Some(started))
        .expect("counts");
    let entered_by_clerk = counts
        .by_person
        .iter()
        .find(|c| c.step == StepKind::Enter && c.who == "clerk")
        .map(|c| c.count);
    assert_eq!(entered_by_clerk, Some(4));
    let untouched = store
        .review_status(&scope(TOWN), approved)
        .expect("approved");
    assert_eq!(untouched.0.state, ReviewState::Approved);
    assert_eq!(untouched.1.len(), 3);

    // The station can now decide on them.
    let decided = store
        .take_review_step(&scope(TOWN), stay, &ReviewStep::Approve, 1, now, &chief())
        .expect("approve an old stay");
    assert_eq!(decided.state, ReviewState::Approved);

    // Running the migration again adds nothing.
    db.execute_raw("DELETE FROM schema_migrations WHERE name = '0610_review_backfill'")
        .expect("forget the migration");
    let store = db.open_again();
    for record in records {
        let (_, history) = store.review_status(&scope(TOWN), record).expect("review");
        let expected = if record == stay { 2 } else { 1 };
        assert_eq!(history.len(), expected, "{record:?}");
    }
}

pub fn a_collection_typed_in_later_starts_the_review_when_and_where_it_happened(db: &TestDb) {
    use sojourn_domain::collection::{Collection, CollectionPlace, CollectionTime};
    let store = deployed(db);
    let now = OffsetDateTime::now_utc();
    let three_days_ago = (now - Duration::days(3)).replace_nanosecond(0).expect("ns");
    let collection = Collection {
        at: Some(CollectionTime::parse(&rfc3339(three_days_ago), now).expect("time")),
        place: Some(CollectionPlace::parse("多福巷北口").expect("place")),
    };
    let mut typist = collector();
    typist.collection = Some(collection.clone());
    let record = stay_by(store, &typist, 45);
    let house = store
        .create_house(&scope(DUOFU), &house(DUOFU, "多福巷40号"), &typist)
        .expect("house");

    let (status, history) = store.review_status(&scope(DUOFU), record).expect("status");
    assert_eq!(status.state, ReviewState::Collected);
    let collected = status.collected.expect("collected");
    assert_eq!(
        (collected.by.as_str(), collected.at),
        ("caiji01", three_days_ago)
    );
    assert_eq!(status.collected_place.as_deref(), Some("多福巷北口"));
    assert_eq!(history[0].stamp.at, three_days_ago);
    assert_eq!(history[0].place.as_deref(), Some("多福巷北口"));
    let house_record = ReviewRecord {
        kind: RecordKind::House,
        id: house.id.0,
    };
    let (house_status, _) = store
        .review_status(&scope(DUOFU), house_record)
        .expect("house");
    assert_eq!(house_status.collected.map(|s| s.at), Some(three_days_ago));

    // Typed in now, it is already overdue, and entering it now is late.
    let overdue = store
        .review_queue(
            &scope(TOWN),
            ReviewQueue::Overdue { now },
            PageRequest::default(),
        )
        .expect("overdue");
    assert!(overdue.iter().any(|s| s.record == record));
    let entered = step(store, record, ReviewStep::Enter, 1, now, &coordinator()).expect("enter");
    assert!(entered.entered_late);

    // A collection given with anyone else's record is not theirs to give.
    let mut clerk = actor();
    clerk.collection = Some(collection);
    let other = stay_by(store, &clerk, 46);
    let (status, _) = store.review_status(&scope(DUOFU), other).expect("status");
    assert_eq!(status.state, ReviewState::Entered);
    assert_eq!(status.collected, None);
    assert_eq!(status.collected_place, None);
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .expect("formatted")
}

pub fn a_discrepant_spot_check_returns_the_record_to_the_corrections_list(db: &TestDb) {
    let store = deployed(db);
    let record = stay_by(store, &actor(), 40);
    let now = OffsetDateTime::now_utc();
    step(store, record, ReviewStep::Approve, 1, now, &chief()).expect("approve");
    let check = ReviewStep::SpotCheck {
        result: SpotCheckResult::Discrepant,
        note: Some(reason("现住址查无此人")),
    };
    let after = step(store, record, check, 2, now, &inspector()).expect("spot check");
    assert_eq!(after.state, ReviewState::Returned);
    assert_eq!(after.reason.as_deref(), Some("现住址查无此人"));
    let corrections = store
        .review_queue(
            &scope(DUOFU),
            ReviewQueue::Corrections,
            PageRequest::default(),
        )
        .expect("corrections");
    assert_eq!(
        corrections.iter().map(|s| s.record).collect::<Vec<_>>(),
        [record]
    );
    let (_, history) = store.review_status(&scope(TOWN), record).expect("status");
    let last = history.last().expect("a step");
    assert_eq!(last.step, StepKind::SpotCheck);
    assert_eq!(last.result, Some(SpotCheckResult::Discrepant));
}

pub fn the_review_list_is_named_filtered_sorted_and_counted(db: &TestDb) {
    let store = deployed(db);
    let start = OffsetDateTime::now_utc();
    let first = stay_by(store, &collector(), 41);
    let house = store
        .create_house(&scope(DUOFU), &house(DUOFU, "多福巷18号"), &collector())
        .expect("house");
    let house = ReviewRecord {
        kind: RecordKind::House,
        id: house.id.0,
    };
    let employer = store
        .create_employer(
            &scope(YINZHA),
            &uscc(41),
            &employer(YINZHA, "某某餐饮有限公司"),
            &actor(),
        )
        .expect("employer");
    let employer = ReviewRecord {
        kind: RecordKind::Employer,
        id: employer.id.0,
    };
    // Entered a day apart, the stay late.
    step(
        store,
        first,
        ReviewStep::Enter,
        1,
        start + Duration::hours(30),
        &coordinator(),
    )
    .expect("enter late");
    step(
        store,
        house,
        ReviewStep::Enter,
        1,
        start + Duration::hours(2),
        &coordinator(),
    )
    .expect("enter");
    let list = |scope: &Scope, filter: &ReviewFilter| {
        store
            .review_list(
                scope,
                ReviewQueue::AwaitingReview,
                filter,
                PageRequest::default(),
            )
            .expect("list")
    };
    let records = |list: &ReviewList| {
        list.items
            .iter()
            .map(|i| i.status.record)
            .collect::<Vec<_>>()
    };

    let all = list(&scope(TOWN), &ReviewFilter::default());
    assert_eq!(all.total, 3);
    let names: Vec<_> = all.items.iter().map(|i| i.name.as_str()).collect();
    assert!(
        names.contains(&"张三") && names.contains(&"多福巷18号"),
        "{names:?}"
    );
    assert!(names.contains(&"某某餐饮有限公司"), "{names:?}");
    assert_eq!(all.collectors, ["caiji01"]);

    let houses = ReviewFilter {
        kind: Some(RecordKind::House),
        ..ReviewFilter::default()
    };
    assert_eq!(records(&list(&scope(TOWN), &houses)), [house]);
    let duofu = scope(TOWN).narrow_to(&code(DUOFU)).expect("narrow");
    let in_duofu = list(&duofu, &ReviewFilter::default());
    assert_eq!(in_duofu.total, 2);
    assert!(!records(&in_duofu).contains(&employer));
    let by_collector = ReviewFilter {
        collector: Some("caiji01".into()),
        ..ReviewFilter::default()
    };
    assert_eq!(list(&scope(TOWN), &by_collector).total, 2);
    let late = ReviewFilter {
        late_only: true,
        ..ReviewFilter::default()
    };
    assert_eq!(records(&list(&scope(TOWN), &late)), [first]);
    // The employer was entered now, the house 2 hours on, the stay 30.
    let waiting = ReviewFilter {
        waiting_before: Some(start + Duration::hours(10)),
        ..ReviewFilter::default()
    };
    let mut expected = vec![house, employer];
    expected.sort_by_key(|r| (r.kind.code(), r.id));
    assert_eq!(records(&list(&scope(TOWN), &waiting)), expected);
    let oldest = ReviewFilter {
        sort: ReviewSort::OldestFirst,
        ..ReviewFilter::default()
    };
    assert_eq!(
        records(&list(&scope(TOWN), &oldest)),
        [employer, house, first]
    );
    let newest = ReviewFilter {
        sort: ReviewSort::NewestFirst,
        ..ReviewFilter::default()
    };
    assert_eq!(
        records(&list(&scope(TOWN), &newest)),
        [first, house, employer]
    );
    // Paged, the total is still the whole list's.
    let page = store
        .review_list(
            &scope(TOWN),
            ReviewQueue::AwaitingReview,
            &oldest,
            PageRequest::new(1, 1).expect("page"),
        )
        .expect("page");
    assert_eq!((records(&page), page.total), (vec![house], 3));
    // Another community's list does not hold these.
    assert_eq!(list(&scope(YINZHA), &houses).total, 0);
}
