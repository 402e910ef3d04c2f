//! Imports of the registers: the parsers that make machine-form rows
//! (CSV with the English column keys) domain values or refuse them, the
//! batched writer, the glue that feeds sheets as staff keep them (.xlsx,
//! or CSV with the forms' Chinese headers) through the same parsers, and
//! the import report. The CLI (`sojourn import`) and the web layer
//! (`/import`, `POST /api/v1/imports/{register}`) both call it, so a
//! sheet is checked and stored by the same code whoever sends it.

/// What can stop an import as a whole.
pub mod error;
/// The machine-form import: parsers run per row, the store in batches.
pub mod machine;
/// The registers' columns and their row parsers.
pub mod registers;
/// Sheets as staff keep them, read by `sojourn-sheets` and fed to the
/// machine-form import.
pub mod sheet;
/// The one table parser (rows from any source, columns, headers, fields,
/// refusals) and the CSV plumbing.
pub mod table;

pub use error::{ImportError, Result};
pub use machine::ImportReport;
pub use registers::Register;
