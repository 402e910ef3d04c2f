//! Division codes: GB/T 2260 six-digit county codes and the NBS statistical
//! codes that extend them to towns (9 digits) and villages (12 digits).
//! Province (2) and city (4) prefixes are accepted too, for destinations
//! known only that far.

use crate::localized::Localized;
use std::ops::Range;
use std::sync::OnceLock;
use thiserror::Error;

/// Level of a division, fixed by the length of its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DivisionLevel {
    Province,
    City,
    County,
    Town,
    Village,
}

impl DivisionLevel {
    pub fn code_len(self) -> usize {
        match self {
            Self::Province => 2,
            Self::City => 4,
            Self::County => 6,
            Self::Town => 9,
            Self::Village => 12,
        }
    }

    fn from_len(len: usize) -> Option<Self> {
        match len {
            2 => Some(Self::Province),
            4 => Some(Self::City),
            6 => Some(Self::County),
            9 => Some(Self::Town),
            12 => Some(Self::Village),
            _ => None,
        }
    }
}

/// A division code of known form, without trailing zero padding (a town is
/// `110101001`, not `110101001000`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DivisionError {
    #[error("{0:?} is not a division code (2, 4, 6, 9 or 12 digits)")]
    Malformed(String),
    #[error("division code {0} does not exist")]
    Unknown(String),
}

impl Localized for DivisionError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "division_malformed",
            Self::Unknown(_) => "division_unknown",
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::Malformed(s) => format!("“{s}”不是行政区划代码（应为2、4、6、9或12位数字）"),
            Self::Unknown(s) => format!("行政区划代码 {s} 不存在"),
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

