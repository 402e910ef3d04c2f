//! End-to-end tests of the pages in Debian's headless Chromium: the real
//! application on a free port over a fresh SQLite file, driven through
//! chromedriver as a clerk would use it, in zh-CN. They fail (not skip)
//! when Chromium or chromedriver is missing, unless SOJOURN_SKIP_BROWSER=1.
//!
//! Every test starts signed in as the street office's clerk, through the
//! sign-in page.

/// The administration pages: accounts, the unit tree, the audit trail.
mod admin;
/// The 三查 worklist of the family-planning follow-up.
mod family_planning;
/// Editing a file, revealing its numbers, moving tenants, age bands.
mod file_pages;
/// chromedriver, Chromium and the application under test.
mod harness;
/// Importing a sheet from the page.
mod imports;
/// A patrol recorded on a phone.
mod patrols;
/// The residence permit counter: apply, notice, accept, receipt.
mod permits;
/// The forms of the house, employer and outflow registers.
mod record_forms;
/// The review workflow: approving from the station's queue.
mod review;
/// Screenshots of every page at office and phone sizes.
mod screenshots;
/// A small register for the pages to show.
mod seed;
/// A service request at the window, from intake to closing.
mod service_requests;
/// 重卡 across communities: the live warning, transfer requests, the
/// side-by-side merge, the monitor's lists at office width.
mod transfers;

use harness::{Ctx, PASSWORD, communities, run};
use sojourn_domain::account::Role;
use std::sync::Arc;

/// 张三's number: a man born 1990-03-07 in 郑州市金水区.
fn zhang_san() -> String {
    seed::id("410105", "19900307", "123")
}

fn with_wrong_check(id: &str) -> String {
    let (first17, check) = id.split_at(17);
    let wrong = if check == "0" { "1" } else { "0" };
    format!("{first17}{wrong}")
}

#[test]
fn the_id_number_is_checked_as_typed_with_the_zh_cn_error_and_birth_date_and_sex_filled_in() {
    run(|ctx: Arc<Ctx>| async move {
        ctx.goto("/residents/new").await;
        ctx.type_into("#id_number", &with_wrong_check(&zhang_san()))
            .await;
        let message = ctx
            .wait_text("#id_number-msg", "the check-digit error", |t| {
                t.contains("校验位错误")
            })
            .await;
        assert!(message.contains("号码可能录错"), "{message}");
        let class = ctx.find("#id_number-msg").await.attr("class").await;
        assert!(class.ok().flatten().unwrap_or_default().contains("error"));
        assert_eq!(ctx.value("#birth_date").await, "");

        ctx.type_into("#id_number", &zhang_san()).await;
        ctx.wait_value("#birth_date", "1990-03-07").await;
        ctx.wait_value("#sex", "男").await;
        let message = ctx.text("#id_number-msg").await;
        assert!(
            message.contains("号码有效") && message.contains("金水区"),
            "{message}"
        );
    });
}

/// Chooses 河南省 郑州市 金水区 and its first town in the domicile picker.
async fn choose_domicile(ctx: &Ctx) {
    ctx.choose("#domicile_province", "41").await;
    ctx.choose("#domicile_city", "4101").await;
    ctx.choose("#domicile_county", "410105").await;
    let town = ctx
        .find("#domicile_town option:nth-child(2)")
        .await
        .attr("value")
        .await
        .ok()
        .flatten()
        .expect("a town of 金水区");
    ctx.choose("#domicile_town", &town).await;
    ctx.wait_text("#domicile-picker .picked", "the chosen town", |t| {
        t.contains("金水区")
    })
    .await;
}

