//! The data-quality monitor over the register tables (R6.2).
//!
//! A write refreshes the findings of the records it touched, inside its own
//! transaction: the record is judged in memory and only the difference to
//! its open findings is written (nothing at all for a clean record that
//! had none). A scan walks a scope by key, a batch per transaction, and
//! does the same for every record, then queues the probable duplicates.
//!
//! The data-quality monitor (R6.2; `quality.rs` for its types and the
//! `QualityStore` half of `Store`, `sql/quality.rs` for the logic, migration
//! `0600_quality`) keeps findings per record and rule (`quality_findings`:
//! open until a write or scan finds the record mended, then resolved with
//! the time; a finding is stored as a short rule key and its particulars,
//! `Finding::detail`, and its zh-CN and English messages are rendered when
//! it is read, migration `0620_compact_findings`) and a queue of probable
//! duplicate files (`quality_duplicates`) with its append-only decisions
//! (`quality_decisions`, refused UPDATE and DELETE by trigger, as
//! `revisions`). Every write path re-judges the records it touched in its
//! own transaction: `quality::refresh` after a person, stay, house or
//! outflow change (called from `sql/store.rs`), and
//! `quality::after_arrivals` at the end of an arrival batch, which judges
//! new files and stays in memory and writes their findings in one insert.
//! The rules are `sojourn_domain::quality`'s; the store feeds them stored
//! columns (the number as stored, the sex and birth date beside it), so a
//! legacy or altered row is judged, not refused. `scan_quality` walks a
//! scope by key, a page per write transaction, writing only the difference
//! to the open findings, then runs `probable_duplicates` over the files in
//! scope and queues new pairs (a decided pair keeps its decision). Pairs are
//! also queued by the write that makes them (`sql/duplicates.rs`): an
//! arrival, a batch of arrivals or an edit of a person file pairs the files
//! it created or changed, in its transaction, with each other and with the
//! files of the whole deployment sharing a key with them, found by index
//! only (same name and birth date by `persons_name`, same pinyin and birth
//! year by `persons_pinyin`, and by blind index, under every key of the
//! ring, the same number and, while the monitor flags some file's number as
//! faulty, each number one digit away — `numbers_paired_with` in the
//! domain), then scored by the domain's `duplicates_of` and queued by the
//! scan's own `queue_pairs`. While a first bulk load has those indexes set
//! aside, writes pair nothing; `QualityStore::queue_probable_duplicates`
//! (the scan's duplicate part alone) queues the pairs of the load
//! afterwards. A merge moves the other file's stays, tenancies, employments
//! and document checks to the kept file and marks it `persons.merged_into`
//! (its row, revisions and audit entries stay; merged files are no longer
//! judged or paired); it is refused when both files have a current stay.
//! Merge and dismissal are audited. The monitor counts open pairs by one
//! definition with its queue: a pair is counted, and listed, where both its
//! files lie in the reader's scope, under the unit holding its first file
//! now (`PAIR_IN_SCOPE`); so a community's count is the number of rows its
//! chief's list shows. The page `/quality/duplicates/{id}`
//! (`pages/quality_compare.rs`) shows a pair's two files side by side, field
//! by field, differences marked (numbers compared in full, shown masked),
//! and carries the merge buttons: the queue links there rather than merging
//! at one click. The findings list names each record (person or address, and
//! for a file or stay the current address and the employer's name,
//! `FindingRow::record_address`/`record_employer`).

use super::{Row, Tx, Value, now, scope_bounds};
use crate::quality::*;
use crate::{Actor, Result, StoreError};
use sojourn_domain::Localized;
use sojourn_domain::codes::{IdNumber, ReasonForStay, Sex};
use sojourn_domain::person::PersonId;
use sojourn_domain::quality::{self as rules, AddressField, DuplicateCandidate, Finding, Rule};
use sojourn_domain::residence::Arrival;
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::time_rules::CHINA;
use sojourn_domain::unit::Scope;
use std::collections::HashMap;
use time::Date;

/// Columns of a new finding, in the order of [`finding_row`].
const FINDING_COLUMNS: &[&str] = &[
    "unit_code",
    "rule",
    "record_kind",
    "record_id",
    "detail",
    "found_at",
];

/// The key a rule is stored under. Its API code (`Rule::code`) is twice as
/// long, and the key is in every finding's row and in three of its indexes.
/// The keys sort as the codes do, so a list ordered by rule keeps the
/// order it had.
pub(super) fn rule_key(rule: Rule) -> &'static str {
    match rule {
        Rule::AddressNotDownToTown => "addr_level",
        Rule::AddressUnknownDivision => "addr_unknown",
        Rule::BirthDateContradictsId => "birth_id",
        Rule::ChildbearingWomanNotFiled => "childbearing",
        Rule::HouseWithoutSecurityAgreement => "house_agreement",
        Rule::IdMissing => "id_missing",
        Rule::IdNonStandard => "id_nonstandard",
        Rule::IdWrongCheckCharacter => "id_wrong_check",
        Rule::ResidentWithoutHouse => "resident_house",
        Rule::SexContradictsId => "sex_id",
        Rule::ReasonForStayUnknown => "reason_unknown",
        Rule::DomicileFromIdNumber => "domicile_id",
    }
}

fn rule_from_key(key: &str) -> Result<Rule> {
    Rule::ALL
        .into_iter()
        .find(|rule| rule_key(*rule) == key)
        .ok_or_else(|| corrupt("rule", key))
}

/// A finding is stored with its particulars (`Finding::detail`); its
/// messages are rendered when it is read.
fn finding_row(kind: RecordKind, id: i64, unit: &str, finding: &Finding, at: Value) -> Vec<Value> {
    vec![
        unit.into(),
        rule_key(finding.rule()).into(),
        kind.code().into(),
        id.into(),
        finding.detail().into(),
        at,
    ]
}

