//! The family-planning follow-up (R4.3): files of married women of
//! childbearing age, the 三查 schedule, results and worklists.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::codes::{ContraceptiveMethod, MaritalStatus};
use sojourn_domain::outflow::OutflowId;
use sojourn_domain::quality::Rule;
use sojourn_domain::record::RecordKind;
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::services::family_planning::*;
use sojourn_store::family_planning::*;
use sojourn_store::*;
use time::Date;

const TODAY: &str = "2026-11-28";

fn today() -> Date {
    date(TODAY)
}

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

/// A woman (even sequence) born on `birth`, married, arrived on `arrived`.
pub fn woman(store: &dyn Store, birth: &str, seq: u16, name: &str, arrived: &str) -> ResidenceId {
    let (_, stay) = store
        .register_arrival(
            &scope(DUOFU),
            &arrival(&id_number(birth, seq), name, DUOFU, arrived),
            &actor(),
        )
        .expect("arrival");
    stay.id
}

pub fn contents() -> FollowUp {
    FollowUp {
        certificate: Certificate::Checked {
            on: date("2026-03-10"),
        },
        contraception: Some(Contraception {
            method: ContraceptiveMethod::Iud,
            since: date("2021-09-01"),
        }),
        pregnant_since: None,
        births: vec![date("2013-07-19"), date("2021-06-18")],
    }
}

pub fn opening(stay: ResidenceId, filed: &str) -> FileOpening {
    FileOpening {
        woman: WomanRef::Residence(stay),
        filing: Filing::Collector { on: date(filed) },
        marital_status: None,
        contents: contents(),
    }
}

pub fn open(store: &dyn Store, stay: ResidenceId, filed: &str) -> FollowUpFile {
    store
        .open_family_planning_file(&scope(DUOFU), &opening(stay, filed), today(), &actor())
        .expect("file")
}

fn result(on: &str) -> CheckResult {
    CheckResult {
        checked_on: date(on),
        iud: IudFinding::InPlace,
        pregnancy: PregnancyFinding::NotPregnant,
        health: HealthFinding::Normal,
    }
}

fn list(store: &dyn Store, unit: &str, list: FamilyPlanningList) -> Page<FamilyPlanningRow> {
    let query = FamilyPlanningQuery {
        list,
        today: today(),
        windows: CheckWindows::default(),
        page: PageRequest::default(),
    };
    store
        .family_planning_worklist(&scope(unit), &query)
        .expect("worklist")
}

fn files(page: &Page<FamilyPlanningRow>) -> Vec<FollowUpFileId> {
    page.items.iter().map(|r| r.file).collect()
}

pub fn a_married_womans_file_is_kept_sealed_and_read_back_whole(db: &TestDb) {
    let store = deployed(db);
    let stay = woman(store, "19900307", 12, "王芳", "2026-03-01");
    let file = open(store, stay, "2026-03-10");
    assert_eq!(file.contents, contents());
    assert_eq!(file.basis_on, date("2026-03-01"));
    assert!(!file.filed_late());
    let read = store
        .family_planning_file(&scope(TOWN), file.id)
        .expect("read");
    assert_eq!(read, file);
    assert_eq!(
        store
            .family_planning_file_of(&scope(DUOFU), WomanRef::Residence(stay))
            .expect("of stay"),
        Some(file.clone())
    );
    // Nothing of the contents is in the clear: not the births, not the
    // method's code as the file keeps it.
    let raw = db.raw_texts("fp_files", "contents").join(" ");
    assert!(
        !raw.contains("2013-07-19") && !raw.contains("\"01\""),
        "{raw}"
    );
    // The audit entry of the opening hides the contents whole.
    let entries = store.audit_entries_unscoped(0, 100).expect("entries");
    let opened = entries
        .iter()
        .find(|e| e.object_kind.as_deref() == Some("family_planning_file"))
        .expect("the opening is audited");
    assert!(!opened.details.contains("2013-07-19"), "{}", opened.details);
    // Another community sees no such file.
    assert!(matches!(
        store.family_planning_file(&scope(YINZHA), file.id),
        Err(StoreError::NotFound { .. })
    ));
}

