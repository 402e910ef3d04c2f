//! Data-quality rules (监控管理, R6.2): small functions over plain inputs or
//! register records, each answering with findings that carry a stable rule
//! code and zh-CN/en messages. They run on every write and over a whole unit
//! on demand; the store decides which records to feed them, the rules only
//! judge. Probable duplicates are found by [`probable_duplicates`].
//!
//! Findings are not errors: a record with findings is kept, and the monitor
//! lists it for a clerk to correct.

mod detail;

use crate::codes::division::{self, DivisionCode, DivisionLevel};
use crate::codes::id_number::check_character;
use crate::codes::{IdNumber, IdNumberError, Sex};
use crate::error::Localized;
use crate::house::HouseDetails;
use crate::person::PersonDetails;
use crate::residence::Residence;
use crate::time_rules::age_on;
use std::collections::HashMap;
use time::{Date, Duration};

/// The rules of the monitor, each with a stable code (counts by unit and
/// rule are keyed on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    IdMissing,
    IdNonStandard,
    IdWrongCheckCharacter,
    SexContradictsId,
    BirthDateContradictsId,
    AddressNotDownToTown,
    AddressUnknownDivision,
    HouseWithoutSecurityAgreement,
    ResidentWithoutHouse,
    ChildbearingWomanNotFiled,
    ReasonForStayUnknown,
    DomicileFromIdNumber,
}

impl Rule {
    pub const ALL: [Rule; 12] = [
        Self::IdMissing,
        Self::IdNonStandard,
        Self::IdWrongCheckCharacter,
        Self::SexContradictsId,
        Self::BirthDateContradictsId,
        Self::AddressNotDownToTown,
        Self::AddressUnknownDivision,
        Self::HouseWithoutSecurityAgreement,
        Self::ResidentWithoutHouse,
        Self::ChildbearingWomanNotFiled,
        Self::ReasonForStayUnknown,
        Self::DomicileFromIdNumber,
    ];

    /// Stable snake_case code, prefixed `quality_`.
    pub fn code(self) -> &'static str {
        match self {
            Self::IdMissing => "quality_id_missing",
            Self::IdNonStandard => "quality_id_non_standard",
            Self::IdWrongCheckCharacter => "quality_id_wrong_check_character",
            Self::SexContradictsId => "quality_sex_contradicts_id",
            Self::BirthDateContradictsId => "quality_birth_date_contradicts_id",
            Self::AddressNotDownToTown => "quality_address_not_down_to_town",
            Self::AddressUnknownDivision => "quality_address_unknown_division",
            Self::HouseWithoutSecurityAgreement => "quality_house_without_security_agreement",
            Self::ResidentWithoutHouse => "quality_resident_without_house",
            Self::ChildbearingWomanNotFiled => "quality_childbearing_woman_not_filed",
            Self::ReasonForStayUnknown => "quality_reason_for_stay_unknown",
            Self::DomicileFromIdNumber => "quality_domicile_from_id_number",
        }
    }

    /// Short Chinese name, for the monitor's column heads.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::IdMissing => "身份证号码缺失",
            Self::IdNonStandard => "身份证号码不规范",
            Self::IdWrongCheckCharacter => "身份证号码校验位错误",
            Self::SexContradictsId => "性别与身份证号码不符",
            Self::BirthDateContradictsId => "出生日期与身份证号码不符",
            Self::AddressNotDownToTown => "地址未到乡镇（街道）",
            Self::AddressUnknownDivision => "地址区划代码不存在",
            Self::HouseWithoutSecurityAgreement => "出租房屋未签治安责任书",
            Self::ResidentWithoutHouse => "在住人员未关联房屋",
            Self::ChildbearingWomanNotFiled => "育龄妇女30日内未建档",
            Self::ReasonForStayUnknown => "来本地事由不详",
            Self::DomicileFromIdNumber => "户籍地按身份证号码推定",
        }
    }
}

/// Which address of a file a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressField {
    /// Place of household registration (户籍地).
    Domicile,
    /// Where the person lives now (现住地).
    Current,
}

impl AddressField {
    fn name_zh(self) -> &'static str {
        match self {
            Self::Domicile => "户籍地",
            Self::Current => "现住地",
        }
    }

    fn name_en(self) -> &'static str {
        match self {
            Self::Domicile => "household registration",
            Self::Current => "current address",
        }
    }
}

/// One rule broken by one record, with what the clerk needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    IdMissing,
    /// Wrong length or characters, an impossible birth date, or digits lost
    /// in a spreadsheet: the parser's reason is kept.
    IdNonStandard(IdNumberError),
    IdWrongCheckCharacter {
        expected: char,
        found: char,
    },
    SexContradictsId {
        recorded: Sex,
        from_id: Sex,
    },
    BirthDateContradictsId {
        recorded: Date,
        from_id: Date,
    },
    AddressNotDownToTown {
        field: AddressField,
        code: String,
    },
    AddressUnknownDivision {
        field: AddressField,
        code: String,
    },
    HouseWithoutSecurityAgreement,
    ResidentWithoutHouse,
    /// Arrived on `arrived`; filing was due by `due` and was made `filed`
    /// (late) or not at all.
    ChildbearingWomanNotFiled {
        arrived: Date,
        due: Date,
        filed: Option<Date>,
    },
    /// A current stay whose reason for stay is not known (imported from a
    /// ledger without the column).
    ReasonForStayUnknown,
    /// A file whose household registration was imported from a ledger
    /// whose place could not be read, and was taken from the ID number's
    /// address code instead (`code`): a clerk confirms it by saving the
    /// file.
    DomicileFromIdNumber {
        code: String,
    },
}

