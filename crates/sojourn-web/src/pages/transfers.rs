//! 重卡 on the pages, and what a clerk does next: transfer requests
//! (转移申请).
//!
//! The registration form's live ID check asks the store where the number
//! typed has a current stay ([`on_file`]): in the caller's jurisdiction it
//! links to the file (the caller may open it); elsewhere it names the
//! community only — that a file exists there is all that crosses the
//! scope — and offers to ask that community to deregister the person. A
//! lookup that finds a stay is audited as a read of it (and counted
//! against the account's audited reads, so the check cannot be used to
//! sweep the register).
//!
//! The request itself (`POST /transfers/new`) is sent from the
//! registration form (its button submits the form here, so the number
//! never travels in a URL): first a page naming the community asked,
//! with an optional note, then the request. The community asked sees the
//! count on its to-do list and the request on `/transfers`, where it
//! accepts — its current stay departs today, towards the asking
//! community (see `sojourn_store::transfers` for why a departure and not
//! a hand-over) — or declines with a reason, which the asker reads on
//! the same page. The store enforces scope both ways; these pages only
//! show what it returns.

use super::access::{Units, blocking, blocking_raw};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::{PageError, localized};
use super::form::FormData;
use super::person::{may, page_error, path_id};
use crate::AppState;
use crate::audit;
use crate::auth::Caller;
use crate::format;
use crate::i18n::Tr;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::Action;
use sojourn_domain::codes::IdNumber;
use sojourn_domain::record::RecordKind;
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::time_rules::{CHINA, china_today};
use sojourn_domain::unit::Scope;
use sojourn_store::transfers::{TransferDirection, TransferId, TransferRequest, TransferState};
use sojourn_store::{AuditAction, AuditEvent, Outcome, StoreError};
use std::collections::HashMap;

/// A current stay of the number typed, as the registration form may show
/// it: the community's name, and the file only within the caller's scope.
#[derive(Debug, Clone, Default)]
pub(crate) struct OnFile {
    pub unit_name: String,
    pub person: Option<i64>,
}

/// Where `id` has a current stay, for a caller who may register arrivals
/// (nobody else is told); a lookup that finds one is audited as a read of
/// that stay.
pub(crate) async fn on_file(
    state: &AppState,
    tr: Tr,
    caller: &Caller,
    scope: Scope,
    id: IdNumber,
) -> Result<Option<OnFile>, PageError> {
    if !may(caller, Action::Create) {
        return Ok(None);
    }
    let found = blocking(state, tr, move |store| store.current_file(&scope, &id)).await?;
    let Some(file) = found else {
        return Ok(None);
    };
    let event = AuditEvent::new(AuditAction::Read, Outcome::Success)
        .object(RecordKind::Residence, file.residence.0)
        .unit(&file.unit)
        .details(serde_json::json!({
            "lookup": "duplicate_on_arrival",
            "in_scope": file.person.is_some(),
        }));
    audit::record_read(state, caller.actor(), event)
        .await
        .map_err(|e| page_error(tr, e))?;
    Ok(Some(OnFile {
        unit_name: file.unit_name,
        person: file.person.map(|p| p.0),
    }))
}

// ---------------------------------------------------------------------------
// Asking

#[derive(Template)]
#[template(path = "transfer_new.html")]
struct AskPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    /// The number as pages show it (masked).
    masked: String,
    /// The community asked, when the number has a current stay elsewhere.
    unit_name: String,
    /// Whether the request can be sent (else the page says why not).
    can_send: bool,
}

