//! The forms of the house, employer and outflow registers, as a clerk
//! uses them: 新增 from the list, the live checks while typing, a refused
//! submit that keeps everything, 修改 from the record's page, the filing
//! and agreement dates and a safety inspection of a house, and the
//! return of an outflow person.
//! Each form must fit an office screen and a phone without sideways
//! scrolling.

use crate::harness::{Ctx, communities, run};
use crate::screenshots::viewport;
use crate::seed;
use serde_json::Value;
use sojourn_domain::time_rules::china_today;
use std::sync::Arc;
use time::Duration;

/// Sets a date input (typing into one depends on the browser's locale)
/// and tells htmx it changed.
async fn set_date(ctx: &Ctx, css: &str, value: &str) {
    ctx.find(css).await;
    let script = format!(
        "const e = document.querySelector('{css}'); e.value = '{value}'; \
         e.dispatchEvent(new Event('change', {{ bubbles: true }})); return null;"
    );
    ctx.eval(&script).await;
}

/// `days` ago, as a date input holds it.
fn days_ago(days: i64) -> String {
    (china_today() - Duration::days(days)).to_string()
}

/// The form at `path` is no wider than the office screen or the phone.
async fn fits_both_sizes(ctx: &Ctx, path: &str) {
    for (width, height) in [(1366, 768), (390, 844)] {
        viewport(ctx, width, height).await;
        ctx.goto(path).await;
        ctx.find("form.form").await;
        let wide = ctx
            .eval("return document.documentElement.scrollWidth - window.innerWidth;")
            .await;
        assert!(
            wide.as_i64().unwrap_or(1) <= 0,
            "{path} scrolls sideways at {width}×{height} by {wide}px"
        );
    }
    viewport(ctx, 1366, 768).await;
}

fn uscc(first17: &str) -> String {
    let check = sojourn_domain::codes::uscc::check_character(first17).expect("credit code body");
    format!("{first17}{check}")
}

#[test]
fn a_house_is_registered_from_the_list_then_filed_and_its_agreement_dated() {
    run(|ctx: Arc<Ctx>| async move {
        fits_both_sizes(&ctx, "/houses/new").await;
        ctx.goto("/houses").await;
        ctx.click("#record-new").await;
        ctx.wait_path("/houses/new").await;
        ctx.type_into("#address", "北池子大街7号").await;
        ctx.choose("#unit", &communities()[0]).await;
        ctx.type_into("#landlord_name", "钱德明").await;
        // A wrong check digit is named while typing.
        let landlord = seed::id("110101", "19620315", "011");
        let (first17, _) = landlord.split_at(17);
        let wrong = format!(
            "{first17}{}",
            if landlord.ends_with('0') { "1" } else { "0" }
        );
        ctx.type_into("#landlord_id_number", &wrong).await;
        ctx.wait_text("#landlord_id_number-msg", "the check-digit error", |t| {
            t.contains("校验位")
        })
        .await;
        // Refused on submit: the error stays beside the field, and what
        // was typed stays too.
        ctx.type_into("#landlord_phone", "12345").await;
        ctx.click("form.form button.primary").await;
        ctx.find("#form-errors").await;
        assert!(ctx.text("#landlord_id_number-msg").await.contains("校验位"));
        assert!(!ctx.text("#landlord_phone-msg").await.is_empty());
        assert_eq!(ctx.value("#address").await, "北池子大街7号");
        assert_eq!(ctx.value("#landlord_name").await, "钱德明");

        ctx.type_into("#landlord_id_number", &landlord).await;
        ctx.wait_text("#landlord_id_number-msg", "the error gone", str::is_empty)
            .await;
        ctx.type_into("#landlord_phone", "13601010101").await;
        ctx.click("form.form button.primary").await;
        let saved = ctx
            .wait_path_where("the saved record", |p| p.ends_with("?saved=1"))
            .await;
        assert!(saved.ends_with("?saved=1"), "{saved}");
        assert!(ctx.text(".alert.ok").await.contains("已保存"));
        let facts = ctx.text(".facts").await;
        assert!(
            facts.contains("未备案") && facts.contains("未签订"),
            "{facts}"
        );
        let page = saved.trim_end_matches("?saved=1").to_owned();
        fits_both_sizes(&ctx, &format!("{page}/edit")).await;
        ctx.goto(&page).await;

        // 修改: the landlord's number is not shown in full and is kept.
        ctx.click("#record-edit").await;
        ctx.wait_path_where("the change form", |p| p.ends_with("/edit"))
            .await;
        assert_eq!(ctx.value("#landlord_id_number").await, "");
        let hint = ctx.text("#landlord_id_number-hint").await;
        assert!(
            hint.contains("不填则保留") && !hint.contains(&landlord),
            "{hint}"
        );
        let (filed, signed) = (days_ago(10), days_ago(9));
        set_date(&ctx, "#filed_on", &filed).await;
        set_date(&ctx, "#security_agreement_on", &signed).await;
        ctx.type_into("#rooms", "4").await;
        ctx.click("form.form button.primary").await;
        ctx.wait_text(".alert.ok", "the saved notice", |t| t.contains("已保存"))
            .await;
        let facts = ctx.text(".facts").await;
        assert!(facts.contains(&filed) && facts.contains(&signed), "{facts}");
        let landlord_panel = ctx.text(".columns .panel:nth-child(2)").await;
        assert!(landlord_panel.contains("钱德明"), "{landlord_panel}");

        // A safety inspection: issues found must say what they are.
        ctx.type_into("#inspector", "李建国").await;
        ctx.choose("#result", "issues_found").await;
        ctx.click("#inspection-form button.primary").await;
        ctx.wait_text("#inspection_notes-msg", "the required error", |t| {
            t.contains("必填")
        })
        .await;
        assert_eq!(ctx.value("#inspector").await, "李建国");
        ctx.type_into("#inspection_notes", "楼道堆放杂物").await;
        ctx.click("#inspection-form button.primary").await;
        let table = ctx
            .wait_text("#inspection-table", "the inspection kept", |t| {
                t.contains("楼道堆放杂物")
            })
            .await;
        assert!(
            table.contains("发现隐患") && table.contains("李建国"),
            "{table}"
        );
        assert!(ctx.text("#inspections .alert.ok").await.contains("已登记"));
    });
}

