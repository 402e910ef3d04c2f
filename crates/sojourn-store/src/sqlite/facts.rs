//! The facts of a batch of arrivals, as SQLite gathers them: small
//! indexed lookups (a round trip costs nothing in-process) and the batch's
//! files found through `json_each`, which only SQLite has. PostgreSQL
//! gathers the same facts in a few set-based statements
//! (`postgres/bulk.rs`).

use crate::sql::links::StayFacts;
use crate::sql::sealed::ID_NUMBER;
use crate::sql::{BatchFacts, KnownPerson, Tx};
use crate::{Result, StoreError};
use sojourn_domain::person::PersonId;
use sojourn_domain::residence::Arrival;
use sojourn_domain::unit::Scope;
use std::collections::{HashMap, HashSet};

/// Gathers the facts: an indexed lookup per distinct unit, house and
/// employer, and the batch's files found in one statement.
pub(super) fn arrival_facts(
    tx: &mut dyn Tx,
    scope: &Scope,
    arrivals: &[Arrival],
) -> Result<BatchFacts> {
    let stays = StayFacts::lookup(tx, scope, arrivals.iter().map(|a| &a.stay))?;
    let mut persons = HashMap::new();
    for (number, id, merged_into) in files_by_number(tx, arrivals)? {
        // Two statements, not one join: SQLite re-prepares a statement
        // on every new parameter value when a partial index (the one
        // current residence) is weighed against a parameterised WHERE,
        // and most numbers of a batch have no file at all.
        let current = tx
            .query_opt(
                "SELECT r.unit_code, u.name FROM residences r \
                 LEFT JOIN units u ON u.code = r.unit_code \
                 WHERE r.person_id = $1 AND r.status <> 'departed'",
                &[id.0.into()],
            )?
            .map(|row| -> Result<(String, String)> {
                Ok((
                    row.text(0)?.to_owned(),
                    row.opt_text(1)?.unwrap_or("").to_owned(),
                ))
            })
            .transpose()?;
        persons.insert(
            number,
            KnownPerson {
                id,
                merged_into,
                current,
            },
        );
    }
    Ok(BatchFacts { stays, persons })
}

/// The files holding the batch's numbers, found by blind index (under every
/// key of the ring while a rotation is under way, else one) in one
/// statement: the indexes go in as one sorted JSON array, so SQLite probes
/// the unique index in its own order, with no round trip per number. A
/// statement per number cost about 2 µs each, half of it outside SQLite
/// (1.9 s of a million-row import).
fn files_by_number(
    tx: &mut dyn Tx,
    arrivals: &[Arrival],
) -> Result<Vec<(String, PersonId, Option<PersonId>)>> {
    let keys = tx.keys();
    let numbers: HashSet<&str> = arrivals.iter().map(|a| a.id_number.as_str()).collect();
    let mut wanted: Vec<(String, &str)> = numbers
        .into_iter()
        .flat_map(|number| {
            keys.blind_indexes(ID_NUMBER.name(), number)
                .into_iter()
                .map(move |index| (index, number))
        })
        .collect();
    wanted.sort_unstable();
    let indexes: Vec<&str> = wanted.iter().map(|(index, _)| index.as_str()).collect();
    let array = serde_json::to_string(&indexes)
        .map_err(|e| StoreError::Internal(format!("blind indexes as JSON: {e}")))?;
    let rows = tx.query(
        "SELECT p.id_number_bidx, p.id, p.merged_into \
         FROM json_each($1) AS j CROSS JOIN persons p ON p.id_number_bidx = j.value",
        &[array.into()],
    )?;
    rows.iter()
        .map(|row| {
            let index = row.text(0)?;
            let at = wanted
                .binary_search_by(|(wanted, _)| wanted.as_str().cmp(index))
                .map_err(|_| StoreError::Internal("a file found by an index not asked".into()))?;
            Ok((
                wanted[at].1.to_owned(),
                PersonId(row.int(1)?),
                row.opt_int(2)?.map(PersonId),
            ))
        })
        .collect()
}