// ---------------------------------------------------------------------------
// Judging records from their stored columns

/// A person file as the rules see it: the number as stored (a legacy file
/// may hold a faulty one), and the sex and birth date recorded beside it.
fn judge_person(
    id_number: &str,
    sex: Option<&str>,
    birth: Option<Date>,
    domicile: &str,
    domicile_from_id_number: bool,
    today: Date,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    match rules::check_id_number(Some(id_number), today) {
        Ok(number) => {
            let sex = sex.and_then(Sex::from_code);
            findings.extend(rules::check_against_id(&number, sex, birth));
        }
        Err(finding) => findings.push(finding),
    }
    findings.extend(rules::check_address_division(
        AddressField::Domicile,
        domicile,
    ));
    findings.extend(rules::check_domicile_from_id_number(
        domicile,
        domicile_from_id_number,
    ));
    findings
}

/// A stay: judged only while current (a departed stay is history).
fn judge_residence(
    current: bool,
    reason_known: bool,
    has_house: bool,
    number: Option<&IdNumber>,
    arrived: Date,
    filed: Date,
    today: Date,
) -> Vec<Finding> {
    if !current {
        return Vec::new();
    }
    let mut findings = Vec::new();
    if !has_house {
        findings.push(Finding::ResidentWithoutHouse);
    }
    if !reason_known {
        findings.push(Finding::ReasonForStayUnknown);
    }
    if let Some(number) = number {
        findings.extend(rules::check_childbearing_filing(
            number,
            arrived,
            Some(filed),
            today,
        ));
    }
    findings
}

fn judge_house(security_agreement_on: Option<Date>) -> Vec<Finding> {
    if security_agreement_on.is_none() {
        vec![Finding::HouseWithoutSecurityAgreement]
    } else {
        Vec::new()
    }
}

fn judge_outflow(id_number: &str, destination: &str, today: Date) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Err(finding) = rules::check_id_number(Some(id_number), today) {
        findings.push(finding);
    }
    findings.extend(rules::check_address_division(
        AddressField::Current,
        destination,
    ));
    findings
}

/// The day a stored time fell on in China.
fn china_day(row: &Row, i: usize) -> Result<Date> {
    Ok(row.time(i)?.to_offset(CHINA).date())
}

fn open_number(tx: &mut dyn Tx, stored: &str) -> Result<String> {
    super::sealed::open(&tx.keys(), super::sealed::ID_NUMBER, stored)
}

// One query per kind reads what the rules need of a record; `WHERE` is
// appended by the caller (one record by id, or a page of a scope).
pub(super) const PERSON_SQL: &str = "SELECT p.id, p.unit_code, p.id_number, p.sex, p.birth_date, \
    p.domicile, p.name, p.name_pinyin, p.domicile_from_id_on FROM persons p";
const RESIDENCE_SQL: &str = "SELECT r.id, r.unit_code, r.status, r.house_id, r.arrived_on, \
    r.created_at, p.sex, p.id_number, r.person_id, r.reason FROM residences r \
    JOIN persons p ON p.id = r.person_id";
const HOUSE_SQL: &str = "SELECT h.id, h.unit_code, h.security_agreement_on FROM houses h";
const OUTFLOW_SQL: &str = "SELECT o.id, o.unit_code, o.id_number, o.destination FROM outflows o";

/// A record judged: its kind, id, unit and findings.
struct Judged {
    id: i64,
    unit: String,
    findings: Vec<Finding>,
}

fn judge_row(tx: &mut dyn Tx, kind: RecordKind, row: &Row, today: Date) -> Result<Judged> {
    let id = row.int(0)?;
    let unit = row.text(1)?.to_owned();
    let findings = match kind {
        RecordKind::Person => {
            let number = open_number(tx, row.text(2)?)?;
            judge_person(
                &number,
                row.opt_text(3)?,
                row.opt_date(4)?,
                row.text(5)?,
                row.opt_date(8)?.is_some(),
                today,
            )
        }
        RecordKind::Residence => {
            let current = row.text(2)? != "departed";
            // Only a woman's number is opened: the childbearing rule is
            // all it is wanted for here.
            let number = if current && row.opt_text(6)? == Some(Sex::Female.code()) {
                IdNumber::parse_as_of(&open_number(tx, row.text(7)?)?, today).ok()
            } else {
                None
            };
            judge_residence(
                current,
                row.text(9)? != ReasonForStay::Unknown.code(),
                row.opt_int(3)?.is_some(),
                number.as_ref(),
                row.date(4)?,
                china_day(row, 5)?,
                today,
            )
        }
        RecordKind::House => judge_house(row.opt_date(2)?),
        RecordKind::Outflow => {
            let number = open_number(tx, row.text(2)?)?;
            judge_outflow(&number, row.text(3)?, today)
        }
        other => return Err(not_judged(other)),
    };
    Ok(Judged { id, unit, findings })
}

/// A stay whose file's number the scan already holds.
fn judge_stay_of(row: &Row, number: &str, today: Date) -> Result<Judged> {
    let current = row.text(2)? != "departed";
    let woman = current && row.opt_text(6)? == Some(Sex::Female.code());
    let number = if woman {
        IdNumber::parse_as_of(number, today).ok()
    } else {
        None
    };
    Ok(Judged {
        id: row.int(0)?,
        unit: row.text(1)?.to_owned(),
        findings: judge_residence(
            current,
            row.text(9)? != ReasonForStay::Unknown.code(),
            row.opt_int(3)?.is_some(),
            number.as_ref(),
            row.date(4)?,
            china_day(row, 5)?,
            today,
        ),
    })
}

