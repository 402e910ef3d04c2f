//! Queries, filters and pages: the shapes both backends answer alike.

use sojourn_domain::codes::Sex;
use sojourn_domain::employer::EmployerId;
use sojourn_domain::house::HouseId;
use sojourn_domain::person::{Person, PersonId};
use sojourn_domain::residence::{Residence, ResidenceId};
use sojourn_domain::search::SearchTerm;
use sojourn_domain::unit::UnitCode;
use time::{Date, OffsetDateTime};

/// The home page's to-do counts stop here: a waiting count answers at
/// most one more than this ("more than 1,000"), so a queue of a million
/// records is counted as fast as one of a thousand. The lists behind each
/// count give the exact figure.
pub const WAITING_COUNT_CAP: u64 = 1000;

/// Offset and size of a page; the size is capped so no request can ask the
/// store for a whole register at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    offset: u64,
    limit: u32,
}

impl PageRequest {
    pub const MAX_LIMIT: u32 = 500;
    pub const DEFAULT_LIMIT: u32 = 20;

    /// `None` if `limit` is 0 or above [`PageRequest::MAX_LIMIT`].
    pub fn new(offset: u64, limit: u32) -> Option<Self> {
        (1..=Self::MAX_LIMIT)
            .contains(&limit)
            .then_some(Self { offset, limit })
    }

    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: Self::DEFAULT_LIMIT,
        }
    }
}

/// One page of results and the number of all matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// Which residences a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Registered or active: people living here now.
    #[default]
    Current,
    Registered,
    Active,
    Departed,
    Any,
}

/// Order of a resident list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResidentSort {
    /// Latest arrival first.
    #[default]
    ArrivedDesc,
    ArrivedAsc,
    /// By full pinyin of the name.
    Name,
}

/// Filters of the resident list; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct ResidentQuery {
    /// Narrows the caller's scope to a unit inside it.
    pub unit: Option<UnitCode>,
    pub term: Option<SearchTerm>,
    pub status: StatusFilter,
    pub sex: Option<Sex>,
    pub house: Option<HouseId>,
    pub employer: Option<EmployerId>,
    pub arrived_from: Option<Date>,
    pub arrived_to: Option<Date>,
    /// Earliest departure date, inclusive: only stays that ended on or
    /// after it (this month's departures).
    pub departed_from: Option<Date>,
    /// Two-digit province code of the domicile.
    pub origin_province: Option<String>,
    /// Earliest birth date, inclusive (an age band's upper age).
    pub born_from: Option<Date>,
    /// Latest birth date, inclusive (an age band's lower age).
    pub born_to: Option<Date>,
    pub sort: ResidentSort,
    pub page: PageRequest,
}

/// A resident list row: a residence and the person it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentRow {
    pub person: Person,
    pub residence: Residence,
}

/// Filters of the house list.
#[derive(Debug, Clone, Default)]
pub struct HouseQuery {
    pub unit: Option<UnitCode>,
    /// Prefix of the address or the landlord's name.
    pub text: Option<String>,
    pub filed: Option<bool>,
    pub page: PageRequest,
}

/// Filters of the employer list.
#[derive(Debug, Clone, Default)]
pub struct EmployerQuery {
    pub unit: Option<UnitCode>,
    /// Prefix of the name or the credit code.
    pub text: Option<String>,
    pub page: PageRequest,
}

/// Filters of the outflow list.
#[derive(Debug, Clone, Default)]
pub struct OutflowQuery {
    pub unit: Option<UnitCode>,
    pub term: Option<SearchTerm>,
    /// `Some(false)`: still away; `Some(true)`: came back.
    pub returned: Option<bool>,
    /// Two-digit province code of the destination.
    pub destination_province: Option<String>,
    pub page: PageRequest,
}

/// A tenancy or an employment: a person linked to a house or employer for a
/// period, through one residence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub person: PersonId,
    pub residence: ResidenceId,
    pub name: String,
    pub started_on: Date,
    /// `None` while the link lasts.
    pub ended_on: Option<Date>,
}

/// What a stay points to besides its unit. Living in one community and
/// working (or renting) in another is the normal case, so the house or
/// employer may lie outside the unit subtree of whoever reads the stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StayLink {
    House(HouseId),
    Employer(EmployerId),
}

/// The name of a house (its address) or employer a stay points to, read
/// wherever it lies in the deployment. Only the name: the file itself is
/// read through the caller's scope, and `in_scope` says whether it may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    pub link: StayLink,
    pub name: String,
    /// The name of the unit (community) that keeps the house or employer.
    pub unit_name: String,
    /// Whether the caller may open the file behind the name.
    pub in_scope: bool,
}

/// A record whose history can be read.
pub use sojourn_domain::record::RecordRef;

/// One version of a record: who made it, when, and the whole record as it
/// stood afterwards (JSON, in full; [`Revision::masked`] for display).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The kind of the record, which says how its snapshot reads.
    pub kind: sojourn_domain::record::RecordKind,
    pub version: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    /// The staff member's name, where `actor` is an account of the
    /// deployment (a program acting on its own has none).
    pub actor_name: Option<String>,
    /// What happened: `created`, `updated`, `activated`, `departed`, …
    pub action: String,
    pub snapshot: String,
}

impl Revision {
    /// The record as it stood, each personal field masked by its type
    /// (`crate::snapshot`): what a reader who may not reveal is shown.
    pub fn masked(&self) -> crate::Result<serde_json::Value> {
        crate::snapshot::RecordSnapshot::parse(self.kind, &self.snapshot)?.masked()
    }
}
