//! Probable duplicates found on every write (R6.2): a write that creates a
//! person file or changes what the duplicate rules read of one (name,
//! pinyin, ID number, birth date) judges that file, in its own
//! transaction, against the files of the whole deployment that share a key
//! with it, and queues every pair it finds as a scan would
//! (`quality::queue_pairs`: same scoring, one row per pair, a decided pair
//! left decided).
//!
//! The files compared are found by index, never by a scan: the same name
//! and birth date (`persons_name`), the same full pinyin and birth year
//! (`persons_pinyin`), and by blind index the same number and, while a
//! faulty number is on file, every number one digit away from it
//! (`persons_id_number_bidx`, under every key of the ring). Which numbers those are is the domain's rule
//! (`numbers_paired_with`), and so is the pairing (`duplicates_of`).
//!
//! While a first bulk load has the name and pinyin indexes set aside,
//! these lookups would be scans: writes then leave the pairing to the pass
//! over the loaded files ([`queue_duplicates`]) once the indexes are back.

use super::{Compare, FileKey, PERSON_SQL, queue_duplicates_among, queue_pairs};
use crate::Result;
use crate::sql::sealed::ID_NUMBER;
use crate::sql::{Tx, Value, scope_bounds};
use sojourn_domain::person::PersonId;
use sojourn_domain::quality::{self as rules, DuplicateCandidate, Rule};
use sojourn_domain::residence::{Arrival, ResidenceId};
use sojourn_domain::unit::Scope;
use std::collections::{HashMap, HashSet};
use time::{Date, Month};

/// Indexes without which the lookups below would read every file.
const LOOKUP_INDEXES: &str = "'persons_name', 'persons_pinyin'";

/// The most blind indexes asked for in one statement. Statements are
/// padded to a power of two up to this, so a handful of texts serve every
/// batch and stay prepared.
const INDEXES_PER_LOOKUP: usize = 2048;

/// After a batch of arrivals: the new files (as just written, from the
/// arrivals themselves) and the existing files the batch updated (read
/// back) are paired with each other and with the register. `new_files[i]`
/// is set when row `i` opened a new file.
pub(crate) fn after_arrivals(
    tx: &mut dyn Tx,
    arrivals: &[Arrival],
    outcomes: &[Result<(PersonId, ResidenceId)>],
    new_files: &[Option<PersonId>],
) -> Result<()> {
    if outcomes.iter().all(|o| o.is_err()) || lookups_set_aside(tx)? {
        return Ok(());
    }
    let mut subjects = Vec::new();
    for (i, (arrival, outcome)) in arrivals.iter().zip(outcomes).enumerate() {
        let Ok((person, _)) = outcome else {
            continue;
        };
        if new_files.get(i).copied().flatten().is_some() {
            // As `arrivals::new_person_row` wrote it.
            subjects.push(FileKey {
                id: person.0,
                unit: arrival.stay.unit.as_str().to_owned(),
                name: arrival.person.name.as_str().to_owned(),
                pinyin: arrival.person.name.pinyin_full(),
                number: arrival.id_number.as_str().to_owned(),
                birth: Some(arrival.id_number.birth_date()),
            });
        } else {
            subjects.extend(read_file(tx, *person)?);
        }
    }
    pair_with_register(tx, &subjects)
}

/// After a person file was edited.
pub(crate) fn after_update(tx: &mut dyn Tx, person: PersonId) -> Result<()> {
    if lookups_set_aside(tx)? {
        return Ok(());
    }
    let subjects: Vec<FileKey> = read_file(tx, person)?.into_iter().collect();
    pair_with_register(tx, &subjects)
}

/// The duplicate part of a scan alone, over the files of `scope`: what a
/// first bulk load, which paired nothing as it went, needs once its
/// indexes are back. Files are read by key, a page per read transaction.
/// Returns how many files were read, how many pairs were found and how
/// many of them were new to the queue.
pub(crate) fn queue_duplicates(
    backend: &impl crate::sql::Backend,
    scope: &Scope,
    page: u32,
) -> Result<(u64, u64, u64)> {
    let mut files = Vec::new();
    let mut after = 0;
    while let Some(last) = backend.read(|tx| read_page(tx, scope, after, page, &mut files))? {
        after = last;
    }
    let (pairs, new) = queue_duplicates_among(backend, &files)?;
    Ok((files.len() as u64, pairs, new))
}

