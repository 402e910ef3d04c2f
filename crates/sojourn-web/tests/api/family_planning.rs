//! The family-planning follow-up through the API: who sees what a file
//! holds, a 三查 taking a woman off the due list, refusals.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sojourn_domain::account::Role;
use sojourn_domain::time_rules::china_today;

fn file(stay: i64) -> String {
    format!("/api/v1/residences/{stay}/family-planning")
}

fn opening() -> Value {
    json!({
        "filed_on": "2024-03-20",
        "contents": {
            "certificate": "checked", "certificate_on": "2024-03-20",
            "method": "宫内节育器", "method_since": "2020-05-01",
            "births": ["2019-08-08"],
        },
    })
}

fn check(on: &str) -> Value {
    json!({ "checked_on": on, "iud": "in_place", "pregnancy": "not_pregnant", "health": "normal" })
}

fn due_files(reply: &Reply) -> Vec<i64> {
    let items = reply.body["items"].as_array().expect("items");
    items.iter().filter_map(|r| r["file_id"].as_i64()).collect()
}

#[tokio::test]
async fn a_files_contents_are_shown_only_to_the_family_planning_and_health_roles() {
    let deployment = deployment();
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    let officer = deployment
        .user(Role::FamilyPlanningOfficer, COMMUNITY)
        .await;
    let health = deployment.user(Role::HealthWorker, COMMUNITY).await;
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    // 李四, a married woman of 38 on arrival.
    let stay = clerk
        .register_arrival(&arrival(&li_si()))
        .await
        .expect(StatusCode::CREATED);
    let stay = stay.body["residence"]["id"].as_i64().expect("stay id");
    let opened = officer
        .post(&file(stay), &opening())
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(opened.body["contents"]["method"], "01");
    assert_eq!(opened.body["filed_late"], false);

    for reader in [&officer, &health] {
        let read = reader.get(&file(stay)).await.expect(StatusCode::OK);
        assert_eq!(read.body["contents"]["births"], json!(["2019-08-08"]));
    }
    for other in [&clerk, &director] {
        let read = other.get(&file(stay)).await.expect(StatusCode::OK);
        assert_eq!(read.body["contents"], Value::Null, "{}", read.body);
        assert_eq!(read.body["filed_on"], "2024-03-20");
        assert!(!read.body.to_string().contains("2019-08-08"));
        // The key groups are drawn from the contents: not for them.
        let group = other
            .get("/api/v1/family-planning/worklist?list=no_certificate")
            .await;
        assert_eq!(group.status, StatusCode::FORBIDDEN);
    }
    // The clerk may not change it either.
    let refused = clerk
        .post(&format!("{}/checks", file(stay)), &check("2024-08-01"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_recorded_check_takes_her_off_the_due_list_and_a_wrong_one_is_refused() {
    let deployment = deployment();
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    let officer = deployment
        .user(Role::FamilyPlanningOfficer, COMMUNITY)
        .await;
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let stay = clerk
        .register_arrival(&arrival(&li_si()))
        .await
        .expect(StatusCode::CREATED);
    let stay = stay.body["residence"]["id"].as_i64().expect("stay id");
    let opened = officer
        .post(&file(stay), &opening())
        .await
        .expect(StatusCode::CREATED);
    let id = opened.body["id"].as_i64().expect("file id");
    let year = china_today().year();
    let made = director
        .post("/api/v1/family-planning/schedule", &json!({ "year": year }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(made.body["added"], 3);
    let due = "/api/v1/family-planning/worklist?list=due";
    // The director follows the due list (no contents in it).
    let listed = director.get(due).await.expect(StatusCode::OK);
    assert_eq!(due_files(&listed), [id]);

    let before_arrival = officer
        .post(&format!("{}/checks", file(stay)), &check("2024-03-04"))
        .await;
    assert_eq!(before_arrival.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        before_arrival.code(),
        "family_planning_check_before_arrival"
    );
    let wrong_key = officer
        .post(
            &format!("{}/checks", file(stay)),
            &json!({ "checked_on": "2024-08-01", "iud": "maybe", "pregnancy": "no", "health": "normal" }),
        )
        .await;
    assert_eq!(wrong_key.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong_key.body["error"]["fields"].as_array().map(Vec::len),
        Some(2)
    );

    let today = china_today().to_string();
    let done = officer
        .post(&format!("{}/checks", file(stay)), &check(&today))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(done.body["state"], "done");
    let listed = officer.get(due).await.expect(StatusCode::OK);
    assert_eq!(due_files(&listed), Vec::<i64>::new());
    // The schedule shows on her file, results for the officer only.
    let read = clerk.get(&file(stay)).await.expect(StatusCode::OK);
    let windows = read.body["schedule"].as_array().expect("schedule");
    assert_eq!(windows.len(), 3);
    assert!(windows.iter().all(|w| w["result"] == Value::Null));
    assert_eq!(windows[0]["checked_on"], today);
}
