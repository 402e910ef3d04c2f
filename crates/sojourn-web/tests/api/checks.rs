use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;

#[tokio::test]
async fn a_valid_id_number_tells_birth_date_sex_and_issuing_county() {
    let app = spawn_app(ROOT).await;
    let reply = app.check_id(&zhang_san()).await.expect(StatusCode::OK);
    assert_eq!(reply.body["valid"], true);
    assert_eq!(reply.body["birth_date"], "1990-03-07");
    assert_eq!(reply.body["sex"], "1");
    assert_eq!(reply.body["sex_name"], "男");
    assert_eq!(reply.body["issuing_county"], "金水区");
    assert!(reply.body["warning"].is_null());
    assert!(reply.body["error"].is_null());
}

#[tokio::test]
async fn an_abolished_county_still_names_the_issuer() {
    let app = spawn_app(ROOT).await;
    let chongwen = id_number("110103", "19700101", "001");
    let reply = app.check_id(&chongwen).await.expect(StatusCode::OK);
    assert_eq!(reply.body["valid"], true);
    assert_eq!(reply.body["issuing_county"], "崇文区");
}

#[tokio::test]
async fn an_unknown_address_code_is_a_warning_not_a_refusal() {
    let app = spawn_app(ROOT).await;
    let unknown = id_number("999999", "19700101", "001");
    let reply = app.check_id(&unknown).await.expect(StatusCode::OK);
    assert_eq!(reply.body["valid"], true);
    assert!(reply.body["issuing_county"].is_null());
    assert_eq!(
        reply.body["warning"]["code"],
        "id_number_address_code_unknown"
    );
    assert!(
        reply.body["warning"]["message"]["zh-CN"]
            .as_str()
            .is_some_and(|m| m.contains("999999"))
    );
}

#[tokio::test]
async fn an_invalid_id_number_is_answered_with_its_reason() {
    let app = spawn_app(ROOT).await;
    let reply = app
        .check_id(&with_wrong_check(&zhang_san()))
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body["valid"], false);
    assert_eq!(reply.body["error"]["code"], "id_number_check_character");
    assert!(
        reply.body["error"]["message"]["en"]
            .as_str()
            .is_some_and(|m| m.contains("check character"))
    );
    assert!(reply.body["birth_date"].is_null());
    let short = app.check_id("1234").await.expect(StatusCode::OK);
    assert_eq!(short.body["error"]["code"], "id_number_length");
}

#[tokio::test]
async fn a_legacy_15_digit_number_is_upgraded() {
    let app = spawn_app(ROOT).await;
    let reply = app.check_id("110105491231002").await.expect(StatusCode::OK);
    assert_eq!(reply.body["valid"], true);
    assert_eq!(reply.body["id_number"], "11010519491231002X");
    assert_eq!(reply.body["birth_date"], "1949-12-31");
    assert_eq!(reply.body["sex"], "2");
}

#[tokio::test]
async fn a_check_without_a_value_is_an_invalid_body() {
    let app = spawn_app(ROOT).await;
    let reply = app
        .post("/api/v1/checks/id-number", &serde_json::json!({}))
        .await;
    reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}

#[tokio::test]
async fn an_id_number_is_never_taken_from_the_url() {
    let app = spawn_app(ROOT).await;
    let reply = app
        .get("/api/v1/checks/id-number?value=11010519491231002X")
        .await;
    reply.expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}
