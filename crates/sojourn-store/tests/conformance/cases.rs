//! The behaviours every backend must show.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::DomainError;
use sojourn_domain::codes::Sex;
use sojourn_domain::outflow::LeftBehindKind;
use sojourn_domain::person::PersonId;
use sojourn_domain::residence::{ResidenceId, ResidenceStatus};
use sojourn_domain::search::SearchTerm;
use sojourn_domain::text::UnitName;
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::Unit;
use sojourn_store::*;

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

fn residents(store: &dyn Store, scope_code: &str, query: ResidentQuery) -> Page<ResidentRow> {
    store
        .search_residents(&scope(scope_code), &query)
        .expect("search")
}

fn search(store: &dyn Store, text: &str) -> Vec<String> {
    let query = ResidentQuery {
        term: SearchTerm::parse(text),
        status: StatusFilter::Any,
        ..Default::default()
    };
    residents(store, TOWN, query)
        .items
        .into_iter()
        .map(|row| row.person.details.name.to_string())
        .collect()
}

pub fn init_creates_the_tree_once(db: &TestDb) {
    let store = deployed(db);
    let root = store
        .deployment_root_unscoped()
        .expect("root")
        .expect("a root");
    assert_eq!(root.code, code(TOWN));
    let children = store
        .list_units(&scope(TOWN), Some(&code(TOWN)))
        .expect("children");
    assert_eq!(children.len(), 2);
    let again = store.init_deployment_unscoped(&root, &[]);
    assert!(matches!(again, Err(StoreError::Deployment(_))));
}

pub fn units_are_added_under_a_parent_of_the_level_above(db: &TestDb) {
    let store = deployed(db);
    let grid = Unit {
        code: code("110101001001001"),
        name: UnitName::parse("第一网格").expect("name"),
    };
    store
        .create_unit(&scope(DUOFU), &grid, &actor())
        .expect("grid under community");
    let point = Unit {
        code: code("110101001001001001"),
        name: UnitName::parse("1号楼采集点").expect("name"),
    };
    store
        .create_unit(&scope(TOWN), &point, &actor())
        .expect("point under grid");
    let orphan = Unit {
        code: code("110101001001002001"),
        name: UnitName::parse("无网格采集点").expect("name"),
    };
    assert!(matches!(
        store.create_unit(&scope(TOWN), &orphan, &actor()),
        Err(StoreError::ReferenceOutOfScope { .. })
    ));
    assert!(matches!(
        store.create_unit(&scope(TOWN), &grid, &actor()),
        Err(StoreError::DuplicateUnit(_))
    ));
    assert_eq!(
        store
            .list_units(&scope(DUOFU), None)
            .expect("subtree")
            .len(),
        3
    );
}

pub fn an_arrival_creates_a_person_file_and_a_registered_residence(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    let (person, residence) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&number, "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    assert_eq!(person.id_number, number);
    assert_eq!(person.sex(), Sex::Male);
    assert_eq!(person.birth_date(), date("1990-03-07"));
    assert_eq!(person.unit, code(DUOFU));
    assert_eq!(residence.status, ResidenceStatus::Registered);
    assert_eq!(residence.person, person.id);
    assert_eq!(
        store.get_person(&scope(DUOFU), person.id).expect("person"),
        person
    );
    assert_eq!(
        store.find_person(&scope(TOWN), &number).expect("find"),
        Some(person.clone())
    );
    assert_eq!(
        store
            .get_residence(&scope(DUOFU), residence.id)
            .expect("residence"),
        residence
    );
}

