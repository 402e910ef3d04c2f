//! Reading register rows back into domain values. Stored values were
//! checked on the way in; reading re-parses them through the same domain
//! parsers, so a row edited behind the application's back surfaces as an
//! error instead of an invalid value.

use super::Row;
use super::columns::{Columns, col, columns};
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

pub(crate) fn org_name(value: &str) -> Result<OrgName> {
    parse("name", value, OrgName::parse)
}

pub(crate) const UNIT_COLUMNS: &str = "code, name";

/// A unit from a row of [`UNIT_COLUMNS`] (code, then name).
pub(crate) fn unit(row: &Row) -> Result<Unit> {
    Ok(Unit {
        code: unit_code(row.text(0)?)?,
        name: parse("unit name", row.text(1)?, UnitName::parse)?,
    })
}

pub(crate) const PERSON_COLUMNS: Columns = columns!("p":
    "id", "id_number", "unit_code", "name", "ethnicity", "domicile", "domicile_address",
    "phone", "marital_status", "education", "political_status", "occupation", "version",
    "guardian_name", "guardian_id_number", "guardian_relation", "guardian_phone",
    "merged_into"
);

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
        name: parse(
            "name",
            row.text(at + col!(PERSON_COLUMNS, "name"))?,
            PersonName::parse,
        )?,
        ethnicity: code_of(
            "ethnicity",
            row.text(at + col!(PERSON_COLUMNS, "ethnicity"))?,
            Ethnicity::from_code,
        )?,
        domicile: parse(
            "domicile",
            row.text(at + col!(PERSON_COLUMNS, "domicile"))?,
            DivisionCode::parse_form,
        )?,
        domicile_address: opt(
            "address",
            row.opt_text(at + col!(PERSON_COLUMNS, "domicile_address"))?,
            Address::parse,
        )?,
        phone: sealed_phone(keys, row.opt_text(at + col!(PERSON_COLUMNS, "phone"))?)?,
        marital_status: opt(
            "marital status",
            row.opt_text(at + col!(PERSON_COLUMNS, "marital_status"))?,
            MaritalStatus::parse,
        )?,
        education: opt(
            "education",
            row.opt_text(at + col!(PERSON_COLUMNS, "education"))?,
            Education::parse,
        )?,
        political_status: opt(
            "political status",
            row.opt_text(at + col!(PERSON_COLUMNS, "political_status"))?,
            PoliticalStatus::parse,
        )?,
        occupation: opt(
            "occupation",
            row.opt_text(at + col!(PERSON_COLUMNS, "occupation"))?,
            Occupation::parse,
        )?,
        guardian: guardian(row, at + col!(PERSON_COLUMNS, "guardian_name"), keys)?,
    };
    Ok(Person {
        id: PersonId(row.int(at + col!(PERSON_COLUMNS, "id"))?),
        id_number: sealed_id_number(keys, row.text(at + col!(PERSON_COLUMNS, "id_number"))?)?,
        unit: unit_code(row.text(at + col!(PERSON_COLUMNS, "unit_code"))?)?,
        details,
        version: row.int(at + col!(PERSON_COLUMNS, "version"))?,
        merged_into: row
            .opt_int(at + col!(PERSON_COLUMNS, "merged_into"))?
            .map(PersonId),
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

pub(crate) const RESIDENCE_COLUMNS: Columns = columns!("r":
    "id", "person_id", "unit_code", "arrived_on", "intended_stay_months", "reason",
    "current_address", "house_id", "employer_id", "status", "departed_on", "destination",
    "destination_address", "departure_reason", "version"
);

pub(crate) fn residence(row: &Row, at: usize) -> Result<Residence> {
    let stay = StayDetails {
        unit: unit_code(row.text(at + col!(RESIDENCE_COLUMNS, "unit_code"))?)?,
        arrived_on: past(row.date(at + col!(RESIDENCE_COLUMNS, "arrived_on"))?)?,
        intended_stay_months: row
            .opt_int(at + 4)?
            .map(|m| u16::try_from(m).map_err(|_| bad("stay months", &m.to_string())))
            .transpose()?,
        reason: code_of(
            "reason",
            row.text(at + col!(RESIDENCE_COLUMNS, "reason"))?,
            ReasonForStay::from_code,
        )?,
        current_address: parse(
            "address",
            row.text(at + col!(RESIDENCE_COLUMNS, "current_address"))?,
            Address::parse,
        )?,
        house: row
            .opt_int(at + col!(RESIDENCE_COLUMNS, "house_id"))?
            .map(HouseId),
        employer: row
            .opt_int(at + col!(RESIDENCE_COLUMNS, "employer_id"))?
            .map(EmployerId),
    };
    let status = match row.text(at + col!(RESIDENCE_COLUMNS, "status"))? {
        "registered" => ResidenceStatus::Registered,
        "active" => ResidenceStatus::Active,
        "departed" => ResidenceStatus::Departed(Departure {
            departed_on: past(row.date(at + col!(RESIDENCE_COLUMNS, "departed_on"))?)?,
            destination: opt(
                "destination",
                row.opt_text(at + col!(RESIDENCE_COLUMNS, "destination"))?,
                DivisionCode::parse_form,
            )?,
            destination_address: opt(
                "address",
                row.opt_text(at + col!(RESIDENCE_COLUMNS, "destination_address"))?,
                Address::parse,
            )?,
            reason: opt(
                "reason",
                row.opt_text(at + col!(RESIDENCE_COLUMNS, "departure_reason"))?,
                Note::parse,
            )?,
        }),
        other => return Err(bad("status", other)),
    };
    Ok(Residence {
        id: ResidenceId(row.int(at + col!(RESIDENCE_COLUMNS, "id"))?),
        person: PersonId(row.int(at + col!(RESIDENCE_COLUMNS, "person_id"))?),
        stay,
        status,
        version: row.int(at + col!(RESIDENCE_COLUMNS, "version"))?,
    })
}

pub(crate) const HOUSE_COLUMNS: Columns = columns!("h":
    "id", "unit_code", "address", "landlord_kind", "landlord_name", "landlord_code",
    "landlord_phone", "rooms", "usage", "filed_on", "security_agreement_on", "version"
);

pub(crate) fn house(row: &Row, keys: &Keyring) -> Result<House> {
    let phone = sealed_phone(keys, row.opt_text(col!(HOUSE_COLUMNS, "landlord_phone"))?)?;
    let code = sealed::open(
        keys,
        LANDLORD_CODE,
        row.text(col!(HOUSE_COLUMNS, "landlord_code"))?,
    )?;
    let landlord = match row.text(col!(HOUSE_COLUMNS, "landlord_kind"))? {
        "person" => Landlord::Person {
            name: parse(
                "name",
                row.text(col!(HOUSE_COLUMNS, "landlord_name"))?,
                PersonName::parse,
            )?,
            id_number: id_number(&code)?,
            phone,
        },
        "company" => Landlord::Company {
            name: parse(
                "name",
                row.text(col!(HOUSE_COLUMNS, "landlord_name"))?,
                OrgName::parse,
            )?,
            uscc: parse("credit code", &code, Uscc::parse)?,
            phone,
        },
        other => return Err(bad("landlord kind", other)),
    };
    let rooms = row.int(col!(HOUSE_COLUMNS, "rooms"))?;
    let filing = match row.opt_date(col!(HOUSE_COLUMNS, "filed_on"))? {
        Some(on) => Filing::Filed { on: past(on)? },
        None => Filing::NotFiled,
    };
    Ok(House {
        id: HouseId(row.int(col!(HOUSE_COLUMNS, "id"))?),
        details: HouseDetails {
            unit: unit_code(row.text(col!(HOUSE_COLUMNS, "unit_code"))?)?,
            address: parse(
                "address",
                row.text(col!(HOUSE_COLUMNS, "address"))?,
                Address::parse,
            )?,
            landlord,
            rooms: u16::try_from(rooms).map_err(|_| bad("rooms", &rooms.to_string()))?,
            usage: code_of(
                "usage",
                row.text(col!(HOUSE_COLUMNS, "usage"))?,
                HouseUse::parse,
            )?,
            filing,
            security_agreement_on: row
                .opt_date(col!(HOUSE_COLUMNS, "security_agreement_on"))?
                .map(past)
                .transpose()?,
        },
        version: row.int(col!(HOUSE_COLUMNS, "version"))?,
    })
}

pub(crate) const EMPLOYER_COLUMNS: Columns = columns!("e":
    "id", "uscc", "unit_code", "name", "legal_representative", "address", "phone",
    "declared_workers", "version";
    "(SELECT COUNT(*) FROM residences w \
     WHERE w.employer_id = e.id AND w.status <> 'departed')" as "current_workers"
);

pub(crate) fn employer(row: &Row, keys: &Keyring) -> Result<Employer> {
    let representative = sealed::open(
        keys,
        LEGAL_REPRESENTATIVE,
        row.text(col!(EMPLOYER_COLUMNS, "legal_representative"))?,
    )?;
    let declared = row.int(col!(EMPLOYER_COLUMNS, "declared_workers"))?;
    let current = row.int(col!(EMPLOYER_COLUMNS, "current_workers"))?;
    Ok(Employer {
        id: EmployerId(row.int(col!(EMPLOYER_COLUMNS, "id"))?),
        uscc: parse(
            "credit code",
            row.text(col!(EMPLOYER_COLUMNS, "uscc"))?,
            Uscc::parse,
        )?,
        details: EmployerDetails {
            unit: unit_code(row.text(col!(EMPLOYER_COLUMNS, "unit_code"))?)?,
            name: parse(
                "name",
                row.text(col!(EMPLOYER_COLUMNS, "name"))?,
                OrgName::parse,
            )?,
            legal_representative: parse("name", &representative, PersonName::parse)?,
            address: parse(
                "address",
                row.text(col!(EMPLOYER_COLUMNS, "address"))?,
                Address::parse,
            )?,
            phone: sealed_phone(keys, row.opt_text(col!(EMPLOYER_COLUMNS, "phone"))?)?,
            declared_workers: u32::try_from(declared)
                .map_err(|_| bad("worker count", &declared.to_string()))?,
        },
        current_workers: u32::try_from(current).unwrap_or(u32::MAX),
        version: row.int(col!(EMPLOYER_COLUMNS, "version"))?,
    })
}

pub(crate) const OUTFLOW_COLUMNS: Columns = columns!("o":
    "id", "id_number", "unit_code", "name", "left_on", "destination", "destination_address",
    "reason", "employer_name", "contact_phone", "returned_on", "version"
);

/// An outflow row without its left-behind family, which the caller loads.
pub(crate) fn outflow(row: &Row, left_behind: Vec<LeftBehind>, keys: &Keyring) -> Result<Outflow> {
    Ok(Outflow {
        id: OutflowId(row.int(col!(OUTFLOW_COLUMNS, "id"))?),
        id_number: sealed_id_number(keys, row.text(col!(OUTFLOW_COLUMNS, "id_number"))?)?,
        details: OutflowDetails {
            unit: unit_code(row.text(col!(OUTFLOW_COLUMNS, "unit_code"))?)?,
            name: parse(
                "name",
                row.text(col!(OUTFLOW_COLUMNS, "name"))?,
                PersonName::parse,
            )?,
            left_on: past(row.date(col!(OUTFLOW_COLUMNS, "left_on"))?)?,
            destination: parse(
                "destination",
                row.text(col!(OUTFLOW_COLUMNS, "destination"))?,
                DivisionCode::parse_form,
            )?,
            destination_address: opt(
                "address",
                row.opt_text(col!(OUTFLOW_COLUMNS, "destination_address"))?,
                Address::parse,
            )?,
            reason: opt(
                "reason",
                row.opt_text(col!(OUTFLOW_COLUMNS, "reason"))?,
                Note::parse,
            )?,
            employer_name: opt(
                "employer",
                row.opt_text(col!(OUTFLOW_COLUMNS, "employer_name"))?,
                OrgName::parse,
            )?,
            contact_phone: sealed_phone(
                keys,
                row.opt_text(col!(OUTFLOW_COLUMNS, "contact_phone"))?,
            )?,
            left_behind,
        },
        returned_on: row.opt_date(col!(OUTFLOW_COLUMNS, "returned_on"))?,
        version: row.int(col!(OUTFLOW_COLUMNS, "version"))?,
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
