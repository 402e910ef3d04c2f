//! The data-quality monitor (R6.2): findings opened and cleared by writes,
//! a scan of a scope, and the queue of probable duplicates.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::codes::{DivisionCode, Sex};
use sojourn_domain::person::PersonId;
use sojourn_domain::quality::{DuplicateReason, Rule};
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::review::{RecordKind as ReviewKind, ReviewRecord};
use sojourn_domain::text::Note;
use sojourn_store::quality::*;
use sojourn_store::*;

const TODAY: &str = "2026-11-28";

fn deployed(db: &TestDb) -> &dyn Store {
    let store = db.store();
    deploy(store);
    store
}

/// The open rules of one record, in scope.
fn rules_of(store: &dyn Store, unit: &str, kind: RecordKind, id: i64) -> Vec<Rule> {
    store
        .findings_of(&scope(unit), kind, id)
        .expect("findings")
        .iter()
        .map(|f| f.rule)
        .collect()
}

fn count(store: &dyn Store, unit: &str, rule: Rule) -> u64 {
    store
        .quality_counts(&scope(unit))
        .expect("counts")
        .findings
        .iter()
        .filter(|c| c.rule == rule)
        .map(|c| c.count)
        .sum()
}

/// An arrival whose domicile is a village of the national data (the
/// fixtures' own is not, and would be a finding of its own).
fn known_domicile(
    number: &sojourn_domain::codes::IdNumber,
    name: &str,
    unit: &str,
    arrived: &str,
) -> sojourn_domain::residence::Arrival {
    let mut a = arrival(number, name, unit, arrived);
    a.person.domicile = DivisionCode::parse_form(DUOFU).expect("village");
    a
}

fn register(
    store: &dyn Store,
    unit: &str,
    birth: &str,
    seq: u16,
    name: &str,
    arrived: &str,
) -> (PersonId, ResidenceId) {
    let number = id_number(birth, seq);
    let (person, residence) = store
        .register_arrival(
            &scope(unit),
            &known_domicile(&number, name, unit, arrived),
            &actor(),
        )
        .expect("arrival");
    (person.id, residence.id)
}

pub fn a_stay_without_a_house_is_found_on_write_and_cleared_by_linking_one(db: &TestDb) {
    let store = deployed(db);
    let (person, residence) = register(store, DUOFU, "19800101", 11, "张三", "2026-11-20");
    assert_eq!(
        rules_of(store, DUOFU, RecordKind::Residence, residence.0),
        [Rule::ResidentWithoutHouse]
    );
    assert!(rules_of(store, DUOFU, RecordKind::Person, person.0).is_empty());
    assert_eq!(count(store, TOWN, Rule::ResidentWithoutHouse), 1);

    let house = store
        .create_house(&scope(DUOFU), &house(DUOFU, "多福巷1号"), &actor())
        .expect("house");
    let stay = store.get_residence(&scope(DUOFU), residence).expect("stay");
    let mut linked = stay.stay.clone();
    linked.house = Some(house.id);
    store
        .update_stay(&scope(DUOFU), residence, &linked, stay.version, &actor())
        .expect("link the house");
    assert!(rules_of(store, DUOFU, RecordKind::Residence, residence.0).is_empty());
    assert_eq!(count(store, TOWN, Rule::ResidentWithoutHouse), 0);
}

