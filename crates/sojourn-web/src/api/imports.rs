//! Imports of the registers from an uploaded sheet (.xlsx, or CSV as
//! staff keep it): `POST /api/v1/imports/{register}` with a multipart body
//! (`file`, `dry_run` to only check, and `unit`: the code of the community
//! a sheet without a community column is for, which must be in the
//! caller's jurisdiction). The import itself — the same as `sojourn
//! import`'s, bounded, audited — is [`crate::ops::imports`], which the
//! page `/import` calls too; here the reply carries the counts and the
//! first rows refused, and `GET /api/v1/imports/reports/{report}` the
//! whole report, streamed from disk.

use crate::AppState;
use crate::error::{ApiError, ErrorBody, Problem};
use crate::extract::Path as PathParam;
use crate::ops::imports::{import as run_import, json_download, kept, read_upload};
use crate::scope::{CallerActor, CallerScope};
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sojourn_domain::unit::Scope;
use sojourn_import::Register;
use sojourn_store::Actor;

/// The state of the imports (kept in [`crate::ops::imports`]), named here
/// where programs and tests have always found them.
pub use crate::ops::imports::{Imports, MAX_RUNNING};

/// A refusal sent before the body was read: the connection is closed after
/// it, since the rest of the body is still on its way.
pub(crate) fn refused_unread(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

async fn import(
    state: &AppState,
    scope: Scope,
    actor: Actor,
    register: Register,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let slot = match state.imports.start(&actor) {
        Ok(slot) => slot,
        Err(error) => return Ok(refused_unread(error)),
    };
    let upload = read_upload(multipart).await?;
    let (id, report) = run_import(state, scope, &actor, register, upload, slot).await?;
    let mut reply = serde_json::to_value(report.summary())
        .map_err(|e| ApiError::Internal(format!("report: {e}")))?;
    reply["report"] = serde_json::Value::String(format!("{}/imports/reports/{id}", super::PREFIX));
    Ok(axum::Json(reply).into_response())
}

/// The whole report of an import, as JSON: the counts, and every row of
/// the sheet with its outcome, column and reason (zh-CN and en).
#[utoipa::path(get, path = "/api/v1/imports/reports/{report}", tag = "imports",
    params(("report" = String, Path, description = "The report's id, from the import's reply")),
    responses(
        (status = 200, description = "The whole report: counts and every row", body = Object),
        (status = 404, description = "No such report of the caller's (a report is its maker's alone, kept for the server's retention time)", body = ErrorBody),
    ))]
pub(crate) async fn report_file(
    State(state): State<AppState>,
    CallerActor(actor): CallerActor,
    PathParam(id): PathParam<String>,
) -> Result<Response, ApiError> {
    let (_, report) = kept(&state, &actor, &id).await?.ok_or_else(|| {
        ApiError::NotFound(Problem::new(
            "import_report_not_found",
            "没有该导入结果（只对导入的账号可见，过了保留期即删除）",
            "no such import report (a report is its maker's alone, and is kept for its retention time)",
        ))
    })?;
    let response = json_download(report).await?;
    Ok(response)
}

/// The upload handler of one register, with its own path in the OpenAPI
/// document (each route has the permission of its register).
macro_rules! import_route {
    ($path:tt, $handler:ident, $register:expr, $what:literal) => {
        #[doc = concat!("Imports ", $what, ".")]
        #[utoipa::path(post, path = $path, tag = "imports",
            request_body(content_type = "multipart/form-data", description = "`file`: the sheet (.xlsx or .csv); `dry_run`: `true` to only check; `unit`: the code of the community a sheet without a community column is for (in your jurisdiction)"),
            responses(
                (status = 200, description = "The report: counts, the first rows refused or already imported with their column and reason (zh-CN and en), and `report`, where the whole report is", body = Object),
                (status = 413, description = "The file exceeds the upload limit", body = ErrorBody),
                (status = 422, description = "No file, not .xlsx or .csv, empty, not a sheet of the form, or over a bound of an import (rows, a cell's length, an .xlsx part's unpacked size); the code names the bound", body = ErrorBody),
                (status = 429, description = "An import of the caller's, or as many as the server runs at once, is running; the body was not read", body = ErrorBody),
            ))]
        pub(crate) async fn $handler(
            State(state): State<AppState>,
            CallerScope(scope): CallerScope,
            CallerActor(actor): CallerActor,
            multipart: Multipart,
        ) -> Result<Response, ApiError> {
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
