//! The jurisdiction tree: a new grid below a community, or a collection
//! point below a grid, for both `POST /api/v1/units` and the page
//! `/admin/units`.

use crate::AppState;
use crate::auth::Caller;
use crate::blocking::run;
use crate::error::ApiError;
use sojourn_domain::unit::Unit;

/// Adds `unit` below its parent, which must be in the caller's subtree;
/// the store audits it.
pub(crate) async fn create(
    state: &AppState,
    caller: &Caller,
    unit: Unit,
) -> Result<Unit, ApiError> {
    let (scope, actor) = (caller.scope(), caller.actor());
    run(state, move |store| store.create_unit(&scope, &unit, &actor)).await
}
