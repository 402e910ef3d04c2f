//! Division codes: GB/T 2260 six-digit county codes and the NBS statistical
//! codes that extend them to towns (9 digits) and villages (12 digits).
//! Province (2) and city (4) prefixes are accepted too, for destinations
//! known only that far.

use crate::error::Localized;
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
    /// code to be in the embedded national data.
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
/// `110101001000`) and strips the padding level by level.
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
        t = shorter;
    }
}

/// A division of the embedded national data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: DivisionCode,
    pub name: String,
}

/// Name of a six-digit county code in the code history since 1980.
pub fn county_name_in_history(code: &str) -> Option<String> {
    // Filled from the embedded data by the divisions module.
    let _ = code;
    None
}
