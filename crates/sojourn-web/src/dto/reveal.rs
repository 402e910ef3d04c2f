//! Showing masked values in full: which fields, and why. Every response
//! masks ID and phone numbers; a role with the reveal permission asks for
//! the full values of one record, giving a reason that goes into the
//! audit trail with the request.

use super::fields::{Fields, InputError};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sojourn_domain::Localized;
use utoipa::ToSchema;

/// Which masked fields to show in full, and why.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevealRequest {
    /// Field names of the record's response, e.g. `["id_number", "phone"]`.
    #[schema(example = json!(["id_number", "phone"]))]
    pub fields: Vec<String>,
    /// Why the full values are needed (5–200 characters); kept in the
    /// audit trail.
    #[schema(example = "核实身份：办理居住证")]
    pub reason: String,
}

/// The requested fields in full: field name → value (null when the record
/// has none; a list for the left-behind family's ID numbers).
#[derive(Debug, Serialize, ToSchema)]
pub struct RevealResponse {
    #[schema(value_type = Object)]
    pub values: Map<String, Value>,
}

/// A reveal's reason must say something, briefly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("give a reason of 5 to 200 characters for seeing the full values")]
pub struct RevealReasonLength;

impl Localized for RevealReasonLength {
    fn code(&self) -> &'static str {
        "reveal_reason_length"
    }
    fn message_zh(&self) -> String {
        "请填写查看完整信息的理由（5至200个字）".into()
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// A checked request: known fields (each once) and a reason.
#[derive(Debug, Clone)]
pub(crate) struct Reveal {
    pub fields: Vec<&'static str>,
    pub reason: String,
}

impl RevealRequest {
    /// Checks the request against the fields a record can reveal.
    pub(crate) fn parse(&self, allowed: &[&'static str]) -> Result<Reveal, ApiError> {
        let mut problems = Fields::default();
        let mut fields = Vec::new();
        for name in &self.fields {
            match allowed.iter().find(|a| **a == name.trim()) {
                Some(field) if !fields.contains(field) => fields.push(*field),
                Some(_) => {}
                None => problems.refuse(
                    "fields",
                    &InputError::UnknownOption {
                        value: name.clone(),
                        allowed: allowed.join(", "),
                    },
                ),
            }
        }
        if self.fields.is_empty() {
            problems.refuse("fields", &InputError::Required);
        }
        let reason = self.reason.trim();
        if !(5..=200).contains(&reason.chars().count()) {
            problems.refuse("reason", &RevealReasonLength);
        }
        problems.finish(Some(Reveal {
            fields,
            reason: reason.to_owned(),
        }))
    }
}
