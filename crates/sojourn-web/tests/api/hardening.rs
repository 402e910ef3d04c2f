//! Hardening: security headers on every response, no personal data in
//! URLs, the client address believed only from a trusted proxy.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use sojourn_web::auth::SecurityConfig;
use std::net::IpAddr;

#[track_caller]
fn assert_secured(reply: &Reply, what: &str) {
    let header = |name: &str| {
        reply
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header("content-security-policy");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(
            csp.contains(directive),
            "{what}: CSP {csp:?} lacks {directive}"
        );
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
    assert_eq!(header("cache-control"), "no-store", "{what}");
    // Nothing names the server, and no other origin is let in.
    for name in ["server", "x-powered-by", "access-control-allow-origin"] {
        assert!(!reply.headers.contains_key(name), "{what}: {name}");
    }
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let app = spawn_app(ROOT).await;
    let nobody = app.anonymous();
    let oversized = format!(
        r#"{{"name": "{}"}}"#,
        "a".repeat(sojourn_web::BODY_LIMIT_BYTES + 1)
    );
    let cases = [
        ("200", app.get("/api/v1/session").await),
        ("201", app.create_house(&crate::fixtures::house()).await),
        ("401", nobody.list_units().await),
        ("403", app.get("/api/v1/accounts").await),
        ("404 route", app.get("/nothing").await),
        ("404 record", app.get_house(999).await),
        (
            "405",
            app.send(
                Request::patch("/api/v1/units")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await,
        ),
        (
            "413",
            app.raw(
                Method::POST,
                "/api/v1/houses",
                "application/json",
                oversized,
            )
            .await,
        ),
        ("422", app.create_house(&json!({})).await),
        (
            "sign-in",
            nobody.sign_in("nobody", "Wrong#Passw0rd1", None).await,
        ),
        ("openapi", nobody.get("/api/v1/openapi.json").await),
    ];
    for (what, reply) in &cases {
        assert_secured(reply, what);
    }
}

#[tokio::test]
async fn a_search_term_in_a_url_is_refused_for_every_list() {
    let app = spawn_app(ROOT).await;
    for path in ["residents", "houses", "employers", "outflows"] {
        let reply = app
            .get(&format!("/api/v1/{path}?q=110105199003071234"))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "search_term_in_url");
        assert!(
            reply
                .message_en()
                .contains(&format!("/api/v1/{path}/search"))
        );
        app.post(&format!("/api/v1/{path}/search"), &json!({ "q": "zs" }))
            .await
            .expect(StatusCode::OK);
    }
}

/// Sign-ins from `client` with forwarded addresses `1.2.3.n`: how many
/// get through before the per-address limit.
async fn sign_ins_before_the_limit(client: &TestApp) -> usize {
    for n in 0..30 {
        let request = Request::post("/api/v1/session")
            .header("content-type", "application/json")
            .header("x-forwarded-for", format!("1.2.3.{n}"))
            .body(Body::from(
                json!({ "username": format!("guess{n}"), "password": "Wrong#Passw0rd1" })
                    .to_string(),
            ))
            .expect("request");
        if client.send(request).await.status == StatusCode::TOO_MANY_REQUESTS {
            return n;
        }
    }
    30
}

#[tokio::test]
async fn a_forwarded_address_is_believed_from_a_trusted_proxy_only() {
    let proxy: IpAddr = "10.9.9.9".parse().expect("address");
    let deployment = deployment_with(SecurityConfig {
        trusted_proxies: vec![proxy],
        ..SecurityConfig::default()
    });
    // A client naming other addresses is still one address.
    let direct = deployment.anonymous();
    assert_eq!(sign_ins_before_the_limit(&direct).await, 20);
    // Behind the proxy, each forwarded address is a client of its own.
    let mut behind_proxy = deployment.anonymous();
    behind_proxy.address = proxy;
    assert_eq!(sign_ins_before_the_limit(&behind_proxy).await, 30);
}
