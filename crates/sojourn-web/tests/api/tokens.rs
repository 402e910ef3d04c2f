//! API tokens: shown once, kept as a digest, bound to a unit and a role no
//! higher than the creator's, expiring, revocable, and signing requests
//! without a session or CSRF token.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sojourn_domain::account::Role;
use sojourn_web::auth::secret::digest;
use time::Duration;

async fn issue(creator: &TestApp, body: &Value) -> (Reply, TestApp) {
    let reply = creator.post("/api/v1/tokens", body).await;
    let secret = reply.body["secret"].as_str().unwrap_or_default().to_owned();
    let program = creator
        .anonymous()
        .with_credential(Credential::Bearer(secret));
    (reply, program)
}

#[tokio::test]
async fn a_token_is_shown_once_and_kept_only_as_a_digest() {
    let director = spawn_app(ROOT).await;
    let (reply, _) = issue(
        &director,
        &json!({ "name": "社区数据对接程序", "role": "clerk", "unit": COMMUNITY }),
    )
    .await;
    let reply = reply.expect(StatusCode::CREATED);
    let secret = reply.body["secret"].as_str().expect("secret");
    assert!(secret.starts_with("sjt_") && secret.len() == 47, "{secret}");
    let token = &reply.body["token"];
    assert_eq!(token["role"]["key"], "clerk");
    assert_eq!(token["unit"], COMMUNITY);
    assert_eq!(token["live"], true);
    let listed = director.get("/api/v1/tokens").await.expect(StatusCode::OK);
    assert!(!listed.body.to_string().contains(secret));
    let store = director.store();
    assert!(store.api_token_unscoped(secret).expect("lookup").is_none());
    assert!(
        store
            .api_token_unscoped(&digest(secret))
            .expect("lookup")
            .is_some()
    );
}

#[tokio::test]
async fn a_token_signs_requests_without_a_session_or_csrf_token() {
    let director = spawn_app(ROOT).await;
    let (_, program) = issue(
        &director,
        &json!({ "name": "采集程序", "role": "collector", "unit": COMMUNITY }),
    )
    .await;
    let created = program
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    let residence = created.body["residence"]["id"].as_i64().expect("id");
    let history = director
        .residence_history(residence)
        .await
        .expect(StatusCode::OK);
    assert_eq!(history.body[0]["actor"], director.username.as_str());
    let me = program.get("/api/v1/session").await.expect(StatusCode::OK);
    assert_eq!(me.body["principal"]["via"], "api_token");
    assert_eq!(me.body["csrf_token"], Value::Null);
}

