//! Figures of the home page from the running totals the store keeps
//! (migration `0400_statistics`): residents here now by unit and province
//! of origin, arrivals and departures by unit and month. A few hundred
//! rows for a street office, however many residents it registers.

use sojourn_domain::unit::UnitCode;

/// The running totals of a scope, one row per unit (of the subtree) and
/// province or month; units and months with nothing are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResidentStatistics {
    /// Residents living here now (registered or active): unit, two-digit
    /// province code of the household registration, count.
    pub current: Vec<(UnitCode, String, u64)>,
    /// Every residence that began in a month (`2026-03`) from `since` on,
    /// departed or not: unit, month, count.
    pub arrivals: Vec<(UnitCode, String, u64)>,
    /// Residences that ended in a month from `since` on.
    pub departures: Vec<(UnitCode, String, u64)>,
}