pub fn a_house_without_a_security_agreement_is_found_and_cleared(db: &TestDb) {
    let store = deployed(db);
    let mut details = house(DUOFU, "多福巷2号");
    details.security_agreement_on = None;
    let created = store
        .create_house(&scope(DUOFU), &details, &actor())
        .expect("house");
    assert_eq!(
        rules_of(store, DUOFU, RecordKind::House, created.id.0),
        [Rule::HouseWithoutSecurityAgreement]
    );
    let listed = store
        .quality_findings(
            &scope(TOWN),
            Some(Rule::HouseWithoutSecurityAgreement),
            None,
            50,
        )
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].record_id, created.id.0);
    assert_eq!(listed[0].unit.as_str(), DUOFU);
    assert!(listed[0].detail_zh.contains("治安责任书"));

    details.security_agreement_on = Some(past("2026-11-01"));
    store
        .update_house(
            &scope(DUOFU),
            created.id,
            &details,
            created.version,
            &actor(),
        )
        .expect("signed");
    assert!(rules_of(store, DUOFU, RecordKind::House, created.id.0).is_empty());
    let listed = store
        .quality_findings(
            &scope(TOWN),
            Some(Rule::HouseWithoutSecurityAgreement),
            None,
            50,
        )
        .expect("list");
    assert!(listed.is_empty());
}

pub fn a_domicile_above_town_level_is_found_and_cleared_by_an_edit(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19800101", 21);
    let mut a = arrival(&number, "李四", DUOFU, "2026-11-20");
    a.person.domicile = DivisionCode::parse_form("410102").expect("county");
    let (person, _) = store
        .register_arrival(&scope(DUOFU), &a, &actor())
        .expect("arrival");
    assert_eq!(
        rules_of(store, DUOFU, RecordKind::Person, person.id.0),
        [Rule::AddressNotDownToTown]
    );
    let mut details = person.details.clone();
    details.domicile = DivisionCode::parse_form(DUOFU).expect("village");
    store
        .update_person(&scope(DUOFU), person.id, &details, person.version, &actor())
        .expect("edit");
    assert!(rules_of(store, DUOFU, RecordKind::Person, person.id.0).is_empty());
}

pub fn a_woman_of_childbearing_age_filed_late_is_found(db: &TestDb) {
    let store = deployed(db);
    // Sequence 012 is even: a woman, 36 today; arrived long before filing.
    let (_, late) = register(store, DUOFU, "19900307", 12, "王芳", "2025-01-02");
    assert!(
        rules_of(store, DUOFU, RecordKind::Residence, late.0)
            .contains(&Rule::ChildbearingWomanNotFiled)
    );
    // A man filed as late is not judged by this rule.
    let (_, man) = register(store, DUOFU, "19900307", 13, "王方", "2025-01-02");
    assert!(
        !rules_of(store, DUOFU, RecordKind::Residence, man.0)
            .contains(&Rule::ChildbearingWomanNotFiled)
    );
    // Nor a stay that is over.
    let stay = store.get_residence(&scope(DUOFU), late).expect("stay");
    store
        .register_departure(
            &scope(DUOFU),
            late,
            &departure("2026-11-01"),
            stay.version,
            &actor(),
        )
        .expect("departure");
    assert!(rules_of(store, DUOFU, RecordKind::Residence, late.0).is_empty());
}

