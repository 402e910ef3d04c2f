//! National codes, each made only by its parser.

/// Administrative division codes (GB/T 2260, NBS statistical codes) and the
/// embedded national division data.
pub mod division;
/// Citizen identity numbers (GB 11643-1999).
pub mod id_number;
/// Mobile and landline phone numbers.
pub mod phone;
/// Places written as text (户籍地址), read back to division codes.
pub mod place;
/// Code tables: sex, ethnicity, marital status, education, occupation, …
pub mod tables;
/// Unified social credit codes (GB 32100-2015).
pub mod uscc;

pub use division::{Division, DivisionCode, DivisionLevel};
pub use id_number::{IdNumber, IdNumberError};
pub use phone::{Phone, PhoneError};
pub use tables::{
    CodeTableError, ContraceptiveMethod, Education, Ethnicity, GuardianRelation, MaritalStatus,
    Occupation, PoliticalStatus, ReasonForStay, Sex,
};
pub use uscc::{Uscc, UsccError};

/// Folds full-width ASCII (Ｕ+FF01–FF5E) to half-width and removes the
/// spaces staff paste around codes; shared by every code parser.
pub(crate) fn normalise_code_input(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}