impl Finding {
    pub fn rule(&self) -> Rule {
        match self {
            Self::IdMissing => Rule::IdMissing,
            Self::IdNonStandard(_) => Rule::IdNonStandard,
            Self::IdWrongCheckCharacter { .. } => Rule::IdWrongCheckCharacter,
            Self::SexContradictsId { .. } => Rule::SexContradictsId,
            Self::BirthDateContradictsId { .. } => Rule::BirthDateContradictsId,
            Self::AddressNotDownToTown { .. } => Rule::AddressNotDownToTown,
            Self::AddressUnknownDivision { .. } => Rule::AddressUnknownDivision,
            Self::HouseWithoutSecurityAgreement => Rule::HouseWithoutSecurityAgreement,
            Self::ResidentWithoutHouse => Rule::ResidentWithoutHouse,
            Self::ChildbearingWomanNotFiled { .. } => Rule::ChildbearingWomanNotFiled,
            Self::ReasonForStayUnknown => Rule::ReasonForStayUnknown,
            Self::DomicileFromIdNumber { .. } => Rule::DomicileFromIdNumber,
        }
    }
}

fn sex_zh(sex: Sex) -> &'static str {
    sex.name_zh()
}

fn sex_en(sex: Sex) -> &'static str {
    sex.name_en()
}

impl Localized for Finding {
    fn code(&self) -> &'static str {
        self.rule().code()
    }

    fn message_zh(&self) -> String {
        match self {
            Self::IdMissing => "未登记身份证号码".into(),
            Self::IdNonStandard(reason) => format!("身份证号码不规范：{}", reason.message_zh()),
            Self::IdWrongCheckCharacter { expected, found } => {
                format!("身份证号码校验位错误：按前17位应为 {expected}，实际为 {found}，请核对证件")
            }
            Self::SexContradictsId { recorded, from_id } => format!(
                "登记的性别“{}”与身份证号码（{}）不符",
                sex_zh(*recorded),
                sex_zh(*from_id)
            ),
            Self::BirthDateContradictsId { recorded, from_id } => {
                format!("登记的出生日期 {recorded} 与身份证号码中的 {from_id} 不符")
            }
            Self::AddressNotDownToTown { field, code } => format!(
                "{}区划代码“{code}”未到乡镇（街道）一级（须9位及以上）",
                field.name_zh()
            ),
            Self::AddressUnknownDivision { field, code } => {
                format!("{}区划代码 {code} 在全国区划数据中不存在", field.name_zh())
            }
            Self::HouseWithoutSecurityAgreement => "出租房屋未签订治安责任书".into(),
            Self::ResidentWithoutHouse => "在住流动人口未关联居住的出租房屋".into(),
            Self::ChildbearingWomanNotFiled {
                arrived,
                due,
                filed,
            } => match filed {
                Some(filed) => format!(
                    "流入育龄妇女于 {arrived} 来本地，应于 {due} 前建档，实际 {filed} 才建档"
                ),
                None => format!("流入育龄妇女于 {arrived} 来本地，应于 {due} 前建档，至今未建档"),
            },
            Self::ReasonForStayUnknown => "来本地事由不详（导入的台账没有此项），请补登".into(),
            Self::DomicileFromIdNumber { code } => {
                format!("导入的台账中户籍地无法识别，已按身份证号码推定为 {code}，请核实后保存档案")
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::IdMissing => "no identity number is recorded".into(),
            Self::IdNonStandard(reason) => {
                format!("non-standard identity number: {}", reason.message_en())
            }
            Self::IdWrongCheckCharacter { expected, found } => format!(
                "wrong check character in the identity number: expected {expected}, found {found}; check the card"
            ),
            Self::SexContradictsId { recorded, from_id } => format!(
                "recorded sex {} contradicts the identity number ({})",
                sex_en(*recorded),
                sex_en(*from_id)
            ),
            Self::BirthDateContradictsId { recorded, from_id } => format!(
                "recorded birth date {recorded} contradicts the identity number ({from_id})"
            ),
            Self::AddressNotDownToTown { field, code } => format!(
                "{} division code {code:?} does not reach town level (9 digits or more)",
                field.name_en()
            ),
            Self::AddressUnknownDivision { field, code } => format!(
                "{} division code {code} is not in the national division data",
                field.name_en()
            ),
            Self::HouseWithoutSecurityAgreement => {
                "the landlord has not signed the security-responsibility agreement".into()
            }
            Self::ResidentWithoutHouse => "a current resident is not linked to a house".into(),
            Self::ChildbearingWomanNotFiled {
                arrived,
                due,
                filed,
            } => match filed {
                Some(filed) => format!(
                    "inflow woman of childbearing age arrived {arrived}, was due to be filed by {due}, filed {filed}"
                ),
                None => format!(
                    "inflow woman of childbearing age arrived {arrived}, was due to be filed by {due}, not filed yet"
                ),
            },
            Self::ReasonForStayUnknown => {
                "the reason for stay is unknown (the imported ledger had no such column)".into()
            }
            Self::DomicileFromIdNumber { code } => format!(
                "the imported ledger's place of household registration could not be read; it was taken from the identity number as {code}: check it and save the file"
            ),
        }
    }
}