pub fn a_file_is_refused_for_whom_the_follow_up_is_not_and_nothing_is_written(db: &TestDb) {
    let store = deployed(db);
    // A man (odd sequence).
    let man = woman(store, "19900307", 13, "王方", "2026-03-01");
    // 50 on arrival, though the register holds her as married.
    let older = woman(store, "19760228", 14, "李梅", "2026-03-01");
    // Unmarried.
    let mut single = arrival(&id_number("19950101", 16), "赵丽", DUOFU, "2026-03-01");
    single.person.marital_status = Some(MaritalStatus::Unmarried);
    let (_, single) = store
        .register_arrival(&scope(DUOFU), &single, &actor())
        .expect("arrival");
    let refusals = [
        (man, "family_planning_not_a_woman"),
        (older, "family_planning_outside_childbearing_age"),
        (single.id, "family_planning_not_married"),
    ];
    for (stay, code) in refusals {
        let refused = store
            .open_family_planning_file(
                &scope(DUOFU),
                &opening(stay, "2026-03-10"),
                today(),
                &actor(),
            )
            .expect_err("refused");
        assert_eq!(sojourn_domain::Localized::code(&refused), code);
    }
    // A filing date in the future; a second file for the same stay.
    let her = woman(store, "19900307", 18, "周红", "2026-03-01");
    let future = store.open_family_planning_file(
        &scope(DUOFU),
        &opening(her, "2026-11-29"),
        today(),
        &actor(),
    );
    assert!(matches!(
        future,
        Err(StoreError::FamilyPlanning(
            FamilyPlanningError::InFuture { .. }
        ))
    ));
    open(store, her, "2026-03-10");
    let again = store.open_family_planning_file(
        &scope(DUOFU),
        &opening(her, "2026-03-11"),
        today(),
        &actor(),
    );
    assert!(matches!(
        again,
        Err(StoreError::FamilyPlanning(
            FamilyPlanningError::AlreadyFiled { .. }
        ))
    ));
    assert_eq!(db.raw_texts("fp_files", "contents").len(), 1);
}

pub fn an_outflow_woman_is_judged_on_her_departure(db: &TestDb) {
    let store = deployed(db);
    // Left on 2025-03-01 (the fixture), aged 49 then, 50 now.
    let number = id_number("19751202", 20);
    let away = store
        .create_outflow(&scope(DUOFU), &number, &outflow(DUOFU, "孙丽"), &actor())
        .expect("outflow");
    let file = store
        .open_family_planning_file(
            &scope(DUOFU),
            &FileOpening {
                woman: WomanRef::Outflow(away.id),
                filing: Filing::Sheet {
                    stated: date("2025-03-20"),
                },
                marital_status: Some(MaritalStatus::Married),
                contents: FollowUp::default(),
            },
            today(),
            &actor(),
        )
        .expect("file");
    assert_eq!(file.woman, Woman::Outflow { outflow: away.id });
    assert_eq!(file.basis_on, date("2025-03-01"));
    assert_eq!(file.filing.filed_on(), date("2025-03-20"));
    // The outflow register keeps no marital status: the opening states it.
    let unstated = store.open_family_planning_file(
        &scope(DUOFU),
        &FileOpening {
            woman: WomanRef::Outflow(OutflowId(away.id.0)),
            filing: Filing::Collector { on: today() },
            marital_status: None,
            contents: FollowUp::default(),
        },
        today(),
        &actor(),
    );
    assert!(matches!(
        unstated,
        Err(StoreError::FamilyPlanning(FamilyPlanningError::NotMarried))
    ));
}

pub fn a_file_is_changed_at_its_version_and_a_stale_one_is_refused(db: &TestDb) {
    let store = deployed(db);
    let stay = woman(store, "19900307", 12, "王芳", "2026-03-01");
    let file = open(store, stay, "2026-03-10");
    let mut changed = file.contents.clone();
    changed.pregnant_since = Some(date("2026-11-01"));
    changed.contraception = None;
    let after = store
        .update_family_planning_file(
            &scope(DUOFU),
            file.id,
            &changed,
            file.version,
            today(),
            &actor(),
        )
        .expect("update");
    assert_eq!(after.version, file.version + 1);
    assert_eq!(after.contents, changed);
    let stale = store.update_family_planning_file(
        &scope(DUOFU),
        file.id,
        &contents(),
        file.version,
        today(),
        &actor(),
    );
    assert!(matches!(stale, Err(StoreError::VersionConflict { .. })));
    // A date in the future is refused and changes nothing.
    let mut future = changed.clone();
    future.births.push(date("2026-12-01"));
    let refused = store.update_family_planning_file(
        &scope(DUOFU),
        file.id,
        &future,
        after.version,
        today(),
        &actor(),
    );
    assert!(matches!(
        refused,
        Err(StoreError::FamilyPlanning(
            FamilyPlanningError::InFuture { .. }
        ))
    ));
    let read = store
        .family_planning_file(&scope(DUOFU), file.id)
        .expect("read");
    assert_eq!(read, after);
}

