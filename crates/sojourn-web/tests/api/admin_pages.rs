//! The administration pages over HTTP: each administrator lands on their
//! own pages; accounts are opened, changed and refused as the API would
//! (every wrong input answered beside its field in zh-CN, nothing changed);
//! units are added; the audit trail is searched and its chain verified;
//! and the language a user picks follows them to their next sign-in.

use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use sojourn_domain::account::{AccountId, Role, Username};
use sojourn_domain::unit::{Scope, UnitCode};

const FORM: &str = "application/x-www-form-urlencoded";

fn location(reply: &Reply) -> String {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn text(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

async fn form(client: &TestApp, path: &str, body: &str) -> Reply {
    client.raw(Method::POST, path, FORM, body.to_owned()).await
}

fn root() -> Scope {
    Scope::of(UnitCode::parse(ROOT).expect("root"))
}

fn usernames(app: &TestApp) -> Vec<String> {
    app.store()
        .list_accounts(&root())
        .expect("accounts")
        .into_iter()
        .map(|a| a.username.to_string())
        .collect()
}

fn account_named(app: &TestApp, name: &str) -> sojourn_store::Account {
    let username = Username::parse(name).expect("user name");
    app.store()
        .credentials_unscoped(&username)
        .expect("read")
        .expect("the account exists")
        .account
}

/// The secret a "shown once" page shows.
fn shown_secret(reply: &Reply) -> String {
    let page = text(reply);
    let start = page
        .find("id=\"secret-value\">")
        .expect("a secret on the page")
        + 18;
    page[start..]
        .split('<')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn each_administrator_lands_on_a_page_of_their_own_and_staff_on_the_dashboard() {
    let app = deployment();
    for (role, home) in [
        (Role::SystemAdmin, "/admin/accounts"),
        (Role::SecurityAdmin, "/admin/accounts"),
        (Role::AuditAdmin, "/admin/audit"),
    ] {
        let admin = app.user(role, ROOT).await;
        let reply = admin.get("/").await.expect(StatusCode::SEE_OTHER);
        assert_eq!(location(&reply), home, "{role:?}");
        let page = admin.get(home).await.expect(StatusCode::OK);
        // No register in the navigation, no resident search in the header.
        assert!(!text(&page).contains("href=\"/residents\""), "{role:?}");
        assert!(!text(&page).contains("action=\"/residents\""), "{role:?}");
    }
    // An account without roles is told why it sees nothing.
    let roleless = app.user_with_roles(&[], COMMUNITY).await;
    let reply = roleless.get("/").await.expect(StatusCode::FORBIDDEN);
    assert!(text(&reply).contains("尚未被授予任何角色"));
    let clerk = app.user(Role::Clerk, ROOT).await;
    let home = clerk.get("/").await.expect(StatusCode::OK);
    assert!(text(&home).contains("href=\"/residents\""));
    assert!(!text(&home).contains("href=\"/admin/accounts\""));
}

#[tokio::test]
async fn a_new_account_gets_a_one_time_password_shown_once_and_must_change_it() {
    let app = deployment();
    let sysadmin = app.user(Role::SystemAdmin, ROOT).await;
    let new = sysadmin
        .get("/admin/accounts/new")
        .await
        .expect(StatusCode::OK);
    assert!(text(&new).contains("name=\"username\""));
    let body = format!("username=zhaoliu&display_name=%E8%B5%B5%E5%85%AD&unit={COMMUNITY}");
    let created = form(&sysadmin, "/admin/accounts/new", &body)
        .await
        .expect(StatusCode::CREATED);
    let one_time = shown_secret(&created);
    assert_eq!(one_time.len(), 19, "{one_time}");
    assert_eq!(
        created
            .headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let account = account_named(&app, "zhaoliu");
    assert!(account.must_change_password && account.roles.is_empty());
    assert_eq!(account.unit.as_str(), COMMUNITY);
    // The account's page does not show the password again.
    let page = sysadmin
        .get(&format!("/admin/accounts/{}", account.id.0))
        .await
        .expect(StatusCode::OK);
    assert!(!text(&page).contains(&one_time));
    assert!(text(&page).contains("待修改密码"));

    // The user signs in with it and must change it first.
    let user = app.anonymous();
    let sign_in = format!("username=zhaoliu&password={one_time}&totp=&next=%2F");
    let reply = form(&user, "/sign-in", &sign_in)
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&reply), "/password");
}

#[tokio::test]
async fn wrong_account_inputs_are_refused_beside_their_field_in_zh_cn_and_change_nothing() {
    let app = deployment();
    let sysadmin = app.user(Role::SystemAdmin, COMMUNITY).await;
    let (taken, _) = app.open_account(&[Role::Clerk], COMMUNITY, false);
    let before = usernames(&app);
    let cases = [
        (
            format!("username={taken}&display_name=%E7%8E%8B%E4%BA%94&unit={COMMUNITY}"),
            StatusCode::CONFLICT,
            format!("用户名 {taken} 已被使用"),
        ),
        (
            format!("username=wangwu&display_name=%E7%8E%8B%E4%BA%94&unit={SIBLING}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "不在您的管辖范围".to_owned(),
        ),
        (
            format!("username=9x&display_name=%E7%8E%8B%E4%BA%94&unit={COMMUNITY}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "用户名须为3至32位小写字母".to_owned(),
        ),
        (
            format!("username=&display_name=&unit={COMMUNITY}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "必填".to_owned(),
        ),
    ];
    for (body, status, message) in cases {
        let reply = form(&sysadmin, "/admin/accounts/new", &body).await;
        assert_eq!(reply.status, status, "{body}: {}", text(&reply));
        assert!(text(&reply).contains(&message), "{body}: wants {message}");
        // The form comes back with what was typed, the error beside its field.
        assert!(text(&reply).contains("aria-invalid=\"true\""), "{body}");
        assert!(!text(&reply).contains("secret-value"), "{body}");
    }
    assert_eq!(usernames(&app), before, "a refused form opened an account");
}

#[tokio::test]
async fn each_administrator_may_do_only_their_own_part() {
    let app = deployment();
    let sysadmin = app.user(Role::SystemAdmin, ROOT).await;
    let secadmin = app.user(Role::SecurityAdmin, ROOT).await;
    let auditor = app.user(Role::AuditAdmin, ROOT).await;
    let (target, _) = app.open_account(&[], COMMUNITY, false);
    let id = account_named(&app, &target).id.0;
    // The security administrator grants roles; the system administrator cannot.
    form(
        &sysadmin,
        &format!("/admin/accounts/{id}/roles"),
        "role=clerk",
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    let done = form(
        &secadmin,
        &format!("/admin/accounts/{id}/roles"),
        "role=clerk&role=collector",
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&done), format!("/admin/accounts/{id}?done=roles"));
    assert_eq!(
        account_named(&app, &target).roles,
        [Role::Clerk, Role::Collector]
    );
    // An administrator role needs a second factor first: refused, unchanged.
    let refused = form(
        &secadmin,
        &format!("/admin/accounts/{id}/roles"),
        "role=system_admin",
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&refused).contains("alert error"));
    assert_eq!(
        account_named(&app, &target).roles,
        [Role::Clerk, Role::Collector]
    );
    // The system administrator disables; the security administrator cannot.
    form(&secadmin, &format!("/admin/accounts/{id}/disable"), "")
        .await
        .expect(StatusCode::FORBIDDEN);
    form(&sysadmin, &format!("/admin/accounts/{id}/disable"), "")
        .await
        .expect(StatusCode::SEE_OTHER);
    assert!(account_named(&app, &target).disabled);
    form(&sysadmin, &format!("/admin/accounts/{id}/enable"), "")
        .await
        .expect(StatusCode::SEE_OTHER);
    assert!(!account_named(&app, &target).disabled);
    // Resetting a password shows a new one once, to be changed at sign-in.
    form(&sysadmin, &format!("/admin/accounts/{id}/password"), "")
        .await
        .expect(StatusCode::FORBIDDEN);
    let reset = form(&secadmin, &format!("/admin/accounts/{id}/password"), "")
        .await
        .expect(StatusCode::OK);
    assert_eq!(shown_secret(&reset).len(), 19);
    assert!(account_named(&app, &target).must_change_password);
    // A second factor, shown once.
    let totp = form(&secadmin, &format!("/admin/accounts/{id}/totp"), "")
        .await
        .expect(StatusCode::OK);
    assert!(text(&totp).contains("otpauth://"));
    assert!(account_named(&app, &target).has_totp);
    // Nobody acts on their own account.
    let own = account_named(&app, &secadmin.username).id.0;
    form(&secadmin, &format!("/admin/accounts/{own}/password"), "")
        .await
        .expect(StatusCode::FORBIDDEN);
    // The audit administrator reads neither accounts nor registers.
    auditor
        .get("/admin/accounts")
        .await
        .expect(StatusCode::FORBIDDEN);
    auditor
        .get("/residents")
        .await
        .expect(StatusCode::FORBIDDEN);
    sysadmin
        .get("/admin/audit")
        .await
        .expect(StatusCode::FORBIDDEN);
    // Every change is in the audit trail.
    let trail = auditor
        .get(&format!("/admin/audit?actor={}", secadmin.username))
        .await
        .expect(StatusCode::OK);
    for action in ["roles_assigned", "password_reset"] {
        assert!(text(&trail).contains(action), "{action} not audited");
    }
}

#[tokio::test]
async fn an_administrator_of_a_community_sees_only_its_accounts() {
    let app = deployment();
    let admin = app.user(Role::SystemAdmin, COMMUNITY).await;
    let (mine, _) = app.open_account(&[Role::Clerk], COMMUNITY, false);
    let (theirs, _) = app.open_account(&[Role::Clerk], SIBLING, false);
    let list = admin.get("/admin/accounts").await.expect(StatusCode::OK);
    assert!(text(&list).contains(&mine));
    assert!(!text(&list).contains(&theirs));
    let id = account_named(&app, &theirs).id.0;
    admin
        .get(&format!("/admin/accounts/{id}"))
        .await
        .expect(StatusCode::NOT_FOUND);
    form(&admin, &format!("/admin/accounts/{id}/disable"), "")
        .await
        .expect(StatusCode::NOT_FOUND);
    assert!(!account_named(&app, &theirs).disabled);
    // Filters: by role and status, and a unit outside is refused.
    let clerks = admin
        .get("/admin/accounts?role=clerk&status=active")
        .await
        .expect(StatusCode::OK);
    assert!(text(&clerks).contains(&mine));
    let none = admin
        .get("/admin/accounts?role=inspector")
        .await
        .expect(StatusCode::OK);
    assert!(!text(&none).contains(&mine));
    let outside = admin
        .get(&format!("/admin/accounts?unit={SIBLING}"))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&outside).contains("该单位不在您的管辖范围内"));
    assert!(!text(&outside).contains(&theirs));
}

#[tokio::test]
async fn the_unit_tree_shows_staff_and_takes_new_grids_with_every_wrong_input_refused() {
    let app = deployment();
    let admin = app.user(Role::SystemAdmin, ROOT).await;
    let (staff, _) = app.open_account(&[Role::Coordinator], COMMUNITY, false);
    let tree = admin.get("/admin/units").await.expect(StatusCode::OK);
    assert!(text(&tree).contains(COMMUNITY_NAME));
    assert!(text(&tree).contains(&staff));
    let added = form(
        &admin,
        "/admin/units/new",
        &format!("parent={COMMUNITY}&number=001&name=%E7%AC%AC%E4%B8%80%E7%BD%91%E6%A0%BC"),
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    assert!(location(&added).starts_with("/admin/units?created="));
    let tree = admin.get(&location(&added)).await.expect(StatusCode::OK);
    assert!(text(&tree).contains("已新增单位“第一网格”"));
    let units = app.store().list_units(&root(), None).expect("units").len();
    for (body, status, message) in [
        (
            format!("parent={COMMUNITY}&number=001&name=x"),
            StatusCode::CONFLICT,
            "单位代码 110101001001001 已存在",
        ),
        (
            format!("parent={COMMUNITY}&number=01&name=x"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "编号须为 3 位数字",
        ),
        (
            format!("parent={COMMUNITY}&number=002&name="),
            StatusCode::UNPROCESSABLE_ENTITY,
            "必填",
        ),
    ] {
        let reply = form(&admin, "/admin/units/new", &body).await;
        assert_eq!(reply.status, status, "{body}: {}", text(&reply));
        assert!(text(&reply).contains(message), "{body}");
        assert!(text(&reply).contains("aria-invalid=\"true\""), "{body}");
    }
    let community_admin = app.user(Role::SystemAdmin, COMMUNITY).await;
    let outside = form(
        &community_admin,
        "/admin/units/new",
        &format!("parent={SIBLING}&number=003&name=x"),
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&outside).contains("管辖范围"), "{}", text(&outside));
    assert_eq!(
        app.store().list_units(&root(), None).expect("units").len(),
        units
    );
    // Those who may not add units see the tree without the form.
    let clerk = app.user(Role::Clerk, ROOT).await;
    let tree = clerk.get("/admin/units").await.expect(StatusCode::OK);
    assert!(!text(&tree).contains("/admin/units/new"));
    form(
        &clerk,
        "/admin/units/new",
        &format!("parent={COMMUNITY}&number=004&name=x"),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_audit_page_searches_pages_exports_and_verifies_the_chain() {
    let app = deployment();
    let auditor = app.user(Role::AuditAdmin, ROOT).await;
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    clerk.get("/residents").await.expect(StatusCode::OK);
    let page = auditor
        .get(&format!(
            "/admin/audit?actor={}&outcome=success",
            clerk.username
        ))
        .await
        .expect(StatusCode::OK);
    assert!(text(&page).contains("sign_in"));
    assert!(text(&page).contains("/api/v1/audit/export?actor="));
    let wrong = auditor
        .get("/admin/audit?from=yesterday")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&wrong).contains("不是有效的日期"));
    let outside = auditor
        .get("/admin/audit?unit=999999999")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&outside).contains("该单位不在您的管辖范围内"));
    let verify = auditor
        .get("/admin/audit/verify")
        .await
        .expect(StatusCode::OK);
    assert!(text(&verify).contains("日志链完整"), "{}", text(&verify));
}

#[tokio::test]
async fn the_language_a_user_picks_is_kept_on_the_account_and_applied_at_sign_in() {
    let app = deployment();
    let (username, _) = app.open_account(&[Role::Clerk], ROOT, false);
    let password = PASSWORD.replace('#', "%23");
    let sign_in = format!("username={username}&password={password}&totp=&next=%2F");
    let mut user = app.anonymous();
    user.sign_in_as(&username).await;
    let id = AccountId(account_named(&app, &username).id.0);
    assert_eq!(app.store().account_locale_unscoped(id).expect("read"), None);
    user.get("/lang/en?back=/")
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        app.store()
            .account_locale_unscoped(id)
            .expect("read")
            .as_deref(),
        Some("en")
    );
    // Another browser (no language cookie): signing in brings English back.
    let elsewhere = form(&app.anonymous(), "/sign-in", &sign_in)
        .await
        .expect(StatusCode::SEE_OTHER);
    assert!(
        elsewhere
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("lang=en;")),
        "{:?}",
        elsewhere.set_cookies()
    );
    // Switching while not signed in changes no account.
    app.anonymous()
        .get("/lang/zh-CN?back=/")
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        app.store()
            .account_locale_unscoped(id)
            .expect("read")
            .as_deref(),
        Some("en")
    );
}

#[tokio::test]
async fn a_token_is_issued_with_its_secret_shown_once_and_revoked() {
    let app = deployment();
    let chief = app.user(Role::StationChief, COMMUNITY).await;
    let issued = form(
        &chief,
        "/admin/tokens/new",
        "name=%E5%AF%B9%E6%8E%A5&role=collector&expires_in_days=30",
    )
    .await
    .expect(StatusCode::CREATED);
    assert!(shown_secret(&issued).starts_with("sjt_"));
    let refused = form(
        &chief,
        "/admin/tokens/new",
        "name=%E5%AF%B9%E6%8E%A5&role=system_admin",
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&refused).contains("aria-invalid=\"true\""));
    let tokens = app.store().list_api_tokens(&root()).expect("tokens");
    assert_eq!(tokens.len(), 1);
    form(
        &chief,
        &format!("/admin/tokens/{}/revoke", tokens[0].id.0),
        "",
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    assert!(
        app.store().list_api_tokens(&root()).expect("tokens")[0]
            .revoked_at
            .is_some()
    );
}
