//! Arrivals, one or many. The rules decide every row of a batch from facts
//! gathered for the whole batch at once — which units are in scope, which
//! houses and employers exist (anywhere in the deployment: see `links`),
//! which ID numbers already have a file and a current
//! residence — and the rows that pass are then written together. A single
//! registration is a batch of one, so the web form, the API and a CSV import
//! of a million rows follow the same rules and the same SQL.
//!
//! Deciding first and writing after is what lets a batch run without a
//! savepoint per row: a row's outcome depends only on the database as the
//! transaction found it and on the rows before it in the batch, both known
//! before anything is written. Should a write still fail (a concurrent
//! session registered the same number in between on PostgreSQL, a disk
//! filled up), the whole transaction rolls back and the caller replays the
//! batch one savepoint per row (`SqlStore::register_arrivals`).

use super::links::{LINK_COLUMNS, StayFacts, link_rows};
use super::residents::{arrive_on_file, person_values, set_person_unit};
use super::sealed::{self, ID_NUMBER};
use super::{Tx, Value, now};
use crate::audit::{AuditAction, AuditEvent, Outcome};
use crate::crypto::Keyring;
use crate::snapshot::{PersonSnapshot, ResidenceSnapshot, Snapshot};
use crate::{Actor, Result, StoreError};
use sojourn_domain::person::PersonId;
use sojourn_domain::record::RecordKind;
use sojourn_domain::residence::{Arrival, ResidenceId, StayDetails};
use sojourn_domain::unit::Scope;
use std::collections::HashMap;
use time::OffsetDateTime;

/// Columns of a new person file, in the order of [`new_person_row`].
pub(crate) const PERSON_COLUMNS: &[&str] = &[
    "id",
    "name",
    "name_pinyin",
    "name_initials",
    "ethnicity",
    "domicile",
    "domicile_address",
    "phone",
    "marital_status",
    "education",
    "political_status",
    "occupation",
    "phone_bidx",
    "guardian_name",
    "guardian_id_number",
    "guardian_relation",
    "guardian_phone",
    "id_number",
    "id_number_bidx",
    "unit_code",
    "sex",
    "birth_date",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
];

/// Columns of a new residence, in the order of [`new_residence_row`].
pub(crate) const RESIDENCE_COLUMNS: &[&str] = &[
    "id",
    "unit_code",
    "arrived_on",
    "intended_stay_months",
    "reason",
    "current_address",
    "house_id",
    "employer_id",
    "person_id",
    "status",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
];

/// An existing person file and where its current residence is, if any.
#[derive(Debug)]
pub(crate) struct KnownPerson {
    pub(crate) id: PersonId,
    /// The file a merge absorbed this one into, if any.
    pub(crate) merged_into: Option<PersonId>,
    /// Code and name of the unit holding the current residence (重卡 if
    /// present), seen across the whole deployment.
    pub(crate) current: Option<(String, String)>,
}

/// What the database says about a batch of arrivals.
#[derive(Debug, Default)]
pub(crate) struct BatchFacts {
    pub(crate) stays: StayFacts,
    /// Existing person files by ID number.
    pub(crate) persons: HashMap<String, KnownPerson>,
}

/// Decides each arrival in batch order: the error refusing it, or the file
/// it goes on (`None`: a new one). A number takes one current residence:
/// the first row that passes takes it, and any later row with that number
/// is a duplicate naming the first row's unit, as if the rows had been
/// registered one after another.
fn decide(
    scope: &Scope,
    arrivals: &[Arrival],
    facts: &BatchFacts,
) -> Vec<Result<Option<PersonId>>> {
    let mut taken: HashMap<&str, &str> = HashMap::with_capacity(arrivals.len());
    arrivals
        .iter()
        .map(|arrival| {
            arrival.check()?;
            facts.stays.check(scope, &arrival.stay)?;
            let number = arrival.id_number.as_str();
            let known = facts.persons.get(number);
            if let Some(PersonId(into)) = known.and_then(|k| k.merged_into) {
                return Err(StoreError::MergedFile { into });
            }
            let current = match taken.get(number) {
                Some(&code) => Some((code, facts.stays.units.get(code))),
                None => known
                    .and_then(|k| k.current.as_ref())
                    .map(|(code, name)| (code.as_str(), Some(name))),
            };
            if let Some((code, name)) = current {
                return Err(StoreError::DuplicateResidence {
                    unit_code: code.to_owned(),
                    unit_name: name.cloned().unwrap_or_default(),
                });
            }
            taken.insert(number, arrival.stay.unit.as_str());
            Ok(known.map(|k| k.id))
        })
        .collect()
}

