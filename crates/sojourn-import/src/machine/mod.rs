//! The import of the machine form (CSV with the English column keys):
//! every row is checked by the domain parsers; good rows are stored, bad
//! rows are refused with row, column and reason, and nothing about a
//! refused row reaches the store.

/// The resident import: batched and pipelined, since it is the one that
/// runs to millions of rows.
mod residents;

use crate::error::{ImportError, Result};
use crate::registers::{Directory, Register, employers, houses, outflows};
use crate::table::{CsvRows, Fields, Header, Refusal, RowSource, read_rows};
use sojourn_domain::codes::{IdNumber, Uscc};
use sojourn_domain::employer::EmployerDetails;
use sojourn_domain::house::{HouseDetails, HouseId};
use sojourn_domain::outflow::OutflowDetails;
use sojourn_domain::text::Address;
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::Scope;
use sojourn_store::{Actor, ImportSink, Store, StoreError};
use std::collections::{BTreeSet, HashSet};
use std::io::{BufRead, Write};
use time::Date;

/// How an import runs besides its input.
#[derive(Debug, Clone, Default)]
pub struct Running {
    /// A progress line on stderr (the CLI, when a person watches).
    pub progress: bool,
    /// Into an empty register, set the search indexes aside and build them
    /// once at the end (`Store::begin_bulk_load_unscoped`). For the first
    /// load of a deployment from the command line; not for the web, where
    /// other requests run meanwhile.
    pub bulk_load: bool,
    /// Keep the data-quality remarks on accepted rows in the report (the
    /// sheet import takes them from its own check of the rows instead).
    pub warnings: bool,
    /// Judge every row as the import would, in a transaction that is
    /// rolled back (`Store::check_import_stays` for residents,
    /// `Store::check_import_rows` for the others), so a check gives the
    /// real verdict and writes nothing.
    pub dry_run: bool,
    /// Where the rows committed so far are counted while the import runs
    /// (the web server records them, so a restart can say how many of an
    /// interrupted import's rows are on file). Not counted in a check.
    pub committed: Committed,
}

/// A count of the rows an import has committed, shared with whoever
/// watches it.
#[derive(Debug, Clone, Default)]
pub struct Committed(Option<std::sync::Arc<std::sync::atomic::AtomicU64>>);

impl Committed {
    /// A count kept in `counter`.
    pub fn into(counter: std::sync::Arc<std::sync::atomic::AtomicU64>) -> Self {
        Self(Some(counter))
    }

