//! The checker: each row, as it is read, gets the sheet's unit when it has
//! none, goes through the screen, then through the register's own
//! machine-form parser, so a row's refusals and remarks are the CSV
//! import's. It decides only what reading can; the store's verdict comes
//! from the import.

use super::form::{form_of, machine_header, problem_of};
use super::screen::Screen;
use crate::error::{ImportError, Result};
use crate::registers::{Directory, Register, employers, houses, outflows, residents};
use crate::table::{Fields, Header};
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_sheets::{Layout, RowOutcome, SheetRow, Status};
use sojourn_store::Store;
use std::sync::OnceLock;
use time::Date;

/// Checks each row as it is read, with the register's own parser.
pub(super) struct Checker<'a> {
    pub(super) register: Register,
    header: Header,
    directory: Directory,
    pub(super) today: Date,
    pub(super) store: &'a dyn Store,
    pub(super) scope: &'a Scope,
    /// The unit chosen for the sheet, in scope (checked before reading).
    chosen_unit: Option<UnitCode>,
    /// The unit rows without one are for, decided at the first row: the
    /// chosen one, or the one the title names when there is no column.
    sheet_unit: OnceLock<Option<UnitCode>>,
}

impl<'a> Checker<'a> {
    /// A checker for a sheet of `register` imported into `scope`; refuses
    /// a chosen unit outside the scope.
    pub(super) fn new(
        store: &'a dyn Store,
        scope: &'a Scope,
        register: Register,
        today: Date,
        chosen_unit: Option<UnitCode>,
    ) -> Result<Self> {
        let directory = Directory::load(store, scope)?;
        if let Some(unit) = &chosen_unit
            && directory.unit(unit.as_str()).is_err()
        {
            return Err(ImportError::UnitNotInScope(unit.to_string()));
        }
        Ok(Self {
            register,
            header: Header::read(&machine_header(form_of(register)), register.columns())?,
            directory,
            today,
            store,
            scope,
            chosen_unit,
            sheet_unit: OnceLock::new(),
        })
    }

    /// Gives a row without a unit the sheet's; refuses the sheet (before
    /// any row is imported: this runs on the first row) when it has no
    /// unit column and no unit was chosen or named in its title.
    pub(super) fn fill_unit(&self, layout: &Layout, row: &mut SheetRow) -> Result<()> {
        let form = form_of(self.register);
        let Some(index) = form.fields().iter().position(|f| f.key == "unit") else {
            return Ok(());
        };
        let has_column = layout.has("unit");
        let unit = self.sheet_unit.get_or_init(|| {
            self.chosen_unit.clone().or_else(|| {
                (!has_column)
                    .then(|| self.directory.unit_named_in(&layout.title))
                    .flatten()
            })
        });
        match (unit, row.values.get_mut(index)) {
            (Some(unit), Some(value @ None)) => *value = Some(unit.to_string()),
            (None, _) if !has_column => return Err(ImportError::NoUnit),
            _ => {}
        }
        Ok(())
    }

    /// The row's outcome as far as reading decides it: refused, already
    /// imported, or (for now) accepted, in which case a real import passes
    /// it on to the machine-form import.
    pub(super) fn check(
        &self,
        layout: &Layout,
        screen: &mut Screen,
        row: &SheetRow,
        record: &csv::StringRecord,
    ) -> Result<RowOutcome> {
        if let Some(decided) = screen.screen(row) {
            return Ok(decided);
        }
        let mut fields = Fields::new(&self.header, record, row.row);
        let context = residents::Context {
            today: self.today,
            directory: &self.directory,
        };
        let parsed = match self.register {
            Register::Residents => residents::parse(&mut fields, &context).is_some(),
            Register::Houses => houses::parse(&mut fields, self.today, &self.directory).is_some(),
            Register::Employers => employers::parse(&mut fields, &self.directory).is_some(),
            Register::Outflows => {
                outflows::parse(&mut fields, self.today, &self.directory).is_some()
            }
        };
        let (refusals, warnings) = fields.finish();
        let status = if parsed && refusals.is_empty() {
            Status::Accepted
        } else {
            Status::Refused
        };
        Ok(RowOutcome {
            row: row.row,
            status,
            problems: refusals.iter().map(|r| problem_of(layout, r)).collect(),
            warnings: warnings.iter().map(|r| problem_of(layout, r)).collect(),
        })
    }
}