pub fn a_second_current_residence_for_the_same_id_is_refused_naming_the_unit(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    let (person, _) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&number, "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("first arrival");
    let again = store.register_arrival(
        &scope(YINZHA),
        &arrival(&number, "张叁", YINZHA, "2024-04-01"),
        &actor(),
    );
    match again {
        Err(StoreError::DuplicateResidence {
            unit_code,
            unit_name,
        }) => {
            assert_eq!(unit_code, DUOFU);
            assert_eq!(unit_name, "多福巷社区");
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_eq!(
        store.get_person(&scope(TOWN), person.id).expect("person"),
        person
    );
    let all = residents(
        store,
        TOWN,
        ResidentQuery {
            status: StatusFilter::Any,
            ..Default::default()
        },
    );
    assert_eq!(all.total, 1);
}

pub fn a_person_who_left_and_returns_gets_a_new_residence_on_the_same_file(db: &TestDb) {
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
            first.version,
            &actor(),
        )
        .expect("departure");
    let (again, second) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&number, "张三", YINZHA, "2025-02-01"),
            &actor(),
        )
        .expect("return");
    assert_eq!(again.id, person.id);
    assert_eq!(again.unit, code(YINZHA));
    assert_ne!(second.id, first.id);
    let stays = store
        .residences_of(&scope(TOWN), person.id)
        .expect("residences");
    assert_eq!(
        stays.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );
    // The community the person left still sees that stay, not the new one.
    let old = store
        .residences_of(&scope(DUOFU), person.id)
        .expect("old community");
    assert_eq!(old.iter().map(|r| r.id).collect::<Vec<_>>(), vec![first.id]);
}

pub fn a_departure_before_the_arrival_is_refused_and_changes_nothing(db: &TestDb) {
    let store = deployed(db);
    let (_, residence) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    let refused = store.register_departure(
        &scope(TOWN),
        residence.id,
        &departure("2024-03-04"),
        residence.version,
        &actor(),
    );
    assert!(matches!(
        refused,
        Err(StoreError::Rule(
            sojourn_domain::DomainError::DepartureBeforeArrival { .. }
        ))
    ));
    assert_eq!(
        store
            .get_residence(&scope(TOWN), residence.id)
            .expect("residence"),
        residence
    );
    assert_eq!(
        store
            .history(&scope(TOWN), RecordRef::Residence(residence.id))
            .expect("history")
            .len(),
        1
    );
}

pub fn activation_and_departure_follow_the_lifecycle(db: &TestDb) {
    let store = deployed(db);
    let (_, residence) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    let active = store
        .activate_residence(&scope(TOWN), residence.id, 1, &actor())
        .expect("activate");
    assert_eq!(active.status, ResidenceStatus::Active);
    let again = store.activate_residence(&scope(TOWN), residence.id, 2, &actor());
    assert!(
        matches!(again, Err(StoreError::Rule(DomainError::AlreadyActive))),
        "{again:?}"
    );
    let gone = store
        .register_departure(
            &scope(TOWN),
            residence.id,
            &departure("2024-06-01"),
            2,
            &actor(),
        )
        .expect("depart");
    match &gone.status {
        ResidenceStatus::Departed(d) => assert_eq!(d.departed_on, past("2024-06-01")),
        other => panic!("expected departed, got {other:?}"),
    }
    assert!(matches!(
        store.register_departure(
            &scope(TOWN),
            residence.id,
            &departure("2024-06-02"),
            3,
            &actor()
        ),
        Err(StoreError::Rule(
            sojourn_domain::DomainError::AlreadyDeparted
        ))
    ));
}

pub fn an_edit_with_a_stale_version_is_refused(db: &TestDb) {
    let store = deployed(db);
    let (person, _) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    let mut details = person.details.clone();
    details.name = sojourn_domain::text::PersonName::parse("张山").expect("name");
    store
        .update_person(&scope(TOWN), person.id, &details, person.version, &actor())
        .expect("first edit");
    let stale = store.update_person(
        &scope(TOWN),
        person.id,
        &person.details,
        person.version,
        &actor(),
    );
    assert!(matches!(
        stale,
        Err(StoreError::VersionConflict {
            expected: 1,
            current: 2
        })
    ));
    let now = store.get_person(&scope(TOWN), person.id).expect("person");
    assert_eq!(now.details.name.as_str(), "张山");
}

