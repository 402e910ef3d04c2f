//! Transfer requests (转移申请): a community meeting 重卡 asks the
//! community holding the current stay to end it.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::codes::IdNumber;
use sojourn_domain::person::PersonId;
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::text::{Note, UnitName};
use sojourn_domain::unit::Unit;
use sojourn_store::transfers::*;
use sojourn_store::*;

const TODAY: &str = "2026-11-28";
const THIRD: &str = "110101001003";

/// The town with a third community, and a person living in 银闸.
fn living_in_yinzha(db: &TestDb) -> (&dyn Store, IdNumber, PersonId, ResidenceId) {
    let store = db.store();
    deploy(store);
    let third = Unit {
        code: code(THIRD),
        name: UnitName::parse("韶九社区").expect("name"),
    };
    store
        .create_unit(&scope(TOWN), &third, &actor())
        .expect("third community");
    let number = id_number("19900312", 31);
    let (person, stay) = store
        .register_arrival(
            &scope(YINZHA),
            &arrival(&number, "吴十", YINZHA, "2026-05-01"),
            &actor(),
        )
        .expect("arrival");
    (store, number, person.id, stay.id)
}

fn note(text: &str) -> Note {
    Note::parse(text).expect("note")
}

fn refusal<T: std::fmt::Debug>(result: Result<T>) -> TransferRefusal {
    match result {
        Err(StoreError::Transfer(refusal)) => refusal,
        other => panic!("expected a transfer refusal, got {other:?}"),
    }
}

fn is_not_found<T: std::fmt::Debug>(result: Result<T>) -> bool {
    matches!(result, Err(StoreError::NotFound { .. }))
}

pub fn the_current_file_names_the_unit_everywhere_and_the_file_only_in_scope(db: &TestDb) {
    let (store, number, person, stay) = living_in_yinzha(db);
    let there = store
        .current_file(&scope(DUOFU), &number)
        .expect("lookup")
        .expect("a current stay");
    assert_eq!(
        (
            there.unit.as_str(),
            there.unit_name.as_str(),
            there.residence
        ),
        (YINZHA, "银闸社区", stay)
    );
    assert_eq!(there.person, None, "another community's file is not named");
    let here = store
        .current_file(&scope(YINZHA), &number)
        .expect("lookup")
        .expect("a current stay");
    assert_eq!(here.person, Some(person));
    let nobody = id_number("19900312", 33);
    assert_eq!(
        store.current_file(&scope(DUOFU), &nobody).expect("lookup"),
        None
    );
}

pub fn a_transfer_request_is_seen_by_both_communities_and_accepting_it_ends_the_stay(db: &TestDb) {
    let (store, number, person, stay) = living_in_yinzha(db);
    let asked = store
        .request_transfer(
            &scope(DUOFU),
            &number,
            Some(&note("本人已搬至多福巷")),
            &actor(),
        )
        .expect("request");
    assert_eq!(asked.state, TransferState::Pending);
    assert_eq!(
        (asked.from_unit.as_str(), asked.to_unit.as_str()),
        (DUOFU, YINZHA)
    );
    assert_eq!((asked.person, asked.residence), (person, stay));
    assert_eq!(asked.note.as_deref(), Some("本人已搬至多福巷"));
    assert_eq!(store.pending_transfers(&scope(YINZHA)).expect("count"), 1);
    assert_eq!(store.pending_transfers(&scope(DUOFU)).expect("count"), 0);
    let incoming = store
        .transfers(&scope(YINZHA), TransferDirection::Incoming, true, 50)
        .expect("incoming");
    assert_eq!(incoming, std::slice::from_ref(&asked));
    let outgoing = store
        .transfers(&scope(DUOFU), TransferDirection::Outgoing, false, 50)
        .expect("outgoing");
    assert_eq!(outgoing, std::slice::from_ref(&asked));

    let accepted = store
        .accept_transfer(&scope(YINZHA), asked.id, date(TODAY), &actor())
        .expect("accept");
    assert!(matches!(accepted.state, TransferState::Accepted { .. }));
    let ended = store.get_residence(&scope(YINZHA), stay).expect("stay");
    assert!(!ended.status.is_current());
    assert_eq!(
        store.current_file(&scope(DUOFU), &number).expect("lookup"),
        None
    );
    assert_eq!(store.pending_transfers(&scope(YINZHA)).expect("count"), 0);
    // The asking community now registers the arrival on the same file.
    let (again, _) = store
        .register_arrival(
            &scope(DUOFU),
            &arrival(&number, "吴十", DUOFU, TODAY),
            &actor(),
        )
        .expect("arrival after the transfer");
    assert_eq!(again.id, person);
    // Both steps are audited, each under its community.
    let entries = store
        .search_audit(
            &scope(TOWN),
            &AuditQuery {
                object_kind: Some("transfer_request".into()),
                ..AuditQuery::default()
            },
        )
        .expect("audit");
    let units: Vec<_> = entries.items.iter().map(|e| e.unit.clone()).collect();
    assert_eq!(units, [Some(YINZHA.to_owned()), Some(DUOFU.to_owned())]);
    // A decided request is decided once.
    assert_eq!(
        refusal(store.decline_transfer(&scope(YINZHA), asked.id, &note("不同意"), &actor())),
        TransferRefusal::AlreadyDecided
    );
}