pub fn a_years_schedule_is_made_once_for_the_women_still_here(db: &TestDb) {
    let store = deployed(db);
    let here = woman(store, "19900307", 12, "王芳", "2026-03-01");
    let late_comer = woman(store, "19900307", 14, "李梅", "2026-10-01");
    let gone = woman(store, "19900307", 16, "赵丽", "2026-03-01");
    // Turns 50 on 2026-06-01.
    let turning = woman(store, "19760601", 18, "周红", "2026-03-01");
    let [here_file, late_file, gone_file, turning_file] =
        [here, late_comer, gone, turning].map(|stay| open(store, stay, "2026-03-10").id);
    let _ = late_file;
    let stay = store.get_residence(&scope(DUOFU), gone).expect("stay");
    store
        .register_departure(
            &scope(DUOFU),
            gone,
            &departure("2026-04-01"),
            stay.version,
            &actor(),
        )
        .expect("departure");
    let windows = CheckWindows::default();
    let added = store
        .generate_family_planning_schedule(&scope(TOWN), 2026, windows, &actor())
        .expect("schedule");
    // 3 for her, 1 for the late comer (arrived in the third window), none
    // for the one who left, 2 for the one turning 50 (under 50 when the
    // second window opens on 1 May, 50 when the third does).
    assert_eq!(added, 6);
    let again = store
        .generate_family_planning_schedule(&scope(TOWN), 2026, windows, &actor())
        .expect("again");
    assert_eq!(again, 0);
    let schedule = store
        .family_planning_schedule(&scope(DUOFU), here_file)
        .expect("schedule");
    let states: Vec<_> = schedule.iter().map(|c| c.state(today())).collect();
    assert_eq!(
        states,
        [CheckState::Due, CheckState::Missed, CheckState::Missed]
    );
    assert_eq!(
        (schedule[0].due_from, schedule[0].due_to),
        (date("2026-09-01"), date("2026-12-31"))
    );
    let turning_windows = store
        .family_planning_schedule(&scope(DUOFU), turning_file)
        .expect("schedule");
    assert_eq!(turning_windows.len(), 2);
    assert!(
        store
            .family_planning_schedule(&scope(DUOFU), gone_file)
            .expect("schedule")
            .is_empty()
    );
    // Another community's scope adds nothing for these women.
    let elsewhere = store
        .generate_family_planning_schedule(&scope(YINZHA), 2027, windows, &actor())
        .expect("schedule");
    assert_eq!(elsewhere, 0);
}

pub fn a_recorded_check_takes_the_woman_off_the_due_list(db: &TestDb) {
    let store = deployed(db);
    let stay = woman(store, "19900307", 12, "王芳", "2026-03-01");
    let other = woman(store, "19900307", 14, "李梅", "2026-03-01");
    let file = open(store, stay, "2026-03-10");
    let other_file = open(store, other, "2026-03-10");
    store
        .generate_family_planning_schedule(&scope(TOWN), 2026, CheckWindows::default(), &actor())
        .expect("schedule");
    let due = list(store, DUOFU, FamilyPlanningList::Due);
    assert_eq!(files(&due), [file.id, other_file.id]);
    assert_eq!(due.total, 2);
    assert_eq!(due.items[0].name, "王芳");
    assert_eq!(
        due.items[0].due,
        Some((date("2026-09-01"), date("2026-12-31")))
    );
    let recorded = store
        .record_family_planning_check(
            &scope(DUOFU),
            file.id,
            &result("2026-11-20"),
            CheckWindows::default(),
            today(),
            &actor(),
        )
        .expect("check");
    assert_eq!(
        recorded.window,
        Window {
            year: 2026,
            number: 3
        }
    );
    assert_eq!(
        files(&list(store, DUOFU, FamilyPlanningList::Due)),
        [other_file.id]
    );
    assert_eq!(files(&list(store, YINZHA, FamilyPlanningList::Due)), []);
    // The two windows before are missed, for both.
    let missed = list(store, TOWN, FamilyPlanningList::Missed);
    assert_eq!(missed.total, 4);
    // A check recorded late for the first window makes it done.
    store
        .record_family_planning_check(
            &scope(DUOFU),
            file.id,
            &result("2026-04-02"),
            CheckWindows::default(),
            today(),
            &actor(),
        )
        .expect("check");
    assert_eq!(list(store, TOWN, FamilyPlanningList::Missed).total, 3);
    let schedule = store
        .family_planning_schedule(&scope(DUOFU), file.id)
        .expect("schedule");
    assert_eq!(schedule[2].result, Some(result("2026-04-02")));
    // Findings are sealed; the audit keeps them masked.
    let raw = db.raw_texts("fp_checks", "findings").join(" ");
    assert!(!raw.contains("in_place"), "{raw}");
    let entries = store.audit_entries_unscoped(0, 100).expect("entries");
    assert!(
        entries
            .iter()
            .filter(|e| e.object_kind.as_deref() == Some("family_planning_check"))
            .all(|e| !e.details.contains("in_place"))
    );
}

