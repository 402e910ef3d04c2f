//! A caller acting for the sibling community (110101001002) must neither
//! see nor change records of 110101001001, on every handler, and cannot
//! place records outside its own subtree.

use crate::fixtures::*;
use crate::helpers::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use sojourn_domain::account::Role;

/// A deployment seeded by the root in COMMUNITY, and the app acting for
/// the sibling community.
async fn seeded_and_sibling() -> (TestApp, Seeded, TestApp) {
    let root = spawn_app(ROOT).await;
    let seeded = seed(&root).await;
    let sibling = root.acting_for(SIBLING).await;
    (root, seeded, sibling)
}

#[track_caller]
fn assert_not_found(reply: Reply, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "{what}: {:#}",
        reply.body
    );
    assert_eq!(reply.code(), "not_found", "{what}");
}

#[tokio::test]
async fn reading_a_record_outside_the_callers_unit_is_not_found() {
    let (_root, s, sibling) = seeded_and_sibling().await;
    assert_not_found(sibling.get_unit(COMMUNITY).await, "unit");
    assert_not_found(sibling.unit_children(COMMUNITY).await, "unit children");
    assert_not_found(sibling.get_residence(s.residence_id()).await, "residence");
    assert_not_found(
        sibling.residence_history(s.residence_id()).await,
        "residence history",
    );
    assert_not_found(sibling.get_person(s.person_id()).await, "person");
    assert_not_found(
        sibling.person_history(s.person_id()).await,
        "person history",
    );
    assert_not_found(sibling.get_house(s.house_id()).await, "house");
    assert_not_found(sibling.tenants(s.house_id()).await, "tenants");
    assert_not_found(sibling.house_history(s.house_id()).await, "house history");
    assert_not_found(sibling.get_employer(s.employer_id()).await, "employer");
    assert_not_found(sibling.workers(s.employer_id()).await, "workers");
    assert_not_found(
        sibling.employer_history(s.employer_id()).await,
        "employer history",
    );
    assert_not_found(sibling.get_outflow(s.outflow_id()).await, "outflow");
    assert_not_found(
        sibling.outflow_history(s.outflow_id()).await,
        "outflow history",
    );
}

#[tokio::test]
async fn a_not_found_outside_the_scope_looks_exactly_like_a_missing_record() {
    let (_root, s, sibling) = seeded_and_sibling().await;
    let hidden = sibling.get_house(s.house_id()).await;
    let missing = sibling.get_house(9999).await;
    assert_eq!(hidden.status, missing.status);
    assert_eq!(
        hidden.body["error"]["message"]["zh-CN"],
        missing.body["error"]["message"]["zh-CN"]
    );
}

#[tokio::test]
async fn changing_a_record_outside_the_callers_unit_is_not_found_and_changes_nothing() {
    let (root, s, sibling) = seeded_and_sibling().await;
    let before = everything(&root, &s).await;
    let stay = update_body(
        &arrival(&zhang_san()),
        1,
        &[("current_address", json!("别处"))],
    );
    assert_not_found(
        sibling.update_stay(s.residence_id(), &stay).await,
        "update stay",
    );
    let stay_moved = with(stay, "unit", json!(SIBLING));
    assert_not_found(
        sibling.update_stay(s.residence_id(), &stay_moved).await,
        "move stay",
    );
    assert_not_found(sibling.activate(s.residence_id(), 1).await, "activate");
    let departure = json!({ "departed_on": "2024-08-01", "version": 1 });
    assert_not_found(
        sibling
            .register_departure(s.residence_id(), &departure)
            .await,
        "departure",
    );
    let person = update_body(&arrival(&zhang_san()), 1, &[("name", json!("改名"))]);
    assert_not_found(
        sibling.update_person(s.person_id(), &person).await,
        "update person",
    );
    let house = update_body(&house(), 1, &[("unit", json!(SIBLING))]);
    assert_not_found(
        sibling.update_house(s.house_id(), &house).await,
        "update house",
    );
    let mut employer = update_body(&employer(&acme_uscc()), 1, &[("unit", json!(SIBLING))]);
    employer.as_object_mut().map(|o| o.remove("uscc"));
    assert_not_found(
        sibling.update_employer(s.employer_id(), &employer).await,
        "update employer",
    );
    let outflow = update_body(&s.outflow_request(), 1, &[("unit", json!(SIBLING))]);
    assert_not_found(
        sibling.update_outflow(s.outflow_id(), &outflow).await,
        "update outflow",
    );
    assert_eq!(everything(&root, &s).await, before);
}

