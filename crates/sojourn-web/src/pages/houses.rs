//! Rental houses (出租房屋, 以房管人): the list, with unfiled rentals
//! flagged, and a house's page with its landlord, filing, agreement and
//! tenants now and before.

use super::access::{Units, blocking};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::form::FormData;
use super::inspections::{InspectionPanel, InspectionView};
use super::lists::{ListRequest, answer, number, page_or_empty, unit_filter, without_term};
use super::person::{Item, path_id};
use super::review_panel::{self, ReviewPanel, ReviewRights};
use super::tenants::TenantPanel;
use super::url::Pager;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::houses::HouseListQuery;
use crate::format;
use crate::format::Choice;
use crate::i18n::Tr;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::house::{Filing, House, HouseId, Landlord};
use sojourn_domain::review::{RecordKind, ReviewRecord};
use sojourn_domain::unit::Scope;
use sojourn_store::Link;
use std::collections::HashMap;

pub(crate) const KEYS: [&str; 5] = ["q", "unit", "filed", "page", "per_page"];

/// One house as the list shows it.
pub(crate) struct HouseView {
    id: i64,
    address: String,
    landlord: String,
    phone: String,
    rooms: u16,
    usage: String,
    filed: Option<String>,
    agreement: Option<String>,
    unit: String,
}

fn house_view(tr: Tr, units: &Units, h: &House) -> HouseView {
    let d = &h.details;
    HouseView {
        id: h.id.0,
        address: d.address.to_string(),
        landlord: d.landlord.display_name().to_owned(),
        phone: format::phone(d.landlord.phone()),
        rooms: d.rooms,
        usage: tr
            .lang
            .pick(d.usage.name_zh(), usage_en(d.usage))
            .to_owned(),
        filed: match &d.filing {
            Filing::Filed { on } => Some(format::date(on.date())),
            Filing::NotFiled => None,
        },
        agreement: d.security_agreement_on.map(|on| format::date(on.date())),
        unit: units.name_of(&d.unit),
    }
}

/// English names of the uses (the domain names them in Chinese only).
pub(crate) fn usage_en(usage: sojourn_domain::house::HouseUse) -> &'static str {
    use sojourn_domain::house::HouseUse;
    match usage {
        HouseUse::Residential => "residential",
        HouseUse::Commercial => "commercial",
        HouseUse::Mixed => "residential and commercial",
        HouseUse::Dormitory => "dormitory",
        HouseUse::Other => "other",
    }
}

#[derive(Template)]
#[template(path = "houses.html")]
struct HousesPage {
    tr: Tr,
    chrome: Chrome,
    f: FormData,
    rows: Vec<HouseView>,
    total: u64,
    pager: Pager,
    /// Whether a search term is in force, and what the hidden form posts.
    searching: bool,
    state: Vec<(String, String)>,
    units: Vec<Choice>,
    filed: Vec<Choice>,
    /// The export form, for a role that may export the list.
    export: Option<super::exports::ExportForm>,
    /// Whether the reader may register a house (新增).
    may_create: bool,
}

fn list_query(f: &FormData) -> HouseListQuery {
    let filed = f.opt("filed").and_then(|v| v.parse().ok());
    HouseListQuery {
        page: number(f, "page"),
        per_page: number(f, "per_page"),
        ..crate::export::house_filters(&|k| f.opt(k), filed)
    }
}

/// `GET /houses`: the list for the filters in the URL.
pub(crate) async fn list(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    show_list(&state, scope, &ctx, without_term(raw)).await
}

/// `POST /houses`: the list's form, with or without a search term (see
/// [`super::lists`]).
pub(crate) async fn search(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Form(body): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    answer("/houses", &KEYS, body, |fields| {
        show_list(&state, scope, &ctx, fields)
    })
    .await
}

async fn show_list(
    state: &AppState,
    scope: Scope,
    ctx: &PageCtx,
    raw: HashMap<String, String>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let request = ListRequest::read(tr, raw, &KEYS, |f| list_query(f).parse())?;
    let query = request.query;
    let (units, page) = blocking(state, tr, move |store| {
        let page = page_or_empty(
            &scope,
            query.as_ref(),
            |q| q.unit.as_ref(),
            |q| store.search_houses(&scope, q),
        )?;
        Ok((Units::load(store, &scope)?, page))
    })
    .await?;
    let title = tr.t("houses-title");
    let f = request.f;
    let view = HousesPage {
        chrome: Chrome::new(ctx, &title, Nav::Houses, &units.root_name()),
        rows: page
            .items
            .iter()
            .map(|h| house_view(tr, &units, h))
            .collect(),
        total: page.total,
        pager: Pager::new(
            &request.params,
            "/houses",
            request.page,
            request.per_page,
            page.total,
        )
        .posted(request.searching),
        units: unit_filter(tr, &units, f.val("unit")),
        filed: vec![
            Choice::new("", tr.t("filter-any"), f.val("filed")),
            Choice::new("true", tr.t("house-filed"), f.val("filed")),
            Choice::new("false", tr.t("house-not-filed"), f.val("filed")),
        ],
        searching: request.searching,
        state: request.state.clone(),
        export: super::exports::form(ctx, crate::export::ExportList::Houses, &f),
        may_create: ctx.may(Action::Create, Resource::House),
        f,
        tr,
    };
    render(tr, &view)
}

