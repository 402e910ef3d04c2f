//! JSON snapshots of records, kept in the revision history. Field names
//! match the API's so a revision can be shown as the record was.

use serde_json::{Value, json};
use sojourn_domain::employer::Employer;
use sojourn_domain::house::{Filing, House, Landlord};
use sojourn_domain::outflow::Outflow;
use sojourn_domain::person::Person;
use sojourn_domain::residence::{Residence, ResidenceStatus};

fn text<T: ToString>(v: &Option<T>) -> Value {
    v.as_ref()
        .map_or(Value::Null, |v| Value::String(v.to_string()))
}

pub(crate) fn person(p: &Person) -> String {
    let d = &p.details;
    json!({
        "id": p.id.0,
        "id_number": p.id_number.as_str(),
        "unit": p.unit.as_str(),
        "name": d.name.as_str(),
        "ethnicity": d.ethnicity.code(),
        "domicile": d.domicile.as_str(),
        "domicile_address": text(&d.domicile_address),
        "phone": text(&d.phone),
        "marital_status": d.marital_status.map(|v| v.code()),
        "education": d.education.map(|v| v.code()),
        "political_status": d.political_status.map(|v| v.code()),
        "occupation": d.occupation.map(|v| v.code()),
        "guardian": d.guardian.as_ref().map(|g| json!({
            "name": g.name().as_str(),
            "id_number": g.id_number().as_str(),
            "relation": g.relation().code(),
            "phone": g.phone().as_str(),
        })),
        "version": p.version,
    })
    .to_string()
}

pub(crate) fn residence(r: &Residence) -> String {
    let s = &r.stay;
    let mut value = json!({
        "id": r.id.0,
        "person_id": r.person.0,
        "unit": s.unit.as_str(),
        "arrived_on": s.arrived_on.to_string(),
        "intended_stay_months": s.intended_stay_months,
        "reason": s.reason.code(),
        "current_address": s.current_address.as_str(),
        "house_id": s.house.map(|h| h.0),
        "employer_id": s.employer.map(|e| e.0),
        "status": r.status.key(),
        "version": r.version,
    });
    if let ResidenceStatus::Departed(d) = &r.status {
        value["departure"] = json!({
            "departed_on": d.departed_on.to_string(),
            "destination": text(&d.destination),
            "destination_address": text(&d.destination_address),
            "reason": text(&d.reason),
        });
    }
    value.to_string()
}

pub(crate) fn house(h: &House) -> String {
    let d = &h.details;
    let (kind, code) = match &d.landlord {
        Landlord::Person { id_number, .. } => ("person", id_number.as_str()),
        Landlord::Company { uscc, .. } => ("company", uscc.as_str()),
    };
    let filed_on = match &d.filing {
        Filing::Filed { on } => Value::String(on.to_string()),
        Filing::NotFiled => Value::Null,
    };
    json!({
        "id": h.id.0,
        "unit": d.unit.as_str(),
        "address": d.address.as_str(),
        "landlord": {
            "kind": kind,
            "name": d.landlord.display_name(),
            "code": code,
            "phone": text(&d.landlord.phone().cloned()),
        },
        "rooms": d.rooms,
        "usage": d.usage.key(),
        "filed_on": filed_on,
        "security_agreement_on": text(&d.security_agreement_on),
        "version": h.version,
    })
    .to_string()
}

pub(crate) fn employer(e: &Employer) -> String {
    let d = &e.details;
    json!({
        "id": e.id.0,
        "uscc": e.uscc.as_str(),
        "unit": d.unit.as_str(),
        "name": d.name.as_str(),
        "legal_representative": d.legal_representative.as_str(),
        "address": d.address.as_str(),
        "phone": text(&d.phone),
        "declared_workers": d.declared_workers,
        "version": e.version,
    })
    .to_string()
}

pub(crate) fn outflow(o: &Outflow) -> String {
    let d = &o.details;
    let family: Vec<Value> = d
        .left_behind
        .iter()
        .map(|m| {
            json!({
                "name": m.name.as_str(),
                "id_number": text(&m.id_number),
                "birth_date": m.birth_date.to_string(),
                "relation": m.relation.as_str(),
                "kind": m.kind().key(),
            })
        })
        .collect();
    json!({
        "id": o.id.0,
        "id_number": o.id_number.as_str(),
        "unit": d.unit.as_str(),
        "name": d.name.as_str(),
        "left_on": d.left_on.to_string(),
        "destination": d.destination.as_str(),
        "destination_address": text(&d.destination_address),
        "reason": text(&d.reason),
        "employer_name": text(&d.employer_name),
        "contact_phone": text(&d.contact_phone),
        "left_behind": family,
        "returned_on": text(&o.returned_on),
        "version": o.version,
    })
    .to_string()
}
