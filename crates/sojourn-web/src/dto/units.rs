//! Units of the jurisdiction tree.

use super::fields::{Fields, InputError};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use sojourn_domain::text::UnitName;
use sojourn_domain::unit::{Unit, UnitCode, UnitLevel};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitResponse {
    #[schema(example = "110101001001")]
    pub code: String,
    pub name: String,
    /// `county`, `town`, `community`, `grid` or `collection_point`.
    pub level: String,
    pub level_name: String,
    /// Absent for a county.
    pub parent: Option<String>,
}

impl From<&Unit> for UnitResponse {
    fn from(unit: &Unit) -> Self {
        Self {
            code: unit.code.to_string(),
            name: unit.name.to_string(),
            level: unit.level().key().to_owned(),
            level_name: unit.level().name_zh().to_owned(),
            parent: unit.code.parent().map(|p| p.to_string()),
        }
    }
}

/// A new grid (its community's code + 3 digits) or collection point (its
/// grid's code + 3 digits).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUnitRequest {
    #[schema(example = "110101001001001")]
    pub code: String,
    #[schema(example = "第一网格")]
    pub name: String,
}

impl TryFrom<CreateUnitRequest> for Unit {
    type Error = ApiError;

    fn try_from(request: CreateUnitRequest) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let code = creatable_code(&mut fields, &request.code);
        let name = fields.take("name", UnitName::parse(&request.name));
        let unit = code.zip(name).map(|(code, name)| Unit { code, name });
        fields.finish(unit)
    }
}

fn creatable_code(fields: &mut Fields, input: &str) -> Option<UnitCode> {
    let code = fields.take("code", UnitCode::parse(input))?;
    let creatable = matches!(code.level(), UnitLevel::Grid | UnitLevel::CollectionPoint);
    let checked = if creatable {
        Ok(code)
    } else {
        Err(InputError::UnitLevelNotCreatable)
    };
    fields.take("code", checked)
}

/// A unit code from a path, refused as a field error when malformed.
pub(crate) fn unit_code_param(input: &str) -> Result<UnitCode, ApiError> {
    let mut fields = Fields::default();
    let code = fields.take("code", UnitCode::parse(input));
    fields.finish(code)
}
