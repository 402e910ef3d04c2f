//! The first load of an empty register with its search indexes set aside
//! (`begin_bulk_load_unscoped` … `finish_bulk_load_unscoped`): the same
//! outcomes, the same records and the same search results as the normal
//! path, and never a database left without its indexes.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::residence::Arrival;
use sojourn_domain::search::SearchTerm;
use sojourn_store::*;

/// Every index of persons and residences the schema defines, whether the
/// bulk load sets it aside or keeps it, and the list indexes of the review
/// and the monitor that it sets aside.
const DEFERRABLE: &[&str] = &[
    "review_states_queue",
    "quality_findings_rule",
    "quality_findings_unit",
    "persons_unit",
    "persons_name",
    "persons_pinyin",
    "persons_initials",
    "persons_phone_bidx",
    "residences_unit",
    "residences_arrival",
    "residences_house",
    "residences_employer",
    "residences_person",
    "residences_one_current",
    "residences_current_scope",
];

/// Index names the database does not know (creating one under that name
/// succeeds; it is dropped again).
fn missing_indexes(db: &TestDb) -> Vec<&'static str> {
    DEFERRABLE
        .iter()
        .copied()
        .filter(|name| {
            let created = db.execute_raw(&format!("CREATE INDEX {name} ON persons (name)"));
            if created.is_ok() {
                db.execute_raw(&format!("DROP INDEX {name}"))
                    .expect("drop the probe index");
            }
            created.is_ok()
        })
        .collect()
}

fn first_batch() -> Vec<Arrival> {
    vec![
        arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05"),
        arrival(&id_number("19910307", 125), "李四", YINZHA, "2024-03-05"),
        arrival(&id_number("19900307", 123), "张三", YINZHA, "2024-03-06"),
        arrival(
            &id_number("19920101", 131),
            "赵六",
            "110101001009",
            "2024-03-06",
        ),
        arrival(&id_number("19850612", 141), "王五", DUOFU, "2024-04-01"),
        arrival(&id_number("19790901", 151), "欧阳明", YINZHA, "2024-05-01"),
    ]
}

fn second_batch() -> Vec<Arrival> {
    vec![
        arrival(&id_number("19910307", 125), "李肆", DUOFU, "2025-02-01"),
        arrival(&id_number("19900307", 123), "张三", YINZHA, "2025-02-01"),
        arrival(&id_number("19950505", 161), "张珊", DUOFU, "2025-02-02"),
    ]
}

/// Loads both batches, the second after 李四 has left, as an import does;
/// returns each row's outcome.
fn load(store: &dyn Store) -> Vec<String> {
    let town = scope(TOWN);
    let mut outcomes = Vec::new();
    let first = store
        .register_arrivals(&town, &first_batch(), &actor())
        .expect("first batch");
    let leaving = *first[1].as_ref().expect("李四 arrives");
    store
        .register_departure(&town, leaving, &departure("2024-12-01"), 1, &actor())
        .expect("李四 leaves");
    let second = store
        .register_arrivals(&town, &second_batch(), &actor())
        .expect("second batch");
    for outcome in first.into_iter().chain(second) {
        outcomes.push(match outcome {
            Ok(residence) => format!("stay {}", residence.0),
            Err(error) => format!("refused {error:?}"),
        });
    }
    outcomes
}

/// What a clerk sees: every stay, and the matches of a few searches.
fn view(store: &dyn Store) -> Vec<String> {
    let mut seen = Vec::new();
    let mut queries = vec![ResidentQuery {
        status: StatusFilter::Any,
        page: PageRequest::new(0, 100).expect("page"),
        ..Default::default()
    }];
    for term in [
        "张",
        "zs",
        "zhangshan",
        "oym",
        "138001",
        "410102199003",
        "李肆",
    ] {
        queries.push(ResidentQuery {
            term: SearchTerm::parse(term),
            ..Default::default()
        });
    }
    queries.push(ResidentQuery {
        unit: Some(code(DUOFU)),
        ..Default::default()
    });
    for query in &queries {
        let page = store.search_residents(&scope(TOWN), query).expect("search");
        seen.push(format!("{} found", page.total));
        for row in page.items {
            seen.push(format!(
                "person {} {} {} {} {:?}; stay {} {} {} {:?}",
                row.person.id.0,
                row.person.id_number.as_str(),
                row.person.details.name.as_str(),
                row.person.unit.as_str(),
                row.person.details.phone,
                row.residence.id.0,
                row.residence.stay.unit.as_str(),
                row.residence.stay.arrived_on.date(),
                row.residence.status,
            ));
        }
    }
    seen
}

