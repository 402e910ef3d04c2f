//! The person file (一人一档): identity, the current stay with its house
//! and employer, every stay as a timeline, and the history of changes.
//! It prints as a file (print CSS).

use super::access::{Units, blocking_raw};
use super::chrome::{Chrome, HtmlPage, Nav, PageCtx, render};
use super::error::PageError;
use super::form::FormData;
use super::review_panel::{self, Review, ReviewPanel, ReviewRights};
use super::revisions::{FieldChange, changed_fields};
use crate::AppState;
use crate::audit;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::format::{self, LinkView, Numbers};
use crate::i18n::{Lang, Tr};
use crate::scope::CallerScope;
use askama::Template;
use axum::extract::{Path, Query, State};
use sojourn_domain::account::{Action, Resource};
use sojourn_domain::document::{DocumentKind, DocumentStatus, RecordedDocumentCheck};
use sojourn_domain::person::{Guardian, Person, PersonId};
use sojourn_domain::record::RecordKind;
use sojourn_domain::residence::{Residence, ResidenceStatus};
use sojourn_domain::review::ReviewRecord;
use sojourn_domain::time_rules::{CHINA, china_today};
use sojourn_domain::unit::Scope;
use sojourn_store::AuditAction;
use sojourn_store::{Linked, RecordRef, Revision, StayLink, Store};

/// A labelled value of the identity section.
pub(crate) struct Item {
    pub label: String,
    pub value: String,
}

/// One stay on the timeline.
struct StayView {
    id: i64,
    from: String,
    /// Departure date, empty while the stay lasts.
    to: String,
    unit: String,
    address: String,
    reason: String,
    status: String,
    status_class: &'static str,
    destination: String,
    is_current: bool,
}

/// One document check or chase, as the file lists it.
struct DocumentView {
    kind: String,
    /// "checked on …" or "chase, due …".
    state: String,
    note: String,
    by: String,
    at: String,
}

/// A choice of the document form's kind select.
struct KindOption {
    code: &'static str,
    name: String,
}

/// One change in the history: who, when, what, and which fields it
/// changed (from the revision before), numbers masked.
struct ChangeView {
    at: String,
    actor: String,
    action: String,
    record: String,
    fields: Vec<FieldChange>,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    tr: Tr,
    chrome: Chrome,
    person_id: i64,
    /// The person's service requests (R4.2), newest first, and whether
    /// the reader may take a new one.
    service_requests: Vec<ServiceRequestRow>,
    may_take_request: bool,
    /// The file this one was merged into, if a merge absorbed it.
    merged_into: Option<i64>,
    name: String,
    identity: Vec<Item>,
    current: Option<StayView>,
    current_items: Vec<Item>,
    house: Option<LinkView>,
    employer: Option<LinkView>,
    stays: Vec<StayView>,
    changes: Vec<ChangeView>,
    notice: String,
    /// Whether the reader's role may see the numbers in full, and change
    /// the file: the page offers the controls only then.
    may_reveal: bool,
    may_edit: bool,
    /// The reveal form (its reason, and the error if refused).
    reveal: FormData,
    /// Whether the numbers are shown in full (after an audited reveal).
    revealed: bool,
    /// Document checks and chases, newest first.
    documents: Vec<DocumentView>,
    document_kinds: Vec<KindOption>,
    /// The document form (what was typed, and the errors if refused).
    document_form: FormData,
    /// The review of each stay under review, its steps and the steps the
    /// reader may take.
    reviews: Vec<ReviewPanel>,
}

/// Flags the registration and departure forms send the reader back with.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Notice {
    registered: Option<String>,
    departed: Option<String>,
    saved: Option<String>,
    documented: Option<String>,
}

