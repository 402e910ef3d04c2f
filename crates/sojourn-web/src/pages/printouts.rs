//! Printed outputs of a person file (SPEC R1.1): the registration form
//! (流动人口信息登记表) that the resident signs and the office files, and
//! the registration receipt (登记回执) handed to the resident. Both are
//! print views of the file as it stands, numbers masked (paper leaves the
//! screen's control), and each opening is an audited read of the file.

use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::person::{Item, PersonFile, identity, load_audited, path_id, stay_items};
use crate::AppState;
use crate::auth::Caller;
use crate::format::{self, Numbers};
use crate::i18n::Tr;
use crate::scope::CallerScope;
use askama::Template;
use axum::extract::{Path, State};
use sojourn_domain::person::PersonId;
use sojourn_domain::time_rules::china_today;
use sojourn_store::AuditAction;

/// Which printout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Printout {
    /// 流动人口信息登记表: every field, with lines to sign.
    Form,
    /// 登记回执: that the registration was received, and its number.
    Receipt,
}

#[derive(Template)]
#[template(path = "printout.html")]
struct PrintPage {
    tr: Tr,
    chrome: Chrome,
    person_id: i64,
    receipt: bool,
    heading: String,
    name: String,
    identity: Vec<Item>,
    stay: Vec<Item>,
    /// The registration's number (the stay's), empty without a stay.
    number: String,
    community: String,
    registered_on: String,
    issuer: String,
    issued_on: String,
    /// Who prints it, for the 经办人 line.
    clerk: String,
}

/// `GET /persons/{id}/form`.
pub(crate) async fn form(
    state: State<AppState>,
    scope: CallerScope,
    caller: Caller,
    ctx: PageCtx,
    id: Path<String>,
) -> Result<HtmlPage, PageError> {
    show(state, scope, caller, ctx, id, Printout::Form).await
}

/// `GET /persons/{id}/receipt`.
pub(crate) async fn receipt(
    state: State<AppState>,
    scope: CallerScope,
    caller: Caller,
    ctx: PageCtx,
    id: Path<String>,
) -> Result<HtmlPage, PageError> {
    show(state, scope, caller, ctx, id, Printout::Receipt).await
}

async fn show(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    which: Printout,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = PersonId(path_id(tr, &id)?);
    let file = load_audited(&state, tr, scope, &caller, id, AuditAction::Read, None).await?;
    let heading = match which {
        Printout::Form => tr.t("printout-form-title"),
        Printout::Receipt => tr.t("printout-receipt-title"),
    };
    let page = page(tr, &ctx, &caller, &file, which, heading);
    render(tr, &page)
}

fn page(
    tr: Tr,
    ctx: &PageCtx,
    caller: &Caller,
    file: &PersonFile,
    which: Printout,
    heading: String,
) -> PrintPage {
    // The current stay, or the latest for a reprint after leaving.
    let stay = file.current().or(file.stays.first());
    let mut stay_facts = stay.map(|r| stay_items(tr, r)).unwrap_or_default();
    let linked = |link: &Option<sojourn_store::Linked>| {
        link.as_ref()
            .map_or_else(|| "—".to_owned(), |l| l.name.clone())
    };
    stay_facts.push(Item {
        label: tr.t("field-house"),
        value: linked(&file.house),
    });
    stay_facts.push(Item {
        label: tr.t("field-employer"),
        value: linked(&file.employer),
    });
    let name = file.person.details.name.to_string();
    PrintPage {
        chrome: Chrome::new(ctx, &heading, Nav::Residents, &file.units.root_name()),
        person_id: file.person.id.0,
        receipt: which == Printout::Receipt,
        heading,
        identity: identity(tr, &file.person, Numbers::Masked),
        stay: stay_facts,
        number: stay.map(|r| format!("{:010}", r.id.0)).unwrap_or_default(),
        community: stay
            .map(|r| file.units.name_of(&r.stay.unit))
            .unwrap_or_default(),
        registered_on: stay
            .map(|r| format::date(r.stay.arrived_on.date()))
            .unwrap_or_default(),
        issuer: tr.ts("card-issuer", "unit", &file.units.root_name()),
        issued_on: format::date(china_today()),
        clerk: caller.principal.display_name.to_string(),
        name,
        tr,
    }
}