/// One page of the files in scope after the key `after`; the last key
/// read, `None` at the end.
fn read_page(
    tx: &mut dyn Tx,
    scope: &Scope,
    after: i64,
    page: u32,
    files: &mut Vec<FileKey>,
) -> Result<Option<i64>> {
    let [low, high] = scope_bounds(scope);
    // The page size is an integer of our own.
    let rows = tx.query(
        &format!(
            "{PERSON_SQL} WHERE p.id > $1 AND p.unit_code >= $2 AND p.unit_code < $3 \
             AND p.merged_into IS NULL ORDER BY p.id LIMIT {page}"
        ),
        &[after.into(), low, high],
    )?;
    let mut last = None;
    for row in &rows {
        let file = FileKey::read(tx, row)?;
        last = Some(file.id);
        files.push(file);
    }
    Ok(last)
}

/// True while a first bulk load has the lookups' indexes set aside.
fn lookups_set_aside(tx: &mut dyn Tx) -> Result<bool> {
    let sql = format!("SELECT 1 FROM deferred_schema WHERE name IN ({LOOKUP_INDEXES}) LIMIT 1");
    Ok(tx.query_opt(&sql, &[])?.is_some())
}

/// A file as stored, unless merged (a merged file is never paired).
fn read_file(tx: &mut dyn Tx, person: PersonId) -> Result<Option<FileKey>> {
    let sql = format!("{PERSON_SQL} WHERE p.id = $1 AND p.merged_into IS NULL");
    match tx.query_opt(&sql, &[person.0.into()])? {
        Some(row) => FileKey::read(tx, &row).map(Some),
        None => Ok(None),
    }
}

/// Pairs `subjects` with each other and with the files sharing a key with
/// one of them, and queues the pairs.
fn pair_with_register(tx: &mut dyn Tx, subjects: &[FileKey]) -> Result<()> {
    if subjects.is_empty() {
        return Ok(());
    }
    let others = sharing_a_key(tx, subjects)?;
    let pairs = {
        let subjects: Vec<DuplicateCandidate<'_>> =
            subjects.iter().map(FileKey::candidate).collect();
        let others: Vec<DuplicateCandidate<'_>> = others.iter().map(FileKey::candidate).collect();
        rules::duplicates_of(&subjects, &others)
    };
    if pairs.is_empty() {
        return Ok(());
    }
    let units: HashMap<i64, &str> = subjects
        .iter()
        .chain(&others)
        .map(|f| (f.id, f.unit.as_str()))
        .collect();
    queue_pairs(tx, &pairs, &units, Compare::PairsFound).map(drop)
}

