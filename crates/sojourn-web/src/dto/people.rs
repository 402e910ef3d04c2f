//! Person files (一人一档) and the registration of an arrival.

use super::collection::CollectionRequest;
use super::fields::{Fields, InputError, non_blank};
use super::iso;
use super::residences::{ResidenceResponse, StayFields, stay_details};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use sojourn_domain::DomainError;
use sojourn_domain::codes::division::full_name;
use sojourn_domain::codes::{
    DivisionCode, Education, Ethnicity, IdNumber, MaritalStatus, Occupation, Phone, PoliticalStatus,
};
use sojourn_domain::person::{Guardian, GuardianInput, Person, PersonDetails};
use sojourn_domain::residence::{Arrival, Residence};
use sojourn_domain::text::{Address, PersonName};
use sojourn_domain::time_rules::china_today;
use utoipa::ToSchema;

/// What a clerk may write on a person file. Code-table fields take the
/// standard code or the Chinese name (`01` or `汉族`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonFields {
    #[schema(example = "张三")]
    pub name: String,
    #[schema(example = "01")]
    pub ethnicity: String,
    /// Division code of the household registration (户籍地), down to
    /// village level where known.
    #[schema(example = "410105")]
    pub domicile: String,
    pub domicile_address: Option<String>,
    #[schema(example = "13800138000")]
    pub phone: Option<String>,
    pub marital_status: Option<String>,
    pub education: Option<String>,
    pub political_status: Option<String>,
    pub occupation: Option<String>,
    /// The guardian (监护人), required for a person under 16 on the arrival
    /// date (on a file edit: today). Absent, null or all fields blank: no
    /// guardian. An adult may keep one recorded or drop it.
    #[serde(default)]
    pub guardian: Option<GuardianFields>,
}

/// A minor's guardian: all four fields, or none. Errors name the field as
/// `guardian.name`, `guardian.id_number`, `guardian.relation`,
/// `guardian.phone`; the guardian rules (`guardian_required` under
/// `guardian`, `guardian_not_adult` and `guardian_is_self` under
/// `guardian.id_number`).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GuardianFields {
    #[schema(example = "张大山")]
    pub name: Option<String>,
    #[schema(example = "11010519850307001X")]
    pub id_number: Option<String>,
    /// Code or name: `01` 父亲, `02` 母亲, `03` 祖父母, `04` 外祖父母,
    /// `05` 其他亲属, `99` 其他.
    #[schema(example = "01")]
    pub relation: Option<String>,
    #[schema(example = "13911112222")]
    pub phone: Option<String>,
}

impl GuardianFields {
    /// The fields with their names, in form order.
    fn named(&self) -> [(&'static str, Option<&str>); 4] {
        [
            ("name", non_blank(self.name.as_deref())),
            ("id_number", non_blank(self.id_number.as_deref())),
            ("relation", non_blank(self.relation.as_deref())),
            ("phone", non_blank(self.phone.as_deref())),
        ]
    }
}

/// The guardian, `Some(None)` when none is given, `None` with every
/// problem recorded. A blank field of a guardian begun is "required"; the
/// others are parsed so that all their errors show at once.
fn guardian_details(
    fields: &mut Fields,
    input: Option<&GuardianFields>,
) -> Option<Option<Guardian>> {
    let Some(input) = input else {
        return Some(None);
    };
    let named = input.named();
    if named.iter().all(|(_, value)| value.is_none()) {
        return Some(None);
    }
    for (field, value) in named {
        if value.is_none() {
            fields.refuse(&format!("guardian.{field}"), &InputError::Required);
        }
    }
    let [name, id_number, relation, phone] = named.map(|(_, value)| value.unwrap_or(""));
    let parsed = Guardian::parse(
        GuardianInput {
            name,
            id_number,
            relation,
            phone,
        },
        china_today(),
    );
    match parsed {
        Ok(guardian) => Some(Some(guardian)),
        Err(errors) => {
            let given = |field: &str| named.iter().any(|(f, v)| *f == field && v.is_some());
            for error in errors.iter().filter(|e| given(e.field())) {
                fields.refuse(&format!("guardian.{}", error.field()), error);
            }
            None
        }
    }
}

/// The field a guardian rule's refusal belongs to; `None` for other rules.
pub(crate) fn guardian_rule_field(error: &DomainError) -> Option<&'static str> {
    match error {
        DomainError::GuardianRequired { .. } => Some("guardian"),
        DomainError::GuardianNotAdult { .. } | DomainError::GuardianIsSelf => {
            Some("guardian.id_number")
        }
        _ => None,
    }
}

