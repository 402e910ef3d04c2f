//! A deployment rooted at a county (R1.1): the county's own accounts see
//! every town, each town's accounts only their own, and the pages a
//! street office uses work the same one level up.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::json;
use sojourn_domain::account::Role;

fn html(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

/// The residence made by an arrival's reply.
fn residence_of(reply: Reply) -> i64 {
    reply.expect(StatusCode::CREATED).body["residence"]["id"]
        .as_i64()
        .expect("residence id")
}

/// One resident in a community of each of the county's two towns, made
/// by the county's director; their residence ids.
async fn county_with_a_resident_in_each_town() -> (TestApp, i64, i64) {
    let county = county_deployment().user(Role::OfficeDirector, COUNTY).await;
    let here = residence_of(county.register_arrival(&arrival(&zhang_san())).await);
    let li_si_there = with(
        with(arrival(&li_si()), "name", json!("李四")),
        "unit",
        json!(OTHER_TOWN_COMMUNITY),
    );
    let there = residence_of(county.register_arrival(&li_si_there).await);
    (county, here, there)
}

#[tokio::test]
async fn the_countys_accounts_see_every_town_and_a_towns_see_only_their_own() {
    let (county, here, there) = county_with_a_resident_in_each_town().await;
    let everyone = county.search_residents("").await.expect(StatusCode::OK);
    assert_eq!(everyone.body["total"], 2);

    let inspector = county.user(Role::Inspector, COUNTY).await;
    inspector.get_residence(here).await.expect(StatusCode::OK);
    inspector.get_residence(there).await.expect(StatusCode::OK);

    let other_town = county.user(Role::OfficeDirector, OTHER_TOWN).await;
    let own = other_town.search_residents("").await.expect(StatusCode::OK);
    assert_eq!(own.body["total"], 1);
    other_town.get_residence(there).await.expect(StatusCode::OK);
    other_town
        .get_residence(here)
        .await
        .expect(StatusCode::NOT_FOUND);
    // A town cannot place a record in its sibling town.
    other_town
        .register_arrival(&arrival(&id_number_child()))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_countys_pages_list_its_towns_and_open_every_towns_files() {
    let (county, here, there) = county_with_a_resident_in_each_town().await;
    let home = county.get("/").await.expect(StatusCode::OK);
    assert!(html(&home).contains("东城区"), "{}", html(&home));
    for town in ["东华门街道", "景山街道"] {
        assert!(
            html(&home).contains(town),
            "{town} on the county's home page"
        );
    }
    let list = county.get("/residents").await.expect(StatusCode::OK);
    for name in ["张三", "李四"] {
        assert!(html(&list).contains(name), "{name} in the county's list");
    }
    for residence in [here, there] {
        let stay = county.get_residence(residence).await.expect(StatusCode::OK);
        let person = stay.body["person_id"].as_i64().expect("person id");
        county
            .get(&format!("/persons/{person}"))
            .await
            .expect(StatusCode::OK);
    }
}
