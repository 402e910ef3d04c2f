//! GB 11643-1999 citizen identity number (公民身份号码): six digits of the
//! issuing county's address code, eight of birth date, three of sequence
//! (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
//!
//! The checks run in the order python-stdnum's `cn.ric` runs them (length,
//! digits, check character, birth date), so both name the same fault when a
//! number has several. Sojourn differs from it on purpose in four places:
//! it upgrades 15-digit numbers, normalises more (full-width letters,
//! spaces inside the number), refuses birth dates in the future or before
//! 1900, and does not refuse an unknown address code (numbers keep the code
//! of the county that issued them, so that is a data-quality warning; see
//! [`IdNumber::issuing_county`]).

use super::division;
use super::normalise_code_input;
use super::tables::Sex;
use crate::localized::Localized;
use thiserror::Error;
use time::{Date, Month};

/// A checked 18-character identity number, upper-case `X` as check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber {
    text: String,
    birth: Date,
}

/// Why an identity number was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdNumberError {
    #[error("an identity number has 18 characters (or 15 for old numbers), this has {0}")]
    WrongLength(usize),
    #[error(
        "character {position} is {found:?}; only digits are allowed, with X as the last character"
    )]
    InvalidCharacter { position: usize, found: char },
    #[error(
        "wrong check character: expected {expected}, found {found}; the number was probably mistyped"
    )]
    WrongCheckCharacter { expected: char, found: char },
    #[error("the birth date {0} in the number does not exist")]
    InvalidBirthDate(String),
    #[error("the birth date {date} in the number is in the future")]
    BirthDateInFuture { date: Date },
    #[error("the birth date {date} in the number is before {EARLIEST_BIRTH_YEAR}")]
    BirthDateTooEarly { date: Date },
    #[error("the number lost its last digits (stored as a number in a spreadsheet): {0}")]
    LostPrecision(String),
}

