//! Service requests (一站式服务, R4.2): the bodies both the API and the
//! pages' forms parse, the list's query, and the responses.

use super::fields::{Fields, InputError, Paging, assemble, non_blank, option, paging};
use super::iso;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use sojourn_domain::codes::Phone;
use sojourn_domain::person::PersonId;
use sojourn_domain::services::request::{
    Deadline, KindCode, Referral, RequestKind, RequestState, RequestStep, Satisfaction, StateName,
};
use sojourn_domain::text::{Note, OrgName, PersonName};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::UnitCode;
use sojourn_store::requests::{
    NewRequest, RequestFilter, RequestSort, ServiceRequest, StateFilter,
};
use time::Date;
use utoipa::{IntoParams, ToSchema};

/// A request taken in at the window.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct IntakeRequest {
    pub person_id: i64,
    /// A kind's code from `GET /service-requests/kinds`.
    #[schema(example = "employment")]
    pub kind: String,
    /// What the resident asked for; at most 500 characters.
    pub asked: String,
    /// The day it was taken in (today when absent); not in the future.
    #[schema(value_type = Option<String>, format = Date)]
    pub received_on: Option<String>,
}

impl IntakeRequest {
    pub(crate) fn parse(&self, today: Date) -> Result<NewRequest, ApiError> {
        let mut fields = Fields::default();
        let kind = fields.take("kind", KindCode::parse(&self.kind));
        let asked = fields.take("asked", Note::parse(&self.asked));
        let received = fields.optional("received_on", self.received_on.as_deref(), |text| {
            PastDate::parse(text, today)
        });
        let request = assemble(|| {
            Some(NewRequest {
                person: PersonId(self.person_id),
                kind: kind?,
                asked: asked?,
                received_on: received?.map_or(today, PastDate::date),
            })
        });
        fields.finish(request)
    }
}

/// A step on a request: a referral, a resolution or the closing.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StepRequest {
    /// The version read: a stale one is refused (409).
    pub version: i64,
    /// The day of the step (today when absent); not in the future, nor
    /// before the request was taken in.
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<String>,
    /// Referral: the responsible department, its contact and phone.
    pub department: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    /// Resolution: what was done.
    pub resolution: Option<String>,
    /// Closing: `satisfied`, `neutral` or `dissatisfied`, and a note.
    pub satisfaction: Option<String>,
    pub feedback: Option<String>,
}

/// Which step a body is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StepKind {
    Refer,
    Resolve,
    Close,
}

fn required<T, E: sojourn_domain::Localized>(
    fields: &mut Fields,
    field: &str,
    input: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    match non_blank(input) {
        Some(text) => fields.take(field, parse(text)),
        None => {
            fields.refuse(field, &InputError::Required);
            None
        }
    }
}

impl StepRequest {
    /// The step and its day, or a 422 naming every field at fault.
    pub(crate) fn parse(
        &self,
        kind: StepKind,
        today: Date,
    ) -> Result<(RequestStep, PastDate, i64), ApiError> {
        let mut fields = Fields::default();
        let on = fields.optional("on", self.on.as_deref(), |t| PastDate::parse(t, today));
        let step = match kind {
            StepKind::Refer => {
                let department = required(
                    &mut fields,
                    "department",
                    self.department.as_deref(),
                    OrgName::parse,
                );
                let contact = required(
                    &mut fields,
                    "contact",
                    self.contact.as_deref(),
                    PersonName::parse,
                );
                let phone = required(&mut fields, "phone", self.phone.as_deref(), Phone::parse);
                assemble(|| {
                    Some(RequestStep::Refer(Referral {
                        department: department?,
                        contact: contact?,
                        phone: phone?,
                    }))
                })
            }
            StepKind::Resolve => required(
                &mut fields,
                "resolution",
                self.resolution.as_deref(),
                Note::parse,
            )
            .map(RequestStep::Resolve),
            StepKind::Close => {
                let table: Vec<(&str, Option<Satisfaction>)> = std::iter::once(("", None))
                    .chain(Satisfaction::ALL.map(|s| (s.code(), Some(s))))
                    .collect();
                let satisfaction = option(
                    &mut fields,
                    "satisfaction",
                    self.satisfaction.as_deref(),
                    &table[1..],
                );
                let satisfaction = match (non_blank(self.satisfaction.as_deref()), satisfaction) {
                    (None, _) => {
                        fields.refuse("satisfaction", &InputError::Required);
                        None
                    }
                    (Some(_), s) => s.flatten(),
                };
                let feedback = fields.optional("feedback", self.feedback.as_deref(), Note::parse);
                assemble(|| {
                    Some(RequestStep::Close {
                        satisfaction: satisfaction?,
                        feedback: feedback?,
                    })
                })
            }
        };
        let parsed = assemble(|| {
            let on = on?.unwrap_or(PastDate::new(today, today).ok()?);
            Some((step?, on, self.version))
        });
        fields.finish(parsed)
    }
}

