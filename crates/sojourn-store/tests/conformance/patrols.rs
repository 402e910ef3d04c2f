//! Patrols (巡查): kept with what they visited, due and overdue by the
//! deployment's cycles, and the task a patrol opens on a house.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::house::HouseId;
use sojourn_domain::patrol::{
    HouseSighting, Occupancy, Patrol, PatrolCycles, PatrolLevel, PatrolTarget, Visit,
};
use sojourn_domain::text::PersonName;
use sojourn_domain::time_rules::{PastDate, china_today};
use sojourn_store::patrols::{DueFilter, PatrolQuery};
use sojourn_store::*;
use time::{Date, Duration};

fn today() -> Date {
    china_today()
}

fn days(n: i64) -> Date {
    today() + Duration::days(n)
}

fn at_house(house: HouseId, on: Date, unregistered_tenants: bool) -> Patrol {
    Patrol {
        visit: Visit::House {
            house,
            sighting: HouseSighting {
                occupancy: Occupancy::Occupied,
                unregistered_tenants,
                hazard: false,
            },
        },
        patrolled_on: PastDate::new(on, today()).expect("not in the future"),
        patroller: PersonName::parse("孙协管").expect("name"),
        note: None,
    }
}

fn at_unit(unit: &str, on: Date) -> Patrol {
    Patrol {
        visit: Visit::Unit(code(unit)),
        patrolled_on: PastDate::new(on, today()).expect("not in the future"),
        patroller: PersonName::parse("周主任").expect("name"),
        note: None,
    }
}

fn a_house(store: &dyn Store, unit: &str, address: &str) -> HouseId {
    store
        .create_house(&scope(unit), &house(unit, address), &actor())
        .expect("house")
        .id
}

fn worklist(store: &dyn Store, level: PatrolLevel, filter: DueFilter, on: Date) -> Vec<String> {
    let query = PatrolQuery {
        level,
        filter,
        today: on,
        page: PageRequest::default(),
    };
    let page = store
        .patrol_worklist(&scope(TOWN), &query)
        .expect("worklist");
    assert_eq!(page.total, page.items.len() as u64);
    page.items.into_iter().map(|d| d.name).collect()
}

fn audit_length(store: &dyn Store) -> usize {
    store
        .audit_entries_unscoped(0, 10_000)
        .expect("entries")
        .len()
}

pub fn a_patrol_is_kept_with_its_house_and_unregistered_tenants_open_a_task(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let house = a_house(store, DUOFU, "多福巷1号");
    let entries = audit_length(store);
    store
        .record_patrol(&scope(DUOFU), &at_house(house, days(-15), false), &actor())
        .expect("first patrol");
    let found = store
        .record_patrol(&scope(DUOFU), &at_house(house, days(-1), true), &actor())
        .expect("second patrol");
    assert_eq!(found.level, PatrolLevel::House);
    assert_eq!(found.unit, code(DUOFU));
    assert_eq!(audit_length(store), entries + 2);
    let kept = store
        .patrols_of(&scope(TOWN), &PatrolTarget::House(house), 10)
        .expect("patrols");
    let dates: Vec<Date> = kept.iter().map(|p| p.patrol.patrolled_on.date()).collect();
    assert_eq!(dates, [days(-1), days(-15)], "newest first");

    let tasks = store
        .open_patrol_tasks(&scope(TOWN), None, 10)
        .expect("tasks");
    assert_eq!(tasks.len(), 1);
    assert_eq!((tasks[0].house, tasks[0].opened_on), (house, days(-1)));
    let waiting = store
        .patrol_waiting(&scope(DUOFU), today())
        .expect("waiting");
    assert_eq!(waiting.open_tasks, 1);
    assert!(
        store
            .close_patrol_task(&scope(YINZHA), tasks[0].id, &actor())
            .is_err(),
        "a sibling cannot close it"
    );
    store
        .close_patrol_task(&scope(DUOFU), tasks[0].id, &actor())
        .expect("closed");
    assert!(
        store
            .open_patrol_tasks(&scope(TOWN), Some(house), 10)
            .expect("tasks")
            .is_empty()
    );
    let again = store.close_patrol_task(&scope(DUOFU), tasks[0].id, &actor());
    assert!(
        matches!(again, Err(StoreError::NotFound { .. })),
        "{again:?}"
    );
}

