//! Residents are imported in batches of 50,000 rows through
//! `Store::import_stays` (one transaction per batch, each row succeeding
//! or failing alone, each new stay brought to the status its row gives),
//! with the rows parsed on a second thread so that checking the next batch
//! overlaps with storing this one. A row repeating a stay on file (the same
//! person at the same unit since the same day, current or departed) is
//! answered "already registered" by the store, so a second run of a file
//! adds nothing. The files whose household registration was taken from the
//! ID number are then marked for the monitor. A dry run goes through
//! `Store::check_import_stays`, the same writes rolled back.

use super::{ImportReport, Running, store_refusal};
use crate::error::{ImportError, Result};
use crate::registers::residents::{self, Context, Outcome, ParsedStay};
use crate::table::{DOMICILE_FROM_ID_NUMBER, Header, Refusal, RowSource, read_rows};
use sojourn_domain::residence::{Arrival, ResidenceStatus};
use sojourn_domain::unit::Scope;
use sojourn_store::{Actor, StayImport, Store};
use std::collections::HashSet;
use std::io::IsTerminal;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

/// Rows per `register_arrivals` call. Each commit writes every index page
/// the batch touched; the unique ID number's index is random, so at a
/// million rows a batch of 10,000 rewrites most of it. 50,000 rows cut the
/// import's CPU time by a tenth (docs/PERFORMANCE.md) for about 100 MiB
/// more memory (two batches in flight, one being stored).
const BATCH_ROWS: usize = 50_000;
/// Batches parsed ahead of the store; more would only hold memory.
const BATCHES_AHEAD: usize = 2;

/// Checked rows on their way to the store, with the refusals found while
/// checking them.
#[derive(Default)]
struct Batch {
    arrivals: Vec<Arrival>,
    rows: Vec<u64>,
    /// The status each arrival's stay is brought to, in its transaction.
    statuses: Vec<ResidenceStatus>,
    /// ID numbers in this batch: a second stay of the same person must wait
    /// for the next batch, after the first has been stored (and departed).
    id_numbers: HashSet<String>,
    refusals: Vec<Refusal>,
    warnings: Vec<Refusal>,
    /// Whether each arrival's household registration was taken from its
    /// ID number (the ledger's place unreadable): the store marks its file
    /// for the monitor.
    domicile_from_id_number: Vec<bool>,
    rows_read: u64,
}

impl Batch {
    fn is_full(&self) -> bool {
        self.arrivals.len() >= BATCH_ROWS
    }

    fn push(&mut self, row: u64, stay: ParsedStay, domicile_from_id_number: bool) {
        self.domicile_from_id_number.push(domicile_from_id_number);
        self.id_numbers.insert(stay.arrival.id_number.to_string());
        self.arrivals.push(stay.arrival);
        self.rows.push(row);
        self.statuses.push(match stay.outcome {
            Outcome::Registered => ResidenceStatus::Registered,
            Outcome::Active => ResidenceStatus::Active,
            Outcome::Departed(departure) => ResidenceStatus::Departed(departure),
        });
    }
}

// The store, scope and actor the rows go to, the input, and how to run.
#[allow(clippy::too_many_arguments)]
pub(super) fn import(
    store: &dyn Store,
    scope: &Scope,
    source: impl RowSource + Send,
    header: &Header,
    context: &Context,
    actor: &Actor,
    run: Running,
    report: &mut ImportReport,
) -> Result<()> {
    // Into an empty register, the search indexes are built once at the
    // end instead of row by row; they come back even if the import fails.
    let deferred = run.bulk_load && !run.dry_run && store.begin_bulk_load_unscoped()?;
    let imported = pipeline(store, scope, source, header, context, actor, run, report);
    let restored = if deferred {
        store.finish_bulk_load_unscoped().map_err(ImportError::from)
    } else {
        Ok(())
    };
    imported.and(restored)
}

/// Parses on a second thread while this one stores.
// The store, scope and actor the rows go to, the input, and how to run.
#[allow(clippy::too_many_arguments)]
fn pipeline(
    store: &dyn Store,
    scope: &Scope,
    mut source: impl RowSource + Send,
    header: &Header,
    context: &Context,
    actor: &Actor,
    run: Running,
    report: &mut ImportReport,
) -> Result<()> {
    std::thread::scope(|threads| {
        let (sender, receiver) = sync_channel(BATCHES_AHEAD);
        let parser = threads.spawn(move || parse_batches(&mut source, header, context, sender));
        let stored = if run.dry_run {
            check_batches(store, scope, receiver, actor, run, report)
        } else {
            store_batches(store, scope, receiver, actor, run, report)
        };
        let parsed = parser
            .join()
            .map_err(|_| ImportError::Internal("the CSV parser thread panicked".into()))?;
        stored.and(parsed)
    })
}

