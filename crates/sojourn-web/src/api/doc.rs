//! The OpenAPI document, generated from the `#[utoipa::path]` annotations
//! on the handlers and the `ToSchema` derives on the DTOs, so it cannot
//! drift from the code. No Swagger UI: it would download assets at build
//! time; clients and tools read the JSON.

use super::{
    accounts, audit, checks, divisions, documents, employers, exports, family_planning, houses,
    imports, outflows, permits, persons, quality, requests, residences, residents, review, session,
    tokens, units,
};
use crate::auth::Access;
use crate::json::Json;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sojourn API",
        description = "Registers of the floating population (流动人口), rental houses and employers \
            for street offices. Every call but signing in needs a session (cookie `sojourn_session` \
            from `POST /api/v1/session`; changes also send its `X-CSRF-Token`) or an API token \
            (`Authorization: Bearer …`), and a role the permission table allows (401 otherwise, 403 \
            without the role). Every call sees only the caller's jurisdiction; a record outside it \
            answers 404 exactly like a missing one. ID and phone numbers are masked in every response; \
            a role with the reveal permission sees them in full through `POST …/reveal`, giving a \
            reason (audited). Errors carry a stable `code` and messages in \
            zh-CN and en."
    ),
    paths(
        openapi_json,
        session::sign_in, session::current_session, session::sign_out, session::change_password,
        accounts::list_accounts, accounts::create_account, accounts::get_account,
        accounts::disable_account, accounts::enable_account, accounts::assign_roles,
        accounts::unlock_account, accounts::reset_password, accounts::enrol_totp,
        accounts::withdraw_totp,
        tokens::list_tokens, tokens::create_token, tokens::revoke_token,
        units::list_units, units::create_unit, units::get_unit, units::list_children,
        residents::register_arrival, residents::list_residents, residents::search_residents,
        residences::get_residence, residences::update_stay, residences::activate_residence,
        residences::register_departure, residences::residence_history,
        persons::get_person, persons::update_person, persons::person_history, persons::reveal_person,
        documents::list_document_checks, documents::record_document_check,
        permits::list_permits, permits::apply, permits::permit_rate, permits::get_permit,
        permits::take_step, permits::permit_history,
        family_planning::get_stay_file, family_planning::open_stay_file,
        family_planning::update_stay_file, family_planning::record_stay_check,
        family_planning::get_outflow_file, family_planning::open_outflow_file,
        family_planning::record_outflow_check, family_planning::worklist,
        family_planning::generate_schedule,
        imports::import_residents, imports::import_houses, imports::import_employers,
        imports::import_outflows, imports::report_file,
        houses::create_house, houses::list_houses, houses::search_houses, houses::get_house, houses::update_house,
        houses::list_tenants, houses::house_history, houses::reveal_house,
        houses::list_inspections, houses::record_inspection,
        employers::create_employer, employers::list_employers, employers::search_employers, employers::get_employer,
        employers::update_employer, employers::list_workers, employers::employer_history,
        outflows::create_outflow, outflows::list_outflows, outflows::search_outflows, outflows::get_outflow,
        outflows::update_outflow, outflows::register_return, outflows::outflow_history,
        outflows::reveal_outflow,
        audit::search_audit, audit::export_audit,
        review::awaiting_review, review::corrections, review::awaiting_spot_check, review::overdue,
        review::counts, review::get_review, review::enter, review::resubmit, review::approve,
        review::reject, review::return_for_correction, review::spot_check,
        quality::quality_counts, quality::list_findings, quality::scan, quality::list_duplicates,
        quality::get_duplicate, quality::merge_duplicate, quality::dismiss_duplicate,
        exports::start_residents, exports::residents_status, exports::residents_file,
        exports::start_houses, exports::houses_status, exports::houses_file,
        exports::start_employers, exports::employers_status, exports::employers_file,
        exports::start_outflows, exports::outflows_status, exports::outflows_file,
        exports::start_review_queue, exports::review_queue_status, exports::review_queue_file,
        exports::start_review_corrections, exports::review_corrections_status, exports::review_corrections_file,
        exports::start_review_overdue, exports::review_overdue_status, exports::review_overdue_file,
        exports::start_review_spot_checks, exports::review_spot_checks_status, exports::review_spot_checks_file,
        exports::start_review_counts, exports::review_counts_status, exports::review_counts_file,
        exports::start_quality_findings, exports::quality_findings_status, exports::quality_findings_file,
        exports::start_quality_duplicates, exports::quality_duplicates_status, exports::quality_duplicates_file,
        exports::start_permits, exports::permits_status, exports::permits_file,
        divisions::list_divisions, divisions::get_division,
        checks::check_id_number,
        requests::list_kinds, requests::list_requests, requests::take_request,
        requests::get_request, requests::refer_request, requests::resolve_request,
        requests::close_request, requests::requests_of_person,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&CommonRefusals),
    tags(
        (name = "session", description = "Signing in and out; your own password"),
        (name = "accounts", description = "Staff accounts (system and security administrators)"),
        (name = "tokens", description = "API tokens for programs"),
        (name = "units", description = "The jurisdiction tree"),
        (name = "residents", description = "Registering arrivals; the resident list"),
        (name = "residences", description = "Stays: correct, confirm, deregister"),
        (name = "persons", description = "Person files (一人一档)"),
        (name = "houses", description = "Rental houses (出租房屋)"),
        (name = "employers", description = "Employers (用工单位)"),
        (name = "outflows", description = "Outflow register (流出人口)"),
        (name = "permits", description = "Residence permits (居住证): application to cancellation, worklists, rate"),
        (name = "audit", description = "The audit trail (audit administrator)"),
        (name = "review", description = "The review workflow: collected, entered, reviewed, spot-checked"),
        (name = "quality", description = "The data-quality monitor (监控管理)"),
        (name = "family-planning", description = "Family-planning follow-up of married women of childbearing age (已婚育龄妇女跟踪服务)"),
        (name = "exports", description = "Exports of the lists and ledgers (台账), .xlsx or CSV, as jobs"),
        (name = "divisions", description = "National administrative divisions"),
        (name = "checks", description = "Live checks for forms"),
        (name = "service-requests", description = "Service requests at the one-stop window (一站式服务)"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub(crate) async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The refusals that come from the guard and the extractors rather than
/// the handler, added to every operation that can give them (a handler's
/// own description of a status is kept): the route table says who may
/// call, the operation's parameters and body what can fail to parse.
struct CommonRefusals;

impl Modify for CommonRefusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for route in super::route_list() {
            let Some(item) = openapi.paths.paths.get_mut(&route.path) else {
                continue;
            };
            let operation = match route.method {
                "GET" => item.get.as_mut(),
                "POST" => item.post.as_mut(),
                "PUT" => item.put.as_mut(),
                "DELETE" => item.delete.as_mut(),
                _ => None,
            };
            if let Some(operation) = operation {
                for (status, description) in common_refusals(route.method, route.access, operation)
                {
                    let response = ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ErrorBody")))
                                .build(),
                        )
                        .build();
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert(response.into());
                }
            }
        }
    }
}

