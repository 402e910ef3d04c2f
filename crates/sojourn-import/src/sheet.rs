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

use crate::error::{ImportError, Result};
use crate::machine::ImportReport;
use crate::registers::{
    Directory, Register, employers, for_each_page, houses, outflows, residents,
};
use crate::table::{Fields, Header, Refusal, RowSource, SourceRow};
use sojourn_domain::Localized;
use sojourn_domain::codes::IdNumber;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_sheets::{
    Form, Layout, Limits, Problem, Report, ReportWriter, RowFile, RowOutcome, SheetRow, Status,
};
use sojourn_store::{
    Actor, EmployerQuery, HouseQuery, OutflowQuery, ResidentQuery, ResidentSort, StatusFilter,
    Store,
};
use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Read, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use thiserror::Error;
use time::Date;

/// The form a register's sheets are read as.
pub fn form_of(register: Register) -> Form {
    match register {
        Register::Residents => Form::Residents,
        Register::Houses => Form::Houses,
        Register::Employers => Form::Employers,
        Register::Outflows => Form::Outflows,
    }
}

/// Whether `path` must be read as a sheet: an .xlsx file, or a CSV file
/// whose first line is not the machine form's header (English keys), which
/// the plain CSV import reads.
pub fn is_sheet(path: &Path, register: Register) -> Result<bool> {
    match sojourn_sheets::FileKind::of(path)? {
        sojourn_sheets::FileKind::Xlsx => Ok(true),
        sojourn_sheets::FileKind::Csv => {
            let mut first = Vec::with_capacity(4096);
            std::fs::File::open(path)
                .and_then(|f| f.take(64 * 1024).read_to_end(&mut first))
                .map_err(|e| ImportError::file(&path.display().to_string(), e))?;
            let text = String::from_utf8_lossy(&first);
            let line = text
                .trim_start_matches('\u{feff}')
                .lines()
                .next()
                .unwrap_or("");
            let keys: Vec<&str> = register.columns().iter().map(|c| c.key).collect();
            let machine_form = !line.trim().is_empty()
                && line
                    .split(',')
                    .all(|cell| keys.contains(&cell.trim().to_ascii_lowercase().as_str()));
            Ok(!machine_form)
        }
    }
}

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
struct Screen {
    form: Form,
    today: Date,
    existing: Option<HashSet<String>>,
    /// Key → first row holding it.
    seen: HashMap<String, u64>,
    /// Row → the earlier row it repeats.
    repeats: HashMap<u64, u64>,
}

