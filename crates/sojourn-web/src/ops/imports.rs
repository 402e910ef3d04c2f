//! Imports of the registers from an uploaded sheet, for `POST
//! /api/v1/imports/{register}` and the page `/import` alike. The rows go
//! through the same import as `sojourn import` (`sojourn-import`): the
//! same parsers, the same batched writer, the same report — for the
//! caller's scope, in the caller's name, and audited like the
//! command-line import.
//!
//! What an upload may make the server hold is bounded ([`Imports`]): the
//! file goes to disk as it arrives, the sheet is checked against the
//! deployment's [`Limits`] before a row is read, one import runs per
//! account and [`MAX_RUNNING`] per server (others are refused before their
//! body is read), and the report lives in a file, kept for its maker
//! ([`kept`]).
//!
//! Each import is a job of the store (`crate::jobs` tells the story): it
//! is kept as running when it starts, its committed rows recorded every
//! second, and its report written to the jobs directory when it ends, so
//! the report stays downloadable after a restart until it expires, and an
//! import a restart cut short is listed on the import page as interrupted
//! with the rows it had committed ([`recent`]).

use super::files::file_download;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::jobs::{JobFiles, PROGRESS_EVERY, owner_key, record_progress};
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::Response;
use sojourn_domain::Localized;
use sojourn_domain::unit::Scope;
use sojourn_import::sheet::{self, Options};
use sojourn_import::{ImportError, Register};
use sojourn_sheets::{FileKind, Limits, Report, ReportWriter, RowOutcome};
use sojourn_store::jobs::{JobFailure, JobKind, JobRecord, JobStatus};
use sojourn_store::{Actor, AuditAction, AuditEvent, Outcome, Store, StoreError};
use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use thiserror::Error;

/// Why an upload was refused before any row was read.
#[derive(Debug, Error, PartialEq, Eq)]
pub(crate) enum UploadError {
    #[error("choose the file to import")]
    NoFile,
    #[error(
        "{0:?} is neither an .xlsx nor a .csv file; save the sheet as .xlsx (or CSV) and upload it again"
    )]
    WrongType(String),
    #[error("the file {0:?} is empty")]
    Empty(String),
    #[error("the upload could not be read; send the file again")]
    Unreadable,
}

