//! `Store` for any backend: each method is one transaction running the
//! shared register logic.

use super::*;
use crate::imports::{ImportSink, StayImport};
use crate::query::*;
use crate::{Actor, Result, Store};
use sojourn_domain::codes::{IdNumber, Uscc};
use sojourn_domain::document::{DocumentCheck, RecordedDocumentCheck};
use sojourn_domain::employer::{Employer, EmployerDetails, EmployerId};
use sojourn_domain::house::{House, HouseDetails, HouseId, Inspection, RecordedInspection};
use sojourn_domain::outflow::{Outflow, OutflowDetails, OutflowId};
use sojourn_domain::person::{Person, PersonDetails, PersonId};
use sojourn_domain::residence::{
    Arrival, Departure, Residence, ResidenceId, ResidenceStatus, StayDetails,
};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::{Scope, Unit, UnitCode};

/// The register logic bound to one backend.
pub(crate) struct SqlStore<B> {
    pub(crate) backend: B,
}

impl<B: Backend> Store for SqlStore<B> {
    fn init_deployment_unscoped(&self, root: &Unit, below: &[Unit]) -> Result<()> {
        self.backend.write(|tx| init_deployment(tx, root, below))
    }

    fn deployment_root_unscoped(&self) -> Result<Option<Unit>> {
        self.backend.read(deployment_root)
    }

    fn create_unit(&self, scope: &Scope, unit: &Unit, actor: &Actor) -> Result<Unit> {
        self.backend.write(|tx| create_unit(tx, scope, unit, actor))
    }

    fn get_unit(&self, scope: &Scope, code: &UnitCode) -> Result<Unit> {
        self.backend.read(|tx| get_unit(tx, scope, code))
    }

    fn unit_contacts(
        &self,
        scope: &Scope,
        code: &UnitCode,
    ) -> Result<sojourn_domain::unit::UnitContacts> {
        self.backend
            .read(|tx| units::unit_contacts(tx, scope, code))
    }

    fn set_unit_contacts(
        &self,
        scope: &Scope,
        code: &UnitCode,
        contacts: &sojourn_domain::unit::UnitContacts,
        actor: &Actor,
    ) -> Result<()> {
        self.backend
            .write(|tx| units::set_unit_contacts(tx, scope, code, contacts, actor))
    }

    fn list_units(&self, scope: &Scope, parent: Option<&UnitCode>) -> Result<Vec<Unit>> {
        self.backend.read(|tx| list_units(tx, scope, parent))
    }

    fn begin_bulk_load_unscoped(&self) -> Result<bool> {
        self.backend.defer_for_bulk_load()
    }

    fn finish_bulk_load_unscoped(&self) -> Result<()> {
        self.backend.restore_deferred()
    }

    fn register_arrival(
        &self,
        scope: &Scope,
        arrival: &Arrival,
        actor: &Actor,
    ) -> Result<(Person, Residence)> {
        self.backend.write(|tx| {
            let (person, residence) = arrivals::register_arrival(tx, scope, arrival, actor)?;
            Ok((
                get_person(tx, scope, person)?,
                get_residence(tx, scope, residence)?,
            ))
        })
    }

    fn register_arrivals(
        &self,
        scope: &Scope,
        arrivals: &[Arrival],
        actor: &Actor,
    ) -> Result<Vec<Result<ResidenceId>>> {
        let decided = self
            .backend
            .write(|tx| arrivals::register_batch(tx, scope, arrivals, actor));
        match decided {
            Ok(outcomes) => Ok(outcomes
                .into_iter()
                .map(|outcome| outcome.map(|(_, residence)| residence))
                .collect()),
            // Something the rules could not foresee broke the batch (a
            // concurrent registration of the same number, a full disk):
            // nothing of it stands, so replay it row by row, each row in its
            // own savepoint, for an exact outcome per row.
            Err(error) => {
                tracing::warn!(%error, rows = arrivals.len(), "batch of arrivals replayed row by row");
                self.backend.write_each(arrivals, |tx, arrival| {
                    arrivals::register_arrival(tx, scope, arrival, actor)
                        .map(|(_, residence)| residence)
                })
            }
        }
    }

