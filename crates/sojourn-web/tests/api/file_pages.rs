//! The person file's edit and reveal pages, the house page's tenant move
//! and the resident list's age band: what they show (numbers masked), what
//! they change, what they refuse (in zh-CN, keeping what was typed), and
//! that a user of a sibling unit gets no page and no data.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use serde_json::json;
use sojourn_domain::account::Role;

const FORM: &str = "application/x-www-form-urlencoded";

fn text(reply: &Reply) -> &str {
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

fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencoding(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a form value (UTF-8 bytes outside the unreserved set).
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn post_form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> Reply {
    app.raw(Method::POST, path, FORM, encode(pairs)).await
}

/// The edit form's fields for the seeded 张三, with `changes`.
fn edit_fields(
    seeded: &Seeded,
    changes: &[(&'static str, &'static str)],
) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = vec![
        ("version", seeded.person["version"].to_string()),
        ("name", "张三".into()),
        ("ethnicity", "01".into()),
        ("domicile_province", "41".into()),
        ("domicile_city", "4101".into()),
        ("domicile_county", "410105".into()),
        ("domicile_address", "花园路12号".into()),
        ("stay_version", seeded.residence["version"].to_string()),
        ("unit", COMMUNITY.into()),
        ("arrived_on", "2024-03-05".into()),
        ("reason", "01".into()),
        ("current_address", "东华门街道多福巷12号3单元201".into()),
        ("house_id", seeded.house_id().to_string()),
        ("employer_id", seeded.employer_id().to_string()),
    ];
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push((key, (*value).to_owned())),
        }
    }
    fields
}

async fn post_edit(
    app: &TestApp,
    seeded: &Seeded,
    changes: &[(&'static str, &'static str)],
) -> Reply {
    let fields = edit_fields(seeded, changes);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_form(
        app,
        &format!("/persons/{}/edit", seeded.person_id()),
        &pairs,
    )
    .await
}

#[tokio::test]
async fn pages_show_id_and_phone_numbers_masked() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let file = clerk
        .get(&format!("/persons/{}", seeded.person_id()))
        .await
        .expect(StatusCode::OK);
    assert!(text(&file).contains(&masked_id(&zhang_san())));
    assert!(text(&file).contains("138****8000"));
    assert!(!text(&file).contains(&zhang_san()));
    assert!(!text(&file).contains("13800138000"));
    let list = clerk.get("/residents").await.expect(StatusCode::OK);
    assert!(text(&list).contains(&masked_id(&zhang_san())));
    assert!(!text(&list).contains(&zhang_san()));
}

/// A person file read through its page is audited as the API's read is.
#[tokio::test]
async fn reading_a_person_file_page_is_audited_as_a_read() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let reads = || -> Vec<_> {
        app.store()
            .audit_entries_unscoped(0, 1000)
            .expect("entries")
            .into_iter()
            .filter(|e| e.action == "read")
            .collect()
    };
    let before = reads().len();
    clerk
        .get(&format!("/persons/{}", seeded.person_id()))
        .await
        .expect(StatusCode::OK);
    let after = reads();
    assert_eq!(after.len(), before + 1);
    let read = after.last().expect("the page read");
    assert_eq!(read.object_kind.as_deref(), Some("person"));
    assert_eq!(read.object_id, Some(seeded.person_id().to_string()));
    assert_eq!(read.actor_name, clerk.username);
    assert_eq!(read.outcome, "success");
}

#[tokio::test]
async fn a_reveal_with_a_reason_shows_the_numbers_once_and_is_audited() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let path = format!("/persons/{}/reveal", seeded.person_id());
    let reason = "核实身份：办理居住证";
    let shown = post_form(&clerk, &path, &[("reason", reason)])
        .await
        .expect(StatusCode::OK);
    assert!(text(&shown).contains(&zhang_san()));
    assert!(text(&shown).contains("13800138000"));
    let reveals: Vec<_> = app
        .store()
        .audit_entries_unscoped(0, 1000)
        .expect("entries")
        .into_iter()
        .filter(|e| e.action == "reveal")
        .collect();
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0].actor_name, clerk.username);
    assert_eq!(reveals[0].object_id, Some(seeded.person_id().to_string()));
    let details: serde_json::Value = serde_json::from_str(&reveals[0].details).expect("json");
    assert_eq!(details["reason"], reason);
    // Reading the file again masks them again.
    let again = clerk
        .get(&format!("/persons/{}", seeded.person_id()))
        .await
        .expect(StatusCode::OK);
    assert!(!text(&again).contains(&zhang_san()));
}