/// Classifies the identity number as entered: missing (empty or blank),
/// non-standard, or with a wrong check character. A valid number is
/// returned, so the rules that compare against it can run; an address code
/// of an unknown county is not a fault here (numbers keep the code of the
/// county that issued them).
pub fn check_id_number(raw: Option<&str>, today: Date) -> Result<IdNumber, Finding> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Err(Finding::IdMissing);
    }
    IdNumber::parse_as_of(raw, today).map_err(|error| match error {
        IdNumberError::WrongCheckCharacter { expected, found } => {
            Finding::IdWrongCheckCharacter { expected, found }
        }
        other => Finding::IdNonStandard(other),
    })
}

/// Sex and birth date recorded apart from the number (on an imported sheet,
/// an old file) that contradict it. An unknown recorded sex is no
/// contradiction.
pub fn check_against_id(
    id: &IdNumber,
    recorded_sex: Option<Sex>,
    recorded_birth: Option<Date>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(recorded) = recorded_sex
        && recorded != Sex::Unknown
        && recorded != id.sex()
    {
        findings.push(Finding::SexContradictsId {
            recorded,
            from_id: id.sex(),
        });
    }
    if let Some(recorded) = recorded_birth
        && recorded != id.birth_date()
    {
        findings.push(Finding::BirthDateContradictsId {
            recorded,
            from_id: id.birth_date(),
        });
    }
    findings
}

/// An address must name its division down to the town (街道/乡镇): a six-digit
/// county code is not enough, nine digits or more is. A code of town level
/// that the national data does not know is a finding of its own.
pub fn check_address_division(field: AddressField, raw: &str) -> Option<Finding> {
    let not_down = || Finding::AddressNotDownToTown {
        field,
        code: raw.trim().to_owned(),
    };
    let Ok(code) = DivisionCode::parse_form(raw) else {
        return Some(not_down());
    };
    if code.level() < DivisionLevel::Town {
        return Some(not_down());
    }
    if division::lookup(&code).is_none() {
        return Some(Finding::AddressUnknownDivision {
            field,
            code: code.as_str().to_owned(),
        });
    }
    None
}

/// The address rule on a person file's place of household registration.
pub fn check_domicile(details: &PersonDetails) -> Option<Finding> {
    check_address_division(AddressField::Domicile, details.domicile.as_str())
}

/// A file whose household registration (`domicile`, as stored) an import
/// took from the ID number (`from_id_number`, kept by the store until a
/// clerk saves the file).
pub fn check_domicile_from_id_number(domicile: &str, from_id_number: bool) -> Option<Finding> {
    from_id_number.then(|| Finding::DomicileFromIdNumber {
        code: domicile.to_owned(),
    })
}

/// A current stay whose reason for stay nobody recorded.
pub fn check_reason_for_stay(residence: &Residence) -> Option<Finding> {
    (residence.status.is_current() && residence.stay.reason == crate::codes::ReasonForStay::Unknown)
        .then_some(Finding::ReasonForStayUnknown)
}

/// A rental house whose landlord has not signed the security-responsibility
/// agreement (治安责任书).
pub fn check_house_security_agreement(house: &HouseDetails) -> Option<Finding> {
    house
        .security_agreement_on
        .is_none()
        .then_some(Finding::HouseWithoutSecurityAgreement)
}

/// A resident still here (registered or active) whose stay names no house.
/// A departed stay is history and is not judged.
pub fn check_resident_house(residence: &Residence) -> Option<Finding> {
    (residence.status.is_current() && residence.stay.house.is_none())
        .then_some(Finding::ResidentWithoutHouse)
}

/// Childbearing age, in whole years, inclusive.
pub const CHILDBEARING_AGES: std::ops::RangeInclusive<i32> = 15..=49;
/// Days after arrival within which an inflow woman of childbearing age is
/// filed (the day of arrival plus 30 days is still in time).
pub const CHILDBEARING_FILING_DAYS: i64 = 30;

/// An inflow woman of childbearing age (15–49 on `on`, read from the
/// number) not filed within 30 days of arrival: filed late, or not filed and
/// the 30 days are over by `on`.
pub fn check_childbearing_filing(
    id: &IdNumber,
    arrived: Date,
    filed: Option<Date>,
    on: Date,
) -> Option<Finding> {
    if id.sex() != Sex::Female || !CHILDBEARING_AGES.contains(&age_on(id.birth_date(), on)) {
        return None;
    }
    let due = arrived + Duration::days(CHILDBEARING_FILING_DAYS);
    let late = match filed {
        Some(filed) => filed > due,
        None => on > due,
    };
    late.then_some(Finding::ChildbearingWomanNotFiled {
        arrived,
        due,
        filed,
    })
}

// ---------------------------------------------------------------------------
// Probable duplicates

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

/// The numbers [`probable_duplicates`] pairs with `raw` by number, as text
/// a register may hold them in: the 18-character form (upper-case X) and,
/// where one exists, the legacy 15-digit form it upgrades from. What lets a
/// store find them by exact lookup instead of comparing every number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairedNumbers {
    /// The same number (duplicate files, 重卡), `raw`'s own forms included.
    pub same: Vec<String>,
    /// Numbers differing from it in one position: each of the 17 digits
    /// replaced by the 9 others, the last character by the 10 others (0–9,
    /// X); only plausible ones (a real birth date), as the finder requires.
    pub one_digit: Vec<String>,
}