fn record_sql(kind: RecordKind) -> Result<(&'static str, &'static str)> {
    Ok(match kind {
        RecordKind::Person => (PERSON_SQL, "p"),
        RecordKind::Residence => (RESIDENCE_SQL, "r"),
        RecordKind::House => (HOUSE_SQL, "h"),
        RecordKind::Outflow => (OUTFLOW_SQL, "o"),
        other => return Err(not_judged(other)),
    })
}

/// A kind outside [`RecordKind::JUDGED`] met where a judged one must be.
fn not_judged(kind: RecordKind) -> StoreError {
    StoreError::Internal(format!("no data-quality rules judge a {kind}"))
}

// ---------------------------------------------------------------------------
// The write path

/// Re-judges one record after a write, in the writer's transaction. A
/// merged file is no longer judged (its findings are resolved).
pub(crate) fn refresh(tx: &mut dyn Tx, kind: RecordKind, id: i64) -> Result<()> {
    let today = sojourn_domain::time_rules::china_today();
    let (sql, alias) = record_sql(kind)?;
    let merged = if kind == RecordKind::Person {
        " AND p.merged_into IS NULL"
    } else {
        ""
    };
    let found = tx.query_opt(
        &format!("{sql} WHERE {alias}.id = $1{merged}"),
        &[id.into()],
    )?;
    let judged = match found {
        Some(row) => judge_row(tx, kind, &row, today)?,
        None => Judged {
            id,
            unit: String::new(),
            findings: Vec::new(),
        },
    };
    let open = open_findings(tx, kind, id, id)?;
    apply(tx, kind, &[judged], &open).map(drop)
}

/// The findings of a batch of new arrivals, in memory from the arrivals
/// themselves, written in one insert: a new file and a new stay have no
/// findings yet to compare with. Files that existed before are refreshed
/// one by one (their details were just replaced). `new_files[i]` is set
/// when row `i` opened a new file.
pub(crate) fn after_arrivals(
    tx: &mut dyn Tx,
    arrivals: &[Arrival],
    outcomes: &[Result<(PersonId, ResidenceId)>],
    new_files: &[Option<PersonId>],
) -> Result<()> {
    let today = sojourn_domain::time_rules::china_today();
    let at = Value::Time(now());
    let mut rows = Vec::new();
    for (i, (arrival, outcome)) in arrivals.iter().zip(outcomes).enumerate() {
        let Ok((person, residence)) = outcome else {
            continue;
        };
        let unit = arrival.stay.unit.as_str();
        if new_files.get(i).copied().flatten().is_some() {
            if let Some(finding) = rules::check_domicile(&arrival.person) {
                rows.push(finding_row(
                    RecordKind::Person,
                    person.0,
                    unit,
                    &finding,
                    at.clone(),
                ));
            }
        } else {
            refresh(tx, RecordKind::Person, person.0)?;
        }
        let stay = judge_residence(
            true,
            arrival.stay.reason != ReasonForStay::Unknown,
            arrival.stay.house.is_some(),
            Some(&arrival.id_number),
            arrival.stay.arrived_on.date(),
            today,
            today,
        );
        for finding in &stay {
            rows.push(finding_row(
                RecordKind::Residence,
                residence.0,
                unit,
                finding,
                at.clone(),
            ));
        }
    }
    tx.insert_rows("quality_findings", FINDING_COLUMNS, &rows)
}

/// An open finding as stored: its id, record, rule and particulars (what
/// tells a changed finding from the same one).
struct OpenFinding {
    id: i64,
    record_id: i64,
    rule: String,
    unit: String,
    /// `None` for a finding stored before particulars were (migration
    /// `0620_compact_findings`), which has only its two messages.
    detail: Option<String>,
    detail_en: Option<String>,
}

impl OpenFinding {
    fn is(&self, finding: &Finding) -> bool {
        match &self.detail {
            Some(detail) => *detail == finding.detail(),
            None => self.detail_en.as_deref() == Some(finding.message_en().as_str()),
        }
    }
}

fn open_findings(
    tx: &mut dyn Tx,
    kind: RecordKind,
    first: i64,
    last: i64,
) -> Result<Vec<OpenFinding>> {
    tx.query(
        "SELECT id, record_id, rule, unit_code, detail, detail_en FROM quality_findings \
         WHERE record_kind = $1 AND record_id >= $2 AND record_id <= $3 AND resolved_at IS NULL",
        &[kind.code().into(), first.into(), last.into()],
    )?
    .iter()
    .map(|row| {
        Ok(OpenFinding {
            id: row.int(0)?,
            record_id: row.int(1)?,
            rule: row.text(2)?.to_owned(),
            unit: row.text(3)?.to_owned(),
            detail: row.opt_text(4)?.map(str::to_owned),
            detail_en: row.opt_text(5)?.map(str::to_owned),
        })
    })
    .collect()
}

/// Writes the difference between what the records are found to break now
/// and their open findings: a finding no longer true (or changed, or moved
/// to another unit) is resolved, a new one opened. Returns (opened,
/// resolved).
fn apply(
    tx: &mut dyn Tx,
    kind: RecordKind,
    judged: &[Judged],
    open: &[OpenFinding],
) -> Result<(u64, u64)> {
    let mut still: HashMap<(i64, &str), &OpenFinding> = open
        .iter()
        .map(|f| ((f.record_id, f.rule.as_str()), f))
        .collect();
    let at = Value::Time(now());
    let mut rows = Vec::new();
    let mut kept = std::collections::HashSet::new();
    for record in judged {
        for finding in &record.findings {
            let same = still
                .get(&(record.id, rule_key(finding.rule())))
                .filter(|f| f.is(finding) && f.unit == record.unit);
            match same {
                Some(f) => {
                    kept.insert(f.id);
                }
                None => rows.push(finding_row(
                    kind,
                    record.id,
                    &record.unit,
                    finding,
                    at.clone(),
                )),
            }
        }
    }
    still.retain(|_, f| !kept.contains(&f.id));
    let resolved = still.len() as u64;
    for f in still.values() {
        tx.execute(
            "UPDATE quality_findings SET resolved_at = $1 WHERE id = $2",
            &[at.clone(), f.id.into()],
        )?;
    }
    let opened = rows.len() as u64;
    tx.insert_rows("quality_findings", FINDING_COLUMNS, &rows)?;
    Ok((opened, resolved))
}

