//! The review workflow in the browser: the station chief approves a record
//! from the review queue.

use crate::harness::{Ctx, ROOT, run};
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
