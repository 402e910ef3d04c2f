//! The audit trail as the API writes and serves it: every sign-in (good,
//! bad, locked), sign-out, read of a person's file, search, reveal,
//! permission change and refusal leaves an entry saying who, from where,
//! what and how it ended; only the audit administrator reads it, within
//! their jurisdiction, and exports it.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sojourn_domain::account::Role;
use sojourn_store::AuditEntry;

/// Every entry so far, oldest first.
fn trail(app: &TestApp) -> Vec<AuditEntry> {
    app.store()
        .audit_entries_unscoped(0, 10_000)
        .expect("entries")
}

/// The entries after `after` whose action is `action`.
fn entries(app: &TestApp, after: i64, action: &str) -> Vec<AuditEntry> {
    trail(app)
        .into_iter()
        .filter(|e| e.seq > after && e.action == action)
        .collect()
}

fn last_seq(app: &TestApp) -> i64 {
    trail(app).last().map_or(0, |e| e.seq)
}

fn details(entry: &AuditEntry) -> Value {
    serde_json::from_str(&entry.details).expect("details are JSON")
}

#[tokio::test]
async fn sign_ins_good_bad_and_locked_and_sign_outs_are_audited_with_the_address() {
    let deployment = deployment();
    let (username, _) = deployment.open_account(&[Role::Clerk], COMMUNITY, false);
    let client = deployment.anonymous();
    let address = client.address.to_string();
    client
        .sign_in("nosuchuser", "Wrong#Passw0rd1", None)
        .await
        .expect(StatusCode::UNAUTHORIZED);
    for _ in 0..4 {
        client
            .sign_in(&username, "Wrong#Passw0rd1", None)
            .await
            .expect(StatusCode::UNAUTHORIZED);
    }
    client
        .sign_in(&username, "Wrong#Passw0rd1", None)
        .await
        .expect(StatusCode::TOO_MANY_REQUESTS);
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::TOO_MANY_REQUESTS);
    let unknown = entries(&deployment, 0, "sign_in_failed");
    assert_eq!(
        unknown.len(),
        5,
        "one unknown name and four wrong passwords"
    );
    assert_eq!(unknown[0].actor_name, "(anonymous)");
    assert_eq!(unknown[0].address.as_deref(), Some(address.as_str()));
    assert!(
        !unknown[0].details.contains("nosuchuser"),
        "the name typed is not kept"
    );
    assert_eq!(details(&unknown[1])["reason"], "wrong_password");
    assert_eq!(unknown[1].actor_name, username);
    assert_eq!(unknown[1].unit.as_deref(), Some(COMMUNITY));
    assert_eq!(unknown[1].outcome, "failure");
    let locked = entries(&deployment, 0, "sign_in_locked");
    assert_eq!(
        locked.len(),
        2,
        "the fifth failure, then the attempt while locked"
    );
    assert_eq!(details(&locked[1])["reason"], "locked");

    let mut clerk = deployment.anonymous();
    deployment.clock().advance(time::Duration::minutes(16));
    let before = last_seq(&deployment);
    clerk.sign_in_as(&username).await;
    let good = entries(&deployment, before, "sign_in");
    assert_eq!(good.len(), 1);
    assert_eq!(good[0].outcome, "success");
    assert_eq!(good[0].actor_account, clerk.account_id);
    assert_eq!(
        good[0].address.as_deref(),
        Some(clerk.address.to_string().as_str())
    );
    clerk
        .delete("/api/v1/session")
        .await
        .expect(StatusCode::NO_CONTENT);
    let out = entries(&deployment, before, "sign_out");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].actor_name, username);
    assert!(
        deployment
            .store()
            .verify_audit_unscoped(&[])
            .expect("verify")
            .is_intact()
    );
}