// ---------------------------------------------------------------------------
// The scan

/// What the duplicate finder reads of a file (a scan keeps one per file).
pub(super) struct FileKey {
    pub(super) id: i64,
    pub(super) unit: String,
    pub(super) name: String,
    pub(super) pinyin: String,
    pub(super) number: String,
    pub(super) birth: Option<Date>,
}

impl FileKey {
    /// The file of a [`PERSON_SQL`] row, its number opened.
    pub(super) fn read(tx: &mut dyn Tx, row: &Row) -> Result<Self> {
        Ok(Self {
            id: row.int(0)?,
            unit: row.text(1)?.to_owned(),
            birth: row.opt_date(4)?,
            name: row.text(6)?.to_owned(),
            pinyin: row.text(7)?.to_owned(),
            number: open_number(tx, row.text(2)?)?,
        })
    }

    pub(super) fn candidate(&self) -> DuplicateCandidate<'_> {
        DuplicateCandidate {
            record: self.id,
            name: &self.name,
            pinyin: &self.pinyin,
            id_number: Some(&self.number),
            birth_date: self.birth,
        }
    }
}

/// What a scan gathers as it walks: the files for the duplicate finder
/// and its counts.
#[derive(Default)]
struct ScanState {
    files: Vec<FileKey>,
    /// Where each file walked is in `files`: a stay's number is taken from
    /// its file rather than opened again.
    file_index: HashMap<i64, usize>,
    summary: ScanSummary,
}

/// Judges one page of `kind` in scope after the key `after`; returns the
/// last key read (`None` at the end).
fn scan_page(
    tx: &mut dyn Tx,
    scope: &Scope,
    kind: RecordKind,
    after: i64,
    batch: u32,
    today: Date,
    state: &mut ScanState,
) -> Result<Option<i64>> {
    let ScanState {
        files,
        file_index,
        summary,
    } = state;
    let (sql, alias) = record_sql(kind)?;
    let merged = if kind == RecordKind::Person {
        " AND p.merged_into IS NULL"
    } else {
        ""
    };
    let [low, high] = scope_bounds(scope);
    // The batch size is a checked integer of our own.
    let page = tx.query(
        &format!(
            "{sql} WHERE {alias}.id > $1 AND {alias}.unit_code >= $2 AND {alias}.unit_code < $3\
             {merged} ORDER BY {alias}.id LIMIT {batch}"
        ),
        &[after.into(), low, high],
    )?;
    let (Some(first), Some(last)) = (page.first(), page.last()) else {
        return Ok(None);
    };
    let (first, last) = (first.int(0)?, last.int(0)?);
    let mut judged = Vec::with_capacity(page.len());
    for row in &page {
        if kind == RecordKind::Residence
            && let Some(&i) = file_index.get(&row.int(8)?)
        {
            judged.push(judge_stay_of(row, &files[i].number, today)?);
            continue;
        }
        if kind != RecordKind::Person {
            judged.push(judge_row(tx, kind, row, today)?);
            continue;
        }
        // A file's number is opened once, for its rules and for the
        // duplicate finder.
        let file = FileKey::read(tx, row)?;
        judged.push(Judged {
            id: file.id,
            unit: file.unit.clone(),
            findings: judge_person(
                &file.number,
                row.opt_text(3)?,
                file.birth,
                row.text(5)?,
                row.opt_date(8)?.is_some(),
                today,
            ),
        });
        file_index.insert(file.id, files.len());
        files.push(file);
    }
    // Open findings of records in this key range that are in scope; those
    // of records no longer read (merged, moved) resolve with the rest.
    let (low, high) = scope.code_range();
    let open: Vec<OpenFinding> = open_findings(tx, kind, first, last)?
        .into_iter()
        .filter(|f| f.unit >= low && f.unit < high)
        .collect();
    let (opened, resolved) = apply(tx, kind, &judged, &open)?;
    summary.records += judged.len() as u64;
    summary.opened += opened;
    summary.resolved += resolved;
    Ok(Some(last))
}

/// Walks every kind of record in scope, one write transaction per page.
pub(crate) fn scan(
    backend: &impl super::Backend,
    scope: &Scope,
    today: Date,
    batch: u32,
) -> Result<ScanSummary> {
    let mut state = ScanState::default();
    for kind in [
        RecordKind::Person,
        RecordKind::Residence,
        RecordKind::House,
        RecordKind::Outflow,
    ] {
        let mut after = 0;
        while let Some(last) =
            backend.write(|tx| scan_page(tx, scope, kind, after, batch, today, &mut state))?
        {
            after = last;
        }
    }
    let ScanState {
        files, mut summary, ..
    } = state;
    let (pairs, new_pairs) = queue_duplicates_among(backend, &files)?;
    summary.pairs = pairs;
    summary.new_pairs = new_pairs;
    Ok(summary)
}

