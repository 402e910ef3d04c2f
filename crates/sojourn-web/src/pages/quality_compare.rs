//! A probable duplicate shown side by side before it is merged: the two
//! files field by field (the identity, the unit holding each, the latest
//! stay), each row marked where the two differ, and the merge buttons
//! ("keep this file") under it. The queue links here instead of merging
//! at one click, so the chief sees what a merge joins before confirming.
//! A pair the store would refuse to merge (both files have a current stay)
//! says so instead of offering the buttons.
//!
//! Both files are read through the reader's scope and audited as reads of
//! person files (the pair is only listed when both are in scope). Numbers
//! stay masked; whether two numbers differ is judged on the numbers in
//! full, so two masked numbers that look alike are still marked.

use super::access::blocking;
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::{PageError, localized};
use super::person::{Item, PersonFile, identity, load_audited, path_id, stay_items};
use super::quality::reasons_text;
use crate::AppState;
use crate::auth::Caller;
use crate::format::{self, Numbers};
use crate::i18n::Tr;
use crate::scope::CallerScope;
use askama::Template;
use axum::extract::{Path, State};
use sojourn_domain::account::{Action, Resource};
use sojourn_store::AuditAction;
use sojourn_store::quality::{DuplicateEntry, DuplicateStatus, QualityRefusal};

/// One field of the two files.
pub(crate) struct CompareRow {
    pub label: String,
    pub first: String,
    pub second: String,
    pub differs: bool,
}

#[derive(Template)]
#[template(path = "quality_compare.html")]
struct ComparePage {
    tr: Tr,
    chrome: Chrome,
    id: i64,
    first: i64,
    second: i64,
    first_name: String,
    second_name: String,
    score: u8,
    reasons: String,
    rows: Vec<CompareRow>,
    differences: usize,
    open: bool,
    can_decide: bool,
    /// Why the pair cannot be merged as it stands (both files have a
    /// current stay), shown instead of the merge buttons.
    blocked: Option<String>,
}

/// Rows from the two files' items, matched by label in the first file's
/// order (a field only one file has, such as a guardian, shows a dash on
/// the other side). `shown` is what the page prints; `judged` the same
/// items with numbers in full, compared to mark differences.
fn rows(shown: [&[Item]; 2], judged: [&[Item]; 2]) -> Vec<CompareRow> {
    let mut labels: Vec<&str> = shown[0].iter().map(|i| i.label.as_str()).collect();
    for item in shown[1] {
        if !labels.contains(&item.label.as_str()) {
            labels.push(&item.label);
        }
    }
    let value = |items: &[Item], label: &str| {
        items
            .iter()
            .find(|i| i.label == label)
            .map(|i| i.value.clone())
    };
    labels
        .into_iter()
        .map(|label| {
            let differs = value(judged[0], label) != value(judged[1], label);
            let dash = || "—".to_owned();
            CompareRow {
                label: label.to_owned(),
                first: value(shown[0], label).unwrap_or_else(dash),
                second: value(shown[1], label).unwrap_or_else(dash),
                differs,
            }
        })
        .collect()
}

/// What the page compares of one file, with numbers masked or in full.
fn items(tr: Tr, file: &PersonFile, numbers: Numbers) -> Vec<Item> {
    let mut items = vec![Item {
        label: tr.t("col-name"),
        value: file.person.details.name.to_string(),
    }];
    items.extend(identity(tr, &file.person, numbers));
    items.push(Item {
        label: tr.t("quality-compare-unit"),
        value: file.units.name_of(&file.person.unit),
    });
    items.push(Item {
        label: tr.t("quality-compare-stays"),
        value: file.stays.len().to_string(),
    });
    if let Some(latest) = file.stays.first() {
        items.push(Item {
            label: tr.t("quality-compare-latest"),
            value: format!(
                "{} · {}",
                file.units.name_of(&latest.stay.unit),
                format::status(tr, &latest.status)
            ),
        });
        items.extend(stay_items(tr, latest));
    }
    items
}

/// `GET /quality/duplicates/{id}`: the pair side by side.
pub(crate) async fn compare(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = path_id(tr, &id)?;
    let pair_scope = scope.clone();
    let pair: DuplicateEntry = blocking(&state, tr, move |store| {
        store.get_duplicate(&pair_scope, id)
    })
    .await?;
    let details = Some(serde_json::json!({ "compared_duplicate": id }));
    let read = AuditAction::Read;
    let first = load_audited(
        &state,
        tr,
        scope.clone(),
        &caller,
        pair.first,
        read,
        details.clone(),
    );
    let first = first.await?;
    let second = load_audited(&state, tr, scope, &caller, pair.second, read, details).await?;
    let shown = [
        items(tr, &first, Numbers::Masked),
        items(tr, &second, Numbers::Masked),
    ];
    let judged = [
        items(tr, &first, Numbers::InFull),
        items(tr, &second, Numbers::InFull),
    ];
    let rows = rows([&shown[0], &shown[1]], [&judged[0], &judged[1]]);
    let title = tr.t("quality-compare-title");
    let page = ComparePage {
        tr,
        chrome: Chrome::new(&ctx, &title, Nav::Quality, &first.units.root_name()),
        id: pair.id,
        first: pair.first.0,
        second: pair.second.0,
        first_name: pair.first_name.clone(),
        second_name: pair.second_name.clone(),
        score: pair.score,
        reasons: reasons_text(tr, &pair.reasons),
        differences: rows.iter().filter(|r| r.differs).count(),
        rows,
        open: pair.status == DuplicateStatus::Open,
        blocked: (first.current().is_some() && second.current().is_some())
            .then(|| localized(tr, &QualityRefusal::BothHaveCurrentStay)),
        can_decide: caller
            .principal
            .role_allowing(Action::Manage, Resource::Quality)
            .is_some(),
    };
    render(tr, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(label: &str, value: &str) -> Item {
        Item {
            label: label.to_owned(),
            value: value.to_owned(),
        }
    }

    #[test]
    fn rows_match_by_label_mark_differences_by_the_values_judged_and_dash_a_missing_field() {
        let shown_a = [item("号码", "1101**1"), item("姓名", "孙八")];
        let shown_b = [
            item("号码", "1101**1"),
            item("姓名", "孙八"),
            item("监护人", "孙七"),
        ];
        let judged_a = [item("号码", "110101"), item("姓名", "孙八")];
        let judged_b = [
            item("号码", "110111"),
            item("姓名", "孙八"),
            item("监护人", "孙七"),
        ];
        let rows = rows([&shown_a, &shown_b], [&judged_a, &judged_b]);
        let seen: Vec<(&str, &str, &str, bool)> = rows
            .iter()
            .map(|r| {
                (
                    r.label.as_str(),
                    r.first.as_str(),
                    r.second.as_str(),
                    r.differs,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("号码", "1101**1", "1101**1", true),
                ("姓名", "孙八", "孙八", false),
                ("监护人", "—", "孙七", true),
            ]
        );
    }
}
