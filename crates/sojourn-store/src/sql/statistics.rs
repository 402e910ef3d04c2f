//! Reads of the running totals (`stat_current`, `stat_arrivals`,
//! `stat_departures`) that triggers keep in step with `residences`.

use super::mapping::unit_code;
use super::{Tx, Value, scope_bounds};
use crate::Result;
use crate::statistics::ResidentStatistics;
use sojourn_domain::unit::{Scope, UnitCode};
use time::Date;

/// The totals of every unit in `scope`, months from `since`'s on.
pub(crate) fn resident_statistics(
    tx: &mut dyn Tx,
    scope: &Scope,
    since: Date,
) -> Result<ResidentStatistics> {
    let [low, high] = scope_bounds(scope);
    let bounds = [low, high];
    let month = Value::Text(format!("{}-{:02}", since.year(), u8::from(since.month())));
    let with_month = [bounds[0].clone(), bounds[1].clone(), month];
    Ok(ResidentStatistics {
        current: triples(
            tx,
            "SELECT unit_code, province, n FROM stat_current \
             WHERE unit_code >= $1 AND unit_code < $2 AND n <> 0",
            &bounds,
        )?,
        arrivals: triples(
            tx,
            "SELECT unit_code, month, n FROM stat_arrivals \
             WHERE unit_code >= $1 AND unit_code < $2 AND month >= $3 AND n <> 0",
            &with_month,
        )?,
        departures: triples(
            tx,
            "SELECT unit_code, month, n FROM stat_departures \
             WHERE unit_code >= $1 AND unit_code < $2 AND month >= $3 AND n <> 0",
            &with_month,
        )?,
    })
}

fn triples(tx: &mut dyn Tx, sql: &str, params: &[Value]) -> Result<Vec<(UnitCode, String, u64)>> {
    tx.query(sql, params)?
        .iter()
        .map(|row| {
            let unit: UnitCode = unit_code(row.text(0)?)?;
            let key = row.text(1)?.to_owned();
            let n = u64::try_from(row.int(2)?).unwrap_or(0);
            Ok((unit, key, n))
        })
        .collect()
}
