//! Patrols 巡查 (R6.1, plan P5's 三级巡查制): the street office patrols
//! each community's service station every week, a station each of its
//! collection points every two weeks, and a coordinator each rental house
//! of the area every two weeks, and "做好工作记载" — every patrol is
//! written down.
//!
//! A patrol is only ever added. Each target is due one cycle after its
//! last patrol, or after it came on file when it has had none; it is
//! overdue from the day after. The cycles are the deployment's data
//! ([`PatrolCycles`]), defaulting to the plan's.
//!
//! At a house the patroller notes whether it is lived in, whether new
//! tenants are living there unregistered — which opens a task on the house
//! until someone deals with it — and whether a hazard was seen.

use crate::house::HouseId;
use crate::localized::Localized;
use crate::text::{Note, PersonName};
use crate::time_rules::PastDate;
use crate::unit::UnitCode;
use time::{Date, Duration};

/// What a patrol visits, by level of the 三级巡查.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PatrolLevel {
    /// A rental house, by its area's coordinator.
    House,
    /// A collection point 信息采集点, by its community's station.
    CollectionPoint,
    /// A community's service station 社区服务站, by the street office.
    Station,
}

impl PatrolLevel {
    pub const ALL: [PatrolLevel; 3] = [Self::House, Self::CollectionPoint, Self::Station];

    /// The stable code, stored and used in URLs.
    pub fn key(self) -> &'static str {
        match self {
            Self::House => "house",
            Self::CollectionPoint => "collection_point",
            Self::Station => "station",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.key() == key)
    }

    /// The plan's cycle: two weeks, two weeks, a week.
    pub fn default_cycle_days(self) -> u16 {
        match self {
            Self::House | Self::CollectionPoint => 14,
            Self::Station => 7,
        }
    }
}

/// How often each level is patrolled, in days (1 to 366).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatrolCycles {
    pub house: u16,
    pub collection_point: u16,
    pub station: u16,
}

impl Default for PatrolCycles {
    fn default() -> Self {
        Self {
            house: PatrolLevel::House.default_cycle_days(),
            collection_point: PatrolLevel::CollectionPoint.default_cycle_days(),
            station: PatrolLevel::Station.default_cycle_days(),
        }
    }
}

/// The longest cycle a deployment may set: a patrol a year.
pub const LONGEST_CYCLE_DAYS: u16 = 366;

impl PatrolCycles {
    pub fn days(&self, level: PatrolLevel) -> u16 {
        match level {
            PatrolLevel::House => self.house,
            PatrolLevel::CollectionPoint => self.collection_point,
            PatrolLevel::Station => self.station,
        }
    }

    /// `days` as a cycle, or why not.
    pub fn parse_days(typed: &str) -> Result<u16, PatrolError> {
        match typed.trim().parse::<u16>() {
            Ok(days) if (1..=LONGEST_CYCLE_DAYS).contains(&days) => Ok(days),
            _ => Err(PatrolError::CycleOutOfRange(typed.trim().to_owned())),
        }
    }

    /// When a target of `level` is next due: one cycle after its last
    /// patrol, or after it came on file.
    pub fn due_on(&self, level: PatrolLevel, last: Option<Date>, on_file_since: Date) -> Date {
        let from = last.unwrap_or(on_file_since);
        from.saturating_add(Duration::days(i64::from(self.days(level))))
    }
}

/// Where a patrol stands on `today` given its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// Due later than the coming week.
    OnTime,
    /// Due today or within the coming six days.
    DueSoon,
    /// Past its due date.
    Overdue,
}

/// Days ahead a patrol counts as due soon (today and the next six).
pub const DUE_SOON_DAYS: i64 = 6;

impl Timeliness {
    pub fn of(due_on: Date, today: Date) -> Self {
        if due_on < today {
            Self::Overdue
        } else if due_on <= today.saturating_add(Duration::days(DUE_SOON_DAYS)) {
            Self::DueSoon
        } else {
            Self::OnTime
        }
    }
}

/// What a patrol visited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatrolTarget {
    House(HouseId),
    /// A collection point or a community's station, by its unit.
    Unit(UnitCode),
}

/// Whether the house was found lived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occupancy {
    Occupied,
    Empty,
}

impl Occupancy {
    pub fn key(self) -> &'static str {
        match self {
            Self::Occupied => "occupied",
            Self::Empty => "empty",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Occupied, Self::Empty]
            .into_iter()
            .find(|o| o.key() == key)
    }
}

/// What was seen at a house.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HouseSighting {
    pub occupancy: Occupancy,
    /// New tenants living there without registration: opens a task.
    pub unregistered_tenants: bool,
    pub hazard: bool,
}