/// The files, not merged and not among `subjects`, that share a key of the
/// duplicate rules with a subject, each once.
fn sharing_a_key(tx: &mut dyn Tx, subjects: &[FileKey]) -> Result<Vec<FileKey>> {
    let mut seen: HashSet<i64> = subjects.iter().map(|s| s.id).collect();
    let mut found = Vec::new();
    let mut keep = |tx: &mut dyn Tx, rows: Vec<crate::sql::Row>| -> Result<()> {
        for row in rows {
            if seen.insert(row.int(0)?) {
                found.push(FileKey::read(tx, &row)?);
            }
        }
        Ok(())
    };
    let mut names = HashSet::new();
    let mut spellings = HashSet::new();
    for subject in subjects {
        let Some(birth) = subject.birth else {
            continue; // both rules by name need a birth date
        };
        if !subject.name.trim().is_empty() && names.insert((subject.name.as_str(), birth)) {
            let rows = tx.query(
                &format!(
                    "{PERSON_SQL} WHERE p.name = $1 AND p.birth_date = $2 \
                     AND p.merged_into IS NULL"
                ),
                &[subject.name.as_str().into(), birth.into()],
            )?;
            keep(tx, rows)?;
        }
        // The stored spelling is already in this form (lower-case, no
        // spaces), so the column is compared as it stands.
        let pinyin = rules::pinyin_key(&subject.pinyin);
        if !pinyin.is_empty() && spellings.insert((pinyin.clone(), birth.year())) {
            let (first, last) = year_bounds(birth);
            let rows = tx.query(
                &format!(
                    "{PERSON_SQL} WHERE p.name_pinyin = $1 AND p.birth_date >= $2 \
                     AND p.birth_date <= $3 AND p.merged_into IS NULL"
                ),
                &[pinyin.into(), first.into(), last.into()],
            )?;
            keep(tx, rows)?;
        }
    }
    let faulty_on_file = faulty_numbers_on_file(tx)?;
    let mut numbers = HashSet::new();
    for subject in subjects {
        if let Some(paired) = rules::numbers_paired_with(&subject.number) {
            numbers.extend(paired.same);
            if faulty_on_file || !has_valid_check_character(&subject.number) {
                numbers.extend(paired.one_digit);
            }
        }
    }
    let indexes = tx
        .keys()
        .blind_indexes_of(ID_NUMBER.name(), numbers.iter().map(String::as_str));
    for chunk in indexes.chunks(INDEXES_PER_LOOKUP) {
        let rows = by_blind_indexes(tx, chunk)?;
        keep(tx, rows)?;
    }
    Ok(found)
}

/// Rules under which the monitor flags a file's number as faulty.
const FAULTY_NUMBER_RULES: [Rule; 2] = [Rule::IdWrongCheckCharacter, Rule::IdNonStandard];

/// Whether some file's number is flagged faulty (by a write or a scan).
///
/// Two numbers one digit apart cannot both have a valid check character
/// (ISO 7064 MOD 11-2 catches every single substitution), and every number
/// the store writes has one. So a valid subject's one-digit neighbours can
/// only be files holding a faulty number, from before the parser (migrated,
/// or changed behind the store), which the monitor flags. The 170-odd
/// blind-index lookups per subject run only while such a file is flagged:
/// they were 85 % of the pairing's cost (docs/PERFORMANCE.md). A faulty
/// file no scan has judged yet is paired by the scan that flags it.
fn faulty_numbers_on_file(tx: &mut dyn Tx) -> Result<bool> {
    let found = tx.query_opt(
        "SELECT 1 FROM quality_findings WHERE rule IN ($1, $2) AND resolved_at IS NULL LIMIT 1",
        &[
            super::rule_key(FAULTY_NUMBER_RULES[0]).into(),
            super::rule_key(FAULTY_NUMBER_RULES[1]).into(),
        ],
    )?;
    Ok(found.is_some())
}

/// Whether `number` as stored is a well-formed number with its check
/// character (a legacy file's may not be).
fn has_valid_check_character(number: &str) -> bool {
    sojourn_domain::codes::IdNumber::parse(number).is_ok()
}

/// The first and last day of `date`'s year.
fn year_bounds(date: Date) -> (Date, Date) {
    let year = date.year();
    let first = Date::from_calendar_date(year, Month::January, 1).unwrap_or(date);
    let last = Date::from_calendar_date(year, Month::December, 31).unwrap_or(date);
    (first, last)
}

/// The files, not merged, whose number has one of `indexes` as its blind
/// index; the list is padded with its last index to a power of two.
fn by_blind_indexes(tx: &mut dyn Tx, indexes: &[String]) -> Result<Vec<crate::sql::Row>> {
    let Some(last) = indexes.last() else {
        return Ok(Vec::new());
    };
    let size = indexes.len().next_power_of_two();
    let params: Vec<Value> = indexes
        .iter()
        .chain(std::iter::repeat_n(last, size - indexes.len()))
        .map(|index| Value::Text(index.clone()))
        .collect();
    let placeholders: Vec<String> = (1..=size).map(|i| format!("${i}")).collect();
    let sql = format!(
        "{PERSON_SQL} WHERE p.id_number_bidx IN ({}) AND p.merged_into IS NULL",
        placeholders.join(", ")
    );
    tx.query(&sql, &params)
}
