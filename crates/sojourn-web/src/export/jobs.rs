//! Export jobs: each runs on the blocking pool writing a temporary file,
//! counts its rows for the progress page, and is kept for its account
//! alone (anyone else asking for it is told it does not exist) until it
//! expires, when its file is removed.

use super::{ExportError, ExportList, ExportSpec, FileNames, Progress, count, write_export};
use crate::auth::secret::{NoRandomness, random_bytes};
use serde_json::json;
use sojourn_domain::account::AccountId;
use sojourn_domain::unit::Scope;
use sojourn_store::{Actor, AuditAction, AuditEvent, Outcome, Store};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a job and its file are kept after it started.
pub const KEEP: Duration = Duration::from_secs(60 * 60);

/// Jobs one account may have running at once. An export of a million rows
/// holds a core for half a minute; a clerk clicking 导出 again while the
/// first runs should wait for it, not start a second copy, and a token
/// looping over the API must not take every core of a modest machine.
pub const RUNNING_PER_ACCOUNT: usize = 2;

/// Why no job was started.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotStarted {
    #[error(
        "you already have {0} exports running; wait until one is done, then start this one again"
    )]
    Busy(usize),
    #[error("{0}")]
    NoRandomness(#[from] NoRandomness),
}

impl sojourn_domain::Localized for NotStarted {
    fn code(&self) -> &'static str {
        match self {
            Self::Busy(_) => "export_jobs_busy",
            Self::NoRandomness(_) => "internal",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::Busy(n) => format!("您已有 {n} 个导出正在进行，请等其中一个完成后再导出"),
            Self::NoRandomness(_) => "服务器出错，请稍后再试".into(),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    Running,
    Done {
        rows: u64,
    },
    /// The error's code and messages (never a number).
    Failed {
        code: String,
        zh: String,
        en: String,
    },
}

/// One export job.
#[derive(Debug)]
pub struct Job {
    /// Random, unguessable: it appears in URLs.
    pub id: String,
    pub owner: AccountId,
    pub list: ExportList,
    /// The name the file downloads under.
    pub file_names: FileNames,
    pub content_type: &'static str,
    pub progress: Progress,
    pub path: PathBuf,
    started: Instant,
    state: Mutex<JobState>,
}

impl Job {
    pub fn state(&self) -> JobState {
        lock(&self.state).clone()
    }

    fn set(&self, state: JobState) {
        *lock(&self.state) = state;
    }
}

impl Drop for Job {
    /// The file goes with the job (expired, or the server stopping).
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A poisoned lock only means a panic elsewhere while it was held; the
/// map and states stay consistent (each change is one assignment).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The jobs of this server process.
#[derive(Debug)]
pub struct ExportJobs {
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    dir: PathBuf,
    keep: Duration,
}

impl Default for ExportJobs {
    fn default() -> Self {
        Self::new(std::env::temp_dir(), KEEP)
    }
}

impl ExportJobs {
    /// Jobs writing their files in `dir`, kept for `keep`.
    pub fn new(dir: PathBuf, keep: Duration) -> Self {
        Self {
            jobs: Mutex::new(HashMap::new()),
            dir,
            keep,
        }
    }

    /// Registers a job for `owner` (not started yet: see [`run`]), unless
    /// `owner` has [`RUNNING_PER_ACCOUNT`] jobs running already.
    pub fn create(
        &self,
        owner: AccountId,
        spec: &ExportSpec,
        names: FileNames,
    ) -> Result<Arc<Job>, NotStarted> {
        self.sweep();
        let mut jobs = lock(&self.jobs);
        let running = jobs
            .values()
            .filter(|job| job.owner == owner && job.state() == JobState::Running)
            .count();
        if running >= RUNNING_PER_ACCOUNT {
            return Err(NotStarted::Busy(running));
        }
        let id = new_id()?;
        let job = Arc::new(Job {
            path: self
                .dir
                .join(format!("sojourn-export-{id}.{}", spec.format.extension())),
            id: id.clone(),
            owner,
            list: spec.list,
            file_names: names,
            content_type: spec.format.content_type(),
            progress: Progress::default(),
            started: Instant::now(),
            state: Mutex::new(JobState::Running),
        });
        jobs.insert(id, Arc::clone(&job));
        Ok(job)
    }

    /// The job `id` of `list`, if `owner` started it and it has not
    /// expired; anyone else's is `None`, as if it did not exist.
    pub fn get(&self, id: &str, owner: AccountId, list: ExportList) -> Option<Arc<Job>> {
        self.sweep();
        lock(&self.jobs)
            .get(id)
            .filter(|job| job.owner == owner && job.list == list)
            .cloned()
    }

