//! The import proper and its verdict: the sheet reader, on its own thread,
//! checks each row and sends the rows that pass, in chunks over a bounded
//! channel, to the machine-form import (`crate::machine::run_rows`); the
//! import's verdict on them (stored, refused by the store, already on file)
//! is then mapped back to the sheet's rows. Kept apart because it owns the
//! threads and the channel.

use super::check::Checker;
use super::form::{machine_header, problem_of, record_of};
use super::progress::Progress;
use super::run::Options;
use super::screen::{Screen, already_imported};
use crate::error::{ImportError, Result};
use crate::machine::ImportReport;
use crate::registers::Register;
use crate::table::{Refusal, RowSource, SourceRow};
use sojourn_sheets::{Layout, RowFile, RowOutcome, Status};
use sojourn_store::Actor;
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

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
pub(super) fn import(
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
                committed: options.committed.clone(),
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
pub(super) struct Verdict {
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
    pub(super) fn settle(&self, layout: &Layout, row: RowOutcome) -> RowOutcome {
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
