//! A small deployment and builders for register inputs.

use sojourn_domain::codes::{
    DivisionCode, Education, Ethnicity, IdNumber, MaritalStatus, Occupation, Phone, ReasonForStay,
    Uscc,
};
use sojourn_domain::employer::EmployerDetails;
use sojourn_domain::house::{Filing, HouseDetails, HouseUse, Landlord};
use sojourn_domain::outflow::{LeftBehind, OutflowDetails};
use sojourn_domain::person::{Guardian, GuardianInput, PersonDetails};
use sojourn_domain::residence::{Arrival, Departure, StayDetails};
use sojourn_domain::text::{Address, Note, OrgName, PersonName, Relation, UnitName};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::{Scope, Unit, UnitCode};
use sojourn_store::{Actor, Store};
use time::Date;

pub const TOWN: &str = "110101001";
pub const DUOFU: &str = "110101001001";
pub const YINZHA: &str = "110101001002";

pub fn code(s: &str) -> UnitCode {
    UnitCode::parse(s).expect("unit code")
}

pub fn scope(s: &str) -> Scope {
    Scope::of(code(s))
}

pub fn actor() -> Actor {
    Actor::new("clerk")
}

fn unit(c: &str, name: &str) -> Unit {
    Unit {
        code: code(c),
        name: UnitName::parse(name).expect("unit name"),
    }
}

/// Roots the store at 东华门街道 with two communities.
pub fn deploy(store: &dyn Store) {
    store
        .init_deployment_unscoped(
            &unit(TOWN, "东华门街道"),
            &[unit(DUOFU, "多福巷社区"), unit(YINZHA, "银闸社区")],
        )
        .expect("init deployment");
}

pub fn date(s: &str) -> Date {
    sojourn_domain::time_rules::parse_iso_date(s).expect("date")
}

pub fn past(s: &str) -> PastDate {
    PastDate::new(date(s), date("2026-11-28")).expect("past date")
}

/// A valid ID number born on `birth` (YYYYMMDD) with sequence `seq`.
pub fn id_number(birth: &str, seq: u16) -> IdNumber {
    let first17 = format!("410102{birth}{seq:03}");
    let check = sojourn_domain::codes::id_number::check_character(&first17).expect("17 digits");
    IdNumber::parse(&format!("{first17}{check}")).expect("generated ID number")
}

pub fn person(name: &str) -> PersonDetails {
    PersonDetails {
        name: PersonName::parse(name).expect("name"),
        ethnicity: Ethnicity::Han,
        domicile: DivisionCode::parse_form("410102001001").expect("division"),
        domicile_address: Some(Address::parse("中原区某村3组").expect("address")),
        phone: Some(Phone::parse("13800138000").expect("phone")),
        marital_status: Some(MaritalStatus::Married),
        education: Some(Education::JuniorHigh),
        political_status: None,
        occupation: Some(Occupation::ProductionWorkers),
        guardian: None,
    }
}

/// A guardian with the number `number`, related as `relation` (code or name).
pub fn guardian(name: &str, number: &IdNumber, relation: &str, phone: &str) -> Guardian {
    let input = GuardianInput {
        name,
        id_number: number.as_str(),
        relation,
        phone,
    };
    Guardian::parse(input, date("2026-11-28")).expect("guardian")
}

pub fn stay(unit: &str, arrived: &str) -> StayDetails {
    StayDetails {
        unit: code(unit),
        arrived_on: past(arrived),
        intended_stay_months: Some(12),
        reason: ReasonForStay::Work,
        current_address: Address::parse("多福巷12号").expect("address"),
        house: None,
        employer: None,
    }
}

pub fn arrival(number: &IdNumber, name: &str, unit: &str, arrived: &str) -> Arrival {
    Arrival {
        id_number: number.clone(),
        person: person(name),
        stay: stay(unit, arrived),
    }
}

pub fn departure(on: &str) -> Departure {
    Departure {
        departed_on: past(on),
        destination: Some(DivisionCode::parse_form("440106001").expect("division")),
        destination_address: None,
        reason: Some(Note::parse("换工作").expect("note")),
    }
}

pub fn house(unit: &str, address: &str) -> HouseDetails {
    HouseDetails {
        unit: code(unit),
        address: Address::parse(address).expect("address"),
        landlord: Landlord::Person {
            name: PersonName::parse("赵房东").expect("name"),
            id_number: id_number("19600101", 11),
            phone: Some(Phone::parse("010-65123456").expect("phone")),
        },
        rooms: 3,
        usage: HouseUse::Residential,
        filing: Filing::Filed {
            on: past("2024-01-02"),
        },
        security_agreement_on: Some(past("2024-01-03")),
    }
}

pub fn uscc(n: u32) -> Uscc {
    let first17 = format!("91110101MA{n:07}");
    let check = sojourn_domain::codes::uscc::check_character(&first17).expect("alphabet");
    Uscc::parse(&format!("{first17}{check}")).expect("generated credit code")
}

pub fn employer(unit: &str, name: &str) -> EmployerDetails {
    EmployerDetails {
        unit: code(unit),
        name: OrgName::parse(name).expect("name"),
        legal_representative: PersonName::parse("钱法人").expect("name"),
        address: Address::parse("东华门大街1号").expect("address"),
        phone: None,
        declared_workers: 20,
    }
}

pub fn outflow(unit: &str, name: &str) -> OutflowDetails {
    let left_on = past("2025-03-01");
    OutflowDetails {
        unit: code(unit),
        name: PersonName::parse(name).expect("name"),
        left_on,
        destination: DivisionCode::parse_form("440106").expect("division"),
        destination_address: None,
        reason: Some(Note::parse("务工").expect("note")),
        employer_name: Some(OrgName::parse("广州某电子厂").expect("name")),
        contact_phone: Some(Phone::parse("13900139000").expect("phone")),
        left_behind: vec![
            LeftBehind::new(
                PersonName::parse("孙奶奶").expect("name"),
                None,
                date("1950-05-05"),
                Relation::parse("母亲").expect("relation"),
                left_on.date(),
            )
            .expect("elderly"),
            LeftBehind::new(
                PersonName::parse("孙小宝").expect("name"),
                Some(id_number("20150606", 22)),
                date("2015-06-06"),
                Relation::parse("儿子").expect("relation"),
                left_on.date(),
            )
            .expect("child"),
        ],
    }
}
