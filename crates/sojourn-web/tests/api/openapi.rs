use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::Value;
use sojourn_domain::account::{Role, allows};
use sojourn_web::auth::Access;

async fn document() -> Value {
    let app = spawn_app(ROOT).await;
    app.get("/api/v1/openapi.json")
        .await
        .expect(StatusCode::OK)
        .body
}

#[tokio::test]
async fn the_openapi_document_is_json_describing_the_api() {
    let doc = document().await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    assert_eq!(doc["info"]["title"], "Sojourn API");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for name in [
        "ErrorBody",
        "RegisterArrivalRequest",
        "PersonResponse",
        "ResidentPage",
        "HouseRequest",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_of_the_router_and_no_other() {
    let doc = document().await;
    let routes = sojourn_web::api::route_list();
    for route in &routes {
        let (method, path) = (route.method, &route.path);
        let operation = &doc["paths"][path][method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {path} is not in the document"
        );
    }
    let paths = doc["paths"].as_object().expect("paths");
    let documented: usize = paths
        .values()
        .map(|item| {
            item.as_object()
                .map_or(0, |o| o.keys().filter(|k| is_method(k)).count())
        })
        .sum();
    assert_eq!(
        documented,
        routes.len(),
        "the document lists operations the router lacks"
    );
}

fn is_method(key: &str) -> bool {
    [
        "get", "put", "post", "delete", "patch", "head", "options", "trace",
    ]
    .contains(&key)
}

#[tokio::test]
async fn every_listed_route_is_served() {
    let app = spawn_app(ROOT).await;
    for route in sojourn_web::api::route_list() {
        let (method, path) = (route.method, route.path);
        let uri = path.replace("{id}", "1").replace("{code}", "110101");
        let method: Method = method.parse().expect("method");
        let reply = app
            .raw(method.clone(), &uri, "application/json", "{}")
            .await;
        assert_ne!(reply.code(), "route_not_found", "{method} {uri}");
        assert_ne!(reply.code(), "method_not_allowed", "{method} {uri}");
    }
}

/// The statuses the document gives `method path`.
fn documented(doc: &Value, method: &str, path: &str) -> Vec<String> {
    doc["paths"][path][method.to_lowercase()]["responses"]
        .as_object()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default()
}

/// `path` with every placeholder filled, ids by `id`.
fn filled(path: &str, id: &str) -> String {
    path.replace("{id}", id)
        .replace("{code}", "110101")
        .replace("{kind}", "residence")
        .replace("{job}", "0123456789abcdef")
}

/// A new account whose one role `access` allows (or refuses), signed in.
async fn caller(app: &TestApp, access: Access, allowed: bool) -> Option<TestApp> {
    let Access::Permission(action, resource) = access else {
        return match allowed {
            true => Some(app.user(Role::OfficeDirector, ROOT).await),
            false => None,
        };
    };
    let role = Role::ALL
        .into_iter()
        .find(|role| allows(*role, action, resource) == allowed)?;
    Some(app.user(role, ROOT).await)
}

/// Requests made to fail in each way the guard and the extractors can
/// refuse, sent to every route of the router: whatever each answers must
/// be a status the document lists for that operation, and never a 5xx.
#[tokio::test]
async fn every_status_the_router_answers_to_bad_requests_is_in_the_document() {
    let app = deployment();
    let doc = app
        .get("/api/v1/openapi.json")
        .await
        .expect(StatusCode::OK)
        .body;
    let bad_token = app
        .anonymous()
        .with_credential(Credential::Bearer("sjt_not-a-token".to_owned()));
    let mut undocumented = Vec::new();
    for route in sojourn_web::api::route_list() {
        let (path, name) = (route.path.as_str(), route.method);
        let method: Method = name.parse().expect("method");
        let statuses = documented(&doc, name, path);
        let mut probe = async |client: &TestApp, uri: &str, content_type: &str, body: &str| {
            let reply = client
                .raw(method.clone(), uri, content_type, body.to_owned())
                .await;
            let status = reply.status.as_u16();
            assert!(status < 500, "{name} {uri}: {status} {:?}", reply.body);
            if !statuses.contains(&status.to_string()) {
                undocumented.push(format!("{name} {path}: {status} ({})", reply.code()));
            }
        };
        let uri = filled(path, "1");
        let json = "application/json";
        probe(&app.anonymous(), &uri, json, "{}").await;
        probe(&bad_token, &uri, json, "{}").await;
        if let Some(refused) = caller(&app, route.access, false).await {
            probe(&refused, &uri, json, "{}").await;
        }
        let Some(allowed) = caller(&app, route.access, true).await else {
            continue;
        };
        for id in ["9223372036854775808", "abc", "-1", "%FF"] {
            probe(&allowed, &filled(path, id), json, "{}").await;
        }
        let params = doc["paths"][path][name.to_lowercase()]["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for param in params.iter().filter(|p| p["in"] == "query") {
            let name = param["name"].as_str().unwrap_or_default();
            for value in ["9223372036854775808", "-1", "x", "%FF"] {
                probe(&allowed, &format!("{uri}?{name}={value}"), json, "").await;
            }
        }
        if method != Method::GET {
            for (content_type, body) in [
                ("text/plain", "x"),
                (json, "{"),
                (json, "[]"),
                (json, "{}"),
                ("multipart/form-data; boundary=x", "--x--"),
            ] {
                probe(&allowed, &uri, content_type, body).await;
            }
            let forged = allowed.with_credential(match &allowed.credential {
                Credential::Session { cookie, .. } => Credential::Session {
                    cookie: cookie.clone(),
                    csrf: "not-the-token".to_owned(),
                },
                other => other.clone(),
            });
            probe(&forged, &uri, json, "{}").await;
        }
    }
    // Every operation but the public ones can meet the token limit.
    for route in sojourn_web::api::route_list() {
        if route.access == Access::Public {
            continue;
        }
        let statuses = documented(&doc, route.method, &route.path);
        let reply = bad_token
            .raw(
                route.method.parse().expect("method"),
                &filled(&route.path, "1"),
                "application/json",
                "{}",
            )
            .await
            .expect(StatusCode::TOO_MANY_REQUESTS);
        if !statuses.contains(&"429".to_owned()) {
            undocumented.push(format!(
                "{} {}: 429 ({})",
                route.method,
                route.path,
                reply.code()
            ));
        }
    }
    undocumented.sort();
    undocumented.dedup();
    assert!(
        undocumented.is_empty(),
        "answers the document does not list:\n{}",
        undocumented.join("\n")
    );
}
