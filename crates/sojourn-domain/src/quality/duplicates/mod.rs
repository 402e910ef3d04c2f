//! The probable-duplicate finder: records that may be one person, paired
//! by shared keys (name and birth date, pinyin and birth year, the same or
//! a one-digit-apart identity number) and scored, without comparing every
//! record with every other. The write path runs it over the records a
//! write touched ([`duplicates_of`]), the monitor over a whole unit
//! ([`probable_duplicates`]).

mod numbers;

use crate::localized::Localized;
use numbers::{PLACE, pack_plausible_id};
use std::collections::HashMap;
use time::Date;

pub use numbers::{PairedNumbers, numbers_paired_with};

/// One record offered to the duplicate finder; borrowed, so a scan of a
/// million records copies no strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicateCandidate<'a> {
    /// The caller's record id (person file or register row).
    pub record: i64,
    pub name: &'a str,
    /// Full pinyin ([`crate::text::PersonName::pinyin_full`]); compared
    /// lower-cased without spaces.
    pub pinyin: &'a str,
    /// The identity number as entered, if any.
    pub id_number: Option<&'a str>,
    pub birth_date: Option<Date>,
}

/// Why two records may be the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DuplicateReason {
    /// The same identity number: duplicate files (重卡).
    SameIdNumber,
    SameNameAndBirthDate,
    SamePinyinAndBirthYear,
    /// Identity numbers that differ at one position (0-based) only.
    IdDiffersInOneDigit {
        position: u8,
    },
}

impl DuplicateReason {
    /// Weight of the reason in a pair's score.
    pub fn weight(self) -> u8 {
        match self {
            Self::SameIdNumber => 100,
            Self::IdDiffersInOneDigit { .. } => 60,
            Self::SameNameAndBirthDate => 50,
            Self::SamePinyinAndBirthYear => 30,
        }
    }
}

impl Localized for DuplicateReason {
    fn code(&self) -> &'static str {
        match self {
            Self::SameIdNumber => "duplicate_same_id_number",
            Self::SameNameAndBirthDate => "duplicate_same_name_and_birth_date",
            Self::SamePinyinAndBirthYear => "duplicate_same_pinyin_and_birth_year",
            Self::IdDiffersInOneDigit { .. } => "duplicate_id_differs_in_one_digit",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::SameIdNumber => "身份证号码相同（重卡）".into(),
            Self::SameNameAndBirthDate => "姓名和出生日期相同".into(),
            Self::SamePinyinAndBirthYear => "姓名全拼和出生年份相同".into(),
            Self::IdDiffersInOneDigit { position } => {
                format!("身份证号码仅第{}位不同", position + 1)
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::SameIdNumber => "the same identity number (duplicate file)".into(),
            Self::SameNameAndBirthDate => "the same name and birth date".into(),
            Self::SamePinyinAndBirthYear => "the same full pinyin and birth year".into(),
            Self::IdDiffersInOneDigit { position } => {
                format!("identity numbers differ only at position {}", position + 1)
            }
        }
    }
}

/// Two records that may be one person: `first < second` (record ids), a
/// score of 1–100 (the sum of the reasons' weights, capped) and the reasons
/// in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicatePair {
    pub first: i64,
    pub second: i64,
    pub score: u8,
    pub reasons: Vec<DuplicateReason>,
}

