//! The JSON API under `/api/v1`: one module of handlers per register. A
//! handler takes the caller's scope from [`CallerScope`](crate::scope::CallerScope),
//! turns the request into domain values (refusing it with every field error
//! at once), calls the store off the async runtime and answers with a
//! response type of [`crate::dto`].

/// Live checks for forms (ID numbers).
pub mod checks;
/// Administrative divisions for pickers.
pub mod divisions;
/// The OpenAPI document, generated from the handlers' annotations.
pub mod doc;
/// Employers.
pub mod employers;
/// Rental houses.
pub mod houses;
/// The outflow register.
pub mod outflows;
/// Person files.
pub mod persons;
/// Residence episodes: read, correct, activate, deregister.
pub mod residences;
/// Registration of arrivals and the resident list.
pub mod residents;
/// The jurisdiction tree.
pub mod units;

use crate::AppState;
use crate::dto::RevisionResponse;
use crate::error::ApiError;
use crate::json::Json;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, get, post, put};
use sojourn_domain::unit::Scope;
use sojourn_store::{Actor, RecordRef, Store};
use std::sync::Arc;

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

/// The API's routes, relative to [`PREFIX`].
pub(crate) fn router() -> Router<AppState> {
    routes().router
}

/// Every route of the API as `(method, path)` with the full path, in the
/// order they are registered. Read from the same table that builds the
/// router, so tests can hold the OpenAPI document against it.
pub fn route_list() -> Vec<(String, String)> {
    routes()
        .listed
        .into_iter()
        .map(|(method, path)| (method.to_owned(), format!("{PREFIX}{path}")))
        .collect()
}

fn routes() -> Routes {
    Routes::default()
        .get("/openapi.json", doc::openapi_json)
        .get("/units", units::list_units)
        .post("/units", units::create_unit)
        .get("/units/{code}", units::get_unit)
        .get("/units/{code}/children", units::list_children)
        .post("/residents", residents::register_arrival)
        .get("/residents", residents::search_residents)
        .get("/residences/{id}", residences::get_residence)
        .put("/residences/{id}", residences::update_stay)
        .post("/residences/{id}/activate", residences::activate_residence)
        .post("/residences/{id}/departure", residences::register_departure)
        .get("/residences/{id}/history", residences::residence_history)
        .get("/persons/{id}", persons::get_person)
        .put("/persons/{id}", persons::update_person)
        .get("/persons/{id}/history", persons::person_history)
        .post("/houses", houses::create_house)
        .get("/houses", houses::search_houses)
        .get("/houses/{id}", houses::get_house)
        .put("/houses/{id}", houses::update_house)
        .get("/houses/{id}/tenants", houses::list_tenants)
        .get("/houses/{id}/history", houses::house_history)
        .post("/employers", employers::create_employer)
        .get("/employers", employers::search_employers)
        .get("/employers/{id}", employers::get_employer)
        .put("/employers/{id}", employers::update_employer)
        .get("/employers/{id}/workers", employers::list_workers)
        .get("/employers/{id}/history", employers::employer_history)
        .post("/outflows", outflows::create_outflow)
        .get("/outflows", outflows::search_outflows)
        .get("/outflows/{id}", outflows::get_outflow)
        .put("/outflows/{id}", outflows::update_outflow)
        .get("/outflows/{id}/history", outflows::outflow_history)
        .get("/divisions", divisions::list_divisions)
        .get("/divisions/{code}", divisions::get_division)
        .get("/checks/id-number", checks::check_id_number)
}

/// A router that remembers what it was given.
#[derive(Default)]
struct Routes {
    router: Router<AppState>,
    listed: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.listed.push((method, path));
        self.router = self.router.route(path, route);
        self
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("GET", path, get(handler))
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("POST", path, post(handler))
    }

    fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("PUT", path, put(handler))
    }
}

/// Runs a store call on the blocking pool: both backends block, and a
/// request must not hold up the async workers while the disk is busy.
pub(crate) async fn run<T, F>(state: &AppState, call: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Store) -> sojourn_store::Result<T> + Send + 'static,
{
    let store = Arc::clone(&state.store);
    tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .map_err(|e| ApiError::Internal(format!("store task failed: {e}")))?
        .map_err(ApiError::from)
}

/// Who the revision history names for changes made through the API.
/// Accounts will replace this with the signed-in user.
pub(crate) fn actor() -> Actor {
    Actor::new("api")
}

/// Every version of a record in scope, oldest first.
pub(crate) async fn history_of(
    state: &AppState,
    scope: Scope,
    record: RecordRef,
) -> Result<Json<Vec<RevisionResponse>>, ApiError> {
    let revisions = run(state, move |store| store.history(&scope, record)).await?;
    revisions
        .iter()
        .map(RevisionResponse::try_from)
        .collect::<Result<Vec<_>, _>>()
        .map(Json)
        .map_err(ApiError::Internal)
}
