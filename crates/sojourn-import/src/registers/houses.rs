//! Rental houses (出租房屋) with their landlords.

use super::{Directory, LANDLORD_CODE};
use crate::table::{Column, FieldError, Fields, cell, column, number_in};
use sojourn_domain::codes::{IdNumber, Phone, Uscc};
use sojourn_domain::house::{Filing, House, HouseDetails, HouseUse, Landlord};
use sojourn_domain::text::{Address, OrgName, PersonName};
use sojourn_domain::time_rules::PastDate;
use time::Date;

pub const COLUMNS: &[Column] = &[
    column(
        "unit",
        true,
        "community, grid or collection point code of the house",
    ),
    column("address", true, "address of the house (unique)"),
    column("landlord_kind", true, "person or company (个人 or 单位)"),
    column("landlord_name", true, "landlord's name"),
    column("landlord_id_number", false, "person landlord's ID number"),
    column("landlord_uscc", false, "company landlord's credit code"),
    column("landlord_phone", false, "landlord's phone"),
    column("rooms", true, "rooms let out, 1 or more"),
    column(
        "usage",
        true,
        "residential, commercial, mixed, dormitory or other (or 居住 …)",
    ),
    column(
        "filed_on",
        false,
        "date of filing (备案); blank if not filed",
    ),
    column(
        "security_agreement_on",
        false,
        "date the security agreement was signed",
    ),
];

/// Reads one row; `None` when any cell was refused.
pub fn parse(f: &mut Fields, today: Date, directory: &Directory) -> Option<HouseDetails> {
    let unit = f.required("unit", |s| directory.unit(s));
    let address = f.required("address", Address::parse);
    if let Some(address) = address
        .as_ref()
        .filter(|a| directory.has_house_at(a.as_str()))
    {
        let error = FieldError::DuplicateHouse(address.to_string());
        f.refuse(Some("address"), &error);
    }
    let landlord = parse_landlord(f, today);
    let rooms = f
        .required("rooms", |s| number_in(s, 1, i64::from(u16::MAX)))
        .and_then(|rooms| u16::try_from(rooms).ok());
    let usage = f.required("usage", parse_usage);
    let filing = match f.optional("filed_on", |s| PastDate::parse(s, today)) {
        Some(on) => Filing::Filed { on },
        None => Filing::NotFiled,
    };
    let security_agreement_on = f.optional("security_agreement_on", |s| PastDate::parse(s, today));
    let details = HouseDetails {
        unit: unit?,
        address: address?,
        landlord: landlord?,
        rooms: rooms?,
        usage: usage?,
        filing,
        security_agreement_on,
    };
    f.is_clean().then_some(details)
}

fn parse_usage(text: &str) -> Result<HouseUse, FieldError> {
    HouseUse::parse(text).ok_or_else(|| FieldError::NotAChoice {
        value: text.to_owned(),
        choices: "residential, commercial, mixed, dormitory, other (居住, 经营, 居住兼经营, 集体宿舍, 其他)",
    })
}

/// Whether the landlord is a person (`true`) or a company.
fn parse_landlord_kind(text: &str) -> Result<bool, FieldError> {
    match text {
        "person" | "个人" => Ok(true),
        "company" | "单位" | "公司" => Ok(false),
        _ => Err(FieldError::NotAChoice {
            value: text.to_owned(),
            choices: "person, company (个人, 单位)",
        }),
    }
}

fn parse_landlord(f: &mut Fields, today: Date) -> Option<Landlord> {
    let is_person = f.required("landlord_kind", parse_landlord_kind)?;
    let phone = f.optional("landlord_phone", Phone::parse);
    let code_column = if is_person {
        "landlord_id_number"
    } else {
        "landlord_uscc"
    };
    if f.text(code_column).is_none() {
        f.refuse(Some(code_column), &FieldError::Inconsistent(LANDLORD_CODE));
        return None;
    }
    if is_person {
        let name = f.required("landlord_name", PersonName::parse);
        let id_number = f.required(code_column, |s| IdNumber::parse_as_of(s, today));
        Some(Landlord::Person {
            name: name?,
            id_number: id_number?,
            phone,
        })
    } else {
        let name = f.required("landlord_name", OrgName::parse);
        let uscc = f.required(code_column, Uscc::parse);
        Some(Landlord::Company {
            name: name?,
            uscc: uscc?,
            phone,
        })
    }
}

/// The row of a stored house, in [`COLUMNS`] order.
pub fn record(house: &House) -> Vec<String> {
    COLUMNS.iter().map(|c| value(c.key, house)).collect()
}

fn value(key: &str, house: &House) -> String {
    let d = &house.details;
    let (kind, id_number, uscc) = match &d.landlord {
        Landlord::Person { id_number, .. } => ("person", Some(id_number), None),
        Landlord::Company { uscc, .. } => ("company", None, Some(uscc)),
    };
    match key {
        "unit" => d.unit.to_string(),
        "address" => d.address.to_string(),
        "landlord_kind" => kind.to_owned(),
        "landlord_name" => d.landlord.display_name().to_owned(),
        "landlord_id_number" => cell(id_number),
        "landlord_uscc" => cell(uscc),
        "landlord_phone" => cell(d.landlord.phone()),
        "rooms" => d.rooms.to_string(),
        "usage" => d.usage.key().to_owned(),
        "filed_on" => match &d.filing {
            Filing::Filed { on } => on.to_string(),
            Filing::NotFiled => String::new(),
        },
        "security_agreement_on" => cell(d.security_agreement_on.as_ref()),
        _ => String::new(),
    }
}