impl Screen {
    /// `Some` when the row is decided here.
    fn screen(&mut self, row: &SheetRow) -> Option<RowOutcome> {
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
}

fn already_imported(row: u64) -> RowOutcome {
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

/// Rows between progress lines.
const PROGRESS_EVERY: u64 = 10_000;

/// A progress line on stderr while a person watches, and the count read
/// at the end; nothing at all unless the caller asked (the web layer
/// does not).
struct Progress {
    summary: bool,
    live: bool,
    rows: u64,
}

impl Progress {
    fn new(summary: bool, live: bool) -> Self {
        Self {
            summary,
            live: summary && live && std::io::stderr().is_terminal(),
            rows: 0,
        }
    }

    fn tick(&mut self) {
        self.rows += 1;
        if self.live && self.rows.is_multiple_of(PROGRESS_EVERY) {
            eprint!("\r{} rows read / 已读取 {} 行…", self.rows, self.rows);
        }
    }

    fn finish(&self, path: &Path) {
        if !self.summary {
            return;
        }
        if self.live {
            eprint!("\r");
        }
        eprintln!(
            "{} rows read from {} / 已读取 {} 行",
            self.rows,
            path.display(),
            self.rows
        );
    }
}

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
    let form = form_of(register);
    let mut screen = Screen {
        form,
        today,
        existing: existing(store, scope, register)?,
        seen: HashMap::new(),
        repeats: HashMap::new(),
    };
    let directory = Directory::load(store, scope)?;
    if let Some(unit) = &options.unit
        && directory.unit(unit.as_str()).is_err()
    {
        return Err(ImportError::UnitNotInScope(unit.to_string()));
    }
    let checker = Checker {
        register,
        header: Header::read(&machine_header(form), register.columns())?,
        directory,
        today,
        store,
        scope,
        chosen_unit: options.unit.clone(),
        sheet_unit: OnceLock::new(),
    };
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
            .repeats
            .get(&row.row)
            .is_some_and(|first| already.contains(first))
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

/// The machine-form header all rows are given to the parsers under.
fn machine_header(form: Form) -> csv::StringRecord {
    form.fields().iter().map(|f| f.key).collect()
}

fn record_of(row: &SheetRow) -> csv::StringRecord {
    row.values
        .iter()
        .map(|v| v.as_deref().unwrap_or_default())
        .collect()
}

/// A refusal of the machine-form import's parsers, its column named as
/// the sheet writes it.
fn problem_of(layout: &Layout, refusal: &Refusal) -> Problem {
    Problem {
        column: refusal.column.map(|key| layout.header_of(key)),
        code: refusal.code.to_owned(),
        message_zh: refusal.message_zh.clone(),
        message_en: refusal.message_en.clone(),
    }
}

/// Checks each row as it is read, with the register's own parser.
struct Checker<'a> {
    register: Register,
    header: Header,
    directory: Directory,
    today: Date,
    store: &'a dyn Store,
    scope: &'a Scope,
    /// The unit chosen for the sheet, in scope (checked before reading).
    chosen_unit: Option<UnitCode>,
    /// The unit rows without one are for, decided at the first row: the
    /// chosen one, or the one the title names when there is no column.
    sheet_unit: OnceLock<Option<UnitCode>>,
}

impl Checker<'_> {
    /// Gives a row without a unit the sheet's; refuses the sheet (before
    /// any row is imported: this runs on the first row) when it has no
    /// unit column and no unit was chosen or named in its title.
    fn fill_unit(&self, layout: &Layout, row: &mut SheetRow) -> Result<()> {
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
    fn check(
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

/// Rows between the sheet reader and the import, in chunks of this many.
const CHUNK_ROWS: usize = 256;
/// Chunks the sheet reader may be ahead of the import.
const CHUNKS_AHEAD: usize = 4;

/// A chunk of rows that passed the check: each with its sheet row.
type Chunk = Vec<(u64, csv::StringRecord)>;

/// The rows that passed the check, as the import reads them: the sheet
/// reader sends them over a bounded channel, so it stays at most a few
/// chunks ahead of the import, and each keeps the number its sheet shows.
struct SheetRows {
    header: csv::StringRecord,
    receiver: Receiver<Chunk>,
    chunk: std::vec::IntoIter<(u64, csv::StringRecord)>,
}

impl RowSource for SheetRows {
    fn header(&mut self) -> Result<csv::StringRecord> {
        Ok(self.header.clone())
    }

    /// The rows in order, then the end once the reader is gone.
    fn next_row(&mut self, cells: &mut csv::StringRecord) -> Result<Option<SourceRow>> {
        loop {
            if let Some((row, record)) = self.chunk.next() {
                *cells = record;
                return Ok(Some(SourceRow::Cells(row)));
            }
            match self.receiver.recv() {
                Ok(chunk) => self.chunk = chunk.into_iter(),
                Err(_) => return Ok(None),
            }
        }
    }
}

/// The sending end: a chunk goes when full, and the rest at the end.
struct ChunkSender {
    sender: SyncSender<Chunk>,
    chunk: Chunk,
}

impl ChunkSender {
    /// `false` when the import has stopped (it reports why).
    fn push(&mut self, row: u64, record: csv::StringRecord) -> bool {
        self.chunk.push((row, record));
        self.chunk.len() < CHUNK_ROWS || self.flush()
    }

    fn flush(&mut self) -> bool {
        if self.chunk.is_empty() {
            return true;
        }
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_ROWS));
        self.sender.send(chunk).is_ok()
    }
}

/// What the sheet reader hands back: the layout, and how many rows it
/// passed on to the import.
type ReadOutcome = (Layout, u64);

/// The real import: the sheet reader on its own thread checks each row and
/// passes the rows that pass, with their sheet rows, to the import.
fn import(
    checker: &Checker,
    path: &Path,
    actor: &Actor,
    screen: &mut Screen,
    rows: &mut RowFile,
    options: &Options,
) -> Result<(Layout, Verdict)> {
    let (register, form) = (checker.register, screen.form);
    let (sender, receiver) = sync_channel(CHUNKS_AHEAD);
    let (read, imported) = std::thread::scope(|threads| {
        let reader = threads.spawn(move || -> Result<ReadOutcome> {
            let mut passing = ChunkSender {
                sender,
                chunk: Vec::with_capacity(CHUNK_ROWS),
            };
            let mut passed = 0_u64;
            let mut failed = None;
            let mut broken = false;
            // The resident import shows its own progress line.
            let mut progress = Progress::new(options.progress, register != Register::Residents);
            let layout =
                sojourn_sheets::read_file(path, form, &options.limits, &mut |layout, mut row| {
                    progress.tick();
                    let record = match checker.fill_unit(layout, &mut row) {
                        Ok(()) => record_of(&row),
                        Err(error) => {
                            failed = Some(error);
                            return ControlFlow::Break(());
                        }
                    };
                    let outcome = match checker.check(layout, screen, &row, &record) {
                        Ok(outcome) => outcome,
                        Err(error) => {
                            failed = Some(error);
                            return ControlFlow::Break(());
                        }
                    };
                    if outcome.status == Status::Accepted {
                        if !passing.push(row.row, record) {
                            // The import stopped; it reports why.
                            broken = true;
                            return ControlFlow::Break(());
                        }
                        passed += 1;
                    }
                    if let Err(error) = rows.push(&outcome) {
                        failed = Some(error.into());
                        return ControlFlow::Break(());
                    }
                    ControlFlow::Continue(())
                });
            if !broken {
                // A closed channel here means the import stopped; it reports why.
                passing.flush();
            }
            drop(passing);
            progress.finish(path);
            if let Some(error) = failed {
                return Err(error);
            }
            Ok((layout?, passed))
        });
        let source = SheetRows {
            header: machine_header(form),
            receiver,
            chunk: Vec::new().into_iter(),
        };
        let imported = crate::machine::run_rows(
            checker.store,
            checker.scope,
            register,
            source,
            checker.today,
            actor,
            crate::machine::Running {
                progress: options.progress,
                bulk_load: options.bulk_load,
                // The sheet reader has the remarks already, from the same parser.
                warnings: false,
                dry_run: options.dry_run,
            },
        );
        let read = reader
            .join()
            .map_err(|_| ImportError::Internal("the sheet reader thread panicked".into()));
        (read, imported)
    });
    // A sheet that could not be read says so, whatever the import made of
    // the rows before the fault.
    let (layout, passed) = read??;
    let report = imported?;
    Ok((layout, Verdict::of(passed, report)))
}

/// What the import made of the rows the reader passed on, by sheet row.
#[derive(Default)]
struct Verdict {
    /// Refused by the store (or its parsers), with the reasons.
    refused: HashMap<u64, Vec<Refusal>>,
    /// On file already (residents: an earlier run of the same file).
    already: HashSet<u64>,
}

impl Verdict {
    /// The import's verdict on the `passed` rows it was given, which kept
    /// their sheet rows.
    fn of(passed: u64, report: ImportReport) -> Self {
        let mut refused: HashMap<u64, Vec<Refusal>> = HashMap::new();
        for refusal in report.refusals {
            refused.entry(refusal.row).or_default().push(refusal);
        }
        let already: HashSet<u64> = report.already_imported.iter().copied().collect();
        let accepted = passed
            .saturating_sub(refused.len() as u64)
            .saturating_sub(already.len() as u64);
        if accepted != report.accepted {
            tracing::warn!(
                accepted,
                stored = report.accepted,
                "sheet rows and stored rows disagree"
            );
        }
        Self { refused, already }
    }

