//! Probable duplicates queued by the write that makes them (R6.2): an
//! arrival, a batch or an edit pairs the files it touches with the
//! register at once, as a scan would pair them, without a scan.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::codes::IdNumber;
use sojourn_domain::person::PersonId;
use sojourn_domain::quality::DuplicateReason;
use sojourn_domain::residence::Arrival;
use sojourn_domain::text::{Note, PersonName};
use sojourn_store::crypto::{DataKey, Keyring};
use sojourn_store::quality::*;
use sojourn_store::*;

const TODAY: &str = "2026-11-28";

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

/// One queued pair as the queue shows it in `unit`'s scope.
#[derive(Debug, PartialEq, Eq)]
struct Queued {
    first: PersonId,
    second: PersonId,
    score: u8,
    reasons: Vec<DuplicateReason>,
    status: DuplicateStatus,
}

fn queued(store: &dyn Store, unit: &str) -> Vec<Queued> {
    let mut pairs: Vec<Queued> = store
        .duplicate_queue(&scope(unit), None, 0, 100)
        .expect("queue")
        .into_iter()
        .map(|p| Queued {
            first: p.first,
            second: p.second,
            score: p.score,
            reasons: p.reasons,
            status: p.status,
        })
        .collect();
    pairs.sort_by_key(|p| (p.first, p.second));
    pairs
}

fn pair_of(a: PersonId, b: PersonId) -> (PersonId, PersonId) {
    (a.min(b), a.max(b))
}

fn ids(pairs: &[Queued]) -> Vec<(PersonId, PersonId)> {
    pairs.iter().map(|p| (p.first, p.second)).collect()
}

fn register(store: &dyn Store, unit: &str, arrival: &Arrival) -> PersonId {
    store
        .register_arrival(&scope(unit), arrival, &actor())
        .expect("arrival")
        .0
        .id
}

const NAME_AND_BIRTH: [DuplicateReason; 2] = [
    DuplicateReason::SameNameAndBirthDate,
    DuplicateReason::SamePinyinAndBirthYear,
];

pub fn a_second_file_of_the_same_name_and_birth_date_is_queued_at_once(db: &TestDb) {
    let store = deployed(db);
    let a = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 51), "孙八", DUOFU, "2026-10-01"),
    );
    let stranger = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 53), "钱七", DUOFU, "2026-10-01"),
    );
    assert!(queued(store, TOWN).is_empty(), "no namesake yet");
    let b = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 55), "孙八", DUOFU, "2026-11-01"),
    );
    let (first, second) = pair_of(a, b);
    assert_eq!(
        queued(store, TOWN),
        [Queued {
            first,
            second,
            score: 80,
            reasons: NAME_AND_BIRTH.to_vec(),
            status: DuplicateStatus::Open,
        }]
    );
    assert!(
        !ids(&queued(store, TOWN))
            .iter()
            .any(|(x, y)| *x == stranger || *y == stranger)
    );
    // What the write queued is what the scan finds: nothing new.
    let scan = store
        .scan_quality(&scope(TOWN), date(TODAY), 100)
        .expect("scan");
    assert_eq!((scan.pairs, scan.new_pairs), (1, 0));
    assert_eq!(queued(store, TOWN).len(), 1);
}

pub fn an_edit_that_gives_a_file_a_namesakes_name_queues_the_pair(db: &TestDb) {
    let store = deployed(db);
    let a = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 61), "周九", DUOFU, "2026-10-01"),
    );
    let b = register(
        store,
        YINZHA,
        &arrival(&id_number("19851010", 63), "吴十", YINZHA, "2026-10-01"),
    );
    assert!(queued(store, TOWN).is_empty());
    let file = store.get_person(&scope(YINZHA), b).expect("file");
    let mut details = file.details.clone();
    details.name = PersonName::parse("周九").expect("name");
    store
        .update_person(&scope(YINZHA), b, &details, file.version, &actor())
        .expect("edit");
    let pairs = queued(store, TOWN);
    assert_eq!(ids(&pairs), [pair_of(a, b)]);
    assert_eq!(pairs[0].reasons, NAME_AND_BIRTH);
}

/// `number` with the character at `position` replaced, as a legacy file
/// may hold it (the store itself writes only valid numbers).
fn mistyped(number: &IdNumber, position: usize, replacement: char) -> String {
    let mut chars: Vec<char> = number.as_str().chars().collect();
    assert_ne!(chars[position], replacement);
    chars[position] = replacement;
    chars.into_iter().collect()
}

/// Writes `number` into a file behind the store's back, sealed and
/// indexed under `keys`, as a file migrated from an older system would be.
fn store_legacy_number(db: &TestDb, keys: &Keyring, person: PersonId, number: &str) {
    db.execute_raw(&format!(
        "UPDATE persons SET id_number = '{}', id_number_bidx = '{}' WHERE id = {}",
        keys.encrypt("id_number", number),
        keys.blind_index("id_number", number),
        person.0
    ))
    .expect("raw update");
}