pub fn a_check_before_arrival_or_in_the_future_is_refused_and_changes_nothing(db: &TestDb) {
    let store = deployed(db);
    let stay = woman(store, "19900307", 12, "王芳", "2026-03-01");
    let file = open(store, stay, "2026-03-10");
    let refusals = [
        ("2026-02-27", "family_planning_check_before_arrival"),
        ("2026-11-29", "family_planning_date_in_future"),
    ];
    for (on, code) in refusals {
        let refused = store
            .record_family_planning_check(
                &scope(DUOFU),
                file.id,
                &result(on),
                CheckWindows::default(),
                today(),
                &actor(),
            )
            .expect_err("refused");
        assert_eq!(sojourn_domain::Localized::code(&refused), code);
        assert!(
            sojourn_domain::Localized::message_zh(&refused).contains(on),
            "{refused}"
        );
    }
    assert!(
        store
            .family_planning_schedule(&scope(DUOFU), file.id)
            .expect("schedule")
            .is_empty()
    );
}

pub fn the_key_groups_list_the_women_their_files_put_in_them(db: &TestDb) {
    let store = deployed(db);
    let settled = woman(store, "19900307", 12, "王芳", "2026-03-01");
    let pregnant = woman(store, "19900307", 14, "李梅", "2026-03-01");
    let settled = open(store, settled, "2026-03-10");
    let pregnant_file = store
        .open_family_planning_file(
            &scope(DUOFU),
            &FileOpening {
                contents: FollowUp {
                    certificate: Certificate::Chased {
                        on: date("2026-03-10"),
                    },
                    contraception: None,
                    pregnant_since: Some(date("2026-10-01")),
                    births: vec![date("2025-01-05")],
                },
                ..opening(pregnant, "2026-03-10")
            },
            today(),
            &actor(),
        )
        .expect("file");
    store
        .generate_family_planning_schedule(&scope(TOWN), 2026, CheckWindows::default(), &actor())
        .expect("schedule");
    for group in [
        KeyGroup::RecentBirth,
        KeyGroup::Pregnant,
        KeyGroup::NoLongActingMethod,
        KeyGroup::NoCertificate,
    ] {
        let page = list(store, TOWN, FamilyPlanningList::Group(group));
        assert_eq!(files(&page), [pregnant_file.id], "{group:?}");
        assert_eq!(page.total, 1);
    }
    let missed = list(
        store,
        TOWN,
        FamilyPlanningList::Group(KeyGroup::MissedCheck),
    );
    assert_eq!(files(&missed), [settled.id, pregnant_file.id]);
    assert_eq!(
        files(&list(
            store,
            YINZHA,
            FamilyPlanningList::Group(KeyGroup::Pregnant)
        )),
        []
    );
}

fn stay_rules(store: &dyn Store, stay: ResidenceId) -> Vec<Rule> {
    store
        .findings_of(&scope(DUOFU), RecordKind::Residence, stay.0)
        .expect("findings")
        .iter()
        .map(|f| f.rule)
        .collect()
}

fn not_filed(store: &dyn Store, stay: ResidenceId) -> bool {
    stay_rules(store, stay).contains(&Rule::ChildbearingWomanNotFiled)
}

