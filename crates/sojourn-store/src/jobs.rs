//! Export and import jobs as the store keeps them, so that they outlive
//! the server process that ran them (issue 17): what a job is, whose it
//! is, where it stands (with its row count), the file it left in the
//! server's jobs directory, and when it expires.
//!
//! The store knows nothing of lists, registers or files beyond their
//! names: the web layer decides what a subject or a detail means. A job
//! is read for its owner only; anyone else's is as if it did not exist.
//! When a server starts, the jobs left running by the one before are
//! marked (an export failed, an import interrupted, each with the rows it
//! had done), since nothing runs them any more.

use crate::Result;
use time::OffsetDateTime;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Export,
    Import,
}

impl JobKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::Import => "import",
        }
    }

    pub fn of_key(key: &str) -> Option<Self> {
        [Self::Export, Self::Import]
            .into_iter()
            .find(|kind| kind.key() == key)
    }
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Running,
    Done,
    Failed,
    /// The server stopped while it ran: what it had committed stays.
    Interrupted,
}

impl JobStatus {
    pub fn key(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }

    pub fn of_key(key: &str) -> Option<Self> {
        [Self::Running, Self::Done, Self::Failed, Self::Interrupted]
            .into_iter()
            .find(|status| status.key() == key)
    }
}

/// Why a job failed: a stable code and its messages (never a personal
/// value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// A job as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Random, unguessable: it appears in URLs.
    pub id: String,
    pub kind: JobKind,
    pub owner: String,
    /// The list exported or the register imported into (its key).
    pub subject: String,
    pub status: JobStatus,
    /// Rows written (export) or committed (import).
    pub rows: u64,
    /// Rows to write, once counted.
    pub total: u64,
    /// The job's file in the jobs directory: a bare name.
    pub file: Option<String>,
    /// What the web layer keeps to serve the file (JSON).
    pub details: serde_json::Value,
    pub failure: Option<JobFailure>,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub expires_at: OffsetDateTime,
}

impl JobRecord {
    /// A running job with no rows done yet.
    #[allow(clippy::too_many_arguments)]
    pub fn running(
        id: impl Into<String>,
        kind: JobKind,
        owner: impl Into<String>,
        subject: impl Into<String>,
        file: Option<String>,
        details: serde_json::Value,
        started_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Self {
        Self {
            id: id.into(),
            kind,
            owner: owner.into(),
            subject: subject.into(),
            status: JobStatus::Running,
            rows: 0,
            total: 0,
            file,
            details,
            failure: None,
            started_at,
            finished_at: None,
            expires_at,
        }
    }
}

/// The message a job left running by a stopped server is marked with.
pub fn interrupted_failure(kind: JobKind) -> JobFailure {
    match kind {
        JobKind::Export => JobFailure {
            code: "export_interrupted".into(),
            zh: "导出进行中服务器重新启动，导出未完成，请重新导出".into(),
            en: "the server restarted while the export ran; it did not finish: export again".into(),
        },
        JobKind::Import => JobFailure {
            code: "import_interrupted".into(),
            zh: "导入进行中服务器重新启动，导入被中断：已提交的行已保存，其余行未导入；再次导入同一文件时，已导入的行会被识别为“已在册”".into(),
            en: "the server restarted while the import ran: the rows committed are kept, the rest were not imported; importing the same file again finds the committed rows already on file".into(),
        },
    }
}

/// The jobs the store keeps (part of [`crate::OperationsStore`]).
/// Unscoped: a job is bounded by its owner, which every read names.
pub trait JobStore {
    /// Keeps a new job (its id must be new).
    fn create_job_unscoped(&self, job: &JobRecord) -> Result<()>;
    /// Records the rows done (and the total, once known) of a running job.
    fn job_progress_unscoped(&self, id: &str, rows: u64, total: u64) -> Result<()>;
    /// Ends a running job as `status` with its rows and why it failed; a
    /// job no longer running (marked interrupted meanwhile) is left as it
    /// is. Whether the job was ended.
    fn finish_job_unscoped(
        &self,
        id: &str,
        status: JobStatus,
        rows: u64,
        failure: Option<&JobFailure>,
        at: OffsetDateTime,
    ) -> Result<bool>;
    /// The job `id` if `owner` started it.
    fn job_unscoped(&self, id: &str, owner: &str) -> Result<Option<JobRecord>>;
    /// `owner`'s jobs of `kind`, newest first, at most `limit`.
    fn jobs_of_unscoped(&self, owner: &str, kind: JobKind, limit: u32) -> Result<Vec<JobRecord>>;
    /// Marks every running job as left by a stopped server (an export
    /// failed, an import interrupted, each with [`interrupted_failure`]);
    /// the jobs marked.
    fn interrupt_running_jobs_unscoped(&self, at: OffsetDateTime) -> Result<Vec<JobRecord>>;
    /// Jobs expired by `now` that are not running.
    fn expired_jobs_unscoped(&self, now: OffsetDateTime) -> Result<Vec<JobRecord>>;
    /// Jobs kept, by kind and status (those with none left out).
    fn job_counts_unscoped(&self) -> Result<Vec<(JobKind, JobStatus, u64)>>;
    /// Forgets the job `id` (its file is the caller's to delete first).
    fn forget_job_unscoped(&self, id: &str) -> Result<()>;
}
