//! The staffing ratios' store side (配备标准, R1.4): for each community
//! or village of a scope, the floating residents living there now, its
//! rental houses and its coordinators' accounts; for each employer, the
//! temporary residents on file and the coordinators it has. The rules
//! that turn these into needs are `sojourn_domain::staffing`.
//!
//! A unit's coordinators are the enabled accounts holding the coordinator
//! role anywhere in the community's subtree (a grid's coordinator works
//! for the community). An employer's coordinators are not accounts (they
//! are the employer's own staff), so the store keeps their numbers, set
//! by the heads of the office and audited.

use crate::{Actor, Result};
use sojourn_domain::employer::EmployerId;
use sojourn_domain::staffing::{EmployerCoordinators, coordinators_needed};
use sojourn_domain::text::OrgName;
use sojourn_domain::unit::{Scope, Unit, UnitCode};

/// A community or village of the scope and what its staffing rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityStaffing {
    pub unit: Unit,
    /// Floating residents living in it now (registered or active).
    pub residents: u64,
    /// Rental houses on file in it.
    pub houses: u64,
    /// Enabled accounts with the coordinator role in its subtree.
    pub coordinators: u64,
}

impl CommunityStaffing {
    pub fn needed(&self) -> u64 {
        coordinators_needed(self.residents, self.houses)
    }

    /// Coordinators missing, 0 when the ratio is met.
    pub fn short_by(&self) -> u64 {
        self.needed().saturating_sub(self.coordinators)
    }
}

/// An employer of the scope and what its staffing rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployerStaffing {
    pub id: EmployerId,
    pub name: OrgName,
    pub unit: UnitCode,
    /// Temporary residents: the greater of the residents on file working
    /// there now and the number the employer declares.
    pub workers: u64,
    pub coordinators: EmployerCoordinators,
}

impl EmployerStaffing {
    pub fn needed(&self) -> EmployerCoordinators {
        EmployerCoordinators::needed_for(self.workers)
    }

    pub fn falls_short(&self) -> bool {
        !self.coordinators.meets(self.needed())
    }
}

/// The staffing of every community and employer of a scope, in code and
/// id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Staffing {
    pub communities: Vec<CommunityStaffing>,
    pub employers: Vec<EmployerStaffing>,
}

/// The staffing ratios' part of the store.
pub trait StaffingStore {
    /// The staffing of every community and employer in `scope`.
    fn staffing(&self, scope: &Scope) -> Result<Staffing>;

    /// Records the coordinators `employer` has (audited); the employer
    /// must lie in `scope`.
    fn set_employer_coordinators(
        &self,
        scope: &Scope,
        employer: EmployerId,
        coordinators: EmployerCoordinators,
        actor: &Actor,
    ) -> Result<EmployerStaffing>;
}