/// The duplicate part of a scan: `probable_duplicates` over `files`, then
/// the pairs queued. Returns how many pairs were found and how many of
/// them were new to the queue.
pub(super) fn queue_duplicates_among(
    backend: &impl super::Backend,
    files: &[FileKey],
) -> Result<(u64, u64)> {
    let pairs = {
        let candidates: Vec<DuplicateCandidate<'_>> =
            files.iter().map(FileKey::candidate).collect();
        rules::probable_duplicates(&candidates)
    };
    let units: HashMap<i64, &str> = files.iter().map(|f| (f.id, f.unit.as_str())).collect();
    // One transaction: a pair found twice (two chunks) must not be queued
    // twice, and the queue is read once.
    let new = backend.write(|tx| queue_pairs(tx, &pairs, &units, Compare::WholeQueue))?;
    Ok((pairs.len() as u64, new))
}

/// What found pairs are compared with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Compare {
    /// Read once and compared in memory (a scan's many pairs).
    WholeQueue,
    /// Each pair looked up by its two files (a write's few pairs).
    PairsFound,
}

/// Puts pairs into the queue; a pair already there keeps its status (a
/// decided pair stays decided) and takes the new score. Only new and
/// changed pairs are written. Returns how many were new.
pub(super) fn queue_pairs(
    tx: &mut dyn Tx,
    pairs: &[rules::DuplicatePair],
    units: &HashMap<i64, &str>,
    compare: Compare,
) -> Result<u64> {
    // The whole queue, not the scope's: a pair queued under a unit its
    // first file has since left must still be recognised.
    let mut queued: HashMap<(i64, i64), (i64, i64, String)> = HashMap::new();
    let rows = match compare {
        Compare::WholeQueue => tx.query(
            "SELECT first_person, second_person, id, score, reasons FROM quality_duplicates",
            &[],
        )?,
        Compare::PairsFound => {
            let mut rows = Vec::new();
            for pair in pairs {
                rows.extend(tx.query_opt(
                    "SELECT first_person, second_person, id, score, reasons \
                     FROM quality_duplicates WHERE first_person = $1 AND second_person = $2",
                    &[pair.first.into(), pair.second.into()],
                )?);
            }
            rows
        }
    };
    for row in rows {
        queued.insert(
            (row.int(0)?, row.int(1)?),
            (row.int(2)?, row.int(3)?, row.text(4)?.to_owned()),
        );
    }
    let at = Value::Time(now());
    let mut new_rows = Vec::new();
    for pair in pairs {
        let score = i64::from(pair.score);
        let reasons = reasons_text(&pair.reasons);
        match queued.get(&(pair.first, pair.second)) {
            Some((_, old_score, old_reasons)) if *old_score == score && *old_reasons == reasons => {
            }
            Some((id, _, _)) => {
                tx.execute(
                    "UPDATE quality_duplicates SET score = $1, reasons = $2 WHERE id = $3",
                    &[score.into(), reasons.into(), (*id).into()],
                )?;
            }
            None => new_rows.push(vec![
                units.get(&pair.first).copied().unwrap_or_default().into(),
                pair.first.into(),
                pair.second.into(),
                score.into(),
                reasons.into(),
                "open".into(),
                at.clone(),
            ]),
        }
    }
    const COLUMNS: [&str; 7] = [
        "unit_code",
        "first_person",
        "second_person",
        "score",
        "reasons",
        "status",
        "found_at",
    ];
    if compare == Compare::WholeQueue {
        tx.insert_rows("quality_duplicates", &COLUMNS, &new_rows)?;
        return Ok(new_rows.len() as u64);
    }
    // Two writers may each find the same pair of files they did not
    // change (PostgreSQL): the second waits for the first and adds nothing
    // rather than failing its write.
    let mut new = 0;
    for row in new_rows {
        new += tx.execute(
            &format!(
                "INSERT INTO quality_duplicates ({}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (first_person, second_person) DO NOTHING",
                COLUMNS.join(", ")
            ),
            &row,
        )?;
    }
    Ok(new)
}

// ---------------------------------------------------------------------------
// Reads

/// A finding with the name of its record (the person's name, the house's
/// address, the outflow person's name) and, for a person or a stay, where
/// the person lives and works (the current stay's address and employer's
/// name, which may be another community's: its name only): a list a clerk
/// works through names what to open, not "居住记录 #11".
const FINDING_SELECT: &str = "SELECT f.id, f.unit_code, f.rule, f.record_kind, f.record_id, \
    f.detail, f.detail_zh, f.detail_en, f.found_at, CASE f.record_kind \
    WHEN 'person' THEN (SELECT p.name FROM persons p WHERE p.id = f.record_id) \
    WHEN 'residence' THEN (SELECT p.name FROM residences r JOIN persons p ON p.id = r.person_id \
        WHERE r.id = f.record_id) \
    WHEN 'house' THEN (SELECT h.address FROM houses h WHERE h.id = f.record_id) \
    WHEN 'outflow' THEN (SELECT o.name FROM outflows o WHERE o.id = f.record_id) END, \
    CASE f.record_kind \
    WHEN 'person' THEN (SELECT r.current_address FROM residences r \
        WHERE r.person_id = f.record_id AND r.status <> 'departed') \
    WHEN 'residence' THEN (SELECT r.current_address FROM residences r WHERE r.id = f.record_id) \
    END, \
    CASE f.record_kind \
    WHEN 'person' THEN (SELECT e.name FROM residences r JOIN employers e ON e.id = r.employer_id \
        WHERE r.person_id = f.record_id AND r.status <> 'departed') \
    WHEN 'residence' THEN (SELECT e.name FROM residences r JOIN employers e ON e.id = r.employer_id \
        WHERE r.id = f.record_id) \
    END \
    FROM quality_findings f";

