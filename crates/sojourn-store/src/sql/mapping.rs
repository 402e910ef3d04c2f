//! Reading register rows back into domain values. Stored values were
//! checked on the way in; reading re-parses them through the same domain
//! parsers, so a row edited behind the application's back surfaces as an
//! error instead of an invalid value.

use super::Row;
use super::sealed::{
    self, GUARDIAN_ID_NUMBER, GUARDIAN_PHONE, ID_NUMBER, LANDLORD_CODE, LEGAL_REPRESENTATIVE, PHONE,
};
use crate::crypto::Keyring;
use crate::{Result, StoreError};
use sojourn_domain::codes::{
    DivisionCode, Education, Ethnicity, IdNumber, MaritalStatus, Occupation, Phone,
    PoliticalStatus, ReasonForStay, Uscc,
};
use sojourn_domain::employer::{Employer, EmployerDetails, EmployerId};
use sojourn_domain::house::{Filing, House, HouseDetails, HouseId, HouseUse, Landlord};
use sojourn_domain::outflow::{LeftBehind, Outflow, OutflowDetails, OutflowId};
use sojourn_domain::person::{Guardian, GuardianInput, Person, PersonDetails, PersonId};
use sojourn_domain::residence::{Departure, Residence, ResidenceId, ResidenceStatus, StayDetails};
use sojourn_domain::text::{Address, Note, OrgName, PersonName, Relation, UnitName};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::{Unit, UnitCode};
use time::Date;

/// A date far enough ahead that re-parsing stored values never trips the
/// "not in the future" rules, which applied when they were written.
const READ_TODAY: Date = time::macros::date!(9999 - 12 - 31);

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("stored {what} {value:?} no longer parses"))
}

