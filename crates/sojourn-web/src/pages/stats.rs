//! Figures for the home page. From the running totals the store keeps
//! ([`Store::resident_statistics`]): one read of a few hundred rows,
//! summed here per unit, month and province, however large the register.
//! A store that keeps no totals is counted through its list queries
//! instead (each count a one-row page read for its total, departures by
//! reading the departed stays), which is fine for a street's register and
//! too slow for a city's.

use sojourn_domain::codes::division;
use sojourn_domain::residence::ResidenceStatus;
use sojourn_domain::unit::{Scope, Unit, UnitCode};
use sojourn_store::{
    EmployerQuery, HouseQuery, OutflowQuery, PageRequest, ResidentQuery, ResidentSort,
    ResidentStatistics, StatusFilter, Store,
};
use time::{Date, Month};

/// Beyond this many departed stays the departures are not counted by
/// reading them (the page would get slow); the figures show as unknown.
const MAX_DEPARTED_SCAN: u64 = 20_000;

/// The headline figures of a unit.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counts {
    /// Living here now (registered or active).
    pub active: u64,
    pub arrivals_this_month: u64,
    /// `None` when too many departures to count this way.
    pub departures_this_month: Option<u64>,
    pub houses: u64,
    pub employers: u64,
    /// Outflow records still away.
    pub outflow: u64,
}

/// Arrivals and departures of one calendar month.
#[derive(Debug, Clone)]
pub(crate) struct MonthFlow {
    /// `2026-03`.
    pub label: String,
    pub arrivals: u64,
    pub departures: Option<u64>,
}

/// A unit directly below the caller's, with its figures.
#[derive(Debug, Clone)]
pub(crate) struct ChildUnit {
    pub unit: Unit,
    pub counts: Counts,
}

/// Everything the home page shows.
#[derive(Debug, Clone)]
pub(crate) struct Dashboard {
    pub counts: Counts,
    pub months: Vec<MonthFlow>,
    /// Current residents by province of household registration, largest
    /// first; provinces with none left out.
    pub origins: Vec<(String, u64)>,
    pub children: Vec<ChildUnit>,
}

/// The first day of `date`'s month.
pub(crate) fn month_start(date: Date) -> Date {
    date.replace_day(1).unwrap_or(date)
}

/// The first days of the `count` months ending with `today`'s, oldest first.
pub(crate) fn last_months(today: Date, count: usize) -> Vec<Date> {
    let mut months = Vec::with_capacity(count);
    let mut start = month_start(today);
    for _ in 0..count {
        months.push(start);
        let previous = start.previous_day().unwrap_or(start);
        start = month_start(previous);
    }
    months.reverse();
    months
}

fn month_end(start: Date) -> Date {
    let next = match start.month() {
        Month::December => Date::from_calendar_date(start.year() + 1, Month::January, 1),
        month => Date::from_calendar_date(start.year(), month.next(), 1),
    };
    next.ok().and_then(Date::previous_day).unwrap_or(start)
}

fn one_row() -> PageRequest {
    PageRequest::new(0, 1).unwrap_or_default()
}

/// Residents matching `query` (its page is replaced by a one-row page).
fn count(store: &dyn Store, scope: &Scope, mut query: ResidentQuery) -> sojourn_store::Result<u64> {
    query.page = one_row();
    Ok(store.search_residents(scope, &query)?.total)
}

/// When and where each departed stay in scope ended, or `None` if there are
/// too many to read.
fn departures(
    store: &dyn Store,
    scope: &Scope,
) -> sojourn_store::Result<Option<Vec<(UnitCode, Date)>>> {
    let mut found = Vec::new();
    let mut offset = 0;
    loop {
        let page = PageRequest::new(offset, PageRequest::MAX_LIMIT).unwrap_or_default();
        let query = ResidentQuery {
            status: StatusFilter::Departed,
            sort: ResidentSort::ArrivedDesc,
            page,
            ..ResidentQuery::default()
        };
        let result = store.search_residents(scope, &query)?;
        if result.total > MAX_DEPARTED_SCAN {
            return Ok(None);
        }
        let read = result.items.len() as u64;
        for row in result.items {
            if let ResidenceStatus::Departed(d) = &row.residence.status {
                found.push((row.residence.stay.unit.clone(), d.departed_on.date()));
            }
        }
        offset += read;
        if read == 0 || offset >= result.total {
            return Ok(Some(found));
        }
    }
}

