//! The outflow register (流出人口) and left-behind family.

use super::collection::CollectionRequest;
use super::fields::{Fields, InputError, Paging, assemble, non_blank, paging};
use super::iso;
use super::residences::province;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use sojourn_domain::codes::division::full_name;
use sojourn_domain::codes::{DivisionCode, IdNumber, Phone};
use sojourn_domain::outflow::{LeftBehind, Outflow, OutflowDetails};
use sojourn_domain::search::SearchTerm;
use sojourn_domain::text::{Address, Note, OrgName, PersonName, Relation};
use sojourn_domain::time_rules::{PastDate, china_today};
use sojourn_domain::unit::UnitCode;
use sojourn_store::OutflowQuery;
use time::Date;
use utoipa::{IntoParams, ToSchema};

/// A family member left behind: 60 or older, or a child under 16, on the
/// day the person left.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LeftBehindRequest {
    pub name: String,
    /// When given, the birth date is read from it.
    pub id_number: Option<String>,
    /// Required without an ID number.
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Option<String>,
    /// 父亲, 母亲, 子女, …
    pub relation: String,
}

/// What a clerk records about someone who left.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OutflowFields {
    /// Community or village of the household registration here.
    #[schema(example = "110101001001")]
    pub unit: String,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub left_on: String,
    /// Division code of the destination, down to town level where known.
    #[schema(example = "440305")]
    pub destination: String,
    pub destination_address: Option<String>,
    pub reason: Option<String>,
    pub employer_name: Option<String>,
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub left_behind: Vec<LeftBehindRequest>,
}

fn left_behind(
    fields: &mut Fields,
    index: usize,
    input: &LeftBehindRequest,
    left_on: Option<Date>,
    today: Date,
) -> Option<LeftBehind> {
    let field = |name: &str| format!("left_behind[{index}].{name}");
    let name = fields.take(&field("name"), PersonName::parse(&input.name));
    let id_number = fields.optional(
        &field("id_number"),
        input.id_number.as_deref(),
        IdNumber::parse,
    )?;
    let relation = fields.take(&field("relation"), Relation::parse(&input.relation));
    let birth_date = match (&id_number, non_blank(input.birth_date.as_deref())) {
        (Some(id), _) => Some(id.birth_date()),
        (None, Some(text)) => fields
            .take(&field("birth_date"), PastDate::parse(text, today))
            .map(PastDate::date),
        (None, None) => fields.take(&field("birth_date"), Err::<Date, _>(InputError::Required)),
    };
    // The age rule needs the day they left; without it the left_on error
    // already stands.
    let left_on = left_on?;
    let member = LeftBehind::new(name?, id_number, birth_date?, relation?, left_on);
    fields.take(&format!("left_behind[{index}]"), member)
}

fn outflow_details(
    fields: &mut Fields,
    input: &OutflowFields,
    today: Date,
) -> Option<OutflowDetails> {
    let unit = fields.take("unit", UnitCode::parse(&input.unit));
    let name = fields.take("name", PersonName::parse(&input.name));
    let left_on = fields.take("left_on", PastDate::parse(&input.left_on, today));
    let destination = fields.take("destination", DivisionCode::parse_known(&input.destination));
    let destination_address = fields.optional(
        "destination_address",
        input.destination_address.as_deref(),
        Address::parse,
    );
    let reason = fields.optional("reason", input.reason.as_deref(), Note::parse);
    let employer_name = fields.optional(
        "employer_name",
        input.employer_name.as_deref(),
        OrgName::parse,
    );
    let contact_phone = fields.optional(
        "contact_phone",
        input.contact_phone.as_deref(),
        Phone::parse,
    );
    let family: Vec<Option<LeftBehind>> = (input.left_behind.iter().enumerate())
        .map(|(i, member)| left_behind(fields, i, member, left_on.map(PastDate::date), today))
        .collect();
    Some(OutflowDetails {
        unit: unit?,
        name: name?,
        left_on: left_on?,
        destination: destination?,
        destination_address: destination_address?,
        reason: reason?,
        employer_name: employer_name?,
        contact_phone: contact_phone?,
        left_behind: family.into_iter().collect::<Option<_>>()?,
    })
}

impl TryFrom<&OutflowFields> for OutflowDetails {
    type Error = ApiError;

    fn try_from(input: &OutflowFields) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let details = outflow_details(&mut fields, input, china_today());
        fields.finish(details)
    }
}

/// A new outflow record: the person's ID number and the details.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateOutflowRequest {
    pub id_number: String,
    #[serde(flatten)]
    pub outflow: OutflowFields,
    /// When and where a collector collected it (a collector's only).
    #[serde(flatten)]
    pub collection: CollectionRequest,
}

