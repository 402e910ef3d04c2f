//! The scan: walks a scope by key, a page per write transaction, judging
//! every record as a write would, and gathers the files for the duplicate
//! finder.

use super::{duplicates::*, judge::*};
use crate::Result;
use crate::quality::*;
use crate::sql::{Row, Tx, scope_bounds};
use sojourn_domain::quality::DuplicateCandidate;
use sojourn_domain::unit::Scope;
use std::collections::HashMap;
use time::Date;

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
    backend: &impl crate::sql::Backend,
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
