//! Service requests at the one-stop window (R4.2) through the API.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sojourn_domain::time_rules::china_today;
use time::Duration;

async fn person(app: &TestApp) -> i64 {
    let reply = app
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    reply.body["person"]["id"].as_i64().expect("person id")
}

fn days_ago(days: i64) -> String {
    (china_today() - Duration::days(days)).to_string()
}

fn intake(person: i64, kind: &str, received: &str) -> Value {
    json!({ "person_id": person, "kind": kind, "asked": "孩子想在附近小学插班", "received_on": received })
}

#[tokio::test]
async fn a_request_is_taken_in_referred_resolved_and_closed() {
    let app = spawn_app(ROOT).await;
    let id = person(&app).await;
    let taken = app
        .post(
            "/api/v1/service-requests",
            &intake(id, "schooling", &days_ago(3)),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(taken.body["state"], "intake");
    assert_eq!(
        taken.body["due_on"],
        (china_today() + Duration::days(4)).to_string()
    );
    assert_eq!(taken.body["deadline"], "in_time");
    let uri = format!("/api/v1/service-requests/{}", taken.id());
    let referral = json!({ "version": 1, "department": "区教育局学籍科",
        "contact": "赵老师", "phone": "010-64005678" });
    let referred = app
        .post(&format!("{uri}/refer"), &referral)
        .await
        .expect(StatusCode::OK);
    assert_eq!(referred.body["referral"]["department"], "区教育局学籍科");
    app.post(
        &format!("{uri}/resolve"),
        &json!({ "version": 2, "resolution": "已安排到育英小学" }),
    )
    .await
    .expect(StatusCode::OK);
    let closed = app
        .post(
            &format!("{uri}/close"),
            &json!({ "version": 3, "satisfaction": "satisfied" }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(closed.body["state"], "closed");
    assert_eq!(closed.body["deadline"], Value::Null);
    let read = app.get(&uri).await.expect(StatusCode::OK);
    assert_eq!(read.body["satisfaction"], "satisfied");
    let mine = app
        .get(&format!("/api/v1/persons/{id}/service-requests"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(mine.body.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn wrong_steps_and_input_are_refused_with_a_reason_and_change_nothing() {
    let app = spawn_app(ROOT).await;
    let id = person(&app).await;
    app.post(
        "/api/v1/service-requests",
        &intake(id, "no_such", &days_ago(1)),
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "request_unknown_kind");
    let tomorrow = (china_today() + Duration::days(1)).to_string();
    app.post(
        "/api/v1/service-requests",
        &intake(id, "housing", &tomorrow),
    )
    .await
    .expect_field("received_on", "date_in_future");
    let taken = app
        .post(
            "/api/v1/service-requests",
            &intake(id, "housing", &days_ago(2)),
        )
        .await
        .expect(StatusCode::CREATED);
    let uri = format!("/api/v1/service-requests/{}", taken.id());
    app.post(
        &format!("{uri}/close"),
        &json!({ "version": 1, "satisfaction": "neutral" }),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "request_step_out_of_order");
    app.post(
        &format!("{uri}/resolve"),
        &json!({ "version": 1, "resolution": "已办", "on": days_ago(5) }),
    )
    .await
    .expect_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "request_step_before_intake",
    );
    app.post(
        &format!("{uri}/refer"),
        &json!({ "version": 1, "department": "房管所" }),
    )
    .await
    .expect_field("contact", "required");
    app.post(
        &format!("{uri}/resolve"),
        &json!({ "version": 9, "resolution": "已办" }),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "version_conflict");
    let read = app.get(&uri).await.expect(StatusCode::OK);
    assert_eq!(read.body["state"], "intake");
    assert_eq!(read.body["version"], 1);
}

#[tokio::test]
async fn the_worklist_lists_overdue_requests_by_kind_and_pages_them() {
    let app = spawn_app(ROOT).await;
    let id = person(&app).await;
    for (kind, ago) in [("employment", 10), ("employment", 1), ("legal_aid", 9)] {
        app.post(
            "/api/v1/service-requests",
            &intake(id, kind, &days_ago(ago)),
        )
        .await
        .expect(StatusCode::CREATED);
    }
    let list = |query: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/service-requests?{query}"))
                .await
                .expect(StatusCode::OK)
                .body
        }
    };
    let overdue = list("state=overdue").await;
    assert_eq!(overdue["total"], 2);
    assert!(
        overdue["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|r| r["deadline"] == "overdue")
    );
    let employment = list("state=overdue&kind=employment").await;
    assert_eq!(employment["total"], 1);
    let paged = list("sort=received&per_page=1&page=2").await;
    assert_eq!(paged["total"], 3);
    assert_eq!(paged["items"][0]["received_on"], days_ago(9));
    app.get("/api/v1/service-requests?state=lost")
        .await
        .expect_field("state", "unknown_option");
    let kinds = app
        .get("/api/v1/service-requests/kinds")
        .await
        .expect(StatusCode::OK);
    assert_eq!(kinds.body.as_array().map(Vec::len), Some(8));
}
