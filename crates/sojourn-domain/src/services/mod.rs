//! The services of a one-stop window (一站式服务, SPEC §4): residence
//! permits, the family-planning follow-up of married women of
//! childbearing age, child vaccination and service requests. Each owns
//! its states, steps and deadlines; storage and pages live in the crates
//! above.

/// Family-planning follow-up of married women of childbearing age (R4.3).
pub mod family_planning;
/// Residence permits 居住证 (R4.1): application to cancellation.
pub mod permit;
/// Service requests (R4.2): intake, referral, resolution.
pub mod request;
/// Child vaccination (R4.4): certificate checks, catch-ups, surveys.
pub mod vaccination;