fn finding(row: &Row) -> Result<FindingRow> {
    let rule = rule_from_key(row.text(2)?)?;
    let kind = row.text(3)?;
    let (detail_zh, detail_en) = messages(row, rule)?;
    Ok(FindingRow {
        id: row.int(0)?,
        unit: super::mapping::unit_code(row.text(1)?)?,
        rule,
        record: RecordKind::from_code(kind).ok_or_else(|| corrupt("record kind", kind))?,
        record_id: row.int(4)?,
        detail_zh,
        detail_en,
        found_at: row.time(8)?,
        record_name: row.opt_text(9)?.unwrap_or_default().to_owned(),
        record_address: row.opt_text(10)?.map(str::to_owned),
        record_employer: row.opt_text(11)?.map(str::to_owned),
    })
}

/// A finding's messages in both languages: rendered from its particulars,
/// or as stored by a finding from before them.
fn messages(row: &Row, rule: Rule) -> Result<(String, String)> {
    if let Some(detail) = row.opt_text(5)? {
        let finding =
            Finding::from_detail(rule, detail).ok_or_else(|| corrupt("finding detail", detail))?;
        return Ok((finding.message_zh(), finding.message_en()));
    }
    let stored = |i| -> Result<String> {
        row.opt_text(i)?
            .map(str::to_owned)
            .ok_or_else(|| corrupt("finding", "without detail or message"))
    };
    Ok((stored(6)?, stored(7)?))
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("stored {what} {value:?} no longer parses"))
}

pub(crate) fn counts(tx: &mut dyn Tx, scope: &Scope) -> Result<QualityCounts> {
    let bounds = scope_bounds(scope);
    let mut counts = QualityCounts::default();
    for row in tx.query(
        "SELECT unit_code, rule, COUNT(*) FROM quality_findings WHERE resolved_at IS NULL \
         AND unit_code >= $1 AND unit_code < $2 GROUP BY unit_code, rule ORDER BY unit_code, rule",
        &bounds,
    )? {
        counts.findings.push(RuleCount {
            unit: super::mapping::unit_code(row.text(0)?)?,
            rule: rule_from_key(row.text(1)?)?,
            count: row.int(2)?.max(0) as u64,
        });
    }
    // The same pairs as the queue lists (`PAIR_IN_SCOPE`), under the same
    // unit (the one holding the first file now): the monitor's count and
    // the chief's list are one definition. Counting by the unit stored when
    // the pair was queued would count a pair whose other file lies in
    // another community (the list cannot show it), and keep counting a
    // pair under a community its file has left.
    let sql = format!(
        "SELECT a.unit_code, COUNT(*) FROM quality_duplicates d \
         JOIN persons a ON a.id = d.first_person JOIN persons b ON b.id = d.second_person \
         WHERE d.status = 'open' AND {PAIR_IN_SCOPE} GROUP BY a.unit_code ORDER BY a.unit_code"
    );
    for row in tx.query(&sql, &bounds)? {
        counts.open_duplicates.push((
            super::mapping::unit_code(row.text(0)?)?,
            row.int(1)?.max(0) as u64,
        ));
    }
    Ok(counts)
}

pub(crate) fn findings(
    tx: &mut dyn Tx,
    scope: &Scope,
    rule: Option<Rule>,
    after: Option<i64>,
    limit: u32,
) -> Result<Vec<FindingRow>> {
    let [low, high] = scope_bounds(scope);
    let mut params = vec![after.unwrap_or(0).into(), low, high];
    let rule_clause = match rule {
        Some(rule) => {
            params.push(rule_key(rule).into());
            " AND rule = $4"
        }
        None => "",
    };
    // The limit is a checked integer of our own.
    let sql = format!(
        "{FINDING_SELECT} WHERE resolved_at IS NULL AND id > $1 \
         AND unit_code >= $2 AND unit_code < $3{rule_clause} ORDER BY id LIMIT {limit}"
    );
    tx.query(&sql, &params)?.iter().map(finding).collect()
}

pub(crate) fn findings_of(
    tx: &mut dyn Tx,
    scope: &Scope,
    kind: RecordKind,
    id: i64,
) -> Result<Vec<FindingRow>> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "{FINDING_SELECT} WHERE resolved_at IS NULL AND record_kind = $1 AND record_id = $2 \
         AND unit_code >= $3 AND unit_code < $4 ORDER BY rule"
    );
    tx.query(&sql, &[kind.code().into(), id.into(), low, high])?
        .iter()
        .map(finding)
        .collect()
}

/// A pair, under the unit holding its first file now (as the counts).
const DUPLICATE_SELECT: &str = "SELECT d.id, a.unit_code, d.first_person, d.second_person, \
    a.name, b.name, d.score, d.reasons, d.status, d.found_at FROM quality_duplicates d \
    JOIN persons a ON a.id = d.first_person JOIN persons b ON b.id = d.second_person";

/// Both files of a pair are in scope (the unit holding each now).
const PAIR_IN_SCOPE: &str = "a.unit_code >= $1 AND a.unit_code < $2 \
    AND b.unit_code >= $1 AND b.unit_code < $2";

fn duplicate(row: &Row) -> Result<DuplicateEntry> {
    let status = row.text(8)?;
    Ok(DuplicateEntry {
        id: row.int(0)?,
        unit: super::mapping::unit_code(row.text(1)?)?,
        first: PersonId(row.int(2)?),
        second: PersonId(row.int(3)?),
        first_name: row.text(4)?.to_owned(),
        second_name: row.text(5)?.to_owned(),
        score: u8::try_from(row.int(6)?).map_err(|_| corrupt("score", "out of range"))?,
        reasons: reasons_from_text(row.text(7)?)?,
        status: DuplicateStatus::from_code(status).ok_or_else(|| corrupt("status", status))?,
        found_at: row.time(9)?,
    })
}