#[tokio::test]
async fn reading_a_person_file_history_or_list_is_audited_with_the_records_read() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let arrived = director
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED)
        .body;
    let person = arrived["person"]["id"].as_i64().expect("person");
    let residence = arrived["residence"]["id"].as_i64().expect("residence");
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    let before = last_seq(&deployment);
    clerk.get_person(person).await.expect(StatusCode::OK);
    clerk.person_history(person).await.expect(StatusCode::OK);
    clerk.get_residence(residence).await.expect(StatusCode::OK);
    clerk
        .search_residents(&format!("q={}", zhang_san()))
        .await
        .expect(StatusCode::OK);

    let reads = entries(&deployment, before, "read");
    assert_eq!(reads.len(), 2);
    assert_eq!(reads[0].object_kind.as_deref(), Some("person"));
    assert_eq!(reads[0].object_id, Some(person.to_string()));
    assert_eq!(details(&reads[0])["residences"], json!([residence]));
    assert_eq!(reads[0].actor_name, clerk.username);
    assert_eq!(reads[0].actor_role.as_deref(), Some("clerk"));
    assert_eq!(reads[0].unit.as_deref(), Some(COMMUNITY));
    assert_eq!(reads[1].object_kind.as_deref(), Some("residence"));
    let history = entries(&deployment, before, "history");
    assert_eq!(history.len(), 1);
    let searches = entries(&deployment, before, "search");
    assert_eq!(searches.len(), 1);
    let search = details(&searches[0]);
    assert_eq!(search["list"], "residents");
    assert_eq!(search["term"], "id_number");
    assert_eq!(search["returned"]["persons"], json!([person]));
    assert!(
        !searches[0].details.contains(&zhang_san()),
        "the search term is not kept"
    );
    // A read outside the jurisdiction is recorded as a failure.
    let sibling = deployment.user(Role::Clerk, SIBLING).await;
    sibling
        .get_person(person)
        .await
        .expect(StatusCode::NOT_FOUND);
    let failed = entries(&deployment, before, "read");
    assert_eq!(failed.last().map(|e| e.outcome.as_str()), Some("failure"));
    assert_eq!(
        failed.last().and_then(|e| e.unit.clone()).as_deref(),
        Some(SIBLING)
    );
}

#[tokio::test]
async fn refusals_by_the_guard_are_audited_with_who_and_what() {
    let deployment = deployment();
    let inspector = deployment.user(Role::Inspector, COMMUNITY).await;
    let before = last_seq(&deployment);
    inspector
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::FORBIDDEN);
    deployment
        .anonymous()
        .get("/api/v1/residents")
        .await
        .expect(StatusCode::UNAUTHORIZED);
    let refused = entries(&deployment, before, "refused");
    assert_eq!(refused.len(), 2);
    assert_eq!(refused[0].actor_name, inspector.username);
    assert_eq!(refused[0].outcome, "denied");
    let what = details(&refused[0]);
    assert_eq!(what["method"], "POST");
    assert_eq!(what["path"], "/api/v1/residents");
    assert_eq!(what["status"], 403);
    assert_eq!(refused[1].actor_name, "(anonymous)");
    assert_eq!(details(&refused[1])["code"], "unauthenticated");
}

#[tokio::test]
async fn account_and_token_changes_are_audited_by_whoever_made_them() {
    let deployment = deployment();
    let sysadmin = deployment.user(Role::SystemAdmin, ROOT).await;
    let secadmin = deployment.user(Role::SecurityAdmin, ROOT).await;
    let created = sysadmin
        .post(
            "/api/v1/accounts",
            &json!({ "username": "wangwu", "display_name": "王五", "unit": COMMUNITY }),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = created.body["account"]["id"].as_i64().expect("id");
    secadmin
        .put(
            &format!("/api/v1/accounts/{id}/roles"),
            &json!({ "roles": ["clerk"] }),
        )
        .await
        .expect(StatusCode::OK);
    sysadmin
        .post(&format!("/api/v1/accounts/{id}/disable"), &json!({}))
        .await
        .expect(StatusCode::OK);
    let created = entries(&deployment, 0, "account_created");
    let created = created.last().expect("entry");
    assert_eq!(created.actor_name, sysadmin.username);
    assert_eq!(created.actor_role.as_deref(), Some("system_admin"));
    let roles = entries(&deployment, 0, "roles_assigned");
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].actor_name, secadmin.username);
    assert_eq!(details(&roles[0])["after"], json!(["clerk"]));
    assert_eq!(entries(&deployment, 0, "account_disabled").len(), 1);
}

