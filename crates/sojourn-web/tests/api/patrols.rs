//! Patrols on the pages (巡查, R6.1): the form a coordinator fills, its
//! refusals, the worklists, the task a patrol opens, the cycles and the
//! workbook.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use sojourn_domain::account::Role;
use sojourn_domain::time_rules::china_today;
use std::io::Cursor;
use time::Duration;

const FORM: &str = "application/x-www-form-urlencoded";

fn html(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

fn days_ago(n: i64) -> String {
    (china_today() - Duration::days(n)).to_string()
}

async fn post(app: &TestApp, path: &str, body: &str) -> Reply {
    app.raw(Method::POST, path, FORM, body.to_owned()).await
}

/// A house in COMMUNITY made by the director, and its coordinator.
async fn a_house_and_its_coordinator() -> (TestApp, TestApp, i64) {
    let director = spawn_app(ROOT).await;
    let house = director
        .create_house(&house())
        .await
        .expect(StatusCode::CREATED)
        .id();
    let coordinator = director.user(Role::Coordinator, COMMUNITY).await;
    (director, coordinator, house)
}

#[tokio::test]
async fn a_patrol_typed_wrong_is_refused_in_chinese_and_nothing_is_kept() {
    let (_director, coordinator, house) = a_house_and_its_coordinator().await;
    let form = coordinator
        .get(&format!("/patrols/new?house={house}"))
        .await
        .expect(StatusCode::OK);
    assert!(html(&form).contains("多福巷"), "the house is named");
    assert!(
        html(&form).contains("value=\"测试用户\""),
        "the patroller is the reader"
    );

    let tomorrow = tomorrow();
    for (body, message) in [
        (
            format!(
                "house={house}&patrolled_on={}&patroller=%E5%AD%99",
                days_ago(1)
            ),
            "须注明房屋是否有人居住",
        ),
        (
            format!("house={house}&patrolled_on={tomorrow}&patroller=%E5%AD%99&occupancy=occupied"),
            "晚于",
        ),
        (
            format!("house={house}&patrolled_on=2026-02-30&patroller=%E5%AD%99&occupancy=occupied"),
            "",
        ),
        (
            format!(
                "house={house}&patrolled_on={}&patroller=&occupancy=empty",
                days_ago(1)
            ),
            "",
        ),
    ] {
        let refused = post(&coordinator, "/patrols/new", &body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(html(&refused).contains(message), "{body}: {message}");
        assert!(html(&refused).contains("aria-invalid=\"true\""), "{body}");
    }
    let form = coordinator
        .get(&format!("/patrols/new?house={house}"))
        .await
        .expect(StatusCode::OK);
    assert!(html(&form).contains("从未巡查"), "nothing was kept");
}

#[tokio::test]
async fn an_overdue_patrol_is_listed_and_unregistered_tenants_open_a_task_until_closed() {
    let (director, coordinator, house) = a_house_and_its_coordinator().await;
    let body = format!(
        "house={house}&patrolled_on={}&patroller=%E5%AD%99%E5%8D%8F%E7%AE%A1&occupancy=occupied&unregistered_tenants=1",
        days_ago(20)
    );
    let saved = post(&coordinator, "/patrols/new", &body)
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        saved.headers[header::LOCATION],
        format!("/houses/{house}?patrolled=1").as_str()
    );
    let page = coordinator
        .get("/patrols?state=overdue")
        .await
        .expect(StatusCode::OK);
    let worklist = html(&page).split("id=\"tasks\"").next().expect("worklist");
    assert!(worklist.contains("逾期 6 天"), "{worklist}");
    let task = html(&page)
        .split("id=\"task-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a task row")
        .to_owned();
    let home = coordinator.get("/").await.expect(StatusCode::OK);
    assert!(html(&home).contains("逾期未巡查"));
    assert!(html(&home).contains("巡查发现待处理"));

    // A sibling community's coordinator reaches neither.
    let sibling = director.user(Role::Coordinator, SIBLING).await;
    let theirs = sibling
        .get("/patrols?state=overdue")
        .await
        .expect(StatusCode::OK);
    assert!(!html(&theirs).contains(&format!("id=\"task-{task}\"")));
    post(&sibling, &format!("/patrols/tasks/{task}/close"), "")
        .await
        .expect(StatusCode::NOT_FOUND);

    post(&coordinator, &format!("/patrols/tasks/{task}/close"), "")
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = coordinator
        .get("/patrols?done=closed")
        .await
        .expect(StatusCode::OK);
    assert!(html(&page).contains("没有待处理的巡查发现"));
}

#[tokio::test]
async fn the_worklist_downloads_as_a_workbook() {
    let (_director, coordinator, house) = a_house_and_its_coordinator().await;
    let body = format!(
        "house={house}&patrolled_on={}&patroller=%E5%AD%99&occupancy=empty",
        days_ago(30)
    );
    post(&coordinator, "/patrols/new", &body)
        .await
        .expect(StatusCode::SEE_OTHER);
    // A coordinator reads the list but the heads download it.
    let (status, _, _) = coordinator.download("/patrols.xlsx?state=overdue").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let chief = coordinator.user(Role::StationChief, COMMUNITY).await;
    let (status, _, bytes) = chief.download("/patrols.xlsx?state=overdue").await;
    assert_eq!(status, StatusCode::OK);
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("an .xlsx file");
    let sheet = book.sheet_names()[0].clone();
    let rows: Vec<Vec<String>> = book
        .worksheet_range(&sheet)
        .expect("sheet")
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows[1][0], "巡查对象");
    assert!(rows[2][0].contains("多福巷"), "{rows:?}");
    assert_eq!(rows[2][2], days_ago(30));
    assert_eq!(rows[2][4], "逾期 16 天");
}

