//! Judging records as they are written: a write refreshes the findings of
//! the records it touched inside its own transaction, judged in memory, and
//! only the difference to their open findings is written.

use super::findings::*;
use crate::quality::*;
use crate::sql::{Row, Tx, Value, now};
use crate::{Result, StoreError};
use sojourn_domain::Localized;
use sojourn_domain::codes::{IdNumber, MaritalStatus, ReasonForStay, Sex};
use sojourn_domain::person::PersonId;
use sojourn_domain::quality::{self as rules, AddressField, Finding, Rule};
use sojourn_domain::residence::Arrival;
use sojourn_domain::residence::ResidenceId;
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
        Rule::CheckOutsideChildbearingAge => "check_age",
    }
}

pub(super) fn rule_from_key(key: &str) -> Result<Rule> {
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
pub(super) fn judge_person(
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

/// What the family-planning rules read of a woman's stay: whether she is
/// married, her follow-up file's filing date, and the first and last day
/// of her 三查.
#[derive(Default)]
struct FollowUpFacts {
    married: bool,
    filed: Option<Date>,
    checks: (Option<Date>, Option<Date>),
}

impl FollowUpFacts {
    /// From the stay's row (`RESIDENCE_SQL`, columns 10 to 13).
    fn of(row: &Row) -> Result<Self> {
        let married = (row.opt_text(10)?)
            .and_then(MaritalStatus::from_code)
            .is_some_and(MaritalStatus::is_married);
        Ok(Self {
            married,
            filed: row.opt_date(11)?,
            checks: (row.opt_date(12)?, row.opt_date(13)?),
        })
    }
}

/// A stay: judged only while current (a departed stay is history).
fn judge_residence(
    (current, reason_known, has_house): (bool, bool, bool),
    number: Option<&IdNumber>,
    arrived: Date,
    facts: &FollowUpFacts,
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
            facts.married,
            arrived,
            facts.filed,
            today,
        ));
        let (earliest, latest) = facts.checks;
        findings.extend(rules::check_three_checks_age(
            number.birth_date(),
            earliest,
            latest,
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

fn judge_outflow(
    id_number: &str,
    destination: &str,
    checks: (Option<Date>, Option<Date>),
    today: Date,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    match rules::check_id_number(Some(id_number), today) {
        Ok(number) => {
            let (earliest, latest) = checks;
            findings.extend(rules::check_three_checks_age(
                number.birth_date(),
                earliest,
                latest,
            ));
        }
        Err(finding) => findings.push(finding),
    }
    findings.extend(rules::check_address_division(
        AddressField::Current,
        destination,
    ));
    findings
}

pub(super) fn open_number(tx: &mut dyn Tx, stored: &str) -> Result<String> {
    crate::sql::sealed::open(&tx.keys(), crate::sql::sealed::ID_NUMBER, stored)
}

// One query per kind reads what the rules need of a record; `WHERE` is
// appended by the caller (one record by id, or a page of a scope).
pub(super) const PERSON_SQL: &str = "SELECT p.id, p.unit_code, p.id_number, p.sex, p.birth_date, \
    p.domicile, p.name, p.name_pinyin, p.domicile_from_id_on FROM persons p";
// A stay's row carries what the family-planning rules read: her marital
// status, her follow-up file's filing date (not the stay's `created_at`,
// which for an imported register is the day the import ran) and the ends
// of her 三查.
const RESIDENCE_SQL: &str = "SELECT r.id, r.unit_code, r.status, r.house_id, r.arrived_on, \
    r.created_at, p.sex, p.id_number, r.person_id, r.reason, p.marital_status, \
    (SELECT fp.filed_on FROM fp_files fp WHERE fp.residence_id = r.id), \
    (SELECT MIN(c.checked_on) FROM fp_files fp JOIN fp_checks c ON c.file_id = fp.id \
     WHERE fp.residence_id = r.id), \
    (SELECT MAX(c.checked_on) FROM fp_files fp JOIN fp_checks c ON c.file_id = fp.id \
     WHERE fp.residence_id = r.id) \
    FROM residences r JOIN persons p ON p.id = r.person_id";
const HOUSE_SQL: &str = "SELECT h.id, h.unit_code, h.security_agreement_on FROM houses h";
const OUTFLOW_SQL: &str = "SELECT o.id, o.unit_code, o.id_number, o.destination, \
    (SELECT MIN(c.checked_on) FROM fp_files fp JOIN fp_checks c ON c.file_id = fp.id \
     WHERE fp.outflow_id = o.id), \
    (SELECT MAX(c.checked_on) FROM fp_files fp JOIN fp_checks c ON c.file_id = fp.id \
     WHERE fp.outflow_id = o.id) \
    FROM outflows o";

/// A record judged: its kind, id, unit and findings.
pub(super) struct Judged {
    pub(super) id: i64,
    pub(super) unit: String,
    pub(super) findings: Vec<Finding>,
}

pub(super) fn judge_row(
    tx: &mut dyn Tx,
    kind: RecordKind,
    row: &Row,
    today: Date,
) -> Result<Judged> {
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
                (
                    current,
                    row.text(9)? != ReasonForStay::Unknown.code(),
                    row.opt_int(3)?.is_some(),
                ),
                number.as_ref(),
                row.date(4)?,
                &FollowUpFacts::of(row)?,
                today,
            )
        }
        RecordKind::House => judge_house(row.opt_date(2)?),
        RecordKind::Outflow => {
            let number = open_number(tx, row.text(2)?)?;
            let checks = (row.opt_date(4)?, row.opt_date(5)?);
            judge_outflow(&number, row.text(3)?, checks, today)
        }
        other => return Err(not_judged(other)),
    };
    Ok(Judged { id, unit, findings })
}

/// A stay whose file's number the scan already holds.
pub(super) fn judge_stay_of(row: &Row, number: &str, today: Date) -> Result<Judged> {
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
            (
                current,
                row.text(9)? != ReasonForStay::Unknown.code(),
                row.opt_int(3)?.is_some(),
            ),
            number.as_ref(),
            row.date(4)?,
            &FollowUpFacts::of(row)?,
            today,
        ),
    })
}

pub(super) fn record_sql(kind: RecordKind) -> Result<(&'static str, &'static str)> {
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
        // A new stay has no follow-up file yet: the 30 days run from
        // her arrival, whenever the import that brings her runs.
        let facts = FollowUpFacts {
            married: (arrival.person.marital_status).is_some_and(MaritalStatus::is_married),
            ..FollowUpFacts::default()
        };
        let stay = judge_residence(
            (
                true,
                arrival.stay.reason != ReasonForStay::Unknown,
                arrival.stay.house.is_some(),
            ),
            Some(&arrival.id_number),
            arrival.stay.arrived_on.date(),
            &facts,
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
pub(super) struct OpenFinding {
    id: i64,
    record_id: i64,
    rule: String,
    pub(super) unit: String,
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

pub(super) fn open_findings(
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
pub(super) fn apply(
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