impl DivisionCode {
    /// Checks the form only; [`DivisionCode::parse_known`] also requires the
    /// code to be in the embedded national data. (The data is consulted only
    /// to read a code that ends in zeros: see `strip_padding`.)
    pub fn parse_form(input: &str) -> Result<Self, DivisionError> {
        let text = super::normalise_code_input(input);
        let text = strip_padding(&text);
        if DivisionLevel::from_len(text.len()).is_some() && text.bytes().all(|b| b.is_ascii_digit())
        {
            Ok(Self(text.to_owned()))
        } else {
            Err(DivisionError::Malformed(input.trim().to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> DivisionLevel {
        DivisionLevel::from_len(self.0.len()).unwrap_or(DivisionLevel::Village)
    }

    /// The code one level up, `None` for a province.
    pub fn parent(&self) -> Option<DivisionCode> {
        let len = match self.level() {
            DivisionLevel::Province => return None,
            DivisionLevel::City => 2,
            DivisionLevel::County => 4,
            DivisionLevel::Town => 6,
            DivisionLevel::Village => 9,
        };
        Some(Self(self.0[..len].to_owned()))
    }

    /// Whether the code reaches town level or below (a destination "to town
    /// level", as the outflow register asks).
    pub fn is_down_to_town(&self) -> bool {
        self.level() >= DivisionLevel::Town
    }
}

impl std::fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Accepts codes padded with zeros to 6 or 12 digits (`110000`,
/// `110101001000`) and strips the padding level by level. A few divisions
/// have codes that look padded (county 441900 东莞市 under city 4419, town
/// 350527000 金门县): a code that names a division in the embedded data is
/// kept as it is, so every code this module hands out parses back to itself.
fn strip_padding(text: &str) -> &str {
    let mut t = text;
    loop {
        let shorter = match t.len() {
            12 if t.ends_with("000") => &t[..9],
            9 if t.ends_with("000") => &t[..6],
            6 if t.ends_with("00") => &t[..4],
            4 if t.ends_with("00") => &t[..2],
            _ => return t,
        };
        if tables().walk(t).is_some() {
            return t;
        }
        t = shorter;
    }
}

/// A division of the embedded national data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: DivisionCode,
    pub name: String,
}

impl DivisionCode {
    /// A code of known form that names a division in today's statistical
    /// data (2023 edition). Abolished county codes, which identity numbers
    /// may still carry, are not accepted here: see [`is_known_county_code`].
    pub fn parse_known(input: &str) -> Result<Self, DivisionError> {
        let code = Self::parse_form(input)?;
        if tables().walk(code.as_str()).is_some() {
            Ok(code)
        } else {
            Err(DivisionError::Unknown(code.0))
        }
    }
}

/// The division a code names in today's data, with the name of its own level
/// (`110101001` → 东华门街道).
pub fn lookup(code: &DivisionCode) -> Option<Division> {
    let tables = tables();
    let path = tables.walk(code.as_str())?;
    let depth = path.len() - 1;
    let name = tables.name_at(depth, *path.last()?)?;
    Some(Division {
        code: code.clone(),
        name,
    })
}

/// The divisions one level below `code` in code order, or the provinces for
/// `None`: what a cascading picker shows. Empty for a village or an unknown
/// code.
pub fn children(code: Option<&DivisionCode>) -> Vec<Division> {
    let tables = tables();
    let Some(code) = code else {
        return tables.divisions(0, 0..tables.levels[0].len(), "");
    };
    let Some(path) = tables.walk(code.as_str()) else {
        return Vec::new();
    };
    let depth = path.len() - 1;
    match path.last() {
        Some(&index) if depth + 1 < LEVEL_COUNT => {
            let range = tables.levels[depth].child_range(index);
            tables.divisions(depth + 1, range, code.as_str())
        }
        _ => Vec::new(),
    }
}

/// City names that only group counties and mean nothing to a reader; a full
/// name leaves them out unless the code is that city itself.
const PLACEHOLDER_CITY_NAMES: [&str; 4] = [
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// The names from the province down, space-separated, as the registers show
/// a place: `北京市 东城区 东华门街道 多福巷社区居委会`. Placeholder cities
/// are left out, and so is a county named like its city (东莞市 is both).
pub fn full_name(code: &DivisionCode) -> Option<String> {
    let tables = tables();
    let path = tables.walk(code.as_str())?;
    let mut names: Vec<String> = Vec::with_capacity(path.len());
    for (depth, &index) in path.iter().enumerate() {
        let name = tables.name_at(depth, index)?;
        let is_last = depth + 1 == path.len();
        let placeholder = depth == CITY_DEPTH && PLACEHOLDER_CITY_NAMES.contains(&name.as_str());
        let repeated = names.last() == Some(&name);
        if !repeated && (is_last || !placeholder) {
            names.push(name);
        }
    }
    Some(names.join(" "))
}

/// Name of a six-digit county code in today's data or in the GB/T 2260 code
/// history since 1980 (abolished counties included, e.g. 110103 崇文区).
/// Today's name wins; of a code's several historical names, the latest.
/// Both sources are needed: statistical codes (development zones) are not in
/// the GB/T history, and codes created after the 2023 edition are only there.
pub fn county_name_in_history(code: &str) -> Option<String> {
    let tables = tables();
    tables
        .county_name_index(code)
        .and_then(|index| tables.names.get(index))
}

/// Whether an identity number's address code names a county that exists or
/// existed since 1980 (see [`county_name_in_history`]).
pub fn is_known_county_code(code: &str) -> bool {
    tables().county_name_index(code).is_some()
}

/// The derived national data: see data/README.md for its source and format,
/// and data/derive_divisions.py, which writes it.
static PACKED: &[u8] = include_bytes!("../../../../data/divisions.bin");

/// Province, city, county, town, village.
const LEVEL_COUNT: usize = 5;
/// Depths in the tree of the levels that need special handling.
const CITY_DEPTH: usize = 1;
const COUNTY_DEPTH: usize = 2;
/// Where each level's digits end in a code, from the province down.
const PART_ENDS: [usize; LEVEL_COUNT] = [2, 4, 6, 9, 12];

/// Decoded once, on first use: inflating and splitting the data takes tens of
/// milliseconds, which a process that never looks up a division should not pay.
fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        // Invariant: PACKED is written by data/derive_divisions.py and the
        // integration tests decode it in full, so failing here is a build
        // defect (a stale or hand-edited file), not a run-time condition.
        Tables::decode(PACKED).unwrap_or_else(|error| {
            panic!("embedded division data is corrupt ({error}); rerun data/derive_divisions.py")
        })
    })
}

/// The division tree as columns: each level's entries in code order, every
/// parent's children contiguous in the next level.
struct Tables {
    levels: [Level; LEVEL_COUNT],
    history_codes: Vec<u32>,
    history_first_name: usize,
    names: Names,
}

struct Level {
    /// The entry's own digits below its parent (`001` of `110101001`).
    digits: Vec<u16>,
    /// Prefix sums of child counts (one more than the entries): the children
    /// of entry `i` are `child_starts[i]..child_starts[i + 1]` of the next
    /// level. Empty for villages.
    child_starts: Vec<u32>,
    /// Index of the level's first entry in [`Names`].
    first_name: usize,
}

impl Level {
    fn len(&self) -> usize {
        self.digits.len()
    }

    fn child_range(&self, index: usize) -> Range<usize> {
        match (
            self.child_starts.get(index),
            self.child_starts.get(index + 1),
        ) {
            (Some(&start), Some(&end)) => start as usize..end as usize,
            _ => 0..0,
        }
    }
}

impl Tables {
    /// Indices of the entries from the province down to `code`, one per
    /// level its length reaches (so never empty); `None` if any of them does
    /// not exist.
    fn walk(&self, code: &str) -> Option<Vec<usize>> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut path = Vec::with_capacity(LEVEL_COUNT);
        let mut range = 0..self.levels[0].len();
        let mut start = 0;
        for (level, &end) in self.levels.iter().zip(&PART_ENDS) {
            if end > code.len() {
                break;
            }
            let part: u16 = code.get(start..end)?.parse().ok()?;
            let found = level.digits.get(range.clone())?.binary_search(&part).ok()?;
            let index = range.start + found;
            path.push(index);
            range = level.child_range(index);
            start = end;
        }
        (start == code.len() && start > 0).then_some(path)
    }

    fn name_at(&self, depth: usize, index: usize) -> Option<String> {
        self.names.get(self.levels.get(depth)?.first_name + index)
    }

    fn divisions(&self, depth: usize, range: Range<usize>, prefix: &str) -> Vec<Division> {
        let width = PART_ENDS[depth] - prefix.len();
        let level = &self.levels[depth];
        range
            .filter_map(|index| {
                let digits = level.digits.get(index)?;
                Some(Division {
                    code: DivisionCode(format!("{prefix}{digits:0width$}")),
                    name: self.names.get(level.first_name + index)?,
                })
            })
            .collect()
    }

    /// Name index of a six-digit county code, today's data first.
    fn county_name_index(&self, code: &str) -> Option<usize> {
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if let Some(&index) = self.walk(code).as_deref().and_then(<[usize]>::last) {
            return Some(self.levels[COUNTY_DEPTH].first_name + index);
        }
        let wanted: u32 = code.parse().ok()?;
        let found = self.history_codes.binary_search(&wanted).ok()?;
        Some(self.history_first_name + found)
    }
}

/// Every name of the data, stored as a stem plus one of a few common
/// suffixes (村民委员会, 社区居委会, …), which halves the memory they take.
#[derive(Default)]
struct Names {
    /// All stems, concatenated.
    text: String,
    /// `ends[i]..ends[i + 1]` is the stem of name `i` in `text`.
    ends: Vec<u32>,
    /// Index into `suffixes` per name; 0 is the empty suffix.
    tags: Vec<u8>,
    suffixes: Vec<String>,
}

impl Names {
    fn len(&self) -> usize {
        self.tags.len()
    }