pub fn a_declined_request_keeps_its_reason_and_the_stay(db: &TestDb) {
    let (store, number, _, stay) = living_in_yinzha(db);
    let asked = store
        .request_transfer(&scope(DUOFU), &number, None, &actor())
        .expect("request");
    let declined = store
        .decline_transfer(
            &scope(YINZHA),
            asked.id,
            &note("本人仍在银闸居住"),
            &actor(),
        )
        .expect("decline");
    match &declined.state {
        TransferState::Declined { reason, .. } => assert_eq!(reason, "本人仍在银闸居住"),
        other => panic!("expected declined, got {other:?}"),
    }
    let seen = store
        .get_transfer(&scope(DUOFU), asked.id)
        .expect("asker reads it");
    assert_eq!(seen.state, declined.state);
    assert!(
        store
            .get_residence(&scope(YINZHA), stay)
            .expect("stay")
            .status
            .is_current()
    );
    // Declined, it may be asked again.
    store
        .request_transfer(&scope(DUOFU), &number, None, &actor())
        .expect("asked again");
}

pub fn a_transfer_request_that_cannot_be_made_is_refused_and_changes_nothing(db: &TestDb) {
    let (store, number, _, _) = living_in_yinzha(db);
    // Within one's own jurisdiction: deregister it oneself.
    assert_eq!(
        refusal(store.request_transfer(&scope(YINZHA), &number, None, &actor())),
        TransferRefusal::OwnJurisdiction
    );
    assert_eq!(
        refusal(store.request_transfer(&scope(TOWN), &number, None, &actor())),
        TransferRefusal::OwnJurisdiction
    );
    // No current stay: nothing to hand over.
    let nobody = id_number("19900312", 33);
    assert_eq!(
        refusal(store.request_transfer(&scope(DUOFU), &nobody, None, &actor())),
        TransferRefusal::NoCurrentStay
    );
    store
        .request_transfer(&scope(DUOFU), &number, None, &actor())
        .expect("request");
    // Asked twice, by anyone: one pending request per stay.
    assert_eq!(
        refusal(store.request_transfer(&scope(THIRD), &number, None, &actor())),
        TransferRefusal::AlreadyPending
    );
    assert_eq!(store.pending_transfers(&scope(YINZHA)).expect("count"), 1);
}

pub fn a_third_community_neither_sees_nor_decides_a_request_and_the_asker_cannot_decide_it(
    db: &TestDb,
) {
    let (store, number, _, stay) = living_in_yinzha(db);
    let asked = store
        .request_transfer(&scope(DUOFU), &number, None, &actor())
        .expect("request");
    assert!(is_not_found(store.get_transfer(&scope(THIRD), asked.id)));
    for direction in [TransferDirection::Incoming, TransferDirection::Outgoing] {
        let seen = store
            .transfers(&scope(THIRD), direction, false, 50)
            .expect("list");
        assert!(seen.is_empty());
    }
    assert_eq!(store.pending_transfers(&scope(THIRD)).expect("count"), 0);
    assert!(is_not_found(store.accept_transfer(
        &scope(THIRD),
        asked.id,
        date(TODAY),
        &actor()
    )));
    assert!(is_not_found(store.decline_transfer(
        &scope(THIRD),
        asked.id,
        &note("无关"),
        &actor()
    )));
    // The asker reads its request but does not decide it.
    assert!(is_not_found(store.accept_transfer(
        &scope(DUOFU),
        asked.id,
        date(TODAY),
        &actor()
    )));
    assert!(
        store
            .get_residence(&scope(YINZHA), stay)
            .expect("stay")
            .status
            .is_current()
    );
    assert_eq!(
        store
            .get_transfer(&scope(YINZHA), asked.id)
            .expect("read")
            .state,
        TransferState::Pending
    );
}
