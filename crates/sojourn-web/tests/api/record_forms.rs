//! The forms of the house, employer and outflow registers on the pages:
//! wrong input comes back with everything typed and each error named
//! beside its field, and nothing is stored; a change made meanwhile is
//! refused, not overwritten; another community's record opens no form;
//! and the buttons show only for the roles that may use them.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use serde_json::Value;
use sojourn_domain::account::Role;

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

/// Percent-encodes form pairs.
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

/// The message shown beside `field`, empty if none.
fn message_of<'a>(page: &'a str, field: &str) -> &'a str {
    let start = format!("id=\"{field}-msg\" role=\"alert\">");
    page.split_once(&start)
        .and_then(|(_, rest)| rest.split_once("</p>"))
        .map_or("", |(message, _)| message)
}

async fn total(root: &TestApp, list: &str) -> u64 {
    let reply = root
        .get(&format!("/api/v1/{list}"))
        .await
        .expect(StatusCode::OK);
    reply.body["total"].as_u64().unwrap_or_default()
}

#[tokio::test]
async fn a_house_form_with_wrong_input_names_every_error_keeps_the_input_and_stores_nothing() {
    let app = deployment();
    let root = app.acting_for(ROOT).await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let before = total(&root, "houses").await;
    let form = encode(&[
        ("address", "多福巷99号".into()),
        ("unit", COMMUNITY.into()),
        ("rooms", "0".into()),
        ("usage", "residential".into()),
        ("landlord_kind", "person".into()),
        ("landlord_name", "钱德明".into()),
        ("landlord_id_number", with_wrong_check(&li_si())),
        ("landlord_phone", "12345".into()),
        ("filed_on", tomorrow()),
    ]);
    let refused = clerk
        .raw(Method::POST, "/houses/new", FORM, form)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&refused);
    for field in ["landlord_id_number", "landlord_phone", "rooms", "filed_on"] {
        assert!(
            !message_of(page, field).is_empty(),
            "no error for {field}: {page}"
        );
    }
    assert!(message_of(page, "landlord_id_number").contains("校验位"));
    assert!(message_of(page, "address").is_empty());
    assert!(page.contains("value=\"多福巷99号\"") && page.contains("value=\"钱德明\""));
    assert!(page.contains(&with_wrong_check(&li_si())));
    assert!(page.contains("有 4 处填写有误"), "{page}");
    assert_eq!(
        total(&root, "houses").await,
        before,
        "a refused form stored a house"
    );

    // A company landlord needs its credit code, not an ID number.
    let company = encode(&[
        ("address", "多福巷99号".into()),
        ("unit", COMMUNITY.into()),
        ("rooms", "2".into()),
        ("usage", "commercial".into()),
        ("landlord_kind", "company".into()),
        ("landlord_name", "北京多福物业有限公司".into()),
    ]);
    let refused = clerk
        .raw(Method::POST, "/houses/new", FORM, company)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message_of(html(&refused), "landlord_uscc").contains("必填"));
    assert!(message_of(html(&refused), "landlord_id_number").is_empty());

    // Everything right but the unit, another community's: named beside
    // the unit, and nothing stored.
    let elsewhere = encode(&[
        ("address", "多福巷99号".into()),
        ("unit", SIBLING.into()),
        ("rooms", "2".into()),
        ("usage", "residential".into()),
        ("landlord_kind", "person".into()),
        ("landlord_name", "钱德明".into()),
        ("landlord_id_number", li_si()),
    ]);
    let refused = clerk
        .raw(Method::POST, "/houses/new", FORM, elsewhere)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !message_of(html(&refused), "unit").is_empty(),
        "{}",
        html(&refused)
    );
    assert_eq!(total(&root, "houses").await, before);
}

