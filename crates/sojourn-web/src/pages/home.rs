//! The home page of a unit: headline figures, arrivals and departures by
//! month, where residents come from, and the units below with the same
//! figures, each a link to its residents.

use super::access::{Units, blocking};
use super::charts::{Series, grouped_bars, horizontal_bars};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::stats::{ChildUnit, Counts, Dashboard, MonthFlow, dashboard};
use super::todo::{TodoItem, TodoRights, todo_list};
use crate::AppState;
use crate::i18n::Tr;
use crate::scope::CallerScope;
use askama::Template;
use axum::extract::{Query, State};
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::UnitCode;

/// Provinces shown by name in the origin chart; the rest are summed.
const TOP_ORIGINS: usize = 12;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    tr: Tr,
    chrome: Chrome,
    counts: Counts,
    flow_chart: String,
    origin_chart: String,
    months: Vec<MonthFlow>,
    origins: Vec<(String, u64)>,
    children: Vec<ChildUnit>,
    /// What waits for the reader, across their whole jurisdiction.
    todo: Vec<TodoItem>,
    /// `YYYY-MM-01` of this month, for the links behind the figures.
    month_start: String,
    /// The unit shown, and its parent when the reader may go up to it.
    unit: String,
    unit_name: String,
    parent: Option<String>,
    /// The permit rate (办证率) of the unit shown, and its figures.
    permit_rate: Option<(String, String)>,
}

/// `?unit=` narrows the page to a unit inside the caller's jurisdiction.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct HomeQuery {
    unit: Option<String>,
}

/// `GET /` for a reader of the registers (see `admin::landing`), with
/// the to-do list for what `rights` may act on.
pub(crate) async fn show(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    rights: TodoRights,
    ctx: PageCtx,
    Query(query): Query<HomeQuery>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let today = china_today();
    let narrowed = match query
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(text) => UnitCode::parse(text)
            .ok()
            .and_then(|code| scope.narrow_to(&code).ok())
            .ok_or_else(|| PageError::not_found(tr))?,
        None => scope.clone(),
    };
    let root = scope.root().clone();
    let shown = narrowed.root().clone();
    let now = state.clock.now();
    let (units, data, todo, rate) = blocking(&state, tr, move |store| {
        let units = Units::load(store, &scope)?;
        let todo = todo_list(store, &scope, rights, now, tr)?;
        let rate = store.permit_rate(&narrowed, None, today)?;
        Ok((units, dashboard(store, &narrowed, today)?, todo, rate))
    })
    .await?;
    let permit_rate = rate.per_mille().map(|per_mille| {
        let shown = format!("{}.{}%", per_mille / 10, per_mille % 10);
        let detail = tr.t2(
            "home-permit-rate-detail",
            "holders",
            rate.holders,
            "eligible",
            rate.eligible,
        );
        (shown, detail)
    });
    let title = tr.t("home-title");
    let parent = shown
        .parent()
        .filter(|p| root.contains(p))
        .map(|p| p.to_string());
    let page = HomePage {
        month_start: super::stats::month_start(today).to_string(),
        unit: shown.to_string(),
        unit_name: units.name_of(&shown),
        parent,
        tr,
        chrome: Chrome::new(&ctx, &title, Nav::Home, &units.root_name()),
        flow_chart: flow_chart(tr, &data),
        origin_chart: origin_chart(tr, &data.origins),
        counts: data.counts,
        months: data.months,
        origins: data.origins,
        children: data.children,
        todo,
        permit_rate,
    };
    render(tr, &page)
}

fn flow_chart(tr: Tr, data: &Dashboard) -> String {
    let labels: Vec<String> = data.months.iter().map(|m| m.label.clone()).collect();
    let arrivals: Vec<u64> = data.months.iter().map(|m| m.arrivals).collect();
    let departures: Vec<u64> = data.months.iter().map(|m| m.departures).collect();
    let arrivals_label = tr.t("home-series-arrivals");
    let departures_label = tr.t("home-series-departures");
    let series = [
        Series {
            label: &arrivals_label,
            class: "bar-in",
            values: &arrivals,
        },
        Series {
            label: &departures_label,
            class: "bar-out",
            values: &departures,
        },
    ];
    grouped_bars(&tr.t("home-chart-flows"), &labels, &series)
}

fn origin_chart(tr: Tr, origins: &[(String, u64)]) -> String {
    let mut rows: Vec<(String, u64)> = origins.iter().take(TOP_ORIGINS).cloned().collect();
    let rest: u64 = origins.iter().skip(TOP_ORIGINS).map(|(_, n)| n).sum();
    if rest > 0 {
        rows.push((tr.t("home-origin-other"), rest));
    }
    horizontal_bars(&tr.t("home-chart-origins"), &rows)
}
