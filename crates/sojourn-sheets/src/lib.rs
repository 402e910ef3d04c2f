//! Spreadsheets in and out of Sojourn, as the street office keeps them:
//! the three paper forms (《流动人口信息登记表》, 《出租房屋申请备案表》,
//! 《流出人口登记表》) read from .xlsx or CSV however they were filled in,
//! the import report, blank templates, and .xlsx exports.
//!
//! This crate reads and writes sheets; it knows the forms' columns and how
//! people type cells, not the registers' rules. A read row is text in the
//! form the import's parsers take (ISO dates, codes without spaces); those
//! parsers (in `sojourn-import`) make it domain values or refuse it.

/// What one sheet may make the reader hold, checked before it is read.
pub mod bounds;
/// Errors of cells and files, in zh-CN and English.
pub mod error;
/// Exports written fast: .xlsx straight into a zip stream, CSV with a BOM.
pub mod export;
/// The forms' fields and the words their headers come in.
pub mod form;
/// Cell text made regular: widths, spaces, dates, numbers.
pub mod normalise;
/// Reading a sheet: header search, rows, cells.
pub mod read;
/// The import report, as JSON and .xlsx.
pub mod report;
/// Writing .xlsx tables and templates.
pub mod write;

pub use bounds::{Bound, Limits};
pub use error::{CellError, SheetError};
pub use export::{ExportFormat, ExportWriter, XlsxStream};
pub use form::{Field, Form, Kind};
pub use read::{CellProblem, FileKind, Layout, SheetRow, read_csv_bytes, read_file};
pub use report::{FIRST_ROWS, Problem, Report, ReportWriter, RowFile, RowOutcome, Status, Summary};
pub use write::{TableWriter, write_template};
