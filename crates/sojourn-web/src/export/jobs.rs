//! Export jobs: each runs on the blocking pool writing its file into the
//! server's jobs directory, counts its rows for the progress page, and is
//! kept for its account alone (anyone else asking for it is told it does
//! not exist) until it expires, when its file is deleted.
//!
//! A job is kept in the store as well as in this process (`crate::jobs`
//! tells the story): while it runs, its progress is here (and its rows
//! recorded in the store every second); once it ends, the store has its
//! outcome, so its page and its file outlive a restart, and a job a
//! restart cut short reads as failed, saying so.

use super::{ExportError, ExportList, ExportSpec, FileNames, Progress, count, write_export};
use crate::auth::secret::{NoRandomness, random_bytes};
use crate::jobs::{JobFiles, PROGRESS_EVERY, delete_file, owner_key, record_progress};
use serde_json::json;
use sojourn_domain::account::AccountId;
use sojourn_domain::unit::Scope;
use sojourn_sheets::ExportFormat;
use sojourn_store::jobs::{JobFailure, JobKind, JobRecord, JobStatus};
use sojourn_store::{Actor, AuditAction, AuditEvent, Outcome, Store, StoreError};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Jobs one account may have running at once. An export of a million rows
/// holds a core for half a minute; a clerk clicking 导出 again while the
/// first runs should wait for it, not start a second copy, and a token
/// looping over the API must not take every core of a modest machine.
pub const RUNNING_PER_ACCOUNT: usize = 2;

