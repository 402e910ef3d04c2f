//! How values are shown on pages: dates, identity numbers, places and the
//! names of code-table values in the reader's language.

use crate::i18n::{Lang, Tr};
use sojourn_domain::Localized;
use sojourn_domain::codes::division::full_name;
use sojourn_domain::codes::{DivisionCode, IdNumber, Phone, Sex};
use sojourn_domain::residence::ResidenceStatus;
use sojourn_domain::review::{RecordKind, ReviewState, Stamp, StepKind};
use sojourn_domain::text::PersonName;
use sojourn_domain::time_rules::CHINA;
use sojourn_domain::time_rules::age_on;
use sojourn_store::StepCount;
use sojourn_store::quality::FindingRow;
use time::Date;
use time::OffsetDateTime;

/// An identity number as pages show it: masked (`110105********1234`),
/// as the API masks it; only a reveal shows it in full
/// ([`id_number_in`]).
pub(crate) fn id_number(id: &IdNumber) -> String {
    id.masked()
}

/// A phone number as pages show it: masked (`138****1234`).
pub(crate) fn phone(phone: Option<&Phone>) -> String {
    phone.map(Phone::masked).unwrap_or_default()
}

/// Whether a page shows personal numbers masked or, after an audited
/// reveal, in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Numbers {
    #[default]
    Masked,
    InFull,
}

/// An identity number masked or in full.
pub(crate) fn id_number_in(numbers: Numbers, id: &IdNumber) -> String {
    match numbers {
        Numbers::Masked => id_number(id),
        Numbers::InFull => id.to_string(),
    }
}

/// A phone number masked or in full.
pub(crate) fn phone_in(numbers: Numbers, value: Option<&Phone>) -> String {
    match numbers {
        Numbers::Masked => phone(value),
        Numbers::InFull => value.map(ToString::to_string).unwrap_or_default(),
    }
}

/// A sealed name (an employer's legal representative) masked (`钱**`) or
/// in full: a file holds it as the store seals it.
pub(crate) fn sealed_name_in(numbers: Numbers, name: &PersonName) -> String {
    match numbers {
        Numbers::Masked => name.masked(),
        Numbers::InFull => name.to_string(),
    }
}

/// A date as clerks write it in the registers: `2024-03-05`.
pub(crate) fn date(date: Date) -> String {
    date.to_string()
}

/// Age in whole years on `today`.
pub(crate) fn age(birth: Date, today: Date) -> i32 {
    age_on(birth, today)
}

/// A place from the province down, or the bare code if unknown.
pub(crate) fn place(code: &DivisionCode) -> String {
    full_name(code).unwrap_or_else(|| code.to_string())
}

/// Where an identity number was issued: the place in full where the
/// county still exists, else its name in the code history since 1980.
pub(crate) fn issuing_place(id: &IdNumber) -> Option<String> {
    DivisionCode::parse_known(id.address_code())
        .ok()
        .and_then(|code| full_name(&code))
        .or_else(|| id.issuing_county())
}

/// The province of a place (`河南省` of `410105`).
pub(crate) fn province(code: &DivisionCode) -> String {
    let province = &code.as_str()[..2.min(code.as_str().len())];
    DivisionCode::parse_known(province)
        .ok()
        .and_then(|p| full_name(&p))
        .unwrap_or_else(|| code.to_string())
}

pub(crate) fn sex(lang: Lang, sex: Sex) -> String {
    lang.pick(sex.name_zh(), sex.name_en()).to_owned()
}

/// The status of a stay in the reader's language.
pub(crate) fn status(tr: Tr, status: &ResidenceStatus) -> String {
    match status {
        ResidenceStatus::Registered => tr.t("status-registered"),
        ResidenceStatus::Active => tr.t("status-active"),
        ResidenceStatus::Departed(_) => tr.t("status-departed"),
    }
}

/// CSS class of a status badge.
pub(crate) fn status_class(status: &ResidenceStatus) -> &'static str {
    match status {
        ResidenceStatus::Registered => "badge registered",
        ResidenceStatus::Active => "badge active",
        ResidenceStatus::Departed(_) => "badge departed",
    }
}

/// Options of a code-table `<select>`: `(code, zh, en)` rows, an empty
/// first option unless `required`.
pub(crate) fn code_options(
    tr: Tr,
    rows: impl Iterator<Item = (&'static str, &'static str, &'static str)>,
    selected: &str,
    required: bool,
) -> Vec<Choice> {
    let mut options = Vec::new();
    let blank = if required {
        tr.t("form-choose")
    } else {
        tr.t("form-not-given")
    };
    options.push(Choice::new("", blank, selected));
    options.extend(rows.map(|(code, zh, en)| Choice::new(code, tr.lang.pick(zh, en), selected)));
    options
}

/// Rows of a code table for [`code_options`].
macro_rules! code_rows {
    ($table:ty) => {
        <$table>::ALL
            .iter()
            .map(|v| (v.code(), v.name_zh(), v.name_en()))
    };
}
pub(crate) use code_rows;

/// One option of a `<select>`.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub(crate) fn new(value: &str, label: impl Into<String>, selected: &str) -> Self {
        Self {
            value: value.to_owned(),
            label: label.into(),
            selected: value == selected,
        }
    }
}

