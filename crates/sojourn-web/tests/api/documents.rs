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

const FORM: &str = "application/x-www-form-urlencoded";

/// Percent-encodes form pairs (UTF-8 bytes outside the unreserved set).
fn encode(pairs: &[(&str, &str)]) -> String {
    let value = |v: &str| -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn page_path(id: i64) -> String {
    format!("/persons/{id}/documents")
}

#[tokio::test]
async fn the_person_file_records_and_lists_a_document_check() {
    let app = spawn_app(ROOT).await;
    let id = person(&app).await;
    let empty = app
        .get(&format!("/persons/{id}"))
        .await
        .expect(StatusCode::OK);
    let html = empty.body.as_str().unwrap_or_default();
    assert!(html.contains("证件查验"), "{html}");
    assert!(html.contains(&format!("action=\"/persons/{id}/documents\"")));

    let pairs = [
        ("doc_kind", "labour_contract"),
        ("doc_action", "check"),
        ("doc_date", "2024-08-01"),
        ("doc_note", "原件已核对"),
    ];
    let saved = app
        .raw(
            axum::http::Method::POST,
            &page_path(id),
            FORM,
            encode(&pairs),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{:?}", saved.body);
    let location = saved
        .headers
        .get(axum::http::header::LOCATION)
        .expect("location");
    assert_eq!(
        location.to_str().ok(),
        Some(format!("/persons/{id}?documented=1").as_str())
    );

    let page = app
        .get(&format!("/persons/{id}?documented=1"))
        .await
        .expect(StatusCode::OK);
    let html = page.body.as_str().unwrap_or_default();
    for shown in [
        "证件查验已记录",
        "劳动合同",
        "2024-08-01 已查验",
        "原件已核对",
    ] {
        assert!(html.contains(shown), "{shown} missing");
    }
}

#[tokio::test]
async fn a_wrong_document_form_is_refused_in_chinese_keeping_what_was_typed() {
    let app = spawn_app(ROOT).await;
    let id = person(&app).await;
    let yesterday = in_days(-1);
    let pairs = [
        ("doc_kind", "vaccination_certificate"),
        ("doc_action", "chase"),
        ("doc_date", yesterday.as_str()),
        ("doc_note", "请尽快补交接种证"),
    ];
    let refused = app
        .raw(
            axum::http::Method::POST,
            &page_path(id),
            FORM,
            encode(&pairs),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.body.as_str().unwrap_or_default();
    assert!(html.contains("催办期限"), "{html}");
    assert!(html.contains("早于今天"));
    assert!(html.contains(&format!("value=\"{yesterday}\"")));
    assert!(html.contains("value=\"请尽快补交接种证\""));
    assert!(html.contains("value=\"chase\" checked"));
    assert!(html.contains("value=\"vaccination_certificate\" selected"));
    let list = app.get(&documents(id)).await.expect(StatusCode::OK);
    assert_eq!(list.body, json!([]));
}

#[tokio::test]
async fn a_role_that_may_not_update_sees_the_checks_but_no_form_and_is_refused() {
    let app = deployment();
    let clerk = app
        .user(sojourn_domain::account::Role::Clerk, COMMUNITY)
        .await;
    let id = person(&clerk).await;
    let check = json!({ "kind": "labour_contract", "checked_on": "2024-08-01" });
    clerk
        .post(&documents(id), &check)
        .await
        .expect(StatusCode::CREATED);
    let inspector = app
        .user(sojourn_domain::account::Role::Inspector, COMMUNITY)
        .await;
    let file = inspector
        .get(&format!("/persons/{id}"))
        .await
        .expect(StatusCode::OK);
    let html = file.body.as_str().unwrap_or_default();
    assert!(html.contains("劳动合同"));
    assert!(!html.contains("/documents\""));
    let pairs = [
        ("doc_kind", "接种证"),
        ("doc_action", "check"),
        ("doc_date", "2024-08-01"),
    ];
    inspector
        .raw(
            axum::http::Method::POST,
            &page_path(id),
            FORM,
            encode(&pairs),
        )
        .await
        .expect(StatusCode::FORBIDDEN);
    inspector
        .post(&documents(id), &check)
        .await
        .expect(StatusCode::FORBIDDEN);
    let list = clerk.get(&documents(id)).await.expect(StatusCode::OK);
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));
}
