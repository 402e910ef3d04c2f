use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

fn id(record: &Value) -> i64 {
    record["id"].as_i64().expect("id")
}

fn wang() -> String {
    id_number("110101", "19800101", "011")
}

fn outflow_update(version: i64, changes: &[(&str, Value)]) -> Value {
    let mut body = outflow(&wang());
    body.as_object_mut().expect("object").remove("id_number");
    update_body(&body, version, changes)
}

#[tokio::test]
async fn an_outflow_is_registered_with_the_family_left_behind() {
    let app = spawn_app(ROOT).await;
    let reply = app
        .create_outflow(&outflow(&wang()))
        .await
        .expect(StatusCode::CREATED);
    let body = &reply.body;
    assert_eq!(body["id_number"], masked_id(&wang()));
    assert_eq!(body["sex"], "1");
    assert_eq!(body["birth_date"], "1980-01-01");
    assert_eq!(body["destination_name"], "广东省 深圳市 南山区");
    assert!(body["returned_on"].is_null());
    let family = body["left_behind"].as_array().expect("family");
    assert_eq!(family[0]["kind"], "elderly");
    assert_eq!(family[1]["kind"], "child");
    assert_eq!(family[1]["birth_date"], "2018-05-06");
    assert_eq!(
        app.get_outflow(reply.id())
            .await
            .expect(StatusCode::OK)
            .body,
        *body
    );
}

#[tokio::test]
async fn a_family_member_neither_old_nor_young_is_refused() {
    let app = spawn_app(ROOT).await;
    let mut body = outflow(&wang());
    body["left_behind"][0]["birth_date"] = json!("1985-01-01");
    body["left_behind"][1] = json!({ "name": "孙某", "relation": "妻子" });
    let reply = app.create_outflow(&body).await;
    let reply = reply.expect_field("left_behind[0]", "not_left_behind_age");
    assert!(
        reply
            .fields()
            .contains(&("left_behind[1].birth_date".into(), "required".into()))
    );
    let list = app.search_outflows("").await.expect(StatusCode::OK);
    assert_eq!(list.body["total"], 0);
}

