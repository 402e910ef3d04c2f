//! The running totals of the home page stay equal to what counting the
//! residences gives, through arrivals (one by one and in batches),
//! departures, a stay moved to another unit and a corrected household
//! registration.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::codes::DivisionCode;
use sojourn_domain::residence::StayDetails;
use sojourn_domain::unit::UnitCode;
use sojourn_store::*;

/// The totals of `scope_code`, months from 2020 on, in a stable order.
fn totals(store: &dyn Store, scope_code: &str) -> ResidentStatistics {
    let mut t = store
        .resident_statistics(&scope(scope_code), date("2020-01-01"))
        .expect("statistics");
    t.current.sort();
    t.arrivals.sort();
    t.departures.sort();
    t
}

fn row(unit: &str, key: &str, n: u64) -> (UnitCode, String, u64) {
    (code(unit), key.to_owned(), n)
}

pub fn running_totals_follow_arrivals_departures_and_corrections(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let town = scope(TOWN);
    let (zhang, zhang_stay) = store
        .register_arrival(
            &town,
            &arrival(&id_number("19900307", 101), "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    let batch = [
        arrival(&id_number("19920202", 103), "李四", YINZHA, "2024-05-05"),
        arrival(&id_number("19950815", 105), "王芳", YINZHA, "2024-05-20"),
    ];
    for outcome in store
        .register_arrivals(&town, &batch, &actor())
        .expect("batch")
    {
        outcome.expect("row");
    }
    let t = totals(store, TOWN);
    assert_eq!(t.current, vec![row(DUOFU, "41", 1), row(YINZHA, "41", 2)]);
    assert_eq!(
        t.arrivals,
        vec![row(DUOFU, "2024-03", 1), row(YINZHA, "2024-05", 2)]
    );
    assert!(t.departures.is_empty());

    // 张三 leaves; a sibling's scope sees none of its figures.
    store
        .register_departure(
            &town,
            zhang_stay.id,
            &departure("2024-06-01"),
            zhang_stay.version,
            &actor(),
        )
        .expect("departure");
    let t = totals(store, TOWN);
    assert_eq!(t.current, vec![row(YINZHA, "41", 2)]);
    assert_eq!(
        t.arrivals,
        vec![row(DUOFU, "2024-03", 1), row(YINZHA, "2024-05", 2)]
    );
    assert_eq!(t.departures, vec![row(DUOFU, "2024-06", 1)]);
    let duofu = totals(store, DUOFU);
    assert!(duofu.current.is_empty());
    assert_eq!(duofu.departures, vec![row(DUOFU, "2024-06", 1)]);
    assert!(totals(store, YINZHA).departures.is_empty());

    // 李四's stay moves to 多福巷 and her file to another province.
    let li = store
        .search_residents(
            &town,
            &ResidentQuery {
                unit: Some(code(YINZHA)),
                ..Default::default()
            },
        )
        .expect("search")
        .items
        .into_iter()
        .find(|r| r.person.details.name.as_str() == "李四")
        .expect("李四");
    let moved = StayDetails {
        unit: code(DUOFU),
        ..li.residence.stay.clone()
    };
    store
        .update_stay(
            &town,
            li.residence.id,
            &moved,
            li.residence.version,
            &actor(),
        )
        .expect("moved");
    let person = store.get_person(&town, li.person.id).expect("person");
    let mut details = person.details.clone();
    details.domicile = DivisionCode::parse_form("510107").expect("division");
    store
        .update_person(&town, person.id, &details, person.version, &actor())
        .expect("corrected");
    let t = totals(store, TOWN);
    assert_eq!(t.current, vec![row(DUOFU, "51", 1), row(YINZHA, "41", 1)]);
    assert_eq!(
        t.arrivals,
        vec![
            row(DUOFU, "2024-03", 1),
            row(DUOFU, "2024-05", 1),
            row(YINZHA, "2024-05", 1)
        ]
    );
    // 张三 comes back: a new stay, counted again.
    store
        .register_arrival(
            &town,
            &arrival(&id_number("19900307", 101), "张三", YINZHA, "2024-07-01"),
            &actor(),
        )
        .expect("return");
    let t = totals(store, TOWN);
    assert_eq!(t.current, vec![row(DUOFU, "51", 1), row(YINZHA, "41", 2)]);
    assert_eq!(
        zhang.id,
        store.get_person(&town, zhang.id).expect("same file").id
    );
}

/// The ids of `rows`, for comparing two listings.
fn ids(rows: &[ResidentRow]) -> Vec<i64> {
    rows.iter().map(|r| r.residence.id.0).collect()
}

pub fn the_arrival_walk_lists_what_the_search_lists_in_the_same_order(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let town = scope(TOWN);
    let people = [
        ("19900307", 101, DUOFU, "2024-03-05"),
        ("19920202", 103, YINZHA, "2024-05-05"),
        ("19950815", 105, DUOFU, "2024-05-05"),
        ("19850101", 107, DUOFU, "2023-01-01"),
        ("19700101", 109, YINZHA, "2025-01-01"),
    ];
    for (birth, seq, unit, arrived) in people {
        store
            .register_arrival(
                &town,
                &arrival(&id_number(birth, seq), "张三", unit, arrived),
                &actor(),
            )
            .expect("arrival");
    }
    let first = store
        .search_residents(&town, &ResidentQuery::default())
        .expect("search")
        .items[0]
        .residence
        .clone();
    store
        .register_departure(
            &town,
            first.id,
            &departure("2025-06-01"),
            first.version,
            &actor(),
        )
        .expect("departure");
    for unit in [TOWN, DUOFU, YINZHA] {
        for status in [
            StatusFilter::Current,
            StatusFilter::Any,
            StatusFilter::Departed,
        ] {
            for (newest_first, sort) in [
                (true, ResidentSort::ArrivedDesc),
                (false, ResidentSort::ArrivedAsc),
            ] {
                for page in [
                    PageRequest::new(0, 2).expect("page"),
                    PageRequest::new(1, 3).expect("page"),
                ] {
                    let query = ResidentQuery {
                        unit: Some(code(unit)),
                        status,
                        sort,
                        page,
                        ..Default::default()
                    };
                    let searched = store.search_residents(&town, &query).expect("search").items;
                    let walked = store
                        .residents_by_arrival(&town, &code(unit), status, newest_first, page)
                        .expect("walk");
                    assert_eq!(
                        ids(&walked),
                        ids(&searched),
                        "{unit} {status:?} {sort:?} {page:?}"
                    );
                    assert_eq!(walked, searched);
                }
            }
        }
    }
    // Filtered: the same rows as the search, the total counted up to the cap.
    let filters = [
        ResidentQuery {
            status: StatusFilter::Any,
            arrived_from: Some(date("2024-04-01")),
            ..Default::default()
        },
        ResidentQuery {
            sex: Some(sojourn_domain::codes::Sex::Male),
            ..Default::default()
        },
        ResidentQuery {
            origin_province: Some("41".into()),
            born_to: Some(date("1990-12-31")),
            ..Default::default()
        },
        ResidentQuery {
            origin_province: Some("51".into()),
            ..Default::default()
        },
    ];
    for query in filters {
        for (unit, cap) in [(TOWN, 100), (DUOFU, 100), (TOWN, 1)] {
            let query = ResidentQuery {
                unit: Some(code(unit)),
                ..query.clone()
            };
            let searched = store.search_residents(&town, &query).expect("search");
            let walked = store
                .residents_filtered_by_arrival(&town, &code(unit), &query, cap)
                .expect("walk");
            let shown = if cap == 1 {
                query.page.limit() as usize
            } else {
                searched.items.len()
            };
            assert_eq!(
                ids(&walked.items),
                ids(&searched.items[..shown.min(searched.items.len())]),
                "{query:?}"
            );
            assert_eq!(walked.total, searched.total.min(cap + 1), "{query:?}");
        }
    }
    // A unit outside the scope is refused, not listed.
    let outside = store.residents_by_arrival(
        &scope(DUOFU),
        &code(YINZHA),
        StatusFilter::Any,
        true,
        PageRequest::default(),
    );
    assert!(
        matches!(
            outside,
            Err(StoreError::ReferenceOutOfScope {
                kind: sojourn_domain::record::RecordKind::Unit,
                ..
            })
        ),
        "{outside:?}"
    );
}
