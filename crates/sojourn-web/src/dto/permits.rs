//! Residence permits 居住证: the application, a step, a permit as read,
//! a worklist page and the permit rate.

use crate::dto::fields::{Fields, Paging, non_blank, paging};
use crate::dto::iso;
use crate::error::{ApiError, FieldProblem};
use serde::{Deserialize, Serialize};
use sojourn_domain::person::PersonId;
use sojourn_domain::services::permit::{
    Application, Basis, PermitError, PermitRequest, PermitStatus, PermitStep, Proxy, ProxyGround,
};
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::unit::UnitCode;
use sojourn_store::{PermitList, PermitRate, PermitRow};
use time::Date;
use utoipa::{IntoParams, ToSchema};

/// An application taken at the window.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PermitApplicationRequest {
    /// The person file applied for.
    pub person_id: i64,
    /// Someone applying on the person's behalf: name, relation and ground
    /// (`minor`, `elderly`, `disabled`) together, or none of them.
    pub proxy_name: Option<String>,
    pub proxy_relation: Option<String>,
    pub proxy_ground: Option<String>,
    /// A document seen proving `work`, `housing` or `schooling` where the
    /// register shows none.
    pub proof: Option<String>,
    /// A proof of six months' residence was seen.
    #[serde(default)]
    pub residence_proved: bool,
}

impl PermitApplicationRequest {
    /// The person and the application, or every field at fault.
    pub(crate) fn parse(&self) -> Result<(PersonId, Application), ApiError> {
        let mut fields = Fields::default();
        let proof = fields.optional("proof", non_blank(self.proof.as_deref()), Basis::parse);
        let name = non_blank(self.proxy_name.as_deref());
        let relation = non_blank(self.proxy_relation.as_deref());
        let ground = non_blank(self.proxy_ground.as_deref());
        let proxy = if name.is_none() && relation.is_none() && ground.is_none() {
            Some(None)
        } else {
            let name = fields.take("proxy_name", PersonName::parse(name.unwrap_or_default()));
            let relation = fields.take("proxy_relation", Note::parse(relation.unwrap_or_default()));
            let ground = fields.take(
                "proxy_ground",
                ProxyGround::parse(ground.unwrap_or_default()),
            );
            match (name, relation, ground) {
                (Some(name), Some(relation), Some(ground)) => Some(Some(Proxy {
                    name,
                    relation,
                    ground,
                })),
                _ => None,
            }
        };
        let application = match (proof, proxy) {
            (Some(proof), Some(proxy)) => Some(Application {
                proxy,
                proof,
                residence_proved: self.residence_proved,
            }),
            _ => None,
        };
        Ok((PersonId(self.person_id), fields.finish(application)?))
    }
}

/// A step on a permit, based on the version read.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PermitStepRequest {
    /// `notice`, `accept`, `produce`, `issue`, `endorse` or `cancel`.
    #[schema(example = "accept")]
    pub step: String,
    /// The permit's `version` as read: a stale one is refused (409).
    pub version: i64,
    /// For a notice: every missing document (`id_card`, `photo`,
    /// `proof_of_residence`, `proof_of_work`, `proof_of_schooling`,
    /// `proof_of_relation`).
    #[serde(default)]
    pub documents: Vec<String>,
    /// For a cancellation: `departure`, `death` or `fraud`.
    pub reason: Option<String>,
    pub note: Option<String>,
}

impl PermitStepRequest {
    pub(crate) fn parse(&self) -> Result<PermitRequest, ApiError> {
        PermitStep::parse_request(
            &self.step,
            &self.documents,
            self.reason.as_deref(),
            self.note.as_deref(),
        )
        .map_err(|e| ApiError::Validation(vec![FieldProblem::new(field_of(&e), &e)]))
    }
}

/// The request field a parse error concerns.
pub(crate) fn field_of(error: &PermitError) -> &'static str {
    match error {
        PermitError::NoticeEmpty | PermitError::UnknownDocument(_) => "documents",
        PermitError::CancelReasonRequired | PermitError::UnknownCancelReason(_) => "reason",
        PermitError::Note(_) => "note",
        _ => "step",
    }
}

/// A worklist, narrowed to a unit, a page at a time.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PermitListQuery {
    /// `to_accept` (default), `issue_overdue`, `endorsement_due`,
    /// `endorsement_overdue`, `suspended` or `register`.
    pub list: Option<String>,
    /// A unit within your jurisdiction.
    pub unit: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// What a list query asks for, parsed.
pub(crate) struct ListAsked {
    pub list: PermitList,
    pub unit: Option<UnitCode>,
    pub paging: Paging,
}

/// A list code, or the refusal naming the codes there are.
#[derive(Debug)]
pub(crate) struct UnknownList(pub String);

impl sojourn_domain::Localized for UnknownList {
    fn code(&self) -> &'static str {
        "permit_unknown_list"
    }
    fn message_zh(&self) -> String {
        format!("“{}”不是居住证工作清单", self.0)
    }
    fn message_en(&self) -> String {
        format!(
            "{:?} is not a permit worklist (to_accept, issue_overdue, endorsement_due, endorsement_overdue, suspended, register)",
            self.0
        )
    }
}

pub(crate) fn parse_list(input: Option<&str>) -> Result<PermitList, UnknownList> {
    match non_blank(input) {
        None => Ok(PermitList::ToAccept),
        Some(code) => PermitList::parse(code).ok_or_else(|| UnknownList(code.to_owned())),
    }
}

