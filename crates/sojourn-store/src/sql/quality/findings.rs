//! Reading findings: the lists, a record's findings and the counts, each
//! finding named by its record and its messages rendered as it is read.

use super::{duplicates::*, judge::*};
use crate::quality::*;
use crate::sql::{Row, Tx, scope_bounds};
use crate::{Result, StoreError};
use sojourn_domain::Localized;
use sojourn_domain::quality::{Finding, Rule};
use sojourn_domain::unit::Scope;

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

pub(super) fn finding(row: &Row) -> Result<FindingRow> {
    let rule = rule_from_key(row.text(2)?)?;
    let kind = row.text(3)?;
    let (detail_zh, detail_en) = messages(row, rule)?;
    Ok(FindingRow {
        id: row.int(0)?,
        unit: crate::sql::mapping::unit_code(row.text(1)?)?,
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
pub(super) fn messages(row: &Row, rule: Rule) -> Result<(String, String)> {
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

pub(super) fn corrupt(what: &str, value: &str) -> StoreError {
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
            unit: crate::sql::mapping::unit_code(row.text(0)?)?,
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
            crate::sql::mapping::unit_code(row.text(0)?)?,
            row.int(1)?.max(0) as u64,
        ));
    }
    Ok(counts)
}

/// The to-do list's counts: open findings and open pairs in scope, each up
/// to [`crate::WAITING_COUNT_CAP`] and one more. The pairs are the queue's
/// (`PAIR_IN_SCOPE`, both files in scope now), found from the files of the
/// scope: walking the open pairs instead reads all of them when few lie in
/// a small community. The explicit `CROSS JOIN` keeps SQLite's planner to
/// that order (PostgreSQL plans it as an inner join).
pub(crate) fn waiting(tx: &mut dyn Tx, scope: &Scope) -> Result<QualityWaiting> {
    let bounds = scope_bounds(scope);
    let cap = Some(crate::WAITING_COUNT_CAP);
    let findings = crate::sql::count(
        tx,
        "FROM quality_findings WHERE resolved_at IS NULL AND unit_code >= $1 AND unit_code < $2",
        &bounds,
        cap,
    )?;
    let pairs = format!(
        "FROM persons a CROSS JOIN quality_duplicates d JOIN persons b ON b.id = d.second_person \
         WHERE d.first_person = a.id AND d.status = 'open' AND {PAIR_IN_SCOPE}"
    );
    let duplicates = crate::sql::count(tx, &pairs, &bounds, cap)?;
    Ok(QualityWaiting {
        findings,
        duplicates,
    })
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
