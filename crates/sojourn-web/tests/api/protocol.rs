use crate::fixtures::*;
use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use sojourn_domain::account::Role;

/// Every route that writes, with the ids of seeded records, and a client
/// allowed to call it: units are the system administrator's, the registers
/// the director's.
async fn write_routes(director: &TestApp, s: &Seeded) -> Vec<(TestApp, Method, String)> {
    let admin = director.user(Role::SystemAdmin, ROOT).await;
    let mut routes = vec![(admin, Method::POST, "/api/v1/units".to_owned())];
    routes.extend(
        register_write_routes(s)
            .into_iter()
            .map(|(method, uri)| (director.clone(), method, uri)),
    );
    routes
}

fn register_write_routes(s: &Seeded) -> Vec<(Method, String)> {
    let (r, p, h, e, o) = (
        s.residence_id(),
        s.person_id(),
        s.house_id(),
        s.employer_id(),
        s.outflow_id(),
    );
    vec![
        (Method::POST, "/api/v1/residents".into()),
        (Method::PUT, format!("/api/v1/residences/{r}")),
        (Method::POST, format!("/api/v1/residences/{r}/activate")),
        (Method::POST, format!("/api/v1/residences/{r}/departure")),
        (Method::PUT, format!("/api/v1/persons/{p}")),
        (Method::POST, "/api/v1/houses".into()),
        (Method::PUT, format!("/api/v1/houses/{h}")),
        (Method::POST, "/api/v1/employers".into()),
        (Method::PUT, format!("/api/v1/employers/{e}")),
        (Method::POST, "/api/v1/outflows".into()),
        (Method::PUT, format!("/api/v1/outflows/{o}")),
        (Method::POST, format!("/api/v1/outflows/{o}/return")),
    ]
}

#[tokio::test]
async fn malformed_json_is_refused_by_every_write_route_and_changes_nothing() {
    let app = spawn_app(ROOT).await;
    let seeded = seed(&app).await;
    let before = everything(&app, &seeded).await;
    for (client, method, uri) in write_routes(&app, &seeded).await {
        let reply = client
            .raw(
                method.clone(),
                &uri,
                "application/json",
                r#"{"version": 1,"#,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{method} {uri}: {:#}",
            reply.body
        );
        assert_eq!(reply.code(), "malformed_json", "{method} {uri}");
    }
    assert_eq!(everything(&app, &seeded).await, before);
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_refused_by_every_write_route_and_changes_nothing() {
    let app = spawn_app(ROOT).await;
    let seeded = seed(&app).await;
    let before = everything(&app, &seeded).await;
    let routes = write_routes(&app, &seeded).await;
    for body in [r#"{"version": "one"}"#, "[]", "42", "{}"] {
        for (client, method, uri) in &routes {
            let reply = client
                .raw(method.clone(), uri, "application/json", body)
                .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{method} {uri} {body}: {:#}",
                reply.body
            );
            assert_eq!(reply.code(), "invalid_body", "{method} {uri} {body}");
        }
    }
    assert_eq!(everything(&app, &seeded).await, before);
}

#[tokio::test]
async fn a_body_not_declared_as_json_is_refused_by_every_write_route() {
    let app = spawn_app(ROOT).await;
    let seeded = seed(&app).await;
    for (client, method, uri) in write_routes(&app, &seeded).await {
        let reply = client.raw(method.clone(), &uri, "text/plain", "{}").await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{method} {uri}"
        );
        assert_eq!(reply.code(), "unsupported_media_type");
    }
}

fn oversized() -> String {
    format!(
        r#"{{"name": "{}"}}"#,
        "a".repeat(sojourn_web::BODY_LIMIT_BYTES + 1)
    )
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_our_error_when_its_length_is_declared() {
    let app = spawn_app(ROOT).await;
    let body = oversized();
    let request = Request::post("/api/v1/residents")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .expect("request");
    app.send(request)
        .await
        .expect_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_our_error_when_it_streams_in() {
    let app = spawn_app(ROOT).await;
    let reply = app
        .raw(
            Method::POST,
            "/api/v1/houses",
            "application/json",
            oversized(),
        )
        .await;
    reply.expect_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn an_unknown_route_is_answered_with_a_json_error() {
    let app = spawn_app(ROOT).await;
    app.get("/api/v1/nothing-here")
        .await
        .expect_error(StatusCode::NOT_FOUND, "route_not_found");
    app.get("/api/v1/residents/1/nothing-here")
        .await
        .expect_error(StatusCode::NOT_FOUND, "route_not_found");
}

#[tokio::test]
async fn a_method_a_route_does_not_accept_is_answered_with_a_json_error() {
    let app = spawn_app(ROOT).await;
    let request = Request::delete("/api/v1/houses/1")
        .body(Body::empty())
        .expect("request");
    app.send(request)
        .await
        .expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn an_id_that_is_not_a_number_is_a_bad_path() {
    let app = spawn_app(ROOT).await;
    for uri in [
        "/api/v1/residences/abc",
        "/api/v1/persons/1.5",
        "/api/v1/houses/x/tenants",
    ] {
        let reply = app.get(uri).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(reply.code(), "invalid_path", "{uri}");
    }
}
