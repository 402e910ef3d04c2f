//! WAL checkpoints off the commit path.
//!
//! In WAL mode a commit appends pages to the log; a checkpoint copies them
//! back into the database file so the log can start over. Left to itself,
//! SQLite checkpoints inside the commit that crosses a threshold, holding
//! the one writer while it copies: every audited read (an audit entry is a
//! commit) queued behind it waits too. Under load that was a stall of
//! 200–400 ms every ten seconds or so (issue 18).
//!
//! So the writer only tells: after each commit its WAL hook sees how many
//! frames the log holds and, past [`WAKE_FRAMES`], wakes a thread of the
//! store's own that checkpoints on a connection of its own. A passive
//! checkpoint neither waits for nor blocks the writer or the readers, so
//! commits go on while it copies. The log is started over by the first
//! writer that finds it wholly copied; should steady writing never leave
//! it so, a log past [`RESTART_FRAMES`] gets a restarting checkpoint,
//! which holds new writers back while it waits, and gives up after
//! [`RESTART_PATIENCE`] rather than wait for a long read (an export).
//!
//! Should the thread fall behind, the writer still checkpoints itself past
//! [`BACKSTOP_FRAMES`], as SQLite's automatic checkpoint did: the log stays
//! bounded either way.

use crate::{Result, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Frames in the log (4 KiB pages) past which a commit wakes the
/// checkpointer: SQLite's own default threshold, 4 MiB.
pub(super) const WAKE_FRAMES: i32 = 1_000;

/// Frames in the log past which the writer checkpoints inside its own
/// commit, should the checkpointer not keep up (256 MiB): high, since a
/// batch of an import dirties tens of MiB of scattered index pages, and
/// checkpointing after every batch copies the same hot pages again and
/// again.
pub(super) const BACKSTOP_FRAMES: i32 = 65_536;

/// Frames in the log (64 MiB, the store's `journal_size_limit`) past which
/// the checkpointer makes the next writer start the log over.
const RESTART_FRAMES: i32 = 16_384;

/// How long a restarting checkpoint waits for readers on older snapshots,
/// holding new writers back meanwhile.
const RESTART_PATIENCE: Duration = Duration::from_millis(10);

/// What the writer's hook and the store tell the thread.
#[derive(Default)]
struct Signal {
    /// Commits have added frames since the last checkpoint began.
    pending: bool,
    /// The store is closing.
    stop: bool,
}

#[derive(Default)]
struct Shared {
    signal: Mutex<Signal>,
    wake: Condvar,
}

/// The checkpointer thread; stopped and joined when dropped.
pub(super) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on a connection of its own to `path`, and hooks
    /// `writer`'s commits to it (replacing SQLite's automatic checkpoint
    /// there, which is a WAL hook too).
    pub(super) fn start(path: &Path, writer: &mut Connection) -> Result<Self> {
        let conn = super::connect(path, OpenFlags::default())?;
        conn.busy_timeout(RESTART_PATIENCE)?;
        let shared = Arc::new(Shared::default());
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("sojourn-checkpoint".into())
                .spawn(move || run(&conn, &shared))
                .map_err(|e| StoreError::Internal(format!("checkpoint thread: {e}")))?
        };
        let hook = Arc::clone(&shared);
        writer.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, frames| {
            if frames >= BACKSTOP_FRAMES {
                // Busy when the thread is at it already: then it copies.
                let _ = wal.checkpoint();
            } else if frames >= WAKE_FRAMES {
                hook.notify();
            }
            // The commit is done whatever happened here.
            Ok(())
        }))?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }
}

impl Shared {
    fn notify(&self) {
        if let Ok(mut signal) = self.signal.lock() {
            signal.pending = true;
            self.wake.notify_one();
        }
    }

    /// Waits for work; `false` when the store is closing.
    fn next(&self) -> bool {
        let Ok(mut signal) = self.signal.lock() else {
            return false;
        };
        while !signal.pending && !signal.stop {
            signal = match self.wake.wait(signal) {
                Ok(signal) => signal,
                Err(_) => return false,
            };
        }
        signal.pending = false;
        !signal.stop
    }
}

fn run(conn: &Connection, shared: &Shared) {
    while shared.next() {
        if let Err(error) = checkpoint(conn) {
            tracing::warn!(%error, "WAL checkpoint failed; the writer's backstop remains");
        }
    }
}

/// A passive checkpoint, then a restarting one if the log has grown long.
fn checkpoint(conn: &Connection) -> Result<()> {
    use rusqlite::wal::CheckpointMode;
    let (frames, _) = match conn.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE) {
        Ok(counts) => counts,
        Err(error) if is_busy(&error) => return Ok(()),
        Err(error) => return Err(error.into()),
    };
    if frames >= RESTART_FRAMES {
        match conn.wal_checkpoint_v2(None::<&str>, CheckpointMode::RESTART) {
            Ok(_) => {}
            Err(error) if is_busy(&error) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

fn is_busy(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        if let Ok(mut signal) = self.shared.signal.lock() {
            signal.stop = true;
            self.shared.wake.notify_one();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