/// Everything the file shows, read in one blocking call.
pub(crate) struct PersonFile {
    pub units: Units,
    pub person: Person,
    /// Newest first.
    pub stays: Vec<Residence>,
    pub house: Option<Linked>,
    pub employer: Option<Linked>,
    /// Revisions of the person and of each stay, oldest first per record.
    pub changes: Vec<(&'static str, Vec<Revision>)>,
    /// Document checks and chases, newest first.
    pub documents: Vec<RecordedDocumentCheck>,
    /// Whether the file lies in the reader's scope now (a past community
    /// reads it but may not change it).
    pub editable: bool,
    /// The review of each stay that has one, newest stay first.
    pub reviews: Vec<Review>,
    /// Service requests (R4.2), newest first, and the kinds' names.
    pub service_requests: Vec<sojourn_store::requests::ServiceRequest>,
    pub request_kinds: Vec<sojourn_domain::services::request::RequestKind>,
}

/// A service request as the file lists it.
struct ServiceRequestRow {
    id: i64,
    received_on: String,
    kind: String,
    asked: String,
    state: String,
}

fn service_request_row(
    tr: Tr,
    file: &PersonFile,
    r: &sojourn_store::requests::ServiceRequest,
) -> ServiceRequestRow {
    let kind = file
        .request_kinds
        .iter()
        .find(|k| k.code == r.kind)
        .map(|k| {
            tr.lang
                .pick(k.name_zh.as_str(), k.name_en.as_str())
                .to_owned()
        })
        .unwrap_or_else(|| r.kind.as_str().to_owned());
    let state = r.state.name();
    ServiceRequestRow {
        id: r.id.0,
        received_on: format::date(r.received_on),
        kind,
        asked: r.asked.to_string(),
        state: tr.lang.pick(state.name_zh(), state.name_en()).to_owned(),
    }
}

impl PersonFile {
    pub(crate) fn load(
        store: &dyn Store,
        scope: &Scope,
        id: PersonId,
    ) -> sojourn_store::Result<Self> {
        let person = store.get_person(scope, id)?;
        let stays = store.residences_of(scope, id)?;
        let current = stays.iter().find(|r| r.status.is_current());
        // The house or employer may be kept by another community: its
        // name, never its file (which the reader's scope may not open).
        let house = match current.and_then(|r| r.stay.house) {
            Some(h) => store.stay_link(scope, StayLink::House(h))?,
            None => None,
        };
        let employer = match current.and_then(|r| r.stay.employer) {
            Some(e) => store.stay_link(scope, StayLink::Employer(e))?,
            None => None,
        };
        let mut changes = vec![("person", store.history(scope, RecordRef::Person(id))?)];
        for stay in &stays {
            changes.push((
                "residence",
                store.history(scope, RecordRef::Residence(stay.id))?,
            ));
        }
        let reviews = stay_reviews(store, scope, &stays)?;
        Ok(Self {
            reviews,
            service_requests: store.requests_of(scope, id)?,
            request_kinds: store.request_kinds()?,
            documents: store.document_checks(scope, id)?,
            editable: scope.contains(&person.unit),
            units: Units::load(store, scope)?,
            person,
            stays,
            house,
            employer,
            changes,
        })
    }

    pub(crate) fn current(&self) -> Option<&Residence> {
        self.stays.iter().find(|r| r.status.is_current())
    }
}

/// The review of each stay that has one.
fn stay_reviews(
    store: &dyn Store,
    scope: &Scope,
    stays: &[Residence],
) -> sojourn_store::Result<Vec<Review>> {
    let mut reviews = Vec::new();
    for stay in stays {
        let record = ReviewRecord {
            kind: RecordKind::Residence,
            id: stay.id.0,
        };
        reviews.extend(review_panel::load(store, scope, record)?);
    }
    Ok(reviews)
}

/// A path id; digits beyond any id are refused (400), anything else is
/// "no such record".
pub(crate) fn path_id(tr: Tr, text: &str) -> Result<i64, PageError> {
    match text.parse() {
        Ok(id) => Ok(id),
        // Digits beyond any id: a link made by hand, refused as such.
        Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            Err(PageError::bad_input(tr))
        }
        Err(_) => Err(PageError::not_found(tr)),
    }
}

