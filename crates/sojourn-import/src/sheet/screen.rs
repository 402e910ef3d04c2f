//! The screen: rows set aside before their cells are checked — rows the
//! reader could not read, rows already in the register (houses, outflows,
//! employers: found by their record keys; residents' stays on file are the
//! store's to find) and rows that repeat an earlier row of the file. Kept
//! apart because it alone knows what identifies a record in each register.

use super::form::form_of;
use crate::error::Result;
use crate::registers::{Register, for_each_page};
use sojourn_domain::Localized;
use sojourn_domain::codes::IdNumber;
use sojourn_domain::unit::Scope;
use sojourn_sheets::{Form, Problem, RowOutcome, SheetRow, Status};
use sojourn_store::{
    EmployerQuery, HouseQuery, OutflowQuery, ResidentQuery, ResidentSort, StatusFilter, Store,
};
use std::collections::{HashMap, HashSet};
use thiserror::Error;
use time::Date;

/// Why a row was set aside before its cells were checked.
#[derive(Debug, Error)]
enum RowError {
    #[error("the same record as row {0} of this file")]
    RepeatedInFile(u64),
    #[error("already in the register (imported before); nothing was written")]
    AlreadyImported,
}

impl Localized for RowError {
    fn code(&self) -> &'static str {
        match self {
            Self::RepeatedInFile(_) => "repeated_in_file",
            Self::AlreadyImported => "already_imported",
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::RepeatedInFile(row) => format!("与本表第{row}行重复"),
            Self::AlreadyImported => "该记录已在登记库中（此前已导入），未重复写入".into(),
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// What identifies a row's record in its register: a person's stay by ID
/// number and arrival, a house by address, an outflow by ID number and
/// departure, an employer by credit code. `None` when the row lacks it
/// (its parser refuses it then).
fn record_key(form: Form, row: &SheetRow, today: Date) -> Option<String> {
    let id = || {
        let raw = row.value(form, "id_number")?;
        // The canonical number: a 15-digit one and its 18-digit upgrade are one person.
        Some(
            IdNumber::parse_as_of(raw, today)
                .map(|id| id.to_string())
                .unwrap_or_else(|_| raw.to_owned()),
        )
    };
    match form {
        Form::Residents => Some(format!("{}|{}", id()?, row.value(form, "arrived_on")?)),
        Form::Outflows => Some(format!("{}|{}", id()?, row.value(form, "left_on")?)),
        Form::Houses => row.value(form, "address").map(str::to_owned),
        Form::Employers => row.value(form, "uscc").map(str::to_owned),
    }
}

/// Calls `visit` with every item of every page `fetch` returns.
fn for_each_page_of<T>(
    fetch: impl FnMut(sojourn_store::PageRequest) -> sojourn_store::Result<sojourn_store::Page<T>>,
    mut visit: impl FnMut(T),
) -> Result<()> {
    for_each_page(fetch, |items| {
        items.into_iter().for_each(&mut visit);
        Ok(())
    })
}

/// The keys of the records a register holds, to find rows imported
/// before; `None` for residents, whose stays on file the store finds
/// itself (`Store::import_stays`, `Store::stays_on_file`).
fn existing(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
) -> Result<Option<HashSet<String>>> {
    if register == Register::Residents {
        return Ok(None);
    }
    existing_keys(store, scope, register).map(Some)
}

/// The keys of the records the register holds in `scope`.
fn existing_keys(store: &dyn Store, scope: &Scope, register: Register) -> Result<HashSet<String>> {
    let mut keys = HashSet::new();
    match register {
        Register::Residents => for_each_page_of(
            |page| {
                let query = ResidentQuery {
                    status: StatusFilter::Any,
                    sort: ResidentSort::ArrivedAsc,
                    page,
                    ..ResidentQuery::default()
                };
                store.search_residents(scope, &query)
            },
            |row| {
                keys.insert(format!(
                    "{}|{}",
                    row.person.id_number, row.residence.stay.arrived_on
                ));
            },
        )?,
        Register::Houses => for_each_page_of(
            |page| {
                let query = HouseQuery {
                    page,
                    ..HouseQuery::default()
                };
                store.search_houses(scope, &query)
            },
            |house| {
                keys.insert(house.details.address.to_string());
            },
        )?,
        Register::Employers => for_each_page_of(
            |page| {
                let query = EmployerQuery {
                    page,
                    ..EmployerQuery::default()
                };
                store.search_employers(scope, &query)
            },
            |employer| {
                keys.insert(employer.uscc.to_string());
            },
        )?,
        Register::Outflows => for_each_page_of(
            |page| {
                let query = OutflowQuery {
                    page,
                    ..OutflowQuery::default()
                };
                store.search_outflows(scope, &query)
            },
            |outflow| {
                keys.insert(format!("{}|{}", outflow.id_number, outflow.details.left_on));
            },
        )?,
    }
    Ok(keys)
}

/// Sets aside rows that cannot be read, are in the register already, or
/// repeat an earlier row of the file.
pub(super) struct Screen {
    /// The form the sheet is read as.
    pub(super) form: Form,
    today: Date,
    existing: Option<HashSet<String>>,
    /// Key → first row holding it.
    seen: HashMap<String, u64>,
    /// Row → the earlier row it repeats.
    repeats: HashMap<u64, u64>,
}

impl Screen {
    /// A screen for a sheet of `register`, with the keys of the records
    /// the register holds in `scope` (none for residents).
    pub(super) fn new(
        store: &dyn Store,
        scope: &Scope,
        register: Register,
        today: Date,
    ) -> Result<Self> {
        Ok(Self {
            form: form_of(register),
            today,
            existing: existing(store, scope, register)?,
            seen: HashMap::new(),
            repeats: HashMap::new(),
        })
    }

    /// `Some` when the row is decided here.
    pub(super) fn screen(&mut self, row: &SheetRow) -> Option<RowOutcome> {
        if !row.problems.is_empty() {
            let problems = row
                .problems
                .iter()
                .map(|p| Problem::new((!p.column.is_empty()).then(|| p.column.clone()), &p.error))
                .collect();
            return Some(outcome(row.row, Status::Refused, problems));
        }
        let key = record_key(self.form, row, self.today)?;
        if self
            .existing
            .as_ref()
            .is_some_and(|keys| keys.contains(&key))
        {
            return Some(already_imported(row.row));
        }
        if let Some(first) = self.seen.get(&key) {
            self.repeats.insert(row.row, *first);
            let problem = Problem::new(None, &RowError::RepeatedInFile(*first));
            return Some(outcome(row.row, Status::Refused, vec![problem]));
        }
        self.seen.insert(key, row.row);
        None
    }

    /// The earlier row of the file that `row` repeats, if it does.
    pub(super) fn repeat_of(&self, row: u64) -> Option<u64> {
        self.repeats.get(&row).copied()
    }
}

/// The outcome of a row whose record the register holds already.
pub(super) fn already_imported(row: u64) -> RowOutcome {
    let problem = Problem::new(None, &RowError::AlreadyImported);
    outcome(row, Status::AlreadyImported, vec![problem])
}

fn outcome(row: u64, status: Status, problems: Vec<Problem>) -> RowOutcome {
    RowOutcome {
        row,
        status,
        problems,
        warnings: Vec::new(),
    }
}
