//! The 监护人 fieldset of the registration form and the file edit (R2.6):
//! whether the ID number makes a guardian required (live, through the ID
//! check's out-of-band swap, and on every render), the relation choices, and
//! the guardian's fields read back from a submitted form. No script: the
//! stylesheet folds the fields away while the number says "adult"
//! (`.form:has(.guardian-need.adult)`), and shows them otherwise.

use super::form::FormData;
use crate::dto::people::GuardianFields;
use crate::format::Choice;
use crate::format::{self, code_options, code_rows};
use crate::i18n::Tr;
use sojourn_domain::codes::{GuardianRelation, IdNumber};
use sojourn_domain::person::{GUARDIAN_REQUIRED_UNDER, Guardian};
use sojourn_domain::time_rules::age_on;
use time::Date;

/// Form field names, as the API names the guardian's errors.
pub(crate) const NAME: &str = "guardian.name";
pub(crate) const ID_NUMBER: &str = "guardian.id_number";
pub(crate) const RELATION: &str = "guardian.relation";
pub(crate) const PHONE: &str = "guardian.phone";
/// The checkbox of the file edit that removes the guardian on file.
pub(crate) const CLEAR: &str = "guardian_clear";

/// What the number typed says about a guardian.
#[derive(Debug, Clone, Default)]
pub(crate) struct GuardianNeed {
    /// `minor`, `adult` or `unknown`: the CSS class the stylesheet reads.
    pub class: &'static str,
    pub message: String,
}

impl GuardianNeed {
    /// The need for the holder of `id_number` on `on`; unknown while the
    /// number does not parse.
    pub(crate) fn of(tr: Tr, id_number: Option<&IdNumber>, on: Date) -> Self {
        match id_number.map(|id| age_on(id.birth_date(), on)) {
            Some(age) if age < GUARDIAN_REQUIRED_UNDER => Self {
                class: "minor",
                message: tr.tn("guardian-needed", age.max(0) as u64),
            },
            Some(_) => Self {
                class: "adult",
                message: tr.t("guardian-not-needed"),
            },
            None => Self {
                class: "unknown",
                message: tr.t("guardian-when-minor"),
            },
        }
    }

    /// An adult whose file keeps a guardian shows the fields all the same.
    pub(crate) fn shown_for_kept(mut self, kept: bool) -> Self {
        if kept && self.class == "adult" {
            self.class = "kept";
        }
        self
    }
}

/// What the fieldset shows besides the form's values.
#[derive(Debug, Clone, Default)]
pub(crate) struct GuardianView {
    pub need: GuardianNeed,
    pub relations: Vec<Choice>,
    /// On the file edit: the numbers on file, masked, for the hints beside
    /// the empty fields ("leave empty to keep"); empty on registration.
    pub id_on_file: String,
    pub phone_on_file: String,
}

impl GuardianView {
    pub(crate) fn new(tr: Tr, form: &FormData, need: GuardianNeed) -> Self {
        Self {
            need,
            relations: code_options(tr, code_rows!(GuardianRelation), form.val(RELATION), false),
            ..Self::default()
        }
    }

    /// With the guardian on file, for the edit form's hints.
    pub(crate) fn on_file(mut self, guardian: Option<&Guardian>) -> Self {
        if let Some(g) = guardian {
            self.id_on_file = format::id_number(g.id_number());
            self.phone_on_file = format::phone(Some(g.phone()));
        }
        self
    }

    pub(crate) fn has_on_file(&self) -> bool {
        !self.id_on_file.is_empty()
    }
}

/// The guardian's fields as typed on the registration form.
pub(crate) fn typed(form: &FormData) -> GuardianFields {
    GuardianFields {
        name: form.opt(NAME),
        id_number: form.opt(ID_NUMBER),
        relation: form.opt(RELATION),
        phone: form.opt(PHONE),
    }
}

/// The guardian's fields of the file edit: none when "remove" is ticked;
/// else as typed, the numbers on file standing in for empty number fields
/// (the form never shows them in full), as for the person's own phone.
pub(crate) fn edited(form: &FormData, on_file: Option<&Guardian>) -> GuardianFields {
    if form.opt(CLEAR).is_some() {
        return GuardianFields::default();
    }
    let mut fields = typed(form);
    if let Some(g) = on_file {
        fields.id_number = fields
            .id_number
            .or_else(|| Some(g.id_number().as_str().to_owned()));
        fields.phone = fields.phone.or_else(|| Some(g.phone().as_str().to_owned()));
    }
    fields
}

/// Puts the guardian on file into an edit form (numbers left empty).
pub(crate) fn fill(form: &mut FormData, guardian: Option<&Guardian>) {
    if let Some(g) = guardian {
        form.set(NAME, g.name().to_string());
        form.set(RELATION, g.relation().code());
    }
}
