//! What a submitted form holds and what was wrong with it: the values come
//! back into the form exactly as typed, each error beside its field.

use super::error::{PageError, localized};
use crate::dto::fields::InputError;
use crate::dto::people::guardian_rule_field;
use crate::error::{ApiError, FieldProblem};
use crate::i18n::Tr;
use sojourn_domain::Localized;
use sojourn_domain::record::RecordKind;
use sojourn_store::StoreError;
use std::collections::HashMap;

/// The fields of a submitted (or re-shown) form, as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormData {
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
    /// An error that belongs to no one field (重卡, a rule).
    pub form_error: Option<String>,
}

impl FormData {
    /// Puts a store refusal of a person-and-stay form (registration, file
    /// edit) on the form: beside the field it concerns, or at the top.
    /// Failures that are not the input's fault become the error page.
    pub(crate) fn refuse_from_store(&mut self, tr: Tr, error: StoreError) -> Result<(), PageError> {
        match &error {
            StoreError::ReferenceOutOfScope { kind, .. } => {
                let field = match *kind {
                    RecordKind::House => "house_id",
                    RecordKind::Employer => "employer_id",
                    _ => "unit",
                };
                self.refuse_with(tr, field, &error);
                Ok(())
            }
            StoreError::VersionConflict { .. } => {
                self.form_error = Some(tr.t("edit-conflict"));
                Ok(())
            }
            // A guardian rule belongs beside the guardian's fields.
            StoreError::Rule(rule) => {
                match guardian_rule_field(rule) {
                    Some(field) => self.refuse_with(tr, field, rule),
                    None => self.form_error = Some(localized(tr, &error)),
                }
                Ok(())
            }
            StoreError::DuplicateResidence { .. } => {
                self.form_error = Some(localized(tr, &error));
                Ok(())
            }
            StoreError::MergedFile { .. } => {
                self.refuse_with(tr, "id_number", &error);
                Ok(())
            }
            _ => Err(PageError::store(tr, error)),
        }
    }

    pub(crate) fn new(values: HashMap<String, String>) -> Self {
        Self {
            values,
            ..Self::default()
        }
    }

    pub(crate) fn values(&self) -> &HashMap<String, String> {
        &self.values
    }

    /// The value as typed, `""` if absent.
    pub(crate) fn val(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// The value trimmed, `None` if blank.
    pub(crate) fn opt(&self, name: &str) -> Option<String> {
        let text = self
            .val(name)
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        (!text.is_empty()).then(|| text.to_owned())
    }

    /// Whether any of `names` is filled in.
    pub(crate) fn any_set(&self, names: &[&str]) -> bool {
        names.iter().any(|name| self.opt(name).is_some())
    }

    pub(crate) fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_owned(), value.into());
    }

    /// Whether the form asks only to be shown again (a picker's update
    /// button without script), not to be saved.
    pub(crate) fn is_refresh(&self) -> bool {
        self.opt("refresh").is_some()
    }

    /// The message for `name`, `""` if none.
    pub(crate) fn err(&self, name: &str) -> &str {
        self.errors
            .iter()
            .find(|(field, _)| field == name)
            .map_or("", |(_, message)| message.as_str())
    }

    pub(crate) fn has_err(&self, name: &str) -> bool {
        !self.err(name).is_empty()
    }

    pub(crate) fn error_for(&self, name: &str) -> Option<String> {
        self.has_err(name).then(|| self.err(name).to_owned())
    }

    pub(crate) fn is_valid(&self) -> bool {
        self.errors.is_empty() && self.form_error.is_none()
    }

    /// Records an error for a field; the first error of a field wins.
    pub(crate) fn refuse(&mut self, field: &str, message: String) {
        if !self.has_err(field) {
            self.errors.push((field.to_owned(), message));
        }
    }

    /// Marks every blank field of `names` as required.
    pub(crate) fn require(&mut self, tr: Tr, names: &[&str]) {
        for name in names {
            if self.opt(name).is_none() {
                self.refuse(name, localized(tr, &InputError::Required));
            }
        }
    }

    /// Takes over the field problems of a refused request.
    pub(crate) fn absorb(&mut self, tr: Tr, error: ApiError) -> Result<(), ApiError> {
        match error {
            ApiError::Validation(problems) => {
                for problem in problems {
                    self.refuse(&problem.field, problem_message(tr, &problem));
                }
                Ok(())
            }
            other => Err(other),
        }
    }

    /// Records a message of the domain or store against a field.
    pub(crate) fn refuse_with(&mut self, tr: Tr, field: &str, error: &dyn Localized) {
        self.refuse(field, localized(tr, error));
    }

    /// Number of fields with an error, for the summary at the top.
    pub(crate) fn error_count(&self) -> usize {
        self.errors.len()
    }
}

fn problem_message(tr: Tr, problem: &FieldProblem) -> String {
    if tr.lang.is_en() {
        problem.message.en.clone()
    } else {
        problem.message.zh_cn.clone()
    }
}

/// An optional whole number field (`intended_stay_months`); a wrong one is
/// recorded and read as absent.
pub(crate) fn optional_number<T: std::str::FromStr>(
    form: &mut FormData,
    tr: Tr,
    name: &str,
) -> Option<T> {
    let text = form.opt(name)?;
    match text.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            form.refuse(name, tr.t("error-not-a-number"));
            None
        }
    }
}
