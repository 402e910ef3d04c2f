//! Administrative divisions, for cascading pickers and for showing a code
//! as a place.

use super::fields::Fields;
use crate::error::{ApiError, Problem};
use serde::{Deserialize, Serialize};
use sojourn_domain::codes::division::{self, Division, DivisionError};
use sojourn_domain::codes::{DivisionCode, DivisionLevel};
use utoipa::{IntoParams, ToSchema};

fn level_key(level: DivisionLevel) -> &'static str {
    match level {
        DivisionLevel::Province => "province",
        DivisionLevel::City => "city",
        DivisionLevel::County => "county",
        DivisionLevel::Town => "town",
        DivisionLevel::Village => "village",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DivisionResponse {
    #[schema(example = "110101")]
    pub code: String,
    #[schema(example = "东城区")]
    pub name: String,
    /// `province`, `city`, `county`, `town` or `village`.
    pub level: String,
}

impl From<&Division> for DivisionResponse {
    fn from(d: &Division) -> Self {
        Self {
            code: d.code.to_string(),
            name: d.name.clone(),
            level: level_key(d.code.level()).to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DivisionDetailResponse {
    pub code: String,
    pub name: String,
    /// From the province down: `北京市 东城区 东华门街道`.
    pub full_name: String,
    pub level: String,
    /// Absent for a province.
    pub parent: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DivisionListQuery {
    /// The division whose children to list; absent for the provinces.
    pub parent: Option<String>,
}

/// A division code that names a division today: malformed is a field error
/// (422), well-formed but unknown is 404.
pub(crate) fn known_division(field: &str, input: &str) -> Result<DivisionCode, ApiError> {
    let mut fields = Fields::default();
    let code = fields.take(field, DivisionCode::parse_form(input));
    let code = fields.finish(code)?;
    if division::lookup(&code).is_some() {
        Ok(code)
    } else {
        Err(ApiError::NotFound(Problem::of(&DivisionError::Unknown(
            code.to_string(),
        ))))
    }
}

impl DivisionDetailResponse {
    pub(crate) fn of(code: &DivisionCode) -> Result<Self, ApiError> {
        let unknown = || ApiError::NotFound(Problem::of(&DivisionError::Unknown(code.to_string())));
        let found = division::lookup(code).ok_or_else(unknown)?;
        let full_name = division::full_name(code).ok_or_else(unknown)?;
        Ok(Self {
            code: code.to_string(),
            name: found.name,
            full_name,
            level: level_key(code.level()).to_owned(),
            parent: code.parent().map(|p| p.to_string()),
        })
    }
}
