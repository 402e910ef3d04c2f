//! The audit trail: appended in order, found by the audit administrator's
//! filters within their scope, refused to UPDATE and DELETE by the schema,
//! and — when someone gets round the schema with direct access to the
//! database — every edited, deleted, inserted or reordered entry named by
//! `verify`.

use crate::fixtures::*;
use crate::harness::TestDb;
use serde_json::json;
use sojourn_domain::account::{AccountId, Role};
use sojourn_store::audit::entry_hash;
use sojourn_store::*;

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

fn staff(name: &str, unit: &str) -> Actor {
    let mut actor = Actor::new(name);
    actor.account = Some(AccountId(7));
    actor.unit = Some(code(unit));
    actor.role = Some(Role::Clerk);
    actor.address = Some("192.0.2.9".parse().expect("address"));
    actor
}

/// Eight entries: reads and sign-ins in two communities.
fn eight(store: &dyn Store) -> Vec<AuditEntry> {
    for k in 1..=8 {
        let (actor, unit) = if k % 2 == 0 {
            (staff("wangxm", DUOFU), DUOFU)
        } else {
            (staff("lisi", YINZHA), YINZHA)
        };
        let event = if k % 4 == 1 {
            AuditEvent::new(AuditAction::SignIn, Outcome::Success)
        } else {
            AuditEvent::new(AuditAction::Read, Outcome::Success)
                .object(sojourn_domain::record::RecordKind::Person, k)
                .unit(&code(unit))
                .details(json!({ "residences": [k * 10] }))
        };
        store.append_audit(&actor, &event).expect("appended");
    }
    store.audit_entries_unscoped(0, 100).expect("entries")
}

fn disable_triggers(db: &TestDb) {
    db.execute_raw_for_backend(
        "DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete;",
        "ALTER TABLE audit_log DISABLE TRIGGER USER;",
    )
    .expect("an attacker with the database's own rights drops the triggers");
}

fn findings(store: &dyn Store) -> Vec<Finding> {
    store.verify_audit_unscoped(&[]).expect("verify").findings
}

pub fn audit_entries_chain_in_order_and_are_found_by_filters_in_scope(db: &TestDb) {
    let store = deployed(db);
    let entries = eight(store);
    assert_eq!(entries.len(), 8);
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    assert_eq!(entries[0].prev_hash, audit::GENESIS_HASH);
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    assert!(entries.iter().all(AuditEntry::is_intact));
    let second = &entries[1];
    assert_eq!(second.actor_name, "wangxm");
    assert_eq!(second.actor_account, Some(7));
    assert_eq!(second.actor_role.as_deref(), Some("clerk"));
    assert_eq!(second.actor_unit.as_deref(), Some(DUOFU));
    assert_eq!(second.address.as_deref(), Some("192.0.2.9"));
    assert_eq!(second.action, "read");
    assert_eq!(second.object_kind.as_deref(), Some("person"));
    assert_eq!(second.object_id.as_deref(), Some("2"));
    assert_eq!(second.unit.as_deref(), Some(DUOFU));
    assert_eq!(second.outcome, "success");
    assert_eq!(second.details, r#"{"residences":[20]}"#);

    let report = store.verify_audit_unscoped(&[]).expect("verify");
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!(report.entries, 8);
    assert_eq!(
        report.last,
        Some(Anchor {
            seq: 8,
            hash: entries[7].hash.clone()
        })
    );

    let search = |scope_code: &str, query: AuditQuery| -> Vec<i64> {
        let page = store
            .search_audit(&scope(scope_code), &query)
            .expect("search");
        page.items.iter().map(|e| e.seq).collect()
    };
    assert_eq!(
        search(TOWN, AuditQuery::default()),
        [8, 7, 6, 5, 4, 3, 2, 1]
    );
    // A community's audit administrator sees the community's entries only.
    assert_eq!(search(DUOFU, AuditQuery::default()), [8, 6, 4, 2]);
    let by = |f: fn(&mut AuditQuery)| {
        let mut q = AuditQuery::default();
        f(&mut q);
        q
    };
    assert_eq!(
        search(TOWN, by(|q| q.actor = Some("lisi".into()))),
        [7, 5, 3, 1]
    );
    assert_eq!(
        search(TOWN, by(|q| q.action = Some(AuditAction::SignIn))),
        [5, 1]
    );
    assert_eq!(
        search(
            TOWN,
            by(|q| {
                q.object_kind = Some("person".into());
                q.object_id = Some("6".into());
            })
        ),
        [6]
    );
    assert_eq!(
        search(TOWN, by(|q| q.outcome = Some(Outcome::Denied))),
        Vec::<i64>::new()
    );
    let at = entries[3].at().expect("time");
    assert_eq!(
        search(TOWN, by(|q| q.to = Some(time::OffsetDateTime::UNIX_EPOCH))),
        Vec::<i64>::new()
    );
    let q = AuditQuery {
        from: Some(at - time::Duration::hours(1)),
        to: Some(at + time::Duration::hours(1)),
        ..Default::default()
    };
    assert_eq!(search(TOWN, q).len(), 8);
    let q = AuditQuery {
        page: PageRequest::new(2, 3).expect("page"),
        ..Default::default()
    };
    let page = store.search_audit(&scope(TOWN), &q).expect("page");
    assert_eq!(page.total, 8);
    assert_eq!(
        page.items.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [6, 5, 4]
    );
    // Export batches, oldest first.
    let batch = store
        .audit_entries(&scope(DUOFU), &AuditQuery::default(), 2, 2)
        .expect("batch");
    assert_eq!(batch.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 6]);
}