    fn set(&self, rows: u64) {
        if let Some(counter) = &self.0 {
            counter.store(rows, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// What an import did.
#[derive(Debug)]
pub struct ImportReport {
    pub register: Register,
    pub accepted: u64,
    pub refusals: Vec<Refusal>,
    /// Rows whose record the register holds already (an earlier run of
    /// the same file, finished or interrupted): neither new nor refused.
    pub already_imported: Vec<u64>,
    /// Data-quality remarks on accepted rows.
    pub warnings: Vec<Refusal>,
    /// Where the rows committed are counted as they are.
    committed: Committed,
}

impl ImportReport {
    fn new(register: Register) -> Self {
        Self {
            register,
            accepted: 0,
            refusals: Vec::new(),
            already_imported: Vec::new(),
            warnings: Vec::new(),
            committed: Committed::default(),
        }
    }

    /// Counts the rows accepted so far as committed (after a store call).
    pub(crate) fn committed_so_far(&self) {
        self.committed.set(self.accepted);
    }

    /// Rows with at least one refusal.
    pub fn refused(&self) -> u64 {
        let rows: BTreeSet<u64> = self.refusals.iter().map(|r| r.row).collect();
        rows.len() as u64
    }

    /// Each refusal and warning in row order, then the summary.
    pub fn print(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        self.refusals.sort_by_key(|r| r.row);
        self.warnings.sort_by_key(|r| r.row);
        for refusal in &self.refusals {
            writeln!(out, "refused {refusal}")?;
        }
        for warning in &self.warnings {
            writeln!(out, "warning {warning}")?;
        }
        let (accepted, refused) = (self.accepted, self.refused());
        let (already, already_zh) = match self.already_imported.len() {
            0 => (String::new(), String::new()),
            n => (
                format!(", {n} already imported"),
                format!("，已导入过 {n} 行"),
            ),
        };
        writeln!(
            out,
            "{}: {accepted} accepted, {refused} refused{already} / {}：导入 {accepted} 行，拒绝 {refused} 行{already_zh}",
            self.register.key(),
            self.register.name_zh(),
        )
    }
}

/// Imports `input` (a CSV file of the machine form) into `register` as
/// `actor` (whom the revisions of the records name), checking dates
/// against `today`, with a progress line on stderr when `run.progress`
/// (and a person watches).
pub fn run(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
    input: impl BufRead + Send,
    today: Date,
    actor: &Actor,
    run: Running,
) -> Result<ImportReport> {
    let rows = CsvRows::new(input).map_err(|e| ImportError::file("input", e))?;
    run_rows(store, scope, register, rows, today, actor, run)
}

/// Imports the rows of `source` as [`run`] imports a CSV file's: the
/// sheet import passes the rows of a sheet this way, each with the number
/// the sheet shows.
pub fn run_rows(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
    mut source: impl RowSource + Send,
    today: Date,
    actor: &Actor,
    run: Running,
) -> Result<ImportReport> {
    let header = Header::read(&source.header()?, register.columns())?;
    let directory = Directory::load(store, scope)?;
    let mut report = ImportReport::new(register);
    if !run.dry_run {
        report.committed = run.committed.clone();
    }
    // The row-by-row registers (all but residents, which go in batches).
    let rows = Rows {
        store,
        scope,
        actor,
        header: &header,
        run: run.clone(),
    };
    match register {
        Register::Residents => {
            let context = crate::registers::residents::Context {
                today,
                directory: &directory,
            };
            residents::import(
                store,
                scope,
                source,
                &header,
                &context,
                actor,
                run,
                &mut report,
            )?;
        }
        Register::Houses => {
            let mut importer = HouseImporter {
                today,
                directory,
                added: HashSet::new(),
            };
            rows.import(&mut source, &mut importer, &mut report)?;
        }
        Register::Employers => {
            let mut importer = EmployerImporter { directory };
            rows.import(&mut source, &mut importer, &mut report)?;
        }
        Register::Outflows => {
            let mut importer = OutflowImporter { today, directory };
            rows.import(&mut source, &mut importer, &mut report)?;
        }
    }
    Ok(report)
}

/// The refusal of a row the store would not take, with the column to look
/// at where the error names one.
fn store_refusal(row: u64, error: &StoreError) -> Refusal {
    let column = match error {
        StoreError::DuplicateResidence { .. }
        | StoreError::DuplicateOutflow { .. }
        | StoreError::OutflowOnFile { .. }
        | StoreError::MergedFile { .. } => Some("id_number"),
        StoreError::DuplicateEmployer => Some("uscc"),
        StoreError::ReferenceOutOfScope {
            kind: sojourn_domain::record::RecordKind::Unit,
            ..
        } => Some("unit"),
        StoreError::ReferenceOutOfScope {
            kind: sojourn_domain::record::RecordKind::House,
            ..
        } => Some("house_address"),
        StoreError::ReferenceOutOfScope {
            kind: sojourn_domain::record::RecordKind::Employer,
            ..
        } => Some("employer_uscc"),
        StoreError::Rule(rule) => crate::registers::residents::rule_column(rule),
        _ => None,
    };
    if error.is_failure() {
        // Driver messages name tables and constraints, not the row's data.
        tracing::error!(row, %error, "the store failed on an imported row");
    }
    Refusal::new(row, column, error)
}

/// A register imported row by row, each row its own transaction.
trait RowImporter {
    type Record;
    /// Whether the row's record was in the register before this run (an
    /// earlier run of the same file): neither written again nor refused.
    fn on_file(&self, _fields: &Fields) -> bool {
        false
    }
    fn parse(&mut self, fields: &mut Fields) -> Option<Self::Record>;
    fn save(
        &mut self,
        sink: &mut dyn ImportSink,
        record: Self::Record,
    ) -> sojourn_store::Result<()>;
}

/// The store itself as a sink: each row its own transaction.
struct StoreSink<'a> {
    store: &'a dyn Store,
    scope: &'a Scope,
    actor: &'a Actor,
}

impl ImportSink for StoreSink<'_> {
    fn create_house(&mut self, details: &HouseDetails) -> sojourn_store::Result<HouseId> {
        let house = self.store.create_house(self.scope, details, self.actor)?;
        Ok(house.id)
    }

    fn create_employer(
        &mut self,
        uscc: &Uscc,
        details: &EmployerDetails,
    ) -> sojourn_store::Result<()> {
        self.store
            .create_employer(self.scope, uscc, details, self.actor)
            .map(drop)
    }

    fn create_outflow(
        &mut self,
        id_number: &IdNumber,
        details: &OutflowDetails,
        returned_on: Option<PastDate>,
    ) -> sojourn_store::Result<()> {
        let record = self
            .store
            .create_outflow(self.scope, id_number, details, self.actor)?;
        match returned_on {
            Some(date) => self
                .store
                .register_return(self.scope, record.id, date, record.version, self.actor)
                .map(drop),
            None => Ok(()),
        }
    }
}

/// A row-by-row import of one file: into the store, or, for a check, into
/// a transaction that is rolled back.
struct Rows<'a> {
    store: &'a dyn Store,
    scope: &'a Scope,
    actor: &'a Actor,
    header: &'a Header,
    run: Running,
}

impl Rows<'_> {
    fn import<I: RowImporter>(
        &self,
        source: &mut impl RowSource,
        importer: &mut I,
        report: &mut ImportReport,
    ) -> Result<()> {
        let keep_warnings = self.run.warnings;
        if !self.run.dry_run {
            let mut sink = StoreSink {
                store: self.store,
                scope: self.scope,
                actor: self.actor,
            };
            return import_each(
                source,
                self.header,
                importer,
                &mut sink,
                report,
                keep_warnings,
            );
        }
        // The import's own failure (an unreadable file) is kept here and
        // stops the check; the store rolls back and it is returned.
        let mut failed = None;
        let checked = self
            .store
            .check_import_rows(self.scope, self.actor, &mut |sink| {
                import_each(source, self.header, importer, sink, report, keep_warnings).map_err(
                    |error| {
                        failed = Some(error);
                        StoreError::Internal("the checked import stopped".into())
                    },
                )
            });
        match failed {
            Some(error) => Err(error),
            None => Ok(checked?),
        }
    }
}

