//! The resident list of a large unit with no filter but its status, in
//! order of arrival or by name: its total from the store's running totals
//! and its page from a walk of the arrival (or pinyin) index, so that a
//! street office of a million residents opens its list as fast as a
//! community does. Any other list (a filter, a search, a small unit) goes
//! through the ordinary search.

use sojourn_domain::unit::Scope;
use sojourn_store::{Page, ResidentQuery, ResidentRow, ResidentSort, StatusFilter, Store};
use time::{Date, Month};

/// Below this many residences a unit's list is sorted by the ordinary
/// search, which is fast at that size and walks no index in vain.
const LARGE: u64 = 20_000;

/// A filtered list counts at most this many more than its page needs (as
/// a search does): "共 1001 条" then means "more than 1,000".
const FILTERED_COUNT_CAP: u64 = 1_000;

/// Whether `query` asks for nothing but a unit and a status: its order if
/// so.
fn plain(query: &ResidentQuery) -> Option<ResidentSort> {
    let filtered = query.term.is_some()
        || query.sex.is_some()
        || query.house.is_some()
        || query.employer.is_some()
        || query.arrived_from.is_some()
        || query.arrived_to.is_some()
        || query.departed_from.is_some()
        || query.origin_province.is_some()
        || query.born_from.is_some()
        || query.born_to.is_some();
    (!filtered).then_some(query.sort)
}

/// The page by the running totals and the arrival index, or `None` where
/// the ordinary search is the way (see the module).
pub(crate) fn page(
    store: &dyn Store,
    scope: &Scope,
    query: &ResidentQuery,
) -> sojourn_store::Result<Option<Page<ResidentRow>>> {
    let unit = query.unit.clone().unwrap_or_else(|| scope.root().clone());
    let Some(sort) = plain(query) else {
        return filtered(store, scope, &unit, query);
    };
    if !scope.contains(&unit) {
        return Ok(None);
    }
    let ever = Date::from_calendar_date(1900, Month::January, 1).unwrap_or(Date::MIN);
    let totals = store.resident_statistics(scope, ever)?;
    let sum = |rows: &[(sojourn_domain::unit::UnitCode, String, u64)]| -> u64 {
        rows.iter()
            .filter(|(code, _, _)| unit.contains(code))
            .map(|(_, _, n)| n)
            .sum()
    };
    let total = match query.status {
        StatusFilter::Current => sum(&totals.current),
        StatusFilter::Any => sum(&totals.arrivals),
        StatusFilter::Departed => sum(&totals.departures),
        StatusFilter::Registered | StatusFilter::Active => return Ok(None),
    };
    if total < LARGE {
        return Ok(None);
    }
    let (status, page) = (query.status, query.page);
    let rows = match sort {
        ResidentSort::ArrivedDesc => {
            store.residents_by_arrival(scope, &unit, status, true, page)?
        }
        ResidentSort::ArrivedAsc => {
            store.residents_by_arrival(scope, &unit, status, false, page)?
        }
        ResidentSort::Name => store.residents_by_name(scope, &unit, status, page)?,
    };
    Ok(Some(Page { items: rows, total }))
}

/// A filtered list of a large unit, newest first, without a term: a
/// capped count and a walk of the arrival index.
fn filtered(
    store: &dyn Store,
    scope: &Scope,
    unit: &sojourn_domain::unit::UnitCode,
    query: &ResidentQuery,
) -> sojourn_store::Result<Option<Page<ResidentRow>>> {
    // A house or an employer selects few residences through its own index.
    let indexed = query.house.is_some() || query.employer.is_some();
    if indexed
        || query.term.is_some()
        || query.sort != ResidentSort::ArrivedDesc
        || !scope.contains(unit)
    {
        return Ok(None);
    }
    let ever = Date::from_calendar_date(1900, Month::January, 1).unwrap_or(Date::MIN);
    let totals = store.resident_statistics(scope, ever)?;
    let size: u64 = totals
        .arrivals
        .iter()
        .filter(|(code, _, _)| unit.contains(code))
        .map(|(_, _, n)| n)
        .sum();
    if size < LARGE {
        return Ok(None);
    }
    let cap = FILTERED_COUNT_CAP.max(query.page.offset() + u64::from(query.page.limit()));
    store
        .residents_filtered_by_arrival(scope, unit, query, cap)
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sojourn_domain::codes::Sex;

    #[test]
    fn only_an_unfiltered_list_is_plain() {
        assert_eq!(
            plain(&ResidentQuery::default()),
            Some(ResidentSort::ArrivedDesc)
        );
        let by_name = ResidentQuery {
            sort: ResidentSort::Name,
            ..ResidentQuery::default()
        };
        assert_eq!(plain(&by_name), Some(ResidentSort::Name));
        let women = ResidentQuery {
            sex: Some(Sex::Female),
            ..ResidentQuery::default()
        };
        assert_eq!(plain(&women), None);
    }
}
