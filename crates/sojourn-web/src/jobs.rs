//! Where export and import jobs live between requests and across restarts
//! (issue 17). A job is a row of the store (`sojourn_store::jobs`): whose
//! it is, where it stands, the rows it has done; its file (an export, an
//! import's report) is in the server's jobs directory ([`JobFiles`]),
//! `sojourn serve --jobs-dir` (`jobs/` under the working directory by
//! default), kept for `--job-retention-hours`.
//!
//! A restart: the server marks at start ([`recover`]) every job the one
//! before left running — an export failed ("导出进行中服务器重新启动…"),
//! an import interrupted with the rows it had committed — and deletes
//! their partial files. A finished export's file and an import's report
//! stay downloadable until they expire.
//!
//! Expiry: [`sweep`] runs at start, when a job starts, and every few
//! minutes ([`sweep_every`]); it deletes each expired job's file, then
//! its row. Deletion overwrites the file with zeros (synced) before
//! unlinking it ([`delete_file`]): an export holds personal data, and on
//! the plain disk of an office server (ext4, no snapshots) the overwrite
//! keeps the old blocks from being read back after the unlink. On an SSD
//! or a copy-on-write file system the overwrite may land elsewhere, so
//! DEPLOYMENT.md asks for an encrypted disk as well; the overwrite costs
//! one sequential write of the file, in the background.

use sojourn_domain::account::AccountId;
use sojourn_store::Store;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a job and its file are kept after it started, by default.
pub const DEFAULT_KEEP: Duration = Duration::from_secs(24 * 60 * 60);

/// How often the server looks for expired jobs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);

/// The jobs directory and how long files are kept in it.
#[derive(Debug, Clone)]
pub struct JobFiles {
    dir: PathBuf,
    keep: Duration,
}

impl Default for JobFiles {
    /// The system's temporary directory (tests, `demo`); `serve` names its
    /// own.
    fn default() -> Self {
        Self {
            dir: std::env::temp_dir(),
            keep: DEFAULT_KEEP,
        }
    }
}

impl JobFiles {
    /// Files in `dir`, created (owner-only) if missing, kept for `keep`.
    pub fn new(dir: PathBuf, keep: Duration) -> std::io::Result<Self> {
        create_private_dir(&dir)?;
        Ok(Self { dir, keep })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn keep(&self) -> Duration {
        self.keep
    }

    /// The path of the job file `name` (a bare name, as the store keeps).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// When a job started now expires.
    pub fn expires(&self, now: time::OffsetDateTime) -> time::OffsetDateTime {
        now + self.keep
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// The owner of a job as the store keeps it.
pub fn owner_key(account: AccountId) -> String {
    format!("account:{}", account.0)
}

/// Overwrites the file at `path` with zeros, syncs it, and unlinks it; a
/// file already gone is no error.
pub fn delete_file(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    match std::fs::OpenOptions::new().write(true).open(path) {
        Ok(mut file) => {
            let length = file.metadata()?.len();
            let zeros = vec![0_u8; 64 * 1024];
            let mut left = length;
            while left > 0 {
                let n = usize::try_from(left.min(zeros.len() as u64)).unwrap_or(zeros.len());
                file.write_all(&zeros[..n])?;
                left -= n as u64;
            }
            file.sync_all()?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Deletes the file of every expired job, then the job. A file that
/// cannot be deleted keeps its job, to be tried again next time.
pub fn sweep(store: &dyn Store, files: &JobFiles) -> sojourn_store::Result<usize> {
    let expired = store.expired_jobs_unscoped(time::OffsetDateTime::now_utc())?;
    let mut forgotten = 0;
    for job in expired {
        if let Some(name) = &job.file
            && let Err(error) = delete_file(&files.path(name))
        {
            tracing::warn!(job = %job.id, "expired job file not deleted: {error}");
            continue;
        }
        store.forget_job_unscoped(&job.id)?;
        forgotten += 1;
    }
    Ok(forgotten)
}

/// At start: marks the jobs the server before left running (their
/// partial files deleted) and sweeps expired ones.
pub fn recover(store: &dyn Store, files: &JobFiles) -> sojourn_store::Result<()> {
    let marked = store.interrupt_running_jobs_unscoped(time::OffsetDateTime::now_utc())?;
    for job in &marked {
        // An interrupted import's report was never written; an export's
        // file is a fragment.
        if let Some(name) = &job.file
            && let Err(error) = delete_file(&files.path(name))
        {
            tracing::warn!(job = %job.id, "partial job file not deleted: {error}");
        }
        tracing::warn!(job = %job.id, kind = job.kind.key(), rows = job.rows,
            "a job left running by the last server is marked {}", job.status.key());
    }
    sweep(store, files)?;
    Ok(())
}

/// Sweeps expired jobs every [`SWEEP_EVERY`], for as long as the server
/// runs.
pub async fn sweep_every(store: std::sync::Arc<dyn Store>, files: JobFiles) {
    let mut ticks = tokio::time::interval(SWEEP_EVERY);
    loop {
        ticks.tick().await;
        let (store, files) = (std::sync::Arc::clone(&store), files.clone());
        let swept = tokio::task::spawn_blocking(move || sweep(store.as_ref(), &files)).await;
        if let Ok(Err(error)) = swept {
            tracing::warn!("job sweep failed: {error}");
        }
    }
}

/// Records a running job's rows in the store every `every` until `done`
/// says so, so a restart finds what the job had done. Runs on the calling
/// thread: start it in a scope beside the job.
pub fn record_progress(
    store: &dyn Store,
    id: &str,
    every: Duration,
    done: &std::sync::atomic::AtomicBool,
    rows: impl Fn() -> (u64, u64),
) {
    use std::sync::atomic::Ordering;
    let mut last = (0, 0);
    let step = Duration::from_millis(50).min(every);
    let mut waited = Duration::ZERO;
    while !done.load(Ordering::Acquire) {
        std::thread::sleep(step);
        waited += step;
        if waited < every {
            continue;
        }
        waited = Duration::ZERO;
        let now = rows();
        if now != last {
            if let Err(error) = store.job_progress_unscoped(id, now.0, now.1) {
                tracing::warn!(job = %id, "job progress not recorded: {error}");
            }
            last = now;
        }
    }
}

/// How often a running job's rows are recorded.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(1);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_file_is_zeroed_then_gone_and_a_missing_one_is_no_error() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("export.csv");
        std::fs::write(&path, "110101199001011234".repeat(10_000)).expect("written");
        // A second name for the same blocks shows what the overwrite left.
        let link = dir.path().join("link");
        std::fs::hard_link(&path, &link).expect("a hard link");
        delete_file(&path).expect("deleted");
        assert!(!path.exists());
        let left = std::fs::read(&link).expect("the blocks");
        assert_eq!(left.len(), 180_000);
        assert!(left.iter().all(|b| *b == 0), "overwritten before unlinking");
        delete_file(&path).expect("already gone is fine");
    }

    #[cfg(unix)]
    #[test]
    fn the_jobs_directory_is_the_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("a directory");
        let jobs = JobFiles::new(dir.path().join("jobs"), DEFAULT_KEEP).expect("created");
        let mode = std::fs::metadata(jobs.dir())
            .expect("there")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