// ---------------------------------------------------------------------------
// Names of workflow states and steps, times and findings, as pages and
// exports show them

/// A domain or store message in the reader's language.
pub(crate) fn localized(tr: Tr, error: &dyn Localized) -> String {
    if tr.lang.is_en() {
        error.message_en()
    } else {
        error.message_zh()
    }
}

pub(crate) fn when(at: OffsetDateTime) -> String {
    at.to_offset(CHINA)
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]"
        ))
        .unwrap_or_default()
}

pub(crate) fn stamped(stamp: Option<&Stamp>) -> String {
    stamp.map_or_else(String::new, |s| format!("{} {}", s.by, when(s.at)))
}

pub(crate) fn kind_name(tr: Tr, kind: RecordKind) -> String {
    tr.t(&format!("review-kind-{}", kind.code()))
}

pub(crate) fn state_name(tr: Tr, state: ReviewState) -> String {
    tr.t(&format!("review-state-{}", state.code().replace('_', "-")))
}

pub(crate) fn step_name(tr: Tr, step: StepKind) -> String {
    tr.t(&format!("review-step-{}", step.code().replace('_', "-")))
}

/// The workload counts as a table: one row per person or unit (in the
/// order the store gives), one count per step of `StepKind::ALL`. The page
/// and its export show the same table.
pub(crate) fn step_table(counts: &[StepCount]) -> Vec<(String, Vec<u64>)> {
    let mut rows: Vec<(String, Vec<u64>)> = Vec::new();
    for c in counts {
        let column = StepKind::ALL
            .iter()
            .position(|s| *s == c.step)
            .unwrap_or_default();
        let at = match rows.iter().position(|(who, _)| *who == c.who) {
            Some(at) => at,
            None => {
                rows.push((c.who.clone(), vec![0; StepKind::ALL.len()]));
                rows.len() - 1
            }
        };
        rows[at].1[column] += c.count;
    }
    rows
}

/// Where the person of a finding lives and works: "多福巷12号 · 银闸餐饮",
/// blank for a house or outflow record (named by its address or person).
pub(crate) fn record_place(tr: Tr, f: &FindingRow) -> String {
    let employer = f
        .record_employer
        .as_ref()
        .map(|name| tr.ts("quality-works-at", "name", name));
    [f.record_address.clone(), employer]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A pair's reasons in the reader's language, as the queue and its export
/// show them.
pub(crate) fn reasons_text(tr: Tr, reasons: &[sojourn_domain::quality::DuplicateReason]) -> String {
    reasons
        .iter()
        .map(|r| localized(tr, r))
        .collect::<Vec<_>>()
        .join(tr.lang.pick("；", "; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_unless_shown_in_full() {
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        let phone = Phone::parse("13812341234").expect("valid");
        assert_eq!(id_number(&id), "110105********002X");
        assert_eq!(super::phone(Some(&phone)), "138****1234");
        assert_eq!(id_number_in(Numbers::InFull, &id), "11010519491231002X");
        assert_eq!(phone_in(Numbers::InFull, Some(&phone)), "13812341234");
    }

    #[test]
    fn provinces_are_named_from_any_code_below() {
        let code = DivisionCode::parse_known("410105").expect("known");
        assert_eq!(province(&code), "河南省");
    }
}

/// A house or employer a stay points to, as a page shows it: a link to its
/// file when the reader's scope holds it, else its name and the community
/// that keeps it, not followed (a clerk sees where the tenant works, not
/// the file of another community's employer).
#[derive(Debug, Clone)]
pub(crate) struct LinkView {
    /// The file's page, when the reader may open it.
    pub href: Option<String>,
    pub name: String,
    /// "（东四社区）" after a name kept elsewhere; empty for one in scope.
    pub elsewhere: String,
}

impl LinkView {
    pub(crate) fn new(tr: Tr, linked: &sojourn_store::Linked) -> Self {
        let href = match linked.link {
            sojourn_store::StayLink::House(id) => format!("/houses/{}", id.0),
            sojourn_store::StayLink::Employer(id) => format!("/employers/{}", id.0),
        };
        Self {
            href: linked.in_scope.then_some(href),
            name: linked.name.clone(),
            elsewhere: if linked.in_scope {
                String::new()
            } else {
                tr.ts("link-elsewhere", "unit", &linked.unit_name)
            },
        }
    }
}
