//! The person file's edit form and history, the reveal control, moving a
//! tenant from a house's page and the age-band filter, in the browser.

use crate::harness::{Ctx, run};
use crate::screenshots;
use crate::seed;
use std::sync::Arc;

#[test]
fn a_file_is_edited_through_its_form_and_the_history_shows_what_changed() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        let file = format!("/persons/{}", seeded.person);
        ctx.goto(&file).await;
        ctx.click(&format!("a[href=\"{file}/edit\"]")).await;
        ctx.wait_path(&format!("{file}/edit")).await;

        // A wrong phone is refused beside its field, in zh-CN, and every
        // value typed stays.
        ctx.type_into("#current_address", "东华门大街9号1单元101室")
            .await;
        ctx.type_into("#phone", "12345").await;
        ctx.click("#edit-form button.primary").await;
        ctx.find("#form-errors").await;
        let message = ctx.text("#phone-msg").await;
        assert!(!message.is_empty() && !message.is_ascii(), "{message}");
        assert_eq!(ctx.value("#phone").await, "12345");
        assert_eq!(
            ctx.value("#current_address").await,
            "东华门大街9号1单元101室"
        );

        ctx.type_into("#phone", "13912345678").await;
        ctx.click("#edit-form button.primary").await;
        ctx.wait_path(&format!("{file}?saved=1")).await;
        assert!(ctx.text(".alert.ok").await.contains("修改已保存"));
        let history = ctx
            .wait_text("#history-title + .table-wrap", "the change", |t| {
                t.contains("东华门大街9号1单元101室")
            })
            .await;
        // The new phone shows masked in the history too.
        assert!(history.contains("139****5678"), "{history}");
        assert!(!history.contains("13912345678"), "{history}");
        for (width, height) in [(1366, 768), (390, 844)] {
            screenshots::viewport(&ctx, width, height).await;
            ctx.goto(&format!("{file}?saved=1")).await;
            ctx.find("#history-title").await;
            ctx.eval("document.getElementById('history-title').scrollIntoView(); return null;")
                .await;
            screenshots::save(&ctx, "person-history", width, height).await;
            ctx.goto(&format!("{file}/edit")).await;
            ctx.find("#edit-form").await;
            screenshots::save(&ctx, "person-edit", width, height).await;
        }
    });
}

#[test]
fn numbers_are_masked_until_revealed_with_a_reason() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        ctx.goto(&format!("/persons/{}", seeded.person)).await;
        let facts = ctx.text("#identity-title + .facts").await;
        assert!(facts.contains("********"), "{facts}");

        ctx.click("details.reveal summary").await;
        ctx.type_into("#reason", "看看").await;
        ctx.click("details.reveal button").await;
        ctx.wait_text("#reason-msg", "the reason error", |t| {
            t.contains("请填写查看完整信息的理由")
        })
        .await;
        assert_eq!(ctx.value("#reason").await, "看看");
        assert!(
            ctx.text("#identity-title + .facts")
                .await
                .contains("********")
        );

        ctx.type_into("#reason", "核实身份：办理居住证").await;
        ctx.click("details.reveal button").await;
        ctx.wait_text(".alert.ok", "the reveal notice", |t| {
            t.contains("已记入审计日志")
        })
        .await;
        let shown = ctx.text("#identity-title + .facts").await;
        assert!(!shown.contains("********"), "{shown}");
        let reveals = ctx
            .app
            .store
            .audit_entries_unscoped(0, 1000)
            .expect("entries")
            .into_iter()
            .filter(|e| e.action == "reveal")
            .count();
        assert_eq!(reveals, 1);
        for (width, height) in [(1366, 768), (390, 844)] {
            screenshots::viewport(&ctx, width, height).await;
            ctx.goto(&format!("/persons/{}", seeded.person)).await;
            ctx.click("details.reveal summary").await;
            screenshots::save(&ctx, "person-reveal", width, height).await;
        }
    });
}

