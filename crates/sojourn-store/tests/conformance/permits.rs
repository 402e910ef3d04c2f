//! Residence permits 居住证: every step a version, refusals that change
//! nothing, the worklists on a given day, the permit rate.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::person::PersonId;
use sojourn_domain::services::permit::*;
use sojourn_domain::text::{Note, PersonName};
use sojourn_store::*;
use time::Date;

fn in_person() -> Application {
    Application {
        proxy: None,
        proof: None,
        residence_proved: false,
    }
}

/// A resident of `unit` who arrived on `arrived`, living in a rental house
/// on file when `housed`.
fn resident(store: &dyn Store, unit: &str, seq: u16, arrived: &str, housed: bool) -> PersonId {
    let mut arrival = arrival(&id_number("19900101", seq), "张三", unit, arrived);
    if housed {
        let house = store
            .create_house(&scope(unit), &house(unit, "多福巷12号"), &actor())
            .expect("house");
        arrival.stay.house = Some(house.id);
    }
    store
        .register_arrival(&scope(unit), &arrival, &actor())
        .expect("arrival")
        .0
        .id
}

fn apply(store: &dyn Store, unit: &str, person: PersonId, on: &str) -> PermitStatus {
    store
        .apply_for_permit(&scope(unit), person, &in_person(), date(on), &actor())
        .expect("application")
}

fn step(
    store: &dyn Store,
    unit: &str,
    permit: &PermitStatus,
    request: PermitRequest,
    on: &str,
) -> Result<PermitStatus> {
    store.take_permit_step(
        &scope(unit),
        permit.id,
        permit.version,
        &request,
        date(on),
        &actor(),
    )
}

fn take(store: &dyn Store, permit: &PermitStatus, s: PermitStep, on: &str) -> PermitStatus {
    step(store, DUOFU, permit, PermitRequest::Step(s), on).expect("step")
}

/// A card issued on `issued` (accepted and produced the same day).
fn issued(store: &dyn Store, seq: u16, issued: &str) -> PermitStatus {
    let person = resident(store, DUOFU, seq, "2020-01-01", true);
    let p = apply(store, DUOFU, person, issued);
    let p = step(store, DUOFU, &p, PermitRequest::Accept, issued).expect("accepted");
    let p = take(store, &p, PermitStep::Produce, issued);
    take(store, &p, PermitStep::Issue, issued)
}

fn audit_len(store: &dyn Store) -> usize {
    store
        .audit_entries_unscoped(0, 10_000)
        .expect("entries")
        .len()
}

fn notice() -> PermitStep {
    PermitStep::Notice {
        missing: MissingDocuments::new([Document::Photo, Document::ProofOfResidence])
            .expect("documents"),
    }
}

pub fn a_permit_runs_from_application_to_cancellation_each_step_a_version(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let person = resident(store, DUOFU, 1, "2026-01-05", true);
    let applied = apply(store, DUOFU, person, "2026-07-10");
    assert_eq!((applied.state, applied.version), (PermitState::Applied, 1));
    assert_eq!(applied.unit, code(DUOFU));
    let noticed = take(store, &applied, notice(), "2026-07-10");
    assert_eq!(
        noticed
            .missing
            .as_ref()
            .map(MissingDocuments::codes)
            .as_deref(),
        Some("photo,proof_of_residence")
    );
    let accepted =
        step(store, DUOFU, &noticed, PermitRequest::Accept, "2026-07-14").expect("accepted");
    assert_eq!(accepted.basis, Some(Basis::Housing));
    assert_eq!(accepted.issue_due(), Some(date("2026-07-29")));
    let produced = take(store, &accepted, PermitStep::Produce, "2026-07-20");
    let card = take(store, &produced, PermitStep::Issue, "2026-07-25");
    assert_eq!(card.endorse_by, Some(date("2027-07-25")));
    let endorsed = take(store, &card, PermitStep::Endorse, "2027-07-01");
    assert_eq!(endorsed.endorse_by, Some(date("2028-07-25")));
    let gone = take(
        store,
        &endorsed,
        PermitStep::Cancel {
            reason: CancelReason::Departure,
            note: Some(Note::parse("回原籍").expect("note")),
        },
        "2027-09-01",
    );
    assert_eq!((gone.state, gone.version), (PermitState::Cancelled, 7));
    // What is read back is what was written.
    let read = store.permit(&scope(TOWN), gone.id).expect("read");
    assert_eq!(read.permit, gone);
    assert_eq!(read.person_name, "张三");
    assert_eq!(read.unit_name, "多福巷社区");
    assert_eq!(
        store.permits_of(&scope(DUOFU), person).expect("list"),
        std::slice::from_ref(&gone)
    );
    // Every step a version, named by its step; every version readable.
    let history = store
        .permit_history(&scope(DUOFU), gone.id)
        .expect("history");
    let actions: Vec<_> = history.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "created", "notice", "accept", "produce", "issue", "endorse", "cancel"
        ]
    );
    let first: serde_json::Value = serde_json::from_str(&history[0].snapshot).expect("json");
    assert_eq!(first["state"], "applied");
    // Each step audited, with the state before and after.
    let entries = store.audit_entries_unscoped(0, 10_000).expect("entries");
    let permit_entries: Vec<_> = entries
        .iter()
        .filter(|e| e.object_kind.as_deref() == Some("residence_permit"))
        .collect();
    assert_eq!(permit_entries.len(), 7);
    let last: serde_json::Value = serde_json::from_str(&permit_entries[6].details).expect("json");
    assert_eq!(last["before"]["state"], "issued");
    assert_eq!(last["after"]["state"], "cancelled");
    assert_eq!(last["after"]["cancel_reason"], "departure");
    // A new application may follow a cancelled card.
    apply(store, DUOFU, person, "2027-09-02");
}