pub fn a_number_one_digit_from_a_stored_one_is_queued_under_every_key(db: &TestDb) {
    let store = deployed(db);
    // A legacy file whose check character was mistyped; a valid number
    // then arrives that differs from it there.
    let valid = id_number("19851010", 71);
    let legacy = register(store, DUOFU, &arrival(&valid, "甲", DUOFU, "2026-10-01"));
    let check = valid.as_str().chars().last().expect("18 characters");
    let wrong_check = if check == '0' { '1' } else { '0' };
    store_legacy_number(db, &db.keys, legacy, &mistyped(&valid, 17, wrong_check));
    // The scan flags the faulty number; from then on writes look for
    // numbers one digit away (a valid number has no valid such neighbour).
    store
        .scan_quality(&scope(TOWN), date(TODAY), 1000)
        .expect("scan");
    assert!(queued(store, TOWN).is_empty(), "no valid neighbour yet");
    let arrived = register(store, DUOFU, &arrival(&valid, "乙", DUOFU, "2026-11-01"));
    assert_eq!(
        queued(store, TOWN),
        [Queued {
            first: legacy,
            second: arrived,
            score: 60,
            reasons: vec![DuplicateReason::IdDiffersInOneDigit { position: 17 }],
            status: DuplicateStatus::Open,
        }]
    );

    // Mid-rotation, a legacy number indexed under the retiring key is
    // still found; here a sequence digit was mistyped.
    let valid = id_number("19851010", 83);
    let old = register(store, DUOFU, &arrival(&valid, "丙", DUOFU, "2026-10-01"));
    let digit = valid.as_str().chars().nth(15).expect("digit");
    let other = if digit == '5' { '6' } else { '5' };
    store_legacy_number(db, &db.keys, old, &mistyped(&valid, 15, other));
    store
        .scan_quality(&scope(TOWN), date(TODAY), 1000)
        .expect("scan");
    let rotating = Keyring::new(DataKey::generate(), vec![db.keys.current().clone()]);
    let during = db.open_with(rotating).expect("open with both keys");
    let new = register(
        during.as_ref(),
        YINZHA,
        &arrival(&valid, "丁", YINZHA, "2026-11-01"),
    );
    let pairs = queued(during.as_ref(), TOWN);
    let found = pairs
        .iter()
        .find(|p| (p.first, p.second) == pair_of(old, new))
        .expect("the pair across the rotation is queued");
    assert_eq!(
        found.reasons,
        [DuplicateReason::IdDiffersInOneDigit { position: 15 }]
    );
    assert_eq!(pairs.len(), 2, "{pairs:?}");
}

pub fn a_dismissed_pair_is_not_reopened_by_a_later_write(db: &TestDb) {
    let store = deployed(db);
    let a = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 81), "孙八", DUOFU, "2026-10-01"),
    );
    let b = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 83), "孙八", DUOFU, "2026-11-01"),
    );
    let pair = store
        .duplicate_queue(&scope(DUOFU), None, 0, 10)
        .expect("queue")
        .pop()
        .expect("queued at once");
    let reason = Note::parse("经电话核实为两人").expect("reason");
    store
        .dismiss_duplicate(&scope(DUOFU), pair.id, &reason, &actor())
        .expect("dismiss");
    // An edit of either file, and a third namesake, write again.
    let file = store.get_person(&scope(DUOFU), b).expect("file");
    store
        .update_person(&scope(DUOFU), b, &file.details, file.version, &actor())
        .expect("edit");
    let c = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 85), "孙八", DUOFU, "2026-11-02"),
    );
    let pairs = queued(store, DUOFU);
    let status = |x: PersonId, y: PersonId| {
        pairs
            .iter()
            .find(|p| (p.first, p.second) == pair_of(x, y))
            .map(|p| p.status)
    };
    assert_eq!(status(a, b), Some(DuplicateStatus::Dismissed));
    assert_eq!(status(a, c), Some(DuplicateStatus::Open));
    assert_eq!(status(b, c), Some(DuplicateStatus::Open));
    assert_eq!(pairs.len(), 3);
    assert_eq!(
        store
            .duplicate_decisions(&scope(DUOFU), pair.id)
            .expect("decisions")
            .len(),
        1
    );
}

pub fn an_offset_past_the_end_of_the_queue_reads_nothing_up_to_u64_max(db: &TestDb) {
    let store = deployed(db);
    for n in [71, 73] {
        let number = id_number("19851010", n);
        register(store, DUOFU, &arrival(&number, "孙八", DUOFU, "2026-11-01"));
    }
    assert_eq!(queued(store, DUOFU).len(), 1);
    for offset in [1, i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX] {
        let page = store.duplicate_queue(&scope(DUOFU), None, offset, 10);
        assert!(
            matches!(page.as_deref(), Ok([])),
            "offset {offset}: {page:?}"
        );
    }
}

