//! The review workflow through the API: collected by a collector, entered
//! by the coordinator, returned, corrected, approved by the station and
//! spot-checked by an inspector; wrong input refused with a JSON error.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sojourn_domain::account::Role;
use time::Duration;

/// A stay registered by `app`; returns its residence id.
async fn stay(app: &TestApp, id_number: &str) -> i64 {
    let reply = app
        .register_arrival(&arrival(id_number))
        .await
        .expect(StatusCode::CREATED);
    reply.body["residence"]["id"]
        .as_i64()
        .expect("residence id")
}

fn review(id: i64) -> String {
    format!("/api/v1/review/residence/{id}")
}

fn items(reply: &Reply) -> Vec<i64> {
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn a_collected_stay_goes_through_entry_correction_approval_and_spot_check() {
    let deployment = deployment();
    let collector = deployment.user(Role::Collector, COMMUNITY).await;
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let inspector = deployment.user(Role::Inspector, ROOT).await;
    let id = stay(&collector, &zhang_san()).await;

    let read = coordinator.get(&review(id)).await.expect(StatusCode::OK);
    assert_eq!(read.body["status"]["state"], "collected");
    assert_eq!(read.body["status"]["collected_place"], COMMUNITY);
    assert_eq!(read.body["status"]["overdue"], false);
    assert_eq!(read.body["history"][0]["step"], "collect");

    let entered = coordinator
        .post(&format!("{}/enter", review(id)), &json!({ "version": 1 }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(entered.body["state"], "entered");
    assert_eq!(entered.body["entered_late"], false);
    let queue = chief
        .get("/api/v1/review/queue")
        .await
        .expect(StatusCode::OK);
    assert_eq!(items(&queue), [id]);

    let reason = json!({ "version": 2, "reason": "现住址缺少门牌号" });
    let returned = chief
        .post(&format!("{}/return", review(id)), &reason)
        .await
        .expect(StatusCode::OK);
    assert_eq!(returned.body["reason"], "现住址缺少门牌号");
    let corrections = coordinator
        .get("/api/v1/review/corrections")
        .await
        .expect(StatusCode::OK);
    assert_eq!(items(&corrections), [id]);
    coordinator
        .post(
            &format!("{}/resubmit", review(id)),
            &json!({ "version": 3 }),
        )
        .await
        .expect(StatusCode::OK);
    chief
        .post(&format!("{}/approve", review(id)), &json!({ "version": 4 }))
        .await
        .expect(StatusCode::OK);
    let waiting = inspector
        .get("/api/v1/review/spot-checks")
        .await
        .expect(StatusCode::OK);
    assert_eq!(items(&waiting), [id]);
    let checked = inspector
        .post(
            &format!("{}/spot-check", review(id)),
            &json!({ "version": 5, "result": "属实", "reason": "入户核实" }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(checked.body["state"], "spot_checked");
    assert_eq!(checked.body["spot_check_result"], "confirmed");

    let history = chief.get(&review(id)).await.expect(StatusCode::OK);
    let steps: Vec<&str> = history.body["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["step"].as_str().expect("step"))
        .collect();
    assert_eq!(
        steps,
        [
            "collect",
            "enter",
            "return",
            "resubmit",
            "approve",
            "spot_check"
        ]
    );

    let counts = chief
        .get("/api/v1/review/counts")
        .await
        .expect(StatusCode::OK);
    let per_unit: Vec<(String, u64)> = counts.body["by_unit"]
        .as_array()
        .expect("by unit")
        .iter()
        .map(|c| {
            (
                c["step"].as_str().expect("step").to_owned(),
                c["count"].as_u64().expect("n"),
            )
        })
        .collect();
    assert!(per_unit.contains(&("approve".to_owned(), 1)));
    assert_eq!(per_unit.len(), 6);
    assert_eq!(counts.body["by_person"].as_array().map(Vec::len), Some(6));
}

#[tokio::test]
async fn a_stay_not_entered_within_24_hours_is_overdue_and_its_entry_late() {
    let deployment = deployment();
    let collector = deployment.user(Role::Collector, COMMUNITY).await;
    let id = stay(&collector, &zhang_san()).await;
    let on_time = stay(&collector, &li_si()).await;
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    coordinator
        .post(
            &format!("{}/enter", review(on_time)),
            &json!({ "version": 1 }),
        )
        .await
        .expect(StatusCode::OK);
    let overdue = coordinator
        .get("/api/v1/review/overdue")
        .await
        .expect(StatusCode::OK);
    assert!(items(&overdue).is_empty());

    deployment.clock().advance(Duration::hours(25));
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let overdue = coordinator
        .get("/api/v1/review/overdue")
        .await
        .expect(StatusCode::OK);
    assert_eq!(items(&overdue), [id]);
    assert_eq!(overdue.body["items"][0]["overdue"], true);
    let late = coordinator
        .post(&format!("{}/enter", review(id)), &json!({ "version": 1 }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(late.body["entered_late"], true);
    // Entered late, it stays on the list.
    let overdue = coordinator
        .get("/api/v1/review/overdue")
        .await
        .expect(StatusCode::OK);
    assert_eq!(items(&overdue), [id]);
}

#[tokio::test]
async fn wrong_review_input_is_refused_with_a_json_error_and_changes_nothing() {
    let deployment = deployment();
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let id = stay(&coordinator, &zhang_san()).await;

    chief
        .get("/api/v1/review/shed/1")
        .await
        .expect_field("kind", "review_kind_unknown");
    chief
        .post(&format!("{}/reject", review(id)), &json!({ "version": 1 }))
        .await
        .expect_field("reason", "review_reason_required");
    chief
        .post(
            &format!("{}/reject", review(id)),
            &json!({ "version": 1, "reason": "长".repeat(501) }),
        )
        .await
        .expect_field("reason", "text_too_long");
    chief
        .post(
            &format!("{}/spot-check", review(id)),
            &json!({ "version": 1, "result": "maybe" }),
        )
        .await
        .expect_field("result", "review_result_unknown");
    let missing_version = chief
        .post(&format!("{}/approve", review(id)), &json!({}))
        .await;
    assert!(missing_version.status.is_client_error());
    assert!(!missing_version.code().is_empty());
    chief
        .post(&format!("{}/enter", review(id)), &json!({ "version": 1 }))
        .await
        .expect_error(StatusCode::CONFLICT, "review_wrong_step");
    chief
        .post(&format!("{}/approve", review(id)), &json!({ "version": 7 }))
        .await
        .expect_error(StatusCode::CONFLICT, "version_conflict");
    // The coordinator may not decide; the sibling community cannot see it.
    coordinator
        .post(&format!("{}/approve", review(id)), &json!({ "version": 1 }))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let sibling = deployment.user(Role::StationChief, SIBLING).await;
    sibling
        .post(&format!("{}/approve", review(id)), &json!({ "version": 1 }))
        .await
        .expect(StatusCode::NOT_FOUND);
    chief
        .get("/api/v1/review/counts?since=yesterday")
        .await
        .expect_field("since", "date_malformed");
    chief
        .get("/api/v1/review/queue?per_page=501")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);

    let read = chief.get(&review(id)).await.expect(StatusCode::OK);
    assert_eq!(read.body["status"]["state"], "entered");
    assert_eq!(read.body["status"]["version"], 1);
    assert_eq!(read.body["history"].as_array().map(Vec::len), Some(1));
    assert_eq!(read.body["status"]["collected_at"], Value::Null);
}

// ---- the pages ----

const FORM: &str = "application/x-www-form-urlencoded";

/// Percent-encodes form pairs.
fn encode(pairs: &[(&str, &str)]) -> String {
    let value = |v: &str| -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn html(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

#[tokio::test]
async fn the_station_approves_from_its_queue_and_the_file_shows_the_review() {
    let deployment = deployment();
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let reply = coordinator
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    let id = reply.body["residence"]["id"].as_i64().expect("residence");
    let person = reply.body["person"]["id"].as_i64().expect("person");

    let queue = chief.get("/review").await.expect(StatusCode::OK);
    assert!(html(&queue).contains("审核队列"));
    let approve = format!("action=\"/review/residence/{id}/approve\"");
    assert!(html(&queue).contains(&approve), "{}", html(&queue));
    // The coordinator sees the queue but may not decide.
    let seen = coordinator.get("/review").await.expect(StatusCode::OK);
    assert!(!html(&seen).contains(&approve));

    let pairs = [("version", "1"), ("back", "/review")];
    let done = chief
        .raw(
            axum::http::Method::POST,
            &format!("/review/residence/{id}/approve"),
            FORM,
            encode(&pairs),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let location = done
        .headers
        .get(axum::http::header::LOCATION)
        .expect("location");
    assert_eq!(location.to_str().ok(), Some("/review?done=approve"));
    let after = chief
        .get("/review?done=approve")
        .await
        .expect(StatusCode::OK);
    assert!(html(&after).contains("已办理：审核通过"));
    assert!(!html(&after).contains(&approve));

    let file = chief
        .get(&format!("/persons/{person}"))
        .await
        .expect(StatusCode::OK);
    for shown in ["id=\"review-title\"", "审核通过", "录入"] {
        assert!(html(&file).contains(shown), "{shown} missing");
    }
    let read = chief.get(&review(id)).await.expect(StatusCode::OK);
    assert_eq!(read.body["status"]["state"], "approved");
}

#[tokio::test]
async fn a_return_without_reason_is_refused_on_the_page_and_changes_nothing() {
    let deployment = deployment();
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let id = stay(&coordinator, &zhang_san()).await;
    let pairs = [("version", "1"), ("back", "/review"), ("reason", " ")];
    let refused = chief
        .raw(
            axum::http::Method::POST,
            &format!("/review/residence/{id}/return"),
            FORM,
            encode(&pairs),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The queue again, the reason beside the row's field.
    let page = html(&refused);
    let beside = format!("id=\"reason-residence-{id}-msg\" role=\"alert\">");
    let at = page.find(&beside).expect("the field's message");
    let message = page[at..].split("</p>").next().unwrap_or_default();
    assert!(message.contains("须填写原因"), "{message}");
    assert!(page.contains("审核队列") && page.contains(&format!("row-residence-{id}\"")));
    let stale = [("version", "9"), ("back", "/review")];
    let refused = chief
        .raw(
            axum::http::Method::POST,
            &format!("/review/residence/{id}/approve"),
            FORM,
            encode(&stale),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(html(&refused).contains("已被他人修改"));
    chief
        .raw(
            axum::http::Method::POST,
            &format!("/review/shed/{id}/approve"),
            FORM,
            encode(&stale),
        )
        .await
        .expect(StatusCode::NOT_FOUND);
    let read = chief.get(&review(id)).await.expect(StatusCode::OK);
    assert_eq!(read.body["status"]["state"], "entered");
    assert_eq!(read.body["status"]["version"], 1);
}

#[tokio::test]
async fn corrections_overdue_and_counts_pages_list_what_they_should() {
    let deployment = deployment();
    let collector = deployment.user(Role::Collector, COMMUNITY).await;
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let waiting = stay(&collector, &zhang_san()).await;
    let returned = stay(&coordinator, &li_si()).await;
    chief
        .post(
            &format!("{}/return", review(returned)),
            &json!({ "version": 1, "reason": "联系电话有误" }),
        )
        .await
        .expect(StatusCode::OK);
    let corrections = coordinator
        .get("/review/corrections")
        .await
        .expect(StatusCode::OK);
    assert!(html(&corrections).contains("联系电话有误"));
    assert!(html(&corrections).contains(&format!("/review/residence/{returned}/resubmit")));

    let overdue = coordinator
        .get("/review/overdue")
        .await
        .expect(StatusCode::OK);
    assert!(!html(&overdue).contains(&format!("row-residence-{waiting}\"")));
    deployment.clock().advance(Duration::hours(25));
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let overdue = coordinator
        .get("/review/overdue")
        .await
        .expect(StatusCode::OK);
    assert!(
        html(&overdue).contains(&format!("row-residence-{waiting}\"")),
        "{}",
        html(&overdue)
    );
    assert!(html(&overdue).contains(&format!("/review/residence/{waiting}/enter")));

    let chief = deployment.user(Role::StationChief, ROOT).await;
    let counts = chief.get("/review/counts").await.expect(StatusCode::OK);
    assert!(html(&counts).contains("工作量统计"));
    assert!(html(&counts).contains(COMMUNITY_NAME));
    let bad = chief.get("/review/counts?since=soon").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Administrators do not reach the workflow.
    let sysadmin = deployment.user(Role::SystemAdmin, ROOT).await;
    sysadmin.get("/review").await.expect(StatusCode::FORBIDDEN);
}

/// The queue's rows, by their ids on the page (`row-house-12`).
fn rows(page: &str) -> Vec<String> {
    page.match_indices("<tr id=\"row-")
        .map(|(at, found)| {
            let rest = &page[at + found.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_queue_names_its_rows_and_filters_them_from_the_url() {
    let deployment = deployment();
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let stay = stay(&coordinator, &zhang_san()).await;
    let house = coordinator
        .post("/api/v1/houses", &house())
        .await
        .expect(StatusCode::CREATED);
    let house = house.body["id"].as_i64().expect("house id");
    let employer = coordinator
        .post("/api/v1/employers", &employer(&acme_uscc()))
        .await
        .expect(StatusCode::CREATED);
    let employer = employer.body["id"].as_i64().expect("employer id");

    let queue = chief.get("/review").await.expect(StatusCode::OK);
    let page = html(&queue);
    for name in ["张三", "多福巷12号", "北京多福餐饮有限公司"] {
        assert!(page.contains(name), "{name} not named on {page}");
    }
    assert!(page.contains("共 3 条"));
    let houses = chief.get("/review?kind=house").await.expect(StatusCode::OK);
    assert_eq!(rows(html(&houses)), [format!("house-{house}")]);
    assert!(html(&houses).contains("<option value=\"house\" selected>"));
    let employers = chief
        .get(&format!(
            "/review?kind=employer&unit={COMMUNITY}&sort=newest"
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(rows(html(&employers)), [format!("employer-{employer}")]);
    // The sibling community's list is empty; a unit outside the caller's
    // scope finds nothing rather than failing.
    let sibling = chief
        .get(&format!("/review?unit={SIBLING}"))
        .await
        .expect(StatusCode::OK);
    assert!(rows(html(&sibling)).is_empty());
    let outside = coordinator
        .get(&format!("/review?unit={SIBLING}"))
        .await
        .expect(StatusCode::OK);
    assert!(rows(html(&outside)).is_empty());
    // Wrong filters narrow nothing.
    let wrong = chief
        .get("/review?kind=car&waiting=2&per=9999&sort=x")
        .await
        .expect(StatusCode::OK);
    assert_eq!(rows(html(&wrong)).len(), 3);
    // Nobody has waited a day yet; in two days all three have.
    let waiting = chief.get("/review?waiting=1").await.expect(StatusCode::OK);
    assert!(rows(html(&waiting)).is_empty());
    deployment.clock().advance(Duration::days(2));
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let waiting = chief.get("/review?waiting=1").await.expect(StatusCode::OK);
    assert_eq!(rows(html(&waiting)).len(), 3);
    assert!(rows(html(&waiting)).contains(&format!("residence-{stay}")));
}

#[tokio::test]
async fn the_chief_approves_the_ticked_rows_in_one_batch() {
    let deployment = deployment();
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let first = stay(&coordinator, &zhang_san()).await;
    let second = stay(&coordinator, &li_si()).await;
    let back = "/review?kind=residence";
    let items = [
        ("item", format!("residence:{first}:1")),
        ("item", format!("residence:{second}:1")),
        // Stale, and not a record: refused, counted, nothing else changes.
        ("item", format!("residence:{first}:1")),
        ("item", "residence:x:1".to_owned()),
        ("back", back.to_owned()),
    ];
    let pairs: Vec<(&str, &str)> = items.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // A coordinator may not decide.
    coordinator
        .raw(
            axum::http::Method::POST,
            "/review/approve-selected",
            FORM,
            encode(&pairs),
        )
        .await
        .expect(StatusCode::FORBIDDEN);
    let done = chief
        .raw(
            axum::http::Method::POST,
            "/review/approve-selected",
            FORM,
            encode(&pairs),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let location = done
        .headers
        .get(axum::http::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .expect("location");
    assert_eq!(location, "/review?kind=residence&approved=2&refused=2");
    let after = chief.get(location).await.expect(StatusCode::OK);
    assert!(html(&after).contains("已审核通过 2 条记录"));
    assert!(html(&after).contains("另有 2 条未能办理"));
    for id in [first, second] {
        let read = chief.get(&review(id)).await.expect(StatusCode::OK);
        assert_eq!(read.body["status"]["state"], "approved");
    }
    // Nothing ticked: the queue says so and nothing changes.
    let none = chief
        .raw(
            axum::http::Method::POST,
            "/review/approve-selected",
            FORM,
            encode(&[("back", "/review")]),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&none).contains("请先勾选"));
}

#[tokio::test]
async fn a_discrepant_spot_check_from_the_page_sends_the_record_back_for_correction() {
    let deployment = deployment();
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let inspector = deployment.user(Role::Inspector, ROOT).await;
    let id = stay(&coordinator, &zhang_san()).await;
    let approve = [("version", "1"), ("back", "/review")];
    chief
        .raw(
            axum::http::Method::POST,
            &format!("/review/residence/{id}/approve"),
            FORM,
            encode(&approve),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    let check = [
        ("version", "2"),
        ("back", "/review/spot-checks"),
        ("result", "discrepant"),
        ("reason", "门牌号与实地不符"),
    ];
    inspector
        .raw(
            axum::http::Method::POST,
            &format!("/review/residence/{id}/spot-check"),
            FORM,
            encode(&check),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    let corrections = coordinator
        .get("/review/corrections")
        .await
        .expect(StatusCode::OK);
    assert_eq!(rows(html(&corrections)), [format!("residence-{id}")]);
    assert!(html(&corrections).contains("门牌号与实地不符"));
    assert!(html(&corrections).contains(&format!("/review/residence/{id}/resubmit")));
}
