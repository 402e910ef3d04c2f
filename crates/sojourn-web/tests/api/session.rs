//! Signing in and out: the session cookie, its lifetime, CSRF, lockout,
//! the second factor and the password rules. Time moves by the test
//! clock, never by sleeping.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{StatusCode, header};
use serde_json::json;
use sojourn_domain::account::Role;
use sojourn_web::auth::SecurityConfig;
use time::Duration;

/// A clerk's account in COMMUNITY and a client that has not signed in.
fn clerk_account(deployment: &TestApp) -> (String, TestApp) {
    let (username, _) = deployment.open_account(&[Role::Clerk], COMMUNITY, false);
    (username, deployment.anonymous())
}

/// The audit entries of `action`, oldest first.
fn trail(app: &TestApp, action: &str) -> Vec<sojourn_store::AuditEntry> {
    app.store()
        .audit_entries_unscoped(0, 10_000)
        .expect("entries")
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

fn header_of(reply: &Reply, name: &str) -> String {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn signing_in_sets_an_http_only_strict_session_cookie_and_returns_who_signed_in() {
    let deployment = deployment();
    let (username, client) = clerk_account(&deployment);
    let reply = client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
    let cookie = &reply.set_cookies()[0];
    assert!(cookie.starts_with("sojourn_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    assert!(
        !cookie.contains("Max-Age"),
        "dies with the browser: {cookie}"
    );
    let session_id = reply.session_cookie().expect("session id");
    assert_eq!(session_id.len(), 43, "256 bits, base64url");
    assert!(!reply.body.to_string().contains(&session_id));
    let principal = &reply.body["principal"];
    assert_eq!(principal["username"], username.as_str());
    assert_eq!(principal["unit"], COMMUNITY);
    assert_eq!(principal["roles"][0]["key"], "clerk");
    assert_eq!(principal["roles"][0]["name"], "信息录入员");
    assert_eq!(principal["password_change_required"], false);
    assert!(
        reply.body["csrf_token"]
            .as_str()
            .is_some_and(|t| t.len() == 43)
    );

    let mut signed_in = client.clone();
    signed_in.sign_in_as(&username).await;
    let me = signed_in
        .get("/api/v1/session")
        .await
        .expect(StatusCode::OK);
    assert_eq!(me.body["principal"]["username"], username.as_str());
}

#[tokio::test]
async fn the_session_cookie_is_secure_and_hsts_is_sent_when_served_over_tls() {
    let deployment = deployment_with(SecurityConfig {
        secure_cookies: true,
        ..SecurityConfig::default()
    });
    let (username, client) = clerk_account(&deployment);
    let reply = client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
    assert!(reply.set_cookies()[0].ends_with("; Secure"));
    assert!(header_of(&reply, "strict-transport-security").starts_with("max-age="));
    let plain = deployment_with(SecurityConfig::default());
    let reply = plain.get("/api/v1/openapi.json").await;
    assert!(!reply.headers.contains_key("strict-transport-security"));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_name_get_the_same_answer() {
    let deployment = deployment();
    let (username, client) = clerk_account(&deployment);
    let wrong = client.sign_in(&username, "Wrong#Passw0rd1", None).await;
    let unknown = client.sign_in("nosuchuser", PASSWORD, None).await;
    let malformed = client.sign_in("X", PASSWORD, None).await;
    for reply in [&wrong, &unknown, &malformed] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.code(), "invalid_credentials");
        assert!(reply.set_cookies().is_empty());
    }
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body, malformed.body);
}

#[tokio::test]
async fn every_sign_in_gets_a_new_session_id_and_ends_the_one_the_browser_had() {
    let deployment = deployment();
    let (username, mut client) = clerk_account(&deployment);
    client.sign_in_as(&username).await;
    let old = client.clone();
    let Credential::Session { cookie: old_id, .. } = &old.credential else {
        panic!("a session");
    };
    // Signing in again from the same browser, which sends its cookie.
    let reply = old
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
    let new_id = reply.session_cookie().expect("new id");
    assert_ne!(&new_id, old_id);
    old.get("/api/v1/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "session_expired");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_and_clears_the_cookie() {
    let app = spawn_app(ROOT).await;
    let reply = app
        .delete("/api/v1/session")
        .await
        .expect(StatusCode::NO_CONTENT);
    assert!(reply.set_cookies()[0].contains("Max-Age=0"));
    app.get("/api/v1/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "session_expired");
    app.search_residents("")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "session_expired");
}

#[tokio::test]
async fn a_session_survives_a_restart_of_the_server() {
    let app = spawn_app(ROOT).await;
    let restarted = app.restarted();
    restarted.list_units().await.expect(StatusCode::OK);
    restarted
        .create_house(&house())
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn a_session_ends_after_30_minutes_without_use() {
    let app = spawn_app(ROOT).await;
    for _ in 0..4 {
        app.clock().advance(Duration::minutes(29));
        app.list_units().await.expect(StatusCode::OK);
    }
    app.clock().advance(Duration::minutes(30));
    let reply = app
        .list_units()
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "session_expired");
    assert!(reply.set_cookies()[0].contains("Max-Age=0"));
    // Ended for good: coming back does not revive it.
    app.clock().advance(Duration::seconds(-1800));
    app.list_units()
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "session_expired");
}

#[tokio::test]
async fn a_session_ends_after_12_hours_however_busy() {
    let app = spawn_app(ROOT).await;
    for _ in 0..28 {
        app.clock().advance(Duration::minutes(25));
        app.list_units().await.expect(StatusCode::OK);
    }
    // 11 h 40 min so far; 12 h is the end.
    app.clock().advance(Duration::minutes(20));
    app.list_units()
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "session_expired");
}

