//! Service requests at the one-stop window (R4.2): intake, referral,
//! resolution, closing; the worklists and the deployment's kinds.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::codes::Phone;
use sojourn_domain::person::PersonId;
use sojourn_domain::services::request::{
    DuePeriod, KindCode, Referral, RequestKind, RequestStep, Satisfaction, StateName,
};
use sojourn_domain::text::{Note, OrgName, PersonName};
use sojourn_store::requests::*;
use sojourn_store::*;

fn a_person(store: &dyn Store, unit: &str, seq: u16) -> PersonId {
    let number = id_number("19900101", seq);
    let (person, _) = store
        .register_arrival(
            &scope(unit),
            &arrival(&number, "张三", unit, "2026-01-05"),
            &actor(),
        )
        .expect("arrival");
    person.id
}

fn new_request(person: PersonId, kind: &str, on: &str) -> NewRequest {
    NewRequest {
        person,
        kind: KindCode::parse(kind).expect("kind"),
        asked: Note::parse("想找一份工厂的工作").expect("note"),
        received_on: date(on),
    }
}

fn referral() -> Referral {
    Referral {
        department: OrgName::parse("街道劳动保障所").expect("department"),
        contact: PersonName::parse("王芳").expect("contact"),
        phone: Phone::parse("010-64001234").expect("phone"),
    }
}

fn resolve() -> RequestStep {
    RequestStep::Resolve(Note::parse("已推荐到园区企业面试").expect("note"))
}

pub fn a_service_request_goes_from_intake_through_referral_to_closing(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let person = a_person(store, DUOFU, 1);
    let taken = store
        .take_request(
            &scope(DUOFU),
            &new_request(person, "employment", "2026-11-02"),
            &actor(),
        )
        .expect("intake");
    assert_eq!(taken.state.name(), StateName::Intake);
    assert_eq!(taken.unit, code(DUOFU));
    assert_eq!(taken.due_on, date("2026-11-09"), "seven days by default");
    assert_eq!(taken.version, 1);
    let step = |step, on, version| {
        store.step_request(&scope(DUOFU), taken.id, step, past(on), version, &actor())
    };
    let referred = step(RequestStep::Refer(referral()), "2026-11-03", 1).expect("refer");
    assert_eq!(referred.state.referral(), Some(&referral()));
    let resolved = step(resolve(), "2026-11-06", 2).expect("resolve");
    assert_eq!(resolved.state.name(), StateName::Resolved);
    let closed = step(
        RequestStep::Close {
            satisfaction: Satisfaction::Satisfied,
            feedback: Some(Note::parse("办事快").expect("note")),
        },
        "2026-11-07",
        3,
    )
    .expect("close");
    assert_eq!(closed.version, 4);
    assert_eq!(closed.state.referral(), Some(&referral()));
    assert_eq!(
        store.get_request(&scope(TOWN), taken.id).expect("read"),
        closed
    );
    let audited: Vec<_> = store
        .audit_entries_unscoped(0, 1000)
        .expect("entries")
        .into_iter()
        .filter(|e| e.object_kind.as_deref() == Some("service_request"))
        .collect();
    assert_eq!(audited.len(), 4, "intake and three steps");
    let last: serde_json::Value = serde_json::from_str(&audited[3].details).expect("json");
    assert_eq!(last["after"]["satisfaction"], "satisfied");
    assert_eq!(last["before"]["state"], "resolved");
    assert_eq!(last["after"]["contact_phone"], "010-****1234", "{last}");
}

pub fn a_service_request_step_out_of_order_stale_or_early_is_refused_and_changes_nothing(
    db: &TestDb,
) {
    let store = db.store();
    deploy(store);
    let person = a_person(store, DUOFU, 2);
    let taken = store
        .take_request(
            &scope(DUOFU),
            &new_request(person, "legal_aid", "2026-11-02"),
            &actor(),
        )
        .expect("intake");
    let close = RequestStep::Close {
        satisfaction: Satisfaction::Neutral,
        feedback: None,
    };
    let refused = store.step_request(
        &scope(DUOFU),
        taken.id,
        close,
        past("2026-11-05"),
        1,
        &actor(),
    );
    assert!(
        matches!(refused, Err(StoreError::Request(ref r)) if sojourn_domain::Localized::code(r) == "request_step_out_of_order"),
        "{refused:?}"
    );
    let early = store.step_request(
        &scope(DUOFU),
        taken.id,
        resolve(),
        past("2026-11-01"),
        1,
        &actor(),
    );
    assert!(matches!(early, Err(StoreError::Request(_))), "{early:?}");
    let stale = store.step_request(
        &scope(DUOFU),
        taken.id,
        resolve(),
        past("2026-11-05"),
        7,
        &actor(),
    );
    assert!(
        matches!(stale, Err(StoreError::VersionConflict { .. })),
        "{stale:?}"
    );
    let unknown = store.take_request(
        &scope(DUOFU),
        &new_request(person, "no_such_kind", "2026-11-02"),
        &actor(),
    );
    assert!(
        matches!(unknown, Err(StoreError::Request(_))),
        "{unknown:?}"
    );
    assert_eq!(
        store.get_request(&scope(DUOFU), taken.id).expect("read"),
        taken
    );
}

