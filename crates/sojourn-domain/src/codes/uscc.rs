//! GB 32100-2015 unified social credit code (统一社会信用代码): registration
//! authority (1), organisation type (1), division code of the registering
//! authority (6), organisation code (9) and a check character (1), over the
//! 31-character alphabet that leaves out I, O, S, V and Z.
//!
//! Like python-stdnum's `cn.uscc`, the parser strips spaces and hyphens,
//! upper-cases, and refuses on length, alphabet and the MOD 31 check
//! character; it does not refuse a code whose embedded organisation code
//! fails its own GB 11714 check (see [`Uscc::organisation_code_check_holds`]).
//! It differs on purpose in one place: stdnum wants the first eight
//! characters to be digits, but GB 32100 and its later assignments give
//! letter authorities too (A military, N agriculture: rural collective
//! economic organisations, Y other), so Sojourn accepts those and refuses
//! authorities that do not exist (0 and other letters).

use super::normalise_code_input;
use crate::localized::Localized;
use thiserror::Error;

/// A checked unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

/// Why a credit code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UsccError {
    #[error("a unified social credit code has 18 characters, this has {0}")]
    WrongLength(usize),
    #[error(
        "character {position} is {found:?}; only digits and capital letters except I, O, S, V and Z are allowed"
    )]
    InvalidCharacter { position: usize, found: char },
    #[error("the first character {0:?} is not a registration authority code")]
    InvalidAuthority(char),
    #[error("the second character {0:?} is not an organisation type code (a digit)")]
    InvalidOrganisationType(char),
    #[error("characters 3–8 must be the digits of a division code")]
    InvalidDivision,
    #[error(
        "wrong check character: expected {expected}, found {found}; the code was probably mistyped"
    )]
    WrongCheckCharacter { expected: char, found: char },
}

impl Localized for UsccError {
    fn code(&self) -> &'static str {
        match self {
            Self::WrongLength(_) => "uscc_length",
            Self::InvalidCharacter { .. } => "uscc_character",
            Self::InvalidAuthority(_) => "uscc_authority",
            Self::InvalidOrganisationType(_) => "uscc_organisation_type",
            Self::InvalidDivision => "uscc_division",
            Self::WrongCheckCharacter { .. } => "uscc_check_character",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::WrongLength(n) => format!("统一社会信用代码应为18位，实际为{n}位"),
            Self::InvalidCharacter { position, found } => format!(
                "统一社会信用代码第{position}位“{found}”无效：只能是数字或大写字母，且不使用 I、O、S、V、Z"
            ),
            Self::InvalidAuthority(c) => {
                format!("统一社会信用代码第1位“{c}”不是登记管理部门代码")
            }
            Self::InvalidOrganisationType(c) => {
                format!("统一社会信用代码第2位“{c}”不是机构类别代码（应为数字）")
            }
            Self::InvalidDivision => "统一社会信用代码第3至8位应为行政区划代码（6位数字）".into(),
            Self::WrongCheckCharacter { expected, found } => format!(
                "统一社会信用代码校验位错误：按前17位应为 {expected}，实际为 {found}，代码可能录错，请核对营业执照"
            ),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// GB 32100 character set: value of a character is its index.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weight of position i is 3^i mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// Registration authorities: 1–9 and A, N, Y (GB 32100 table 1 and the
/// codes assigned since).
const AUTHORITIES: &[u8] = b"123456789ANY";

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)
}

/// The check character of the first 17 characters; `None` unless there are
/// exactly 17, all in the alphabet.
pub fn check_character(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, weight) in first17.bytes().zip(WEIGHTS) {
        sum += value_of(c)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    Some(char::from(ALPHABET[check as usize]))
}

