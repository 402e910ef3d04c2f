//! Rules between fields that only the register can check as a whole: an
//! arrival after the birth its ID number gives, a stay at a community or
//! below, an outflow closed once by a return after the leaving; and the
//! outflow search reading letters as residents' search does.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::DomainError;
use sojourn_domain::outflow::OutflowId;
use sojourn_domain::search::SearchTerm;
use sojourn_store::*;

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

fn stays_in_town(store: &dyn Store) -> u64 {
    let query = ResidentQuery {
        status: StatusFilter::Any,
        ..Default::default()
    };
    store
        .search_residents(&scope(TOWN), &query)
        .expect("list")
        .total
}

pub fn an_arrival_before_the_birth_date_is_refused_and_changes_nothing(db: &TestDb) {
    let store = deployed(db);
    let born_1990 = id_number("19900307", 123);
    let early = arrival(&born_1990, "张三", DUOFU, "1990-03-06");
    let refused = store.register_arrival(&scope(TOWN), &early, &actor());
    assert!(
        matches!(
            refused,
            Err(StoreError::Rule(DomainError::ArrivalBeforeBirth { .. }))
        ),
        "{refused:?}"
    );
    // The same rule in a batch, the good row beside it stored (a newborn,
    // so with a guardian).
    let mut newborn = arrival(&born_1990, "张三", DUOFU, "1990-03-07");
    newborn.person.guardian = Some(guardian(
        "张父",
        &id_number("19600101", 71),
        "父亲",
        "13911118888",
    ));
    let outcomes = store
        .register_arrivals(&scope(TOWN), &[early, newborn], &actor())
        .expect("batch");
    assert!(matches!(
        outcomes[0],
        Err(StoreError::Rule(DomainError::ArrivalBeforeBirth { .. }))
    ));
    let stay = *outcomes[1]
        .as_ref()
        .expect("born that day, arrived that day");
    assert_eq!(stays_in_town(store), 1);
    // A correction may not move the arrival before the birth either.
    let stored = store.get_residence(&scope(TOWN), stay).expect("stay");
    let corrected = stay_details(DUOFU, "1989-12-31");
    assert!(matches!(
        store.update_stay(&scope(TOWN), stay, &corrected, stored.version, &actor()),
        Err(StoreError::Rule(DomainError::ArrivalBeforeBirth { .. }))
    ));
    assert_eq!(
        store.get_residence(&scope(TOWN), stay).expect("stay"),
        stored
    );
}

fn stay_details(unit: &str, arrived: &str) -> sojourn_domain::residence::StayDetails {
    stay(unit, arrived)
}

pub fn a_stay_above_community_level_is_refused_and_changes_nothing(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    let at_town = arrival(&number, "张三", TOWN, "2024-03-05");
    let refused = store.register_arrival(&scope(TOWN), &at_town, &actor());
    assert!(
        matches!(
            refused,
            Err(StoreError::Rule(DomainError::StayUnitAboveCommunity { .. }))
        ),
        "{refused:?}"
    );
    assert_eq!(stays_in_town(store), 0);
    assert!(
        store
            .find_person(&scope(TOWN), &number)
            .expect("find")
            .is_none()
    );
    // Moving a stay up to the street is refused too.
    let (_, residence) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&number, "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival at a community");
    let moved = stay(TOWN, "2024-03-05");
    assert!(matches!(
        store.update_stay(&scope(TOWN), residence.id, &moved, 1, &actor()),
        Err(StoreError::Rule(DomainError::StayUnitAboveCommunity { .. }))
    ));
    assert_eq!(
        store
            .get_residence(&scope(TOWN), residence.id)
            .expect("stay"),
        residence
    );
}

fn leave(store: &dyn Store, number_seq: u16, name: &str) -> OutflowId {
    leave_on(store, number_seq, name, "2025-03-01").expect("outflow")
}

fn leave_on(store: &dyn Store, number_seq: u16, name: &str, left_on: &str) -> Result<OutflowId> {
    let mut details = outflow(DUOFU, name);
    details.left_on = past(left_on);
    store
        .create_outflow(
            &scope(TOWN),
            &id_number("19880808", number_seq),
            &details,
            &actor(),
        )
        .map(|o| o.id)
}