/// `GET /persons/{id}`. The read is audited, as the API's.
pub(crate) async fn show(
    State(state): State<AppState>,
    CallerScope(scope): CallerScope,
    caller: Caller,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let id = PersonId(path_id(tr, &id)?);
    let file = load_audited(&state, tr, scope, &caller, id, AuditAction::Read, None).await?;
    let view = FileView {
        notice: notice_text(tr, &notice),
        ..FileView::default()
    };
    render_file(&ctx, &caller, &file, view)
}

/// Loads a person file and records the read (or its refusal) in the audit
/// trail; `details` replaces the default ones (the stays read).
pub(crate) async fn load_audited(
    state: &AppState,
    tr: Tr,
    scope: Scope,
    caller: &Caller,
    id: PersonId,
    action: AuditAction,
    details: Option<serde_json::Value>,
) -> Result<PersonFile, PageError> {
    let outcome = blocking_raw(state, tr, move |store| PersonFile::load(store, &scope, id))
        .await?
        .map_err(ApiError::from);
    audit::read(
        state,
        caller.actor(),
        action,
        (RecordKind::Person, id.0),
        outcome,
        |file| {
            let stays: Vec<i64> = file.stays.iter().map(|r| r.id.0).collect();
            let details = details.unwrap_or_else(|| serde_json::json!({ "residences": stays }));
            (Some(file.person.unit.clone()), details)
        },
    )
    .await
    .map_err(|e| page_error(tr, e))
}

/// The page for an error of the API layer (here: of a store read).
pub(crate) fn page_error(tr: Tr, error: ApiError) -> PageError {
    match error {
        ApiError::NotFound(_) => PageError::not_found(tr),
        ApiError::Internal(detail) => PageError::internal(tr, detail),
        other => PageError::with_status(tr, other.status(), tr.t("error-internal")),
    }
}

/// What a rendering of the file adds to the file itself.
#[derive(Default)]
pub(crate) struct FileView {
    pub notice: String,
    pub numbers: Numbers,
    pub reveal: FormData,
    pub documents: FormData,
    pub status: Option<axum::http::StatusCode>,
}

/// Whether the caller's roles allow `action` on residents.
pub(crate) fn may(caller: &Caller, action: Action) -> bool {
    caller
        .principal
        .role_allowing(action, Resource::Resident)
        .is_some()
}

/// Renders the file as its page.
pub(crate) fn render_file(
    ctx: &PageCtx,
    caller: &Caller,
    file: &PersonFile,
    view: FileView,
) -> Result<HtmlPage, PageError> {
    let tr = ctx.tr;
    let name = file.person.details.name.to_string();
    let title = tr.ts("person-title", "name", &name);
    let page = PersonPage {
        tr,
        chrome: Chrome::new(ctx, &title, Nav::Residents, &file.units.root_name()),
        person_id: file.person.id.0,
        service_requests: file
            .service_requests
            .iter()
            .map(|r| service_request_row(tr, file, r))
            .collect(),
        may_take_request: caller
            .principal
            .role_allowing(Action::Create, Resource::ServiceRequest)
            .is_some(),
        merged_into: file.person.merged_into.map(|id| id.0),
        identity: identity(tr, &file.person, view.numbers),
        current: file.current().map(|r| stay_view(tr, &file.units, r)),
        current_items: file
            .current()
            .map(|r| stay_items(tr, r))
            .unwrap_or_default(),
        house: file.house.as_ref().map(|h| LinkView::new(tr, h)),
        employer: file.employer.as_ref().map(|e| LinkView::new(tr, e)),
        stays: file
            .stays
            .iter()
            .map(|r| stay_view(tr, &file.units, r))
            .collect(),
        changes: change_views(tr, &file.units, &file.changes),
        notice: view.notice,
        may_reveal: may(caller, Action::Reveal),
        may_edit: may(caller, Action::Update) && file.editable && file.person.merged_into.is_none(),
        reveal: view.reveal,
        revealed: view.numbers == Numbers::InFull,
        documents: file
            .documents
            .iter()
            .map(|d| document_view(tr, d))
            .collect(),
        document_kinds: DocumentKind::ALL
            .iter()
            .map(|k| KindOption {
                code: k.code(),
                name: tr.lang.pick(k.name_zh(), k.name_en()).to_owned(),
            })
            .collect(),
        document_form: view.documents,
        reviews: file
            .reviews
            .iter()
            .map(|review| {
                let heading = review.0.record.id.to_string();
                let heading = tr.ts("review-file-stay", "id", &heading);
                review_panel::panel(tr, &file.units, ReviewRights::of(caller), review, heading)
            })
            .collect(),
        name,
    };
    let mut html = render(tr, &page)?;
    html.status = view.status;
    Ok(html)
}

