//! Imported stays: the arrivals of a batch decided and written as
//! `arrivals` does, after setting aside the rows whose stay is on file
//! already, and each new stay brought to its row's status in the same
//! transaction — so an interrupted import leaves every row whole or absent,
//! and a second run of the same file adds nothing. And the checks: the
//! same writes in a transaction rolled back at the end, stays in batches
//! (`check_batch`), the other registers row by row (`CheckSink`).

use super::arrivals::{BatchFacts, register_with_facts};
use super::{Tx, activate_residence, register_departure};
use crate::imports::{ImportSink, StayImport};
use crate::{Actor, Result, StoreError};
use sojourn_domain::codes::{IdNumber, Uscc};
use sojourn_domain::employer::EmployerDetails;
use sojourn_domain::house::{HouseDetails, HouseId};
use sojourn_domain::outflow::OutflowDetails;
use sojourn_domain::residence::{Arrival, ResidenceId, ResidenceStatus};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::Scope;

/// A new stay starts at this version; its status is changed from it.
const FIRST_VERSION: i64 = 1;

/// Imports a batch in the caller's transaction: each row refused with its
/// own error, found on file, or written whole with its status. An `Err`
/// means the transaction must be rolled back (nothing of the batch may
/// stand).
pub(crate) fn import_batch(
    tx: &mut dyn Tx,
    scope: &Scope,
    arrivals: &[Arrival],
    statuses: &[ResidenceStatus],
    actor: &Actor,
) -> Result<Vec<Result<StayImport>>> {
    if arrivals.len() != statuses.len() {
        return Err(StoreError::Internal(
            "an imported batch needs one status per arrival".into(),
        ));
    }
    let facts = tx.arrival_facts(scope, arrivals)?;
    let on_file = stays_on_file(tx, scope, arrivals, &facts)?;
    let fresh: Vec<usize> = (0..arrivals.len())
        .filter(|&i| on_file[i].is_none())
        .collect();
    // A first import finds nothing on file and writes the batch as it came.
    let registered = if fresh.len() == arrivals.len() {
        register_with_facts(tx, scope, arrivals, &facts, actor)?
    } else {
        let subset: Vec<Arrival> = fresh.iter().map(|&i| arrivals[i].clone()).collect();
        register_with_facts(tx, scope, &subset, &facts, actor)?
    };
    let mut registered = registered.into_iter();
    let mut outcomes = Vec::with_capacity(arrivals.len());
    for (found, status) in on_file.into_iter().zip(statuses) {
        let outcome = match found {
            Some(stay) => Ok(StayImport::AlreadyRegistered(stay)),
            None => match registered.next() {
                Some(Ok((_, residence))) => {
                    bring_to_status(tx, scope, residence, status, actor)?;
                    Ok(StayImport::Registered(residence))
                }
                Some(Err(refused)) => Err(refused),
                None => return Err(StoreError::Internal("fewer outcomes than rows".into())),
            },
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// `import_batch` inside a check's transaction: in a savepoint, so that a
/// batch failing as a whole (which a real import replays row by row) is
/// undone and replayed row by row here too, each row in its own savepoint.
pub(crate) fn check_batch(
    tx: &mut dyn Tx,
    scope: &Scope,
    arrivals: &[Arrival],
    statuses: &[ResidenceStatus],
    actor: &Actor,
) -> Result<Vec<Result<StayImport>>> {
    if let Ok(outcomes) = in_savepoint(tx, |tx| import_batch(tx, scope, arrivals, statuses, actor))?
    {
        return Ok(outcomes);
    }
    let mut outcomes = Vec::with_capacity(arrivals.len());
    for (arrival, status) in arrivals.iter().zip(statuses) {
        let one = in_savepoint(tx, |tx| {
            import_batch(
                tx,
                scope,
                std::slice::from_ref(arrival),
                std::slice::from_ref(status),
                actor,
            )
        })?;
        outcomes.push(match one {
            Ok(mut decided) => decided.pop().unwrap_or_else(|| {
                Err(StoreError::Internal("a batch of one had no outcome".into()))
            }),
            Err(error) => Err(error),
        });
    }
    Ok(outcomes)
}

/// The rows of a check of the house, employer or outflow import, each
/// written as `SqlStore` writes it, in its own savepoint, so that a row
/// refused midway leaves nothing behind for the next (and PostgreSQL's
/// transaction survives the refusal).
pub(crate) struct CheckSink<'a> {
    pub(crate) tx: &'a mut dyn Tx,
    pub(crate) scope: &'a Scope,
    pub(crate) actor: &'a Actor,
}

impl ImportSink for CheckSink<'_> {
    fn create_house(&mut self, details: &HouseDetails) -> Result<HouseId> {
        let (scope, actor) = (self.scope, self.actor);
        in_savepoint(self.tx, |tx| {
            super::create_house(tx, scope, details, actor).map(|h| h.id)
        })?
    }

    fn create_employer(&mut self, uscc: &Uscc, details: &EmployerDetails) -> Result<()> {
        let (scope, actor) = (self.scope, self.actor);
        in_savepoint(self.tx, |tx| {
            super::create_employer(tx, scope, uscc, details, actor).map(drop)
        })?
    }

    fn create_outflow(
        &mut self,
        id_number: &IdNumber,
        details: &OutflowDetails,
        returned_on: Option<PastDate>,
    ) -> Result<()> {
        let (scope, actor) = (self.scope, self.actor);
        in_savepoint(self.tx, |tx| {
            let outflow = super::create_outflow(tx, scope, id_number, details, actor)?;
            if let Some(date) = returned_on {
                let (id, version) = (outflow.id, outflow.version);
                super::register_return(tx, scope, id, date, version, actor)?;
            }
            Ok(())
        })?
    }
}

/// Runs `f` in a savepoint: kept when it succeeds, undone when it fails
/// (the inner `Result`); the outer one is the savepoint's own failure.
fn in_savepoint<T>(tx: &mut dyn Tx, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<Result<T>> {
    tx.execute("SAVEPOINT import_check", &[])?;
    let outcome = f(tx);
    match &outcome {
        Ok(_) => tx.execute("RELEASE SAVEPOINT import_check", &[])?,
        Err(_) => {
            tx.execute("ROLLBACK TO SAVEPOINT import_check", &[])?;
            tx.execute("RELEASE SAVEPOINT import_check", &[])?
        }
    };
    Ok(outcome)
}

/// For each row, the stay on file it repeats: the same person (a file
/// found by the facts) at the same unit since the same day, whatever its
/// status. Only rows whose unit is in scope are looked at, so a stay
/// outside the caller's jurisdiction is neither revealed nor matched (the
/// row is refused as out of scope). A first import has no files to ask
/// about and pays nothing here.
pub(crate) fn stays_on_file(
    tx: &mut dyn Tx,
    scope: &Scope,
    arrivals: &[Arrival],
    facts: &BatchFacts,
) -> Result<Vec<Option<ResidenceId>>> {
    let mut found = Vec::with_capacity(arrivals.len());
    for arrival in arrivals {
        let person = facts.persons.get(arrival.id_number.as_str());
        let stay = match person {
            Some(person) if scope.contains(&arrival.stay.unit) => tx
                .query_opt(
                    "SELECT id FROM residences \
                     WHERE person_id = $1 AND unit_code = $2 AND arrived_on = $3",
                    &[
                        person.id.0.into(),
                        arrival.stay.unit.as_str().into(),
                        arrival.stay.arrived_on.date().into(),
                    ],
                )?
                .map(|row| row.int(0).map(ResidenceId))
                .transpose()?,
            _ => None,
        };
        found.push(stay);
    }
    Ok(found)
}

/// Brings a stay just registered to the status its row gives, audited as
/// the change would be by hand.
fn bring_to_status(
    tx: &mut dyn Tx,
    scope: &Scope,
    residence: ResidenceId,
    status: &ResidenceStatus,
    actor: &Actor,
) -> Result<()> {
    match status {
        ResidenceStatus::Registered => Ok(()),
        // Judged again by the write path, as a change by hand is: the
        // batch judged the stay as it arrived.
        ResidenceStatus::Active => {
            activate_residence(tx, scope, residence, FIRST_VERSION, actor).map(drop)
        }
        ResidenceStatus::Departed(departure) => {
            register_departure(tx, scope, residence, departure, FIRST_VERSION, actor).map(drop)
        }
    }
}
