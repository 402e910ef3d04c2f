use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

fn id(record: &Value) -> i64 {
    record["id"].as_i64().expect("id")
}

/// The employer body without its credit code, as a change at `version`.
fn employer_update(version: i64, changes: &[(&str, Value)]) -> Value {
    let mut body = employer(&acme_uscc());
    body.as_object_mut().expect("object").remove("uscc");
    update_body(&body, version, changes)
}

#[tokio::test]
async fn an_employer_is_registered_with_its_credit_code() {
    let app = spawn_app(ROOT).await;
    let reply = app
        .create_employer(&employer(&acme_uscc()))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(reply.body["uscc"], acme_uscc());
    assert_eq!(reply.body["declared_workers"], 12);
    assert_eq!(reply.body["current_workers"], 0);
    assert_eq!(
        app.get_employer(reply.id())
            .await
            .expect(StatusCode::OK)
            .body,
        reply.body
    );
}

#[tokio::test]
async fn an_employer_with_a_bad_credit_code_is_refused() {
    let app = spawn_app(ROOT).await;
    let mut body = employer(&with_wrong_check(&acme_uscc()));
    body["legal_representative"] = json!("赵6");
    let reply = app.create_employer(&body).await;
    let reply = reply.expect_field("uscc", "uscc_check_character");
    assert!(
        reply
            .fields()
            .contains(&("legal_representative".into(), "text_not_a_name".into()))
    );
    let short = employer("9111010");
    app.create_employer(&short)
        .await
        .expect_field("uscc", "uscc_length");
    let list = app.search_employers("").await.expect(StatusCode::OK);
    assert_eq!(list.body["total"], 0);
}

#[tokio::test]
async fn a_credit_code_can_be_registered_only_once() {
    let app = spawn_app(ROOT).await;
    app.create_employer(&employer(&acme_uscc()))
        .await
        .expect(StatusCode::CREATED);
    let again = with(employer(&acme_uscc()), "name", json!("另一家公司"));
    app.create_employer(&again)
        .await
        .expect_error(StatusCode::CONFLICT, "duplicate_employer");
    let list = app.search_employers("").await.expect(StatusCode::OK);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["name"], "北京多福餐饮有限公司");
}

#[tokio::test]
async fn a_negative_worker_count_is_an_invalid_body() {
    let app = spawn_app(ROOT).await;
    let body = with(employer(&acme_uscc()), "declared_workers", json!(-1));
    app.create_employer(&body)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}

#[tokio::test]
async fn the_employer_list_searches_by_name_or_credit_code() {
    let app = spawn_app(ROOT).await;
    app.create_employer(&employer(&acme_uscc()))
        .await
        .expect(StatusCode::CREATED);
    let other = with(
        employer(&uscc("92110101MA02XYKW3")),
        "name",
        json!("银闸超市"),
    );
    app.create_employer(&other)
        .await
        .expect(StatusCode::CREATED);
    let names = |reply: &Reply| -> Vec<String> {
        let items = reply.body["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .map(|e| e["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let cases = [
        ("", vec!["北京多福餐饮有限公司", "银闸超市"]),
        ("q=银闸", vec!["银闸超市"]),
        ("q=91110101", vec!["北京多福餐饮有限公司"]),
        ("q=92110101ma", vec!["银闸超市"]),
        ("unit=110101001002", vec![]),
        ("per_page=1", vec!["北京多福餐饮有限公司"]),
    ];
    for (query, expected) in cases {
        let reply = app.search_employers(query).await.expect(StatusCode::OK);
        assert_eq!(names(&reply), expected, "?{query}");
    }
}

#[tokio::test]
async fn changing_an_employer_keeps_the_old_version_in_its_history() {
    let app = spawn_app(ROOT).await;
    let created = app.create_employer(&employer(&acme_uscc())).await.body;
    let update = employer_update(1, &[("declared_workers", json!(30))]);
    let reply = app
        .update_employer(id(&created), &update)
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body["declared_workers"], 30);
    assert_eq!(reply.body["uscc"], acme_uscc());
    let history = app
        .employer_history(id(&created))
        .await
        .expect(StatusCode::OK);
    let versions = history.body.as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["snapshot"]["declared_workers"], 12);
}

#[tokio::test]
async fn an_employer_change_that_is_stale_or_invalid_changes_nothing() {
    let app = spawn_app(ROOT).await;
    let created = app.create_employer(&employer(&acme_uscc())).await.body;
    let stale = employer_update(3, &[("declared_workers", json!(30))]);
    app.update_employer(id(&created), &stale)
        .await
        .expect_error(StatusCode::CONFLICT, "version_conflict");
    let invalid = employer_update(1, &[("name", json!("公".repeat(101)))]);
    app.update_employer(id(&created), &invalid)
        .await
        .expect_field("name", "text_too_long");
    assert_eq!(app.get_employer(id(&created)).await.body, created);
}

#[tokio::test]
async fn an_employer_lists_its_workers() {
    let app = spawn_app(ROOT).await;
    let seeded = seed(&app).await;
    let reply = app
        .workers(seeded.employer_id())
        .await
        .expect(StatusCode::OK);
    let workers = reply.body.as_array().expect("workers");
    assert_eq!(workers.len(), 1);
    assert_eq!(workers[0]["name"], "张三");
    assert_eq!(workers[0]["residence_id"], seeded.residence["id"]);
    let employer = app
        .get_employer(seeded.employer_id())
        .await
        .expect(StatusCode::OK);
    assert_eq!(employer.body["current_workers"], 1);
}
