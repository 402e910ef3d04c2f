//! A small register for the pages to show: houses, employers, residents
//! arriving over the last two years from many provinces (some departed),
//! and outflow records with left-behind family. Written through the store,
//! from the API's own request types, so it is checked like real input.

use crate::harness::communities;
use serde_json::{Value, json};
use sojourn_domain::codes::Uscc;
use sojourn_domain::codes::{IdNumber, id_number};
use sojourn_domain::employer::EmployerDetails;
use sojourn_domain::house::HouseDetails;
use sojourn_domain::outflow::OutflowDetails;
use sojourn_domain::residence::{Arrival, Departure};
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::{Actor, Store};
use sojourn_web::dto::employers::CreateEmployerRequest;
use sojourn_web::dto::houses::HouseRequest;
use sojourn_web::dto::outflows::CreateOutflowRequest;
use sojourn_web::dto::people::RegisterArrivalRequest;
use sojourn_web::dto::residences::DepartureRequest;
use time::{Date, Duration};

/// Ids of the records the tests visit.
pub struct Seeded {
    pub house: i64,
    pub employer: i64,
    /// A resident living here now.
    pub person: i64,
    pub residence: i64,
    pub outflow: i64,
}

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN_NAMES: [&str; 3] = ["建国", "秀英", "海涛"];

/// Thirty-six different names: 王建国, 李建国, …, 孙海涛.
fn name(i: usize) -> String {
    format!("{}{}", SURNAMES[i % 12], GIVEN_NAMES[(i / 12) % 3])
}

/// County codes of origin, across provinces (河南, 四川, 河北, 安徽, 山东,
/// 湖北, 湖南, 江西, 广西, 重庆, 河南, 河北: the big sources come twice).
const ORIGINS: [&str; 12] = [
    "410105", "510107", "130102", "340102", "370102", "420102", "430102", "360102", "450102",
    "500101", "411502", "130602",
];

/// A valid identity number.
pub fn id(address: &str, birth: &str, sequence: &str) -> String {
    let first17 = format!("{address}{birth}{sequence}");
    let check = id_number::check_character(&first17).expect("17 digits");
    format!("{first17}{check}")
}

fn uscc(first17: &str) -> String {
    let check = sojourn_domain::codes::uscc::check_character(first17).expect("credit code body");
    format!("{first17}{check}")
}

fn actor() -> Actor {
    Actor::new("seed")
}

fn day(offset_days: i64) -> Date {
    china_today() - Duration::days(offset_days)
}

fn house(store: &dyn Store, scope: &Scope, unit: &str, address: &str, filed: bool) -> i64 {
    let request: HouseRequest = serde_json::from_value(json!({
        "unit": unit,
        "address": address,
        "landlord": { "kind": "person", "name": "钱德明", "id_number": id("110101", "19620315", "011"), "phone": "13601010101" },
        "rooms": 3,
        "usage": "residential",
        "filed_on": if filed { Value::from(day(400).to_string()) } else { Value::Null },
        "security_agreement_on": if filed { Value::from(day(390).to_string()) } else { Value::Null },
    }))
    .expect("house request");
    let details = HouseDetails::try_from(&request).expect("valid house");
    store
        .create_house(scope, &details, &actor())
        .expect("house")
        .id
        .0
}

fn employer(store: &dyn Store, scope: &Scope, unit: &str) -> i64 {
    let request: CreateEmployerRequest = serde_json::from_value(json!({
        "uscc": uscc("91110101MA01ABCD1"),
        "unit": unit,
        "name": "北京多福餐饮有限公司",
        "legal_representative": "赵六",
        "address": "东华门大街20号",
        "phone": "13900139000",
        "declared_workers": 12
    }))
    .expect("employer request");
    let (code, details): (Uscc, EmployerDetails) =
        <(Uscc, EmployerDetails)>::try_from(&request).expect("valid employer");
    store
        .create_employer(scope, &code, &details, &actor())
        .expect("employer")
        .id
        .0
}

fn arrival(i: usize, unit: &str, house: Option<i64>, employer: Option<i64>) -> Arrival {
    let origin = ORIGINS[i % ORIGINS.len()];
    let birth = format!(
        "{}{:02}{:02}",
        1962 + (i * 7) % 40,
        1 + i % 12,
        1 + (i * 3) % 28
    );
    let sequence = format!("{:03}", 100 + i * 2 + [0, 1, 1][i % 3]);
    let request: RegisterArrivalRequest = serde_json::from_value(json!({
        "id_number": id(origin, &birth, &sequence),
        "name": name(i),
        "ethnicity": "01",
        "domicile": origin,
        "domicile_address": format!("人民路{}号", 10 + i),
        "phone": format!("138{:08}", 10_000_000 + i * 7919),
        "marital_status": "20",
        "education": "40",
        "political_status": null,
        "occupation": "4",
        "unit": unit,
        "arrived_on": day(3 + 21 * i as i64).to_string(),
        "intended_stay_months": 12,
        "reason": "01",
        "current_address": format!("东华门大街{}号{}室", 1 + i % 30, 101 + i),
        "house_id": house,
        "employer_id": employer,
    }))
    .expect("arrival request");
    Arrival::try_from(request).expect("valid arrival")
}

