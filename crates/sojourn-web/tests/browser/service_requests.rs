//! A service request at the one-stop window in the browser (R4.2): taken
//! in from the resident's file, referred to a department's contact,
//! resolved and closed with the resident's satisfaction.

use crate::harness::{Ctx, communities, run};
use crate::screenshots;
use crate::seed;
use sojourn_domain::account::Role;
use std::sync::Arc;

#[test]
fn a_request_is_taken_in_referred_resolved_and_closed() {
    run(|ctx: Arc<Ctx>| async move {
        let units = communities();
        let (person, _) = seed::resident(ctx.app.store.as_ref(), &units[0], 11);
        ctx.app
            .open_account("window0", Role::Clerk, &units[0], false);
        ctx.sign_out().await;
        ctx.sign_in("window0").await;
        screenshots::viewport(&ctx, 1366, 768).await;
        ctx.goto(&format!("/persons/{person}")).await;
        ctx.click("#service-requests a[href^=\"/service-requests/new\"]")
            .await;
        ctx.wait_path("/service-requests/new").await;
        ctx.choose("#kind", "schooling").await;
        ctx.type_into("#asked", "孩子想在附近小学插班").await;
        ctx.click("#request-intake button.primary").await;
        ctx.wait_path_where("the request page", |p| p.ends_with("?done=taken"))
            .await;
        assert!(ctx.text("#request-state").await.contains("已受理"));

        ctx.type_into("#department", "区教育局学籍科").await;
        ctx.type_into("#contact", "赵老师").await;
        ctx.type_into("#phone", "010-64005678").await;
        ctx.click("#request-refer button").await;
        ctx.wait_path_where("referred", |p| p.ends_with("?done=refer"))
            .await;
        assert!(ctx.text("#request-facts").await.contains("区教育局学籍科"));

        ctx.type_into("#resolution", "已安排到育英小学插班").await;
        ctx.click("#request-resolve button").await;
        ctx.wait_path_where("resolved", |p| p.ends_with("?done=resolve"))
            .await;
        ctx.choose("#satisfaction", "satisfied").await;
        ctx.type_into("#feedback", "办得很快").await;
        screenshots::save(&ctx, "service-request", 1366, 768).await;
        ctx.click("#request-close button").await;
        ctx.wait_path_where("closed", |p| p.ends_with("?done=close"))
            .await;
        assert!(ctx.text("#request-state").await.contains("已回访"));

        ctx.goto("/service-requests?state=closed").await;
        assert!(
            ctx.text("#request-list")
                .await
                .contains("孩子想在附近小学插班")
        );
    });
}