/// What a patrol visited and, at a house, what it saw there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visit {
    House {
        house: HouseId,
        sighting: HouseSighting,
    },
    /// A station or collection point.
    Unit(UnitCode),
}

impl Visit {
    pub fn target(&self) -> PatrolTarget {
        match self {
            Self::House { house, .. } => PatrolTarget::House(*house),
            Self::Unit(code) => PatrolTarget::Unit(code.clone()),
        }
    }

    pub fn sighting(&self) -> Option<HouseSighting> {
        match self {
            Self::House { sighting, .. } => Some(*sighting),
            Self::Unit(_) => None,
        }
    }
}

/// One patrol as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patrol {
    pub visit: Visit,
    /// Not in the future ("a patrol in the future" is refused).
    pub patrolled_on: PastDate,
    /// Who patrolled (not necessarily who types it in).
    pub patroller: PersonName,
    pub note: Option<Note>,
}

impl Patrol {
    /// Whether the patrol opens a task on its house.
    pub fn opens_task(&self) -> bool {
        self.visit
            .sighting()
            .is_some_and(|s| s.unregistered_tenants)
    }
}

/// A patrol that cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatrolError {
    #[error("a patrol of a house must say whether it was lived in")]
    SightingMissing,
    #[error("a unit is patrolled at a station or collection point, not a house: {0}")]
    NotPatrolled(String),
    #[error("{0:?} is not a cycle: give a number of days from 1 to 366")]
    CycleOutOfRange(String),
}

impl Localized for PatrolError {
    fn code(&self) -> &'static str {
        match self {
            Self::SightingMissing => "patrol_sighting_missing",
            Self::NotPatrolled(_) => "patrol_target_not_patrolled",
            Self::CycleOutOfRange(_) => "patrol_cycle_out_of_range",
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::SightingMissing => "巡查出租房屋须注明房屋是否有人居住".into(),
            Self::NotPatrolled(code) => {
                format!("单位 {code} 不是社区服务站或信息采集点，不在巡查范围内")
            }
            Self::CycleOutOfRange(typed) => {
                format!("“{typed}”不是有效的巡查周期：请填写1到366之间的天数")
            }
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// The level at which a unit is patrolled: a community's station or a
/// collection point; other units are not patrolled.
pub fn unit_level(code: &UnitCode) -> Result<PatrolLevel, PatrolError> {
    use crate::unit::UnitLevel;
    match code.level() {
        UnitLevel::Community => Ok(PatrolLevel::Station),
        UnitLevel::CollectionPoint => Ok(PatrolLevel::CollectionPoint),
        _ => Err(PatrolError::NotPatrolled(code.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_target_is_due_a_cycle_after_its_last_patrol_or_after_it_came_on_file() {
        let cycles = PatrolCycles::default();
        let filed = date!(2026 - 11 - 01);
        assert_eq!(
            cycles.due_on(PatrolLevel::House, None, filed),
            date!(2026 - 11 - 15)
        );
        assert_eq!(
            cycles.due_on(PatrolLevel::Station, Some(date!(2026 - 11 - 20)), filed),
            date!(2026 - 11 - 27)
        );
    }

    #[test]
    fn overdue_starts_the_day_after_the_due_date_and_due_soon_a_week_before() {
        let due = date!(2026 - 12 - 10);
        assert_eq!(
            Timeliness::of(due, date!(2026 - 12 - 11)),
            Timeliness::Overdue
        );
        assert_eq!(
            Timeliness::of(due, date!(2026 - 12 - 10)),
            Timeliness::DueSoon
        );
        assert_eq!(
            Timeliness::of(due, date!(2026 - 12 - 04)),
            Timeliness::DueSoon
        );
        assert_eq!(
            Timeliness::of(due, date!(2026 - 12 - 03)),
            Timeliness::OnTime
        );
    }

    #[test]
    fn a_cycle_is_a_whole_number_of_days_up_to_a_year() {
        assert_eq!(PatrolCycles::parse_days(" 10 "), Ok(10));
        for bad in ["0", "367", "-1", "两周", ""] {
            assert!(PatrolCycles::parse_days(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_stations_and_collection_points_are_patrolled_as_units() {
        let code = |s| UnitCode::parse(s).expect("code");
        assert_eq!(unit_level(&code("110101001001")), Ok(PatrolLevel::Station));
        assert_eq!(
            unit_level(&code("110101001001001001")),
            Ok(PatrolLevel::CollectionPoint)
        );
        assert!(unit_level(&code("110101001")).is_err());
        assert!(unit_level(&code("110101001001001")).is_err());
    }
}
