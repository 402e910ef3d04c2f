//! What a stay points to across communities. A stay belongs to the unit the
//! person lives in, but the house it names or the employer the person works
//! for may be kept by another community of the deployment: that is the
//! normal case, not an error. So a stay may name any house or employer that
//! exists, and whoever reads the stay is told that record's name (and its
//! community's), never more: the file behind the name is read through the
//! reader's scope like any other.
//!
//! Here too what a stay's references are checked against
//! ([`StayFacts`]) and the tenancy and employment rows a stay opens
//! ([`link_rows`]): both an arrival and an edit of a stay use them, so
//! neither of those modules needs the other.

use super::{Tx, Value, mapping};
use crate::query::{Linked, StayLink};
use crate::{Result, StoreError};
use sojourn_domain::employer::EmployerId;
use sojourn_domain::house::HouseId;
use sojourn_domain::person::PersonId;
use sojourn_domain::record::RecordKind;
use sojourn_domain::residence::{ResidenceId, StayDetails};
use sojourn_domain::unit::Scope;
use std::collections::{HashMap, HashSet};
use time::Date;

impl StayLink {
    fn table(self) -> &'static str {
        match self {
            Self::House(_) => "houses",
            Self::Employer(_) => "employers",
        }
    }

    /// The column that names the record: a house by its address, an
    /// employer by its name (neither is sealed).
    fn name_column(self) -> &'static str {
        match self {
            Self::House(_) => "address",
            Self::Employer(_) => "name",
        }
    }

    fn id(self) -> i64 {
        match self {
            Self::House(id) => id.0,
            Self::Employer(id) => id.0,
        }
    }
}

pub(crate) fn stay_link(tx: &mut dyn Tx, scope: &Scope, link: StayLink) -> Result<Option<Linked>> {
    let sql = format!(
        "SELECT t.{}, t.unit_code, u.name FROM {} t JOIN units u ON u.code = t.unit_code \
         WHERE t.id = $1",
        link.name_column(),
        link.table()
    );
    let Some(row) = tx.query_opt(&sql, &[link.id().into()])? else {
        return Ok(None);
    };
    let unit = mapping::unit_code(row.text(1)?)?;
    Ok(Some(Linked {
        link,
        name: row.text(0)?.to_owned(),
        unit_name: row.text(2)?.to_owned(),
        in_scope: scope.contains(&unit),
    }))
}

/// Whether the house or employer a stay names exists anywhere in the
/// deployment (an indexed look-up by primary key).
pub(crate) fn exists(tx: &mut dyn Tx, link: StayLink) -> Result<bool> {
    let sql = format!("SELECT 1 FROM {} WHERE id = $1", link.table());
    Ok(tx.query_opt(&sql, &[Value::Int(link.id())])?.is_some())
}

/// Columns of a new tenancy or employment, in the order of [`link_rows`].
pub(crate) const LINK_COLUMNS: &[&str] = &[
    "target_kind",
    "target_id",
    "residence_id",
    "person_id",
    "started_on",
];

/// Which references of some stays hold: units in scope, houses and
/// employers that exist anywhere in the deployment. Only keys that were
/// looked up and found are kept: a unit absent here is out of scope or
/// missing, which the rules treat alike.
#[derive(Debug, Default)]
pub(crate) struct StayFacts {
    /// Units in scope, with their names (a duplicate names its unit).
    pub(crate) units: HashMap<String, String>,
    pub(crate) houses: HashSet<i64>,
    pub(crate) employers: HashSet<i64>,
}

impl StayFacts {
    /// Looks up the references of `stays`, one indexed query per distinct
    /// key (what SQLite does well; PostgreSQL asks per batch instead).
    pub(crate) fn lookup<'a>(
        tx: &mut dyn Tx,
        scope: &Scope,
        stays: impl IntoIterator<Item = &'a StayDetails>,
    ) -> Result<Self> {
        let mut facts = Self::default();
        let mut asked = Keys::default();
        for stay in stays {
            let unit = stay.unit.as_str();
            if scope.contains(&stay.unit) && asked.units.insert(unit.to_owned()) {
                let found =
                    tx.query_opt("SELECT name FROM units WHERE code = $1", &[unit.into()])?;
                if let Some(row) = found {
                    facts.units.insert(unit.to_owned(), row.text(0)?.to_owned());
                }
            }
            if let Some(house) = stay.house
                && asked.houses.insert(house.0)
                && exists(tx, StayLink::House(house))?
            {
                facts.houses.insert(house.0);
            }
            if let Some(employer) = stay.employer
                && asked.employers.insert(employer.0)
                && exists(tx, StayLink::Employer(employer))?
            {
                facts.employers.insert(employer.0);
            }
        }
        Ok(facts)
    }

    /// Refuses a stay whose unit is not in scope, or whose house or
    /// employer does not exist, in that order.
    pub(crate) fn check(&self, scope: &Scope, stay: &StayDetails) -> Result<()> {
        if !scope.contains(&stay.unit) || !self.units.contains_key(stay.unit.as_str()) {
            return Err(out_of_scope(RecordKind::Unit, stay.unit.as_str()));
        }
        if let Some(HouseId(id)) = stay.house
            && !self.houses.contains(&id)
        {
            return Err(out_of_scope(RecordKind::House, &id.to_string()));
        }
        if let Some(EmployerId(id)) = stay.employer
            && !self.employers.contains(&id)
        {
            return Err(out_of_scope(RecordKind::Employer, &id.to_string()));
        }
        Ok(())
    }
}

/// Keys already looked up, found or not.
#[derive(Default)]
struct Keys {
    units: HashSet<String>,
    houses: HashSet<i64>,
    employers: HashSet<i64>,
}

fn out_of_scope(kind: RecordKind, id: &str) -> StoreError {
    StoreError::ReferenceOutOfScope {
        kind,
        id: id.to_owned(),
    }
}

/// The tenancy and employment a stay opens, from `on`.
pub(crate) fn link_rows(
    person: PersonId,
    residence: ResidenceId,
    stay: &StayDetails,
    on: Date,
) -> Vec<Vec<Value>> {
    let targets = [
        ("house", stay.house.map(|HouseId(id)| id)),
        ("employer", stay.employer.map(|EmployerId(id)| id)),
    ];
    targets
        .into_iter()
        .filter_map(|(kind, target)| {
            target.map(|target| {
                vec![
                    kind.into(),
                    target.into(),
                    residence.0.into(),
                    person.0.into(),
                    on.into(),
                ]
            })
        })
        .collect()
}
