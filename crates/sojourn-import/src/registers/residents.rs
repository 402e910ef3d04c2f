//! Residents (流动人口): one CSV row per stay, with the person's file
//! details repeated on each of their rows.
//!
//! Ledgers are read as offices keep them. A household registration
//! written as text is read to its code by `sojourn_domain::codes::place`
//! (province → prefecture → county → town, full and short names, an
//! ambiguous name left unresolved); failing that, it is the place the ID
//! number's address code stands for today, and the row is kept with a
//! remark: the store marks the file, and the monitor lists it
//! (`quality_domicile_from_id_number`) until a clerk saves it. A missing
//! reason for stay is `ReasonForStay::Unknown`, which the monitor lists
//! too (`quality_reason_for_stay_unknown`).

use super::{DEPARTED_WITHOUT_DATE, DEPARTURE_FIELDS_WITHOUT_DEPARTURE, Directory};
use crate::table::{Column, FieldError, Fields, cell, column, number_in};
use sojourn_domain::DomainError;
use sojourn_domain::codes::division::is_known_county_code;
use sojourn_domain::codes::place::{PlaceMatch, place_of_id_address, resolve_place};
use sojourn_domain::codes::{
    DivisionCode, DivisionLevel, Education, Ethnicity, IdNumber, MaritalStatus, Occupation, Phone,
    PoliticalStatus, ReasonForStay, Sex, Uscc,
};
use sojourn_domain::employer::EmployerId;
use sojourn_domain::person::{Guardian, GuardianError, GuardianInput, PersonDetails};
use sojourn_domain::residence::{Arrival, Departure, ResidenceStatus, StayDetails};
use sojourn_domain::text::{Address, Note, PersonName};
use sojourn_domain::time_rules::{PastDate, parse_iso_date};
use sojourn_store::ResidentRow;
use time::Date;

pub const COLUMNS: &[Column] = &[
    column(
        "id_number",
        true,
        "citizen ID number, 18 characters (15-digit numbers are upgraded)",
    ),
    column("name", true, "name as on the ID card"),
    column(
        "sex",
        false,
        "read from the ID number; if filled must agree (1/2 or 男/女)",
    ),
    column(
        "birth_date",
        false,
        "read from the ID number; if filled must agree",
    ),
    column("ethnicity", true, "GB/T 3304 code or name (01 or 汉族)"),
    column(
        "domicile",
        false,
        "household registration: division code down to village, or the place as text \
         (河南省郑州市中原区…); blank or unreadable: the place the ID number names, with a remark",
    ),
    column(
        "domicile_address",
        false,
        "street and number at the domicile",
    ),
    column("phone", false, "mobile or landline with area code"),
    column("marital_status", false, "GB/T 2261.2 code or name"),
    column("education", false, "GB/T 4658 code or name"),
    column("political_status", false, "GB/T 4762 code or name"),
    column("occupation", false, "GB/T 6565 major group code or name"),
    column(
        "guardian_name",
        false,
        "guardian's name (监护人): required when the person is under 16 on arrival",
    ),
    column("guardian_id_number", false, "guardian's citizen ID number"),
    column(
        "guardian_relation",
        false,
        "guardian's relation to the minor, code or name (01 父亲, 02 母亲 …)",
    ),
    column("guardian_phone", false, "guardian's phone"),
    column(
        "unit",
        true,
        "community, grid or collection point code where the person lives",
    ),
    column("arrived_on", true, "date of arrival"),
    column(
        "intended_stay_months",
        false,
        "intended length of stay in months",
    ),
    column(
        "reason",
        false,
        "reason for stay, code or name (01 or 务工); blank: unknown (不详), listed by the monitor",
    ),
    column("current_address", true, "current address"),
    column(
        "house_address",
        false,
        "address of the registered rental house lived in",
    ),
    column(
        "employer_uscc",
        false,
        "credit code of the registered employer worked for",
    ),
    column("status", false, "registered (default), active or departed"),
    column("departed_on", false, "date of departure (departed stays)"),
    column(
        "destination",
        false,
        "division code of where the person went",
    ),
    column("destination_address", false, "address the person went to"),
    column("departure_reason", false, "why the person left"),
];

/// How a stay stands once imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Registered,
    Active,
    Departed(Departure),
}

/// A row that passed every check, ready for the store.
#[derive(Debug, Clone)]
pub struct ParsedStay {
    pub arrival: Arrival,
    pub outcome: Outcome,
}

/// What rows are checked against.
pub struct Context<'a> {
    pub today: Date,
    pub directory: &'a Directory,
}

