//! The jurisdiction tree. A unit code is a materialized path: the NBS code of
//! a county (6 digits), town (9) or community/village (12), extended with 3
//! digits for a grid (15) and 3 more for a collection point (18). A subtree
//! is therefore every code starting with its root's code, which the store
//! reads as one range on an index.

use crate::codes::Phone;
use crate::localized::Localized;
use crate::text::{PersonName, UnitName};
use thiserror::Error;

/// Level of a unit in the tree, fixed by the length of its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitLevel {
    County,
    Town,
    Community,
    Grid,
    CollectionPoint,
}

impl UnitLevel {
    pub const ALL: [UnitLevel; 5] = [
        Self::County,
        Self::Town,
        Self::Community,
        Self::Grid,
        Self::CollectionPoint,
    ];

    pub fn code_len(self) -> usize {
        match self {
            Self::County => 6,
            Self::Town => 9,
            Self::Community => 12,
            Self::Grid => 15,
            Self::CollectionPoint => 18,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::County => "county",
            Self::Town => "town",
            Self::Community => "community",
            Self::Grid => "grid",
            Self::CollectionPoint => "collection_point",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::County => "县（区）",
            Self::Town => "街道（镇）",
            Self::Community => "社区（村）",
            Self::Grid => "网格",
            Self::CollectionPoint => "信息采集点",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.key() == key)
    }

    fn from_len(len: usize) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code_len() == len)
    }

    /// The level directly below, if any.
    pub fn child(self) -> Option<Self> {
        Self::from_len(self.code_len() + 3)
    }
}

/// Why a unit code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnitCodeError {
    #[error("{0:?} is not a unit code (6, 9, 12, 15 or 18 digits)")]
    Malformed(String),
    #[error("unit {0} is outside your jurisdiction or does not exist")]
    OutOfScope(String),
    #[error("the last three digits of a grid or collection point cannot be 000")]
    ZeroSuffix,
}

impl Localized for UnitCodeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "unit_code_malformed",
            Self::OutOfScope(_) => "unit_out_of_scope",
            Self::ZeroSuffix => "unit_code_zero_suffix",
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::Malformed(s) => format!("“{s}”不是单位代码（应为6、9、12、15或18位数字）"),
            Self::OutOfScope(s) => format!("单位 {s} 不在您的管辖范围内或不存在"),
            Self::ZeroSuffix => "网格或采集点代码的最后三位不能为000".into(),
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// A unit code of valid form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(input: &str) -> Result<Self, UnitCodeError> {
        let text = input.trim();
        let malformed = || UnitCodeError::Malformed(text.to_owned());
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let level = UnitLevel::from_len(text.len()).ok_or_else(malformed)?;
        if level >= UnitLevel::Grid && text.ends_with("000") {
            return Err(UnitCodeError::ZeroSuffix);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> UnitLevel {
        UnitLevel::from_len(self.0.len()).unwrap_or(UnitLevel::CollectionPoint)
    }

    pub fn parent(&self) -> Option<UnitCode> {
        (self.level() != UnitLevel::County).then(|| Self(self.0[..self.0.len() - 3].to_owned()))
    }

    /// Whether `other` is this unit or lies below it.
    pub fn contains(&self, other: &UnitCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The child code with a three-digit `suffix` (1–999).
    pub fn child(&self, suffix: u16) -> Result<UnitCode, UnitCodeError> {
        let child_level = self
            .level()
            .child()
            .ok_or_else(|| UnitCodeError::Malformed(self.0.clone()))?;
        if suffix == 0 || suffix > 999 {
            return Err(UnitCodeError::ZeroSuffix);
        }
        let code = format!("{}{suffix:03}", self.0);
        debug_assert_eq!(code.len(), child_level.code_len());
        Ok(Self(code))
    }
}

impl std::fmt::Display for UnitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A node of the jurisdiction tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub code: UnitCode,
    pub name: UnitName,
}

impl Unit {
    pub fn level(&self) -> UnitLevel {
        self.code.level()
    }
}

/// Whom a resident of a unit may call, as the contact card
/// (便民服务联系卡) prints it: the unit's coordinator and phone, and the
/// police officer for it. Each may be unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitContacts {
    pub coordinator: Option<PersonName>,
    pub phone: Option<Phone>,
    pub police_officer: Option<PersonName>,
    pub police_phone: Option<Phone>,
}

/// The subtree a caller may read and change. Every store method takes one;
/// it is made from the signed-in user's unit (the command line's own
/// commands: the deployment's root) and never from request input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    root: UnitCode,
}

impl Scope {
    /// The subtree under `root`, inclusive.
    pub fn of(root: UnitCode) -> Self {
        Self { root }
    }

    pub fn root(&self) -> &UnitCode {
        &self.root
    }

    pub fn contains(&self, code: &UnitCode) -> bool {
        self.root.contains(code)
    }

    /// Narrows to `unit` if it lies in this scope; a request may narrow its
    /// scope (a filter), never widen it.
    pub fn narrow_to(&self, unit: &UnitCode) -> Result<Scope, UnitCodeError> {
        if self.contains(unit) {
            Ok(Scope::of(unit.clone()))
        } else {
            Err(UnitCodeError::OutOfScope(unit.to_string()))
        }
    }

    /// The half-open string range `[low, high)` that holds every code of the
    /// subtree, for an index range scan: all codes are digits, so the next
    /// character after '9' (':') bounds the prefix.
    pub fn code_range(&self) -> (String, String) {
        (self.root.0.clone(), format!("{}:", self.root.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> UnitCode {
        UnitCode::parse(s).expect("valid code")
    }

    #[test]
    fn levels_follow_code_length() {
        assert_eq!(code("110101001").level(), UnitLevel::Town);
        assert_eq!(code("110101001001").level(), UnitLevel::Community);
        assert_eq!(code("110101001001002").level(), UnitLevel::Grid);
        assert_eq!(
            code("110101001001002003").parent(),
            Some(code("110101001001002"))
        );
    }

    #[test]
    fn scope_contains_its_subtree_only() {
        let scope = Scope::of(code("110101001001"));
        assert!(scope.contains(&code("110101001001")));
        assert!(scope.contains(&code("110101001001005")));
        assert!(!scope.contains(&code("110101001002")));
        assert!(!scope.contains(&code("110101001")));
        let (low, high) = scope.code_range();
        assert!(low.as_str() <= "110101001001999" && "110101001001999" < high.as_str());
        assert!("110101001002" >= high.as_str());
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["", "1101", "11010100100a", "110101001001000"] {
            assert!(UnitCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_scope_cannot_be_widened() {
        let scope = Scope::of(code("110101001001"));
        assert!(scope.narrow_to(&code("110101001001001")).is_ok());
        assert!(scope.narrow_to(&code("110101001")).is_err());
    }
}
