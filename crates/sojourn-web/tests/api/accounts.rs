//! Staff accounts and 三员分立: the system administrator opens and
//! disables accounts, the security administrator grants roles and looks
//! after credentials, neither does the other's job, neither acts on their
//! own account, and no administrator reads a register.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sojourn_domain::account::Role;
use time::Duration;

struct Admins {
    deployment: TestApp,
    system: TestApp,
    security: TestApp,
}

async fn admins() -> Admins {
    let deployment = deployment();
    Admins {
        system: deployment.user(Role::SystemAdmin, ROOT).await,
        security: deployment.user(Role::SecurityAdmin, ROOT).await,
        deployment,
    }
}

async fn open(admins: &Admins, username: &str, unit: &str) -> Reply {
    admins
        .system
        .post(
            "/api/v1/accounts",
            &json!({ "username": username, "display_name": "王小明", "unit": unit }),
        )
        .await
}

fn id_of(account: &Value) -> i64 {
    account["id"].as_i64().expect("account id")
}

async fn grant(admins: &Admins, id: i64, roles: &[&str]) -> Reply {
    admins
        .security
        .put(
            &format!("/api/v1/accounts/{id}/roles"),
            &json!({ "roles": roles }),
        )
        .await
}

#[tokio::test]
async fn the_system_administrator_opens_an_account_without_roles_and_with_a_one_time_password() {
    let admins = admins().await;
    let reply = open(&admins, "wangxm", COMMUNITY)
        .await
        .expect(StatusCode::CREATED);
    let account = &reply.body["account"];
    assert_eq!(account["username"], "wangxm");
    assert_eq!(account["roles"], json!([]));
    assert_eq!(account["must_change_password"], true);
    assert_eq!(account["created_by"], admins.system.username.as_str());
    let one_time = reply.body["one_time_password"].as_str().expect("password");
    assert_eq!(one_time.len(), 19);

    let user = admins.deployment.anonymous();
    let signed_in = user
        .sign_in("wangxm", one_time, None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        signed_in.body["principal"]["password_change_required"],
        true
    );
    open(&admins, "wangxm", SIBLING)
        .await
        .expect_error(StatusCode::CONFLICT, "duplicate_account");
}