/// See [`PairedNumbers`]; `None` when `raw` is not plausible, so that the
/// finder pairs it by number with nothing.
pub fn numbers_paired_with(raw: &str) -> Option<PairedNumbers> {
    let own = unpack_id(pack_plausible_id(raw)?);
    let mut paired = PairedNumbers::default();
    push_with_legacy(&mut paired.same, own.clone());
    let mut bytes = own.into_bytes();
    for position in 0..18 {
        let original = bytes[position];
        let alphabet: &[u8] = if position == 17 {
            b"0123456789X"
        } else {
            b"0123456789"
        };
        for &replacement in alphabet.iter().filter(|&&c| c != original) {
            bytes[position] = replacement;
            // ASCII throughout: the bytes are digits or X.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if (6..14).contains(&position) && !has_real_birth_date(&text[6..14]) {
                continue;
            }
            push_with_legacy(&mut paired.one_digit, text);
        }
        bytes[position] = original;
    }
    Some(paired)
}

/// `number` (18 characters), and the 15-digit number that upgrades to it,
/// if one does (born in the 1900s, the check character the computed one).
fn push_with_legacy(forms: &mut Vec<String>, number: String) {
    let legacy = (&number[6..8] == "19"
        && check_character(&number[..17]) == number[17..].chars().next())
    .then(|| format!("{}{}", &number[..6], &number[8..17]));
    forms.push(number);
    forms.extend(legacy);
}

