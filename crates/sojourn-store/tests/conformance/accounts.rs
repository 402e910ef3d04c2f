//! Accounts, sessions and API tokens: the behaviours every backend must
//! show. Hashes here are opaque strings; the store never interprets them.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::account::{AccountId, Role, Username};
use sojourn_domain::text::{Note, PersonName};
use sojourn_store::*;
use time::{Duration, OffsetDateTime};

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

/// A fixed instant, to the microsecond both engines keep.
fn t0() -> OffsetDateTime {
    time::macros::datetime!(2026-03-01 08:00:00.123456 UTC)
}

fn new_account(username: &str, unit: &str, roles: &[Role]) -> NewAccount {
    NewAccount {
        username: Username::parse(username).expect("user name"),
        display_name: PersonName::parse("王小明").expect("name"),
        unit: code(unit),
        roles: roles.to_vec(),
        password_hash: format!("$argon2id$hash-of-{username}"),
        password_set_at: t0(),
        must_change_password: true,
        totp_secret: None,
    }
}

fn open(store: &dyn Store, username: &str, unit: &str, roles: &[Role]) -> Account {
    store
        .create_account(&scope(TOWN), &new_account(username, unit, roles), &actor())
        .expect("account opened")
}

fn lockout() -> Lockout {
    Lockout {
        threshold: 5,
        duration: Duration::minutes(15),
    }
}

fn session(store: &dyn Store, hash: &str, account: AccountId, at: OffsetDateTime) {
    store
        .create_session(&NewSession {
            token_hash: hash.into(),
            account,
            at,
            address: Some("192.0.2.7".parse().expect("address")),
        })
        .expect("session opened");
}

pub fn accounts_are_opened_in_scope_and_unique_by_user_name(db: &TestDb) {
    let store = deployed(db);
    assert!(!store.has_accounts_unscoped().expect("any"));
    let account = open(store, "wangxm", DUOFU, &[Role::Coordinator, Role::Clerk]);
    assert!(store.has_accounts_unscoped().expect("any"));
    assert_eq!(account.username.as_str(), "wangxm");
    assert_eq!(account.unit, code(DUOFU));
    assert_eq!(account.roles, [Role::Clerk, Role::Coordinator]);
    assert!(account.must_change_password);
    assert_eq!(account.password_changed_at, t0());
    assert!(!account.disabled && !account.has_totp);
    assert_eq!(account.created_by, actor().name);
    assert_eq!(
        store.get_account(&scope(DUOFU), account.id).expect("get"),
        account
    );
    let again = store.create_account(&scope(TOWN), &new_account("wangxm", YINZHA, &[]), &actor());
    assert!(matches!(again, Err(StoreError::DuplicateAccount(_))));
    let outside = store.create_account(&scope(DUOFU), &new_account("lisi", YINZHA, &[]), &actor());
    assert!(matches!(
        outside,
        Err(StoreError::ReferenceOutOfScope { .. })
    ));
    open(store, "admin", TOWN, &[Role::SystemAdmin]);
    let names: Vec<String> = store
        .list_accounts(&scope(TOWN))
        .expect("list")
        .into_iter()
        .map(|a| a.username.to_string())
        .collect();
    assert_eq!(names, ["admin", "wangxm"]);
}

