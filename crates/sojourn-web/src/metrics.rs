//! `/metrics` in the Prometheus text format, for whoever watches the
//! machine (issue 17): requests by route template and status, their
//! latency, the time store calls take on the blocking pool (waiting for a
//! thread, then running), the jobs by kind and state, and the audit
//! entries written (the chain's length).
//!
//! Served only on its own listener (`sojourn serve --metrics-addr`, off by
//! default), never on the main one: it tells how busy the office is, which
//! is for the operator alone. It holds no personal data: a route is its
//! template (`/api/v1/residences/{id}`), never the path asked for, and a
//! path no route matches counts as `unmatched`.
//!
//! A small registry of its own (a mutex-guarded map per family, atomics
//! for the store histogram) rather than the `metrics` and
//! `metrics-exporter-prometheus` crates: those bring some twenty crates
//! (an HTTP server of their own among them) for what is here two hundred
//! lines, and the families are few and fixed.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sojourn_store::Store;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A latency histogram: counts per bucket (the last is +Inf), the sum in
/// microseconds.
#[derive(Debug, Default)]
struct Histogram {
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The `_bucket`, `_sum` and `_count` lines of `name` with `labels`
    /// (`route="…"`, or empty).
    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (i, count) in self.counts.iter().enumerate() {
            cumulative += count.load(Ordering::Relaxed);
            let le = BUCKETS
                .get(i)
                .map_or_else(|| "+Inf".to_owned(), ToString::to_string);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
            );
        }
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {cumulative}");
    }
}

/// The server's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Requests by (route template, status).
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    /// Latency by route template.
    latency: Mutex<BTreeMap<String, Arc<Histogram>>>,
    /// Store calls on the blocking pool, wait and run together.
    store_calls: Histogram,
}

/// A poisoned lock only means a panic elsewhere while it was held; each
/// change is one insertion or increment.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    fn request(&self, route: &str, status: u16, took: Duration) {
        *lock(&self.requests)
            .entry((route.to_owned(), status))
            .or_insert(0) += 1;
        let histogram = Arc::clone(lock(&self.latency).entry(route.to_owned()).or_default());
        histogram.observe(took);
    }

    /// Counts a store call that took `took` from its spawn to its end.
    pub(crate) fn store_call(&self, took: Duration) {
        self.store_calls.observe(took);
    }

    /// The text a scrape reads: this process's counters, and what the
    /// store says of its jobs and audit trail (`None` if it could not be
    /// read: the families are then left out).
    pub fn render(&self, store: Option<&StoreFigures>) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP sojourn_http_requests_total Requests answered, by route template and status.\n\
             # TYPE sojourn_http_requests_total counter\n",
        );
        for ((route, status), count) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "sojourn_http_requests_total{{route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        out.push_str(
            "# HELP sojourn_http_request_duration_seconds Time to answer, by route template.\n\
             # TYPE sojourn_http_request_duration_seconds histogram\n",
        );
        for (route, histogram) in lock(&self.latency).iter() {
            let labels = format!("route=\"{}\"", escape(route));
            histogram.write(&mut out, "sojourn_http_request_duration_seconds", &labels);
        }
        out.push_str(
            "# HELP sojourn_store_call_duration_seconds Store calls on the blocking pool: waiting for a thread and running.\n\
             # TYPE sojourn_store_call_duration_seconds histogram\n",
        );
        self.store_calls
            .write(&mut out, "sojourn_store_call_duration_seconds", "");
        if let Some(figures) = store {
            out.push_str(
                "# HELP sojourn_jobs Export and import jobs kept, by kind and state.\n\
                 # TYPE sojourn_jobs gauge\n",
            );
            for (kind, status, count) in &figures.jobs {
                let _ = writeln!(
                    out,
                    "sojourn_jobs{{kind=\"{kind}\",state=\"{status}\"}} {count}"
                );
            }
            out.push_str(
                "# HELP sojourn_audit_entries_total Audit entries written (the chain's length).\n\
                 # TYPE sojourn_audit_entries_total counter\n",
            );
            let _ = writeln!(out, "sojourn_audit_entries_total {}", figures.audit_entries);
        }
        out
    }
}

/// What a scrape reads from the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreFigures {
    /// (kind, state, jobs).
    pub jobs: Vec<(String, String, u64)>,
    pub audit_entries: u64,
}

impl StoreFigures {
    /// Reads them (two small queries).
    pub fn read(store: &dyn Store) -> sojourn_store::Result<Self> {
        let jobs = store
            .job_counts_unscoped()?
            .into_iter()
            .map(|(kind, status, n)| (kind.key().to_owned(), status.key().to_owned(), n))
            .collect();
        let audit_entries = store
            .audit_head_unscoped()?
            .map_or(0, |anchor| u64::try_from(anchor.seq).unwrap_or(0));
        Ok(Self {
            jobs,
            audit_entries,
        })
    }
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts every request by its route template (layered on every route of
/// the application: the router has matched it by then).
pub(crate) async fn count(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.request(&route, response.status().as_u16(), started.elapsed());
    response
}

/// The router of the metrics listener: `GET /metrics` alone.
pub fn router(metrics: Arc<Metrics>, store: Arc<dyn Store>) -> axum::Router {
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || scrape(Arc::clone(&metrics), Arc::clone(&store))),
    )
}

/// Serves [`router`] on `listener` until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
    store: Arc<dyn Store>,
) {
    if let Err(error) = axum::serve(listener, router(metrics, store)).await {
        tracing::error!("the metrics listener stopped: {error}");
    }
}

async fn scrape(metrics: Arc<Metrics>, store: Arc<dyn Store>) -> Response {
    let figures = tokio::task::spawn_blocking(move || StoreFigures::read(store.as_ref()))
        .await
        .ok()
        .and_then(|read| {
            read.map_err(|e| tracing::warn!("metrics: the store could not be read: {e}"))
                .ok()
        });
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(figures.as_ref()),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_cumulatively_up_to_inf() {
        let metrics = Metrics::default();
        metrics.request("/api/v1/residences/{id}", 200, Duration::from_millis(3));
        metrics.request("/api/v1/residences/{id}", 200, Duration::from_millis(300));
        metrics.request("/api/v1/residences/{id}", 404, Duration::from_secs(20));
        let text = metrics.render(None);
        assert!(text.contains(
            "sojourn_http_requests_total{route=\"/api/v1/residences/{id}\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "sojourn_http_request_duration_seconds_bucket{route=\"/api/v1/residences/{id}\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "sojourn_http_request_duration_seconds_bucket{route=\"/api/v1/residences/{id}\",le=\"0.5\"} 2"
        ));
        assert!(text.contains(
            "sojourn_http_request_duration_seconds_bucket{route=\"/api/v1/residences/{id}\",le=\"+Inf\"} 3"
        ));
        assert!(text.contains(
            "sojourn_http_request_duration_seconds_count{route=\"/api/v1/residences/{id}\"} 3"
        ));
        assert!(
            !text.contains("sojourn_jobs"),
            "no store figures, no family"
        );
    }
}
