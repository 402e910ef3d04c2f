//! Residence permits 居住证 on the API: the counter's steps in order,
//! refusals with their reasons that change nothing, the worklists and
//! the rate.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sojourn_domain::time_rules::china_today;
use time::Duration;

/// Registers a resident (since March 2024), living in a rental house on
/// file when `housed`; returns the person's id.
async fn resident(app: &TestApp, number: &str, housed: bool) -> i64 {
    let mut body = arrival(number);
    if housed {
        let house = app
            .create_house(&house())
            .await
            .expect(StatusCode::CREATED)
            .id();
        body["house_id"] = json!(house);
    }
    let reply = app
        .register_arrival(&body)
        .await
        .expect(StatusCode::CREATED);
    reply.body["person"]["id"].as_i64().expect("person id")
}

fn steps(id: i64) -> String {
    format!("/api/v1/permits/{id}/steps")
}

async fn step(app: &TestApp, permit: &Value, body: Value) -> Reply {
    let mut body = body;
    body["version"] = permit["version"].clone();
    app.post(&steps(permit["id"].as_i64().expect("id")), &body)
        .await
}

#[tokio::test]
async fn the_counter_takes_an_application_through_notice_acceptance_and_issue() {
    let app = spawn_app(ROOT).await;
    let person = resident(&app, &zhang_san(), true).await;
    let applied = app
        .post("/api/v1/permits", &json!({ "person_id": person }))
        .await
        .expect(StatusCode::CREATED)
        .body;
    assert_eq!(applied["state"], "applied");
    let noticed = step(
        &app,
        &applied,
        json!({ "step": "notice", "documents": ["photo", "proof_of_residence"] }),
    )
    .await
    .expect(StatusCode::OK)
    .body;
    assert_eq!(
        noticed["missing_documents"],
        json!(["photo", "proof_of_residence"])
    );
    let again = step(
        &app,
        &noticed,
        json!({ "step": "notice", "documents": ["photo"] }),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "permit_notice_given");
    assert!(
        again.message_zh().contains("一次性告知"),
        "{}",
        again.message_zh()
    );
    let accepted = step(&app, &noticed, json!({ "step": "accept" }))
        .await
        .expect(StatusCode::OK)
        .body;
    let today = china_today();
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["basis"], "housing");
    assert_eq!(
        accepted["issue_due"],
        (today + Duration::days(15)).to_string()
    );
    let early = step(&app, &accepted, json!({ "step": "issue" }))
        .await
        .expect_error(StatusCode::CONFLICT, "permit_wrong_step");
    assert!(
        early.message_zh().contains("发证"),
        "{}",
        early.message_zh()
    );
    let produced = step(&app, &accepted, json!({ "step": "produce" }))
        .await
        .expect(StatusCode::OK)
        .body;
    let issued = step(&app, &produced, json!({ "step": "issue" }))
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(issued["state"], "issued");
    assert_eq!(issued["issued_on"], today.to_string());
    step(&app, &issued, json!({ "step": "endorse" }))
        .await
        .expect_error(StatusCode::CONFLICT, "permit_endorsement_not_due");
    let id = issued["id"].as_i64().expect("id");
    let read = app
        .get(&format!("/api/v1/permits/{id}"))
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(read["version"], 5);
    assert_eq!(read["person_name"], "张三");
    let history = app
        .get(&format!("/api/v1/permits/{id}/history"))
        .await
        .expect(StatusCode::OK)
        .body;
    let actions: Vec<&str> = history
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|v| v["action"].as_str())
        .collect();
    assert_eq!(actions, ["created", "notice", "accept", "produce", "issue"]);
    let rate = app
        .get("/api/v1/permits/rate")
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(
        rate,
        json!({ "holders": 1, "eligible": 1, "per_mille": 1000 })
    );
    let waiting = app
        .get("/api/v1/permits?list=to_accept")
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(waiting["total"], 0);
    let register = app
        .get(&format!("/api/v1/permits?list=register&unit={COMMUNITY}"))
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(register["items"][0]["id"], id);
}

