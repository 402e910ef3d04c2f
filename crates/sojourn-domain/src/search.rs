//! One search box for everything: what a clerk types is read as an ID
//! number (or its first digits), a phone number, pinyin, or a name.

use crate::codes::IdNumber;

/// How a search text is to be looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// A whole, valid identity number: an exact lookup.
    IdNumber(IdNumber),
    /// Digits (and a trailing X), 6 to 17 long: an ID-number prefix, or a
    /// phone number when it starts with 1 and has 11 digits.
    Digits(String),
    /// ASCII letters: pinyin initials (`zs`) or full pinyin (`zhangsan`),
    /// both matched as prefixes.
    Pinyin(String),
    /// Anything else: a name prefix.
    Name(String),
}

impl SearchTerm {
    /// Reads the search box; `None` when it is blank.
    pub fn parse(input: &str) -> Option<Self> {
        let text: String = crate::codes::normalise_code_input(input);
        if text.is_empty() {
            return None;
        }
        if let Ok(id) = IdNumber::parse(&text) {
            return Some(Self::IdNumber(id));
        }
        let upper = text.to_ascii_uppercase();
        let digits_like = upper
            .trim_end_matches('X')
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-');
        if digits_like && upper.bytes().any(|b| b.is_ascii_digit()) {
            return Some(Self::Digits(upper.replace('-', "")));
        }
        if text.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Some(Self::Pinyin(text.to_ascii_lowercase()));
        }
        Some(Self::Name(input.trim().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_box_is_read_by_shape() {
        assert!(matches!(
            SearchTerm::parse("11010519491231002x"),
            Some(SearchTerm::IdNumber(_))
        ));
        assert_eq!(
            SearchTerm::parse("138 0013"),
            Some(SearchTerm::Digits("1380013".into()))
        );
        assert_eq!(
            SearchTerm::parse("ZS"),
            Some(SearchTerm::Pinyin("zs".into()))
        );
        assert_eq!(
            SearchTerm::parse(" 张三 "),
            Some(SearchTerm::Name("张三".into()))
        );
        assert_eq!(SearchTerm::parse("  "), None);
    }
}
