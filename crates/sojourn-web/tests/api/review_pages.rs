//! The review on the record pages (person file, house, employer, outflow:
//! state, steps, and the steps the reader's role may take, coming back to
//! the page), and the registration form's collection time and place.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use sojourn_domain::account::Role;
use sojourn_domain::time_rules::CHINA;
use sojourn_web::auth::Clock;
use time::{Duration, OffsetDateTime};

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

/// Percent-encodes form pairs (UTF-8 bytes outside the unreserved set).
fn encode(pairs: &[(&str, String)]) -> String {
    let escape = |value: &str| -> String {
        value
            .bytes()
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
        .map(|(k, v)| format!("{k}={}", escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The registration form for 张三, with `extra` fields.
fn register_form(extra: &[(&'static str, String)]) -> String {
    let mut pairs: Vec<(&str, String)> = vec![
        ("id_number", zhang_san()),
        ("name", "张三".into()),
        ("ethnicity", "01".into()),
        ("domicile_province", "41".into()),
        ("domicile_city", "4101".into()),
        ("domicile_county", "410105".into()),
        ("unit", COMMUNITY.into()),
        ("arrived_on", "2024-03-05".into()),
        ("reason", "01".into()),
        ("current_address", "东华门街道多福巷12号3单元201".into()),
    ];
    pairs.extend(extra.iter().cloned());
    encode(&pairs)
}

/// `at` as a browser's date-and-time field sends it (China time).
fn local(at: OffsetDateTime) -> String {
    at.to_offset(CHINA)
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]"
        ))
        .expect("formatted")
}

#[tokio::test]
async fn a_collector_types_in_when_and_where_and_the_file_shows_it() {
    let app = deployment();
    let collector = app.user(Role::Collector, COMMUNITY).await;
    let form = collector.get("/residents/new").await.expect(StatusCode::OK);
    assert!(
        html(&form).contains("id=\"collected_at\""),
        "{}",
        html(&form)
    );
    assert!(html(&form).contains("hx-post=\"/ui/field/collected_at\""));
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let clerks = clerk.get("/residents/new").await.expect(StatusCode::OK);
    assert!(!html(&clerks).contains("id=\"collected_at\""));

    // A time in the future: the form comes back with the error beside the
    // field and everything typed, and nothing is written.
    let future = local(app.clock().now() + Duration::hours(2));
    let refused = collector
        .raw(
            Method::POST,
            "/residents/new",
            FORM,
            register_form(&[
                ("collected_at", future.clone()),
                ("collected_place", "多福巷北口".into()),
            ]),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&refused);
    assert!(
        page.contains("id=\"collected_at-msg\" role=\"alert\">采集时间"),
        "{page}"
    );
    assert!(page.contains(&future) && page.contains("多福巷北口"));
    let long = collector
        .raw(
            Method::POST,
            "/residents/new",
            FORM,
            register_form(&[("collected_place", "巷".repeat(101))]),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html(&long).contains("id=\"collected_place-msg\" role=\"alert\">采集地点不能超过100个字")
    );

    let two_days_ago = app.clock().now() - Duration::days(2);
    let saved = collector
        .raw(
            Method::POST,
            "/residents/new",
            FORM,
            register_form(&[
                ("collected_at", local(two_days_ago)),
                ("collected_place", "多福巷北口".into()),
            ]),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    let file = collector
        .get(&location(&saved))
        .await
        .expect(StatusCode::OK);
    let page = html(&file);
    assert!(page.contains("已采集"), "{page}");
    assert!(page.contains("采集地点: 多福巷北口"), "{page}");
    assert!(
        page.contains(&local(two_days_ago).replace('T', " ")),
        "{page}"
    );
}

#[tokio::test]
async fn the_live_check_judges_a_collection_time_and_place() {
    let app = deployment();
    let collector = app.user(Role::Collector, COMMUNITY).await;
    let reply = collector
        .raw(
            Method::POST,
            "/ui/field/collected_at",
            FORM,
            "collected_at=tomorrow".to_owned(),
        )
        .await
        .expect(StatusCode::OK);
    assert!(
        html(&reply).contains("不是有效的采集时间"),
        "{}",
        html(&reply)
    );
    let ok = local(app.clock().now() - Duration::hours(1));
    let reply = collector
        .raw(
            Method::POST,
            "/ui/field/collected_at",
            FORM,
            encode(&[("collected_at", ok)]),
        )
        .await
        .expect(StatusCode::OK);
    assert!(!html(&reply).contains("采集时间"), "{}", html(&reply));
    let reply = collector
        .raw(
            Method::POST,
            "/ui/field/collected_place",
            FORM,
            encode(&[("collected_place", "巷".repeat(101))]),
        )
        .await
        .expect(StatusCode::OK);
    assert!(html(&reply).contains("采集地点不能超过100个字"));
}

#[tokio::test]
async fn house_employer_and_outflow_pages_show_their_review_and_the_callers_steps() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let house = clerk
        .create_house(&house())
        .await
        .expect(StatusCode::CREATED)
        .id();
    let employer = clerk
        .create_employer(&employer(&acme_uscc()))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let outflow = clerk
        .create_outflow(&outflow(&li_si()))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let chief = app.user(Role::StationChief, ROOT).await;
    for (kind, path) in [
        ("house", format!("/houses/{house}")),
        ("employer", format!("/employers/{employer}")),
        ("outflow", format!("/outflows/{outflow}")),
    ] {
        let id = path.rsplit('/').next().expect("id");
        let seen = chief.get(&path).await.expect(StatusCode::OK);
        let page = html(&seen);
        assert!(page.contains("id=\"review\""), "{kind}: {page}");
        assert!(page.contains("已录入待审核"), "{kind}");
        assert!(page.contains("<td>录入</td>"), "{kind}: {page}");
        assert!(
            page.contains(&format!("action=\"/review/{kind}/{id}/approve\"")),
            "{kind}"
        );
        assert!(
            page.contains(&format!("name=\"back\" value=\"{path}\"")),
            "{kind}"
        );
        // A clerk may not decide: no such control for them.
        let theirs = clerk.get(&path).await.expect(StatusCode::OK);
        assert!(html(&theirs).contains("已录入待审核"));
        assert!(!html(&theirs).contains(&format!("/review/{kind}/{id}/approve")));
    }

    // Approved from the house page, the reader comes back to it.
    let approved = chief
        .raw(
            Method::POST,
            &format!("/review/house/{house}/approve"),
            FORM,
            encode(&[
                ("version", "1".into()),
                ("back", format!("/houses/{house}")),
            ]),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&approved), format!("/houses/{house}#review"));
    let page = chief
        .get(&format!("/houses/{house}"))
        .await
        .expect(StatusCode::OK);
    assert!(html(&page).contains("审核通过"));
    assert!(!html(&page).contains(&format!("/review/house/{house}/approve")));

    // The same step again (a stale form): refused with the reason.
    let stale = chief
        .raw(
            Method::POST,
            &format!("/review/house/{house}/approve"),
            FORM,
            encode(&[
                ("version", "1".into()),
                ("back", format!("/houses/{house}")),
            ]),
        )
        .await
        .expect(StatusCode::CONFLICT);
    assert!(html(&stale).contains("已被他人修改"), "{}", html(&stale));
    // A page outside the register is never where a step leads.
    let elsewhere = chief
        .raw(
            Method::POST,
            &format!("/review/employer/{employer}/approve"),
            FORM,
            encode(&[
                ("version", "1".into()),
                ("back", "https://example.org/x".into()),
            ]),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    assert!(location(&elsewhere).starts_with("/review?done=approve"));
}

#[tokio::test]
async fn the_person_file_offers_the_coordinator_the_entry_of_a_collected_stay() {
    let app = deployment();
    let collector = app.user(Role::Collector, COMMUNITY).await;
    let reply = collector
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    let person = reply.body["person"]["id"].as_i64().expect("person");
    let residence = reply.body["residence"]["id"].as_i64().expect("residence");
    let coordinator = app.user(Role::Coordinator, COMMUNITY).await;
    let file = coordinator
        .get(&format!("/persons/{person}"))
        .await
        .expect(StatusCode::OK);
    let page = html(&file);
    assert!(
        page.contains(&format!("action=\"/review/residence/{residence}/enter\"")),
        "{page}"
    );
    let entered = coordinator
        .raw(
            Method::POST,
            &format!("/review/residence/{residence}/enter"),
            FORM,
            encode(&[
                ("version", "1".into()),
                ("back", format!("/persons/{person}")),
            ]),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&entered), format!("/persons/{person}#review"));
    let file = coordinator
        .get(&format!("/persons/{person}"))
        .await
        .expect(StatusCode::OK);
    assert!(html(&file).contains("已录入待审核"));
}

/// The home page's 待办事项 counts what waits for the reader, each linked
/// to its list, and only what the reader's role may act on.
#[tokio::test]
async fn the_home_page_counts_what_waits_for_the_reader_and_links_each_list() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    for number in [zhang_san(), li_si()] {
        clerk
            .register_arrival(&arrival(&number))
            .await
            .expect(StatusCode::CREATED);
    }
    let chief = app.user(Role::StationChief, COMMUNITY).await;
    let home = chief.get("/").await.expect(StatusCode::OK);
    let to_review =
        r#"<a href="/review"><span>待审核</span> <strong class="todo-count">2</strong></a>"#;
    assert!(html(&home).contains(to_review), "{}", html(&home));
    assert!(!html(&home).contains("暂无待办事项"));

    // A collector is not told of the station's queue, and has nothing else
    // waiting.
    let collector = app.user(Role::Collector, COMMUNITY).await;
    let home = collector.get("/").await.expect(StatusCode::OK);
    assert!(!html(&home).contains("<span>待审核</span>"));
    assert!(!html(&home).contains(r#"class="todo-list""#));
    assert!(html(&home).contains("暂无待办事项"));
}

/// The file's history names the staff member, not only the account.
#[tokio::test]
async fn the_history_names_the_staff_member_who_made_each_change() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let created = clerk
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED)
        .body;
    let person = created["person"]["id"].as_i64().expect("person id");
    let page = clerk
        .get(&format!("/persons/{person}"))
        .await
        .expect(StatusCode::OK);
    let named = format!("测试用户（{}）", clerk.username);
    assert!(html(&page).contains(&named), "{}", html(&page));
}