impl TryFrom<&CreateOutflowRequest> for (IdNumber, OutflowDetails) {
    type Error = ApiError;

    fn try_from(input: &CreateOutflowRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let id_number = fields.take("id_number", IdNumber::parse(&input.id_number));
        let details = outflow_details(&mut fields, &input.outflow, china_today());
        fields.finish(id_number.zip(details))
    }
}

/// A change to an outflow record, based on the version read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateOutflowRequest {
    pub version: i64,
    #[serde(flatten)]
    pub outflow: OutflowFields,
}

/// The person came back (返回): the record closes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReturnRequest {
    #[schema(value_type = String, format = Date)]
    pub returned_on: String,
    pub version: i64,
}

impl TryFrom<&ReturnRequest> for PastDate {
    type Error = ApiError;

    fn try_from(input: &ReturnRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let returned_on = fields.take(
            "returned_on",
            PastDate::parse(&input.returned_on, china_today()),
        );
        fields.finish(returned_on)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeftBehindResponse {
    pub name: String,
    /// Masked.
    pub id_number: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub birth_date: String,
    pub relation: String,
    /// `elderly` (60+) or `child` (under 16).
    pub kind: String,
}

impl From<&LeftBehind> for LeftBehindResponse {
    fn from(m: &LeftBehind) -> Self {
        Self {
            name: m.name.to_string(),
            id_number: m.id_number.as_ref().map(|n| n.masked()),
            birth_date: iso(m.birth_date),
            relation: m.relation.to_string(),
            kind: m.kind().key().to_owned(),
        }
    }
}

/// An outflow record; ID and phone numbers masked
/// (`POST /api/v1/outflows/{id}/reveal` shows them).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutflowResponse {
    pub id: i64,
    /// Masked: first 6 and last 4 characters.
    pub id_number: String,
    pub sex: String,
    pub sex_name: String,
    #[schema(value_type = String, format = Date)]
    pub birth_date: String,
    pub unit: String,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub left_on: String,
    pub destination: String,
    pub destination_name: Option<String>,
    pub destination_address: Option<String>,
    pub reason: Option<String>,
    pub employer_name: Option<String>,
    /// Masked.
    pub contact_phone: Option<String>,
    pub left_behind: Vec<LeftBehindResponse>,
    /// Set when the person came back and the record was closed.
    #[schema(value_type = Option<String>, format = Date)]
    pub returned_on: Option<String>,
    pub version: i64,
}

impl From<&Outflow> for OutflowResponse {
    fn from(o: &Outflow) -> Self {
        let d = &o.details;
        Self {
            id: o.id.0,
            id_number: o.id_number.masked(),
            sex: o.id_number.sex().code().to_owned(),
            sex_name: o.id_number.sex().name_zh().to_owned(),
            birth_date: iso(o.id_number.birth_date()),
            unit: d.unit.to_string(),
            name: d.name.to_string(),
            left_on: d.left_on.to_string(),
            destination: d.destination.to_string(),
            destination_name: full_name(&d.destination),
            destination_address: d.destination_address.as_ref().map(ToString::to_string),
            reason: d.reason.as_ref().map(ToString::to_string),
            employer_name: d.employer_name.as_ref().map(ToString::to_string),
            contact_phone: d.contact_phone.as_ref().map(|p| p.masked()),
            left_behind: d.left_behind.iter().map(Into::into).collect(),
            returned_on: o.returned_on.map(iso),
            version: o.version,
        }
    }
}

super::page_type!(
    /// A page of the outflow list.
    OutflowPage,
    OutflowResponse
);

#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct OutflowListQuery {
    /// ID number or its first digits, name, pinyin initials or full pinyin.
    /// Only in the body of `POST …/search`: refused in a URL.
    pub q: Option<String>,
    /// A unit inside your jurisdiction.
    pub unit: Option<String>,
    /// `false`: still away; `true`: came back.
    pub returned: Option<bool>,
    /// Two-digit province code of the destination.
    pub destination_province: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl OutflowListQuery {
    pub(crate) fn parse(&self) -> Result<(OutflowQuery, Paging), ApiError> {
        let mut fields = Fields::default();
        let unit = fields.optional("unit", self.unit.as_deref(), UnitCode::parse);
        let province = province(
            &mut fields,
            "destination_province",
            self.destination_province.as_deref(),
        );
        let paging = paging(&mut fields, self.page, self.per_page);
        let parsed = assemble(|| {
            let paging = paging?;
            let query = OutflowQuery {
                unit: unit?,
                term: non_blank(self.q.as_deref()).and_then(SearchTerm::parse),
                returned: self.returned,
                destination_province: province?,
                page: paging.request,
            };
            Some((query, paging))
        });
        fields.finish(parsed)
    }
}
