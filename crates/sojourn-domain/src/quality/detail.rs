//! A finding's particulars in a compact machine form, as the store keeps
//! them: the rule is stored beside it, and the messages are rendered from
//! the two when the finding is read, in the reader's language. Storing the
//! two messages instead took 120–160 bytes per finding, and a register
//! holds a few findings per resident.
//!
//! Fields are separated by `|`; a field that may hold any text (a division
//! code, the digits of a faulty number) comes last, so it needs no escape.

use super::{AddressField, Finding, Rule};
use crate::codes::{IdNumberError, Sex};
use crate::time_rules::parse_iso_date;
use time::Date;

impl Finding {
    /// The particulars of this finding, read back by [`Finding::from_detail`].
    pub fn detail(&self) -> String {
        match self {
            Self::IdMissing
            | Self::HouseWithoutSecurityAgreement
            | Self::ResidentWithoutHouse
            | Self::ReasonForStayUnknown => String::new(),
            Self::IdNonStandard(reason) => id_error_detail(reason),
            Self::DomicileFromIdNumber { code } => code.clone(),
            Self::IdWrongCheckCharacter { expected, found } => format!("{expected}|{found}"),
            Self::SexContradictsId { recorded, from_id } => {
                format!("{}|{}", recorded.code(), from_id.code())
            }
            Self::BirthDateContradictsId { recorded, from_id } => format!("{recorded}|{from_id}"),
            Self::AddressNotDownToTown { field, code }
            | Self::AddressUnknownDivision { field, code } => format!("{}|{code}", field.code()),
            Self::ChildbearingWomanNotFiled {
                arrived,
                due,
                filed,
            } => match filed {
                Some(filed) => format!("{arrived}|{due}|{filed}"),
                None => format!("{arrived}|{due}|"),
            },
            Self::CheckOutsideChildbearingAge { checked, age } => format!("{checked}|{age}"),
        }
    }

    /// The finding of `rule` with the particulars `detail`, or `None` when
    /// they are not what [`Finding::detail`] writes for that rule.
    pub fn from_detail(rule: Rule, detail: &str) -> Option<Finding> {
        match rule {
            Rule::IdMissing => detail.is_empty().then_some(Self::IdMissing),
            Rule::HouseWithoutSecurityAgreement => detail
                .is_empty()
                .then_some(Self::HouseWithoutSecurityAgreement),
            Rule::ResidentWithoutHouse => detail.is_empty().then_some(Self::ResidentWithoutHouse),
            Rule::ReasonForStayUnknown => detail.is_empty().then_some(Self::ReasonForStayUnknown),
            Rule::IdNonStandard => id_error_from_detail(detail).map(Self::IdNonStandard),
            Rule::DomicileFromIdNumber => {
                (!detail.is_empty()).then(|| Self::DomicileFromIdNumber {
                    code: detail.to_owned(),
                })
            }
            Rule::IdWrongCheckCharacter => {
                let (expected, found) = char_pair(detail)?;
                Some(Self::IdWrongCheckCharacter { expected, found })
            }
            Rule::SexContradictsId => {
                let (recorded, from_id) = detail.split_once('|')?;
                Some(Self::SexContradictsId {
                    recorded: Sex::from_code(recorded)?,
                    from_id: Sex::from_code(from_id)?,
                })
            }
            Rule::BirthDateContradictsId => {
                let (recorded, from_id) = detail.split_once('|')?;
                Some(Self::BirthDateContradictsId {
                    recorded: date(recorded)?,
                    from_id: date(from_id)?,
                })
            }
            Rule::AddressNotDownToTown => {
                let (field, code) = address(detail)?;
                Some(Self::AddressNotDownToTown { field, code })
            }
            Rule::AddressUnknownDivision => {
                let (field, code) = address(detail)?;
                Some(Self::AddressUnknownDivision { field, code })
            }
            Rule::ChildbearingWomanNotFiled => {
                let mut parts = detail.split('|');
                let arrived = date(parts.next()?)?;
                let due = date(parts.next()?)?;
                let filed = match parts.next()? {
                    "" => None,
                    filed => Some(date(filed)?),
                };
                parts
                    .next()
                    .is_none()
                    .then_some(Self::ChildbearingWomanNotFiled {
                        arrived,
                        due,
                        filed,
                    })
            }
            Rule::CheckOutsideChildbearingAge => {
                let (checked, age) = detail.split_once('|')?;
                Some(Self::CheckOutsideChildbearingAge {
                    checked: date(checked)?,
                    age: age.parse().ok()?,
                })
            }
        }
    }
}

impl AddressField {
    fn code(self) -> &'static str {
        match self {
            Self::Domicile => "domicile",
            Self::Current => "current",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "domicile" => Some(Self::Domicile),
            "current" => Some(Self::Current),
            _ => None,
        }
    }
}

fn id_error_detail(reason: &IdNumberError) -> String {
    match reason {
        IdNumberError::WrongLength(length) => format!("length|{length}"),
        IdNumberError::InvalidCharacter { position, found } => {
            format!("character|{position}|{found}")
        }
        IdNumberError::WrongCheckCharacter { expected, found } => {
            format!("check|{expected}|{found}")
        }
        IdNumberError::InvalidBirthDate(digits) => format!("birth|{digits}"),
        IdNumberError::BirthDateInFuture { date } => format!("future|{date}"),
        IdNumberError::BirthDateTooEarly { date } => format!("early|{date}"),
        IdNumberError::LostPrecision(text) => format!("lost|{text}"),
    }
}

