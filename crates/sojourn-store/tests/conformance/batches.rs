//! Batches of arrivals (`register_arrivals`, what an import calls): every
//! row must come out exactly as if the rows had been registered one after
//! another, each in its own transaction — including the rows that meet
//! each other inside one batch.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::residence::{Arrival, ResidenceId};
use sojourn_store::*;

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

fn register(store: &dyn Store, scope_code: &str, batch: &[Arrival]) -> Vec<Result<ResidenceId>> {
    store
        .register_arrivals(&scope(scope_code), batch, &actor())
        .expect("batch")
}

fn total_stays(store: &dyn Store) -> u64 {
    let query = ResidentQuery {
        status: StatusFilter::Any,
        ..Default::default()
    };
    store
        .search_residents(&scope(TOWN), &query)
        .expect("search")
        .total
}

fn duplicate_in(outcome: &Result<ResidenceId>) -> Option<(&str, &str)> {
    match outcome {
        Err(StoreError::DuplicateResidence {
            unit_code,
            unit_name,
        }) => Some((unit_code.as_str(), unit_name.as_str())),
        _ => None,
    }
}

fn out_of_scope_kind(outcome: &Result<ResidenceId>) -> Option<&'static str> {
    match outcome {
        Err(StoreError::ReferenceOutOfScope { kind, .. }) => Some(kind.code()),
        _ => None,
    }
}

pub fn the_second_row_of_a_number_in_one_batch_is_a_duplicate_naming_the_first_rows_unit(
    db: &TestDb,
) {
    let store = deployed(db);
    let twice = id_number("19900307", 123);
    let outcomes = register(
        store,
        TOWN,
        &[
            arrival(&twice, "张三", DUOFU, "2024-03-05"),
            arrival(&id_number("19910307", 125), "李四", DUOFU, "2024-03-05"),
            arrival(&twice, "张三", YINZHA, "2024-03-06"),
        ],
    );
    assert!(outcomes[0].is_ok() && outcomes[1].is_ok());
    assert_eq!(duplicate_in(&outcomes[2]), Some((DUOFU, "多福巷社区")));
    let person = store
        .find_person(&scope(TOWN), &twice)
        .expect("find")
        .expect("file");
    assert_eq!(person.unit, code(DUOFU));
    assert_eq!(total_stays(store), 2);
}

pub fn a_row_refused_in_a_batch_leaves_a_later_row_of_the_same_number_free(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    let outcomes = register(
        store,
        TOWN,
        &[
            arrival(&number, "张三", "110101001009", "2024-03-05"),
            arrival(&number, "张三", YINZHA, "2024-03-06"),
        ],
    );
    assert_eq!(out_of_scope_kind(&outcomes[0]), Some("unit"));
    let stay = outcomes[1].as_ref().expect("second row");
    let stored = store.get_residence(&scope(TOWN), *stay).expect("stay");
    assert_eq!(stored.stay.unit, code(YINZHA));
    assert_eq!(total_stays(store), 1);
}

pub fn a_person_who_left_and_returns_in_a_batch_gets_a_new_residence_on_the_same_file(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    let (person, first) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&number, "张三", DUOFU, "2023-03-05"),
            &actor(),
        )
        .expect("arrival");
    store
        .register_departure(
            &scope(TOWN),
            first.id,
            &departure("2024-01-10"),
            1,
            &actor(),
        )
        .expect("departure");
    let outcomes = register(
        store,
        TOWN,
        &[
            arrival(&number, "张叁", YINZHA, "2025-02-01"),
            arrival(&id_number("19910307", 125), "李四", DUOFU, "2025-02-01"),
            arrival(&number, "张叁", DUOFU, "2025-02-02"),
        ],
    );
    let second = *outcomes[0].as_ref().expect("return");
    assert!(outcomes[1].is_ok());
    assert_eq!(duplicate_in(&outcomes[2]), Some((YINZHA, "银闸社区")));
    let again = store
        .get_person(&scope(TOWN), person.id)
        .expect("same file");
    assert_eq!(again.details.name.as_str(), "张叁");
    assert_eq!((again.unit.clone(), again.version), (code(YINZHA), 2));
    let stays = store
        .residences_of(&scope(TOWN), person.id)
        .expect("residences");
    assert_eq!(
        stays.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second, first.id]
    );
    let history = store
        .history(&scope(TOWN), RecordRef::Person(person.id))
        .expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].action, "arrival");
    assert!(history[0].snapshot.contains("张三"));
}

