//! What the forms of the house, employer and outflow registers share
//! (新增 and 修改): the unit choices, store refusals put beside their
//! fields, and request field names mapped onto the form's.
//!
//! Each form parses through the API's own request types
//! (`crate::dto::{houses, employers, outflows}`), so a form and the API
//! cannot disagree on what a field accepts; a refused form comes back with
//! everything typed and all its errors at once, and a change carries the
//! version it was read at, so a change made meanwhile is refused rather
//! than overwritten.

use super::access::{Units, unit_options};
use super::chrome::HtmlPage;
use super::error::{PageError, localized};
use super::form::FormData;
use crate::dto::collection::CollectionRequest;
use crate::error::ApiError;
use crate::format::Choice;
use crate::i18n::Tr;
use axum::http::StatusCode;
use sojourn_domain::collection::Collection;
use sojourn_store::{Actor, StoreError};
use time::{Date, OffsetDateTime};

/// The unit `<select>`: communities and below, "choose" first.
pub(crate) fn unit_choices(tr: Tr, units: &Units, selected: &str) -> Vec<Choice> {
    let mut choices = vec![Choice::new("", tr.t("form-choose"), selected)];
    choices.extend(unit_options(&units.residence_units(), selected));
    choices
}

/// The page with the status of a refused form (200 otherwise).
pub(crate) fn with_status(mut page: HtmlPage, status: StatusCode) -> HtmlPage {
    if status != StatusCode::OK {
        page.status = Some(status);
    }
    page
}

/// Takes over the field problems of a refused request, each under the
/// form's name for its field (`rename` maps `landlord.id_number` to
/// `landlord_id_number`, and so on).
pub(crate) fn absorb_as(
    form: &mut FormData,
    tr: Tr,
    error: ApiError,
    rename: impl Fn(&str) -> String,
) -> Result<(), PageError> {
    let error = match error {
        ApiError::Validation(mut problems) => {
            for problem in &mut problems {
                problem.field = rename(&problem.field);
            }
            ApiError::Validation(problems)
        }
        other => other,
    };
    form.absorb(tr, error)
        .map_err(|e| PageError::internal(tr, e.to_string()))
}

/// Puts a store refusal of a register form beside the field it concerns
/// (a domain rule beside `rule_field`, or at the top); failures that are
/// not the input's fault become the error page.
pub(crate) fn refuse_record(
    form: &mut FormData,
    tr: Tr,
    error: StoreError,
    rule_field: Option<&str>,
) -> Result<(), PageError> {
    match &error {
        StoreError::ReferenceOutOfScope { .. } => form.refuse_with(tr, "unit", &error),
        StoreError::VersionConflict { .. } => form.form_error = Some(tr.t("record-conflict")),
        StoreError::DuplicateEmployer => form.refuse_with(tr, "uscc", &error),
        StoreError::DuplicateOutflow { .. }
        | StoreError::OutflowOnFile { .. }
        | StoreError::MergedFile { .. } => form.refuse_with(tr, "id_number", &error),
        StoreError::Rule(_) => match rule_field {
            Some(field) => form.refuse_with(tr, field, &error),
            None => form.form_error = Some(localized(tr, &error)),
        },
        _ => return Err(PageError::store(tr, error)),
    }
    Ok(())
}

/// Sets a division picker's level fields (`{name}_province`, …) from a
/// code, so a form opened for a change shows the place on file.
pub(crate) fn fill_picker(form: &mut FormData, name: &str, code: &str) {
    use super::pickers::LEVELS;
    for (level, len) in LEVELS.iter().zip([2, 4, 6, 9, 12]) {
        if let Some(prefix) = code.get(..len) {
            form.set(&format!("{name}_{level}"), prefix);
        }
    }
}

/// When and where a collector collected the record (their form's
/// `collected_at` and `collected_place`), checked as the API checks them;
/// problems go beside the fields.
pub(crate) fn collection_of(
    form: &mut FormData,
    tr: Tr,
    actor: &Actor,
    now: OffsetDateTime,
    not_before: Option<Date>,
) -> Result<Option<Collection>, PageError> {
    let request = CollectionRequest {
        collected_at: form.opt("collected_at"),
        collected_place: form.opt("collected_place"),
    };
    match request.parse(actor, now, not_before) {
        Ok(collection) => Ok(collection),
        Err(error) => {
            absorb_as(form, tr, error, str::to_owned)?;
            Ok(None)
        }
    }
}
