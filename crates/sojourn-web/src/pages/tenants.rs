//! Adding or moving a tenant from a house's page (以房管人): the clerk
//! finds a resident by the one search box (ID number, name, pinyin,
//! phone), then moves the resident's current stay to this house from the
//! day the clerk gives (today unless told otherwise). Moving ends the
//! tenancy at the old house that day (the store keeps it as a former
//! tenancy there) and starts one here; it is a change of the stay, kept
//! in its history.
//!
//! The search term travels in a POST body, never in a URL (it may be an
//! ID number), as on the resident list.

use super::access::blocking_raw;
use super::chrome::PageCtx;
use super::error::PageError;
use super::form::FormData;
use super::houses::render_house;
use super::inspections::InspectionPanel;
use super::person::path_id;
use crate::AppState;
use crate::auth::Caller;
use crate::format;
use crate::i18n::Tr;
use crate::scope::CallerScope;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::house::HouseId;
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::search::SearchTerm;
use sojourn_domain::time_rules::{PastDate, china_today};
use sojourn_domain::unit::Scope;
use sojourn_store::{PageRequest, ResidentQuery, StatusFilter, StayLink, Store, StoreError};
use std::collections::HashMap;

/// Residents offered for one search.
const CANDIDATES: u32 = 10;

/// The panel on a house's page: the search, what it found, and the
/// outcome of the last move.
#[derive(Debug, Clone, Default)]
pub(crate) struct TenantPanel {
    /// Whether the reader may move residents (the panel shows only then).
    pub may_move: bool,
    pub f: FormData,
    pub candidates: Vec<Candidate>,
    /// Whether a search ran (to tell "nothing found" from "not searched").
    pub searched: bool,
    pub notice: String,
    pub status: Option<StatusCode>,
    /// Today, the move-in date's default and latest day.
    pub today: String,
}

impl TenantPanel {
    pub(crate) fn for_caller(caller: &Caller) -> Self {
        Self {
            may_move: caller
                .principal
                .role_allowing(Action::Update, Resource::Resident)
                .is_some(),
            today: china_today().to_string(),
            ..Self::default()
        }
    }
}

/// A resident the search found: who, where they rent now, and what the
/// move form sends back.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub person_id: i64,
    pub name: String,
    pub id_number: String,
    /// The house rented now, empty if none.
    pub house: String,
    /// Already a tenant of this house: nothing to move.
    pub here: bool,
    pub residence: i64,
    pub version: i64,
}

/// Current residents matching `text`, with the address of the house each
/// rents now.
fn candidates(
    store: &dyn Store,
    scope: &Scope,
    text: &str,
    house: HouseId,
) -> sojourn_store::Result<Vec<Candidate>> {
    let Some(term) = SearchTerm::parse(text) else {
        return Ok(Vec::new());
    };
    let query = ResidentQuery {
        term: Some(term),
        status: StatusFilter::Current,
        page: PageRequest::new(0, CANDIDATES).unwrap_or_default(),
        ..ResidentQuery::default()
    };
    let mut found = Vec::new();
    for row in store.search_residents(scope, &query)?.items {
        let stay = &row.residence.stay;
        let address = match stay.house {
            Some(h) if h == house => String::new(),
            Some(h) => store
                .stay_link(scope, StayLink::House(h))?
                .map(|other| other.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        found.push(Candidate {
            person_id: row.person.id.0,
            name: row.person.details.name.to_string(),
            id_number: format::id_number(&row.person.id_number),
            house: address,
            here: stay.house == Some(house),
            residence: row.residence.id.0,
            version: row.residence.version,
        });
    }
    Ok(found)
}

/// Moves a current stay to `house` (one in scope) from `on`, every other
/// detail unchanged.
fn move_stay(
    store: &dyn Store,
    scope: &Scope,
    house: HouseId,
    (residence, version): (ResidenceId, i64),
    on: PastDate,
    actor: &sojourn_store::Actor,
) -> sojourn_store::Result<()> {
    store.get_house(scope, house)?;
    store
        .move_to_house(scope, residence, house, on, version, actor)
        .map(drop)
}

/// `POST /houses/{id}/tenants`: with `tenant_q`, the residents it finds;
/// with `residence` and `version`, moves that stay here.
pub(crate) async fn submit(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = ctx.tr;
    let house = HouseId(path_id(tr, &id)?);
    let form = FormData::new(values);
    let mut panel = TenantPanel::for_caller(&caller);
    let chosen = form.opt("residence").zip(form.opt("version"));
    if let Some((residence, version)) = chosen {
        let (Ok(residence), Ok(version)) = (residence.parse(), version.parse()) else {
            return Err(PageError::not_found(tr));
        };
        // The day the tenant moved in: today unless the clerk says so.
        let typed = form.opt("moved_on");
        let moved_on = typed.as_deref().map_or_else(
            || PastDate::new(china_today(), china_today()),
            |day| PastDate::parse(day, china_today()),
        );
        match moved_on {
            Ok(on) => {
                let (write_scope, actor) = (scope.clone(), caller.actor());
                let stay = (ResidenceId(residence), version);
                let outcome = blocking_raw(&state, tr, move |store| {
                    move_stay(store, &write_scope, house, stay, on, &actor)
                })
                .await?;
                match outcome {
                    Ok(()) => {
                        let to = format!("/houses/{}?moved=1", house.0);
                        return Ok(Redirect::to(&to).into_response());
                    }
                    Err(StoreError::NotFound { .. }) => return Err(PageError::not_found(tr)),
                    Err(error) => refused(tr, &mut panel, &error)?,
                }
            }
            Err(error) => {
                panel.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
                panel.notice = super::error::localized(tr, &error);
            }
        }
    }
    let text = form.opt("tenant_q").unwrap_or_default();
    let search_scope = scope.clone();
    let query = text.clone();
    panel.candidates = blocking_raw(&state, tr, move |store| {
        candidates(store, &search_scope, &query, house)
    })
    .await?
    .map_err(|e| PageError::store(tr, e))?;
    panel.searched = !text.is_empty();
    panel.f = form;
    let inspection = InspectionPanel::blank(tr, &ctx);
    Ok(
        render_house(&state, scope, &ctx, &caller, house, panel, inspection)
            .await?
            .into_response(),
    )
}

/// A move the store refused: changed meanwhile, departed, or a rule.
fn refused(tr: Tr, panel: &mut TenantPanel, error: &StoreError) -> Result<(), PageError> {
    panel.status = Some(StatusCode::CONFLICT);
    panel.notice = match error {
        StoreError::VersionConflict { .. } => tr.t("edit-conflict"),
        StoreError::Rule(_) | StoreError::ReferenceOutOfScope { .. } => {
            super::error::localized(tr, error)
        }
        _ => return Err(PageError::internal(tr, error.to_string())),
    };
    Ok(())
}
