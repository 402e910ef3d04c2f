//! Sojourn's HTTP layer: turns requests into domain values and store calls,
//! and store results into responses. The JSON API lives under `/api/v1`.

/// Handlers of the JSON API, its route table and its OpenAPI document.
pub mod api;
/// What the HTTP layer writes to the audit trail.
pub mod audit;
/// Sign-in, sessions, API tokens and the guard every route passes.
pub mod auth;
/// The one way a request calls the store: on the blocking pool.
pub(crate) mod blocking;
/// Request and response bodies, and their conversions to domain values.
pub mod dto;
/// The one error type of the HTTP layer and its JSON body.
pub mod error;
/// Exports of the lists and ledgers (台账), run as background jobs.
pub mod export;
/// Path and query extractors that answer with our error body.
pub mod extract;
/// How values are shown: dates, masked numbers, places, code-table names.
pub(crate) mod format;
/// Security headers on every response.
pub mod headers;
/// `/healthz` and `/readyz`: alive, and able to serve.
pub mod health;
/// Languages and message catalogues, the floor of pages and exports.
pub(crate) mod i18n;
/// Export and import jobs kept across restarts: their directory, expiry
/// and the marking of jobs a stopped server left running.
pub mod jobs;
/// The JSON extractor that tells malformed JSON from JSON of the wrong shape.
pub mod json;
/// `/metrics` in the Prometheus text format, on a listener of its own.
pub mod metrics;
/// The operations both the API and the pages call: the rules of each
/// change and search, written once.
pub(crate) mod ops;
/// The pages staff work in, beside the API.
pub mod pages;
/// Each request's id: its log span and the `x-request-id` header.
pub mod request_id;
/// The caller's jurisdiction, drawn in one place and never from the request.
pub mod scope;

/// The layering of this crate, checked against its source.
#[cfg(test)]
mod layers;

use auth::{Clock, RateLimiter, SecurityConfig, SystemClock};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use error::ApiError;
use sojourn_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest request body accepted. The biggest legitimate body (an outflow
/// record with its family) is a few kilobytes; this leaves room for a batch
/// without letting one request hold much memory.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// Largest sheet an import takes (`/import/…`, `/api/v1/imports/…`):
/// some 200,000 rows of .xlsx; a larger register is loaded from the
/// command line (`sojourn import`), which streams the file.
pub const UPLOAD_LIMIT_BYTES: usize = 32 * 1024 * 1024;

/// Whether `path` takes an uploaded sheet, and so the larger limit.
pub(crate) fn is_upload_path(path: &str) -> bool {
    let api_imports = format!("{}/imports/", api::PREFIX);
    path.starts_with(&api_imports) || pages::imports::is_upload_path(path)
}

/// Shared state of every handler. The caller's scope is not here: it is
/// drawn from the signed-in principal, per request.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub security: Arc<SecurityConfig>,
    /// What sessions, locks and password ages are measured by.
    pub clock: Arc<dyn Clock>,
    /// Sign-in and token attempts per address and user name.
    pub limiter: Arc<RateLimiter>,
    /// Export jobs running or waiting to be downloaded.
    pub exports: Arc<export::jobs::ExportJobs>,
    /// The bounds of an upload, the imports running and their reports.
    pub imports: Arc<ops::imports::Imports>,
    /// Requests and store calls counted for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// The three windows of the family-planning 三查, a deployment's
    /// setting (by default January, May and September).
    pub check_windows: sojourn_domain::services::family_planning::CheckWindows,
}

impl AppState {
    /// The store with the default security settings and the system clock.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            security: Arc::new(SecurityConfig::default()),
            clock: Arc::new(SystemClock),
            limiter: Arc::new(RateLimiter::default()),
            exports: Arc::new(export::jobs::ExportJobs::default()),
            imports: Arc::new(ops::imports::Imports::default()),
            metrics: Arc::new(metrics::Metrics::default()),
            check_windows: Default::default(),
        }
    }

    /// Jobs' files in `files` (the server's jobs directory and retention)
    /// instead of the system's temporary directory.
    pub fn with_job_files(mut self, files: jobs::JobFiles) -> Self {
        self.exports = Arc::new(export::jobs::ExportJobs::new(files.clone()));
        self.imports = Arc::new(ops::imports::Imports::new(*self.imports.limits(), files));
        self
    }

    /// The 三查 windows a deployment sets instead of the default.
    pub fn with_check_windows(
        mut self,
        windows: sojourn_domain::services::family_planning::CheckWindows,
    ) -> Self {
        self.check_windows = windows;
        self
    }

    /// Uploads bounded by `limits` instead of the defaults (the rows a
    /// sheet may have are a deployment's setting).
    pub fn with_import_limits(mut self, limits: sojourn_sheets::Limits) -> Self {
        let files = self.imports.files().clone();
        self.imports = Arc::new(ops::imports::Imports::new(limits, files));
        self
    }

    pub fn with_security(mut self, security: SecurityConfig) -> Self {
        self.security = Arc::new(security);
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// The whole application router.
pub fn app(state: AppState) -> axum::Router {
    let api = api::router(&state).method_not_allowed_fallback(method_not_allowed);
    axum::Router::new()
        .merge(pages::routes(&state))
        .merge(health::routes())
        .nest(api::PREFIX, api)
        .fallback(no_route)
        .layer(axum::middleware::from_fn(limit_body))
        // Multipart extraction has its own default limit (2 MB); the one
        // above decides instead.
        .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT_BYTES))
        // Outside the limit, so it sees the limit's own plain-text 413.
        .layer(axum::middleware::map_response(json_payload_too_large))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            headers::add,
        ))
        .layer(axum::middleware::from_fn(request_id::tag))
        // Outermost: every answer counted, by the route the router matched.
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state.metrics),
            metrics::count,
        ))
        .with_state(state)
}

/// Holds every request body to [`BODY_LIMIT_BYTES`], an upload to
/// [`UPLOAD_LIMIT_BYTES`]: an over-long declared length is refused before
/// any handler runs (a plain-text 413, as the limit layer of tower-http
/// answers), a longer body fails when read.
async fn limit_body(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let limit = if is_upload_path(request.uri().path()) {
        UPLOAD_LIMIT_BYTES
    } else {
        BODY_LIMIT_BYTES
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// No such route: a JSON error under the API's prefix, a page elsewhere.
async fn no_route(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    let path = uri.path();
    if path == api::PREFIX || path.starts_with(&format!("{}/", api::PREFIX)) {
        ApiError::NoRoute.into_response()
    } else {
        pages::no_page(headers).await
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The body limit refuses an over-long declared length before any handler
/// runs, with a plain-text body; clients get our JSON error instead. The
/// rest of a body too large is never read, so the connection is closed
/// after the answer rather than read from the middle of that body.
async fn json_payload_too_large(response: Response) -> Response {
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let mut response = if is_json {
        response
    } else {
        ApiError::PayloadTooLarge.into_response()
    };
    response.headers_mut().insert(
        header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// Serves the application on `listener` until Ctrl-C, telling handlers
/// each connection's peer address (for rate limits and the audit trail).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
