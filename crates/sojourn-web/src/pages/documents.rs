//! `POST /persons/{id}/documents`: records a document check (查验) or chase
//! (催办) from the form on the person file. A refusal shows the file again
//! with the messages beside their fields and everything typed kept.

use super::chrome::PageCtx;
use super::error::PageError;
use super::form::FormData;
use super::person::{FileView, load_audited, path_id, render_file};
use crate::AppState;
use crate::auth::Caller;
use crate::ops::residents as ops;
use crate::scope::CallerScope;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::document::DocumentCheck;
use sojourn_domain::person::PersonId;
use sojourn_domain::time_rules::china_today;
use sojourn_store::AuditAction;
use std::collections::HashMap;

pub(crate) async fn submit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = PersonId(path_id(tr, &id)?);
    let mut form = FormData::new(values);
    if let Some(check) = parse(&mut form, tr) {
        let (write_scope, actor) = (scope.clone(), caller.actor());
        let outcome = ops::record_document_check(&state, write_scope, actor, id, check)
            .await
            .map_err(|why| PageError::internal(tr, why))?;
        return match outcome {
            Ok(_) => {
                let to = format!("/persons/{}?documented=1", id.0);
                Ok(Redirect::to(&to).into_response())
            }
            Err(error) => Err(PageError::store(tr, error)),
        };
    }
    let file = load_audited(&state, tr, scope, &caller, id, AuditAction::Read, None).await?;
    let view = FileView {
        documents: form,
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        ..FileView::default()
    };
    Ok(render_file(&ctx, &caller, &file, view)?.into_response())
}

/// The check the form describes, or `None` with the errors on the form.
fn parse(form: &mut FormData, tr: crate::i18n::Tr) -> Option<DocumentCheck> {
    let date = form.val("doc_date").to_owned();
    let (checked_on, due_on) = match form.val("doc_action") {
        "chase" => (None, Some(date.as_str())),
        _ => (Some(date.as_str()), None),
    };
    let parsed = DocumentCheck::parse(
        form.val("doc_kind"),
        checked_on,
        due_on,
        Some(form.val("doc_note")),
        china_today(),
    );
    match parsed {
        Ok(check) => Some(check),
        Err(error) => {
            let field = format!("doc_{}", error.field());
            form.refuse_with(tr, &field, &error);
            None
        }
    }
}