fn id_error_from_detail(detail: &str) -> Option<IdNumberError> {
    let (kind, rest) = detail.split_once('|')?;
    Some(match kind {
        "length" => IdNumberError::WrongLength(rest.parse().ok()?),
        "character" => {
            let (position, found) = rest.split_once('|')?;
            IdNumberError::InvalidCharacter {
                position: position.parse().ok()?,
                found: one_char(found)?,
            }
        }
        "check" => {
            let (expected, found) = char_pair(rest)?;
            IdNumberError::WrongCheckCharacter { expected, found }
        }
        "birth" => IdNumberError::InvalidBirthDate(rest.to_owned()),
        "future" => IdNumberError::BirthDateInFuture { date: date(rest)? },
        "early" => IdNumberError::BirthDateTooEarly { date: date(rest)? },
        "lost" => IdNumberError::LostPrecision(rest.to_owned()),
        _ => return None,
    })
}

/// `a|b` of two single characters; the first is never `|` (a check
/// character is a digit or X), the second may be anything.
fn char_pair(detail: &str) -> Option<(char, char)> {
    let mut chars = detail.chars();
    let first = chars.next()?;
    (chars.next()? == '|').then_some(())?;
    Some((first, one_char(chars.as_str())?))
}

fn one_char(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let only = chars.next()?;
    chars.next().is_none().then_some(only)
}

fn address(detail: &str) -> Option<(AddressField, String)> {
    let (field, code) = detail.split_once('|')?;
    Some((AddressField::from_code(field)?, code.to_owned()))
}

fn date(text: &str) -> Option<Date> {
    parse_iso_date(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn every_kind_of_finding() -> Vec<Finding> {
        let reasons = [
            IdNumberError::WrongLength(17),
            IdNumberError::InvalidCharacter {
                position: 5,
                found: '|',
            },
            IdNumberError::WrongCheckCharacter {
                expected: 'X',
                found: '5',
            },
            IdNumberError::InvalidBirthDate("19900230".into()),
            IdNumberError::BirthDateInFuture {
                date: date!(2030 - 01 - 01),
            },
            IdNumberError::BirthDateTooEarly {
                date: date!(1850 - 06 - 30),
            },
            IdNumberError::LostPrecision("1.10101E+17|x".into()),
        ];
        let mut findings: Vec<Finding> = reasons.into_iter().map(Finding::IdNonStandard).collect();
        findings.extend([
            Finding::IdMissing,
            Finding::IdWrongCheckCharacter {
                expected: '7',
                found: 'X',
            },
            Finding::SexContradictsId {
                recorded: Sex::Female,
                from_id: Sex::Male,
            },
            Finding::BirthDateContradictsId {
                recorded: date!(1990 - 01 - 02),
                from_id: date!(1990 - 02 - 01),
            },
            Finding::AddressNotDownToTown {
                field: AddressField::Domicile,
                code: "510104".into(),
            },
            Finding::AddressUnknownDivision {
                field: AddressField::Current,
                code: "990000|".into(),
            },
            Finding::HouseWithoutSecurityAgreement,
            Finding::ResidentWithoutHouse,
            Finding::ChildbearingWomanNotFiled {
                arrived: date!(2026 - 05 - 19),
                due: date!(2026 - 06 - 18),
                filed: Some(date!(2026 - 11 - 29)),
            },
            Finding::ChildbearingWomanNotFiled {
                arrived: date!(2026 - 05 - 19),
                due: date!(2026 - 06 - 18),
                filed: None,
            },
            Finding::ReasonForStayUnknown,
            Finding::DomicileFromIdNumber {
                code: "410102".into(),
            },
            Finding::CheckOutsideChildbearingAge {
                checked: date!(2026 - 05 - 19),
                age: 50,
            },
        ]);
        findings
    }

    #[test]
    fn every_finding_reads_back_from_its_detail_whole() {
        let findings = every_kind_of_finding();
        let rules: std::collections::HashSet<Rule> = findings.iter().map(Finding::rule).collect();
        assert_eq!(rules.len(), Rule::ALL.len(), "a rule has no case here");
        for finding in findings {
            let detail = finding.detail();
            assert_eq!(
                Finding::from_detail(finding.rule(), &detail),
                Some(finding.clone()),
                "{detail:?}"
            );
        }
    }

    #[test]
    fn a_detail_that_is_not_its_rules_reads_as_nothing() {
        let wrong = [
            (Rule::IdMissing, "x"),
            (Rule::ResidentWithoutHouse, "domicile|510104"),
            (Rule::IdNonStandard, "length|seventeen"),
            (Rule::IdNonStandard, "shape|1"),
            (Rule::IdNonStandard, ""),
            (Rule::IdWrongCheckCharacter, "X|55"),
            (Rule::IdWrongCheckCharacter, "X5"),
            (Rule::SexContradictsId, "1|7"),
            (Rule::BirthDateContradictsId, "1990-01-02"),
            (Rule::BirthDateContradictsId, "1990-01-02|1990-02-30"),
            (Rule::AddressNotDownToTown, "home|510104"),
            (Rule::ChildbearingWomanNotFiled, "2026-05-19|2026-06-18"),
            (Rule::ChildbearingWomanNotFiled, "2026-05-19|2026-06-18||"),
            (Rule::CheckOutsideChildbearingAge, "2026-05-19"),
            (Rule::CheckOutsideChildbearingAge, "2026-05-19|fifty"),
        ];
        for (rule, detail) in wrong {
            assert_eq!(
                Finding::from_detail(rule, detail),
                None,
                "{rule:?} {detail:?}"
            );
        }
    }

    #[test]
    fn a_finding_is_stored_in_far_fewer_bytes_than_its_two_messages() {
        use crate::Localized;
        for finding in every_kind_of_finding() {
            let messages = finding.message_zh().len() + finding.message_en().len();
            assert!(finding.detail().len() * 4 < messages, "{finding:?}");
        }
    }
}