pub fn every_change_keeps_the_previous_version_in_history(db: &TestDb) {
    let store = deployed(db);
    let (person, _) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    let mut details = person.details.clone();
    details.name = sojourn_domain::text::PersonName::parse("张山").expect("name");
    store
        .update_person(
            &scope(TOWN),
            person.id,
            &details,
            1,
            &Actor::new("reviewer"),
        )
        .expect("edit");
    let history = store
        .history(&scope(TOWN), RecordRef::Person(person.id))
        .expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(
        (
            history[0].version,
            history[0].action.as_str(),
            history[0].actor.as_str()
        ),
        (1, "created", "clerk")
    );
    assert!(history[0].snapshot.contains("张三"));
    assert_eq!(
        (
            history[1].version,
            history[1].action.as_str(),
            history[1].actor.as_str()
        ),
        (2, "updated", "reviewer")
    );
    assert!(history[1].snapshot.contains("张山"));
}

fn register_many(store: &dyn Store) -> Vec<(PersonId, ResidenceId)> {
    let people = [
        ("张三", "19900307", DUOFU, "2024-03-05"),
        ("张三丰", "19850101", DUOFU, "2023-01-01"),
        ("李四", "19920202", YINZHA, "2024-05-05"),
        ("王芳", "19950815", YINZHA, "2022-08-15"),
    ];
    people
        .iter()
        .enumerate()
        .map(|(i, (name, birth, unit, arrived))| {
            let mut a = arrival(&id_number(birth, 101 + i as u16 * 2), name, unit, arrived);
            a.person.phone = Some(
                sojourn_domain::codes::Phone::parse(&format!("1390000000{i}")).expect("phone"),
            );
            let (p, r) = store
                .register_arrival(&scope(TOWN), &a, &actor())
                .expect("arrival");
            (p.id, r.id)
        })
        .collect()
}

pub fn residents_are_found_by_id_name_pinyin_and_phone(db: &TestDb) {
    let store = deployed(db);
    register_many(store);
    let mut zs = search(store, "zs");
    zs.sort();
    assert_eq!(zs, vec!["张三", "张三丰"]);
    assert_eq!(search(store, "zsf"), vec!["张三丰"]);
    assert_eq!(search(store, "zhangsanf"), vec!["张三丰"]);
    assert_eq!(search(store, "LISI"), vec!["李四"]);
    assert_eq!(search(store, "王"), vec!["王芳"]);
    assert_eq!(search(store, "13900000003"), vec!["王芳"]);
    assert_eq!(
        search(store, &id_number("19920202", 105).to_string()),
        vec!["李四"]
    );
    // ID and phone numbers are stored encrypted and found whole through
    // their blind indexes: a part of a number finds nothing.
    assert!(search(store, "41010219920202").is_empty());
    assert!(search(store, "1390000000").is_empty());
    assert!(search(store, "zz").is_empty());
}

