//! 重卡 caught while the ID number is typed, and transfer requests
//! (转移申请): sent from the registration form, seen on the other
//! community's to-do list, accepted or declined there; wrong input and
//! other communities refused.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use sojourn_domain::account::Role;
use sojourn_domain::text::UnitName;
use sojourn_domain::unit::{Scope, Unit, UnitCode};
use sojourn_store::transfers::{TransferDirection, TransferState};
use sojourn_store::{AuditAction, AuditQuery};

const FORM: &str = "application/x-www-form-urlencoded";
const THIRD: &str = "110101001003";
const SIBLING_NAME: &str = "银闸社区居委会";
/// The address the sibling registered: no page of another community shows it.
const ADDRESS: &str = "银闸胡同7号";

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

/// A deployment with a third community, 张三 living in the sibling
/// community (registered by its clerk), and that clerk.
async fn living_in_sibling() -> (TestApp, TestApp, i64) {
    let app = deployment();
    let third = Unit {
        code: UnitCode::parse(THIRD).expect("code"),
        name: UnitName::parse("韶九社区居委会").expect("name"),
    };
    app.store()
        .create_unit(
            &Scope::of(UnitCode::parse(ROOT).expect("root")),
            &third,
            &app.actor(),
        )
        .expect("third community");
    let sibling = app.user(Role::Clerk, SIBLING).await;
    let body = with(
        with(arrival(&zhang_san()), "unit", SIBLING.into()),
        "current_address",
        ADDRESS.into(),
    );
    let reply = sibling
        .register_arrival(&body)
        .await
        .expect(StatusCode::CREATED);
    let residence = reply.body["residence"]["id"]
        .as_i64()
        .expect("residence id");
    (app, sibling, residence)
}

async fn id_check(client: &TestApp, number: &str) -> String {
    let reply = client
        .raw(
            Method::POST,
            "/ui/id-check",
            FORM,
            format!("id_number={number}&arrived_on=2026-11-01"),
        )
        .await
        .expect(StatusCode::OK);
    html(&reply).to_owned()
}

async fn ask(client: &TestApp, body: &str) -> Reply {
    client
        .raw(Method::POST, "/transfers/new", FORM, body.to_owned())
        .await
}

