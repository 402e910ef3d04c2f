//! Collecting every field error of a request at once: a form wants all its
//! mistakes marked in one round trip, not the first one only.

use crate::error::{ApiError, FieldProblem};
use sojourn_domain::Localized;
use sojourn_store::PageRequest;
use thiserror::Error;

/// Field errors gathered while a request is turned into domain values.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    problems: Vec<FieldProblem>,
}

impl Fields {
    /// The value, or `None` with the reason recorded under `field`.
    pub(crate) fn take<T, E: Localized>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.refuse(field, &error);
                None
            }
        }
    }

    /// An optional input: absent or blank (what an empty form field sends)
    /// is `Some(None)`; anything else must parse.
    pub(crate) fn optional<T, E: Localized>(
        &mut self,
        field: &str,
        input: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match non_blank(input) {
            None => Some(None),
            Some(text) => self.take(field, parse(text)).map(Some),
        }
    }

    pub(crate) fn refuse(&mut self, field: &str, error: &dyn Localized) {
        self.problems.push(FieldProblem::new(field, error));
    }

    /// `value` if no field was refused. Every `None` above recorded a
    /// problem, so a `None` value always comes with at least one.
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        match value {
            Some(value) if self.problems.is_empty() => Ok(value),
            _ => Err(ApiError::Validation(self.problems)),
        }
    }
}

/// Calls `build`, which puts the parsed parts together with `?`: "every
/// part parsed" without a ladder of matches. The parts were parsed before,
/// so all their errors are already recorded.
pub(crate) fn assemble<T>(build: impl FnOnce() -> Option<T>) -> Option<T> {
    build()
}

/// The trimmed text unless it is absent or blank.
pub(crate) fn non_blank(input: Option<&str>) -> Option<&str> {
    input
        .map(|s| s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}'))
        .filter(|s| !s.is_empty())
}

/// Input rules of the HTTP layer that no domain parser covers.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub(crate) enum InputError {
    #[error("this field is required")]
    Required,
    #[error("{value:?} is not one of: {allowed}")]
    UnknownOption { value: String, allowed: String },
    #[error("page numbers start at 1")]
    PageOutOfRange,
    #[error("per_page must be between 1 and {max}")]
    PerPageOutOfRange { max: u32 },
    #[error("a house lets out at least one room")]
    NoRooms,
    #[error(
        "only grids and collection points can be added; communities come from the division data"
    )]
    UnitLevelNotCreatable,
    #[error("{0} is not a province code (2 digits, e.g. 41)")]
    NotAProvince(String),
    #[error("the number of days must be between 1 and {max}")]
    DaysOutOfRange { max: u32 },
    #[error(
        "a token's role must grant nothing your own roles do not, and cannot be an administrator's"
    )]
    RoleAboveYours,
    #[error("enrol a second factor (TOTP) for the account before granting an administrator role")]
    AdministratorNeedsTotp,
}

impl Localized for InputError {
    fn code(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::UnknownOption { .. } => "unknown_option",
            Self::PageOutOfRange => "page_out_of_range",
            Self::PerPageOutOfRange { .. } => "per_page_out_of_range",
            Self::NoRooms => "rooms_at_least_one",
            Self::UnitLevelNotCreatable => "unit_level_not_creatable",
            Self::NotAProvince(_) => "not_a_province",
            Self::DaysOutOfRange { .. } => "days_out_of_range",
            Self::RoleAboveYours => "role_above_yours",
            Self::AdministratorNeedsTotp => "administrator_needs_totp",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::Required => "此项必填".into(),
            Self::UnknownOption { value, allowed } => {
                format!("“{value}”不是可选值，应为：{allowed}")
            }
            Self::PageOutOfRange => "页码从1开始".into(),
            Self::PerPageOutOfRange { max } => format!("每页条数应在1到{max}之间"),
            Self::NoRooms => "出租房间数至少为1".into(),
            Self::UnitLevelNotCreatable => {
                "只能新增网格或信息采集点；社区（村）来自行政区划数据".into()
            }
            Self::NotAProvince(s) => format!("“{s}”不是省级行政区划代码（2位数字，如 41）"),
            Self::DaysOutOfRange { max } => format!("天数应在1到{max}之间"),
            Self::RoleAboveYours => "令牌的角色不能超出您本人角色的权限，也不能是管理员角色".into(),
            Self::AdministratorNeedsTotp => {
                "授予管理员角色前，须先为该账号开通动态验证码（双因素认证）".into()
            }
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// One of a fixed set of keys (`status=departed`, `sort=name`); absent is
/// the first entry's value.
pub(crate) fn option<T: Copy>(
    fields: &mut Fields,
    field: &str,
    input: Option<&str>,
    table: &[(&str, T)],
) -> Option<T> {
    let Some(text) = non_blank(input) else {
        return table.first().map(|(_, value)| *value);
    };
    let found = table.iter().find(|(key, _)| *key == text).map(|(_, v)| *v);
    let allowed = || {
        let keys: Vec<&str> = table.iter().map(|(key, _)| *key).collect();
        InputError::UnknownOption {
            value: text.to_owned(),
            allowed: keys.join(", "),
        }
    };
    fields.take(field, found.ok_or_else(allowed))
}

/// A page of a list: 1-based `page`, `per_page` items (default 20).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub page: u32,
    pub per_page: u32,
    pub request: PageRequest,
}

pub(crate) fn paging(
    fields: &mut Fields,
    page: Option<u32>,
    per_page: Option<u32>,
) -> Option<Paging> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(PageRequest::DEFAULT_LIMIT);
    let page_ok = fields.take(
        "page",
        if page >= 1 {
            Ok(())
        } else {
            Err(InputError::PageOutOfRange)
        },
    );
    let offset = u64::from(page.saturating_sub(1)) * u64::from(per_page);
    let out_of_range = InputError::PerPageOutOfRange {
        max: PageRequest::MAX_LIMIT,
    };
    let request = fields.take(
        "per_page",
        PageRequest::new(offset, per_page).ok_or(out_of_range),
    );
    page_ok?;
    Some(Paging {
        page,
        per_page,
        request: request?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_optional_input_is_none_and_bad_input_is_recorded() {
        let mut fields = Fields::default();
        let parse = |s: &str| sojourn_domain::codes::Phone::parse(s);
        assert_eq!(
            fields.optional("phone", Some(" \u{3000}"), parse),
            Some(None)
        );
        assert_eq!(fields.optional("phone", Some("12"), parse), None);
        let error = fields.finish(Some(())).expect_err("one problem");
        assert!(matches!(error, ApiError::Validation(p) if p.len() == 1 && p[0].field == "phone"));
    }

    #[test]
    fn paging_refuses_page_zero_and_oversized_pages_together() {
        let mut fields = Fields::default();
        assert!(paging(&mut fields, Some(0), Some(501)).is_none());
        let error = fields.finish(Some(())).expect_err("two problems");
        assert!(matches!(error, ApiError::Validation(p) if p.len() == 2));
    }
}
