//! The audit trail as the audit administrator searches and exports it.

use super::fields::{Fields, InputError, Paging, assemble, non_blank, paging};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sojourn_domain::Localized;
use sojourn_domain::time_rules::{CHINA, parse_iso_date};
use sojourn_store::{AuditAction, AuditEntry, AuditQuery, Outcome};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

/// Filters of the audit trail, all optional and combined.
#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct AuditListQuery {
    /// User name of whoever acted (exact), or `(anonymous)`.
    pub actor: Option<String>,
    /// `sign_in`, `sign_in_failed`, `sign_in_locked`, `sign_out`, `read`,
    /// `search`, `history`, `reveal`, `create`, `update`, `refused`,
    /// `account_created`, `roles_assigned`, `token_issued`, …
    pub action: Option<String>,
    /// Kind of record: `person`, `residence`, `house`, `employer`,
    /// `outflow`, `account`, `api_token`, `unit`.
    pub object_kind: Option<String>,
    pub object_id: Option<String>,
    /// From this time (RFC 3339) or date (China Standard Time), inclusive.
    pub from: Option<String>,
    /// Up to this time (exclusive) or date (inclusive).
    pub to: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// Export only: `jsonl` (default: one JSON object per line, hashes
    /// included) or `csv`.
    pub format: Option<String>,
}

/// A time filter that is neither an RFC 3339 time nor a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is neither a date (2026-03-01) nor a time (2026-03-01T08:00:00+08:00)")]
pub struct TimeInvalid(String);

impl Localized for TimeInvalid {
    fn code(&self) -> &'static str {
        "time_invalid"
    }
    fn message_zh(&self) -> String {
        format!(
            "“{}”不是有效的日期（如 2026-03-01）或时间（如 2026-03-01T08:00:00+08:00）",
            self.0
        )
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// A time, or the start of a date in China (the end of it for `to`).
fn instant(text: &str, end_of_day: bool) -> Result<OffsetDateTime, TimeInvalid> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let date = parse_iso_date(text).map_err(|_| TimeInvalid(text.to_owned()))?;
    let date = if end_of_day {
        date.next_day()
            .ok_or_else(|| TimeInvalid(text.to_owned()))?
    } else {
        date
    };
    Ok(date.midnight().assume_offset(CHINA))
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    JsonLines,
    Csv,
}

impl AuditListQuery {
    pub(crate) fn parse(&self) -> Result<(AuditQuery, Paging, ExportFormat), ApiError> {
        let mut fields = Fields::default();
        let action = fields.optional("action", self.action.as_deref(), |key| {
            AuditAction::from_key(key)
                .ok_or_else(|| unknown(key, AuditAction::ALL.map(|a| a.key())))
        });
        let outcome = fields.optional("outcome", self.outcome.as_deref(), |key| {
            Outcome::from_key(key).ok_or_else(|| unknown(key, Outcome::ALL.map(|o| o.key())))
        });
        let format = fields.optional("format", self.format.as_deref(), |key| match key {
            "jsonl" => Ok(ExportFormat::JsonLines),
            "csv" => Ok(ExportFormat::Csv),
            other => Err(unknown(other, ["jsonl", "csv"])),
        });
        let from = fields.optional("from", self.from.as_deref(), |t| instant(t, false));
        let to = fields.optional("to", self.to.as_deref(), |t| instant(t, true));
        let paging = paging(&mut fields, self.page, self.per_page);
        let text = |v: &Option<String>| non_blank(v.as_deref()).map(str::to_owned);
        let parsed = assemble(|| {
            let paging = paging?;
            let query = AuditQuery {
                actor: text(&self.actor),
                action: action?,
                object_kind: text(&self.object_kind),
                object_id: text(&self.object_id),
                from: from?,
                to: to?,
                outcome: outcome?,
                page: paging.request,
            };
            Some((query, paging, format?.unwrap_or(ExportFormat::JsonLines)))
        });
        fields.finish(parsed)
    }
}

fn unknown<const N: usize>(value: &str, allowed: [&str; N]) -> InputError {
    InputError::UnknownOption {
        value: value.to_owned(),
        allowed: allowed.join(", "),
    }
}

/// Who acted.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActorResponse {
    /// User name, `(anonymous)` before sign-in, or the program (`cli`).
    pub name: String,
    pub account: Option<i64>,
    /// The role that allowed the action.
    pub role: Option<String>,
    pub unit: Option<String>,
    /// The API token the request came with.
    pub api_token: Option<i64>,
    /// The client's address.
    pub address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditObjectResponse {
    pub kind: String,
    pub id: String,
}

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    /// Position in the chain.
    pub seq: i64,
    /// RFC 3339 time in China Standard Time.
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    pub actor: AuditActorResponse,
    pub action: String,
    pub object: Option<AuditObjectResponse>,
    /// The unit the entry belongs to.
    pub unit: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// Before and after of a change, ids a search returned, the reason of
    /// a reveal; ID and phone numbers masked.
    #[schema(value_type = Object)]
    pub details: Value,
    /// SHA-256 over the previous entry's hash and this entry.
    pub hash: String,
    pub prev_hash: String,
}

impl From<&AuditEntry> for AuditEntryResponse {
    fn from(e: &AuditEntry) -> Self {
        let at = e
            .at()
            .map(|t| t.to_offset(CHINA))
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default();
        let object = match (&e.object_kind, &e.object_id) {
            (Some(kind), Some(id)) => Some(AuditObjectResponse {
                kind: kind.clone(),
                id: id.clone(),
            }),
            _ => None,
        };
        Self {
            seq: e.seq,
            at,
            actor: AuditActorResponse {
                name: e.actor_name.clone(),
                account: e.actor_account,
                role: e.actor_role.clone(),
                unit: e.actor_unit.clone(),
                api_token: e.actor_token,
                address: e.address.clone(),
            },
            action: e.action.clone(),
            object,
            unit: e.unit.clone(),
            outcome: e.outcome.clone(),
            details: serde_json::from_str(&e.details).unwrap_or(Value::Null),
            hash: e.hash.clone(),
            prev_hash: e.prev_hash.clone(),
        }
    }
}

super::page_type!(
    /// A page of the audit trail, newest first.
    AuditPage,
    AuditEntryResponse
);

/// The CSV header of an export.
pub(crate) const CSV_HEADER: &str = "seq,at,actor_name,actor_account,actor_role,actor_unit,\
actor_token,address,action,object_kind,object_id,unit,outcome,details,prev_hash,hash";

/// One entry as a CSV line (RFC 4180 quoting).
pub(crate) fn csv_line(e: &AuditEntry) -> String {
    let at = e
        .at()
        .and_then(|t| t.to_offset(CHINA).format(&Rfc3339).ok())
        .unwrap_or_default();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let cells = [
        e.seq.to_string(),
        at,
        e.actor_name.clone(),
        num(e.actor_account),
        opt(&e.actor_role),
        opt(&e.actor_unit),
        num(e.actor_token),
        opt(&e.address),
        e.action.clone(),
        opt(&e.object_kind),
        opt(&e.object_id),
        opt(&e.unit),
        e.outcome.clone(),
        e.details.clone(),
        e.prev_hash.clone(),
        e.hash.clone(),
    ];
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect();
    quoted.join(",")
}
