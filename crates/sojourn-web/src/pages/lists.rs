//! What the register lists share: reading filters with the API's own
//! parsers (a wrong filter is marked beside its field and finds nothing,
//! rather than failing the page), the empty page, and the unit filter.
//!
//! **Filters live in the URL; the search term never does.** A search term
//! is personal data (an ID number, a name, a phone), and URLs end up in
//! logs and browser history. So a list's form is posted: without a term the
//! answer is a redirect to the list's URL with its filters (bookmarkable);
//! with one, the list is shown at once, and its pager and sort buttons post
//! the term again from a hidden form (`list-state`).

use super::access::{Units, unit_options};
use super::chrome::HtmlPage;
use super::error::PageError;
use super::form::FormData;
use super::url::Params;
use crate::dto::fields::Paging;
use crate::error::ApiError;
use crate::format::Choice;
use crate::i18n::Tr;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::{Page, PageRequest};
use std::collections::HashMap;

/// A list's request, read from its URL.
pub(crate) struct ListRequest<Q> {
    /// The parameters as typed, with an error beside any that is wrong.
    pub f: FormData,
    /// The parameters the list's links keep.
    pub params: Params,
    /// The store query, `None` when a filter is wrong.
    pub query: Option<Q>,
    pub page: u32,
    pub per_page: u32,
    /// Whether a search term is in force (the pager then posts).
    pub searching: bool,
    /// What the hidden `list-state` form posts again: the filters and the
    /// term, without the page.
    pub state: Vec<(String, String)>,
}

impl<Q> ListRequest<Q> {
    /// Reads the URL's `keys` and parses them with the API's `parse`.
    pub(crate) fn read(
        tr: Tr,
        raw: HashMap<String, String>,
        keys: &[&'static str],
        parse: impl FnOnce(&mut FormData) -> Result<(Q, Paging), ApiError>,
    ) -> Result<Self, PageError> {
        let params = keys
            .iter()
            .filter(|k| **k != TERM)
            .fold(Params::default(), |p, key| {
                p.add(key, raw.get(*key).map(String::as_str))
            });
        let term = raw
            .get(TERM)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        let mut state: Vec<(String, String)> = keys
            .iter()
            .filter(|k| **k != "page" && **k != TERM)
            .filter_map(|k| raw.get(*k).map(|v| ((*k).to_owned(), v.clone())))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        if let Some(term) = &term {
            state.push((TERM.to_owned(), term.clone()));
        }
        let mut f = FormData::new(raw);
        let parsed = match parse(&mut f) {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                f.absorb(tr, error)
                    .map_err(|e| PageError::internal(tr, e.to_string()))?;
                None
            }
        };
        let (page, per_page) = parsed
            .as_ref()
            .map_or((1, PageRequest::DEFAULT_LIMIT), |(_, p)| {
                (p.page, p.per_page)
            });
        Ok(Self {
            f,
            params,
            query: parsed.map(|(q, _)| q),
            page,
            per_page,
            searching: term.is_some(),
            state,
        })
    }
}

/// The search box's field.
pub(crate) const TERM: &str = "q";

/// A search term in a URL is not read: it does not belong there.
pub(crate) fn without_term(mut raw: HashMap<String, String>) -> HashMap<String, String> {
    raw.remove(TERM);
    raw
}

/// What a posted list form asks for.
pub(crate) enum Posted {
    /// No search term: the list's URL with these filters.
    Redirect(String),
    /// A search term: show the list for these fields.
    Show(HashMap<String, String>),
}

/// Reads a posted list form. A sort button (`resort`) sets the order and
/// returns to the first page.
pub(crate) fn posted(
    path: &str,
    keys: &[&'static str],
    mut body: HashMap<String, String>,
) -> Posted {
    if let Some(sort) = body.remove("resort") {
        body.insert("sort".to_owned(), sort);
        body.remove("page");
    }
    let has_term = body.get(TERM).is_some_and(|t| !t.trim().is_empty());
    if has_term {
        return Posted::Show(body);
    }
    let params = keys
        .iter()
        .filter(|k| **k != TERM)
        .fold(Params::default(), |p, key| {
            p.add(key, body.get(*key).map(String::as_str))
        });
    Posted::Redirect(params.href(path))
}

/// The answer to a posted list form: the redirect, or the list `show` makes.
pub(crate) async fn answer<F, Fut>(
    path: &str,
    keys: &[&'static str],
    body: HashMap<String, String>,
    show: F,
) -> Result<Response, PageError>
where
    F: FnOnce(HashMap<String, String>) -> Fut,
    Fut: std::future::Future<Output = Result<HtmlPage, PageError>>,
{
    match posted(path, keys, body) {
        Posted::Redirect(to) => Ok(Redirect::to(&to).into_response()),
        Posted::Show(fields) => Ok(show(fields).await?.into_response()),
    }
}

/// A page number or size as typed; a wrong one is left to the parser's
/// default (page 1), since nobody types it.
pub(crate) fn number(f: &FormData, name: &str) -> Option<u32> {
    f.opt(name).and_then(|p| p.parse().ok())
}

/// The store's page for `query`, or an empty one when a filter was wrong
/// or names a unit outside the caller's scope (a hand-edited URL).
pub(crate) fn page_or_empty<Q, T>(
    scope: &Scope,
    query: Option<&Q>,
    unit: impl Fn(&Q) -> Option<&UnitCode>,
    search: impl FnOnce(&Q) -> sojourn_store::Result<Page<T>>,
) -> sojourn_store::Result<Page<T>> {
    match query {
        Some(q) if unit(q).is_none_or(|u| scope.contains(u)) => search(q),
        _ => Ok(Page {
            items: Vec::new(),
            total: 0,
        }),
    }
}

/// Options of the unit filter: all units, then each unit in scope.
pub(crate) fn unit_filter(tr: Tr, units: &Units, selected: &str) -> Vec<Choice> {
    let all: Vec<_> = units.all.iter().collect();
    let mut choices = vec![Choice::new("", tr.t("filter-all-units"), selected)];
    choices.extend(unit_options(&all, selected));
    choices
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_posted_search_term_never_reaches_a_url() {
        let keys = ["q", "unit", "sort", "page"];
        match posted(
            "/r",
            &keys,
            body(&[("q", " "), ("unit", "110101001001"), ("csrf_token", "t")]),
        ) {
            Posted::Redirect(to) => assert_eq!(to, "/r?unit=110101001001"),
            Posted::Show(_) => panic!("a blank term is no search"),
        }
        match posted(
            "/r",
            &keys,
            body(&[("q", "zs"), ("resort", "name"), ("page", "3")]),
        ) {
            Posted::Show(fields) => {
                assert_eq!(fields.get("sort").map(String::as_str), Some("name"));
                assert!(!fields.contains_key("page"));
            }
            Posted::Redirect(to) => panic!("a term was sent to {to}"),
        }
    }
}