#[test]
fn a_tenant_found_by_search_moves_in_and_leaves_the_old_house() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        // Another house than the seeded resident's.
        ctx.goto("/houses").await;
        let links = ctx
            .client
            .find_all(fantoccini::Locator::Css("table a[href^=\"/houses/\"]"))
            .await
            .expect("house links");
        let mut target = None;
        for link in links {
            let href = link.attr("href").await.ok().flatten().unwrap_or_default();
            if href != format!("/houses/{}", seeded.house) {
                target = Some(href);
                break;
            }
        }
        let target = target.expect("another house");
        ctx.goto(&target).await;
        ctx.type_into("#tenant_q", "wjg").await;
        ctx.click("#tenant-move button").await;
        let found = ctx
            .wait_text("#tenant-candidates", "王建国", |t| t.contains("王建国"))
            .await;
        assert!(found.contains("多福巷12号"), "rents now: {found}");
        assert!(found.contains("********"), "masked: {found}");
        for (width, height) in [(1366, 768), (390, 844)] {
            screenshots::viewport(&ctx, width, height).await;
            ctx.eval("document.getElementById('tenant-move').scrollIntoView(); return null;")
                .await;
            screenshots::save(&ctx, "house-tenant-search", width, height).await;
        }
        // Moved in yesterday, as the clerk chooses.
        let yesterday =
            (sojourn_domain::time_rules::china_today() - time::Duration::days(1)).to_string();
        ctx.eval(&format!(
            "document.querySelector('#tenant-candidates input[type=date]').value = '{yesterday}'; return null;"
        ))
        .await;
        ctx.click("#tenant-candidates button.primary").await;
        ctx.wait_path(&format!("{target}?moved=1")).await;
        assert!(ctx.text(".alert.ok").await.contains("租户已迁入"));
        let main = ctx.text("main").await;
        assert!(
            main.contains("王建国") && main.contains(&yesterday),
            "{main}"
        );
        ctx.goto(&format!("/houses/{}", seeded.house)).await;
        let before = ctx
            .text("main .columns:last-of-type section:last-child")
            .await;
        assert!(before.contains("王建国"), "former tenants: {before}");
        assert!(
            before.contains(&yesterday),
            "ended the day before: {before}"
        );
    });
}

#[test]
fn the_age_band_filter_is_chosen_in_the_form_and_kept_in_the_url() {
    run(|ctx: Arc<Ctx>| async move {
        seed::seed(ctx.app.store.as_ref());
        ctx.goto("/residents").await;
        // Open on an office screen already; opened here whatever the size.
        ctx.eval("document.querySelector('details.filter-more').open = true; return null;")
            .await;
        ctx.choose("#filter-age_band", "16_59").await;
        ctx.click("form.filters button.primary").await;
        let path = ctx.wait_path("/residents?").await;
        assert!(path.contains("age_band=16_59"), "{path}");
        assert_eq!(ctx.value("#filter-age_band").await, "16_59");
        let ages = ctx
            .eval(
                "return [...document.querySelectorAll('#resident-table tbody td.num')].map(td => Number(td.textContent));",
            )
            .await;
        let ages: Vec<i64> = ages
            .as_array()
            .expect("ages")
            .iter()
            .filter_map(|a| a.as_i64())
            .collect();
        assert!(!ages.is_empty());
        assert!(ages.iter().all(|a| (16..=59).contains(a)), "{ages:?}");
        for (width, height) in [(1366, 768), (390, 844)] {
            screenshots::viewport(&ctx, width, height).await;
            ctx.goto("/residents?age_band=16_59&status=any").await;
            ctx.find("#resident-table").await;
            screenshots::save(&ctx, "residents-age-band", width, height).await;
        }
    });
}

/// Choosing the rented house on the registration form fills in the current
/// address; an address the clerk typed is left as typed.
#[test]
fn choosing_a_house_fills_in_the_current_address() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        ctx.goto("/residents/new").await;
        ctx.type_into("#house_q", "多福巷").await;
        let option = format!("#house_id option[value=\"{}\"]", seeded.house);
        ctx.find(&option).await;
        ctx.choose("#house_id", &seeded.house.to_string()).await;
        ctx.wait_value("#current_address", "多福巷12号").await;
        // Typed over, the address stays when another house is chosen.
        ctx.type_into("#current_address", "多福巷12号3单元201室")
            .await;
        ctx.choose("#house_id", "").await;
        ctx.choose("#house_id", &seeded.house.to_string()).await;
        assert_eq!(ctx.value("#current_address").await, "多福巷12号3单元201室");
    });
}