pub fn a_sibling_scope_neither_reads_nor_changes_accounts(db: &TestDb) {
    let store = deployed(db);
    let account = open(store, "wangxm", DUOFU, &[Role::Clerk]);
    let sibling = scope(YINZHA);
    assert!(matches!(
        store.get_account(&sibling, account.id),
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.list_accounts(&sibling).expect("list").is_empty());
    for change in [
        AccountChange::Roles(vec![Role::OfficeDirector]),
        AccountChange::Disabled(true),
        AccountChange::Unlock,
        AccountChange::Totp(Some("JBSWY3DPEHPK3PXP".into())),
        AccountChange::Password {
            hash: "other".into(),
            must_change: false,
            at: t0(),
            keep_session: None,
        },
    ] {
        let refused = store.change_account(&sibling, account.id, &change, &actor());
        assert!(
            matches!(refused, Err(StoreError::NotFound { .. })),
            "{change:?}"
        );
    }
    assert_eq!(
        store.get_account(&scope(TOWN), account.id).expect("get"),
        account
    );
}

pub fn account_changes_are_kept_and_disabling_ends_sessions(db: &TestDb) {
    let store = deployed(db);
    let account = open(store, "wangxm", DUOFU, &[Role::Clerk]);
    let town = scope(TOWN);
    let change = |c: AccountChange| {
        store
            .change_account(&town, account.id, &c, &Actor::new("secadmin"))
            .expect("change")
    };
    let changed = change(AccountChange::Roles(vec![
        Role::StationChief,
        Role::PoliceLiaison,
    ]));
    assert_eq!(changed.roles, [Role::StationChief, Role::PoliceLiaison]);
    assert_eq!(changed.updated_by, "secadmin");
    let changed = change(AccountChange::Totp(Some("JBSWY3DPEHPK3PXP".into())));
    assert!(changed.has_totp);
    let credentials = store
        .credentials_unscoped(&account.username)
        .expect("credentials")
        .expect("found");
    assert_eq!(credentials.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert_eq!(credentials.password_hash, "$argon2id$hash-of-wangxm");
    assert_eq!(credentials.account, changed);

    session(store, "s1", account.id, t0());
    let disabled = change(AccountChange::Disabled(true));
    assert!(disabled.disabled);
    assert_eq!(store.session_unscoped("s1").expect("lookup"), None);
    assert!(!change(AccountChange::Disabled(false)).disabled);
    let unknown = Username::parse("nobody").expect("name");
    assert_eq!(store.credentials_unscoped(&unknown).expect("lookup"), None);
}

fn name(text: &str) -> Username {
    Username::parse(text).expect("user name")
}

pub fn failed_logins_lock_the_account_at_the_threshold_and_success_clears_them(db: &TestDb) {
    let store = deployed(db);
    let account = open(store, "wangxm", DUOFU, &[Role::Clerk]);
    let at = t0();
    let fail = |at| {
        store
            .record_sign_in_failure_unscoped(&name("wangxm"), at, &lockout())
            .expect("failure")
    };
    for n in 1..=4 {
        let now = fail(at + Duration::minutes(i64::from(n)));
        assert_eq!((now.count, now.since), (n, Some(at + Duration::minutes(1))));
        assert!(!now.is_locked_at(at));
        let stored = store.get_account(&scope(TOWN), account.id).expect("get");
        assert_eq!(stored.failed_logins, n);
    }
    let locked_at = at + Duration::minutes(5);
    let locked = fail(locked_at);
    assert_eq!(locked.locked_until, Some(locked_at + Duration::minutes(15)));
    assert_eq!(locked.count, 0);
    let stored = store.get_account(&scope(TOWN), account.id).expect("get");
    assert_eq!(stored.locked_until, locked.locked_until);
    assert!(stored.is_locked_at(locked_at + Duration::minutes(14)));
    assert!(!stored.is_locked_at(locked_at + Duration::minutes(15)));
    assert_eq!(
        store
            .sign_in_failures_unscoped(&name("wangxm"))
            .expect("read"),
        locked
    );

    let unlocked = store
        .change_account(&scope(TOWN), account.id, &AccountChange::Unlock, &actor())
        .expect("unlock");
    assert_eq!(unlocked.locked_until, None);
    assert_eq!(
        store
            .sign_in_failures_unscoped(&name("wangxm"))
            .expect("read"),
        Failures::default()
    );

    fail(at);
    store
        .record_login_success_unscoped(account.id, at + Duration::seconds(1))
        .expect("success");
    let after = store.get_account(&scope(TOWN), account.id).expect("get");
    assert_eq!(after.failed_logins, 0);
    assert_eq!(after.last_login_at, Some(at + Duration::seconds(1)));
    assert_eq!(
        store
            .sign_in_failures_unscoped(&name("wangxm"))
            .expect("read"),
        Failures::default()
    );
}

pub fn a_name_without_an_account_locks_as_an_account_does(db: &TestDb) {
    let store = deployed(db);
    open(store, "wangxm", DUOFU, &[Role::Clerk]);
    let at = t0();
    // Four failures, a pause past the window (the count starts again),
    // then five within it: the same states step by step for both names.
    let times: Vec<OffsetDateTime> = (0..4)
        .map(|n| at + Duration::minutes(n))
        .chain((0..5).map(|n| at + Duration::minutes(20 + n)))
        .collect();
    for (i, when) in times.iter().enumerate() {
        let real = store
            .record_sign_in_failure_unscoped(&name("wangxm"), *when, &lockout())
            .expect("failure");
        let unknown = store
            .record_sign_in_failure_unscoped(&name("nobody"), *when, &lockout())
            .expect("failure");
        assert_eq!(real, unknown, "failure {i}");
        assert_eq!(
            store
                .sign_in_failures_unscoped(&name("nobody"))
                .expect("read"),
            unknown
        );
    }
    let locked = store
        .sign_in_failures_unscoped(&name("nobody"))
        .expect("read");
    assert_eq!(locked.locked_until, Some(at + Duration::minutes(39)));
    assert_eq!(
        store.credentials_unscoped(&name("nobody")).expect("lookup"),
        None,
        "counting a name opens no account"
    );
    // Once its lock is over, a failure under another name forgets it.
    store
        .record_sign_in_failure_unscoped(&name("someone"), at + Duration::minutes(40), &lockout())
        .expect("failure");
    assert_eq!(
        store
            .sign_in_failures_unscoped(&name("nobody"))
            .expect("read"),
        Failures::default()
    );
}

pub fn a_lock_ends_the_accounts_sessions(db: &TestDb) {
    let store = deployed(db);
    let account = open(store, "wangxm", DUOFU, &[Role::Clerk]);
    let other = open(store, "lisi", DUOFU, &[Role::Clerk]);
    let at = t0();
    session(store, "open", account.id, at);
    session(store, "others", other.id, at);
    for _ in 0..4 {
        store
            .record_sign_in_failure_unscoped(&name("wangxm"), at, &lockout())
            .expect("failure");
    }
    assert!(store.session_unscoped("open").expect("lookup").is_some());
    store
        .record_sign_in_failure_unscoped(&name("wangxm"), at, &lockout())
        .expect("failure");
    assert_eq!(store.session_unscoped("open").expect("lookup"), None);
    assert!(store.session_unscoped("others").expect("lookup").is_some());
}

pub fn a_totp_step_is_accepted_once(db: &TestDb) {
    let store = deployed(db);
    let account = open(store, "wangxm", DUOFU, &[Role::Clerk]);
    let claim = |step| {
        store
            .claim_totp_step_unscoped(account.id, step)
            .expect("claim")
    };
    assert!(claim(1000));
    assert!(!claim(1000), "the same code twice");
    assert!(!claim(999), "an older code after a newer one");
    assert!(claim(1001));
    // A new secret starts afresh.
    store
        .change_account(
            &scope(TOWN),
            account.id,
            &AccountChange::Totp(Some("NEWSECRET".into())),
            &actor(),
        )
        .expect("enrol");
    assert!(claim(500));
}

pub fn sessions_are_found_by_hash_touched_and_ended(db: &TestDb) {
    let store = deployed(db);
    let account = open(store, "wangxm", DUOFU, &[Role::Clerk]);
    let at = t0();
    session(store, "fresh", account.id, at);
    session(store, "idle", account.id, at);
    session(store, "old", account.id, at - Duration::hours(13));
    let found = store
        .session_unscoped("fresh")
        .expect("lookup")
        .expect("found");
    assert_eq!(found.account, account);
    assert_eq!((found.created_at, found.last_seen_at), (at, at));
    let later = at + Duration::minutes(20);
    store.touch_session_unscoped("fresh", later).expect("touch");
    store.touch_session_unscoped("old", later).expect("touch");
    let touched = store.session_unscoped("fresh").expect("lookup");
    assert_eq!(touched.map(|s| s.last_seen_at), Some(later));

    let now = at + Duration::minutes(35);
    let ended = store
        .end_expired_sessions_unscoped(now - Duration::minutes(30), now - Duration::hours(12))
        .expect("expire");
    assert_eq!(ended, 2, "the idle one and the one opened 13 hours ago");
    assert!(store.session_unscoped("fresh").expect("lookup").is_some());
    assert_eq!(store.session_unscoped("idle").expect("lookup"), None);
    assert_eq!(store.session_unscoped("old").expect("lookup"), None);

    store.end_session_unscoped("fresh").expect("end");
    assert_eq!(store.session_unscoped("fresh").expect("lookup"), None);
}

pub fn a_new_password_ends_every_other_session(db: &TestDb) {
    let store = deployed(db);
    let account = open(store, "wangxm", DUOFU, &[Role::Clerk]);
    for hash in ["mine", "elsewhere", "stolen"] {
        session(store, hash, account.id, t0());
    }
    let at = t0() + Duration::days(1);
    let changed = store
        .change_account(
            &scope(DUOFU),
            account.id,
            &AccountChange::Password {
                hash: "new-hash".into(),
                must_change: false,
                at,
                keep_session: Some("mine".into()),
            },
            &Actor::new("wangxm"),
        )
        .expect("change");
    assert!(!changed.must_change_password);
    assert_eq!(changed.password_changed_at, at);
    assert!(store.session_unscoped("mine").expect("lookup").is_some());
    assert_eq!(store.session_unscoped("elsewhere").expect("lookup"), None);
    assert_eq!(store.session_unscoped("stolen").expect("lookup"), None);
    let credentials = store
        .credentials_unscoped(&account.username)
        .expect("credentials")
        .expect("found");
    assert_eq!(credentials.password_hash, "new-hash");
}

pub fn api_tokens_are_scoped_revocable_and_found_by_hash(db: &TestDb) {
    let store = deployed(db);
    let chief = open(store, "zhanzhang", DUOFU, &[Role::StationChief]);
    let new = NewApiToken {
        token_hash: "token-hash".into(),
        name: Note::parse("社区数据对接程序").expect("name"),
        unit: code(DUOFU),
        role: Role::Collector,
        account: chief.id,
        expires_at: t0() + Duration::days(90),
    };
    let token = store
        .create_api_token(&scope(DUOFU), &new, &Actor::new("zhanzhang"))
        .expect("issued");
    assert_eq!(token.role, Role::Collector);
    assert_eq!(token.created_by, "zhanzhang");
    assert!(token.is_live_at(t0()));
    assert!(!token.is_live_at(t0() + Duration::days(90)));

    let outside = NewApiToken {
        token_hash: "other-hash".into(),
        unit: code(YINZHA),
        ..new.clone()
    };
    assert!(matches!(
        store.create_api_token(&scope(DUOFU), &outside, &actor()),
        Err(StoreError::ReferenceOutOfScope { .. })
    ));
    assert_eq!(
        store.list_api_tokens(&scope(TOWN)).expect("list"),
        std::slice::from_ref(&token)
    );
    assert!(
        store
            .list_api_tokens(&scope(YINZHA))
            .expect("list")
            .is_empty()
    );
    assert!(matches!(
        store.revoke_api_token(&scope(YINZHA), token.id, t0(), &actor()),
        Err(StoreError::NotFound { .. })
    ));

    let (found, account) = store
        .api_token_unscoped("token-hash")
        .expect("lookup")
        .expect("found");
    assert_eq!((found, account), (token.clone(), chief));
    assert_eq!(store.api_token_unscoped("no-such").expect("lookup"), None);
    let used = t0() + Duration::minutes(1);
    store
        .touch_api_token_unscoped(token.id, used)
        .expect("touch");

    let revoked_at = t0() + Duration::hours(1);
    let revoked = store
        .revoke_api_token(&scope(DUOFU), token.id, revoked_at, &Actor::new("secadmin"))
        .expect("revoked");
    assert_eq!(revoked.revoked_at, Some(revoked_at));
    assert_eq!(revoked.revoked_by.as_deref(), Some("secadmin"));
    assert_eq!(revoked.last_used_at, Some(used));
    assert!(!revoked.is_live_at(t0()));
    let again = store
        .revoke_api_token(
            &scope(DUOFU),
            token.id,
            revoked_at + Duration::hours(1),
            &actor(),
        )
        .expect("revoked again");
    assert_eq!(again.revoked_at, Some(revoked_at));
}

pub fn an_account_remembers_its_language(db: &TestDb) {
    let store = deployed(db);
    let account = open(store, "wangxm", DUOFU, &[Role::Clerk]);
    let other = open(store, "lisi", YINZHA, &[Role::Clerk]);
    assert_eq!(
        store.account_locale_unscoped(account.id).expect("read"),
        None
    );
    store
        .set_account_locale_unscoped(account.id, Some("en"))
        .expect("set");
    assert_eq!(
        store.account_locale_unscoped(account.id).expect("read"),
        Some("en".to_owned())
    );
    // Only that account's language changed, and nothing an administrator sees.
    assert_eq!(store.account_locale_unscoped(other.id).expect("read"), None);
    assert_eq!(
        store.get_account(&scope(TOWN), account.id).expect("get"),
        account
    );
    store
        .set_account_locale_unscoped(account.id, Some("zh-CN"))
        .expect("set again");
    assert_eq!(
        store.account_locale_unscoped(account.id).expect("read"),
        Some("zh-CN".to_owned())
    );
    store
        .set_account_locale_unscoped(account.id, None)
        .expect("forget");
    assert_eq!(
        store.account_locale_unscoped(account.id).expect("read"),
        None
    );
    let nobody = AccountId(account.id.0 + 1000);
    assert!(matches!(
        store.set_account_locale_unscoped(nobody, Some("en")),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.account_locale_unscoped(nobody),
        Err(StoreError::NotFound { .. })
    ));
    // The schema refuses what is no language tag at all.
    let refused = store.set_account_locale_unscoped(account.id, Some(&"x".repeat(40)));
    assert!(
        matches!(&refused, Err(StoreError::Backend(m))
            if m.contains("CHECK constraint failed") || m.contains("accounts_locale_check")),
        "{refused:?}"
    );
}
