//! Residence episodes: the stay, its departure, and the resident list.

use super::age_band::AgeBand;
use super::fields::{Fields, InputError, Paging, assemble, non_blank, option, paging};
use super::people::PersonResponse;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use sojourn_domain::codes::division::full_name;
use sojourn_domain::codes::{DivisionCode, DivisionLevel, ReasonForStay, Sex};
use sojourn_domain::employer::EmployerId;
use sojourn_domain::house::HouseId;
use sojourn_domain::residence::{Departure, Residence, ResidenceStatus, StayDetails};
use sojourn_domain::search::SearchTerm;
use sojourn_domain::text::{Address, Note};
use sojourn_domain::time_rules::{PastDate, china_today, parse_iso_date};
use sojourn_domain::unit::UnitCode;
use sojourn_store::{ResidentQuery, ResidentRow, ResidentSort, StatusFilter};
use time::Date;
use utoipa::{IntoParams, ToSchema};

/// The facts of a stay that a clerk records and may correct while it lasts.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StayFields {
    /// Community, grid or collection point where the person lives.
    #[schema(example = "110101001001")]
    pub unit: String,
    #[schema(value_type = String, format = Date, example = "2024-03-05")]
    pub arrived_on: String,
    pub intended_stay_months: Option<u16>,
    /// Reason-for-stay code or name (`01` or `务工`).
    #[schema(example = "01")]
    pub reason: String,
    pub current_address: String,
    pub house_id: Option<i64>,
    pub employer_id: Option<i64>,
}

pub(crate) fn stay_details(
    fields: &mut Fields,
    input: &StayFields,
    today: Date,
) -> Option<StayDetails> {
    let unit = fields.take("unit", UnitCode::parse(&input.unit));
    let arrived_on = fields.take("arrived_on", PastDate::parse(&input.arrived_on, today));
    let reason = fields.take("reason", ReasonForStay::parse(&input.reason));
    let current_address = fields.take("current_address", Address::parse(&input.current_address));
    Some(StayDetails {
        unit: unit?,
        arrived_on: arrived_on?,
        intended_stay_months: input.intended_stay_months,
        reason: reason?,
        current_address: current_address?,
        house: input.house_id.map(HouseId),
        employer: input.employer_id.map(EmployerId),
    })
}

/// A correction to a stay, based on the version read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateStayRequest {
    pub version: i64,
    #[serde(flatten)]
    pub stay: StayFields,
}

impl TryFrom<&UpdateStayRequest> for StayDetails {
    type Error = ApiError;

    fn try_from(input: &UpdateStayRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let stay = stay_details(&mut fields, &input.stay, china_today());
        fields.finish(stay)
    }
}

/// Deregistration (走有注销): when, where to and why.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DepartureRequest {
    #[schema(value_type = String, format = Date)]
    pub departed_on: String,
    /// Division code of the destination, if known.
    pub destination: Option<String>,
    pub destination_address: Option<String>,
    pub reason: Option<String>,
    pub version: i64,
}

impl TryFrom<&DepartureRequest> for Departure {
    type Error = ApiError;

    fn try_from(input: &DepartureRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let departed_on = fields.take(
            "departed_on",
            PastDate::parse(&input.departed_on, china_today()),
        );
        let destination = fields.optional(
            "destination",
            input.destination.as_deref(),
            DivisionCode::parse_known,
        );
        let destination_address = fields.optional(
            "destination_address",
            input.destination_address.as_deref(),
            Address::parse,
        );
        let reason = fields.optional("reason", input.reason.as_deref(), Note::parse);
        let departure = assemble(|| {
            Some(Departure {
                departed_on: departed_on?,
                destination: destination?,
                destination_address: destination_address?,
                reason: reason?,
            })
        });
        fields.finish(departure)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartureResponse {
    #[schema(value_type = String, format = Date)]
    pub departed_on: String,
    pub destination: Option<String>,
    pub destination_name: Option<String>,
    pub destination_address: Option<String>,
    pub reason: Option<String>,
}

impl From<&Departure> for DepartureResponse {
    fn from(d: &Departure) -> Self {
        Self {
            departed_on: d.departed_on.to_string(),
            destination: d.destination.as_ref().map(ToString::to_string),
            destination_name: d.destination.as_ref().and_then(full_name),
            destination_address: d.destination_address.as_ref().map(ToString::to_string),
            reason: d.reason.as_ref().map(ToString::to_string),
        }
    }
}

/// One stay, from arrival to departure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResidenceResponse {
    pub id: i64,
    pub person_id: i64,
    pub unit: String,
    #[schema(value_type = String, format = Date)]
    pub arrived_on: String,
    pub intended_stay_months: Option<u16>,
    pub reason: String,
    pub reason_name: String,
    pub current_address: String,
    pub house_id: Option<i64>,
    pub employer_id: Option<i64>,
    /// `registered`, `active` or `departed`.
    pub status: String,
    pub status_name: String,
    /// Present once the stay is deregistered.
    pub departure: Option<DepartureResponse>,
    pub version: i64,
}

impl From<&Residence> for ResidenceResponse {
    fn from(r: &Residence) -> Self {
        let departure = match &r.status {
            ResidenceStatus::Departed(departure) => Some(departure.into()),
            _ => None,
        };
        Self {
            id: r.id.0,
            person_id: r.person.0,
            unit: r.stay.unit.to_string(),
            arrived_on: r.stay.arrived_on.to_string(),
            intended_stay_months: r.stay.intended_stay_months,
            reason: r.stay.reason.code().to_owned(),
            reason_name: r.stay.reason.name_zh().to_owned(),
            current_address: r.stay.current_address.to_string(),
            house_id: r.stay.house.map(|h| h.0),
            employer_id: r.stay.employer.map(|e| e.0),
            status: r.status.key().to_owned(),
            status_name: r.status.name_zh().to_owned(),
            departure,
            version: r.version,
        }
    }
}

/// A resident list row: a stay and the person it belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResidentRowResponse {
    pub person: PersonResponse,
    pub residence: ResidenceResponse,
}