pub fn a_batch_of_arrivals_writes_the_findings_of_every_row(db: &TestDb) {
    let store = deployed(db);
    let good = id_number("19800101", 31);
    let mut county = arrival(&id_number("19800101", 33), "周五", DUOFU, "2026-11-20");
    county.person.domicile = DivisionCode::parse_form("410102").expect("county");
    let rows = [
        arrival(&good, "赵一", DUOFU, "2026-11-20"),
        arrival(&good, "赵一", DUOFU, "2026-11-20"), // refused: 重卡
        county,
    ];
    let outcomes = store
        .register_arrivals(&scope(DUOFU), &rows, &actor())
        .expect("batch");
    assert!(
        matches!(outcomes[1], Err(StoreError::DuplicateResidence { .. })),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(count(store, DUOFU, Rule::ResidentWithoutHouse), 2);
    assert_eq!(count(store, DUOFU, Rule::AddressNotDownToTown), 1);
}

pub fn a_scan_finds_what_was_changed_behind_the_store_and_clears_it_again(db: &TestDb) {
    let store = deployed(db);
    let (person, _) = register(store, DUOFU, "19800101", 41, "钱七", "2026-11-20");
    // The ID says male, born 1980-01-01: record otherwise behind its back.
    let female = Sex::Female.code();
    db.execute_raw(&format!(
        "UPDATE persons SET sex = '{female}', birth_date = '1981-02-03' WHERE id = {}",
        person.0
    ))
    .expect("raw update");
    assert!(rules_of(store, DUOFU, RecordKind::Person, person.0).is_empty());
    let summary = store
        .scan_quality(&scope(TOWN), date(TODAY), 1)
        .expect("scan");
    assert_eq!(summary.opened, 2, "{summary:?}");
    assert!(summary.records >= 2);
    let mut found = rules_of(store, DUOFU, RecordKind::Person, person.0);
    found.sort();
    assert_eq!(
        found,
        [Rule::SexContradictsId, Rule::BirthDateContradictsId]
    );

    // A second scan changes nothing; mending the file clears both.
    let again = store
        .scan_quality(&scope(TOWN), date(TODAY), 2)
        .expect("scan");
    assert_eq!((again.opened, again.resolved), (0, 0));
    let male = Sex::Male.code();
    db.execute_raw(&format!(
        "UPDATE persons SET sex = '{male}', birth_date = '1980-01-01' WHERE id = {}",
        person.0
    ))
    .expect("raw update");
    let mended = store
        .scan_quality(&scope(TOWN), date(TODAY), 100)
        .expect("scan");
    assert_eq!(mended.resolved, 2);
    assert!(rules_of(store, DUOFU, RecordKind::Person, person.0).is_empty());
}

/// Two files of one name and birth date (different numbers), the first
/// departed; returns their ids and the pair's id after a scan.
fn namesakes(store: &dyn Store, unit: &str) -> (PersonId, PersonId, i64) {
    let (a, stay) = register(store, unit, "19851010", 51, "孙八", "2025-06-01");
    let version = store
        .get_residence(&scope(unit), stay)
        .expect("stay")
        .version;
    store
        .register_departure(
            &scope(unit),
            stay,
            &departure("2026-01-01"),
            version,
            &actor(),
        )
        .expect("departure");
    let (b, _) = register(store, unit, "19851010", 53, "孙八", "2026-11-01");
    store
        .scan_quality(&scope(unit), date(TODAY), 1000)
        .expect("scan");
    let queue = store
        .duplicate_queue(&scope(unit), Some(DuplicateStatus::Open), 0, 50)
        .expect("queue");
    let pair = queue
        .iter()
        .find(|p| (p.first, p.second) == (a.min(b), a.max(b)))
        .expect("the namesakes are queued");
    (a, b, pair.id)
}

pub fn a_scan_queues_probable_duplicates_with_score_and_reasons(db: &TestDb) {
    let store = deployed(db);
    let (_, _, id) = namesakes(store, DUOFU);
    let pair = store.get_duplicate(&scope(TOWN), id).expect("pair");
    assert_eq!(pair.score, 80);
    assert_eq!(
        pair.reasons,
        [
            DuplicateReason::SameNameAndBirthDate,
            DuplicateReason::SamePinyinAndBirthYear
        ]
    );
    assert_eq!(pair.status, DuplicateStatus::Open);
    assert_eq!(pair.first_name, "孙八");
    let counts = store.quality_counts(&scope(TOWN)).expect("counts");
    assert_eq!(counts.open_duplicates, [(code(DUOFU), 1)]);
    // A second scan does not queue the pair twice.
    let again = store
        .scan_quality(&scope(TOWN), date(TODAY), 1000)
        .expect("scan");
    assert_eq!((again.pairs, again.new_pairs), (1, 0));
}

pub fn a_merge_moves_the_stays_and_keeps_the_history(db: &TestDb) {
    let store = deployed(db);
    let (a, b, id) = namesakes(store, DUOFU);
    let merged = store
        .merge_duplicate(&scope(DUOFU), id, b, &actor())
        .expect("merge");
    assert_eq!(merged.status, DuplicateStatus::Merged);
    let stays = store.residences_of(&scope(DUOFU), b).expect("stays");
    assert_eq!(stays.len(), 2, "the other file's stay moved");
    assert!(stays.iter().all(|s| s.person == b));
    // Each stay's review names the kept file now, as its queue entry links.
    for stay in &stays {
        let record = ReviewRecord {
            kind: ReviewKind::Residence,
            id: stay.id.0,
        };
        let (review, _) = store
            .review_status(&scope(DUOFU), record)
            .expect("the stay's review");
        assert_eq!(review.person, Some(b.0), "{review:?}");
    }
    assert!(
        store
            .residences_of(&scope(DUOFU), a)
            .expect("none")
            .is_empty()
    );

    let history = store
        .history(&scope(DUOFU), RecordRef::Person(a))
        .expect("history of the merged file");
    assert!(history.iter().any(|r| r.action == "merged"), "{history:?}");
    let decisions = store
        .duplicate_decisions(&scope(DUOFU), id)
        .expect("decisions");
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].decision, DuplicateStatus::Merged);
    assert_eq!(decisions[0].kept, Some(b));
    assert_eq!(decisions[0].decided_by, actor().name);

    let entries = store.audit_entries_unscoped(0, 1000).expect("audit");
    let entry = entries
        .iter()
        .rev()
        .find(|e| e.object_kind.as_deref() == Some("duplicate"))
        .expect("audited");
    assert_eq!(entry.object_id, Some(id.to_string()));

    // A merged file is no longer a candidate; a decided pair stays decided.
    let again = store
        .scan_quality(&scope(TOWN), date(TODAY), 1000)
        .expect("scan");
    assert_eq!(again.pairs, 0);
    let refused = store.merge_duplicate(&scope(DUOFU), id, b, &actor());
    assert!(
        matches!(
            refused,
            Err(StoreError::Quality(QualityRefusal::AlreadyDecided))
        ),
        "{refused:?}"
    );
}

