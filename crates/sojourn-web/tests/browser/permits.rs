//! The residence permit counter in the browser: an application taken,
//! a one-time notice ticking the missing documents (printable), the
//! application accepted once they are in, and the acceptance receipt
//! with the day the card is due.

use crate::harness::{Ctx, communities, run};
use crate::screenshots;
use crate::seed;
use sojourn_domain::account::Role;
use sojourn_domain::time_rules::china_today;
use std::sync::Arc;
use time::Duration;

#[test]
fn the_counter_applies_gives_a_notice_accepts_and_prints_the_receipt() {
    run(|ctx: Arc<Ctx>| async move {
        let units = communities();
        // Arrived seven months ago, no house or employer on file.
        let (person, _) = seed::resident(ctx.app.store.as_ref(), &units[0], 10);
        ctx.app
            .open_account("window0", Role::Clerk, &units[0], false);
        ctx.sign_out().await;
        ctx.sign_in("window0").await;
        screenshots::viewport(&ctx, 1366, 768).await;
        ctx.goto(&format!("/persons/{person}")).await;
        ctx.click("#person-permits").await;
        ctx.wait_path(&format!("/persons/{person}/permits")).await;
        // The clerk saw the tenancy contract: housing, proved by document.
        ctx.choose("#proof", "housing").await;
        ctx.click("#permit-apply button.primary").await;
        ctx.wait_path(&format!("/persons/{person}/permits?done=1"))
            .await;
        assert!(ctx.text("#permits").await.contains("已申请待受理"));
        // The photo is missing: a notice listing it, at once.
        ctx.click("form[id$=\"-notice\"] input[value=\"photo\"]")
            .await;
        ctx.click("form[id$=\"-notice\"] button").await;
        let notice = ctx.wait_path("/permits/").await;
        assert!(notice.ends_with("/notice"), "{notice}");
        assert!(ctx.text("#printout-missing").await.contains("照片"));
        screenshots::save(&ctx, "permit-notice", 1366, 768).await;
        // The photo is brought: accepted, and the receipt printed.
        ctx.goto(&format!("/persons/{person}/permits")).await;
        ctx.click("form[id$=\"-accept\"] button").await;
        let receipt = ctx.wait_path("/permits/").await;
        assert!(receipt.ends_with("/receipt"), "{receipt}");
        let due = (china_today() + Duration::days(15)).to_string();
        assert_eq!(ctx.text("#printout-due").await, due);
        assert!(ctx.text("#printout").await.contains("受理回执"));
        screenshots::save(&ctx, "permit-receipt", 1366, 768).await;
        // The worklist counts nothing left to accept.
        ctx.goto("/permits?list=to_accept").await;
        assert!(ctx.text("#list-to_accept").await.contains('0'));
    });
}
