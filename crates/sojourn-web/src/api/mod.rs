//! The JSON API under `/api/v1`: one module of handlers per register. Every
//! route passes the guard for the access its table entry states; a
//! handler takes the caller's scope from [`CallerScope`](crate::scope::CallerScope),
//! turns the request into domain values (refusing it with every field error
//! at once), calls the store off the async runtime and answers with a
//! response type of [`crate::dto`].

/// Staff accounts: opening, disabling, roles, credentials.
pub mod accounts;
/// The audit trail: search and export.
pub mod audit;
/// Live checks for forms (ID numbers).
pub mod checks;
/// Administrative divisions for pickers.
pub mod divisions;
/// The OpenAPI document, generated from the handlers' annotations.
pub mod doc;
/// Documents checked or chased on a person's file.
pub mod documents;
/// Employers.
pub mod employers;
/// Exports of the lists and ledgers, as background jobs.
pub mod exports;
pub mod family_planning;
/// Rental houses.
pub mod houses;
/// Imports of the registers from uploaded sheets.
pub mod imports;
/// The outflow register.
pub mod outflows;
/// Residence permits 居住证: applications, steps, worklists, rate.
pub mod permits;
/// Person files.
pub mod persons;
/// The data-quality monitor: counts, findings, scans, duplicates.
pub mod quality;
/// Service requests at the one-stop window (R4.2).
pub mod requests;
/// Residence episodes: read, correct, activate, deregister.
pub mod residences;
/// Registration of arrivals and the resident list.
pub mod residents;
/// The review workflow: steps, queues, counts.
pub mod review;
/// Signing in and out; one's own password.
pub mod session;
/// API tokens for programs.
pub mod tokens;
/// The jurisdiction tree.
pub mod units;

use crate::AppState;
use crate::auth::guard::{Access, guard};
use crate::dto::RevisionResponse;
use crate::error::ApiError;
use crate::json::Json;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, delete, get, post, put};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::unit::Scope;
use sojourn_store::RecordRef;

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

/// The API's routes, relative to [`PREFIX`], each behind the guard for
/// its access requirement.
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    routes()
        .entries
        .into_iter()
        .fold(Router::new(), |router, entry| {
            router.route(entry.path, guard(entry.route, state, entry.access))
        })
        .layer(axum::middleware::map_response(plain_rejection_as_json))
}

/// One of axum's own extractors (multipart) refuses a body it cannot read
/// with a plain-text 400; the API answers with its JSON error instead.
async fn plain_rejection_as_json(response: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    if !plain || response.status() != axum::http::StatusCode::BAD_REQUEST {
        return response;
    }
    let bytes = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap_or_default();
    ApiError::Unreadable(String::from_utf8_lossy(&bytes).into_owned()).into_response()
}

/// One route of the API: method, full path, and what it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: String,
    pub access: Access,
}

/// Every route of the API in the order they are registered, with its full
/// path and access requirement. Read from the same table that builds the
/// router, so tests can hold the OpenAPI document and the access matrix
/// against it: a route cannot be added without both.
pub fn route_list() -> Vec<RouteInfo> {
    routes()
        .entries
        .into_iter()
        .map(|entry| RouteInfo {
            method: entry.method,
            path: format!("{PREFIX}{}", entry.path),
            access: entry.access,
        })
        .collect()
}

