//! Encryption at rest: what the database holds is ciphertext (read behind
//! the store's back), lookups go through blind indexes, a wrong key is
//! refused at open, and a key rotation keeps every value readable before,
//! during and after, and resumes when interrupted.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_store::crypto::{CryptoError, DataKey, Keyring};
use sojourn_store::*;

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

/// Three residents with phones 1390000000<i>, one edited (a revision), the
/// last with the guardian recorded when a child (13911110000, born 1960).
fn residents(store: &dyn Store) -> Vec<sojourn_domain::codes::IdNumber> {
    let numbers: Vec<_> = (0..3).map(|i| id_number("19900307", 200 + i)).collect();
    for (i, number) in numbers.iter().enumerate() {
        let mut a = arrival(number, "张三", DUOFU, "2024-03-05");
        a.person.phone =
            Some(sojourn_domain::codes::Phone::parse(&format!("1390000000{i}")).expect("phone"));
        if i == 2 {
            let parent = id_number("19600101", 12);
            a.person.guardian = Some(guardian("张父", &parent, "父亲", "13911110000"));
        }
        let (person, _) = store
            .register_arrival(&scope(TOWN), &a, &actor())
            .expect("arrival");
        if i == 0 {
            store
                .update_person(&scope(TOWN), person.id, &person.details, 1, &actor())
                .expect("edit");
        }
    }
    numbers
}

fn phone_search(store: &dyn Store, phone: &str) -> u64 {
    let query = ResidentQuery {
        term: sojourn_domain::search::SearchTerm::parse(phone),
        status: StatusFilter::Any,
        ..Default::default()
    };
    store
        .search_residents(&scope(TOWN), &query)
        .expect("search")
        .total
}

/// An account with a second-factor secret, `JBSWY3DPEHPK3PXP`.
fn account_with_totp(store: &dyn Store) {
    let new = NewAccount {
        username: sojourn_domain::account::Username::parse("wangxm").expect("user name"),
        display_name: sojourn_domain::text::PersonName::parse("王小明").expect("name"),
        unit: code(DUOFU),
        roles: vec![sojourn_domain::account::Role::Clerk],
        password_hash: "$argon2id$hash".into(),
        password_set_at: time::OffsetDateTime::now_utc(),
        must_change_password: true,
        totp_secret: Some("JBSWY3DPEHPK3PXP".into()),
    };
    store
        .create_account(&scope(TOWN), &new, &actor())
        .expect("account");
}

pub fn sensitive_columns_hold_only_ciphertext_and_read_back_whole(db: &TestDb) {
    let store = deployed(db);
    let numbers = residents(store);
    store
        .create_house(&scope(DUOFU), &house(DUOFU, "多福巷3号"), &actor())
        .expect("house");
    let mut boss = employer(DUOFU, "东华门饭店");
    boss.phone = Some(sojourn_domain::codes::Phone::parse("13700137000").expect("phone"));
    store
        .create_employer(&scope(DUOFU), &uscc(1), &boss, &actor())
        .expect("employer");
    store
        .create_outflow(
            &scope(DUOFU),
            &id_number("19850505", 31),
            &outflow(DUOFU, "孙大"),
            &actor(),
        )
        .expect("outflow");
    account_with_totp(store);
    let her = crate::family_planning::woman(store, "19900307", 40, "王芳", "2026-03-01");
    let file = crate::family_planning::open(store, her, "2026-03-10");
    store
        .record_family_planning_check(
            &scope(DUOFU),
            file.id,
            &sojourn_domain::services::family_planning::CheckResult {
                checked_on: date("2026-11-20"),
                iud: sojourn_domain::services::family_planning::IudFinding::InPlace,
                pregnancy: sojourn_domain::services::family_planning::PregnancyFinding::NotPregnant,
                health: sojourn_domain::services::family_planning::HealthFinding::Normal,
            },
            Default::default(),
            date("2026-11-28"),
            &actor(),
        )
        .expect("check");
    let plaintexts = [
        numbers[0].as_str().to_owned(),
        "19900307".to_owned(),
        "13900000000".to_owned(),
        id_number("19600101", 11).as_str().to_owned(),
        "65123456".to_owned(),
        "钱法人".to_owned(),
        "13700137000".to_owned(),
        "19850505".to_owned(),
        "13900139000".to_owned(),
        "20150606".to_owned(),
        "13800138000".to_owned(),
        id_number("19600101", 12).as_str().to_owned(),
        "13911110000".to_owned(),
        "JBSWY3DPEHPK3PXP".to_owned(),
    ];
    // Every column the store seals, as it declares them: a new one is
    // checked here the day it is sealed.
    let sealed = sojourn_store::sealed_columns();
    assert!(sealed.contains(&("accounts", "totp_secret")), "{sealed:?}");
    for (table, column) in sealed {
        let values = db.raw_texts(table, column);
        assert!(!values.is_empty(), "{table}.{column} holds values");
        for value in values {
            assert!(value.starts_with("v1:"), "{table}.{column}: {value}");
            for plain in &plaintexts {
                assert!(!value.contains(plain.as_str()), "{table}.{column}: {value}");
            }
        }
    }
    // Blind indexes are HMACs, not the numbers either.
    for value in db.raw_texts("persons", "id_number_bidx") {
        assert_eq!(value.len(), 32);
        assert!(!plaintexts.iter().any(|p| value.contains(p.as_str())));
    }
    // Read back whole through the store, and masked from the whole value.
    let person = store
        .find_person(&scope(TOWN), &numbers[0])
        .expect("find")
        .expect("on file");
    assert_eq!(person.id_number, numbers[0]);
    assert_eq!(person.id_number.masked(), numbers[0].masked());
    assert!(person.id_number.masked().contains("********"));
    assert_eq!(
        person.details.phone.as_ref().map(|p| p.as_str()),
        Some("13900000000")
    );
    assert_eq!(phone_search(store, "13900000002"), 1);
    let history = store
        .history(&scope(TOWN), RecordRef::Person(person.id))
        .expect("history");
    assert!(history[0].snapshot.contains(numbers[0].as_str()));
}

