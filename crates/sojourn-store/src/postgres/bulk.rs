//! What a batch of arrivals needs from PostgreSQL, in as few round trips as
//! the batch allows: each fact is one query over an array of keys, and new
//! rows go in by binary COPY. Row by row, a round trip per statement would
//! cost more than the work itself.

use super::{PgTx, bind};
use crate::Result;
use crate::sql::sealed::ID_NUMBER;
use crate::sql::{BatchFacts, KnownPerson, Value};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::ToSql;
use sojourn_domain::person::PersonId;
use sojourn_domain::residence::Arrival;
use sojourn_domain::unit::Scope;
use std::collections::HashSet;

/// Up to this many rows go in by INSERT (one round trip each, prepared
/// once); more by COPY (a few round trips in all).
const INSERT_AT_MOST: usize = 2;

pub(super) fn arrival_facts(
    tx: &mut PgTx<'_>,
    scope: &Scope,
    arrivals: &[Arrival],
) -> Result<BatchFacts> {
    let mut facts = BatchFacts::default();
    let units = distinct(
        arrivals
            .iter()
            .filter(|a| scope.contains(&a.stay.unit))
            .map(|a| a.stay.unit.as_str()),
    );
    if !units.is_empty() {
        for row in tx.query_typed(
            "SELECT code, name FROM units WHERE code = ANY($1)",
            &[&units],
        )? {
            let code = row.text(0)?.to_owned();
            facts.stays.units.insert(code, row.text(1)?.to_owned());
        }
    }
    // A house or employer anywhere in the deployment (see `sql::links`).
    for (table, ids) in [
        (
            "houses",
            distinct(arrivals.iter().filter_map(|a| a.stay.house.map(|h| h.0))),
        ),
        (
            "employers",
            distinct(arrivals.iter().filter_map(|a| a.stay.employer.map(|e| e.0))),
        ),
    ] {
        if ids.is_empty() {
            continue;
        }
        let sql = format!("SELECT id FROM {table} WHERE id = ANY($1)");
        let found = tx.query_typed(&sql, &[&ids])?;
        let set = match table {
            "houses" => &mut facts.stays.houses,
            _ => &mut facts.stays.employers,
        };
        for row in found {
            set.insert(row.int(0)?);
        }
    }
    // Each number under every key of the ring (one but during a rotation).
    let keys = tx.keys.clone();
    let (mut numbers, mut indexes) = (Vec::new(), Vec::new());
    for number in distinct(arrivals.iter().map(|a| a.id_number.as_str())) {
        for index in keys.blind_indexes(ID_NUMBER.name(), number) {
            numbers.push(number);
            indexes.push(index);
        }
    }
    for row in tx.query_typed(KNOWN_PERSONS, &[&numbers, &indexes])? {
        let current = match row.opt_text(2)? {
            Some(code) => Some((code.to_owned(), row.opt_text(3)?.unwrap_or("").to_owned())),
            None => None,
        };
        let person = KnownPerson {
            id: PersonId(row.int(1)?),
            merged_into: row.opt_int(4)?.map(PersonId),
            current,
        };
        facts.persons.insert(row.text(0)?.to_owned(), person);
    }
    Ok(facts)
}

/// The files of a batch's ID numbers and their current residence, one
/// index probe per number. The batch's numbers drive the query through
/// LATERAL subqueries that cannot be flattened (`OFFSET 0`): as a filter
/// `p.id_number_bidx = ANY($1)` the planner, seeing ten thousand values, scans
/// and hashes every file instead — once per batch, quadratic over an
/// import — and as a plain join it hashes every residence.
const KNOWN_PERSONS: &str = "SELECT k.number, p.id, r.unit_code, u.name, p.merged_into \
    FROM unnest($1::text[], $2::text[]) AS k(number, bidx) \
    CROSS JOIN LATERAL (SELECT id, merged_into FROM persons WHERE id_number_bidx = k.bidx OFFSET 0) p \
    LEFT JOIN LATERAL (SELECT s.unit_code FROM residences s \
        WHERE s.person_id = p.id AND s.status <> 'departed' OFFSET 0) r ON true \
    LEFT JOIN units u ON u.code = r.unit_code";

fn distinct<T: Eq + std::hash::Hash + Copy>(keys: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = HashSet::new();
    keys.filter(|k| seen.insert(*k)).collect()
}

/// Values drawn from the table's identity sequence: never handed out twice,
/// whoever else is inserting.
pub(super) fn reserve_ids(tx: &mut PgTx<'_>, table: &str, n: usize) -> Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    // The sequence is looked up once (MATERIALIZED), not once per value.
    let rows = tx.query_typed(
        "WITH q AS MATERIALIZED (SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq) \
         SELECT nextval(q.seq) FROM q, generate_series(1, $2::bigint)",
        &[&table, &i64::try_from(n).unwrap_or(i64::MAX)],
    )?;
    let mut ids = rows
        .iter()
        .map(|row| row.int(0))
        .collect::<Result<Vec<_>>>()?;
    ids.sort_unstable();
    Ok(ids)
}

pub(super) fn insert_rows(
    tx: &mut PgTx<'_>,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let columns = columns.join(", ");
    let placeholders: Vec<String> = (1..=rows[0].len()).map(|i| format!("${i}")).collect();
    let insert = tx.prepare(&format!(
        "INSERT INTO {table} ({columns}) VALUES ({})",
        placeholders.join(", ")
    ))?;
    if rows.len() <= INSERT_AT_MOST {
        for row in rows {
            let bound: Vec<&(dyn ToSql + Sync)> = row.iter().map(bind).collect();
            tx.tx.execute(&insert, &bound)?;
        }
        return Ok(());
    }
    // The INSERT's parameter types are the columns' types, which binary
    // COPY must be told.
    let types = insert.params().to_vec();
    // Each row's foreign-key checks run a plan the server keeps; under the
    // connection's force_custom_plan (see `open`) it would plan them anew
    // for every row, a third of a COPY's time. Until the transaction ends:
    tx.tx.batch_execute("SET LOCAL plan_cache_mode = auto")?;
    let sink = tx.tx.copy_in(&format!(
        "COPY {table} ({columns}) FROM STDIN (FORMAT binary)"
    ))?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    for row in rows {
        let bound: Vec<&(dyn ToSql + Sync)> = row.iter().map(bind).collect();
        writer.write(&bound)?;
    }
    writer.finish()?;
    Ok(())
}
