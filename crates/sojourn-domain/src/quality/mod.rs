//! Data-quality rules (监控管理, R6.2): small functions over plain inputs or
//! register records, each answering with findings that carry a stable rule
//! code and zh-CN/en messages. They run on every write and over a whole unit
//! on demand; the store decides which records to feed them, the rules only
//! judge. Probable duplicates are found by [`probable_duplicates`].
//!
//! Findings are not errors: a record with findings is kept, and the monitor
//! lists it for a clerk to correct.

mod checks;
mod detail;
mod duplicates;
mod finding;
mod rule;
#[cfg(test)]
mod test_support;

pub use checks::{
    CHILDBEARING_AGES, CHILDBEARING_FILING_DAYS, check_address_division, check_against_id,
    check_childbearing_filing, check_domicile, check_domicile_from_id_number,
    check_house_security_agreement, check_id_number, check_reason_for_stay, check_resident_house,
    check_three_checks_age,
};
pub use duplicates::{
    DuplicateCandidate, DuplicatePair, DuplicateReason, PairedNumbers, duplicates_of,
    numbers_paired_with, pinyin_key, probable_duplicates,
};
pub use finding::{AddressField, Finding};
pub use rule::Rule;