fn notice_text(tr: Tr, notice: &Notice) -> String {
    if notice.registered.is_some() {
        tr.t("person-registered")
    } else if notice.saved.is_some() {
        tr.t("person-saved")
    } else if notice.documented.is_some() {
        tr.t("documents-recorded")
    } else if notice.departed.is_some() {
        tr.t("person-departed")
    } else {
        String::new()
    }
}

fn item(label: String, value: impl Into<String>) -> Item {
    Item {
        label,
        value: value.into(),
    }
}

/// A code-table value in the reader's language, `—` when not given.
fn named<T: Copy>(
    lang: Lang,
    value: Option<T>,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> String {
    value.map_or_else(|| "—".to_owned(), |v| lang.pick(zh(v), en(v)).to_owned())
}

pub(crate) fn identity(tr: Tr, person: &Person, numbers: Numbers) -> Vec<Item> {
    let d = &person.details;
    let lang = tr.lang;
    let birth = person.birth_date();
    let domicile = match &d.domicile_address {
        Some(address) => format!("{} {address}", format::place(&d.domicile)),
        None => format::place(&d.domicile),
    };
    let mut items = vec![
        item(
            tr.t("field-id-number"),
            format::id_number_in(numbers, &person.id_number),
        ),
        item(tr.t("field-sex"), format::sex(lang, person.sex())),
        item(
            tr.t("field-birth-date"),
            format!(
                "{}（{}）",
                format::date(birth),
                tr.tn(
                    "person-age",
                    format::age(birth, china_today()).max(0) as u64
                )
            ),
        ),
        item(
            tr.t("field-ethnicity"),
            lang.pick(d.ethnicity.name_zh(), d.ethnicity.name_en()),
        ),
        item(tr.t("field-domicile"), domicile),
        item(
            tr.t("field-phone"),
            format::phone_in(numbers, d.phone.as_ref()),
        ),
        item(
            tr.t("field-marital-status"),
            named(lang, d.marital_status, |v| v.name_zh(), |v| v.name_en()),
        ),
        item(
            tr.t("field-education"),
            named(lang, d.education, |v| v.name_zh(), |v| v.name_en()),
        ),
        item(
            tr.t("field-political-status"),
            named(lang, d.political_status, |v| v.name_zh(), |v| v.name_en()),
        ),
        item(
            tr.t("field-occupation"),
            named(lang, d.occupation, |v| v.name_zh(), |v| v.name_en()),
        ),
        item(
            tr.t("person-issuing-county"),
            format::issuing_place(&person.id_number).unwrap_or_default(),
        ),
    ];
    if let Some(g) = &d.guardian {
        items.extend(guardian_items(tr, g, numbers));
    }
    items
}

/// The guardian of a minor, numbers masked unless revealed.
fn guardian_items(tr: Tr, g: &Guardian, numbers: Numbers) -> [Item; 3] {
    let relation = g.relation();
    [
        item(
            tr.t("person-guardian"),
            format!(
                "{}（{}）",
                g.name(),
                tr.lang.pick(relation.name_zh(), relation.name_en())
            ),
        ),
        item(
            tr.t("person-guardian-id-number"),
            format::id_number_in(numbers, g.id_number()),
        ),
        item(
            tr.t("person-guardian-phone"),
            format::phone_in(numbers, Some(g.phone())),
        ),
    ]
}

pub(crate) fn stay_items(tr: Tr, r: &Residence) -> Vec<Item> {
    let months = r
        .stay
        .intended_stay_months
        .map_or_else(|| "—".to_owned(), |m| tr.tn("person-months", u64::from(m)));
    vec![
        item(
            tr.t("field-arrived-on"),
            format::date(r.stay.arrived_on.date()),
        ),
        item(
            tr.t("field-reason"),
            tr.lang
                .pick(r.stay.reason.name_zh(), r.stay.reason.name_en()),
        ),
        item(tr.t("field-intended-stay"), months),
        item(
            tr.t("field-current-address"),
            r.stay.current_address.to_string(),
        ),
    ]
}

fn stay_view(tr: Tr, units: &Units, r: &Residence) -> StayView {
    let (to, destination) = match &r.status {
        ResidenceStatus::Departed(d) => {
            let place = d
                .destination
                .as_ref()
                .map(format::place)
                .unwrap_or_default();
            let address = d
                .destination_address
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            (
                format::date(d.departed_on.date()),
                format!("{place} {address}").trim().to_owned(),
            )
        }
        _ => (String::new(), String::new()),
    };
    StayView {
        id: r.id.0,
        from: format::date(r.stay.arrived_on.date()),
        to,
        unit: units.name_of(&r.stay.unit),
        address: r.stay.current_address.to_string(),
        reason: tr
            .lang
            .pick(r.stay.reason.name_zh(), r.stay.reason.name_en())
            .to_owned(),
        status: format::status(tr, &r.status),
        status_class: format::status_class(&r.status),
        destination,
        is_current: r.status.is_current(),
    }
}

fn document_view(tr: Tr, d: &RecordedDocumentCheck) -> DocumentView {
    let state = match d.check.status {
        DocumentStatus::Checked { on } => {
            tr.ts("documents-checked-on", "date", &format::date(on.date()))
        }
        DocumentStatus::Chased { due } => {
            tr.ts("documents-chased-due", "date", &format::date(due.date()))
        }
    };
    let kind = d.check.kind;
    DocumentView {
        kind: tr.lang.pick(kind.name_zh(), kind.name_en()).to_owned(),
        state,
        note: d
            .check
            .note
            .as_ref()
            .map(|n| n.to_string())
            .unwrap_or_default(),
        by: d.recorded_by.clone(),
        at: d
            .recorded_at
            .to_offset(CHINA)
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]"
            ))
            .unwrap_or_default(),
    }
}