pub fn one_file_per_id_number_is_enforced_on_the_blind_index(db: &TestDb) {
    let store = deployed(db);
    let numbers = residents(store);
    db.assert_refused(
        "INSERT INTO persons (id, id_number, id_number_bidx, unit_code, name, name_pinyin, \
         name_initials, sex, birth_date, ethnicity, domicile, version, created_at, created_by, \
         updated_at, updated_by) SELECT 99, 'v1:x:y', id_number_bidx, unit_code, name, \
         name_pinyin, name_initials, sex, birth_date, ethnicity, domicile, 1, created_at, \
         created_by, updated_at, updated_by FROM persons WHERE id = 1",
        "UNIQUE constraint failed: persons.id_number_bidx",
        "violates unique constraint \"persons_id_number_bidx\"",
    );
    let again = store.register_arrival(
        &scope(TOWN),
        &arrival(&numbers[1], "张三", YINZHA, "2024-04-01"),
        &actor(),
    );
    assert!(matches!(again, Err(StoreError::DuplicateResidence { .. })));
}

pub fn a_wrong_key_is_refused_at_open_and_names_the_key(db: &TestDb) {
    let store = deployed(db);
    residents(store);
    let wrong = db.open_with(Keyring::generate());
    match wrong {
        Err(StoreError::Crypto(CryptoError::WrongKey(ids))) => {
            assert!(ids.contains(db.keys.current().id()), "{ids}");
        }
        Err(other) => panic!("refused for the wrong reason: {other}"),
        Ok(_) => panic!("a wrong key was accepted"),
    }
    assert!(db.open_with(db.keys.clone()).is_ok());
}