// A table: one route per line reads better than rustfmt's layout.
#[rustfmt::skip]
fn routes() -> Routes {
    use Action::{Assign, Create, Export, Manage, Read, Reveal, Update};
    use Resource::{
        Account, ApiToken, Audit, Employer, FamilyPlanning, House, Outflow, Quality, Resident, Unit,
    };
    let may = Access::Permission;
    Routes::default()
        .get("/openapi.json", doc::openapi_json, Access::Public)
        // Signing in and out, and one's own password.
        .post("/session", session::sign_in, Access::Public)
        .get("/session", session::current_session, Access::SelfService)
        .delete("/session", session::sign_out, Access::SelfService)
        .post("/session/password", session::change_password, Access::SelfService)
        // Staff accounts (三员分立: opening and disabling is the system
        // administrator's; roles and credentials the security administrator's).
        .get("/accounts", accounts::list_accounts, may(Read, Account))
        .post("/accounts", accounts::create_account, may(Create, Account))
        .get("/accounts/{id}", accounts::get_account, may(Read, Account))
        .post("/accounts/{id}/disable", accounts::disable_account, may(Update, Account))
        .post("/accounts/{id}/enable", accounts::enable_account, may(Update, Account))
        .put("/accounts/{id}/roles", accounts::assign_roles, may(Assign, Account))
        .post("/accounts/{id}/unlock", accounts::unlock_account, may(Manage, Account))
        .post("/accounts/{id}/password", accounts::reset_password, may(Manage, Account))
        .post("/accounts/{id}/totp", accounts::enrol_totp, may(Manage, Account))
        .delete("/accounts/{id}/totp", accounts::withdraw_totp, may(Manage, Account))
        // API tokens for programs.
        .get("/tokens", tokens::list_tokens, may(Read, ApiToken))
        .post("/tokens", tokens::create_token, may(Create, ApiToken))
        .delete("/tokens/{id}", tokens::revoke_token, may(Manage, ApiToken))
        // The jurisdiction tree and the registers.
        .get("/units", units::list_units, may(Read, Unit))
        .post("/units", units::create_unit, may(Create, Unit))
        .get("/units/{code}", units::get_unit, may(Read, Unit))
        .get("/units/{code}/children", units::list_children, may(Read, Unit))
        .post("/residents", residents::register_arrival, may(Create, Resident))
        .get("/residents", residents::list_residents, may(Read, Resident))
        .post("/residents/search", residents::search_residents, may(Read, Resident))
        .get("/residences/{id}", residences::get_residence, may(Read, Resident))
        .put("/residences/{id}", residences::update_stay, may(Update, Resident))
        .post("/residences/{id}/activate", residences::activate_residence, may(Update, Resident))
        .post("/residences/{id}/departure", residences::register_departure, may(Update, Resident))
        .get("/residences/{id}/history", residences::residence_history, may(Read, Resident))
        .get("/persons/{id}", persons::get_person, may(Read, Resident))
        .put("/persons/{id}", persons::update_person, may(Update, Resident))
        .get("/persons/{id}/history", persons::person_history, may(Read, Resident))
        .post("/persons/{id}/reveal", persons::reveal_person, may(Reveal, Resident))
        .get("/persons/{id}/documents", documents::list_document_checks, may(Read, Resident))
        .post("/persons/{id}/documents", documents::record_document_check, may(Update, Resident))
        .post("/houses", houses::create_house, may(Create, House))
        .get("/houses", houses::list_houses, may(Read, House))
        .post("/houses/search", houses::search_houses, may(Read, House))
        .get("/houses/{id}", houses::get_house, may(Read, House))
        .put("/houses/{id}", houses::update_house, may(Update, House))
        // Tenants and workers are people: reading them is reading residents.
        .get("/houses/{id}/tenants", houses::list_tenants, may(Read, Resident))
        .get("/houses/{id}/history", houses::house_history, may(Read, House))
        .post("/houses/{id}/reveal", houses::reveal_house, may(Reveal, House))
        .get("/houses/{id}/inspections", houses::list_inspections, may(Read, House))
        .post("/houses/{id}/inspections", houses::record_inspection, may(Update, House))
        .post("/employers", employers::create_employer, may(Create, Employer))
        .get("/employers", employers::list_employers, may(Read, Employer))
        .post("/employers/search", employers::search_employers, may(Read, Employer))
        .get("/employers/{id}", employers::get_employer, may(Read, Employer))
        .put("/employers/{id}", employers::update_employer, may(Update, Employer))
        .get("/employers/{id}/workers", employers::list_workers, may(Read, Resident))
        .get("/employers/{id}/history", employers::employer_history, may(Read, Employer))
        .post("/outflows", outflows::create_outflow, may(Create, Outflow))
        .get("/outflows", outflows::list_outflows, may(Read, Outflow))
        .post("/outflows/search", outflows::search_outflows, may(Read, Outflow))
        .get("/outflows/{id}", outflows::get_outflow, may(Read, Outflow))
        .put("/outflows/{id}", outflows::update_outflow, may(Update, Outflow))
        .post("/outflows/{id}/return", outflows::register_return, may(Update, Outflow))
        .get("/outflows/{id}/history", outflows::outflow_history, may(Read, Outflow))
        .post("/outflows/{id}/reveal", outflows::reveal_outflow, may(Reveal, Outflow))
        // Residence permits 居住证 (R4.1): taken at the window, read as files are.
        .get("/permits", permits::list_permits, may(Read, Resource::Permit))
        .post("/permits", permits::apply, may(Create, Resource::Permit))
        .get("/permits/rate", permits::permit_rate, may(Read, Resource::Permit))
        .get("/permits/{id}", permits::get_permit, may(Read, Resource::Permit))
        .post("/permits/{id}/steps", permits::take_step, may(Update, Resource::Permit))
        .get("/permits/{id}/history", permits::permit_history, may(Read, Resource::Permit))
        // The audit trail: the audit administrator's alone.
        .get("/audit", audit::search_audit, may(Read, Audit))
        .get("/audit/export", audit::export_audit, may(Export, Audit))
        // The review workflow (采集 → 录入 → 审核 → 抽查): each step its permission.
        .get("/review/queue", review::awaiting_review, may(Read, Resource::Review))
        .get("/review/corrections", review::corrections, may(Read, Resource::Review))
        .get("/review/spot-checks", review::awaiting_spot_check, may(Read, Resource::Review))
        .get("/review/overdue", review::overdue, may(Read, Resource::Review))
        .get("/review/counts", review::counts, may(Read, Resource::Review))
        .get("/review/{kind}/{id}", review::get_review, may(Read, Resource::Review))
        .post("/review/{kind}/{id}/enter", review::enter, may(Update, Resource::Review))
        .post("/review/{kind}/{id}/resubmit", review::resubmit, may(Update, Resource::Review))
        .post("/review/{kind}/{id}/approve", review::approve, may(Action::Review, Resource::Review))
        .post("/review/{kind}/{id}/reject", review::reject, may(Action::Review, Resource::Review))
        .post("/review/{kind}/{id}/return", review::return_for_correction, may(Action::Review, Resource::Review))
        .post("/review/{kind}/{id}/spot-check", review::spot_check, may(Action::SpotCheck, Resource::Review))
        // The data-quality monitor (监控管理): scans and decisions are
        // `Manage`; the findings point at records readable with `Read`.
        .get("/quality/counts", quality::quality_counts, may(Read, Quality))
        .get("/quality/findings", quality::list_findings, may(Read, Quality))
        .post("/quality/scan", quality::scan, may(Manage, Quality))
        .get("/quality/duplicates", quality::list_duplicates, may(Read, Quality))
        .get("/quality/duplicates/{id}", quality::get_duplicate, may(Read, Quality))
        .post("/quality/duplicates/{id}/merge", quality::merge_duplicate, may(Manage, Quality))
        .post("/quality/duplicates/{id}/dismiss", quality::dismiss_duplicate, may(Manage, Quality))
        // Exports of the lists and ledgers (台账): a job each, its account's alone.
        .post("/exports/residents", exports::start_residents, may(Export, Resident))
        .get("/exports/residents/{job}", exports::residents_status, may(Export, Resident))
        .get("/exports/residents/{job}/file", exports::residents_file, may(Export, Resident))
        .post("/exports/houses", exports::start_houses, may(Export, House))
        .get("/exports/houses/{job}", exports::houses_status, may(Export, House))
        .get("/exports/houses/{job}/file", exports::houses_file, may(Export, House))
        .post("/exports/employers", exports::start_employers, may(Export, Employer))
        .get("/exports/employers/{job}", exports::employers_status, may(Export, Employer))
        .get("/exports/employers/{job}/file", exports::employers_file, may(Export, Employer))
        .post("/exports/outflows", exports::start_outflows, may(Export, Outflow))
        .get("/exports/outflows/{job}", exports::outflows_status, may(Export, Outflow))
        .get("/exports/outflows/{job}/file", exports::outflows_file, may(Export, Outflow))
        .post("/exports/review-queue", exports::start_review_queue, may(Export, Resource::Review))
        .get("/exports/review-queue/{job}", exports::review_queue_status, may(Export, Resource::Review))
        .get("/exports/review-queue/{job}/file", exports::review_queue_file, may(Export, Resource::Review))
        .post("/exports/review-corrections", exports::start_review_corrections, may(Export, Resource::Review))
        .get("/exports/review-corrections/{job}", exports::review_corrections_status, may(Export, Resource::Review))
        .get("/exports/review-corrections/{job}/file", exports::review_corrections_file, may(Export, Resource::Review))
        .post("/exports/review-overdue", exports::start_review_overdue, may(Export, Resource::Review))
        .get("/exports/review-overdue/{job}", exports::review_overdue_status, may(Export, Resource::Review))
        .get("/exports/review-overdue/{job}/file", exports::review_overdue_file, may(Export, Resource::Review))
        .post("/exports/review-spot-checks", exports::start_review_spot_checks, may(Export, Resource::Review))
        .get("/exports/review-spot-checks/{job}", exports::review_spot_checks_status, may(Export, Resource::Review))
        .get("/exports/review-spot-checks/{job}/file", exports::review_spot_checks_file, may(Export, Resource::Review))
        .post("/exports/review-counts", exports::start_review_counts, may(Export, Resource::Review))
        .get("/exports/review-counts/{job}", exports::review_counts_status, may(Export, Resource::Review))
        .get("/exports/review-counts/{job}/file", exports::review_counts_file, may(Export, Resource::Review))
        .post("/exports/quality-findings", exports::start_quality_findings, may(Export, Quality))
        .get("/exports/quality-findings/{job}", exports::quality_findings_status, may(Export, Quality))
        .get("/exports/quality-findings/{job}/file", exports::quality_findings_file, may(Export, Quality))
        .post("/exports/quality-duplicates", exports::start_quality_duplicates, may(Export, Quality))
        .get("/exports/quality-duplicates/{job}", exports::quality_duplicates_status, may(Export, Quality))
        .get("/exports/quality-duplicates/{job}/file", exports::quality_duplicates_file, may(Export, Quality))
        .post("/exports/permits", exports::start_permits, may(Export, Resource::Permit))
        .get("/exports/permits/{job}", exports::permits_status, may(Export, Resource::Permit))
        .get("/exports/permits/{job}/file", exports::permits_file, may(Export, Resource::Permit))
        // Reference data, and checks that read no record.
        .get("/divisions", divisions::list_divisions, Access::SignedIn)
        .get("/divisions/{code}", divisions::get_division, Access::SignedIn)
        .post("/checks/id-number", checks::check_id_number, Access::SignedIn)
        // The family-planning follow-up (R4.3): a file on a stay or an
        // outflow record; `Read` sees it exists, its contents are `Reveal`'s
        // (checked by the operation).
        .get("/residences/{id}/family-planning", family_planning::get_stay_file, may(Read, FamilyPlanning))
        .post("/residences/{id}/family-planning", family_planning::open_stay_file, may(Create, FamilyPlanning))
        .put("/residences/{id}/family-planning", family_planning::update_stay_file, may(Update, FamilyPlanning))
        .post("/residences/{id}/family-planning/checks", family_planning::record_stay_check, may(Update, FamilyPlanning))
        .get("/outflows/{id}/family-planning", family_planning::get_outflow_file, may(Read, FamilyPlanning))
        .post("/outflows/{id}/family-planning", family_planning::open_outflow_file, may(Create, FamilyPlanning))
        .post("/outflows/{id}/family-planning/checks", family_planning::record_outflow_check, may(Update, FamilyPlanning))
        .get("/family-planning/worklist", family_planning::worklist, may(Read, FamilyPlanning))
        .post("/family-planning/schedule", family_planning::generate_schedule, may(Manage, FamilyPlanning))
        // Imports from uploaded sheets: creating records of the register.
        .post("/imports/residents", imports::import_residents, may(Create, Resident))
        .post("/imports/houses", imports::import_houses, may(Create, House))
        .post("/imports/employers", imports::import_employers, may(Create, Employer))
        .post("/imports/outflows", imports::import_outflows, may(Create, Outflow))
        // An import's report is its maker's alone (checked by the handler).
        .get("/imports/reports/{report}", imports::report_file, Access::SignedIn)
        // Service requests at the one-stop window (R4.2).
        .get("/service-requests/kinds", requests::list_kinds, may(Read, Resource::ServiceRequest))
        .get("/service-requests", requests::list_requests, may(Read, Resource::ServiceRequest))
        .post("/service-requests", requests::take_request, may(Create, Resource::ServiceRequest))
        .get("/service-requests/{id}", requests::get_request, may(Read, Resource::ServiceRequest))
        .post("/service-requests/{id}/refer", requests::refer_request, may(Update, Resource::ServiceRequest))
        .post("/service-requests/{id}/resolve", requests::resolve_request, may(Update, Resource::ServiceRequest))
        .post("/service-requests/{id}/close", requests::close_request, may(Update, Resource::ServiceRequest))
        .get("/persons/{id}/service-requests", requests::requests_of_person, may(Read, Resource::ServiceRequest))
}

