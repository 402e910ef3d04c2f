//! The pages staff work in: server-rendered HTML (askama templates, checked
//! at compile time), zh-CN first with English on request, enhanced by the
//! vendored htmx where a live answer helps (ID check, pickers) and usable
//! without it. No inline script: what little script there is lives in
//! `assets/app.js`, so the content security policy can forbid inline code.
//!
//! Like the API, every handler takes the caller's scope from
//! [`CallerScope`](crate::scope::CallerScope) and calls the store off the
//! async runtime ([`access`]).
//!
//! The page routes are one table (`table`), which builds the router and,
//! unchanged, the list [`route_list`] the page access matrix walks. Each
//! route passes the API's guard with the access of the API route that does
//! the same thing ([`guard`]); only the refusal differs: to the sign-in
//! page (or the password change when it is due), else an HTML error page.
//! The assets, the language switch and the sign-in page are public. `/`
//! lands each role on a page it may see: the dashboard, or the
//! administrators' own pages (`admin`). The language chosen is kept on
//! the account as well as in the browser.
//!
//! The rules live once. The sign-in pages call `auth::login`; the
//! administrators' pages, registration, the record forms, imports and
//! exports call the operations the API's handlers call ([`crate::ops`]),
//! never a handler; the forms parse through the API's request types
//! (`crate::dto`), so a page can do exactly what the API allows the same
//! caller, audited the same way. Pages show ID and phone numbers masked ([`format`]); a reason
//! given on the file shows them in full once, audited as the API's reveal
//! (`reveal`), and a form never shows a number in full. The home figures
//! and a large unit's resident list read the store's running totals and
//! ordering indexes (`home`, `by_arrival`), so a street office of a
//! million residents opens them as fast as a community does.

/// Store calls off the async workers, and the units of the jurisdiction.
mod access;
/// The administrators' pages: unit tree, accounts, API tokens, audit
/// trail; and where each role lands after signing in.
mod admin;
/// Embedded static files with long-lived, content-hashed URLs.
mod assets;
/// The contact card (便民服务联系卡), a print view.
mod card;
/// Server-side SVG bar charts.
mod charts;
/// The frame every page shares and the request context.
mod chrome;
/// Registering a departure (走有注销).
mod departure;
/// Registering and changing an employer.
mod employer_form;
/// Employer list and page.
mod employers;
/// The HTML error page.
mod error;
/// Exports from the lists: the form, the job's progress, the download.
mod exports;
/// The 三查 worklist of the family-planning follow-up.
mod family_planning;
/// Submitted form values and their errors.
mod form;
/// The API's guard on the pages, refusing with pages.
mod guard;
/// The home dashboard.
mod home;
/// Registering and changing a rental house.
mod house_form;
/// Rental house list and page.
mod houses;
/// Importing a register from an uploaded sheet, and its report.
pub(crate) mod imports;
/// The language switch.
mod lang;
/// What the register lists share: filters from the URL, empty pages.
mod lists;
/// Fragments for live validation and pickers (htmx).
mod live;
/// Where a page may send the reader back to: a path of this site.
mod local_path;
/// Registering and changing an outflow record, and its return.
mod outflow_form;
/// Outflow list and page.
mod outflows;
/// Residence permits 居住证: the counter, print views, worklists.
mod permits;
/// The person file (一人一档).
mod person;
/// Cascading division pickers (province → … → village).
mod pickers;
/// The registration form (登记表) and receipt (登记回执), print views.
mod printouts;
/// The data-quality monitor (数据质量监控).
pub(crate) mod quality;
/// A probable duplicate's two files side by side, before the merge.
mod quality_compare;
/// What the house, employer and outflow forms share.
mod record_form;
/// The registration form (来有登记).
mod register;
/// Service requests at the one-stop window: list, intake, steps.
mod requests;
/// The resident list with its filters.
mod residents;
/// Signing in, changing one's password, signing out.
mod session;
/// Figures for the home page, from the store's list queries.
mod stats;
/// The home page's to-do list: waiting work counted and linked.
mod todo;
/// Transfer requests (转移申请) and the 重卡 warning of the registration form.
mod transfers;
/// Links that keep a list's filters.
mod url;

// ---- person file edits, reveals, tenants, age bands ----
/// The resident list of a large unit, from running totals and an index walk.
mod by_arrival;
/// Recording a document check or chase from the person file.
mod documents;
/// The 监护人 fieldset of the registration and file-edit forms.
mod guardian;
/// Safety inspections recorded from a house's page.
mod inspections;
/// Patrols (巡查): the worklists and the form.
mod patrols;
/// Changing a person file and its current stay.
mod person_edit;
/// Showing a file's numbers in full, with a reason, audited.
mod reveal;
/// What each revision of a record changed.
mod revisions;
/// The staffing ratios (配备标准).
mod staffing;
/// Adding or moving a tenant from a house's page.
mod tenants;

