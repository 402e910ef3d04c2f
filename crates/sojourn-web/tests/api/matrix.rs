//! The access matrix. Two sibling communities each hold one record of
//! every kind (with names, numbers and addresses found nowhere else: the
//! canaries). Users of every role in each community, each community's API
//! token, and nobody at all call **every route of the router** —
//! discovered from `api::route_list()`, so a new route cannot be left out
//! — with the ids of the *other* community's records. Every answer must be
//! the one the permission table and the jurisdiction rule give (401, 403,
//! 404, or a list of their own), no answer may contain a canary of the
//! other community, and afterwards everything reads exactly as before.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sojourn_domain::account::{Role, allows};
use sojourn_web::api::{RouteInfo, route_list};
use sojourn_web::auth::Access;

/// One community's records and what only they contain.
pub(crate) struct Seeds {
    pub(crate) unit: &'static str,
    pub(crate) house: i64,
    pub(crate) employer: i64,
    pub(crate) person: i64,
    pub(crate) residence: i64,
    pub(crate) outflow: i64,
    pub(crate) account: i64,
    pub(crate) token: i64,
    pub(crate) token_secret: String,
    /// A probable duplicate: the person and a namesake born the same day.
    pub(crate) duplicate: i64,
    /// A service request of the person.
    pub(crate) service_request: i64,
    /// An application for a residence permit of the person.
    pub(crate) permit: i64,
    pub(crate) canaries: Vec<String>,
}

/// Values only community `k` (0 or 1) holds.
struct Marks {
    person: &'static str,
    landlord: &'static str,
    outflow: &'static str,
    staff: &'static str,
    staff_name: &'static str,
    address: &'static str,
    employer: &'static str,
    token: &'static str,
    grid: &'static str,
    uscc: String,
    id_number: String,
    landlord_id: String,
    outflow_id: String,
}

fn marks(k: usize) -> Marks {
    let pick = |a: &'static str, b: &'static str| if k == 0 { a } else { b };
    Marks {
        person: pick("欧阳春雷", "司马秋月"),
        landlord: pick("东方红日", "南宫白云"),
        outflow: pick("上官清风", "诸葛明月"),
        staff: pick("staffa", "staffb"),
        staff_name: pick("令狐冲天", "独孤求败"),
        address: pick("矩阵巷一号甲座", "矩阵巷二号乙座"),
        employer: pick("矩阵甲号实业有限公司", "矩阵乙号实业有限公司"),
        token: pick("矩阵甲号对接令牌", "矩阵乙号对接令牌"),
        grid: pick("矩阵甲号网格", "矩阵乙号网格"),
        uscc: uscc(pick("91110101MA01MTXA1", "91110101MA01MTXB1")),
        id_number: id_number("410105", pick("19800101", "19810202"), "517"),
        landlord_id: id_number("510107", pick("19700303", "19710404"), "628"),
        outflow_id: id_number("110101", pick("19750505", "19760606"), "739"),
    }
}

