//! Employers (用工单位).

use super::collection::CollectionRequest;
use super::fields::{Fields, Paging, assemble, non_blank, paging};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use sojourn_domain::codes::{Phone, Uscc};
use sojourn_domain::employer::{Employer, EmployerDetails};
use sojourn_domain::text::{Address, OrgName, PersonName};
use sojourn_domain::unit::UnitCode;
use sojourn_store::EmployerQuery;
use utoipa::{IntoParams, ToSchema};

/// What a clerk records about an employer, besides its credit code.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmployerFields {
    #[schema(example = "110101001001")]
    pub unit: String,
    pub name: String,
    pub legal_representative: String,
    pub address: String,
    pub phone: Option<String>,
    /// Migrant workers the employer declares.
    pub declared_workers: u32,
}

fn employer_details(fields: &mut Fields, input: &EmployerFields) -> Option<EmployerDetails> {
    let unit = fields.take("unit", UnitCode::parse(&input.unit));
    let name = fields.take("name", OrgName::parse(&input.name));
    let representative = fields.take(
        "legal_representative",
        PersonName::parse(&input.legal_representative),
    );
    let address = fields.take("address", Address::parse(&input.address));
    let phone = fields.optional("phone", input.phone.as_deref(), Phone::parse);
    Some(EmployerDetails {
        unit: unit?,
        name: name?,
        legal_representative: representative?,
        address: address?,
        phone: phone?,
        declared_workers: input.declared_workers,
    })
}

impl TryFrom<&EmployerFields> for EmployerDetails {
    type Error = ApiError;

    fn try_from(input: &EmployerFields) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let details = employer_details(&mut fields, input);
        fields.finish(details)
    }
}

/// A new employer: its credit code, fixed from now on, and its details.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateEmployerRequest {
    #[schema(example = "91110101MA01ABCD1X")]
    pub uscc: String,
    #[serde(flatten)]
    pub employer: EmployerFields,
    /// When and where a collector collected it (a collector's only).
    #[serde(flatten)]
    pub collection: CollectionRequest,
}

impl TryFrom<&CreateEmployerRequest> for (Uscc, EmployerDetails) {
    type Error = ApiError;

    fn try_from(input: &CreateEmployerRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let uscc = fields.take("uscc", Uscc::parse(&input.uscc));
        let details = employer_details(&mut fields, &input.employer);
        fields.finish(uscc.zip(details))
    }
}

/// A change to an employer, based on the version read. The credit code
/// cannot change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateEmployerRequest {
    pub version: i64,
    #[serde(flatten)]
    pub employer: EmployerFields,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmployerResponse {
    pub id: i64,
    pub uscc: String,
    pub unit: String,
    pub name: String,
    pub legal_representative: String,
    pub address: String,
    pub phone: Option<String>,
    pub declared_workers: u32,
    /// Residents whose current stay names this employer.
    pub current_workers: u32,
    pub version: i64,
}

impl From<&Employer> for EmployerResponse {
    fn from(e: &Employer) -> Self {
        let d = &e.details;
        Self {
            id: e.id.0,
            uscc: e.uscc.to_string(),
            unit: d.unit.to_string(),
            name: d.name.to_string(),
            legal_representative: d.legal_representative.to_string(),
            address: d.address.to_string(),
            phone: d.phone.as_ref().map(ToString::to_string),
            declared_workers: d.declared_workers,
            current_workers: e.current_workers,
            version: e.version,
        }
    }
}

super::page_type!(
    /// A page of the employer list.
    EmployerPage,
    EmployerResponse
);

#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct EmployerListQuery {
    /// Start of the name or of the credit code.
    /// Only in the body of `POST …/search`: refused in a URL.
    pub q: Option<String>,
    /// A unit inside your jurisdiction.
    pub unit: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl EmployerListQuery {
    pub(crate) fn parse(&self) -> Result<(EmployerQuery, Paging), ApiError> {
        let mut fields = Fields::default();
        let unit = fields.optional("unit", self.unit.as_deref(), UnitCode::parse);
        let paging = paging(&mut fields, self.page, self.per_page);
        let parsed = assemble(|| {
            let paging = paging?;
            let query = EmployerQuery {
                unit: unit?,
                text: non_blank(self.q.as_deref()).map(str::to_owned),
                page: paging.request,
            };
            Some((query, paging))
        });
        fields.finish(parsed)
    }
}