struct Entry {
    method: &'static str,
    path: &'static str,
    access: Access,
    route: MethodRouter<AppState>,
}

/// The route table: what builds the router and what [`route_list`] reads.
#[derive(Default)]
struct Routes {
    entries: Vec<Entry>,
}

impl Routes {
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
        access: Access,
    ) -> Self {
        self.entries.push(Entry {
            method,
            path,
            access,
            route,
        });
        self
    }

    fn get<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        handler: H,
        access: Access,
    ) -> Self {
        self.add("GET", path, get(handler), access)
    }

    fn post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        handler: H,
        access: Access,
    ) -> Self {
        self.add("POST", path, post(handler), access)
    }

    fn put<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        handler: H,
        access: Access,
    ) -> Self {
        self.add("PUT", path, put(handler), access)
    }

    fn delete<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        handler: H,
        access: Access,
    ) -> Self {
        self.add("DELETE", path, delete(handler), access)
    }
}

pub(crate) use crate::blocking::run;

/// Every version of a record in scope, oldest first (ID and phone numbers
/// masked). The read is audited.
pub(crate) async fn history_of(
    state: &AppState,
    scope: Scope,
    actor: sojourn_store::Actor,
    record: RecordRef,
) -> Result<Json<Vec<RevisionResponse>>, ApiError> {
    let read = run(state, move |store| store.history(&scope, record)).await;
    let object = (record.kind(), record.id());
    let history = sojourn_store::AuditAction::History;
    let revisions = crate::audit::read(state, actor, history, object, read, |revisions| {
        let unit = revisions.last().and_then(|r| {
            let snapshot: serde_json::Value = serde_json::from_str(&r.snapshot).ok()?;
            sojourn_domain::unit::UnitCode::parse(snapshot["unit"].as_str()?).ok()
        });
        (unit, serde_json::json!({ "versions": revisions.len() }))
    })
    .await?;
    revisions
        .iter()
        .map(RevisionResponse::try_from)
        .collect::<Result<Vec<_>, _>>()
        .map(Json)
        .map_err(ApiError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use sojourn_domain::text::UnitName;
    use sojourn_domain::unit::{Unit, UnitCode};
    use std::sync::Arc;
    use tower::ServiceExt;

    /// A path of the table with each `{…}` filled in with something that
    /// parses: the handler, not the path, must be what refuses.
    fn concrete(path: &str) -> String {
        path.replace("{code}", "110101001001")
            .replace("{job}", "0123456789abcdef0123456789abcdef")
            .split('/')
            .map(|part| if part.starts_with('{') { "1" } else { part })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// SECURITY.md's "fails closed" (ASVS 4.1.5): every handler of the
    /// route table, reached with the guard taken away, finds no caller and
    /// refuses, and nothing reaches the store's audit trail or registers.
    #[tokio::test]
    async fn every_handler_reached_without_the_guard_refuses() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("db.sqlite");
        let keys = sojourn_store::crypto::Keyring::generate();
        let store = sojourn_store::open(path.to_str().expect("path"), keys).expect("store");
        let unit = |code: &str, name: &str| Unit {
            code: UnitCode::parse(code).expect("code"),
            name: UnitName::parse(name).expect("name"),
        };
        store
            .init_deployment_unscoped(
                &unit("110101001", "东华门街道"),
                &[unit("110101001001", "多福巷社区")],
            )
            .expect("deployment");
        let entries_before = store.audit_entries_unscoped(0, 100).expect("audit").len();
        let state = AppState::new(Arc::clone(&store));
        // The table's own handlers, none behind the guard.
        let (unguarded, table): (Router<AppState>, Vec<(&str, &str, Access)>) = routes()
            .entries
            .into_iter()
            .fold((Router::new(), Vec::new()), |(router, mut table), entry| {
                table.push((entry.method, entry.path, entry.access));
                (router.route(entry.path, entry.route), table)
            });
        let app = unguarded.with_state(state);
        let mut reached = 0;
        for (method, path, access) in table {
            if access == Access::Public {
                continue;
            }
            let request = Request::builder()
                .method(method)
                .uri(concrete(path))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .expect("request");
            let response = app.clone().oneshot(request).await.expect("response");
            // 401 comes only from the `Caller` extractor here: the handler
            // was reached and refused for want of a caller.
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} without the guard"
            );
            reached += 1;
        }
        assert!(reached > 100, "{reached} routes");
        assert_eq!(
            store.audit_entries_unscoped(0, 100).expect("audit").len(),
            entries_before,
            "a handler without the guard wrote to the trail"
        );
    }
}