/// The statuses `operation` can answer before its handler decides, with
/// what each means here.
pub(crate) fn common_refusals(
    method: &str,
    access: Access,
    operation: &Operation,
) -> Vec<(&'static str, String)> {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let in_path = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Path);
    let in_query = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let body = operation.request_body.as_ref();
    let json = body.is_some_and(|b| b.content.contains_key("application/json"));
    let multipart = body.is_some_and(|b| b.content.contains_key("multipart/form-data"));
    let mut bad = Vec::new();
    if in_path {
        bad.push(
            "a path value that does not parse, such as an id beyond 64-bit range (`invalid_path`)",
        );
    }
    if in_query {
        bad.push("a query value that does not parse or is out of range (`invalid_query`)");
    }
    if json {
        bad.push("a body that is not well-formed JSON (`malformed_json`)");
    }
    if multipart {
        bad.push("a body that is not readable multipart form data (`unreadable_request`)");
    }
    let mut refusals = Vec::new();
    if !bad.is_empty() {
        refusals.push(("400", format!("Bad request: {}", bad.join("; "))));
    }
    if access != Access::Public {
        refusals.push((
            "401",
            "Not signed in, the session ended, or the API token is not valid \
             (`unauthenticated`, `session_expired`, `invalid_token`)"
                .to_owned(),
        ));
    }
    let change = method != "GET";
    let role_checked = matches!(access, Access::SignedIn | Access::Permission(..));
    if role_checked || (access == Access::SelfService && change) {
        refusals.push((
            "403",
            "Refused: the caller's roles do not allow this (`forbidden`), the password must be \
             changed first (`password_change_required`), or a change made through a session \
             lacks its CSRF token (`csrf_token_invalid`)"
                .to_owned(),
        ));
    }
    if body.is_some() {
        refusals.push((
            "413",
            "The request body is larger than the limit (`payload_too_large`)".to_owned(),
        ));
    }
    if json {
        refusals.push((
            "415",
            "The body is not declared as JSON (`unsupported_media_type`)".to_owned(),
        ));
        refusals.push((
            "422",
            "JSON of the wrong shape: missing fields or wrong types (`invalid_body`), or fields \
             that do not parse (`validation_failed`)"
                .to_owned(),
        ));
    }
    if access != Access::Public {
        refusals.push((
            "429",
            "Too many requests: with a wrong API token from this address \
             (`too_many_attempts`), or more audited reads than the account's \
             limit (`rate_limited`); retry after `Retry-After` seconds"
                .to_owned(),
        ));
    }
    refusals
}