impl Uscc {
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let text: String = normalise_code_input(input)
            .chars()
            .filter(|c| *c != '-')
            .collect::<String>()
            .to_uppercase();
        let length = text.chars().count();
        if length != 18 {
            return Err(UsccError::WrongLength(length));
        }
        check_alphabet(&text)?;
        check_fixed_parts(text.as_bytes())?;
        let expected = check_character(&text[..17]).unwrap_or('?');
        let found = char::from(text.as_bytes()[17]);
        if expected != found {
            return Err(UsccError::WrongCheckCharacter { expected, found });
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Registration authority code (character 1), e.g. `9` for market
    /// regulation (工商), `5` for civil affairs (民政).
    pub fn registration_authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// Organisation type code within the authority (character 2).
    pub fn organisation_type(&self) -> char {
        char::from(self.0.as_bytes()[1])
    }

    /// Division code of the registering authority (characters 3–8).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// The embedded nine-character organisation code (characters 9–17).
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Whether the embedded organisation code passes its own GB 11714 check.
    /// A data-quality hint only: python-stdnum does not check it, and codes
    /// issued straight into the credit-code system are not bound to it.
    pub fn organisation_code_check_holds(&self) -> bool {
        let code = self.organisation_code().as_bytes();
        organisation_code_check(&code[..8]) == Some(char::from(code[8]))
    }
}

impl std::fmt::Display for Uscc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every character must be in the alphabet; names the first that is not.
fn check_alphabet(text: &str) -> Result<(), UsccError> {
    match text
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii() || value_of(*c as u8).is_none())
    {
        Some((index, found)) => Err(UsccError::InvalidCharacter {
            position: index + 1,
            found,
        }),
        None => Ok(()),
    }
}

/// Authority, organisation type and division code of 18 characters known
/// to be in the alphabet.
fn check_fixed_parts(bytes: &[u8]) -> Result<(), UsccError> {
    if !AUTHORITIES.contains(&bytes[0]) {
        return Err(UsccError::InvalidAuthority(char::from(bytes[0])));
    }
    if !bytes[1].is_ascii_digit() {
        return Err(UsccError::InvalidOrganisationType(char::from(bytes[1])));
    }
    if !bytes[2..8].iter().all(u8::is_ascii_digit) {
        return Err(UsccError::InvalidDivision);
    }
    Ok(())
}

