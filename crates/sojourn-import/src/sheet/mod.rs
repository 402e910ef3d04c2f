//! The import of a sheet as staff keep it (.xlsx, or CSV with the
//! form's Chinese headers, title rows and all): `sojourn-sheets` reads and
//! normalises the rows; repeats within the file, and for houses, outflows
//! and employers rows already in the register, are set aside (a resident's
//! stay on file is the store's to find: `Store::import_stays`); the rest
//! go, as rows of the machine form, through the same import as a CSV file
//! (`crate::machine::run_rows`: the same table parser, the same parsers,
//! the same batched writer). The report names every row of the sheet by
//! the number Excel shows and every column by the header the sheet wrote.
//!
//! Ledgers as offices keep them are taken as they come: a sheet without a
//! community column is for the unit chosen for it (`Options::unit`: the
//! CLI's `--unit`, the import page's picker), or else for the unit its
//! title names ("建设路社区流动人口登记台账"); without either it is refused
//! whole, before any row. The chosen unit must be in the caller's scope.
//! The template's own sample row is skipped by the reader
//! (`Form::is_sample`); places written as text, a missing reason for stay
//! and destinations known only to their province are the residents
//! parser's (`registers::residents`).
//!
//! A dry run of residents runs the real import in a transaction the store
//! rolls back (`Store::check_import_stays`), so it finds what the import
//! would — a stay on file, 重卡 with a file in another community — and
//! counts as it would. The other registers' dry runs likewise write each
//! row in a transaction the store rolls back (`Store::check_import_rows`),
//! so a check gives the import's own verdict and writes nothing.

/// Each row checked as it is read, by the register's own parser.
mod check;
/// Which files are sheets, the form a register's sheets are read as, and
/// the translation between sheet rows and the machine form.
mod form;
/// The reader thread feeding the machine-form import, and its verdict.
mod import;
/// The report printed for the command line.
mod print;
/// The progress line and the count of rows read, on stderr.
mod progress;
/// The entry point: the run's options, and the report it settles.
mod run;
/// Rows set aside before their cells are checked: unreadable, in the
/// register already, or repeated within the file.
mod screen;

pub use form::{form_of, is_sheet};
pub use print::print;
pub use run::{Options, run};
