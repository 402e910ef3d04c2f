//! The jurisdiction tree under the reader's unit — communities, grids,
//! collection points — with the staff of each unit for those who may read
//! accounts, and the form that adds a grid below a community or a
//! collection point below a grid (the system administrator's).

use super::{absorb, level_name, may, role_name};
use crate::AppState;
use crate::auth::Caller;
use crate::dto::units::CreateUnitRequest;
use crate::format::Choice;
use crate::i18n::Tr;
use crate::ops::units as ops;
use crate::pages::access::{Units, blocking};
use crate::pages::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use crate::pages::error::PageError;
use crate::pages::form::FormData;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::unit::{Unit, UnitLevel};
use sojourn_store::Account;
use std::collections::HashMap;

/// One unit of the tree, with its depth below the reader's unit.
struct TreeRow {
    code: String,
    name: String,
    level: String,
    depth: usize,
    staff: Vec<StaffMember>,
}

struct StaffMember {
    id: i64,
    name: String,
    username: String,
    roles: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "admin_units.html")]
struct TreePage {
    tr: Tr,
    chrome: Chrome,
    rows: Vec<TreeRow>,
    /// Whether staff are shown (the reader may read accounts).
    staff_shown: bool,
    /// The form for a new unit, when the reader may create units.
    can_create: bool,
    parents: Vec<Choice>,
    f: FormData,
    created: Option<String>,
}

/// What the tree page needs from the store.
struct Loaded {
    units: Units,
    accounts: Vec<Account>,
}

async fn load(state: &AppState, caller: &Caller, tr: Tr) -> Result<Loaded, PageError> {
    let scope = caller.scope();
    let staff_shown = may(caller, Action::Read, Resource::Account);
    blocking(state, tr, move |store| {
        let units = Units::load(store, &scope)?;
        let accounts = if staff_shown {
            store.list_accounts(&scope)?
        } else {
            Vec::new()
        };
        Ok(Loaded { units, accounts })
    })
    .await
}

fn page(
    ctx: &PageCtx,
    caller: &Caller,
    loaded: &Loaded,
    f: FormData,
    created: Option<String>,
) -> TreePage {
    let tr = ctx.tr;
    let root_len = loaded
        .units
        .all
        .first()
        .map_or(0, |u| u.code.as_str().len());
    let rows = loaded
        .units
        .all
        .iter()
        .map(|unit| TreeRow {
            code: unit.code.to_string(),
            name: unit.name.to_string(),
            level: level_name(tr, unit.level()),
            depth: unit.code.as_str().len().saturating_sub(root_len) / 3,
            staff: loaded
                .accounts
                .iter()
                .filter(|a| a.unit == unit.code)
                .map(|a| StaffMember {
                    id: a.id.0,
                    name: a.display_name.to_string(),
                    username: a.username.to_string(),
                    roles: a
                        .roles
                        .iter()
                        .map(|r| role_name(tr, *r))
                        .collect::<Vec<_>>()
                        .join("、"),
                    disabled: a.disabled,
                })
                .collect(),
        })
        .collect();
    let selected = f.val("parent").to_owned();
    let parents = loaded
        .units
        .all
        .iter()
        .filter(|u| matches!(u.level(), UnitLevel::Community | UnitLevel::Grid))
        .map(|u| {
            let label = format!("{}（{}）", u.name, level_name(tr, u.level()));
            Choice::new(u.code.as_str(), label, &selected)
        })
        .collect();
    let title = tr.t("units-title");
    TreePage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Units, &loaded.units.root_name()),
        rows,
        staff_shown: may(caller, Action::Read, Resource::Account),
        can_create: may(caller, Action::Create, Resource::Unit),
        parents,
        f,
        created,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct TreeQuery {
    created: Option<String>,
}

/// `GET /admin/units` (`created=` names a unit just added).
pub(crate) async fn tree(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    axum::extract::Query(query): axum::extract::Query<TreeQuery>,
) -> Result<HtmlPage, PageError> {
    let loaded = load(&state, &caller, ctx.tr).await?;
    let created = query
        .created
        .and_then(|code| loaded.units.all.iter().find(|u| u.code.as_str() == code))
        .map(|u| u.name.to_string());
    render(
        ctx.tr,
        &page(&ctx, &caller, &loaded, FormData::default(), created),
    )
}

/// `POST /admin/units/new`: the parent, a three-digit number below it and
/// a name, through the same operation as the API's `POST /units`.
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageCtx,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let mut f = FormData::new(values);
    f.require(tr, &["parent", "number", "name"]);
    let number = f.opt("number").unwrap_or_default();
    if !number.is_empty() && (number.len() != 3 || !number.bytes().all(|b| b.is_ascii_digit())) {
        f.refuse("number", tr.t("units-number-invalid"));
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if f.is_valid() {
        let request = CreateUnitRequest {
            code: format!("{}{number}", f.opt("parent").unwrap_or_default()),
            name: f.opt("name").unwrap_or_default(),
        };
        let outcome = match Unit::try_from(request) {
            Ok(unit) => ops::create(&state, &caller, unit).await,
            Err(error) => Err(error),
        };
        match outcome {
            Ok(unit) => {
                let to = format!("/admin/units?created={}", unit.code);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(error) => {
                let fields = [
                    ("duplicate_unit", "number"),
                    ("reference_out_of_scope", "parent"),
                ];
                status = absorb(tr, &mut f, error, &fields)?;
                // The API names the code; the form asks for its number.
                if let Some(message) = f.error_for("code") {
                    f.refuse("number", message);
                }
            }
        }
    }
    let loaded = load(&state, &caller, tr).await?;
    let mut page = render(tr, &page(&ctx, &caller, &loaded, f, None))?;
    page.status = Some(status);
    Ok(page.into_response())
}
