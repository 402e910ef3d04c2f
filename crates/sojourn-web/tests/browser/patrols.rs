//! A patrol recorded on a phone (巡查, R6.1): the coordinator opens the
//! house's patrol form, is told what is missing, taps what was seen, and
//! finds the task it opened on the patrols page — all at a phone's width.

use crate::harness::{Ctx, communities, run};
use crate::screenshots;
use crate::seed;
use sojourn_domain::account::Role;
use std::sync::Arc;

/// Whether the page is no wider than the window.
async fn fits(ctx: &Ctx, what: &str) {
    let widths = ctx
        .eval("return [document.documentElement.scrollWidth, window.innerWidth];")
        .await;
    let number = |i: usize| widths[i].as_i64().unwrap_or(i64::MAX);
    assert!(number(0) <= number(1), "{what} scrolls sideways: {widths}");
}

#[test]
fn a_coordinator_records_a_patrol_on_a_phone_and_finds_the_task_it_opened() {
    run(|ctx: Arc<Ctx>| async move {
        let units = communities();
        let seeded = seed::seed(ctx.app.store.as_ref());
        ctx.app
            .open_account("xieguan", Role::Coordinator, &units[0], false);
        ctx.sign_out().await;
        ctx.sign_in("xieguan").await;
        screenshots::viewport(&ctx, 390, 844).await;
        ctx.goto(&format!("/houses/{}", seeded.house)).await;
        ctx.click("#record-patrol").await;
        ctx.wait_path("/patrols/new?house=").await;
        fits(&ctx, "the patrol form").await;
        // Sent without saying whether anyone lives there: told so, and
        // what was typed stays.
        ctx.type_into("#note", "三楼新搬来两人").await;
        ctx.click("#patrol-form button.primary").await;
        let message = ctx
            .wait_text("#occupancy-msg", "the missing choice", |t| !t.is_empty())
            .await;
        assert!(message.contains("是否有人居住"), "{message}");
        assert_eq!(ctx.value("#note").await, "三楼新搬来两人");

        ctx.click("input[name=occupancy][value=occupied]").await;
        ctx.click("input[name=unregistered_tenants]").await;
        screenshots::save(&ctx, "patrol-form", 390, 844).await;
        ctx.click("#patrol-form button.primary").await;
        ctx.wait_path(&format!("/houses/{}?patrolled=1", seeded.house))
            .await;
        assert!(ctx.text(".alert.ok").await.contains("巡查记录已保存"));

        ctx.goto("/patrols").await;
        fits(&ctx, "the patrols page").await;
        let tasks = ctx.text("#tasks").await;
        assert!(tasks.contains("多福巷12号"), "{tasks}");
        screenshots::save(&ctx, "patrols", 390, 844).await;
        ctx.click("#tasks form button").await;
        ctx.wait_path("/patrols?done=closed").await;
        assert!(ctx.text("#tasks").await.contains("没有待处理的巡查发现"));
    });
}