#[test]
fn a_resident_registered_through_the_form_is_found_by_pinyin_initials() {
    run(|ctx: Arc<Ctx>| async move {
        ctx.goto("/residents/new").await;
        ctx.type_into("#id_number", &zhang_san()).await;
        ctx.wait_value("#sex", "男").await;
        ctx.type_into("#name", "欧阳晓明").await;
        ctx.type_into("#phone", "13800138000").await;
        choose_domicile(&ctx).await;
        ctx.choose("#unit", &communities()[0]).await;

        // Refused for the missing address: the error stands beside the
        // field and nothing typed or chosen is lost.
        ctx.click("form.form button.primary").await;
        ctx.wait_text("#current_address-msg", "the required error", |t| {
            t.contains("此项必填")
        })
        .await;
        assert_eq!(ctx.value("#name").await, "欧阳晓明");
        assert_eq!(ctx.value("#id_number").await, zhang_san());
        assert_eq!(ctx.value("#birth_date").await, "1990-03-07");
        assert!(
            ctx.text("#domicile-picker .picked")
                .await
                .contains("金水区")
        );

        ctx.type_into("#current_address", "东华门大街5号2单元301室")
            .await;
        ctx.click("form.form button.primary").await;
        ctx.wait_path("/persons/").await;
        assert!(ctx.text(".alert.ok").await.contains("登记成功"));

        ctx.goto("/").await;
        ctx.type_into("#top-q", "oyxm").await;
        ctx.click(".top-search button").await;
        let table = ctx
            .wait_text("#resident-table", "the resident found", |t| {
                t.contains("欧阳晓明")
            })
            .await;
        assert!(
            table.contains("金水区") || table.contains("河南省"),
            "{table}"
        );
        assert!(ctx.text(".count").await.contains("共 1 条"));
        // The search term is personal data: it stays out of the URL.
        let path = ctx.wait_path("/residents").await;
        assert!(!path.contains("oyxm"), "the term reached the URL: {path}");
    });
}

#[test]
fn a_departure_is_registered_with_a_destination_down_to_town_level() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        ctx.goto(&format!("/persons/{}", seeded.person)).await;
        ctx.click(&format!(
            "a[href=\"/residences/{}/departure\"]",
            seeded.residence
        ))
        .await;
        ctx.wait_path("/residences/").await;

        // A province alone is not enough; what was typed stays.
        ctx.choose("#destination_province", "44").await;
        ctx.find("#destination_city").await;
        ctx.type_into("#reason_note", "返乡务工").await;
        ctx.click("form.form button.primary").await;
        ctx.wait_text("#destination-msg", "the town-level error", |t| {
            t.contains("乡镇（街道）")
        })
        .await;
        assert_eq!(ctx.value("#reason_note").await, "返乡务工");

        ctx.choose("#destination_city", "4403").await;
        ctx.choose("#destination_county", "440305").await;
        let town = ctx
            .find("#destination_town option:nth-child(2)")
            .await
            .attr("value")
            .await
            .ok()
            .flatten()
            .expect("a town of 南山区");
        ctx.choose("#destination_town", &town).await;
        ctx.wait_text("#destination-picker .picked", "the chosen town", |t| {
            t.contains("南山区")
        })
        .await;
        ctx.click("form.form button.primary").await;
        ctx.wait_path(&format!("/persons/{}?departed=1", seeded.person))
            .await;
        assert!(ctx.text(".alert.ok").await.contains("已办理注销"));
        let stays = ctx.text(".timeline").await;
        assert!(stays.contains("去向：广东省 深圳市 南山区"), "{stays}");
        assert!(stays.contains("已注销"), "{stays}");
    });
}

#[test]
fn the_contact_card_print_view_shows_the_card_and_nothing_else() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        ctx.goto(&format!("/persons/{}/card", seeded.person)).await;
        assert_eq!(
            ctx.text(".contact-card.front .card-title").await,
            "流动人口便民服务联系卡"
        );
        let front = ctx.text(".contact-card.front").await;
        assert!(
            front.contains("********"),
            "the card masks the ID number: {front}"
        );
        assert!(
            ctx.text(".contact-card.back").await.contains("走有注销") || front.contains("走有注销")
        );

        screenshots::viewport(&ctx, 1366, 768).await;
        ctx.emulate_media("print").await;
        let shown =
            |css: &str| format!("getComputedStyle(document.querySelector('{css}')).display");
        assert_eq!(
            ctx.eval(&format!("return {};", shown("header.top"))).await,
            "none"
        );
        assert_eq!(
            ctx.eval(&format!("return {};", shown("nav.main-nav")))
                .await,
            "none"
        );
        assert_ne!(
            ctx.eval(&format!("return {};", shown(".contact-card.back")))
                .await,
            "none"
        );
        screenshots::save(&ctx, "card-print", 1366, 768).await;
        ctx.emulate_media("screen").await;

        // The registration receipt and form, from the file's buttons.
        ctx.goto(&format!("/persons/{}", seeded.person)).await;
        ctx.click(&format!("a[href=\"/persons/{}/receipt\"]", seeded.person))
            .await;
        ctx.wait_path(&format!("/persons/{}/receipt", seeded.person))
            .await;
        assert!(ctx.text("#printout").await.contains("居住登记回执"));
        ctx.goto(&format!("/persons/{}/form", seeded.person)).await;
        let form = ctx.text("#printout").await;
        assert!(
            form.contains("登记人签字") && form.contains("********"),
            "{form}"
        );
        ctx.emulate_media("print").await;
        assert_eq!(
            ctx.eval(&format!("return {};", shown("header.top"))).await,
            "none"
        );
        screenshots::save(&ctx, "register-form-print", 1366, 768).await;
        ctx.emulate_media("screen").await;
    });
}