#[tokio::test]
async fn an_outflow_with_invalid_fields_is_refused_with_every_reason() {
    let app = spawn_app(ROOT).await;
    let mut body = outflow(&with_wrong_check(&wang()));
    body["destination"] = json!("449999");
    body["left_on"] = json!(tomorrow());
    body["contact_phone"] = json!("abc");
    let reply = app
        .create_outflow(&body)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = reply.fields();
    fields.sort();
    let expected = [
        ("contact_phone", "phone_invalid"),
        ("destination", "division_unknown"),
        ("id_number", "id_number_check_character"),
        ("left_on", "date_in_future"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(fields, expected);
}

#[tokio::test]
async fn an_id_with_an_open_outflow_record_is_a_duplicate_naming_the_unit() {
    let app = spawn_app(ROOT).await;
    app.create_outflow(&outflow(&wang()))
        .await
        .expect(StatusCode::CREATED);
    let again = with(outflow(&wang()), "unit", json!(SIBLING));
    let later = with(again.clone(), "left_on", json!("2024-07-01"));
    let reply = app
        .create_outflow(&later)
        .await
        .expect_error(StatusCode::CONFLICT, "duplicate_outflow");
    assert!(reply.message_en().contains(COMMUNITY));
    // The same departure again is the record on file.
    let reply = app
        .create_outflow(&again)
        .await
        .expect_error(StatusCode::CONFLICT, "outflow_on_file");
    assert!(reply.message_en().contains(COMMUNITY));
    let list = app.search_outflows("").await.expect(StatusCode::OK);
    assert_eq!(list.body["total"], 1);
}

#[tokio::test]
async fn the_outflow_list_searches_and_filters() {
    let app = spawn_app(ROOT).await;
    app.create_outflow(&outflow(&wang()))
        .await
        .expect(StatusCode::CREATED);
    let mut other = outflow(&li_si());
    other["name"] = json!("周八");
    other["destination"] = json!("310115");
    app.create_outflow(&other).await.expect(StatusCode::CREATED);
    let names = |reply: &Reply| -> Vec<String> {
        let items = reply.body["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .map(|o| o["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let cases = [
        ("q=sq", vec!["孙七"]),
        ("q=zhouba", vec!["周八"]),
        ("q=孙", vec!["孙七"]),
        (&format!("q={}", wang()) as &str, vec!["孙七"]),
        // Stored encrypted: found whole, a part finds nothing.
        (&format!("q={}", &wang()[..8]) as &str, vec![]),
        ("destination_province=31", vec!["周八"]),
        ("destination_province=440000", vec!["孙七"]),
        ("returned=true", vec![]),
        ("unit=110101001002", vec![]),
    ];
    for (query, expected) in cases {
        let reply = app.search_outflows(query).await.expect(StatusCode::OK);
        assert_eq!(names(&reply), expected, "?{query}");
    }
    let still_away = app
        .search_outflows("returned=false")
        .await
        .expect(StatusCode::OK);
    assert_eq!(still_away.body["total"], 2);
    app.search_outflows("destination_province=4403")
        .await
        .expect_field("destination_province", "not_a_province");
}

#[tokio::test]
async fn changing_an_outflow_keeps_the_old_version_in_its_history() {
    let app = spawn_app(ROOT).await;
    let created = app.create_outflow(&outflow(&wang())).await.body;
    let update = outflow_update(
        1,
        &[
            ("destination", json!("440305001")),
            ("left_behind", json!([])),
        ],
    );
    let reply = app
        .update_outflow(id(&created), &update)
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body["destination"], "440305001");
    assert_eq!(reply.body["left_behind"], json!([]));
    let history = app
        .outflow_history(id(&created))
        .await
        .expect(StatusCode::OK);
    let versions = history.body.as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(
        versions[0]["snapshot"]["left_behind"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn an_outflow_change_that_is_stale_or_invalid_changes_nothing() {
    let app = spawn_app(ROOT).await;
    let created = app.create_outflow(&outflow(&wang())).await.body;
    let stale = outflow_update(4, &[("reason", json!("上学"))]);
    app.update_outflow(id(&created), &stale)
        .await
        .expect_error(StatusCode::CONFLICT, "version_conflict");
    let invalid = outflow_update(1, &[("destination", json!("44x305"))]);
    app.update_outflow(id(&created), &invalid)
        .await
        .expect_field("destination", "division_malformed");
    assert_eq!(app.get_outflow(id(&created)).await.body, created);
}

#[tokio::test]
async fn a_return_closes_the_record_once_and_wrong_returns_change_nothing() {
    let app = spawn_app(ROOT).await;
    let created = app
        .create_outflow(&outflow(&wang()))
        .await
        .expect(StatusCode::CREATED);
    let id = created.id();
    let uri = format!("/api/v1/outflows/{id}/return");
    // Before the leaving day (2024-06-01), in the future, not a date, no
    // version: refused, each with its reason.
    app.post(&uri, &json!({ "returned_on": "2024-05-31", "version": 1 }))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "return_before_leaving");
    app.post(&uri, &json!({ "returned_on": "2999-01-01", "version": 1 }))
        .await
        .expect_field("returned_on", "date_in_future");
    app.post(&uri, &json!({ "returned_on": "2024-13-01", "version": 1 }))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    app.post(&uri, &json!({ "returned_on": "2024-08-01" }))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    app.post(
        "/api/v1/outflows/999999/return",
        &json!({ "returned_on": "2024-08-01", "version": 1 }),
    )
    .await
    .expect(StatusCode::NOT_FOUND);
    let unchanged = app.get_outflow(id).await.expect(StatusCode::OK);
    assert_eq!(unchanged.body, created.body);

    let back = app
        .post(&uri, &json!({ "returned_on": "2024-08-01", "version": 1 }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(back.body["returned_on"], "2024-08-01");
    assert_eq!(back.body["version"], 2);
    app.post(&uri, &json!({ "returned_on": "2024-09-01", "version": 2 }))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "already_returned");
    app.post(&uri, &json!({ "returned_on": "2024-09-01", "version": 1 }))
        .await
        .expect_error(StatusCode::CONFLICT, "version_conflict");
    assert_eq!(
        app.get_outflow(id).await.expect(StatusCode::OK).body,
        back.body
    );
}
