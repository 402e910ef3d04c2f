//! A minor under 16 is registered with an adult guardian (R2.6): refused
//! without one, on a single arrival, in a batch and on an edit; the
//! guardian's numbers sealed at rest and read back whole; the guardian kept
//! in the file's revisions.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::DomainError;
use sojourn_domain::codes::IdNumber;
use sojourn_domain::residence::Arrival;
use sojourn_store::*;

/// Born 2015-06-01: 8 on the arrival day below, 11 today.
fn child() -> IdNumber {
    id_number("20150601", 41)
}

fn father() -> IdNumber {
    id_number("19850307", 51)
}

fn mother() -> IdNumber {
    id_number("19870909", 62)
}

fn child_arrival(with_father: bool) -> Arrival {
    let mut a = arrival(&child(), "张小宝", DUOFU, "2024-03-05");
    a.person.phone = None;
    if with_father {
        a.person.guardian = Some(guardian("张大山", &father(), "父亲", "13911112222"));
    }
    a
}

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

fn is_rule<T>(result: &std::result::Result<T, StoreError>, expected: &DomainError) -> bool {
    matches!(result, Err(StoreError::Rule(e)) if e == expected)
}

pub fn a_minor_without_a_guardian_is_refused_and_changes_nothing(db: &TestDb) {
    let store = deployed(db);
    let refused = store.register_arrival(&scope(DUOFU), &child_arrival(false), &actor());
    assert!(
        is_rule(&refused, &DomainError::GuardianRequired { age: 8 }),
        "{refused:?}"
    );
    assert_eq!(
        store.find_person(&scope(TOWN), &child()).expect("find"),
        None
    );
    assert!(db.raw_texts("persons", "name").is_empty());
    // An adult needs none.
    let adult = arrival(&father(), "张大山", DUOFU, "2024-03-05");
    store
        .register_arrival(&scope(DUOFU), &adult, &actor())
        .expect("an adult without a guardian");
}

pub fn a_batch_refuses_each_minor_without_an_adult_guardian_on_its_own(db: &TestDb) {
    let store = deployed(db);
    let mut teen_guardian = child_arrival(false);
    teen_guardian.id_number = id_number("20160101", 43);
    // Born 2010-01-01: 14 on the arrival day, no guardian of anyone.
    teen_guardian.person.guardian = Some(guardian(
        "李少年",
        &id_number("20100101", 44),
        "其他亲属",
        "13911113333",
    ));
    let mut self_guardian = child_arrival(false);
    self_guardian.id_number = id_number("20170202", 45);
    self_guardian.person.guardian = Some(guardian(
        "王小",
        &self_guardian.id_number,
        "其他",
        "13911114444",
    ));
    let rows = [
        arrival(&mother(), "王秀英", DUOFU, "2024-03-05"),
        child_arrival(false),
        teen_guardian,
        self_guardian,
        child_arrival(true),
    ];
    let outcomes = store
        .register_arrivals(&scope(DUOFU), &rows, &actor())
        .expect("batch");
    assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
    assert!(is_rule(
        &outcomes[1],
        &DomainError::GuardianRequired { age: 8 }
    ));
    assert!(is_rule(
        &outcomes[2],
        &DomainError::GuardianNotAdult { age: 14 }
    ));
    assert!(is_rule(&outcomes[3], &DomainError::GuardianIsSelf));
    assert!(outcomes[4].is_ok(), "{:?}", outcomes[4]);
    let stored = store
        .find_person(&scope(TOWN), &child())
        .expect("find")
        .expect("the row with a guardian is on file");
    assert_eq!(stored.details.guardian, child_arrival(true).person.guardian);
}

