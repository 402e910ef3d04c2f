//! The outflow register (流出人口): people whose household registration is
//! here and who have gone to live elsewhere, with the family they left
//! behind — elderly of 60 or more and children under 16.

use crate::codes::{DivisionCode, IdNumber, Phone};
use crate::error::DomainError;
use crate::text::{Address, Note, OrgName, PersonName, Relation};
use crate::time_rules::{PastDate, age_on};
use crate::unit::UnitCode;
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutflowId(pub i64);

/// Age from which a family member left behind counts as elderly.
pub const ELDERLY_FROM: i32 = 60;
/// Age under which a family member left behind counts as a child.
pub const CHILD_UNDER: i32 = 16;

/// Which left-behind group a family member falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeftBehindKind {
    Elderly,
    Child,
}

impl LeftBehindKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Elderly => "elderly",
            Self::Child => "child",
        }
    }
}

/// A family member left behind; the kind follows from the birth date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftBehind {
    pub name: PersonName,
    pub id_number: Option<IdNumber>,
    pub birth_date: Date,
    pub relation: Relation,
    kind: LeftBehindKind,
}

impl LeftBehind {
    /// Refuses anyone neither 60+ nor under 16 on `as_of` (the day the
    /// outflow person left). When the ID number is given, the birth date is
    /// read from it.
    pub fn new(
        name: PersonName,
        id_number: Option<IdNumber>,
        birth_date: Date,
        relation: Relation,
        as_of: Date,
    ) -> Result<Self, DomainError> {
        let birth_date = id_number.as_ref().map_or(birth_date, IdNumber::birth_date);
        let age = age_on(birth_date, as_of);
        let kind = if age >= ELDERLY_FROM {
            LeftBehindKind::Elderly
        } else if (0..CHILD_UNDER).contains(&age) {
            LeftBehindKind::Child
        } else {
            return Err(DomainError::NotLeftBehindAge { age });
        };
        Ok(Self {
            name,
            id_number,
            birth_date,
            relation,
            kind,
        })
    }

    pub fn kind(&self) -> LeftBehindKind {
        self.kind
    }
}

/// What a clerk records about someone who left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutflowDetails {
    /// Community or village of the household registration here.
    pub unit: UnitCode,
    pub name: PersonName,
    pub left_on: PastDate,
    /// Where they went, down to town level where known.
    pub destination: DivisionCode,
    pub destination_address: Option<Address>,
    pub reason: Option<Note>,
    pub employer_name: Option<OrgName>,
    pub contact_phone: Option<Phone>,
    pub left_behind: Vec<LeftBehind>,
}

/// An outflow record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outflow {
    pub id: OutflowId,
    pub id_number: IdNumber,
    pub details: OutflowDetails,
    /// Set when the person came back and the record was closed.
    pub returned_on: Option<Date>,
    pub version: i64,
}

impl Outflow {
    /// Checks that the person may be recorded as back on `returned_on`:
    /// the record is still open, and nobody returns before leaving.
    pub fn check_return(&self, returned_on: PastDate) -> Result<(), DomainError> {
        if self.returned_on.is_some() {
            return Err(DomainError::AlreadyReturned);
        }
        self.details.check_return_date(returned_on)
    }
}

impl OutflowDetails {
    /// Nobody returns before leaving.
    pub fn check_return_date(&self, returned_on: PastDate) -> Result<(), DomainError> {
        let left = self.left_on.date();
        if returned_on.date() < left {
            return Err(DomainError::ReturnBeforeLeaving {
                left: left.to_string(),
                returned: returned_on.date().to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn member(birth: Date) -> Result<LeftBehind, DomainError> {
        LeftBehind::new(
            PersonName::parse("王五").expect("name"),
            None,
            birth,
            Relation::parse("父亲").expect("relation"),
            date!(2026 - 06 - 01),
        )
    }

    #[test]
    fn left_behind_kind_follows_age() {
        assert_eq!(
            member(date!(1966 - 06 - 01)).map(|m| m.kind()),
            Ok(LeftBehindKind::Elderly)
        );
        assert_eq!(
            member(date!(2010 - 06 - 02)).map(|m| m.kind()),
            Ok(LeftBehindKind::Child)
        );
        assert_eq!(
            member(date!(1980 - 01 - 01)),
            Err(DomainError::NotLeftBehindAge { age: 46 })
        );
    }

    #[test]
    fn a_return_comes_after_the_leaving_and_closes_the_record_once() {
        let today = date!(2026 - 11 - 28);
        let past = |d: Date| PastDate::new(d, today).expect("past");
        let mut record = Outflow {
            id: OutflowId(1),
            id_number: IdNumber::parse("11010519491231002X").expect("id"),
            details: OutflowDetails {
                unit: UnitCode::parse("110101001001").expect("unit"),
                name: PersonName::parse("孙大").expect("name"),
                left_on: past(date!(2025 - 03 - 01)),
                destination: DivisionCode::parse_form("440106").expect("division"),
                destination_address: None,
                reason: None,
                employer_name: None,
                contact_phone: None,
                left_behind: Vec::new(),
            },
            returned_on: None,
            version: 1,
        };
        assert!(matches!(
            record.check_return(past(date!(2025 - 02 - 28))),
            Err(DomainError::ReturnBeforeLeaving { .. })
        ));
        assert_eq!(record.check_return(past(date!(2025 - 03 - 01))), Ok(()));
        record.returned_on = Some(date!(2025 - 06 - 01));
        assert_eq!(
            record.check_return(past(date!(2025 - 07 - 01))),
            Err(DomainError::AlreadyReturned)
        );
    }
}
