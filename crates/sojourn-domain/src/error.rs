use thiserror::Error;

/// An error that can explain itself to a clerk: a stable machine code plus a
/// message in zh-CN and in English. Every parser and rule error implements it
/// so the web layer can answer in the user's language without a lookup table.
pub trait Localized {
    /// Stable, snake_case code that API clients may match on.
    fn code(&self) -> &'static str;
    /// Message in simplified Chinese, for the UI and API.
    fn message_zh(&self) -> String;
    /// Message in English.
    fn message_en(&self) -> String;
}

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
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}
