//! The access matrix of the pages. The same two sibling communities as the
//! API's matrix ([`crate::matrix`]); users of every role in each, each
//! community's API token, and nobody at all call **every page route** —
//! the paths from `pages::route_list()`, read from the table that builds
//! the router, and the methods of each found by asking the router — with
//! the ids of the *other* community's records. Every answer must be the one
//! the permission table and the jurisdiction rule give (the sign-in page,
//! 403, 404, or a page of their own), no answer may contain a canary of the
//! other community, and afterwards everything reads exactly as before.

use crate::helpers::*;
use crate::matrix::{Caller, Seeds, callers_of, everything, seed_community};
use axum::http::{Method, StatusCode, header};
use sojourn_domain::account::{Role, allows};
use sojourn_web::auth::Access;
use sojourn_web::pages::{PageRoute, route_list};

const FORM: &str = "application/x-www-form-urlencoded";

/// The route's path with `foreign`'s ids in it. A placeholder missing
/// here fails the test: add it.
fn uri(route: &PageRoute, foreign: &Seeds) -> String {
    let path = route.path;
    let record = [
        ("/persons/{id}", foreign.person),
        ("/residences/{id}", foreign.residence),
        ("/houses/{id}", foreign.house),
        ("/employers/{id}", foreign.employer),
        ("/outflows/{id}", foreign.outflow),
        ("/admin/accounts/{id}", foreign.account),
        ("/admin/tokens/{id}", foreign.token),
        ("/review/{kind}/{id}", foreign.residence),
        ("/quality/duplicates/{id}", foreign.duplicate),
        ("/staffing/employers/{id}", foreign.employer),
        // A task id of nobody's: `patrols.rs` tests a sibling's task.
        ("/patrols/tasks/{id}", foreign.person),
        ("/service-requests/{id}", foreign.service_request),
        ("/permits/{id}", foreign.permit),
        // No transfer request is seeded here (it takes a third community
        // to be nobody's but the asker's and the asked's): an id of
        // nobody's, refused as one. `transfers.rs` tests their scope.
        ("/transfers/{id}", foreign.person),
        // A follow-up file id of nobody's: no file is seeded here (the
        // API's matrix reaches the files through their stays).
        ("/family-planning/{id}", foreign.person),
        // A report id of nobody's: reports are their maker's alone.
        ("/import/reports/{id}", foreign.person),
    ]
    .into_iter()
    .find(|(prefix, _)| path.starts_with(prefix));
    let mut uri = path.to_owned();
    if uri.contains("{id}") {
        let (_, id) = record.unwrap_or_else(|| panic!("the page matrix has no record for {path}"));
        uri = uri.replace("{id}", &id.to_string());
    }
    let uri = uri
        .replace("{kind}", "residence")
        .replace("{code}", foreign.unit)
        .replace("{tag}", "en")
        .replace("{name}", "name")
        .replace("{picker}", "domicile")
        .replace("{step}", "resolve")
        .replace("{job}", "0123456789abcdef");
    assert!(!uri.contains('{'), "the page matrix cannot fill {path}");
    if path == "/patrols/new" {
        return format!("{uri}?house={}", foreign.house);
    }
    uri
}

/// A form naming the other community wherever a form names a unit, and
/// with an input that would pass where one is needed: a refusal is then
/// the guard's or the scope's.
fn form(route: &PageRoute, foreign: &Seeds) -> String {
    let unit = foreign.unit;
    match route.path {
        "/sign-in" => "username=nosuchuser&password=Wrong%23Passw0rd1".to_owned(),
        "/password" => {
            "current_password=Wrong%23Passw0rd1&new_password=Another%23Passw0rd2&confirm_password=Another%23Passw0rd2".to_owned()
        }
        "/admin/units/new" => format!("parent={unit}&number=009&name=%E8%B6%8A%E7%95%8C"),
        "/admin/accounts/new" => {
            format!("username=intruder&display_name=%E7%8E%8B%E4%BA%94&unit={unit}")
        }
        "/admin/accounts/{id}/roles" => "role=clerk".to_owned(),
        "/admin/tokens/new" => format!("name=%E8%B6%8A%E7%95%8C&role=collector&unit={unit}"),
        path if path.starts_with("/review/{kind}") => {
            "version=1&reason=%E8%B6%8A%E7%95%8C&result=confirmed".to_owned()
        }
        "/quality/duplicates/{id}/merge" => format!("keep={}", foreign.person),
        "/quality/duplicates/{id}/dismiss" => "reason=%E8%B6%8A%E7%95%8C".to_owned(),
        "/staffing/employers/{id}" => "full_time=9&part_time=9".to_owned(),
        "/patrols/new" => format!(
            "house={}&patrolled_on=2026-01-05&patroller=%E8%B6%8A%E7%95%8C&occupancy=empty",
            foreign.house
        ),
        "/patrols/cycles" => "house=99&collection_point=99&station=99".to_owned(),
        _ => format!("unit={unit}&q=zs"),
    }
}