impl Localized for IdNumberError {
    fn code(&self) -> &'static str {
        match self {
            Self::WrongLength(_) => "id_number_length",
            Self::InvalidCharacter { .. } => "id_number_character",
            Self::WrongCheckCharacter { .. } => "id_number_check_character",
            Self::InvalidBirthDate(_) => "id_number_birth_date",
            Self::BirthDateInFuture { .. } => "id_number_birth_date_future",
            Self::BirthDateTooEarly { .. } => "id_number_birth_date_too_early",
            Self::LostPrecision(_) => "id_number_lost_precision",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::WrongLength(n) => format!("身份证号码应为18位（旧号码为15位），实际为{n}位"),
            Self::InvalidCharacter { position, found } => {
                format!("身份证号码第{position}位“{found}”无效：只能由数字组成，最后一位可以是X")
            }
            Self::WrongCheckCharacter { expected, found } => format!(
                "身份证号码校验位错误：按前17位应为 {expected}，实际为 {found}，号码可能录错，请核对证件"
            ),
            Self::InvalidBirthDate(d) => format!("身份证号码中的出生日期 {d} 不存在"),
            Self::BirthDateInFuture { date } => {
                format!("身份证号码中的出生日期 {date} 晚于今天")
            }
            Self::BirthDateTooEarly { date } => {
                format!("身份证号码中的出生日期 {date} 早于{EARLIEST_BIRTH_YEAR}年，请核对证件")
            }
            Self::LostPrecision(s) => format!(
                "身份证号码 {s} 已被表格软件按数字保存而丢失末几位，请将该列设为文本后重新填写"
            ),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// No one born earlier is alive to be registered; a number that says so was
/// mistyped in a way its check character happened not to catch. The same
/// floor as the registers' birth dates ([`crate::time_rules::PastDate`]).
pub const EARLIEST_BIRTH_YEAR: i32 = 1900;

/// Weight of position i is 2^(17-i) mod 11 (ISO 7064 MOD 11-2).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder of the weighted sum mod 11.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// ISO 7064 MOD 11-2 check character of the first 17 digits; `None` unless
/// `first17` is exactly 17 ASCII digits.
pub fn check_character(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

impl IdNumber {
    /// Parses an 18-digit number, or upgrades a 15-digit legacy one, checking
    /// the birth date against China's today.
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        Self::parse_as_of(input, crate::time_rules::china_today())
    }

    /// As [`IdNumber::parse`], with "today" given (for tests and imports that
    /// fix the date once).
    pub fn parse_as_of(input: &str, today: Date) -> Result<Self, IdNumberError> {
        let text = normalise_code_input(input).to_uppercase();
        if looks_like_scientific_notation(&text) {
            return Err(IdNumberError::LostPrecision(text));
        }
        let text = match text.chars().count() {
            18 => text,
            15 => upgrade_legacy(&text)?,
            other => return Err(IdNumberError::WrongLength(other)),
        };
        check_check_character(&text)?;
        let birth = birth_date_of(&text)?;
        check_birth_date_is_plausible(birth, today)?;
        Ok(Self { text, birth })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The six-digit address code of the county that issued the number.
    pub fn address_code(&self) -> &str {
        &self.text[..6]
    }

    pub fn birth_date(&self) -> Date {
        self.birth
    }

    /// The three-digit sequence code (顺序码), digits 15–17.
    pub fn sequence_code(&self) -> &str {
        &self.text[14..17]
    }

    /// Sex from the parity of the 17th digit: odd for men, even for women.
    pub fn sex(&self) -> Sex {
        if (self.text.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Name of the issuing county as recorded in the code history (any time
    /// since 1980, abolished counties included), if the code is known. An
    /// unknown code is a data-quality warning, not a refusal.
    pub fn issuing_county(&self) -> Option<String> {
        division::county_name_in_history(self.address_code())
    }

    /// `110105********1234`: the form shown to roles that may not reveal.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.text[..6], &self.text[14..])
    }
}

impl std::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// `4.40113E+17` and its kin: what a spreadsheet shows after turning an
/// 18-digit number into a float.
fn looks_like_scientific_notation(text: &str) -> bool {
    text.contains('E') && text.contains('.') && text.chars().count() < 18
}

/// The first `count` characters of `text` when they are all ASCII digits;
/// otherwise the first offender, with its 1-based position.
fn leading_digits(text: &str, count: usize) -> Result<&str, IdNumberError> {
    let offender = text
        .chars()
        .take(count)
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit());
    match offender {
        Some((index, found)) => Err(IdNumberError::InvalidCharacter {
            position: index + 1,
            found,
        }),
        // All ASCII, so byte `count` is a character boundary.
        None => Ok(&text[..count]),
    }
}

/// The 18th character must be the check character of the first 17, which
/// must be digits. A letter there other than X is a wrong check character,
/// as stdnum also judges it.
fn check_check_character(text: &str) -> Result<(), IdNumberError> {
    let first17 = leading_digits(text, 17)?;
    let expected = check_character(first17).unwrap_or('?');
    // The first 17 are ASCII, so byte 17 starts the last character.
    let found = text[17..].chars().next().unwrap_or('?');
    if found == expected {
        Ok(())
    } else {
        Err(IdNumberError::WrongCheckCharacter { expected, found })
    }
}

fn check_birth_date_is_plausible(birth: Date, today: Date) -> Result<(), IdNumberError> {
    if birth > today {
        return Err(IdNumberError::BirthDateInFuture { date: birth });
    }
    if birth.year() < EARLIEST_BIRTH_YEAR {
        return Err(IdNumberError::BirthDateTooEarly { date: birth });
    }
    Ok(())
}

/// 15-digit numbers (issued before 1999) have a two-digit year of the 1900s
/// and no check character: GB 11643-1999 upgrades them by inserting `19` and
/// appending the check character.
fn upgrade_legacy(text: &str) -> Result<String, IdNumberError> {
    let digits = leading_digits(text, 15)?;
    let first17 = format!("{}19{}", &digits[..6], &digits[6..]);
    let check = check_character(&first17).unwrap_or('?');
    Ok(format!("{first17}{check}"))
}

/// The date in digits 7–14 of a number whose first 17 characters are known
/// to be ASCII digits. Year 0 does not exist in the Gregorian calendar
/// (python's `datetime` refuses it too), though `time` would accept it.
fn birth_date_of(text: &str) -> Result<Date, IdNumberError> {
    let digits = &text[6..14];
    let invalid = || IdNumberError::InvalidBirthDate(digits.to_owned());
    let year: i32 = digits[..4].parse().map_err(|_| invalid())?;
    let month: u8 = digits[4..6].parse().map_err(|_| invalid())?;
    let day: u8 = digits[6..].parse().map_err(|_| invalid())?;
    let month = Month::try_from(month).map_err(|_| invalid())?;
    if year == 0 {
        return Err(invalid());
    }
    Date::from_calendar_date(year, month, day).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);

    fn with_check(first17: &str) -> String {
        let check = check_character(first17).expect("17 digits");
        format!("{first17}{check}")
    }

    #[test]
    fn a_valid_number_gives_birth_date_sex_and_sequence() {
        let id = IdNumber::parse_as_of("11010519491231002X", TODAY).expect("valid");
        assert_eq!(id.birth_date(), date!(1949 - 12 - 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.address_code(), "110105");
        assert_eq!(id.sequence_code(), "002");
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn lower_case_x_full_width_digits_and_spaces_are_normalised() {
        let id = IdNumber::parse_as_of(" ４４0113２0141005001x\u{3000}", TODAY).expect("valid");
        assert_eq!(id.as_str(), "44011320141005001X");
        let id = IdNumber::parse_as_of("44011320141005001ｘ", TODAY).expect("valid");
        assert_eq!(id.as_str(), "44011320141005001X");
    }

    #[test]
    fn fifteen_digit_numbers_are_upgraded() {
        let id = IdNumber::parse_as_of("130503670401001", TODAY).expect("valid");
        assert_eq!(id.as_str(), "130503196704010016");
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn wrong_check_character_is_named() {
        assert_eq!(
            IdNumber::parse_as_of("36042619910102009X", TODAY),
            Err(IdNumberError::WrongCheckCharacter {
                expected: '3',
                found: 'X'
            })
        );
    }

    #[test]
    fn a_letter_in_the_check_position_is_a_wrong_check_character() {
        // python-stdnum answers InvalidChecksum here too, not InvalidFormat.
        assert_eq!(
            IdNumber::parse_as_of("11010519491231002A", TODAY),
            Err(IdNumberError::WrongCheckCharacter {
                expected: 'X',
                found: 'A'
            })
        );
    }

    #[test]
    fn a_letter_before_the_check_position_is_named_with_its_position() {
        assert_eq!(
            IdNumber::parse_as_of("T60426199101010078", TODAY),
            Err(IdNumberError::InvalidCharacter {
                position: 1,
                found: 'T'
            })
        );
        assert_eq!(
            IdNumber::parse_as_of("11010519491231中02X", TODAY),
            Err(IdNumberError::InvalidCharacter {
                position: 15,
                found: '中'
            })
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(
            IdNumber::parse_as_of("1101051949123100中", TODAY),
            Err(IdNumberError::WrongLength(17))
        );
    }

    #[test]
    fn the_check_character_is_judged_before_the_birth_date() {
        // Month 13 and a wrong check character: stdnum says InvalidChecksum.
        assert!(matches!(
            IdNumber::parse_as_of("360426199113010078", TODAY),
            Err(IdNumberError::WrongCheckCharacter { .. })
        ));
    }

    #[test]
    fn impossible_future_and_too_early_birth_dates_are_refused() {
        for first17 in [
            "36042619911301007",
            "11010519910230001",
            "11010500000101001",
        ] {
            assert!(
                matches!(
                    IdNumber::parse_as_of(&with_check(first17), TODAY),
                    Err(IdNumberError::InvalidBirthDate(_))
                ),
                "{first17}"
            );
        }
        assert!(matches!(
            IdNumber::parse_as_of(&with_check("11010520261129001"), TODAY),
            Err(IdNumberError::BirthDateInFuture { .. })
        ));
        assert!(IdNumber::parse_as_of(&with_check("11010520261128001"), TODAY).is_ok());
        assert!(matches!(
            IdNumber::parse_as_of(&with_check("11010518991231001"), TODAY),
            Err(IdNumberError::BirthDateTooEarly { .. })
        ));
    }

    #[test]
    fn numbers_mangled_by_a_spreadsheet_are_refused_with_that_reason() {
        assert!(matches!(
            IdNumber::parse_as_of("4.40113E+17", TODAY),
            Err(IdNumberError::LostPrecision(_))
        ));
    }

    #[test]
    fn every_error_has_a_code_and_both_messages() {
        let errors = [
            IdNumberError::WrongLength(3),
            IdNumberError::InvalidCharacter {
                position: 2,
                found: 'O',
            },
            IdNumberError::WrongCheckCharacter {
                expected: '1',
                found: '2',
            },
            IdNumberError::InvalidBirthDate("19911301".into()),
            IdNumberError::BirthDateInFuture { date: TODAY },
            IdNumberError::BirthDateTooEarly { date: TODAY },
            IdNumberError::LostPrecision("4.4E+17".into()),
        ];
        for error in errors {
            assert!(error.code().starts_with("id_number_"));
            assert!(!error.message_zh().is_empty() && !error.message_en().is_empty());
        }
    }

    fn real_date(from_year: i32, to: Date) -> impl Strategy<Value = Date> {
        let first = Date::from_calendar_date(from_year, Month::January, 1)
            .expect("1 January exists")
            .to_julian_day();
        (first..=to.to_julian_day())
            .prop_map(|day| Date::from_julian_day(day).expect("day in range"))
    }

    fn yyyymmdd(date: Date) -> String {
        format!(
            "{:04}{:02}{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
    }

    prop_compose! {
        /// Random address code, real birth date and sequence, plus check.
        fn valid_number()(
            address in "[0-9]{6}",
            birth in real_date(EARLIEST_BIRTH_YEAR, TODAY),
            sequence in 0u32..1000,
        ) -> (String, Date, u32) {
            (with_check(&format!("{address}{}{sequence:03}", yyyymmdd(birth))), birth, sequence)
        }
    }

    /// Digits, the check letter and letters clerks confuse with digits.
    fn replacement_char() -> impl Strategy<Value = u8> {
        prop::sample::select(b"0123456789XABOI".to_vec())
    }

    proptest! {
        #[test]
        fn generated_numbers_parse_and_round_trip((number, birth, sequence) in valid_number()) {
            let id = IdNumber::parse_as_of(&number, TODAY).expect("valid by construction");
            prop_assert_eq!(id.as_str(), number.as_str());
            prop_assert_eq!(id.birth_date(), birth);
            let sex = if sequence % 2 == 1 { Sex::Male } else { Sex::Female };
            prop_assert_eq!(id.sex(), sex);
            prop_assert_eq!(IdNumber::parse_as_of(id.as_str(), TODAY), Ok(id.clone()));
        }

        #[test]
        fn changing_any_single_character_is_detected(
            (number, _, _) in valid_number(),
            position in 0usize..18,
            replacement in replacement_char(),
        ) {
            let mut bytes = number.clone().into_bytes();
            if bytes[position] == replacement {
                return Ok(()); // not a change
            }
            bytes[position] = replacement;
            let changed = String::from_utf8(bytes).expect("ASCII");
            let verdict = IdNumber::parse_as_of(&changed, TODAY);
            prop_assert!(
                matches!(
                    verdict,
                    Err(IdNumberError::WrongCheckCharacter { .. } | IdNumberError::InvalidCharacter { .. })
                ),
                "{} -> {}: {:?}", number, changed, verdict
            );
        }

        #[test]
        fn swapping_two_different_adjacent_digits_is_detected(
            (number, _, _) in valid_number(),
            position in 0usize..16,
        ) {
            let mut bytes = number.clone().into_bytes();
            if bytes[position] == bytes[position + 1] {
                return Ok(()); // swapping equal characters changes nothing
            }
            bytes.swap(position, position + 1);
            let changed = String::from_utf8(bytes).expect("ASCII");
            prop_assert!(IdNumber::parse_as_of(&changed, TODAY).is_err(), "{}", changed);
        }

        #[test]
        fn legacy_upgrade_keeps_address_date_and_sequence(
            address in "[0-9]{6}",
            birth in real_date(1900, date!(1999 - 12 - 31)),
            sequence in 0u32..1000,
        ) {
            let date = yyyymmdd(birth);
            let legacy = format!("{address}{}{sequence:03}", &date[2..]);
            let id = IdNumber::parse_as_of(&legacy, TODAY).expect("valid legacy number");
            let first17 = format!("{address}{date}{sequence:03}");
            prop_assert_eq!(id.address_code(), address.as_str());
            prop_assert_eq!(id.birth_date(), birth);
            prop_assert_eq!(id.sequence_code(), format!("{sequence:03}"));
            prop_assert_eq!(id.as_str(), with_check(&first17));
            prop_assert_eq!(IdNumber::parse_as_of(&with_check(&first17), TODAY), Ok(id));
        }

        #[test]
        fn decorated_input_normalises_to_the_same_number(
            (number, _, _) in valid_number(),
            lead in "[ \t\u{3000}]{0,3}",
            trail in "[ \t\u{3000}]{0,3}",
            full_width in any::<bool>(),
        ) {
            let body: String = number
                .chars()
                .map(|c| match c {
                    'X' => 'x',
                    d if full_width => char::from_u32(d as u32 + 0xFEE0).unwrap_or(d),
                    d => d,
                })
                .collect();
            let id = IdNumber::parse_as_of(&format!("{lead}{body}{trail}"), TODAY)
                .expect("decorated valid number");
            prop_assert_eq!(id.as_str(), number.as_str());
        }

        #[test]
        fn parse_never_panics(input in "\\PC{0,24}") {
            let _ = IdNumber::parse_as_of(&input, TODAY);
        }

        #[test]
        fn parse_never_panics_on_digit_like_input(input in "[0-9xX.E+ ０-９中]{0,20}") {
            let _ = IdNumber::parse_as_of(&input, TODAY);
        }
    }
}