    fn get(&self, index: usize) -> Option<String> {
        let start = *self.ends.get(index)? as usize;
        let end = *self.ends.get(index + 1)? as usize;
        let suffix = self.suffixes.get(usize::from(*self.tags.get(index)?))?;
        let stem = self.text.get(start..end)?;
        Some([stem, suffix.as_str()].concat())
    }
}

/// Decoding of the format that data/derive_divisions.py documents.
mod decode {
    use super::{LEVEL_COUNT, Level, Names, Tables};

    const MAGIC: &[u8] = b"SJDV\x01";

    /// What is wrong with the embedded data; only ever shown in a panic.
    pub(super) type DecodeError = &'static str;

    impl Tables {
        pub(super) fn decode(packed: &[u8]) -> Result<Tables, DecodeError> {
            let raw = miniz_oxide::inflate::decompress_to_vec_zlib(packed)
                .map_err(|_| "not a zlib stream")?;
            let mut reader = Reader(&raw);
            if reader.take(MAGIC.len())? != MAGIC {
                return Err("unknown magic or version");
            }
            let mut names = NamesBuilder::new(read_suffixes(&mut reader)?);
            let counts = reader.u32s(LEVEL_COUNT)?;
            let mut levels = Vec::with_capacity(LEVEL_COUNT);
            for (depth, &count) in counts.iter().enumerate() {
                let below = counts.get(depth + 1).copied();
                levels.push(read_level(&mut reader, count as usize, below, &mut names)?);
            }
            let history_count = reader.u32()? as usize;
            let history_codes = reader.u32s(history_count)?;
            let history_first_name = names.read_block(&mut reader, history_count)?;
            if !reader.0.is_empty() {
                return Err("trailing bytes");
            }
            Ok(Tables {
                levels: levels.try_into().map_err(|_| "wrong number of levels")?,
                history_codes,
                history_first_name,
                names: names.finish()?,
            })
        }
    }

