//! Rental houses (出租房屋) and their landlords.

use super::collection::CollectionRequest;
use super::fields::{Fields, InputError, Paging, assemble, non_blank, paging};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use sojourn_domain::codes::{IdNumber, Phone, Uscc};
use sojourn_domain::house::{Filing, House, HouseDetails, HouseUse, Landlord};
use sojourn_domain::text::{Address, OrgName, PersonName};
use sojourn_domain::time_rules::{PastDate, china_today};
use sojourn_domain::unit::UnitCode;
use sojourn_store::HouseQuery;
use time::Date;
use utoipa::{IntoParams, ToSchema};

/// Who rents the house out: a person (ID number) or a company (credit code).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LandlordRequest {
    Person {
        name: String,
        id_number: String,
        phone: Option<String>,
    },
    Company {
        name: String,
        uscc: String,
        phone: Option<String>,
    },
}

fn landlord(fields: &mut Fields, input: &LandlordRequest) -> Option<Landlord> {
    match input {
        LandlordRequest::Person {
            name,
            id_number,
            phone,
        } => {
            let name = fields.take("landlord.name", PersonName::parse(name));
            let id_number = fields.take("landlord.id_number", IdNumber::parse(id_number));
            let phone = fields.optional("landlord.phone", phone.as_deref(), Phone::parse);
            assemble(|| {
                Some(Landlord::Person {
                    name: name?,
                    id_number: id_number?,
                    phone: phone?,
                })
            })
        }
        LandlordRequest::Company { name, uscc, phone } => {
            let name = fields.take("landlord.name", OrgName::parse(name));
            let uscc = fields.take("landlord.uscc", Uscc::parse(uscc));
            let phone = fields.optional("landlord.phone", phone.as_deref(), Phone::parse);
            assemble(|| {
                Some(Landlord::Company {
                    name: name?,
                    uscc: uscc?,
                    phone: phone?,
                })
            })
        }
    }
}

/// What a clerk records about a rental house.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HouseRequest {
    #[schema(example = "110101001001")]
    pub unit: String,
    pub address: String,
    pub landlord: LandlordRequest,
    /// Rooms let out, at least one.
    pub rooms: u16,
    /// `residential`, `commercial`, `mixed`, `dormitory` or `other` (or the
    /// Chinese name).
    #[schema(example = "residential")]
    pub usage: String,
    /// Date of filing (备案); absent if not filed.
    #[schema(value_type = Option<String>, format = Date)]
    pub filed_on: Option<String>,
    /// When the landlord signed the security agreement (治安责任书).
    #[schema(value_type = Option<String>, format = Date)]
    pub security_agreement_on: Option<String>,
}

fn house_details(fields: &mut Fields, input: &HouseRequest, today: Date) -> Option<HouseDetails> {
    let past = |text: &str| PastDate::parse(text, today);
    let unit = fields.take("unit", UnitCode::parse(&input.unit));
    let address = fields.take("address", Address::parse(&input.address));
    let landlord = landlord(fields, &input.landlord);
    let rooms_ok = if input.rooms >= 1 {
        Ok(input.rooms)
    } else {
        Err(InputError::NoRooms)
    };
    let rooms = fields.take("rooms", rooms_ok);
    let usage_known = HouseUse::parse(&input.usage).ok_or_else(|| InputError::UnknownOption {
        value: input.usage.clone(),
        allowed: HouseUse::ALL.map(HouseUse::key).join(", "),
    });
    let usage = fields.take("usage", usage_known);
    let filed_on = fields.optional("filed_on", input.filed_on.as_deref(), past);
    let agreement = fields.optional(
        "security_agreement_on",
        input.security_agreement_on.as_deref(),
        past,
    );
    Some(HouseDetails {
        unit: unit?,
        address: address?,
        landlord: landlord?,
        rooms: rooms?,
        usage: usage?,
        filing: filed_on?.map_or(Filing::NotFiled, |on| Filing::Filed { on }),
        security_agreement_on: agreement?,
    })
}

impl TryFrom<&HouseRequest> for HouseDetails {
    type Error = ApiError;

    fn try_from(input: &HouseRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let details = house_details(&mut fields, input, china_today());
        fields.finish(details)
    }
}

/// A house being registered, with its collection when a collector
/// registers it (a change to a house has none).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateHouseRequest {
    #[serde(flatten)]
    pub house: HouseRequest,
    #[serde(flatten)]
    pub collection: CollectionRequest,
}

/// A change to a house, based on the version read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateHouseRequest {
    pub version: i64,
    #[serde(flatten)]
    pub house: HouseRequest,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LandlordResponse {
    /// `person` or `company`.
    pub kind: String,
    pub name: String,
    /// For a person; masked (`POST /api/v1/houses/{id}/reveal` shows it).
    pub id_number: Option<String>,
    /// For a company.
    pub uscc: Option<String>,
    /// Masked.
    pub phone: Option<String>,
}

impl From<&Landlord> for LandlordResponse {
    fn from(landlord: &Landlord) -> Self {
        let (kind, id_number, uscc) = match landlord {
            Landlord::Person { id_number, .. } => ("person", Some(id_number.masked()), None),
            Landlord::Company { uscc, .. } => ("company", None, Some(uscc.to_string())),
        };
        Self {
            kind: kind.to_owned(),
            name: landlord.display_name().to_owned(),
            id_number,
            uscc,
            phone: landlord.phone().map(|p| p.masked()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseResponse {
    pub id: i64,
    pub unit: String,
    pub address: String,
    pub landlord: LandlordResponse,
    pub rooms: u16,
    pub usage: String,
    pub usage_name: String,
    /// Whether the house is filed (备案); unfiled rentals are flagged.
    pub filed: bool,
    #[schema(value_type = Option<String>, format = Date)]
    pub filed_on: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub security_agreement_on: Option<String>,
    pub version: i64,
}

impl From<&House> for HouseResponse {
    fn from(house: &House) -> Self {
        let d = &house.details;
        let filed_on = match &d.filing {
            Filing::Filed { on } => Some(on.to_string()),
            Filing::NotFiled => None,
        };
        Self {
            id: house.id.0,
            unit: d.unit.to_string(),
            address: d.address.to_string(),
            landlord: (&d.landlord).into(),
            rooms: d.rooms,
            usage: d.usage.key().to_owned(),
            usage_name: d.usage.name_zh().to_owned(),
            filed: filed_on.is_some(),
            filed_on,
            security_agreement_on: d.security_agreement_on.map(|on| on.to_string()),
            version: house.version,
        }
    }
}

super::page_type!(
    /// A page of the house list.
    HousePage,
    HouseResponse
);

#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct HouseListQuery {
    /// Start of the address or of the landlord's name.
    /// Only in the body of `POST …/search`: refused in a URL.
    pub q: Option<String>,
    /// A unit inside your jurisdiction.
    pub unit: Option<String>,
    /// `true`: filed only; `false`: unfiled only.
    pub filed: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl HouseListQuery {
    pub(crate) fn parse(&self) -> Result<(HouseQuery, Paging), ApiError> {
        let mut fields = Fields::default();
        let unit = fields.optional("unit", self.unit.as_deref(), UnitCode::parse);
        let paging = paging(&mut fields, self.page, self.per_page);
        let parsed = assemble(|| {
            let paging = paging?;
            let query = HouseQuery {
                unit: unit?,
                text: non_blank(self.q.as_deref()).map(str::to_owned),
                filed: self.filed,
                page: paging.request,
            };
            Some((query, paging))
        });
        fields.finish(parsed)
    }
}
