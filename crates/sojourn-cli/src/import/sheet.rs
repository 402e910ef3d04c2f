//! `sojourn import` of a sheet as staff keep it (.xlsx, or CSV with the
//! form's Chinese headers, title rows and all): `sojourn-sheets` reads and
//! normalises the rows; rows already in the register and repeats within
//! the file are set aside; the rest go, as the machine-form CSV, through
//! the same import as a CSV file (`super::run`: the same parsers, the same
//! batched writer). The report names every row of the sheet by the number
//! Excel shows and every column by the header the sheet wrote.
//!
//! `--dry-run` checks each row with the same parsers against the same
//! directory, and writes nothing (store-side conflicts such as 重卡 show
//! only in a real import).

use super::ImportReport;
use crate::error::{CliError, Result};
use crate::registers::{
    Directory, Register, employers, for_each_page, houses, outflows, residents,
};
use crate::table::{Fields, Header, Refusal};
use sojourn_domain::Localized;
use sojourn_domain::codes::IdNumber;
use sojourn_domain::unit::Scope;
use sojourn_sheets::{Form, Layout, Problem, Report, RowOutcome, SheetRow, Status};
use sojourn_store::{
    EmployerQuery, HouseQuery, OutflowQuery, ResidentQuery, ResidentSort, StatusFilter, Store,
};
use std::collections::{HashMap, HashSet};
use std::io::{BufReader, IsTerminal, Read, Write};
use std::ops::ControlFlow;
use std::path::Path;
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
                .map_err(|e| CliError::file(&path.display().to_string(), e))?;
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

/// A register up to this size is loaded whole to find the rows imported
/// before; a larger one is asked row by row, since its pages come by
/// offset and loading it whole would take time growing with the square of
/// its size.
const LOAD_WHOLE_UP_TO: u64 = 50_000;

/// How rows imported before are found.
enum Existing {
    /// The keys of every record of the register.
    Keys(HashSet<String>),
    /// A person's stays looked up by ID number (residents, large registers).
    AskStore,
}

fn existing(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
    load_whole_up_to: u64,
) -> Result<Existing> {
    if register == Register::Residents {
        let first = ResidentQuery {
            status: StatusFilter::Any,
            page: sojourn_store::PageRequest::new(0, 1)
                .ok_or_else(|| CliError::Internal("page size".into()))?,
            ..ResidentQuery::default()
        };
        if store.search_residents(scope, &first)?.total > load_whole_up_to {
            return Ok(Existing::AskStore);
        }
    }
    existing_keys(store, scope, register).map(Existing::Keys)
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
struct Screen<'a> {
    form: Form,
    today: Date,
    store: &'a dyn Store,
    scope: &'a Scope,
    existing: Existing,
    /// Key → first row holding it.
    seen: HashMap<String, u64>,
}

impl Screen<'_> {
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
        if self.is_imported(row, &key) {
            let problem = Problem::new(None, &RowError::AlreadyImported);
            return Some(outcome(row.row, Status::AlreadyImported, vec![problem]));
        }
        if let Some(first) = self.seen.get(&key) {
            let problem = Problem::new(None, &RowError::RepeatedInFile(*first));
            return Some(outcome(row.row, Status::Refused, vec![problem]));
        }
        self.seen.insert(key, row.row);
        None
    }
}

impl Screen<'_> {
    /// Whether the register holds the row's record already.
    fn is_imported(&self, row: &SheetRow, key: &str) -> bool {
        match &self.existing {
            Existing::Keys(keys) => keys.contains(key),
            Existing::AskStore => self.has_stay(row).unwrap_or_else(|error| {
                // The row goes on to the import, where the store says why.
                tracing::warn!(
                    row = row.row,
                    code = error.code(),
                    "looking up a stay failed"
                );
                false
            }),
        }
    }

    /// Whether the row's person has a stay with the row's arrival date.
    fn has_stay(&self, row: &SheetRow) -> sojourn_store::Result<bool> {
        let form = self.form;
        let (Some(id), Some(arrived)) =
            (row.value(form, "id_number"), row.value(form, "arrived_on"))
        else {
            return Ok(false);
        };
        let Ok(id) = IdNumber::parse_as_of(id, self.today) else {
            return Ok(false);
        };
        let Some(person) = self.store.find_person(self.scope, &id)? else {
            return Ok(false);
        };
        let stays = self.store.residences_of(self.scope, person.id)?;
        Ok(stays
            .iter()
            .any(|s| s.stay.arrived_on.to_string() == arrived))
    }
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
/// at the end.
struct Progress {
    shown: bool,
    rows: u64,
}

impl Progress {
    fn new(shown: bool) -> Self {
        Self {
            shown: shown && std::io::stderr().is_terminal(),
            rows: 0,
        }
    }

