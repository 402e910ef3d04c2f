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
//! ([`Imports::kept`]).

use super::files::file_download;
use crate::AppState;
use crate::error::{ApiError, Problem};
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::Response;
use sojourn_domain::Localized;
use sojourn_domain::unit::Scope;
use sojourn_import::sheet::{self, Options};
use sojourn_import::{ImportError, Register};
use sojourn_sheets::{FileKind, Limits, Report};
use sojourn_store::{Actor, AuditAction, AuditEvent, Outcome};
use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
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
/// Reports kept for their pages and downloads (the newest; an older one
/// is gone). Each is a file on disk.
const REPORTS_KEPT: usize = 32;

/// The imports of the server: the bounds of an upload, the imports running
/// (one per account, [`MAX_RUNNING`] in all), and the reports kept.
pub struct Imports {
    limits: Limits,
    running: Mutex<Vec<String>>,
    reports: Mutex<VecDeque<Kept>>,
}

impl Default for Imports {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

/// A report kept for its pages and downloads, for the caller who made it:
/// it holds refused rows' reasons, which may quote cells, so only its
/// maker sees it, and a restart forgets it.
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
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            running: Mutex::new(Vec::new()),
            reports: Mutex::new(VecDeque::new()),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
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

    /// Keeps `report` for `actor`; its id.
    pub(crate) fn keep(
        &self,
        actor: &Actor,
        register: Register,
        report: Report,
    ) -> Result<(String, Arc<Report>), ApiError> {
        let mut bytes = [0_u8; 16];
        rand::TryRngCore::try_fill_bytes(&mut rand::rngs::OsRng, &mut bytes)
            .map_err(|_| ApiError::Internal("no randomness for a report id".into()))?;
        let id = data_encoding::HEXLOWER.encode(&bytes);
        let report = Arc::new(report);
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

    /// The caller's report `id`; someone else's is not there.
    pub(crate) fn kept(&self, actor: &Actor, id: &str) -> Option<(Register, Arc<Report>)> {
        let kept = self.reports.lock().ok()?;
        let owner = owner_of(actor);
        kept.iter()
            .find(|k| k.id == id && k.owner == owner)
            .map(|k| (k.register, Arc::clone(&k.report)))
    }
}

fn owner_of(actor: &Actor) -> String {
    match &actor.account {
        Some(account) => format!("{account:?}"),
        None => actor.name.clone(),
    }
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

/// Imports `upload` into `register` for `scope` as `actor` and keeps the
/// report for `actor`: its id and the report.
pub(crate) async fn import(
    state: &AppState,
    scope: Scope,
    actor: &Actor,
    register: Register,
    upload: Upload,
    slot: Slot,
) -> Result<(String, Arc<Report>), ApiError> {
    let report = run(state, scope, actor.clone(), register, upload, slot).await?;
    state.imports.keep(actor, register, report)
}

/// Imports `upload` into `register` for `scope` as `actor`, off the async
/// runtime; a real import (not a dry run) is audited with its counts. The
/// import's `slot` is given back when it ends, even if the client has gone.
async fn run(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    register: Register,
    upload: Upload,
    slot: Slot,
) -> Result<Report, ApiError> {
    let store = Arc::clone(&state.store);
    let limits = *state.imports.limits();
    tokio::task::spawn_blocking(move || -> Result<Report, ApiError> {
        let _slot = slot;
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
        };
        let today = sojourn_domain::time_rules::china_today();
        let report = sheet::run(
            store.as_ref(),
            &scope,
            register,
            &path,
            &upload.name,
            today,
            &actor,
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
            store.append_audit(&actor, &event)?;
        }
        Ok(report)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("import task failed: {e}")))?
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