    /// Forgets expired jobs that are not running (their files go with
    /// the last reference).
    fn sweep(&self) {
        let keep = self.keep;
        lock(&self.jobs)
            .retain(|_, job| job.started.elapsed() < keep || job.state() == JobState::Running);
    }
}

fn new_id() -> Result<String, NoRandomness> {
    Ok(data_encoding::HEXLOWER.encode(&random_bytes::<16>()?))
}

/// Runs `job` (on the blocking pool): counts the rows, writes the file,
/// and records the export in the audit trail with its row count. A job
/// whose audit entry cannot be written fails, and its file is removed.
pub fn run(store: &dyn Store, scope: &Scope, actor: &Actor, spec: &ExportSpec, job: &Job) {
    // The total is counted beside the export (a count of a million rows
    // costs about what reading them does), for the progress page alone:
    // the page shows the rows written until it is known.
    let outcome = std::thread::scope(|threads| {
        threads.spawn(|| {
            if let Ok(total) = count(store, scope, spec) {
                job.progress.total.store(total, Ordering::Relaxed);
            }
        });
        write_export(store, scope, spec, &job.path, &job.progress)
    });
    let (event, state) = match outcome {
        Ok(rows) => {
            let mut details = spec.audit_details();
            details["rows"] = json!(rows);
            (
                AuditEvent::new(AuditAction::Export, Outcome::Success).details(details),
                JobState::Done { rows },
            )
        }
        Err(error) => {
            let _ = std::fs::remove_file(&job.path);
            let mut details = spec.audit_details();
            details["refused"] = json!(error_code(&error));
            (
                AuditEvent::new(AuditAction::Export, Outcome::Failure).details(details),
                failed(&error),
            )
        }
    };
    let event = match actor.unit.as_ref() {
        Some(unit) => event.unit(unit),
        None => event,
    };
    match store.append_audit(actor, &event) {
        Ok(_) => job.set(state),
        Err(error) => {
            let _ = std::fs::remove_file(&job.path);
            tracing::error!("export audit entry not written: {error}");
            job.set(failed(&ExportError::Store(error)));
        }
    }
}

fn error_code(error: &ExportError) -> &'static str {
    use sojourn_domain::Localized;
    match error {
        ExportError::Store(e) => e.code(),
        ExportError::Sheet(e) => e.code(),
    }
}

fn failed(error: &ExportError) -> JobState {
    use sojourn_domain::Localized;
    let (zh, en) = match error {
        ExportError::Store(e) => {
            tracing::error!("export failed: {e}");
            (e.message_zh(), e.message_en())
        }
        ExportError::Sheet(e) => {
            tracing::error!("export failed: {e}");
            (e.message_zh(), e.message_en())
        }
    };
    JobState::Failed {
        code: error_code(error).to_owned(),
        zh,
        en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ExportSpec {
        let params = HashMap::from([("format".to_owned(), "csv".to_owned())]);
        ExportSpec::parse(ExportList::Residents, &params).expect("a CSV of every resident")
    }

    fn names() -> FileNames {
        spec().file_names("多福巷社区", time::macros::date!(2026 - 12 - 07))
    }

    #[test]
    fn a_file_is_named_in_chinese_as_an_office_files_it_with_an_ascii_fallback() {
        let names = names();
        assert_eq!(names.full, "流动人口台账-多福巷社区-2026-12-07.csv");
        assert_eq!(names.ascii, "residents-ledger.csv");
        let disposition = names.disposition();
        assert!(disposition.starts_with("attachment; filename=\"residents-ledger.csv\"; "));
        // 流 is E6 B5 81 in UTF-8.
        assert!(
            disposition.contains("filename*=UTF-8''%E6%B5%81"),
            "{disposition}"
        );
        assert!(disposition.ends_with("-2026-12-07.csv"), "{disposition}");
    }

    #[test]
    fn an_account_runs_at_most_its_share_of_jobs_at_once() {
        let dir = tempfile::tempdir().expect("a directory");
        let jobs = ExportJobs::new(dir.path().to_path_buf(), KEEP);
        let (clerk, other) = (AccountId(1), AccountId(2));
        let first = jobs.create(clerk, &spec(), names()).expect("first");
        jobs.create(clerk, &spec(), names()).expect("second");
        assert_eq!(
            jobs.create(clerk, &spec(), names())
                .map(|job| job.id.clone()),
            Err(NotStarted::Busy(RUNNING_PER_ACCOUNT))
        );
        jobs.create(other, &spec(), names())
            .expect("another account is not held up");
        // Once one is done, the next may start.
        first.set(JobState::Done { rows: 0 });
        jobs.create(clerk, &spec(), names())
            .expect("after one finished");
    }
}
