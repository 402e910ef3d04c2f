//! The administration pages in the browser: an administrator signs in with
//! the second factor, lands on the account list, opens an account whose
//! one-time password is shown once, and the new user must change it at
//! first sign-in; an administrator of one community cannot see the
//! accounts of a sibling community; and every administration page is
//! screenshotted at both sizes.

use crate::harness::{Ctx, PASSWORD, ROOT, communities, run};
use crate::screenshots::{save, viewport};
use sojourn_domain::account::{Role, Username};
use sojourn_domain::text::PersonName;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::{Actor, NewAccount};
use sojourn_web::auth::{password, totp};
use std::sync::Arc;

const SIZES: [(u32, u32); 2] = [(1366, 768), (390, 844)];

/// Opens an administrator's account (with the second factor they must
/// have) straight in the store; returns its TOTP secret.
fn open_admin(ctx: &Ctx, username: &str, role: Role, unit: &str) -> String {
    let secret = totp::new_secret().expect("random");
    let new = NewAccount {
        username: Username::parse(username).expect("user name"),
        display_name: PersonName::parse("李管理").expect("name"),
        unit: UnitCode::parse(unit).expect("unit code"),
        roles: vec![role],
        password_hash: password::hash(PASSWORD).expect("hash"),
        password_set_at: time::OffsetDateTime::now_utc(),
        must_change_password: false,
        totp_secret: Some(secret.clone()),
    };
    let root = Scope::of(UnitCode::parse(ROOT).expect("root"));
    ctx.app
        .store
        .create_account(&root, &new, &Actor::new("test"))
        .expect("account opened");
    secret
}

/// Signs out whoever is signed in, and signs in as the administrator
/// through the sign-in page with the current TOTP code.
async fn sign_in_admin(ctx: &Ctx, username: &str, secret: &str) {
    ctx.goto("/sign-in").await;
    ctx.type_into("#username", username).await;
    ctx.type_into("#password", PASSWORD).await;
    let code = totp::code_at(secret, time::OffsetDateTime::now_utc()).expect("a code");
    ctx.type_into("#totp", &code).await;
    ctx.click("form.form button.primary").await;
}

/// Opens `path` at each size, checks for missing messages and console
/// errors, and saves it as `name`.
async fn shoot(ctx: &Ctx, name: &str, path: &str) {
    for (width, height) in SIZES {
        viewport(ctx, width, height).await;
        ctx.goto(path).await;
        ctx.find("main").await;
        let html = ctx.source().await;
        assert!(!html.contains('⟦'), "{path}: a message is missing");
        let errors = ctx.console_errors().await;
        assert!(errors.is_empty(), "{path}: console errors {errors:?}");
        save(ctx, name, width, height).await;
    }
    viewport(ctx, 1366, 768).await;
}

#[test]
fn an_administrator_opens_an_account_and_the_new_user_must_change_the_password() {
    run(|ctx: Arc<Ctx>| async move {
        let community = communities()[0].clone();
        let secret = open_admin(&ctx, "sysadmin", Role::SystemAdmin, ROOT);
        ctx.sign_out().await;
        sign_in_admin(&ctx, "sysadmin", &secret).await;
        // The system administrator lands on the accounts, not on a 403.
        ctx.wait_path("/admin/accounts").await;
        assert!(ctx.text("h1").await.contains("账号管理"));

        ctx.click("a[href='/admin/accounts/new']").await;
        ctx.wait_path("/admin/accounts/new").await;
        // A user name that is taken is refused beside its field, in zh-CN.
        ctx.type_into("#username", crate::harness::CLERK).await;
        ctx.type_into("#display_name", "赵六").await;
        ctx.choose("#unit", &community).await;
        ctx.click("form.form button.primary").await;
        let message = ctx
            .wait_text("#username-msg", "the duplicate error", |t| {
                t.contains("已被使用")
            })
            .await;
        assert!(message.contains(crate::harness::CLERK), "{message}");
        assert_eq!(ctx.value("#display_name").await, "赵六");
        for (width, height) in SIZES {
            viewport(&ctx, width, height).await;
            save(&ctx, "admin-account-refused", width, height).await;
        }
        viewport(&ctx, 1366, 768).await;

        ctx.type_into("#username", "zhaoliu").await;
        ctx.click("form.form button.primary").await;
        let one_time = ctx
            .wait_text("#secret-value", "the one-time password", |t| t.len() == 19)
            .await;
        for (width, height) in SIZES {
            viewport(&ctx, width, height).await;
            save(&ctx, "admin-one-time-password", width, height).await;
        }
        viewport(&ctx, 1366, 768).await;
        // Shown once: the account's page does not show it.
        ctx.click(".secret .actions a").await;
        ctx.wait_path("/admin/accounts/").await;
        assert!(!ctx.source().await.contains(&one_time));
        assert!(ctx.text("main").await.contains("待修改密码"));

        // The new user signs in with it and must change it first.
        ctx.sign_out().await;
        ctx.goto("/sign-in").await;
        ctx.type_into("#username", "zhaoliu").await;
        ctx.type_into("#password", &one_time).await;
        ctx.click("form.form button.primary").await;
        ctx.wait_path("/password").await;
        ctx.type_into("#current_password", &one_time).await;
        ctx.type_into("#new_password", "password123").await;
        ctx.type_into("#confirm_password", "password123").await;
        ctx.click("form.form button.primary").await;
        let refused = ctx
            .wait_text("#new_password-msg", "the policy error", |t| !t.is_empty())
            .await;
        assert!(refused.contains("密码"), "{refused}");
        let new = "Dongcheng-2025?";
        ctx.type_into("#current_password", &one_time).await;
        ctx.type_into("#new_password", new).await;
        ctx.type_into("#confirm_password", new).await;
        ctx.click("form.form button.primary").await;
        ctx.wait_path("/password?changed=1").await;
    });
}

