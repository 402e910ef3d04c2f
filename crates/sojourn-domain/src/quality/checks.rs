//! The judging of each register's records: one small function per rule
//! (or group of rules on one field), over plain inputs or a record, that
//! answers with the finding it breaks. The store decides which records to
//! feed them; these only judge.

use super::{AddressField, Finding};
use crate::codes::division::{self, DivisionCode, DivisionLevel};
use crate::codes::{IdNumber, IdNumberError, Sex};
use crate::house::HouseDetails;
use crate::person::PersonDetails;
use crate::residence::Residence;
use crate::time_rules::age_on;
use time::{Date, Duration};

/// Classifies the identity number as entered: missing (empty or blank),
/// non-standard, or with a wrong check character. A valid number is
/// returned, so the rules that compare against it can run; an address code
/// of an unknown county is not a fault here (numbers keep the code of the
/// county that issued them).
pub fn check_id_number(raw: Option<&str>, today: Date) -> Result<IdNumber, Finding> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Err(Finding::IdMissing);
    }
    IdNumber::parse_as_of(raw, today).map_err(|error| match error {
        IdNumberError::WrongCheckCharacter { expected, found } => {
            Finding::IdWrongCheckCharacter { expected, found }
        }
        other => Finding::IdNonStandard(other),
    })
}

/// Sex and birth date recorded apart from the number (on an imported sheet,
/// an old file) that contradict it. An unknown recorded sex is no
/// contradiction.
pub fn check_against_id(
    id: &IdNumber,
    recorded_sex: Option<Sex>,
    recorded_birth: Option<Date>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(recorded) = recorded_sex
        && recorded != Sex::Unknown
        && recorded != id.sex()
    {
        findings.push(Finding::SexContradictsId {
            recorded,
            from_id: id.sex(),
        });
    }
    if let Some(recorded) = recorded_birth
        && recorded != id.birth_date()
    {
        findings.push(Finding::BirthDateContradictsId {
            recorded,
            from_id: id.birth_date(),
        });
    }
    findings
}

/// An address must name its division down to the town (街道/乡镇): a six-digit
/// county code is not enough, nine digits or more is. A code of town level
/// that the national data does not know is a finding of its own.
pub fn check_address_division(field: AddressField, raw: &str) -> Option<Finding> {
    let not_down = || Finding::AddressNotDownToTown {
        field,
        code: raw.trim().to_owned(),
    };
    let Ok(code) = DivisionCode::parse_form(raw) else {
        return Some(not_down());
    };
    if code.level() < DivisionLevel::Town {
        return Some(not_down());
    }
    if division::lookup(&code).is_none() {
        return Some(Finding::AddressUnknownDivision {
            field,
            code: code.as_str().to_owned(),
        });
    }
    None
}

/// The address rule on a person file's place of household registration.
pub fn check_domicile(details: &PersonDetails) -> Option<Finding> {
    check_address_division(AddressField::Domicile, details.domicile.as_str())
}

/// A file whose household registration (`domicile`, as stored) an import
/// took from the ID number (`from_id_number`, kept by the store until a
/// clerk saves the file).
pub fn check_domicile_from_id_number(domicile: &str, from_id_number: bool) -> Option<Finding> {
    from_id_number.then(|| Finding::DomicileFromIdNumber {
        code: domicile.to_owned(),
    })
}

/// A current stay whose reason for stay nobody recorded.
pub fn check_reason_for_stay(residence: &Residence) -> Option<Finding> {
    (residence.status.is_current() && residence.stay.reason == crate::codes::ReasonForStay::Unknown)
        .then_some(Finding::ReasonForStayUnknown)
}

/// A rental house whose landlord has not signed the security-responsibility
/// agreement (治安责任书).
pub fn check_house_security_agreement(house: &HouseDetails) -> Option<Finding> {
    house
        .security_agreement_on
        .is_none()
        .then_some(Finding::HouseWithoutSecurityAgreement)
}

/// A resident still here (registered or active) whose stay names no house.
/// A departed stay is history and is not judged.
pub fn check_resident_house(residence: &Residence) -> Option<Finding> {
    (residence.status.is_current() && residence.stay.house.is_none())
        .then_some(Finding::ResidentWithoutHouse)
}

/// Childbearing age, in whole years, inclusive.
pub const CHILDBEARING_AGES: std::ops::RangeInclusive<i32> = 15..=49;
/// Days after arrival within which an inflow woman of childbearing age is
/// filed (the day of arrival plus 30 days is still in time).
pub const CHILDBEARING_FILING_DAYS: i64 = 30;