impl PermitListQuery {
    pub(crate) fn parse(&self) -> Result<ListAsked, ApiError> {
        let mut fields = Fields::default();
        let list = fields.take("list", parse_list(self.list.as_deref()));
        let unit = fields.optional("unit", non_blank(self.unit.as_deref()), UnitCode::parse);
        let paging = paging(&mut fields, self.page, self.per_page);
        let asked = match (list, unit, paging) {
            (Some(list), Some(unit), Some(paging)) => Some(ListAsked { list, unit, paging }),
            _ => None,
        };
        fields.finish(asked)
    }
}

/// A unit, optionally.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PermitRateQuery {
    /// A unit within your jurisdiction; your whole jurisdiction when absent.
    pub unit: Option<String>,
}

impl PermitRateQuery {
    pub(crate) fn parse(&self) -> Result<Option<UnitCode>, ApiError> {
        let mut fields = Fields::default();
        let unit = fields.optional("unit", non_blank(self.unit.as_deref()), UnitCode::parse);
        fields.finish(unit)
    }
}

/// A permit as it stands on the day asked.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermitResponse {
    pub id: i64,
    pub person_id: i64,
    pub unit: String,
    /// `applied`, `noticed`, `accepted`, `produced`, `issued`, `suspended`
    /// (issued, its anniversary passed unendorsed) or `cancelled`.
    pub state: String,
    pub version: i64,
    pub proxy_name: Option<String>,
    pub proxy_relation: Option<String>,
    pub proxy_ground: Option<String>,
    pub proof: Option<String>,
    pub residence_proved: bool,
    #[schema(value_type = String, format = Date)]
    pub applied_on: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub noticed_on: Option<String>,
    /// The documents the one-time notice listed.
    pub missing_documents: Vec<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub accepted_on: Option<String>,
    /// The day the card is due (acceptance + 15 days).
    #[schema(value_type = Option<String>, format = Date)]
    pub issue_due: Option<String>,
    pub basis: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub produced_on: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub issued_on: Option<String>,
    /// The day the count of years runs from.
    #[schema(value_type = Option<String>, format = Date)]
    pub years_from: Option<String>,
    /// The next anniversary: endorse in the month before it.
    #[schema(value_type = Option<String>, format = Date)]
    pub endorse_by: Option<String>,
    pub endorsements: i64,
    #[schema(value_type = Option<String>, format = Date)]
    pub cancelled_on: Option<String>,
    pub cancel_reason: Option<String>,
    pub cancel_note: Option<String>,
    /// The holder's name and the unit's, in lists.
    pub person_name: Option<String>,
    pub unit_name: Option<String>,
}

impl PermitResponse {
    pub(crate) fn new(p: &PermitStatus, today: Date) -> Self {
        let proxy = p.application.proxy.as_ref();
        Self {
            id: p.id.0,
            person_id: p.person.0,
            unit: p.unit.as_str().to_owned(),
            state: p.state_on(today).code().to_owned(),
            version: p.version,
            proxy_name: proxy.map(|x| x.name.as_str().to_owned()),
            proxy_relation: proxy.map(|x| x.relation.as_str().to_owned()),
            proxy_ground: proxy.map(|x| x.ground.code().to_owned()),
            proof: p.application.proof.map(|b| b.code().to_owned()),
            residence_proved: p.application.residence_proved,
            applied_on: iso(p.applied_on),
            noticed_on: p.noticed_on.map(iso),
            missing_documents: p
                .missing
                .as_ref()
                .map(|m| m.documents().iter().map(|d| d.code().to_owned()).collect())
                .unwrap_or_default(),
            accepted_on: p.accepted_on.map(iso),
            issue_due: p.issue_due().map(iso),
            basis: p.basis.map(|b| b.code().to_owned()),
            produced_on: p.produced_on.map(iso),
            issued_on: p.issued_on.map(iso),
            years_from: p.years_from.map(iso),
            endorse_by: p.endorse_by.map(iso),
            endorsements: p.endorsements,
            cancelled_on: p.cancelled_on.map(iso),
            cancel_reason: p.cancel_reason.map(|r| r.code().to_owned()),
            cancel_note: p.cancel_note.as_ref().map(|n| n.as_str().to_owned()),
            person_name: None,
            unit_name: None,
        }
    }

    pub(crate) fn of_row(row: &PermitRow, today: Date) -> Self {
        let mut response = Self::new(&row.permit, today);
        response.person_name = Some(row.person_name.clone());
        response.unit_name = Some(row.unit_name.clone());
        response
    }
}

/// A page of a worklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermitListResponse {
    pub list: String,
    pub page: u32,
    pub per_page: u32,
    /// All matches, counted up to 1,000 (1,001 means more).
    pub total: u64,
    pub items: Vec<PermitResponse>,
}

/// Holders of a card in force over residents eligible (办证率).
#[derive(Debug, Serialize, ToSchema)]
pub struct PermitRateResponse {
    pub holders: u64,
    pub eligible: u64,
    /// Per mille; null when no one is eligible.
    pub per_mille: Option<u64>,
}

impl From<PermitRate> for PermitRateResponse {
    fn from(rate: PermitRate) -> Self {
        Self {
            holders: rate.holders,
            eligible: rate.eligible,
            per_mille: rate.per_mille(),
        }
    }
}