#[tokio::test]
async fn lists_and_searches_leave_out_records_outside_the_callers_unit() {
    let (_root, s, sibling) = seeded_and_sibling().await;
    let units = sibling.list_units().await.expect(StatusCode::OK);
    assert_eq!(units.body.as_array().map(Vec::len), Some(1));
    assert_eq!(units.body[0]["code"], SIBLING);
    let queries = [
        "status=any".to_owned(),
        format!("q={}", zhang_san()),
        "q=zs".to_owned(),
        format!("house={}", s.house_id()),
        format!("employer={}", s.employer_id()),
    ];
    for query in &queries {
        let reply = sibling.search_residents(query).await.expect(StatusCode::OK);
        assert_eq!(reply.body["total"], 0, "residents?{query}");
    }
    let houses = sibling.search_houses("q=多福").await.expect(StatusCode::OK);
    assert_eq!(houses.body["total"], 0);
    let employers = sibling.search_employers("").await.expect(StatusCode::OK);
    assert_eq!(employers.body["total"], 0);
    let outflows = sibling.search_outflows("q=sq").await.expect(StatusCode::OK);
    assert_eq!(outflows.body["total"], 0);
}

#[tokio::test]
async fn a_list_filter_cannot_widen_the_callers_scope() {
    let (_root, _s, sibling) = seeded_and_sibling().await;
    for path in ["residents", "houses", "employers", "outflows"] {
        for unit in [COMMUNITY, ROOT] {
            let reply = sibling.get(&format!("/api/v1/{path}?unit={unit}")).await;
            let reply =
                reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "reference_out_of_scope");
            assert!(reply.message_en().contains(unit), "{path}?unit={unit}");
        }
    }
}

#[tokio::test]
async fn no_header_or_query_parameter_sets_the_callers_scope() {
    let (_root, s, sibling) = seeded_and_sibling().await;
    let uri = format!(
        "/api/v1/houses/{}?scope={ROOT}&unit={ROOT}&acting_unit={ROOT}",
        s.house_id()
    );
    let request = Request::get(&uri)
        .header("x-unit", ROOT)
        .header("x-acting-unit", ROOT)
        .header("x-scope", ROOT)
        .body(Body::empty())
        .expect("request");
    assert_not_found(sibling.send(request).await, "house with scope hints");
}

#[tokio::test]
async fn creating_a_record_in_a_unit_outside_the_callers_is_refused_and_changes_nothing() {
    let (root, s, sibling) = seeded_and_sibling().await;
    let before = everything(&root, &s).await;
    let out = |reply: Reply, what: &str| {
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{what}: {:#}",
            reply.body
        );
        assert_eq!(reply.code(), "reference_out_of_scope", "{what}");
    };
    out(
        sibling.register_arrival(&arrival(&li_si())).await,
        "arrival",
    );
    out(sibling.create_house(&house()).await, "house");
    out(
        sibling
            .create_employer(&employer(&uscc("91110101MA01WXYK0")))
            .await,
        "employer",
    );
    out(sibling.create_outflow(&outflow(&li_si())).await, "outflow");
    let sibling_admin = root.user(Role::SystemAdmin, SIBLING).await;
    let grid = json!({ "code": "110101001001009", "name": "越界网格" });
    out(sibling_admin.create_unit(&grid).await, "grid");
    assert_eq!(everything(&root, &s).await, before);
    let residents = root.search_residents(&format!("q={}", li_si())).await;
    assert_eq!(residents.body["total"], 0);
}