#[tokio::test]
async fn a_change_through_a_session_needs_the_sessions_csrf_token() {
    let app = spawn_app(ROOT).await;
    let Credential::Session { cookie, .. } = app.credential.clone() else {
        panic!("a session");
    };
    for csrf in ["", "forged-token", "a".repeat(43).as_str()] {
        let forged = app.with_credential(Credential::Session {
            cookie: cookie.clone(),
            csrf: csrf.to_owned(),
        });
        forged
            .create_house(&house())
            .await
            .expect_error(StatusCode::FORBIDDEN, "csrf_token_invalid");
        forged
            .delete("/api/v1/session")
            .await
            .expect_error(StatusCode::FORBIDDEN, "csrf_token_invalid");
    }
    // Another session's token does not fit this one.
    let other = app.acting_for(ROOT).await;
    let Credential::Session {
        csrf: other_csrf, ..
    } = other.credential
    else {
        panic!("a session");
    };
    let crossed = app.with_credential(Credential::Session {
        cookie,
        csrf: other_csrf,
    });
    crossed
        .create_house(&house())
        .await
        .expect_error(StatusCode::FORBIDDEN, "csrf_token_invalid");
    let houses = app.search_houses("").await.expect(StatusCode::OK);
    assert_eq!(houses.body["total"], 0, "nothing was created");
    app.create_house(&house()).await.expect(StatusCode::CREATED);
}