pub fn a_guardians_numbers_are_sealed_at_rest_and_read_back_whole(db: &TestDb) {
    let store = deployed(db);
    let (person, _) = store
        .register_arrival(&scope(DUOFU), &child_arrival(true), &actor())
        .expect("arrival");
    for column in ["guardian_id_number", "guardian_phone"] {
        let values = db.raw_texts("persons", column);
        assert_eq!(values.len(), 1, "{column}");
        assert!(values[0].starts_with("v1:"), "{column}: {}", values[0]);
        for plain in [father().as_str(), "19850307", "13911112222", "11112222"] {
            assert!(!values[0].contains(plain), "{column}: {}", values[0]);
        }
    }
    assert_eq!(db.raw_texts("persons", "guardian_name"), ["张大山"]);
    assert_eq!(db.raw_texts("persons", "guardian_relation"), ["01"]);
    let read = store.get_person(&scope(DUOFU), person.id).expect("read");
    let guardian = read.details.guardian.expect("guardian on file");
    assert_eq!(guardian.id_number(), &father());
    assert_eq!(guardian.phone().as_str(), "13911112222");
    assert_eq!(guardian.name().as_str(), "张大山");
}

pub fn an_edit_keeps_a_minor_with_an_adult_guardian_and_the_old_one_in_history(db: &TestDb) {
    let store = deployed(db);
    let (person, _) = store
        .register_arrival(&scope(DUOFU), &child_arrival(true), &actor())
        .expect("arrival");
    let mut without = person.details.clone();
    without.guardian = None;
    let refused = store.update_person(&scope(DUOFU), person.id, &without, 1, &actor());
    assert!(
        is_rule(&refused, &DomainError::GuardianRequired { age: 11 }),
        "{refused:?}"
    );
    let mut herself = person.details.clone();
    herself.guardian = Some(guardian("张小宝", &child(), "其他", "13911115555"));
    let refused = store.update_person(&scope(DUOFU), person.id, &herself, 1, &actor());
    assert!(
        is_rule(&refused, &DomainError::GuardianIsSelf),
        "{refused:?}"
    );
    assert_eq!(
        store
            .get_person(&scope(DUOFU), person.id)
            .expect("read")
            .version,
        1,
        "a refused edit changes nothing"
    );
    let mut to_mother = person.details.clone();
    to_mother.guardian = Some(guardian("王秀英", &mother(), "母亲", "13911116666"));
    let edited = store
        .update_person(&scope(DUOFU), person.id, &to_mother, 1, &actor())
        .expect("edit");
    assert_eq!(edited.version, 2);
    assert_eq!(edited.details.guardian, to_mother.guardian);
    let history = store
        .history(&scope(DUOFU), RecordRef::Person(person.id))
        .expect("history");
    let before = history
        .iter()
        .find(|r| r.snapshot.contains(father().as_str()))
        .expect("the first guardian kept as a revision");
    assert!(
        before.snapshot.contains("13911112222"),
        "{}",
        before.snapshot
    );
    assert!(before.snapshot.contains("\"relation\":\"01\""));
    // The audit trail keeps both guardians masked.
    let entries = store.audit_entries_unscoped(0, 100).expect("entries");
    assert!(entries.len() >= 2);
    let masked = father().masked();
    let edit = entries.last().expect("the edit's entry");
    assert!(edit.details.contains(&masked), "{}", edit.details);
    for entry in &entries {
        for full in [
            father().as_str(),
            mother().as_str(),
            "13911112222",
            "13911116666",
        ] {
            assert!(!entry.details.contains(full), "{}", entry.details);
        }
    }
    for value in db.raw_texts("revisions", "snapshot") {
        assert!(!value.contains(father().as_str()), "revisions are sealed");
    }
}

pub fn an_adult_file_may_keep_or_drop_the_guardian_recorded_as_a_child(db: &TestDb) {
    let store = deployed(db);
    // Born 2008-01-01: 16 on arrival, so no guardian needed, but one given.
    let mut a = arrival(&id_number("20080101", 46), "赵青", DUOFU, "2024-03-05");
    a.person.guardian = Some(guardian("赵父", &father(), "父亲", "13911117777"));
    let (person, _) = store
        .register_arrival(&scope(DUOFU), &a, &actor())
        .expect("a 16-year-old with a guardian recorded");
    let mut without = person.details.clone();
    without.guardian = None;
    let edited = store
        .update_person(&scope(DUOFU), person.id, &without, 1, &actor())
        .expect("an adult drops the guardian");
    assert_eq!(edited.details.guardian, None);
    assert!(
        db.raw_texts("persons", "guardian_id_number").is_empty(),
        "the columns are emptied together"
    );
}
