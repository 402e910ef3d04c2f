//! Employers (用工单位), keyed by their credit code.

use super::Directory;
use crate::table::{Column, Fields, cell, column, number_in};
use sojourn_domain::codes::{Phone, Uscc};
use sojourn_domain::employer::{Employer, EmployerDetails};
use sojourn_domain::text::{Address, OrgName, PersonName};

pub const COLUMNS: &[Column] = &[
    column("uscc", true, "unified social credit code, 18 characters"),
    column("name", true, "registered name"),
    column("legal_representative", true, "legal representative's name"),
    column(
        "unit",
        true,
        "community, grid or collection point code of the employer",
    ),
    column("address", true, "address"),
    column("phone", false, "phone"),
    column(
        "declared_workers",
        false,
        "migrant workers the employer declares (default 0)",
    ),
];

/// Reads one row; `None` when any cell was refused.
pub fn parse(f: &mut Fields, directory: &Directory) -> Option<(Uscc, EmployerDetails)> {
    let uscc = f.required("uscc", Uscc::parse);
    let name = f.required("name", OrgName::parse);
    let legal_representative = f.required("legal_representative", PersonName::parse);
    let unit = f.required("unit", |s| directory.unit(s));
    let address = f.required("address", Address::parse);
    let phone = f.optional("phone", Phone::parse);
    let declared_workers = f
        .optional("declared_workers", |s| number_in(s, 0, i64::from(u32::MAX)))
        .map_or(Some(0), |n| u32::try_from(n).ok());
    let details = EmployerDetails {
        unit: unit?,
        name: name?,
        legal_representative: legal_representative?,
        address: address?,
        phone,
        declared_workers: declared_workers?,
    };
    f.is_clean().then_some((uscc?, details))
}

/// The row of a stored employer, in [`COLUMNS`] order.
pub fn record(employer: &Employer) -> Vec<String> {
    COLUMNS.iter().map(|c| value(c.key, employer)).collect()
}

fn value(key: &str, employer: &Employer) -> String {
    let d = &employer.details;
    match key {
        "uscc" => employer.uscc.to_string(),
        "name" => d.name.to_string(),
        "legal_representative" => d.legal_representative.to_string(),
        "unit" => d.unit.to_string(),
        "address" => d.address.to_string(),
        "phone" => cell(d.phone.as_ref()),
        "declared_workers" => d.declared_workers.to_string(),
        _ => String::new(),
    }
}