/// Why no job was started.
#[derive(Debug, thiserror::Error)]
pub enum NotStarted {
    #[error(
        "you already have {0} exports running; wait until one is done, then start this one again"
    )]
    Busy(usize),
    #[error("{0}")]
    NoRandomness(#[from] NoRandomness),
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl sojourn_domain::Localized for NotStarted {
    fn code(&self) -> &'static str {
        match self {
            Self::Busy(_) => "export_jobs_busy",
            Self::NoRandomness(_) => "internal",
            Self::Store(e) => e.code(),
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::Busy(n) => format!("您已有 {n} 个导出正在进行，请等其中一个完成后再导出"),
            Self::NoRandomness(_) => "服务器出错，请稍后再试".into(),
            Self::Store(e) => e.message_zh(),
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

impl JobState {
    fn failure(&self) -> Option<JobFailure> {
        match self {
            Self::Failed { code, zh, en } => Some(JobFailure {
                code: code.clone(),
                zh: zh.clone(),
                en: en.clone(),
            }),
            _ => None,
        }
    }
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
    state: Mutex<JobState>,
}

impl Job {
    pub fn state(&self) -> JobState {
        lock(&self.state).clone()
    }

    fn set(&self, state: JobState) {
        *lock(&self.state) = state;
    }

    /// The job as the store kept it (ended, or running in a server that
    /// has since stopped and not yet been marked); `None` if it is not an
    /// export of `list` or its details are not this build's.
    fn of_record(
        record: &JobRecord,
        owner: AccountId,
        list: ExportList,
        files: &JobFiles,
    ) -> Option<Self> {
        if record.kind != JobKind::Export || record.subject != list.key() {
            return None;
        }
        let details = &record.details;
        let text = |key: &str| details.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let format = ExportFormat::parse(&text("format")?)?;
        let state = match (record.status, &record.failure) {
            (JobStatus::Running, _) => JobState::Running,
            (JobStatus::Done, _) => JobState::Done { rows: record.rows },
            (_, Some(f)) => JobState::Failed {
                code: f.code.clone(),
                zh: f.zh.clone(),
                en: f.en.clone(),
            },
            (_, None) => failed_as(sojourn_store::jobs::interrupted_failure(JobKind::Export)),
        };
        let progress = Progress::default();
        progress.written.store(record.rows, Ordering::Relaxed);
        progress.total.store(record.total, Ordering::Relaxed);
        Some(Self {
            id: record.id.clone(),
            owner,
            list,
            file_names: FileNames {
                full: text("full")?,
                ascii: text("ascii")?,
            },
            content_type: format.content_type(),
            progress,
            path: files.path(record.file.as_deref()?),
            state: Mutex::new(state),
        })
    }
}

fn failed_as(failure: JobFailure) -> JobState {
    JobState::Failed {
        code: failure.code,
        zh: failure.zh,
        en: failure.en,
    }
}

/// A poisoned lock only means a panic elsewhere while it was held; the
/// map and states stay consistent (each change is one assignment).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The jobs of this server: those running in this process, and the
/// directory and retention of their files.
#[derive(Debug, Default)]
pub struct ExportJobs {
    running: Mutex<HashMap<String, Arc<Job>>>,
    files: JobFiles,
}

impl ExportJobs {
    /// Jobs writing their files as `files` says.
    pub fn new(files: JobFiles) -> Self {
        Self {
            running: Mutex::new(HashMap::new()),
            files,
        }
    }

    pub fn files(&self) -> &JobFiles {
        &self.files
    }

    /// Registers a job for `owner` in this process and in the store (not
    /// started yet: see [`run`]), unless `owner` has
    /// [`RUNNING_PER_ACCOUNT`] jobs running already. Expired jobs are
    /// swept first. Blocks: call it on the blocking pool.
    pub fn create(
        &self,
        store: &dyn Store,
        owner: AccountId,
        spec: &ExportSpec,
        names: FileNames,
    ) -> Result<Arc<Job>, NotStarted> {
        if let Err(error) = crate::jobs::sweep(store, &self.files) {
            tracing::warn!("job sweep failed: {error}");
        }
        let mut running = lock(&self.running);
        let mine = running.values().filter(|job| job.owner == owner).count();
        if mine >= RUNNING_PER_ACCOUNT {
            return Err(NotStarted::Busy(mine));
        }
        let id = new_id()?;
        let file = format!("sojourn-export-{id}.{}", spec.format.extension());
        let now = time::OffsetDateTime::now_utc();
        store.create_job_unscoped(&JobRecord::running(
            id.clone(),
            JobKind::Export,
            owner_key(owner),
            spec.list.key(),
            Some(file.clone()),
            json!({
                "format": spec.format.extension(),
                "full": names.full,
                "ascii": names.ascii,
            }),
            now,
            self.files.expires(now),
        ))?;
        let job = Arc::new(Job {
            path: self.files.path(&file),
            id: id.clone(),
            owner,
            list: spec.list,
            file_names: names,
            content_type: spec.format.content_type(),
            progress: Progress::default(),
            state: Mutex::new(JobState::Running),
        });
        running.insert(id, Arc::clone(&job));
        Ok(job)
    }

    /// The job `id` of `list`, if `owner` started it and it has not
    /// expired; anyone else's is `None`, as if it did not exist. Blocks:
    /// call it on the blocking pool.
    pub fn get(
        &self,
        store: &dyn Store,
        id: &str,
        owner: AccountId,
        list: ExportList,
    ) -> Result<Option<Arc<Job>>, StoreError> {
        let here = lock(&self.running).get(id).cloned();
        if let Some(job) = here {
            return Ok((job.owner == owner && job.list == list).then_some(job));
        }
        let Some(record) = store.job_unscoped(id, &owner_key(owner))? else {
            return Ok(None);
        };
        if record.expires_at <= time::OffsetDateTime::now_utc() {
            return Ok(None);
        }
        Ok(Job::of_record(&record, owner, list, &self.files).map(Arc::new))
    }

    /// Ends `job` in the store, then here: once the store has its outcome
    /// the process lets go of it. If the store cannot be told, the job
    /// stays here (this process still answers for it).
    fn end(&self, store: &dyn Store, job: &Job, state: JobState) {
        let (status, rows) = match &state {
            JobState::Done { rows } => (JobStatus::Done, *rows),
            JobState::Running | JobState::Failed { .. } => (
                JobStatus::Failed,
                job.progress.written.load(Ordering::Relaxed),
            ),
        };
        let failure = state.failure();
        // The total, counted beside the export, for the page after it.
        let total = job.progress.total.load(Ordering::Relaxed);
        if let Err(error) = store.job_progress_unscoped(&job.id, rows, total) {
            tracing::warn!(job = %job.id, "export job's total not kept: {error}");
        }
        let kept = store.finish_job_unscoped(
            &job.id,
            status,
            rows,
            failure.as_ref(),
            time::OffsetDateTime::now_utc(),
        );
        job.set(state);
        match kept {
            Ok(_) => {
                lock(&self.running).remove(&job.id);
            }
            Err(error) => tracing::error!(job = %job.id, "export job's end not kept: {error}"),
        }
    }
}

fn new_id() -> Result<String, NoRandomness> {
    Ok(data_encoding::HEXLOWER.encode(&random_bytes::<16>()?))
}

/// Runs `job` (on the blocking pool): counts the rows, writes the file,
/// and records the export in the audit trail with its row count. A job
/// whose audit entry cannot be written fails, and its file is deleted.
pub fn run(
    jobs: &ExportJobs,
    store: &dyn Store,
    scope: &Scope,
    actor: &Actor,
    spec: &ExportSpec,
    job: &Job,
) {
    // The total is counted beside the export (a count of a million rows
    // costs about what reading them does), for the progress page alone:
    // the page shows the rows written until it is known. The rows are
    // recorded in the store meanwhile, for a restart to find.
    let written = AtomicBool::new(false);
    let outcome = std::thread::scope(|threads| {
        threads.spawn(|| {
            if let Ok(total) = count(store, scope, spec) {
                job.progress.total.store(total, Ordering::Relaxed);
            }
        });
        threads.spawn(|| {
            record_progress(store, &job.id, PROGRESS_EVERY, &written, || {
                (
                    job.progress.written.load(Ordering::Relaxed),
                    job.progress.total.load(Ordering::Relaxed),
                )
            });
        });
        let outcome = write_export(store, scope, spec, &job.path, &job.progress);
        written.store(true, Ordering::Release);
        outcome
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
            remove(job);
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
        Ok(_) => jobs.end(store, job, state),
        Err(error) => {
            remove(job);
            tracing::error!("export audit entry not written: {error}");
            jobs.end(store, job, failed(&ExportError::Store(error)));
        }
    }
}

/// Deletes the file of a job that failed.
fn remove(job: &Job) {
    if let Err(error) = delete_file(&job.path) {
        tracing::warn!(job = %job.id, "export file not deleted: {error}");
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
        let path = dir.path().join("db.sqlite");
        let keys = sojourn_store::crypto::Keyring::generate();
        let store = sojourn_store::open(path.to_str().expect("path"), keys).expect("store");
        let files = JobFiles::new(dir.path().join("jobs"), crate::jobs::DEFAULT_KEEP)
            .expect("a jobs directory");
        let jobs = ExportJobs::new(files);
        let (clerk, other) = (AccountId(1), AccountId(2));
        let store = store.as_ref();
        let first = jobs.create(store, clerk, &spec(), names()).expect("first");
        jobs.create(store, clerk, &spec(), names()).expect("second");
        assert!(matches!(
            jobs.create(store, clerk, &spec(), names()),
            Err(NotStarted::Busy(RUNNING_PER_ACCOUNT))
        ));
        jobs.create(store, other, &spec(), names())
            .expect("another account is not held up");
        // Once one is done, the next may start.
        jobs.end(store, &first, JobState::Done { rows: 0 });
        jobs.create(store, clerk, &spec(), names())
            .expect("after one finished");
        // The one done is read back from the store.
        let read = jobs
            .get(store, &first.id, clerk, ExportList::Residents)
            .expect("read")
            .expect("the clerk's");
        assert_eq!(read.state(), JobState::Done { rows: 0 });
        assert_eq!(read.file_names, names());
        assert!(
            jobs.get(store, &first.id, other, ExportList::Residents)
                .expect("read")
                .is_none(),
            "another account's job is not there"
        );
    }
}