pub fn a_return_closes_an_outflow_record_once_and_keeps_its_history(db: &TestDb) {
    let store = deployed(db);
    let id = leave(store, 131, "孙大");
    let before = store.get_outflow(&scope(TOWN), id).expect("record");
    // Before the leaving day (2025-03-01): refused, nothing changed.
    assert!(matches!(
        store.register_return(&scope(TOWN), id, past("2025-02-28"), 1, &actor()),
        Err(StoreError::Rule(DomainError::ReturnBeforeLeaving { .. }))
    ));
    // Out of scope: reported as missing.
    assert!(matches!(
        store.register_return(&scope(YINZHA), id, past("2026-01-05"), 1, &actor()),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.get_outflow(&scope(TOWN), id).expect("record"), before);
    let back = store
        .register_return(&scope(TOWN), id, past("2026-01-05"), 1, &actor())
        .expect("return");
    assert_eq!(back.returned_on, Some(date("2026-01-05")));
    assert_eq!(back.version, 2);
    assert_eq!(back.details, before.details);
    // Once closed, a second return is refused; a stale version too.
    assert!(matches!(
        store.register_return(&scope(TOWN), id, past("2026-02-01"), 2, &actor()),
        Err(StoreError::Rule(DomainError::AlreadyReturned))
    ));
    assert!(matches!(
        store.register_return(&scope(TOWN), id, past("2026-02-01"), 1, &actor()),
        Err(StoreError::VersionConflict { .. })
    ));
    let history = store
        .history(&scope(TOWN), RecordRef::Outflow(id))
        .expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].action, "created");
    assert_eq!(history[1].action, "returned");
    // Closed records are found as came back, and the number may leave again.
    let came_back = store
        .search_outflows(
            &scope(TOWN),
            &OutflowQuery {
                returned: Some(true),
                ..Default::default()
            },
        )
        .expect("search");
    assert_eq!(came_back.total, 1);
    leave_on(store, 131, "孙大", "2026-02-01").expect("left again");
}

/// The same departure (number and leaving day) is one record, open or
/// closed: recording it again, by hand or by importing a file again, is
/// refused and writes nothing; the schema holds to it too.
pub fn the_same_departure_is_recorded_once_open_or_closed(db: &TestDb) {
    let store = deployed(db);
    let closed = leave(store, 131, "孙大");
    store
        .register_return(&scope(TOWN), closed, past("2026-01-05"), 1, &actor())
        .expect("return");
    let count = |store: &dyn Store| {
        let all = store
            .search_outflows(&scope(TOWN), &OutflowQuery::default())
            .expect("search")
            .total;
        let entries = store.audit_entries_unscoped(0, 1000).expect("audit").len();
        (all, entries)
    };
    let before = count(store);
    let again = leave_on(store, 131, "孙大", "2025-03-01");
    assert!(
        matches!(&again, Err(StoreError::OutflowOnFile { unit_code, .. }) if unit_code == DUOFU),
        "{again:?}"
    );
    assert_eq!(count(store), before, "a refused departure wrote something");
    let open = leave_on(store, 131, "孙大", "2026-02-01").expect("left again");
    assert!(matches!(
        leave_on(store, 131, "孙大", "2026-02-01"),
        Err(StoreError::OutflowOnFile { .. })
    ));
    assert!(matches!(
        leave_on(store, 131, "孙大", "2026-03-01"),
        Err(StoreError::DuplicateOutflow { .. })
    ));
    // An edit onto the closed record's leaving day is the same departure.
    let record = store.get_outflow(&scope(TOWN), open).expect("open");
    let mut moved = record.details.clone();
    moved.left_on = past("2025-03-01");
    assert!(matches!(
        store.update_outflow(&scope(TOWN), open, &moved, record.version, &actor()),
        Err(StoreError::OutflowOnFile { .. })
    ));
    assert_eq!(store.get_outflow(&scope(TOWN), open).expect("open"), record);
    // Behind the store's back, the unique index refuses it.
    let refused = db
        .execute_raw(&format!(
            "UPDATE outflows SET left_on = (SELECT left_on FROM outflows WHERE id = {}) \
             WHERE id = {}",
            closed.0, open.0
        ))
        .expect_err("a second record of the same departure");
    assert!(
        refused.contains("outflows_once")
            || refused.contains("outflows.id_number_bidx, outflows.left_on"),
        "{refused}"
    );
}

pub fn the_outflow_search_reads_letters_as_the_resident_search_does(db: &TestDb) {
    let store = deployed(db);
    leave(store, 131, "张三"); // zhangsan, zs
    leave(store, 132, "周华"); // zhouhua, zh
    let found = |letters: &str| -> Vec<String> {
        let mut names: Vec<String> = store
            .search_outflows(
                &scope(TOWN),
                &OutflowQuery {
                    term: SearchTerm::parse(letters),
                    ..Default::default()
                },
            )
            .expect("search")
            .items
            .into_iter()
            .map(|o| o.details.name.as_str().to_owned())
            .collect();
        names.sort();
        names
    };
    // No vowel: initials only, so 张三 (zhangsan) is not an "zh" match.
    assert_eq!(found("zh"), vec!["周华"]);
    assert_eq!(found("zs"), vec!["张三"]);
    // With i, u or ü, or longer than a name: a spelling.
    assert_eq!(found("zhou"), vec!["周华"]);
    assert_eq!(found("zhangsan"), vec!["张三"]);
}