pub fn a_rotation_keeps_data_readable_and_resumes_when_interrupted(db: &TestDb) {
    let store = deployed(db);
    let numbers = residents(store);
    let old = db.keys.current().clone();
    let rotating = Keyring::new(DataKey::generate(), vec![old.clone()]);
    let new_id = rotating.current().id().to_owned();
    let during = db.open_with(rotating.clone()).expect("open with both keys");
    // Interrupted after the first batch of one row.
    let mut batches = 0;
    during
        .reencrypt_unscoped(1, &mut |_, _| {
            batches += 1;
            batches < 1
        })
        .expect("first batch");
    let stale = during.stale_values_unscoped().expect("count");
    assert!(stale > 0, "the walk stopped early");
    let persons = db.raw_texts("persons", "id_number");
    assert!(
        persons
            .iter()
            .any(|v| v.starts_with(&format!("v1:{new_id}:")))
    );
    assert!(
        persons
            .iter()
            .any(|v| v.starts_with(&format!("v1:{}:", old.id())))
    );
    // Mid-rotation: every file found by number (blind index under either
    // key) and by phone, read whole; a returning number is still a
    // duplicate; retiring the old key is refused.
    for number in &numbers {
        let found = during.find_person(&scope(TOWN), number).expect("find");
        assert_eq!(found.map(|p| p.id_number), Some(number.clone()));
    }
    assert_eq!(phone_search(during.as_ref(), "13900000001"), 1);
    let again = during.register_arrival(
        &scope(TOWN),
        &arrival(&numbers[2], "张三", YINZHA, "2024-04-01"),
        &actor(),
    );
    assert!(matches!(again, Err(StoreError::DuplicateResidence { .. })));
    during
        .register_arrival(
            &scope(TOWN),
            &arrival(&id_number("19910101", 7), "李四", DUOFU, "2024-04-01"),
            &actor(),
        )
        .expect("a new arrival mid-rotation");
    let early = during.retire_keys_unscoped();
    assert!(
        matches!(&early, Err(StoreError::KeysStillInUse { values }) if *values > 0),
        "{early:?}"
    );
    // Resumed to the end.
    let rewritten = during
        .reencrypt_unscoped(2, &mut |_, _| true)
        .expect("resume");
    assert!(rewritten > 0);
    assert_eq!(during.stale_values_unscoped().expect("count"), 0);
    assert_eq!(
        during.retire_keys_unscoped().expect("retire"),
        vec![old.id().to_owned()]
    );
    for value in db.raw_texts("persons", "id_number") {
        assert!(value.starts_with(&format!("v1:{new_id}:")), "{value}");
    }
    // After: the new key alone reads everything; the old key alone is
    // refused.
    let after = db
        .open_with(Keyring::new(rotating.current().clone(), Vec::new()))
        .expect("open with the new key");
    for number in &numbers {
        assert!(
            after
                .find_person(&scope(TOWN), number)
                .expect("find")
                .is_some()
        );
    }
    let person = after
        .find_person(&scope(TOWN), &numbers[0])
        .expect("find")
        .expect("on file");
    let history = after
        .history(&scope(TOWN), RecordRef::Person(person.id))
        .expect("history after rotation");
    assert_eq!(history.len(), 2);
    assert!(matches!(
        db.open_with(Keyring::new(old, Vec::new())),
        Err(StoreError::Crypto(CryptoError::WrongKey(_)))
    ));
}

pub fn register_changes_of_residents_are_audited_in_their_transaction(db: &TestDb) {
    let store = deployed(db);
    let mut clerk = Actor::new("wangxm");
    clerk.unit = Some(code(DUOFU));
    clerk.address = Some("192.0.2.9".parse().expect("address"));
    let number = id_number("19900307", 321);
    let (person, stay) = store
        .register_arrival(
            &scope(DUOFU),
            &arrival(&number, "张三", DUOFU, "2024-03-05"),
            &clerk,
        )
        .expect("arrival");
    let stay = store
        .activate_residence(&scope(DUOFU), stay.id, 1, &clerk)
        .expect("activate");
    let mut details = person.details.clone();
    details.phone = Some(sojourn_domain::codes::Phone::parse("13600136000").expect("phone"));
    store
        .update_person(&scope(DUOFU), person.id, &details, person.version, &clerk)
        .expect("edit");
    // Refused changes write nothing.
    let early = store.register_departure(
        &scope(DUOFU),
        stay.id,
        &departure("2024-01-01"),
        stay.version,
        &clerk,
    );
    assert!(matches!(early, Err(StoreError::Rule(_))), "{early:?}");
    let stale = store.activate_residence(&scope(DUOFU), stay.id, 1, &clerk);
    assert!(
        matches!(
            stale,
            Err(StoreError::Rule(sojourn_domain::DomainError::AlreadyActive))
        ),
        "{stale:?}"
    );
    store
        .register_departure(
            &scope(DUOFU),
            stay.id,
            &departure("2025-01-01"),
            stay.version,
            &clerk,
        )
        .expect("departure");
    let batch: Vec<_> = (0..3)
        .map(|i| arrival(&id_number("19920202", 400 + i), "李四", DUOFU, "2024-05-05"))
        .collect();
    store
        .register_arrivals(&scope(DUOFU), &batch, &clerk)
        .expect("batch");

    let entries = store.audit_entries_unscoped(0, 100).expect("entries");
    let stay_id = stay.id.0.to_string();
    let person_id = person.id.0.to_string();
    let summary: Vec<(&str, Option<&str>, Option<&str>)> = entries
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.object_kind.as_deref(),
                e.object_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        &summary[..4],
        [
            ("create", Some("residence"), Some(stay_id.as_str())),
            ("activate", Some("residence"), Some(stay_id.as_str())),
            ("update", Some("person"), Some(person_id.as_str())),
            ("depart", Some("residence"), Some(stay_id.as_str())),
        ]
    );
    assert_eq!(summary.len(), 5, "{summary:?}");
    assert_eq!(summary[4].0, "create");
    assert_eq!(summary[4].1, Some("arrival_batch"));
    let json = |i: usize| -> serde_json::Value {
        serde_json::from_str(&entries[i].details).expect("json details")
    };
    assert_eq!(
        json(0)["after"]["person"]["id_number"],
        serde_json::json!(number.masked())
    );
    assert_eq!(json(1)["before"]["status"], "registered");
    assert_eq!(json(1)["after"]["status"], "active");
    assert_eq!(json(2)["before"]["phone"], "138****8000");
    assert_eq!(json(2)["after"]["phone"], "136****6000");
    assert_eq!(json(3)["after"]["status"], "departed");
    assert_eq!(json(4)["written"], 3);
    assert_eq!(json(4)["residences"].as_array().map(Vec::len), Some(3));
    for entry in &entries {
        assert_eq!(entry.actor_name, "wangxm");
        assert_eq!(entry.address.as_deref(), Some("192.0.2.9"));
        assert_eq!(entry.unit.as_deref(), Some(DUOFU));
        for plain in [number.as_str(), "13600136000", "13800138000"] {
            assert!(!entry.details.contains(plain), "{}", entry.details);
        }
    }
}