impl From<&ResidentRow> for ResidentRowResponse {
    fn from(row: &ResidentRow) -> Self {
        Self {
            person: (&row.person).into(),
            residence: (&row.residence).into(),
        }
    }
}

super::page_type!(
    /// A page of the resident list.
    ResidentPage,
    ResidentRowResponse
);

/// Filters of the resident list, all optional and combined.
#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct ResidentListQuery {
    /// One search box: ID number or its first digits, name, pinyin
    /// initials (`zs`), full pinyin (`zhangsan`) or phone.
    /// Only in the body of `POST …/search`: refused in a URL.
    pub q: Option<String>,
    /// A unit inside your jurisdiction.
    pub unit: Option<String>,
    /// `current` (default: registered or active), `registered`, `active`,
    /// `departed` or `any`.
    pub status: Option<String>,
    /// Sex code or name.
    pub sex: Option<String>,
    pub house: Option<i64>,
    pub employer: Option<i64>,
    /// Earliest arrival date, inclusive.
    pub arrived_from: Option<String>,
    /// Latest arrival date, inclusive.
    pub arrived_to: Option<String>,
    /// Earliest departure date, inclusive (with `status=departed`: the
    /// departures since then).
    pub departed_from: Option<String>,
    /// Two-digit province code of the household registration.
    pub origin_province: Option<String>,
    /// Age today: `under_16`, `16_59` or `60_plus`.
    pub age_band: Option<String>,
    /// `arrived_desc` (default), `arrived_asc` or `name` (by pinyin).
    pub sort: Option<String>,
    /// Page number from 1.
    pub page: Option<u32>,
    /// Items per page, 1 to 500 (default 20).
    pub per_page: Option<u32>,
}

const STATUSES: &[(&str, StatusFilter)] = &[
    ("current", StatusFilter::Current),
    ("registered", StatusFilter::Registered),
    ("active", StatusFilter::Active),
    ("departed", StatusFilter::Departed),
    ("any", StatusFilter::Any),
];

const SORTS: &[(&str, ResidentSort)] = &[
    ("arrived_desc", ResidentSort::ArrivedDesc),
    ("arrived_asc", ResidentSort::ArrivedAsc),
    ("name", ResidentSort::Name),
];

impl ResidentListQuery {
    /// The store query and the page asked for.
    pub(crate) fn parse(&self) -> Result<(ResidentQuery, Paging), ApiError> {
        let mut fields = Fields::default();
        let unit = fields.optional("unit", self.unit.as_deref(), UnitCode::parse);
        let status = option(&mut fields, "status", self.status.as_deref(), STATUSES);
        let sex = fields.optional("sex", self.sex.as_deref(), Sex::parse);
        let arrived_from =
            fields.optional("arrived_from", self.arrived_from.as_deref(), parse_iso_date);
        let arrived_to = fields.optional("arrived_to", self.arrived_to.as_deref(), parse_iso_date);
        let departed_from = fields.optional(
            "departed_from",
            self.departed_from.as_deref(),
            parse_iso_date,
        );
        let origin_province = province(
            &mut fields,
            "origin_province",
            self.origin_province.as_deref(),
        );
        let age_band = fields.optional("age_band", self.age_band.as_deref(), AgeBand::parse);
        let sort = option(&mut fields, "sort", self.sort.as_deref(), SORTS);
        let paging = paging(&mut fields, self.page, self.per_page);
        let parsed = assemble(|| {
            let paging = paging?;
            let (born_from, born_to) = age_band?
                .map(|band| band.birth_dates(china_today()))
                .unwrap_or_default();
            let query = ResidentQuery {
                unit: unit?,
                term: non_blank(self.q.as_deref()).and_then(SearchTerm::parse),
                status: status?,
                sex: sex?,
                house: self.house.map(HouseId),
                employer: self.employer.map(EmployerId),
                arrived_from: arrived_from?,
                arrived_to: arrived_to?,
                departed_from: departed_from?,
                origin_province: origin_province?,
                born_from,
                born_to,
                sort: sort?,
                page: paging.request,
            };
            Some((query, paging))
        });
        fields.finish(parsed)
    }
}

/// A two-digit province code filter (`41`, or `410000` padded).
pub(crate) fn province(
    fields: &mut Fields,
    field: &str,
    input: Option<&str>,
) -> Option<Option<String>> {
    match fields.optional(field, input, DivisionCode::parse_known)? {
        Some(code) if code.level() != DivisionLevel::Province => {
            fields.refuse(field, &InputError::NotAProvince(code.to_string()));
            None
        }
        code => Some(code.map(|c| c.to_string())),
    }
}
