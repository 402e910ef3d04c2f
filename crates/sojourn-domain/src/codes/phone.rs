//! Phone numbers as residents give them: an 11-digit mainland mobile number,
//! or a landline with its area code (010-12345678, 0755 1234 5678).

use super::normalise_code_input;
use crate::error::Localized;
use thiserror::Error;

/// A checked phone number, stored without separators except one `-` after a
/// landline's area code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhoneError {
    #[error("{0:?} is neither an 11-digit mobile number nor a landline with area code")]
    Unrecognised(String),
}

impl Localized for PhoneError {
    fn code(&self) -> &'static str {
        "phone_invalid"
    }
    fn message_zh(&self) -> String {
        let Self::Unrecognised(s) = self;
        format!("“{s}”不是有效电话号码：手机号为以1开头的11位数字，固定电话须带区号，如 010-12345678")
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

impl Phone {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let refuse = || PhoneError::Unrecognised(input.trim().to_owned());
        let mut text = normalise_code_input(input);
        if let Some(rest) = text.strip_prefix("+86") {
            text = rest.to_owned();
        }
        let digits: String = text.chars().filter(|c| *c != '-').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse());
        }
        if is_mobile(&digits) {
            return Ok(Self(digits));
        }
        landline(&text, &digits).map(Self).ok_or_else(refuse)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        is_mobile(&self.0)
    }

    /// `138****1234` for mobiles; landlines keep area code and last four.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        let keep_head = if self.is_mobile() { 3 } else { self.0.find('-').map_or(4, |i| i + 1) };
        let stars = n.saturating_sub(keep_head + 4);
        format!("{}{}{}", &self.0[..keep_head], "*".repeat(stars), &self.0[n - 4..])
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_mobile(digits: &str) -> bool {
    digits.len() == 11 && digits.starts_with('1') && matches!(digits.as_bytes()[1], b'3'..=b'9')
}

/// Area codes are 010, 02X (3 digits) or 0XXX (4 digits); local numbers 7 or
/// 8 digits not starting with 0 or 1.
fn landline(text: &str, digits: &str) -> Option<String> {
    if !digits.starts_with('0') {
        return None;
    }
    let area_len = match text.split_once('-') {
        Some((area, _)) => area.len(),
        None if digits.starts_with("01") || digits.starts_with("02") => 3,
        None => 4,
    };
    if !(3..=4).contains(&area_len) || digits.len() <= area_len {
        return None;
    }
    let (area, local) = digits.split_at(area_len);
    let local_ok = (7..=8).contains(&local.len()) && !local.starts_with(['0', '1']);
    local_ok.then(|| format!("{area}-{local}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_and_landlines_are_recognised() {
        assert_eq!(Phone::parse("138 0013 8000").map(|p| p.0), Ok("13800138000".into()));
        assert_eq!(Phone::parse("+86 13800138000").map(|p| p.0), Ok("13800138000".into()));
        assert_eq!(Phone::parse("010-65123456").map(|p| p.0), Ok("010-65123456".into()));
        assert_eq!(Phone::parse("075586123456").map(|p| p.0), Ok("0755-86123456".into()));
    }

    #[test]
    fn garbage_is_refused() {
        for bad in ["12345", "23800138000", "1380013800", "010-0123456", "abc"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn masking_keeps_head_and_tail() {
        assert_eq!(Phone::parse("13812341234").map(|p| p.masked()), Ok("138****1234".into()));
        assert_eq!(Phone::parse("010-65123456").map(|p| p.masked()), Ok("010-****3456".into()));
    }
}