pub(crate) fn queue(
    tx: &mut dyn Tx,
    scope: &Scope,
    status: Option<DuplicateStatus>,
    offset: u64,
    limit: u32,
) -> Result<Vec<DuplicateEntry>> {
    let mut params = scope_bounds(scope).to_vec();
    let status_clause = match status {
        Some(status) => {
            params.push(status.code().into());
            " AND d.status = $3"
        }
        None => "",
    };
    // LIMIT and OFFSET are integers of our own; SQL's are signed, and no
    // queue is longer than `i64::MAX`, so a larger offset reads nothing.
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    let sql = format!(
        "{DUPLICATE_SELECT} WHERE {PAIR_IN_SCOPE}{status_clause} \
         ORDER BY d.score DESC, d.id LIMIT {limit} OFFSET {offset}"
    );
    tx.query(&sql, &params)?.iter().map(duplicate).collect()
}

pub(crate) fn get_duplicate(tx: &mut dyn Tx, scope: &Scope, id: i64) -> Result<DuplicateEntry> {
    let mut params = scope_bounds(scope).to_vec();
    params.push(id.into());
    let sql = format!("{DUPLICATE_SELECT} WHERE {PAIR_IN_SCOPE} AND d.id = $3");
    tx.query_opt(&sql, &params)?
        .map(|row| duplicate(&row))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            kind: RecordKind::DuplicatePair,
            id: id.to_string(),
        })
}

pub(crate) fn decisions(tx: &mut dyn Tx, scope: &Scope, id: i64) -> Result<Vec<DuplicateDecision>> {
    get_duplicate(tx, scope, id)?;
    tx.query(
        "SELECT id, duplicate_id, decision, kept_person, reason, decided_at, decided_by \
         FROM quality_decisions WHERE duplicate_id = $1 ORDER BY id",
        &[id.into()],
    )?
    .iter()
    .map(|row| {
        let decision = row.text(2)?;
        Ok(DuplicateDecision {
            id: row.int(0)?,
            duplicate: row.int(1)?,
            decision: DuplicateStatus::from_code(decision)
                .ok_or_else(|| corrupt("decision", decision))?,
            kept: row.opt_int(3)?.map(PersonId),
            reason: row.opt_text(4)?.map(str::to_owned),
            decided_at: row.time(5)?,
            decided_by: row.text(6)?.to_owned(),
        })
    })
    .collect()
}

// ---------------------------------------------------------------------------
// Decisions

fn open_pair(tx: &mut dyn Tx, scope: &Scope, id: i64) -> Result<DuplicateEntry> {
    let pair = get_duplicate(tx, scope, id)?;
    if pair.status != DuplicateStatus::Open {
        return Err(StoreError::Quality(QualityRefusal::AlreadyDecided));
    }
    Ok(pair)
}

fn decide(
    tx: &mut dyn Tx,
    pair: &DuplicateEntry,
    decision: DuplicateStatus,
    kept: Option<PersonId>,
    reason: Option<&str>,
    actor: &Actor,
) -> Result<()> {
    tx.execute(
        "UPDATE quality_duplicates SET status = $1 WHERE id = $2",
        &[decision.code().into(), pair.id.into()],
    )?;
    tx.execute(
        "INSERT INTO quality_decisions (duplicate_id, decision, kept_person, reason, \
         decided_at, decided_by) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            pair.id.into(),
            decision.code().into(),
            kept.map(|p| p.0).into(),
            reason.into(),
            now().into(),
            actor.name.as_str().into(),
        ],
    )?;
    let details = serde_json::json!({
        "first_person": pair.first.0,
        "second_person": pair.second.0,
        "score": pair.score,
        "decision": decision.code(),
        "kept_person": kept.map(|p| p.0),
        "reason": reason,
    });
    super::audit::record_change(
        tx,
        actor,
        crate::audit::AuditAction::Update,
        "duplicate",
        pair.id,
        &pair.unit,
        Some(serde_json::json!({ "status": "open" })),
        details,
    )
}

pub(crate) fn dismiss(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: i64,
    reason: &str,
    actor: &Actor,
) -> Result<DuplicateEntry> {
    let pair = open_pair(tx, scope, id)?;
    decide(
        tx,
        &pair,
        DuplicateStatus::Dismissed,
        None,
        Some(reason),
        actor,
    )?;
    get_duplicate(tx, scope, id)
}

/// Tables whose rows name a person and move with a merge.
const MOVED_WITH_THE_FILE: [&str; 5] = [
    "residences",
    "links",
    "document_checks",
    "review_states",
    "transfer_requests",
];