pub fn a_service_request_outside_the_scope_is_not_found(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let person = a_person(store, YINZHA, 3);
    let refused = store.take_request(
        &scope(DUOFU),
        &new_request(person, "housing", "2026-11-02"),
        &actor(),
    );
    assert!(
        matches!(refused, Err(StoreError::ReferenceOutOfScope { .. })),
        "{refused:?}"
    );
    let taken = store
        .take_request(
            &scope(YINZHA),
            &new_request(person, "housing", "2026-11-02"),
            &actor(),
        )
        .expect("intake");
    let read = store.get_request(&scope(DUOFU), taken.id);
    assert!(matches!(read, Err(StoreError::NotFound { .. })), "{read:?}");
    let step = store.step_request(
        &scope(DUOFU),
        taken.id,
        resolve(),
        past("2026-11-03"),
        1,
        &actor(),
    );
    assert!(matches!(step, Err(StoreError::NotFound { .. })), "{step:?}");
    let list = store
        .list_requests(
            &scope(DUOFU),
            &RequestFilter::default(),
            PageRequest::default(),
        )
        .expect("list");
    assert_eq!(list.total, 0);
    assert!(store.requests_of(&scope(YINZHA), person).expect("of").len() == 1);
}

pub fn the_service_request_worklist_is_filtered_sorted_and_counted(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let here = a_person(store, DUOFU, 4);
    let there = a_person(store, YINZHA, 5);
    let take = |unit: &str, person, kind, on| {
        store
            .take_request(&scope(unit), &new_request(person, kind, on), &actor())
            .expect("intake")
    };
    // On 2026-11-20: due 11-10 (overdue), due 11-21 (due soon), due 11-27 (in time).
    let overdue = take(DUOFU, here, "employment", "2026-11-03");
    let soon = take(DUOFU, here, "schooling", "2026-11-14");
    let later = take(YINZHA, there, "employment", "2026-11-20");
    let done = take(YINZHA, there, "health", "2026-11-01");
    store
        .step_request(
            &scope(YINZHA),
            done.id,
            resolve(),
            past("2026-11-02"),
            1,
            &actor(),
        )
        .expect("resolved");
    let today = date("2026-11-20");
    let ids = |filter: RequestFilter| -> (Vec<RequestId>, u64) {
        let page = store
            .list_requests(&scope(TOWN), &filter, PageRequest::default())
            .expect("list");
        (page.items.iter().map(|r| r.id).collect(), page.total)
    };
    assert_eq!(
        ids(RequestFilter::default()),
        (vec![done.id, overdue.id, soon.id, later.id], 4),
        "earliest due first"
    );
    let received = ids(RequestFilter {
        sort: RequestSort::ReceivedDesc,
        ..Default::default()
    });
    assert_eq!(received.0, vec![later.id, soon.id, overdue.id, done.id]);
    let employment = ids(RequestFilter {
        kind: Some(KindCode::parse("employment").expect("kind")),
        ..Default::default()
    });
    assert_eq!(employment, (vec![overdue.id, later.id], 2));
    let late = ids(RequestFilter {
        state: Some(StateFilter::Overdue(today)),
        ..Default::default()
    });
    assert_eq!(late, (vec![overdue.id], 1));
    let open_there = ids(RequestFilter {
        state: Some(StateFilter::Open),
        unit: Some(code(YINZHA)),
        ..Default::default()
    });
    assert_eq!(open_there, (vec![later.id], 1));
    let resolved = ids(RequestFilter {
        state: Some(StateFilter::Is(StateName::Resolved)),
        ..Default::default()
    });
    assert_eq!(resolved, (vec![done.id], 1));
    let counts = store.request_counts(&scope(TOWN), today).expect("counts");
    assert_eq!(
        counts,
        RequestCounts {
            due_soon: 1,
            overdue: 1
        }
    );
    let counts = store.request_counts(&scope(YINZHA), today).expect("counts");
    assert_eq!(counts, RequestCounts::default());
    let second = store
        .list_requests(
            &scope(TOWN),
            &RequestFilter::default(),
            PageRequest::new(1, 2).expect("page"),
        )
        .expect("page");
    assert_eq!(second.items.len(), 2);
    assert_eq!(second.total, 4);
    let of_here = store.requests_of(&scope(DUOFU), here).expect("of");
    assert_eq!(
        of_here.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![soon.id, overdue.id]
    );
}

pub fn a_deployment_adds_a_kind_of_request_with_its_own_due_period(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let kinds = store.request_kinds().expect("kinds");
    assert_eq!(kinds.len(), 8);
    assert!(kinds.iter().all(|k| k.due == DuePeriod::DEFAULT));
    let interpreting = RequestKind {
        code: KindCode::parse("interpreting").expect("code"),
        name_zh: OrgName::parse("翻译服务").expect("name"),
        name_en: OrgName::parse("interpreting").expect("name"),
        due: DuePeriod::new(3).expect("days"),
    };
    store
        .set_request_kind(&interpreting, &actor())
        .expect("added");
    let mut housing = kinds[2].clone();
    housing.due = DuePeriod::new(15).expect("days");
    store.set_request_kind(&housing, &actor()).expect("changed");
    let kinds = store.request_kinds().expect("kinds");
    assert_eq!(kinds.len(), 9);
    assert_eq!(kinds.last(), Some(&interpreting), "a new kind comes last");
    assert_eq!(kinds[2], housing);
    let person = a_person(store, DUOFU, 6);
    let taken = store
        .take_request(
            &scope(DUOFU),
            &new_request(person, "interpreting", "2026-11-02"),
            &actor(),
        )
        .expect("intake");
    assert_eq!(taken.due_on, date("2026-11-05"));
    let taken = store
        .take_request(
            &scope(DUOFU),
            &new_request(person, "housing", "2026-11-02"),
            &actor(),
        )
        .expect("intake");
    assert_eq!(taken.due_on, date("2026-11-17"));
}
