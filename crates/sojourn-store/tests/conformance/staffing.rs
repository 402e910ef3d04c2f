//! The figures the staffing ratios rest on (配备标准, R1.4).

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::account::{Role, Username};
use sojourn_domain::staffing::EmployerCoordinators;
use sojourn_domain::text::PersonName;
use sojourn_store::staffing::{CommunityStaffing, Staffing};
use sojourn_store::*;

fn open_account(store: &dyn Store, username: &str, unit: &str, roles: &[Role]) {
    let new = NewAccount {
        username: Username::parse(username).expect("user name"),
        display_name: PersonName::parse("王小明").expect("name"),
        unit: code(unit),
        roles: roles.to_vec(),
        password_hash: format!("$argon2id$hash-of-{username}"),
        password_set_at: time::OffsetDateTime::now_utc(),
        must_change_password: true,
        totp_secret: None,
    };
    store
        .create_account(&scope(TOWN), &new, &actor())
        .expect("account opened");
}

fn community<'a>(staffing: &'a Staffing, unit: &str) -> &'a CommunityStaffing {
    staffing
        .communities
        .iter()
        .find(|c| c.unit.code.as_str() == unit)
        .expect("the community is listed")
}

fn audit_length(store: &dyn Store) -> usize {
    store
        .audit_entries_unscoped(0, 10_000)
        .expect("entries")
        .len()
}

pub fn staffing_counts_residents_houses_and_coordinators_per_community(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let here = scope(DUOFU);
    for (seq, name) in [(1, "赵一"), (2, "钱二"), (3, "孙三")] {
        let number = id_number("19900101", seq);
        store
            .register_arrival(
                &here,
                &arrival(&number, name, DUOFU, "2026-01-05"),
                &actor(),
            )
            .expect("arrival");
    }
    let (_, gone) = store
        .register_arrival(
            &here,
            &arrival(&id_number("19900101", 4), "李四", DUOFU, "2026-01-05"),
            &actor(),
        )
        .expect("arrival");
    store
        .register_departure(
            &here,
            gone.id,
            &departure("2026-02-01"),
            gone.version,
            &actor(),
        )
        .expect("departure");
    for address in ["多福巷1号", "多福巷2号"] {
        store
            .create_house(&here, &house(DUOFU, address), &actor())
            .expect("house");
    }
    open_account(
        store,
        "coord-duofu",
        DUOFU,
        &[Role::Coordinator, Role::Collector],
    );
    open_account(store, "clerk-duofu", DUOFU, &[Role::Clerk]);
    open_account(store, "coord-yinzha", YINZHA, &[Role::Coordinator]);
    open_account(store, "coord-town", TOWN, &[Role::Coordinator]);

    let town = store.staffing(&scope(TOWN)).expect("staffing");
    let codes: Vec<&str> = town
        .communities
        .iter()
        .map(|c| c.unit.code.as_str())
        .collect();
    assert_eq!(codes, [DUOFU, YINZHA]);
    let duofu = community(&town, DUOFU);
    assert_eq!(
        (duofu.residents, duofu.houses, duofu.coordinators),
        (3, 2, 1),
        "a departed resident, a clerk and the town's own coordinator do not count"
    );
    assert_eq!((duofu.needed(), duofu.short_by()), (1, 0));
    let yinzha = community(&town, YINZHA);
    assert_eq!(
        (yinzha.residents, yinzha.coordinators, yinzha.short_by()),
        (0, 1, 0)
    );

    let sibling = store.staffing(&scope(YINZHA)).expect("staffing");
    assert_eq!(sibling.communities.len(), 1);
    assert_eq!(sibling.communities[0].unit.code.as_str(), YINZHA);
}

pub fn an_employers_coordinators_are_recorded_audited_and_judged_against_its_workers(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let here = scope(DUOFU);
    let mut details = employer(DUOFU, "东华门餐饮有限公司");
    details.declared_workers = 0;
    let employer = store
        .create_employer(&here, &uscc(1), &details, &actor())
        .expect("employer")
        .id;
    for seq in [1, 2] {
        let mut working = arrival(&id_number("19920202", seq), "周工", DUOFU, "2026-01-05");
        working.stay.employer = Some(employer);
        store
            .register_arrival(&here, &working, &actor())
            .expect("arrival");
    }
    let listed = |store: &dyn Store| {
        store
            .staffing(&scope(TOWN))
            .expect("staffing")
            .employers
            .into_iter()
            .find(|e| e.id == employer)
            .expect("listed")
    };
    let before = listed(store);
    assert_eq!(before.workers, 2);
    assert_eq!(before.coordinators, EmployerCoordinators::default());
    assert!(
        before.falls_short(),
        "two workers need a part-time coordinator"
    );

    let entries = audit_length(store);
    let part_time = EmployerCoordinators {
        full_time: 0,
        part_time: 1,
    };
    let set = store
        .set_employer_coordinators(&here, employer, part_time, &actor())
        .expect("recorded");
    assert_eq!(set.coordinators, part_time);
    assert!(!listed(store).falls_short());
    assert_eq!(audit_length(store), entries + 1);

    let full_time = EmployerCoordinators {
        full_time: 2,
        part_time: 0,
    };
    store
        .set_employer_coordinators(&here, employer, full_time, &actor())
        .expect("changed");
    assert_eq!(listed(store).coordinators, full_time);

    let refused = store.set_employer_coordinators(&scope(YINZHA), employer, part_time, &actor());
    assert!(
        matches!(refused, Err(StoreError::NotFound { .. })),
        "{refused:?}"
    );
    assert_eq!(listed(store).coordinators, full_time);
    assert_eq!(audit_length(store), entries + 2);
    let sibling = store.staffing(&scope(YINZHA)).expect("staffing");
    assert!(sibling.employers.is_empty(), "{:?}", sibling.employers);
}