#[tokio::test]
async fn a_reveal_without_a_reason_is_refused_in_chinese_keeping_what_was_typed() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let path = format!("/persons/{}/reveal", seeded.person_id());
    let refused = post_form(&clerk, &path, &[("reason", "看看")])
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&refused).contains("请填写查看完整信息的理由"));
    assert!(text(&refused).contains("value=\"看看\""));
    assert!(!text(&refused).contains(&zhang_san()));
    let reveals = app
        .store()
        .audit_entries_unscoped(0, 1000)
        .expect("entries")
        .into_iter()
        .filter(|e| e.action == "reveal")
        .count();
    assert_eq!(reveals, 0);
}

#[tokio::test]
async fn a_role_without_the_reveal_permission_gets_no_control_and_a_refusal() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let inspector = app.user(Role::Inspector, COMMUNITY).await;
    let file = inspector
        .get(&format!("/persons/{}", seeded.person_id()))
        .await
        .expect(StatusCode::OK);
    assert!(!text(&file).contains("/reveal\""));
    assert!(!text(&file).contains("/edit\""));
    let path = format!("/persons/{}/reveal", seeded.person_id());
    let refused = post_form(&inspector, &path, &[("reason", "核实身份：办理居住证")])
        .await
        .expect(StatusCode::FORBIDDEN);
    assert!(!text(&refused).contains(&zhang_san()));
}

#[tokio::test]
async fn an_edit_is_saved_and_the_file_shows_who_changed_what() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let form = clerk
        .get(&format!("/persons/{}/edit", seeded.person_id()))
        .await
        .expect(StatusCode::OK);
    assert!(text(&form).contains("value=\"花园路12号\""));
    assert!(
        !text(&form).contains("13800138000"),
        "the phone is never shown in full"
    );
    let saved = post_edit(
        &clerk,
        &seeded,
        &[
            ("domicile_address", "花园路99号"),
            ("current_address", "多福巷8号"),
        ],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        location(&saved),
        format!("/persons/{}?saved=1", seeded.person_id())
    );
    let person = clerk.get_person(seeded.person_id()).await.body;
    assert_eq!(person["person"]["domicile_address"], "花园路99号");
    assert_eq!(
        person["person"]["phone"], "138****8000",
        "an empty phone field keeps the number"
    );
    let file = clerk
        .get(&format!("/persons/{}?saved=1", seeded.person_id()))
        .await
        .expect(StatusCode::OK);
    let body = text(&file);
    assert!(body.contains("修改已保存"));
    assert!(
        body.contains("<del>花园路12号</del> → <ins>花园路99号</ins>"),
        "{body}"
    );
    assert!(body.contains("<ins>多福巷8号</ins>"));
    assert!(body.contains(&clerk.username));
}

#[tokio::test]
async fn a_refused_edit_keeps_every_value_typed_and_changes_nothing() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let root = app.user(Role::OfficeDirector, ROOT).await;
    let before = everything(&root, &seeded).await;
    let refused = post_edit(
        &clerk,
        &seeded,
        &[
            ("phone", "12345"),
            ("name", ""),
            ("current_address", "新地址1号"),
        ],
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let body = text(&refused);
    assert!(body.contains("此项必填"), "the blank name");
    assert!(body.contains("value=\"12345\""), "the wrong phone as typed");
    assert!(
        body.contains("value=\"新地址1号\""),
        "a right field as typed"
    );
    let stale = post_edit(&clerk, &seeded, &[("version", "0")])
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&stale).contains("刚刚被其他人修改过"));
    assert_eq!(everything(&root, &seeded).await, before);
}

