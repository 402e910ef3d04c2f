//! The review workflow in the browser: the station chief approves a record
//! from the review queue.

use crate::harness::{Ctx, ROOT, communities, run};
use crate::screenshots;
use crate::seed;
use sojourn_domain::account::Role;
use std::sync::Arc;

#[test]
fn the_station_chief_approves_a_record_from_the_review_queue() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        ctx.app
            .open_account("zhanzhang", Role::StationChief, ROOT, false);
        ctx.sign_out().await;
        ctx.sign_in("zhanzhang").await;
        ctx.click("a[href=\"/review\"]").await;
        ctx.wait_path("/review").await;
        let button = format!("#approve-house-{}", seeded.house);
        ctx.find(&button).await;
        for (width, height) in [(1366, 768), (390, 844)] {
            screenshots::viewport(&ctx, width, height).await;
            ctx.goto("/review").await;
            ctx.find(&button).await;
            screenshots::save(&ctx, "review-queue", width, height).await;
        }
        screenshots::viewport(&ctx, 1366, 768).await;
        ctx.goto("/review").await;
        ctx.click(&button).await;
        ctx.wait_path("/review?done=approve").await;
        assert!(ctx.text(".alert.ok").await.contains("审核通过"));
        let source = ctx.source().await;
        assert!(!source.contains(&button[1..]), "still awaiting review");
        // The approved house now waits for a spot check.
        ctx.goto("/review/spot-checks").await;
        ctx.find(&format!("a[href=\"/houses/{}\"]", seeded.house))
            .await;
    });
}

/// The station chief's home page counts what waits for review, and its
/// to-do line opens the queue.
#[test]
fn the_home_pages_to_do_list_counts_the_review_queue_and_opens_it() {
    run(|ctx: Arc<Ctx>| async move {
        seed::seed(ctx.app.store.as_ref());
        ctx.app
            .open_account("zhanzhang", Role::StationChief, ROOT, false);
        ctx.sign_out().await;
        ctx.sign_in("zhanzhang").await;
        ctx.goto("/").await;
        let todo = ctx.text(".todo-list").await;
        assert!(todo.contains("待审核"), "{todo}");
        assert!(!ctx.text(".todo").await.contains("暂无待办事项"));
        ctx.click(".todo-list a[href=\"/review\"]").await;
        ctx.wait_path("/review").await;
        ctx.find("table.data").await;
    });
}

/// Living in one community and working in another: the coordinator of the
/// first opens the file and reads the employer's name and community, with
/// no link into the other community's register.
#[test]
fn a_file_whose_employer_is_kept_by_another_community_opens_with_its_name() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        let sibling = &communities()[1];
        let person = seed::worker_elsewhere(ctx.app.store.as_ref(), sibling, seeded.employer);
        ctx.app
            .open_account("coordinator", Role::Coordinator, sibling, false);
        ctx.sign_out().await;
        ctx.sign_in("coordinator").await;
        ctx.goto(&format!("/persons/{person}")).await;
        ctx.find(".timeline").await;
        let main = ctx.text("main").await;
        assert!(main.contains("北京多福餐饮有限公司"), "{main}");
        assert!(main.contains("非本辖区"), "{main}");
        let link = format!("href=\"/employers/{}\"", seeded.employer);
        assert!(!ctx.source().await.contains(&link));
    });
}

/// The chief narrows the queue to one community's stays, ticks them all
/// and approves them in one batch; a return without a reason stays on the
/// queue with the reason beside the field.
#[test]
fn the_chief_filters_the_queue_and_approves_a_communitys_stays_in_one_batch() {
    run(|ctx: Arc<Ctx>| async move {
        let seeded = seed::seed(ctx.app.store.as_ref());
        let first = &communities()[0];
        ctx.app
            .open_account("zhanzhang", Role::StationChief, ROOT, false);
        ctx.sign_out().await;
        ctx.sign_in("zhanzhang").await;
        ctx.goto("/review").await;
        ctx.choose("#filter-kind", "residence").await;
        ctx.choose("#filter-unit", first).await;
        ctx.click("form.filters button[type=submit]").await;
        let at = ctx.wait_path("/review?kind=residence").await;
        assert!(at.contains(&format!("unit={first}")), "{at}");
        let ticked = ctx
            .eval("return document.querySelectorAll('input.batch-item').length")
            .await;
        let ticked = ticked.as_u64().expect("a count");
        assert!(ticked >= 5, "{ticked} rows");
        ctx.click("#select-all").await;
        ctx.click("#approve-selected").await;
        let done = ctx
            .wait_path(&format!("/review?kind=residence&unit={first}&approved="))
            .await;
        assert!(done.contains(&format!("approved={ticked}")), "{done}");
        assert!(
            ctx.text(".alert.ok")
                .await
                .contains(&format!("已审核通过 {ticked} 条"))
        );
        assert_eq!(
            ctx.eval("return document.querySelectorAll('input.batch-item').length")
                .await,
            0
        );
        // The other records wait on.
        ctx.goto("/review").await;
        let house = format!("reason-house-{}", seeded.house);
        ctx.click(&format!(
            "#row-house-{} button[formaction$=\"/reject\"]",
            seeded.house
        ))
        .await;
        let message = ctx
            .wait_text(&format!("#{house}-msg"), "the reason's error", |t| {
                t.contains("须填写原因")
            })
            .await;
        assert!(message.contains("退回更正"), "{message}");
        assert!(ctx.wait_path("/review").await.starts_with("/review"));
    });
}