#[tokio::test]
async fn only_the_deployments_heads_set_the_cycles_and_a_bad_cycle_is_refused() {
    let (director, coordinator, house) = a_house_and_its_coordinator().await;
    let body = format!(
        "house={house}&patrolled_on={}&patroller=%E5%AD%99&occupancy=empty",
        days_ago(20)
    );
    post(&coordinator, "/patrols/new", &body)
        .await
        .expect(StatusCode::SEE_OTHER);
    let refused = post(
        &director,
        "/patrols/cycles",
        "house=0&collection_point=14&station=7",
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("不是有效的巡查周期"));
    let chief = director.user(Role::StationChief, COMMUNITY).await;
    let page = chief.get("/patrols").await.expect(StatusCode::OK);
    assert!(
        !html(&page).contains("id=\"cycles\""),
        "a community sets no cycles"
    );
    let by_chief = post(
        &chief,
        "/patrols/cycles",
        "house=30&collection_point=14&station=7",
    )
    .await;
    assert_ne!(by_chief.status, StatusCode::SEE_OTHER);

    post(
        &director,
        "/patrols/cycles",
        "house=30&collection_point=14&station=7",
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    let page = director
        .get("/patrols?state=overdue")
        .await
        .expect(StatusCode::OK);
    assert!(
        html(&page).contains("没有需要巡查的对象"),
        "due in 10 days now: {}",
        html(&page)
    );
}

#[tokio::test]
async fn a_worklist_asked_wrongly_is_refused() {
    let (_director, coordinator, _) = a_house_and_its_coordinator().await;
    coordinator
        .get("/patrols?level=garden")
        .await
        .expect(StatusCode::BAD_REQUEST);
    coordinator
        .get("/patrols?page=0")
        .await
        .expect(StatusCode::BAD_REQUEST);
    coordinator
        .get(&format!("/patrols?unit={SIBLING}"))
        .await
        .expect(StatusCode::NOT_FOUND);
    coordinator
        .get("/patrols/new?house=1&unit=110101001001")
        .await
        .expect(StatusCode::BAD_REQUEST);
}
