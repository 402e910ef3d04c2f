//! GB 11643-1999 citizen identity number (公民身份号码): six digits of the
//! issuing county's address code, eight of birth date, three of sequence
//! (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.

use super::division;
use super::normalise_code_input;
use super::tables::Sex;
use crate::error::Localized;
use thiserror::Error;
use time::{Date, Month};

/// A checked 18-character identity number, upper-case `X` as check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

/// Why an identity number was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdNumberError {
    #[error("an identity number has 18 characters (or 15 for old numbers), this has {0}")]
    WrongLength(usize),
    #[error("only digits are allowed, with X as the last character")]
    InvalidCharacter,
    #[error("the birth date {0} does not exist")]
    InvalidBirthDate(String),
    #[error("the birth date {date} is in the future")]
    BirthDateInFuture { date: Date },
    #[error("wrong check character: expected {expected}, found {found}")]
    WrongCheckCharacter { expected: char, found: char },
    #[error("the number lost its last digits (stored as a number in a spreadsheet): {0}")]
    LostPrecision(String),
}

impl Localized for IdNumberError {
    fn code(&self) -> &'static str {
        match self {
            Self::WrongLength(_) => "id_number_length",
            Self::InvalidCharacter => "id_number_character",
            Self::InvalidBirthDate(_) => "id_number_birth_date",
            Self::BirthDateInFuture { .. } => "id_number_birth_date_future",
            Self::WrongCheckCharacter { .. } => "id_number_check_character",
            Self::LostPrecision(_) => "id_number_lost_precision",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::WrongLength(n) => format!("身份证号码应为18位（旧号码为15位），实际为{n}位"),
            Self::InvalidCharacter => "身份证号码只能由数字组成，最后一位可以是X".into(),
            Self::InvalidBirthDate(d) => format!("身份证号码中的出生日期 {d} 不存在"),
            Self::BirthDateInFuture { date } => {
                format!("身份证号码中的出生日期 {date} 晚于今天")
            }
            Self::WrongCheckCharacter { expected, found } => {
                format!("身份证号码校验位错误：应为 {expected}，实际为 {found}，请核对号码")
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

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// ISO 7064 MOD 11-2 check character of the first 17 digits.
pub fn check_character(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
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
        let text = normalise_code_input(input).to_ascii_uppercase();
        if looks_like_scientific_notation(&text) {
            return Err(IdNumberError::LostPrecision(text));
        }
        let text = match text.len() {
            18 => text,
            15 => upgrade_legacy(&text)?,
            _ => return Err(IdNumberError::WrongLength(text.chars().count())),
        };
        let bytes = text.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdNumberError::InvalidCharacter);
        }
        let birth = birth_date_of(&text)?;
        if birth > today {
            return Err(IdNumberError::BirthDateInFuture { date: birth });
        }
        let expected = check_character(&bytes[..17]);
        let found = bytes[17] as char;
        if expected != found {
            return Err(IdNumberError::WrongCheckCharacter { expected, found });
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit address code of the county that issued the number.
    pub fn address_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> Date {
        // The parser proved the date exists; fall back to a fixed date so the
        // accessor stays total without an unwrap.
        birth_date_of(&self.0).unwrap_or(Date::MIN)
    }

    /// Sex from the parity of the 17th digit: odd for men, even for women.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
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
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl std::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `4.40113E+17` and its kin: what a spreadsheet shows after turning an
/// 18-digit number into a float.
fn looks_like_scientific_notation(text: &str) -> bool {
    text.contains('E') && text.contains('.') && text.len() < 18
}

/// 15-digit numbers (issued before 1999) have a two-digit year of the 1900s
/// and no check character: insert `19` and compute it.
fn upgrade_legacy(text: &str) -> Result<String, IdNumberError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdNumberError::InvalidCharacter);
    }
    let mut upgraded = String::with_capacity(18);
    upgraded.push_str(&text[..6]);
    upgraded.push_str("19");
    upgraded.push_str(&text[6..]);
    let check = check_character(upgraded.as_bytes());
    upgraded.push(check);
    Ok(upgraded)
}

fn birth_date_of(text: &str) -> Result<Date, IdNumberError> {
    let digits = &text[6..14];
    let invalid = || IdNumberError::InvalidBirthDate(digits.to_owned());
    let year: i32 = digits[..4].parse().map_err(|_| invalid())?;
    let month: u8 = digits[4..6].parse().map_err(|_| invalid())?;
    let day: u8 = digits[6..].parse().map_err(|_| invalid())?;
    let month = Month::try_from(month).map_err(|_| invalid())?;
    if year < 1800 {
        return Err(invalid());
    }
    Date::from_calendar_date(year, month, day).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);

    #[test]
    fn a_valid_number_gives_birth_date_and_sex() {
        let id = IdNumber::parse_as_of("11010519491231002X", TODAY).expect("valid");
        assert_eq!(id.birth_date(), date!(1949 - 12 - 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn lower_case_x_full_width_digits_and_spaces_are_normalised() {
        let id = IdNumber::parse_as_of(" ４４0113２0141005001x　", TODAY).expect("valid");
        assert_eq!(id.as_str(), "44011320141005001X");
    }

    #[test]
    fn fifteen_digit_numbers_are_upgraded() {
        let id = IdNumber::parse_as_of("130503670401001", TODAY).expect("valid");
        assert_eq!(id.as_str(), "130503196704010016");
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
    fn impossible_and_future_birth_dates_are_refused() {
        assert!(matches!(
            IdNumber::parse_as_of("360426199113010079", TODAY),
            Err(IdNumberError::InvalidBirthDate(_))
        ));
        let mut future = String::from("11010520270101001");
        future.push(check_character(future.as_bytes()));
        assert!(matches!(
            IdNumber::parse_as_of(&future, TODAY),
            Err(IdNumberError::BirthDateInFuture { .. })
        ));
    }

    #[test]
    fn numbers_mangled_by_a_spreadsheet_are_refused_with_that_reason() {
        assert!(matches!(
            IdNumber::parse_as_of("4.40113E+17", TODAY),
            Err(IdNumberError::LostPrecision(_))
        ));
    }
}