pub fn a_merged_file_is_not_paired_by_a_later_write(db: &TestDb) {
    let store = deployed(db);
    let first = arrival(&id_number("19851010", 91), "孙八", DUOFU, "2025-06-01");
    let (a, stay) = store
        .register_arrival(&scope(DUOFU), &first, &actor())
        .expect("arrival");
    store
        .register_departure(
            &scope(DUOFU),
            stay.id,
            &departure("2026-01-01"),
            stay.version,
            &actor(),
        )
        .expect("departure");
    let b = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 93), "孙八", DUOFU, "2026-11-01"),
    );
    let pair = store
        .duplicate_queue(&scope(DUOFU), None, 0, 10)
        .expect("queue")
        .pop()
        .expect("queued at once");
    store
        .merge_duplicate(&scope(DUOFU), pair.id, b, &actor())
        .expect("merge");
    let c = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 95), "孙八", DUOFU, "2026-11-02"),
    );
    let pairs = queued(store, DUOFU);
    assert_eq!(ids(&pairs), [pair_of(a.id, b), pair_of(b, c)]);
    assert_eq!(pairs[1].status, DuplicateStatus::Open);
}

pub fn a_batch_pairs_its_rows_with_each_other_and_with_stored_files(db: &TestDb) {
    let store = deployed(db);
    let stored = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 101), "孙八", DUOFU, "2026-10-01"),
    );
    let rows = [
        arrival(&id_number("19851010", 103), "孙八", DUOFU, "2026-11-01"),
        arrival(&id_number("19900307", 105), "王芳", YINZHA, "2026-11-01"),
        arrival(&id_number("19901120", 107), "汪方", YINZHA, "2026-11-01"),
        arrival(&id_number("19700101", 109), "钱七", DUOFU, "2026-11-01"),
    ];
    let outcomes = store
        .register_arrivals(&scope(TOWN), &rows, &actor())
        .expect("batch");
    let person = |i: usize| {
        let residence = *outcomes[i].as_ref().expect("row written");
        store
            .get_residence(&scope(TOWN), residence)
            .expect("stay")
            .person
    };
    let pairs = queued(store, TOWN);
    let mut expected = vec![pair_of(stored, person(0)), pair_of(person(1), person(2))];
    expected.sort();
    assert_eq!(ids(&pairs), expected);
    let spelled = pairs
        .iter()
        .find(|p| (p.first, p.second) == pair_of(person(1), person(2)))
        .expect("same pinyin and birth year");
    assert_eq!(
        (spelled.score, spelled.reasons.as_slice()),
        (30, [DuplicateReason::SamePinyinAndBirthYear].as_slice())
    );
    let scan = store
        .scan_quality(&scope(TOWN), date(TODAY), 100)
        .expect("scan");
    assert_eq!((scan.pairs, scan.new_pairs), (2, 0));
}

/// Namesakes within a first load and across its two batches: three of
/// one name and birth date, two of one pinyin and birth year.
fn loaded_batches() -> [Vec<Arrival>; 2] {
    [
        vec![
            arrival(&id_number("19851010", 111), "孙八", DUOFU, "2026-10-01"),
            arrival(&id_number("19851010", 113), "孙八", YINZHA, "2026-10-01"),
            arrival(&id_number("19700101", 115), "钱七", DUOFU, "2026-10-01"),
        ],
        vec![
            arrival(&id_number("19700606", 117), "钱七", YINZHA, "2026-10-02"),
            arrival(&id_number("19851010", 119), "孙八", DUOFU, "2026-10-02"),
        ],
    ]
}

/// The queue as names and scores, comparable across two stores.
fn named_queue(store: &dyn Store) -> Vec<String> {
    let mut pairs: Vec<String> = store
        .duplicate_queue(&scope(TOWN), None, 0, 100)
        .expect("queue")
        .iter()
        .map(|p| {
            let number = |id: PersonId| {
                store
                    .get_person(&scope(TOWN), id)
                    .expect("file")
                    .id_number
                    .as_str()
                    .to_owned()
            };
            let mut numbers = [number(p.first), number(p.second)];
            numbers.sort();
            format!("{numbers:?} {} {:?} {:?}", p.score, p.reasons, p.status)
        })
        .collect();
    pairs.sort();
    pairs
}

