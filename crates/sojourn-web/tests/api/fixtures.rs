use crate::helpers::{COMMUNITY, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};
use sojourn_domain::codes::{id_number, uscc};
use sojourn_domain::time_rules::china_today;

/// A valid identity number: address code, birth date (YYYYMMDD) and
/// three-digit sequence (odd for men), with its check character.
pub fn id_number(address: &str, birth: &str, sequence: &str) -> String {
    let first17 = format!("{address}{birth}{sequence}");
    let check = id_number::check_character(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// 张三, a man born 1990-03-07 in 郑州市金水区.
pub fn zhang_san() -> String {
    id_number("410105", "19900307", "123")
}

/// 李四, a woman born 1985-11-20 in 成都市武侯区.
pub fn li_si() -> String {
    id_number("510107", "19851120", "244")
}

/// The same number with a check character that does not match.
pub fn with_wrong_check(id: &str) -> String {
    let (first17, check) = id.split_at(17);
    let wrong = if check == "0" { "1" } else { "0" };
    format!("{first17}{wrong}")
}

/// A valid unified social credit code from its first 17 characters.
pub fn uscc(first17: &str) -> String {
    let check = uscc::check_character(first17).expect("17 alphabet characters");
    format!("{first17}{check}")
}

pub fn acme_uscc() -> String {
    uscc("91110101MA01ABCD1")
}

/// Tomorrow in China: a date every "not in the future" rule refuses.
pub fn tomorrow() -> String {
    china_today().next_day().expect("a tomorrow").to_string()
}

pub fn arrival(id_number: &str) -> Value {
    json!({
        "id_number": id_number,
        "name": "张三",
        "ethnicity": "01",
        "domicile": "410105",
        "domicile_address": "花园路12号",
        "phone": "13800138000",
        "marital_status": "20",
        "education": "本科",
        "political_status": null,
        "occupation": "6",
        "unit": COMMUNITY,
        "arrived_on": "2024-03-05",
        "intended_stay_months": 12,
        "reason": "务工",
        "current_address": "东华门街道多福巷12号3单元201",
        "house_id": null,
        "employer_id": null
    })
}

/// `body` with `key` set to `value`.
pub fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

pub fn house() -> Value {
    json!({
        "unit": COMMUNITY,
        "address": "多福巷12号",
        "landlord": { "kind": "person", "name": "王五", "id_number": li_si(), "phone": "010-65123456" },
        "rooms": 3,
        "usage": "residential",
        "filed_on": "2023-01-10",
        "security_agreement_on": "2023-01-10"
    })
}

pub fn employer(uscc: &str) -> Value {
    json!({
        "uscc": uscc,
        "unit": COMMUNITY,
        "name": "北京多福餐饮有限公司",
        "legal_representative": "赵六",
        "address": "多福巷20号",
        "phone": "13900139000",
        "declared_workers": 12
    })
}

pub fn outflow(id_number: &str) -> Value {
    json!({
        "id_number": id_number,
        "unit": COMMUNITY,
        "name": "孙七",
        "left_on": "2024-06-01",
        "destination": "440305",
        "destination_address": "科技园路1号",
        "reason": "务工",
        "employer_name": "深圳某科技公司",
        "contact_phone": "13700137000",
        "left_behind": [
            { "name": "孙老汉", "birth_date": "1950-02-03", "relation": "父亲" },
            { "name": "孙小妹", "id_number": id_number_child(), "relation": "女儿" }
        ]
    })
}

/// A girl born 2018-05-06.
pub fn id_number_child() -> String {
    id_number("110101", "20180506", "002")
}

/// The body of a change: `record` as read, minus what the server owns,
/// plus `version` and the `changes`.
pub fn update_body(request: &Value, version: i64, changes: &[(&str, Value)]) -> Value {
    let mut body = request.clone();
    body["version"] = json!(version);
    for (key, value) in changes {
        body[*key] = value.clone();
    }
    body
}

/// One record of every register in COMMUNITY, linked together.
pub struct Seeded {
    pub house: Value,
    pub employer: Value,
    pub person: Value,
    pub residence: Value,
    pub outflow: Value,
}

impl Seeded {
    pub fn house_id(&self) -> i64 {
        self.house["id"].as_i64().expect("house id")
    }
    pub fn employer_id(&self) -> i64 {
        self.employer["id"].as_i64().expect("employer id")
    }
    pub fn person_id(&self) -> i64 {
        self.person["id"].as_i64().expect("person id")
    }
    pub fn residence_id(&self) -> i64 {
        self.residence["id"].as_i64().expect("residence id")
    }
    pub fn outflow_id(&self) -> i64 {
        self.outflow["id"].as_i64().expect("outflow id")
    }
}

pub async fn seed(app: &TestApp) -> Seeded {
    let house = app
        .create_house(&house())
        .await
        .expect(StatusCode::CREATED)
        .body;
    let employer = app
        .create_employer(&employer(&acme_uscc()))
        .await
        .expect(StatusCode::CREATED)
        .body;
    let body = with(arrival(&zhang_san()), "house_id", house["id"].clone());
    let body = with(body, "employer_id", employer["id"].clone());
    let arrived = app
        .register_arrival(&body)
        .await
        .expect(StatusCode::CREATED)
        .body;
    let outflow_id = id_number("110101", "19800101", "011");
    let outflow = app
        .create_outflow(&outflow(&outflow_id))
        .await
        .expect(StatusCode::CREATED)
        .body;
    Seeded {
        house,
        employer,
        person: arrived["person"].clone(),
        residence: arrived["residence"].clone(),
        outflow,
    }
}

/// Everything the root sees of the seeded records: lists, records, links
/// and histories. Equal before and after a refused request means the
/// request changed nothing.
pub async fn everything(root: &TestApp, seeded: &Seeded) -> Value {
    let (h, e, p, r, o) = (
        seeded.house_id(),
        seeded.employer_id(),
        seeded.person_id(),
        seeded.residence_id(),
        seeded.outflow_id(),
    );
    json!({
        "units": root.list_units().await.body,
        "residents": root.search_residents("status=any&per_page=500").await.body,
        "houses": root.search_houses("per_page=500").await.body,
        "employers": root.search_employers("per_page=500").await.body,
        "outflows": root.search_outflows("per_page=500").await.body,
        "house": root.get_house(h).await.body,
        "tenants": root.tenants(h).await.body,
        "house_history": root.house_history(h).await.body,
        "employer": root.get_employer(e).await.body,
        "workers": root.workers(e).await.body,
        "employer_history": root.employer_history(e).await.body,
        "person": root.get_person(p).await.body,
        "person_history": root.person_history(p).await.body,
        "residence": root.get_residence(r).await.body,
        "residence_history": root.residence_history(r).await.body,
        "outflow": root.get_outflow(o).await.body,
        "outflow_history": root.outflow_history(o).await.body,
    })
}

impl Seeded {
    /// The outflow's request body as it was created (without the number).
    pub fn outflow_request(&self) -> Value {
        let mut body = outflow(self.outflow["id_number"].as_str().unwrap_or_default());
        body.as_object_mut().map(|o| o.remove("id_number"));
        body
    }
}

/// An ID number as every response shows it: first 6, last 4.
pub fn masked_id(id: &str) -> String {
    format!("{}********{}", &id[..6], &id[14..])
}