#[test]
fn an_employer_is_registered_with_a_checked_credit_code_and_then_changed() {
    run(|ctx: Arc<Ctx>| async move {
        fits_both_sizes(&ctx, "/employers/new").await;
        ctx.goto("/employers").await;
        ctx.click("#record-new").await;
        ctx.wait_path("/employers/new").await;
        let code = uscc("91110101MA01BCDE3");
        let (first17, last) = code.split_at(17);
        let wrong = format!("{first17}{}", if last == "0" { "1" } else { "0" });
        ctx.type_into("#uscc", &wrong).await;
        ctx.type_into("#name", "北京东华门物业管理有限公司").await;
        ctx.click("form.form button.primary").await;
        ctx.find("#form-errors").await;
        assert!(!ctx.text("#uscc-msg").await.is_empty());
        assert!(ctx.text("#address-msg").await.contains("必填"));
        assert!(ctx.text("#legal_representative-msg").await.contains("必填"));
        assert_eq!(ctx.value("#name").await, "北京东华门物业管理有限公司");

        ctx.type_into("#uscc", &code).await;
        ctx.wait_text("#uscc-msg", "the error gone", str::is_empty)
            .await;
        ctx.type_into("#legal_representative", "周建华").await;
        ctx.type_into("#address", "东华门大街30号").await;
        ctx.choose("#unit", &communities()[1]).await;
        ctx.type_into("#declared_workers", "25").await;
        ctx.click("form.form button.primary").await;
        ctx.wait_path_where("the saved record", |p| p.ends_with("?saved=1"))
            .await;
        assert!(ctx.text(".alert.ok").await.contains("已保存"));
        assert!(ctx.text(".facts").await.contains(&code));

        ctx.click("#record-edit").await;
        ctx.wait_path_where("the change form", |p| p.ends_with("/edit"))
            .await;
        assert_eq!(ctx.value("#uscc_shown").await, code);
        ctx.type_into("#declared_workers", "40").await;
        ctx.type_into("#phone", "01065001234").await;
        ctx.click("form.form button.primary").await;
        ctx.wait_text(".alert.ok", "the saved notice", |t| t.contains("已保存"))
            .await;
        let facts = ctx.text(".facts").await;
        assert!(facts.contains("40") && facts.contains("1234"), "{facts}");
        // Shown masked on the page, the phone is not shown in full on the
        // form either, and left empty it is kept.
        ctx.click("#record-edit").await;
        ctx.wait_path_where("the change form", |p| p.ends_with("/edit"))
            .await;
        assert_eq!(ctx.value("#phone").await, "");
        assert!(ctx.text("#phone-hint").await.contains("1234"));
        ctx.type_into("#declared_workers", "41").await;
        ctx.click("form.form button.primary").await;
        ctx.wait_text(".facts", "the change saved", |t| t.contains("41"))
            .await;
        assert!(ctx.text(".facts").await.contains("1234"));
    });
}