/// An inflow married woman of childbearing age not filed within 30 days
/// of her arrival: filed late, or not filed and the 30 days are over by
/// `today`. Judged on facts: her age (read from the number) on the day
/// she arrived, not on the day of the check, and `filed` is her
/// family-planning file's filing date — the day a collector made it or
/// the 建档日期 an imported sheet states — never the day her stay was
/// typed in or imported.
pub fn check_childbearing_filing(
    id: &IdNumber,
    married: bool,
    arrived: Date,
    filed: Option<Date>,
    today: Date,
) -> Option<Finding> {
    if id.sex() != Sex::Female
        || !married
        || !CHILDBEARING_AGES.contains(&age_on(id.birth_date(), arrived))
    {
        return None;
    }
    let due = arrived + Duration::days(CHILDBEARING_FILING_DAYS);
    let late = crate::services::family_planning::filed_late(due, filed, today);
    late.then_some(Finding::ChildbearingWomanNotFiled {
        arrived,
        due,
        filed,
    })
}

/// A woman's 三查 recorded on a day she was outside 15–49, given the
/// earliest and the latest day of her checks (age only grows, so the two
/// ends tell it). Her birth date may have been corrected since, or a
/// result come from outside the follow-up's own checks.
pub fn check_three_checks_age(
    birth: Date,
    earliest: Option<Date>,
    latest: Option<Date>,
) -> Option<Finding> {
    [earliest, latest]
        .into_iter()
        .flatten()
        .find_map(|checked| {
            let age = age_on(birth, checked);
            (!CHILDBEARING_AGES.contains(&age))
                .then_some(Finding::CheckOutsideChildbearingAge { checked, age })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::ReasonForStay;
    use crate::house::{Filing, HouseId, HouseUse, Landlord};
    use crate::localized::Localized;
    use crate::person::PersonId;
    use crate::quality::test_support::{ARRIVED, TODAY, id, with_check};
    use crate::residence::{Departure, ResidenceId, ResidenceStatus, StayDetails};
    use crate::text::{Address, PersonName};
    use crate::time_rules::PastDate;
    use crate::unit::UnitCode;
    use time::macros::date;

    // --- identity number -------------------------------------------------

    #[test]
    fn a_missing_number_is_reported_as_missing() {
        for raw in [None, Some(""), Some("   "), Some("\u{3000}")] {
            assert_eq!(
                check_id_number(raw, TODAY),
                Err(Finding::IdMissing),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn non_standard_numbers_keep_the_parsers_reason() {
        let finding = check_id_number(Some("1101051949"), TODAY).expect_err("too short");
        assert_eq!(
            finding,
            Finding::IdNonStandard(IdNumberError::WrongLength(10))
        );
        assert_eq!(finding.code(), "quality_id_non_standard");
        assert!(matches!(
            check_id_number(Some("11010519491231O02X"), TODAY),
            Err(Finding::IdNonStandard(IdNumberError::InvalidCharacter {
                position: 15,
                found: 'O'
            }))
        ));
        assert!(matches!(
            check_id_number(Some(&with_check("11010519911301001")), TODAY),
            Err(Finding::IdNonStandard(IdNumberError::InvalidBirthDate(_)))
        ));
        assert!(matches!(
            check_id_number(Some("4.40113E+17"), TODAY),
            Err(Finding::IdNonStandard(IdNumberError::LostPrecision(_)))
        ));
    }

    #[test]
    fn a_wrong_check_character_is_its_own_rule() {
        assert_eq!(
            check_id_number(Some("110105194912310021"), TODAY),
            Err(Finding::IdWrongCheckCharacter {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn lower_case_x_and_legacy_numbers_are_standard() {
        let number = check_id_number(Some("11010519491231002x"), TODAY).expect("lower-case x");
        assert_eq!(number.as_str(), "11010519491231002X");
        let legacy = check_id_number(Some("130503670401001"), TODAY).expect("15 digits");
        assert_eq!(legacy.as_str(), "130503196704010016");
    }

    #[test]
    fn an_unknown_issuing_county_is_not_an_id_finding() {
        let raw = with_check("99999919900307002");
        let number = check_id_number(Some(&raw), TODAY).expect("unknown county is no fault");
        assert_eq!(number.issuing_county(), None);
    }

    // --- sex and birth date ----------------------------------------------

    #[test]
    fn sex_and_birth_date_must_agree_with_the_number() {
        let woman = id("11010519900307002");
        assert!(
            check_against_id(&woman, Some(Sex::Female), Some(date!(1990 - 03 - 07))).is_empty()
        );
        assert!(check_against_id(&woman, None, None).is_empty());
        assert!(check_against_id(&woman, Some(Sex::Unknown), None).is_empty());
        let findings = check_against_id(&woman, Some(Sex::Male), Some(date!(1990 - 07 - 03)));
        assert_eq!(
            findings,
            vec![
                Finding::SexContradictsId {
                    recorded: Sex::Male,
                    from_id: Sex::Female
                },
                Finding::BirthDateContradictsId {
                    recorded: date!(1990 - 07 - 03),
                    from_id: date!(1990 - 03 - 07)
                },
            ]
        );
    }

    #[test]
    fn a_legacy_number_is_compared_after_upgrade() {
        let man = IdNumber::parse_as_of("130503670401001", TODAY).expect("legacy");
        assert!(check_against_id(&man, Some(Sex::Male), Some(date!(1967 - 04 - 01))).is_empty());
        assert_eq!(check_against_id(&man, Some(Sex::Female), None).len(), 1);
    }

    // --- address ---------------------------------------------------------

    #[test]
    fn a_county_code_is_not_down_to_town_level() {
        for raw in ["110101", "11", "1101", "110101000000", "", "abc"] {
            assert!(
                matches!(
                    check_address_division(AddressField::Domicile, raw),
                    Some(Finding::AddressNotDownToTown {
                        field: AddressField::Domicile,
                        ..
                    })
                ),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn a_town_or_village_code_is_enough() {
        for raw in ["110101001", "110101001001", "110101001000"] {
            assert_eq!(
                check_address_division(AddressField::Current, raw),
                None,
                "{raw}"
            );
        }
    }

    #[test]
    fn a_town_code_under_an_unknown_county_is_flagged_as_unknown() {
        assert_eq!(
            check_address_division(AddressField::Domicile, "999999001"),
            Some(Finding::AddressUnknownDivision {
                field: AddressField::Domicile,
                code: "999999001".into()
            })
        );
    }

    #[test]
    fn a_person_files_domicile_is_judged_by_the_address_rule() {
        let details = |code: &str| PersonDetails {
            name: PersonName::parse("王芳").expect("name"),
            ethnicity: crate::codes::Ethnicity::parse("汉族").expect("ethnicity"),
            domicile: DivisionCode::parse_form(code).expect("division code"),
            domicile_address: None,
            phone: None,
            marital_status: None,
            education: None,
            political_status: None,
            occupation: None,
            guardian: None,
        };
        assert!(matches!(
            check_domicile(&details("360426")),
            Some(Finding::AddressNotDownToTown {
                field: AddressField::Domicile,
                ..
            })
        ));
        assert_eq!(check_domicile(&details("110101001001")), None);
    }

    // --- houses and residents --------------------------------------------

    fn house(agreement: Option<Date>) -> HouseDetails {
        HouseDetails {
            unit: UnitCode::parse("110101001001").expect("unit"),
            address: Address::parse("多福巷1号").expect("address"),
            landlord: Landlord::Person {
                name: PersonName::parse("张三").expect("name"),
                id_number: id("11010519700101001"),
                phone: None,
            },
            rooms: 2,
            usage: HouseUse::Residential,
            filing: Filing::NotFiled,
            security_agreement_on: agreement.map(|d| PastDate::new(d, TODAY).expect("past")),
        }
    }

    #[test]
    fn a_house_needs_a_security_agreement() {
        assert_eq!(
            check_house_security_agreement(&house(None)),
            Some(Finding::HouseWithoutSecurityAgreement)
        );
        assert_eq!(
            check_house_security_agreement(&house(Some(date!(2025 - 01 - 02)))),
            None
        );
    }

    fn residence(house: Option<HouseId>, status: ResidenceStatus) -> Residence {
        Residence {
            id: ResidenceId(1),
            person: PersonId(1),
            stay: StayDetails {
                unit: UnitCode::parse("110101001001").expect("unit"),
                arrived_on: PastDate::new(date!(2025 - 01 - 02), TODAY).expect("past"),
                intended_stay_months: None,
                reason: ReasonForStay::Work,
                current_address: Address::parse("多福巷1号").expect("address"),
                house,
                employer: None,
            },
            status,
            version: 1,
        }
    }

    #[test]
    fn a_current_resident_needs_a_house() {
        for status in [ResidenceStatus::Registered, ResidenceStatus::Active] {
            assert_eq!(
                check_resident_house(&residence(None, status)),
                Some(Finding::ResidentWithoutHouse)
            );
        }
        assert_eq!(
            check_resident_house(&residence(Some(HouseId(3)), ResidenceStatus::Active)),
            None
        );
        let departed = ResidenceStatus::Departed(Departure {
            departed_on: PastDate::new(date!(2025 - 06 - 01), TODAY).expect("past"),
            destination: None,
            destination_address: None,
            reason: None,
        });
        assert_eq!(check_resident_house(&residence(None, departed)), None);
    }

    /// A woman born `born` (sequence 002: even, female).
    fn woman(born: &str) -> IdNumber {
        id(&format!("110105{born}002"))
    }

    #[test]
    fn filing_on_the_thirtieth_day_is_in_time_and_the_thirty_first_is_late() {
        let w = woman("19900307");
        let day_30 = date!(2026 - 10 - 01);
        assert_eq!(
            check_childbearing_filing(&w, true, ARRIVED, Some(day_30), TODAY),
            None
        );
        let late = check_childbearing_filing(&w, true, ARRIVED, Some(date!(2026 - 10 - 02)), TODAY);
        assert_eq!(
            late,
            Some(Finding::ChildbearingWomanNotFiled {
                arrived: ARRIVED,
                due: day_30,
                filed: Some(date!(2026 - 10 - 02))
            })
        );
    }

    #[test]
    fn not_filed_is_a_finding_only_once_the_thirty_days_are_over() {
        let w = woman("19900307");
        assert_eq!(
            check_childbearing_filing(&w, true, ARRIVED, None, date!(2026 - 10 - 01)),
            None
        );
        assert!(matches!(
            check_childbearing_filing(&w, true, ARRIVED, None, date!(2026 - 10 - 02)),
            Some(Finding::ChildbearingWomanNotFiled { filed: None, .. })
        ));
    }

    #[test]
    fn childbearing_age_is_15_to_49_on_the_arrival_date_not_on_the_day_of_the_check() {
        let late = |born: &str| {
            check_childbearing_filing(&woman(born), true, ARRIVED, None, TODAY).is_some()
        };
        // Arrived 2026-09-01 at 49, 50 by TODAY (2026-11-28): judged.
        assert!(late("19760902"));
        assert!(!late("19760901"));
        // 15 on arrival; 14 on arrival though 15 by TODAY: not judged.
        assert!(late("20110901"));
        assert!(!late("20110902"));
    }

    #[test]
    fn the_filing_date_of_an_imported_file_is_the_one_its_sheet_states() {
        let w = woman("19900307");
        // The register was imported on TODAY; the sheet's 建档日期 is in time.
        let stated = date!(2026 - 09 - 20);
        assert_eq!(
            check_childbearing_filing(&w, true, ARRIVED, Some(stated), TODAY),
            None
        );
    }

    #[test]
    fn an_unmarried_woman_is_not_judged_by_the_childbearing_rule() {
        let w = woman("19900307");
        assert_eq!(
            check_childbearing_filing(&w, false, ARRIVED, None, TODAY),
            None
        );
    }

    #[test]
    fn a_three_checks_result_outside_15_to_49_is_found_at_either_end() {
        let born = date!(1976 - 06 - 01);
        assert_eq!(
            check_three_checks_age(
                born,
                Some(date!(2026 - 01 - 10)),
                Some(date!(2026 - 05 - 31))
            ),
            None
        );
        assert_eq!(
            check_three_checks_age(
                born,
                Some(date!(2026 - 01 - 10)),
                Some(date!(2026 - 06 - 01))
            ),
            Some(Finding::CheckOutsideChildbearingAge {
                checked: date!(2026 - 06 - 01),
                age: 50
            })
        );
        let young = date!(2012 - 03 - 01);
        assert!(matches!(
            check_three_checks_age(young, Some(date!(2026 - 02 - 28)), None),
            Some(Finding::CheckOutsideChildbearingAge { age: 13, .. })
        ));
        assert_eq!(check_three_checks_age(born, None, None), None);
    }

    #[test]
    fn men_are_not_judged_by_the_childbearing_rule() {
        let man = id("11010519900307001");
        assert_eq!(
            check_childbearing_filing(&man, true, ARRIVED, None, TODAY),
            None
        );
    }

    #[test]
    fn a_legacy_number_gives_sex_and_age_for_the_childbearing_rule() {
        // 15 digits, born 1980-03-07, sequence 002: a woman of 46.
        let w = IdNumber::parse_as_of("110105800307002", TODAY).expect("legacy");
        assert!(check_childbearing_filing(&w, true, ARRIVED, None, TODAY).is_some());
    }
}