#[tokio::test]
async fn an_employer_form_refuses_a_taken_credit_code_and_a_wrong_one_beside_the_field() {
    let app = deployment();
    let root = app.acting_for(ROOT).await;
    let seeded = seed(&root).await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let fields = |code: String| {
        encode(&[
            ("uscc", code),
            ("name", "北京东华门物业管理有限公司".into()),
            ("legal_representative", "周建华".into()),
            ("address", "东华门大街30号".into()),
            ("unit", COMMUNITY.into()),
            ("declared_workers", "二十".into()),
        ])
    };
    let before = total(&root, "employers").await;
    let refused = clerk
        .raw(
            Method::POST,
            "/employers/new",
            FORM,
            fields(with_wrong_check(&acme_uscc())),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&refused);
    assert!(!message_of(page, "uscc").is_empty(), "{page}");
    assert!(!message_of(page, "declared_workers").is_empty(), "{page}");
    assert!(page.contains("value=\"北京东华门物业管理有限公司\""));
    // Taken: named beside the code, not a failure page.
    let taken = encode(&[
        (
            "uscc",
            seeded.employer["uscc"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ),
        ("name", "北京东华门物业管理有限公司".into()),
        ("legal_representative", "周建华".into()),
        ("address", "东华门大街30号".into()),
        ("unit", COMMUNITY.into()),
    ]);
    let refused = clerk
        .raw(Method::POST, "/employers/new", FORM, taken)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !message_of(html(&refused), "uscc").is_empty(),
        "{}",
        html(&refused)
    );
    assert_eq!(total(&root, "employers").await, before);
}

#[tokio::test]
async fn an_outflow_form_names_the_family_member_and_destination_errors_and_stores_nothing() {
    let app = deployment();
    let root = app.acting_for(ROOT).await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let before = total(&root, "outflows").await;
    let form = encode(&[
        ("id_number", id_number("110101", "19900611", "052")),
        ("name", "周晓东".into()),
        ("unit", COMMUNITY.into()),
        ("left_on", "2024-06-01".into()),
        ("contact_phone", "123".into()),
        ("lb0_name", "周小宝".into()),
        ("lb0_relation", "儿子".into()),
        ("lb0_birth_date", "2000-01-01".into()),
        ("lb1_name", "周奶奶".into()),
        ("lb1_relation", "祖母".into()),
    ]);
    let refused = clerk
        .raw(Method::POST, "/outflows/new", FORM, form)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&refused);
    for field in ["destination", "contact_phone", "lb0", "lb1_birth_date"] {
        assert!(
            !message_of(page, field).is_empty(),
            "no error for {field}: {page}"
        );
    }
    assert!(page.contains("value=\"周小宝\"") && page.contains("value=\"周奶奶\""));
    assert_eq!(total(&root, "outflows").await, before);
}

#[tokio::test]
async fn a_change_made_meanwhile_is_refused_and_not_overwritten() {
    let app = deployment();
    let root = app.acting_for(ROOT).await;
    let seeded = seed(&root).await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let id = seeded.house_id();
    let form = clerk
        .get(&format!("/houses/{id}/edit"))
        .await
        .expect(StatusCode::OK);
    assert!(
        html(&form).contains("name=\"version\" value=\"1\""),
        "{}",
        html(&form)
    );
    // Someone else changes the house through the API.
    let change = update_body(&house(), 1, &[("rooms", Value::from(5))]);
    root.update_house(id, &change).await.expect(StatusCode::OK);
    let stale = encode(&[
        ("version", "1".into()),
        ("address", "多福巷12号".into()),
        ("unit", COMMUNITY.into()),
        ("rooms", "2".into()),
        ("usage", "residential".into()),
        ("landlord_kind", "person".into()),
        ("landlord_name", "王五".into()),
    ]);
    let refused = clerk
        .raw(Method::POST, &format!("/houses/{id}/edit"), FORM, stale)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html(&refused).contains("刚刚被其他人修改过"),
        "{}",
        html(&refused)
    );
    assert_eq!(root.get_house(id).await.body["rooms"], 5);

    // Read afresh, the change goes through and keeps the landlord's
    // number, which the form never showed.
    let fresh = encode(&[
        ("version", "2".into()),
        ("address", "多福巷12号".into()),
        ("unit", COMMUNITY.into()),
        ("rooms", "2".into()),
        ("usage", "residential".into()),
        ("landlord_kind", "person".into()),
        ("landlord_name", "王五".into()),
        ("filed_on", "2023-01-10".into()),
    ]);
    let saved = clerk
        .raw(Method::POST, &format!("/houses/{id}/edit"), FORM, fresh)
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), format!("/houses/{id}?saved=1"));
    let house = root.get_house(id).await.body;
    assert_eq!(house["rooms"], 2);
    assert_eq!(house["landlord"]["id_number"], masked_id(&li_si()));
    assert_eq!(
        house["landlord"]["phone"],
        seeded.house["landlord"]["phone"]
    );
    assert_eq!(house["security_agreement_on"], Value::Null);
}

