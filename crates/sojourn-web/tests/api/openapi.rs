use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::Value;

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