#[tokio::test]
async fn a_tenant_moved_in_leaves_the_old_house_as_a_former_tenant() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let other = clerk
        .create_house(&with(house(), "address", json!("多福巷20号")))
        .await
        .expect(StatusCode::CREATED);
    let path = format!("/houses/{}/tenants", other.id());
    let found = post_form(&clerk, &path, &[("tenant_q", "zs")])
        .await
        .expect(StatusCode::OK);
    assert!(text(&found).contains("id=\"tenant-candidates\""));
    assert!(text(&found).contains(&masked_id(&zhang_san())));
    assert!(!text(&found).contains(&zhang_san()));
    let residence = seeded.residence_id().to_string();
    let version = seeded.residence["version"].to_string();
    // A move-in day in the future, or not a day: refused, nothing moves.
    for wrong in ["2999-01-01", "next week"] {
        let refused = post_form(
            &clerk,
            &path,
            &[
                ("residence", &residence),
                ("version", &version),
                ("moved_on", wrong),
            ],
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text(&refused).contains("class=\"alert error\""), "{wrong}");
        assert!(clerk.tenants(other.id()).await.body[0].is_null(), "{wrong}");
    }
    let moved = post_form(
        &clerk,
        &path,
        &[("residence", &residence), ("version", &version)],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&moved), format!("/houses/{}?moved=1", other.id()));
    let now = clerk.tenants(other.id()).await.body;
    assert_eq!(now[0]["ended_on"], json!(null));
    let old = clerk.tenants(seeded.house_id()).await.body;
    assert!(old[0]["ended_on"].is_string(), "{old}");
    // The same move again: the version read is stale.
    let again = post_form(
        &clerk,
        &path,
        &[("residence", &residence), ("version", &version)],
    )
    .await
    .expect(StatusCode::CONFLICT);
    assert!(text(&again).contains("刚刚被其他人修改过"));
}

#[tokio::test]
async fn the_age_band_filter_is_kept_in_the_url_and_checked() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    seed(&clerk).await;
    let child = with(arrival(&id_number_child()), "name", json!("王小明"));
    let mother = json!({
        "name": "李四", "id_number": li_si(), "relation": "母亲", "phone": "13911112222"
    });
    let child = with(child, "guardian", mother);
    clerk
        .register_arrival(&child)
        .await
        .expect(StatusCode::CREATED);
    let children = clerk
        .get("/residents?age_band=under_16")
        .await
        .expect(StatusCode::OK);
    assert!(text(&children).contains("王小明"));
    assert!(!text(&children).contains(">张三<"));
    assert!(text(&children).contains("<option value=\"under_16\" selected>"));
    let adults = clerk
        .get("/residents?age_band=16_59")
        .await
        .expect(StatusCode::OK);
    assert!(text(&adults).contains(">张三<"));
    assert!(!text(&adults).contains("王小明"));
    let old = clerk
        .get("/residents?age_band=60_plus")
        .await
        .expect(StatusCode::OK);
    assert!(!text(&old).contains(">张三<") && !text(&old).contains("王小明"));
    let api = clerk
        .search_residents("age_band=under_16")
        .await
        .expect(StatusCode::OK);
    assert_eq!(api.body["total"], 1);
    clerk
        .search_residents("age_band=ancient")
        .await
        .expect_field("age_band", "unknown_option");
}

#[tokio::test]
async fn a_sibling_unit_gets_no_page_and_no_data_from_the_new_routes() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let root = app.user(Role::OfficeDirector, ROOT).await;
    let sibling = app.user(Role::Coordinator, SIBLING).await;
    // Their own house, for trying to move our resident into it.
    let theirs = sibling
        .create_house(&with(house(), "unit", json!(SIBLING)))
        .await;
    let theirs = theirs.expect(StatusCode::CREATED).id();
    let before = everything(&root, &seeded).await;
    let person = seeded.person_id();
    let edit = sibling
        .get(&format!("/persons/{person}/edit"))
        .await
        .expect(StatusCode::NOT_FOUND);
    assert!(!text(&edit).contains("张三"));
    let saved = post_edit(&sibling, &seeded, &[("domicile_address", "别处1号")])
        .await
        .expect(StatusCode::NOT_FOUND);
    assert!(!text(&saved).contains("张三"));
    let reveal = post_form(
        &sibling,
        &format!("/persons/{person}/reveal"),
        &[("reason", "核实身份：办理居住证")],
    )
    .await
    .expect(StatusCode::NOT_FOUND);
    assert!(!text(&reveal).contains(&zhang_san()) && !text(&reveal).contains("张三"));
    // Their own house, our resident: the resident is not theirs to move.
    let residence = seeded.residence_id().to_string();
    let version = seeded.residence["version"].to_string();
    post_form(
        &sibling,
        &format!("/houses/{theirs}/tenants"),
        &[("residence", &residence), ("version", &version)],
    )
    .await
    .expect(StatusCode::NOT_FOUND);
    let found = post_form(
        &sibling,
        &format!("/houses/{theirs}/tenants"),
        &[("tenant_q", "张三")],
    )
    .await
    .expect(StatusCode::OK);
    assert!(!text(&found).contains(">张三<"));
    // Our house: not theirs to see.
    post_form(
        &sibling,
        &format!("/houses/{}/tenants", seeded.house_id()),
        &[("tenant_q", "张三")],
    )
    .await
    .expect(StatusCode::NOT_FOUND);
    assert_eq!(everything(&root, &seeded).await, before);
}

