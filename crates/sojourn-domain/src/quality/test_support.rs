//! Helpers the quality tests share: the date they judge on and valid
//! identity numbers made from their first 17 digits.

use crate::codes::IdNumber;
use crate::codes::id_number::check_character;
use time::Date;
use time::macros::date;

pub(super) const TODAY: Date = date!(2026 - 11 - 28);

/// The day the inflow women of the childbearing tests arrived.
pub(super) const ARRIVED: Date = date!(2026 - 09 - 01);

pub(super) fn with_check(first17: &str) -> String {
    let check = check_character(first17).expect("17 digits");
    format!("{first17}{check}")
}

pub(super) fn id(first17: &str) -> IdNumber {
    IdNumber::parse_as_of(&with_check(first17), TODAY).expect("valid number")
}
