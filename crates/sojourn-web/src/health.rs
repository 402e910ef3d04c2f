//! `GET /healthz` and `GET /readyz`, for whatever watches the machine (a
//! load balancer, systemd, a monitoring probe). Neither asks who calls,
//! and neither answers more than a status word: no version, no counts, no
//! reason — a reason goes to the log, for the operator.
//!
//! - `/healthz`: the process answers (200 `{"status":"ok"}`).
//! - `/readyz`: the store answers within [`READY_WITHIN`], its schema is
//!   the one this build knows, and the keys at hand hold every key a
//!   value is sealed under (200 `{"status":"ready"}`, else 503
//!   `{"status":"not_ready"}`).

use crate::AppState;
use crate::blocking;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use sojourn_store::operations::Readiness;
use std::time::Duration;

/// How long `/readyz` waits for the store before it says not ready.
pub const READY_WITHIN: Duration = Duration::from_secs(2);

/// The two probes, at the root (outside the API: they are not part of it
/// and are not documented in its OpenAPI document).
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/healthz", get(alive))
        .route("/readyz", get(ready))
}

async fn alive() -> Response {
    (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response()
}

async fn ready(State(state): State<AppState>) -> Response {
    let check = blocking::raw(&state, |store| store.readiness_unscoped());
    let verdict = match tokio::time::timeout(READY_WITHIN, check).await {
        Err(_) => Err("the store did not answer in time".to_owned()),
        Ok(Err(failed)) => Err(failed),
        Ok(Ok(Err(error))) => Err(format!("the store cannot be read: {error}")),
        Ok(Ok(Ok(readiness))) => why_not(&readiness),
    };
    match verdict {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))).into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "not_ready" })),
            )
                .into_response()
        }
    }
}

/// What keeps a reachable store from serving, for the log.
fn why_not(readiness: &Readiness) -> Result<(), String> {
    use sojourn_store::operations::Schema;
    match &readiness.schema {
        Schema::Behind(missing) => {
            return Err(format!("migrations not applied: {}", missing.join(", ")));
        }
        Schema::Ahead(unknown) => {
            return Err(format!(
                "the store has migrations this version does not know: {}",
                unknown.join(", ")
            ));
        }
        Schema::Current => {}
    }
    if readiness.keys_held {
        Ok(())
    } else {
        Err("the data key does not hold every key the values are sealed under".into())
    }
}