pub fn the_schema_refuses_to_change_or_delete_audit_entries(db: &TestDb) {
    let store = deployed(db);
    eight(store);
    let trail = "the audit trail is append-only";
    let head = "the audit head only moves forward";
    db.assert_refused(
        "UPDATE audit_log SET outcome = 'failure' WHERE seq = 2",
        trail,
        trail,
    );
    db.assert_refused("DELETE FROM audit_log WHERE seq = 2", trail, trail);
    db.assert_refused("UPDATE audit_head SET seq = 1", head, head);
    db.assert_refused(
        "DELETE FROM audit_head",
        "the audit head cannot be deleted",
        head,
    );
    if db.is_postgres() {
        db.assert_refused("TRUNCATE audit_log", trail, trail);
        // One trigger guards both tables against TRUNCATE.
        db.assert_refused("TRUNCATE audit_head", trail, trail);
    }
    assert!(findings(store).is_empty());
    assert_eq!(
        store.audit_entries_unscoped(0, 100).expect("entries").len(),
        8
    );
}

pub fn verify_names_an_audit_entry_edited_in_the_database(db: &TestDb) {
    let store = deployed(db);
    eight(store);
    disable_triggers(db);
    db.execute_raw("UPDATE audit_log SET outcome = 'failure' WHERE seq = 3")
        .expect("edit");
    assert_eq!(findings(store), [Finding::Edited { seq: 3 }]);
    db.execute_raw("UPDATE audit_log SET actor_name = 'nobody', details = '{}' WHERE seq = 6")
        .expect("edit");
    assert_eq!(
        findings(store),
        [Finding::Edited { seq: 3 }, Finding::Edited { seq: 6 }]
    );
}

pub fn verify_names_audit_entries_deleted_in_the_database(db: &TestDb) {
    let store = deployed(db);
    eight(store);
    disable_triggers(db);
    db.execute_raw("DELETE FROM audit_log WHERE seq IN (4, 5)")
        .expect("delete");
    assert_eq!(findings(store), [Finding::Deleted { from: 4, to: 5 }]);
    // Cutting off the end: the head still records entry 8.
    db.execute_raw("DELETE FROM audit_log WHERE seq = 8")
        .expect("delete");
    assert_eq!(
        findings(store),
        [
            Finding::Deleted { from: 4, to: 5 },
            Finding::Truncated { last: 7, head: 8 }
        ]
    );
}

