//! Live checks of a single value while a form is being filled in.

use super::iso;
use crate::error::Problem;
use serde::{Deserialize, Serialize};
use sojourn_domain::Localized;
use sojourn_domain::codes::IdNumber;
use utoipa::ToSchema;

/// The number to check, in the body: ID numbers never go into URLs.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdCheckRequest {
    /// The number as typed; 15-digit numbers are upgraded.
    pub value: String,
}

/// The verdict on an identity number. A valid number comes with what it
/// says (birth date, sex, issuing county); an invalid one with the reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdCheckResponse {
    pub valid: bool,
    /// The number normalised to 18 characters.
    pub id_number: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub sex_name: Option<String>,
    /// The first six digits: the county that issued the number.
    pub address_code: Option<String>,
    /// That county's name, in today's data or since 1980.
    pub issuing_county: Option<String>,
    /// A data-quality warning that does not make the number invalid.
    pub warning: Option<Problem>,
    /// Why the number is invalid.
    pub error: Option<Problem>,
}

/// An address code unknown since 1980: worth a second look at the card,
/// but numbers keep the code of the county that issued them, so not a
/// refusal.
#[derive(Debug)]
struct UnknownAddressCode(String);

impl Localized for UnknownAddressCode {
    fn code(&self) -> &'static str {
        "id_number_address_code_unknown"
    }
    fn message_zh(&self) -> String {
        format!(
            "号码前6位地址码 {} 不在1980年以来的县级区划代码中，请核对证件",
            self.0
        )
    }
    fn message_en(&self) -> String {
        format!(
            "the address code {} is not a county code in use since 1980; please check the card",
            self.0
        )
    }
}

impl IdCheckResponse {
    pub(crate) fn check(input: &str) -> Self {
        match IdNumber::parse(input) {
            Ok(id) => Self::valid(&id),
            Err(error) => Self {
                valid: false,
                id_number: None,
                birth_date: None,
                sex: None,
                sex_name: None,
                address_code: None,
                issuing_county: None,
                warning: None,
                error: Some(Problem::of(&error)),
            },
        }
    }

    fn valid(id: &IdNumber) -> Self {
        let issuing_county = id.issuing_county();
        let warning = match issuing_county {
            Some(_) => None,
            None => Some(Problem::of(&UnknownAddressCode(
                id.address_code().to_owned(),
            ))),
        };
        Self {
            valid: true,
            id_number: Some(id.to_string()),
            birth_date: Some(iso(id.birth_date())),
            sex: Some(id.sex().code().to_owned()),
            sex_name: Some(id.sex().name_zh().to_owned()),
            address_code: Some(id.address_code().to_owned()),
            issuing_county,
            warning,
            error: None,
        }
    }
}
