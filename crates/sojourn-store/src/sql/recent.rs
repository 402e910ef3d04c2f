//! The resident list with no filter but unit and status, in order of
//! arrival: the page most visited, and one that a large scope cannot sort
//! (a street office's million residences). Walks the arrival index
//! (`residences_arrival`, migration `0410_arrival_order`) from the newest
//! end and keeps the rows in scope, so a page costs its own rows (times
//! the share of the deployment outside the scope) rather than the scope's.
//!
//! The scope is tested on a prefix of the unit code, which no index
//! serves, so that both engines walk the arrival index rather than the
//! unit index; callers use this for scopes that hold a good share of the
//! register, and the ordinary search for small ones.

use super::mapping;
use super::residents::resident_row;
use super::{Filter, Tx, Value};
use crate::Result;
use crate::query::{Page, PageRequest, ResidentQuery, ResidentRow, StatusFilter};
use sojourn_domain::unit::UnitCode;

/// One page of the residences of `unit`'s subtree with `status`, newest
/// (or oldest) arrival first.
pub(crate) fn residents_by_arrival(
    tx: &mut dyn Tx,
    unit: &UnitCode,
    status: StatusFilter,
    newest_first: bool,
    page: PageRequest,
) -> Result<Vec<ResidentRow>> {
    let status = status_clause(status);
    let order = if newest_first {
        "r.arrived_on DESC, r.id DESC"
    } else {
        "r.arrived_on, r.id"
    };
    let code = unit.as_str();
    // The prefix length, LIMIT and OFFSET are integers of our own.
    let sql = format!(
        "SELECT {}, {} FROM residences r JOIN persons p ON p.id = r.person_id \
         WHERE substr(r.unit_code, 1, {}) = $1{status} ORDER BY {order} LIMIT {} OFFSET {}",
        mapping::PERSON_COLUMNS.select,
        mapping::RESIDENCE_COLUMNS.select,
        code.len(),
        page.limit(),
        page.offset()
    );
    let keys = tx.keys();
    tx.query(&sql, &[Value::Text(code.to_owned())])?
        .iter()
        .map(|row| resident_row(row, &keys))
        .collect()
}

/// One page of the residences of `unit`'s subtree with `status`, by the
/// full pinyin of the name, walking the persons' pinyin index (persons of
/// the same spelling in the order they were filed, then their stays).
pub(crate) fn residents_by_name(
    tx: &mut dyn Tx,
    unit: &UnitCode,
    status: StatusFilter,
    page: PageRequest,
) -> Result<Vec<ResidentRow>> {
    let code = unit.as_str();
    // CROSS JOIN keeps SQLite's loops in this order (persons outside);
    // the prefix length, LIMIT and OFFSET are integers of our own.
    let sql = format!(
        "SELECT {}, {} FROM persons p CROSS JOIN residences r \
         WHERE r.person_id = p.id AND substr(r.unit_code, 1, {}) = $1{} \
         ORDER BY p.name_pinyin, p.id, r.id LIMIT {} OFFSET {}",
        mapping::PERSON_COLUMNS.select,
        mapping::RESIDENCE_COLUMNS.select,
        code.len(),
        status_clause(status),
        page.limit(),
        page.offset()
    );
    let keys = tx.keys();
    tx.query(&sql, &[Value::Text(code.to_owned())])?
        .iter()
        .map(|row| resident_row(row, &keys))
        .collect()
}

/// A page of the residences of `unit`'s subtree matching the filters of
/// `query` (its term, unit and order aside), newest arrival first, walking
/// the arrival index with the filters as conditions on each row; the total
/// counted up to `cap + 1` (as a search counts), since an exact count of
/// filters no index serves reads the whole unit.
pub(crate) fn residents_filtered(
    tx: &mut dyn Tx,
    unit: &UnitCode,
    query: &ResidentQuery,
    cap: u64,
) -> Result<Page<ResidentRow>> {
    let code = unit.as_str();
    let mut filter = Filter {
        sql: format!("substr(r.unit_code, 1, {}) = $1", code.len()),
        params: vec![Value::Text(code.to_owned())],
    };
    filter.sql.push_str(status_clause(query.status));
    filter.resident_facets(query);
    let from = format!(
        "FROM residences r JOIN persons p ON p.id = r.person_id WHERE {}",
        filter.sql
    );
    // The cap, LIMIT and OFFSET are integers of our own.
    let count = format!(
        "SELECT COUNT(*) FROM (SELECT 1 AS one {from} LIMIT {}) capped",
        cap + 1
    );
    let total = u64::try_from(tx.query_one(&count, &filter.params)?.int(0)?).unwrap_or(0);
    let rows = format!(
        "SELECT {}, {} {from} ORDER BY r.arrived_on DESC, r.id DESC LIMIT {} OFFSET {}",
        mapping::PERSON_COLUMNS.select,
        mapping::RESIDENCE_COLUMNS.select,
        query.page.limit(),
        query.page.offset()
    );
    let keys = tx.keys();
    let items = tx
        .query(&rows, &filter.params)?
        .iter()
        .map(|row| resident_row(row, &keys))
        .collect::<Result<_>>()?;
    Ok(Page { items, total })
}

fn status_clause(status: StatusFilter) -> &'static str {
    match status {
        StatusFilter::Current => " AND r.status <> 'departed'",
        StatusFilter::Registered => " AND r.status = 'registered'",
        StatusFilter::Active => " AND r.status = 'active'",
        StatusFilter::Departed => " AND r.status = 'departed'",
        StatusFilter::Any => "",
    }
}