/// Registers one arrival (see `Store::register_arrival`): a batch of one.
pub(crate) fn register_arrival(
    tx: &mut dyn Tx,
    scope: &Scope,
    arrival: &Arrival,
    actor: &Actor,
) -> Result<(PersonId, ResidenceId)> {
    register_batch(tx, scope, std::slice::from_ref(arrival), actor)?
        .pop()
        .unwrap_or_else(|| Err(StoreError::Internal("a batch of one had no outcome".into())))
}

/// Registers a batch of arrivals in the caller's transaction: each row is
/// refused with its own error or written whole. An `Err` means the
/// transaction must be rolled back (nothing of the batch may stand).
pub(crate) fn register_batch(
    tx: &mut dyn Tx,
    scope: &Scope,
    arrivals: &[Arrival],
    actor: &Actor,
) -> Result<Vec<Result<(PersonId, ResidenceId)>>> {
    let facts = tx.arrival_facts(scope, arrivals)?;
    register_with_facts(tx, scope, arrivals, &facts, actor)
}

/// [`register_batch`] with the facts gathered already (by the import,
/// which looks at them first for stays on file).
pub(crate) fn register_with_facts(
    tx: &mut dyn Tx,
    scope: &Scope,
    arrivals: &[Arrival],
    facts: &BatchFacts,
    actor: &Actor,
) -> Result<Vec<Result<(PersonId, ResidenceId)>>> {
    let decisions = decide(scope, arrivals, facts);
    let accepted = decisions.iter().filter(|d| d.is_ok()).count();
    let at = now();
    let keys = tx.keys();
    // New files are numbered and written in blind-index order: the unique
    // index on it, the longest key, then takes one sorted run per batch
    // instead of scattered inserts.
    let mut new_rows: Vec<(String, usize)> = (0..arrivals.len())
        .filter(|&i| matches!(decisions[i], Ok(None)))
        .map(|i| {
            (
                keys.blind_index(ID_NUMBER.name(), arrivals[i].id_number.as_str()),
                i,
            )
        })
        .collect();
    new_rows.sort_unstable();
    let mut new_files = vec![None; arrivals.len()];
    let mut person_ids = tx.reserve_ids("persons", new_rows.len())?.into_iter();
    let mut persons = Vec::with_capacity(new_rows.len());
    for (index, i) in new_rows {
        let id = PersonId(reserved(&mut person_ids)?);
        new_files[i] = Some(id);
        persons.push(new_person_row(id, &arrivals[i], index, actor, at, &keys));
    }
    let single_before = match (arrivals, decisions.first()) {
        ([_], Some(Ok(Some(existing)))) => Some(file_where_it_is(tx, *existing)?),
        _ => None,
    };
    let mut residence_ids = tx.reserve_ids("residences", accepted)?.into_iter();
    let mut residences = Vec::with_capacity(accepted);
    let mut links = Vec::new();
    let mut outcomes = Vec::with_capacity(arrivals.len());
    for (i, (arrival, decision)) in arrivals.iter().zip(decisions).enumerate() {
        let existing = match decision {
            Ok(existing) => existing,
            Err(refused) => {
                outcomes.push(Err(refused));
                continue;
            }
        };
        let person = match existing {
            Some(id) => {
                arrive_on_file(tx, id, &arrival.person, actor)?;
                set_person_unit(tx, id, &arrival.stay)?;
                id
            }
            None => {
                new_files[i].ok_or_else(|| StoreError::Internal("no id for a new file".into()))?
            }
        };
        let residence = ResidenceId(reserved(&mut residence_ids)?);
        residences.push(new_residence_row(
            residence,
            person,
            &arrival.stay,
            actor,
            at,
        ));
        links.extend(link_rows(
            person,
            residence,
            &arrival.stay,
            arrival.stay.arrived_on.date(),
        ));
        outcomes.push(Ok((person, residence)));
    }
    tx.insert_rows("persons", PERSON_COLUMNS, &persons)?;
    tx.insert_rows("residences", RESIDENCE_COLUMNS, &residences)?;
    tx.insert_rows("links", LINK_COLUMNS, &links)?;
    super::review::open_arrival_reviews(tx, arrivals, &outcomes, actor, at)?;
    super::quality::after_arrivals(tx, arrivals, &outcomes, &new_files)?;
    super::quality::pairing::after_arrivals(tx, arrivals, &outcomes, &new_files)?;
    let files = persons.len();
    audit_arrivals(tx, scope, arrivals, &outcomes, files, single_before, actor)?;
    Ok(outcomes)
}