#[tokio::test]
async fn only_the_audit_administrator_searches_the_trail_within_their_jurisdiction() {
    let deployment = deployment();
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    let sibling_clerk = deployment.user(Role::Clerk, SIBLING).await;
    clerk
        .search_residents("status=any")
        .await
        .expect(StatusCode::OK);
    sibling_clerk
        .search_residents("status=any")
        .await
        .expect(StatusCode::OK);
    for role in Role::ALL.into_iter().filter(|r| *r != Role::AuditAdmin) {
        let user = deployment.user(role, ROOT).await;
        user.get("/api/v1/audit")
            .await
            .expect_error(StatusCode::FORBIDDEN, "forbidden");
        user.get("/api/v1/audit/export")
            .await
            .expect_error(StatusCode::FORBIDDEN, "forbidden");
    }
    let auditor = deployment.user(Role::AuditAdmin, COMMUNITY).await;
    let page = auditor
        .get(&format!(
            "/api/v1/audit?action=search&actor={}",
            clerk.username
        ))
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(page["total"], 1);
    let entry = &page["items"][0];
    assert_eq!(entry["actor"]["name"], clerk.username.as_str());
    assert_eq!(entry["actor"]["role"], "clerk");
    assert_eq!(entry["action"], "search");
    assert_eq!(entry["outcome"], "success");
    assert_eq!(entry["details"]["list"], "residents");
    assert!(entry["at"].as_str().is_some_and(|t| t.ends_with("+08:00")));
    assert_eq!(entry["hash"].as_str().map(str::len), Some(64));
    // The sibling community's entries are not this auditor's.
    let sibling = auditor
        .get(&format!("/api/v1/audit?actor={}", sibling_clerk.username))
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(sibling["total"], 0);
    // Filters: outcome, time range, paging; bad filters refused.
    let denied = auditor
        .get("/api/v1/audit?outcome=denied&from=2000-01-01&to=2999-12-31&per_page=2")
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(denied["per_page"], 2);
    assert!(denied["items"].as_array().is_some_and(|i| i.len() <= 2));
    for item in denied["items"].as_array().expect("items") {
        assert_eq!(item["outcome"], "denied");
    }
    let none = auditor
        .get("/api/v1/audit?to=2000-01-01")
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(none["total"], 0);
    auditor
        .get("/api/v1/audit?action=delete_everything&from=yesterday")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .expect_field("action", "unknown_option")
        .expect_field("from", "time_invalid");
    // Reading the trail is itself recorded.
    assert!(!entries(&deployment, 0, "audit_read").is_empty());
}

#[tokio::test]
async fn the_audit_administrator_exports_the_trail_as_json_lines_or_csv() {
    let deployment = deployment();
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    clerk
        .search_residents("status=any")
        .await
        .expect(StatusCode::OK);
    let auditor = deployment.user(Role::AuditAdmin, ROOT).await;
    let reply = auditor
        .get("/api/v1/audit/export")
        .await
        .expect(StatusCode::OK);
    assert!(
        reply.headers["content-type"]
            .to_str()
            .is_ok_and(|v| v.starts_with("application/x-ndjson"))
    );
    assert!(
        reply.headers["content-disposition"]
            .to_str()
            .is_ok_and(|v| v.starts_with("attachment"))
    );
    let text = reply.body.as_str().expect("text").to_owned();
    let archived: Vec<AuditEntry> = text
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("a JSON line");
            AuditEntry::from_json(&value).expect("an entry")
        })
        .collect();
    assert!(archived.len() >= 3);
    // The archive checks on its own.
    let report = sojourn_store::audit::verify_entries(archived, &[]);
    assert!(report.is_intact(), "{:?}", report.findings);

    let csv = auditor
        .get("/api/v1/audit/export?format=csv&action=search")
        .await
        .expect(StatusCode::OK);
    let text = csv.body.as_str().expect("text");
    assert!(text.starts_with("\u{feff}seq,at,actor_name"), "{text}");
    assert_eq!(text.lines().count(), 2, "header and the one search: {text}");
    let exports = entries(&deployment, 0, "audit_export");
    assert_eq!(exports.len(), 2);
    assert_eq!(details(&exports[1])["format"], "csv");
    assert_eq!(details(&exports[1])["entries"], 1);
}

#[tokio::test]
async fn audited_reads_are_limited_per_account_and_a_refused_read_leaves_no_entry() {
    let deployment = deployment_with(sojourn_web::auth::SecurityConfig {
        audited_reads: sojourn_web::auth::RateLimit {
            max: 3,
            per: time::Duration::minutes(1),
        },
        ..Default::default()
    });
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let arrived = director
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED)
        .body;
    let person = arrived["person"]["id"].as_i64().expect("person");
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    clerk.get_person(person).await.expect(StatusCode::OK);
    clerk
        .search_residents("q=zhang")
        .await
        .expect(StatusCode::OK);
    clerk.person_history(person).await.expect(StatusCode::OK);
    let before = last_seq(&deployment);
    let refused = clerk
        .get_person(person)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(
        refused.message_zh().contains("秒后再试"),
        "{}",
        refused.message_zh()
    );
    assert!(
        refused.message_en().contains("try again in"),
        "{}",
        refused.message_en()
    );
    let retry: i64 = refused
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry), "{retry}");
    clerk
        .search_residents("q=zhang")
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let page = clerk.get(&format!("/persons/{person}")).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        last_seq(&deployment),
        before,
        "refused reads leave no entry"
    );
    // Another account reads on; this one does once the minute is over.
    let other = deployment.user(Role::Clerk, COMMUNITY).await;
    other.get_person(person).await.expect(StatusCode::OK);
    deployment.clock().advance(time::Duration::minutes(1));
    clerk.get_person(person).await.expect(StatusCode::OK);
}