#[tokio::test]
async fn the_security_administrator_grants_roles_and_the_system_administrator_cannot() {
    let admins = admins().await;
    let account = open(&admins, "wangxm", COMMUNITY)
        .await
        .expect(StatusCode::CREATED)
        .body["account"]
        .clone();
    let id = id_of(&account);
    admins
        .system
        .put(
            &format!("/api/v1/accounts/{id}/roles"),
            &json!({ "roles": ["clerk"] }),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let granted = grant(&admins, id, &["coordinator", "clerk"])
        .await
        .expect(StatusCode::OK);
    let keys: Vec<&str> = granted.body["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["key"].as_str())
        .collect();
    assert_eq!(keys, ["clerk", "coordinator"]);
    assert_eq!(
        granted.body["updated_by"],
        admins.security.username.as_str()
    );
    grant(&admins, id, &["clerk", "mayor"])
        .await
        .expect_field("roles[1]", "unknown_role");
    grant(&admins, id, &["clerk", "system_admin"])
        .await
        .expect_field("roles", "roles_administrator_combined");
}

#[tokio::test]
async fn the_security_administrator_neither_opens_nor_disables_accounts() {
    let admins = admins().await;
    let id = id_of(
        &open(&admins, "wangxm", COMMUNITY)
            .await
            .expect(StatusCode::CREATED)
            .body["account"],
    );
    admins
        .security
        .post(
            "/api/v1/accounts",
            &json!({ "username": "lisi", "display_name": "李四", "unit": COMMUNITY }),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    admins
        .security
        .post(&format!("/api/v1/accounts/{id}/disable"), &json!({}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    for path in ["unlock", "password", "totp"] {
        admins
            .system
            .post(&format!("/api/v1/accounts/{id}/{path}"), &json!({}))
            .await
            .expect_error(StatusCode::FORBIDDEN, "forbidden");
    }
}

#[tokio::test]
async fn no_administrator_acts_on_their_own_account() {
    let admins = admins().await;
    let own = |client: &TestApp| client.account_id.expect("signed in");
    let security = own(&admins.security);
    admins
        .security
        .put(
            &format!("/api/v1/accounts/{security}/roles"),
            &json!({ "roles": ["security_admin"] }),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "own_account");
    for path in ["unlock", "password", "totp"] {
        admins
            .security
            .post(&format!("/api/v1/accounts/{security}/{path}"), &json!({}))
            .await
            .expect_error(StatusCode::FORBIDDEN, "own_account");
    }
    let system = own(&admins.system);
    admins
        .system
        .post(&format!("/api/v1/accounts/{system}/disable"), &json!({}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "own_account");
    admins.system.list_units().await.expect(StatusCode::OK);
}

#[tokio::test]
async fn an_administrator_role_is_granted_only_with_a_second_factor() {
    let admins = admins().await;
    let id = id_of(
        &open(&admins, "wangxm", ROOT)
            .await
            .expect(StatusCode::CREATED)
            .body["account"],
    );
    grant(&admins, id, &["audit_admin"])
        .await
        .expect_field("roles", "administrator_needs_totp");
    let enrolled = admins
        .security
        .post(&format!("/api/v1/accounts/{id}/totp"), &json!({}))
        .await
        .expect(StatusCode::OK);
    let secret = enrolled.body["secret"].as_str().expect("secret");
    assert_eq!(secret.len(), 32, "160 bits in base32");
    let uri = enrolled.body["otpauth_uri"].as_str().expect("uri");
    assert!(
        uri.starts_with("otpauth://totp/Sojourn:wangxm?secret="),
        "{uri}"
    );
    assert_eq!(enrolled.body["account"]["has_totp"], true);
    grant(&admins, id, &["audit_admin"])
        .await
        .expect(StatusCode::OK);
    admins
        .security
        .delete(&format!("/api/v1/accounts/{id}/totp"))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "administrator_needs_totp");
}

#[tokio::test]
async fn a_business_user_with_a_second_factor_needs_the_code() {
    let admins = admins().await;
    let (username, _) = admins
        .deployment
        .open_account(&[Role::Clerk], COMMUNITY, false);
    let accounts = admins
        .security
        .get("/api/v1/accounts")
        .await
        .expect(StatusCode::OK);
    let id = accounts
        .body
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["username"] == username.as_str())
        .map(id_of)
        .expect("the clerk");
    let enrolled = admins
        .security
        .post(&format!("/api/v1/accounts/{id}/totp"), &json!({}))
        .await
        .expect(StatusCode::OK);
    let mut clerk = admins.deployment.anonymous();
    clerk
        .sign_in(&username, PASSWORD, None)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    clerk.totp_secret = enrolled.body["secret"].as_str().map(str::to_owned);
    clerk.sign_in_as(&username).await;
    admins
        .security
        .delete(&format!("/api/v1/accounts/{id}/totp"))
        .await
        .expect(StatusCode::OK);
    admins
        .deployment
        .anonymous()
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_tokens_and_refuses_sign_in() {
    let admins = admins().await;
    let chief = admins.deployment.user(Role::StationChief, COMMUNITY).await;
    let token = chief
        .post(
            "/api/v1/tokens",
            &json!({ "name": "对接程序", "role": "collector" }),
        )
        .await
        .expect(StatusCode::CREATED);
    let bearer = chief.with_credential(Credential::Bearer(
        token.body["secret"].as_str().expect("secret").to_owned(),
    ));
    bearer.search_residents("").await.expect(StatusCode::OK);
    let id = chief.account_id.expect("id");
    let disabled = admins
        .system
        .post(&format!("/api/v1/accounts/{id}/disable"), &json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(disabled.body["disabled"], true);
    chief
        .search_residents("")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "session_expired");
    bearer
        .search_residents("")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_token");
    chief
        .anonymous()
        .sign_in(&chief.username, PASSWORD, None)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    admins
        .system
        .post(&format!("/api/v1/accounts/{id}/enable"), &json!({}))
        .await
        .expect(StatusCode::OK);
    chief
        .anonymous()
        .sign_in(&chief.username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
    bearer.search_residents("").await.expect(StatusCode::OK);
}

#[tokio::test]
async fn a_password_reset_ends_every_session_and_must_be_changed() {
    let admins = admins().await;
    let clerk = admins.deployment.user(Role::Clerk, COMMUNITY).await;
    let id = clerk.account_id.expect("id");
    let reset = admins
        .security
        .post(&format!("/api/v1/accounts/{id}/password"), &json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(reset.body["account"]["must_change_password"], true);
    let one_time = reset.body["one_time_password"].as_str().expect("password");
    clerk
        .list_units()
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "session_expired");
    let client = clerk.anonymous();
    client
        .sign_in(&clerk.username, PASSWORD, None)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let signed_in = client
        .sign_in(&clerk.username, one_time, None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        signed_in.body["principal"]["password_change_required"],
        true
    );
}

#[tokio::test]
async fn the_security_administrator_lifts_a_lock() {
    let admins = admins().await;
    let (username, _) = admins
        .deployment
        .open_account(&[Role::Clerk], COMMUNITY, false);
    let client = admins.deployment.anonymous();
    for _ in 0..5 {
        client.sign_in(&username, "Wrong#Passw0rd1", None).await;
    }
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_failures");
    let accounts = admins.security.get("/api/v1/accounts").await;
    let account = accounts
        .body
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["username"] == username.as_str())
        .cloned()
        .expect("the clerk");
    assert_eq!(account["locked"], true);
    let unlocked = admins
        .security
        .post(
            &format!("/api/v1/accounts/{}/unlock", id_of(&account)),
            &json!({}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(unlocked.body["locked"], false);
    client
        .sign_in(&username, PASSWORD, None)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn administrators_manage_the_accounts_of_their_subtree_only() {
    let admins = admins().await;
    let community_system = admins.deployment.user(Role::SystemAdmin, COMMUNITY).await;
    let community_security = admins.deployment.user(Role::SecurityAdmin, COMMUNITY).await;
    let sibling = id_of(
        &open(&admins, "yinzha1", SIBLING)
            .await
            .expect(StatusCode::CREATED)
            .body["account"],
    );
    let listed = community_system
        .get("/api/v1/accounts")
        .await
        .expect(StatusCode::OK);
    let units: Vec<&str> = listed
        .body
        .as_array()
        .expect("accounts")
        .iter()
        .filter_map(|a| a["unit"].as_str())
        .collect();
    assert!(
        !units.is_empty() && units.iter().all(|u| *u == COMMUNITY),
        "{units:?}"
    );
    let root_admin = admins.system.account_id.expect("id");
    for id in [sibling, root_admin] {
        community_system
            .get(&format!("/api/v1/accounts/{id}"))
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
        community_system
            .post(&format!("/api/v1/accounts/{id}/disable"), &json!({}))
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
        community_security
            .put(
                &format!("/api/v1/accounts/{id}/roles"),
                &json!({ "roles": ["clerk"] }),
            )
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    community_system
        .post(
            "/api/v1/accounts",
            &json!({ "username": "outside", "display_name": "王五", "unit": ROOT }),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "reference_out_of_scope");
}

#[tokio::test]
async fn no_administrator_reads_or_writes_a_register() {
    let admins = admins().await;
    let director = admins.deployment.user(Role::OfficeDirector, ROOT).await;
    let seeded = seed(&director).await;
    let audit = admins.deployment.user(Role::AuditAdmin, ROOT).await;
    for admin in [&admins.system, &admins.security, &audit] {
        for reply in [
            admin.search_residents("status=any").await,
            admin.search_residents("q=zs").await,
            admin.get_person(seeded.person_id()).await,
            admin.get_house(seeded.house_id()).await,
            admin.search_employers("").await,
            admin.get_outflow(seeded.outflow_id()).await,
            admin.register_arrival(&arrival(&li_si())).await,
        ] {
            reply.expect_error(StatusCode::FORBIDDEN, "forbidden");
        }
    }
    audit
        .get("/api/v1/accounts")
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    audit.list_units().await.expect(StatusCode::OK);
}

#[tokio::test]
async fn an_account_without_roles_may_sign_in_but_do_nothing() {
    let admins = admins().await;
    let (username, _) = admins.deployment.open_account(&[], COMMUNITY, false);
    let mut client = admins.deployment.anonymous();
    client.sign_in_as(&username).await;
    client
        .list_units()
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    client.clock().advance(Duration::minutes(1));
    client.get("/api/v1/session").await.expect(StatusCode::OK);
}
