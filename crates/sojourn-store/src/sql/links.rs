//! What a stay points to across communities. A stay belongs to the unit the
//! person lives in, but the house it names or the employer the person works
//! for may be kept by another community of the deployment: that is the
//! normal case, not an error. So a stay may name any house or employer that
//! exists, and whoever reads the stay is told that record's name (and its
//! community's), never more: the file behind the name is read through the
//! reader's scope like any other.

use super::{Tx, Value, mapping};
use crate::Result;
use crate::query::{Linked, StayLink};
use sojourn_domain::unit::Scope;

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
