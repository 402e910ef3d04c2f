//! How searches count and order their matches.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::search::SearchTerm;
use sojourn_store::*;

fn search(store: &dyn Store, text: &str) -> Page<ResidentRow> {
    let query = ResidentQuery {
        term: SearchTerm::parse(text),
        ..Default::default()
    };
    store
        .search_residents(&scope(TOWN), &query)
        .expect("search")
}

pub fn a_search_counts_at_most_one_more_than_the_cap(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let many: Vec<_> = (0..1_003u16)
        .map(|i| {
            let birth = if i < 1_000 { "19900101" } else { "19900102" };
            arrival(&id_number(birth, i % 1_000), "张三", DUOFU, "2024-03-05")
        })
        .collect();
    let outcomes = store
        .register_arrivals(&scope(TOWN), &many, &actor())
        .expect("batch");
    assert!(outcomes.iter().all(Result::is_ok));
    assert_eq!(search(store, "张").total, 1_001);
    assert_eq!(search(store, "zs").total, 1_001);
    let plain = store
        .search_residents(&scope(TOWN), &ResidentQuery::default())
        .expect("list");
    assert_eq!(plain.total, 1_003, "a list without a term counts exactly");
}

pub fn a_search_lists_matches_in_the_order_of_the_searched_key(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let people = [
        ("张伟", "2024-01-01"),
        ("张三", "2024-06-01"),
        ("张丽", "2023-01-01"),
    ];
    for (i, (name, arrived)) in people.iter().enumerate() {
        let a = arrival(
            &id_number("19900101", i as u16 * 2 + 1),
            name,
            DUOFU,
            arrived,
        );
        store
            .register_arrival(&scope(TOWN), &a, &actor())
            .expect("arrival");
    }
    let names = |page: Page<ResidentRow>| -> Vec<String> {
        page.items
            .iter()
            .map(|r| r.person.details.name.to_string())
            .collect()
    };
    // Name order is code-point order of the characters, as the index keeps it.
    let mut expected: Vec<String> = people.iter().map(|(n, _)| n.to_string()).collect();
    expected.sort();
    assert_eq!(names(search(store, "张")), expected);
    let by_arrival = store
        .search_residents(
            &scope(TOWN),
            &ResidentQuery {
                term: SearchTerm::parse("张"),
                sort: ResidentSort::ArrivedAsc,
                ..Default::default()
            },
        )
        .expect("search");
    assert_eq!(names(by_arrival), vec!["张丽", "张伟", "张三"]);
}

pub fn only_the_unit_holding_a_file_may_change_it(db: &TestDb) {
    let store = db.store();
    deploy(store);
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
    let (moved, _) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&number, "张三", YINZHA, "2025-02-01"),
            &actor(),
        )
        .expect("return elsewhere");
    // The old community still reads the file, but may not change it.
    assert_eq!(
        store.get_person(&scope(DUOFU), person.id).expect("read").id,
        person.id
    );
    let refused = store.update_person(
        &scope(DUOFU),
        person.id,
        &moved.details,
        moved.version,
        &actor(),
    );
    assert!(matches!(refused, Err(StoreError::NotFound { .. })));
    assert_eq!(
        store.get_person(&scope(TOWN), person.id).expect("person"),
        moved
    );
    store
        .update_person(
            &scope(YINZHA),
            person.id,
            &moved.details,
            moved.version,
            &actor(),
        )
        .expect("the holding unit may");
}
