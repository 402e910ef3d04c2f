//! Text values with the bounds the paper forms imply. Surrounding white space
//! (including the full-width space U+3000 that Chinese input methods type) is
//! trimmed; control characters are refused because they break ledgers and
//! Excel exports.

use crate::localized::Localized;
use thiserror::Error;

/// Why a text value was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains a control character")]
    ControlCharacter { field: &'static str },
    #[error("{field} contains characters that are not allowed in a name")]
    NotAName { field: &'static str },
}

impl Localized for TextError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty { .. } => "text_empty",
            Self::TooLong { .. } => "text_too_long",
            Self::ControlCharacter { .. } => "text_control_character",
            Self::NotAName { .. } => "text_not_a_name",
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::Empty { field } => format!("{}不能为空", field_zh(field)),
            Self::TooLong { field, max } => format!("{}不能超过{max}个字", field_zh(field)),
            Self::ControlCharacter { field } => format!("{}含有不可见的控制字符", field_zh(field)),
            Self::NotAName { field } => {
                format!("{}只能包含汉字、字母、间隔号“·”和空格", field_zh(field))
            }
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "address" => "地址",
        "organisation name" => "单位名称",
        "unit name" => "单位名称",
        "note" => "备注",
        "relation" => "关系",
        "collection place" => "采集地点",
        _ => "该项",
    }
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

fn bounded(input: &str, field: &'static str, max: usize) -> Result<String, TextError> {
    let trimmed = input.trim_matches(is_blank);
    if trimmed.is_empty() {
        return Err(TextError::Empty { field });
    }
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong { field, max });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter { field });
    }
    Ok(trimmed.to_owned())
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Longest value accepted, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims the input and checks its bounds.
            pub fn parse(input: &str) -> Result<Self, TextError> {
                bounded(input, $field, $max).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// A street address or house description, e.g. 东华门街道多福巷12号3单元201.
    Address, "address", 200
);
bounded_text!(
    /// A company or organisation name.
    OrgName, "organisation name", 100
);
bounded_text!(
    /// The name of a unit of the jurisdiction tree (community, grid, point).
    UnitName, "unit name", 60
);
bounded_text!(
    /// A short free-text note or reason.
    Note, "note", 500
);
bounded_text!(
    /// A family relation as the clerk writes it (父亲, 母亲, 子女 …).
    Relation, "relation", 20
);

/// A person's name as written on the identity card: Chinese characters, Latin
/// letters for some minority and naturalised names, the middle dot used in
/// transliterated names (阿卜杜·热合曼) and inner spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 50;

    pub fn parse(input: &str) -> Result<Self, TextError> {
        let text = bounded(input, "name", Self::MAX_CHARS)?;
        // Full-width and katakana middle dots are normalised to U+00B7.
        let text: String = text
            .chars()
            .map(|c| {
                if matches!(c, '•' | '・' | '．' | '.') {
                    '·'
                } else {
                    c
                }
            })
            .collect();
        if text.chars().all(is_name_char) {
            Ok(Self(text))
        } else {
            Err(TextError::NotAName { field: "name" })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as shown where it is sealed and masked (a legal
    /// representative): its first character, then a `*` for each of the
    /// others (钱法人 → `钱**`); a one-character name is all hidden.
    pub fn masked(&self) -> String {
        let mut chars = self.0.chars();
        let count = self.0.chars().count();
        match (chars.next(), count) {
            (Some(first), 2..) => std::iter::once(first)
                .chain(std::iter::repeat_n('*', count - 1))
                .collect(),
            _ => "*".to_owned(),
        }
    }

    /// Full pinyin without tones or spaces (张三 → `zhangsan`); letters are
    /// kept lower-cased and characters without a reading are dropped.
    pub fn pinyin_full(&self) -> String {
        self.pinyin_with(|p| p.to_owned())
    }

    /// Pinyin initials (张三 → `zs`).
    pub fn pinyin_initials(&self) -> String {
        self.pinyin_with(|p| p.chars().take(1).collect())
    }

    fn pinyin_with(&self, take: impl Fn(&str) -> String) -> String {
        use pinyin::ToPinyin;
        let mut out = String::with_capacity(self.0.len());
        for c in self.0.chars() {
            if c.is_ascii_alphabetic() {
                out.push(c.to_ascii_lowercase());
            } else if let Some(p) = c.to_pinyin() {
                out.push_str(&take(p.plain()));
            }
        }
        out
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_name_char(c: char) -> bool {
    c == '·' || c == ' ' || c.is_ascii_alphabetic() || is_cjk(c)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F | 0x3007)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_masked_name_keeps_its_first_character_only() {
        let masked = |n: &str| PersonName::parse(n).expect("name").masked();
        assert_eq!(masked("钱法人"), "钱**");
        assert_eq!(masked("阿卜杜·热合曼"), "阿******");
        assert_eq!(masked("张"), "*");
    }

    use super::*;

    #[test]
    fn names_are_trimmed_and_give_pinyin() {
        let name = PersonName::parse("\u{3000}张三 ").expect("valid name");
        assert_eq!(name.as_str(), "张三");
        assert_eq!(name.pinyin_full(), "zhangsan");
        assert_eq!(name.pinyin_initials(), "zs");
    }

    #[test]
    fn transliterated_names_keep_their_dot() {
        let name = PersonName::parse("阿卜杜•热合曼").expect("valid name");
        assert_eq!(name.as_str(), "阿卜杜·热合曼");
    }

    #[test]
    fn names_with_digits_or_blank_are_refused() {
        assert_eq!(
            PersonName::parse("张3"),
            Err(TextError::NotAName { field: "name" })
        );
        assert_eq!(
            PersonName::parse("  "),
            Err(TextError::Empty { field: "name" })
        );
    }

    #[test]
    fn over_long_text_is_refused() {
        let long = "路".repeat(201);
        assert_eq!(
            Address::parse(&long),
            Err(TextError::TooLong {
                field: "address",
                max: 200
            })
        );
        assert!(Address::parse(&"路".repeat(200)).is_ok());
    }
}
