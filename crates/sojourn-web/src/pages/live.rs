//! Fragments that htmx swaps into a form while it is being filled in: the
//! verdict on an ID number (with birth date and sex filled in), one field's
//! check, the next level of a division picker, and house or employer
//! choices found by search. Each answers 200 with HTML; "invalid" is the
//! answer asked for, not a failed request.

use super::access::blocking;
use super::chrome::{HtmlPage, PageCtx, render};
use super::error::{PageError, localized};
use super::guardian::GuardianNeed;
use super::pickers::{Picker, PickerKind};
use super::register::arrival_day;
use super::transfers::{OnFile, on_file};
use crate::AppState;
use crate::auth::Caller;
use crate::format;
use crate::format::Choice;
use crate::i18n::Tr;
use crate::scope::CallerScope;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use sojourn_domain::Localized;
use sojourn_domain::codes::{IdNumber, IdNumberError, Phone, Uscc};
use sojourn_domain::collection::{CollectionPlace, CollectionTime};
use sojourn_domain::employer::EmployerId;
use sojourn_domain::house::HouseId;
use sojourn_domain::text::{Address, Note, PersonName};
use sojourn_domain::time_rules::{PastDate, china_today};
use sojourn_domain::unit::Scope;
use sojourn_store::{EmployerQuery, HouseQuery, Linked, PageRequest, StayLink, Store, StoreError};
use std::collections::HashMap;
use time::OffsetDateTime;

/// What the form shows about the ID number typed so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdInfo {
    /// `ok`, `error`, `hint` or empty: the message's CSS class.
    pub kind: &'static str,
    pub message: String,
    pub birth_date: String,
    pub sex: String,
    /// A current stay of the number (重卡): registering it would be
    /// refused, so the form says so while the number is typed.
    pub on_file: Option<OnFile>,
}

impl IdInfo {
    /// The verdict on `input`. While typing (`live`), a number still too
    /// short is a hint, not an error.
    pub(crate) fn of(tr: Tr, input: &str, live: bool) -> Self {
        if input.trim().is_empty() {
            return Self::default();
        }
        match IdNumber::parse(input) {
            Ok(id) => Self::valid(tr, &id),
            // Fifteen characters may be an old number or the start of a new
            // one: only the submit settles which.
            Err(IdNumberError::WrongLength(n)) if live && n < 18 => Self::typing(tr, n),
            Err(_) if live && typed_len(input) == 15 => Self::typing(tr, 15),
            Err(error) => Self {
                kind: "error",
                message: localized(tr, &error),
                ..Self::default()
            },
        }
    }

    /// The verdict once the store has said where the number has a current
    /// stay: an error naming the unit, in place of "valid".
    pub(crate) fn on_file(mut self, tr: Tr, found: Option<OnFile>) -> Self {
        if let Some(file) = found {
            let key = match file.person {
                Some(_) => "id-on-file-here",
                None => "id-on-file-elsewhere",
            };
            self.kind = "error";
            self.message = tr.ts(key, "unit", &file.unit_name);
            self.on_file = Some(file);
        }
        self
    }

    fn typing(tr: Tr, typed: usize) -> Self {
        Self {
            kind: "hint",
            message: tr.tn("id-typed-so-far", typed as u64),
            ..Self::default()
        }
    }

    fn valid(tr: Tr, id: &IdNumber) -> Self {
        let message = match format::issuing_place(id) {
            Some(county) => tr.ts("id-valid", "county", &county),
            None => tr.t("id-valid-unknown-county"),
        };
        Self {
            kind: "ok",
            message,
            birth_date: format::date(id.birth_date()),
            sex: format::sex(tr.lang, id.sex()),
            on_file: None,
        }
    }
}

fn typed_len(input: &str) -> usize {
    input.chars().filter(|c| !c.is_whitespace()).count()
}

#[derive(Template)]
#[template(path = "id_check.html")]
struct IdCheckFragment {
    tr: Tr,
    info: IdInfo,
    /// Whether a guardian is needed, on the arrival date sent along.
    guardian: GuardianNeed,
}

/// `POST /ui/id-check`: the verdict beside the field (a valid number
/// with a current stay is 重卡, said here rather than after the submit),
/// and birth date, sex and whether a guardian is needed swapped in out of
/// band.
pub(crate) async fn id_check(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let input = form.get("id_number").map_or("", String::as_str);
    let arrived = form.get("arrived_on").map_or("", String::as_str);
    let id = IdNumber::parse(input).ok();
    let found = match &id {
        Some(id) => on_file(&state, ctx.tr, &caller, scope, id.clone()).await?,
        None => None,
    };
    let fragment = IdCheckFragment {
        tr: ctx.tr,
        info: IdInfo::of(ctx.tr, input, true).on_file(ctx.tr, found),
        guardian: GuardianNeed::of(ctx.tr, id.as_ref(), arrival_day(arrived)),
    };
    render(ctx.tr, &fragment)
}