#[test]
fn an_outflow_person_is_registered_changed_and_recorded_as_returned() {
    run(|ctx: Arc<Ctx>| async move {
        fits_both_sizes(&ctx, "/outflows/new").await;
        ctx.goto("/outflows").await;
        ctx.click("#record-new").await;
        ctx.wait_path("/outflows/new").await;
        let person = seed::id("110101", "19900611", "052");
        ctx.type_into("#id_number", &person).await;
        ctx.type_into("#name", "周晓东").await;
        ctx.choose("#unit", &communities()[0]).await;
        set_date(&ctx, "#left_on", &days_ago(60)).await;
        // A prefecture is destination enough.
        ctx.choose("#destination_province", "44").await;
        ctx.choose("#destination_city", "4403").await;
        ctx.wait_text("#destination-picker .picked", "the chosen city", |t| {
            t.contains("深圳")
        })
        .await;
        // A child left behind, too old to be one: refused beside the row.
        ctx.type_into("#lb0_name", "周小宝").await;
        ctx.type_into("#lb0_relation", "儿子").await;
        set_date(&ctx, "#lb0_birth_date", "2000-01-01").await;
        ctx.click("form.form button.primary").await;
        ctx.find("#form-errors").await;
        let row = ctx.text("#lb0-msg").await;
        assert!(!row.is_empty(), "the age rule is not shown beside the row");
        assert_eq!(ctx.value("#name").await, "周晓东");
        assert!(
            ctx.text("#destination-picker .picked")
                .await
                .contains("深圳")
        );

        set_date(&ctx, "#lb0_birth_date", &days_ago(365 * 5)).await;
        ctx.click("form.form button.primary").await;
        let saved = ctx
            .wait_path_where("the saved record", |p| p.ends_with("?saved=1"))
            .await;
        assert!(saved.ends_with("?saved=1"), "{saved}");
        let record = saved.trim_end_matches("?saved=1").to_owned();
        for form in ["edit", "return"] {
            fits_both_sizes(&ctx, &format!("{record}/{form}")).await;
        }
        ctx.goto(&record).await;
        let page = ctx.text("main").await;
        assert!(page.contains("周小宝") && page.contains("深圳"), "{page}");

        ctx.click("#record-edit").await;
        ctx.wait_path_where("the change form", |p| p.ends_with("/edit"))
            .await;
        ctx.type_into("#employer_name", "深圳湾科技有限公司").await;
        ctx.click("form.form button.primary").await;
        ctx.wait_text(".alert.ok", "the saved notice", |t| t.contains("已保存"))
            .await;
        let page = ctx.text("main").await;
        assert!(
            page.contains("深圳湾科技有限公司") && page.contains("周小宝"),
            "the change lost the family: {page}"
        );

        // 已返回: a date before the leaving is refused, today is taken.
        ctx.click("#record-return").await;
        ctx.wait_path_where("the return form", |p| p.ends_with("/return"))
            .await;
        set_date(&ctx, "#returned_on", &days_ago(100)).await;
        ctx.click("form.form button.primary").await;
        ctx.find("#form-errors").await;
        assert!(!ctx.text("#returned_on-msg").await.is_empty());
        set_date(&ctx, "#returned_on", &days_ago(1)).await;
        ctx.click("form.form button.primary").await;
        ctx.wait_text(".alert.ok", "the return notice", |t| t.contains("已关闭"))
            .await;
        assert!(ctx.text("h1").await.contains("已返回"));
        let buttons = ctx
            .eval("return document.querySelector('#record-return') === null;")
            .await;
        assert_eq!(
            buttons,
            Value::Bool(true),
            "a closed record offers a return"
        );
    });
}