fn depart(store: &dyn Store, scope: &Scope, residence: i64, version: i64, on: Date) {
    let request = DepartureRequest {
        departed_on: on.to_string(),
        destination: Some("440305".to_owned()),
        destination_address: Some("科技园路1号".to_owned()),
        reason: Some("工作调动".to_owned()),
        version,
    };
    let departure = Departure::try_from(&request).expect("valid departure");
    store
        .register_departure(
            scope,
            sojourn_domain::residence::ResidenceId(residence),
            &departure,
            version,
            &actor(),
        )
        .expect("departure");
}

fn outflow(store: &dyn Store, scope: &Scope, unit: &str) -> i64 {
    let request: CreateOutflowRequest = serde_json::from_value(json!({
        "id_number": id("110101", "19880412", "031"),
        "unit": unit,
        "name": "孙立军",
        "left_on": day(200).to_string(),
        "destination": "440305",
        "destination_address": "科技园路1号",
        "reason": "务工",
        "employer_name": "深圳某科技有限公司",
        "contact_phone": "13700137000",
        "left_behind": [
            { "name": "孙老汉", "birth_date": "1950-02-03", "relation": "父亲" },
            { "name": "孙小妹", "id_number": id("110101", "20180506", "002"), "relation": "女儿" }
        ]
    }))
    .expect("outflow request");
    let (number, details): (IdNumber, OutflowDetails) =
        <(IdNumber, OutflowDetails)>::try_from(&request).expect("valid outflow");
    store
        .create_outflow(scope, &number, &details, &actor())
        .expect("outflow")
        .id
        .0
}

/// Fills the store; every fourth resident has left again.
pub fn seed(store: &dyn Store) -> Seeded {
    let scope = Scope::of(UnitCode::parse(crate::harness::ROOT).expect("root"));
    let units = communities();
    let houses: Vec<i64> = [
        ("多福巷12号", true),
        ("银闸胡同8号", true),
        ("东厂胡同3号", false),
    ]
    .iter()
    .enumerate()
    .map(|(i, (address, filed))| house(store, &scope, &units[i], address, *filed))
    .collect();
    let employer = employer(store, &scope, &units[0]);
    let mut first = None;
    for i in 0..36 {
        let house_id = (i % 2 == 0).then(|| houses[i % houses.len()]);
        let employer_id = (i % 3 == 0).then_some(employer);
        let new = arrival(i, &units[i % units.len()], house_id, employer_id);
        let arrived = new.stay.arrived_on.date();
        let (person, residence) = store
            .register_arrival(&scope, &new, &actor())
            .expect("arrival");
        let leaves = arrived + Duration::days(90);
        if i % 4 == 3 && leaves <= china_today() {
            depart(store, &scope, residence.id.0, residence.version, leaves);
        } else if first.is_none() {
            first = Some((person.id.0, residence.id.0));
        }
    }
    let (person, residence) = first.expect("a current resident");
    Seeded {
        house: houses[0],
        employer,
        person,
        residence,
        outflow: outflow(store, &scope, &units[1]),
    }
}

/// A resident of `unit` working for `employer`, which another community
/// keeps; returns the person's id.
pub fn worker_elsewhere(store: &dyn Store, unit: &str, employer: i64) -> i64 {
    let scope = Scope::of(UnitCode::parse(unit).expect("unit"));
    let (person, _) = store
        .register_arrival(&scope, &arrival(40, unit, None, Some(employer)), &actor())
        .expect("arrival");
    person.id.0
}

/// A resident of `unit` (the `i`th of the generated names); returns the
/// file's id and the ID number.
pub fn resident(store: &dyn Store, unit: &str, i: usize) -> (i64, String) {
    let scope = Scope::of(UnitCode::parse(unit).expect("unit"));
    let new = arrival(i, unit, None, None);
    let number = new.id_number.to_string();
    let (person, _) = store
        .register_arrival(&scope, &new, &actor())
        .expect("arrival");
    (person.id.0, number)
}

/// Two files of one name and birth date under numbers one digit apart,
/// in `unit`, the first departed: a probable duplicate the write queues.
/// Returns the two files' ids.
pub fn namesakes(store: &dyn Store, unit: &str) -> (i64, i64) {
    let scope = Scope::of(UnitCode::parse(unit).expect("unit"));
    let mut ids = Vec::new();
    for (sequence, leaves) in [("183", true), ("185", false)] {
        let mut new = arrival(41, unit, None, None);
        new.id_number = IdNumber::parse(&id("110105", "19690612", sequence)).expect("number");
        let (person, residence) = store
            .register_arrival(&scope, &new, &actor())
            .expect("arrival");
        if leaves {
            depart(store, &scope, residence.id.0, residence.version, day(10));
        }
        ids.push(person.id.0);
    }
    (ids[0], ids[1])
}
