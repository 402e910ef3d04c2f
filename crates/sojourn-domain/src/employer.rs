//! Employers (用工单位): residents are followed through where they work
//! (以业控人). Each employer is identified by its credit code.

use crate::codes::{Phone, Uscc};
use crate::text::{Address, OrgName, PersonName};
use crate::unit::UnitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmployerId(pub i64);

/// What a clerk records about an employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployerDetails {
    pub unit: UnitCode,
    pub name: OrgName,
    pub legal_representative: PersonName,
    pub address: Address,
    pub phone: Option<Phone>,
    /// Migrant workers the employer declares; the register also counts the
    /// residents linked to it.
    pub declared_workers: u32,
}

/// An employer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employer {
    pub id: EmployerId,
    pub uscc: Uscc,
    pub details: EmployerDetails,
    /// Residents whose current stay names this employer.
    pub current_workers: u32,
    pub version: i64,
}
