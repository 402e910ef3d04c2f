//! A collector's collection time and place, typed in with the record
//! (arrival, house, employer, outflow): the review starts collected then
//! and there, so "entered late" is judged from the real collection time;
//! wrong input is refused with its field and writes nothing.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sojourn_domain::account::Role;
use sojourn_domain::time_rules::{CHINA, china_today};
use sojourn_web::auth::Clock;
use time::{Duration, OffsetDateTime};

/// `at` as a browser's date-and-time field sends it (China time).
fn local(at: OffsetDateTime) -> String {
    at.to_offset(CHINA)
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]"
        ))
        .expect("formatted")
}

fn collected(body: Value, at: &str, place: &str) -> Value {
    let body = with(body, "collected_at", json!(at));
    with(body, "collected_place", json!(place))
}

async fn review_of(app: &TestApp, kind: &str, id: i64) -> Reply {
    app.get(&format!("/api/v1/review/{kind}/{id}"))
        .await
        .expect(StatusCode::OK)
}

#[tokio::test]
async fn a_stay_collected_days_ago_starts_collected_then_and_is_overdue_at_once() {
    let deployment = deployment();
    let collector = deployment.user(Role::Collector, COMMUNITY).await;
    let three_days_ago = local(deployment.clock().now() - Duration::days(3));
    let reply = collector
        .register_arrival(&collected(
            arrival(&zhang_san()),
            &three_days_ago,
            "多福巷北口",
        ))
        .await
        .expect(StatusCode::CREATED);
    let id = reply.body["residence"]["id"].as_i64().expect("id");

    let review = review_of(&collector, "residence", id).await;
    let status = &review.body["status"];
    assert_eq!(status["state"], "collected");
    assert_eq!(status["collected_place"], "多福巷北口");
    let at = status["collected_at"].as_str().expect("collected at");
    assert!(
        at.starts_with(&three_days_ago.replace('T', " ")) || at.starts_with(&three_days_ago),
        "{at}"
    );
    assert_eq!(status["overdue"], true);
    assert_eq!(review.body["history"][0]["place"], "多福巷北口");

    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let entered = coordinator
        .post(
            &format!("/api/v1/review/residence/{id}/enter"),
            &json!({ "version": 1 }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(entered.body["entered_late"], true);
}

#[tokio::test]
async fn houses_employers_and_outflows_take_a_collection_too() {
    let deployment = deployment();
    let collector = deployment.user(Role::Collector, COMMUNITY).await;
    // Less than 24 hours ago: not overdue yet.
    let yesterday = local(deployment.clock().now() - Duration::hours(20));
    let new_house = collector
        .post(
            "/api/v1/houses",
            &collected(house(), &yesterday, "多福巷12号门口"),
        )
        .await
        .expect(StatusCode::CREATED);
    let employer = collector
        .post(
            "/api/v1/employers",
            &collected(employer(&acme_uscc()), &yesterday, "餐馆前台"),
        )
        .await
        .expect(StatusCode::CREATED);
    let outflow = collector
        .post(
            "/api/v1/outflows",
            &collected(outflow(&zhang_san()), &yesterday, "村委会"),
        )
        .await
        .expect(StatusCode::CREATED);
    for (kind, id, place) in [
        ("house", new_house.id(), "多福巷12号门口"),
        ("employer", employer.id(), "餐馆前台"),
        ("outflow", outflow.id(), "村委会"),
    ] {
        let review = review_of(&collector, kind, id).await;
        assert_eq!(review.body["status"]["state"], "collected", "{kind}");
        assert_eq!(review.body["status"]["collected_place"], place, "{kind}");
        assert_eq!(review.body["status"]["overdue"], false, "{kind}");
    }
    // Without one, the record is collected now at the collector's unit.
    let now = collector
        .post(
            "/api/v1/houses",
            &with(house(), "address", json!("多福巷14号")),
        )
        .await
        .expect(StatusCode::CREATED);
    let review = review_of(&collector, "house", now.id()).await;
    assert_eq!(review.body["status"]["collected_place"], COMMUNITY);
}

#[tokio::test]
async fn a_wrong_collection_is_refused_with_its_field_and_writes_nothing() {
    let deployment = deployment();
    let collector = deployment.user(Role::Collector, COMMUNITY).await;
    let now = deployment.clock().now();
    let in_an_hour = local(now + Duration::hours(1));
    let long_ago = local(now - Duration::days(31));
    let today = china_today().to_string();
    let cases = [
        (
            collected(arrival(&zhang_san()), &in_an_hour, "北口"),
            "collected_at",
            "collection_time_in_future",
        ),
        (
            collected(arrival(&zhang_san()), "昨天下午", "北口"),
            "collected_at",
            "collection_time_malformed",
        ),
        (
            collected(arrival(&zhang_san()), &long_ago, "北口"),
            "collected_at",
            "collection_time_too_old",
        ),
        (
            collected(arrival(&zhang_san()), &local(now), &"巷".repeat(101)),
            "collected_place",
            "text_too_long",
        ),
        (
            // Collected the day before the person arrived.
            collected(
                with(arrival(&zhang_san()), "arrived_on", json!(today)),
                &local(now - Duration::days(1)),
                "北口",
            ),
            "collected_at",
            "collection_time_before_record",
        ),
    ];
    for (body, field, code) in cases {
        let refused = collector
            .register_arrival(&body)
            .await
            .expect_field(field, code);
        assert!(!refused.message_zh().is_empty());
    }
    // Every field's errors at once: the record's and the collection's.
    let both = collector
        .post(
            "/api/v1/houses",
            &collected(with(house(), "rooms", json!(0)), &in_an_hour, "门口"),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = both.fields().into_iter().map(|(f, _)| f).collect();
    assert!(fields.contains(&"rooms".to_owned()) && fields.contains(&"collected_at".to_owned()));
    collector
        .post(
            "/api/v1/outflows",
            &collected(outflow(&zhang_san()), &long_ago, "村委会"),
        )
        .await
        .expect_field("collected_at", "collection_time_too_old");

    // Anyone but a collector is refused a collection.
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    clerk
        .register_arrival(&collected(arrival(&zhang_san()), &local(now), "北口"))
        .await
        .expect_field("collected_at", "collection_not_a_collector");
    clerk
        .post(
            "/api/v1/employers",
            &with(employer(&acme_uscc()), "collected_place", json!("前台")),
        )
        .await
        .expect_field("collected_place", "collection_not_a_collector");

    // Nothing was written: the same records register now.
    collector
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    collector
        .post("/api/v1/houses", &house())
        .await
        .expect(StatusCode::CREATED);
    collector
        .post("/api/v1/outflows", &outflow(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    clerk
        .post("/api/v1/employers", &employer(&acme_uscc()))
        .await
        .expect(StatusCode::CREATED);
}
