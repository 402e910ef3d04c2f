//! GB 32100-2015 unified social credit code (统一社会信用代码): registration
//! authority (1), organisation type (1), division code of the registering
//! authority (6), organisation code (9) and a check character (1), over the
//! 31-character alphabet that leaves out I, O, S, V and Z.

use super::normalise_code_input;
use crate::error::Localized;
use thiserror::Error;

/// A checked unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

/// Why a credit code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UsccError {
    #[error("a unified social credit code has 18 characters, this has {0}")]
    WrongLength(usize),
    #[error("character {0:?} is not allowed (digits and capital letters except I, O, S, V, Z)")]
    InvalidCharacter(char),
    #[error("the first character {0:?} is not a registration authority code")]
    InvalidAuthority(char),
    #[error("characters 3–8 must be digits of a division code")]
    InvalidDivision,
    #[error("wrong check character: expected {expected}, found {found}")]
    WrongCheckCharacter { expected: char, found: char },
}

impl Localized for UsccError {
    fn code(&self) -> &'static str {
        match self {
            Self::WrongLength(_) => "uscc_length",
            Self::InvalidCharacter(_) => "uscc_character",
            Self::InvalidAuthority(_) => "uscc_authority",
            Self::InvalidDivision => "uscc_division",
            Self::WrongCheckCharacter { .. } => "uscc_check_character",
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::WrongLength(n) => format!("统一社会信用代码应为18位，实际为{n}位"),
            Self::InvalidCharacter(c) => {
                format!("统一社会信用代码含有无效字符“{c}”（不使用 I、O、S、V、Z）")
            }
            Self::InvalidAuthority(c) => format!("统一社会信用代码第1位“{c}”不是登记管理部门代码"),
            Self::InvalidDivision => "统一社会信用代码第3至8位应为行政区划代码".into(),
            Self::WrongCheckCharacter { expected, found } => {
                format!("统一社会信用代码校验位错误：应为 {expected}，实际为 {found}")
            }
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)
}

/// The check character of the first 17 characters, which must all be in the
/// alphabet.
pub fn check_character(first17: &[u8]) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value_of(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

impl Uscc {
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let text = normalise_code_input(input).to_ascii_uppercase();
        let len = text.chars().count();
        if len != 18 {
            return Err(UsccError::WrongLength(len));
        }
        if let Some(bad) = text.bytes().find(|b| value_of(*b).is_none()) {
            return Err(UsccError::InvalidCharacter(bad as char));
        }
        let bytes = text.as_bytes();
        // Authorities: 1–9 and A, N, Y (GB 32100 table 1).
        if !matches!(bytes[0], b'1'..=b'9' | b'A' | b'N' | b'Y') {
            return Err(UsccError::InvalidAuthority(bytes[0] as char));
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(UsccError::InvalidDivision);
        }
        let expected = check_character(&bytes[..17]).ok_or(UsccError::InvalidCharacter('?'))?;
        let found = bytes[17] as char;
        if expected != found {
            return Err(UsccError::WrongCheckCharacter { expected, found });
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Division code of the registering authority (characters 3–8).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl std::fmt::Display for Uscc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_codes_are_valid() {
        for code in ["91110000600037341L", "91310115MA1K3BTP2B", "121200004013590816"] {
            assert!(Uscc::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn wrong_check_character_is_named() {
        assert_eq!(
            Uscc::parse("91110000600037341N"),
            Err(UsccError::WrongCheckCharacter {
                expected: 'L',
                found: 'N'
            })
        );
    }

    #[test]
    fn letters_outside_the_alphabet_are_refused() {
        assert_eq!(
            Uscc::parse("9111000060003IOZSV"),
            Err(UsccError::InvalidCharacter('I'))
        );
    }
}