#[test]
fn every_page_is_screenshotted_at_office_and_phone_sizes() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        screenshots::every_page(&ctx, &seeded).await;
    });
}

#[test]
fn signed_in_as_a_coordinator_of_a_sibling_community_cannot_open_that_file() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        let file = format!("/persons/{}", seeded.person);
        // The clerk of the street office sees the file (in communities[0]).
        ctx.goto(&file).await;
        ctx.find(".timeline").await;

        let sibling = &communities()[1];
        ctx.app
            .open_account("coordinator", Role::Coordinator, sibling, false);
        ctx.sign_out().await;
        ctx.sign_in("coordinator").await;
        ctx.goto(&file).await;
        let message = ctx.text("main").await;
        assert!(
            message.contains("不在您的管辖范围内"),
            "the sibling's coordinator saw: {message}"
        );
        assert!(!ctx.source().await.contains("timeline"));
        // Nor through the card or the departure form.
        ctx.goto(&format!("{file}/card")).await;
        assert!(ctx.text("main").await.contains("不在您的管辖范围内"));
        ctx.goto(&format!("/residences/{}/departure", seeded.residence))
            .await;
        assert!(ctx.text("main").await.contains("不在您的管辖范围内"));
    });
}

#[test]
fn a_password_that_must_be_changed_is_changed_before_anything_else() {
    run(|ctx: Arc<Ctx>| async move {
        ctx.app
            .open_account("newcomer", Role::Clerk, harness::ROOT, true);
        ctx.sign_out().await;
        ctx.sign_in("newcomer").await;
        ctx.wait_path("/password").await;
        assert!(
            ctx.text("#password-required")
                .await
                .contains("修改后才能继续")
        );
        // Any other page leads back here.
        ctx.goto("/residents").await;
        ctx.wait_path("/password").await;

        ctx.type_into("#current_password", PASSWORD).await;
        ctx.type_into("#new_password", "short").await;
        ctx.type_into("#confirm_password", "short").await;
        ctx.click("form.form button.primary").await;
        ctx.wait_text("#new_password-msg", "the policy error", |t| {
            t.contains("密码至少需要")
        })
        .await;

        let new = "Dongcheng-2025?";
        ctx.type_into("#current_password", PASSWORD).await;
        ctx.type_into("#new_password", new).await;
        ctx.type_into("#confirm_password", new).await;
        ctx.click("form.form button.primary").await;
        ctx.wait_path("/password?changed=1").await;
        ctx.goto("/residents").await;
        ctx.wait_path("/residents").await;
        ctx.find("#resident-table, .empty").await;
    });
}

#[test]
fn a_wrong_password_is_refused_and_an_ended_session_says_so() {
    run(|ctx: Arc<Ctx>| async move {
        ctx.sign_out().await;
        assert!(ctx.text("#sign-in-notice").await.contains("已安全退出"));
        // Signed out, a page leads to the sign-in page, and back after.
        ctx.goto("/houses").await;
        let at = ctx.wait_path("/sign-in?next=").await;
        assert!(at.ends_with("houses"), "{at}");

        ctx.type_into("#username", harness::CLERK).await;
        ctx.type_into("#password", "not-the-password").await;
        ctx.click("form.form button.primary").await;
        let error = ctx.text("#form-errors").await;
        assert!(error.contains("用户名、密码或动态验证码错误"), "{error}");
        assert_eq!(ctx.value("#password").await, "");
        assert_eq!(ctx.value("#username").await, harness::CLERK);

        ctx.type_into("#password", PASSWORD).await;
        ctx.click("form.form button.primary").await;
        ctx.wait_path("/houses").await;

        // A session the server no longer knows (ended, expired) is an
        // ended session: the sign-in page says so.
        ctx.end_session_on_server().await;
        ctx.goto("/employers").await;
        ctx.wait_path("/sign-in?expired=1").await;
        assert!(ctx.text("#sign-in-notice").await.contains("登录已超时"));
    });
}