impl Localized for UploadError {
    fn code(&self) -> &'static str {
        match self {
            Self::NoFile => "upload_no_file",
            Self::WrongType(_) => "upload_wrong_type",
            Self::Empty(_) => "upload_empty",
            Self::Unreadable => "upload_unreadable",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::NoFile => "请选择要导入的文件".into(),
            Self::WrongType(name) => {
                format!("“{name}”不是 .xlsx 或 .csv 文件：请将表格另存为 .xlsx（或 CSV）后重新上传")
            }
            Self::Empty(name) => format!("文件“{name}”是空的"),
            Self::Unreadable => "上传的内容无法读取，请重新上传".into(),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

impl From<UploadError> for ApiError {
    fn from(error: UploadError) -> Self {
        Self::Unprocessable(Problem::of(&error))
    }
}

/// Imports the whole server may run at once: each holds a reader, a
/// writer and a batch of rows in memory.
pub const MAX_RUNNING: usize = 2;
/// Reports kept in memory for their pages and downloads (the newest; an
/// older one is read back from its file in the jobs directory).
const REPORTS_KEPT: usize = 32;

/// The imports of the server: the bounds of an upload, the imports running
/// (one per account, [`MAX_RUNNING`] in all), and the reports kept.
pub struct Imports {
    limits: Limits,
    files: JobFiles,
    running: Mutex<Vec<String>>,
    reports: Mutex<VecDeque<Kept>>,
}

impl Default for Imports {
    fn default() -> Self {
        Self::new(Limits::default(), JobFiles::default())
    }
}

/// A report kept for its pages and downloads, for the caller who made it:
/// it holds refused rows' reasons, which may quote cells, so only its
/// maker sees it.
struct Kept {
    id: String,
    owner: String,
    register: Register,
    report: Arc<Report>,
}

/// Why an import could not start now.
#[derive(Debug, Error, PartialEq, Eq)]
pub(crate) enum Busy {
    #[error("an import of yours is still running; wait for it to finish")]
    Yours,
    #[error("{0} imports are running on the server; try again in a minute")]
    Server(usize),
}

impl Localized for Busy {
    fn code(&self) -> &'static str {
        match self {
            Self::Yours => "import_running",
            Self::Server(_) => "imports_busy",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::Yours => "您有一个导入尚未完成，请等它完成后再导入".into(),
            Self::Server(n) => format!("服务器正在运行 {n} 个导入，请稍后再试"),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// An import running: its place is given back when it is dropped.
pub struct Slot {
    imports: Arc<Imports>,
    owner: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut running) = self.imports.running.lock()
            && let Some(at) = running.iter().position(|o| *o == self.owner)
        {
            running.swap_remove(at);
        }
    }
}

impl Imports {
    pub fn new(limits: Limits, files: JobFiles) -> Self {
        Self {
            limits,
            files,
            running: Mutex::new(Vec::new()),
            reports: Mutex::new(VecDeque::new()),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn files(&self) -> &JobFiles {
        &self.files
    }

    /// A place for an import of `actor`'s, or why there is none.
    pub fn start(self: &Arc<Self>, actor: &Actor) -> Result<Slot, ApiError> {
        let owner = owner_of(actor);
        let mut running = self
            .running
            .lock()
            .map_err(|_| ApiError::Internal("import slots poisoned".into()))?;
        let busy = if running.contains(&owner) {
            Some(Busy::Yours)
        } else if running.len() >= MAX_RUNNING {
            Some(Busy::Server(MAX_RUNNING))
        } else {
            None
        };
        if let Some(busy) = busy {
            return Err(ApiError::Busy(Problem::of(&busy)));
        }
        running.push(owner.clone());
        Ok(Slot {
            imports: Arc::clone(self),
            owner,
        })
    }

    /// Keeps `report` (of the job `id`) in memory for `actor`.
    fn keep(
        &self,
        actor: &Actor,
        id: String,
        register: Register,
        report: Arc<Report>,
    ) -> Result<(String, Arc<Report>), ApiError> {
        let mut kept = self
            .reports
            .lock()
            .map_err(|_| ApiError::Internal("report store poisoned".into()))?;
        if kept.len() >= REPORTS_KEPT {
            kept.pop_front();
        }
        kept.push_back(Kept {
            id: id.clone(),
            owner: owner_of(actor),
            register,
            report: Arc::clone(&report),
        });
        Ok((id, report))
    }

    /// The caller's report `id` held in memory; someone else's is not there.
    fn in_memory(&self, actor: &Actor, id: &str) -> Option<(Register, Arc<Report>)> {
        let kept = self.reports.lock().ok()?;
        let owner = owner_of(actor);
        kept.iter()
            .find(|k| k.id == id && k.owner == owner)
            .map(|k| (k.register, Arc::clone(&k.report)))
    }
}

/// The owner of an import as its job is kept: the account, or (an actor
/// of no account: tests) the name.
fn owner_of(actor: &Actor) -> String {
    match actor.account {
        Some(account) => owner_key(account),
        None => format!("name:{}", actor.name),
    }
}

fn new_id() -> Result<String, ApiError> {
    let mut bytes = [0_u8; 16];
    rand::TryRngCore::try_fill_bytes(&mut rand::rngs::OsRng, &mut bytes)
        .map_err(|_| ApiError::Internal("no randomness for a report id".into()))?;
    Ok(data_encoding::HEXLOWER.encode(&bytes))
}

/// The caller's report `id`: from memory, or read back from its file in
/// the jobs directory (after a restart, or once 32 newer ones pushed it
/// out); someone else's, an unfinished import's or an expired one is not
/// there.
pub(crate) async fn kept(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<Option<(Register, Arc<Report>)>, ApiError> {
    if let Some(found) = state.imports.in_memory(actor, id) {
        return Ok(Some(found));
    }
    let (imports, id, owner) = (Arc::clone(&state.imports), id.to_owned(), owner_of(actor));
    crate::blocking::run(state, move |store| {
        let Some(job) = store.job_unscoped(&id, &owner)? else {
            return Ok(None);
        };
        let register = Register::ALL.into_iter().find(|r| r.key() == job.subject);
        let (Some(register), Some(file), JobKind::Import, JobStatus::Done) =
            (register, job.file, job.kind, job.status)
        else {
            return Ok(None);
        };
        if job.expires_at <= time::OffsetDateTime::now_utc() {
            return Ok(None);
        }
        let report = read_report(&imports.files.path(&file))
            .map_err(|e| StoreError::Internal(format!("import report {id}: {e}")))?;
        Ok(Some((register, Arc::new(report))))
    })
    .await
}

/// The first line of a report's file: what the report says besides its
/// rows, which follow one a line.
#[derive(serde::Serialize, serde::Deserialize)]
struct ReportHead {
    register: String,
    file: String,
    dry_run: bool,
    ignored_columns: Vec<String>,
}

/// Writes `report` to `path` (created owner-only): its head, then every
/// row.
fn write_report(report: &Report, path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = std::io::BufWriter::new(options.open(path)?);
    let head = ReportHead {
        register: report.register.clone(),
        file: report.file.clone(),
        dry_run: report.dry_run,
        ignored_columns: report.ignored_columns.clone(),
    };
    serde_json::to_writer(&mut out, &head)?;
    out.write_all(b"\n")?;
    for row in report.rows().map_err(std::io::Error::other)? {
        serde_json::to_writer(&mut out, &row.map_err(std::io::Error::other)?)?;
        out.write_all(b"\n")?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// Reads back a report [`write_report`] wrote.
fn read_report(path: &Path) -> std::io::Result<Report> {
    let mut lines = std::io::BufReader::new(std::fs::File::open(path)?).lines();
    let head: ReportHead = serde_json::from_str(&lines.next().transpose()?.unwrap_or_default())?;
    let mut writer = ReportWriter::new().map_err(std::io::Error::other)?;
    for line in lines {
        let row: RowOutcome = serde_json::from_str(&line?)?;
        writer.push(row).map_err(std::io::Error::other)?;
    }
    writer
        .finish(
            &head.register,
            &head.file,
            head.dry_run,
            head.ignored_columns,
        )
        .map_err(std::io::Error::other)
}

/// A sheet uploaded for import, in a temporary file.
pub(crate) struct Upload {
    /// The file's name as the client gave it (no directories).
    pub name: String,
    pub kind: FileKind,
    pub file: tempfile::NamedTempFile,
    pub dry_run: bool,
    /// The unit chosen for the sheet (`unit`), as sent; blank is none.
    pub unit: String,
}

/// Reads the multipart body: the part `file` (written to disk as it
/// arrives), and `dry_run` (any of `1`, `true`, `on`). Other parts (the
/// page's CSRF field) are skipped.
pub(crate) async fn read_upload(mut multipart: Multipart) -> Result<Upload, ApiError> {
    let mut file = None;
    let mut dry_run = false;
    let mut unit = String::new();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => {
                let name = field
                    .file_name()
                    .map(base_name)
                    .unwrap_or_default()
                    .to_owned();
                let mut temp = tempfile::Builder::new()
                    .prefix("sojourn-upload-")
                    .tempfile()
                    .map_err(|e| ApiError::Internal(format!("temporary file: {e}")))?;
                let mut length = 0_usize;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    length += chunk.len();
                    temp.write_all(&chunk)
                        .map_err(|e| ApiError::Internal(format!("temporary file: {e}")))?;
                }
                temp.flush()
                    .map_err(|e| ApiError::Internal(format!("temporary file: {e}")))?;
                file = Some((name, temp, length));
            }
            Some("dry_run") => {
                let value = field.text().await.map_err(multipart_error)?;
                dry_run = matches!(value.trim(), "1" | "true" | "on");
            }
            Some("unit") => {
                let value = field.text().await.map_err(multipart_error)?;
                // A unit code is short; anything longer is not one.
                unit = value.trim().chars().take(64).collect();
            }
            _ => {}
        }
    }
    let (name, file, length) = file.ok_or(UploadError::NoFile)?;
    if name.is_empty() && length == 0 {
        // A form sent without choosing a file.
        return Err(UploadError::NoFile.into());
    }
    let kind = FileKind::of(Path::new(&name)).map_err(|_| UploadError::WrongType(name.clone()))?;
    if length == 0 {
        return Err(UploadError::Empty(name).into());
    }
    Ok(Upload {
        name,
        kind,
        file,
        dry_run,
        unit,
    })
}

/// The last path segment: browsers send a bare name, other clients may not.
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        UploadError::Unreadable.into()
    }
}

/// Imports `upload` into `register` for `scope` as `actor` as a job of the
/// store, and keeps the report for `actor`: its id and the report.
pub(crate) async fn import(
    state: &AppState,
    scope: Scope,
    actor: &Actor,
    register: Register,
    upload: Upload,
    slot: Slot,
) -> Result<(String, Arc<Report>), ApiError> {
    let id = new_id()?;
    let file = format!("sojourn-import-{id}.jsonl");
    let now = time::OffsetDateTime::now_utc();
    let job = JobRecord::running(
        id.clone(),
        JobKind::Import,
        owner_of(actor),
        register.key(),
        Some(file.clone()),
        serde_json::json!({ "file": upload.name, "dry_run": upload.dry_run }),
        now,
        state.imports.files.expires(now),
    );
    crate::blocking::run(state, move |store| store.create_job_unscoped(&job)).await?;
    let committed = Arc::new(AtomicU64::new(0));
    let outcome = run(
        state,
        scope,
        actor.clone(),
        register,
        upload,
        slot,
        (id.clone(), Arc::clone(&committed)),
    )
    .await;
    let path = state.imports.files.path(&file);
    let (ended, report) = match outcome {
        Ok(report) => {
            let report = Arc::new(report);
            let written = Arc::clone(&report);
            let saved = tokio::task::spawn_blocking(move || write_report(&written, &path))
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))
                .and_then(|r| r);
            match saved {
                Ok(()) => ((JobStatus::Done, report.accepted, None), Ok(report)),
                Err(error) => {
                    tracing::error!(job = %id, "import report not written: {error}");
                    let failure = JobFailure {
                        code: "import_report_not_written".into(),
                        zh: "导入已完成，但导入结果未能保存".into(),
                        en: "the import finished but its report could not be saved".into(),
                    };
                    (
                        (JobStatus::Failed, report.accepted, Some(failure)),
                        Ok(report),
                    )
                }
            }
        }
        Err(error) => {
            let problem = error.problem();
            let failure = JobFailure {
                code: problem.code,
                zh: problem.message.zh_cn,
                en: problem.message.en,
            };
            let rows = committed.load(Ordering::Relaxed);
            ((JobStatus::Failed, rows, Some(failure)), Err(error))
        }
    };
    let (status, rows, failure) = ended;
    let job = id.clone();
    let finished = crate::blocking::run(state, move |store| {
        store.finish_job_unscoped(
            &job,
            status,
            rows,
            failure.as_ref(),
            time::OffsetDateTime::now_utc(),
        )
    })
    .await;
    if let Err(error) = finished {
        tracing::error!(job = %id, "import job's end not kept: {error}");
    }
    state.imports.keep(actor, id, register, report?)
}

