//! Imports of the registers from an uploaded sheet (.xlsx, or CSV as
//! staff keep it): `POST /api/v1/imports/{register}` with a multipart body
//! (`file`, and `dry_run` to only check). The rows go through the same
//! import as `sojourn import` (`sojourn-import`): the same parsers, the
//! same batched writer, the same report — for the caller's scope, in the
//! caller's name, and audited like the command-line import.

use crate::AppState;
use crate::error::{ApiError, ErrorBody, Problem};
use crate::json::Json;
use crate::scope::{CallerActor, CallerScope};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use sojourn_domain::Localized;
use sojourn_domain::unit::Scope;
use sojourn_import::sheet::{self, Options};
use sojourn_import::{ImportError, Register};
use sojourn_sheets::{FileKind, Report};
use sojourn_store::{Actor, AuditAction, AuditEvent, Outcome};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
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

/// A sheet uploaded for import.
pub(crate) struct Upload {
    /// The file's name as the client gave it (no directories).
    pub name: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
    pub dry_run: bool,
}

/// Reads the multipart body: the part `file`, and `dry_run` (any of `1`,
/// `true`, `on`). Other parts (the page's CSRF field) are skipped.
pub(crate) async fn read_upload(mut multipart: Multipart) -> Result<Upload, ApiError> {
    let mut file = None;
    let mut dry_run = false;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => {
                let name = field
                    .file_name()
                    .map(base_name)
                    .unwrap_or_default()
                    .to_owned();
                let bytes = field.bytes().await.map_err(multipart_error)?;
                file = Some((name, bytes.to_vec()));
            }
            Some("dry_run") => {
                let value = field.text().await.map_err(multipart_error)?;
                dry_run = matches!(value.trim(), "1" | "true" | "on");
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or(UploadError::NoFile)?;
    if name.is_empty() && bytes.is_empty() {
        // A form sent without choosing a file.
        return Err(UploadError::NoFile.into());
    }
    let kind = FileKind::of(Path::new(&name)).map_err(|_| UploadError::WrongType(name.clone()))?;
    if bytes.is_empty() {
        return Err(UploadError::Empty(name).into());
    }
    Ok(Upload {
        name,
        kind,
        bytes,
        dry_run,
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

/// Imports `upload` into `register` for `scope` as `actor`, off the async
/// runtime; a real import (not a dry run) is audited with its counts.
pub(crate) async fn run(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    register: Register,
    upload: Upload,
) -> Result<Report, ApiError> {
    let store = Arc::clone(&state.store);
    tokio::task::spawn_blocking(move || -> Result<Report, ApiError> {
        // The sheet reader streams from a file, as it does for the CLI.
        let suffix = match upload.kind {
            FileKind::Xlsx => ".xlsx",
            FileKind::Csv => ".csv",
        };
        let mut file = tempfile::Builder::new()
            .prefix("sojourn-upload-")
            .suffix(suffix)
            .tempfile()
            .map_err(|e| ApiError::Internal(format!("temporary file: {e}")))?;
        file.write_all(&upload.bytes)
            .and_then(|()| file.flush())
            .map_err(|e| ApiError::Internal(format!("temporary file: {e}")))?;
        // Other requests run meanwhile: no index is set aside.
        let options = Options {
            dry_run: upload.dry_run,
            progress: false,
            bulk_load: false,
        };
        let today = sojourn_domain::time_rules::china_today();
        let report = sheet::run(
            store.as_ref(),
            &scope,
            register,
            file.path(),
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

/// A sheet that cannot be read is the client's to fix (422); a store
/// failure maps as everywhere; the rest is ours (500, logged).
fn import_error(error: ImportError) -> ApiError {
    match error {
        ImportError::Store(error) => error.into(),
        ImportError::Sheet(_) | ImportError::Csv(_) | ImportError::Header(_) => {
            ApiError::Unprocessable(Problem::of(&error))
        }
        ImportError::File { .. } | ImportError::Internal(_) => {
            ApiError::Internal(error.to_string())
        }
    }
}

async fn import(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    register: Register,
    multipart: Multipart,
) -> Result<Json<serde_json::Value>, ApiError> {
    let upload = read_upload(multipart).await?;
    let report = run(state, scope, actor, register, upload).await?;
    serde_json::to_value(&report)
        .map(Json)
        .map_err(|e| ApiError::Internal(format!("report: {e}")))
}

/// The upload handler of one register, with its own path in the OpenAPI
/// document (each route has the permission of its register).
macro_rules! import_route {
    ($path:tt, $handler:ident, $register:expr, $what:literal) => {
        #[doc = concat!("Imports ", $what, ".")]
        #[utoipa::path(post, path = $path, tag = "imports",
            request_body(content_type = "multipart/form-data", description = "`file`: the sheet (.xlsx or .csv); `dry_run`: `true` to only check"),
            responses(
                (status = 200, description = "The report: counts and every row with its outcome, column and reason (zh-CN and en)", body = Object),
                (status = 413, description = "The file exceeds the upload limit", body = ErrorBody),
                (status = 422, description = "No file, not .xlsx or .csv, empty, or not a sheet of the form", body = ErrorBody),
            ))]
        pub(crate) async fn $handler(
            State(state): State<AppState>,
            CallerScope(scope): CallerScope,
            CallerActor(actor): CallerActor,
            multipart: Multipart,
        ) -> Result<Json<serde_json::Value>, ApiError> {
            import(&state, scope, actor, $register, multipart).await
        }
    };
}

import_route!(
    "/api/v1/imports/residents",
    import_residents,
    Register::Residents,
    "《流动人口信息登记表》 (residents)"
);
import_route!(
    "/api/v1/imports/houses",
    import_houses,
    Register::Houses,
    "《出租房屋申请备案表》 (rental houses)"
);
import_route!(
    "/api/v1/imports/employers",
    import_employers,
    Register::Employers,
    "the employers' table"
);
import_route!(
    "/api/v1/imports/outflows",
    import_outflows,
    Register::Outflows,
    "《流出人口登记表》 (outflows)"
);