fn counts(
    store: &dyn Store,
    scope: &Scope,
    unit: Option<&UnitCode>,
    today: Date,
    departed: Option<&[(UnitCode, Date)]>,
) -> sojourn_store::Result<Counts> {
    let unit_filter = unit.cloned();
    let start = month_start(today);
    let active = count(
        store,
        scope,
        ResidentQuery {
            unit: unit_filter.clone(),
            ..ResidentQuery::default()
        },
    )?;
    let arrivals_this_month = count(
        store,
        scope,
        ResidentQuery {
            unit: unit_filter.clone(),
            status: StatusFilter::Any,
            arrived_from: Some(start),
            ..ResidentQuery::default()
        },
    )?;
    let departures_this_month = departed.map(|list| {
        list.iter()
            .filter(|(code, on)| *on >= start && unit.is_none_or(|u| u.contains(code)))
            .count() as u64
    });
    let houses = HouseQuery {
        unit: unit_filter.clone(),
        page: one_row(),
        ..HouseQuery::default()
    };
    let employers = EmployerQuery {
        unit: unit_filter.clone(),
        page: one_row(),
        ..EmployerQuery::default()
    };
    let outflow = OutflowQuery {
        unit: unit_filter,
        returned: Some(false),
        page: one_row(),
        ..OutflowQuery::default()
    };
    Ok(Counts {
        active,
        arrivals_this_month,
        departures_this_month,
        houses: store.search_houses(scope, &houses)?.total,
        employers: store.search_employers(scope, &employers)?.total,
        outflow: store.search_outflows(scope, &outflow)?.total,
    })
}

fn month_flows(
    store: &dyn Store,
    scope: &Scope,
    today: Date,
    departed: Option<&[(UnitCode, Date)]>,
) -> sojourn_store::Result<Vec<MonthFlow>> {
    last_months(today, 24)
        .into_iter()
        .map(|start| {
            let end = month_end(start);
            let arrivals = count(
                store,
                scope,
                ResidentQuery {
                    status: StatusFilter::Any,
                    arrived_from: Some(start),
                    arrived_to: Some(end),
                    ..ResidentQuery::default()
                },
            )?;
            let departures = departed.map(|list| {
                list.iter()
                    .filter(|(_, on)| *on >= start && *on <= end)
                    .count() as u64
            });
            Ok(MonthFlow {
                label: format!("{}-{:02}", start.year(), u8::from(start.month())),
                arrivals,
                departures,
            })
        })
        .collect()
}

fn origins(store: &dyn Store, scope: &Scope) -> sojourn_store::Result<Vec<(String, u64)>> {
    let mut rows = Vec::new();
    for province in division::children(None) {
        let n = count(
            store,
            scope,
            ResidentQuery {
                origin_province: Some(province.code.to_string()),
                ..ResidentQuery::default()
            },
        )?;
        if n > 0 {
            rows.push((province.name, n));
        }
    }
    rows.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    Ok(rows)
}

/// The figures of the home page for the caller's unit and the units
/// directly below it.
pub(crate) fn dashboard(
    store: &dyn Store,
    scope: &Scope,
    today: Date,
) -> sojourn_store::Result<Dashboard> {
    let months = last_months(today, 24);
    let since = months.first().copied().unwrap_or(today);
    match store.resident_statistics(scope, since)? {
        Some(totals) => from_totals(store, scope, today, &months, &totals),
        None => counted(store, scope, today),
    }
}

/// `2026-03`, as the totals name months.
fn month_key(start: Date) -> String {
    format!("{}-{:02}", start.year(), u8::from(start.month()))
}

/// Sum of the rows of `unit`'s subtree (all rows for `None`) whose key
/// `keep` accepts.
fn sum(
    rows: &[(UnitCode, String, u64)],
    unit: Option<&UnitCode>,
    keep: impl Fn(&str) -> bool,
) -> u64 {
    rows.iter()
        .filter(|(code, key, _)| unit.is_none_or(|u| u.contains(code)) && keep(key))
        .map(|(_, _, n)| n)
        .sum()
}

