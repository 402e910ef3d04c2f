//! Exports of the register lists, with their filters, as .xlsx or CSV: the
//! list as its page shows it, or the ledger (台账) with the columns of the
//! paper form. ID and phone numbers are masked unless a role that may
//! reveal asks for them in full with a reason (audited as a reveal); every
//! export is audited with its list, filters and row count, never a number.
//!
//! An export runs as a background job ([`jobs`]) writing a temporary file,
//! so a page can show its progress and a million rows never hold up a
//! request. The scope is the caller's (`CallerScope`), taken when the job
//! starts. An account runs at most [`jobs::RUNNING_PER_ACCOUNT`] at once,
//! so a clerk clicking twice or a token in a loop cannot take every core.
//!
//! The four registers' exports read their filters and search term with the
//! list's own query parser ([`ExportSpec::parse`], `resident_filters` and
//! the rest), so an export has exactly the rows its list shows; their
//! columns are [`columns`]. The review workflow's and the data-quality
//! monitor's lists ([`workflow`]) are read by the store calls their pages
//! make, and show no number.

/// The ledgers' and lists' columns.
pub mod columns;
/// Export jobs: progress, owner, expiry.
pub mod jobs;
/// The review workflow's and the data-quality monitor's lists.
pub mod workflow;

/// Each list's filters and search term, and what the audit trail keeps.
mod filters;
/// The lists that can be exported.
mod lists;
/// An export request, checked.
mod spec;
/// Writing the file, page by page.
mod writing;

pub use filters::{Filters, NotARecordNumber, SEARCH, filter_keys};
pub(crate) use filters::{employer_filters, house_filters, outflow_filters, resident_filters};
pub use lists::ExportList;
pub use spec::{ExportSpec, FileNames, LayoutKind};
pub use writing::{ExportError, Progress, count, write_export};