pub(crate) async fn seed_community(
    root: &TestApp,
    admin: &TestApp,
    k: usize,
    unit: &'static str,
) -> Seeds {
    let m = marks(k);
    let mut house_body = with(house(), "unit", json!(unit));
    house_body["address"] = json!(m.address);
    house_body["landlord"]["name"] = json!(m.landlord);
    house_body["landlord"]["id_number"] = json!(m.landlord_id);
    let house = root
        .create_house(&house_body)
        .await
        .expect(StatusCode::CREATED)
        .id();
    let mut employer_body = with(employer(&m.uscc), "unit", json!(unit));
    employer_body["name"] = json!(m.employer);
    let employer = root
        .create_employer(&employer_body)
        .await
        .expect(StatusCode::CREATED)
        .id();
    let mut arrival_body = with(arrival(&m.id_number), "unit", json!(unit));
    arrival_body["name"] = json!(m.person);
    arrival_body["current_address"] = json!(format!("{}301室", m.address));
    arrival_body["house_id"] = json!(house);
    arrival_body["employer_id"] = json!(employer);
    let arrived = root
        .register_arrival(&arrival_body)
        .await
        .expect(StatusCode::CREATED)
        .body;
    let duplicate = namesake_pair(root, &m, unit, k).await;
    let person = arrived["person"]["id"].as_i64().expect("person");
    let permit = root
        .post("/api/v1/permits", &json!({ "person_id": person }))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let mut outflow_body = with(outflow(&m.outflow_id), "unit", json!(unit));
    outflow_body["name"] = json!(m.outflow);
    let outflow = root
        .create_outflow(&outflow_body)
        .await
        .expect(StatusCode::CREATED)
        .id();
    let grid = json!({ "code": format!("{unit}001"), "name": m.grid });
    admin.create_unit(&grid).await.expect(StatusCode::CREATED);
    let staff = admin
        .post(
            "/api/v1/accounts",
            &json!({ "username": m.staff, "display_name": m.staff_name, "unit": unit }),
        )
        .await
        .expect(StatusCode::CREATED);
    let chief = root.user(Role::StationChief, unit).await;
    let token = chief
        .post(
            "/api/v1/tokens",
            &json!({ "name": m.token, "role": "collector" }),
        )
        .await
        .expect(StatusCode::CREATED);
    let person = arrived["person"]["id"].as_i64().expect("person");
    let service_request = root
        .post(
            "/api/v1/service-requests",
            &json!({ "person_id": person, "kind": "employment", "asked": "求职登记" }),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let canaries = [
        m.person,
        m.landlord,
        m.outflow,
        m.staff,
        m.staff_name,
        m.address,
        m.employer,
        m.token,
        m.grid,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([m.uscc, m.id_number, m.landlord_id, m.outflow_id])
    .collect();
    Seeds {
        unit,
        house,
        employer,
        person,
        residence: arrived["residence"]["id"].as_i64().expect("residence"),
        outflow,
        account: staff.body["account"]["id"].as_i64().expect("account"),
        token: token.body["token"]["id"].as_i64().expect("token"),
        token_secret: token.body["secret"].as_str().expect("secret").to_owned(),
        duplicate,
        service_request,
        permit,
        canaries,
    }
}

/// Files a namesake of the community's person (same name and birth date,
/// another number), scans, and returns the pair the monitor queued.
async fn namesake_pair(root: &TestApp, m: &Marks, unit: &str, k: usize) -> i64 {
    let birth = if k == 0 { "19800101" } else { "19810202" };
    let mut twin = with(
        arrival(&id_number("410105", birth, "913")),
        "unit",
        json!(unit),
    );
    twin["name"] = json!(m.person);
    root.register_arrival(&twin)
        .await
        .expect(StatusCode::CREATED);
    root.post("/api/v1/quality/scan", &json!({}))
        .await
        .expect(StatusCode::OK);
    let queue = root
        .get("/api/v1/quality/duplicates?status=open&limit=500")
        .await
        .expect(StatusCode::OK)
        .body;
    queue
        .as_array()
        .expect("queue")
        .iter()
        .find(|p| p["unit"] == unit)
        .and_then(|p| p["id"].as_i64())
        .expect("the namesakes are queued")
}

/// The route's path with `foreign`'s ids in it.
fn uri(route: &RouteInfo, foreign: &Seeds) -> String {
    let id = |prefix: &str| -> Option<i64> {
        let rest = route.path.strip_prefix("/api/v1/")?;
        rest.starts_with(prefix).then_some(())?;
        Some(match prefix {
            "residences" => foreign.residence,
            "persons" => foreign.person,
            "houses" => foreign.house,
            "employers" => foreign.employer,
            "outflows" => foreign.outflow,
            "accounts" => foreign.account,
            "tokens" => foreign.token,
            "quality" => foreign.duplicate,
            "service-requests" => foreign.service_request,
            "permits" => foreign.permit,
            _ => return None,
        })
    };
    let kinds = [
        "residences",
        "persons",
        "houses",
        "employers",
        "outflows",
        "accounts",
        "tokens",
        "quality",
        "service-requests",
        "permits",
    ];
    let mut path = route.path.clone();
    if path.starts_with("/api/v1/review/{kind}/{id}") {
        let id = foreign.residence.to_string();
        path = path.replace("{kind}", "residence").replace("{id}", &id);
    }
    if path.contains("{id}") {
        let id = kinds
            .iter()
            .find_map(|k| id(k))
            .unwrap_or_else(|| panic!("the access matrix has no record for {}", route.path));
        path = path.replace("{id}", &id.to_string());
    }
    if path.starts_with("/api/v1/divisions/") {
        path = path.replace("{code}", "110101");
    }
    path.replace("{code}", foreign.unit)
}

/// A body that would succeed for the route if the records and units it
/// names were the caller's: every refusal is then the guard's or the
/// scope's. A route missing here fails the test: add it.
fn body(route: &RouteInfo, foreign: &Seeds) -> Option<Value> {
    let unit = foreign.unit;
    let fresh_id = id_number("440305", "19990909", "851");
    let stay = update_body(&with(arrival(&fresh_id), "unit", json!(unit)), 1, &[]);
    let tail = route.path.strip_prefix("/api/v1").unwrap_or_default();
    let body = match (route.method, tail) {
        ("GET" | "DELETE", _) => return None,
        ("POST", "/session") => json!({ "username": "staffa", "password": "Wrong#Passw0rd1" }),
        ("POST", "/session/password") => {
            json!({ "current_password": "Wrong#Passw0rd1", "new_password": "Another#Passw0rd2" })
        }
        ("POST", "/accounts") => {
            json!({ "username": "intruder", "display_name": "王五", "unit": unit })
        }
        ("PUT", "/accounts/{id}/roles") => json!({ "roles": ["clerk"] }),
        ("POST", "/accounts/{id}/disable" | "/accounts/{id}/enable" | "/accounts/{id}/unlock")
        | ("POST", "/accounts/{id}/password" | "/accounts/{id}/totp") => json!({}),
        ("POST", "/tokens") => json!({ "name": "越界令牌", "role": "collector", "unit": unit }),
        ("POST", "/units") => json!({ "code": format!("{unit}009"), "name": "越界网格" }),
        ("POST", "/residents") => with(arrival(&fresh_id), "unit", json!(unit)),
        ("POST", "/residents/search" | "/houses/search" | "/employers/search") => {
            json!({ "per_page": 500 })
        }
        ("POST", "/outflows/search") => json!({ "per_page": 500 }),
        ("PUT", "/residences/{id}" | "/persons/{id}") => stay,
        ("POST", "/residences/{id}/activate") => json!({ "version": 1 }),
        ("POST", "/residences/{id}/departure") => {
            json!({ "departed_on": "2024-08-01", "version": 1 })
        }
        ("POST", "/houses") => with(house(), "unit", json!(unit)),
        ("PUT", "/houses/{id}") => update_body(&with(house(), "unit", json!(unit)), 1, &[]),
        ("POST", "/employers") => with(employer(&uscc("91110101MA01NEWX1")), "unit", json!(unit)),
        ("PUT", "/employers/{id}") => {
            let mut body = update_body(&with(employer(&acme_uscc()), "unit", json!(unit)), 1, &[]);
            body.as_object_mut().map(|o| o.remove("uscc"));
            body
        }
        ("POST", "/outflows") => with(
            outflow(&id_number("110101", "19950101", "962")),
            "unit",
            json!(unit),
        ),
        ("PUT", "/outflows/{id}") => {
            let mut body = update_body(&with(outflow(&fresh_id), "unit", json!(unit)), 1, &[]);
            body.as_object_mut().map(|o| o.remove("id_number"));
            body
        }
        ("POST", "/outflows/{id}/return") => json!({ "returned_on": "2024-08-01", "version": 1 }),
        ("POST", "/checks/id-number") => json!({ "value": fresh_id }),
        ("POST", "/persons/{id}/documents") => {
            json!({ "kind": "接种证", "checked_on": "2024-08-01" })
        }
        ("POST", "/persons/{id}/reveal" | "/outflows/{id}/reveal") => {
            json!({ "fields": ["id_number"], "reason": "核实身份：办理居住证" })
        }
        ("POST", "/review/{kind}/{id}/reject" | "/review/{kind}/{id}/return") => {
            json!({ "version": 1, "reason": "越界审核" })
        }
        ("POST", "/review/{kind}/{id}/spot-check") => {
            json!({ "version": 1, "result": "confirmed" })
        }
        ("POST", path) if path.starts_with("/review/") => json!({ "version": 1 }),
        ("POST", "/houses/{id}/inspections") => {
            json!({ "inspected_on": "2024-08-01", "inspector": "李建国", "result": "passed" })
        }
        ("POST", "/houses/{id}/reveal") => {
            json!({ "fields": ["landlord.id_number"], "reason": "核实房东身份信息" })
        }
        ("POST", "/permits") => json!({ "person_id": foreign.person }),
        ("POST", "/permits/{id}/steps") => {
            json!({ "step": "notice", "version": 1, "documents": ["photo"] })
        }
        ("POST", "/quality/scan") => json!({}),
        ("POST", "/service-requests") => {
            json!({ "person_id": foreign.person, "kind": "employment", "asked": "越界求职" })
        }
        ("POST", "/service-requests/{id}/refer") => json!({
            "version": 1, "department": "街道劳动保障所", "contact": "王芳", "phone": "010-64001234"
        }),
        ("POST", "/service-requests/{id}/resolve") => {
            json!({ "version": 1, "resolution": "越界办结" })
        }
        ("POST", "/service-requests/{id}/close") => {
            json!({ "version": 1, "satisfaction": "satisfied" })
        }
        ("POST", "/residences/{id}/family-planning" | "/outflows/{id}/family-planning") => json!({
            "filed_on": "2024-08-01",
            "marital_status": "已婚",
            "contents": { "certificate": "checked", "certificate_on": "2024-08-01" },
        }),
        ("PUT", "/residences/{id}/family-planning") => json!({
            "version": 1,
            "contents": { "certificate": "missing" },
        }),
        (
            "POST",
            "/residences/{id}/family-planning/checks" | "/outflows/{id}/family-planning/checks",
        ) => json!({
            "checked_on": "2024-08-01", "iud": "in_place", "pregnancy": "not_pregnant",
            "health": "normal",
        }),
        ("POST", "/family-planning/schedule") => json!({ "year": 2024 }),
        ("POST", "/quality/duplicates/{id}/merge") => json!({ "keep": foreign.person }),
        ("POST", "/quality/duplicates/{id}/dismiss") => json!({ "reason": "越界排除" }),
        (
            "POST",
            "/exports/residents" | "/exports/houses" | "/exports/employers" | "/exports/outflows"
            | "/exports/permits",
        ) => json!({ "format": "xlsx", "filters": { "unit": unit } }),
        // The workflow's lists have no unit filter: the caller's own
        // jurisdiction is exported (the rows are checked in
        // `workflow_exports`).
        ("POST", path) if is_workflow_export(path) => json!({ "format": "xlsx" }),
        (method, path) => panic!("the access matrix has no body for {method} {path}: add one"),
    };
    Some(body)
}

/// The export of a review or data-quality list (`/exports/review-queue`).
fn is_workflow_export(path: &str) -> bool {
    path.strip_prefix("/exports/")
        .is_some_and(|list| list.starts_with("review-") || list.starts_with("quality-"))
        && !path.contains('{')
}

/// An import's upload: a sheet whose row names the other community.
/// (A resident's row is whole; another register's row names the unit
/// alone, with every other column of its form empty.)
fn import_upload(route: &RouteInfo, foreign: &Seeds) -> (String, String) {
    let boundary = "matrix-boundary";
    let id = id_number("440305", "19990909", "851");
    let register = route.path.rsplit('/').next().unwrap_or_default();
    let csv = match sojourn_import::Register::from_key(register) {
        Some(sojourn_import::Register::Residents) | None => format!(
            "id_number,name,ethnicity,domicile,unit,arrived_on,reason,current_address\r\n\
             {id},越界,01,410102001002,{},2024-03-05,01,越界路1号\r\n",
            foreign.unit
        ),
        Some(other) => {
            let form = sojourn_import::sheet::form_of(other);
            let keys: Vec<&str> = form.fields().iter().map(|f| f.key).collect();
            let row: Vec<&str> = keys
                .iter()
                .map(|k| if *k == "unit" { foreign.unit } else { "" })
                .collect();
            format!("{}\r\n{}\r\n", keys.join(","), row.join(","))
        }
    };
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rows.csv\"\r\n\r\n\
         {csv}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn call(client: &TestApp, route: &RouteInfo, foreign: &Seeds) -> Reply {
    let reply = send(client, route, foreign).await;
    if route.method == "POST"
        && route.path.starts_with("/api/v1/exports/")
        && reply.status == StatusCode::ACCEPTED
    {
        // An account runs two exports at a time: let this one finish
        // before the next route starts another.
        finish(client, &uri(route, foreign), &reply).await;
    }
    reply
}

/// Waits until the export job `started` answered for is no longer running.
async fn finish(client: &TestApp, start_uri: &str, started: &Reply) {
    let id = started.body["id"].as_str().expect("a job id");
    for _ in 0..500 {
        let job = client.get(&format!("{start_uri}/{id}")).await;
        if job.status != StatusCode::OK || job.body["state"] != "running" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the export {start_uri} did not finish");
}

async fn send(client: &TestApp, route: &RouteInfo, foreign: &Seeds) -> Reply {
    let uri = uri(route, foreign);
    let method: Method = route.method.parse().expect("method");
    if route.path.starts_with("/api/v1/imports/") {
        let (content_type, body) = import_upload(route, foreign);
        return client.raw(method, &uri, &content_type, body).await;
    }
    match body(route, foreign) {
        Some(body) => {
            client
                .raw(method, &uri, "application/json", body.to_string())
                .await
        }
        None => client.raw(method, &uri, "application/json", "").await,
    }
}

/// Everything both communities hold, as the root's administrators and
/// director read it: equal before and after means nothing changed.
pub(crate) async fn everything(
    director: &TestApp,
    sysadmin: &TestApp,
    secadmin: &TestApp,
    seeds: &[Seeds],
) -> Value {
    let mut records = Vec::new();
    for s in seeds {
        for path in [
            format!("/api/v1/houses/{}", s.house),
            format!("/api/v1/houses/{}/tenants", s.house),
            format!("/api/v1/houses/{}/history", s.house),
            format!("/api/v1/employers/{}", s.employer),
            format!("/api/v1/employers/{}/workers", s.employer),
            format!("/api/v1/employers/{}/history", s.employer),
            format!("/api/v1/persons/{}", s.person),
            format!("/api/v1/persons/{}/history", s.person),
            format!("/api/v1/persons/{}/documents", s.person),
            format!("/api/v1/residences/{}", s.residence),
            format!("/api/v1/residences/{}/history", s.residence),
            format!("/api/v1/outflows/{}", s.outflow),
            format!("/api/v1/outflows/{}/history", s.outflow),
            format!("/api/v1/review/residence/{}", s.residence),
            format!("/api/v1/review/house/{}", s.house),
            format!("/api/v1/review/employer/{}", s.employer),
            format!("/api/v1/review/outflow/{}", s.outflow),
            format!("/api/v1/quality/duplicates/{}", s.duplicate),
            format!("/api/v1/service-requests/{}", s.service_request),
            format!("/api/v1/permits/{}", s.permit),
            format!("/api/v1/permits/{}/history", s.permit),
        ] {
            records.push(director.get(&path).await.expect(StatusCode::OK).body);
        }
    }
    // What sign-in itself changes (failure counts, locks, last sign-in,
    // last use of a token) is not a change to the account or token.
    let accounts: Vec<Value> = sysadmin
        .get("/api/v1/accounts")
        .await
        .expect(StatusCode::OK)
        .body
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| {
            json!([
                a["id"],
                a["username"],
                a["unit"],
                a["roles"],
                a["disabled"],
                a["has_totp"],
                a["must_change_password"],
                a["password_changed_at"],
                a["updated_at"]
            ])
        })
        .collect();
    let tokens: Vec<Value> = secadmin
        .get("/api/v1/tokens")
        .await
        .expect(StatusCode::OK)
        .body
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| {
            json!([
                t["id"],
                t["name"],
                t["unit"],
                t["role"],
                t["expires_at"],
                t["revoked_at"]
            ])
        })
        .collect();
    json!({
        "records": records,
        "units": director.list_units().await.body,
        "residents": director.search_residents("status=any&per_page=500").await.body,
        "houses": director.search_houses("per_page=500").await.body,
        "employers": director.search_employers("per_page=500").await.body,
        "outflows": director.search_outflows("per_page=500").await.body,
        "accounts": accounts,
        "tokens": tokens,
    })
}

/// Who calls: a label, the client, and the roles it acts with (none for
/// nobody).
pub(crate) struct Caller {
    pub label: String,
    pub client: TestApp,
    pub roles: Vec<Role>,
}

pub(crate) async fn callers_of(deployment: &TestApp, seeds: &Seeds) -> Vec<Caller> {
    let mut callers = Vec::new();
    for role in Role::ALL {
        callers.push(Caller {
            label: format!("{} of {}", role.key(), seeds.unit),
            client: deployment.user(role, seeds.unit).await,
            roles: vec![role],
        });
    }
    callers.push(Caller {
        label: format!("collector token of {}", seeds.unit),
        client: deployment
            .anonymous()
            .with_credential(Credential::Bearer(seeds.token_secret.clone())),
        roles: vec![Role::Collector],
    });
    callers
}

fn has_path_parameter(route: &RouteInfo) -> bool {
    route.path.contains('{') && !route.path.starts_with("/api/v1/divisions")
}

/// What the answer must be for a caller holding `roles` (none: nobody).
#[track_caller]
fn check(label: &str, roles: &[Role], route: &RouteInfo, reply: &Reply, foreign: &Seeds) {
    let what = format!("{label}: {} {}", route.method, route.path);
    let text = reply.body.to_string();
    for canary in &foreign.canaries {
        assert!(
            !text.contains(canary.as_str()),
            "{what} leaked {canary}: {text}"
        );
    }
    assert!(
        !reply.status.is_server_error(),
        "{what}: {} {text}",
        reply.status
    );
    if roles.is_empty() {
        if route.access != Access::Public {
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}: {text}");
            assert_eq!(reply.code(), "unauthenticated", "{what}");
        }
        return;
    }
    match route.access {
        Access::Public => {}
        Access::SelfService | Access::SignedIn => {
            assert_ne!(reply.status, StatusCode::UNAUTHORIZED, "{what}: {text}");
            assert_ne!(reply.code(), "forbidden", "{what}");
        }
        Access::Permission(action, resource) => {
            let allowed = roles.iter().any(|r| allows(*r, action, resource));
            if !allowed {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}: {text}");
                assert_eq!(reply.code(), "forbidden", "{what}");
            } else if route.path.starts_with("/api/v1/imports/") {
                // The import runs, and refuses every row naming the other
                // community (what it wrote, if anything, shows below).
                assert_eq!(reply.status, StatusCode::OK, "{what}: {text}");
                assert_eq!(reply.body["accepted"], 0, "{what}: {text}");
            } else if has_path_parameter(route) {
                assert_eq!(reply.status, StatusCode::NOT_FOUND, "{what}: {text}");
            } else if route.method == "GET"
                || route.path.ends_with("/search")
                || route.path.ends_with("/quality/scan")
                || route.path.ends_with("/family-planning/schedule")
            {
                // A scan, or a year's 三查 schedule, works on the caller's
                // own jurisdiction.
                assert_eq!(reply.status, StatusCode::OK, "{what}: {text}");
            } else if is_workflow_export(route.path.strip_prefix("/api/v1").unwrap_or_default()) {
                // A work list's export runs over the caller's own jurisdiction.
                assert_eq!(reply.status, StatusCode::ACCEPTED, "{what}: {text}");
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{what}: {text}"
                );
                assert_eq!(reply.code(), "reference_out_of_scope", "{what}");
            }
        }
    }
}