/// Reads one row; `None` when any cell was refused (the refusals are in
/// `f`).
pub fn parse(f: &mut Fields, ctx: &Context) -> Option<ParsedStay> {
    let id_number = f.required("id_number", |s| IdNumber::parse_as_of(s, ctx.today));
    if let Some(id_number) = &id_number {
        check_derived_from_id(f, id_number);
    }
    let person = parse_person(f, ctx.today, id_number.as_ref());
    let stay = parse_stay(f, ctx);
    let arrived_on = stay.as_ref().map(|s| s.arrived_on.date());
    // A guardian whose cells were refused is not also reported missing.
    let guardian_refused = person.as_ref().is_some_and(|p| p.guardian.is_none())
        && GUARDIAN_COLUMNS.iter().any(|key| f.text(key).is_some());
    if let (Some(id_number), Some(person), Some(arrived_on)) = (&id_number, &person, arrived_on)
        && !guardian_refused
        && let Err(error) = person.check_guardian(id_number, arrived_on)
    {
        // Checked here as well as by the store, so that a dry run refuses
        // a minor without a guardian as the import would.
        f.refuse(rule_column(&error), &error);
    }
    let outcome = parse_outcome(f, ctx.today, arrived_on);
    match (id_number, person, stay, outcome) {
        (Some(id_number), Some(person), Some(stay), Some(outcome)) if f.is_clean() => {
            Some(ParsedStay {
                arrival: Arrival {
                    id_number,
                    person,
                    stay,
                },
                outcome,
            })
        }
        _ => None,
    }
}

/// Sex and birth date are facts of the number; a sheet that says otherwise
/// holds a mistyped number or a mixed-up row.
fn check_derived_from_id(f: &mut Fields, id_number: &IdNumber) {
    if let Some(sex) = f.optional("sex", Sex::parse)
        && sex != id_number.sex()
    {
        let error = FieldError::DisagreesWithIdNumber {
            column: "sex",
            given: sex.name_zh().to_owned(),
            from_id: id_number.sex().name_zh().to_owned(),
        };
        f.refuse(Some("sex"), &error);
    }
    if let Some(birth) = f.optional("birth_date", parse_iso_date)
        && birth != id_number.birth_date()
    {
        let error = FieldError::DisagreesWithIdNumber {
            column: "birth_date",
            given: birth.to_string(),
            from_id: id_number.birth_date().to_string(),
        };
        f.refuse(Some("birth_date"), &error);
    }
    if !is_known_county_code(id_number.address_code()) {
        let warning = FieldError::UnknownIssuingCounty(id_number.address_code().to_owned());
        f.warn("id_number", &warning);
    }
}

fn parse_person(
    f: &mut Fields,
    today: Date,
    id_number: Option<&IdNumber>,
) -> Option<PersonDetails> {
    let name = f.required("name", PersonName::parse);
    let ethnicity = f.required("ethnicity", Ethnicity::parse);
    let domicile = parse_domicile(f, id_number);
    let domicile_address = match f.text("domicile_address") {
        Some(_) => f.optional("domicile_address", Address::parse),
        // The place written in the domicile column is the address too.
        None => f
            .text("domicile")
            .filter(|text| !is_code(text))
            .and_then(|text| Address::parse(text).ok()),
    };
    Some(PersonDetails {
        domicile_address,
        phone: f.optional("phone", Phone::parse),
        marital_status: f.optional("marital_status", MaritalStatus::parse),
        education: f.optional("education", Education::parse),
        political_status: f.optional("political_status", PoliticalStatus::parse),
        occupation: f.optional("occupation", Occupation::parse),
        guardian: parse_guardian(f, today),
        name: name?,
        ethnicity: ethnicity?,
        domicile: domicile?,
    })
}