/// Reads and checks every row, sending full batches to the store. Stops
/// early, without error, when the store side has hung up.
fn parse_batches(
    source: &mut impl RowSource,
    header: &Header,
    context: &Context,
    sender: SyncSender<Batch>,
) -> Result<()> {
    let mut batch = Batch::default();
    let mut unreadable = Vec::new();
    let mut hung_up = false;
    let outcome = read_rows(
        source,
        header,
        |r| unreadable.push(r),
        |mut fields| {
            batch.rows_read += 1;
            let parsed = residents::parse(&mut fields, context);
            let row = fields.row;
            let (refusals, warnings) = fields.finish();
            let domicile_from_id_number =
                warnings.iter().any(|w| w.code == DOMICILE_FROM_ID_NUMBER);
            batch.warnings.extend(warnings);
            let Some(stay) = parsed else {
                batch.refusals.extend(refusals);
                return Ok(());
            };
            let repeats = batch.id_numbers.contains(stay.arrival.id_number.as_str());
            if batch.is_full() || repeats {
                let full = std::mem::take(&mut batch);
                if sender.send(full).is_err() {
                    // Only stops the reading; the store side reports its own error.
                    hung_up = true;
                    return Err(ImportError::Internal("stopped".into()));
                }
            }
            batch.push(row, stay, domicile_from_id_number);
            Ok(())
        },
    );
    if hung_up {
        return Ok(());
    }
    outcome?;
    batch.refusals.extend(unreadable);
    // A closed channel here means the store side failed; it reports why.
    let _ = sender.send(batch);
    Ok(())
}

fn store_batches(
    store: &dyn Store,
    scope: &Scope,
    receiver: Receiver<Batch>,
    actor: &Actor,
    run: Running,
    report: &mut ImportReport,
) -> Result<()> {
    let (progress, keep_warnings) = (run.progress, run.warnings);
    let progress = Progress::new(progress);
    let mut rows_read = 0;
    // Where the time goes, for RUST_LOG=debug: waiting for the parser or
    // in the store.
    let (mut waiting, mut storing) = (Duration::ZERO, Duration::ZERO);
    let mut clock = Instant::now();
    for batch in receiver {
        waiting += clock.elapsed();
        clock = Instant::now();
        rows_read += batch.rows_read;
        store_batch(store, scope, batch, actor, report, keep_warnings)?;
        report.committed_so_far();
        storing += clock.elapsed();
        clock = Instant::now();
        progress.show(rows_read, report);
    }
    progress.finish();
    tracing::debug!(rows_read, ?waiting, ?storing, "resident import timing");
    Ok(())
}

/// The dry run: the same batches judged by the store as `store_batches`
/// stores them, in one transaction it rolls back.
fn check_batches(
    store: &dyn Store,
    scope: &Scope,
    receiver: Receiver<Batch>,
    actor: &Actor,
    run: Running,
    report: &mut ImportReport,
) -> Result<()> {
    let report = std::cell::RefCell::new(report);
    let rows: std::cell::RefCell<Vec<u64>> = std::cell::RefCell::new(Vec::new());
    let mut next = || {
        loop {
            let batch = receiver.recv().ok()?;
            let mut report = report.borrow_mut();
            report.refusals.extend(batch.refusals);
            if run.warnings {
                report.warnings.extend(batch.warnings);
            }
            if !batch.arrivals.is_empty() {
                *rows.borrow_mut() = batch.rows;
                return Some((batch.arrivals, batch.statuses));
            }
        }
    };
    let mut decided = |results: Vec<sojourn_store::Result<StayImport>>| {
        let mut report = report.borrow_mut();
        for (result, &row) in results.into_iter().zip(rows.borrow().iter()) {
            tally(&mut report, result, row);
        }
    };
    store.check_import_stays(scope, actor, &mut next, &mut decided)?;
    Ok(())
}

/// A row's outcome from the store, counted into the report.
fn tally(report: &mut ImportReport, result: sojourn_store::Result<StayImport>, row: u64) {
    match result {
        Ok(StayImport::Registered(_)) => report.accepted += 1,
        // An earlier run of the same file (finished or interrupted)
        // stored this row: the store found its stay on file.
        Ok(StayImport::AlreadyRegistered(_)) => report.already_imported.push(row),
        Err(error) => report.refusals.push(store_refusal(row, &error)),
    }
}

fn store_batch(
    store: &dyn Store,
    scope: &Scope,
    batch: Batch,
    actor: &Actor,
    report: &mut ImportReport,
    keep_warnings: bool,
) -> Result<()> {
    report.refusals.extend(batch.refusals);
    if keep_warnings {
        report.warnings.extend(batch.warnings);
    }
    if batch.arrivals.is_empty() {
        return Ok(());
    }
    let results = store.import_stays(scope, &batch.arrivals, &batch.statuses, actor)?;
    let mut guessed = Vec::new();
    for ((result, row), from_id) in results
        .into_iter()
        .zip(batch.rows)
        .zip(batch.domicile_from_id_number)
    {
        if let (Ok(StayImport::Registered(stay)), true) = (&result, from_id) {
            guessed.push(*stay);
        }
        tally(report, result, row);
    }
    if !guessed.is_empty() {
        store.mark_domicile_from_id_number(scope, &guessed)?;
    }
    Ok(())
}

/// A progress line on stderr, only when a person is watching it.
struct Progress {
    shown: bool,
}

impl Progress {
    fn new(wanted: bool) -> Self {
        Self {
            shown: wanted && std::io::stderr().is_terminal(),
        }
    }

    fn show(&self, rows_read: u64, report: &ImportReport) {
        if self.shown {
            eprint!(
                "\r{rows_read} rows read, {} accepted, {} refusals…",
                report.accepted,
                report.refusals.len()
            );
        }
    }

    fn finish(&self) {
        if self.shown {
            eprintln!();
        }
    }
}