pub fn a_merge_of_two_current_files_is_refused_and_changes_nothing(db: &TestDb) {
    let store = deployed(db);
    let (a, _) = register(store, DUOFU, "19851010", 61, "周九", "2026-10-01");
    let (b, _) = register(store, DUOFU, "19851010", 63, "周九", "2026-11-01");
    store
        .scan_quality(&scope(DUOFU), date(TODAY), 1000)
        .expect("scan");
    let pair = store
        .duplicate_queue(&scope(DUOFU), None, 0, 50)
        .expect("queue")
        .pop()
        .expect("pair");
    let audit_before = store.audit_entries_unscoped(0, 1000).expect("audit").len();
    let refused = store.merge_duplicate(&scope(DUOFU), pair.id, a, &actor());
    assert!(
        matches!(
            refused,
            Err(StoreError::Quality(QualityRefusal::BothHaveCurrentStay))
        ),
        "{refused:?}"
    );
    assert_eq!(
        store
            .get_duplicate(&scope(DUOFU), pair.id)
            .expect("pair")
            .status,
        DuplicateStatus::Open
    );
    assert_eq!(
        store.residences_of(&scope(DUOFU), b).expect("stays").len(),
        1
    );
    assert!(
        store
            .duplicate_decisions(&scope(DUOFU), pair.id)
            .expect("none")
            .is_empty()
    );
    let audit_after = store.audit_entries_unscoped(0, 1000).expect("audit").len();
    assert_eq!(audit_before, audit_after);
}

