//! The person file (一人一档): one per identity number. Sex and birth date
//! are not stored apart from the number: they are read from it, so they can
//! never contradict it.

use crate::codes::{
    CodeTableError, DivisionCode, Education, Ethnicity, GuardianRelation, IdNumber, IdNumberError,
    MaritalStatus, Occupation, Phone, PhoneError, PoliticalStatus, Sex,
};
use crate::error::DomainError;
use crate::localized::Localized;
use crate::text::{Address, PersonName, TextError};
use crate::time_rules::age_on;
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
    /// The guardian (监护人) of a minor under 16. It sits on the person file,
    /// not on a stay: guardianship follows the child from stay to stay
    /// while the child is a minor, it is corrected like the rest of the
    /// file (versioned, the old one kept as a revision), and a stay ends
    /// without ending it. An adult's file may keep the guardian recorded
    /// while a child; it is no longer required.
    pub guardian: Option<Guardian>,
}

/// Under this age (in whole years, on the day that counts) a person is
/// registered with a guardian (R2.6: 16周岁以下未成年人).
pub const GUARDIAN_REQUIRED_UNDER: i32 = 16;
/// A guardian is of full age (18周岁, 民法典 第十七条).
pub const GUARDIAN_ADULT_FROM: i32 = 18;

impl PersonDetails {
    /// The guardian rules for the holder of `id_number` on `on` (the arrival
    /// date for an arrival, today for an edit): a person under 16 has a
    /// guardian, and a guardian is someone else who is an adult.
    pub fn check_guardian(&self, id_number: &IdNumber, on: Date) -> Result<(), DomainError> {
        let age = age_on(id_number.birth_date(), on);
        let Some(guardian) = &self.guardian else {
            return if age < GUARDIAN_REQUIRED_UNDER {
                Err(DomainError::GuardianRequired { age })
            } else {
                Ok(())
            };
        };
        if guardian.id_number() == id_number {
            return Err(DomainError::GuardianIsSelf);
        }
        let guardian_age = age_on(guardian.id_number().birth_date(), on);
        if guardian_age < GUARDIAN_ADULT_FROM {
            return Err(DomainError::GuardianNotAdult { age: guardian_age });
        }
        Ok(())
    }
}

/// A minor's guardian: who, their ID number, how they are related and how
/// to reach them. Made only by [`Guardian::parse`]; its ID number and phone
/// are personal data, sealed at rest and masked like the person's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guardian {
    name: PersonName,
    id_number: IdNumber,
    relation: GuardianRelation,
    phone: Phone,
}

/// The guardian's fields as a form or a sheet gives them.
#[derive(Debug, Clone, Copy)]
pub struct GuardianInput<'a> {
    pub name: &'a str,
    pub id_number: &'a str,
    pub relation: &'a str,
    pub phone: &'a str,
}

impl Guardian {
    /// Parses every field, reporting every refused one; `today` bounds the
    /// birth date read from the ID number.
    pub fn parse(input: GuardianInput<'_>, today: Date) -> Result<Self, Vec<GuardianError>> {
        let name = PersonName::parse(input.name).map_err(GuardianError::Name);
        let id_number =
            IdNumber::parse_as_of(input.id_number, today).map_err(GuardianError::IdNumber);
        let relation = GuardianRelation::parse(input.relation).map_err(GuardianError::Relation);
        let phone = Phone::parse(input.phone).map_err(GuardianError::Phone);
        match (name, id_number, relation, phone) {
            (Ok(name), Ok(id_number), Ok(relation), Ok(phone)) => Ok(Self {
                name,
                id_number,
                relation,
                phone,
            }),
            (name, id_number, relation, phone) => {
                Err([name.err(), id_number.err(), relation.err(), phone.err()]
                    .into_iter()
                    .flatten()
                    .collect())
            }
        }
    }

    pub fn name(&self) -> &PersonName {
        &self.name
    }

    pub fn id_number(&self) -> &IdNumber {
        &self.id_number
    }

    pub fn relation(&self) -> GuardianRelation {
        self.relation
    }

    pub fn phone(&self) -> &Phone {
        &self.phone
    }
}

/// Why a guardian field was refused; `field` names which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardianError {
    #[error("guardian's name: {0}")]
    Name(TextError),
    #[error("guardian's ID number: {0}")]
    IdNumber(IdNumberError),
    #[error("guardian's relation: {0}")]
    Relation(CodeTableError),
    #[error("guardian's phone: {0}")]
    Phone(PhoneError),
}