#[test]
fn ten_sign_ins_in_a_quarter_of_an_hour_lock_nobody_and_a_lock_says_its_wait_in_minutes() {
    run(|ctx: Arc<Ctx>| async move {
        // Signed in once by the harness; eleven more in a row.
        for _ in 0..11 {
            ctx.sign_out().await;
            // Refused, it would stay on the sign-in page and fail here.
            ctx.sign_in(harness::CLERK).await;
        }
        // Five wrong passwords lock the name; the page says for how long,
        // in minutes, and the same whether the name is an account's or not.
        ctx.sign_out().await;
        for _ in 0..5 {
            ctx.type_into("#username", harness::CLERK).await;
            ctx.type_into("#password", "not-the-password").await;
            ctx.click("form.form button.primary").await;
            // The answer is a new page, whose password field is empty.
            ctx.wait_value("#password", "").await;
        }
        let error = ctx
            .wait_text("#form-errors", "the lock's message", |t| {
                t.contains("错误次数过多")
            })
            .await;
        assert!(error.contains("请15分钟后再试"), "{error}");
    });
}

/// Typed work outlives the session: the page warns before the session
/// ends and "go on" keeps it; a form submitted after it ended sends the
/// clerk to sign in and back to the form, with everything typed put back.
#[test]
fn a_form_typed_when_the_session_ends_is_kept_across_the_sign_in() {
    run(|ctx: Arc<Ctx>| async move {
        ctx.goto("/residents/new").await;
        let idle = "return window.SojournSession.state.idleMs";
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while ctx.eval(idle).await.as_f64().unwrap_or_default() <= 0.0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the idle time never came"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(ctx.eval(idle).await.as_f64(), Some(30.0 * 60.0 * 1000.0));
        // Four minutes before the end, the warning; "go on" asks the
        // server again and the warning goes.
        ctx.eval(
            "const s = window.SojournSession; \
             s.check(s.state.lastContact + s.state.idleMs - 60000 - 240000); return null",
        )
        .await;
        let warning = ctx
            .wait_text("#session-warning", "the expiry warning", |t| {
                t.contains("5 分钟")
            })
            .await;
        assert!(warning.contains("继续使用"), "{warning}");
        ctx.click("#session-warning [data-keepalive]").await;
        let hidden = "return document.getElementById('session-warning').hidden";
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while ctx.eval(hidden).await != serde_json::Value::Bool(true) {
            assert!(std::time::Instant::now() < deadline, "the warning stayed");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }

        ctx.type_into("#name", "欧阳晓明").await;
        ctx.type_into("#current_address", "东华门大街5号2单元301室")
            .await;
        ctx.end_session_on_server().await;
        ctx.click("form.form button.primary").await;
        // The page's script (submit) or the server (a live check still on
        // its way when the session ended) sends the clerk to sign in; both
        // name the form to come back to, the script with `/` escaped.
        let at = ctx.wait_path("/sign-in?expired=1").await;
        assert!(
            at.replace("%2F", "/").contains("next=/residents/new"),
            "{at}"
        );
        ctx.type_into("#username", harness::CLERK).await;
        ctx.type_into("#password", PASSWORD).await;
        ctx.click("form.form button.primary").await;
        ctx.wait_path("/residents/new").await;
        ctx.wait_value("#name", "欧阳晓明").await;
        assert_eq!(
            ctx.value("#current_address").await,
            "东华门大街5号2单元301室"
        );
        let notice = ctx.text("#draft-restored").await;
        assert!(notice.contains("已恢复"), "{notice}");
    });
}
