use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Registers 张三 and returns the request body and the stay.
async fn registered(app: &TestApp) -> (Value, Value) {
    let body = arrival(&zhang_san());
    let reply = app
        .register_arrival(&body)
        .await
        .expect(StatusCode::CREATED);
    (body, reply.body["residence"].clone())
}

fn id(record: &Value) -> i64 {
    record["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_stay_can_be_read_by_its_id() {
    let app = spawn_app(ROOT).await;
    let (_, residence) = registered(&app).await;
    let reply = app
        .get_residence(id(&residence))
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body, residence);
}

#[tokio::test]
async fn correcting_a_stay_keeps_the_old_version_in_its_history() {
    let app = spawn_app(ROOT).await;
    let (body, residence) = registered(&app).await;
    let changes = [
        ("current_address", json!("多福巷14号")),
        ("arrived_on", json!("2024-03-04")),
    ];
    let update = update_body(&body, 1, &changes);
    let reply = app
        .update_stay(id(&residence), &update)
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body["current_address"], "多福巷14号");
    assert_eq!(reply.body["arrived_on"], "2024-03-04");
    assert_eq!(reply.version(), 2);
    let history = app
        .residence_history(id(&residence))
        .await
        .expect(StatusCode::OK);
    let versions = history.body.as_array().expect("array");
    assert_eq!(versions.len(), 2);
    assert_eq!(
        versions[0]["snapshot"]["current_address"],
        "东华门街道多福巷12号3单元201"
    );
    assert_eq!(versions[1]["action"], "updated");
    assert_eq!(versions[1]["actor"], app.username.as_str());
}

#[tokio::test]
async fn a_correction_based_on_a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app(ROOT).await;
    let (body, residence) = registered(&app).await;
    let update = update_body(&body, 7, &[("current_address", json!("别处"))]);
    let reply = app.update_stay(id(&residence), &update).await;
    reply.expect_error(StatusCode::CONFLICT, "version_conflict");
    assert_eq!(app.get_residence(id(&residence)).await.body, residence);
}

#[tokio::test]
async fn a_correction_with_invalid_fields_changes_nothing() {
    let app = spawn_app(ROOT).await;
    let (body, residence) = registered(&app).await;
    let update = update_body(
        &body,
        1,
        &[("arrived_on", json!(tomorrow())), ("reason", json!(""))],
    );
    let reply = app.update_stay(id(&residence), &update).await;
    let reply = reply.expect_field("arrived_on", "date_in_future");
    assert!(
        reply
            .fields()
            .contains(&("reason".into(), "code_table_unknown".into()))
    );
    assert_eq!(app.get_residence(id(&residence)).await.body, residence);
}

#[tokio::test]
async fn activating_a_registered_stay_makes_it_active_once() {
    let app = spawn_app(ROOT).await;
    let (_, residence) = registered(&app).await;
    let reply = app.activate(id(&residence), 1).await.expect(StatusCode::OK);
    assert_eq!(reply.body["status"], "active");
    assert_eq!(reply.body["status_name"], "在住");
    let again = app.activate(id(&residence), 2).await;
    again.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "already_active");
    assert_eq!(app.get_residence(id(&residence)).await.body, reply.body);
}

#[tokio::test]
async fn activating_with_a_stale_version_is_a_conflict() {
    let app = spawn_app(ROOT).await;
    let (_, residence) = registered(&app).await;
    app.activate(id(&residence), 5)
        .await
        .expect_error(StatusCode::CONFLICT, "version_conflict");
    assert_eq!(app.get_residence(id(&residence)).await.body, residence);
}

#[tokio::test]
async fn a_departure_records_when_where_and_why() {
    let app = spawn_app(ROOT).await;
    let (_, residence) = registered(&app).await;
    let departure = json!({
        "departed_on": "2024-08-01",
        "destination": "440305",
        "destination_address": "科技园路1号",
        "reason": "换工作",
        "version": 1
    });
    let reply = app
        .register_departure(id(&residence), &departure)
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body["status"], "departed");
    let recorded = &reply.body["departure"];
    assert_eq!(recorded["departed_on"], "2024-08-01");
    assert_eq!(recorded["destination"], "440305");
    assert_eq!(recorded["destination_name"], "广东省 深圳市 南山区");
    assert_eq!(recorded["reason"], "换工作");
    let again = app
        .register_departure(id(&residence), &with(departure, "version", json!(2)))
        .await;
    again.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "already_departed");
}