#[derive(Template)]
#[template(path = "field_msg.html")]
struct FieldMessage {
    name: String,
    message: String,
}

/// The check of one field on its own, or `None` for a field we do not
/// check alone. Blank is no message: "required" waits for the submit.
fn check_field(name: &str, value: &str) -> Option<Option<Box<dyn Localized>>> {
    fn err<T, E: Localized + 'static>(r: Result<T, E>) -> Option<Box<dyn Localized>> {
        r.err().map(|e| Box::new(e) as Box<dyn Localized>)
    }
    let today = china_today();
    let verdict = match name {
        "name" | "legal_representative" => err(PersonName::parse(value)),
        "phone" | "contact_phone" | "landlord_phone" => err(Phone::parse(value)),
        "domicile_address" | "current_address" | "destination_address" | "address" => {
            err(Address::parse(value))
        }
        "arrived_on"
        | "departed_on"
        | "left_on"
        | "returned_on"
        | "filed_on"
        | "security_agreement_on" => err(PastDate::parse(value, today)),
        "reason_note" | "reason" => err(Note::parse(value)),
        "uscc" | "landlord_uscc" => err(Uscc::parse(value)),
        // While a number is still being typed, too short is no error yet.
        "id_number" | "landlord_id_number" => match IdNumber::parse(value) {
            Err(IdNumberError::WrongLength(n)) if n < 18 => None,
            other => err(other),
        },
        "collected_at" => err(CollectionTime::parse(value, OffsetDateTime::now_utc())),
        "collected_place" => err(CollectionPlace::parse(value)),
        _ => return None,
    };
    Some(if value.trim().is_empty() {
        None
    } else {
        verdict
    })
}

/// `POST /ui/field/{name}`: the message for one field as it is left.
pub(crate) async fn field_check(
    ctx: PageCtx,
    Path(name): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let value = form.get(&name).map_or("", String::as_str);
    let verdict = check_field(&name, value).ok_or_else(|| PageError::not_found(ctx.tr))?;
    let fragment = FieldMessage {
        message: verdict.map_or_else(String::new, |e| localized(ctx.tr, e.as_ref())),
        name,
    };
    render(ctx.tr, &fragment)
}

/// `POST /ui/divisions/{picker}`: the picker again, one level deeper.
pub(crate) async fn division_picker(
    ctx: PageCtx,
    Path(picker): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HtmlPage, PageError> {
    let kind = PickerKind::from_name(&picker).ok_or_else(|| PageError::not_found(ctx.tr))?;
    let required = kind == PickerKind::Domicile;
    let picker = Picker::from_form(ctx.tr, kind, &form, required);
    render(ctx.tr, &picker)
}

/// Houses or employers offered by a search-and-pick field.
#[derive(Debug, Clone, Default)]
pub(crate) struct PickList {
    options: Vec<Choice>,
    /// What choosing each option fills in (a house's address into the
    /// current address), by option value; empty for employers.
    fills: Vec<(String, String)>,
    selected: String,
}

/// One option of a pick list as the template shows it.
struct PickOption<'a> {
    choice: &'a Choice,
    fill: &'a str,
}

#[derive(Template)]
#[template(path = "pick_select.html")]
struct PickSelect<'a> {
    field: &'a str,
    none: String,
    options: Vec<PickOption<'a>>,
    /// The field an option's `fill` goes to, empty when nothing is filled.
    fill_target: &'a str,
}

/// Matches shown by a search-and-pick field.
const PICK_LIMIT: u32 = 20;

fn pick_page() -> PageRequest {
    PageRequest::new(0, PICK_LIMIT).unwrap_or_default()
}

/// Keeps a record that was found, and reads a missing one as none chosen.
fn found<T>(result: sojourn_store::Result<T>) -> sojourn_store::Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The option of a house or employer that another community keeps: a stay
/// may name one, and editing the stay must offer it chosen, or saving the
/// form unchanged would drop it.
fn kept_elsewhere(link: &Linked) -> String {
    format!("{}（{}）", link.name, link.unit_name)
}

impl PickList {
    fn new(selected: Option<&str>) -> Self {
        Self {
            options: Vec::new(),
            fills: Vec::new(),
            selected: selected.unwrap_or_default().to_owned(),
        }
    }

    /// Choosing option `id` fills in `text`.
    fn fill(&mut self, id: i64, text: &str) {
        self.fills.push((id.to_string(), text.to_owned()));
    }

    fn push(&mut self, id: i64, label: String) {
        let value = id.to_string();
        if !self.options.iter().any(|o| o.value == value) {
            let choice = Choice::new(&value, label, &self.selected);
            self.options.push(choice);
        }
    }