pub fn a_bulk_load_into_an_empty_register_matches_the_normal_path(db: &TestDb) {
    let bulk = db.store();
    deploy(bulk);
    assert!(bulk.begin_bulk_load_unscoped().expect("begin"));
    let bulk_outcomes = load(bulk);
    bulk.finish_bulk_load_unscoped().expect("finish");

    let other = db.another();
    let normal = other.store();
    deploy(normal);
    let normal_outcomes = load(normal);

    assert_eq!(bulk_outcomes, normal_outcomes);
    // The rules held during the load: a duplicate in the batch, a unit out
    // of scope, a duplicate of a stored file; a return on the same file.
    assert_eq!(
        bulk_outcomes
            .iter()
            .filter(|o| o.starts_with("refused"))
            .count(),
        3
    );
    assert_eq!(view(bulk), view(normal));
    // The home page's running totals, kept per row on the normal path,
    // are counted again after the load.
    assert_eq!(totals(bulk), totals(normal));
    assert!(!totals(bulk).is_empty(), "the load counted nothing");
    // The review queue and the monitor's lists, whose indexes were set
    // aside too.
    assert_eq!(lists(bulk), lists(normal));
    assert!(
        lists(bulk).iter().any(|l| l.starts_with("finding")),
        "the load found nothing"
    );
    assert_eq!(missing_indexes(db), Vec::<&str>::new());
}

/// The review queue, the open findings and their counts, in scope.
fn lists(store: &dyn Store) -> Vec<String> {
    let town = scope(TOWN);
    let page = PageRequest::new(0, 100).expect("page");
    let queue = store
        .review_queue(&town, ReviewQueue::AwaitingReview, page)
        .expect("queue");
    let findings = store
        .quality_findings(&town, None, None, 100)
        .expect("findings");
    let counts = store.quality_counts(&town).expect("counts");
    let mut seen: Vec<String> = queue
        .iter()
        .map(|r| format!("review {:?} {} {:?}", r.record, r.unit, r.state))
        .collect();
    seen.extend(findings.iter().map(|f| {
        format!(
            "finding {:?} {:?} {} {} {}",
            f.rule,
            f.record,
            f.record_id,
            f.unit.as_str(),
            f.detail_en
        )
    }));
    seen.extend(counts.findings.iter().map(|c| format!("count {c:?}")));
    seen
}

/// The running totals of the whole deployment, in a stable order.
fn totals(store: &dyn Store) -> Vec<String> {
    let statistics = store
        .resident_statistics(&scope(TOWN), date("2000-01-01"))
        .expect("statistics");
    let mut rows: Vec<String> = [
        ("current", &statistics.current),
        ("arrivals", &statistics.arrivals),
        ("departures", &statistics.departures),
    ]
    .iter()
    .flat_map(|(kind, rows)| {
        rows.iter()
            .filter(|(_, _, n)| *n > 0)
            .map(move |(unit, key, n)| format!("{kind} {} {key} {n}", unit.as_str()))
    })
    .collect();
    rows.sort();
    rows
}

pub fn a_bulk_load_sets_nothing_aside_once_the_register_has_a_resident(db: &TestDb) {
    let store = db.store();
    deploy(store);
    store
        .register_arrival(
            &scope(TOWN),
            &arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    assert!(!store.begin_bulk_load_unscoped().expect("begin"));
    assert_eq!(missing_indexes(db), Vec::<&str>::new());
    store
        .finish_bulk_load_unscoped()
        .expect("nothing to finish");
}

pub fn an_interrupted_bulk_load_gets_its_indexes_back_on_the_next_open(db: &TestDb) {
    let store = db.store();
    deploy(store);
    assert!(store.begin_bulk_load_unscoped().expect("begin"));
    store
        .register_arrivals(&scope(TOWN), &first_batch(), &actor())
        .expect("batch");
    // The load stops here: no finish. The next program to open the store
    // rebuilds what was set aside.
    let reopened = db.open_again();
    assert_eq!(missing_indexes(db), Vec::<&str>::new());
    if db.is_postgres() {
        // The foreign keys are back and checked.
        db.assert_refused(
            "INSERT INTO residences (person_id, unit_code, arrived_on, reason, current_address, \
             status, version, created_at, created_by, updated_at, updated_by) \
             VALUES (999999, '110101001001', '2024-01-01', '10', 'x', 'registered', 1, now(), \
             'x', now(), 'x')",
            "",
            "violates foreign key constraint \"residences_person_id_fkey\"",
        );
    }
    let page = reopened
        .search_residents(
            &scope(TOWN),
            &ResidentQuery {
                term: SearchTerm::parse("王五"),
                ..Default::default()
            },
        )
        .expect("search");
    assert_eq!(page.total, 1);
    // Finishing afterwards finds nothing left to do.
    store.finish_bulk_load_unscoped().expect("finish");
    assert_eq!(missing_indexes(db), Vec::<&str>::new());
}
