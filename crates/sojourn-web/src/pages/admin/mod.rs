//! The administrators' pages (三员分立): the unit tree and new grids and
//! collection points (system administrator), accounts (opened and disabled
//! by the system administrator, roles and credentials by the security
//! administrator), API tokens, and the audit trail (audit administrator).
//!
//! Every change goes through the operation the API's handler calls too
//! ([`crate::ops`]), so a page can do exactly what the API lets the same
//! caller do — the route table's permission, the jurisdiction, "not one's
//! own account", the second factor an administrator role needs — and the
//! store audits it as it does for the API. These pages only turn the outcome into HTML: a refused field shows
//! beside its input in the reader's language, and nothing is changed.

/// Accounts: list, open, and every change the table allows.
mod accounts;
/// The audit trail: search, export link, chain verification.
mod audit;
/// The contacts of a unit, for the contact card.
mod contacts;
/// API tokens: list, issue (shown once), revoke.
mod tokens;
/// The jurisdiction tree with its staff; new grids and collection points.
mod units;

use super::chrome::PageCtx;
use super::error::{PageError, localized};
use super::form::FormData;
use super::home::{self, HomeQuery};
use super::{Entry, PageTable};
use crate::AppState;
use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::i18n::Tr;
use crate::scope::CallerScope;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sojourn_domain::account::{Action, Resource, Role};
use sojourn_domain::unit::UnitLevel;
use time::{OffsetDateTime, UtcOffset};