#[test]
fn an_administrator_of_a_community_cannot_see_the_accounts_of_a_sibling() {
    run(|ctx: Arc<Ctx>| async move {
        let units = communities();
        let (mine, sibling) = (units[0].clone(), units[1].clone());
        ctx.app
            .open_account("wangmine", Role::Coordinator, &mine, false);
        ctx.app
            .open_account("lisibling", Role::Coordinator, &sibling, false);
        let secret = open_admin(&ctx, "cadmin", Role::SystemAdmin, &mine);
        ctx.sign_out().await;
        sign_in_admin(&ctx, "cadmin", &secret).await;
        ctx.wait_path("/admin/accounts").await;
        let list = ctx.text("main").await;
        assert!(list.contains("wangmine"), "{list}");
        assert!(!list.contains("lisibling"), "{list}");
        // Not by its address either.
        let root = Scope::of(UnitCode::parse(ROOT).expect("root"));
        let theirs = ctx
            .app
            .store
            .list_accounts(&root)
            .expect("accounts")
            .into_iter()
            .find(|a| a.username.as_str() == "lisibling")
            .expect("the sibling's account");
        ctx.goto(&format!("/admin/accounts/{}", theirs.id.0)).await;
        assert!(ctx.text("main").await.contains("不在您的管辖范围内"));
        // Nor in the unit tree, which shows only the own community.
        ctx.goto("/admin/units").await;
        let tree = ctx.text("main").await;
        assert!(
            tree.contains("wangmine") && !tree.contains("lisibling"),
            "{tree}"
        );
    });
}

#[test]
fn every_administration_page_is_screenshotted_at_office_and_phone_sizes() {
    run(|ctx: Arc<Ctx>| async move {
        let community = communities()[0].clone();
        ctx.app
            .open_account("wangxm", Role::Coordinator, &community, false);
        let sys = open_admin(&ctx, "sysadmin", Role::SystemAdmin, ROOT);
        let sec = open_admin(&ctx, "secadmin", Role::SecurityAdmin, ROOT);
        let audit = open_admin(&ctx, "auditor", Role::AuditAdmin, ROOT);
        let root = Scope::of(UnitCode::parse(ROOT).expect("root"));
        let staff = ctx
            .app
            .store
            .list_accounts(&root)
            .expect("accounts")
            .into_iter()
            .find(|a| a.username.as_str() == "wangxm")
            .expect("the coordinator");

        ctx.sign_out().await;
        sign_in_admin(&ctx, "sysadmin", &sys).await;
        ctx.wait_path("/admin/accounts").await;
        shoot(&ctx, "admin-accounts", "/admin/accounts").await;
        // A grid added through the tree's form, so the tree has depth.
        ctx.goto("/admin/units").await;
        ctx.choose("#parent", &community).await;
        ctx.type_into("#number", "001").await;
        ctx.type_into("#name", "第一网格").await;
        ctx.click("form.form button.primary").await;
        ctx.wait_path("/admin/units?created=").await;
        assert!(ctx.text("main").await.contains("已新增单位“第一网格”"));
        shoot(&ctx, "admin-account-new", "/admin/accounts/new").await;
        shoot(&ctx, "admin-units", "/admin/units").await;

        ctx.sign_out().await;
        sign_in_admin(&ctx, "secadmin", &sec).await;
        ctx.wait_path("/admin/accounts").await;
        shoot(
            &ctx,
            "admin-account",
            &format!("/admin/accounts/{}", staff.id.0),
        )
        .await;
        shoot(&ctx, "admin-tokens", "/admin/tokens").await;

        ctx.sign_out().await;
        sign_in_admin(&ctx, "auditor", &audit).await;
        // The audit administrator lands on the trail.
        ctx.wait_path("/admin/audit").await;
        shoot(&ctx, "admin-audit", "/admin/audit").await;
        shoot(&ctx, "admin-audit-verify", "/admin/audit/verify").await;
        assert!(ctx.text("#chain-status").await.contains("日志链完整"));
        ctx.goto("/lang/en?back=/admin/audit").await;
        shoot(&ctx, "admin-audit-en", "/admin/audit").await;
    });
}