/// Whether a domicile cell is a code rather than a place written out.
fn is_code(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

/// The household registration: a division code as given; a place written
/// out (in the domicile column, or else in the address column, where
/// ledgers keep 户籍地址) read to its code down to the county at least; a
/// place read only to its province or prefecture made precise by the ID
/// number when the number lies in it; and otherwise the place the ID
/// number's address code stands for today, with a remark — the row is
/// kept, and the monitor lists the file (`quality_domicile_from_id_number`).
fn parse_domicile(f: &mut Fields, id_number: Option<&IdNumber>) -> Option<DivisionCode> {
    let given = f.text("domicile");
    if given.is_some_and(is_code) {
        return f.required("domicile", DivisionCode::parse_known);
    }
    let column = if given.is_some() {
        "domicile"
    } else {
        "domicile_address"
    };
    let text = given.or_else(|| f.text("domicile_address"));
    let from_text = match text.map(resolve_place) {
        Some(PlaceMatch::Resolved(code)) => Some(code),
        _ => None,
    };
    let from_id = id_number.and_then(|id| place_of_id_address(id.address_code()));
    match (from_text, from_id) {
        (Some(code), _) if code.level() >= DivisionLevel::County => Some(code),
        (Some(code), Some(id_place)) if id_place.as_str().starts_with(code.as_str()) => {
            Some(id_place)
        }
        (Some(code), _) => Some(code),
        (None, Some(id_place)) => {
            let remark = FieldError::DomicileFromIdNumber {
                text: text.unwrap_or_default().to_owned(),
                code: id_place.to_string(),
            };
            f.warn(column, &remark);
            Some(id_place)
        }
        // A refused number says why already.
        (None, None) if id_number.is_none() => None,
        (None, None) => {
            let error = FieldError::DomicileUnreadable(text.unwrap_or_default().to_owned());
            f.refuse(Some(column), &error);
            None
        }
    }
}

/// The guardian's four columns: none filled is no guardian; some filled
/// must make a whole guardian, each wrong cell refused in its own column.
fn parse_guardian(f: &mut Fields, today: Date) -> Option<Guardian> {
    let keys = GUARDIAN_COLUMNS;
    let [name, id_number, relation, phone] = keys.map(|key| f.text(key));
    if [name, id_number, relation, phone]
        .iter()
        .all(Option::is_none)
    {
        return None;
    }
    let input = GuardianInput {
        name: name.unwrap_or_default(),
        id_number: id_number.unwrap_or_default(),
        relation: relation.unwrap_or_default(),
        phone: phone.unwrap_or_default(),
    };
    Guardian::parse(input, today)
        .map_err(|errors| {
            for error in errors {
                f.refuse(Some(guardian_column(&error)), &error);
            }
        })
        .ok()
}

const GUARDIAN_COLUMNS: [&str; 4] = [
    "guardian_name",
    "guardian_id_number",
    "guardian_relation",
    "guardian_phone",
];

fn guardian_column(error: &GuardianError) -> &'static str {
    match error.field() {
        "name" => "guardian_name",
        "id_number" => "guardian_id_number",
        "relation" => "guardian_relation",
        _ => "guardian_phone",
    }
}

/// The column a rule of the arrival points at, for the report.
pub fn rule_column(error: &DomainError) -> Option<&'static str> {
    match error {
        DomainError::GuardianRequired { .. } => Some("guardian_name"),
        DomainError::GuardianNotAdult { .. } | DomainError::GuardianIsSelf => {
            Some("guardian_id_number")
        }
        DomainError::ArrivalBeforeBirth { .. } => Some("arrived_on"),
        _ => Some("departed_on"),
    }
}

fn parse_stay(f: &mut Fields, ctx: &Context) -> Option<StayDetails> {
    let unit = f.required("unit", |s| ctx.directory.unit(s));
    let arrived_on = f.required("arrived_on", |s| PastDate::parse(s, ctx.today));
    let intended_stay_months = f
        .optional("intended_stay_months", |s| number_in(s, 1, 1200))
        .and_then(|months| u16::try_from(months).ok());
    // A ledger without the column says nothing of the reason: unknown, and
    // the monitor lists the stay (`quality_reason_for_stay_unknown`).
    let reason = match f.text("reason") {
        Some(_) => f.required("reason", ReasonForStay::parse),
        None => Some(ReasonForStay::Unknown),
    };
    let current_address = f.required("current_address", Address::parse);
    let house = f.optional("house_address", |s| ctx.directory.house(s));
    let employer = parse_employer(f, ctx.directory);
    Some(StayDetails {
        unit: unit?,
        arrived_on: arrived_on?,
        intended_stay_months,
        reason: reason?,
        current_address: current_address?,
        house,
        employer,
    })
}

fn parse_employer(f: &mut Fields, directory: &Directory) -> Option<EmployerId> {
    let uscc = f.optional("employer_uscc", Uscc::parse)?;
    directory
        .employer(&uscc)
        .map_err(|error| f.refuse(Some("employer_uscc"), &error))
        .ok()
}

/// The stay's status and, for a departed one, its departure.
fn parse_outcome(f: &mut Fields, today: Date, arrived_on: Option<Date>) -> Option<Outcome> {
    let status = f.optional("status", parse_status);
    let departing = match status {
        Some(status) => status == "departed",
        None => f.text("departed_on").is_some(),
    };
    if !departing {
        let has_departure_fields = ["departed_on", "destination", "departure_reason"]
            .into_iter()
            .any(|key| f.text(key).is_some());
        if has_departure_fields {
            let error = FieldError::Inconsistent(DEPARTURE_FIELDS_WITHOUT_DEPARTURE);
            f.refuse(Some("status"), &error);
        }
        return Some(match status {
            Some("active") => Outcome::Active,
            _ => Outcome::Registered,
        });
    }
    parse_departure(f, today, arrived_on).map(Outcome::Departed)
}

