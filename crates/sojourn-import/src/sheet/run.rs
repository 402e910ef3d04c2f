//! The entry point: [`run`] and its [`Options`]. It sets up the screen and
//! the checker, has the import run, and settles each row's outcome, in row
//! order, into the report.

use super::check::Checker;
use super::import::import;
use super::screen::{Screen, already_imported};
use crate::error::Result;
use crate::registers::Register;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_sheets::{Limits, Report, ReportWriter, RowFile, Status};
use sojourn_store::{Actor, Store};
use std::collections::HashSet;
use std::path::Path;
use time::Date;

/// How an import runs besides its input.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The unit a sheet without a community column is for (rows of a
    /// sheet with the column that leave it blank take it too).
    pub unit: Option<UnitCode>,
    /// Only check the rows; write nothing.
    pub dry_run: bool,
    /// Progress on stderr (the CLI's progress line and count).
    pub progress: bool,
    /// The first load of an empty register may set search indexes aside
    /// (see [`crate::machine::Running::bulk_load`]).
    pub bulk_load: bool,
    /// What the file may make the import hold; a file over them is refused
    /// before any row is imported.
    pub limits: Limits,
    /// Where the rows committed so far are counted.
    pub committed: crate::machine::Committed,
}

/// Imports as `actor` (or with `options.dry_run` only checks) the sheet at
/// `path`.
/// `name` is the file's name as the report gives it.
///
/// Every row is checked as it is read, by the same parsers as the CSV
/// import, and its outcome written to a file in row order; the rows that
/// pass go on to the machine-form import, whose verdict on them (stored,
/// refused by the store, already on file) is merged in when the file is
/// read back into the report. Memory holds keys and row numbers, not
/// outcomes.
// The store, scope and actor the rows go to, the input, and how to run.
#[allow(clippy::too_many_arguments)]
pub fn run(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
    path: &Path,
    name: &str,
    today: Date,
    actor: &Actor,
    options: Options,
) -> Result<Report> {
    let mut screen = Screen::new(store, scope, register, today)?;
    let checker = Checker::new(store, scope, register, today, options.unit.clone())?;
    let mut rows = RowFile::new()?;
    // A check runs the whole import in a transaction the store rolls back.
    let (layout, verdict) = import(&checker, path, actor, &mut screen, &mut rows, &options)?;
    rows.close()?;
    let mut report = ReportWriter::new()?;
    // A repeat of a row that turned out to be in the register already is
    // in the register already too (the store decides that for residents,
    // after the screen); the first row comes before its repeats.
    let mut already: HashSet<u64> = HashSet::new();
    for row in rows.rows()? {
        let mut row = verdict.settle(&layout, row?);
        if screen
            .repeat_of(row.row)
            .is_some_and(|first| already.contains(&first))
        {
            row = already_imported(row.row);
        }
        if row.status == Status::AlreadyImported {
            already.insert(row.row);
        }
        report.push(row)?;
    }
    Ok(report.finish(
        register.key(),
        name,
        options.dry_run,
        layout.ignored.clone(),
    )?)
}