pub fn a_bulk_load_ends_with_its_pairs_queued(db: &TestDb) {
    let bulk = deployed(db);
    assert!(bulk.begin_bulk_load_unscoped().expect("begin"));
    for batch in loaded_batches() {
        bulk.register_arrivals(&scope(TOWN), &batch, &actor())
            .expect("batch");
    }
    bulk.finish_bulk_load_unscoped().expect("finish");
    let summary = bulk
        .queue_probable_duplicates(&scope(TOWN))
        .expect("the load's pairs");
    assert_eq!(summary.records, 5);
    assert_eq!(summary.pairs, 4);

    let other = db.another();
    let normal = other.store();
    deploy(normal);
    for batch in loaded_batches() {
        normal
            .register_arrivals(&scope(TOWN), &batch, &actor())
            .expect("batch");
    }
    let loaded = named_queue(bulk);
    assert_eq!(loaded.len(), 4, "{loaded:?}");
    assert_eq!(loaded, named_queue(normal));
    // Run again, it finds every pair queued already.
    let again = bulk.queue_probable_duplicates(&scope(TOWN)).expect("again");
    assert_eq!((again.pairs, again.new_pairs), (4, 0));
}

pub fn a_write_pairs_across_units_but_the_queue_shows_a_pair_only_where_both_files_are(
    db: &TestDb,
) {
    let store = deployed(db);
    let theirs = register(
        store,
        YINZHA,
        &arrival(&id_number("19851010", 121), "孙八", YINZHA, "2026-10-01"),
    );
    // Registered by a clerk of the other community, who may not see it.
    let ours = register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 123), "孙八", DUOFU, "2026-11-01"),
    );
    assert!(queued(store, DUOFU).is_empty());
    assert!(queued(store, YINZHA).is_empty());
    let pairs = store
        .duplicate_queue(&scope(TOWN), None, 0, 10)
        .expect("queue");
    assert_eq!(pairs.len(), 1);
    assert_eq!((pairs[0].first, pairs[0].second), pair_of(theirs, ours));
    assert!(matches!(
        store.get_duplicate(&scope(DUOFU), pairs[0].id),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.duplicate_decisions(&scope(DUOFU), pairs[0].id),
        Err(StoreError::NotFound { .. })
    ));
    let reason = Note::parse("不是同一人").expect("reason");
    assert!(matches!(
        store.dismiss_duplicate(&scope(DUOFU), pairs[0].id, &reason, &actor()),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.merge_duplicate(&scope(DUOFU), pairs[0].id, ours, &actor()),
        Err(StoreError::NotFound { .. })
    ));
}

/// The open pairs the monitor counts in `unit`'s scope, and those its
/// queue lists.
fn counted_and_listed(store: &dyn Store, unit: &str) -> (u64, usize) {
    let counts = store.quality_counts(&scope(unit)).expect("counts");
    let listed = store
        .duplicate_queue(&scope(unit), Some(DuplicateStatus::Open), 0, 100)
        .expect("queue");
    let counted = counts.open_duplicates.iter().map(|(_, n)| n).sum();
    // The to-do list's count, below its cap, is the monitor's.
    let waiting = store.quality_waiting(&scope(unit)).expect("waiting");
    assert_eq!(waiting.duplicates, counted, "to-do pairs in {unit}");
    let findings: u64 = counts.findings.iter().map(|c| c.count).sum();
    assert_eq!(waiting.findings, findings, "to-do findings in {unit}");
    (counted, listed.len())
}

pub fn the_monitors_count_of_open_pairs_is_the_number_its_queue_lists_in_every_scope(db: &TestDb) {
    let store = deployed(db);
    // A pair within one community, and a pair across two: a community's
    // chief lists only the first, the street both.
    register(
        store,
        DUOFU,
        &arrival(&id_number("19900101", 11), "周九", DUOFU, "2026-10-01"),
    );
    register(
        store,
        DUOFU,
        &arrival(&id_number("19900101", 13), "周九", DUOFU, "2026-10-02"),
    );
    register(
        store,
        YINZHA,
        &arrival(&id_number("19851010", 121), "孙八", YINZHA, "2026-10-01"),
    );
    register(
        store,
        DUOFU,
        &arrival(&id_number("19851010", 123), "孙八", DUOFU, "2026-11-01"),
    );
    assert_eq!(counted_and_listed(store, DUOFU), (1, 1));
    assert_eq!(counted_and_listed(store, YINZHA), (0, 0));
    assert_eq!(counted_and_listed(store, TOWN), (2, 2));
    // Each pair is counted under the unit the list names for it.
    let counts = store.quality_counts(&scope(TOWN)).expect("counts");
    let listed = store
        .duplicate_queue(&scope(TOWN), Some(DuplicateStatus::Open), 0, 100)
        .expect("queue");
    for (unit, n) in &counts.open_duplicates {
        let named = listed.iter().filter(|p| &p.unit == unit).count();
        assert_eq!(*n, named as u64, "pairs under {unit}");
    }
}