/// `POST /transfers/new`: the registration form's "request a transfer"
/// (shows what will be asked), or this page's own submit (`send`).
pub(crate) async fn ask(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut form = FormData::new(values);
    let id = match IdNumber::parse(form.val("id_number")) {
        Ok(id) => id,
        Err(error) => {
            form.refuse_with(tr, "id_number", &error);
            return show_ask(&state, &ctx, &caller, scope, form, None).await;
        }
    };
    if form.opt("send").is_none() {
        return show_ask(&state, &ctx, &caller, scope, form, Some(id)).await;
    }
    let note = match form.opt("note") {
        Some(text) => match Note::parse(&text) {
            Ok(note) => Some(note),
            Err(error) => {
                form.refuse_with(tr, "note", &error);
                return show_ask(&state, &ctx, &caller, scope, form, Some(id)).await;
            }
        },
        None => None,
    };
    let (write_scope, actor, number) = (scope.clone(), caller.actor(), id.clone());
    let outcome = blocking_raw(&state, tr, move |store| {
        store.request_transfer(&write_scope, &number, note.as_ref(), &actor)
    })
    .await?;
    match outcome {
        Ok(_) => Ok(Redirect::to("/transfers?done=sent").into_response()),
        Err(error @ StoreError::Transfer(_)) => {
            form.form_error = Some(localized(tr, &error));
            show_ask(&state, &ctx, &caller, scope, form, Some(id)).await
        }
        Err(error) => Err(PageError::store(tr, error)),
    }
}

async fn show_ask(
    state: &AppState,
    ctx: &PageCtx,
    caller: &Caller,
    scope: Scope,
    mut form: FormData,
    id: Option<IdNumber>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let units = {
        let scope = scope.clone();
        blocking(state, tr, move |store| Units::load(store, &scope)).await?
    };
    let masked = id.as_ref().map(format::id_number).unwrap_or_default();
    let found = match id {
        Some(id) => on_file(state, tr, caller, scope, id).await?,
        None => None,
    };
    let unit_name = match &found {
        Some(OnFile {
            person: None,
            unit_name,
        }) => unit_name.clone(),
        Some(OnFile { unit_name, .. }) if form.form_error.is_none() => {
            let refusal = sojourn_store::transfers::TransferRefusal::OwnJurisdiction;
            form.form_error = Some(localized(tr, &refusal));
            unit_name.clone()
        }
        None if form.form_error.is_none() && form.is_valid() => {
            let refusal = sojourn_store::transfers::TransferRefusal::NoCurrentStay;
            form.form_error = Some(localized(tr, &refusal));
            String::new()
        }
        _ => String::new(),
    };
    let can_send = matches!(found, Some(OnFile { person: None, .. }));
    let refused = !can_send || !form.is_valid() || form.form_error.is_some();
    let title = tr.t("transfer-new-title");
    let page = AskPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Register, &units.root_name()),
        f: form,
        masked,
        unit_name,
        can_send,
    };
    let mut page = render(tr, &page)?;
    if refused {
        page.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
    }
    Ok(page.into_response())
}

// ---------------------------------------------------------------------------
// The lists and the decisions

/// Requests a list shows.
const LIMIT: u32 = 100;

struct RequestView {
    id: i64,
    /// The person's name (masked where the reader may not open the file)
    /// and the file's link, when the reader may open it.
    person: String,
    href: Option<String>,
    from: String,
    to: String,
    note: String,
    asked: String,
    state: String,
    pending: bool,
    accepted: bool,
    /// The decline form's error, when this request's decline was refused.
    error: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "transfers.html")]
struct ListPage {
    tr: Tr,
    chrome: Chrome,
    incoming: Vec<RequestView>,
    outgoing: Vec<RequestView>,
    can_decide: bool,
    can_register: bool,
    message: Option<String>,
}

fn state_text(tr: Tr, state: &TransferState) -> String {
    match state {
        TransferState::Declined { reason, .. } => {
            tr.ts("transfer-state-declined", "reason", reason)
        }
        other => tr.t(&format!("transfer-state-{}", other.code())),
    }
}

