//! The 三查 worklist in the browser: the family-planning officer records
//! a woman's result from her row, and she leaves the due list.

use crate::harness::{Ctx, communities, run};
use crate::screenshots;
use crate::seed;
use sojourn_domain::account::Role;
use sojourn_domain::person::PersonId;
use sojourn_domain::services::family_planning::{
    CheckWindows, FileOpening, Filing, FollowUp, WomanRef,
};
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::Actor;
use std::sync::Arc;

/// Opens the follow-up file of seeded resident `i` (a married woman of
/// childbearing age for the `i` used here); returns the file's id.
fn filed_woman(ctx: &Ctx, unit: &str, i: usize) -> i64 {
    let store = ctx.app.store.as_ref();
    let scope = Scope::of(UnitCode::parse(unit).expect("unit"));
    let (person, _) = seed::resident(store, unit, i);
    let stay = store
        .residences_of(&scope, PersonId(person))
        .expect("stays")
        .remove(0);
    let opening = FileOpening {
        woman: WomanRef::Residence(stay.id),
        filing: Filing::Collector { on: china_today() },
        marital_status: None,
        contents: FollowUp::default(),
    };
    store
        .open_family_planning_file(&scope, &opening, china_today(), &Actor::new("seed"))
        .expect("file")
        .id
        .0
}

#[test]
fn a_result_recorded_from_the_worklist_takes_the_woman_off_the_due_list() {
    run(|ctx: Arc<Ctx>| async move {
        let units = communities();
        let first = filed_woman(&ctx, &units[0], 3);
        let second = filed_woman(&ctx, &units[0], 9);
        let scope = Scope::of(UnitCode::parse(&units[0]).expect("unit"));
        ctx.app
            .store
            .generate_family_planning_schedule(
                &scope,
                china_today().year(),
                CheckWindows::default(),
                &Actor::new("seed"),
            )
            .expect("schedule");
        ctx.app
            .open_account("fp0", Role::FamilyPlanningOfficer, &units[0], false);
        ctx.sign_out().await;
        ctx.sign_in("fp0").await;
        screenshots::viewport(&ctx, 1366, 768).await;
        ctx.goto("/family-planning?list=due").await;
        let list = ctx.text("#fp-worklist").await;
        assert!(list.contains("共：2"), "{list}");
        ctx.find(&format!("#fp-file-{first}")).await;
        ctx.find(&format!("#fp-file-{second}")).await;
        screenshots::save(&ctx, "family-planning-worklist", 1366, 768).await;
        ctx.click(&format!("#fp-check-{first} button")).await;
        ctx.wait_path("/family-planning?list=due&done=check").await;
        assert!(ctx.text(".alert.ok").await.contains("三查结果已登记"));
        let list = ctx.text("#fp-worklist").await;
        assert!(list.contains("共：1"), "{list}");
        let rows = ctx
            .eval(&format!(
                "return [!!document.getElementById('fp-file-{first}'), \
                 !!document.getElementById('fp-file-{second}')];"
            ))
            .await;
        assert_eq!(rows, serde_json::json!([false, true]));
        // The one still due is on the home page's to-do list.
        ctx.goto("/").await;
        let todo = ctx.text(".todo-list").await;
        assert!(todo.contains("本期应查的三查"), "{todo}");
        ctx.click(".todo-list a[href=\"/family-planning?list=due\"]")
            .await;
        ctx.wait_path("/family-planning?list=due").await;
    });
}
