//! Safety inspections (安全检查) of a rental house, on the house's page:
//! the inspections kept with it, latest first, and a small form to record
//! one (date, who inspected, passed or issues found, notes). Issues found
//! must say what they are. An inspection is only ever added; it does not
//! change the house record.

use super::chrome::PageCtx;
use super::error::PageError;
use super::form::FormData;
use super::houses::render_house;
use super::person::path_id;
use super::record_form::absorb_as;
use super::tenants::TenantPanel;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::inspections::InspectionRequest;
use crate::format;
use crate::format::Choice;
use crate::i18n::Tr;
use crate::ops::records as ops;
use crate::scope::CallerScope;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::house::{HouseId, InspectionOutcome, RecordedInspection};
use sojourn_domain::time_rules::china_today;
use std::collections::HashMap;

/// One inspection as the house page lists it.
pub(crate) struct InspectionView {
    pub on: String,
    pub inspector: String,
    pub passed: bool,
    pub result: String,
    pub notes: String,
}

impl InspectionView {
    pub(crate) fn of(tr: Tr, r: &RecordedInspection) -> Self {
        let i = &r.inspection;
        Self {
            on: format::date(i.inspected_on.date()),
            inspector: i.inspector.to_string(),
            passed: matches!(i.outcome, InspectionOutcome::Passed { .. }),
            result: result_name(tr, i.outcome.key()),
            notes: i
                .outcome
                .notes()
                .map(ToString::to_string)
                .unwrap_or_default(),
        }
    }
}

fn result_name(tr: Tr, key: &str) -> String {
    match key {
        "passed" => tr.t("inspection-passed"),
        _ => tr.t("inspection-issues"),
    }
}

/// The inspection panel of a house page: its form, as typed when refused.
pub(crate) struct InspectionPanel {
    pub may_record: bool,
    pub f: FormData,
    pub results: Vec<Choice>,
    pub today: String,
    pub notice: String,
    /// 422 when the form comes back refused.
    pub status: Option<StatusCode>,
}

impl InspectionPanel {
    pub(crate) fn new(tr: Tr, ctx: &PageCtx, f: FormData) -> Self {
        let chosen = f.val("result").to_owned();
        let results = ["passed", "issues_found"]
            .iter()
            .map(|key| Choice::new(key, result_name(tr, key), &chosen))
            .collect();
        Self {
            may_record: ctx.may(Action::Update, Resource::House),
            results,
            today: china_today().to_string(),
            notice: String::new(),
            status: None,
            f,
        }
    }

    /// The blank form: today, passed.
    pub(crate) fn blank(tr: Tr, ctx: &PageCtx) -> Self {
        let mut f = FormData::default();
        f.set("inspected_on", china_today().to_string());
        f.set("result", "passed");
        Self::new(tr, ctx, f)
    }
}

/// The API's request, from the form: the page and
/// `POST /api/v1/houses/{id}/inspections` parse the same way.
fn request_of(form: &FormData) -> InspectionRequest {
    InspectionRequest {
        inspected_on: form.val("inspected_on").to_owned(),
        inspector: form.val("inspector").to_owned(),
        result: form.val("result").to_owned(),
        notes: form.opt("inspection_notes"),
    }
}

/// The form's name of a request field (`notes` → `inspection_notes`, as
/// the house page has other notes).
fn form_field(field: &str) -> String {
    match field {
        "notes" => "inspection_notes".to_owned(),
        other => other.to_owned(),
    }
}

/// `POST /houses/{id}/inspections`.
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
    let mut form = FormData::new(values);
    let parsed = match request_of(&form).parse(china_today()) {
        Ok(inspection) => Some(inspection),
        Err(error) => {
            absorb_as(&mut form, tr, error, form_field)?;
            None
        }
    };
    if let Some(inspection) = parsed {
        let (write_scope, actor) = (scope.clone(), caller.actor());
        let saved = ops::record_inspection(&state, write_scope, actor, house, inspection)
            .await
            .map_err(|why| PageError::internal(tr, why))?;
        match saved {
            Ok(_) => {
                let to = format!("/houses/{}?inspected=1#inspections", house.0);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(error) => return Err(PageError::store(tr, error)),
        }
    }
    let mut panel = InspectionPanel::new(tr, &ctx, form);
    panel.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
    let tenant = TenantPanel::for_caller(&caller);
    Ok(
        render_house(&state, scope, &ctx, &caller, house, tenant, panel)
            .await?
            .into_response(),
    )
}
