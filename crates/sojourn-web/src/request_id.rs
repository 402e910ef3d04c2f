//! Each request gets an id: a span around its handling carries it (so
//! every log line of the request names it, in JSON lines as
//! `request_id`), the response returns it as `x-request-id`, and one
//! `info` line records the request by its route template, status and
//! time — never the path as asked, which may hold a record's id, nor the
//! query. An operator given the header finds the request's lines.
//!
//! The id is random base32 (letters and the digits 2–7), so no id can be
//! mistaken for a phone or ID number by the log-leak test or a reader.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header the id is returned in.
pub const HEADER: &str = "x-request-id";

fn new_id() -> String {
    let mut bytes = [0_u8; 10];
    // No randomness is a failure elsewhere; an id of zeros still logs.
    let _ = rand::TryRngCore::try_fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    data_encoding::BASE32_NOPAD.encode(&bytes).to_lowercase()
}

/// Handles `request` inside its span and returns its id.
pub(crate) async fn tag(request: Request, next: Next) -> Response {
    let id = new_id();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = request.method().clone();
    let span = tracing::info_span!("request", request_id = %id);
    let started = std::time::Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            route = %route,
            status = response.status().as_u16(),
            micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}