    fn read_suffixes(reader: &mut Reader) -> Result<Vec<String>, DecodeError> {
        let count = reader.u8()?;
        (0..count)
            .map(|_| {
                let len = reader.u8()?;
                let bytes = reader.take(usize::from(len))?;
                String::from_utf8(bytes.to_vec()).map_err(|_| "suffix is not UTF-8")
            })
            .collect()
    }

    /// `children_count` is the size of the next level, `None` for villages.
    fn read_level(
        reader: &mut Reader,
        count: usize,
        children_count: Option<u32>,
        names: &mut NamesBuilder,
    ) -> Result<Level, DecodeError> {
        let digits = reader.u16s(count)?;
        let child_starts = match children_count {
            Some(total) => prefix_sums(&reader.u32s(count)?, total)?,
            None => Vec::new(),
        };
        let first_name = names.read_block(reader, count)?;
        Ok(Level {
            digits,
            child_starts,
            first_name,
        })
    }

    /// Child counts to start offsets; they must add up to the next level so
    /// every child range stays inside it.
    fn prefix_sums(counts: &[u32], total: u32) -> Result<Vec<u32>, DecodeError> {
        let mut sums = Vec::with_capacity(counts.len() + 1);
        let mut sum = 0u32;
        sums.push(sum);
        for &count in counts {
            sum = sum.checked_add(count).ok_or("child counts overflow")?;
            sums.push(sum);
        }
        if sum == total {
            Ok(sums)
        } else {
            Err("child counts do not match the next level")
        }
    }

    /// Collects the name blocks of all levels into one [`Names`].
    struct NamesBuilder {
        names: Names,
        text: Vec<u8>,
    }

    impl NamesBuilder {
        fn new(suffixes: Vec<String>) -> Self {
            let names = Names {
                ends: vec![0],
                suffixes,
                ..Names::default()
            };
            Self {
                names,
                text: Vec::new(),
            }
        }

        /// Reads `count` names and returns the index of the first.
        fn read_block(&mut self, reader: &mut Reader, count: usize) -> Result<usize, DecodeError> {
            let first = self.names.len();
            let tags = reader.take(count)?;
            if tags
                .iter()
                .any(|&tag| usize::from(tag) >= self.names.suffixes.len())
            {
                return Err("name suffix out of range");
            }
            let lengths = reader.take(count)?;
            let total: usize = lengths.iter().map(|&len| usize::from(len)).sum();
            self.text.extend_from_slice(reader.take(total)?);
            let mut end = *self.names.ends.last().unwrap_or(&0);
            for &len in lengths {
                end = end.checked_add(u32::from(len)).ok_or("names too long")?;
                self.names.ends.push(end);
            }
            self.names.tags.extend_from_slice(tags);
            Ok(first)
        }

