//! The data-quality monitor over the register tables (R6.2): judging on
//! write (`judge.rs`), the scan (`scan.rs`), reading findings
//! (`findings.rs`), the duplicate queue and its decisions
//! (`duplicates.rs`) and the pairs found on write (`pairing.rs`).
//!
//! A write refreshes the findings of the records it touched, inside its own
//! transaction: the record is judged in memory and only the difference to
//! its open findings is written (nothing at all for a clean record that
//! had none). A scan walks a scope by key, a batch per transaction, and
//! does the same for every record, then queues the probable duplicates.
//!
//! The data-quality monitor (R6.2; `quality.rs` for its types and the
//! `QualityStore` half of `Store`, `sql/quality/` for the logic, migration
//! `0600_quality`) keeps findings per record and rule (`quality_findings`:
//! open until a write or scan finds the record mended, then resolved with
//! the time; a finding is stored as a short rule key and its particulars,
//! `Finding::detail`, and its zh-CN and English messages are rendered when
//! it is read, migration `0620_compact_findings`) and a queue of probable
//! duplicate files (`quality_duplicates`) with its append-only decisions
//! (`quality_decisions`, refused UPDATE and DELETE by trigger, as
//! `revisions`). Every write path re-judges the records it touched in its
//! own transaction: `quality::refresh` after a person, stay, house or
//! outflow change (called by the write path, `sql/change.rs`), and
//! `quality::after_arrivals` at the end of an arrival batch, which judges
//! new files and stays in memory and writes their findings in one insert.
//! The rules are `sojourn_domain::quality`'s; the store feeds them stored
//! columns (the number as stored, the sex and birth date beside it), so a
//! legacy or altered row is judged, not refused. `scan_quality` walks a
//! scope by key, a page per write transaction, writing only the difference
//! to the open findings, then runs `probable_duplicates` over the files in
//! scope and queues new pairs (a decided pair keeps its decision). Pairs are
//! also queued by the write that makes them (`pairing.rs`): an
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

mod duplicates;
mod findings;
mod judge;
pub(crate) mod pairing;
mod scan;

use crate::quality::*;
use crate::{Actor, Result, StoreError};
pub(crate) use duplicates::*;
pub(crate) use findings::*;
pub(crate) use judge::*;
pub(crate) use scan::*;
use sojourn_domain::person::PersonId;
use sojourn_domain::quality::Rule;
use sojourn_domain::unit::Scope;
use time::Date;

/// A page size within what a page may hold (it is written into the SQL).
fn page_limit(limit: u32) -> Result<u32> {
    crate::query::PageRequest::new(0, limit)
        .map(|page| page.limit())
        .ok_or_else(|| StoreError::Internal(format!("page size {limit} out of range")))
}

impl<B: crate::sql::Backend> QualityStore for crate::sql::SqlStore<B> {
    fn quality_counts(&self, scope: &Scope) -> Result<QualityCounts> {
        self.backend.read(|tx| counts(tx, scope))
    }

    fn quality_waiting(&self, scope: &Scope) -> Result<QualityWaiting> {
        self.backend.read(|tx| waiting(tx, scope))
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
        let (files, pairs, new_pairs) = pairing::queue_duplicates(&self.backend, scope, 20_000)?;
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
