//! Documents checked (查验) or chased (催办) on a person's file.

use crate::dto::iso;
use crate::error::{ApiError, FieldProblem};
use serde::{Deserialize, Serialize};
use sojourn_domain::document::{DocumentCheck, RecordedDocumentCheck};
use time::Date;
use utoipa::ToSchema;

/// A check (give `checked_on`, not in the future) or a chase (give
/// `due_on`, not in the past) — exactly one of the two.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DocumentCheckRequest {
    /// `marriage_birth_certificate`, `labour_contract` or
    /// `vaccination_certificate` (or the Chinese name).
    #[schema(example = "vaccination_certificate")]
    pub kind: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub checked_on: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<String>,
    /// At most 500 characters.
    pub note: Option<String>,
}

impl DocumentCheckRequest {
    /// The domain value, or a 422 naming the field at fault.
    pub(crate) fn parse(&self, today: Date) -> Result<DocumentCheck, ApiError> {
        DocumentCheck::parse(
            &self.kind,
            self.checked_on.as_deref(),
            self.due_on.as_deref(),
            self.note.as_deref(),
            today,
        )
        .map_err(|error| {
            let field = match error.field() {
                "date" if has_text(self.checked_on.as_deref()) => "checked_on",
                "date" => "due_on",
                other => other,
            };
            ApiError::Validation(vec![FieldProblem::new(field, &error)])
        })
    }
}

fn has_text(input: Option<&str>) -> bool {
    input.is_some_and(|s| !s.trim().is_empty())
}

/// One check or chase as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentCheckResponse {
    pub id: i64,
    pub person_id: i64,
    #[schema(example = "vaccination_certificate")]
    pub kind: String,
    /// Present for a check.
    #[schema(value_type = Option<String>, format = Date)]
    pub checked_on: Option<String>,
    /// Present for a chase.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<String>,
    pub note: Option<String>,
    /// RFC 3339 time in China Standard Time.
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: String,
    pub recorded_by: String,
}

impl From<&RecordedDocumentCheck> for DocumentCheckResponse {
    fn from(r: &RecordedDocumentCheck) -> Self {
        let at = r.recorded_at.to_offset(sojourn_domain::time_rules::CHINA);
        Self {
            id: r.id,
            person_id: r.person.0,
            kind: r.check.kind.code().to_owned(),
            checked_on: r.check.checked_on().map(iso),
            due_on: r.check.due_on().map(iso),
            note: r.check.note.as_ref().map(|n| n.as_str().to_owned()),
            // RFC 3339 formats every time with a four-digit year; a
            // fallback keeps the field filled rather than failing the list.
            recorded_at: at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| at.to_string()),
            recorded_by: r.recorded_by.clone(),
        }
    }
}
