//! `/healthz` and `/readyz`: answered to anyone, with a status word and
//! nothing else.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sojourn_store::crypto::{DataKey, Keyring};
use tower::ServiceExt;

#[tokio::test]
async fn health_and_readiness_answer_anyone_with_a_status_word_only() {
    let nobody = deployment();
    let alive = nobody.get("/healthz").await.expect(StatusCode::OK);
    assert_eq!(alive.body, json!({ "status": "ok" }));
    let ready = nobody.get("/readyz").await.expect(StatusCode::OK);
    assert_eq!(ready.body, json!({ "status": "ready" }));
    for reply in [&alive, &ready] {
        assert!(!reply.headers.contains_key("set-cookie"));
        assert_eq!(reply.headers["cache-control"], "no-store");
        assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    }
}

/// Another server rotated the key: this one's ring lacks a key the values
/// may now be sealed under, so it must not take requests.
#[tokio::test]
async fn readiness_fails_when_a_key_in_use_is_not_at_hand_and_says_no_more() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sojourn.db");
    let url = path.to_str().expect("UTF-8 path");
    let old = Keyring::generate();
    let store = sojourn_store::open(url, old.clone()).expect("open");
    let rotated = Keyring::new(DataKey::generate(), vec![old.current().clone()]);
    drop(sojourn_store::open(url, rotated).expect("opens with the new key first"));

    let app = sojourn_web::app(sojourn_web::AppState::new(store));
    let ask = |uri: &str| Request::get(uri).body(Body::empty()).expect("request");
    let ready = app.clone().oneshot(ask("/readyz")).await.expect("answer");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = ready.into_body().collect().await.expect("body").to_bytes();
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(body, json!({ "status": "not_ready" }));
    // Alive all the same: the process answers.
    let alive = app.oneshot(ask("/healthz")).await.expect("answer");
    assert_eq!(alive.status(), StatusCode::OK);
}