#[tokio::test]
async fn another_communitys_record_opens_no_form_and_is_left_as_it_was() {
    let app = deployment();
    let root = app.acting_for(ROOT).await;
    let seeded = seed(&root).await;
    let sibling = app.user(Role::StationChief, SIBLING).await;
    let (h, e, o) = (seeded.house_id(), seeded.employer_id(), seeded.outflow_id());
    let before = everything(&root, &seeded).await;
    for path in [
        format!("/houses/{h}/edit"),
        format!("/employers/{e}/edit"),
        format!("/outflows/{o}/edit"),
        format!("/outflows/{o}/return"),
    ] {
        let page = sibling.get(&path).await.expect(StatusCode::NOT_FOUND);
        assert!(html(&page).contains("不在您的管辖范围内"), "{path}");
        let posted = sibling
            .raw(
                Method::POST,
                &path,
                FORM,
                encode(&[
                    ("version", "1".into()),
                    ("returned_on", "2024-08-01".into()),
                ]),
            )
            .await
            .expect(StatusCode::NOT_FOUND);
        assert!(!html(&posted).contains("多福巷12号"), "{path}");
    }
    assert_eq!(everything(&root, &seeded).await, before);
}

#[tokio::test]
async fn the_new_and_edit_buttons_show_only_for_roles_that_may_use_them() {
    let app = deployment();
    let root = app.acting_for(ROOT).await;
    let seeded = seed(&root).await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let police = app.user(Role::PoliceLiaison, COMMUNITY).await;
    let collector = app.user(Role::Collector, COMMUNITY).await;
    for (list, page) in [
        ("houses", format!("/houses/{}", seeded.house_id())),
        ("employers", format!("/employers/{}", seeded.employer_id())),
        ("outflows", format!("/outflows/{}", seeded.outflow_id())),
    ] {
        let new = format!("href=\"/{list}/new\"");
        let edit = format!("href=\"{page}/edit\"");
        assert!(html(&clerk.get(&format!("/{list}")).await).contains(&new));
        assert!(html(&clerk.get(&page).await).contains(&edit));
        assert!(!html(&police.get(&format!("/{list}")).await).contains(&new));
        assert!(!html(&police.get(&page).await).contains(&edit));
        // A collector registers, and gives when and where; changes are
        // the clerk's.
        assert!(html(&collector.get(&format!("/{list}")).await).contains(&new));
        assert!(!html(&collector.get(&page).await).contains(&edit));
        let form = collector
            .get(&format!("/{list}/new"))
            .await
            .expect(StatusCode::OK);
        assert!(html(&form).contains("id=\"collected_at\""), "{list}");
        let clerks = clerk
            .get(&format!("/{list}/new"))
            .await
            .expect(StatusCode::OK);
        assert!(!html(&clerks).contains("id=\"collected_at\""), "{list}");
        police
            .get(&format!("/{list}/new"))
            .await
            .expect(StatusCode::FORBIDDEN);
        collector
            .get(&format!("{page}/edit"))
            .await
            .expect(StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_collector_registers_a_house_with_when_and_where_it_was_collected() {
    let app = deployment();
    let collector = app.user(Role::Collector, COMMUNITY).await;
    let form = encode(&[
        ("address", "多福巷77号".into()),
        ("unit", COMMUNITY.into()),
        ("rooms", "2".into()),
        ("usage", "residential".into()),
        ("landlord_kind", "person".into()),
        ("landlord_name", "钱德明".into()),
        ("landlord_id_number", li_si()),
        ("collected_place", "多福巷北口".into()),
    ]);
    let saved = collector
        .raw(Method::POST, "/houses/new", FORM, form)
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = collector
        .get(&location(&saved))
        .await
        .expect(StatusCode::OK);
    assert!(html(&page).contains("多福巷北口"), "{}", html(&page));
}

#[tokio::test]
async fn an_outflow_return_before_the_leaving_is_refused_beside_the_date() {
    let app = deployment();
    let root = app.acting_for(ROOT).await;
    let seeded = seed(&root).await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let id = seeded.outflow_id();
    let path = format!("/outflows/{id}/return");
    let early = encode(&[
        ("version", "1".into()),
        ("returned_on", "2024-05-01".into()),
    ]);
    let refused = clerk
        .raw(Method::POST, &path, FORM, early)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !message_of(html(&refused), "returned_on").is_empty(),
        "{}",
        html(&refused)
    );
    assert_eq!(root.get_outflow(id).await.body["returned_on"], Value::Null);
    let right = encode(&[
        ("version", "1".into()),
        ("returned_on", "2024-08-01".into()),
    ]);
    let saved = clerk
        .raw(Method::POST, &path, FORM, right)
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), format!("/outflows/{id}?returned=1"));
    assert_eq!(root.get_outflow(id).await.body["returned_on"], "2024-08-01");
    // Closed: the form is not offered again.
    let again = clerk.get(&path).await.expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&again), format!("/outflows/{id}"));
}

