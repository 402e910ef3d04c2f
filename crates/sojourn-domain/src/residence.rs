//! Residence episodes: one per stay, from arrival to departure. A stay is
//! registered on arrival (来有登记), becomes active once confirmed, and is
//! deregistered on departure (走有注销); no step is ever undone or
//! overwritten, and a person who returns gets a new episode.

use crate::codes::{DivisionCode, IdNumber, ReasonForStay};
use crate::employer::EmployerId;
use crate::error::DomainError;
use crate::house::HouseId;
use crate::person::{PersonDetails, PersonId};
use crate::text::{Address, Note};
use crate::time_rules::PastDate;
use crate::unit::UnitCode;
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidenceId(pub i64);

/// Everything registered when someone arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub id_number: IdNumber,
    pub person: PersonDetails,
    pub stay: StayDetails,
}

impl Arrival {
    /// The rules between the fields of an arrival: nobody arrives before
    /// being born, a stay lies at a community (village) or below, and
    /// someone under 16 on the arrival date comes with an adult guardian.
    pub fn check(&self) -> Result<(), DomainError> {
        self.stay.check_unit_level()?;
        self.stay
            .check_not_before_birth(self.id_number.birth_date())?;
        self.person
            .check_guardian(&self.id_number, self.stay.arrived_on.date())
    }
}

/// The facts of one stay that a clerk may correct while it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StayDetails {
    /// Community, grid or collection point where the person lives.
    pub unit: UnitCode,
    pub arrived_on: PastDate,
    /// Intended length of stay in months, if the person said.
    pub intended_stay_months: Option<u16>,
    pub reason: ReasonForStay,
    pub current_address: Address,
    pub house: Option<HouseId>,
    pub employer: Option<EmployerId>,
}

/// Where a stay stands in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResidenceStatus {
    /// Registered on arrival, not yet confirmed.
    Registered,
    /// Confirmed and living here.
    Active,
    /// Deregistered; the person left.
    Departed(Departure),
}

impl ResidenceStatus {
    pub fn key(&self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Active => "active",
            Self::Departed(_) => "departed",
        }
    }

    pub fn name_zh(&self) -> &'static str {
        match self {
            Self::Registered => "已登记",
            Self::Active => "在住",
            Self::Departed(_) => "已注销",
        }
    }

    /// Registered or active: the person is still here.
    pub fn is_current(&self) -> bool {
        !matches!(self, Self::Departed(_))
    }
}

/// A registered departure: when, where to and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departure {
    pub departed_on: PastDate,
    pub destination: Option<DivisionCode>,
    pub destination_address: Option<Address>,
    pub reason: Option<Note>,
}

/// A stay as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Residence {
    pub id: ResidenceId,
    pub person: PersonId,
    pub stay: StayDetails,
    pub status: ResidenceStatus,
    pub version: i64,
}

impl StayDetails {
    /// A stay lies at a community (village), grid or collection point: a
    /// street or a county is where people are counted, not where they live.
    pub fn check_unit_level(&self) -> Result<(), DomainError> {
        let level = self.unit.level();
        if level < crate::unit::UnitLevel::Community {
            return Err(DomainError::StayUnitAboveCommunity { level });
        }
        Ok(())
    }

    /// Refuses an arrival before `born`.
    pub fn check_not_before_birth(&self, born: Date) -> Result<(), DomainError> {
        let arrived = self.arrived_on.date();
        if arrived < born {
            return Err(DomainError::ArrivalBeforeBirth {
                born: born.to_string(),
                arrived: arrived.to_string(),
            });
        }
        Ok(())
    }
}

impl Residence {
    /// Checks that the stay can be confirmed.
    pub fn check_activation(&self) -> Result<(), DomainError> {
        match self.status {
            ResidenceStatus::Registered => Ok(()),
            ResidenceStatus::Active => Err(DomainError::AlreadyActive),
            ResidenceStatus::Departed(_) => Err(DomainError::AlreadyDeparted),
        }
    }

    /// Checks that `departure` may close this stay.
    pub fn check_departure(&self, departure: &Departure) -> Result<(), DomainError> {
        if !self.status.is_current() {
            return Err(DomainError::AlreadyDeparted);
        }
        check_not_before(self.stay.arrived_on.date(), departure.departed_on.date())
    }
}

fn check_not_before(arrived: Date, departed: Date) -> Result<(), DomainError> {
    if departed < arrived {
        return Err(DomainError::DepartureBeforeArrival {
            arrived: arrived.to_string(),
            departed: departed.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn stay_at(unit: &str, arrived: Date) -> StayDetails {
        StayDetails {
            unit: UnitCode::parse(unit).expect("unit code"),
            arrived_on: PastDate::new(arrived, date!(2026 - 11 - 28)).expect("past"),
            intended_stay_months: None,
            reason: ReasonForStay::Work,
            current_address: Address::parse("多福巷1号").expect("address"),
            house: None,
            employer: None,
        }
    }

    #[test]
    fn a_stay_lies_at_a_community_or_below() {
        let day = date!(2024 - 03 - 05);
        for unit in ["110101001001", "110101001001001", "110101001001001001"] {
            assert_eq!(stay_at(unit, day).check_unit_level(), Ok(()), "{unit}");
        }
        for unit in ["110101", "110101001"] {
            assert!(matches!(
                stay_at(unit, day).check_unit_level(),
                Err(DomainError::StayUnitAboveCommunity { .. })
            ));
        }
    }

    #[test]
    fn nobody_arrives_before_being_born() {
        let born = date!(1990 - 03 - 07);
        let on_the_day = stay_at("110101001001", born);
        assert_eq!(on_the_day.check_not_before_birth(born), Ok(()));
        let before = stay_at("110101001001", date!(1990 - 03 - 06));
        assert!(matches!(
            before.check_not_before_birth(born),
            Err(DomainError::ArrivalBeforeBirth { .. })
        ));
    }
}
