//! A minor under 16 is registered with an adult guardian (R2.6): each wrong
//! input refused beside its field, the guardian masked in every response
//! and shown in full only by the audited reveal, and a file edit that would
//! leave a minor without a guardian refused.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sojourn_domain::account::Role;

/// A boy born 2018-05-06: 5 on the arrival date of the fixtures.
fn child() -> String {
    id_number("110101", "20180506", "013")
}

fn mother() -> Value {
    json!({ "name": "李四", "id_number": li_si(), "relation": "母亲", "phone": "13911112222" })
}

fn child_arrival(guardian: Value) -> Value {
    let body = with(arrival(&child()), "name", json!("张小宝"));
    with(body, "guardian", guardian)
}

#[tokio::test]
async fn a_minor_without_a_guardian_is_refused_beside_the_guardian_fieldset() {
    let app = spawn_app(ROOT).await;
    for none in [Value::Null, json!({}), json!({ "name": " ", "phone": "" })] {
        let reply = app.register_arrival(&child_arrival(none)).await;
        let reply = reply.expect_field("guardian", "guardian_required");
        assert!(
            reply.body.to_string().contains("16周岁以下未成年人"),
            "{:#}",
            reply.body
        );
    }
    // Nothing was stored: the adult registers as before, the child not at all.
    app.register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn every_wrong_guardian_field_is_named_at_once() {
    let app = spawn_app(ROOT).await;
    let wrong = json!({
        "name": "",
        "id_number": with_wrong_check(&li_si()),
        "relation": "邻居",
        "phone": "110"
    });
    let reply = app.register_arrival(&child_arrival(wrong)).await;
    let reply = reply.expect_field("guardian.name", "required");
    for (field, code) in [
        ("guardian.id_number", "id_number_check_character"),
        ("guardian.relation", "code_table_unknown"),
        ("guardian.phone", "phone_invalid"),
    ] {
        assert!(
            reply
                .fields()
                .contains(&(field.to_owned(), code.to_owned())),
            "{field}: {code} in {:#}",
            reply.body
        );
    }
}

#[tokio::test]
async fn a_guardian_is_an_adult_and_not_the_minor() {
    let app = spawn_app(ROOT).await;
    // Born 2009-01-01: 15 on the arrival date.
    let teen = json!({
        "name": "张大哥", "id_number": id_number("110101", "20090101", "015"),
        "relation": "其他亲属", "phone": "13911113333"
    });
    app.register_arrival(&child_arrival(teen))
        .await
        .expect_field("guardian.id_number", "guardian_not_adult");
    let own = json!({ "name": "张小宝", "id_number": child(), "relation": "其他", "phone": "13911114444" });
    app.register_arrival(&child_arrival(own))
        .await
        .expect_field("guardian.id_number", "guardian_is_self");
}

#[tokio::test]
async fn the_guardian_is_masked_in_responses_and_revealed_in_full_with_a_reason() {
    let deployment = deployment();
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    let reply = clerk
        .register_arrival(&child_arrival(mother()))
        .await
        .expect(StatusCode::CREATED);
    let guardian = &reply.body["person"]["guardian"];
    assert_eq!(guardian["name"], "李四");
    assert_eq!(guardian["id_number"], masked_id(&li_si()));
    assert_eq!(guardian["phone"], "139****2222");
    assert_eq!(guardian["relation"], "02");
    assert_eq!(guardian["relation_name"], "母亲");
    let person = reply.body["person"]["id"].as_i64().expect("id");
    let read = clerk.get_person(person).await.expect(StatusCode::OK);
    assert_eq!(read.body["person"]["guardian"], *guardian);
    assert!(!read.body.to_string().contains(&li_si()));
    let revealed = clerk
        .post(
            &format!("/api/v1/persons/{person}/reveal"),
            &json!({ "fields": ["guardian.id_number", "guardian.phone"], "reason": "联系监护人：办理入学" }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(revealed.body["values"]["guardian.id_number"], li_si());
    assert_eq!(revealed.body["values"]["guardian.phone"], "13911112222");
}

#[tokio::test]
async fn an_edit_may_change_but_not_remove_a_minors_guardian() {
    let app = spawn_app(ROOT).await;
    let body = child_arrival(mother());
    let reply = app
        .register_arrival(&body)
        .await
        .expect(StatusCode::CREATED);
    let person = reply.body["person"]["id"].as_i64().expect("id");
    let keys = [
        "name",
        "ethnicity",
        "domicile",
        "domicile_address",
        "phone",
        "marital_status",
        "education",
        "political_status",
        "occupation",
    ];
    let mut update = json!({ "version": 1 });
    for key in keys {
        update[key] = body[key].clone();
    }
    app.update_person(person, &update)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "guardian_required");
    let father = json!({
        "name": "张三", "id_number": zhang_san(), "relation": "01", "phone": "13911115555"
    });
    update["guardian"] = father;
    let edited = app
        .update_person(person, &update)
        .await
        .expect(StatusCode::OK);
    assert_eq!(edited.body["guardian"]["relation_name"], "父亲");
    assert_eq!(
        edited.body["guardian"]["id_number"],
        masked_id(&zhang_san())
    );
    let history = app.person_history(person).await.expect(StatusCode::OK);
    let versions = history.body.as_array().expect("versions");
    assert_eq!(versions[0]["snapshot"]["guardian"]["name"], "李四");
    assert_eq!(versions[1]["snapshot"]["guardian"]["name"], "张三");
}

// ---- the pages ----

const FORM: &str = "application/x-www-form-urlencoded";

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
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The registration form for the child, with `extra` fields.
fn register_form(extra: &[(&'static str, &str)]) -> String {
    let mut pairs: Vec<(&str, String)> = vec![
        ("id_number", child()),
        ("name", "张小宝".into()),
        ("ethnicity", "01".into()),
        ("domicile_province", "41".into()),
        ("domicile_city", "4101".into()),
        ("domicile_county", "410105".into()),
        ("unit", COMMUNITY.into()),
        ("arrived_on", "2024-03-05".into()),
        ("reason", "05".into()),
        ("current_address", "东华门街道多福巷12号3单元201".into()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    encode(&pairs)
}

fn html(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

#[tokio::test]
async fn the_registration_form_marks_a_missing_guardian_and_keeps_what_was_typed() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let reply = clerk
        .raw(Method::POST, "/residents/new", FORM, register_form(&[]))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&reply);
    assert!(
        page.contains("id=\"guardian-msg\" role=\"alert\">16周岁以下未成年人"),
        "{page}"
    );
    assert!(page.contains("guardian-need minor"), "{page}");
    assert!(page.contains("张小宝"));
    let teen = id_number("110101", "20090101", "015");
    let reply = clerk
        .raw(
            Method::POST,
            "/residents/new",
            FORM,
            register_form(&[
                ("guardian.name", "张大哥"),
                ("guardian.id_number", &teen),
                ("guardian.relation", "05"),
                ("guardian.phone", "139"),
            ]),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&reply);
    assert!(
        page.contains("id=\"guardian.phone-msg\" role=\"alert\">"),
        "{page}"
    );
    assert!(
        !page.contains("id=\"guardian.phone-msg\" role=\"alert\"></p>"),
        "{page}"
    );
    assert!(page.contains("张大哥"), "the guardian's name is kept");
}

#[tokio::test]
async fn the_id_check_says_whether_a_guardian_is_needed_on_the_arrival_date() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let ask = |id: String, on: &str| encode(&[("id_number", id), ("arrived_on", on.to_owned())]);
    let minor = clerk
        .raw(
            Method::POST,
            "/ui/id-check",
            FORM,
            ask(child(), "2024-03-05"),
        )
        .await
        .expect(StatusCode::OK);
    assert!(
        html(&minor).contains("guardian-need minor"),
        "{}",
        html(&minor)
    );
    assert!(html(&minor).contains("hx-swap-oob"));
    let adult = clerk
        .raw(
            Method::POST,
            "/ui/id-check",
            FORM,
            ask(zhang_san(), "2024-03-05"),
        )
        .await
        .expect(StatusCode::OK);
    assert!(
        html(&adult).contains("guardian-need adult"),
        "{}",
        html(&adult)
    );
    // Born 2009-01-01: 15 when arriving in 2024, 17 today.
    let teen = id_number("110101", "20090101", "015");
    let then = clerk
        .raw(Method::POST, "/ui/id-check", FORM, ask(teen, "2024-03-05"))
        .await
        .expect(StatusCode::OK);
    assert!(
        html(&then).contains("guardian-need minor"),
        "{}",
        html(&then)
    );
}

#[tokio::test]
async fn a_child_registered_through_the_form_shows_the_guardian_masked_on_the_file() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let mother = li_si();
    let reply = clerk
        .raw(
            Method::POST,
            "/residents/new",
            FORM,
            register_form(&[
                ("guardian.name", "李四"),
                ("guardian.id_number", &mother),
                ("guardian.relation", "02"),
                ("guardian.phone", "13911112222"),
            ]),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    let to = reply
        .headers
        .get(axum::http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let path = to.split('?').next().unwrap_or_default().to_owned();
    let file = clerk.get(&path).await.expect(StatusCode::OK);
    let page = html(&file);
    assert!(page.contains("李四（母亲）"), "{page}");
    assert!(page.contains(&masked_id(&mother)), "{page}");
    assert!(page.contains("139****2222"), "{page}");
    assert!(!page.contains(&mother) && !page.contains("13911112222"));
    // The edit form shows the guardian, its numbers only as hints.
    let edit = clerk
        .get(&format!("{path}/edit"))
        .await
        .expect(StatusCode::OK);
    let page = html(&edit);
    assert!(page.contains("value=\"李四\""), "{page}");
    assert!(!page.contains(&mother), "{page}");
    assert!(page.contains("guardian_clear"));
}