#[tokio::test]
async fn the_new_routes_need_a_sign_in() {
    let app = deployment();
    let reply = app.get("/persons/1/edit").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    for path in ["/persons/1/edit", "/persons/1/reveal", "/houses/1/tenants"] {
        let reply = app.raw(Method::POST, path, FORM, "reason=x").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "POST {path}");
        assert_eq!(location(&reply), "/sign-in", "POST {path}");
    }
}

#[tokio::test]
async fn the_contact_card_prints_the_contacts_the_unit_keeps() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let card = format!("/persons/{}/card", seeded.person_id());
    let blank = clerk.get(&card).await.expect(StatusCode::OK);
    assert!(text(&blank).contains("id=\"card-coordinator\"></dd>"));

    let admin = app.user(Role::SystemAdmin, ROOT).await;
    let path = format!("/admin/units/{COMMUNITY}/contacts");
    // Wrong numbers: each beside its field, nothing saved.
    let wrong = post_form(
        &admin,
        &path,
        &[
            ("coordinator", "王协管"),
            ("phone", "12345"),
            ("police_phone", "x"),
        ],
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["phone", "police_phone"] {
        let at = text(&wrong)
            .find(&format!("id=\"{field}-msg\" role=\"alert\">"))
            .expect("the field's message");
        assert!(
            !text(&wrong)[at..].starts_with(&format!("id=\"{field}-msg\" role=\"alert\"></p>"))
        );
    }
    assert!(text(&wrong).contains("value=\"王协管\""));
    let unchanged = clerk.get(&card).await.expect(StatusCode::OK);
    assert!(!text(&unchanged).contains("王协管"));
    // A clerk reads the tree but may not change a unit's contacts.
    post_form(&clerk, &path, &[("coordinator", "李四")])
        .await
        .expect(StatusCode::FORBIDDEN);
    // Another unit's contacts are not this administrator's... nor a unit
    // that does not exist.
    post_form(
        &admin,
        "/admin/units/110101009999/contacts",
        &[("coordinator", "李四")],
    )
    .await
    .expect(StatusCode::NOT_FOUND);

    let saved = post_form(
        &admin,
        &path,
        &[
            ("coordinator", "王协管"),
            ("phone", "010-65123456"),
            ("police_officer", "赵民警"),
            ("police_phone", "13900139001"),
        ],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), format!("{path}?saved=1"));
    let printed = clerk.get(&card).await.expect(StatusCode::OK);
    let page = text(&printed);
    assert!(
        page.contains("id=\"card-coordinator\">王协管</dd>"),
        "{page}"
    );
    assert!(page.contains("id=\"card-phone\">010-65123456</dd>"));
    assert!(page.contains("id=\"card-police\">赵民警 13900139001</dd>"));
}

#[tokio::test]
async fn the_registration_form_and_receipt_print_the_file_masked_and_are_audited() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let seeded = seed(&clerk).await;
    let reads = || {
        app.store()
            .audit_entries_unscoped(0, 1000)
            .expect("entries")
            .into_iter()
            .filter(|e| e.action == "read")
            .count()
    };
    let residence = format!("{:010}", seeded.residence_id());
    for (path, title) in [
        ("form", "流动人口信息登记表"),
        ("receipt", "流动人口居住登记回执"),
    ] {
        let before = reads();
        let page = clerk
            .get(&format!("/persons/{}/{path}", seeded.person_id()))
            .await
            .expect(StatusCode::OK);
        let html = text(&page);
        assert!(html.contains(title), "{path}");
        assert!(html.contains("id=\"printout-name\">张三<"), "{path}");
        assert!(html.contains(&residence), "{path}: the registration number");
        assert!(html.contains(&masked_id(&zhang_san())), "{path}: masked");
        assert!(!html.contains(&zhang_san()), "{path}: the number in full");
        assert_eq!(reads(), before + 1, "{path}: audited");
    }
    let form = clerk
        .get(&format!("/persons/{}/form", seeded.person_id()))
        .await
        .expect(StatusCode::OK);
    for shown in ["多福巷12号", "登记人签字", "经办人"] {
        assert!(text(&form).contains(shown), "{shown}");
    }
    // Another community's clerk: no such page.
    let sibling = app.user(Role::Clerk, SIBLING).await;
    for path in ["form", "receipt"] {
        sibling
            .get(&format!("/persons/{}/{path}", seeded.person_id()))
            .await
            .expect(StatusCode::NOT_FOUND);
    }
}
