//! The person file (一人一档): one per identity number. Sex and birth date
//! are not stored apart from the number: they are read from it, so they can
//! never contradict it.

use crate::codes::{
    DivisionCode, Education, Ethnicity, IdNumber, MaritalStatus, Occupation, Phone,
    PoliticalStatus, Sex,
};
use crate::text::{Address, PersonName};
use crate::unit::UnitCode;
use time::Date;

/// Store-assigned identity of a person file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonId(pub i64);

/// What a clerk may change on a person file (everything but the number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDetails {
    pub name: PersonName,
    pub ethnicity: Ethnicity,
    /// Place of household registration (户籍地), a division code down to
    /// village level where known.
    pub domicile: DivisionCode,
    /// Street and house number at the domicile, below the division.
    pub domicile_address: Option<Address>,
    pub phone: Option<Phone>,
    pub marital_status: Option<MaritalStatus>,
    pub education: Option<Education>,
    pub political_status: Option<PoliticalStatus>,
    pub occupation: Option<Occupation>,
}

/// A person file as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub id_number: IdNumber,
    pub details: PersonDetails,
    /// Unit holding the file: where the person's latest residence is.
    pub unit: UnitCode,
    /// Increases with every change; a change must name the version it read.
    pub version: i64,
}

impl Person {
    pub fn sex(&self) -> Sex {
        self.id_number.sex()
    }

    pub fn birth_date(&self) -> Date {
        self.id_number.birth_date()
    }
}