#[tokio::test]
async fn a_departure_before_the_arrival_is_refused_and_changes_nothing() {
    let app = spawn_app(ROOT).await;
    let (_, residence) = registered(&app).await;
    let departure = json!({ "departed_on": "2024-03-04", "version": 1 });
    let reply = app.register_departure(id(&residence), &departure).await;
    let reply = reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "departure_before_arrival");
    assert!(reply.message_en().contains("2024-03-05"));
    assert_eq!(app.get_residence(id(&residence)).await.body, residence);
}

#[tokio::test]
async fn a_departure_in_the_future_or_to_an_unknown_place_is_refused() {
    let app = spawn_app(ROOT).await;
    let (_, residence) = registered(&app).await;
    let departure = json!({ "departed_on": tomorrow(), "destination": "999999", "version": 1 });
    let reply = app.register_departure(id(&residence), &departure).await;
    let reply = reply.expect_field("departed_on", "date_in_future");
    assert!(
        reply
            .fields()
            .contains(&("destination".into(), "division_unknown".into()))
    );
    assert_eq!(app.get_residence(id(&residence)).await.body, residence);
}

#[tokio::test]
async fn a_departure_with_a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app(ROOT).await;
    let (_, residence) = registered(&app).await;
    let departure = json!({ "departed_on": "2024-08-01", "version": 3 });
    let reply = app.register_departure(id(&residence), &departure).await;
    reply.expect_error(StatusCode::CONFLICT, "version_conflict");
    assert_eq!(app.get_residence(id(&residence)).await.body, residence);
}

#[tokio::test]
async fn a_departed_stay_cannot_be_corrected() {
    let app = spawn_app(ROOT).await;
    let (body, residence) = registered(&app).await;
    let departure = json!({ "departed_on": "2024-08-01", "version": 1 });
    let departed = app
        .register_departure(id(&residence), &departure)
        .await
        .body;
    let update = update_body(&body, 2, &[("current_address", json!("别处"))]);
    let reply = app.update_stay(id(&residence), &update).await;
    reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "already_departed");
    assert_eq!(app.get_residence(id(&residence)).await.body, departed);
}

#[tokio::test]
async fn a_stay_that_does_not_exist_is_not_found() {
    let app = spawn_app(ROOT).await;
    app.get_residence(999)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

/// "本月注销" on the home page opens the departures since the month began,
/// not every departure: the list takes `departed_from`.
#[tokio::test]
async fn departures_are_listed_from_a_date() {
    let app = spawn_app(ROOT).await;
    for (number, left_on) in [(zhang_san(), "2024-05-31"), (li_si(), "2024-06-01")] {
        let stay = app
            .register_arrival(&arrival(&number))
            .await
            .expect(StatusCode::CREATED)
            .body["residence"]
            .clone();
        let departure = json!({ "departed_on": left_on, "version": 1 });
        app.register_departure(id(&stay), &departure)
            .await
            .expect(StatusCode::OK);
    }
    let since_june = app
        .search_residents("status=departed&departed_from=2024-06-01")
        .await
        .expect(StatusCode::OK);
    assert_eq!(since_june.body["total"], 1);
    let all = app.search_residents("status=departed").await;
    assert_eq!(all.expect(StatusCode::OK).body["total"], 2);
    app.search_residents("status=departed&departed_from=2024-06-31")
        .await
        .expect_field("departed_from", "date_malformed");

    let home = app.get("/").await.expect(StatusCode::OK);
    let month = sojourn_domain::time_rules::china_today()
        .replace_day(1)
        .expect("day 1");
    let tile = format!("status=departed&amp;departed_from={month}");
    assert!(home.body.as_str().unwrap_or_default().contains(&tile));
}
