use crate::helpers::*;
use sojourn_domain::account::Role;

/// Adding units is the system administrator's job.
async fn system_admin() -> TestApp {
    deployment().user(Role::SystemAdmin, ROOT).await
}
use axum::http::StatusCode;
use serde_json::json;

fn codes(reply: &Reply) -> Vec<String> {
    let units = reply.body.as_array().cloned().unwrap_or_default();
    units
        .iter()
        .map(|u| u["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn the_unit_list_is_the_callers_subtree() {
    let app = spawn_app(ROOT).await;
    let reply = app.list_units().await.expect(StatusCode::OK);
    assert_eq!(codes(&reply), [ROOT, COMMUNITY, SIBLING]);
    assert_eq!(reply.body[0]["level"], "town");
    assert_eq!(reply.body[1]["level_name"], "社区（村）");
    assert_eq!(reply.body[1]["parent"], ROOT);
    let narrow = app
        .acting_for(COMMUNITY)
        .await
        .list_units()
        .await
        .expect(StatusCode::OK);
    assert_eq!(codes(&narrow), [COMMUNITY]);
}

#[tokio::test]
async fn a_unit_is_read_by_its_code_with_its_children() {
    let app = spawn_app(ROOT).await;
    let reply = app.get_unit(COMMUNITY).await.expect(StatusCode::OK);
    assert_eq!(reply.body["name"], COMMUNITY_NAME);
    let children = app.unit_children(ROOT).await.expect(StatusCode::OK);
    assert_eq!(codes(&children), [COMMUNITY, SIBLING]);
}

#[tokio::test]
async fn grids_and_collection_points_can_be_added() {
    let app = system_admin().await;
    let grid = json!({ "code": "110101001001001", "name": "第一网格" });
    let reply = app.create_unit(&grid).await.expect(StatusCode::CREATED);
    assert_eq!(reply.body["level"], "grid");
    let point = json!({ "code": "110101001001001002", "name": "多福巷12号楼采集点" });
    let reply = app.create_unit(&point).await.expect(StatusCode::CREATED);
    assert_eq!(reply.body["level"], "collection_point");
    let children = app
        .unit_children("110101001001001")
        .await
        .expect(StatusCode::OK);
    assert_eq!(codes(&children), ["110101001001001002"]);
}

#[tokio::test]
async fn a_unit_code_that_is_taken_is_a_conflict() {
    let app = system_admin().await;
    let grid = json!({ "code": "110101001001001", "name": "第一网格" });
    app.create_unit(&grid).await.expect(StatusCode::CREATED);
    let again = json!({ "code": "110101001001001", "name": "重复网格" });
    app.create_unit(&again)
        .await
        .expect_error(StatusCode::CONFLICT, "duplicate_unit");
    assert_eq!(
        app.get_unit("110101001001001").await.body["name"],
        "第一网格"
    );
}

#[tokio::test]
async fn only_grids_and_collection_points_can_be_added() {
    let app = system_admin().await;
    let community = json!({ "code": "110101001003", "name": "新社区" });
    app.create_unit(&community)
        .await
        .expect_field("code", "unit_level_not_creatable");
    let malformed = json!({ "code": "110101001001000", "name": "" });
    let reply = app
        .create_unit(&malformed)
        .await
        .expect_field("code", "unit_code_zero_suffix");
    assert!(
        reply
            .fields()
            .contains(&("name".into(), "text_empty".into()))
    );
    let orphan = json!({ "code": "110101001009001", "name": "无主网格" });
    app.create_unit(&orphan)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "reference_out_of_scope");
    let list = app.list_units().await;
    assert_eq!(codes(&list), [ROOT, COMMUNITY, SIBLING]);
}

#[tokio::test]
async fn a_malformed_unit_code_in_the_path_is_refused() {
    let app = spawn_app(ROOT).await;
    app.get_unit("12345")
        .await
        .expect_field("code", "unit_code_malformed");
    app.unit_children("abc")
        .await
        .expect_field("code", "unit_code_malformed");
    app.get_unit("110101001003")
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn only_the_system_administrator_adds_units() {
    let director = spawn_app(ROOT).await;
    let grid = json!({ "code": "110101001001001", "name": "第一网格" });
    director
        .create_unit(&grid)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let units = director.list_units().await;
    assert_eq!(codes(&units), [ROOT, COMMUNITY, SIBLING]);
}
