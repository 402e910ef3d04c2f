//! Imported stays (`import_stays`, what the resident import calls): a row
//! is stored whole with its status or not at all, and a row repeating a
//! stay on file — current or departed — is found there, not stored again.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::residence::{Arrival, ResidenceStatus};
use sojourn_store::*;

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

fn import(
    store: &dyn Store,
    scope_code: &str,
    rows: &[(Arrival, ResidenceStatus)],
) -> Vec<Result<StayImport>> {
    let arrivals: Vec<Arrival> = rows.iter().map(|(a, _)| a.clone()).collect();
    let statuses: Vec<ResidenceStatus> = rows.iter().map(|(_, s)| s.clone()).collect();
    store
        .import_stays(&scope(scope_code), &arrivals, &statuses, &actor())
        .expect("import")
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

fn registered(outcome: &Result<StayImport>) -> sojourn_domain::residence::ResidenceId {
    match outcome {
        Ok(StayImport::Registered(id)) => *id,
        other => panic!("expected a new stay, got {other:?}"),
    }
}

pub fn an_imported_departed_stay_is_stored_with_its_departure(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    let outcomes = import(
        store,
        TOWN,
        &[
            (
                arrival(&number, "张三", DUOFU, "2023-03-05"),
                ResidenceStatus::Departed(departure("2024-01-10")),
            ),
            (
                arrival(&id_number("19910307", 125), "李四", DUOFU, "2024-03-05"),
                ResidenceStatus::Active,
            ),
        ],
    );
    let departed = store
        .get_residence(&scope(TOWN), registered(&outcomes[0]))
        .expect("stay");
    assert_eq!(
        departed.status,
        ResidenceStatus::Departed(departure("2024-01-10"))
    );
    let active = store
        .get_residence(&scope(TOWN), registered(&outcomes[1]))
        .expect("stay");
    assert_eq!(active.status, ResidenceStatus::Active);
    // The person left: a later arrival elsewhere is no duplicate.
    assert!(
        store
            .register_arrival(
                &scope(TOWN),
                &arrival(&number, "张三", YINZHA, "2024-02-01"),
                &actor()
            )
            .is_ok()
    );
}

pub fn an_imported_row_whose_departure_is_refused_leaves_nothing(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    let outcomes = import(
        store,
        TOWN,
        &[
            // Departed before it arrived: the departure is refused, and
            // with it the arrival of the same row.
            (
                arrival(&number, "张三", DUOFU, "2024-03-05"),
                ResidenceStatus::Departed(departure("2024-01-10")),
            ),
            (
                arrival(&id_number("19910307", 125), "李四", DUOFU, "2024-03-05"),
                ResidenceStatus::Registered,
            ),
        ],
    );
    assert!(
        matches!(outcomes[0], Err(StoreError::Rule(_))),
        "{:?}",
        outcomes[0]
    );
    registered(&outcomes[1]);
    assert_eq!(total_stays(store), 1);
    assert!(
        store
            .find_person(&scope(TOWN), &number)
            .expect("find")
            .is_none(),
        "no half row: neither the file nor the stay of the refused row"
    );
}

pub fn a_departed_stay_imported_again_is_already_registered(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    let row = (
        arrival(&number, "张三", DUOFU, "2023-03-05"),
        ResidenceStatus::Departed(departure("2024-01-10")),
    );
    let first = registered(&import(store, TOWN, std::slice::from_ref(&row))[0]);
    // What a check-only import is told, then what the import does.
    let fresh = arrival(&id_number("19910307", 125), "李四", DUOFU, "2023-03-05");
    assert_eq!(
        store
            .stays_on_file(&scope(TOWN), &[row.0.clone(), fresh])
            .expect("read"),
        vec![Some(first), None]
    );
    let again = import(store, TOWN, &[row]);
    assert_eq!(
        again[0].as_ref().ok(),
        Some(&StayImport::AlreadyRegistered(first))
    );
    assert_eq!(total_stays(store), 1);
}

pub fn a_current_stay_imported_again_is_already_registered_not_a_duplicate(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    let other = id_number("19910307", 125);
    let row = (
        arrival(&number, "张三", DUOFU, "2024-03-05"),
        ResidenceStatus::Active,
    );
    let first = registered(&import(store, TOWN, std::slice::from_ref(&row))[0]);
    let again = import(
        store,
        TOWN,
        &[
            row,
            (
                arrival(&other, "李四", DUOFU, "2024-03-05"),
                ResidenceStatus::Registered,
            ),
        ],
    );
    assert_eq!(
        again[0].as_ref().ok(),
        Some(&StayImport::AlreadyRegistered(first))
    );
    registered(&again[1]);
    // Another stay of the same person (another day) is still 重卡.
    let elsewhere = import(
        store,
        TOWN,
        &[(
            arrival(&number, "张三", YINZHA, "2024-04-01"),
            ResidenceStatus::Registered,
        )],
    );
    assert!(
        matches!(elsewhere[0], Err(StoreError::DuplicateResidence { .. })),
        "{:?}",
        elsewhere[0]
    );
    assert_eq!(total_stays(store), 2);
}

pub fn a_stay_on_file_outside_the_scope_is_refused_not_revealed(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19900307", 123);
    let row = (
        arrival(&number, "张三", DUOFU, "2023-03-05"),
        ResidenceStatus::Departed(departure("2024-01-10")),
    );
    registered(&import(store, DUOFU, std::slice::from_ref(&row))[0]);
    let from_sibling = import(store, YINZHA, &[row]);
    assert!(
        matches!(
            from_sibling[0],
            Err(StoreError::ReferenceOutOfScope {
                kind: sojourn_domain::record::RecordKind::Unit,
                ..
            })
        ),
        "{:?}",
        from_sibling[0]
    );
    assert_eq!(total_stays(store), 1);
}

/// What a check of `batches` is told, batch by batch.
fn check(
    store: &dyn Store,
    batches: Vec<Vec<(Arrival, ResidenceStatus)>>,
) -> Vec<Vec<Result<StayImport>>> {
    let mut pending = batches.into_iter();
    let mut next = || {
        pending.next().map(|rows| {
            let arrivals = rows.iter().map(|(a, _)| a.clone()).collect();
            let statuses = rows.iter().map(|(_, s)| s.clone()).collect();
            (arrivals, statuses)
        })
    };
    let mut told = Vec::new();
    let mut decided = |outcomes| told.push(outcomes);
    store
        .check_import_stays(&scope(TOWN), &actor(), &mut next, &mut decided)
        .expect("checked");
    told
}

pub fn a_checked_import_gives_the_imports_verdict_and_changes_nothing(db: &TestDb) {
    let store = deployed(db);
    let elsewhere = id_number("19900307", 123);
    // A current stay in another community: 重卡 for the checked rows.
    registered(
        &import(
            store,
            TOWN,
            &[(
                arrival(&elsewhere, "张三", YINZHA, "2024-01-05"),
                ResidenceStatus::Registered,
            )],
        )[0],
    );
    let fresh = id_number("19910307", 125);
    let told = check(
        store,
        vec![
            vec![
                (
                    arrival(&elsewhere, "张三", DUOFU, "2024-03-05"),
                    ResidenceStatus::Registered,
                ),
                (
                    arrival(&fresh, "李四", DUOFU, "2024-03-05"),
                    ResidenceStatus::Active,
                ),
            ],
            // A later batch sees what the earlier one would have written.
            vec![(
                arrival(&fresh, "李四", DUOFU, "2024-03-05"),
                ResidenceStatus::Active,
            )],
            // A row refused by a rule, alone in its batch.
            vec![(
                arrival(&id_number("19920307", 127), "王五", DUOFU, "2024-03-05"),
                ResidenceStatus::Departed(departure("2024-01-10")),
            )],
        ],
    );
    assert_eq!(told.len(), 3);
    assert!(
        matches!(told[0][0], Err(StoreError::DuplicateResidence { .. })),
        "{:?}",
        told[0][0]
    );
    let would_be = registered(&told[0][1]);
    assert_eq!(
        told[1][0].as_ref().ok(),
        Some(&StayImport::AlreadyRegistered(would_be))
    );
    assert!(
        matches!(told[2][0], Err(StoreError::Rule(_))),
        "{:?}",
        told[2][0]
    );
    // Nothing of it stands.
    assert_eq!(total_stays(store), 1);
    assert!(
        store
            .find_person(&scope(TOWN), &fresh)
            .expect("find")
            .is_none()
    );
    // And the store takes writes as before.
    let imported = import(
        store,
        TOWN,
        &[(
            arrival(&fresh, "李四", DUOFU, "2024-03-05"),
            ResidenceStatus::Active,
        )],
    );
    registered(&imported[0]);
    assert_eq!(total_stays(store), 2);
}

/// What a checked row import was told for each row, by kind of outcome.
fn told(outcome: &Result<()>) -> &'static str {
    match outcome {
        Ok(()) => "accepted",
        Err(StoreError::DuplicateOutflow { .. }) => "duplicate_outflow",
        Err(StoreError::OutflowOnFile { .. }) => "outflow_on_file",
        Err(StoreError::DuplicateEmployer) => "duplicate_employer",
        Err(other) => panic!("unexpected refusal {other:?}"),
    }
}