pub fn a_step_out_of_order_or_on_a_cancelled_card_is_refused_and_changes_nothing(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let person = resident(store, DUOFU, 1, "2026-01-05", true);
    let applied = apply(store, DUOFU, person, "2026-07-10");
    let accepted =
        step(store, DUOFU, &applied, PermitRequest::Accept, "2026-07-10").expect("accepted");
    let before = audit_len(store);
    let refused = step(
        store,
        DUOFU,
        &accepted,
        PermitRequest::Step(PermitStep::Issue),
        "2026-07-11",
    );
    assert!(
        matches!(
            refused,
            Err(StoreError::Permit(PermitError::WrongStep {
                from: PermitState::Accepted,
                step: PermitStepKind::Issue
            }))
        ),
        "{refused:?}"
    );
    let again = step(
        store,
        DUOFU,
        &accepted,
        PermitRequest::Step(notice()),
        "2026-07-11",
    );
    assert!(matches!(again, Err(StoreError::Permit(_))), "{again:?}");
    assert_eq!(audit_len(store), before);
    assert_eq!(
        store
            .permit(&scope(DUOFU), accepted.id)
            .expect("read")
            .permit,
        accepted
    );
    let gone = take(
        store,
        &accepted,
        PermitStep::Cancel {
            reason: CancelReason::Fraud,
            note: None,
        },
        "2026-07-12",
    );
    let before = audit_len(store);
    let refused = step(
        store,
        DUOFU,
        &gone,
        PermitRequest::Step(PermitStep::Endorse),
        "2026-07-13",
    );
    match refused {
        Err(StoreError::Permit(e @ PermitError::Cancelled { .. })) => {
            assert!(sojourn_domain::Localized::message_zh(&e).contains("已注销"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(audit_len(store), before);
    assert_eq!(
        store.permit(&scope(DUOFU), gone.id).expect("read").permit,
        gone
    );
}

pub fn a_permit_step_at_a_stale_version_is_refused(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let person = resident(store, DUOFU, 1, "2026-01-05", true);
    let applied = apply(store, DUOFU, person, "2026-07-10");
    step(
        store,
        DUOFU,
        &applied,
        PermitRequest::Step(notice()),
        "2026-07-10",
    )
    .expect("noticed");
    let stale = step(store, DUOFU, &applied, PermitRequest::Accept, "2026-07-11");
    assert!(
        matches!(
            stale,
            Err(StoreError::VersionConflict {
                expected: 1,
                current: 2
            })
        ),
        "{stale:?}"
    );
}

pub fn acceptance_is_judged_against_the_register_or_a_recorded_proof(db: &TestDb) {
    let store = db.store();
    deploy(store);
    // Five months on file and no house or employer on the stay.
    let person = resident(store, DUOFU, 1, "2026-02-11", false);
    let facts = store.permit_facts(&scope(DUOFU), person).expect("facts");
    assert_eq!(facts.arrived_on, Some(date("2026-02-11")));
    assert!(!facts.housed && !facts.employed);
    let applied = apply(store, DUOFU, person, "2026-07-10");
    let refused = step(store, DUOFU, &applied, PermitRequest::Accept, "2026-07-10");
    assert!(
        matches!(
            refused,
            Err(StoreError::Permit(PermitError::Ineligible(
                Ineligible::ShortResidence { months: 4 }
            )))
        ),
        "{refused:?}"
    );
    // Six months later, still nothing to stand on.
    let refused = step(store, DUOFU, &applied, PermitRequest::Accept, "2026-08-11");
    assert!(
        matches!(
            refused,
            Err(StoreError::Permit(PermitError::Ineligible(
                Ineligible::NoBasis
            )))
        ),
        "{refused:?}"
    );
    // A pupil whose school the clerk saw a certificate of.
    let pupil = resident(store, DUOFU, 2, "2026-07-01", false);
    let proved = Application {
        proof: Some(Basis::Schooling),
        residence_proved: true,
        ..in_person()
    };
    let applied = store
        .apply_for_permit(&scope(DUOFU), pupil, &proved, date("2026-07-10"), &actor())
        .expect("applied");
    let accepted =
        step(store, DUOFU, &applied, PermitRequest::Accept, "2026-07-10").expect("accepted");
    assert_eq!(accepted.basis, Some(Basis::Schooling));
    assert_eq!(accepted.application, proved);
}

pub fn a_second_application_and_a_proxy_for_an_adult_are_refused(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let person = resident(store, DUOFU, 1, "2026-01-05", true);
    apply(store, DUOFU, person, "2026-07-10");
    let adult = resident(store, DUOFU, 2, "2026-01-05", true);
    let before = audit_len(store);
    let again = store.apply_for_permit(
        &scope(DUOFU),
        person,
        &in_person(),
        date("2026-07-11"),
        &actor(),
    );
    assert!(
        matches!(again, Err(StoreError::Permit(PermitError::AlreadyHeld))),
        "{again:?}"
    );
    let by_guardian = Application {
        proxy: Some(Proxy {
            name: PersonName::parse("张父").expect("name"),
            relation: Note::parse("父亲").expect("relation"),
            ground: ProxyGround::Minor,
        }),
        ..in_person()
    };
    let refused = store.apply_for_permit(
        &scope(DUOFU),
        adult,
        &by_guardian,
        date("2026-07-11"),
        &actor(),
    );
    assert!(
        matches!(
            refused,
            Err(StoreError::Permit(PermitError::ProxyNotAllowed {
                age: 36,
                ..
            }))
        ),
        "{refused:?}"
    );
    assert_eq!(audit_len(store), before);
    assert!(
        store
            .permits_of(&scope(DUOFU), adult)
            .expect("none")
            .is_empty()
    );
}

pub fn a_permit_out_of_scope_is_not_found(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let person = resident(store, YINZHA, 1, "2026-01-05", true);
    let refused = store.apply_for_permit(
        &scope(DUOFU),
        person,
        &in_person(),
        date("2026-07-10"),
        &actor(),
    );
    assert!(
        matches!(refused, Err(StoreError::ReferenceOutOfScope { .. })),
        "{refused:?}"
    );
    let theirs = apply(store, YINZHA, person, "2026-07-10");
    let read = store.permit(&scope(DUOFU), theirs.id);
    assert!(matches!(read, Err(StoreError::NotFound { .. })), "{read:?}");
    let stepped = step(store, DUOFU, &theirs, PermitRequest::Accept, "2026-07-10");
    assert!(
        matches!(stepped, Err(StoreError::NotFound { .. })),
        "{stepped:?}"
    );
    assert!(store.permits_of(&scope(DUOFU), person).is_err_or_empty());
    let page = PageRequest::new(0, 20).expect("page");
    let list = store
        .permit_list(
            &scope(DUOFU),
            PermitList::Register,
            None,
            date("2026-07-10"),
            page,
        )
        .expect("list");
    assert_eq!(list.total, 0);
}

/// A result that is refused or empty: what a reader out of scope sees.
trait ErrOrEmpty {
    fn is_err_or_empty(&self) -> bool;
}

impl<T> ErrOrEmpty for Result<Vec<T>> {
    fn is_err_or_empty(&self) -> bool {
        self.as_ref().map_or(true, Vec::is_empty)
    }
}

fn listed(
    store: &dyn Store,
    unit: &str,
    list: PermitList,
    filter: Option<&str>,
    today: Date,
) -> Vec<i64> {
    let page = PageRequest::new(0, 50).expect("page");
    let filter = filter.map(code);
    let found = store
        .permit_list(&scope(unit), list, filter.as_ref(), today, page)
        .expect("list");
    assert_eq!(
        store
            .permit_list_size(
                &scope(filter.as_ref().map_or(unit, |c| c.as_str())),
                list,
                today
            )
            .expect("size"),
        found.total
    );
    assert_eq!(found.total as usize, found.items.len());
    found.items.iter().map(|row| row.permit.id.0).collect()
}

pub fn the_worklists_follow_the_deadlines_of_the_day(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let today = date("2027-03-10");
    let waiting = {
        let person = resident(store, DUOFU, 1, "2026-01-05", true);
        apply(store, DUOFU, person, "2027-03-01")
    };
    let late = {
        let person = resident(store, DUOFU, 2, "2026-01-05", true);
        let p = apply(store, DUOFU, person, "2027-02-01");
        step(store, DUOFU, &p, PermitRequest::Accept, "2027-02-22").expect("accepted")
    };
    let in_time = {
        let person = resident(store, DUOFU, 3, "2026-01-05", true);
        let p = apply(store, DUOFU, person, "2027-02-01");
        step(store, DUOFU, &p, PermitRequest::Accept, "2027-02-23").expect("accepted")
    };
    let due = issued(store, 4, "2026-04-01");
    let lapsed = issued(store, 5, "2026-03-01");
    let long_lapsed = issued(store, 6, "2025-12-01");
    let fine = issued(store, 7, "2026-06-01");
    let theirs = {
        let person = resident(store, YINZHA, 8, "2026-01-05", true);
        apply(store, YINZHA, person, "2027-03-01")
    };
    assert_eq!(
        listed(store, TOWN, PermitList::ToAccept, None, today),
        [waiting.id.0, theirs.id.0]
    );
    assert_eq!(
        listed(store, DUOFU, PermitList::ToAccept, None, today),
        [waiting.id.0]
    );
    assert_eq!(
        listed(store, TOWN, PermitList::ToAccept, Some(YINZHA), today),
        [theirs.id.0]
    );
    // Accepted on 22 February: due on 9 March, overdue on the 10th.
    assert_eq!(
        listed(store, TOWN, PermitList::IssueOverdue, None, today),
        [late.id.0]
    );
    assert!(!listed(store, TOWN, PermitList::IssueOverdue, None, today).contains(&in_time.id.0));
    assert_eq!(
        listed(store, TOWN, PermitList::EndorsementDue, None, today),
        [due.id.0]
    );
    assert_eq!(
        listed(store, TOWN, PermitList::EndorsementOverdue, None, today),
        [lapsed.id.0]
    );
    assert_eq!(
        listed(store, TOWN, PermitList::Suspended, None, today),
        [long_lapsed.id.0, lapsed.id.0]
    );
    assert_eq!(
        listed(store, TOWN, PermitList::Register, None, today).len(),
        8
    );
    assert!(!listed(store, TOWN, PermitList::Suspended, None, today).contains(&fine.id.0));
    // Endorsed late, the suspended card is in force again.
    let restored = take(store, &lapsed, PermitStep::Endorse, "2027-03-10");
    assert_eq!(restored.years_from, Some(today));
    assert_eq!(
        listed(store, TOWN, PermitList::Suspended, None, today),
        [long_lapsed.id.0]
    );
    // A unit outside the scope is refused, not an empty list.
    let page = PageRequest::new(0, 20).expect("page");
    let refused = store.permit_list(
        &scope(DUOFU),
        PermitList::Register,
        Some(&code(YINZHA)),
        today,
        page,
    );
    assert!(
        matches!(refused, Err(StoreError::ReferenceOutOfScope { .. })),
        "{refused:?}"
    );
}

pub fn the_permit_rate_counts_holders_in_force_over_eligible_residents(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let today = date("2027-03-10");
    issued(store, 1, "2026-06-01");
    issued(store, 2, "2025-12-01"); // suspended since 1 December 2026
    resident(store, DUOFU, 3, "2026-01-05", true); // eligible, no card
    resident(store, DUOFU, 4, "2026-11-01", true); // too recent
    resident(store, DUOFU, 5, "2026-01-05", false); // no house or work on file
    resident(store, YINZHA, 6, "2026-01-05", true);
    let rate = store
        .permit_rate(&scope(TOWN), Some(&code(DUOFU)), today)
        .expect("rate");
    assert_eq!(
        rate,
        PermitRate {
            holders: 1,
            eligible: 3
        }
    );
    assert_eq!(rate.per_mille(), Some(333));
    let town = store.permit_rate(&scope(TOWN), None, today).expect("rate");
    assert_eq!(
        town,
        PermitRate {
            holders: 1,
            eligible: 4
        }
    );
    let yinzha = store
        .permit_rate(&scope(YINZHA), None, today)
        .expect("rate");
    assert_eq!(
        yinzha,
        PermitRate {
            holders: 0,
            eligible: 1
        }
    );
}