pub(crate) fn person_details(fields: &mut Fields, input: &PersonFields) -> Option<PersonDetails> {
    let name = fields.take("name", PersonName::parse(&input.name));
    let ethnicity = fields.take("ethnicity", Ethnicity::parse(&input.ethnicity));
    let domicile = fields.take("domicile", DivisionCode::parse_known(&input.domicile));
    let domicile_address = fields.optional(
        "domicile_address",
        input.domicile_address.as_deref(),
        Address::parse,
    );
    let phone = fields.optional("phone", input.phone.as_deref(), Phone::parse);
    let marital_status = fields.optional(
        "marital_status",
        input.marital_status.as_deref(),
        MaritalStatus::parse,
    );
    let education = fields.optional("education", input.education.as_deref(), Education::parse);
    let political_status = fields.optional(
        "political_status",
        input.political_status.as_deref(),
        PoliticalStatus::parse,
    );
    let occupation = fields.optional("occupation", input.occupation.as_deref(), Occupation::parse);
    let guardian = guardian_details(fields, input.guardian.as_ref());
    Some(PersonDetails {
        name: name?,
        ethnicity: ethnicity?,
        domicile: domicile?,
        domicile_address: domicile_address?,
        phone: phone?,
        marital_status: marital_status?,
        education: education?,
        political_status: political_status?,
        occupation: occupation?,
        guardian: guardian?,
    })
}

impl TryFrom<PersonFields> for PersonDetails {
    type Error = ApiError;

    fn try_from(input: PersonFields) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let details = person_details(&mut fields, &input);
        fields.finish(details)
    }
}

/// Registration of an arrival (来有登记): the person's details and the
/// stay, in one flat form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterArrivalRequest {
    #[schema(example = "11010519491231002X")]
    pub id_number: String,
    #[serde(flatten)]
    pub person: PersonFields,
    #[serde(flatten)]
    pub stay: StayFields,
    /// When and where a collector collected it (a collector's only).
    #[serde(flatten)]
    pub collection: CollectionRequest,
}

impl TryFrom<RegisterArrivalRequest> for Arrival {
    type Error = ApiError;

    fn try_from(input: RegisterArrivalRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let id_number = fields.take("id_number", IdNumber::parse(&input.id_number));
        let person = person_details(&mut fields, &input.person);
        let stay = stay_details(&mut fields, &input.stay, china_today());
        let arrival = match (id_number, person, stay) {
            (Some(id_number), Some(person), Some(stay)) => Some(Arrival {
                id_number,
                person,
                stay,
            }),
            _ => None,
        };
        // The guardian rules here too, so a form marks the field; the store
        // applies them again with the other rules of an arrival (and
        // refuses an arrival before the birth first, as `Arrival::check`).
        let arrival = arrival.and_then(|a| {
            let born = a.id_number.birth_date();
            if a.stay.check_not_before_birth(born).is_err() {
                return Some(a);
            }
            let rule = a
                .person
                .check_guardian(&a.id_number, a.stay.arrived_on.date());
            match rule {
                Ok(()) => Some(a),
                Err(error) => {
                    fields.refuse(guardian_rule_field(&error).unwrap_or("guardian"), &error);
                    None
                }
            }
        });
        fields.finish(arrival)
    }
}

/// A change to a person file, based on the version read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdatePersonRequest {
    pub version: i64,
    #[serde(flatten)]
    pub person: PersonFields,
}