/// The list's filters, sort and page, as the URL carries them.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct RequestListQuery {
    /// A kind's code.
    pub kind: Option<String>,
    /// `intake`, `referred`, `resolved`, `closed`, `open` (intake or
    /// referred) or `overdue` (open past its due date).
    pub state: Option<String>,
    /// Only requests held in this unit's subtree.
    pub unit: Option<String>,
    /// `due` (earliest due first, the default) or `received` (latest first).
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl RequestListQuery {
    pub(crate) fn parse(&self, today: Date) -> Result<(RequestFilter, Paging), ApiError> {
        let mut fields = Fields::default();
        let kind = fields.optional("kind", self.kind.as_deref(), KindCode::parse);
        let mut states: Vec<(&str, Option<StateFilter>)> = vec![
            ("", None),
            ("open", Some(StateFilter::Open)),
            ("overdue", Some(StateFilter::Overdue(today))),
        ];
        states.extend(StateName::ALL.map(|s| (s.code(), Some(StateFilter::Is(s)))));
        let state = option(&mut fields, "state", self.state.as_deref(), &states);
        let unit = fields.optional("unit", self.unit.as_deref(), UnitCode::parse);
        let sort = option(
            &mut fields,
            "sort",
            self.sort.as_deref(),
            &[
                ("due", RequestSort::DueAsc),
                ("received", RequestSort::ReceivedDesc),
            ],
        );
        let paging = paging(&mut fields, self.page, self.per_page);
        let parsed = assemble(|| {
            Some((
                RequestFilter {
                    kind: kind?,
                    state: state?,
                    unit: unit?,
                    sort: sort?,
                },
                paging?,
            ))
        });
        fields.finish(parsed)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralResponse {
    pub department: String,
    pub contact: String,
    /// The department's phone, as written.
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequestResponse {
    pub id: i64,
    pub unit: String,
    pub person_id: i64,
    pub person_name: String,
    pub kind: String,
    pub asked: String,
    #[schema(value_type = String, format = Date)]
    pub received_on: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: String,
    /// `intake`, `referred`, `resolved` or `closed`.
    pub state: String,
    /// For an open request: `in_time`, `due_soon` or `overdue`.
    pub deadline: Option<String>,
    pub referral: Option<ReferralResponse>,
    pub resolution: Option<String>,
    pub satisfaction: Option<String>,
    pub feedback: Option<String>,
    pub version: i64,
}

pub(crate) fn deadline_key(deadline: Deadline) -> &'static str {
    match deadline {
        Deadline::InTime => "in_time",
        Deadline::DueSoon => "due_soon",
        Deadline::Overdue => "overdue",
    }
}

impl ServiceRequestResponse {
    pub(crate) fn of(r: &ServiceRequest, today: Date) -> Self {
        let (resolution, satisfaction, feedback) = match &r.state {
            RequestState::Intake | RequestState::Referred { .. } => (None, None, None),
            RequestState::Resolved { resolution, .. } => (Some(resolution), None, None),
            RequestState::Closed {
                resolution,
                satisfaction,
                feedback,
                ..
            } => (Some(resolution), Some(*satisfaction), feedback.as_ref()),
        };
        Self {
            id: r.id.0,
            unit: r.unit.to_string(),
            person_id: r.person.0,
            person_name: r.person_name.to_string(),
            kind: r.kind.as_str().to_owned(),
            asked: r.asked.to_string(),
            received_on: iso(r.received_on),
            due_on: iso(r.due_on),
            state: r.state.name().code().to_owned(),
            deadline: Deadline::of(r.state.name(), r.due_on, today)
                .map(|d| deadline_key(d).to_owned()),
            referral: r.state.referral().map(|f| ReferralResponse {
                department: f.department.to_string(),
                contact: f.contact.to_string(),
                phone: f.phone.as_str().to_owned(),
            }),
            resolution: resolution.map(ToString::to_string),
            satisfaction: satisfaction.map(|s| s.code().to_owned()),
            feedback: feedback.map(ToString::to_string),
            version: r.version,
        }
    }
}

/// A page of the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequestList {
    pub items: Vec<ServiceRequestResponse>,
    /// The list's size, counted up to 1,000 (1,001 means more).
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// A kind of request in the deployment's table.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestKindResponse {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Days from intake to the due date.
    pub due_days: u16,
}

impl From<&RequestKind> for RequestKindResponse {
    fn from(k: &RequestKind) -> Self {
        Self {
            code: k.code.as_str().to_owned(),
            name_zh: k.name_zh.to_string(),
            name_en: k.name_en.to_string(),
            due_days: k.due.days(),
        }
    }
}