/// An import of the caller's as the import page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecentImport {
    /// Its report's id (a report to show only when `status` is done).
    pub id: String,
    pub register: Register,
    /// The file's name as uploaded.
    pub file: String,
    pub status: JobStatus,
    /// Rows committed (or, for a check, found good).
    pub rows: u64,
    pub dry_run: bool,
    /// Why it failed or was interrupted (zh-CN, en).
    pub why: Option<(String, String)>,
    pub started_at: time::OffsetDateTime,
}

/// The caller's imports still kept, newest first, at most `limit`.
pub(crate) async fn recent(
    state: &AppState,
    actor: &Actor,
    limit: u32,
) -> Result<Vec<RecentImport>, ApiError> {
    let owner = owner_of(actor);
    let jobs = crate::blocking::run(state, move |store| {
        store.jobs_of_unscoped(&owner, JobKind::Import, limit)
    })
    .await?;
    let now = time::OffsetDateTime::now_utc();
    Ok(jobs
        .into_iter()
        .filter(|job| job.expires_at > now)
        .filter_map(|job| {
            let register = Register::ALL.into_iter().find(|r| r.key() == job.subject)?;
            let text = |key: &str| {
                job.details
                    .get(key)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
            };
            Some(RecentImport {
                register,
                file: text("file").to_owned(),
                dry_run: job
                    .details
                    .get("dry_run")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false),
                why: job.failure.map(|f| (f.zh, f.en)),
                status: job.status,
                rows: job.rows,
                started_at: job.started_at,
                id: job.id,
            })
        })
        .collect())
}