impl GuardianError {
    /// The guardian field the error belongs to (`name`, `id_number`,
    /// `relation`, `phone`).
    pub fn field(&self) -> &'static str {
        match self {
            Self::Name(_) => "name",
            Self::IdNumber(_) => "id_number",
            Self::Relation(_) => "relation",
            Self::Phone(_) => "phone",
        }
    }

    fn inner(&self) -> &dyn Localized {
        match self {
            Self::Name(e) => e,
            Self::IdNumber(e) => e,
            Self::Relation(e) => e,
            Self::Phone(e) => e,
        }
    }
}

impl Localized for GuardianError {
    fn code(&self) -> &'static str {
        self.inner().code()
    }
    fn message_zh(&self) -> String {
        format!("监护人{}", self.inner().message_zh())
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
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
    /// The file a merge of probable duplicates absorbed this one into: it
    /// keeps its history, its stays moved there, and it takes no new stay.
    pub merged_into: Option<PersonId>,
}

impl Person {
    pub fn sex(&self) -> Sex {
        self.id_number.sex()
    }

    pub fn birth_date(&self) -> Date {
        self.id_number.birth_date()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);
    /// Born 2015-06-01: 11 years old on TODAY.
    const CHILD: &str = "110105201506010016";
    /// Born 1985-03-07.
    const PARENT: &str = "110105198503070022";

    fn number(text: &str) -> IdNumber {
        let first17 = &text[..17];
        let check = crate::codes::id_number::check_character(first17).expect("check");
        IdNumber::parse(&format!("{first17}{check}")).expect("ID number")
    }

    fn guardian(id: &str) -> Guardian {
        let id = number(id);
        Guardian::parse(
            GuardianInput {
                name: "张父",
                id_number: id.as_str(),
                relation: "父亲",
                phone: "13800138000",
            },
            TODAY,
        )
        .expect("guardian")
    }

    fn details(guardian: Option<Guardian>) -> PersonDetails {
        PersonDetails {
            name: PersonName::parse("张小").expect("name"),
            ethnicity: Ethnicity::Han,
            domicile: DivisionCode::parse_known("110105").expect("division"),
            domicile_address: None,
            phone: None,
            marital_status: None,
            education: None,
            political_status: None,
            occupation: None,
            guardian,
        }
    }

    #[test]
    fn a_child_under_16_needs_a_guardian() {
        let child = number(CHILD);
        assert_eq!(
            details(None).check_guardian(&child, TODAY),
            Err(DomainError::GuardianRequired { age: 11 })
        );
        assert_eq!(
            details(Some(guardian(PARENT))).check_guardian(&child, TODAY),
            Ok(())
        );
    }

    #[test]
    fn sixteen_counts_on_the_day_that_counts() {
        let child = number(CHILD);
        let eve = date!(2031 - 05 - 31);
        let birthday = date!(2031 - 06 - 01);
        assert!(details(None).check_guardian(&child, eve).is_err());
        assert_eq!(details(None).check_guardian(&child, birthday), Ok(()));
    }

    #[test]
    fn an_adult_needs_no_guardian() {
        assert_eq!(details(None).check_guardian(&number(PARENT), TODAY), Ok(()));
    }

    #[test]
    fn a_guardian_is_an_adult_and_someone_else() {
        let child = number(CHILD);
        // Born 2010-01-01: 16 on TODAY, not yet 18.
        let teen = guardian("11010520100101003");
        assert_eq!(
            details(Some(teen)).check_guardian(&child, TODAY),
            Err(DomainError::GuardianNotAdult { age: 16 })
        );
        assert_eq!(
            details(Some(guardian(CHILD))).check_guardian(&child, TODAY),
            Err(DomainError::GuardianIsSelf)
        );
    }

    #[test]
    fn every_wrong_guardian_field_is_named() {
        let errors = Guardian::parse(
            GuardianInput {
                name: "",
                id_number: "110105198503070021",
                relation: "邻居",
                phone: "12345",
            },
            TODAY,
        )
        .expect_err("refused");
        let fields: Vec<_> = errors.iter().map(GuardianError::field).collect();
        assert_eq!(fields, ["name", "id_number", "relation", "phone"]);
        assert!(errors[0].message_zh().starts_with("监护人"));
    }

    #[test]
    fn relations_read_codes_names_and_common_words() {
        assert_eq!(GuardianRelation::parse("02"), Ok(GuardianRelation::Mother));
        assert_eq!(
            GuardianRelation::parse("外婆"),
            Ok(GuardianRelation::MaternalGrandparent)
        );
        assert!(GuardianRelation::parse("邻居").is_err());
    }
}