/// The administration routes, each behind the permission its API twin has.
pub(crate) fn table(pages: PageTable<'_>) -> PageTable<'_> {
    use Action::{Assign, Create, Manage, Read, Update};
    use Resource::{Account, ApiToken, Audit, Unit};
    let may = Access::Permission;
    let r = Entry::Guarded;
    pages
        .route("/admin/units", r(get(units::tree), may(Read, Unit)))
        .route(
            "/admin/units/new",
            r(post(units::create), may(Create, Unit)),
        )
        .route(
            "/admin/units/{code}/contacts",
            r(get(contacts::form).post(contacts::submit), may(Read, Unit)),
        )
        .route(
            "/admin/accounts",
            r(get(accounts::list), may(Read, Account)),
        )
        .route(
            "/admin/accounts/new",
            r(
                get(accounts::new_form).post(accounts::create),
                may(Create, Account),
            ),
        )
        .route(
            "/admin/accounts/{id}",
            r(get(accounts::show), may(Read, Account)),
        )
        .route(
            "/admin/accounts/{id}/disable",
            r(post(accounts::disable), may(Update, Account)),
        )
        .route(
            "/admin/accounts/{id}/enable",
            r(post(accounts::enable), may(Update, Account)),
        )
        .route(
            "/admin/accounts/{id}/roles",
            r(post(accounts::assign_roles), may(Assign, Account)),
        )
        .route(
            "/admin/accounts/{id}/unlock",
            r(post(accounts::unlock), may(Manage, Account)),
        )
        .route(
            "/admin/accounts/{id}/password",
            r(post(accounts::reset_password), may(Manage, Account)),
        )
        .route(
            "/admin/accounts/{id}/totp",
            r(post(accounts::reset_totp), may(Manage, Account)),
        )
        .route(
            "/admin/accounts/{id}/totp/withdraw",
            r(post(accounts::withdraw_totp), may(Manage, Account)),
        )
        .route("/admin/tokens", r(get(tokens::list), may(Read, ApiToken)))
        .route(
            "/admin/tokens/new",
            r(post(tokens::create), may(Create, ApiToken)),
        )
        .route(
            "/admin/tokens/{id}/revoke",
            r(post(tokens::revoke), may(Manage, ApiToken)),
        )
        .route("/admin/audit", r(get(audit::search), may(Read, Audit)))
        .route(
            "/admin/audit/verify",
            r(get(audit::verify), may(Read, Audit)),
        )
}

/// Where a role that reads no register starts: the first administration
/// page it may see.
const ADMIN_HOMES: [(Action, Resource, &str); 4] = [
    (Action::Read, Resource::Account, "/admin/accounts"),
    (Action::Read, Resource::Audit, "/admin/audit"),
    (Action::Read, Resource::ApiToken, "/admin/tokens"),
    (Action::Read, Resource::Unit, "/admin/units"),
];

/// `GET /`: the dashboard for whoever reads the registers; the three
/// administrators (who never do) go to their own pages instead of a 403.
pub(crate) async fn landing(
    state: State<AppState>,
    caller: Caller,
    scope: CallerScope,
    ctx: PageCtx,
    query: Query<HomeQuery>,
) -> Result<Response, PageError> {
    let principal = &caller.principal;
    if principal
        .role_allowing(Action::Read, Resource::Resident)
        .is_some()
    {
        let rights = super::todo::TodoRights::of(&caller).with_check_windows(state.check_windows);
        return home::show(state, scope, rights, ctx, query)
            .await
            .map(IntoResponse::into_response);
    }
    ADMIN_HOMES
        .iter()
        .find(|(action, resource, _)| principal.role_allowing(*action, *resource).is_some())
        .map(|(_, _, home)| Redirect::to(home).into_response())
        .ok_or_else(|| {
            // An account the security administrator has not yet given a role.
            PageError::with_status(ctx.tr, StatusCode::FORBIDDEN, ctx.tr.t("home-no-roles"))
        })
}

/// Whether the caller's roles allow `action` on `resource` (what a page
/// offers; the route's guard decides what it does).
pub(super) fn may(caller: &Caller, action: Action, resource: Resource) -> bool {
    caller.principal.role_allowing(action, resource).is_some()
}

/// How an API handler's refusal shows on a form: field errors beside their
/// fields, a conflict or rule beside the field `fields` names for its code
/// (or above the form), and the status the page is answered with. A record
/// outside the jurisdiction, a forbidden act and a failure are error pages.
pub(super) fn absorb(
    tr: Tr,
    f: &mut FormData,
    error: ApiError,
    fields: &[(&str, &str)],
) -> Result<StatusCode, PageError> {
    let status = error.status();
    match error {
        ApiError::Validation(_) => {
            f.absorb(tr, error)
                .map_err(|e| PageError::internal(tr, e.to_string()))?;
            Ok(status)
        }
        ApiError::Conflict(problem) | ApiError::Unprocessable(problem) => {
            let message = if tr.lang.is_en() {
                problem.message.en
            } else {
                problem.message.zh_cn
            };
            match fields.iter().find(|(code, _)| *code == problem.code) {
                Some((_, field)) => f.refuse(field, message),
                None => f.form_error = Some(message),
            }
            Ok(status)
        }
        ApiError::NotFound(_) => Err(PageError::not_found(tr)),
        ApiError::Denied(denied) => Err(PageError::with_status(
            tr,
            denied.status(),
            localized(tr, &denied),
        )),
        other => Err(PageError::internal(tr, other.to_string())),
    }
}

/// A role's name in the reader's language.
pub(super) fn role_name(tr: Tr, role: Role) -> String {
    match role {
        Role::OfficeDirector => tr.t("role-office_director"),
        Role::StationChief => tr.t("role-station_chief"),
        Role::Clerk => tr.t("role-clerk"),
        Role::Coordinator => tr.t("role-coordinator"),
        Role::Collector => tr.t("role-collector"),
        Role::PoliceLiaison => tr.t("role-police_liaison"),
        Role::FamilyPlanningOfficer => tr.t("role-family_planning_officer"),
        Role::HealthWorker => tr.t("role-health_worker"),
        Role::Inspector => tr.t("role-inspector"),
        Role::SystemAdmin => tr.t("role-system_admin"),
        Role::SecurityAdmin => tr.t("role-security_admin"),
        Role::AuditAdmin => tr.t("role-audit_admin"),
    }
}

/// A unit level's name in the reader's language.
pub(super) fn level_name(tr: Tr, level: UnitLevel) -> String {
    match level {
        UnitLevel::County => tr.t("level-county"),
        UnitLevel::Town => tr.t("level-town"),
        UnitLevel::Community => tr.t("level-community"),
        UnitLevel::Grid => tr.t("level-grid"),
        UnitLevel::CollectionPoint => tr.t("level-collection_point"),
    }
}

/// A time as China Standard Time, to the minute.
pub(super) fn when(at: OffsetDateTime) -> String {
    let t = UtcOffset::from_hms(8, 0, 0).map_or(at, |china| at.to_offset(china));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}