pub fn a_dismissal_keeps_its_reason_and_survives_a_scan(db: &TestDb) {
    let store = deployed(db);
    let (_, _, id) = namesakes(store, DUOFU);
    let reason = Note::parse("经电话核实为两人").expect("reason");
    let dismissed = store
        .dismiss_duplicate(&scope(DUOFU), id, &reason, &actor())
        .expect("dismiss");
    assert_eq!(dismissed.status, DuplicateStatus::Dismissed);
    store
        .scan_quality(&scope(TOWN), date(TODAY), 1000)
        .expect("scan");
    assert_eq!(
        store.get_duplicate(&scope(DUOFU), id).expect("pair").status,
        DuplicateStatus::Dismissed
    );
    let decisions = store
        .duplicate_decisions(&scope(DUOFU), id)
        .expect("decisions");
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].reason.as_deref(), Some("经电话核实为两人"));
    let again = store.dismiss_duplicate(&scope(DUOFU), id, &reason, &actor());
    assert!(
        matches!(
            again,
            Err(StoreError::Quality(QualityRefusal::AlreadyDecided))
        ),
        "{again:?}"
    );
    // The history is append-only below the store too.
    let append_only = "quality decisions are append-only";
    db.assert_refused(
        "UPDATE quality_decisions SET reason = 'x'",
        append_only,
        append_only,
    );
    db.assert_refused("DELETE FROM quality_decisions", append_only, append_only);
}

pub fn a_merge_keeping_a_file_outside_the_pair_or_an_unknown_pair_is_refused(db: &TestDb) {
    let store = deployed(db);
    let (_, _, id) = namesakes(store, DUOFU);
    let (stranger, _) = register(store, DUOFU, "19700101", 71, "吴十", "2026-11-01");
    let refused = store.merge_duplicate(&scope(DUOFU), id, stranger, &actor());
    assert!(
        matches!(
            refused,
            Err(StoreError::Quality(QualityRefusal::KeptNotInPair))
        ),
        "{refused:?}"
    );
    let unknown = store.merge_duplicate(&scope(DUOFU), id + 1000, stranger, &actor());
    assert!(
        matches!(unknown, Err(StoreError::NotFound { .. })),
        "{unknown:?}"
    );
    assert_eq!(
        store.get_duplicate(&scope(DUOFU), id).expect("pair").status,
        DuplicateStatus::Open
    );
}

pub fn the_monitor_is_scoped(db: &TestDb) {
    let store = deployed(db);
    let (a, _, id) = namesakes(store, DUOFU);
    let mut details = house(DUOFU, "多福巷3号");
    details.security_agreement_on = None;
    let h = store
        .create_house(&scope(DUOFU), &details, &actor())
        .expect("house");
    let other = scope(YINZHA);
    assert_eq!(count(store, YINZHA, Rule::HouseWithoutSecurityAgreement), 0);
    assert!(
        store
            .quality_findings(&other, Some(Rule::HouseWithoutSecurityAgreement), None, 50)
            .expect("list")
            .is_empty()
    );
    assert!(
        store
            .findings_of(&other, RecordKind::House, h.id.0)
            .expect("none")
            .is_empty()
    );
    assert!(
        store
            .duplicate_queue(&other, None, 0, 50)
            .expect("queue")
            .is_empty()
    );
    assert!(matches!(
        store.get_duplicate(&other, id),
        Err(StoreError::NotFound { .. })
    ));
    let merge = store.merge_duplicate(&other, id, a, &actor());
    assert!(
        matches!(merge, Err(StoreError::NotFound { .. })),
        "{merge:?}"
    );
    let reason = Note::parse("不是同一人").expect("reason");
    let dismiss = store.dismiss_duplicate(&other, id, &reason, &actor());
    assert!(
        matches!(dismiss, Err(StoreError::NotFound { .. })),
        "{dismiss:?}"
    );
    // A scan of the other community leaves this one's findings alone.
    store.scan_quality(&other, date(TODAY), 10).expect("scan");
    assert_eq!(count(store, DUOFU, Rule::HouseWithoutSecurityAgreement), 1);
    assert_eq!(
        store.get_duplicate(&scope(DUOFU), id).expect("pair").status,
        DuplicateStatus::Open
    );
}

