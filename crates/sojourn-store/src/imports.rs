//! Stays brought in by an import of 《流动人口信息登记表》: each row an
//! arrival and the status the sheet gives its stay.

use sojourn_domain::residence::ResidenceId;

/// What became of an imported stay that was not refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StayImport {
    /// A new stay, brought to the row's status.
    Registered(ResidenceId),
    /// The stay is on file already (the same person at the same unit since
    /// the same day, current or departed): nothing was written.
    AlreadyRegistered(ResidenceId),
}