/// The store's word that a row's record is on file already: the same
/// departure of an outflow, open or closed.
fn on_file(error: &StoreError) -> bool {
    matches!(error, StoreError::OutflowOnFile { .. })
}

fn import_each<I: RowImporter>(
    source: &mut impl RowSource,
    header: &Header,
    importer: &mut I,
    sink: &mut dyn ImportSink,
    report: &mut ImportReport,
    keep_warnings: bool,
) -> Result<()> {
    let mut unreadable = Vec::new();
    read_rows(
        source,
        header,
        |r| unreadable.push(r),
        |mut fields| {
            if importer.on_file(&fields) {
                report.already_imported.push(fields.row);
                return Ok(());
            }
            let parsed = importer.parse(&mut fields);
            let row = fields.row;
            let (refusals, warnings) = fields.finish();
            if keep_warnings {
                report.warnings.extend(warnings);
            }
            match parsed {
                Some(record) if refusals.is_empty() => match importer.save(sink, record) {
                    Ok(()) => {
                        report.accepted += 1;
                        report.committed_so_far();
                    }
                    Err(error) if on_file(&error) => report.already_imported.push(row),
                    Err(error) => report.refusals.push(store_refusal(row, &error)),
                },
                _ => report.refusals.extend(refusals),
            }
            Ok(())
        },
    )?;
    report.refusals.extend(unreadable);
    Ok(())
}

struct HouseImporter {
    today: Date,
    directory: Directory,
    /// Addresses this run registered: a later row repeating one is
    /// refused as a repeat, not taken for an earlier run's.
    added: HashSet<String>,
}

impl RowImporter for HouseImporter {
    type Record = HouseDetails;

    /// A house is known by its address (in the import's scope).
    fn on_file(&self, fields: &Fields) -> bool {
        fields
            .text("address")
            .and_then(|text| Address::parse(text).ok())
            .is_some_and(|a| {
                self.directory.has_house_at(a.as_str()) && !self.added.contains(a.as_str())
            })
    }

    fn parse(&mut self, fields: &mut Fields) -> Option<HouseDetails> {
        houses::parse(fields, self.today, &self.directory)
    }

    fn save(
        &mut self,
        sink: &mut dyn ImportSink,
        details: HouseDetails,
    ) -> sojourn_store::Result<()> {
        let house = sink.create_house(&details)?;
        // Later rows of the same file must not repeat the address.
        self.directory.add_house(house, details.address.as_str());
        self.added.insert(details.address.to_string());
        Ok(())
    }
}

struct EmployerImporter {
    directory: Directory,
}

impl RowImporter for EmployerImporter {
    type Record = (Uscc, EmployerDetails);

    /// An employer is known by its credit code (in the import's scope);
    /// this run's own employers are not in the directory, so a repeat
    /// within the file is refused by the store.
    fn on_file(&self, fields: &Fields) -> bool {
        fields
            .text("uscc")
            .and_then(|text| Uscc::parse(text).ok())
            .is_some_and(|uscc| self.directory.employer(&uscc).is_ok())
    }

    fn parse(&mut self, fields: &mut Fields) -> Option<Self::Record> {
        employers::parse(fields, &self.directory)
    }

    fn save(
        &mut self,
        sink: &mut dyn ImportSink,
        (uscc, details): Self::Record,
    ) -> sojourn_store::Result<()> {
        sink.create_employer(&uscc, &details)
    }
}

struct OutflowImporter {
    today: Date,
    directory: Directory,
}

impl RowImporter for OutflowImporter {
    type Record = (IdNumber, OutflowDetails, Option<PastDate>);

    fn parse(&mut self, fields: &mut Fields) -> Option<Self::Record> {
        let (id_number, details) = outflows::parse(fields, self.today, &self.directory)?;
        let returned_on = outflows::parse_return(fields, &details, self.today)?;
        Some((id_number, details, returned_on))
    }

    /// A record whose person came back is stored, then closed
    /// (`ImportSink::create_outflow`), so a later record of the same number
    /// (they left again) finds this one closed. The same departure on file,
    /// open or closed, is refused by the store (`OutflowOnFile`) before
    /// anything is written, so an imported file imported again writes
    /// nothing.
    fn save(
        &mut self,
        sink: &mut dyn ImportSink,
        (id_number, details, returned_on): Self::Record,
    ) -> sojourn_store::Result<()> {
        sink.create_outflow(&id_number, &details, returned_on)
    }
}
