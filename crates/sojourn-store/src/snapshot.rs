//! Snapshots of records: the record as it stood, kept in the revision
//! history (sealed as a whole) and written, masked, into the audit entry
//! of every change. Field names match the API's so a revision can be shown
//! as the record was.
//!
//! A snapshot is a typed value, one struct per register, and a personal
//! field is declared by its type: an ID number is an [`IdText`], a phone
//! a [`PhoneText`], a landlord's code a [`CodeText`], a sealed name a
//! [`NameText`]. Such a field masks itself whenever a snapshot is written
//! [`masked`](Snapshot::masked) — for the audit trail, the history pages,
//! the API — whatever key it travels under, so a new personal field is
//! masked the day it is added, as long as it is given its type (the
//! tests below hold each register's snapshot to that). Only the revision
//! history, which is sealed, keeps the full values
//! ([`Snapshot::full`]).
//!
//! A stored revision is read back through the same structs
//! ([`RecordSnapshot::parse`]), so what is shown of an old version is
//! masked by the same types as what is written today.

use crate::sql::sealed::Mask;
use crate::{Result, StoreError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sojourn_domain::codes::{IdNumber, Phone};
use sojourn_domain::employer::Employer;
use sojourn_domain::house::{Filing, House, Landlord};
use sojourn_domain::outflow::Outflow;
use sojourn_domain::person::Person;
use sojourn_domain::record::RecordKind;
use sojourn_domain::residence::{Residence, ResidenceStatus};
use sojourn_domain::services::permit::PermitStatus;
use std::cell::Cell;
use std::marker::PhantomData;

thread_local! {
    /// Whether personal fields serialise masked. Serialisation is
    /// synchronous and [`Snapshot::masked`] restores the flag however it
    /// ends, so the flag never outlives the one call that set it.
    static MASKING: Cell<bool> = const { Cell::new(false) };
}

/// A record's snapshot, written in full or masked.
pub(crate) trait Snapshot: Serialize {
    /// Every value as it is: only for the sealed revision history.
    fn full(&self) -> Result<String> {
        let value = serde_json::to_value(self).map_err(unwritable)?;
        Ok(value.to_string())
    }

    /// Every personal field masked by its type: what the audit trail and
    /// any reader is given.
    fn masked(&self) -> Result<Value> {
        struct Restore(bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                MASKING.with(|masking| masking.set(self.0));
            }
        }
        let _restore = Restore(MASKING.with(|masking| masking.replace(true)));
        serde_json::to_value(self).map_err(unwritable)
    }
}

impl<T: Serialize> Snapshot for T {}

fn unwritable(error: serde_json::Error) -> StoreError {
    StoreError::Internal(format!("a snapshot does not serialise: {error}"))
}

/// How a kind of personal text is masked.
pub(crate) trait MaskOf {
    const MASK: Mask;
}

/// Personal text in a snapshot, masked as `M` says.
pub(crate) struct Personal<M> {
    text: String,
    mask: PhantomData<M>,
}

impl<M> Personal<M> {
    fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            mask: PhantomData,
        }
    }
}

impl<M: MaskOf> Serialize for Personal<M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if MASKING.with(Cell::get) {
            serializer.serialize_str(&crate::mask::masked(M::MASK, &self.text))
        } else {
            serializer.serialize_str(&self.text)
        }
    }
}

impl<'de, M> Deserialize<'de> for Personal<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(Personal::new)
    }
}