pub fn a_merged_file_takes_no_new_stay_and_no_change(db: &TestDb) {
    let store = deployed(db);
    let (a, b, id) = namesakes(store, DUOFU);
    store
        .merge_duplicate(&scope(DUOFU), id, b, &actor())
        .expect("merge");
    let merged = store.get_person(&scope(DUOFU), a).expect("the merged file");
    assert_eq!(merged.merged_into, Some(b));
    assert_eq!(
        store
            .get_person(&scope(DUOFU), b)
            .expect("kept")
            .merged_into,
        None
    );

    // Its number again, as a new arrival: refused, naming the kept file.
    let again = known_domicile(&merged.id_number, "孙八", DUOFU, "2026-11-20");
    let refused = store.register_arrival(&scope(DUOFU), &again, &actor());
    assert!(
        matches!(refused, Err(StoreError::MergedFile { into }) if into == b.0),
        "{refused:?}"
    );
    assert!(
        store
            .residences_of(&scope(DUOFU), a)
            .expect("none")
            .is_empty(),
        "nothing written"
    );
    let refused = store.update_person(&scope(DUOFU), a, &merged.details, merged.version, &actor());
    assert!(
        matches!(refused, Err(StoreError::MergedFile { into }) if into == b.0),
        "{refused:?}"
    );
    let unchanged = store.get_person(&scope(DUOFU), a).expect("the merged file");
    assert_eq!(unchanged.version, merged.version);
}

/// The open findings of one rule, in the whole deployment.
fn listed(store: &dyn Store, rule: Rule) -> Vec<FindingRow> {
    store
        .quality_findings(&scope(TOWN), Some(rule), None, 50)
        .expect("list")
}

pub fn a_finding_is_stored_as_its_particulars_and_one_from_before_reads_as_it_was(db: &TestDb) {
    let store = deployed(db);
    let (_, residence) = register(store, DUOFU, "19800101", 11, "张三", "2026-11-20");
    // Stored: the rule and its particulars (none for this rule), no message.
    assert_eq!(db.raw_texts("quality_findings", "detail"), [""]);
    assert!(db.raw_texts("quality_findings", "detail_zh").is_empty());
    let fresh = listed(store, Rule::ResidentWithoutHouse);
    assert_eq!(fresh[0].detail_zh, "在住流动人口未关联居住的出租房屋");
    assert_eq!(
        fresh[0].detail_en,
        "a current resident is not linked to a house"
    );

    // A finding stored before particulars were: its messages only. It
    // reads as stored, and a scan finding the same keeps it.
    db.execute_raw(&format!(
        "UPDATE quality_findings SET detail = NULL, detail_zh = '旧说明', \
         detail_en = 'a current resident is not linked to a house' WHERE record_id = {}",
        residence.0
    ))
    .expect("make the finding an old one");
    let old = listed(store, Rule::ResidentWithoutHouse);
    assert_eq!(old[0].detail_zh, "旧说明");
    store
        .scan_quality(&scope(TOWN), date(TODAY), 100)
        .expect("scan");
    assert_eq!(listed(store, Rule::ResidentWithoutHouse), old);

    // One whose message no longer matches is replaced by the finding now.
    db.execute_raw("UPDATE quality_findings SET detail_en = 'not linked to a house'")
        .expect("an old wording");
    store
        .scan_quality(&scope(TOWN), date(TODAY), 100)
        .expect("scan");
    let replaced = listed(store, Rule::ResidentWithoutHouse);
    assert_eq!(replaced.len(), 1);
    assert_ne!(replaced[0].id, old[0].id);
    assert_eq!(replaced[0].detail_zh, fresh[0].detail_zh);

    // Neither particulars nor messages: the schema refuses the row.
    db.assert_refused(
        &format!(
            "INSERT INTO quality_findings (unit_code, rule, record_kind, record_id, found_at) \
             VALUES ('{DUOFU}', 'resident_house', 'residence', {}, \
             '2026-11-28T00:00:00Z')",
            residence.0 + 1
        ),
        "CHECK constraint failed: detail IS NOT NULL",
        "violates check constraint \"quality_findings_detail\"",
    );
}