pub fn a_patrol_out_of_scope_or_of_a_unit_not_patrolled_is_refused_and_writes_nothing(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let house = a_house(store, YINZHA, "银闸胡同2号");
    let entries = audit_length(store);
    let refused = store.record_patrol(&scope(DUOFU), &at_house(house, today(), false), &actor());
    assert!(
        matches!(refused, Err(StoreError::NotFound { .. })),
        "{refused:?}"
    );
    let refused = store.record_patrol(&scope(TOWN), &at_unit(TOWN, today()), &actor());
    assert!(matches!(refused, Err(StoreError::Rule(_))), "{refused:?}");
    let refused = store.record_patrol(&scope(DUOFU), &at_unit(YINZHA, today()), &actor());
    assert!(
        matches!(refused, Err(StoreError::NotFound { .. })),
        "{refused:?}"
    );
    assert_eq!(audit_length(store), entries);
    assert!(
        store
            .patrols_of(&scope(TOWN), &PatrolTarget::House(house), 10)
            .expect("patrols")
            .is_empty()
    );
}

pub fn worklists_follow_the_cycles_and_list_the_most_overdue_first(db: &TestDb) {
    let store = db.store();
    deploy(store);
    a_house(store, DUOFU, "多福巷1号");
    let lately = a_house(store, DUOFU, "多福巷2号");
    let long_ago = a_house(store, YINZHA, "银闸胡同3号");
    store
        .record_patrol(&scope(TOWN), &at_house(lately, days(-3), false), &actor())
        .expect("patrol");
    store
        .record_patrol(
            &scope(TOWN),
            &at_house(long_ago, days(-20), false),
            &actor(),
        )
        .expect("patrol");
    // Today: the house patrolled 20 days ago is overdue (due 6 days ago);
    // the one never patrolled came on file today and is due in 14 days.
    let overdue = |on| worklist(store, PatrolLevel::House, DueFilter::Overdue, on);
    let due = |on| worklist(store, PatrolLevel::House, DueFilter::Due, on);
    assert_eq!(overdue(today()), ["银闸胡同3号"]);
    assert_eq!(due(today()), ["银闸胡同3号"]);
    // In five days the house patrolled 3 days ago is due within the week.
    assert_eq!(due(days(5)), ["银闸胡同3号", "多福巷2号"]);
    assert_eq!(due(days(9)), ["银闸胡同3号", "多福巷2号", "多福巷1号"]);
    assert_eq!(overdue(days(15)), ["银闸胡同3号", "多福巷2号", "多福巷1号"]);

    // Stations: both communities, never patrolled, due a week after today.
    assert!(worklist(store, PatrolLevel::Station, DueFilter::Overdue, today()).is_empty());
    assert_eq!(
        worklist(store, PatrolLevel::Station, DueFilter::Overdue, days(8)).len(),
        2
    );
    // Patrolled five days ago, the sibling's station is due in two days
    // and overdue in three, when the one never patrolled is not yet.
    store
        .record_patrol(&scope(TOWN), &at_unit(YINZHA, days(-5)), &actor())
        .expect("station patrol");
    assert_eq!(
        worklist(store, PatrolLevel::Station, DueFilter::Overdue, days(3)),
        ["银闸社区"]
    );
    let waiting = store
        .patrol_waiting(&scope(TOWN), days(8))
        .expect("waiting");
    assert_eq!(waiting.overdue, 3, "one house and both stations");

    // A longer cycle, set for the whole deployment, moves the dates.
    let longer = PatrolCycles {
        house: 30,
        ..PatrolCycles::default()
    };
    let refused = store.set_patrol_cycles(&scope(DUOFU), longer, &actor());
    assert!(
        refused.is_err(),
        "a community does not set the deployment's cycles"
    );
    assert_eq!(
        store.patrol_cycles().expect("cycles"),
        PatrolCycles::default()
    );
    store
        .set_patrol_cycles(&scope(TOWN), longer, &actor())
        .expect("set");
    assert_eq!(store.patrol_cycles().expect("cycles"), longer);
    assert!(overdue(today()).is_empty());
    assert_eq!(overdue(days(11)), ["银闸胡同3号"]);
}