/// Living in one community and working in another is the normal case: a
/// stay may name another community's house or employer, is saved again
/// unchanged, and its person page opens showing that employer's name
/// without a link to a file the reader may not open.
#[tokio::test]
async fn a_stay_may_name_a_house_or_employer_kept_by_another_community() {
    let (_root, s, sibling) = seeded_and_sibling().await;
    let mut body = with(arrival(&li_si()), "unit", json!(SIBLING));
    body["employer_id"] = json!(s.employer_id());
    body["house_id"] = json!(s.house_id());
    let created = sibling
        .register_arrival(&body)
        .await
        .expect(StatusCode::CREATED)
        .body;
    let stay = created["residence"]["id"].as_i64().expect("stay id");
    let unchanged = update_body(&body, 1, &[]);
    let saved = sibling
        .update_stay(stay, &unchanged)
        .await
        .expect(StatusCode::OK);
    assert_eq!(saved.body["employer_id"], json!(s.employer_id()));

    let person = created["person"]["id"].as_i64().expect("person id");
    let page = sibling.get(&format!("/persons/{person}")).await;
    assert_eq!(page.status, StatusCode::OK, "{:#}", page.body);
    let html = page.body.as_str().unwrap_or_default();
    assert!(html.contains("北京多福餐饮有限公司"), "the employer's name");
    assert!(!html.contains(&format!("/employers/{}", s.employer_id())));
    assert!(!html.contains(&format!("/houses/{}", s.house_id())));
    // The edit form offers the employer chosen, so saving it unchanged
    // keeps it.
    let edit = sibling.get(&format!("/persons/{person}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK, "{:#}", edit.body);
    let chosen = format!(
        "<option value=\"{}\" selected>北京多福餐饮有限公司",
        s.employer_id()
    );
    assert!(edit.body.as_str().unwrap_or_default().contains(&chosen));
    // The name, never the file.
    assert_not_found(sibling.get_employer(s.employer_id()).await, "employer");
    assert_not_found(sibling.get_house(s.house_id()).await, "house");
}

#[tokio::test]
async fn a_stay_naming_a_house_or_employer_that_does_not_exist_is_refused() {
    let (root, s, sibling) = seeded_and_sibling().await;
    let before = everything(&root, &s).await;
    let mut body = with(arrival(&li_si()), "unit", json!(SIBLING));
    body["house_id"] = json!(999_999);
    let reply = sibling.register_arrival(&body).await;
    let reply = reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "reference_out_of_scope");
    assert!(reply.message_en().contains("house"));
    body["house_id"] = Value::Null;
    body["employer_id"] = json!(999_999);
    sibling
        .register_arrival(&body)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "reference_out_of_scope");
    assert_eq!(everything(&root, &s).await, before);
}

#[tokio::test]
async fn a_record_of_ones_own_cannot_be_moved_out_of_the_callers_unit() {
    let (root, _, sibling) = seeded_and_sibling().await;
    let own = with(house(), "unit", json!(SIBLING));
    let created = sibling
        .create_house(&own)
        .await
        .expect(StatusCode::CREATED)
        .body;
    let id = created["id"].as_i64().expect("id");
    let moved = update_body(&own, 1, &[("unit", json!(COMMUNITY))]);
    sibling
        .update_house(id, &moved)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "reference_out_of_scope");
    assert_eq!(root.get_house(id).await.body, created);
    assert_eq!(sibling.get_house(id).await.body, created);
}

#[tokio::test]
async fn the_duplicate_check_sees_the_whole_deployment_but_changes_nothing() {
    let (root, s, sibling) = seeded_and_sibling().await;
    let before = everything(&root, &s).await;
    let body = with(arrival(&zhang_san()), "unit", json!(SIBLING));
    let reply = sibling.register_arrival(&body).await;
    let reply = reply.expect_error(StatusCode::CONFLICT, "duplicate_residence");
    assert!(reply.message_zh().contains(COMMUNITY_NAME));
    assert_eq!(everything(&root, &s).await, before);
}