/// A distinct plaintext for every sealed column, each written by a record
/// created, then edited (a revision, an audit entry with before and
/// after) and, for the outflow, closed. The plaintext of
/// `revisions.snapshot` is a phone the edit replaced, so it is nowhere but
/// in the history.
fn every_sealed_column_written(store: &dyn Store) -> Vec<((&'static str, &'static str), String)> {
    use sojourn_domain::codes::Phone;
    let phone = |p: &str| Phone::parse(p).expect("phone");
    let (resident, parent) = (id_number("19900307", 501), id_number("19600101", 502));
    let mut a = arrival(&resident, "张三", DUOFU, "2024-03-05");
    a.person.phone = Some(phone("13600136000"));
    a.person.guardian = Some(guardian("张父", &parent, "父亲", "13911110000"));
    let (person, _) = store
        .register_arrival(&scope(TOWN), &a, &actor())
        .expect("arrival");
    let mut edited = person.details.clone();
    edited.phone = Some(phone("13900000001"));
    store
        .update_person(&scope(TOWN), person.id, &edited, person.version, &actor())
        .expect("person edit");

    let mut rental = house(DUOFU, "多福巷3号");
    rental.landlord = sojourn_domain::house::Landlord::Person {
        name: sojourn_domain::text::PersonName::parse("赵房东").expect("name"),
        id_number: id_number("19600101", 503),
        phone: Some(phone("010-65129876")),
    };
    let h = store
        .create_house(&scope(DUOFU), &rental, &actor())
        .expect("house");
    store
        .update_house(&scope(DUOFU), h.id, &rental, h.version, &actor())
        .expect("house edit");

    let mut boss = employer(DUOFU, "东华门饭店");
    boss.legal_representative = sojourn_domain::text::PersonName::parse("欧阳法人").expect("name");
    boss.phone = Some(phone("13700137000"));
    let e = store
        .create_employer(&scope(DUOFU), &uscc(1), &boss, &actor())
        .expect("employer");
    store
        .update_employer(&scope(DUOFU), e.id, &boss, e.version, &actor())
        .expect("employer edit");

    let (leaver, child) = (id_number("19850505", 504), id_number("20150606", 505));
    let mut away = outflow(DUOFU, "孙大");
    away.contact_phone = Some(phone("13500135000"));
    away.left_behind[1] = sojourn_domain::outflow::LeftBehind::new(
        sojourn_domain::text::PersonName::parse("孙小宝").expect("name"),
        Some(child.clone()),
        date("2015-06-06"),
        sojourn_domain::text::Relation::parse("儿子").expect("relation"),
        away.left_on.date(),
    )
    .expect("child");
    let o = store
        .create_outflow(&scope(DUOFU), &leaver, &away, &actor())
        .expect("outflow");
    let o = store
        .update_outflow(&scope(DUOFU), o.id, &away, o.version, &actor())
        .expect("outflow edit");
    store
        .register_return(&scope(DUOFU), o.id, past("2025-09-01"), o.version, &actor())
        .expect("return");
    account_with_totp(store);
    let her = crate::family_planning::woman(store, "19900307", 506, "王芳", "2026-03-01");
    let file = crate::family_planning::open(store, her, "2026-03-10");
    let mut changed = file.contents.clone();
    changed.pregnant_since = Some(date("2026-10-01"));
    store
        .update_family_planning_file(
            &scope(DUOFU),
            file.id,
            &changed,
            file.version,
            date("2026-11-28"),
            &actor(),
        )
        .expect("file edit");
    let check = sojourn_domain::services::family_planning::CheckResult {
        checked_on: date("2026-11-20"),
        iud: sojourn_domain::services::family_planning::IudFinding::NotInPlace,
        pregnancy: sojourn_domain::services::family_planning::PregnancyFinding::Pregnant,
        health: sojourn_domain::services::family_planning::HealthFinding::Referred,
    };
    store
        .record_family_planning_check(
            &scope(DUOFU),
            file.id,
            &check,
            Default::default(),
            date("2026-11-28"),
            &actor(),
        )
        .expect("check");
    vec![
        (("fp_files", "contents"), "2013-07-19".to_owned()),
        (("fp_checks", "findings"), "not_in_place".to_owned()),
        (("persons", "id_number"), resident.as_str().to_owned()),
        (("persons", "phone"), "13900000001".to_owned()),
        (
            ("persons", "guardian_id_number"),
            parent.as_str().to_owned(),
        ),
        (("persons", "guardian_phone"), "13911110000".to_owned()),
        (
            ("houses", "landlord_code"),
            id_number("19600101", 503).as_str().to_owned(),
        ),
        (("houses", "landlord_phone"), "65129876".to_owned()),
        (("employers", "legal_representative"), "欧阳法人".to_owned()),
        (("employers", "phone"), "13700137000".to_owned()),
        (("outflows", "id_number"), leaver.as_str().to_owned()),
        (("outflows", "contact_phone"), "13500135000".to_owned()),
        (("left_behind", "id_number"), child.as_str().to_owned()),
        (("accounts", "totp_secret"), "JBSWY3DPEHPK3PXP".to_owned()),
        (("revisions", "snapshot"), "13600136000".to_owned()),
    ]
}

