use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Registers 张三; returns the request body and the person file.
async fn registered(app: &TestApp) -> (Value, Value) {
    let body = arrival(&zhang_san());
    let reply = app
        .register_arrival(&body)
        .await
        .expect(StatusCode::CREATED);
    (body, reply.body["person"].clone())
}

fn id(record: &Value) -> i64 {
    record["id"].as_i64().expect("id")
}

/// The person fields of an arrival body, as a change at `version`.
fn person_update(arrival: &Value, version: i64, changes: &[(&str, Value)]) -> Value {
    let keys = [
        "name",
        "ethnicity",
        "domicile",
        "domicile_address",
        "phone",
        "marital_status",
        "education",
        "political_status",
        "occupation",
    ];
    let mut body = json!({ "version": version });
    for key in keys {
        body[key] = arrival[key].clone();
    }
    update_body(&body, version, changes)
}

#[tokio::test]
async fn a_person_file_shows_the_person_and_their_stays() {
    let app = spawn_app(ROOT).await;
    let (_, person) = registered(&app).await;
    let reply = app.get_person(id(&person)).await.expect(StatusCode::OK);
    assert_eq!(reply.body["person"], person);
    let stays = reply.body["residences"].as_array().expect("stays");
    assert_eq!(stays.len(), 1);
    assert_eq!(stays[0]["person_id"], person["id"]);
}

#[tokio::test]
async fn changing_a_person_file_keeps_the_old_version_in_its_history() {
    let app = spawn_app(ROOT).await;
    let (body, person) = registered(&app).await;
    let update = person_update(
        &body,
        1,
        &[("phone", json!("010-65123456")), ("name", json!("张叁"))],
    );
    let reply = app
        .update_person(id(&person), &update)
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body["phone"], "010-****3456");
    assert_eq!(reply.body["name"], "张叁");
    assert_eq!(reply.body["id_number"], masked_id(&zhang_san()));
    let history = app.person_history(id(&person)).await.expect(StatusCode::OK);
    let versions = history.body.as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["snapshot"]["name"], "张三");
    assert_eq!(versions[1]["snapshot"]["name"], "张叁");
}

#[tokio::test]
async fn a_person_change_with_invalid_fields_changes_nothing() {
    let app = spawn_app(ROOT).await;
    let (body, person) = registered(&app).await;
    let changes = [("phone", json!("110")), ("marital_status", json!("99"))];
    let update = person_update(&body, 1, &changes);
    let reply = app.update_person(id(&person), &update).await;
    let reply = reply.expect_field("phone", "phone_invalid");
    assert_eq!(reply.fields().len(), 2, "{:#}", reply.body);
    assert!(
        reply
            .fields()
            .contains(&("marital_status".into(), "code_table_unknown".into()))
    );
    let file = app.get_person(id(&person)).await;
    assert_eq!(file.body["person"], person);
}

#[tokio::test]
async fn a_person_change_based_on_a_stale_version_is_a_conflict() {
    let app = spawn_app(ROOT).await;
    let (body, person) = registered(&app).await;
    let update = person_update(&body, 2, &[("name", json!("张叁"))]);
    app.update_person(id(&person), &update)
        .await
        .expect_error(StatusCode::CONFLICT, "version_conflict");
    assert_eq!(app.get_person(id(&person)).await.body["person"], person);
}

#[tokio::test]
async fn a_person_that_does_not_exist_is_not_found() {
    let app = spawn_app(ROOT).await;
    app.get_person(42)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.person_history(42)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}