#[tokio::test]
async fn six_failed_sign_ins_lock_the_account_for_15_minutes() {
    let deployment = deployment();
    let (username, client) = clerk_account(&deployment);
    for _ in 1..=4 {
        client
            .sign_in(&username, "Wrong#Passw0rd1", None)
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    // The fifth failure locks; the sixth attempt, and even the right
    // password, meet the lock, which says the wait in minutes.
    client
        .sign_in(&username, "Wrong#Passw0rd1", None)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_failures");
    let sixth = client.sign_in(&username, "Wrong#Passw0rd1", None).await;
    let sixth = sixth.expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_failures");
    assert!(
        sixth.message_zh().contains("请15分钟后再试"),
        "{}",
        sixth.message_zh()
    );
    assert!(
        sixth.message_en().contains("15 minutes"),
        "{}",
        sixth.message_en()
    );
    assert_eq!(header_of(&sixth, "retry-after"), "900");
    client.clock().advance(Duration::seconds(139));
    let later = client.sign_in(&username, PASSWORD, None).await;
    let later = later.expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_failures");
    assert!(
        later.message_zh().contains("请13分钟后再试"),
        "761 seconds are 13 minutes: {}",
        later.message_zh()
    );
    client.clock().advance(Duration::minutes(12));
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_failures");
    client.clock().advance(Duration::minutes(1));
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
}

/// Every answer, in order, to `attempts` sign-ins as `username`, each from
/// an address of its own.
async fn answers(
    deployment: &TestApp,
    username: &str,
    attempts: &[&str],
) -> Vec<(StatusCode, String, String)> {
    let mut answers = Vec::new();
    for password in attempts {
        let reply = deployment
            .anonymous()
            .sign_in(username, password, None)
            .await;
        let retry = header_of(&reply, "retry-after");
        answers.push((reply.status, reply.body.to_string(), retry));
    }
    answers
}

#[tokio::test]
async fn a_user_name_that_is_no_account_locks_exactly_as_an_account_does() {
    let deployment = deployment();
    let (username, _) = clerk_account(&deployment);
    let mut attempts = vec!["Wrong#Passw0rd1"; 6];
    // The right password of the real account, while it is locked.
    attempts.push(PASSWORD);
    let real = answers(&deployment, &username, &attempts).await;
    let unknown = answers(&deployment, "nosuchuser", &attempts).await;
    assert_eq!(real, unknown);
    assert_eq!(real[3].0, StatusCode::UNAUTHORIZED);
    assert_eq!(real[4].0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(real[6].0, StatusCode::TOO_MANY_REQUESTS);
    // The truth is in the audit trail only.
    let reasons: Vec<String> = trail(&deployment, "sign_in_locked")
        .into_iter()
        .map(|e| e.details)
        .collect();
    assert!(
        reasons
            .iter()
            .any(|d| d.contains("\"unknown_user_locked\"")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|d| d.contains("\"locked\"")),
        "{reasons:?}"
    );
}

#[tokio::test]
async fn failures_from_any_address_lock_the_user_name() {
    let deployment = deployment();
    let (username, _) = clerk_account(&deployment);
    for _ in 0..4 {
        deployment
            .anonymous()
            .sign_in(&username, "Wrong#Passw0rd1", None)
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    deployment
        .anonymous()
        .sign_in(&username, "Wrong#Passw0rd1", None)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_failures");
    deployment
        .anonymous()
        .sign_in(&username, PASSWORD, None)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_failures");
}

#[tokio::test]
async fn failures_spread_beyond_15_minutes_do_not_lock() {
    let deployment = deployment();
    let (username, client) = clerk_account(&deployment);
    for _ in 0..8 {
        client
            .sign_in(&username, "Wrong#Passw0rd1", None)
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
        client.clock().advance(Duration::minutes(4));
    }
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn ten_sign_ins_in_a_quarter_of_an_hour_lock_nobody() {
    let deployment = deployment();
    let (username, client) = clerk_account(&deployment);
    for _ in 0..12 {
        client
            .sign_in(&username, PASSWORD, None)
            .await
            .expect(StatusCode::OK);
        client.clock().advance(Duration::minutes(1));
    }
    // Nor do they count towards a lock: four failures still leave the
    // right password working.
    for _ in 0..4 {
        client
            .sign_in(&username, "Wrong#Passw0rd1", None)
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn a_lock_ends_the_accounts_open_sessions() {
    let deployment = deployment();
    let (username, _) = deployment.open_account(&[Role::Clerk], COMMUNITY, false);
    let mut signed_in = deployment.anonymous();
    signed_in.sign_in_as(&username).await;
    signed_in
        .get("/api/v1/session")
        .await
        .expect(StatusCode::OK);
    let guesser = deployment.anonymous();
    for _ in 0..5 {
        guesser.sign_in(&username, "Wrong#Passw0rd1", None).await;
    }
    signed_in
        .get("/api/v1/session")
        .await
        .expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_successful_sign_in_starts_the_failure_count_afresh() {
    let deployment = deployment();
    let (username, client) = clerk_account(&deployment);
    for round in 0..2 {
        for _ in 0..4 {
            client
                .sign_in(&username, "Wrong#Passw0rd1", None)
                .await
                .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
        }
        if round == 0 {
            client
                .sign_in(&username, PASSWORD, None)
                .await
                .expect(StatusCode::OK);
        }
        client.clock().advance(Duration::minutes(16));
    }
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn an_administrator_cannot_sign_in_without_a_valid_second_factor_code() {
    let deployment = deployment();
    for role in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
        let (username, secret) = deployment.open_account(&[role], ROOT, false);
        let mut client = deployment.anonymous();
        client.totp_secret = secret;
        let wrong_password = client.sign_in(&username, "Wrong#Passw0rd1", None).await;
        let wrong_password =
            wrong_password.expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
        // The right password without a code is answered as a wrong one:
        // the answer must not confirm the password.
        for missing in [None, Some("")] {
            let reply = client.sign_in(&username, PASSWORD, missing).await;
            assert_eq!(reply.status, wrong_password.status);
            assert_eq!(reply.body, wrong_password.body);
        }
        let code = client.totp_code().expect("code");
        let wrong = format!(
            "{:06}",
            (code.parse::<u32>().expect("digits") + 1) % 1_000_000
        );
        client
            .sign_in(&username, PASSWORD, Some(&wrong))
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
        // Password and code in one request.
        client
            .sign_in(&username, PASSWORD, Some(&code))
            .await
            .expect(StatusCode::OK);
    }
}

#[tokio::test]
async fn a_missing_code_counts_as_a_failure_and_is_audited_as_what_it_was() {
    let deployment = deployment();
    let (username, secret) = deployment.open_account(&[Role::AuditAdmin], ROOT, false);
    let mut client = deployment.anonymous();
    client.totp_secret = secret;
    for _ in 0..4 {
        client
            .sign_in(&username, PASSWORD, None)
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_failures");
    let code = client.totp_code().expect("code");
    client
        .sign_in(&username, PASSWORD, Some(&code))
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_failures");
    let trail = trail(&deployment, "sign_in_failed");
    assert_eq!(trail.len(), 4);
    assert!(
        trail
            .iter()
            .all(|e| e.details.contains("second_factor_required")),
        "{trail:?}"
    );
}

#[tokio::test]
async fn a_second_factor_code_is_good_once() {
    let deployment = deployment();
    let (username, secret) = deployment.open_account(&[Role::SecurityAdmin], ROOT, false);
    let mut client = deployment.anonymous();
    client.totp_secret = secret;
    let code = client.totp_code().expect("code");
    client
        .sign_in(&username, PASSWORD, Some(&code))
        .await
        .expect(StatusCode::OK);
    client
        .sign_in(&username, PASSWORD, Some(&code))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    client.clock().advance(Duration::seconds(30));
    let next = client.totp_code().expect("code");
    client
        .sign_in(&username, PASSWORD, Some(&next))
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn a_first_password_must_be_changed_before_anything_else() {
    let deployment = deployment();
    let (username, _) = deployment.open_account(&[Role::Clerk], COMMUNITY, true);
    let mut client = deployment.anonymous();
    client.sign_in_as(&username).await;
    let me = client.get("/api/v1/session").await.expect(StatusCode::OK);
    assert_eq!(me.body["principal"]["password_change_required"], true);
    client
        .search_residents("")
        .await
        .expect_error(StatusCode::FORBIDDEN, "password_change_required");
    client
        .create_house(&house())
        .await
        .expect_error(StatusCode::FORBIDDEN, "password_change_required");
    client
        .divisions("")
        .await
        .expect_error(StatusCode::FORBIDDEN, "password_change_required");
    let changed = client
        .post(
            "/api/v1/session/password",
            &json!({ "current_password": PASSWORD, "new_password": "Liudong#2026x" }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(changed.body["principal"]["password_change_required"], false);
    client.search_residents("").await.expect(StatusCode::OK);
}

#[tokio::test]
async fn a_password_expires_after_90_days() {
    let deployment = deployment();
    let (username, client) = clerk_account(&deployment);
    client.clock().advance(Duration::days(89));
    let mut fresh = client.clone();
    fresh.sign_in_as(&username).await;
    fresh.search_residents("").await.expect(StatusCode::OK);
    client.clock().advance(Duration::days(1));
    let mut stale = client.clone();
    stale.sign_in_as(&username).await;
    let me = stale.get("/api/v1/session").await.expect(StatusCode::OK);
    assert_eq!(me.body["principal"]["password_change_required"], true);
    stale
        .search_residents("")
        .await
        .expect_error(StatusCode::FORBIDDEN, "password_change_required");
    stale
        .post(
            "/api/v1/session/password",
            &json!({ "current_password": PASSWORD, "new_password": "Liudong#2026x" }),
        )
        .await
        .expect(StatusCode::OK);
    stale.search_residents("").await.expect(StatusCode::OK);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let deployment = deployment();
    let (username, client) = clerk_account(&deployment);
    let mut here = client.clone();
    here.sign_in_as(&username).await;
    let mut elsewhere = deployment.anonymous();
    elsewhere.sign_in_as(&username).await;
    here.post(
        "/api/v1/session/password",
        &json!({ "current_password": "Wrong#Passw0rd1", "new_password": "Liudong#2026x" }),
    )
    .await
    .expect_field("current_password", "current_password_wrong");
    elsewhere.list_units().await.expect(StatusCode::OK);
    here.post(
        "/api/v1/session/password",
        &json!({ "current_password": PASSWORD, "new_password": "Liudong#2026x" }),
    )
    .await
    .expect(StatusCode::OK);
    here.list_units().await.expect(StatusCode::OK);
    elsewhere
        .list_units()
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "session_expired");
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    client
        .sign_in(&username, "Liudong#2026x", None)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn a_new_password_must_meet_the_policy() {
    let deployment = deployment();
    let (username, mut client) = clerk_account(&deployment);
    client.sign_in_as(&username).await;
    let with_user_name = format!("Xx#1{username}ab");
    for (new, code) in [
        ("Ab#1", "password_too_short"),
        ("abcdefghijkl", "password_too_few_classes"),
        (with_user_name.as_str(), "password_contains_username"),
        ("Password123", "password_common"),
        // Meets length and classes, but is a common word dressed up.
        ("Admin@123456", "password_common"),
        (PASSWORD, "password_unchanged"),
    ] {
        client
            .post(
                "/api/v1/session/password",
                &json!({ "current_password": PASSWORD, "new_password": new }),
            )
            .await
            .expect_field("new_password", code);
    }
}

#[tokio::test]
async fn sign_in_attempts_from_one_address_are_limited() {
    let deployment = deployment();
    let client = deployment.anonymous();
    for n in 0..20 {
        client
            .sign_in(&format!("guess{n}"), "Wrong#Passw0rd1", None)
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let reply = client
        .sign_in("guess20", "Wrong#Passw0rd1", None)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let retry: i64 = header_of(&reply, "retry-after").parse().expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    // Another address is not held up; this one waits out the minute.
    let (username, other) = clerk_account(&deployment);
    other
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
    client.clock().advance(Duration::minutes(1));
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn a_request_without_a_session_is_refused_with_401_in_both_languages() {
    let nobody = deployment();
    let reply = nobody
        .search_residents("")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(reply.message_zh(), "请先登录");
    assert!(reply.headers.contains_key(header::WWW_AUTHENTICATE));
    let forged = nobody.with_credential(Credential::Session {
        cookie: "not-a-session".into(),
        csrf: String::new(),
    });
    forged
        .search_residents("")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "session_expired");
}

#[tokio::test]
async fn a_form_carries_the_csrf_token_as_a_field() {
    let app = spawn_app(ROOT).await;
    let Credential::Session { cookie, csrf } = app.credential.clone() else {
        panic!("a session");
    };
    // A page's form: the token in the body, no header.
    let form = app.with_credential(Credential::Session {
        cookie,
        csrf: String::new(),
    });
    let form_type = "application/x-www-form-urlencoded";
    form.raw(
        axum::http::Method::POST,
        "/api/v1/houses",
        form_type,
        "address=x&csrf_token=forged",
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "csrf_token_invalid");
    // Past the guard, the API itself wants JSON.
    form.raw(
        axum::http::Method::POST,
        "/api/v1/houses",
        form_type,
        format!("address=x&csrf_token={csrf}"),
    )
    .await
    .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
}

#[tokio::test]
async fn a_form_posted_after_the_session_ended_comes_back_to_its_page_after_sign_in() {
    let deployment = deployment();
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    // The page's script learns how long a session may sit unused.
    let alive = clerk.get("/ui/session").await.expect(StatusCode::OK);
    assert_eq!(alive.body["idle_seconds"], 30 * 60);
    assert_eq!(header_of(&alive, "cache-control"), "no-store");

    deployment.clock().advance(Duration::minutes(31));
    let posted = |referer: &'static str| {
        axum::http::Request::post("/residents/new")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "sojourn.example")
            .header(header::REFERER, referer)
            .body(axum::body::Body::from("name=%E6%AC%A7%E9%98%B3"))
            .expect("request")
    };
    let ended = clerk
        .send(posted("http://sojourn.example/residents/new"))
        .await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(
        header_of(&ended, "location"),
        "/sign-in?expired=1&next=/residents/new"
    );
    // Another site's page is never where the sign-in leads.
    let foreign = clerk
        .send(posted("http://elsewhere.example/residents/new"))
        .await;
    assert_eq!(header_of(&foreign, "location"), "/sign-in?expired=1");
    // The script's own question is answered 401 once the session ended.
    let asked = clerk
        .send(
            axum::http::Request::get("/ui/session")
                .header("hx-request", "true")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(asked.status, StatusCode::UNAUTHORIZED);
}