pub fn verify_names_an_audit_entry_inserted_in_the_database(db: &TestDb) {
    let store = deployed(db);
    let entries = eight(store);
    disable_triggers(db);
    // A well-made forgery: chained onto entry 4, hashed properly, the
    // later entries renumbered to make room.
    let mut forged = entries[3].clone();
    forged.seq = 5;
    forged.actor_name = "mallory".into();
    forged.action = "sign_in".into();
    forged.prev_hash = entries[3].hash.clone();
    forged.hash = entry_hash(&forged.prev_hash, &forged.canonical_bytes()).expect("hash");
    db.execute_raw(&format!(
        "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 5; \
         UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000; \
         INSERT INTO audit_log (seq, at_us, actor_name, actor_account, actor_role, actor_unit, \
         actor_token, address, action, object_kind, object_id, unit_code, outcome, details, \
         prev_hash, hash) VALUES (5, {}, 'mallory', 7, 'clerk', '{DUOFU}', NULL, '192.0.2.9', \
         'sign_in', 'person', '4', '{DUOFU}', 'success', '{}', '{}', '{}')",
        forged.at_us, forged.details, forged.prev_hash, forged.hash
    ))
    .expect("insert");
    assert_eq!(findings(store), [Finding::Inserted { from: 5, to: 5 }]);
}

pub fn verify_names_audit_entries_reordered_in_the_database(db: &TestDb) {
    let store = deployed(db);
    eight(store);
    disable_triggers(db);
    db.execute_raw(
        "UPDATE audit_log SET seq = -4 WHERE seq = 4; \
         UPDATE audit_log SET seq = 4 WHERE seq = 5; \
         UPDATE audit_log SET seq = 5 WHERE seq = -4;",
    )
    .expect("swap");
    let found = findings(store);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        matches!(
            found[0],
            Finding::Reordered {
                from: 5,
                to: 5,
                belongs_after: 3
            } | Finding::Reordered {
                from: 4,
                to: 4,
                belongs_after: 5
            }
        ),
        "{found:?}"
    );
}

pub fn concurrent_appends_never_fork_the_audit_chain(db: &TestDb) {
    let store = deployed(db);
    let threads = 8;
    let per_thread = 25;
    std::thread::scope(|s| {
        for t in 0..threads {
            s.spawn(move || {
                for k in 0..per_thread {
                    let event = AuditEvent::new(AuditAction::Read, Outcome::Success)
                        .object(sojourn_domain::record::RecordKind::Person, t * 1000 + k)
                        .unit(&code(DUOFU));
                    store
                        .append_audit(&staff("wangxm", DUOFU), &event)
                        .expect("appended");
                }
            });
        }
    });
    let report = store.verify_audit_unscoped(&[]).expect("verify");
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!(report.entries, threads * per_thread);
}