pub fn a_batch_refuses_a_number_living_outside_the_callers_scope_naming_that_unit(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    store
        .register_arrival(
            &scope(TOWN),
            &arrival(&number, "张三", YINZHA, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    let outcomes = register(
        store,
        DUOFU,
        &[
            arrival(&id_number("19910307", 125), "李四", DUOFU, "2024-04-01"),
            arrival(&number, "张三", DUOFU, "2024-04-01"),
        ],
    );
    assert!(outcomes[0].is_ok());
    assert_eq!(duplicate_in(&outcomes[1]), Some((YINZHA, "银闸社区")));
}

/// A stay may name a house or employer of any community (living in one and
/// working in another is the normal case), but not one that does not exist.
pub fn a_batch_takes_houses_and_employers_of_any_community_but_not_unknown_ones(db: &TestDb) {
    let store = deployed(db);
    let ours = store
        .create_house(&scope(TOWN), &house(DUOFU, "多福巷12号"), &actor())
        .expect("house");
    let theirs = store
        .create_house(&scope(TOWN), &house(YINZHA, "银闸胡同3号"), &actor())
        .expect("house");
    let hiring = store
        .create_employer(
            &scope(TOWN),
            &uscc(1),
            &employer(DUOFU, "多福餐饮"),
            &actor(),
        )
        .expect("employer");
    let elsewhere = store
        .create_employer(
            &scope(TOWN),
            &uscc(2),
            &employer(YINZHA, "银闸商贸"),
            &actor(),
        )
        .expect("employer");
    let row = |seq: u16, unit: &str, house: Option<_>, employer: Option<_>| {
        let mut a = arrival(&id_number("19900307", seq), "张三", unit, "2024-03-05");
        a.stay.house = house;
        a.stay.employer = employer;
        a
    };
    let outcomes = register(
        store,
        DUOFU,
        &[
            row(101, DUOFU, Some(ours.id), Some(hiring.id)),
            row(103, DUOFU, Some(theirs.id), None),
            row(105, DUOFU, None, Some(elsewhere.id)),
            row(
                107,
                DUOFU,
                Some(sojourn_domain::house::HouseId(999_999)),
                None,
            ),
            // The unit is checked first: a row wrong on both counts names it.
            row(109, YINZHA, Some(theirs.id), None),
            row(111, DUOFU, Some(ours.id), None),
        ],
    );
    for ok in [0, 1, 2, 5] {
        assert!(outcomes[ok].is_ok(), "row {ok}: {:?}", outcomes[ok]);
    }
    assert_eq!(out_of_scope_kind(&outcomes[3]), Some("house"));
    assert_eq!(out_of_scope_kind(&outcomes[4]), Some("unit"));
    let tenants = store.tenants_of(&scope(DUOFU), ours.id).expect("tenants");
    assert_eq!(tenants.len(), 2);
    assert!(tenants.iter().all(|t| t.ended_on.is_none()));
    assert!(tenants.iter().all(|t| t.started_on == date("2024-03-05")));
    let workers = store.workers_of(&scope(DUOFU), hiring.id).expect("workers");
    assert_eq!(workers.len(), 1);
    assert_eq!(
        Some(workers[0].residence),
        outcomes[0].as_ref().ok().copied()
    );
    let town_tenants = store.tenants_of(&scope(TOWN), theirs.id).expect("tenants");
    assert_eq!(town_tenants.len(), 1);
    let workers = store
        .workers_of(&scope(TOWN), elsewhere.id)
        .expect("workers");
    assert_eq!(workers.len(), 1);
    assert_eq!(total_stays(store), 4);
}

pub fn a_batch_stores_every_field_as_a_single_arrival_does(db: &TestDb) {
    let store = deployed(db);
    let (single, single_stay) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&id_number("19900307", 123), "欧阳明", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    let batch: Vec<Arrival> = (0..8)
        .map(|i| {
            let number = id_number("19850101", 200 + i);
            arrival(&number, "欧阳明", DUOFU, "2024-03-05")
        })
        .collect();
    let outcomes = register(store, TOWN, &batch);
    for (arrival, outcome) in batch.iter().zip(&outcomes) {
        let stay = store
            .get_residence(&scope(TOWN), *outcome.as_ref().expect("stored"))
            .expect("stay");
        assert_eq!(stay.stay, single_stay.stay);
        assert_eq!(
            (stay.status.clone(), stay.version),
            (single_stay.status.clone(), 1)
        );
        let person = store.get_person(&scope(TOWN), stay.person).expect("file");
        assert_eq!(person.id_number, arrival.id_number);
        assert_eq!(person.details, single.details);
        assert_eq!(
            (person.unit.clone(), person.version),
            (single.unit.clone(), 1)
        );
        let created = store
            .history(&scope(TOWN), RecordRef::Person(person.id))
            .expect("history");
        assert_eq!((created.len(), created[0].actor.as_str()), (1, "clerk"));
    }
    let by_initials = ResidentQuery {
        term: sojourn_domain::search::SearchTerm::parse("oym"),
        ..Default::default()
    };
    let found = store
        .search_residents(&scope(TOWN), &by_initials)
        .expect("search");
    assert_eq!(found.total, 9);
}

pub fn a_batch_broken_by_an_unforeseen_failure_still_decides_each_row_alone(db: &TestDb) {
    let store = deployed(db);
    // A rule the store does not know, enforced by the database alone: the
    // batch's bulk write fails and the store must replay it row by row.
    db.execute_raw_for_backend(
        "CREATE TRIGGER refuse_test_name BEFORE INSERT ON persons WHEN NEW.name = '故障' \
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        "CREATE FUNCTION refuse_test_name() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN IF NEW.name = '故障' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
         RETURN NEW; END $$; \
         CREATE TRIGGER refuse_test_name BEFORE INSERT ON persons \
         FOR EACH ROW EXECUTE FUNCTION refuse_test_name();",
    )
    .expect("install the trigger");
    let outcomes = register(
        store,
        TOWN,
        &[
            arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05"),
            arrival(&id_number("19910307", 125), "故障", DUOFU, "2024-03-05"),
            arrival(&id_number("19920307", 127), "李四", DUOFU, "2024-03-05"),
            arrival(&id_number("19930307", 129), "王五", YINZHA, "2024-03-05"),
        ],
    );
    assert!(outcomes[0].is_ok() && outcomes[2].is_ok() && outcomes[3].is_ok());
    assert!(matches!(outcomes[1], Err(StoreError::Backend(_))));
    assert_eq!(total_stays(store), 3);
}