/// Imports `upload` into `register` for `scope` as `actor`, off the async
/// runtime; a real import (not a dry run) is audited with its counts. The
/// import's `slot` is given back when it ends, even if the client has gone.
/// The rows committed are counted in `job`'s counter and recorded in the
/// store every second.
async fn run(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    register: Register,
    upload: Upload,
    slot: Slot,
    job: (String, Arc<AtomicU64>),
) -> Result<Report, ApiError> {
    let store = Arc::clone(&state.store);
    let limits = *state.imports.limits();
    tokio::task::spawn_blocking(move || -> Result<Report, ApiError> {
        let _slot = slot;
        let (id, committed) = job;
        let ended = AtomicBool::new(false);
        std::thread::scope(|threads| {
            threads.spawn(|| {
                record_progress(store.as_ref(), &id, PROGRESS_EVERY, &ended, || {
                    (committed.load(Ordering::Relaxed), 0)
                });
            });
            let outcome = import_file(
                store.as_ref(),
                &scope,
                &actor,
                register,
                upload,
                limits,
                &committed,
            );
            ended.store(true, Ordering::Release);
            outcome
        })
    })
    .await
    .map_err(|e| ApiError::Internal(format!("import task failed: {e}")))?
}

/// The import itself, on the blocking pool.
fn import_file(
    store: &dyn Store,
    scope: &Scope,
    actor: &Actor,
    register: Register,
    upload: Upload,
    limits: Limits,
    committed: &Arc<AtomicU64>,
) -> Result<Report, ApiError> {
    {
        // The sheet reader reads a file by its name's extension.
        let suffix = match upload.kind {
            FileKind::Xlsx => "xlsx",
            FileKind::Csv => "csv",
        };
        let path = upload.file.path().with_extension(suffix);
        std::fs::rename(upload.file.path(), &path)
            .map_err(|e| ApiError::Internal(format!("temporary file: {e}")))?;
        // Removed however the import ends.
        let _remove = RemoveOnDrop(&path);
        let unit = match upload.unit.as_str() {
            "" => None,
            code => Some(
                sojourn_domain::unit::UnitCode::parse(code)
                    .map_err(|e| ApiError::Unprocessable(Problem::of(&e)))?,
            ),
        };
        // Other requests run meanwhile: no index is set aside.
        let options = Options {
            unit,
            dry_run: upload.dry_run,
            progress: false,
            bulk_load: false,
            limits,
            committed: sojourn_import::machine::Committed::into(Arc::clone(committed)),
        };
        let today = sojourn_domain::time_rules::china_today();
        let report = sheet::run(
            store,
            scope,
            register,
            &path,
            &upload.name,
            today,
            actor,
            options,
        )
        .map_err(import_error)?;
        if !upload.dry_run {
            // A dry run writes nothing, not even to the audit trail.
            let event = AuditEvent::new(AuditAction::Import, Outcome::Success)
                .unit(scope.root())
                .details(serde_json::json!({
                    "register": register.key(),
                    "file": upload.name,
                    "accepted": report.accepted,
                    "refused": report.refused,
                    "already_imported": report.already_imported,
                }));
            store.append_audit(actor, &event)?;
        }
        Ok(report)
    }
}

