//! What the imports hand the store: the stays of 《流动人口信息登记表》
//! (each row an arrival and the status the sheet gives its stay), and the
//! rows of the house, employer and outflow registers, which are written
//! one at a time through an [`ImportSink`].

use crate::Result;
use sojourn_domain::codes::{IdNumber, Uscc};
use sojourn_domain::employer::EmployerDetails;
use sojourn_domain::house::{HouseDetails, HouseId};
use sojourn_domain::outflow::OutflowDetails;
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::time_rules::PastDate;

/// What became of an imported stay that was not refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StayImport {
    /// A new stay, brought to the row's status.
    Registered(ResidenceId),
    /// The stay is on file already (the same person at the same unit since
    /// the same day, current or departed): nothing was written.
    AlreadyRegistered(ResidenceId),
}

/// Where a row-by-row import writes each row: the store itself (each row
/// its own transaction), or, for a check, a transaction that is rolled
/// back at the end (`Store::check_import_rows`), so that a check meets
/// every refusal the import would — a repeat within the file, a record
/// on file in another community — and gives the same verdict.
pub trait ImportSink {
    fn create_house(&mut self, details: &HouseDetails) -> Result<HouseId>;
    fn create_employer(&mut self, uscc: &Uscc, details: &EmployerDetails) -> Result<()>;
    /// An outflow record; one whose person came back (`returned_on`) is
    /// stored, then closed, in the order it happened.
    fn create_outflow(
        &mut self,
        id_number: &IdNumber,
        details: &OutflowDetails,
        returned_on: Option<PastDate>,
    ) -> Result<()>;
}
