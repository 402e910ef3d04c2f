use crate::helpers::*;
use axum::http::StatusCode;

#[tokio::test]
async fn without_a_parent_the_divisions_are_the_provinces() {
    let app = spawn_app(ROOT).await;
    let reply = app.divisions("").await.expect(StatusCode::OK);
    let provinces = reply.body.as_array().expect("provinces");
    assert_eq!(provinces.len(), 31);
    assert_eq!(provinces[0]["code"], "11");
    assert_eq!(provinces[0]["name"], "北京市");
    assert_eq!(provinces[0]["level"], "province");
}

#[tokio::test]
async fn a_parent_lists_the_divisions_one_level_below() {
    let app = spawn_app(ROOT).await;
    let reply = app.divisions("?parent=110101").await.expect(StatusCode::OK);
    let towns = reply.body.as_array().expect("towns");
    assert_eq!(towns[0]["code"], "110101001");
    assert_eq!(towns[0]["name"], "东华门街道");
    assert_eq!(towns[0]["level"], "town");
    let padded = app.divisions("?parent=110000").await.expect(StatusCode::OK);
    assert_eq!(padded.body[0]["code"], "1101");
}

#[tokio::test]
async fn a_division_is_shown_with_its_full_name() {
    let app = spawn_app(ROOT).await;
    let reply = app.division("110101001").await.expect(StatusCode::OK);
    assert_eq!(reply.body["name"], "东华门街道");
    assert_eq!(reply.body["full_name"], "北京市 东城区 东华门街道");
    assert_eq!(reply.body["parent"], "110101");
}

#[tokio::test]
async fn unknown_and_malformed_division_codes_are_refused() {
    let app = spawn_app(ROOT).await;
    app.division("119999")
        .await
        .expect_error(StatusCode::NOT_FOUND, "division_unknown");
    app.divisions("?parent=119999")
        .await
        .expect_error(StatusCode::NOT_FOUND, "division_unknown");
    app.division("11a")
        .await
        .expect_field("code", "division_malformed");
    app.divisions("?parent=1234567")
        .await
        .expect_field("parent", "division_malformed");
}