    fn import_stays(
        &self,
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
        let decided = self
            .backend
            .write(|tx| imports::import_batch(tx, scope, arrivals, statuses, actor));
        match decided {
            Ok(outcomes) => Ok(outcomes),
            // As for `register_arrivals`: replay row by row, each row (its
            // arrival and its status) in its own savepoint.
            Err(error) => {
                tracing::warn!(%error, rows = arrivals.len(), "imported batch replayed row by row");
                let rows: Vec<usize> = (0..arrivals.len()).collect();
                self.backend.write_each(&rows, |tx, &i| {
                    imports::import_batch(
                        tx,
                        scope,
                        std::slice::from_ref(&arrivals[i]),
                        std::slice::from_ref(&statuses[i]),
                        actor,
                    )?
                    .pop()
                    .unwrap_or_else(|| {
                        Err(StoreError::Internal("a batch of one had no outcome".into()))
                    })
                })
            }
        }
    }

    fn check_import_stays(
        &self,
        scope: &Scope,
        actor: &Actor,
        next: &mut dyn FnMut() -> Option<(Vec<Arrival>, Vec<ResidenceStatus>)>,
        decided: &mut dyn FnMut(Vec<Result<StayImport>>),
    ) -> Result<()> {
        self.backend.rehearse(|tx| {
            while let Some((arrivals, statuses)) = next() {
                decided(imports::check_batch(
                    tx, scope, &arrivals, &statuses, actor,
                )?);
            }
            Ok(())
        })
    }

    fn check_import_rows(
        &self,
        scope: &Scope,
        actor: &Actor,
        check: &mut dyn FnMut(&mut dyn ImportSink) -> Result<()>,
    ) -> Result<()> {
        self.backend
            .rehearse(|tx| check(&mut imports::CheckSink { tx, scope, actor }))
    }

    fn mark_domicile_from_id_number(&self, scope: &Scope, stays: &[ResidenceId]) -> Result<()> {
        self.backend
            .write(|tx| residents::mark_domicile_from_id_number(tx, scope, stays))
    }

    fn stays_on_file(
        &self,
        scope: &Scope,
        arrivals: &[Arrival],
    ) -> Result<Vec<Option<ResidenceId>>> {
        self.backend.read(|tx| {
            let facts = tx.arrival_facts(scope, arrivals)?;
            imports::stays_on_file(tx, scope, arrivals, &facts)
        })
    }