pub fn the_30_day_rule_reads_the_files_filing_date_not_the_day_the_stay_was_typed(db: &TestDb) {
    let store = deployed(db);
    // Registered today for an arrival in January 2025: the stay was typed
    // (or imported) long after, but her file's sheet says 建档日期 within
    // the 30 days. Before the fix the rule read the stay's creation time
    // and flagged her whatever her file said.
    let stay = woman(store, "19900307", 12, "王芳", "2025-01-02");
    assert!(not_filed(store, stay), "no file yet: not filed");
    store
        .open_family_planning_file(
            &scope(DUOFU),
            &FileOpening {
                filing: Filing::Sheet {
                    stated: date("2025-01-20"),
                },
                ..opening(stay, "2025-01-20")
            },
            today(),
            &actor(),
        )
        .expect("file");
    assert!(!not_filed(store, stay), "filed in time by the sheet's date");
    // A file made by a collector after the 30 days is late.
    let late = woman(store, "19900307", 14, "李梅", "2025-01-02");
    open(store, late, "2025-02-02");
    let findings = store
        .findings_of(&scope(DUOFU), RecordKind::Residence, late.0)
        .expect("findings");
    let finding = (findings.iter())
        .find(|f| f.rule == Rule::ChildbearingWomanNotFiled)
        .expect("late");
    assert!(
        finding.detail_zh.contains("2025-02-02"),
        "{}",
        finding.detail_zh
    );
    // A scan judges the same as the write did.
    store
        .scan_quality(&scope(TOWN), today(), 100)
        .expect("scan");
    assert!(!not_filed(store, stay));
    assert!(not_filed(store, late));
}

pub fn the_30_day_rule_judges_age_on_arrival_and_only_married_women(db: &TestDb) {
    let store = deployed(db);
    // 49 when she arrived on 2025-05-01, 50 now: still judged.
    let older = woman(store, "19750601", 12, "周红", "2025-05-01");
    assert!(not_filed(store, older));
    // Unmarried: the follow-up is not hers.
    let mut single = arrival(&id_number("19950101", 16), "赵丽", DUOFU, "2025-05-01");
    single.person.marital_status = Some(MaritalStatus::Unmarried);
    let (_, single) = store
        .register_arrival(&scope(DUOFU), &single, &actor())
        .expect("arrival");
    assert!(!not_filed(store, single.id));
    // A batch of arrivals (the import's path) judges the same way. (The
    // lower bound, 15 on arrival, is the domain's unit tests'.)
    let batch = [
        arrival(&id_number("19750601", 18), "郑芳", DUOFU, "2025-05-01"),
        {
            let mut single = arrival(&id_number("19950101", 20), "王小红", DUOFU, "2025-05-01");
            single.person.marital_status = Some(MaritalStatus::Divorced);
            single
        },
    ];
    let stays: Vec<ResidenceId> = store
        .register_arrivals(&scope(DUOFU), &batch, &actor())
        .expect("batch")
        .into_iter()
        .map(|r| r.expect("arrival"))
        .collect();
    assert!(not_filed(store, stays[0]));
    assert!(!not_filed(store, stays[1]));
}

pub fn a_three_checks_result_outside_15_to_49_is_found_by_the_monitor(db: &TestDb) {
    let store = deployed(db);
    // Turns 50 on 2026-06-01.
    let stay = woman(store, "19760601", 12, "周红", "2026-03-01");
    let file = open(store, stay, "2026-03-10");
    store
        .record_family_planning_check(
            &scope(DUOFU),
            file.id,
            &result("2026-05-20"),
            CheckWindows::default(),
            today(),
            &actor(),
        )
        .expect("check at 49");
    assert!(!stay_rules(store, stay).contains(&Rule::CheckOutsideChildbearingAge));
    // The store refuses a result dated after her 50th birthday …
    let refused = store.record_family_planning_check(
        &scope(DUOFU),
        file.id,
        &result("2026-06-01"),
        CheckWindows::default(),
        today(),
        &actor(),
    );
    assert!(matches!(
        refused,
        Err(StoreError::FamilyPlanning(
            FamilyPlanningError::OutsideChildbearingAge { age: 50, .. }
        ))
    ));
    // … and the monitor finds one that got in behind its back.
    db.execute_raw("UPDATE fp_checks SET checked_on = '2026-06-05'")
        .expect("raw update");
    let summary = store
        .scan_quality(&scope(TOWN), today(), 100)
        .expect("scan");
    assert!(summary.opened >= 1, "{summary:?}");
    let findings = store
        .findings_of(&scope(DUOFU), RecordKind::Residence, stay.0)
        .expect("findings");
    let finding = (findings.iter())
        .find(|f| f.rule == Rule::CheckOutsideChildbearingAge)
        .expect("found");
    assert!(
        finding.detail_zh.contains("2026-06-05"),
        "{}",
        finding.detail_zh
    );
}
