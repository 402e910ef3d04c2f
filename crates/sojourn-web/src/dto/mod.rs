//! Request and response bodies of the JSON API. Domain types do not derive
//! `Serialize` (the domain knows no JSON), so each register has its own
//! shapes here and the conversions between them: `TryFrom<Request>` for the
//! domain value, collecting every field error, and `From<&Domain>` for the
//! response.

pub mod accounts;
/// Sign-in, staff accounts and API tokens.
/// Age bands of the resident list.
pub mod age_band;
/// The audit trail as the audit administrator sees it.
pub mod audit;
/// Identity checks for live form validation.
pub mod checks;
/// When and where a collector collected a record they register.
pub mod collection;
/// Administrative divisions for cascading pickers.
pub mod divisions;
/// Documents checked or chased on a person's file.
pub mod documents;
/// Employers and their workers.
pub mod employers;
/// The family-planning follow-up of married women of childbearing age.
pub mod family_planning;
/// Collecting every field error of a request, and input rules of our own.
pub(crate) mod fields;
/// Rental houses and their tenants.
pub mod houses;
/// Safety inspections kept with a rental house.
pub mod inspections;
/// The outflow register.
pub mod outflows;
/// Person files and the arrival that opens them.
pub mod people;
/// Residence permits 居住证: applications, steps, worklists, rate.
pub mod permits;
/// The data-quality monitor: counts, findings, the duplicate queue.
pub mod quality;
/// Service requests at the one-stop window (R4.2).
pub mod requests;
/// Residence episodes, departures and the resident list.
pub mod residences;
/// Showing masked values in full, with a reason.
pub mod reveal;
/// The review workflow: steps, statuses, queues and counts.
pub mod review;
/// The jurisdiction tree.
pub mod units;

use serde::{Deserialize, Serialize};
use sojourn_store::{Link, Revision};
use time::Date;
use utoipa::ToSchema;

/// ISO 8601 calendar date, the one date format of the API.
pub(crate) fn iso(date: Date) -> String {
    date.to_string()
}

/// The version a change is based on: the store refuses it (409) if the
/// record changed since.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VersionRequest {
    pub version: i64,
}

/// A person linked to a house (tenancy) or an employer (employment) for a
/// period, through one residence.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkResponse {
    pub person_id: i64,
    pub residence_id: i64,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub started_on: String,
    /// Absent while the link lasts.
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<String>,
}

impl From<&Link> for LinkResponse {
    fn from(link: &Link) -> Self {
        Self {
            person_id: link.person.0,
            residence_id: link.residence.0,
            name: link.name.clone(),
            started_on: iso(link.started_on),
            ended_on: link.ended_on.map(iso),
        }
    }
}

/// One version of a record: who made it, when, and the record as it stood
/// afterwards.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionResponse {
    pub version: i64,
    /// RFC 3339 time in China Standard Time.
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    pub actor: String,
    /// `created`, `updated`, `arrival`, `activated`, `departed`, …
    pub action: String,
    /// The record as it stood, with the field names of its response; ID
    /// and phone numbers masked as in the record's response.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

impl TryFrom<&Revision> for RevisionResponse {
    /// What went wrong reading a stored revision (a server fault).
    type Error = String;

    fn try_from(revision: &Revision) -> Result<Self, String> {
        let at = revision
            .at
            .to_offset(sojourn_domain::time_rules::CHINA)
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| format!("revision time does not format: {e}"))?;
        let snapshot = revision
            .masked()
            .map_err(|e| format!("revision snapshot does not read: {e}"))?;
        Ok(Self {
            version: revision.version,
            at,
            actor: revision.actor.clone(),
            action: revision.action.clone(),
            snapshot,
        })
    }
}

/// A page of a list type: the items, the count of all matches and the
/// page asked for.
macro_rules! page_type {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Matches in all pages.
            pub total: u64,
            pub page: u32,
            pub per_page: u32,
        }

        impl $name {
            pub(crate) fn new(
                items: Vec<$item>,
                total: u64,
                paging: crate::dto::fields::Paging,
            ) -> Self {
                Self {
                    items,
                    total,
                    page: paging.page,
                    per_page: paging.per_page,
                }
            }
        }
    };
}
pub(crate) use page_type;