        fn finish(mut self) -> Result<Names, DecodeError> {
            self.names.text = String::from_utf8(self.text).map_err(|_| "names are not UTF-8")?;
            self.names.text.shrink_to_fit();
            Ok(self.names)
        }
    }

    /// Little-endian reads from the inflated bytes.
    struct Reader<'a>(&'a [u8]);

    impl<'a> Reader<'a> {
        fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
            let (head, rest) = self.0.split_at_checked(len).ok_or("data ends early")?;
            self.0 = rest;
            Ok(head)
        }

        fn u8(&mut self) -> Result<u8, DecodeError> {
            Ok(self.take(1)?[0])
        }

        fn u32(&mut self) -> Result<u32, DecodeError> {
            Ok(self.u32s(1)?[0])
        }

        fn u16s(&mut self, count: usize) -> Result<Vec<u16>, DecodeError> {
            let bytes = self.take(count.checked_mul(2).ok_or("count overflow")?)?;
            Ok(bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect())
        }

        fn u32s(&mut self, count: usize) -> Result<Vec<u32>, DecodeError> {
            let bytes = self.take(count.checked_mul(4).ok_or("count overflow")?)?;
            Ok(bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn inflated() -> Vec<u8> {
        miniz_oxide::inflate::decompress_to_vec_zlib(PACKED).expect("embedded data inflates")
    }

    fn deflated(raw: &[u8]) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec_zlib(raw, 1)
    }

    #[test]
    fn the_embedded_data_decodes() {
        assert!(Tables::decode(PACKED).is_ok());
    }

    #[test]
    fn decoding_refuses_damaged_data() {
        let raw = inflated();
        let mut wrong_magic = raw.clone();
        wrong_magic[4] = 2;
        let mut trailing = raw.clone();
        trailing.push(0);
        for damaged in [&raw[..raw.len() - 1], &wrong_magic, &trailing, &raw[..1000]] {
            assert!(Tables::decode(&deflated(damaged)).is_err());
        }
        assert!(Tables::decode(&PACKED[..PACKED.len() / 2]).is_err());
    }

    /// A division reached by picking among children `picks.len()` times.
    fn pick_division(picks: &[usize]) -> DivisionCode {
        let mut picked: Option<DivisionCode> = None;
        for pick in picks {
            let options = children(picked.as_ref());
            let Some(child) = options.get(pick % options.len().max(1)) else {
                break;
            };
            picked = Some(child.code.clone());
        }
        picked.expect("there are provinces")
    }

    #[test]
    fn codes_that_look_padded_but_name_divisions_are_kept() {
        for text in ["441900", "460400", "350527000", "350527000000"] {
            assert_eq!(
                DivisionCode::parse_form(text).map(|c| c.0),
                Ok(text.to_owned())
            );
        }
        assert_eq!(
            DivisionCode::parse_form("441900000000").map(|c| c.0),
            Ok("441900".into())
        );
    }

    proptest! {
        #[test]
        fn parse_known_agrees_with_lookup(text in "[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?") {
            match DivisionCode::parse_known(&text) {
                Ok(code) => {
                    prop_assert!(lookup(&code).is_some());
                    prop_assert!(full_name(&code).is_some());
                }
                Err(error) => prop_assert!(matches!(error, DivisionError::Unknown(_))),
            }
        }

        #[test]
        fn a_known_division_parses_back_from_its_code_and_its_padded_code(
            picks in prop::collection::vec(any::<usize>(), 1..=5),
        ) {
            let code = pick_division(&picks);
            prop_assert_eq!(DivisionCode::parse_form(code.as_str()), Ok(code.clone()));
            let width = if code.level() <= DivisionLevel::County { 6 } else { 12 };
            let padded = format!("{:0<width$}", code.as_str());
            let parsed = DivisionCode::parse_known(&padded).expect("a known code");
            // A padded city or town may read as a county or village of its
            // own name (4419 东莞市 → 441900 东莞市): the longest reading wins.
            prop_assert!(parsed.as_str().starts_with(code.as_str()));
            prop_assert_eq!(lookup(&parsed).map(|d| d.name), lookup(&code).map(|d| d.name));
        }
    }
}