#[tokio::test]
async fn the_live_id_check_names_the_other_community_only_and_offers_a_transfer() {
    let (app, sibling, _) = living_in_sibling().await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let fragment = id_check(&clerk, &zhang_san()).await;
    assert!(fragment.contains(SIBLING_NAME), "{fragment}");
    assert!(fragment.contains("重卡"), "{fragment}");
    assert!(
        fragment.contains(r#"formaction="/transfers/new""#),
        "{fragment}"
    );
    // That a file exists there, nothing more: no name, address or link.
    for leaked in ["张三", ADDRESS, "/persons/"] {
        assert!(!fragment.contains(leaked), "leaked {leaked}: {fragment}");
    }
    // The lookup that found a file is audited as a read of that stay.
    let audit = app.user(Role::AuditAdmin, ROOT).await;
    let entries = audit
        .store()
        .search_audit(
            &Scope::of(UnitCode::parse(ROOT).expect("root")),
            &AuditQuery {
                action: Some(AuditAction::Read),
                object_kind: Some("residence".into()),
                ..AuditQuery::default()
            },
        )
        .expect("audit");
    assert!(
        entries
            .items
            .iter()
            .any(|e| e.details.contains("duplicate_on_arrival")
                && e.unit.as_deref() == Some(SIBLING)),
        "no audited lookup"
    );
    // In its own community the same check links to the file.
    let own = id_check(&sibling, &zhang_san()).await;
    assert!(own.contains("/persons/"), "{own}");
    assert!(!own.contains("/transfers/new"), "{own}");
    // A number with no current stay is just valid.
    let free = id_check(&clerk, &li_si()).await;
    assert!(
        !free.contains("重卡") && !free.contains("/transfers/new"),
        "{free}"
    );
}

#[tokio::test]
async fn a_refused_registration_offers_the_transfer_request_beside_the_number() {
    let (app, _, _) = living_in_sibling().await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let body = format!(
        "id_number={}&name=%E5%BC%A0%E4%B8%89&ethnicity=01&domicile_province=41&domicile_city=4101\
         &domicile_county=410105&unit={COMMUNITY}&arrived_on=2026-11-01&reason=01\
         &current_address=%E5%A4%9A%E7%A6%8F%E5%B7%B712%E5%8F%B7",
        zhang_san()
    );
    let reply = clerk
        .raw(Method::POST, "/residents/new", FORM, body)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&reply);
    assert!(page.contains(SIBLING_NAME), "{page}");
    assert!(page.contains(r#"formaction="/transfers/new""#), "{page}");
}

#[tokio::test]
async fn a_request_is_seen_on_the_other_communitys_todo_list_and_accepting_it_ends_the_stay() {
    let (app, sibling, residence) = living_in_sibling().await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    // The registration form's button shows what will be asked.
    let shown = ask(&clerk, &format!("id_number={}", zhang_san()))
        .await
        .expect(StatusCode::OK);
    assert!(html(&shown).contains(SIBLING_NAME));
    assert!(!html(&shown).contains(ADDRESS));
    let sent = ask(
        &clerk,
        &format!(
            "id_number={}&send=1&note=%E5%B7%B2%E6%90%AC%E6%9D%A5",
            zhang_san()
        ),
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&sent), "/transfers?done=sent");

    let home = sibling.get("/").await.expect(StatusCode::OK);
    assert!(html(&home).contains("待处理的转移申请"), "{}", html(&home));
    assert!(html(&home).contains(r#"href="/transfers""#));
    let list = sibling.get("/transfers").await.expect(StatusCode::OK);
    assert!(html(&list).contains("张三") && html(&list).contains("已搬来"));
    let request = app
        .store()
        .transfers(
            &Scope::of(UnitCode::parse(SIBLING).expect("code")),
            TransferDirection::Incoming,
            true,
            10,
        )
        .expect("requests")
        .pop()
        .expect("one request");
    let accepted = sibling
        .raw(
            Method::POST,
            &format!("/transfers/{}/accept", request.id.0),
            FORM,
            "",
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&accepted), "/transfers?done=accepted");
    let stay = sibling
        .get_residence(residence)
        .await
        .expect(StatusCode::OK);
    assert_eq!(stay.body["status"], "departed");
    // The asker reads the outcome, the name masked (not its file yet),
    // and registers the arrival now.
    let outgoing = clerk.get("/transfers").await.expect(StatusCode::OK);
    assert!(html(&outgoing).contains("已同意"));
    assert!(!html(&outgoing).contains("张三"));
    let today = sojourn_domain::time_rules::china_today().to_string();
    clerk
        .register_arrival(&with(arrival(&zhang_san()), "arrived_on", today.into()))
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn wrong_input_gets_a_clear_reason_and_changes_nothing() {
    let (app, sibling, _) = living_in_sibling().await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let wrong = ask(
        &clerk,
        &format!("id_number={}&send=1", with_wrong_check(&zhang_san())),
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&wrong).contains("校验位"), "{}", html(&wrong));
    // In one's own community there is nothing to ask: deregister it.
    let own = ask(&sibling, &format!("id_number={}&send=1", zhang_san()))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&own).contains("管辖范围内"), "{}", html(&own));
    // No current stay: register directly.
    let free = ask(&clerk, &format!("id_number={}&send=1", li_si()))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&free).contains("没有在住登记"), "{}", html(&free));
    let none = Scope::of(UnitCode::parse(ROOT).expect("root"));
    let all = app
        .store()
        .transfers(&none, TransferDirection::Incoming, false, 10)
        .expect("requests");
    assert!(all.is_empty(), "a refused request was stored");

    ask(&clerk, &format!("id_number={}&send=1", zhang_san()))
        .await
        .expect(StatusCode::SEE_OTHER);
    let twice = ask(&clerk, &format!("id_number={}&send=1", zhang_san()))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&twice).contains("请勿重复申请"), "{}", html(&twice));
    let request = app
        .store()
        .transfers(&none, TransferDirection::Incoming, false, 10)
        .expect("requests")
        .pop()
        .expect("one request");
    // Declining needs a reason, shown beside the request; nothing changes.
    let refused = sibling
        .raw(
            Method::POST,
            &format!("/transfers/{}/decline", request.id.0),
            FORM,
            "reason=+",
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("请填写拒绝理由"));
    let path = format!("/transfers/{}/decline", request.id.0);
    let declined = sibling
        .raw(
            Method::POST,
            &path,
            FORM,
            "reason=%E4%BB%8D%E5%9C%A8%E4%BD%8F",
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&declined), "/transfers?done=declined");
    let read = app.store().get_transfer(&none, request.id).expect("read");
    assert!(matches!(read.state, TransferState::Declined { ref reason, .. } if reason == "仍在住"));
    let shown = clerk.get("/transfers").await.expect(StatusCode::OK);
    assert!(html(&shown).contains("仍在住"));
}

#[tokio::test]
async fn a_clerk_of_a_third_community_neither_sees_nor_decides_a_request() {
    let (app, _, residence) = living_in_sibling().await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    ask(&clerk, &format!("id_number={}&send=1", zhang_san()))
        .await
        .expect(StatusCode::SEE_OTHER);
    let root = Scope::of(UnitCode::parse(ROOT).expect("root"));
    let request = app
        .store()
        .transfers(&root, TransferDirection::Incoming, false, 10)
        .expect("requests")
        .pop()
        .expect("one request");
    let third = app.user(Role::Clerk, THIRD).await;
    let list = third.get("/transfers").await.expect(StatusCode::OK);
    assert!(!html(&list).contains("张三") && !html(&list).contains(SIBLING_NAME));
    let home = third.get("/").await.expect(StatusCode::OK);
    assert!(!html(&home).contains("转移申请"));
    for step in ["accept", "decline"] {
        third
            .raw(
                Method::POST,
                &format!("/transfers/{}/{step}", request.id.0),
                FORM,
                "reason=%E6%97%A0%E5%85%B3",
            )
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    // Nor does the asker decide its own request.
    clerk
        .raw(
            Method::POST,
            &format!("/transfers/{}/accept", request.id.0),
            FORM,
            "",
        )
        .await
        .expect(StatusCode::NOT_FOUND);
    let read = app.store().get_transfer(&root, request.id).expect("read");
    assert_eq!(read.state, TransferState::Pending);
    let sibling = app.user(Role::Clerk, SIBLING).await;
    let stay = sibling
        .get_residence(residence)
        .await
        .expect(StatusCode::OK);
    assert_ne!(stay.body["status"], "departed");
}
