//! Masking by default: no response of any register shows an ID number or a
//! phone number in full, to any role; a role with the reveal permission
//! asks for the full values of one record with a reason, and the reveal is
//! audited with that reason.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::json;
use sojourn_domain::account::{Action, Resource, Role, allows};

/// A person (with a phone), a house with a person landlord and an outflow
/// record with a child left behind (with an ID number).
async fn seeded(director: &TestApp) -> (i64, i64, i64) {
    let arrived = director
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED)
        .body;
    let house = director
        .create_house(&house())
        .await
        .expect(StatusCode::CREATED)
        .id();
    let outflow = director
        .create_outflow(&outflow(&id_number("110101", "19800101", "011")))
        .await
        .expect(StatusCode::CREATED)
        .id();
    (
        arrived["person"]["id"].as_i64().expect("person"),
        house,
        outflow,
    )
}

/// Every full number the seeds hold.
fn full_numbers() -> Vec<String> {
    vec![
        zhang_san(),
        li_si(),
        id_number("110101", "19800101", "011"),
        id_number_child(),
        "13800138000".into(),
        "13700137000".into(),
        "65123456".into(),
    ]
}

#[tokio::test]
async fn no_response_shows_an_id_or_phone_number_in_full_to_any_role() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let (person, house, outflow) = seeded(&director).await;
    let mut readers = vec![director.clone()];
    for role in [
        Role::Clerk,
        Role::PoliceLiaison,
        Role::Inspector,
        Role::HealthWorker,
    ] {
        readers.push(deployment.user(role, COMMUNITY).await);
    }
    for reader in &readers {
        let mut texts = Vec::new();
        for path in [
            format!("/api/v1/persons/{person}"),
            format!("/api/v1/persons/{person}/history"),
            format!("/api/v1/houses/{house}"),
            format!("/api/v1/houses/{house}/history"),
            format!("/api/v1/outflows/{outflow}"),
            format!("/api/v1/outflows/{outflow}/history"),
            "/api/v1/residents?status=any".into(),
            "/api/v1/houses".into(),
            "/api/v1/outflows".into(),
        ] {
            let reply = reader.get(&path).await.expect(StatusCode::OK);
            texts.push(reply.body.to_string());
        }
        // Searching by the full number still finds the person (the number
        // travels in the body), and answers masked.
        let found = reader
            .search_residents(&format!("q={}", zhang_san()))
            .await
            .expect(StatusCode::OK);
        assert_eq!(found.body["total"], 1);
        assert_eq!(
            found.body["items"][0]["person"]["id_number"],
            masked_id(&zhang_san())
        );
        assert_eq!(found.body["items"][0]["person"]["phone"], "138****8000");
        texts.push(found.body.to_string());
        for text in texts {
            for number in full_numbers() {
                assert!(!text.contains(&number), "{number} in full: {text}");
            }
        }
    }
    let file = director.get_person(person).await.body;
    assert_eq!(file["person"]["id_number"], masked_id(&zhang_san()));
    assert!(
        file["person"]["id_number"]
            .as_str()
            .is_some_and(|m| m.starts_with("410105********"))
    );
    let landlord = &director.get_house(house).await.body["landlord"];
    assert_eq!(landlord["id_number"], masked_id(&li_si()));
    assert_eq!(landlord["phone"], "010-****3456");
}

#[tokio::test]
async fn a_role_that_may_reveal_sees_the_full_values_after_giving_a_reason_and_it_is_audited() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let (person, house, outflow) = seeded(&director).await;
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    let reason = "核实身份：办理居住证";
    let reply = clerk
        .post(
            &format!("/api/v1/persons/{person}/reveal"),
            &json!({ "fields": ["id_number", "phone"], "reason": reason }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body["values"]["id_number"], zhang_san());
    assert_eq!(reply.body["values"]["phone"], "13800138000");
    let landlord = clerk
        .post(
            &format!("/api/v1/houses/{house}/reveal"),
            &json!({ "fields": ["landlord.id_number", "landlord.phone"], "reason": reason }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(landlord.body["values"]["landlord.id_number"], li_si());
    assert_eq!(landlord.body["values"]["landlord.phone"], "010-65123456");
    let family = clerk
        .post(
            &format!("/api/v1/outflows/{outflow}/reveal"),
            &json!({ "fields": ["id_number", "left_behind.id_number"], "reason": reason }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        family.body["values"]["id_number"],
        id_number("110101", "19800101", "011")
    );
    assert_eq!(
        family.body["values"]["left_behind.id_number"],
        json!([null, id_number_child()])
    );

    let reveals: Vec<_> = deployment
        .store()
        .audit_entries_unscoped(0, 1000)
        .expect("entries")
        .into_iter()
        .filter(|e| e.action == "reveal")
        .collect();
    assert_eq!(reveals.len(), 3);
    let first = &reveals[0];
    assert_eq!(first.actor_name, clerk.username);
    assert_eq!(first.actor_role.as_deref(), Some("clerk"));
    assert_eq!(first.object_kind.as_deref(), Some("person"));
    assert_eq!(first.object_id, Some(person.to_string()));
    let details: serde_json::Value = serde_json::from_str(&first.details).expect("json");
    assert_eq!(details["reason"], reason);
    assert_eq!(details["fields"], json!(["id_number", "phone"]));
    assert!(
        !first.details.contains(&zhang_san()),
        "the value is not kept"
    );
}

#[tokio::test]
async fn a_reveal_without_a_proper_reason_or_field_is_refused_in_chinese_and_not_shown() {
    let app = spawn_app(ROOT).await;
    let (person, _, _) = seeded(&app).await;
    for reason in ["", "看看", &"很".repeat(201)] {
        let reply = app
            .post(
                &format!("/api/v1/persons/{person}/reveal"),
                &json!({ "fields": ["id_number"], "reason": reason }),
            )
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY)
            .expect_field("reason", "reveal_reason_length");
        assert!(reply.message_zh().contains("填写") || !reply.fields().is_empty());
        let text = reply.body.to_string();
        assert!(
            text.contains("请填写查看完整信息的理由（5至200个字）"),
            "{text}"
        );
        assert!(!text.contains(&zhang_san()));
    }
    app.post(
        &format!("/api/v1/persons/{person}/reveal"),
        &json!({ "fields": ["name", "password"], "reason": "核实身份信息" }),
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY)
    .expect_field("fields", "unknown_option");
    app.post(
        &format!("/api/v1/persons/{person}/reveal"),
        &json!({ "fields": [], "reason": "核实身份信息" }),
    )
    .await
    .expect_field("fields", "required");
}

#[tokio::test]
async fn roles_without_the_reveal_permission_are_refused() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let (person, _, _) = seeded(&director).await;
    let body = json!({ "fields": ["id_number"], "reason": "核实身份信息" });
    for role in Role::ALL {
        let user = deployment.user(role, ROOT).await;
        let reply = user
            .post(&format!("/api/v1/persons/{person}/reveal"), &body)
            .await;
        if allows(role, Action::Reveal, Resource::Resident) {
            assert_eq!(reply.status, StatusCode::OK, "{role:?}");
        } else {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role:?}");
            assert!(!reply.body.to_string().contains(&zhang_san()));
        }
    }
}
