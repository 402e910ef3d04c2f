//! Outflow (流出人口): people registered here who went to live elsewhere,
//! with the elderly and children they left behind in one cell.

use super::Directory;
use crate::table::{Column, FieldError, Fields, cell, column};
use sojourn_domain::codes::{IdNumber, Phone};
use sojourn_domain::outflow::{LeftBehind, Outflow, OutflowDetails};
use sojourn_domain::text::{Address, Note, OrgName, PersonName, Relation};
use sojourn_domain::time_rules::{PastDate, parse_iso_date};
use time::Date;

pub const COLUMNS: &[Column] = &[
    column("id_number", true, "citizen ID number"),
    column("name", true, "name"),
    column(
        "unit",
        true,
        "community or village code of the household registration here",
    ),
    column("left_on", true, "date the person left"),
    column(
        "destination",
        true,
        "division code of where the person went (down to town)",
    ),
    column("destination_address", false, "address at the destination"),
    column("reason", false, "why the person left"),
    column("employer_name", false, "employer at the destination"),
    column("contact_phone", false, "phone to reach the person"),
    column(
        "left_behind",
        false,
        "family left behind, `;`-separated, each name/relation/birth date/ID number",
    ),
    column(
        "returned_on",
        false,
        "date the person came back, which closes the record",
    ),
];

/// Separates family members in the `left_behind` cell.
const MEMBER_SEPARATOR: char = ';';
/// Separates a member's name, relation, birth date and ID number.
const PART_SEPARATOR: char = '/';

/// Reads one row; `None` when any cell was refused.
pub fn parse(
    f: &mut Fields,
    today: Date,
    directory: &Directory,
) -> Option<(IdNumber, OutflowDetails)> {
    let id_number = f.required("id_number", |s| IdNumber::parse_as_of(s, today));
    let name = f.required("name", PersonName::parse);
    let unit = f.required("unit", |s| directory.unit(s));
    let left_on = f.required("left_on", |s| PastDate::parse(s, today));
    let destination = f.required("destination", super::parse_place);
    let left_behind = match left_on {
        Some(left_on) => parse_left_behind(f, left_on.date(), today),
        None => Vec::new(),
    };
    let details = OutflowDetails {
        unit: unit?,
        name: name?,
        left_on: left_on?,
        destination: destination?,
        destination_address: f.optional("destination_address", Address::parse),
        reason: f.optional("reason", Note::parse),
        employer_name: f.optional("employer_name", OrgName::parse),
        contact_phone: f.optional("contact_phone", Phone::parse),
        left_behind,
    };
    f.is_clean().then_some((id_number?, details))
}

/// The `returned_on` cell of a row whose other cells gave `details`:
/// `Some(None)` when empty, `None` when refused (not a past date, or before
/// the person left).
pub fn parse_return(
    f: &mut Fields,
    details: &OutflowDetails,
    today: Date,
) -> Option<Option<PastDate>> {
    let returned_on = f.optional("returned_on", |s| PastDate::parse(s, today));
    if let Some(date) = returned_on
        && let Err(error) = details.check_return_date(date)
    {
        f.refuse(Some("returned_on"), &error);
    }
    f.is_clean().then_some(returned_on)
}

/// Every member of the `left_behind` cell; a bad member refuses the row.
fn parse_left_behind(f: &mut Fields, left_on: Date, today: Date) -> Vec<LeftBehind> {
    let Some(text) = f.text("left_behind") else {
        return Vec::new();
    };
    let mut family = Vec::new();
    for entry in text.split([MEMBER_SEPARATOR, '；']).map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        match parse_member(entry, left_on, today) {
            Ok(member) => family.push(member),
            Err(error) => f.refuse(Some("left_behind"), error.as_ref()),
        }
    }
    family
}

type MemberError = Box<dyn sojourn_domain::Localized>;

fn parse_member(entry: &str, left_on: Date, today: Date) -> Result<LeftBehind, MemberError> {
    let malformed = || -> MemberError { Box::new(FieldError::LeftBehindEntry(entry.to_owned())) };
    let parts: Vec<&str> = entry.split([PART_SEPARATOR, '／']).map(str::trim).collect();
    if !(2..=4).contains(&parts.len()) {
        return Err(malformed());
    }
    let name = PersonName::parse(parts[0]).map_err(boxed)?;
    let relation = Relation::parse(parts[1]).map_err(boxed)?;
    let birth_text = parts.get(2).copied().unwrap_or_default();
    let id_text = parts.get(3).copied().unwrap_or_default();
    let id_number = match id_text {
        "" => None,
        text => Some(IdNumber::parse_as_of(text, today).map_err(boxed)?),
    };
    let birth_date = match (birth_text, &id_number) {
        ("", Some(id)) => id.birth_date(),
        ("", None) => return Err(malformed()),
        (text, _) => parse_iso_date(text).map_err(boxed)?,
    };
    LeftBehind::new(name, id_number, birth_date, relation, left_on).map_err(boxed)
}

fn boxed(error: impl sojourn_domain::Localized + 'static) -> MemberError {
    Box::new(error)
}

/// The row of a stored outflow record, in [`COLUMNS`] order.
pub fn record(outflow: &Outflow) -> Vec<String> {
    COLUMNS.iter().map(|c| value(c.key, outflow)).collect()
}

fn value(key: &str, outflow: &Outflow) -> String {
    let d = &outflow.details;
    match key {
        "id_number" => outflow.id_number.to_string(),
        "name" => d.name.to_string(),
        "unit" => d.unit.to_string(),
        "left_on" => d.left_on.to_string(),
        "destination" => d.destination.to_string(),
        "destination_address" => cell(d.destination_address.as_ref()),
        "reason" => cell(d.reason.as_ref()),
        "employer_name" => cell(d.employer_name.as_ref()),
        "contact_phone" => cell(d.contact_phone.as_ref()),
        "left_behind" => left_behind_cell(&d.left_behind),
        "returned_on" => cell(outflow.returned_on.as_ref()),
        _ => String::new(),
    }
}

fn left_behind_cell(family: &[LeftBehind]) -> String {
    family
        .iter()
        .map(|m| {
            format!(
                "{}{PART_SEPARATOR}{}{PART_SEPARATOR}{}{PART_SEPARATOR}{}",
                m.name,
                m.relation,
                m.birth_date,
                cell(m.id_number.as_ref())
            )
        })
        .collect::<Vec<_>>()
        .join(&MEMBER_SEPARATOR.to_string())
}
