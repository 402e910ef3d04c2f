//! The service-request pages (R4.2) and the home page's to-do items for
//! them.

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

fn days_ago(days: i64) -> String {
    (china_today() - Duration::days(days)).to_string()
}

#[tokio::test]
async fn the_home_page_counts_overdue_and_due_requests_and_links_their_lists() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let person = clerk
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED)
        .body["person"]["id"]
        .as_i64()
        .expect("person");
    for ago in [10, 9, 6] {
        clerk
            .post(
                "/api/v1/service-requests",
                &json!({ "person_id": person, "kind": "housing", "asked": "找房", "received_on": days_ago(ago) }),
            )
            .await
            .expect(StatusCode::CREATED);
    }
    let home = clerk.get("/").await.expect(StatusCode::OK);
    let overdue = r#"<a href="/service-requests?state=overdue"><span>逾期未办结的服务事项</span> <strong class="todo-count">2</strong></a>"#;
    assert!(html(&home).contains(overdue), "{}", html(&home));
    assert!(
        html(&home)
            .contains("<span>即将到期的服务事项</span> <strong class=\"todo-count\">1</strong>")
    );
    // The list the item links to holds the same two.
    let list = clerk
        .get("/service-requests?state=overdue")
        .await
        .expect(StatusCode::OK);
    assert!(html(&list).contains("共 2 件"), "{}", html(&list));
    // Someone who cannot act on requests is not told of them.
    let collector = app.user(Role::Collector, COMMUNITY).await;
    let home = collector.get("/").await.expect(StatusCode::OK);
    assert!(!html(&home).contains("服务事项</span>"));
}

#[tokio::test]
async fn a_request_is_taken_in_at_the_window_and_followed_to_its_closing_on_the_pages() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let person = clerk
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED)
        .body["person"]["id"]
        .as_i64()
        .expect("person");
    let file = clerk
        .get(&format!("/persons/{person}"))
        .await
        .expect(StatusCode::OK);
    assert!(html(&file).contains("尚无服务事项"));
    assert!(html(&file).contains(&format!("/service-requests/new?person={person}")));
    let form = clerk
        .get("/service-requests/new")
        .await
        .expect(StatusCode::OK);
    assert!(html(&form).contains("legal_aid"));
    // An unknown number is refused beside its field, and nothing is taken.
    let refused = clerk
        .raw(
            Method::POST,
            "/service-requests/new",
            FORM,
            "id_number=&kind=employment&asked=".to_owned(),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("请输入服务对象的身份证号码"));
    assert!(html(&refused).contains("不能为空"), "{}", html(&refused));
    let taken = clerk
        .raw(
            Method::POST,
            "/service-requests/new",
            FORM,
            format!(
                "id_number={}&kind=employment&asked=%E6%B1%82%E8%81%8C",
                zhang_san()
            ),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    let page_uri = location(&taken);
    assert!(page_uri.ends_with("?done=taken"), "{page_uri}");
    let page = clerk.get(&page_uri).await.expect(StatusCode::OK);
    assert!(html(&page).contains("已受理"));
    let base = page_uri.trim_end_matches("?done=taken").to_owned();
    // Closing before resolving is refused with the reason, on the page.
    let early = clerk
        .raw(
            Method::POST,
            &format!("{base}/close"),
            FORM,
            "version=1&satisfaction=satisfied".to_owned(),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&early).contains("不能回访结案"), "{}", html(&early));
    let steps = [
        (
            "refer",
            "version=1&department=%E5%8A%B3%E5%8A%A8%E6%89%80&contact=%E7%8E%8B%E8%8A%B3&phone=010-64001234",
        ),
        (
            "resolve",
            "version=2&resolution=%E5%B7%B2%E6%8E%A8%E8%8D%90",
        ),
        ("close", "version=3&satisfaction=satisfied"),
    ];
    for (step, body) in steps {
        let done = clerk
            .raw(
                Method::POST,
                &format!("{base}/{step}"),
                FORM,
                body.to_owned(),
            )
            .await
            .expect(StatusCode::SEE_OTHER);
        assert!(location(&done).ends_with(&format!("?done={step}")));
    }
    let page = clerk.get(&base).await.expect(StatusCode::OK);
    assert!(html(&page).contains("已回访"));
    assert!(html(&page).contains("劳动所 · 王芳 · 010-64001234"));
    assert!(
        !html(&page).contains("id=\"request-close\""),
        "no step is left"
    );
    let file = clerk
        .get(&format!("/persons/{person}"))
        .await
        .expect(StatusCode::OK);
    assert!(
        html(&file).contains(&format!(r#"<a href="{base}">求职</a>"#)),
        "{}",
        html(&file)
    );
    let list = clerk
        .get("/service-requests?kind=employment&state=closed")
        .await
        .expect(StatusCode::OK);
    assert!(html(&list).contains("共 1 件"));
    clerk
        .get("/service-requests?state=lost")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
}
