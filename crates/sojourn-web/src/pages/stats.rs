//! Figures for the home page. From the running totals the store keeps
//! ([`Store::resident_statistics`]): one read of a few hundred rows,
//! summed here per unit, month and province, however large the register;
//! the smaller registers (houses, employers, outflows) are counted by a
//! one-row page of their lists.

use sojourn_domain::codes::division;
use sojourn_domain::unit::{Scope, Unit, UnitCode};
use sojourn_store::{
    EmployerQuery, HouseQuery, OutflowQuery, PageRequest, ResidentStatistics, Store,
};
use time::Date;

/// The headline figures of a unit.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counts {
    /// Living here now (registered or active).
    pub active: u64,
    pub arrivals_this_month: u64,
    pub departures_this_month: u64,
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
    pub departures: u64,
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

fn one_row() -> PageRequest {
    PageRequest::new(0, 1).unwrap_or_default()
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
    let totals = store.resident_statistics(scope, since)?;
    from_totals(store, scope, today, &months, &totals)
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
        departures_this_month: sum(&totals.departures, unit, |m| m == this_month),
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
                departures: sum(&totals.departures, None, |m| m == key),
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
    }
}