#[tokio::test]
async fn a_safety_inspection_is_kept_with_the_house_and_issues_must_say_what() {
    let app = deployment();
    let root = app.acting_for(ROOT).await;
    let seeded = seed(&root).await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let id = seeded.house_id();
    let path = format!("/houses/{id}/inspections");
    let before = everything(&root, &seeded).await;
    let vague = encode(&[
        ("inspected_on", tomorrow()),
        ("inspector", "李建国".into()),
        ("result", "issues_found".into()),
    ]);
    let refused = clerk
        .raw(Method::POST, &path, FORM, vague)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&refused);
    assert!(!message_of(page, "inspected_on").is_empty(), "{page}");
    assert!(
        message_of(page, "inspection_notes").contains("必填"),
        "{page}"
    );
    assert!(page.contains("value=\"李建国\""));
    assert!(page.contains("尚无安全检查记录"));
    // An inspection changes no register record, refused or not.
    assert_eq!(everything(&root, &seeded).await, before);

    let found = encode(&[
        ("inspected_on", "2024-09-01".into()),
        ("inspector", "李建国".into()),
        ("result", "issues_found".into()),
        ("inspection_notes", "灭火器过期".into()),
    ]);
    let saved = clerk
        .raw(Method::POST, &path, FORM, found)
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = clerk.get(&location(&saved)).await.expect(StatusCode::OK);
    let page = html(&page);
    assert!(
        page.contains("灭火器过期") && page.contains("发现隐患"),
        "{page}"
    );
    assert!(page.contains("已登记安全检查"));
    assert_eq!(root.get_house(id).await.body["version"], 1);

    // Not another community's, and not a role that may not change houses.
    let sibling = app.user(Role::StationChief, SIBLING).await;
    sibling
        .raw(
            Method::POST,
            &path,
            FORM,
            encode(&[("result", "passed".into())]),
        )
        .await
        .expect(StatusCode::NOT_FOUND);
    let police = app.user(Role::PoliceLiaison, COMMUNITY).await;
    police
        .raw(
            Method::POST,
            &path,
            FORM,
            encode(&[("result", "passed".into())]),
        )
        .await
        .expect(StatusCode::FORBIDDEN);
    let shown = police.get(&format!("/houses/{id}")).await;
    assert!(
        html(&shown).contains("灭火器过期") && !html(&shown).contains("id=\"inspection-form\"")
    );
}

