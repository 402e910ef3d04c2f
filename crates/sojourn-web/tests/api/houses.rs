use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

fn id(record: &Value) -> i64 {
    record["id"].as_i64().expect("id")
}

fn company_house() -> Value {
    let landlord = json!({ "kind": "company", "name": "东华物业公司", "uscc": acme_uscc() });
    let body = with(house(), "landlord", landlord);
    let body = with(body, "address", json!("银闸胡同3号"));
    with(body, "filed_on", Value::Null)
}

#[tokio::test]
async fn a_house_is_registered_with_its_landlord_and_filing() {
    let app = spawn_app(ROOT).await;
    let reply = app.create_house(&house()).await.expect(StatusCode::CREATED);
    let body = &reply.body;
    assert_eq!(body["unit"], COMMUNITY);
    assert_eq!(body["landlord"]["kind"], "person");
    assert_eq!(body["landlord"]["id_number"], masked_id(&li_si()));
    assert_eq!(body["landlord"]["phone"], "010-****3456");
    assert_eq!(body["rooms"], 3);
    assert_eq!(body["usage_name"], "居住");
    assert_eq!(body["filed"], true);
    assert_eq!(body["filed_on"], "2023-01-10");
    assert_eq!(
        app.get_house(id(body)).await.expect(StatusCode::OK).body,
        *body
    );
}

#[tokio::test]
async fn a_company_can_be_the_landlord_of_an_unfiled_house() {
    let app = spawn_app(ROOT).await;
    let reply = app
        .create_house(&company_house())
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(reply.body["landlord"]["kind"], "company");
    assert_eq!(reply.body["landlord"]["uscc"], acme_uscc());
    assert_eq!(reply.body["filed"], false);
}

#[tokio::test]
async fn a_house_with_invalid_fields_is_refused_with_every_reason() {
    let app = spawn_app(ROOT).await;
    let mut body = house();
    body["landlord"]["id_number"] = json!(with_wrong_check(&li_si()));
    body["landlord"]["name"] = json!("");
    body["rooms"] = json!(0);
    body["usage"] = json!("castle");
    body["filed_on"] = json!(tomorrow());
    body["address"] = json!("路".repeat(201));
    let reply = app
        .create_house(&body)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = reply.fields();
    fields.sort();
    let expected = [
        ("address", "text_too_long"),
        ("filed_on", "date_in_future"),
        ("landlord.id_number", "id_number_check_character"),
        ("landlord.name", "text_empty"),
        ("rooms", "rooms_at_least_one"),
        ("usage", "unknown_option"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(fields, expected);
    let list = app.search_houses("").await.expect(StatusCode::OK);
    assert_eq!(list.body["total"], 0);
}

#[tokio::test]
async fn a_company_landlord_with_a_bad_credit_code_is_refused() {
    let app = spawn_app(ROOT).await;
    let mut body = company_house();
    body["landlord"]["uscc"] = json!(with_wrong_check(&acme_uscc()));
    app.create_house(&body)
        .await
        .expect_field("landlord.uscc", "uscc_check_character");
}

#[tokio::test]
async fn a_landlord_of_unknown_kind_is_an_invalid_body() {
    let app = spawn_app(ROOT).await;
    let body = with(house(), "landlord", json!({ "kind": "alien", "name": "X" }));
    app.create_house(&body)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}

#[tokio::test]
async fn the_house_list_searches_and_filters_by_filing() {
    let app = spawn_app(ROOT).await;
    app.create_house(&house()).await.expect(StatusCode::CREATED);
    app.create_house(&company_house())
        .await
        .expect(StatusCode::CREATED);
    let addresses = |reply: &Reply| -> Vec<String> {
        let items = reply.body["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .map(|h| h["address"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let cases = [
        ("", vec!["多福巷12号", "银闸胡同3号"]),
        ("q=多福", vec!["多福巷12号"]),
        ("q=东华物业", vec!["银闸胡同3号"]),
        ("filed=true", vec!["多福巷12号"]),
        ("filed=false", vec!["银闸胡同3号"]),
        ("unit=110101001002", vec![]),
        ("per_page=1&page=2", vec!["银闸胡同3号"]),
    ];
    for (query, expected) in cases {
        let reply = app.search_houses(query).await.expect(StatusCode::OK);
        assert_eq!(addresses(&reply), expected, "?{query}");
    }
}

#[tokio::test]
async fn changing_a_house_keeps_the_old_version_in_its_history() {
    let app = spawn_app(ROOT).await;
    let created = app.create_house(&house()).await.body;
    let update = update_body(
        &house(),
        1,
        &[("rooms", json!(5)), ("filed_on", Value::Null)],
    );
    let reply = app
        .update_house(id(&created), &update)
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body["rooms"], 5);
    assert_eq!(reply.body["filed"], false);
    let history = app.house_history(id(&created)).await.expect(StatusCode::OK);
    let versions = history.body.as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["snapshot"]["rooms"], 3);
}

#[tokio::test]
async fn a_house_change_that_is_stale_or_invalid_changes_nothing() {
    let app = spawn_app(ROOT).await;
    let created = app.create_house(&house()).await.body;
    let stale = update_body(&house(), 2, &[("rooms", json!(5))]);
    app.update_house(id(&created), &stale)
        .await
        .expect_error(StatusCode::CONFLICT, "version_conflict");
    let invalid = update_body(
        &house(),
        1,
        &[("security_agreement_on", json!("2024-02-30"))],
    );
    app.update_house(id(&created), &invalid)
        .await
        .expect_field("security_agreement_on", "date_malformed");
    assert_eq!(app.get_house(id(&created)).await.body, created);
}

#[tokio::test]
async fn a_house_lists_its_tenants() {
    let app = spawn_app(ROOT).await;
    let seeded = seed(&app).await;
    let reply = app.tenants(seeded.house_id()).await.expect(StatusCode::OK);
    let tenants = reply.body.as_array().expect("tenants");
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0]["name"], "张三");
    assert_eq!(tenants[0]["person_id"], seeded.person["id"]);
    assert_eq!(tenants[0]["started_on"], "2024-03-05");
    assert!(tenants[0]["ended_on"].is_null());
}

#[tokio::test]
async fn a_tenancy_ends_when_the_tenant_departs() {
    let app = spawn_app(ROOT).await;
    let seeded = seed(&app).await;
    let departure = json!({ "departed_on": "2024-07-01", "version": 1 });
    app.register_departure(seeded.residence_id(), &departure)
        .await
        .expect(StatusCode::OK);
    let reply = app.tenants(seeded.house_id()).await.expect(StatusCode::OK);
    assert_eq!(reply.body[0]["ended_on"], "2024-07-01");
}
