//! Cascading division pickers: province → city → county → town (→ village),
//! from the embedded national data. Each level is a `<select>`; choosing
//! one reloads the picker (htmx, or a plain "update" button without script)
//! with the next level's options, and a lower choice that no longer lies
//! under a higher one is dropped. The value is the deepest choice.

use crate::format::Choice;
use crate::i18n::Tr;
use askama::Template;
use sojourn_domain::codes::DivisionCode;
use sojourn_domain::codes::division::{children, full_name};
use std::collections::HashMap;

/// Names of the levels, as the suffixes of the form fields
/// (`domicile_province`, …, `domicile_village`).
pub(crate) const LEVELS: [&str; 5] = ["province", "city", "county", "town", "village"];

/// The pickers of the site and how deep each goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PickerKind {
    /// Household registration (户籍地): down to the village.
    Domicile,
    /// Where a departing resident goes: down to the town.
    Destination,
}

impl PickerKind {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "domicile" => Some(Self::Domicile),
            "destination" => Some(Self::Destination),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Domicile => "domicile",
            Self::Destination => "destination",
        }
    }

    fn depth(self) -> usize {
        match self {
            Self::Domicile => 5,
            Self::Destination => 4,
        }
    }

    fn label(self, tr: Tr) -> String {
        match self {
            Self::Domicile => tr.t("field-domicile"),
            Self::Destination => tr.t("field-destination"),
        }
    }
}

fn level_label(tr: Tr, level: usize) -> String {
    match level {
        0 => tr.t("picker-province"),
        1 => tr.t("picker-city"),
        2 => tr.t("picker-county"),
        3 => tr.t("picker-town"),
        _ => tr.t("picker-village"),
    }
}

/// One `<select>` of a picker.
#[derive(Debug, Clone)]
pub(crate) struct PickerLevel {
    pub field: String,
    pub label: String,
    pub options: Vec<Choice>,
}

/// A picker as the form shows it.
#[derive(Template, Debug, Clone)]
#[template(path = "picker.html")]
pub(crate) struct Picker {
    pub name: &'static str,
    pub legend: String,
    pub required: bool,
    pub levels: Vec<PickerLevel>,
    /// The deepest choice, empty if none.
    pub value: String,
    /// The chosen place in full, for reading back.
    pub value_name: String,
    pub error: Option<String>,
    pub choose: String,
    pub refresh: String,
    pub chosen_label: String,
}

/// The chain of choices that still holds: each a child of the one above.
fn valid_chain(kind: PickerKind, chosen: &[String]) -> Vec<DivisionCode> {
    let mut chain: Vec<DivisionCode> = Vec::new();
    for text in chosen.iter().take(kind.depth()) {
        let options = children(chain.last());
        match options.into_iter().find(|d| d.code.as_str() == text.trim()) {
            Some(found) => chain.push(found.code),
            None => break,
        }
    }
    chain
}

impl Picker {
    /// The picker from the submitted level fields of a form.
    pub(crate) fn from_form(
        tr: Tr,
        kind: PickerKind,
        form: &HashMap<String, String>,
        required: bool,
    ) -> Self {
        let chosen: Vec<String> = LEVELS
            .iter()
            .map(|level| {
                form.get(&format!("{}_{level}", kind.name()))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        Self::build(tr, kind, &valid_chain(kind, &chosen), required)
    }

    fn build(tr: Tr, kind: PickerKind, chain: &[DivisionCode], required: bool) -> Self {
        let mut levels = Vec::new();
        for (level, suffix) in LEVELS.iter().enumerate().take(kind.depth()) {
            let parent = match level {
                0 => None,
                _ => match chain.get(level - 1) {
                    Some(p) => Some(p),
                    None => break,
                },
            };
            let selected = chain.get(level).map_or("", DivisionCode::as_str);
            let options: Vec<Choice> = children(parent)
                .into_iter()
                .map(|d| Choice::new(d.code.as_str(), d.name, selected))
                .collect();
            if options.is_empty() {
                break;
            }
            levels.push(PickerLevel {
                field: format!("{}_{suffix}", kind.name()),
                label: level_label(tr, level),
                options,
            });
        }
        let value = chain.last();
        Self {
            name: kind.name(),
            legend: kind.label(tr),
            required,
            levels,
            value: value.map(ToString::to_string).unwrap_or_default(),
            value_name: value.and_then(full_name).unwrap_or_default(),
            error: None,
            choose: tr.t("form-choose"),
            refresh: tr.t("picker-refresh"),
            chosen_label: tr.t("picker-chosen"),
        }
    }

    pub(crate) fn with_error(mut self, error: Option<String>) -> Self {
        self.error = error;
        self
    }

    /// The picker as HTML, for a page or an htmx swap.
    pub(crate) fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn choices_cascade_and_stale_lower_choices_are_dropped() {
        let tr = Tr::default();
        let picker = Picker::from_form(
            tr,
            PickerKind::Domicile,
            &form(&[
                ("domicile_province", "41"),
                ("domicile_city", "4101"),
                ("domicile_county", "110101"),
            ]),
            true,
        );
        assert_eq!(picker.value, "4101");
        assert_eq!(
            picker.levels.len(),
            3,
            "province, city and the counties of 4101"
        );
        assert!(picker.levels[2].options.iter().all(|o| !o.selected));
    }
}