/// The 18 characters of a number packed by [`pack_plausible_id`].
fn unpack_id(mut packed: u64) -> String {
    let mut digits = [b'0'; 18];
    for slot in digits.iter_mut().rev() {
        let digit = (packed % 11) as u8;
        *slot = if digit == 10 { b'X' } else { b'0' + digit };
        packed /= 11;
    }
    String::from_utf8_lossy(&digits).into_owned()
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

/// Place value of each position in a packed number (base 11, first
/// character most significant).
const fn place_values() -> [u64; 18] {
    let mut values = [1u64; 18];
    let mut i = 17;
    while i > 0 {
        values[i - 1] = values[i] * 11;
        i -= 1;
    }
    values
}
const PLACE: [u64; 18] = place_values();

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

/// The number as 18 base-11 digits (X = 10) if it is plausible: 18
/// characters, or 15 upgraded as GB 11643 does; digits with a digit or X
/// last; a real birth date. The check character is not checked.
fn pack_plausible_id(raw: &str) -> Option<u64> {
    let text = crate::codes::normalise_code_input(raw).to_uppercase();
    let text = match text.len() {
        18 => text,
        15 if text.bytes().all(|b| b.is_ascii_digit()) => {
            let first17 = format!("{}19{}", &text[..6], &text[6..]);
            let check = check_character(&first17)?;
            format!("{first17}{check}")
        }
        _ => return None,
    };
    let bytes = text.as_bytes();
    if !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
    {
        return None;
    }
    has_real_birth_date(&text[6..14]).then_some(())?;
    Some(bytes.iter().fold(0u64, |acc, &b| {
        let digit = if b == b'X' { 10 } else { u64::from(b - b'0') };
        acc * 11 + digit
    }))
}

/// Whether eight ASCII digits `YYYYMMDD` name a real date from year 1.
fn has_real_birth_date(digits: &str) -> bool {
    let (Ok(year), Ok(month), Ok(day)) = (
        digits[..4].parse::<i32>(),
        digits[4..6].parse::<u8>(),
        digits[6..].parse::<u8>(),
    ) else {
        return false;
    };
    let Ok(month) = time::Month::try_from(month) else {
        return false;
    };
    year > 0 && Date::from_calendar_date(year, month, day).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::ReasonForStay;
    use crate::house::{Filing, HouseId, HouseUse, Landlord};
    use crate::person::PersonId;
    use crate::residence::{Departure, ResidenceId, ResidenceStatus, StayDetails};
    use crate::text::{Address, PersonName};
    use crate::time_rules::PastDate;
    use crate::unit::UnitCode;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);

    fn with_check(first17: &str) -> String {
        let check = check_character(first17).expect("17 digits");
        format!("{first17}{check}")
    }

    fn id(first17: &str) -> IdNumber {
        IdNumber::parse_as_of(&with_check(first17), TODAY).expect("valid number")
    }

    // --- identity number -------------------------------------------------

    #[test]
    fn a_missing_number_is_reported_as_missing() {
        for raw in [None, Some(""), Some("   "), Some("\u{3000}")] {
            assert_eq!(
                check_id_number(raw, TODAY),
                Err(Finding::IdMissing),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn non_standard_numbers_keep_the_parsers_reason() {
        let finding = check_id_number(Some("1101051949"), TODAY).expect_err("too short");
        assert_eq!(
            finding,
            Finding::IdNonStandard(IdNumberError::WrongLength(10))
        );
        assert_eq!(finding.code(), "quality_id_non_standard");
        assert!(matches!(
            check_id_number(Some("11010519491231O02X"), TODAY),
            Err(Finding::IdNonStandard(IdNumberError::InvalidCharacter {
                position: 15,
                found: 'O'
            }))
        ));
        assert!(matches!(
            check_id_number(Some(&with_check("11010519911301001")), TODAY),
            Err(Finding::IdNonStandard(IdNumberError::InvalidBirthDate(_)))
        ));
        assert!(matches!(
            check_id_number(Some("4.40113E+17"), TODAY),
            Err(Finding::IdNonStandard(IdNumberError::LostPrecision(_)))
        ));
    }

    #[test]
    fn a_wrong_check_character_is_its_own_rule() {
        assert_eq!(
            check_id_number(Some("110105194912310021"), TODAY),
            Err(Finding::IdWrongCheckCharacter {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn lower_case_x_and_legacy_numbers_are_standard() {
        let number = check_id_number(Some("11010519491231002x"), TODAY).expect("lower-case x");
        assert_eq!(number.as_str(), "11010519491231002X");
        let legacy = check_id_number(Some("130503670401001"), TODAY).expect("15 digits");
        assert_eq!(legacy.as_str(), "130503196704010016");
    }

    #[test]
    fn an_unknown_issuing_county_is_not_an_id_finding() {
        let raw = with_check("99999919900307002");
        let number = check_id_number(Some(&raw), TODAY).expect("unknown county is no fault");
        assert_eq!(number.issuing_county(), None);
    }

    // --- sex and birth date ----------------------------------------------

    #[test]
    fn sex_and_birth_date_must_agree_with_the_number() {
        let woman = id("11010519900307002");
        assert!(
            check_against_id(&woman, Some(Sex::Female), Some(date!(1990 - 03 - 07))).is_empty()
        );
        assert!(check_against_id(&woman, None, None).is_empty());
        assert!(check_against_id(&woman, Some(Sex::Unknown), None).is_empty());
        let findings = check_against_id(&woman, Some(Sex::Male), Some(date!(1990 - 07 - 03)));
        assert_eq!(
            findings,
            vec![
                Finding::SexContradictsId {
                    recorded: Sex::Male,
                    from_id: Sex::Female
                },
                Finding::BirthDateContradictsId {
                    recorded: date!(1990 - 07 - 03),
                    from_id: date!(1990 - 03 - 07)
                },
            ]
        );
    }

    #[test]
    fn a_legacy_number_is_compared_after_upgrade() {
        let man = IdNumber::parse_as_of("130503670401001", TODAY).expect("legacy");
        assert!(check_against_id(&man, Some(Sex::Male), Some(date!(1967 - 04 - 01))).is_empty());
        assert_eq!(check_against_id(&man, Some(Sex::Female), None).len(), 1);
    }

    // --- address ---------------------------------------------------------

    #[test]
    fn a_county_code_is_not_down_to_town_level() {
        for raw in ["110101", "11", "1101", "110101000000", "", "abc"] {
            assert!(
                matches!(
                    check_address_division(AddressField::Domicile, raw),
                    Some(Finding::AddressNotDownToTown {
                        field: AddressField::Domicile,
                        ..
                    })
                ),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn a_town_or_village_code_is_enough() {
        for raw in ["110101001", "110101001001", "110101001000"] {
            assert_eq!(
                check_address_division(AddressField::Current, raw),
                None,
                "{raw}"
            );
        }
    }

    #[test]
    fn a_town_code_under_an_unknown_county_is_flagged_as_unknown() {
        assert_eq!(
            check_address_division(AddressField::Domicile, "999999001"),
            Some(Finding::AddressUnknownDivision {
                field: AddressField::Domicile,
                code: "999999001".into()
            })
        );
    }

    #[test]
    fn a_person_files_domicile_is_judged_by_the_address_rule() {
        let details = |code: &str| PersonDetails {
            name: PersonName::parse("王芳").expect("name"),
            ethnicity: crate::codes::Ethnicity::parse("汉族").expect("ethnicity"),
            domicile: DivisionCode::parse_form(code).expect("division code"),
            domicile_address: None,
            phone: None,
            marital_status: None,
            education: None,
            political_status: None,
            occupation: None,
            guardian: None,
        };
        assert!(matches!(
            check_domicile(&details("360426")),
            Some(Finding::AddressNotDownToTown {
                field: AddressField::Domicile,
                ..
            })
        ));
        assert_eq!(check_domicile(&details("110101001001")), None);
    }

    // --- houses and residents --------------------------------------------

    fn house(agreement: Option<Date>) -> HouseDetails {
        HouseDetails {
            unit: UnitCode::parse("110101001001").expect("unit"),
            address: Address::parse("多福巷1号").expect("address"),
            landlord: Landlord::Person {
                name: PersonName::parse("张三").expect("name"),
                id_number: id("11010519700101001"),
                phone: None,
            },
            rooms: 2,
            usage: HouseUse::Residential,
            filing: Filing::NotFiled,
            security_agreement_on: agreement.map(|d| PastDate::new(d, TODAY).expect("past")),
        }
    }

    #[test]
    fn a_house_needs_a_security_agreement() {
        assert_eq!(
            check_house_security_agreement(&house(None)),
            Some(Finding::HouseWithoutSecurityAgreement)
        );
        assert_eq!(
            check_house_security_agreement(&house(Some(date!(2025 - 01 - 02)))),
            None
        );
    }

    fn residence(house: Option<HouseId>, status: ResidenceStatus) -> Residence {
        Residence {
            id: ResidenceId(1),
            person: PersonId(1),
            stay: StayDetails {
                unit: UnitCode::parse("110101001001").expect("unit"),
                arrived_on: PastDate::new(date!(2025 - 01 - 02), TODAY).expect("past"),
                intended_stay_months: None,
                reason: ReasonForStay::Work,
                current_address: Address::parse("多福巷1号").expect("address"),
                house,
                employer: None,
            },
            status,
            version: 1,
        }
    }

    #[test]
    fn a_current_resident_needs_a_house() {
        for status in [ResidenceStatus::Registered, ResidenceStatus::Active] {
            assert_eq!(
                check_resident_house(&residence(None, status)),
                Some(Finding::ResidentWithoutHouse)
            );
        }
        assert_eq!(
            check_resident_house(&residence(Some(HouseId(3)), ResidenceStatus::Active)),
            None
        );
        let departed = ResidenceStatus::Departed(Departure {
            departed_on: PastDate::new(date!(2025 - 06 - 01), TODAY).expect("past"),
            destination: None,
            destination_address: None,
            reason: None,
        });
        assert_eq!(check_resident_house(&residence(None, departed)), None);
    }

    // --- inflow women of childbearing age ---------------------------------

    const ARRIVED: Date = date!(2026 - 09 - 01);

    /// A woman born `born` (sequence 002: even, female).
    fn woman(born: &str) -> IdNumber {
        id(&format!("110105{born}002"))
    }

    #[test]
    fn filing_on_the_thirtieth_day_is_in_time_and_the_thirty_first_is_late() {
        let w = woman("19900307");
        let day_30 = date!(2026 - 10 - 01);
        assert_eq!(
            check_childbearing_filing(&w, ARRIVED, Some(day_30), TODAY),
            None
        );
        let late = check_childbearing_filing(&w, ARRIVED, Some(date!(2026 - 10 - 02)), TODAY);
        assert_eq!(
            late,
            Some(Finding::ChildbearingWomanNotFiled {
                arrived: ARRIVED,
                due: day_30,
                filed: Some(date!(2026 - 10 - 02))
            })
        );
    }

    #[test]
    fn not_filed_is_a_finding_only_once_the_thirty_days_are_over() {
        let w = woman("19900307");
        assert_eq!(
            check_childbearing_filing(&w, ARRIVED, None, date!(2026 - 10 - 01)),
            None
        );
        assert!(matches!(
            check_childbearing_filing(&w, ARRIVED, None, date!(2026 - 10 - 02)),
            Some(Finding::ChildbearingWomanNotFiled { filed: None, .. })
        ));
    }

    #[test]
    fn childbearing_age_is_15_to_49_on_the_given_date() {
        // On TODAY (2026-11-28): 49 until the 50th birthday on 2026-11-29.
        assert!(check_childbearing_filing(&woman("19761129"), ARRIVED, None, TODAY).is_some());
        assert_eq!(
            check_childbearing_filing(&woman("19761128"), ARRIVED, None, TODAY),
            None
        );
        assert!(check_childbearing_filing(&woman("20111128"), ARRIVED, None, TODAY).is_some());
        assert_eq!(
            check_childbearing_filing(&woman("20111129"), ARRIVED, None, TODAY),
            None
        );
    }

    #[test]
    fn men_are_not_judged_by_the_childbearing_rule() {
        let man = id("11010519900307001");
        assert_eq!(check_childbearing_filing(&man, ARRIVED, None, TODAY), None);
    }

    #[test]
    fn a_legacy_number_gives_sex_and_age_for_the_childbearing_rule() {
        // 15 digits, born 1980-03-07, sequence 002: a woman of 46.
        let w = IdNumber::parse_as_of("110105800307002", TODAY).expect("legacy");
        assert!(check_childbearing_filing(&w, ARRIVED, None, TODAY).is_some());
    }

    #[test]
    fn every_rule_has_a_distinct_code_and_both_messages() {
        let findings = [
            Finding::IdMissing,
            Finding::IdNonStandard(IdNumberError::WrongLength(3)),
            Finding::IdWrongCheckCharacter {
                expected: 'X',
                found: '1',
            },
            Finding::SexContradictsId {
                recorded: Sex::Male,
                from_id: Sex::Female,
            },
            Finding::BirthDateContradictsId {
                recorded: TODAY,
                from_id: ARRIVED,
            },
            Finding::AddressNotDownToTown {
                field: AddressField::Domicile,
                code: "110101".into(),
            },
            Finding::AddressUnknownDivision {
                field: AddressField::Current,
                code: "999999001".into(),
            },
            Finding::HouseWithoutSecurityAgreement,
            Finding::ResidentWithoutHouse,
            Finding::ChildbearingWomanNotFiled {
                arrived: ARRIVED,
                due: TODAY,
                filed: None,
            },
            Finding::ReasonForStayUnknown,
            Finding::DomicileFromIdNumber {
                code: "410102".into(),
            },
        ];
        let codes: std::collections::HashSet<_> = findings.iter().map(Finding::code).collect();
        assert_eq!(codes.len(), Rule::ALL.len());
        for finding in &findings {
            assert!(Rule::ALL.contains(&finding.rule()));
            assert!(finding.code().starts_with("quality_"));
            assert!(!finding.message_zh().is_empty() && !finding.message_en().is_empty());
            assert!(!finding.rule().name_zh().is_empty());
        }
    }

    // --- probable duplicates ---------------------------------------------

    fn candidate<'a>(
        record: i64,
        name: &'a str,
        pinyin: &'a str,
        id_number: Option<&'a str>,
        birth_date: Option<Date>,
    ) -> DuplicateCandidate<'a> {
        DuplicateCandidate {
            record,
            name,
            pinyin,
            id_number,
            birth_date,
        }
    }

    fn reasons_of(pairs: &[DuplicatePair], a: i64, b: i64) -> Option<Vec<DuplicateReason>> {
        pairs
            .iter()
            .find(|p| p.first == a.min(b) && p.second == a.max(b))
            .map(|p| p.reasons.clone())
    }

    #[test]
    fn same_name_and_birth_date_is_a_candidate() {
        let born = Some(date!(1990 - 03 - 07));
        let records = [
            candidate(1, "王芳", "wangfang", None, born),
            candidate(2, "王芳", "wangfang", None, born),
            candidate(3, "王芳", "wangfang", None, Some(date!(1991 - 03 - 07))),
        ];
        let pairs = probable_duplicates(&records);
        assert_eq!(
            reasons_of(&pairs, 1, 2),
            Some(vec![
                DuplicateReason::SameNameAndBirthDate,
                DuplicateReason::SamePinyinAndBirthYear
            ])
        );
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!(pairs[0].score, 80);
    }

    #[test]
    fn same_pinyin_and_birth_year_is_a_weaker_candidate() {
        let records = [
            candidate(1, "王芳", "wangfang", None, Some(date!(1990 - 03 - 07))),
            candidate(2, "汪方", "Wang Fang", None, Some(date!(1990 - 11 - 20))),
            candidate(3, "汪方", "wangfang", None, Some(date!(1991 - 01 - 01))),
        ];
        let pairs = probable_duplicates(&records);
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!(
            reasons_of(&pairs, 1, 2),
            Some(vec![DuplicateReason::SamePinyinAndBirthYear])
        );
        assert_eq!(pairs[0].score, 30);
    }

    #[test]
    fn one_digit_apart_is_found_with_its_position() {
        let good = with_check("11010519900307002");
        let mut typo = good.clone().into_bytes();
        typo[15] = b'5';
        let typo = String::from_utf8(typo).expect("ASCII");
        let records = [
            candidate(7, "李四", "lisi", Some(&good), None),
            candidate(3, "李思", "lisi", Some(&typo), None),
            candidate(9, "赵六", "zhaoliu", Some("12345"), None),
        ];
        let pairs = probable_duplicates(&records);
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!((pairs[0].first, pairs[0].second), (3, 7));
        assert_eq!(
            pairs[0].reasons,
            vec![DuplicateReason::IdDiffersInOneDigit { position: 15 }]
        );
        assert_eq!(pairs[0].score, 60);
    }

    #[test]
    fn lower_case_x_and_legacy_form_are_the_same_number() {
        let records = [
            candidate(1, "甲", "jia", Some("11010519491231002X"), None),
            candidate(2, "乙", "yi", Some("11010519491231002x"), None),
            candidate(3, "丙", "bing", Some("130503670401001"), None),
            candidate(4, "丁", "ding", Some("130503196704010016"), None),
        ];
        let pairs = probable_duplicates(&records);
        assert_eq!(
            reasons_of(&pairs, 1, 2),
            Some(vec![DuplicateReason::SameIdNumber])
        );
        assert_eq!(
            reasons_of(&pairs, 3, 4),
            Some(vec![DuplicateReason::SameIdNumber])
        );
        assert_eq!(pairs.len(), 2);
        assert!(pairs.iter().all(|p| p.score == 100));
    }

    #[test]
    fn implausible_numbers_are_not_paired_by_one_digit() {
        // Month 13 in both: no real birth date, so no one-digit pair.
        let records = [
            candidate(1, "甲", "jia", Some("110105199013070021"), None),
            candidate(2, "乙", "yi", Some("110105199013070022"), None),
        ];
        assert!(probable_duplicates(&records).is_empty());
    }

    #[test]
    fn the_same_record_is_never_paired_with_itself() {
        let n = with_check("11010519900307002");
        let born = Some(date!(1990 - 03 - 07));
        let records = [
            candidate(5, "王芳", "wangfang", Some(&n), born),
            candidate(5, "王芳", "wangfang", Some(&n), born),
        ];
        assert!(probable_duplicates(&records).is_empty());
    }

    #[test]
    fn pairs_come_highest_score_first() {
        let n = with_check("11010519900307002");
        let born = Some(date!(1990 - 03 - 07));
        let records = [
            candidate(1, "王芳", "wangfang", None, Some(date!(1990 - 01 - 01))),
            candidate(2, "汪方", "wangfang", None, Some(date!(1990 - 02 - 01))),
            candidate(3, "李四", "lisi", Some(&n), born),
            candidate(4, "李四", "lisi", Some(&n), born),
        ];
        let scores: Vec<u8> = probable_duplicates(&records)
            .iter()
            .map(|p| p.score)
            .collect();
        assert_eq!(scores, vec![100, 30]);
    }

    #[test]
    fn duplicates_of_keeps_the_pairs_naming_a_subject() {
        let born = Some(date!(1990 - 03 - 07));
        let subjects = [
            candidate(1, "王芳", "wangfang", None, born),
            candidate(2, "王芳", "wangfang", None, born),
        ];
        let others = [
            candidate(3, "王芳", "wangfang", None, born),
            candidate(4, "李四", "lisi", None, born),
            candidate(5, "李四", "lisi", None, born),
        ];
        let pairs = duplicates_of(&subjects, &others);
        let found: Vec<(i64, i64)> = pairs.iter().map(|p| (p.first, p.second)).collect();
        assert_eq!(found, [(1, 2), (1, 3), (2, 3)], "{pairs:?}");
        let all = probable_duplicates(&[subjects.as_slice(), others.as_slice()].concat());
        for pair in &pairs {
            assert!(all.contains(pair), "scored as the whole finder scores it");
        }
    }

    #[test]
    fn the_numbers_paired_with_a_number_are_its_forms_and_its_neighbours() {
        assert_eq!(numbers_paired_with("12345"), None);
        assert_eq!(numbers_paired_with("110105199013070021"), None);
        let n = with_check("11010519900307002");
        let paired = numbers_paired_with(&n).expect("plausible");
        assert_eq!(paired.same, [n.clone(), "110105900307002".to_owned()]);
        // 17 digits × 9 others + 10 others last, less the impossible dates
        // (month digits 2–9 in the tens, 0 in the units of 10; day tens 4–9).
        assert!(paired.one_digit.len() < 17 * 9 + 10);
        assert!(!paired.one_digit.contains(&n));
        let legacy = numbers_paired_with("110105900307002").expect("legacy");
        assert_eq!(legacy.same, paired.same);
        assert_eq!(legacy.one_digit, paired.one_digit);
        let lower = numbers_paired_with(&with_check("11010519491231002").to_lowercase());
        assert!(lower.is_some_and(|p| p.same[0].ends_with('X')));
    }

    #[test]
    fn every_number_paired_by_number_is_one_the_finder_pairs() {
        let n = with_check("11010519900307002");
        let paired = numbers_paired_with(&n).expect("plausible");
        for (forms, reason) in [
            (&paired.same, DuplicateReason::SameIdNumber),
            (
                &paired.one_digit,
                DuplicateReason::IdDiffersInOneDigit { position: 0 },
            ),
        ] {
            for form in forms {
                let records = [
                    candidate(1, "甲", "jia", Some(&n), None),
                    candidate(2, "乙", "yi", Some(form), None),
                ];
                let reasons = reasons_of(&probable_duplicates(&records), 1, 2);
                let reasons = reasons.unwrap_or_default();
                assert_eq!(reasons.len(), 1, "{form}: {reasons:?}");
                assert_eq!(reasons[0].code(), reason.code(), "{form}");
            }
        }
    }

    fn real_date() -> impl Strategy<Value = Date> {
        let first = date!(1900 - 01 - 01).to_julian_day();
        (first..=TODAY.to_julian_day())
            .prop_map(|day| Date::from_julian_day(day).expect("day in range"))
    }

    prop_compose! {
        fn valid_number()(
            address in "[0-9]{6}",
            birth in real_date(),
            sequence in 0u32..1000,
        ) -> String {
            let ymd = format!("{:04}{:02}{:02}", birth.year(), u8::from(birth.month()), birth.day());
            with_check(&format!("{address}{ymd}{sequence:03}"))
        }
    }

    proptest! {
        #[test]
        fn a_pair_differing_in_one_digit_is_always_found(
            number in valid_number(),
            position in 0usize..18,
            replacement in prop::sample::select(b"0123456789X".to_vec()),
            others in prop::collection::vec(valid_number(), 0..20),
        ) {
            let mut bytes = number.clone().into_bytes();
            prop_assume!(bytes[position] != replacement);
            prop_assume!(position == 17 || replacement != b'X');
            bytes[position] = replacement;
            let changed = String::from_utf8(bytes).expect("ASCII");
            prop_assume!(has_real_birth_date(&changed[6..14]));
            let mut records = vec![
                candidate(1, "甲", "jia", Some(&number), None),
                candidate(2, "乙", "yi", Some(&changed), None),
            ];
            for (i, other) in others.iter().enumerate() {
                records.push(candidate(10 + i as i64, "丙", "bing", Some(other), None));
            }
            let pairs = probable_duplicates(&records);
            let reasons = reasons_of(&pairs, 1, 2).unwrap_or_default();
            prop_assert!(
                reasons.contains(&DuplicateReason::IdDiffersInOneDigit { position: position as u8 }),
                "{} / {}: {:?}", number, changed, pairs
            );
        }

        #[test]
        fn every_one_digit_pair_is_among_the_numbers_paired_with_either(
            number in valid_number(),
            position in 0usize..18,
            replacement in prop::sample::select(b"0123456789X".to_vec()),
        ) {
            let mut bytes = number.clone().into_bytes();
            prop_assume!(bytes[position] != replacement);
            prop_assume!(position == 17 || replacement != b'X');
            bytes[position] = replacement;
            let changed = String::from_utf8(bytes).expect("ASCII");
            let paired = numbers_paired_with(&number).expect("valid is plausible");
            let found = paired.one_digit.contains(&changed);
            prop_assert_eq!(found, has_real_birth_date(&changed[6..14]), "{}", changed);
            if found {
                let back = numbers_paired_with(&changed).expect("plausible");
                prop_assert!(back.one_digit.contains(&number));
            }
        }

        #[test]
        fn identical_numbers_are_never_one_digit_pairs(
            number in valid_number(),
            copies in 2usize..5,
        ) {
            let records: Vec<_> = (0..copies)
                .map(|i| candidate(i as i64, "甲", "jia", Some(number.as_str()), None))
                .collect();
            let pairs = probable_duplicates(&records);
            prop_assert_eq!(pairs.len(), copies * (copies - 1) / 2);
            for pair in pairs {
                prop_assert_eq!(pair.reasons, vec![DuplicateReason::SameIdNumber]);
            }
        }

        #[test]
        fn the_finder_never_panics(
            raw in prop::collection::vec("\\PC{0,20}", 0..8),
        ) {
            let records: Vec<_> = raw
                .iter()
                .enumerate()
                .map(|(i, r)| candidate(i as i64, r, r, Some(r.as_str()), None))
                .collect();
            let _ = probable_duplicates(&records);
        }
    }
}