/// A tenancy or employment as the pages show it.
pub(crate) struct LinkView {
    pub person_id: i64,
    pub name: String,
    pub from: String,
    pub to: String,
}

/// Current links first (those without an end), then former ones.
pub(crate) fn split_links(links: &[Link]) -> (Vec<LinkView>, Vec<LinkView>) {
    let view = |l: &Link| LinkView {
        person_id: l.person.0,
        name: l.name.clone(),
        from: format::date(l.started_on),
        to: l.ended_on.map(format::date).unwrap_or_default(),
    };
    let now = links
        .iter()
        .filter(|l| l.ended_on.is_none())
        .map(view)
        .collect();
    let before = links
        .iter()
        .filter(|l| l.ended_on.is_some())
        .map(view)
        .collect();
    (now, before)
}

#[derive(Template)]
#[template(path = "house.html")]
struct HousePage {
    tr: Tr,
    chrome: Chrome,
    house: HouseView,
    landlord: Vec<Item>,
    now: Vec<LinkView>,
    before: Vec<LinkView>,
    /// The panel that adds or moves a tenant.
    tenant: TenantPanel,
    reviews: Vec<ReviewPanel>,
    /// Whether the reader may change the house (修改).
    may_edit: bool,
    /// Whether the reader patrols it (巡查).
    may_patrol: bool,
    /// The safety inspections kept with it, and the form to record one.
    inspections: Vec<InspectionView>,
    inspection: InspectionPanel,
}

fn landlord_items(tr: Tr, landlord: &Landlord) -> Vec<Item> {
    let (kind, code_label, code) = match landlord {
        Landlord::Person { id_number, .. } => (
            tr.t("house-landlord-person"),
            tr.t("field-id-number"),
            format::id_number(id_number),
        ),
        Landlord::Company { uscc, .. } => (
            tr.t("house-landlord-company"),
            tr.t("field-uscc"),
            uscc.to_string(),
        ),
    };
    vec![
        Item {
            label: tr.t("house-landlord"),
            value: format!("{}（{kind}）", landlord.display_name()),
        },
        Item {
            label: code_label,
            value: code,
        },
        Item {
            label: tr.t("field-phone"),
            value: format::phone(landlord.phone()),
        },
    ]
}

/// Flags the tenant form sends the reader back with.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct HouseNotice {
    moved: Option<String>,
    saved: Option<String>,
    inspected: Option<String>,
    patrolled: Option<String>,
}

/// `GET /houses/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(notice): Query<HouseNotice>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = HouseId(path_id(tr, &id)?);
    let mut tenant = TenantPanel::for_caller(&caller);
    if notice.moved.is_some() {
        tenant.notice = tr.t("tenant-moved");
    }
    if notice.saved.is_some() {
        tenant.notice = tr.t("record-saved");
    }
    if notice.patrolled.is_some() {
        tenant.notice = tr.t("patrol-saved");
    }
    let mut inspection = InspectionPanel::blank(tr, &ctx);
    if notice.inspected.is_some() {
        inspection.notice = tr.t("inspection-recorded");
    }
    render_house(&state, scope, &ctx, &caller, id, tenant, inspection).await
}

/// A house's page, with the tenant panel as given.
pub(crate) async fn render_house(
    state: &AppState,
    scope: Scope,
    ctx: &PageCtx,
    caller: &Caller,
    id: HouseId,
    tenant: TenantPanel,
    inspection: InspectionPanel,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let (units, house, links, review, inspections) = blocking(state, tr, move |store| {
        let house = store.get_house(&scope, id)?;
        let links = store.tenants_of(&scope, id)?;
        let inspections = store.inspections_of(&scope, id)?;
        let record = ReviewRecord {
            kind: RecordKind::House,
            id: id.0,
        };
        let review = review_panel::load(store, &scope, record)?;
        Ok((
            Units::load(store, &scope)?,
            house,
            links,
            review,
            inspections,
        ))
    })
    .await?;
    let (now, before) = split_links(&links);
    let view = house_view(tr, &units, &house);
    let status = tenant.status.or(inspection.status);
    let page = HousePage {
        chrome: Chrome::new(ctx, &view.address, Nav::Houses, &units.root_name()),
        landlord: landlord_items(tr, &house.details.landlord),
        reviews: review_panel::panels(tr, &units, ReviewRights::of(caller), review.as_ref()),
        house: view,
        may_edit: ctx.may(Action::Update, Resource::House),
        may_patrol: ctx.may(Action::Create, Resource::Patrol),
        inspections: inspections
            .iter()
            .map(|r| InspectionView::of(tr, r))
            .collect(),
        inspection,
        now,
        before,
        tenant,
        tr,
    };
    let mut html = render(tr, &page)?;
    html.status = status;
    Ok(html)
}
