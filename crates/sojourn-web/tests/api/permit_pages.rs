//! The permit counter on the pages: apply → one-time notice → accept →
//! the acceptance receipt with the day the card is due; a step out of
//! order refused with its reason; the worklists with their counts.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use serde_json::json;
use sojourn_domain::account::Role;
use sojourn_domain::time_rules::china_today;
use time::Duration;

const FORM: &str = "application/x-www-form-urlencoded";

fn html(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

fn location(reply: &Reply) -> String {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn post(app: &TestApp, uri: &str, form: &str) -> Reply {
    app.raw(Method::POST, uri, FORM, form.to_owned()).await
}

#[tokio::test]
async fn the_counter_applies_notices_accepts_and_prints_the_receipt() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let house = clerk
        .create_house(&house())
        .await
        .expect(StatusCode::CREATED)
        .id();
    let arrived = clerk
        .register_arrival(&with(arrival(&zhang_san()), "house_id", json!(house)))
        .await
        .expect(StatusCode::CREATED);
    let person = arrived.body["person"]["id"].as_i64().expect("person");
    let counter = format!("/persons/{person}/permits");
    let page = clerk.get(&counter).await.expect(StatusCode::OK);
    assert!(html(&page).contains("id=\"permit-apply\""));

    let applied = post(&clerk, &format!("{counter}/apply"), "proof=").await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER);
    let page = clerk.get(&counter).await.expect(StatusCode::OK);
    let text = html(&page);
    assert!(text.contains("已申请待受理"), "{text}");
    assert!(
        !text.contains("id=\"permit-apply\""),
        "one application at a time"
    );
    let permit = clerk
        .get("/api/v1/permits?list=to_accept")
        .await
        .expect(StatusCode::OK)
        .body["items"][0]["id"]
        .as_i64()
        .expect("the application waits");
    let step = format!("/permits/{permit}/step");
    // The home page counts the application and shows the permit rate.
    let home = clerk.get("/").await.expect(StatusCode::OK);
    let text = html(&home);
    assert!(text.contains("居住证待受理"), "{text}");
    assert!(text.contains("href=\"/permits?list=to_accept\""), "{text}");
    assert!(text.contains("id=\"permit-rate\""), "{text}");
    assert!(text.contains("持证 0 人 / 应办证 1 人"), "{text}");

    // A step out of order: refused with the reason, nothing changes.
    let early = post(&clerk, &step, "version=1&step=issue").await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(html(&early).contains("不能办理“发证”"), "{}", html(&early));

    let noticed = post(
        &clerk,
        &step,
        "version=1&step=notice&documents=photo&documents=proof_of_residence",
    )
    .await;
    assert_eq!(location(&noticed), format!("/permits/{permit}/notice"));
    let notice = clerk.get(&location(&noticed)).await.expect(StatusCode::OK);
    let text = html(&notice);
    assert!(text.contains("一次性告知书"), "{text}");
    assert!(
        text.contains("本人近期免冠照片") && text.contains("居住证明"),
        "{text}"
    );

    let accepted = post(&clerk, &step, "version=2&step=accept").await;
    assert_eq!(location(&accepted), format!("/permits/{permit}/receipt"));
    let receipt = clerk.get(&location(&accepted)).await.expect(StatusCode::OK);
    let due = (china_today() + Duration::days(15)).to_string();
    let text = html(&receipt);
    assert!(text.contains("受理回执"), "{text}");
    assert!(
        text.contains(&format!("id=\"printout-due\">{due}")),
        "{text}"
    );

    let lists = clerk
        .get("/permits?list=issue_overdue")
        .await
        .expect(StatusCode::OK);
    assert!(html(&lists).contains("id=\"list-to_accept\""));
    let register = clerk
        .get(&format!("/permits?list=register&unit={COMMUNITY}"))
        .await
        .expect(StatusCode::OK);
    assert!(html(&register).contains(&format!("id=\"permit-row-{permit}\"")));
    assert!(
        !html(&register).contains("action=\"/permits/export\""),
        "a clerk does not export"
    );
    let chief = app.user(Role::StationChief, COMMUNITY).await;
    let offered = chief
        .get(&format!("/permits?list=register&unit={COMMUNITY}"))
        .await
        .expect(StatusCode::OK);
    let text = html(&offered);
    assert!(text.contains("action=\"/permits/export\""), "{text}");
    assert!(text.contains("name=\"list\" value=\"register\""), "{text}");
    let bogus = clerk.get("/permits?list=everything").await;
    assert_eq!(bogus.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An inspector reads, and is offered no step.
    let inspector = app.user(Role::Inspector, COMMUNITY).await;
    let seen = inspector.get(&counter).await.expect(StatusCode::OK);
    assert!(!html(&seen).contains("/step\""), "{}", html(&seen));
}