fn location(reply: &Reply) -> &str {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The methods the router has for `route`: the others answer 405 to
/// anyone, before any guard.
async fn methods(app: &TestApp, route: &PageRoute, foreign: &Seeds) -> Vec<Method> {
    let nobody = app.anonymous();
    let mut routed = Vec::new();
    for method in [Method::GET, Method::POST] {
        let reply = nobody
            .raw(method.clone(), &uri(route, foreign), FORM, "")
            .await;
        if reply.status != StatusCode::METHOD_NOT_ALLOWED {
            routed.push(method);
        }
    }
    assert!(
        !routed.is_empty(),
        "{} is in the table but not routed",
        route.path
    );
    routed
}

#[track_caller]
fn check(
    caller: &str,
    roles: &[Role],
    route: &PageRoute,
    method: &Method,
    reply: &Reply,
    foreign: &Seeds,
) {
    let what = format!("{caller}: {method} {}", route.path);
    let text = reply.body.to_string();
    for canary in &foreign.canaries {
        assert!(!text.contains(canary.as_str()), "{what} leaked {canary}");
    }
    assert!(!reply.status.is_server_error(), "{what}: {}", reply.status);
    assert_ne!(
        reply.status,
        StatusCode::CREATED,
        "{what} created something"
    );
    if route.access == Access::Public {
        return;
    }
    if roles.is_empty() {
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{what}");
        assert!(location(reply).starts_with("/sign-in"), "{what}");
        return;
    }
    let to_sign_in =
        reply.status == StatusCode::SEE_OTHER && location(reply).starts_with("/sign-in");
    // (Signing out ends at the sign-in page, as it should.)
    assert!(
        !to_sign_in || route.path == "/sign-out",
        "{what}: sent to sign in"
    );
    match route.access {
        Access::Public => {}
        Access::SelfService | Access::SignedIn => {
            // A program's token has no session to end.
            let token_signing_out = route.path == "/sign-out" && caller.contains("token");
            assert!(
                reply.status != StatusCode::FORBIDDEN || token_signing_out,
                "{what}"
            );
        }
        Access::Permission(action, resource) => {
            if !roles.iter().any(|r| allows(*r, action, resource)) {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}: {text}");
            } else if ["{id}", "{job}", "{code}"]
                .iter()
                .any(|p| route.path.contains(p))
                || route.path == "/patrols/new"
            {
                // Another community's record or unit (in the path, or in
                // the query of the patrol form), or an export job that is
                // not the caller's.
                assert_eq!(reply.status, StatusCode::NOT_FOUND, "{what}");
            } else if *method == Method::GET {
                assert_eq!(reply.status, StatusCode::OK, "{what}");
            } else if route.path.starts_with("/admin/") {
                // A form naming the other community's unit is refused
                // beside its field.
                assert_eq!(
                    reply.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{what}: {text}"
                );
            }
        }
    }
}

#[tokio::test]
async fn no_role_of_a_sibling_unit_reads_or_changes_anything_through_any_page() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let sysadmin = deployment.user(Role::SystemAdmin, ROOT).await;
    let secadmin = deployment.user(Role::SecurityAdmin, ROOT).await;
    let seeds = [
        seed_community(&director, &sysadmin, 0, COMMUNITY).await,
        seed_community(&director, &sysadmin, 1, SIBLING).await,
    ];
    let mut routes = route_list();
    // Signing out ends the caller's session: call it last.
    routes.sort_by_key(|r| r.path == "/sign-out");
    assert!(
        routes.len() >= 39,
        "the page table shrank: {}",
        routes.len()
    );
    let admin_pages = routes
        .iter()
        .filter(|r| r.path.starts_with("/admin/"))
        .count();
    assert!(
        admin_pages >= 17,
        "administration pages missing: {admin_pages}"
    );
    let mut routed = Vec::new();
    for route in &routes {
        routed.push(methods(&deployment, route, &seeds[1]).await);
    }

    let mut groups: Vec<(Vec<Caller>, usize)> = Vec::new();
    for (mine, foreign) in [(0, 1), (1, 0)] {
        groups.push((callers_of(&deployment, &seeds[mine]).await, foreign));
    }
    let before = everything(&director, &sysadmin, &secadmin, &seeds).await;
    let mut calls = 0;
    for (callers, foreign) in &groups {
        let foreign = &seeds[*foreign];
        let nobody = Caller {
            label: "nobody".into(),
            client: deployment.anonymous(),
            roles: Vec::new(),
        };
        for caller in callers.iter().chain([&nobody]) {
            for (route, methods) in routes.iter().zip(&routed) {
                for method in methods {
                    let body = if *method == Method::POST {
                        form(route, foreign)
                    } else {
                        String::new()
                    };
                    let reply = caller
                        .client
                        .raw(method.clone(), &uri(route, foreign), FORM, body)
                        .await;
                    check(&caller.label, &caller.roles, route, method, &reply, foreign);
                    calls += 1;
                }
            }
        }
    }
    let per_caller: usize = routed.iter().map(Vec::len).sum();
    assert_eq!(calls, per_caller * 2 * (Role::ALL.len() + 2));
    assert_eq!(
        everything(&director, &sysadmin, &secadmin, &seeds).await,
        before,
        "a refused page changed something"
    );
}

#[tokio::test]
async fn every_page_route_has_an_access_requirement_and_no_administrator_reaches_a_register() {
    let public: Vec<&str> = route_list()
        .into_iter()
        .filter(|r| r.access == Access::Public)
        .map(|r| r.path)
        .collect();
    assert_eq!(public, ["/sign-in", "/lang/{tag}", "/assets/{name}"]);
    let admins = [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin];
    for route in route_list() {
        let register = [
            "/residen",
            "/persons",
            "/houses",
            "/employers",
            "/outflows",
            "/ui/pick",
        ]
        .iter()
        .any(|p| route.path.starts_with(p));
        if let Access::Permission(action, resource) = route.access
            && register
        {
            assert!(
                admins.iter().all(|r| !allows(*r, action, resource)),
                "an administrator reaches {}",
                route.path
            );
        }
    }
}
