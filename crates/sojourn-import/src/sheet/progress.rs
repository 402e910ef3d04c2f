//! Progress on stderr while a sheet is read: a line now and then while a
//! person watches, and the count of rows read at the end. Kept apart so
//! the import's reader thread only ticks it.

use std::io::IsTerminal;
use std::path::Path;

/// Rows between progress lines.
const PROGRESS_EVERY: u64 = 10_000;

/// A progress line on stderr while a person watches, and the count read
/// at the end; nothing at all unless the caller asked (the web layer
/// does not).
pub(super) struct Progress {
    summary: bool,
    live: bool,
    rows: u64,
}

impl Progress {
    pub(super) fn new(summary: bool, live: bool) -> Self {
        Self {
            summary,
            live: summary && live && std::io::stderr().is_terminal(),
            rows: 0,
        }
    }

    pub(super) fn tick(&mut self) {
        self.rows += 1;
        if self.live && self.rows.is_multiple_of(PROGRESS_EVERY) {
            eprint!("\r{} rows read / 已读取 {} 行…", self.rows, self.rows);
        }
    }

    pub(super) fn finish(&self, path: &Path) {
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
