//! 重卡 across communities in the browser: the number typed is named with
//! the community holding it, the request sent from the form lands on that
//! community's to-do list and is accepted there; a probable duplicate is
//! compared side by side before it is merged; the monitor's lists fit an
//! office screen.

use crate::harness::{Ctx, ROOT, communities, run};
use crate::screenshots;
use crate::seed;
use sojourn_domain::account::Role;
use sojourn_domain::unit::{Scope, UnitCode};
use std::sync::Arc;

fn unit_name(ctx: &Ctx, code: &str) -> String {
    let root = Scope::of(UnitCode::parse(ROOT).expect("root"));
    ctx.app
        .store
        .get_unit(&root, &UnitCode::parse(code).expect("code"))
        .expect("unit")
        .name
        .to_string()
}

#[test]
fn a_number_living_in_another_community_is_named_while_typed_and_the_request_is_accepted_there() {
    run(|ctx: Arc<Ctx>| async move {
        let units = communities();
        let (_, number) = seed::resident(ctx.app.store.as_ref(), &units[1], 7);
        let there = unit_name(&ctx, &units[1]);
        ctx.app
            .open_account("clerk0", Role::Clerk, &units[0], false);
        ctx.app
            .open_account("clerk1", Role::Clerk, &units[1], false);
        ctx.sign_out().await;
        ctx.sign_in("clerk0").await;
        ctx.goto("/residents/new").await;
        ctx.type_into("#id_number", &number).await;
        let message = ctx
            .wait_text("#id_number-msg", "the duplicate warning", |t| {
                t.contains("重卡")
            })
            .await;
        assert!(message.contains(&there), "{message}");
        let class = ctx.find("#id_number-msg").await.attr("class").await;
        assert!(class.ok().flatten().unwrap_or_default().contains("error"));
        ctx.click("#transfer-ask").await;
        let asked_of = ctx
            .wait_text("#transfer-to", "the community asked", |t| !t.is_empty())
            .await;
        assert_eq!(asked_of, there);
        ctx.type_into("#note", "本人已搬至本社区").await;
        ctx.click("form.form button.primary").await;
        ctx.wait_path("/transfers?done=sent").await;
        assert!(ctx.text("#outgoing").await.contains("待处理"));

        ctx.sign_out().await;
        ctx.sign_in("clerk1").await;
        screenshots::viewport(&ctx, 1366, 768).await;
        ctx.goto("/").await;
        let todo = ctx.text(".todo-list").await;
        assert!(todo.contains("待处理的转移申请"), "{todo}");
        ctx.click(".todo-list a[href=\"/transfers\"]").await;
        ctx.wait_path("/transfers").await;
        assert!(ctx.text("#incoming").await.contains("本人已搬至本社区"));
        screenshots::save(&ctx, "transfers", 1366, 768).await;
        ctx.click("#incoming form[action$=\"/accept\"] button")
            .await;
        ctx.wait_path("/transfers?done=accepted").await;
        assert!(ctx.text(".alert.ok").await.contains("已同意"));
        assert!(ctx.text("#incoming").await.contains("已同意"));
        ctx.goto("/").await;
        assert!(!ctx.text(".todo").await.contains("转移申请"));
    });
}

/// Whether the page is no wider than the window, and no table on it
/// scrolls sideways in its frame either.
async fn fits(ctx: &Ctx, path: &str) {
    ctx.goto(path).await;
    ctx.find("main").await;
    let widths = ctx
        .eval(
            "return [document.documentElement.scrollWidth, window.innerWidth, \
             Math.max(0, ...[...document.querySelectorAll('.table-wrap')] \
                 .map(e => e.scrollWidth - e.clientWidth))];",
        )
        .await;
    let number = |i: usize| widths[i].as_i64().unwrap_or(i64::MAX);
    assert!(
        number(0) <= number(1) && number(2) == 0,
        "{path} scrolls sideways at 1366 px (page, window, table overflow): {widths}"
    );
}

#[test]
fn a_probable_duplicate_is_compared_field_by_field_before_it_is_merged() {
    run(|ctx: Arc<Ctx>| async move {
        let units = communities();
        seed::seed(ctx.app.store.as_ref());
        let (first, second) = seed::namesakes(ctx.app.store.as_ref(), &units[0]);
        ctx.app
            .open_account("zhanzhang", Role::StationChief, &units[0], false);
        ctx.sign_out().await;
        ctx.sign_in("zhanzhang").await;
        screenshots::viewport(&ctx, 1366, 768).await;
        for path in ["/quality", "/quality/findings", "/quality/duplicates"] {
            fits(&ctx, path).await;
        }
        // The monitor counts the pairs its list shows.
        ctx.goto("/quality").await;
        let counted = ctx.text("table.data tfoot td:nth-last-child(2)").await;
        ctx.goto("/quality/duplicates").await;
        let listed = ctx
            .eval("return document.querySelectorAll('table.data tbody tr').length;")
            .await;
        assert_eq!(counted, listed.to_string());
        ctx.click("a[href^=\"/quality/duplicates/\"]").await;
        ctx.wait_path("/quality/duplicates/").await;
        let compared = ctx.text("#compare").await;
        for file in [first, second] {
            ctx.find(&format!("#compare a[href=\"/persons/{file}\"]"))
                .await;
        }
        // The numbers differ in one digit, the stays in their state: each
        // row is marked, and the two names agree.
        let differing = ctx.text("#compare tr.differs").await;
        assert!(differing.contains("公民身份号码"), "{compared}");
        assert!(ctx.text("#compare-differences").await.contains("项不同"));
        let rows = ctx
            .eval("return [...document.querySelectorAll('#compare tbody tr:not(.differs) th')].map(e => e.textContent);")
            .await;
        assert!(rows.to_string().contains("姓名"), "{rows}");
        let path = ctx
            .client
            .current_url()
            .await
            .expect("url")
            .path()
            .to_owned();
        fits(&ctx, &path).await;
        screenshots::save(&ctx, "quality-compare", 1366, 768).await;
        ctx.click("#keep-second").await;
        ctx.wait_path("/quality/duplicates?done=merged").await;
        assert!(ctx.text(".alert.ok").await.contains("合并"));
    });
}