pub fn permission_changes_are_audited_with_the_change(db: &TestDb) {
    use sojourn_domain::account::Username;
    use sojourn_domain::text::{Note, PersonName};
    let store = deployed(db);
    let admin = staff("secadmin", TOWN);
    let new = NewAccount {
        username: Username::parse("zhaoliu").expect("name"),
        display_name: PersonName::parse("赵六").expect("name"),
        unit: code(DUOFU),
        roles: vec![Role::Clerk],
        password_hash: "$argon2id$secret-hash".into(),
        password_set_at: time::OffsetDateTime::now_utc(),
        must_change_password: true,
        totp_secret: Some("SECRETSECRET".into()),
    };
    let account = store
        .create_account(&scope(TOWN), &new, &admin)
        .expect("created");
    for change in [
        AccountChange::Roles(vec![Role::Clerk, Role::Collector]),
        AccountChange::Disabled(true),
        AccountChange::Disabled(false),
        AccountChange::Unlock,
        AccountChange::Password {
            hash: "$argon2id$other".into(),
            must_change: true,
            at: time::OffsetDateTime::now_utc(),
            keep_session: None,
        },
        AccountChange::Totp(None),
    ] {
        store
            .change_account(&scope(TOWN), account.id, &change, &admin)
            .expect("changed");
    }
    let token = store
        .create_api_token(
            &scope(TOWN),
            &NewApiToken {
                token_hash: "token-hash".into(),
                name: Note::parse("对接程序").expect("note"),
                unit: code(DUOFU),
                role: Role::Collector,
                account: account.id,
                expires_at: time::OffsetDateTime::now_utc() + time::Duration::days(30),
            },
            &admin,
        )
        .expect("token");
    store
        .revoke_api_token(
            &scope(TOWN),
            token.id,
            time::OffsetDateTime::now_utc(),
            &admin,
        )
        .expect("revoked");
    // A change refused by the store leaves no entry: it is one transaction.
    let refused = store.change_account(&scope(YINZHA), account.id, &AccountChange::Unlock, &admin);
    assert!(
        matches!(
            refused,
            Err(StoreError::NotFound {
                kind: sojourn_domain::record::RecordKind::Account,
                ..
            })
        ),
        "{refused:?}"
    );

    let entries = store.audit_entries_unscoped(0, 100).expect("entries");
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "account_created",
            "roles_assigned",
            "account_disabled",
            "account_enabled",
            "account_unlocked",
            "password_reset",
            "totp_withdrawn",
            "token_issued",
            "token_revoked"
        ]
    );
    for entry in &entries {
        assert_eq!(entry.actor_name, "secadmin");
        assert_eq!(entry.unit.as_deref(), Some(DUOFU));
        assert!(!entry.details.contains("argon2"), "{}", entry.details);
        assert!(!entry.details.contains("SECRET"), "{}", entry.details);
        assert!(!entry.details.contains("token-hash"), "{}", entry.details);
    }
    assert_eq!(entries[0].object_id, Some(account.id.0.to_string()));
    assert_eq!(
        entries[1].details,
        r#"{"after":["clerk","collector"],"before":["clerk"],"username":"zhaoliu"}"#
    );
    // The community's audit administrator sees them; the sibling's not.
    let duofu = store
        .search_audit(&scope(DUOFU), &AuditQuery::default())
        .expect("search");
    assert_eq!(duofu.total, 9);
    let yinzha = store
        .search_audit(&scope(YINZHA), &AuditQuery::default())
        .expect("search");
    assert_eq!(yinzha.total, 0);
}

pub fn register_changes_are_audited_with_before_and_after_masked(db: &TestDb) {
    let store = deployed(db);
    let clerk = staff("wangxm", DUOFU);
    let house = store
        .create_house(&scope(DUOFU), &house(DUOFU, "多福巷3号"), &clerk)
        .expect("house");
    let mut changed = house.details.clone();
    changed.rooms = 5;
    store
        .update_house(&scope(DUOFU), house.id, &changed, 1, &clerk)
        .expect("update");
    let outflow = store
        .create_outflow(
            &scope(DUOFU),
            &id_number("19850505", 31),
            &outflow(DUOFU, "孙大"),
            &clerk,
        )
        .expect("outflow");
    let entries = store.audit_entries_unscoped(0, 100).expect("entries");
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
    let (house_id, outflow_id) = (house.id.0.to_string(), outflow.id.0.to_string());
    assert_eq!(
        summary,
        [
            ("create", Some("house"), Some(house_id.as_str())),
            ("update", Some("house"), Some(house_id.as_str())),
            ("create", Some("outflow"), Some(outflow_id.as_str())),
        ]
    );
    let update: serde_json::Value = serde_json::from_str(&entries[1].details).expect("json");
    assert_eq!(update["before"]["rooms"], 3);
    assert_eq!(update["after"]["rooms"], 5);
    let landlord_id = id_number("19600101", 11);
    assert_eq!(
        update["after"]["landlord"]["code"],
        serde_json::json!(landlord_id.masked())
    );
    for entry in &entries {
        assert!(!entry.details.contains(landlord_id.as_str()));
        assert!(!entry.details.contains("19850505"), "{}", entry.details);
        assert!(!entry.details.contains("13900139000"), "{}", entry.details);
        assert_eq!(entry.unit.as_deref(), Some(DUOFU));
    }
    // A refused change leaves no entry.
    let stale = store.update_house(&scope(DUOFU), house.id, &changed, 1, &clerk);
    assert!(matches!(stale, Err(StoreError::VersionConflict { .. })));
    assert_eq!(
        store.audit_entries_unscoped(0, 100).expect("entries").len(),
        3
    );
}