/// Scored candidate pairs among `records`, highest score first.
///
/// No pair is compared unless it shares a key: records are bucketed by
/// (name, birth date), by (pinyin, birth year), by the whole identity
/// number, and, for one-digit differences, by each of the 18 "one position
/// masked" forms of the number (one sorted pass per position over numbers
/// packed into a `u64`, base 11). Time is O(n log n) for the 18 sorts plus
/// O(n) hashing plus O(p) for the p pairs reported; memory O(n + p). Only
/// buckets of people who really share a key cost pairs, so a common name
/// costs as many pairs as there are namesakes born on the same day.
///
/// One-digit pairs need both numbers plausible: 18 characters (or 15,
/// upgraded) of digits with a digit or X last, and a real birth date; the
/// check character is not required (one of the two is usually wrong).
/// Records with the same record id are never paired.
pub fn probable_duplicates(records: &[DuplicateCandidate<'_>]) -> Vec<DuplicatePair> {
    pairs_admitted(records, PairSet::default())
}

/// The pairs of `records` that `pairs` admits, found as
/// [`probable_duplicates`] finds them.
fn pairs_admitted(records: &[DuplicateCandidate<'_>], mut pairs: PairSet) -> Vec<DuplicatePair> {
    pair_by_name_and_birth(records, &mut pairs);
    pair_by_pinyin_and_year(records, &mut pairs);
    let packed: Vec<Option<u64>> = records
        .iter()
        .map(|r| r.id_number.and_then(pack_plausible_id))
        .collect();
    pair_by_same_id(records, &packed, &mut pairs);
    pair_by_one_digit(records, &packed, &mut pairs);
    pairs.into_sorted(records)
}

/// The pairs [`probable_duplicates`] finds over `subjects` and `others`
/// together that name at least one subject: what a write that created or
/// changed the subjects adds to the queue. `others` are the records that
/// share a key with a subject (found by the caller's indexes); pairs among
/// them alone are left to the scan. A pair is scored exactly as the scan
/// of all records scores it, since its reasons depend on its two records
/// only.
pub fn duplicates_of(
    subjects: &[DuplicateCandidate<'_>],
    others: &[DuplicateCandidate<'_>],
) -> Vec<DuplicatePair> {
    let records: Vec<DuplicateCandidate<'_>> = subjects.iter().chain(others).copied().collect();
    // Subjects come first: a pair of two indices at or past their count
    // is two others, never formed (a crowded bucket of others would cost
    // the square of its size).
    let pairs = PairSet {
        subjects: u32::try_from(subjects.len()).unwrap_or(u32::MAX),
        ..PairSet::default()
    };
    pairs_admitted(&records, pairs)
}

/// Pairs found so far, keyed by the two record indices (lower first).
struct PairSet {
    reasons: HashMap<(u32, u32), ReasonSet>,
    /// Only pairs with an index below this are formed (every pair by
    /// default).
    subjects: u32,
}

impl Default for PairSet {
    fn default() -> Self {
        Self {
            reasons: HashMap::new(),
            subjects: u32::MAX,
        }
    }
}

/// A pair's reasons in two bytes rather than a vector, so millions of pairs
/// stay small: one flag per kind of reason, and the position of a one-digit
/// difference (two different numbers differ in one digit at one position
/// only, so one position is all there is to keep).
#[derive(Default, Clone, Copy)]
struct ReasonSet {
    flags: u8,
    position: u8,
}

impl ReasonSet {
    const SAME_ID: u8 = 1;
    const NAME_AND_BIRTH: u8 = 2;
    const PINYIN_AND_YEAR: u8 = 4;
    const ONE_DIGIT: u8 = 8;

    fn insert(&mut self, why: DuplicateReason) {
        self.flags |= match why {
            DuplicateReason::SameIdNumber => Self::SAME_ID,
            DuplicateReason::SameNameAndBirthDate => Self::NAME_AND_BIRTH,
            DuplicateReason::SamePinyinAndBirthYear => Self::PINYIN_AND_YEAR,
            DuplicateReason::IdDiffersInOneDigit { position } => {
                self.position = position;
                Self::ONE_DIGIT
            }
        };
    }

    /// The reasons in the order of [`DuplicateReason`].
    fn to_vec(self) -> Vec<DuplicateReason> {
        [
            (Self::SAME_ID, DuplicateReason::SameIdNumber),
            (Self::NAME_AND_BIRTH, DuplicateReason::SameNameAndBirthDate),
            (
                Self::PINYIN_AND_YEAR,
                DuplicateReason::SamePinyinAndBirthYear,
            ),
            (
                Self::ONE_DIGIT,
                DuplicateReason::IdDiffersInOneDigit {
                    position: self.position,
                },
            ),
        ]
        .into_iter()
        .filter(|(flag, _)| self.flags & flag != 0)
        .map(|(_, why)| why)
        .collect()
    }
}

impl PairSet {
    fn add(&mut self, records: &[DuplicateCandidate<'_>], a: u32, b: u32, why: DuplicateReason) {
        if records[a as usize].record == records[b as usize].record || a.min(b) >= self.subjects {
            return;
        }
        let key = (a.min(b), a.max(b));
        self.reasons.entry(key).or_default().insert(why);
    }

    fn into_sorted(self, records: &[DuplicateCandidate<'_>]) -> Vec<DuplicatePair> {
        let mut pairs: Vec<DuplicatePair> = self
            .reasons
            .into_iter()
            .map(|((a, b), set)| {
                let reasons = set.to_vec();
                let (x, y) = (records[a as usize].record, records[b as usize].record);
                let total: u32 = reasons.iter().map(|r| u32::from(r.weight())).sum();
                DuplicatePair {
                    first: x.min(y),
                    second: x.max(y),
                    score: total.min(100) as u8,
                    reasons,
                }
            })
            .collect();
        pairs.sort_unstable_by(|p, q| {
            q.score
                .cmp(&p.score)
                .then(p.first.cmp(&q.first))
                .then(p.second.cmp(&q.second))
        });
        pairs
    }
}

/// Every pair within each bucket of equal keys.
fn pair_within_buckets<K: std::hash::Hash + Eq>(
    records: &[DuplicateCandidate<'_>],
    keys: impl Iterator<Item = (u32, K)>,
    why: DuplicateReason,
    pairs: &mut PairSet,
) {
    let mut buckets: HashMap<K, Vec<u32>> = HashMap::new();
    for (index, key) in keys {
        buckets.entry(key).or_default().push(index);
    }
    for members in buckets.values().filter(|m| m.len() > 1) {
        // Members are in ascending order: once `a` is past the subjects,
        // so is every later member.
        for (i, &a) in members.iter().enumerate() {
            if a >= pairs.subjects {
                break;
            }
            for &b in &members[i + 1..] {
                pairs.add(records, a, b, why);
            }
        }
    }
}

fn indexed<'r, 'a>(
    records: &'r [DuplicateCandidate<'a>],
) -> impl Iterator<Item = (u32, &'r DuplicateCandidate<'a>)> {
    // Indices fit in u32: a register holds far fewer than 4 billion records.
    records.iter().enumerate().map(|(i, r)| (i as u32, r))
}

fn pair_by_name_and_birth(records: &[DuplicateCandidate<'_>], pairs: &mut PairSet) {
    let keys = indexed(records).filter_map(|(i, r)| {
        let name = r.name.trim();
        let born = r.birth_date?;
        (!name.is_empty()).then_some((i, (name, born)))
    });
    pair_within_buckets(records, keys, DuplicateReason::SameNameAndBirthDate, pairs);
}

/// A full pinyin as the "same pinyin and birth year" rule compares it:
/// lower-case, without spaces. The store looks namesakes up by it too.
pub fn pinyin_key(pinyin: &str) -> String {
    pinyin
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn pair_by_pinyin_and_year(records: &[DuplicateCandidate<'_>], pairs: &mut PairSet) {
    let keys = indexed(records).filter_map(|(i, r)| {
        let pinyin = pinyin_key(r.pinyin);
        let year = r.birth_date?.year();
        (!pinyin.is_empty()).then_some((i, (pinyin, year)))
    });
    pair_within_buckets(
        records,
        keys,
        DuplicateReason::SamePinyinAndBirthYear,
        pairs,
    );
}

fn pair_by_same_id(
    records: &[DuplicateCandidate<'_>],
    packed: &[Option<u64>],
    pairs: &mut PairSet,
) {
    let keys = packed
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (i as u32, p)));
    pair_within_buckets(records, keys, DuplicateReason::SameIdNumber, pairs);
}

/// For each position: sort the numbers with that position zeroed; within a
/// run of equal masked numbers, records whose character at the position
/// differs form one-digit pairs (equal characters are the same number, paired
/// by [`pair_by_same_id`]).
fn pair_by_one_digit(
    records: &[DuplicateCandidate<'_>],
    packed: &[Option<u64>],
    pairs: &mut PairSet,
) {
    let present: Vec<(u64, u32)> = packed
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (p, i as u32)))
        .collect();
    let mut masked: Vec<(u64, u8, u32)> = Vec::with_capacity(present.len());
    for (position, place) in PLACE.iter().enumerate() {
        masked.clear();
        masked.extend(present.iter().map(|&(number, index)| {
            // Base-11 digits are below 11, so the quotient mod 11 is the digit.
            let digit = (number / place % 11) as u8;
            (number - u64::from(digit) * place, digit, index)
        }));
        masked.sort_unstable();
        for run in masked.chunk_by(|x, y| x.0 == y.0).filter(|r| r.len() > 1) {
            pair_across_digits(records, run, position as u8, pairs);
        }
    }
}

/// Pairs of a run (sorted by digit) whose digits differ.
fn pair_across_digits(
    records: &[DuplicateCandidate<'_>],
    run: &[(u64, u8, u32)],
    position: u8,
    pairs: &mut PairSet,
) {
    for (i, &(_, digit_a, a)) in run.iter().enumerate() {
        for &(_, _, b) in run[i + 1..].iter().filter(|x| x.1 != digit_a) {
            pairs.add(
                records,
                a,
                b,
                DuplicateReason::IdDiffersInOneDigit { position },
            );
        }
    }
}

#[cfg(test)]
mod tests;
