//! Safety inspections (安全检查) of a rental house: the request both the
//! API and the house page's form parse, and the response.

use super::fields::{Fields, InputError, assemble};
use super::iso;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use sojourn_domain::house::{Inspection, InspectionOutcome, RecordedInspection};
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::time_rules::PastDate;
use time::Date;
use utoipa::ToSchema;

/// One inspection: when, who inspected, and what it found.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct InspectionRequest {
    /// Not in the future.
    #[schema(value_type = String, format = Date)]
    pub inspected_on: String,
    /// Who inspected (not necessarily who records it).
    pub inspector: String,
    /// `passed` or `issues_found`.
    #[schema(example = "issues_found")]
    pub result: String,
    /// What the issues are (required when issues were found), or a remark
    /// on a pass; at most 500 characters.
    pub notes: Option<String>,
}

impl InspectionRequest {
    /// The inspection, or a 422 naming every field at fault.
    pub(crate) fn parse(&self, today: Date) -> Result<Inspection, ApiError> {
        let mut fields = Fields::default();
        let on = fields.take("inspected_on", PastDate::parse(&self.inspected_on, today));
        let inspector = fields.take("inspector", PersonName::parse(&self.inspector));
        let notes = fields.optional("notes", self.notes.as_deref(), Note::parse);
        let outcome = match (self.result.trim(), notes) {
            (_, None) => None,
            ("passed", Some(remark)) => Some(InspectionOutcome::Passed { remark }),
            ("issues_found", Some(Some(issues))) => Some(InspectionOutcome::IssuesFound { issues }),
            ("issues_found", Some(None)) => {
                fields.refuse("notes", &InputError::Required);
                None
            }
            (other, Some(_)) => {
                let unknown = InputError::UnknownOption {
                    value: other.to_owned(),
                    allowed: "passed, issues_found".to_owned(),
                };
                fields.refuse("result", &unknown);
                None
            }
        };
        let inspection = assemble(|| {
            Some(Inspection {
                inspected_on: on?,
                inspector: inspector?,
                outcome: outcome?,
            })
        });
        fields.finish(inspection)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionResponse {
    pub id: i64,
    pub house_id: i64,
    #[schema(value_type = String, format = Date)]
    pub inspected_on: String,
    pub inspector: String,
    /// `passed` or `issues_found`.
    pub result: String,
    pub notes: Option<String>,
    /// RFC 3339 time in China Standard Time.
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: String,
    pub recorded_by: String,
}

impl From<&RecordedInspection> for InspectionResponse {
    fn from(r: &RecordedInspection) -> Self {
        let i = &r.inspection;
        let at = r.recorded_at.to_offset(sojourn_domain::time_rules::CHINA);
        Self {
            id: r.id,
            house_id: r.house.0,
            inspected_on: iso(i.inspected_on.date()),
            inspector: i.inspector.to_string(),
            result: i.outcome.key().to_owned(),
            notes: i.outcome.notes().map(ToString::to_string),
            // A fallback keeps the field filled rather than failing the list.
            recorded_at: at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| at.to_string()),
            recorded_by: r.recorded_by.clone(),
        }
    }
}
