//! Logs on stderr, filtered by `RUST_LOG` (warnings by default), as text
//! or, with `SOJOURN_LOG_FORMAT=json`, as JSON lines for a log shipper:
//! one object a line with the time, level, target, message, the event's
//! fields and the spans it happened in (a request's `request_id`, which
//! the server also returns as the `x-request-id` header).
//!
//! Logs carry codes, counts, ids and route templates, never a person's
//! data: no path as asked, no search term, no cell of a sheet. The
//! server test `logs_of_a_full_run_hold_no_id_or_phone_number` greps a run's
//! logs for the shapes of ID and phone numbers.

use std::fmt;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// The environment variable that picks JSON lines.
pub const FORMAT_VAR: &str = "SOJOURN_LOG_FORMAT";

/// Starts logging as the environment says.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var(FORMAT_VAR).is_ok_and(|v| v.eq_ignore_ascii_case("json")) {
        builder.with_ansi(false).event_format(JsonLines).init();
    } else {
        builder.init();
    }
}

/// Formats each event as one JSON object.
struct JsonLines;

/// Collects an event's fields into a JSON map.
struct Fields<'a>(&'a mut serde_json::Map<String, serde_json::Value>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), format!("{value:?}").into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), value.into());
    }
}

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = serde_json::Map::new();
        event.record(&mut Fields(&mut fields));
        let mut line = serde_json::Map::new();
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        line.insert("time".into(), now.into());
        line.insert("level".into(), event.metadata().level().as_str().into());
        line.insert("target".into(), event.metadata().target().into());
        if let Some(message) = fields.remove("message") {
            line.insert("message".into(), message);
        }
        // The spans' fields as their formatter wrote them (`request_id=…`),
        // each as a key of its own.
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                let extensions = span.extensions();
                let Some(formatted) = extensions.get::<FormattedFields<N>>() else {
                    continue;
                };
                for pair in formatted.fields.split(' ') {
                    if let Some((key, value)) = pair.split_once('=') {
                        line.insert(key.to_owned(), value.trim_matches('"').into());
                    }
                }
            }
        }
        if !fields.is_empty() {
            line.insert("fields".into(), fields.into());
        }
        let text = serde_json::to_string(&line).map_err(|_| fmt::Error)?;
        writeln!(writer, "{text}")
    }
}