/// A known file as it stands before an arrival, read where it is held: a
/// person who left another community arrives on the file that community
/// still holds (一人一档), which the caller's scope reaches only once this
/// arrival moves it here. The duplicate check found it by number
/// anywhere; the audit entry needs its state before.
fn file_where_it_is(tx: &mut dyn Tx, id: PersonId) -> Result<sojourn_domain::person::Person> {
    let row = tx.query_one(
        "SELECT unit_code FROM persons WHERE id = $1",
        &[id.0.into()],
    )?;
    let holder = Scope::of(super::mapping::unit_code(row.text(0)?)?);
    super::get_person(tx, &holder, id)
}

/// Records the arrivals that were written, inside their transaction: a
/// single arrival as the file and stay before and after (numbers
/// masked), a batch as one entry with its counts and the ids it made.
/// Nothing written, nothing recorded.
#[allow(clippy::too_many_arguments)]
fn audit_arrivals(
    tx: &mut dyn Tx,
    scope: &Scope,
    arrivals: &[Arrival],
    outcomes: &[Result<(PersonId, ResidenceId)>],
    new_files: usize,
    single_before: Option<sojourn_domain::person::Person>,
    actor: &Actor,
) -> Result<()> {
    let written: Vec<(PersonId, ResidenceId)> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok().copied())
        .collect();
    match (arrivals, written.as_slice()) {
        (_, []) => Ok(()),
        ([arrival], [(person, residence)]) => {
            let person = super::get_person(tx, scope, *person)?;
            let stay = super::get_residence(tx, scope, *residence)?;
            let masked = |p: &sojourn_domain::person::Person| PersonSnapshot::from(p).masked();
            let after = serde_json::json!({
                "person": masked(&person)?,
                "residence": ResidenceSnapshot::from(&stay).masked()?,
            });
            let before = match single_before {
                Some(p) => Some(serde_json::json!({ "person": masked(&p)? })),
                None => None,
            };
            super::audit::record_masked(
                tx,
                actor,
                AuditAction::Create,
                (RecordKind::Residence, residence.0),
                &arrival.stay.unit,
                before,
                after,
            )
        }
        _ => {
            let event = AuditEvent::new(AuditAction::Create, Outcome::Success)
                .object(RecordKind::ArrivalBatch, written[0].1.0)
                .details(serde_json::json!({
                    "rows": arrivals.len(),
                    "written": written.len(),
                    "refused": arrivals.len() - written.len(),
                    "new_files": new_files,
                    "residences": written.iter().map(|(_, r)| r.0).collect::<Vec<_>>(),
                    "persons": written.iter().map(|(p, _)| p.0).collect::<Vec<_>>(),
                }));
            super::audit::append(tx, actor, event).map(drop)
        }
    }
}

fn reserved(ids: &mut impl Iterator<Item = i64>) -> Result<i64> {
    ids.next()
        .ok_or_else(|| StoreError::Internal("fewer ids reserved than rows".into()))
}

fn new_person_row(
    id: PersonId,
    arrival: &Arrival,
    id_number_index: String,
    actor: &Actor,
    at: OffsetDateTime,
    keys: &Keyring,
) -> Vec<Value> {
    let number = &arrival.id_number;
    let mut values = Vec::with_capacity(PERSON_COLUMNS.len());
    values.push(id.0.into());
    values.extend(person_values(&arrival.person, keys));
    values.extend([
        sealed::seal(keys, ID_NUMBER, number.as_str()),
        Value::Text(id_number_index),
        arrival.stay.unit.as_str().into(),
        number.sex().code().into(),
        number.birth_date().into(),
        Value::Int(1),
        at.into(),
        actor.name.as_str().into(),
        at.into(),
        actor.name.as_str().into(),
    ]);
    values
}

fn new_residence_row(
    id: ResidenceId,
    person: PersonId,
    stay: &StayDetails,
    actor: &Actor,
    at: OffsetDateTime,
) -> Vec<Value> {
    let mut values = Vec::with_capacity(RESIDENCE_COLUMNS.len());
    values.push(id.0.into());
    values.extend(super::residents::stay_values(stay));
    values.extend([
        person.0.into(),
        "registered".into(),
        Value::Int(1),
        at.into(),
        actor.name.as_str().into(),
        at.into(),
        actor.name.as_str().into(),
    ]);
    values
}
