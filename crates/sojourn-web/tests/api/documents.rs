use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sojourn_domain::time_rules::china_today;
use time::Duration;

/// Registers 张三 in the community; returns the person's id.
async fn person(app: &TestApp) -> i64 {
    let reply = app
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    reply.body["person"]["id"].as_i64().expect("person id")
}

fn documents(id: i64) -> String {
    format!("/api/v1/persons/{id}/documents")
}

fn in_days(days: i64) -> String {
    (china_today() + Duration::days(days)).to_string()
}

#[tokio::test]
async fn checks_and_chases_are_recorded_and_listed_newest_first() {
    let app = spawn_app(ROOT).await;
    let id = person(&app).await;
    let chase = json!({ "kind": "婚育证明", "due_on": in_days(14), "note": "请两周内补交" });
    let reply = app
        .post(&documents(id), &chase)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(reply.body["kind"], "marriage_birth_certificate");
    assert_eq!(reply.body["due_on"], in_days(14));
    assert_eq!(reply.body["checked_on"], Value::Null);
    let check = json!({ "kind": "marriage_birth_certificate", "checked_on": "2024-08-01" });
    app.post(&documents(id), &check)
        .await
        .expect(StatusCode::CREATED);

    let list = app.get(&documents(id)).await.expect(StatusCode::OK);
    let list = list.body.as_array().expect("list").clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["checked_on"], "2024-08-01");
    assert_eq!(list[0]["note"], Value::Null);
    assert_eq!(list[1]["note"], "请两周内补交");
    assert!(list.iter().all(|c| c["person_id"] == id));
    assert!(
        list.iter()
            .all(|c| c["recorded_by"].as_str().is_some_and(|s| !s.is_empty()))
    );
}

#[tokio::test]
async fn wrong_document_checks_are_refused_and_change_nothing() {
    let app = spawn_app(ROOT).await;
    let id = person(&app).await;
    let cases = [
        (
            json!({ "kind": "passport", "checked_on": "2024-08-01" }),
            "kind",
            "document_kind_unknown",
        ),
        (
            json!({ "kind": "接种证", "checked_on": in_days(1) }),
            "checked_on",
            "date_in_future",
        ),
        (
            json!({ "kind": "接种证", "due_on": in_days(-1) }),
            "due_on",
            "document_due_in_past",
        ),
        (
            json!({ "kind": "接种证", "checked_on": "2024-08-01", "due_on": in_days(3) }),
            "checked_on",
            "document_both_dates",
        ),
        (json!({ "kind": "接种证" }), "due_on", "document_no_date"),
        (
            json!({ "kind": "接种证", "checked_on": "2024-02-30" }),
            "checked_on",
            "date_malformed",
        ),
    ];
    for (body, field, code) in cases {
        let reply = app.post(&documents(id), &body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(reply.code(), "validation_failed");
        reply.expect_field(field, code);
    }
    let list = app.get(&documents(id)).await.expect(StatusCode::OK);
    assert_eq!(list.body, json!([]));
}

#[tokio::test]
async fn a_sibling_unit_neither_reads_nor_records_document_checks() {
    let root = spawn_app(ROOT).await;
    let id = person(&root).await;
    let sibling = root.acting_for(SIBLING).await;
    let check = json!({ "kind": "labour_contract", "checked_on": "2024-08-01" });
    sibling
        .post(&documents(id), &check)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    sibling
        .get(&documents(id))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let list = root.get(&documents(id)).await.expect(StatusCode::OK);
    assert_eq!(list.body, json!([]));
}