fn parse<T, E>(
    what: &str,
    value: &str,
    f: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> Result<T> {
    f(value).map_err(|_| bad(what, value))
}

fn opt<T, E>(
    what: &str,
    value: Option<&str>,
    f: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> Result<Option<T>> {
    value.map(|v| parse(what, v, f)).transpose()
}

fn code_of<T>(what: &str, value: &str, f: impl FnOnce(&str) -> Option<T>) -> Result<T> {
    f(value).ok_or_else(|| bad(what, value))
}

fn past(date: Date) -> Result<PastDate> {
    PastDate::new(date, READ_TODAY).map_err(|_| bad("date", &date.to_string()))
}

pub(crate) fn id_number(value: &str) -> Result<IdNumber> {
    parse("ID number", value, |v| IdNumber::parse_as_of(v, READ_TODAY))
}

pub(crate) fn unit_code(value: &str) -> Result<UnitCode> {
    parse("unit code", value, UnitCode::parse)
}

pub(crate) const UNIT_COLUMNS: &str = "code, name";

pub(crate) fn unit(row: &Row) -> Result<Unit> {
    Ok(Unit {
        code: unit_code(row.text(0)?)?,
        name: parse("unit name", row.text(1)?, UnitName::parse)?,
    })
}

pub(crate) const PERSON_COLUMNS: &str = "p.id, p.id_number, p.unit_code, p.name, p.ethnicity, \
    p.domicile, p.domicile_address, p.phone, p.marital_status, p.education, \
    p.political_status, p.occupation, p.version, p.guardian_name, p.guardian_id_number, \
    p.guardian_relation, p.guardian_phone, p.merged_into";
pub(crate) const PERSON_WIDTH: usize = 18;

/// A sealed ID number, opened and parsed.
fn sealed_id_number(keys: &Keyring, stored: &str) -> Result<IdNumber> {
    id_number(&sealed::open(keys, ID_NUMBER, stored)?)
}

/// A sealed phone number, if any, opened and parsed.
fn sealed_phone(keys: &Keyring, stored: Option<&str>) -> Result<Option<Phone>> {
    let phone = sealed::open_opt(keys, PHONE, stored)?;
    opt("phone", phone.as_deref(), Phone::parse)
}

pub(crate) fn person(row: &Row, at: usize, keys: &Keyring) -> Result<Person> {
    let details = PersonDetails {
        name: parse("name", row.text(at + 3)?, PersonName::parse)?,
        ethnicity: code_of("ethnicity", row.text(at + 4)?, Ethnicity::from_code)?,
        domicile: parse("domicile", row.text(at + 5)?, DivisionCode::parse_form)?,
        domicile_address: opt("address", row.opt_text(at + 6)?, Address::parse)?,
        phone: sealed_phone(keys, row.opt_text(at + 7)?)?,
        marital_status: opt(
            "marital status",
            row.opt_text(at + 8)?,
            MaritalStatus::parse,
        )?,
        education: opt("education", row.opt_text(at + 9)?, Education::parse)?,
        political_status: opt(
            "political status",
            row.opt_text(at + 10)?,
            PoliticalStatus::parse,
        )?,
        occupation: opt("occupation", row.opt_text(at + 11)?, Occupation::parse)?,
        guardian: guardian(row, at + 13, keys)?,
    };
    Ok(Person {
        id: PersonId(row.int(at)?),
        id_number: sealed_id_number(keys, row.text(at + 1)?)?,
        unit: unit_code(row.text(at + 2)?)?,
        details,
        version: row.int(at + 12)?,
        merged_into: row.opt_int(at + 17)?.map(PersonId),
    })
}

/// The guardian in the four columns from `at`, its numbers opened; none
/// when the name is null (the columns are set together).
fn guardian(row: &Row, at: usize, keys: &Keyring) -> Result<Option<Guardian>> {
    let Some(name) = row.opt_text(at)? else {
        return Ok(None);
    };
    let id_number = sealed::open(keys, GUARDIAN_ID_NUMBER, row.text(at + 1)?)?;
    let relation = row.text(at + 2)?;
    let phone = sealed::open(keys, GUARDIAN_PHONE, row.text(at + 3)?)?;
    let input = GuardianInput {
        name,
        id_number: &id_number,
        relation,
        phone: &phone,
    };
    Guardian::parse(input, READ_TODAY)
        .map(Some)
        .map_err(|_| bad("guardian", name))
}

pub(crate) const RESIDENCE_COLUMNS: &str = "r.id, r.person_id, r.unit_code, r.arrived_on, \
    r.intended_stay_months, r.reason, r.current_address, r.house_id, r.employer_id, r.status, \
    r.departed_on, r.destination, r.destination_address, r.departure_reason, r.version";

pub(crate) fn residence(row: &Row, at: usize) -> Result<Residence> {
    let stay = StayDetails {
        unit: unit_code(row.text(at + 2)?)?,
        arrived_on: past(row.date(at + 3)?)?,
        intended_stay_months: row
            .opt_int(at + 4)?
            .map(|m| u16::try_from(m).map_err(|_| bad("stay months", &m.to_string())))
            .transpose()?,
        reason: code_of("reason", row.text(at + 5)?, ReasonForStay::from_code)?,
        current_address: parse("address", row.text(at + 6)?, Address::parse)?,
        house: row.opt_int(at + 7)?.map(HouseId),
        employer: row.opt_int(at + 8)?.map(EmployerId),
    };
    let status = match row.text(at + 9)? {
        "registered" => ResidenceStatus::Registered,
        "active" => ResidenceStatus::Active,
        "departed" => ResidenceStatus::Departed(Departure {
            departed_on: past(row.date(at + 10)?)?,
            destination: opt(
                "destination",
                row.opt_text(at + 11)?,
                DivisionCode::parse_form,
            )?,
            destination_address: opt("address", row.opt_text(at + 12)?, Address::parse)?,
            reason: opt("reason", row.opt_text(at + 13)?, Note::parse)?,
        }),
        other => return Err(bad("status", other)),
    };
    Ok(Residence {
        id: ResidenceId(row.int(at)?),
        person: PersonId(row.int(at + 1)?),
        stay,
        status,
        version: row.int(at + 14)?,
    })
}

pub(crate) const HOUSE_COLUMNS: &str = "h.id, h.unit_code, h.address, h.landlord_kind, \
    h.landlord_name, h.landlord_code, h.landlord_phone, h.rooms, h.usage, h.filed_on, \
    h.security_agreement_on, h.version";

pub(crate) fn house(row: &Row, keys: &Keyring) -> Result<House> {
    let phone = sealed_phone(keys, row.opt_text(6)?)?;
    let code = sealed::open(keys, LANDLORD_CODE, row.text(5)?)?;
    let landlord = match row.text(3)? {
        "person" => Landlord::Person {
            name: parse("name", row.text(4)?, PersonName::parse)?,
            id_number: id_number(&code)?,
            phone,
        },
        "company" => Landlord::Company {
            name: parse("name", row.text(4)?, OrgName::parse)?,
            uscc: parse("credit code", &code, Uscc::parse)?,
            phone,
        },
        other => return Err(bad("landlord kind", other)),
    };
    let rooms = row.int(7)?;
    let filing = match row.opt_date(9)? {
        Some(on) => Filing::Filed { on: past(on)? },
        None => Filing::NotFiled,
    };
    Ok(House {
        id: HouseId(row.int(0)?),
        details: HouseDetails {
            unit: unit_code(row.text(1)?)?,
            address: parse("address", row.text(2)?, Address::parse)?,
            landlord,
            rooms: u16::try_from(rooms).map_err(|_| bad("rooms", &rooms.to_string()))?,
            usage: code_of("usage", row.text(8)?, HouseUse::parse)?,
            filing,
            security_agreement_on: row.opt_date(10)?.map(past).transpose()?,
        },
        version: row.int(11)?,
    })
}

pub(crate) const EMPLOYER_COLUMNS: &str = "e.id, e.uscc, e.unit_code, e.name, \
    e.legal_representative, e.address, e.phone, e.declared_workers, e.version, \
    (SELECT COUNT(*) FROM residences w WHERE w.employer_id = e.id AND w.status <> 'departed')";

pub(crate) fn employer(row: &Row, keys: &Keyring) -> Result<Employer> {
    let representative = sealed::open(keys, LEGAL_REPRESENTATIVE, row.text(4)?)?;
    let declared = row.int(7)?;
    let current = row.int(9)?;
    Ok(Employer {
        id: EmployerId(row.int(0)?),
        uscc: parse("credit code", row.text(1)?, Uscc::parse)?,
        details: EmployerDetails {
            unit: unit_code(row.text(2)?)?,
            name: parse("name", row.text(3)?, OrgName::parse)?,
            legal_representative: parse("name", &representative, PersonName::parse)?,
            address: parse("address", row.text(5)?, Address::parse)?,
            phone: sealed_phone(keys, row.opt_text(6)?)?,
            declared_workers: u32::try_from(declared)
                .map_err(|_| bad("worker count", &declared.to_string()))?,
        },
        current_workers: u32::try_from(current).unwrap_or(u32::MAX),
        version: row.int(8)?,
    })
}

pub(crate) const OUTFLOW_COLUMNS: &str = "o.id, o.id_number, o.unit_code, o.name, o.left_on, \
    o.destination, o.destination_address, o.reason, o.employer_name, o.contact_phone, \
    o.returned_on, o.version";

/// An outflow row without its left-behind family, which the caller loads.
pub(crate) fn outflow(row: &Row, left_behind: Vec<LeftBehind>, keys: &Keyring) -> Result<Outflow> {
    Ok(Outflow {
        id: OutflowId(row.int(0)?),
        id_number: sealed_id_number(keys, row.text(1)?)?,
        details: OutflowDetails {
            unit: unit_code(row.text(2)?)?,
            name: parse("name", row.text(3)?, PersonName::parse)?,
            left_on: past(row.date(4)?)?,
            destination: parse("destination", row.text(5)?, DivisionCode::parse_form)?,
            destination_address: opt("address", row.opt_text(6)?, Address::parse)?,
            reason: opt("reason", row.opt_text(7)?, Note::parse)?,
            employer_name: opt("employer", row.opt_text(8)?, OrgName::parse)?,
            contact_phone: sealed_phone(keys, row.opt_text(9)?)?,
            left_behind,
        },
        returned_on: row.opt_date(10)?,
        version: row.int(11)?,
    })
}

pub(crate) const LEFT_BEHIND_COLUMNS: &str = "name, id_number, birth_date, relation";

pub(crate) fn left_behind(row: &Row, left_on: Date, keys: &Keyring) -> Result<LeftBehind> {
    let number = sealed::open_opt(keys, ID_NUMBER, row.opt_text(1)?)?;
    LeftBehind::new(
        parse("name", row.text(0)?, PersonName::parse)?,
        opt("ID number", number.as_deref(), |v| {
            IdNumber::parse_as_of(v, READ_TODAY)
        })?,
        row.date(2)?,
        parse("relation", row.text(3)?, Relation::parse)?,
        left_on,
    )
    .map_err(|_| bad("left-behind member", row.text(0).unwrap_or("")))
}