fn view(tr: Tr, request: &TransferRequest, scope: &Scope) -> RequestView {
    let may_open = scope.contains(&request.to_unit);
    let person = match (may_open, PersonName::parse(&request.person_name)) {
        (true, _) => request.person_name.clone(),
        (false, Ok(name)) => name.masked(),
        (false, Err(_)) => String::new(),
    };
    RequestView {
        id: request.id.0,
        person,
        href: may_open.then(|| format!("/persons/{}", request.person.0)),
        from: request.from_name.clone(),
        to: request.to_name.clone(),
        note: request.note.clone().unwrap_or_default(),
        asked: format!(
            "{} {}",
            request.requested_by,
            request.requested_at.to_offset(CHINA).date()
        ),
        state: state_text(tr, &request.state),
        pending: request.state == TransferState::Pending,
        accepted: matches!(request.state, TransferState::Accepted { .. }),
        error: String::new(),
        reason: String::new(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ListQuery {
    done: Option<String>,
}

/// A decline refused for want of a reason: shown beside that request.
struct Refused {
    id: i64,
    reason: String,
    error: String,
}

/// `GET /transfers`.
pub(crate) async fn list(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Query(query): Query<ListQuery>,
) -> Result<HtmlPage, PageError> {
    let message = query
        .done
        .as_deref()
        .filter(|d| matches!(*d, "sent" | "accepted" | "declined"))
        .map(|d| ctx.tr.t(&format!("transfer-done-{d}")));
    show_list(&state, &ctx, &caller, scope, message, None).await
}

async fn show_list(
    state: &AppState,
    ctx: &PageCtx,
    caller: &Caller,
    scope: Scope,
    message: Option<String>,
    refused: Option<Refused>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let read_scope = scope.clone();
    let (units, incoming, outgoing) = blocking(state, tr, move |store| {
        let incoming = store.transfers(&read_scope, TransferDirection::Incoming, false, LIMIT)?;
        let outgoing = store.transfers(&read_scope, TransferDirection::Outgoing, false, LIMIT)?;
        Ok((Units::load(store, &read_scope)?, incoming, outgoing))
    })
    .await?;
    let mut incoming: Vec<RequestView> = incoming.iter().map(|r| view(tr, r, &scope)).collect();
    if let Some(refused) = refused
        && let Some(row) = incoming.iter_mut().find(|r| r.id == refused.id)
    {
        row.error = refused.error;
        row.reason = refused.reason;
    }
    let title = tr.t("transfers-title");
    let page = ListPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Residents, &units.root_name()),
        incoming,
        outgoing: outgoing.iter().map(|r| view(tr, r, &scope)).collect(),
        can_decide: may(caller, Action::Update),
        can_register: may(caller, Action::Create),
        message,
    };
    render(tr, &page)
}

/// `POST /transfers/{id}/accept`.
pub(crate) async fn accept(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = TransferId(path_id(tr, &id)?);
    let actor = caller.actor();
    let today = china_today();
    blocking(&state, tr, move |store| {
        store.accept_transfer(&scope, id, today, &actor)
    })
    .await?;
    Ok(Redirect::to("/transfers?done=accepted").into_response())
}

/// `POST /transfers/{id}/decline` (`reason=` required).
pub(crate) async fn decline(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let id = TransferId(path_id(tr, &id)?);
    let typed = values.get("reason").cloned().unwrap_or_default();
    let reason = match Note::parse(&typed) {
        Ok(reason) => reason,
        Err(error) => {
            // The request must exist in scope for its row to show the error.
            let read_scope = scope.clone();
            blocking(&state, tr, move |store| store.get_transfer(&read_scope, id)).await?;
            let message = match error {
                sojourn_domain::text::TextError::Empty { .. } => tr.t("transfer-reason-required"),
                other => localized(tr, &other),
            };
            let refused = Refused {
                id: id.0,
                reason: typed,
                error: message,
            };
            let mut page = show_list(&state, &ctx, &caller, scope, None, Some(refused)).await?;
            page.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
            return Ok(page.into_response());
        }
    };
    let actor = caller.actor();
    blocking(&state, tr, move |store| {
        store.decline_transfer(&scope, id, &reason, &actor)
    })
    .await?;
    Ok(Redirect::to("/transfers?done=declined").into_response())
}
