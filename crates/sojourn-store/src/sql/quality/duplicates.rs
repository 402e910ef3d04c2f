//! The queue of probable duplicate files: pairs queued by a scan or a
//! write (`pairing.rs`), listed, and decided — dismissed or merged, each
//! decision appended and audited.

use super::{findings::*, judge::*, scan::*};
use crate::quality::*;
use crate::sql::{Row, Tx, Value, now, scope_bounds};
use crate::{Actor, Result, StoreError};
use sojourn_domain::person::PersonId;
use sojourn_domain::quality::{self as rules, DuplicateCandidate};
use sojourn_domain::unit::Scope;
use std::collections::HashMap;

/// The duplicate part of a scan: `probable_duplicates` over `files`, then
/// the pairs queued. Returns how many pairs were found and how many of
/// them were new to the queue.
pub(super) fn queue_duplicates_among(
    backend: &impl crate::sql::Backend,
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

/// A pair, under the unit holding its first file now (as the counts).
const DUPLICATE_SELECT: &str = "SELECT d.id, a.unit_code, d.first_person, d.second_person, \
    a.name, b.name, d.score, d.reasons, d.status, d.found_at FROM quality_duplicates d \
    JOIN persons a ON a.id = d.first_person JOIN persons b ON b.id = d.second_person";

/// Both files of a pair are in scope (the unit holding each now).
pub(super) const PAIR_IN_SCOPE: &str = "a.unit_code >= $1 AND a.unit_code < $2 \
    AND b.unit_code >= $1 AND b.unit_code < $2";

pub(super) fn duplicate(row: &Row) -> Result<DuplicateEntry> {
    let status = row.text(8)?;
    Ok(DuplicateEntry {
        id: row.int(0)?,
        unit: crate::sql::mapping::unit_code(row.text(1)?)?,
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
    crate::sql::audit::record_change(
        tx,
        actor,
        crate::audit::AuditAction::Update,
        (sojourn_domain::record::RecordKind::DuplicatePair, pair.id),
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
    let before = crate::sql::get_person(tx, scope, other)?;
    for table in MOVED_WITH_THE_FILE {
        tx.execute(
            &format!("UPDATE {table} SET person_id = $1 WHERE person_id = $2"),
            &[keep.0.into(), other.0.into()],
        )?;
    }
    // The merged file keeps its row and gains a version: the state before
    // the merge is kept as its revision, as for any change.
    let version = before.version;
    let stamp = crate::sql::change::revise(
        tx,
        &before,
        version,
        crate::sql::change::Step::Merged,
        actor,
    )?;
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