// ---- the review workflow ----
/// Review queue, corrections, overdue list, spot checks, counts.
pub(crate) mod review;
/// The review lists' filters, read from the URL.
mod review_filters;
/// A record's review on the record's own page.
mod review_panel;

use crate::AppState;
use crate::auth::Access;
use axum::Router;
use axum::routing::{MethodRouter, get, post};
use guard::page;
use sojourn_domain::account::{Action, Resource};

pub(crate) use guard::no_page;

/// One page route: its path and what it requires ([`Access::Public`] for
/// the unguarded assets and language switch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRoute {
    pub path: &'static str,
    pub access: Access,
}

/// A route of the table: guarded for an access requirement, or open.
pub(crate) enum Entry {
    Guarded(MethodRouter<AppState>, Access),
    Open(MethodRouter<AppState>),
}

impl From<MethodRouter<AppState>> for Entry {
    fn from(route: MethodRouter<AppState>) -> Self {
        Self::Open(route)
    }
}

/// The page routes being built: into a router (with the guards), or into
/// the list of paths and access requirements the access matrix walks.
/// Both come from the one table ([`table`]), so no page escapes the matrix.
pub(crate) struct PageTable<'a> {
    state: Option<&'a AppState>,
    router: Router<AppState>,
    list: Vec<PageRoute>,
}

impl PageTable<'_> {
    pub(crate) fn route(mut self, path: &'static str, entry: impl Into<Entry>) -> Self {
        let (route, access) = match entry.into() {
            Entry::Guarded(route, access) => (route, Some(access)),
            Entry::Open(route) => (route, None),
        };
        self.list.push(PageRoute {
            path,
            access: access.unwrap_or(Access::Public),
        });
        if let Some(state) = self.state {
            let route = match access {
                Some(access) => page(route, state, access),
                None => route,
            };
            self.router = self.router.route(path, route);
        }
        self
    }
}

/// Every page, fragment and asset route, each behind the guard for what it
/// shows or changes (as the API route that does the same). Mounted at the
/// site root beside the API (`/api/v1`); the assets and the language
/// switch are public.
pub fn routes(state: &AppState) -> Router<AppState> {
    let built = table(PageTable {
        state: Some(state),
        router: Router::new(),
        list: Vec::new(),
    });
    built
        .router
        .layer(axum::middleware::from_fn(error::html_rejections))
}

/// Every page route with its access requirement, read from the table that
/// builds the router (the methods of each are found by asking the router).
pub fn route_list() -> Vec<PageRoute> {
    let built = table(PageTable {
        state: None,
        router: Router::new(),
        list: Vec::new(),
    });
    built.list
}