#[tokio::test]
async fn wrong_permit_input_is_refused_with_its_reason_and_changes_nothing() {
    let app = spawn_app(ROOT).await;
    // On file since 2024, but no house, employer or proof.
    let person = resident(&app, &zhang_san(), false).await;
    let applied = app
        .post("/api/v1/permits", &json!({ "person_id": person }))
        .await
        .expect(StatusCode::CREATED)
        .body;
    let refused = step(&app, &applied, json!({ "step": "accept" }))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "permit_no_basis");
    assert!(refused.message_zh().contains("不符合申领条件"));
    app.post("/api/v1/permits", &json!({ "person_id": person }))
        .await
        .expect_error(StatusCode::CONFLICT, "permit_already_held");
    step(&app, &applied, json!({ "step": "notice", "documents": [] }))
        .await
        .expect_field("documents", "permit_notice_empty");
    step(
        &app,
        &applied,
        json!({ "step": "notice", "documents": ["passport"] }),
    )
    .await
    .expect_field("documents", "permit_unknown_document");
    step(&app, &applied, json!({ "step": "cancel" }))
        .await
        .expect_field("reason", "permit_cancel_reason_required");
    step(&app, &applied, json!({ "step": "approve" }))
        .await
        .expect_field("step", "permit_unknown_step");
    let proxy = json!({ "person_id": person, "proxy_name": "张父", "proxy_ground": "minor" });
    app.post("/api/v1/permits", &proxy)
        .await
        .expect_field("proxy_relation", "text_empty");
    app.get("/api/v1/permits?list=everything")
        .await
        .expect_field("list", "permit_unknown_list");
    let id = applied["id"].as_i64().expect("id");
    let read = app
        .get(&format!("/api/v1/permits/{id}"))
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(
        (read["state"].clone(), read["version"].clone()),
        (json!("applied"), json!(1))
    );
    // With the school's certificate and a proof of residence, accepted.
    let cancelled = step(
        &app,
        &applied,
        json!({ "step": "cancel", "reason": "fraud" }),
    )
    .await
    .expect(StatusCode::OK)
    .body;
    step(&app, &cancelled, json!({ "step": "endorse" }))
        .await
        .expect_error(StatusCode::CONFLICT, "permit_cancelled");
    let pupil = json!({ "person_id": person, "proof": "schooling" });
    let second = app
        .post("/api/v1/permits", &pupil)
        .await
        .expect(StatusCode::CREATED)
        .body;
    let accepted = step(&app, &second, json!({ "step": "accept" }))
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(accepted["basis"], "schooling");
}

#[tokio::test]
async fn the_register_and_a_worklist_export_as_xlsx_with_their_rows() {
    use crate::exports::{export, xlsx_rows};
    use sojourn_domain::account::Role;
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let person = resident(&clerk, &zhang_san(), true).await;
    let applied = clerk
        .post("/api/v1/permits", &json!({ "person_id": person }))
        .await
        .expect(StatusCode::CREATED)
        .body;
    let chief = app.user(Role::StationChief, COMMUNITY).await;
    let body = json!({ "format": "xlsx", "filters": { "list": "register", "unit": COMMUNITY } });
    let job = export(&chief, "permits", &body).await;
    let rows = xlsx_rows(&chief, &job).await;
    assert_eq!(rows[0][0], "居住证工作清单");
    assert_eq!(rows[1][1], "姓名");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[2][1], "张三");
    assert_eq!(rows[2][3], "已申请待受理");
    assert_eq!(rows[2][4], applied["applied_on"]);
    // Nothing is overdue for issue; an unknown list is refused.
    let body = json!({ "format": "xlsx", "filters": { "list": "issue_overdue" } });
    let job = export(&chief, "permits", &body).await;
    assert_eq!(job["rows_written"], 0);
    chief
        .post(
            "/api/v1/exports/permits",
            &json!({ "format": "xlsx", "filters": { "list": "all" } }),
        )
        .await
        .expect_field("list", "permit_unknown_list");
    // A clerk works permits but does not export them.
    clerk
        .post("/api/v1/exports/permits", &json!({ "format": "xlsx" }))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
}
