//! Phone numbers as residents and employers give them: an 11-digit mainland
//! mobile number, or a landline with its area code (010-12345678,
//! 0755 1234 5678, (0755)86123456, +86 10 6512 3456), optionally with an
//! extension after 转.

use super::normalise_code_input;
use crate::localized::Localized;
use thiserror::Error;

/// A checked phone number: a mobile as its 11 digits, a landline as
/// `area-local` or `area-local-extension`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhoneError {
    #[error(
        "{0:?} is neither an 11-digit mobile number (1 then 3–9) nor a landline with area code such as 010-12345678"
    )]
    Unrecognised(String),
}

impl Localized for PhoneError {
    fn code(&self) -> &'static str {
        "phone_invalid"
    }

    fn message_zh(&self) -> String {
        let Self::Unrecognised(s) = self;
        format!(
            "“{s}”不是有效电话号码：手机号为以13–19开头的11位数字，固定电话须带区号，如 010-12345678 或 0755-86123456转801"
        )
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// Longest extension accepted after 转 (switchboards use up to 6 digits).
const MAX_EXTENSION_DIGITS: usize = 6;

impl Phone {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let text = normalise_code_input(input).replace(['(', ')'], "-");
        canonical_form(&text)
            .map(Self)
            .ok_or_else(|| PhoneError::Unrecognised(input.trim().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        is_mobile(&self.0)
    }

    /// `138****1234` for mobiles; landlines keep area code and last four
    /// digits of the local number and drop the extension.
    pub fn masked(&self) -> String {
        if self.is_mobile() {
            return format!("{}****{}", &self.0[..3], &self.0[7..]);
        }
        let mut parts = self.0.split('-');
        let area = parts.next().unwrap_or_default();
        let local = parts.next().unwrap_or_default();
        let keep = local.len().saturating_sub(4);
        format!("{area}-{}{}", "*".repeat(keep), &local[keep..])
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stored form of a number already folded to ASCII, if it is one.
fn canonical_form(text: &str) -> Option<String> {
    let (text, international) = strip_country_code(text);
    let (number, extension) = split_extension(text)?;
    let groups: Vec<&str> = number.split('-').filter(|g| !g.is_empty()).collect();
    if groups.is_empty() || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let digits = groups.concat();
    if is_mobile(&digits) && extension.is_none() {
        return Some(digits);
    }
    // After +86 the trunk prefix 0 of an area code is left out, though
    // people often write it anyway.
    let trunk = if international && !digits.starts_with('0') {
        "0"
    } else {
        ""
    };
    let area_len = area_code_len(&format!("{trunk}{}", groups[0]), groups.len() > 1)?;
    landline(&format!("{trunk}{digits}"), area_len, extension)
}

fn is_mobile(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    bytes.len() == 11
        && bytes[0] == b'1'
        && matches!(bytes[1], b'3'..=b'9')
        && bytes.iter().all(u8::is_ascii_digit)
}

/// `+86`, `0086` and, before a mobile, a bare `86`; `true` when one was
/// there.
fn strip_country_code(text: &str) -> (&str, bool) {
    let text = text.trim_start_matches('-');
    for prefix in ["+86", "0086"] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return (rest.trim_start_matches('-'), true);
        }
    }
    match text.strip_prefix("86") {
        Some(rest) if is_mobile(rest) => (rest, true),
        _ => (text, false),
    }
}

/// Splits `0755-86123456转801` into the number and its extension; `None`
/// when the extension is empty, too long or not digits.
fn split_extension(text: &str) -> Option<(&str, Option<&str>)> {
    let Some((number, extension)) = text.split_once('转') else {
        return Some((text, None));
    };
    let well_formed = (1..=MAX_EXTENSION_DIGITS).contains(&extension.len())
        && extension.bytes().all(|b| b.is_ascii_digit());
    well_formed.then_some((number, Some(extension)))
}

/// Length of the area code at the start of the number. Area codes are 010,
/// 020–029 (3 digits) or 0310–0999 (4 digits); when the clerk separated the
/// area code, its length must agree with that.
fn area_code_len(first_group: &str, separated: bool) -> Option<usize> {
    let bytes = first_group.as_bytes();
    if bytes.len() < 3 || bytes[0] != b'0' {
        return None;
    }
    let expected = match bytes[1] {
        b'1' if bytes[2] == b'0' => 3,
        b'2' => 3,
        b'3'..=b'9' => 4,
        _ => return None,
    };
    (!separated || first_group.len() == expected).then_some(expected)
}

/// Local numbers have 7 or 8 digits and start with 2–9.
fn landline(digits: &str, area_len: usize, extension: Option<&str>) -> Option<String> {
    let (area, local) = digits.split_at_checked(area_len)?;
    let local_ok = (7..=8).contains(&local.len()) && !local.starts_with(['0', '1']);
    if !local_ok {
        return None;
    }
    Some(match extension {
        Some(extension) => format!("{area}-{local}-{extension}"),
        None => format!("{area}-{local}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parsed(input: &str) -> Result<String, PhoneError> {
        Phone::parse(input).map(|p| p.0)
    }

    #[test]
    fn mobiles_are_recognised_with_or_without_country_code() {
        for input in [
            "138 0013 8000",
            "+86 13800138000",
            "008613800138000",
            "8613800138000",
        ] {
            assert_eq!(parsed(input), Ok("13800138000".into()), "{input}");
        }
        assert_eq!(parsed("１３８-0013-8000"), Ok("13800138000".into()));
    }

    #[test]
    fn landlines_are_recognised_in_the_usual_spellings() {
        assert_eq!(parsed("010-65123456"), Ok("010-65123456".into()));
        assert_eq!(parsed("075586123456"), Ok("0755-86123456".into()));
        assert_eq!(parsed("(0755)86123456"), Ok("0755-86123456".into()));
        assert_eq!(
            parsed("（０２１）６２１２３４５６"),
            Ok("021-62123456".into())
        );
        assert_eq!(parsed("0898-6612345"), Ok("0898-6612345".into()));
        assert_eq!(parsed("+86 10 6512 3456"), Ok("010-65123456".into()));
        assert_eq!(parsed("+86-755-86123456"), Ok("0755-86123456".into()));
        assert_eq!(parsed("+86 0755 86123456"), Ok("0755-86123456".into()));
    }

    #[test]
    fn extensions_after_zhuan_are_kept() {
        assert_eq!(parsed("0755-86123456转801"), Ok("0755-86123456-801".into()));
        assert!(Phone::parse("0755-86123456转").is_err());
        assert!(Phone::parse("13800138000转8").is_err());
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "12345",
            "23800138000",
            "1380013800",
            "12800138000",
            "010-0123456",
            "0101-2345678",
            "0755-123456",
            "65123456",
            "abc",
            "",
            "-",
            "+86",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn masking_keeps_head_and_tail() {
        let masked = |input: &str| Phone::parse(input).map(|p| p.masked());
        assert_eq!(masked("13812341234"), Ok("138****1234".into()));
        assert_eq!(masked("010-65123456"), Ok("010-****3456".into()));
        assert_eq!(masked("0898-6612345转12"), Ok("0898-***2345".into()));
    }

    #[test]
    fn the_error_explains_itself() {
        let error = Phone::parse("12345").expect_err("too short");
        assert_eq!(error.code(), "phone_invalid");
        assert!(error.message_zh().contains("12345"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(input in "\\PC{0,30}") {
            let _ = Phone::parse(&input);
        }

        #[test]
        fn parse_never_panics_on_phone_like_input(input in "[0-9+()（） \\-转]{0,20}") {
            if let Ok(phone) = Phone::parse(&input) {
                prop_assert_eq!(Phone::parse(phone.as_str()), Ok(phone.clone()));
                let _ = phone.masked();
            }
        }

        #[test]
        fn every_mobile_number_parses_and_masks(number in "1[3-9][0-9]{9}") {
            let phone = Phone::parse(&number).expect("mobile");
            prop_assert!(phone.is_mobile());
            prop_assert_eq!(phone.masked(), format!("{}****{}", &number[..3], &number[7..]));
        }

        #[test]
        fn landlines_round_trip(
            area in "010|02[0-9]|0[3-9][0-9]{2}",
            local in "[2-9][0-9]{6,7}",
        ) {
            let phone = Phone::parse(&format!("{area}{local}")).expect("landline");
            prop_assert_eq!(phone.as_str(), format!("{area}-{local}"));
            prop_assert_eq!(Phone::parse(phone.as_str()), Ok(phone));
        }
    }
}