#[tokio::test]
async fn no_role_of_a_sibling_unit_reads_or_changes_anything_through_any_route() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let sysadmin = deployment.user(Role::SystemAdmin, ROOT).await;
    let secadmin = deployment.user(Role::SecurityAdmin, ROOT).await;
    let seeds = [
        seed_community(&director, &sysadmin, 0, COMMUNITY).await,
        seed_community(&director, &sysadmin, 1, SIBLING).await,
    ];
    let mut routes = route_list();
    // Signing out ends the caller's session: call it last.
    routes.sort_by_key(|r| r.method == "DELETE" && r.path == "/api/v1/session");
    assert!(
        routes.len() >= 56,
        "the route table shrank: {}",
        routes.len()
    );

    let mut groups = Vec::new();
    for (mine, foreign) in [(0, 1), (1, 0)] {
        groups.push((callers_of(&deployment, &seeds[mine]).await, foreign));
    }
    let before = everything(&director, &sysadmin, &secadmin, &seeds).await;
    let mut calls = 0;
    for (callers, foreign) in &groups {
        let foreign = &seeds[*foreign];
        for caller in callers {
            for route in &routes {
                let reply = call(&caller.client, route, foreign).await;
                check(&caller.label, &caller.roles, route, &reply, foreign);
                calls += 1;
            }
        }
        let nobody = deployment.anonymous();
        for route in &routes {
            let reply = call(&nobody, route, foreign).await;
            check("nobody", &[], route, &reply, foreign);
            calls += 1;
        }
    }
    assert_eq!(calls, routes.len() * (2 * (Role::ALL.len() + 2)));
    assert_eq!(
        everything(&director, &sysadmin, &secadmin, &seeds).await,
        before,
        "a refused call changed something"
    );
}

#[tokio::test]
async fn every_route_is_in_the_matrix_with_an_access_requirement() {
    let public: Vec<String> = route_list()
        .into_iter()
        .filter(|r| r.access == Access::Public)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(public, ["GET /api/v1/openapi.json", "POST /api/v1/session"]);
    // No administrator role reaches a register route.
    for route in route_list() {
        if let Access::Permission(action, resource) = route.access {
            let admins = [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin];
            let register = route.path.contains("/residen")
                || route.path.contains("/persons")
                || route.path.contains("/houses")
                || route.path.contains("/employers")
                || route.path.contains("/outflows");
            if register {
                assert!(
                    admins.iter().all(|r| !allows(*r, action, resource)),
                    "an administrator reaches {} {}",
                    route.method,
                    route.path
                );
            }
        }
    }
}
