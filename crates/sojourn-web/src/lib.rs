//! Sojourn's HTTP layer: turns requests into domain values and store calls,
//! and store results into responses. The JSON API lives under `/api/v1`.

/// Handlers of the JSON API, its route table and its OpenAPI document.
pub mod api;
/// Request and response bodies, and their conversions to domain values.
pub mod dto;
/// The one error type of the HTTP layer and its JSON body.
pub mod error;
/// Path and query extractors that answer with our error body.
pub mod extract;
/// The JSON extractor that tells malformed JSON from JSON of the wrong shape.
pub mod json;
/// The caller's jurisdiction, drawn in one place and never from the request.
pub mod scope;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use error::ApiError;
use sojourn_domain::unit::UnitCode;
use sojourn_store::Store;
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;

/// Largest request body accepted. The biggest legitimate body (an outflow
/// record with its family) is a few kilobytes; this leaves room for a batch
/// without letting one request hold much memory.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The unit the API acts for until sign-in exists: the deployment's
    /// root for the server, a narrower unit in scope tests. The caller's
    /// scope is drawn from it by one extractor, never from the request.
    pub acting_unit: UnitCode,
}

/// The whole application router.
pub fn app(state: AppState) -> axum::Router {
    let api = api::router().method_not_allowed_fallback(method_not_allowed);
    axum::Router::new()
        .nest(api::PREFIX, api)
        .fallback(no_route)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        // Outside the limit, so it sees the limit's own plain-text 413.
        .layer(axum::middleware::map_response(json_payload_too_large))
        .with_state(state)
}

async fn no_route() -> ApiError {
    ApiError::NoRoute
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The body limit refuses an over-long declared length before any handler
/// runs, with a plain-text body; clients get our JSON error instead.
async fn json_payload_too_large(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        ApiError::PayloadTooLarge.into_response()
    } else {
        response
    }
}

/// Serves the application on `listener` until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