    pub(crate) fn houses(
        store: &dyn Store,
        scope: &Scope,
        text: Option<&str>,
        selected: Option<&str>,
    ) -> sojourn_store::Result<Self> {
        let mut list = Self::new(selected);
        let label = |h: &sojourn_domain::house::House| {
            format!(
                "{}（{}）",
                h.details.address,
                h.details.landlord.display_name()
            )
        };
        if let Some(id) = selected.and_then(|s| s.parse().ok()) {
            match store.stay_link(scope, StayLink::House(HouseId(id)))? {
                Some(link) if link.in_scope => {
                    if let Some(house) = found(store.get_house(scope, HouseId(id)))? {
                        list.push(id, label(&house));
                        list.fill(id, house.details.address.as_str());
                    }
                }
                Some(link) => list.push(id, kept_elsewhere(&link)),
                None => {}
            }
        }
        let query = HouseQuery {
            text: text.map(str::to_owned),
            page: pick_page(),
            ..HouseQuery::default()
        };
        for house in store.search_houses(scope, &query)?.items {
            list.push(house.id.0, label(&house));
            list.fill(house.id.0, house.details.address.as_str());
        }
        Ok(list)
    }

    pub(crate) fn employers(
        store: &dyn Store,
        scope: &Scope,
        text: Option<&str>,
        selected: Option<&str>,
    ) -> sojourn_store::Result<Self> {
        let mut list = Self::new(selected);
        if let Some(id) = selected.and_then(|s| s.parse().ok())
            && let Some(link) = store.stay_link(scope, StayLink::Employer(EmployerId(id)))?
        {
            let label = match link.in_scope {
                true => link.name.clone(),
                false => kept_elsewhere(&link),
            };
            list.push(id, label);
        }
        let query = EmployerQuery {
            text: text.map(str::to_owned),
            page: pick_page(),
            ..EmployerQuery::default()
        };
        for employer in store.search_employers(scope, &query)?.items {
            list.push(employer.id.0, employer.details.name.to_string());
        }
        Ok(list)
    }

    /// The `<select>` named `field`.
    pub(crate) fn html(&self, tr: Tr, field: &str) -> String {
        let fill_of = |value: &str| {
            self.fills
                .iter()
                .find(|(v, _)| v == value)
                .map_or("", |(_, fill)| fill.as_str())
        };
        let select = PickSelect {
            field,
            none: tr.t("form-none-chosen"),
            options: self
                .options
                .iter()
                .map(|choice| PickOption {
                    choice,
                    fill: fill_of(&choice.value),
                })
                .collect(),
            // A house chosen gives the stay its address.
            fill_target: if self.fills.is_empty() {
                ""
            } else {
                "current_address"
            },
        };
        select.render().unwrap_or_default()
    }
}

/// Query of a search-and-pick field.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct PickQuery {
    house_q: Option<String>,
    house_id: Option<String>,
    employer_q: Option<String>,
    employer_id: Option<String>,
}

fn blank_to_none(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// `GET /ui/pick/houses?house_q=…`: houses in scope matching the search.
pub(crate) async fn pick_house(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(query): Query<PickQuery>,
) -> Result<HtmlPage, PageError> {
    let (text, selected) = (blank_to_none(query.house_q), blank_to_none(query.house_id));
    let list = blocking(&state, ctx.tr, move |store| {
        PickList::houses(store, &scope, text.as_deref(), selected.as_deref())
    })
    .await?;
    Ok(fragment(list.html(ctx.tr, "house_id")))
}

/// `GET /ui/pick/employers?employer_q=…`: employers in scope matching it.
pub(crate) async fn pick_employer(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    ctx: PageCtx,
    Query(query): Query<PickQuery>,
) -> Result<HtmlPage, PageError> {
    let (text, selected) = (
        blank_to_none(query.employer_q),
        blank_to_none(query.employer_id),
    );
    let list = blocking(&state, ctx.tr, move |store| {
        PickList::employers(store, &scope, text.as_deref(), selected.as_deref())
    })
    .await?;
    Ok(fragment(list.html(ctx.tr, "employer_id")))
}

fn fragment(body: String) -> HtmlPage {
    HtmlPage { body, status: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_wrong_check_digit_is_an_error_and_a_right_one_fills_birth_date_and_sex() {
        let tr = Tr::new(Lang::ZhCn);
        let wrong = IdInfo::of(tr, "110105194912310020", true);
        assert_eq!(wrong.kind, "error");
        assert!(wrong.message.contains("校验位错误"), "{}", wrong.message);
        let right = IdInfo::of(tr, "11010519491231002X", true);
        assert_eq!(
            (right.kind, right.birth_date.as_str()),
            ("ok", "1949-12-31")
        );
        assert_eq!(right.sex, "女");
        let typing = IdInfo::of(tr, "1101051949", true);
        assert_eq!(typing.kind, "hint");
    }
}