pub fn a_checked_row_import_refuses_what_the_import_would_and_writes_nothing(db: &TestDb) {
    let store = deployed(db);
    let away = id_number("19880808", 131);
    store
        .create_outflow(&scope(TOWN), &away, &outflow(DUOFU, "孙大"), &actor())
        .expect("an outflow on file");
    let fresh = id_number("19890909", 133);
    let mut left_again = outflow(DUOFU, "钱二");
    left_again.left_on = past("2025-06-01");
    let mut outcomes = Vec::new();
    store
        .check_import_rows(&scope(TOWN), &actor(), &mut |sink| {
            let rows = [
                sink.create_outflow(&fresh, &outflow(DUOFU, "钱二"), None),
                // Still away from the row above: the store refuses it.
                sink.create_outflow(&fresh, &left_again, None),
                sink.create_outflow(&away, &outflow(DUOFU, "孙大"), None),
                // Came back, then left again: both stand.
                sink.create_outflow(
                    &id_number("19870707", 135),
                    &outflow(DUOFU, "李三"),
                    Some(past("2025-05-01")),
                ),
                sink.create_employer(&uscc(7), &employer(DUOFU, "多福餐饮有限公司")),
                sink.create_employer(&uscc(7), &employer(YINZHA, "多福餐饮有限公司")),
                sink.create_house(&house(DUOFU, "多福巷30号")).map(drop),
            ];
            outcomes.extend(rows);
            Ok(())
        })
        .expect("checked");
    assert_eq!(
        outcomes.iter().map(told).collect::<Vec<_>>(),
        [
            "accepted",
            "duplicate_outflow",
            "outflow_on_file",
            "accepted",
            "accepted",
            "duplicate_employer",
            "accepted"
        ]
    );
    let outflows = store
        .search_outflows(&scope(TOWN), &OutflowQuery::default())
        .expect("outflows");
    assert_eq!(outflows.total, 1, "only the record from before");
    let employers = store
        .search_employers(&scope(TOWN), &EmployerQuery::default())
        .expect("employers");
    assert_eq!(employers.total, 0);
    let houses = store
        .search_houses(&scope(TOWN), &HouseQuery::default())
        .expect("houses");
    assert_eq!(houses.total, 0);
}