    fn activate_residence(
        &self,
        scope: &Scope,
        id: ResidenceId,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Residence> {
        self.backend
            .write(|tx| activate_residence(tx, scope, id, expected_version, actor))
    }

    fn register_departure(
        &self,
        scope: &Scope,
        id: ResidenceId,
        departure: &Departure,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Residence> {
        self.backend
            .write(|tx| register_departure(tx, scope, id, departure, expected_version, actor))
    }

    fn update_stay(
        &self,
        scope: &Scope,
        id: ResidenceId,
        stay: &StayDetails,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Residence> {
        self.backend
            .write(|tx| update_stay(tx, scope, id, stay, expected_version, actor))
    }

    fn move_to_house(
        &self,
        scope: &Scope,
        id: ResidenceId,
        house: HouseId,
        on: PastDate,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Residence> {
        self.backend.write(|tx| {
            residents::move_to_house(tx, scope, id, house, on.date(), expected_version, actor)
        })
    }

    fn get_residence(&self, scope: &Scope, id: ResidenceId) -> Result<Residence> {
        self.backend.read(|tx| get_residence(tx, scope, id))
    }

    fn get_person(&self, scope: &Scope, id: PersonId) -> Result<Person> {
        self.backend.read(|tx| get_person(tx, scope, id))
    }

    fn record_document_check(
        &self,
        scope: &Scope,
        person: PersonId,
        check: &DocumentCheck,
        actor: &Actor,
    ) -> Result<RecordedDocumentCheck> {
        self.backend
            .write(|tx| record_document_check(tx, scope, person, check, actor))
    }

    fn document_checks(
        &self,
        scope: &Scope,
        person: PersonId,
    ) -> Result<Vec<RecordedDocumentCheck>> {
        self.backend.read(|tx| document_checks(tx, scope, person))
    }

    fn record_inspection(
        &self,
        scope: &Scope,
        house: HouseId,
        inspection: &Inspection,
        actor: &Actor,
    ) -> Result<RecordedInspection> {
        self.backend
            .write(|tx| record_inspection(tx, scope, house, inspection, actor))
    }

    fn inspections_of(&self, scope: &Scope, house: HouseId) -> Result<Vec<RecordedInspection>> {
        self.backend.read(|tx| inspections_of(tx, scope, house))
    }

    fn find_person(&self, scope: &Scope, id_number: &IdNumber) -> Result<Option<Person>> {
        self.backend.read(|tx| find_person(tx, scope, id_number))
    }

    fn update_person(
        &self,
        scope: &Scope,
        id: PersonId,
        details: &PersonDetails,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Person> {
        self.backend.write(|tx| {
            let person = update_person(tx, scope, id, details, expected_version, actor)?;
            quality::pairing::after_update(tx, id)?;
            Ok(person)
        })
    }

    fn residences_of(&self, scope: &Scope, person: PersonId) -> Result<Vec<Residence>> {
        self.backend.read(|tx| residences_of(tx, scope, person))
    }

    fn search_residents(&self, scope: &Scope, query: &ResidentQuery) -> Result<Page<ResidentRow>> {
        self.backend.read(|tx| search_residents(tx, scope, query))
    }

    fn export_residents(
        &self,
        scope: &Scope,
        after: Option<ResidenceId>,
        limit: u32,
    ) -> Result<Vec<ResidentRow>> {
        let limit = export_limit(limit)?;
        self.backend
            .read(|tx| export_residents(tx, scope, after, limit))
    }

    fn export_residents_matching(
        &self,
        scope: &Scope,
        query: &ResidentQuery,
        after: Option<ResidenceId>,
        limit: u32,
    ) -> Result<Vec<ResidentRow>> {
        let limit = export_limit(limit)?;
        self.backend
            .read(|tx| export_residents_matching(tx, scope, query, after, limit))
    }

    fn create_house(&self, scope: &Scope, details: &HouseDetails, actor: &Actor) -> Result<House> {
        self.backend
            .write(|tx| create_house(tx, scope, details, actor))
    }

    fn get_house(&self, scope: &Scope, id: HouseId) -> Result<House> {
        self.backend.read(|tx| get_house(tx, scope, id))
    }

    fn update_house(
        &self,
        scope: &Scope,
        id: HouseId,
        details: &HouseDetails,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<House> {
        self.backend
            .write(|tx| update_house(tx, scope, id, details, expected_version, actor))
    }

    fn search_houses(&self, scope: &Scope, query: &HouseQuery) -> Result<Page<House>> {
        self.backend.read(|tx| search_houses(tx, scope, query))
    }

    fn tenants_of(&self, scope: &Scope, house: HouseId) -> Result<Vec<Link>> {
        self.backend.read(|tx| tenants_of(tx, scope, house))
    }

    fn create_employer(
        &self,
        scope: &Scope,
        uscc: &Uscc,
        details: &EmployerDetails,
        actor: &Actor,
    ) -> Result<Employer> {
        self.backend
            .write(|tx| create_employer(tx, scope, uscc, details, actor))
    }

    fn get_employer(&self, scope: &Scope, id: EmployerId) -> Result<Employer> {
        self.backend.read(|tx| get_employer(tx, scope, id))
    }

    fn update_employer(
        &self,
        scope: &Scope,
        id: EmployerId,
        details: &EmployerDetails,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Employer> {
        self.backend
            .write(|tx| update_employer(tx, scope, id, details, expected_version, actor))
    }

    fn search_employers(&self, scope: &Scope, query: &EmployerQuery) -> Result<Page<Employer>> {
        self.backend.read(|tx| search_employers(tx, scope, query))
    }

    fn workers_of(&self, scope: &Scope, employer: EmployerId) -> Result<Vec<Link>> {
        self.backend.read(|tx| workers_of(tx, scope, employer))
    }

    fn stay_link(&self, scope: &Scope, link: StayLink) -> Result<Option<Linked>> {
        self.backend.read(|tx| links::stay_link(tx, scope, link))
    }

    fn create_outflow(
        &self,
        scope: &Scope,
        id_number: &IdNumber,
        details: &OutflowDetails,
        actor: &Actor,
    ) -> Result<Outflow> {
        self.backend
            .write(|tx| create_outflow(tx, scope, id_number, details, actor))
    }

    fn get_outflow(&self, scope: &Scope, id: OutflowId) -> Result<Outflow> {
        self.backend.read(|tx| get_outflow(tx, scope, id))
    }

    fn update_outflow(
        &self,
        scope: &Scope,
        id: OutflowId,
        details: &OutflowDetails,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Outflow> {
        self.backend
            .write(|tx| update_outflow(tx, scope, id, details, expected_version, actor))
    }

    fn register_return(
        &self,
        scope: &Scope,
        id: OutflowId,
        returned_on: PastDate,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Outflow> {
        self.backend
            .write(|tx| register_return(tx, scope, id, returned_on, expected_version, actor))
    }

    fn search_outflows(&self, scope: &Scope, query: &OutflowQuery) -> Result<Page<Outflow>> {
        self.backend.read(|tx| search_outflows(tx, scope, query))
    }

    // ---- the review workflow ----

    fn review_status(
        &self,
        scope: &Scope,
        record: sojourn_domain::review::ReviewRecord,
    ) -> Result<(
        sojourn_domain::review::ReviewStatus,
        Vec<sojourn_domain::review::ReviewEvent>,
    )> {
        self.backend
            .read(|tx| review::review_status(tx, scope, record))
    }

    fn take_review_step(
        &self,
        scope: &Scope,
        record: sojourn_domain::review::ReviewRecord,
        step: &sojourn_domain::review::ReviewStep,
        expected_version: i64,
        at: time::OffsetDateTime,
        actor: &Actor,
    ) -> Result<sojourn_domain::review::ReviewStatus> {
        self.backend.write(|tx| {
            review::take_review_step(tx, scope, record, step, expected_version, at, actor)
        })
    }

    fn review_queue(
        &self,
        scope: &Scope,
        queue: crate::ReviewQueue,
        page: PageRequest,
    ) -> Result<Vec<sojourn_domain::review::ReviewStatus>> {
        self.backend
            .read(|tx| review::review_queue(tx, scope, queue, page))
    }

    fn review_queue_size(&self, scope: &Scope, queue: crate::ReviewQueue) -> Result<u64> {
        self.backend
            .read(|tx| review::review_queue_size(tx, scope, queue))
    }

    fn review_list(
        &self,
        scope: &Scope,
        queue: crate::ReviewQueue,
        filter: &crate::ReviewFilter,
        page: PageRequest,
    ) -> Result<crate::ReviewList> {
        self.backend
            .read(|tx| review::review_list(tx, scope, queue, filter, page))
    }

    fn review_counts(
        &self,
        scope: &Scope,
        since: Option<time::OffsetDateTime>,
    ) -> Result<crate::ReviewCounts> {
        self.backend
            .read(|tx| review::review_counts(tx, scope, since))
    }

    fn reencrypt_unscoped(
        &self,
        batch: u32,
        progress: &mut dyn FnMut(&str, u64) -> bool,
    ) -> Result<u64> {
        rotation::reencrypt(&self.backend, batch, progress)
    }

    fn stale_values_unscoped(&self) -> Result<u64> {
        self.backend.read(rotation::stale_values)
    }

    fn retire_keys_unscoped(&self) -> Result<Vec<String>> {
        self.retire_keys()
    }

    fn export_outflows(
        &self,
        scope: &Scope,
        after: Option<OutflowId>,
        limit: u32,
    ) -> Result<Vec<Outflow>> {
        let limit = export_limit(limit)?;
        self.backend
            .read(|tx| export_outflows(tx, scope, after, limit))
    }

    fn history(&self, scope: &Scope, record: RecordRef) -> Result<Vec<Revision>> {
        self.backend.read(|tx| {
            let (table, current) = match record {
                RecordRef::Person(id) => {
                    ("persons", change::snapshot_now::<Person>(tx, scope, id.0)?)
                }
                RecordRef::Residence(id) => (
                    "residences",
                    change::snapshot_now::<Residence>(tx, scope, id.0)?,
                ),
                RecordRef::House(id) => ("houses", change::snapshot_now::<House>(tx, scope, id.0)?),
                RecordRef::Employer(id) => (
                    "employers",
                    change::snapshot_now::<Employer>(tx, scope, id.0)?,
                ),
                RecordRef::Outflow(id) => (
                    "outflows",
                    change::snapshot_now::<Outflow>(tx, scope, id.0)?,
                ),
            };
            history(tx, record, table, current)
        })
    }

    fn resident_statistics(
        &self,
        scope: &Scope,
        since: time::Date,
    ) -> Result<crate::ResidentStatistics> {
        self.backend
            .read(|tx| statistics::resident_statistics(tx, scope, since))
    }

    fn residents_by_arrival(
        &self,
        scope: &Scope,
        unit: &UnitCode,
        status: StatusFilter,
        newest_first: bool,
        page: PageRequest,
    ) -> Result<Vec<ResidentRow>> {
        if !scope.contains(unit) {
            return Err(crate::StoreError::ReferenceOutOfScope {
                kind: sojourn_domain::record::RecordKind::Unit,
                id: unit.to_string(),
            });
        }
        self.backend
            .read(|tx| recent::residents_by_arrival(tx, unit, status, newest_first, page))
    }

    fn residents_by_name(
        &self,
        scope: &Scope,
        unit: &UnitCode,
        status: StatusFilter,
        page: PageRequest,
    ) -> Result<Vec<ResidentRow>> {
        if !scope.contains(unit) {
            return Err(crate::StoreError::ReferenceOutOfScope {
                kind: sojourn_domain::record::RecordKind::Unit,
                id: unit.to_string(),
            });
        }
        self.backend
            .read(|tx| recent::residents_by_name(tx, unit, status, page))
    }

    fn residents_filtered_by_arrival(
        &self,
        scope: &Scope,
        unit: &UnitCode,
        query: &ResidentQuery,
        cap: u64,
    ) -> Result<Page<ResidentRow>> {
        if !scope.contains(unit) {
            return Err(crate::StoreError::ReferenceOutOfScope {
                kind: sojourn_domain::record::RecordKind::Unit,
                id: unit.to_string(),
            });
        }
        self.backend
            .read(|tx| recent::residents_filtered(tx, unit, query, cap))
    }
}

/// A page size of an export, within what a page may hold (it is written
/// into the SQL, so it must be a checked number).
fn export_limit(limit: u32) -> Result<u32> {
    PageRequest::new(0, limit)
        .map(|page| page.limit())
        .ok_or_else(|| StoreError::Internal(format!("page size {limit} out of range")))
}
