//! Rental houses (出租房屋) and their landlords. People are found through the
//! houses they rent (以房管人): tenancies link a person to a house for a
//! period, and ended tenancies stay on record.

use crate::codes::{IdNumber, Phone, Uscc};
use crate::text::{Address, Note, OrgName, PersonName};
use crate::time_rules::PastDate;
use crate::unit::UnitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HouseId(pub i64);

/// Who rents the house out (谁出租谁负责).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landlord {
    Person {
        name: PersonName,
        id_number: IdNumber,
        phone: Option<Phone>,
    },
    Company {
        name: OrgName,
        uscc: Uscc,
        phone: Option<Phone>,
    },
}

impl Landlord {
    pub fn display_name(&self) -> &str {
        match self {
            Self::Person { name, .. } => name.as_str(),
            Self::Company { name, .. } => name.as_str(),
        }
    }

    pub fn phone(&self) -> Option<&Phone> {
        match self {
            Self::Person { phone, .. } | Self::Company { phone, .. } => phone.as_ref(),
        }
    }
}

/// What the house is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HouseUse {
    Residential,
    Commercial,
    Mixed,
    Dormitory,
    Other,
}

impl HouseUse {
    pub const ALL: [HouseUse; 5] = [
        Self::Residential,
        Self::Commercial,
        Self::Mixed,
        Self::Dormitory,
        Self::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Residential => "residential",
            Self::Commercial => "commercial",
            Self::Mixed => "mixed",
            Self::Dormitory => "dormitory",
            Self::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Residential => "居住",
            Self::Commercial => "经营",
            Self::Mixed => "居住兼经营",
            Self::Dormitory => "集体宿舍",
            Self::Other => "其他",
        }
    }

    /// Accepts the key or the Chinese name.
    pub fn parse(input: &str) -> Option<Self> {
        let text = input.trim();
        Self::ALL
            .into_iter()
            .find(|u| u.key() == text || u.name_zh() == text)
    }
}

/// Filing (备案) with the authorities; a house rented out without it is
/// flagged (无证出租).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filing {
    NotFiled,
    Filed { on: PastDate },
}

/// What a clerk records about a rental house.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseDetails {
    pub unit: UnitCode,
    pub address: Address,
    pub landlord: Landlord,
    /// Rooms let out; at least one.
    pub rooms: u16,
    pub usage: HouseUse,
    pub filing: Filing,
    /// When the landlord signed the security-responsibility agreement
    /// (治安责任书), if they have.
    pub security_agreement_on: Option<PastDate>,
}

/// A rental house as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct House {
    pub id: HouseId,
    pub details: HouseDetails,
    pub version: i64,
}

/// What a safety inspection (安全检查) of a rental house found. Issues
/// found must say what they are; a pass may carry a remark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectionOutcome {
    Passed { remark: Option<Note> },
    IssuesFound { issues: Note },
}

impl InspectionOutcome {
    /// `passed` or `issues_found`, as stored and as forms send it.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Passed { .. } => "passed",
            Self::IssuesFound { .. } => "issues_found",
        }
    }

    /// The remark of a pass or the issues found.
    pub fn notes(&self) -> Option<&Note> {
        match self {
            Self::Passed { remark } => remark.as_ref(),
            Self::IssuesFound { issues } => Some(issues),
        }
    }
}

/// A safety inspection of a house: when, by whom, and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub inspected_on: PastDate,
    /// Who inspected (not necessarily who types it in).
    pub inspector: PersonName,
    pub outcome: InspectionOutcome,
}

/// An inspection as kept with its house; inspections are only added,
/// never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedInspection {
    pub id: i64,
    pub house: HouseId,
    pub inspection: Inspection,
    pub recorded_at: time::OffsetDateTime,
    pub recorded_by: String,
}