fn table(pages: PageTable<'_>) -> PageTable<'_> {
    use Action::{Create, Read, Update};
    use Resource::{Employer, House, Outflow, Resident};
    let may = |action, resource| Access::Permission(action, resource);
    let r = |route, access| Entry::Guarded(route, access);
    let pages = pages
        .route(
            "/sign-in",
            r(get(session::form).post(session::submit), Access::Public),
        )
        .route(
            "/password",
            r(
                get(session::password_form).post(session::password_submit),
                Access::SelfService,
            ),
        )
        .route("/sign-out", r(post(session::sign_out), Access::SelfService))
        // Each role lands on a home it may see (the dashboard, or its
        // administration pages).
        .route("/", r(get(admin::landing), Access::SignedIn))
        .route(
            "/residents",
            r(
                get(residents::list).post(residents::search),
                may(Read, Resident),
            ),
        )
        .route(
            "/residents/new",
            r(
                get(register::form).post(register::submit),
                may(Create, Resident),
            ),
        )
        .route(
            "/family-planning",
            r(
                get(family_planning::worklist),
                may(Read, Resource::FamilyPlanning),
            ),
        )
        .route(
            "/family-planning/{id}/checks",
            r(
                post(family_planning::record_check),
                may(Update, Resource::FamilyPlanning),
            ),
        )
        .route("/transfers", r(get(transfers::list), may(Read, Resident)))
        .route(
            "/transfers/new",
            r(post(transfers::ask), may(Create, Resident)),
        )
        .route(
            "/transfers/{id}/accept",
            r(post(transfers::accept), may(Update, Resident)),
        )
        .route(
            "/transfers/{id}/decline",
            r(post(transfers::decline), may(Update, Resident)),
        )
        // Service requests at the one-stop window (R4.2).
        .route(
            "/service-requests",
            r(get(requests::list), may(Read, Resource::ServiceRequest)),
        )
        .route(
            "/service-requests/new",
            r(
                get(requests::intake_form).post(requests::intake_submit),
                may(Create, Resource::ServiceRequest),
            ),
        )
        .route(
            "/service-requests/{id}",
            r(get(requests::show), may(Read, Resource::ServiceRequest)),
        )
        .route(
            "/service-requests/{id}/{step}",
            r(post(requests::step), may(Update, Resource::ServiceRequest)),
        )
        .route("/persons/{id}", r(get(person::show), may(Read, Resident)))
        .route(
            "/persons/{id}/card",
            r(get(card::show), may(Read, Resident)),
        )
        .route(
            "/persons/{id}/form",
            r(get(printouts::form), may(Read, Resident)),
        )
        .route(
            "/persons/{id}/receipt",
            r(get(printouts::receipt), may(Read, Resident)),
        )
        .route(
            "/residences/{id}/departure",
            r(
                get(departure::form).post(departure::submit),
                may(Update, Resident),
            ),
        )
        .route(
            "/houses",
            r(get(houses::list).post(houses::search), may(Read, House)),
        )
        .route("/houses/{id}", r(get(houses::show), may(Read, House)))
        .route(
            "/employers",
            r(
                get(employers::list).post(employers::search),
                may(Read, Employer),
            ),
        )
        .route(
            "/employers/{id}",
            r(get(employers::show), may(Read, Employer)),
        )
        .route(
            "/outflows",
            r(
                get(outflows::list).post(outflows::search),
                may(Read, Outflow),
            ),
        )
        .route("/outflows/{id}", r(get(outflows::show), may(Read, Outflow)))
        .route("/lang/{tag}", get(lang::switch))
        .route("/assets/{name}", get(assets::serve))
        .route("/ui/id-check", r(post(live::id_check), Access::SignedIn))
        .route("/ui/session", r(get(session::keepalive), Access::SignedIn))
        .route(
            "/ui/field/{name}",
            r(post(live::field_check), Access::SignedIn),
        )
        .route(
            "/ui/divisions/{picker}",
            r(post(live::division_picker), Access::SignedIn),
        )
        .route(
            "/ui/pick/houses",
            r(get(live::pick_house), may(Read, House)),
        )
        .route(
            "/ui/pick/employers",
            r(get(live::pick_employer), may(Read, Employer)),
        );
    admin::table(export_routes(import_routes(patrol_routes(
        staffing_routes(quality_routes(review_routes(file_routes(record_routes(
            pages,
        ))))),
    ))))
}

/// Patrols: the worklists are `Read`, recording a patrol and closing the
/// task it opened `Create`, the cycles `Update`, the workbook `Export`.
fn patrol_routes(pages: PageTable<'_>) -> PageTable<'_> {
    use Action::{Create, Export, Read, Update};
    let may = |action| Access::Permission(action, Resource::Patrol);
    let r = |route, access| Entry::Guarded(route, access);
    pages
        .route("/patrols", r(get(patrols::list), may(Read)))
        .route("/patrols.xlsx", r(get(patrols::download), may(Export)))
        .route(
            "/patrols/new",
            r(get(patrols::form).post(patrols::submit), may(Create)),
        )
        .route(
            "/patrols/tasks/{id}/close",
            r(post(patrols::close_task), may(Create)),
        )
        .route("/patrols/cycles", r(post(patrols::set_cycles), may(Update)))
}

/// The staffing ratios: reading them is `Read`, the workbook `Export`,
/// recording an employer's coordinators `Update` (of `Assessment`).
fn staffing_routes(pages: PageTable<'_>) -> PageTable<'_> {
    use Action::{Export, Read, Update};
    let may = |action| Access::Permission(action, Resource::Assessment);
    let r = |route, access| Entry::Guarded(route, access);
    pages
        .route("/staffing", r(get(staffing::page), may(Read)))
        .route("/staffing.xlsx", r(get(staffing::download), may(Export)))
        .route(
            "/staffing/employers/{id}",
            r(post(staffing::set_employer), may(Update)),
        )
}

/// The review workflow's pages: each list behind reading the workflow,
/// each step behind the permission of the API route taking it.
fn review_routes(pages: PageTable<'_>) -> PageTable<'_> {
    use Action::{Read, Review, SpotCheck, Update};
    use review::{List, list_route as list};
    let may = |action| Access::Permission(action, Resource::Review);
    let r = |route, access| Entry::Guarded(route, access);
    let step = |action| r(post(review::take), may(action));
    pages
        .route("/review", r(list(List::Queue), may(Read)))
        .route("/review/corrections", r(list(List::Corrections), may(Read)))
        .route("/review/overdue", r(list(List::Overdue), may(Read)))
        .route("/review/spot-checks", r(list(List::SpotChecks), may(Read)))
        .route("/review/counts", r(get(review::counts), may(Read)))
        .route(
            "/review/approve-selected",
            r(post(review::approve_selected), may(Review)),
        )
        .route("/review/{kind}/{id}/enter", step(Update))
        .route("/review/{kind}/{id}/resubmit", step(Update))
        .route("/review/{kind}/{id}/approve", step(Review))
        .route("/review/{kind}/{id}/reject", step(Review))
        .route("/review/{kind}/{id}/return", step(Review))
        .route("/review/{kind}/{id}/spot-check", step(SpotCheck))
}

/// The data-quality monitor: reading it is `Read`, scanning and deciding
/// duplicates `Manage`, the report `Export` (as the API).
fn quality_routes(pages: PageTable<'_>) -> PageTable<'_> {
    use Action::{Export, Manage, Read};
    use Resource::Quality;
    let may = |action, resource| Access::Permission(action, resource);
    let r = |route, access| Entry::Guarded(route, access);
    pages
        .route("/quality", r(get(quality::monitor), may(Read, Quality)))
        .route(
            "/quality/scan",
            r(post(quality::scan), may(Manage, Quality)),
        )
        .route(
            "/quality/findings",
            r(get(quality::findings), may(Read, Quality)),
        )
        .route(
            "/quality/duplicates",
            r(get(quality::duplicates), may(Read, Quality)),
        )
        .route(
            "/quality/duplicates/{id}",
            r(get(quality_compare::compare), may(Read, Quality)),
        )
        .route(
            "/quality/duplicates/{id}/merge",
            r(post(quality::merge), may(Manage, Quality)),
        )
        .route(
            "/quality/duplicates/{id}/dismiss",
            r(post(quality::dismiss), may(Manage, Quality)),
        )
        .route(
            "/quality/report.xlsx",
            r(get(quality::report), may(Export, Quality)),
        )
}

/// Importing a sheet: the upload of each register behind `Create` on it
/// (as `POST /api/v1/imports/{register}`), its blank form likewise; the
/// landing page and the reports for whoever is signed in (a report is
/// shown to its maker alone).
fn import_routes(pages: PageTable<'_>) -> PageTable<'_> {
    use axum::extract::{Multipart, State};
    let r = |route, access| Entry::Guarded(route, access);
    let mut pages = pages
        .route("/import", r(get(imports::landing), Access::SignedIn))
        .route(
            "/import/reports/{id}",
            r(get(imports::report), Access::SignedIn),
        )
        .route(
            "/import/reports/{id}/xlsx",
            r(get(imports::report_xlsx), Access::SignedIn),
        )
        .route(
            "/import/reports/{id}/json",
            r(get(imports::report_json), Access::SignedIn),
        );
    for (register, path, template, resource) in imports::REGISTERS {
        let upload = move |State(state): State<AppState>,
                           scope: crate::scope::CallerScope,
                           actor: crate::scope::CallerActor,
                           ctx: chrome::PageCtx,
                           multipart: Multipart| {
            imports::submit(state, scope, actor, ctx, register, multipart)
        };
        pages = pages
            .route(
                path,
                r(
                    get(
                        move |State(state): State<AppState>,
                              scope: crate::scope::CallerScope,
                              ctx: chrome::PageCtx| {
                            imports::form(state, scope, ctx, register)
                        },
                    )
                    .post(upload),
                    Access::Permission(Action::Create, resource),
                ),
            )
            .route(
                template,
                r(
                    get(move |ctx: chrome::PageCtx| imports::template(ctx, register)),
                    Access::Permission(Action::Create, resource),
                ),
            );
    }
    pages
}

/// The exports of each list: start, the job's page, its progress box, the
/// download; each behind the `Export` permission on the list's register,
/// as the API's export routes.
fn export_routes(pages: PageTable<'_>) -> PageTable<'_> {
    use Action::Export;
    let may = |action, resource| Access::Permission(action, resource);
    let r = |route, access| Entry::Guarded(route, access);
    let mut pages = pages;
    for (paths, resource) in EXPORT_PATHS {
        pages = pages
            .route(paths[0], r(post(exports::submit), may(Export, resource)))
            .route(paths[1], r(get(exports::show), may(Export, resource)))
            .route(paths[2], r(get(exports::status), may(Export, resource)))
            .route(paths[3], r(get(exports::file), may(Export, resource)));
    }
    pages
}

/// Each list's export paths: start, the job's page, its progress box, the
/// download.
/// The four paths of the list whose page is at `$page`.
macro_rules! export_paths {
    ($page:literal, $resource:expr) => {
        (
            [
                concat!($page, "/export"),
                concat!($page, "/export/{job}"),
                concat!($page, "/export/{job}/status"),
                concat!($page, "/export/{job}/file"),
            ],
            $resource,
        )
    };
}

const EXPORT_PATHS: [([&str; 4], Resource); 12] = [
    export_paths!("/residents", Resource::Resident),
    export_paths!("/houses", Resource::House),
    export_paths!("/employers", Resource::Employer),
    export_paths!("/outflows", Resource::Outflow),
    export_paths!("/review", Resource::Review),
    export_paths!("/review/corrections", Resource::Review),
    export_paths!("/review/overdue", Resource::Review),
    export_paths!("/review/spot-checks", Resource::Review),
    export_paths!("/review/counts", Resource::Review),
    export_paths!("/quality/findings", Resource::Quality),
    export_paths!("/quality/duplicates", Resource::Quality),
    export_paths!("/permits", Resource::Permit),
];

/// Changing a person file, revealing its numbers, moving tenants: each
/// behind the permission of the API route that does the same.
fn file_routes(pages: PageTable<'_>) -> PageTable<'_> {
    use Action::{Read, Reveal, Update};
    use Resource::Resident;
    let may = |action, resource| Access::Permission(action, resource);
    let r = |route, access| Entry::Guarded(route, access);
    pages
        .route(
            "/persons/{id}/edit",
            r(
                get(person_edit::form).post(person_edit::submit),
                may(Update, Resident),
            ),
        )
        .route(
            "/persons/{id}/documents",
            r(post(documents::submit), may(Update, Resident)),
        )
        .route(
            "/persons/{id}/reveal",
            r(post(reveal::person), may(Reveal, Resident)),
        )
        // Residence permits 居住证 (R4.1), as the API routes that do the same.
        .route(
            "/persons/{id}/permits",
            r(get(permits::counter), may(Read, Resource::Permit)),
        )
        .route(
            "/persons/{id}/permits/apply",
            r(post(permits::apply), may(Action::Create, Resource::Permit)),
        )
        .route(
            "/permits",
            r(get(permits::list), may(Read, Resource::Permit)),
        )
        .route(
            "/permits/{id}/step",
            r(post(permits::step), may(Update, Resource::Permit)),
        )
        .route(
            "/permits/{id}/receipt",
            r(get(permits::receipt), may(Read, Resource::Permit)),
        )
        .route(
            "/permits/{id}/notice",
            r(get(permits::notice), may(Read, Resource::Permit)),
        )
        .route(
            "/houses/{id}/tenants",
            r(post(tenants::submit), may(Update, Resident)),
        )
}

/// The forms of the house, employer and outflow registers: a new record
/// behind `Create` on its register, a change or a return behind `Update`
/// (as the API routes that do the same).
fn record_routes(pages: PageTable<'_>) -> PageTable<'_> {
    use Action::{Create, Update};
    use Resource::{Employer, House, Outflow};
    let may = |action, resource| Access::Permission(action, resource);
    let r = |route, access| Entry::Guarded(route, access);
    pages
        .route(
            "/houses/new",
            r(
                get(house_form::new_form).post(house_form::create),
                may(Create, House),
            ),
        )
        .route(
            "/houses/{id}/inspections",
            r(post(inspections::submit), may(Update, House)),
        )
        .route(
            "/houses/{id}/edit",
            r(
                get(house_form::edit_form).post(house_form::update),
                may(Update, House),
            ),
        )
        .route(
            "/employers/new",
            r(
                get(employer_form::new_form).post(employer_form::create),
                may(Create, Employer),
            ),
        )
        .route(
            "/employers/{id}/edit",
            r(
                get(employer_form::edit_form).post(employer_form::update),
                may(Update, Employer),
            ),
        )
        .route(
            "/outflows/new",
            r(
                get(outflow_form::new_form).post(outflow_form::create),
                may(Create, Outflow),
            ),
        )
        .route(
            "/outflows/{id}/edit",
            r(
                get(outflow_form::edit_form).post(outflow_form::update),
                may(Update, Outflow),
            ),
        )
        .route(
            "/outflows/{id}/return",
            r(
                get(outflow_form::return_form).post(outflow_form::register_return),
                may(Update, Outflow),
            ),
        )
}