pub fn no_sealed_value_is_in_the_clear_anywhere_in_the_database(db: &TestDb) {
    let store = deployed(db);
    let written = every_sealed_column_written(store);
    let everything = db.raw_everything();
    for column in sojourn_store::sealed_columns() {
        let Some((_, plain)) = written.iter().find(|(c, _)| *c == column) else {
            panic!("no record here sets the sealed column {column:?}: add one");
        };
        assert!(
            !everything.contains(plain.as_str()),
            "the plaintext of {column:?} is in the database"
        );
    }
    // The audit trail holds the changes, masked (the legal representative
    // keeps the first character of the name).
    let entries = store.audit_entries_unscoped(0, 100).expect("entries");
    let employer = entries
        .iter()
        .find(|e| e.object_kind.as_deref() == Some("employer") && e.action == "update")
        .expect("the employer's edit is audited");
    let details: serde_json::Value = serde_json::from_str(&employer.details).expect("json");
    assert_eq!(details["before"]["legal_representative"], "欧***");
    assert_eq!(details["after"]["legal_representative"], "欧***");
    // The history, read whole through the store, shows masked what the
    // API and pages show of it.
    let records = [
        RecordRef::Person(sojourn_domain::person::PersonId(1)),
        RecordRef::House(sojourn_domain::house::HouseId(1)),
        RecordRef::Employer(sojourn_domain::employer::EmployerId(1)),
        RecordRef::Outflow(sojourn_domain::outflow::OutflowId(1)),
    ];
    for record in records {
        let history = store.history(&scope(TOWN), record).expect("history");
        assert!(history.len() >= 2, "{record:?}");
        for revision in history {
            let shown = revision
                .masked()
                .expect("a snapshot that reads")
                .to_string();
            for (column, plain) in &written {
                assert!(!shown.contains(plain.as_str()), "{column:?} in {shown}");
            }
        }
    }
}