macro_rules! personal {
    ($($(#[$doc:meta])* $name:ident, $marker:ident => $mask:expr;)*) => {$(
        #[doc(hidden)]
        pub(crate) struct $marker;
        impl MaskOf for $marker {
            const MASK: Mask = $mask;
        }
        $(#[$doc])*
        pub(crate) type $name = Personal<$marker>;
    )*};
}

personal! {
    /// An ID number.
    IdText, IdMask => Mask::IdNumber;
    /// A phone number.
    PhoneText, PhoneMask => Mask::Phone;
    /// An ID number or another code of a person or company (a landlord's).
    CodeText, CodeMask => Mask::Code;
    /// A person's name kept sealed (a legal representative's).
    NameText, NameMask => Mask::Name;
    /// A sealed value shown to no one in a masked snapshot (a
    /// family-planning file's contents).
    HiddenText, HiddenMask => Mask::Hidden;
}

impl HiddenText {
    pub(crate) fn of(text: impl Into<String>) -> Self {
        Personal::new(text)
    }
}

impl From<&IdNumber> for IdText {
    fn from(number: &IdNumber) -> Self {
        Personal::new(number.as_str())
    }
}

impl From<&Phone> for PhoneText {
    fn from(phone: &Phone) -> Self {
        Personal::new(phone.as_str())
    }
}

fn text<T: ToString>(value: Option<&T>) -> Option<String> {
    value.map(ToString::to_string)
}

#[derive(Serialize, Deserialize)]
pub(crate) struct PersonSnapshot {
    id: i64,
    id_number: IdText,
    unit: String,
    name: String,
    ethnicity: String,
    domicile: String,
    domicile_address: Option<String>,
    phone: Option<PhoneText>,
    marital_status: Option<String>,
    education: Option<String>,
    political_status: Option<String>,
    occupation: Option<String>,
    guardian: Option<GuardianSnapshot>,
    version: i64,
}

#[derive(Serialize, Deserialize)]
struct GuardianSnapshot {
    name: String,
    id_number: IdText,
    relation: String,
    phone: PhoneText,
}

impl From<&Person> for PersonSnapshot {
    fn from(p: &Person) -> Self {
        let d = &p.details;
        let code = |code: &str| code.to_owned();
        Self {
            id: p.id.0,
            id_number: (&p.id_number).into(),
            unit: p.unit.as_str().to_owned(),
            name: d.name.as_str().to_owned(),
            ethnicity: code(d.ethnicity.code()),
            domicile: d.domicile.as_str().to_owned(),
            domicile_address: text(d.domicile_address.as_ref()),
            phone: d.phone.as_ref().map(Into::into),
            marital_status: d.marital_status.map(|v| code(v.code())),
            education: d.education.map(|v| code(v.code())),
            political_status: d.political_status.map(|v| code(v.code())),
            occupation: d.occupation.map(|v| code(v.code())),
            guardian: d.guardian.as_ref().map(|g| GuardianSnapshot {
                name: g.name().as_str().to_owned(),
                id_number: g.id_number().into(),
                relation: code(g.relation().code()),
                phone: g.phone().into(),
            }),
            version: p.version,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct ResidenceSnapshot {
    id: i64,
    person_id: i64,
    unit: String,
    arrived_on: String,
    intended_stay_months: Option<u16>,
    reason: String,
    current_address: String,
    house_id: Option<i64>,
    employer_id: Option<i64>,
    status: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    departure: Option<DepartureSnapshot>,
    version: i64,
}

#[derive(Serialize, Deserialize)]
struct DepartureSnapshot {
    departed_on: String,
    destination: Option<String>,
    destination_address: Option<String>,
    reason: Option<String>,
}

impl From<&Residence> for ResidenceSnapshot {
    fn from(r: &Residence) -> Self {
        let s = &r.stay;
        let departure = match &r.status {
            ResidenceStatus::Departed(d) => Some(DepartureSnapshot {
                departed_on: d.departed_on.to_string(),
                destination: text(d.destination.as_ref()),
                destination_address: text(d.destination_address.as_ref()),
                reason: text(d.reason.as_ref()),
            }),
            _ => None,
        };
        Self {
            id: r.id.0,
            person_id: r.person.0,
            unit: s.unit.as_str().to_owned(),
            arrived_on: s.arrived_on.to_string(),
            intended_stay_months: s.intended_stay_months,
            reason: s.reason.code().to_owned(),
            current_address: s.current_address.as_str().to_owned(),
            house_id: s.house.map(|h| h.0),
            employer_id: s.employer.map(|e| e.0),
            status: r.status.key().to_owned(),
            departure,
            version: r.version,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct HouseSnapshot {
    id: i64,
    unit: String,
    address: String,
    landlord: LandlordSnapshot,
    rooms: u16,
    usage: String,
    filed_on: Option<String>,
    security_agreement_on: Option<String>,
    version: i64,
}

#[derive(Serialize, Deserialize)]
struct LandlordSnapshot {
    kind: String,
    name: String,
    code: CodeText,
    phone: Option<PhoneText>,
}

impl From<&House> for HouseSnapshot {
    fn from(h: &House) -> Self {
        let d = &h.details;
        let (kind, code) = match &d.landlord {
            Landlord::Person { id_number, .. } => ("person", id_number.as_str()),
            Landlord::Company { uscc, .. } => ("company", uscc.as_str()),
        };
        Self {
            id: h.id.0,
            unit: d.unit.as_str().to_owned(),
            address: d.address.as_str().to_owned(),
            landlord: LandlordSnapshot {
                kind: kind.to_owned(),
                name: d.landlord.display_name().to_owned(),
                code: Personal::new(code),
                phone: d.landlord.phone().map(Into::into),
            },
            rooms: d.rooms,
            usage: d.usage.key().to_owned(),
            filed_on: match &d.filing {
                Filing::Filed { on } => Some(on.to_string()),
                Filing::NotFiled => None,
            },
            security_agreement_on: text(d.security_agreement_on.as_ref()),
            version: h.version,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct EmployerSnapshot {
    id: i64,
    uscc: String,
    unit: String,
    name: String,
    legal_representative: NameText,
    address: String,
    phone: Option<PhoneText>,
    declared_workers: u32,
    version: i64,
}

impl From<&Employer> for EmployerSnapshot {
    fn from(e: &Employer) -> Self {
        let d = &e.details;
        Self {
            id: e.id.0,
            uscc: e.uscc.as_str().to_owned(),
            unit: d.unit.as_str().to_owned(),
            name: d.name.as_str().to_owned(),
            legal_representative: Personal::new(d.legal_representative.as_str()),
            address: d.address.as_str().to_owned(),
            phone: d.phone.as_ref().map(Into::into),
            declared_workers: d.declared_workers,
            version: e.version,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct OutflowSnapshot {
    id: i64,
    id_number: IdText,
    unit: String,
    name: String,
    left_on: String,
    destination: String,
    destination_address: Option<String>,
    reason: Option<String>,
    employer_name: Option<String>,
    contact_phone: Option<PhoneText>,
    left_behind: Vec<LeftBehindSnapshot>,
    returned_on: Option<String>,
    version: i64,
}

#[derive(Serialize, Deserialize)]
struct LeftBehindSnapshot {
    name: String,
    id_number: Option<IdText>,
    birth_date: String,
    relation: String,
    kind: String,
}

impl From<&Outflow> for OutflowSnapshot {
    fn from(o: &Outflow) -> Self {
        let d = &o.details;
        let left_behind = d
            .left_behind
            .iter()
            .map(|m| LeftBehindSnapshot {
                name: m.name.as_str().to_owned(),
                id_number: m.id_number.as_ref().map(Into::into),
                birth_date: m.birth_date.to_string(),
                relation: m.relation.as_str().to_owned(),
                kind: m.kind().key().to_owned(),
            })
            .collect();
        Self {
            id: o.id.0,
            id_number: (&o.id_number).into(),
            unit: d.unit.as_str().to_owned(),
            name: d.name.as_str().to_owned(),
            left_on: d.left_on.to_string(),
            destination: d.destination.as_str().to_owned(),
            destination_address: text(d.destination_address.as_ref()),
            reason: text(d.reason.as_ref()),
            employer_name: text(d.employer_name.as_ref()),
            contact_phone: d.contact_phone.as_ref().map(Into::into),
            left_behind,
            returned_on: text(o.returned_on.as_ref()),
            version: o.version,
        }
    }
}

/// A service request (R4.2): the referral's phone is a department's, but
/// masked all the same, as every phone is.
#[derive(Serialize, Deserialize)]
pub(crate) struct ServiceRequestSnapshot {
    id: i64,
    unit: String,
    person_id: i64,
    kind: String,
    asked: String,
    received_on: String,
    due_on: String,
    state: String,
    department: Option<String>,
    contact: Option<String>,
    contact_phone: Option<PhoneText>,
    resolution: Option<String>,
    satisfaction: Option<String>,
    feedback: Option<String>,
    version: i64,
}

impl From<&crate::requests::ServiceRequest> for ServiceRequestSnapshot {
    fn from(r: &crate::requests::ServiceRequest) -> Self {
        use sojourn_domain::services::request::RequestState;
        let referral = r.state.referral();
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
            unit: r.unit.as_str().to_owned(),
            person_id: r.person.0,
            kind: r.kind.as_str().to_owned(),
            asked: r.asked.as_str().to_owned(),
            received_on: r.received_on.to_string(),
            due_on: r.due_on.to_string(),
            state: r.state.name().code().to_owned(),
            department: referral.map(|f| f.department.as_str().to_owned()),
            contact: referral.map(|f| f.contact.as_str().to_owned()),
            contact_phone: referral.map(|f| (&f.phone).into()),
            resolution: text(resolution),
            satisfaction: satisfaction.map(|s| s.code().to_owned()),
            feedback: text(feedback),
            version: r.version,
        }
    }
}

/// A residence permit as each step left it. The proxy's name is a
/// resident's name, not sealed; the permit holds no number.
#[derive(Serialize, Deserialize)]
pub(crate) struct PermitSnapshot {
    id: i64,
    person: i64,
    unit: String,
    state: String,
    proxy_name: Option<String>,
    proxy_relation: Option<String>,
    proxy_ground: Option<String>,
    proof: Option<String>,
    residence_proved: bool,
    applied_on: String,
    noticed_on: Option<String>,
    missing: Option<String>,
    accepted_on: Option<String>,
    basis: Option<String>,
    produced_on: Option<String>,
    issued_on: Option<String>,
    years_from: Option<String>,
    endorse_by: Option<String>,
    endorsements: i64,
    last_endorsed_on: Option<String>,
    cancelled_on: Option<String>,
    cancel_reason: Option<String>,
    cancel_note: Option<String>,
    version: i64,
}

impl From<&PermitStatus> for PermitSnapshot {
    fn from(p: &PermitStatus) -> Self {
        let day = |d: Option<time::Date>| d.map(|d| d.to_string());
        let proxy = p.application.proxy.as_ref();
        Self {
            id: p.id.0,
            person: p.person.0,
            unit: p.unit.as_str().to_owned(),
            state: p.state.code().to_owned(),
            proxy_name: proxy.map(|x| x.name.as_str().to_owned()),
            proxy_relation: proxy.map(|x| x.relation.as_str().to_owned()),
            proxy_ground: proxy.map(|x| x.ground.code().to_owned()),
            proof: p.application.proof.map(|b| b.code().to_owned()),
            residence_proved: p.application.residence_proved,
            applied_on: p.applied_on.to_string(),
            noticed_on: day(p.noticed_on),
            missing: p.missing.as_ref().map(|m| m.codes()),
            accepted_on: day(p.accepted_on),
            basis: p.basis.map(|b| b.code().to_owned()),
            produced_on: day(p.produced_on),
            issued_on: day(p.issued_on),
            years_from: day(p.years_from),
            endorse_by: day(p.endorse_by),
            endorsements: p.endorsements,
            last_endorsed_on: day(p.last_endorsed_on),
            cancelled_on: day(p.cancelled_on),
            cancel_reason: p.cancel_reason.map(|r| r.code().to_owned()),
            cancel_note: p.cancel_note.as_ref().map(|n| n.as_str().to_owned()),
            version: p.version,
        }
    }
}

/// A stored snapshot of a record of one of the registers with a history,
/// read back as its type.
pub struct RecordSnapshot(Body);

enum Body {
    Person(PersonSnapshot),
    Residence(ResidenceSnapshot),
    House(HouseSnapshot),
    Employer(EmployerSnapshot),
    Outflow(OutflowSnapshot),
    ServiceRequest(ServiceRequestSnapshot),
    Permit(PermitSnapshot),
}

impl RecordSnapshot {
    /// The snapshot of a record of `kind` stored as `text`.
    pub fn parse(kind: RecordKind, text: &str) -> Result<Self> {
        fn read<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
            serde_json::from_str(text)
                .map_err(|e| StoreError::Corrupt(format!("a stored snapshot does not read: {e}")))
        }
        Ok(Self(match kind {
            RecordKind::Person => Body::Person(read(text)?),
            RecordKind::Residence => Body::Residence(read(text)?),
            RecordKind::House => Body::House(read(text)?),
            RecordKind::Employer => Body::Employer(read(text)?),
            RecordKind::Outflow => Body::Outflow(read(text)?),
            RecordKind::ServiceRequest => Body::ServiceRequest(read(text)?),
            RecordKind::ResidencePermit => Body::Permit(read(text)?),
            other => {
                return Err(StoreError::Internal(format!(
                    "no snapshot is kept of a {}",
                    other.code()
                )));
            }
        }))
    }

    /// The snapshot with every personal field masked by its type.
    pub fn masked(&self) -> Result<Value> {
        match &self.0 {
            Body::Person(s) => s.masked(),
            Body::Residence(s) => s.masked(),
            Body::House(s) => s.masked(),
            Body::Employer(s) => s.masked(),
            Body::Outflow(s) => s.masked(),
            Body::ServiceRequest(s) => s.masked(),
            Body::Permit(s) => s.masked(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NUMBER: &str = "11010519491231002X";

    /// Every string of `value`, at any depth.
    fn strings(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(text) => out.push(text.clone()),
            Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            Value::Object(map) => map.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }

    fn person_json() -> Value {
        json!({
            "id": 1, "id_number": NUMBER, "unit": "110105001001", "name": "张三",
            "ethnicity": "01", "domicile": "110105", "domicile_address": null,
            "phone": "13800138000", "marital_status": null, "education": null,
            "political_status": null, "occupation": null,
            "guardian": { "name": "张父", "id_number": NUMBER, "relation": "01",
                          "phone": "13911112222" },
            "version": 3,
        })
    }

    #[test]
    fn a_stored_person_reads_back_whole_and_masks_every_number_by_its_type() {
        let stored = person_json().to_string();
        let snapshot = RecordSnapshot::parse(RecordKind::Person, &stored).expect("reads");
        let RecordSnapshot(Body::Person(person)) = &snapshot else {
            panic!("a person");
        };
        assert_eq!(
            serde_json::from_str::<Value>(&person.full().expect("full")).expect("json"),
            person_json(),
            "nothing is lost reading a revision back"
        );
        let masked = snapshot.masked().expect("masked");
        let mut shown = Vec::new();
        strings(&masked, &mut shown);
        assert!(shown.iter().all(|s| !s.contains("19491231")), "{masked}");
        assert_eq!(masked["guardian"]["id_number"], "110105********002X");
        assert_eq!(masked["guardian"]["phone"], "139****2222");
        assert_eq!(masked["phone"], "138****8000");
        assert_eq!(masked["name"], "张三", "a resident's name is not sealed");
    }

    #[test]
    fn a_landlord_code_a_legal_representative_and_left_behind_numbers_mask_themselves() {
        let house = json!({
            "id": 1, "unit": "110105001001", "address": "某路1号",
            "landlord": { "kind": "company", "name": "某公司", "code": "91110101MA01ABCD3X",
                          "phone": null },
            "rooms": 2, "usage": "rental", "filed_on": null, "security_agreement_on": null,
            "version": 1,
        });
        let masked = RecordSnapshot::parse(RecordKind::House, &house.to_string())
            .and_then(|s| s.masked())
            .expect("masked");
        assert_eq!(masked["landlord"]["code"], "911101********CD3X");
        assert_eq!(masked["landlord"]["name"], "某公司");
        let employer = json!({
            "id": 1, "uscc": "91110101MA01ABCD3X", "unit": "110105001001", "name": "东华门饭店",
            "legal_representative": "钱法人", "address": "某路", "phone": "13800138000",
            "declared_workers": 12, "version": 1,
        });
        let masked = RecordSnapshot::parse(RecordKind::Employer, &employer.to_string())
            .and_then(|s| s.masked())
            .expect("masked");
        assert_eq!(masked["legal_representative"], "钱**");
        assert_eq!(
            masked["uscc"], "91110101MA01ABCD3X",
            "a company's code is public"
        );
        let outflow = json!({
            "id": 1, "id_number": NUMBER, "unit": "110105001001", "name": "李四",
            "left_on": "2024-01-01", "destination": "440100", "destination_address": null,
            "reason": null, "employer_name": null, "contact_phone": "13800138000",
            "left_behind": [{ "name": "李小", "id_number": NUMBER, "birth_date": "2015-01-01",
                              "relation": "子", "kind": "child" }],
            "returned_on": null, "version": 1,
        });
        let masked = RecordSnapshot::parse(RecordKind::Outflow, &outflow.to_string())
            .and_then(|s| s.masked())
            .expect("masked");
        let mut shown = Vec::new();
        strings(&masked, &mut shown);
        assert!(shown.iter().all(|s| !s.contains("19491231")), "{masked}");
        assert_eq!(masked["contact_phone"], "138****8000");
    }

    #[test]
    fn masking_ends_with_the_call_that_asked_for_it() {
        let person: PersonSnapshot = serde_json::from_value(person_json()).expect("reads");
        person.masked().expect("masked");
        let full = person.full().expect("full");
        assert!(full.contains(NUMBER), "{full}");
    }

    #[test]
    fn a_stored_snapshot_that_does_not_read_is_corrupt_not_shown() {
        let read = RecordSnapshot::parse(RecordKind::House, r#"{"id":1}"#);
        assert!(matches!(read, Err(StoreError::Corrupt(_))));
    }
}
