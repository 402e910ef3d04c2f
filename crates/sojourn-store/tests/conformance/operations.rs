//! The operator's view of a store: readiness, the inventory a backup's
//! manifest records, and every sealed value opened.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_store::crypto::{DataKey, Keyring};
use sojourn_store::operations::{Schema, known_migrations};

pub fn the_inventory_counts_each_write_and_ends_at_the_chains_head(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let before = store.inventory_unscoped().expect("inventory");
    let number = id_number("19900101", 1);
    store
        .register_arrival(
            &scope(TOWN),
            &arrival(&number, "张三", DUOFU, "2024-03-05"),
            &actor(),
        )
        .expect("arrival");
    let after = store.inventory_unscoped().expect("inventory");
    assert_eq!(after.counts["persons"], before.counts["persons"] + 1);
    assert_eq!(after.counts["residences"], before.counts["residences"] + 1);
    assert!(after.counts["audit_log"] > before.counts["audit_log"]);
    assert_eq!(after.counts["units"], 3);
    let head = after.audit_head.clone().expect("a chain head");
    assert_eq!(
        store.audit_head_unscoped().expect("the head"),
        Some(head.clone())
    );
    let report = store
        .verify_audit_unscoped(std::slice::from_ref(&head))
        .expect("verify");
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!(report.last, Some(head));
    assert_eq!(after.keys_in_use, [db.keys.current().id().to_owned()]);
    let mut known: Vec<String> = known_migrations().into_iter().map(String::from).collect();
    known.sort();
    assert_eq!(after.migrations, known);
}

pub fn a_store_is_ready_until_its_keys_or_schema_are_not_this_builds(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let ready = store.readiness_unscoped().expect("readiness");
    assert!(ready.is_ready(), "{ready:?}");

    // Another server put a new key first in its ring: values may now be
    // sealed under a key this one does not hold.
    let rotated = Keyring::new(DataKey::generate(), vec![db.keys.current().clone()]);
    drop(db.open_with(rotated).expect("opens with the new key first"));
    let ready = store.readiness_unscoped().expect("readiness");
    assert_eq!(ready.schema, Schema::Current);
    assert!(!ready.keys_held && !ready.is_ready(), "{ready:?}");

    db.execute_raw(
        "INSERT INTO schema_migrations (name, applied_at) \
         VALUES ('9999_from_a_newer_version', '2026-12-07T00:00:00Z')",
    )
    .expect("a migration this build does not know");
    let ready = store.readiness_unscoped().expect("readiness");
    assert_eq!(
        ready.schema,
        Schema::Ahead(vec!["9999_from_a_newer_version".into()])
    );
}

pub fn every_sealed_value_opens_and_one_that_does_not_is_named(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let mut persons = Vec::new();
    for seq in 1..=3 {
        let number = id_number("19900101", seq);
        let (person, _) = store
            .register_arrival(
                &scope(TOWN),
                &arrival(&number, "张三", DUOFU, "2024-03-05"),
                &actor(),
            )
            .expect("arrival");
        persons.push(person.id.0);
    }
    // Batches of one row walk every range and gap.
    let whole = store.open_sealed_values_unscoped(1).expect("check");
    assert!(whole.is_whole(), "{whole:?}");
    // Three ID numbers and three phones at least, and the revisions.
    assert!(whole.opened >= 6, "{whole:?}");
    assert_eq!(
        store.open_sealed_values_unscoped(1000).expect("check"),
        whole
    );

    // Behind the store's back: a phone in the clear, and an ID number
    // sealed under a key the store never had.
    let second = persons[1];
    let foreign = Keyring::generate().encrypt("id_number", "11010519491231002X");
    db.execute_raw(&format!(
        "UPDATE persons SET phone = '13800138000', id_number = '{foreign}' WHERE id = {second}"
    ))
    .expect("tampered");
    let damaged = store.open_sealed_values_unscoped(2).expect("check");
    assert_eq!(damaged.failed, 2, "{damaged:?}");
    assert_eq!(damaged.opened, whole.opened - 2);
    assert_eq!(
        damaged.examples,
        [
            format!("persons.id_number #{second}"),
            format!("persons.phone #{second}")
        ]
    );
}
