//! Safety inspections (安全检查) kept with a rental house.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::house::{HouseId, Inspection, InspectionOutcome};
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::time_rules::PastDate;
use sojourn_store::*;

fn inspection(on: &str, outcome: InspectionOutcome) -> Inspection {
    Inspection {
        inspected_on: PastDate::parse(on, date("2026-11-30")).expect("a past date"),
        inspector: PersonName::parse("李警官").expect("name"),
        outcome,
    }
}

fn issues(text: &str) -> InspectionOutcome {
    InspectionOutcome::IssuesFound {
        issues: Note::parse(text).expect("note"),
    }
}

fn a_house(store: &dyn Store, unit: &str) -> HouseId {
    store
        .create_house(&scope(unit), &house(unit, "多福巷12号"), &actor())
        .expect("house")
        .id
}

pub fn inspections_are_kept_with_the_house_latest_first(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let house = a_house(store, DUOFU);
    let passed = inspection("2026-10-01", InspectionOutcome::Passed { remark: None });
    let found = inspection("2026-11-15", issues("楼道堆放杂物，灭火器过期"));
    store
        .record_inspection(&scope(DUOFU), house, &passed, &actor())
        .expect("first");
    let recorded = store
        .record_inspection(&scope(DUOFU), house, &found, &actor())
        .expect("second");
    assert_eq!(recorded.inspection, found);
    assert_eq!(recorded.house, house);
    assert_eq!(recorded.recorded_by, actor().name);
    let list = store.inspections_of(&scope(TOWN), house).expect("list");
    let kept: Vec<_> = list.iter().map(|r| r.inspection.clone()).collect();
    assert_eq!(kept, [found, passed]);
    // The house itself is not changed by an inspection.
    let read = store.get_house(&scope(DUOFU), house).expect("house");
    assert_eq!(read.version, 1);
}

pub fn a_house_outside_the_scope_gets_no_inspection_and_shows_none(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let house = a_house(store, YINZHA);
    let before = store
        .audit_entries_unscoped(0, 1000)
        .expect("entries")
        .len();
    let refused = store.record_inspection(
        &scope(DUOFU),
        house,
        &inspection("2026-10-01", issues("电线老化")),
        &actor(),
    );
    assert!(
        matches!(
            refused,
            Err(StoreError::NotFound {
                kind: sojourn_domain::record::RecordKind::House,
                ..
            })
        ),
        "{refused:?}"
    );
    let read = store.inspections_of(&scope(DUOFU), house);
    assert!(matches!(read, Err(StoreError::NotFound { .. })), "{read:?}");
    assert!(
        store
            .inspections_of(&scope(YINZHA), house)
            .expect("list")
            .is_empty()
    );
    let after = store
        .audit_entries_unscoped(0, 1000)
        .expect("entries")
        .len();
    assert_eq!(before, after);
}

pub fn an_inspection_is_audited_with_it(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let house = a_house(store, DUOFU);
    let recorded = store
        .record_inspection(
            &scope(DUOFU),
            house,
            &inspection("2026-11-20", issues("消防通道堵塞")),
            &actor(),
        )
        .expect("record");
    let entries = store.audit_entries_unscoped(0, 1000).expect("entries");
    let entry = entries.last().expect("an entry");
    assert_eq!(entry.action.as_str(), "create");
    assert_eq!(entry.object_kind.as_deref(), Some("house_inspection"));
    assert_eq!(entry.object_id, Some(recorded.id.to_string()));
    assert_eq!(entry.unit.as_deref(), Some(DUOFU));
    let details: serde_json::Value = serde_json::from_str(&entry.details).expect("json");
    assert_eq!(details["after"]["result"], "issues_found");
    assert_eq!(details["after"]["notes"], "消防通道堵塞");
    assert_eq!(details["after"]["inspected_on"], "2026-11-20");
}