    fn tick(&mut self) {
        self.rows += 1;
        if self.shown && self.rows.is_multiple_of(PROGRESS_EVERY) {
            eprint!("\r{} rows read / 已读取 {} 行…", self.rows, self.rows);
        }
    }

    fn finish(&self, path: &Path) {
        if self.shown {
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

/// Imports (or with `dry_run` only checks) the sheet at `path`.
pub fn run(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
    path: &Path,
    today: Date,
    dry_run: bool,
) -> Result<Report> {
    run_with(
        store,
        scope,
        register,
        path,
        today,
        dry_run,
        LOAD_WHOLE_UP_TO,
    )
}

/// [`run`], loading the register whole to find rows imported before only
/// up to `load_whole_up_to` records (tests use 0 to take the other way).
#[doc(hidden)]
pub fn run_with(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
    path: &Path,
    today: Date,
    dry_run: bool,
    load_whole_up_to: u64,
) -> Result<Report> {
    let form = form_of(register);
    let screen = Screen {
        form,
        today,
        store,
        scope,
        existing: existing(store, scope, register, load_whole_up_to)?,
        seen: HashMap::new(),
    };
    let file = path.display().to_string();
    let (layout, outcomes) = if dry_run {
        check_only(store, scope, register, path, today, screen)?
    } else {
        import(store, scope, register, path, today, screen)?
    };
    Ok(Report::new(
        register.key(),
        &file,
        dry_run,
        layout.ignored.clone(),
        outcomes,
    ))
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

/// A refusal of the CSV import's parsers, its column named as the sheet
/// writes it.
fn problem_of(layout: &Layout, refusal: &Refusal) -> Problem {
    Problem {
        column: refusal.column.map(|key| layout.header_of(key)),
        code: refusal.code.to_owned(),
        message_zh: refusal.message_zh.clone(),
        message_en: refusal.message_en.clone(),
    }
}

/// Refusals and warnings of rows, by index into the outcomes, waiting for
/// the layout that names their columns.
type Pending = Vec<(usize, Vec<Refusal>, Vec<Refusal>)>;

fn settle(layout: &Layout, rows: &mut [RowOutcome], pending: Pending) {
    for (index, refusals, warnings) in pending {
        let Some(outcome) = rows.get_mut(index) else {
            continue;
        };
        if !refusals.is_empty() {
            outcome.status = Status::Refused;
        }
        outcome.problems = refusals.iter().map(|r| problem_of(layout, r)).collect();
        outcome.warnings = warnings.iter().map(|r| problem_of(layout, r)).collect();
    }
}

/// The dry run: every row through its register's parser, nothing stored.
fn check_only(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
    path: &Path,
    today: Date,
    mut screen: Screen,
) -> Result<(Layout, Vec<RowOutcome>)> {
    let form = screen.form;
    let header = Header::read(&machine_header(form), register.columns())?;
    let directory = Directory::load(store, scope)?;
    let context = residents::Context {
        today,
        directory: &directory,
    };
    let mut rows = Vec::new();
    let mut pending: Pending = Vec::new();
    let mut progress = Progress::new(true);
    let layout = sojourn_sheets::read_file(path, form, &mut |row| {
        progress.tick();
        if let Some(decided) = screen.screen(&row) {
            rows.push(decided);
            return ControlFlow::Continue(());
        }
        let record = record_of(&row);
        let mut fields = Fields::new(&header, &record, row.row);
        let parsed = match register {
            Register::Residents => residents::parse(&mut fields, &context).is_some(),
            Register::Houses => houses::parse(&mut fields, today, &directory).is_some(),
            Register::Employers => employers::parse(&mut fields, &directory).is_some(),
            Register::Outflows => outflows::parse(&mut fields, today, &directory).is_some(),
        };
        let (refusals, warnings) = fields.finish();
        let status = if parsed && refusals.is_empty() {
            Status::Accepted
        } else {
            Status::Refused
        };
        rows.push(outcome(row.row, status, Vec::new()));
        if !refusals.is_empty() || !warnings.is_empty() {
            pending.push((rows.len() - 1, refusals, warnings));
        }
        ControlFlow::Continue(())
    });
    progress.finish(path);
    let layout = layout?;
    settle(&layout, &mut rows, pending);
    Ok((layout, rows))
}

/// CSV bytes between the sheet reader and the import, in chunks of
/// about this size.
const CHUNK: usize = 64 * 1024;

/// The writing end of the pipe: chunks go over a bounded channel, so the
/// reader stays at most a few chunks ahead of the import.
struct PipeWriter {
    sender: SyncSender<Vec<u8>>,
    buffer: Vec<u8>,
}

impl Write for PipeWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        self.sender
            .send(chunk)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

/// The reading end: the chunks in order, then end of file once the writer
/// is gone.
struct PipeReader {
    receiver: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    position: usize,
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.position == self.chunk.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    self.chunk = chunk;
                    self.position = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len() - self.position);
        out[..n].copy_from_slice(&self.chunk[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

/// What the sheet reader hands back: the layout, the rows it decided, and
/// the sheet row of each row it passed on (in order: the CSV import's row
/// `n` is sheet row `passed[n - 2]`).
type ReadOutcome = (Layout, Vec<RowOutcome>, Vec<u64>);

/// The real import: the sheet reader on its own thread writes the rows it
/// passes as machine-form CSV into a pipe that the CSV import reads.
fn import(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
    path: &Path,
    today: Date,
    mut screen: Screen,
) -> Result<(Layout, Vec<RowOutcome>)> {
    let form = screen.form;
    let (sender, receiver) = sync_channel(4);
    let (read, imported) = std::thread::scope(|threads| {
        let reader = threads.spawn(move || -> Result<ReadOutcome> {
            let pipe = PipeWriter {
                sender,
                buffer: Vec::with_capacity(CHUNK),
            };
            let mut csv = csv::Writer::from_writer(pipe);
            csv.write_record(&machine_header(form))?;
            let mut decided = Vec::new();
            let mut passed = Vec::new();
            let mut broken = false;
            // The resident import shows its own progress line.
            let mut progress = Progress::new(register != Register::Residents);
            let layout = sojourn_sheets::read_file(path, form, &mut |row| {
                progress.tick();
                if let Some(outcome) = screen.screen(&row) {
                    decided.push(outcome);
                } else if csv.write_record(&record_of(&row)).is_err() {
                    // The import stopped; it reports why.
                    broken = true;
                    return ControlFlow::Break(());
                } else {
                    passed.push(row.row);
                }
                ControlFlow::Continue(())
            });
            if !broken {
                // A closed pipe here means the import stopped; it reports why.
                let _ = csv.flush();
            }
            drop(csv);
            progress.finish(path);
            Ok((layout?, decided, passed))
        });
        let input = BufReader::with_capacity(
            CHUNK,
            PipeReader {
                receiver,
                chunk: Vec::new(),
                position: 0,
            },
        );
        let imported = super::run(store, scope, register, input, today);
        let read = reader
            .join()
            .map_err(|_| CliError::Internal("the sheet reader thread panicked".into()));
        (read, imported)
    });
    // A sheet that could not be read says so, whatever the import made of
    // the rows before the fault.
    let (layout, mut rows, passed) = read??;
    let report = imported?;
    merge(&layout, &mut rows, &passed, report);
    Ok((layout, rows))
}

/// Adds the rows the CSV import took: refused with its reasons, or accepted.
fn merge(layout: &Layout, rows: &mut Vec<RowOutcome>, passed: &[u64], report: ImportReport) {
    let sheet_row = |csv_row: u64| {
        usize::try_from(csv_row)
            .ok()
            .and_then(|r| r.checked_sub(2))
            .and_then(|i| passed.get(i).copied())
    };
    let mut refusals: HashMap<u64, Vec<Problem>> = HashMap::new();
    for refusal in &report.refusals {
        match sheet_row(refusal.row) {
            Some(row) => refusals
                .entry(row)
                .or_default()
                .push(problem_of(layout, refusal)),
            None => tracing::warn!(row = refusal.row, "a refusal names no row of the sheet"),
        }
    }
    let mut warnings: HashMap<u64, Vec<Problem>> = HashMap::new();
    for warning in &report.warnings {
        if let Some(row) = sheet_row(warning.row) {
            warnings
                .entry(row)
                .or_default()
                .push(problem_of(layout, warning));
        }
    }
    let before = rows.len();
    for &row in passed {
        let problems = refusals.remove(&row).unwrap_or_default();
        let status = if problems.is_empty() {
            Status::Accepted
        } else {
            Status::Refused
        };
        rows.push(RowOutcome {
            row,
            status,
            problems,
            warnings: warnings.remove(&row).unwrap_or_default(),
        });
    }
    let accepted = rows[before..]
        .iter()
        .filter(|r| r.status == Status::Accepted)
        .count() as u64;
    if accepted != report.accepted {
        tracing::warn!(
            accepted,
            stored = report.accepted,
            "sheet rows and stored rows disagree"
        );
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
    for outcome in &report.rows {
        let kind = match outcome.status {
            Status::Refused => "refused",
            Status::AlreadyImported => "already imported",
            Status::Accepted => continue,
        };
        for problem in &outcome.problems {
            line(out, kind, outcome.row, problem)?;
        }
    }
    for outcome in &report.rows {
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