/// The figures of one unit (the whole scope for `None`) from the totals,
/// with the counts of the smaller registers from their lists.
fn unit_counts(
    store: &dyn Store,
    scope: &Scope,
    unit: Option<&UnitCode>,
    this_month: &str,
    totals: &ResidentStatistics,
) -> sojourn_store::Result<Counts> {
    let (houses, employers, outflow) = register_counts(store, scope, unit)?;
    Ok(Counts {
        active: sum(&totals.current, unit, |_| true),
        arrivals_this_month: sum(&totals.arrivals, unit, |m| m == this_month),
        departures_this_month: Some(sum(&totals.departures, unit, |m| m == this_month)),
        houses,
        employers,
        outflow,
    })
}

fn from_totals(
    store: &dyn Store,
    scope: &Scope,
    today: Date,
    months: &[Date],
    totals: &ResidentStatistics,
) -> sojourn_store::Result<Dashboard> {
    let this_month = month_key(today);
    let children = store
        .list_units(scope, Some(scope.root()))?
        .into_iter()
        .map(|unit| {
            let counts = unit_counts(store, scope, Some(&unit.code), &this_month, totals)?;
            Ok(ChildUnit { unit, counts })
        })
        .collect::<sojourn_store::Result<Vec<_>>>()?;
    let months = months
        .iter()
        .map(|start| {
            let key = month_key(*start);
            MonthFlow {
                arrivals: sum(&totals.arrivals, None, |m| m == key),
                departures: Some(sum(&totals.departures, None, |m| m == key)),
                label: key,
            }
        })
        .collect();
    let mut origins: Vec<(String, u64)> = division::children(None)
        .into_iter()
        .map(|p| {
            let n = sum(&totals.current, None, |code| code == p.code.as_str());
            (p.name, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    origins.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    Ok(Dashboard {
        counts: unit_counts(store, scope, None, &this_month, totals)?,
        months,
        origins,
        children,
    })
}

/// Houses, employers and outflow records still away, of one unit.
fn register_counts(
    store: &dyn Store,
    scope: &Scope,
    unit: Option<&UnitCode>,
) -> sojourn_store::Result<(u64, u64, u64)> {
    let houses = HouseQuery {
        unit: unit.cloned(),
        page: one_row(),
        ..HouseQuery::default()
    };
    let employers = EmployerQuery {
        unit: unit.cloned(),
        page: one_row(),
        ..EmployerQuery::default()
    };
    let outflow = OutflowQuery {
        unit: unit.cloned(),
        returned: Some(false),
        page: one_row(),
        ..OutflowQuery::default()
    };
    Ok((
        store.search_houses(scope, &houses)?.total,
        store.search_employers(scope, &employers)?.total,
        store.search_outflows(scope, &outflow)?.total,
    ))
}

/// The figures counted through the list queries.
fn counted(store: &dyn Store, scope: &Scope, today: Date) -> sojourn_store::Result<Dashboard> {
    let departed = departures(store, scope)?;
    let departed = departed.as_deref();
    let children = store
        .list_units(scope, Some(scope.root()))?
        .into_iter()
        .map(|unit| {
            let counts = counts(store, scope, Some(&unit.code), today, departed)?;
            Ok(ChildUnit { unit, counts })
        })
        .collect::<sojourn_store::Result<Vec<_>>>()?;
    Ok(Dashboard {
        counts: counts(store, scope, None, today, departed)?,
        months: month_flows(store, scope, today, departed)?,
        origins: origins(store, scope)?,
        children,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_last_months_end_with_this_one() {
        let months = last_months(date!(2026 - 03 - 15), 24);
        assert_eq!(months.len(), 24);
        assert_eq!(months[0], date!(2024 - 04 - 01));
        assert_eq!(months[23], date!(2026 - 03 - 01));
        assert_eq!(month_end(date!(2024 - 02 - 01)), date!(2024 - 02 - 29));
        assert_eq!(month_end(date!(2025 - 12 - 01)), date!(2025 - 12 - 31));
    }
}
