//! Documents checked or chased on a person's file (R2.6).

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::document::{DocumentCheck, DocumentKind};
use sojourn_domain::person::PersonId;
use sojourn_store::*;

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

fn check(kind: &str, checked_on: Option<&str>, due_on: Option<&str>, note: &str) -> DocumentCheck {
    DocumentCheck::parse(kind, checked_on, due_on, Some(note), date("2026-11-28")).expect("check")
}

fn resident(store: &dyn Store, unit: &str, seq: u16) -> PersonId {
    let number = id_number("19900307", seq);
    let (person, _) = store
        .register_arrival(
            &scope(unit),
            &arrival(&number, "张三", unit, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    person.id
}

pub fn document_checks_are_listed_newest_first(db: &TestDb) {
    let store = deployed(db);
    let person = resident(store, DUOFU, 11);
    let first = check("接种证", Some("2026-11-01"), None, "原件已核对");
    let second = check("labour_contract", Some("2026-11-20"), None, " ");
    store
        .record_document_check(&scope(DUOFU), person, &first, &actor())
        .expect("first");
    let recorded = store
        .record_document_check(&scope(DUOFU), person, &second, &actor())
        .expect("second");
    assert_eq!(recorded.check, second);
    assert_eq!(recorded.recorded_by, actor().name);

    let list = store.document_checks(&scope(TOWN), person).expect("list");
    let checks: Vec<_> = list.iter().map(|r| r.check.clone()).collect();
    assert_eq!(checks, [second, first]);
    assert!(list.iter().all(|r| r.person == person));
}

pub fn a_chase_then_a_check_keeps_both(db: &TestDb) {
    let store = deployed(db);
    let person = resident(store, DUOFU, 12);
    let chase = check("婚育证明", None, Some("2026-12-15"), "请一周内补交");
    let done = check("婚育证明", Some("2026-11-28"), None, "");
    for c in [&chase, &done] {
        store
            .record_document_check(&scope(DUOFU), person, c, &actor())
            .expect("record");
    }
    let list = store.document_checks(&scope(DUOFU), person).expect("list");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].check.kind, DocumentKind::MarriageBirthCertificate);
    assert_eq!(list[0].check.checked_on(), Some(date("2026-11-28")));
    assert_eq!(list[0].check.note, None);
    assert_eq!(list[1].check.due_on(), Some(date("2026-12-15")));
    assert_eq!(
        list[1].check.note.as_ref().map(|n| n.as_str()),
        Some("请一周内补交")
    );
}

pub fn a_person_outside_the_scope_gets_no_document_checks(db: &TestDb) {
    let store = deployed(db);
    let person = resident(store, YINZHA, 13);
    let before = store
        .audit_entries_unscoped(0, 1000)
        .expect("entries")
        .len();
    let refused = store.record_document_check(
        &scope(DUOFU),
        person,
        &check("接种证", Some("2026-11-01"), None, ""),
        &actor(),
    );
    assert!(
        matches!(
            refused,
            Err(StoreError::NotFound {
                kind: sojourn_domain::record::RecordKind::Person,
                ..
            })
        ),
        "{refused:?}"
    );
    let read = store.document_checks(&scope(DUOFU), person);
    assert!(matches!(read, Err(StoreError::NotFound { .. })), "{read:?}");
    let list = store.document_checks(&scope(YINZHA), person).expect("list");
    assert!(list.is_empty());
    let after = store
        .audit_entries_unscoped(0, 1000)
        .expect("entries")
        .len();
    assert_eq!(before, after);
}

pub fn a_document_check_is_audited_with_it(db: &TestDb) {
    let store = deployed(db);
    let person = resident(store, DUOFU, 14);
    let recorded = store
        .record_document_check(
            &scope(DUOFU),
            person,
            &check("vaccination_certificate", None, Some("2026-12-01"), "催办"),
            &actor(),
        )
        .expect("record");
    let entries = store.audit_entries_unscoped(0, 1000).expect("entries");
    let entry = entries.last().expect("an entry");
    assert_eq!(entry.action.as_str(), "create");
    assert_eq!(entry.object_kind.as_deref(), Some("document_check"));
    assert_eq!(entry.object_id, Some(recorded.id.to_string()));
    assert_eq!(entry.unit.as_deref(), Some(DUOFU));
    let details: serde_json::Value = serde_json::from_str(&entry.details).expect("json");
    assert_eq!(details["after"]["kind"], "vaccination_certificate");
    assert_eq!(details["after"]["due_on"], "2026-12-01");
    assert_eq!(details["after"]["person"], person.0);
}