/// The keys and Chinese names of [`ResidenceStatus`].
const STATUSES: [(&str, &str); 3] = [
    ("registered", "已登记"),
    ("active", "在住"),
    ("departed", "已注销"),
];

fn parse_status(text: &str) -> Result<&'static str, FieldError> {
    STATUSES
        .iter()
        .find(|(key, zh)| *key == text || *zh == text)
        .map(|(key, _)| *key)
        .ok_or_else(|| FieldError::NotAChoice {
            value: text.to_owned(),
            choices: "registered, active, departed (已登记, 在住, 已注销)",
        })
}

fn parse_departure(f: &mut Fields, today: Date, arrived_on: Option<Date>) -> Option<Departure> {
    let departed_on = f.optional("departed_on", |s| PastDate::parse(s, today));
    let destination = f.optional("destination", super::parse_place);
    let destination_address = f.optional("destination_address", Address::parse);
    let reason = f.optional("departure_reason", Note::parse);
    let Some(departed_on) = departed_on else {
        if f.text("departed_on").is_none() {
            f.refuse(
                Some("departed_on"),
                &FieldError::Inconsistent(DEPARTED_WITHOUT_DATE),
            );
        }
        return None;
    };
    if let Some(arrived) = arrived_on.filter(|arrived| departed_on.date() < *arrived) {
        let error = DomainError::DepartureBeforeArrival {
            arrived: arrived.to_string(),
            departed: departed_on.to_string(),
        };
        f.refuse(Some("departed_on"), &error);
    }
    Some(Departure {
        departed_on,
        destination,
        destination_address,
        reason,
    })
}

/// The row of a stored stay, in [`COLUMNS`] order.
pub fn record(row: &ResidentRow, directory: &Directory) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|column| value(column.key, row, directory))
        .collect()
}

fn value(key: &str, row: &ResidentRow, directory: &Directory) -> String {
    let person = &row.person;
    let details = &person.details;
    let stay = &row.residence.stay;
    let departure = match &row.residence.status {
        ResidenceStatus::Departed(departure) => Some(departure),
        _ => None,
    };
    match key {
        "id_number" => person.id_number.to_string(),
        "name" => details.name.to_string(),
        "sex" => person.sex().code().to_owned(),
        "birth_date" => person.birth_date().to_string(),
        "ethnicity" => details.ethnicity.code().to_owned(),
        "domicile" => details.domicile.to_string(),
        "domicile_address" => cell(details.domicile_address.as_ref()),
        "phone" => cell(details.phone.as_ref()),
        "marital_status" => cell(details.marital_status.map(|v| v.code()).as_ref()),
        "education" => cell(details.education.map(|v| v.code()).as_ref()),
        "political_status" => cell(details.political_status.map(|v| v.code()).as_ref()),
        "occupation" => cell(details.occupation.map(|v| v.code()).as_ref()),
        "guardian_name" => cell(details.guardian.as_ref().map(Guardian::name)),
        "guardian_id_number" => cell(details.guardian.as_ref().map(Guardian::id_number)),
        "guardian_relation" => cell(details.guardian.as_ref().map(|g| g.relation().code())),
        "guardian_phone" => cell(details.guardian.as_ref().map(Guardian::phone)),
        "unit" => stay.unit.to_string(),
        "arrived_on" => stay.arrived_on.to_string(),
        "intended_stay_months" => cell(stay.intended_stay_months.as_ref()),
        "reason" => stay.reason.code().to_owned(),
        "current_address" => stay.current_address.to_string(),
        "house_address" => cell(
            stay.house
                .and_then(|id| directory.house_address(id))
                .as_ref(),
        ),
        "employer_uscc" => cell(
            stay.employer
                .and_then(|id| directory.employer_uscc(id))
                .as_ref(),
        ),
        "status" => row.residence.status.key().to_owned(),
        "departed_on" => cell(departure.map(|d| d.departed_on).as_ref()),
        "destination" => cell(departure.and_then(|d| d.destination.as_ref())),
        "destination_address" => cell(departure.and_then(|d| d.destination_address.as_ref())),
        "departure_reason" => cell(departure.and_then(|d| d.reason.as_ref())),
        _ => String::new(),
    }
}