pub fn resident_filters_combine(db: &TestDb) {
    let store = deployed(db);
    register_many(store);
    let in_yinzha = residents(
        store,
        TOWN,
        ResidentQuery {
            unit: Some(code(YINZHA)),
            ..Default::default()
        },
    );
    assert_eq!(in_yinzha.total, 2);
    let recent = residents(
        store,
        TOWN,
        ResidentQuery {
            arrived_from: Some(date("2024-01-01")),
            sex: Some(Sex::Male),
            ..Default::default()
        },
    );
    assert_eq!(recent.total, 2);
    let henan = residents(
        store,
        TOWN,
        ResidentQuery {
            origin_province: Some("41".into()),
            ..Default::default()
        },
    );
    assert_eq!(henan.total, 4);
    let page = residents(
        store,
        TOWN,
        ResidentQuery {
            page: PageRequest::new(1, 2).expect("page"),
            sort: ResidentSort::ArrivedAsc,
            ..Default::default()
        },
    );
    assert_eq!(page.total, 4);
    let names: Vec<_> = page
        .items
        .iter()
        .map(|r| r.person.details.name.to_string())
        .collect();
    assert_eq!(names, vec!["张三丰", "张三"]);
    let outside = store.search_residents(
        &scope(DUOFU),
        &ResidentQuery {
            unit: Some(code(YINZHA)),
            ..Default::default()
        },
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

pub fn houses_keep_their_tenants_now_and_before(db: &TestDb) {
    let store = deployed(db);
    let house = store
        .create_house(&scope(TOWN), &house(DUOFU, "多福巷12号"), &actor())
        .expect("house");
    let mut a = arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05");
    a.stay.house = Some(house.id);
    let (_, first) = store
        .register_arrival(&scope(TOWN), &a, &actor())
        .expect("arrival");
    let mut b = arrival(&id_number("19910307", 125), "李四", DUOFU, "2024-04-05");
    b.stay.house = Some(house.id);
    store
        .register_arrival(&scope(TOWN), &b, &actor())
        .expect("arrival");
    store
        .register_departure(
            &scope(TOWN),
            first.id,
            &departure("2024-09-01"),
            1,
            &actor(),
        )
        .expect("departure");
    let tenants = store.tenants_of(&scope(TOWN), house.id).expect("tenants");
    assert_eq!(tenants.len(), 2);
    let ended: Vec<_> = tenants
        .iter()
        .map(|t| (t.name.as_str(), t.ended_on))
        .collect();
    assert!(ended.contains(&("张三", Some(date("2024-09-01")))));
    assert!(ended.contains(&("李四", None)));
    let mut edited = house.details.clone();
    edited.rooms = 4;
    let updated = store
        .update_house(&scope(TOWN), house.id, &edited, 1, &actor())
        .expect("update");
    assert_eq!((updated.details.rooms, updated.version), (4, 2));
    let unfiled = store
        .search_houses(
            &scope(TOWN),
            &HouseQuery {
                filed: Some(false),
                ..Default::default()
            },
        )
        .expect("houses");
    assert_eq!(unfiled.total, 0);
    let by_address = store
        .search_houses(
            &scope(TOWN),
            &HouseQuery {
                text: Some("多福巷".into()),
                ..Default::default()
            },
        )
        .expect("houses");
    assert_eq!(by_address.total, 1);
    // The house number alone finds it too: the address is matched inside.
    let inside = HouseQuery {
        text: Some("12号".into()),
        ..Default::default()
    };
    let found = store.search_houses(&scope(TOWN), &inside).expect("houses");
    assert_eq!(found.total, 1);
}

pub fn employers_are_unique_by_credit_code_and_count_their_workers(db: &TestDb) {
    let store = deployed(db);
    let employer = store
        .create_employer(
            &scope(TOWN),
            &uscc(1),
            &employer(DUOFU, "东华门餐饮有限公司"),
            &actor(),
        )
        .expect("employer");
    assert!(matches!(
        store.create_employer(&scope(TOWN), &uscc(1), &employer_details_again(), &actor()),
        Err(StoreError::DuplicateEmployer)
    ));
    let mut a = arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05");
    a.stay.employer = Some(employer.id);
    store
        .register_arrival(&scope(TOWN), &a, &actor())
        .expect("arrival");
    let now = store
        .get_employer(&scope(TOWN), employer.id)
        .expect("employer");
    assert_eq!(now.current_workers, 1);
    assert_eq!(
        store
            .workers_of(&scope(TOWN), employer.id)
            .expect("workers")
            .len(),
        1
    );
    let found = store
        .search_employers(
            &scope(TOWN),
            &EmployerQuery {
                text: Some("东华门".into()),
                ..Default::default()
            },
        )
        .expect("employers");
    assert_eq!(found.total, 1);
    // A clerk remembers a word of the name, not its start; a pattern's
    // own wildcards are taken literally.
    let containing = |text: &str| {
        let query = EmployerQuery {
            text: Some(text.into()),
            ..Default::default()
        };
        store
            .search_employers(&scope(TOWN), &query)
            .expect("employers")
            .total
    };
    assert_eq!(containing("餐饮"), 1);
    assert_eq!(containing("有限公司"), 1);
    assert_eq!(containing("%"), 0);
    assert_eq!(containing("_"), 0);
    assert_eq!(containing("物流"), 0);
}

fn employer_details_again() -> sojourn_domain::employer::EmployerDetails {
    employer(YINZHA, "另一家公司")
}

pub fn outflows_record_left_behind_family_and_refuse_a_second_open_record(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19880808", 131);
    let record = store
        .create_outflow(&scope(TOWN), &number, &outflow(DUOFU, "孙大"), &actor())
        .expect("outflow");
    let kinds: Vec<_> = record
        .details
        .left_behind
        .iter()
        .map(|m| m.kind())
        .collect();
    assert_eq!(kinds, vec![LeftBehindKind::Elderly, LeftBehindKind::Child]);
    assert_eq!(
        store
            .get_outflow(&scope(DUOFU), record.id)
            .expect("outflow"),
        record
    );
    // Another departure while this one is open; the same departure again
    // is the record on file.
    let mut later = outflow(YINZHA, "孙大");
    later.left_on = past("2025-04-01");
    assert!(matches!(
        store.create_outflow(&scope(TOWN), &number, &later, &actor()),
        Err(StoreError::DuplicateOutflow { .. })
    ));
    assert!(matches!(
        store.create_outflow(&scope(TOWN), &number, &outflow(YINZHA, "孙大"), &actor()),
        Err(StoreError::OutflowOnFile { .. })
    ));
    let mut edited = record.details.clone();
    edited.left_behind.truncate(1);
    let updated = store
        .update_outflow(&scope(TOWN), record.id, &edited, 1, &actor())
        .expect("update");
    assert_eq!(updated.details.left_behind.len(), 1);
    let history = store
        .history(&scope(TOWN), RecordRef::Outflow(record.id))
        .expect("history");
    assert!(history[0].snapshot.contains("孙小宝"));
    let found = store
        .search_outflows(
            &scope(TOWN),
            &OutflowQuery {
                term: SearchTerm::parse("sd"),
                ..Default::default()
            },
        )
        .expect("search");
    assert_eq!(found.total, 1);
}

pub fn a_batch_of_arrivals_commits_the_good_rows_and_reports_the_bad(db: &TestDb) {
    let store = deployed(db);
    let twice = id_number("19900307", 123);
    let batch = vec![
        arrival(&twice, "张三", DUOFU, "2024-03-05"),
        arrival(&id_number("19910307", 125), "李四", DUOFU, "2024-03-05"),
        arrival(&twice, "张三", YINZHA, "2024-03-06"),
        arrival(
            &id_number("19920307", 127),
            "王五",
            "110101001009",
            "2024-03-05",
        ),
    ];
    let outcomes = store
        .register_arrivals(&scope(TOWN), &batch, &actor())
        .expect("batch");
    assert!(outcomes[0].is_ok() && outcomes[1].is_ok());
    assert!(matches!(
        outcomes[2],
        Err(StoreError::DuplicateResidence { .. })
    ));
    assert!(matches!(
        outcomes[3],
        Err(StoreError::ReferenceOutOfScope { .. })
    ));
    let all = residents(
        store,
        TOWN,
        ResidentQuery {
            status: StatusFilter::Any,
            ..Default::default()
        },
    );
    assert_eq!(all.total, 2);
}

pub fn a_sibling_scope_neither_reads_nor_changes_residents(db: &TestDb) {
    let store = deployed(db);
    let (person, residence) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    let sibling = scope(YINZHA);
    let not_found = |r: Result<_>| matches!(r, Err(StoreError::NotFound { .. }));
    assert!(not_found(store.get_person(&sibling, person.id).map(|_| ())));
    assert!(not_found(
        store.get_residence(&sibling, residence.id).map(|_| ())
    ));
    assert!(not_found(
        store.residences_of(&sibling, person.id).map(|_| ())
    ));
    assert!(not_found(
        store
            .history(&sibling, RecordRef::Person(person.id))
            .map(|_| ())
    ));
    assert!(not_found(
        store
            .history(&sibling, RecordRef::Residence(residence.id))
            .map(|_| ())
    ));
    assert_eq!(
        store
            .find_person(&sibling, &person.id_number)
            .expect("find"),
        None
    );
    assert!(not_found(
        store
            .update_person(&sibling, person.id, &person.details, 1, &actor())
            .map(|_| ())
    ));
    assert!(not_found(
        store
            .activate_residence(&sibling, residence.id, 1, &actor())
            .map(|_| ())
    ));
    assert!(not_found(
        store
            .register_departure(
                &sibling,
                residence.id,
                &departure("2024-06-01"),
                1,
                &actor()
            )
            .map(|_| ())
    ));
    assert!(not_found(
        store
            .update_stay(
                &sibling,
                residence.id,
                &stay(YINZHA, "2024-03-05"),
                1,
                &actor()
            )
            .map(|_| ())
    ));
    let listed = store
        .search_residents(
            &sibling,
            &ResidentQuery {
                status: StatusFilter::Any,
                term: SearchTerm::parse("zs"),
                ..Default::default()
            },
        )
        .expect("search");
    assert_eq!(listed.total, 0);
    assert_eq!(
        store.get_person(&scope(TOWN), person.id).expect("person"),
        person
    );
    assert_eq!(
        store
            .get_residence(&scope(TOWN), residence.id)
            .expect("residence"),
        residence
    );
}

pub fn a_sibling_scope_neither_reads_nor_changes_houses_employers_or_outflows(db: &TestDb) {
    let store = deployed(db);
    let house = store
        .create_house(&scope(TOWN), &house(DUOFU, "多福巷12号"), &actor())
        .expect("house");
    let employer = store
        .create_employer(
            &scope(TOWN),
            &uscc(7),
            &employer(DUOFU, "多福巷商店"),
            &actor(),
        )
        .expect("employer");
    let outflow = store
        .create_outflow(
            &scope(TOWN),
            &id_number("19880808", 131),
            &outflow(DUOFU, "孙大"),
            &actor(),
        )
        .expect("outflow");
    let sibling = scope(YINZHA);
    let not_found = |r: Result<()>| matches!(r, Err(StoreError::NotFound { .. }));
    assert!(not_found(store.get_house(&sibling, house.id).map(|_| ())));
    assert!(not_found(store.tenants_of(&sibling, house.id).map(|_| ())));
    assert!(not_found(
        store
            .update_house(&sibling, house.id, &house.details, 1, &actor())
            .map(|_| ())
    ));
    assert!(not_found(
        store
            .history(&sibling, RecordRef::House(house.id))
            .map(|_| ())
    ));
    assert!(not_found(
        store.get_employer(&sibling, employer.id).map(|_| ())
    ));
    assert!(not_found(
        store.workers_of(&sibling, employer.id).map(|_| ())
    ));
    assert!(not_found(
        store
            .update_employer(&sibling, employer.id, &employer.details, 1, &actor())
            .map(|_| ())
    ));
    assert!(not_found(
        store.get_outflow(&sibling, outflow.id).map(|_| ())
    ));
    assert!(not_found(
        store
            .update_outflow(&sibling, outflow.id, &outflow.details, 1, &actor())
            .map(|_| ())
    ));
    assert_eq!(
        store
            .search_houses(&sibling, &HouseQuery::default())
            .expect("houses")
            .total,
        0
    );
    assert_eq!(
        store
            .search_employers(&sibling, &EmployerQuery::default())
            .expect("employers")
            .total,
        0
    );
    assert_eq!(
        store
            .search_outflows(&sibling, &OutflowQuery::default())
            .expect("outflows")
            .total,
        0
    );
    assert!(not_found(
        store.get_unit(&sibling, &code(DUOFU)).map(|_| ())
    ));
    assert_eq!(
        store.get_house(&scope(TOWN), house.id).expect("house"),
        house
    );
    assert_eq!(
        store
            .get_employer(&scope(TOWN), employer.id)
            .expect("employer"),
        employer
    );
    assert_eq!(
        store
            .get_outflow(&scope(TOWN), outflow.id)
            .expect("outflow"),
        outflow
    );
}

pub fn records_cannot_be_placed_outside_the_scope(db: &TestDb) {
    let store = deployed(db);
    let sibling = scope(YINZHA);
    let out = |r: Result<()>| matches!(r, Err(StoreError::ReferenceOutOfScope { .. }));
    assert!(out(store
        .register_arrival(
            &sibling,
            &arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05"),
            &actor()
        )
        .map(|_| ())));
    assert!(out(store
        .create_house(&sibling, &house(DUOFU, "多福巷1号"), &actor())
        .map(|_| ())));
    assert!(out(store
        .create_employer(&sibling, &uscc(3), &employer(DUOFU, "某公司"), &actor())
        .map(|_| ())));
    assert!(out(store
        .create_outflow(
            &sibling,
            &id_number("19880808", 131),
            &outflow(DUOFU, "孙大"),
            &actor()
        )
        .map(|_| ())));
    // A house of another community may be named (see
    // `a_stay_names_a_house_or_employer_of_another_community_by_name_only`),
    // one that does not exist may not.
    let mut a = arrival(&id_number("19900307", 123), "张三", YINZHA, "2024-03-05");
    a.stay.house = Some(sojourn_domain::house::HouseId(999_999));
    assert!(out(store
        .register_arrival(&sibling, &a, &actor())
        .map(|_| ())));
    assert_eq!(
        residents(
            store,
            TOWN,
            ResidentQuery {
                status: StatusFilter::Any,
                ..Default::default()
            }
        )
        .total,
        0
    );
}

/// Living in one community and working or renting in another is the normal
/// case: a stay may name a house or employer anywhere in the deployment,
/// and its reader learns that record's name and community, never its file.
pub fn a_stay_names_a_house_or_employer_of_another_community_by_name_only(db: &TestDb) {
    let store = deployed(db);
    let house = store
        .create_house(&scope(DUOFU), &house(DUOFU, "多福巷2号"), &actor())
        .expect("house");
    let employer = store
        .create_employer(
            &scope(DUOFU),
            &uscc(4),
            &employer(DUOFU, "多福餐饮有限公司"),
            &actor(),
        )
        .expect("employer");
    let sibling = scope(YINZHA);
    let mut a = arrival(&id_number("19900307", 123), "张三", YINZHA, "2024-03-05");
    a.stay.house = Some(house.id);
    a.stay.employer = Some(employer.id);
    let (_, stay) = store
        .register_arrival(&sibling, &a, &actor())
        .expect("a stay naming another community's house and employer");
    // Saving the stay unchanged, as an edit form does, is accepted too.
    let saved = store
        .update_stay(&sibling, stay.id, &stay.stay, stay.version, &actor())
        .expect("unchanged save");
    assert_eq!(saved.stay.employer, Some(employer.id));

    let named = store
        .stay_link(&sibling, StayLink::Employer(employer.id))
        .expect("link")
        .expect("named");
    assert_eq!(
        (
            named.name.as_str(),
            named.unit_name.as_str(),
            named.in_scope
        ),
        ("多福餐饮有限公司", "多福巷社区", false)
    );
    let named = store
        .stay_link(&sibling, StayLink::House(house.id))
        .expect("link")
        .expect("named");
    assert_eq!((named.name.as_str(), named.in_scope), ("多福巷2号", false));
    let own = store
        .stay_link(&scope(DUOFU), StayLink::House(house.id))
        .expect("link")
        .expect("named");
    assert!(own.in_scope);
    // The name, never the file.
    assert!(matches!(
        store.get_employer(&sibling, employer.id),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.get_house(&sibling, house.id),
        Err(StoreError::NotFound { .. })
    ));
    let missing = sojourn_domain::house::HouseId(999_999);
    assert_eq!(
        store
            .stay_link(&sibling, StayLink::House(missing))
            .expect("link"),
        None
    );
}

pub fn revisions_cannot_be_edited_or_deleted(db: &TestDb) {
    let store = deployed(db);
    let (person, _) = store
        .register_arrival(
            &scope(TOWN),
            &arrival(&id_number("19900307", 123), "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    store
        .update_person(&scope(TOWN), person.id, &person.details, 1, &actor())
        .expect("edit");
    let append_only = "revisions are append-only";
    db.assert_refused(
        "UPDATE revisions SET snapshot = '{}'",
        append_only,
        append_only,
    );
    db.assert_refused("DELETE FROM revisions", append_only, append_only);
    assert_eq!(
        store
            .history(&scope(TOWN), RecordRef::Person(person.id))
            .expect("history")
            .len(),
        2
    );
}

pub fn a_tenant_moves_to_another_house_on_the_day_the_clerk_chooses(db: &TestDb) {
    let store = deployed(db);
    let old = store
        .create_house(&scope(TOWN), &house(DUOFU, "多福巷12号"), &actor())
        .expect("house");
    let new = store
        .create_house(&scope(TOWN), &house(DUOFU, "多福巷14号"), &actor())
        .expect("house");
    let mut a = arrival(&id_number("19900307", 126), "张三", DUOFU, "2024-03-05");
    a.stay.house = Some(old.id);
    let (_, stay) = store
        .register_arrival(&scope(TOWN), &a, &actor())
        .expect("arrival");
    let today = sojourn_domain::time_rules::china_today();
    let day = |text: &str| PastDate::parse(text, today).expect("a past day");
    // Not before the stay (and its tenancy) began: refused, nothing moves.
    let early = store.move_to_house(
        &scope(TOWN),
        stay.id,
        new.id,
        day("2024-03-04"),
        1,
        &actor(),
    );
    assert!(
        matches!(
            early,
            Err(StoreError::Rule(DomainError::TenancyEndBeforeStart { .. }))
        ),
        "{early:?}"
    );
    assert!(
        store
            .tenants_of(&scope(TOWN), new.id)
            .expect("tenants")
            .is_empty()
    );
    let moved = store
        .move_to_house(
            &scope(TOWN),
            stay.id,
            new.id,
            day("2024-06-01"),
            1,
            &actor(),
        )
        .expect("moved");
    assert_eq!((moved.stay.house, moved.version), (Some(new.id), 2));
    let before = store.tenants_of(&scope(TOWN), old.id).expect("tenants");
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].ended_on, Some(date("2024-06-01")));
    let now = store.tenants_of(&scope(TOWN), new.id).expect("tenants");
    assert_eq!(
        now.iter()
            .map(|t| (t.started_on, t.ended_on))
            .collect::<Vec<_>>(),
        [(date("2024-06-01"), None)]
    );
    // A stale version is refused.
    let stale = store.move_to_house(
        &scope(TOWN),
        stay.id,
        old.id,
        day("2024-07-01"),
        1,
        &actor(),
    );
    assert!(
        matches!(stale, Err(StoreError::VersionConflict { .. })),
        "{stale:?}"
    );
}

pub fn a_units_contacts_are_kept_read_in_scope_and_audited(db: &TestDb) {
    let store = deployed(db);
    let empty = store
        .unit_contacts(&scope(TOWN), &code(DUOFU))
        .expect("contacts");
    assert_eq!(empty, sojourn_domain::unit::UnitContacts::default());
    let contacts = sojourn_domain::unit::UnitContacts {
        coordinator: Some(sojourn_domain::text::PersonName::parse("王协管").expect("name")),
        phone: Some(sojourn_domain::codes::Phone::parse("010-65123456").expect("phone")),
        police_officer: None,
        police_phone: Some(sojourn_domain::codes::Phone::parse("13900139001").expect("phone")),
    };
    store
        .set_unit_contacts(&scope(TOWN), &code(DUOFU), &contacts, &actor())
        .expect("set");
    assert_eq!(
        store
            .unit_contacts(&scope(DUOFU), &code(DUOFU))
            .expect("contacts"),
        contacts
    );
    // Another community's are neither read nor changed.
    assert!(matches!(
        store.unit_contacts(&scope(YINZHA), &code(DUOFU)),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.set_unit_contacts(&scope(YINZHA), &code(DUOFU), &contacts, &actor()),
        Err(StoreError::NotFound { .. })
    ));
    let audited = store
        .audit_entries_unscoped(0, 10_000)
        .expect("audit")
        .into_iter()
        .filter(|e| e.object_kind.as_deref() == Some("unit_contacts"))
        .count();
    assert_eq!(audited, 1);
}