    /// The row's final outcome: a row the reader accepted is as the
    /// machine-form import decided it.
    fn settle(&self, layout: &Layout, row: RowOutcome) -> RowOutcome {
        if row.status != Status::Accepted {
            return row;
        }
        if self.already.contains(&row.row) {
            return already_imported(row.row);
        }
        match self.refused.get(&row.row) {
            Some(refusals) => RowOutcome {
                status: Status::Refused,
                problems: refusals.iter().map(|r| problem_of(layout, r)).collect(),
                ..row
            },
            None => row,
        }
    }
}

/// Each refusal, row set aside and warning, in row order, then the summary
/// (the lines of the CSV import, with the sheet's rows and headers).
pub fn print(report: &Report, register: Register, out: &mut impl Write) -> std::io::Result<()> {
    let line = |out: &mut dyn Write, kind: &str, row: u64, p: &Problem| {
        write!(out, "{kind} row {row}")?;
        if let Some(column) = &p.column {
            write!(out, ", {column}")?;
        }
        writeln!(out, " [{}]: {} / {}", p.code, p.message_zh, p.message_en)
    };
    let rows = || report.rows().map_err(std::io::Error::other);
    for outcome in rows()? {
        let outcome = outcome.map_err(std::io::Error::other)?;
        let kind = match outcome.status {
            Status::Refused => "refused",
            Status::AlreadyImported => "already imported",
            Status::Accepted => continue,
        };
        for problem in &outcome.problems {
            line(out, kind, outcome.row, problem)?;
        }
    }
    for outcome in rows()? {
        let outcome = outcome.map_err(std::io::Error::other)?;
        for warning in &outcome.warnings {
            line(out, "warning", outcome.row, warning)?;
        }
    }
    for column in &report.ignored_columns {
        writeln!(out, "ignored column {column:?} / 已忽略列“{column}”")?;
    }
    let (accepted, refused, already) = (report.accepted, report.refused, report.already_imported);
    let (verb, verb_zh) = if report.dry_run {
        (
            "would be accepted (dry run, nothing written)",
            "可导入（试导入，未写入）",
        )
    } else {
        ("accepted", "导入")
    };
    writeln!(
        out,
        "{}: {accepted} {verb}, {refused} refused, {already} already imported / {}：{verb_zh} {accepted} 行，拒绝 {refused} 行，已导入过 {already} 行",
        register.key(),
        register.name_zh(),
    )
}