#[tokio::test]
async fn the_new_fields_are_checked_as_typed() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let check = |field: &'static str, value: String| {
        let clerk = &clerk;
        async move {
            let body = encode(&[(field, value)]);
            let reply = clerk
                .raw(Method::POST, &format!("/ui/field/{field}"), FORM, body)
                .await
                .expect(StatusCode::OK);
            message_of(html(&reply), field).to_owned()
        }
    };
    assert!(
        !check("uscc", with_wrong_check(&acme_uscc()))
            .await
            .is_empty()
    );
    assert!(check("uscc", acme_uscc()).await.is_empty());
    assert!(!check("landlord_uscc", "91110101".into()).await.is_empty());
    let wrong = check("landlord_id_number", with_wrong_check(&li_si())).await;
    assert!(wrong.contains("校验位"), "{wrong}");
    // Still being typed: too short is no error yet.
    assert!(
        check("landlord_id_number", "1101011990".into())
            .await
            .is_empty()
    );
    assert!(
        !check("id_number", with_wrong_check(&zhang_san()))
            .await
            .is_empty()
    );
    assert!(!check("landlord_phone", "12345".into()).await.is_empty());
    assert!(!check("filed_on", tomorrow()).await.is_empty());
    assert!(!check("returned_on", "2024-02-30".into()).await.is_empty());
    assert!(
        check("security_agreement_on", "2024-02-29".into())
            .await
            .is_empty()
    );
    assert!(
        !check("legal_representative", "周建华1".into())
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_change_keeps_a_destination_deeper_than_the_picker_goes() {
    use sojourn_domain::codes::DivisionCode;
    use sojourn_domain::codes::division::children;
    let app = deployment();
    let root = app.acting_for(ROOT).await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let county = DivisionCode::parse_known("440305").expect("南山区");
    let town = children(Some(&county)).remove(0).code;
    let village = children(Some(&town)).remove(0).code;
    let person = id_number("110101", "19850301", "021");
    let body = with(
        outflow(&person),
        "destination",
        Value::from(village.to_string()),
    );
    let created = root
        .create_outflow(&body)
        .await
        .expect(StatusCode::CREATED)
        .body;
    let id = created["id"].as_i64().expect("id");
    let form = clerk
        .get(&format!("/outflows/{id}/edit"))
        .await
        .expect(StatusCode::OK);
    assert!(
        html(&form).contains(&format!("value=\"{town}\" selected")),
        "{}",
        html(&form)
    );
    let change = encode(&[
        ("version", "1".into()),
        ("unit", COMMUNITY.into()),
        ("name", "孙七".into()),
        ("left_on", "2024-06-01".into()),
        ("destination_province", "44".into()),
        ("destination_city", "4403".into()),
        ("destination_county", "440305".into()),
        ("destination_town", town.to_string()),
        ("employer_name", "深圳湾科技有限公司".into()),
    ]);
    clerk
        .raw(Method::POST, &format!("/outflows/{id}/edit"), FORM, change)
        .await
        .expect(StatusCode::SEE_OTHER);
    let read = root.get_outflow(id).await.body;
    assert_eq!(read["destination"], village.to_string());
    assert_eq!(read["employer_name"], "深圳湾科技有限公司");
    // The family on file is kept by a change that does not touch it.
    assert_eq!(read["left_behind"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn the_api_records_and_lists_inspections_with_the_forms_rules() {
    let app = deployment();
    let root = app.acting_for(ROOT).await;
    let seeded = seed(&root).await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let path = format!("/api/v1/houses/{}/inspections", seeded.house_id());
    let vague = serde_json::json!({
        "inspected_on": tomorrow(), "inspector": "", "result": "issues_found"
    });
    let refused = clerk
        .post(&path, &vague)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = refused.fields().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["inspected_on", "inspector", "notes"],
        "{:?}",
        refused.body
    );
    let unknown = serde_json::json!({
        "inspected_on": "2024-08-01", "inspector": "李建国", "result": "maybe"
    });
    clerk
        .post(&path, &unknown)
        .await
        .expect_field("result", "unknown_option");
    let found = serde_json::json!({
        "inspected_on": "2024-08-01", "inspector": "李建国",
        "result": "issues_found", "notes": "灭火器过期"
    });
    let created = clerk
        .post(&path, &found)
        .await
        .expect(StatusCode::CREATED)
        .body;
    assert_eq!(created["result"], "issues_found");
    assert_eq!(created["notes"], "灭火器过期");
    let list = clerk.get(&path).await.expect(StatusCode::OK).body;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["inspector"], "李建国");
    let sibling = app.user(Role::StationChief, SIBLING).await;
    sibling.get(&path).await.expect(StatusCode::NOT_FOUND);
    sibling
        .post(&path, &found)
        .await
        .expect(StatusCode::NOT_FOUND);
}