/// GB 11714 check character of an organisation code's first eight
/// characters: digits count 0–9 and letters A–Z 10–35, weights below, and
/// 11 − (sum mod 11) written as a digit, `X` for 10 and `0` for 11.
fn organisation_code_check(first8: &[u8]) -> Option<char> {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let mut sum = 0;
    for (c, weight) in first8.iter().zip(WEIGHTS) {
        sum += char::from(*c).to_digit(36)? * weight;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        digit => char::from_digit(digit, 10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PUBLISHED: [&str; 7] = [
        "91110000600037341L",
        "121200004013590816",
        "91310115MA1K3BTP2B",
        "91340600MA2PBM9HXD",
        "9115220107837757XE",
        "91620105L015101280",
        "92340621MA2UK3PJXE",
    ];

    #[test]
    fn published_codes_are_valid_with_a_consistent_organisation_code() {
        for code in PUBLISHED {
            let uscc = Uscc::parse(code).expect(code);
            assert!(uscc.organisation_code_check_holds(), "{code}");
        }
    }

    #[test]
    fn parts_are_read_from_their_positions() {
        let uscc = Uscc::parse("91310115MA1K3BTP2B").expect("valid");
        assert_eq!(uscc.registration_authority(), '9');
        assert_eq!(uscc.organisation_type(), '1');
        assert_eq!(uscc.division_code(), "310115");
        assert_eq!(uscc.organisation_code(), "MA1K3BTP2");
    }

    #[test]
    fn spaces_hyphens_lower_case_and_full_width_are_normalised() {
        let uscc = Uscc::parse(" 9 1 110000-600037341ｌ ").expect("valid");
        assert_eq!(uscc.as_str(), "91110000600037341L");
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
            Err(UsccError::InvalidCharacter {
                position: 14,
                found: 'I'
            })
        );
        assert!(matches!(
            Uscc::parse("91110000600037341中"),
            Err(UsccError::InvalidCharacter { position: 18, .. })
        ));
    }

    #[test]
    fn authorities_and_types_that_do_not_exist_are_refused() {
        let with_check =
            |first17: &str| format!("{first17}{}", check_character(first17).expect("17"));
        assert_eq!(
            Uscc::parse(&with_check("01110000600037341")),
            Err(UsccError::InvalidAuthority('0'))
        );
        assert_eq!(
            Uscc::parse(&with_check("9A110000600037341")),
            Err(UsccError::InvalidOrganisationType('A'))
        );
        assert_eq!(
            Uscc::parse(&with_check("911A0000600037341")),
            Err(UsccError::InvalidDivision)
        );
        assert!(Uscc::parse(&with_check("N2110105MF0000001")).is_ok());
    }

    #[test]
    fn a_mismatched_organisation_code_is_only_a_hint() {
        let first17 = "911100006000373A1";
        let code = format!("{first17}{}", check_character(first17).expect("17"));
        let uscc = Uscc::parse(&code).expect("check character is right");
        assert!(!uscc.organisation_code_check_holds());
    }

    #[test]
    fn every_error_has_a_code_and_both_messages() {
        let errors = [
            UsccError::WrongLength(3),
            UsccError::InvalidCharacter {
                position: 2,
                found: 'O',
            },
            UsccError::InvalidAuthority('0'),
            UsccError::InvalidOrganisationType('A'),
            UsccError::InvalidDivision,
            UsccError::WrongCheckCharacter {
                expected: '1',
                found: '2',
            },
        ];
        for error in errors {
            assert!(error.code().starts_with("uscc_"));
            assert!(!error.message_zh().is_empty() && !error.message_en().is_empty());
        }
    }

    fn alphabet_char() -> impl Strategy<Value = u8> {
        prop::sample::select(ALPHABET.to_vec())
    }

    prop_compose! {
        fn valid_code()(
            authority in prop::sample::select(AUTHORITIES.to_vec()),
            kind in b'0'..=b'9',
            division in "[0-9]{6}",
            organisation in prop::collection::vec(alphabet_char(), 9),
        ) -> String {
            let mut first17 = String::from_utf8(vec![authority, kind]).expect("ASCII");
            first17.push_str(&division);
            first17.push_str(&String::from_utf8(organisation).expect("ASCII"));
            let check = check_character(&first17).expect("17 alphabet characters");
            format!("{first17}{check}")
        }
    }

    proptest! {
        #[test]
        fn generated_codes_parse_and_round_trip(code in valid_code()) {
            let uscc = Uscc::parse(&code).expect("valid by construction");
            prop_assert_eq!(uscc.as_str(), code.as_str());
            prop_assert_eq!(uscc.division_code(), &code[2..8]);
            prop_assert_eq!(Uscc::parse(&code.to_lowercase()), Ok(uscc));
        }

        #[test]
        fn changing_any_single_character_is_detected(
            code in valid_code(),
            position in 0usize..18,
            replacement in prop::sample::select(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec()),
        ) {
            let mut bytes = code.clone().into_bytes();
            if bytes[position] == replacement {
                return Ok(()); // not a change
            }
            bytes[position] = replacement;
            let changed = String::from_utf8(bytes).expect("ASCII");
            prop_assert!(Uscc::parse(&changed).is_err(), "{} -> {}", code, changed);
        }

        #[test]
        fn swapping_two_different_adjacent_characters_is_detected(
            code in valid_code(),
            position in 0usize..17,
        ) {
            let mut bytes = code.clone().into_bytes();
            if bytes[position] == bytes[position + 1] {
                return Ok(()); // swapping equal characters changes nothing
            }
            bytes.swap(position, position + 1);
            let changed = String::from_utf8(bytes).expect("ASCII");
            prop_assert!(Uscc::parse(&changed).is_err(), "{}", changed);
        }

        #[test]
        fn parse_never_panics(input in "\\PC{0,24}") {
            let _ = Uscc::parse(&input);
        }
    }
}
