//! The audit trail, for the audit administrator alone: search it within
//! their jurisdiction, and export it for archiving. Reading and exporting
//! the trail are themselves recorded in it. Nothing here (or anywhere in
//! the application) deletes an entry.

use super::run;
use crate::AppState;
use crate::dto::audit::{AuditListQuery, AuditPage, CSV_HEADER, ExportFormat, csv_line};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::json::Json;
use crate::ops::audit::{self as ops, filters};
use crate::scope::{CallerActor, CallerScope};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sojourn_store::{AuditAction, AuditEvent, Outcome};

/// Entries of the caller's jurisdiction, newest first, by filters.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(AuditListQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 403, description = "Only the audit administrator reads the trail", body = ErrorBody),
        (status = 422, description = "Invalid filter", body = ErrorBody),
    ))]
pub(crate) async fn search_audit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Query(query): Query<AuditListQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let (query, paging, _) = query.parse()?;
    let page = ops::search(&state, scope, actor, query, &paging).await?;
    let items = page.items.iter().map(Into::into).collect();
    Ok(Json(AuditPage::new(items, page.total, paging)))
}

/// Largest export in one download; archive the whole chain with
/// `sojourn audit export` on the server.
const EXPORT_LIMIT: usize = 1_000_000;

/// Every entry of the caller's jurisdiction matching the filters, oldest
/// first, as JSON lines (hashes included) or CSV: a download for
/// archiving. The export is recorded with its count and the last entry's
/// sequence number and hash.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit",
    params(AuditListQuery),
    responses(
        (status = 200, description = "`application/x-ndjson` or `text/csv` attachment", content_type = "application/x-ndjson"),
        (status = 403, description = "Only the audit administrator exports the trail", body = ErrorBody),
        (status = 422, description = "Invalid filter or format", body = ErrorBody),
    ))]
pub(crate) async fn export_audit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    CallerActor(actor): CallerActor,
    Query(query): Query<AuditListQuery>,
) -> Result<Response, ApiError> {
    let (query, _, format) = query.parse()?;
    let filters = filters(&query);
    let entries = run(&state, move |store| {
        let mut all = Vec::new();
        let mut after = 0;
        while all.len() < EXPORT_LIMIT {
            let batch = store.audit_entries(&scope, &query, after, 5_000)?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            all.extend(batch);
        }
        Ok(all)
    })
    .await?;
    let mut body = String::new();
    match format {
        ExportFormat::JsonLines => {
            for entry in &entries {
                body.push_str(&entry.to_json().to_string());
                body.push('\n');
            }
        }
        ExportFormat::Csv => {
            body.push('\u{feff}');
            body.push_str(CSV_HEADER);
            body.push_str("\r\n");
            for entry in &entries {
                body.push_str(&csv_line(entry));
                body.push_str("\r\n");
            }
        }
    }
    let last = entries.last();
    let event = AuditEvent::new(AuditAction::AuditExport, Outcome::Success).details(json!({
        "filters": filters,
        "format": if format == ExportFormat::Csv { "csv" } else { "jsonl" },
        "entries": entries.len(),
        "last_seq": last.map(|e| e.seq),
        "last_hash": last.map(|e| e.hash.clone()),
    }));
    crate::audit::record(&state, actor, event).await?;
    let (content_type, extension) = match format {
        ExportFormat::JsonLines => ("application/x-ndjson; charset=utf-8", "jsonl"),
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"sojourn-audit.{extension}\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