pub fn a_finding_names_the_person_where_they_live_and_the_employer_kept_elsewhere(db: &TestDb) {
    let store = deployed(db);
    let employer = store
        .create_employer(
            &scope(YINZHA),
            &uscc(7),
            &employer(YINZHA, "银闸餐饮有限公司"),
            &actor(),
        )
        .expect("employer");
    let (_, residence) = register(store, DUOFU, "19800101", 11, "张三", "2026-11-20");
    let stay = store.get_residence(&scope(DUOFU), residence).expect("stay");
    let mut works = stay.stay.clone();
    works.employer = Some(employer.id);
    store
        .update_stay(&scope(DUOFU), residence, &works, stay.version, &actor())
        .expect("employer named");
    let rows = store
        .quality_findings(&scope(DUOFU), Some(Rule::ResidentWithoutHouse), None, 50)
        .expect("list");
    let row = rows
        .iter()
        .find(|f| f.record == RecordKind::Residence && f.record_id == residence.0)
        .expect("the stay without a house is listed");
    assert_eq!(row.record_name, "张三");
    assert_eq!(row.record_address.as_deref(), Some("多福巷12号"));
    assert_eq!(row.record_employer.as_deref(), Some("银闸餐饮有限公司"));
}

pub fn a_stay_whose_reason_is_unknown_is_listed_until_the_reason_is_given(db: &TestDb) {
    use sojourn_domain::codes::ReasonForStay;
    let store = deployed(db);
    let number = id_number("19800101", 51);
    let mut unknown = known_domicile(&number, "孙一", DUOFU, "2026-11-20");
    unknown.stay.reason = ReasonForStay::Unknown;
    let (_, residence) = store
        .register_arrival(&scope(DUOFU), &unknown, &actor())
        .expect("arrival");
    let listed = |store: &dyn Store| {
        rules_of(store, DUOFU, RecordKind::Residence, residence.id.0)
            .contains(&Rule::ReasonForStayUnknown)
    };
    assert!(listed(store), "found on write");
    store
        .scan_quality(&scope(TOWN), date(TODAY), 1)
        .expect("scan");
    assert!(listed(store), "and by a scan");
    let mut given = residence.stay.clone();
    given.reason = ReasonForStay::Work;
    store
        .update_stay(
            &scope(DUOFU),
            residence.id,
            &given,
            residence.version,
            &actor(),
        )
        .expect("reason given");
    assert!(!listed(store), "cleared once the reason is known");
}

pub fn a_file_whose_domicile_came_from_its_number_is_listed_until_it_is_saved(db: &TestDb) {
    let store = deployed(db);
    let number = id_number("19800101", 52);
    let arrival = known_domicile(&number, "孙二", DUOFU, "2026-11-20");
    let (person, residence) = store
        .register_arrival(&scope(DUOFU), &arrival, &actor())
        .expect("arrival");
    let listed = |store: &dyn Store| {
        rules_of(store, DUOFU, RecordKind::Person, person.id.0)
            .contains(&Rule::DomicileFromIdNumber)
    };
    assert!(!listed(store), "a domicile given is not listed");
    // A stay outside the caller's scope is passed over.
    store
        .mark_domicile_from_id_number(&scope(YINZHA), &[residence.id])
        .expect("nothing marked");
    assert!(!listed(store), "out of scope");
    store
        .mark_domicile_from_id_number(&scope(DUOFU), &[residence.id])
        .expect("marked");
    assert!(listed(store), "found on marking");
    store
        .scan_quality(&scope(TOWN), date(TODAY), 1)
        .expect("scan");
    assert!(listed(store), "and by a scan");
    let file = store.get_person(&scope(DUOFU), person.id).expect("file");
    store
        .update_person(
            &scope(DUOFU),
            person.id,
            &file.details,
            file.version,
            &actor(),
        )
        .expect("saved");
    assert!(!listed(store), "cleared once a clerk saves the file");
}