/// Removes a file when dropped.
struct RemoveOnDrop<'a>(&'a Path);

impl Drop for RemoveOnDrop<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.0);
    }
}

/// A sheet that cannot be read, or is over a bound, is the client's to
/// fix (422); a store failure maps as everywhere; the rest is ours (500,
/// logged).
fn import_error(error: ImportError) -> ApiError {
    match error {
        ImportError::Store(error) => error.into(),
        ImportError::Sheet(_)
        | ImportError::Csv(_)
        | ImportError::Header(_)
        | ImportError::NoUnit
        | ImportError::UnitNotInScope(_) => ApiError::Unprocessable(Problem::of(&error)),
        ImportError::File { .. } | ImportError::Internal(_) => {
            ApiError::Internal(error.to_string())
        }
    }
}

/// `report` as a JSON download, written to a temporary file and streamed
/// from there.
pub(crate) async fn json_download(report: Arc<Report>) -> Result<Response, ApiError> {
    let file = tokio::task::spawn_blocking(move || -> Result<tempfile::NamedTempFile, ApiError> {
        let mut file = tempfile::NamedTempFile::new()
            .map_err(|e| ApiError::Internal(format!("temporary file: {e}")))?;
        report
            .write_json(file.as_file_mut())
            .map_err(|e| ApiError::Internal(format!("report: {e}")))?;
        Ok(file)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("report task failed: {e}")))??;
    file_download(file, "application/json")
}
