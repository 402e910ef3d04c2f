//! Where the domain's errors are collected: the [`Localized`] trait they
//! all implement (defined in `localized.rs`, re-exported here and at the
//! crate root) and [`DomainError`], the register rules no single field
//! parser can see. Depends downward only (on the unit tree, for a level in
//! its messages); the parsers below do not name this module.

pub use crate::localized::Localized;
use thiserror::Error;

/// Violations of register rules that no single field parser can see.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("departure date {departed} is before the arrival date {arrived}")]
    DepartureBeforeArrival { arrived: String, departed: String },
    #[error("the residence has already been deregistered")]
    AlreadyDeparted,
    #[error("the residence is already active")]
    AlreadyActive,
    #[error("a {} cannot be created under a {}", .level.key(), .parent.key())]
    UnitLevelMismatch {
        level: crate::unit::UnitLevel,
        parent: crate::unit::UnitLevel,
    },
    #[error("left-behind family member must be 60 or older, or a child under 16 (age {age})")]
    NotLeftBehindAge { age: i32 },
    #[error("tenancy end {ended} is before its start {started}")]
    TenancyEndBeforeStart { started: String, ended: String },
    #[error("arrival date {arrived} is before the birth date {born}")]
    ArrivalBeforeBirth { born: String, arrived: String },
    #[error(
        "a stay is registered at a community (village), grid or collection point, not at a {}",
        .level.key()
    )]
    StayUnitAboveCommunity { level: crate::unit::UnitLevel },
    #[error("return date {returned} is before the leaving date {left}")]
    ReturnBeforeLeaving { left: String, returned: String },
    #[error("the outflow record is already closed: the person has returned")]
    AlreadyReturned,
    #[error("a minor under 16 (age {age}) is registered with a guardian")]
    GuardianRequired { age: i32 },
    #[error("a guardian must be an adult (18 or older); this one is {age}")]
    GuardianNotAdult { age: i32 },
    #[error("a minor cannot be their own guardian")]
    GuardianIsSelf,
    #[error(transparent)]
    Patrol(#[from] crate::patrol::PatrolError),
}

impl Localized for DomainError {
    fn code(&self) -> &'static str {
        match self {
            Self::DepartureBeforeArrival { .. } => "departure_before_arrival",
            Self::AlreadyDeparted => "already_departed",
            Self::AlreadyActive => "already_active",
            Self::UnitLevelMismatch { .. } => "unit_level_mismatch",
            Self::NotLeftBehindAge { .. } => "not_left_behind_age",
            Self::TenancyEndBeforeStart { .. } => "tenancy_end_before_start",
            Self::ArrivalBeforeBirth { .. } => "arrival_before_birth",
            Self::StayUnitAboveCommunity { .. } => "stay_unit_above_community",
            Self::ReturnBeforeLeaving { .. } => "return_before_leaving",
            Self::AlreadyReturned => "already_returned",
            Self::GuardianRequired { .. } => "guardian_required",
            Self::GuardianNotAdult { .. } => "guardian_not_adult",
            Self::GuardianIsSelf => "guardian_is_self",
            Self::Patrol(e) => e.code(),
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::DepartureBeforeArrival { arrived, departed } => {
                format!("注销日期 {departed} 早于来本地日期 {arrived}")
            }
            Self::AlreadyDeparted => "该居住记录已注销".into(),
            Self::AlreadyActive => "该居住记录已是在住状态".into(),
            Self::UnitLevelMismatch { level, parent } => {
                format!("不能在“{}”下建立“{}”", parent.name_zh(), level.name_zh())
            }
            Self::NotLeftBehindAge { age } => {
                format!("留守人员须为60周岁以上老人或16周岁以下儿童（实际 {age} 岁）")
            }
            Self::TenancyEndBeforeStart { started, ended } => {
                format!("退租日期 {ended} 早于入住日期 {started}")
            }
            Self::ArrivalBeforeBirth { born, arrived } => {
                format!("来本地日期 {arrived} 早于出生日期 {born}")
            }
            Self::StayUnitAboveCommunity { level } => format!(
                "居住地须登记到社区（村）、网格或信息采集点，不能登记在“{}”",
                level.name_zh()
            ),
            Self::ReturnBeforeLeaving { left, returned } => {
                format!("返回日期 {returned} 早于外出日期 {left}")
            }
            Self::AlreadyReturned => "该流出人口已登记返回，记录已关闭".into(),
            Self::GuardianRequired { age } => {
                format!("16周岁以下未成年人（{age} 岁）须登记监护人")
            }
            Self::GuardianNotAdult { age } => {
                format!("监护人须为18周岁以上成年人（实际 {age} 岁）")
            }
            Self::GuardianIsSelf => "监护人不能是未成年人本人".into(),
            Self::Patrol(e) => e.message_zh(),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    /// This module names the unit tree; were the tree, the text values or
    /// the codes below them to name this module again (or the crate-root
    /// re-exports of it), the circle error → unit → text → error would be
    /// back. They take [`super::Localized`] from `localized.rs` instead.
    #[test]
    fn the_modules_below_the_register_rules_do_not_name_them() {
        let below = [
            ("localized.rs", include_str!("localized.rs")),
            ("unit.rs", include_str!("unit.rs")),
            ("text.rs", include_str!("text.rs")),
            ("time_rules.rs", include_str!("time_rules.rs")),
            ("codes/mod.rs", include_str!("codes/mod.rs")),
            ("codes/division.rs", include_str!("codes/division.rs")),
            ("codes/id_number.rs", include_str!("codes/id_number.rs")),
            ("codes/phone.rs", include_str!("codes/phone.rs")),
            ("codes/place.rs", include_str!("codes/place.rs")),
            ("codes/tables.rs", include_str!("codes/tables.rs")),
            ("codes/uscc.rs", include_str!("codes/uscc.rs")),
        ];
        for (file, source) in below {
            for name in ["crate::error", "crate::DomainError", "crate::Localized"] {
                assert!(!source.contains(name), "{file} names {name}");
            }
        }
    }
}