/// Every change of the file, newest first, each with what it changed.
fn change_views(
    tr: Tr,
    units: &Units,
    records: &[(&'static str, Vec<Revision>)],
) -> Vec<ChangeView> {
    let mut changes: Vec<(time::OffsetDateTime, ChangeView)> = Vec::new();
    for (kind, revisions) in records {
        let mut before: Option<&Revision> = None;
        for revision in revisions {
            let mut view = change_view(tr, kind, revision);
            if let Some(before) = before {
                view.fields = changed_fields(tr, units, before, revision);
            }
            changes.push((revision.at, view));
            before = Some(revision);
        }
    }
    changes.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    changes.into_iter().map(|(_, view)| view).collect()
}

fn change_view(tr: Tr, kind: &str, r: &Revision) -> ChangeView {
    let at =
        r.at.to_offset(CHINA)
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]"
            ))
            .unwrap_or_default();
    let action = match r.action.as_str() {
        "created" => tr.t("history-created"),
        "updated" => tr.t("history-updated"),
        "arrival" => tr.t("history-arrival"),
        "activated" => tr.t("history-activated"),
        "departed" => tr.t("history-departed"),
        other => other.to_owned(),
    };
    let record = match kind {
        "person" => tr.t("history-record-person"),
        _ => tr.t("history-record-residence"),
    };
    ChangeView {
        at,
        // "王芳（clerk1）": the name a clerk knows, the account the trail keeps.
        actor: match &r.actor_name {
            Some(name) => format!("{name}（{}）", r.actor),
            None => r.actor.clone(),
        },
        action,
        record,
        fields: Vec::new(),
    }
}
