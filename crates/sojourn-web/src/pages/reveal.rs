//! Showing a person's ID and phone numbers, and a minor's guardian's, in
//! full (查看完整信息): a role with the reveal permission asks on the person
//! file, giving a reason;
//! the reason and the fields go into the audit trail, as with the API's
//! `POST /api/v1/persons/{id}/reveal`, and only that one answer shows the
//! numbers. Reloading the file masks them again.

use super::chrome::{HtmlPage, PageCtx};
use super::error::PageError;
use super::form::FormData;
use super::person::{FileView, load_audited, path_id, render_file};
use crate::AppState;
use crate::auth::Caller;
use crate::dto::reveal::RevealRequest;
use crate::format::Numbers;
use crate::scope::CallerScope;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;
use sojourn_domain::person::PersonId;
use sojourn_store::AuditAction;
use std::collections::HashMap;

/// What the page reveals: both numbers of the file.
const FIELDS: [&str; 4] = ["id_number", "phone", "guardian.id_number", "guardian.phone"];

/// `POST /persons/{id}/reveal` with `reason`. A missing or too short
/// reason shows the file again, masked, with the error beside the field
/// and the reason as typed; nothing is revealed or recorded as revealed.
pub(crate) async fn person(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(body): Form<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = PersonId(path_id(tr, &id)?);
    let mut form = FormData::new(body);
    let request = RevealRequest {
        fields: FIELDS.iter().map(|f| (*f).to_owned()).collect(),
        reason: form.val("reason").to_owned(),
    };
    match request.parse(&FIELDS) {
        Ok(reveal) => {
            let details = json!({ "fields": reveal.fields, "reason": reveal.reason });
            let action = AuditAction::Reveal;
            let file = load_audited(&state, tr, scope, &caller, id, action, Some(details)).await?;
            let view = FileView {
                notice: tr.t("reveal-done"),
                numbers: Numbers::InFull,
                ..FileView::default()
            };
            render_file(&ctx, &caller, &file, view)
        }
        Err(error) => {
            form.absorb(tr, error)
                .map_err(|e| PageError::internal(tr, e.to_string()))?;
            let action = AuditAction::Read;
            let file = load_audited(&state, tr, scope, &caller, id, action, None).await?;
            let view = FileView {
                reveal: form,
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..FileView::default()
            };
            render_file(&ctx, &caller, &file, view)
        }
    }
}