/// A person file. Sex and birth date are read from the ID number. The ID
/// and phone numbers are masked (`110105********1234`, `138****1234`);
/// `POST /api/v1/persons/{id}/reveal` shows them in full, with a reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonResponse {
    pub id: i64,
    /// Masked: first 6 and last 4 characters.
    #[schema(example = "110105********002X")]
    pub id_number: String,
    pub name: String,
    /// GB/T 2261.1 code: `1` male, `2` female.
    pub sex: String,
    pub sex_name: String,
    #[schema(value_type = String, format = Date)]
    pub birth_date: String,
    /// GB/T 3304 code.
    pub ethnicity: String,
    pub ethnicity_name: String,
    pub domicile: String,
    /// Province to village, as the registers print it.
    pub domicile_name: Option<String>,
    pub domicile_address: Option<String>,
    /// Masked: `138****1234`, or area code and last 4 digits.
    pub phone: Option<String>,
    pub marital_status: Option<String>,
    pub marital_status_name: Option<String>,
    pub education: Option<String>,
    pub education_name: Option<String>,
    pub political_status: Option<String>,
    pub political_status_name: Option<String>,
    pub occupation: Option<String>,
    pub occupation_name: Option<String>,
    /// The guardian of a minor, numbers masked.
    pub guardian: Option<GuardianResponse>,
    /// Unit of the person's latest residence.
    pub unit: String,
    pub version: i64,
    /// The file a merge of probable duplicates absorbed this one into; it
    /// takes no new stay.
    pub merged_into: Option<i64>,
}

/// Code and Chinese name of an optional code-table value.
macro_rules! code_and_name {
    ($value:expr) => {
        (
            $value.map(|v| v.code().to_owned()),
            $value.map(|v| v.name_zh().to_owned()),
        )
    };
}

impl From<&Person> for PersonResponse {
    fn from(person: &Person) -> Self {
        let d = &person.details;
        let (marital_status, marital_status_name) = code_and_name!(d.marital_status);
        let (education, education_name) = code_and_name!(d.education);
        let (political_status, political_status_name) = code_and_name!(d.political_status);
        let (occupation, occupation_name) = code_and_name!(d.occupation);
        Self {
            id: person.id.0,
            id_number: person.id_number.masked(),
            name: d.name.to_string(),
            sex: person.sex().code().to_owned(),
            sex_name: person.sex().name_zh().to_owned(),
            birth_date: iso(person.birth_date()),
            ethnicity: d.ethnicity.code().to_owned(),
            ethnicity_name: d.ethnicity.name_zh().to_owned(),
            domicile: d.domicile.to_string(),
            domicile_name: full_name(&d.domicile),
            domicile_address: d.domicile_address.as_ref().map(ToString::to_string),
            phone: d.phone.as_ref().map(|p| p.masked()),
            marital_status,
            marital_status_name,
            education,
            education_name,
            political_status,
            political_status_name,
            occupation,
            occupation_name,
            guardian: d.guardian.as_ref().map(GuardianResponse::from),
            unit: person.unit.to_string(),
            version: person.version,
            merged_into: person.merged_into.map(|id| id.0),
        }
    }
}

/// A minor's guardian. The ID and phone numbers are masked; the person's
/// reveal shows them in full (`guardian.id_number`, `guardian.phone`).
#[derive(Debug, Serialize, ToSchema)]
pub struct GuardianResponse {
    pub name: String,
    /// Masked: first 6 and last 4 characters.
    #[schema(example = "110105********001X")]
    pub id_number: String,
    /// `01` 父亲, `02` 母亲, `03` 祖父母, `04` 外祖父母, `05` 其他亲属, `99` 其他.
    pub relation: String,
    pub relation_name: String,
    /// Masked: `139****2222`.
    pub phone: String,
}

impl From<&Guardian> for GuardianResponse {
    fn from(g: &Guardian) -> Self {
        Self {
            name: g.name().to_string(),
            id_number: g.id_number().masked(),
            relation: g.relation().code().to_owned(),
            relation_name: g.relation().name_zh().to_owned(),
            phone: g.phone().masked(),
        }
    }
}

/// The person file and the stay just opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArrivalResponse {
    pub person: PersonResponse,
    pub residence: ResidenceResponse,
}

impl ArrivalResponse {
    pub(crate) fn new(person: &Person, residence: &Residence) -> Self {
        Self {
            person: person.into(),
            residence: residence.into(),
        }
    }
}

/// A person file with the stays the caller may see, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonFileResponse {
    pub person: PersonResponse,
    pub residences: Vec<ResidenceResponse>,
}