#[tokio::test]
async fn a_token_sees_its_unit_only_and_does_only_what_its_role_allows() {
    let director = spawn_app(ROOT).await;
    let seeded = seed(&director).await;
    let (_, sibling_program) = issue(
        &director,
        &json!({ "name": "银闸程序", "role": "clerk", "unit": SIBLING }),
    )
    .await;
    sibling_program
        .get_house(seeded.house_id())
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let total = sibling_program
        .search_residents("status=any")
        .await
        .expect(StatusCode::OK);
    assert_eq!(total.body["total"], 0);
    let (_, collector) = issue(
        &director,
        &json!({ "name": "采集程序", "role": "collector", "unit": COMMUNITY }),
    )
    .await;
    collector
        .get_house(seeded.house_id())
        .await
        .expect(StatusCode::OK);
    let body = update_body(&house(), 1, &[("rooms", json!(9))]);
    collector
        .update_house(seeded.house_id(), &body)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_token_carries_no_role_above_its_creators_and_no_administrator_role() {
    let deployment = deployment();
    let chief = deployment.user(Role::StationChief, COMMUNITY).await;
    // A station chief holds every business permission a token can carry
    // (the domain tests "not above" role by role); administrator roles are
    // never carried: a token has no second factor.
    for role in ["system_admin", "security_admin", "audit_admin"] {
        let (reply, _) = issue(&chief, &json!({ "name": "越权", "role": role })).await;
        reply.expect_field("role", "role_above_yours");
    }
    let (reply, _) = issue(
        &chief,
        &json!({ "name": "越界", "role": "collector", "unit": SIBLING }),
    )
    .await;
    reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "reference_out_of_scope");
    let (reply, _) = issue(
        &chief,
        &json!({ "name": "太久", "role": "collector", "expires_in_days": 400 }),
    )
    .await;
    reply.expect_field("expires_in_days", "days_out_of_range");
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    let (reply, _) = issue(&clerk, &json!({ "name": "录入", "role": "clerk" })).await;
    reply.expect_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once() {
    let director = spawn_app(ROOT).await;
    let (reply, program) = issue(&director, &json!({ "name": "程序", "role": "clerk" })).await;
    program.list_units().await.expect(StatusCode::OK);
    let id = reply.body["token"]["id"].as_i64().expect("id");
    let revoked = director
        .delete(&format!("/api/v1/tokens/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(revoked.body["live"], false);
    assert_eq!(revoked.body["revoked_by"], director.username.as_str());
    program
        .list_units()
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_token");
    // The security administrator revokes too (a leaked token).
    let (reply, program) = issue(&director, &json!({ "name": "程序二", "role": "clerk" })).await;
    let id = reply.body["token"]["id"].as_i64().expect("id");
    let security = director.user(Role::SecurityAdmin, ROOT).await;
    security
        .delete(&format!("/api/v1/tokens/{id}"))
        .await
        .expect(StatusCode::OK);
    program
        .list_units()
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn a_token_expires() {
    let director = spawn_app(ROOT).await;
    let (_, program) = issue(
        &director,
        &json!({ "name": "程序", "role": "clerk", "expires_in_days": 2 }),
    )
    .await;
    director
        .clock()
        .advance(Duration::days(2) - Duration::seconds(1));
    program.list_units().await.expect(StatusCode::OK);
    director.clock().advance(Duration::seconds(1));
    program
        .list_units()
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn a_token_stops_working_when_its_creator_loses_the_role() {
    let deployment = deployment();
    let chief = deployment.user(Role::StationChief, COMMUNITY).await;
    let (_, program) = issue(&chief, &json!({ "name": "程序", "role": "collector" })).await;
    program.list_units().await.expect(StatusCode::OK);
    let security = deployment.user(Role::SecurityAdmin, ROOT).await;
    let id = chief.account_id.expect("id");
    security
        .put(
            &format!("/api/v1/accounts/{id}/roles"),
            &json!({ "roles": ["health_worker"] }),
        )
        .await
        .expect(StatusCode::OK);
    program
        .list_units()
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn a_token_neither_issues_tokens_nor_changes_a_password() {
    let director = spawn_app(ROOT).await;
    let (_, program) = issue(
        &director,
        &json!({ "name": "程序", "role": "station_chief" }),
    )
    .await;
    program
        .post(
            "/api/v1/tokens",
            &json!({ "name": "再生", "role": "clerk" }),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "session_required");
    program
        .post(
            "/api/v1/session/password",
            &json!({ "current_password": PASSWORD, "new_password": "Liudong#2026x" }),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "session_required");
}

#[tokio::test]
async fn a_wrong_bearer_token_is_refused_and_guessing_is_slowed() {
    let deployment = deployment();
    let guesser = deployment.with_credential(Credential::Bearer("sjt_guess".into()));
    for _ in 0..20 {
        guesser
            .list_units()
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "invalid_token");
    }
    guesser
        .list_units()
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let malformed = deployment
        .anonymous()
        .with_credential(Credential::Bearer("not a token".into()));
    malformed
        .list_units()
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn tokens_are_listed_and_revoked_within_the_subtree_only() {
    let deployment = deployment();
    let root = deployment.user(Role::OfficeDirector, ROOT).await;
    let (reply, _) = issue(
        &root,
        &json!({ "name": "多福巷程序", "role": "clerk", "unit": COMMUNITY }),
    )
    .await;
    let id = reply.body["token"]["id"].as_i64().expect("id");
    let sibling = deployment.user(Role::StationChief, SIBLING).await;
    let listed = sibling.get("/api/v1/tokens").await.expect(StatusCode::OK);
    assert_eq!(listed.body, json!([]));
    sibling
        .delete(&format!("/api/v1/tokens/{id}"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let community = deployment.user(Role::StationChief, COMMUNITY).await;
    let listed = community.get("/api/v1/tokens").await.expect(StatusCode::OK);
    assert_eq!(listed.body[0]["id"], id);
}