pub(crate) fn merge(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: i64,
    keep: PersonId,
    actor: &Actor,
) -> Result<DuplicateEntry> {
    let pair = open_pair(tx, scope, id)?;
    let other = if keep == pair.first {
        pair.second
    } else if keep == pair.second {
        pair.first
    } else {
        return Err(StoreError::Quality(QualityRefusal::KeptNotInPair));
    };
    let current = tx.query_one(
        "SELECT COUNT(DISTINCT person_id) FROM residences \
         WHERE person_id IN ($1, $2) AND status <> 'departed'",
        &[keep.0.into(), other.0.into()],
    )?;
    if current.int(0)? > 1 {
        return Err(StoreError::Quality(QualityRefusal::BothHaveCurrentStay));
    }
    let before = super::get_person(tx, scope, other)?;
    for table in MOVED_WITH_THE_FILE {
        tx.execute(
            &format!("UPDATE {table} SET person_id = $1 WHERE person_id = $2"),
            &[keep.0.into(), other.0.into()],
        )?;
    }
    // The merged file keeps its row and gains a version: the state before
    // the merge is kept as its revision, as for any change.
    let version = before.version;
    let stamp = super::change::revise(tx, &before, version, super::change::Step::Merged, actor)?;
    let [version, at, by] = stamp.values();
    tx.execute(
        "UPDATE persons SET merged_into = $1, version = $2, updated_at = $3, updated_by = $4 \
         WHERE id = $5",
        &[keep.0.into(), version, at, by, other.0.into()],
    )?;
    // The kept file follows its latest stay, which may be the other's.
    let latest = tx.query_opt(
        "SELECT unit_code FROM residences WHERE person_id = $1 \
         ORDER BY arrived_on DESC, id DESC LIMIT 1",
        &[keep.0.into()],
    )?;
    if let Some(row) = latest {
        let unit = row.text(0)?.to_owned();
        tx.execute(
            "UPDATE persons SET unit_code = $1 WHERE id = $2",
            &[unit.into(), keep.0.into()],
        )?;
    }
    decide(tx, &pair, DuplicateStatus::Merged, Some(keep), None, actor)?;
    // Other open pairs naming the merged file are settled by this merge:
    // each is dismissed with the reason on record.
    let settled: Vec<i64> = tx
        .query(
            "SELECT id FROM quality_duplicates WHERE status = 'open' \
             AND (first_person = $1 OR second_person = $1)",
            &[other.0.into()],
        )?
        .iter()
        .map(|row| row.int(0))
        .collect::<Result<_>>()?;
    let reason = format!("merged_with_pair:{id}");
    for settled in settled {
        // Settled by a merge made in scope, whatever the other file's unit.
        let sql = format!("{DUPLICATE_SELECT} WHERE d.id = $1");
        let entry = duplicate(&tx.query_one(&sql, &[settled.into()])?)?;
        decide(
            tx,
            &entry,
            DuplicateStatus::Dismissed,
            None,
            Some(&reason),
            actor,
        )?;
    }
    refresh(tx, RecordKind::Person, other.0)?;
    refresh(tx, RecordKind::Person, keep.0)?;
    let moved: Vec<i64> = tx
        .query(
            "SELECT id FROM residences WHERE person_id = $1",
            &[keep.0.into()],
        )?
        .iter()
        .map(|row| row.int(0))
        .collect::<Result<_>>()?;
    for residence in moved {
        refresh(tx, RecordKind::Residence, residence)?;
    }
    get_duplicate(tx, scope, id)
}

// ---------------------------------------------------------------------------
// The store's calls

/// A page size within what a page may hold (it is written into the SQL).
fn page_limit(limit: u32) -> Result<u32> {
    crate::query::PageRequest::new(0, limit)
        .map(|page| page.limit())
        .ok_or_else(|| StoreError::Internal(format!("page size {limit} out of range")))
}

impl<B: super::Backend> QualityStore for super::SqlStore<B> {
    fn quality_counts(&self, scope: &Scope) -> Result<QualityCounts> {
        self.backend.read(|tx| counts(tx, scope))
    }

    fn quality_findings(
        &self,
        scope: &Scope,
        rule: Option<Rule>,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<FindingRow>> {
        let limit = page_limit(limit)?;
        self.backend
            .read(|tx| findings(tx, scope, rule, after, limit))
    }

    fn findings_of(&self, scope: &Scope, record: RecordKind, id: i64) -> Result<Vec<FindingRow>> {
        self.backend.read(|tx| findings_of(tx, scope, record, id))
    }

    fn scan_quality(&self, scope: &Scope, today: Date, batch: u32) -> Result<ScanSummary> {
        let batch = batch.clamp(1, 20_000);
        scan(&self.backend, scope, today, batch)
    }

    fn queue_probable_duplicates(&self, scope: &Scope) -> Result<ScanSummary> {
        let (files, pairs, new_pairs) =
            super::duplicates::queue_duplicates(&self.backend, scope, 20_000)?;
        Ok(ScanSummary {
            records: files,
            pairs,
            new_pairs,
            ..ScanSummary::default()
        })
    }

    fn duplicate_queue(
        &self,
        scope: &Scope,
        status: Option<DuplicateStatus>,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<DuplicateEntry>> {
        let limit = page_limit(limit)?;
        self.backend
            .read(|tx| queue(tx, scope, status, offset, limit))
    }

    fn get_duplicate(&self, scope: &Scope, id: i64) -> Result<DuplicateEntry> {
        self.backend.read(|tx| get_duplicate(tx, scope, id))
    }

    fn duplicate_decisions(&self, scope: &Scope, id: i64) -> Result<Vec<DuplicateDecision>> {
        self.backend.read(|tx| decisions(tx, scope, id))
    }

    fn merge_duplicate(
        &self,
        scope: &Scope,
        id: i64,
        keep: PersonId,
        actor: &Actor,
    ) -> Result<DuplicateEntry> {
        self.backend.write(|tx| merge(tx, scope, id, keep, actor))
    }

    fn dismiss_duplicate(
        &self,
        scope: &Scope,
        id: i64,
        reason: &sojourn_domain::text::Note,
        actor: &Actor,
    ) -> Result<DuplicateEntry> {
        self.backend
            .write(|tx| dismiss(tx, scope, id, reason.as_str(), actor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists ordered by the stored rule (a record's findings, the counts)
    /// keep the order of the API codes, and every key reads back.
    #[test]
    fn rule_keys_are_short_distinct_and_sort_as_the_codes_do() {
        let mut by_code = Rule::ALL.to_vec();
        by_code.sort_by_key(|rule| rule.code());
        let mut by_key = Rule::ALL.to_vec();
        by_key.sort_by_key(|rule| rule_key(*rule));
        assert_eq!(by_key, by_code);
        for rule in Rule::ALL {
            assert_eq!(rule_from_key(rule_key(rule)).ok(), Some(rule));
        }
        let length =
            |f: fn(Rule) -> &'static str| Rule::ALL.map(|r| f(r).len()).iter().sum::<usize>();
        assert!(length(rule_key) * 2 <= length(Rule::code));
        assert!(rule_from_key("quality_id_missing").is_err());
    }
}
