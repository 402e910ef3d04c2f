//! What a CSV row may refer to, loaded once per import or export: the
//! units in scope, and houses and employers by the keys a spreadsheet can
//! carry (a house's address, an employer's credit code) rather than the
//! store's ids, which mean nothing in another database.

use super::for_each_page;
use crate::error::Result;
use crate::table::FieldError;
use sojourn_domain::Localized;
use sojourn_domain::codes::Uscc;
use sojourn_domain::employer::EmployerId;
use sojourn_domain::house::HouseId;
use sojourn_domain::unit::{Scope, UnitCode, UnitCodeError};
use sojourn_store::{EmployerQuery, HouseQuery, Store};
use std::collections::{HashMap, HashSet};

pub struct Directory {
    units: HashSet<String>,
    /// Code and name of each unit in scope, to find the one a sheet's
    /// title names.
    unit_names: Vec<(UnitCode, String)>,
    /// `None` when several houses share the address.
    houses_by_address: HashMap<String, Option<HouseId>>,
    house_addresses: HashMap<HouseId, String>,
    employers_by_uscc: HashMap<String, EmployerId>,
    employer_usccs: HashMap<EmployerId, String>,
}

/// Why a unit cell was refused: malformed, or not a unit of ours.
#[derive(Debug)]
pub enum UnitError {
    Malformed(UnitCodeError),
    NotInScope(FieldError),
}

impl Localized for UnitError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed(e) => e.code(),
            Self::NotInScope(e) => e.code(),
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::Malformed(e) => e.message_zh(),
            Self::NotInScope(e) => e.message_zh(),
        }
    }
    fn message_en(&self) -> String {
        match self {
            Self::Malformed(e) => e.message_en(),
            Self::NotInScope(e) => e.message_en(),
        }
    }
}

impl Directory {
    pub fn load(store: &dyn Store, scope: &Scope) -> Result<Self> {
        let listed = store.list_units(scope, None)?;
        let units = listed
            .iter()
            .map(|unit| unit.code.as_str().to_owned())
            .collect();
        let unit_names = listed
            .into_iter()
            .map(|unit| (unit.code, unit.name.to_string()))
            .collect();
        let mut directory = Self {
            units,
            unit_names,
            houses_by_address: HashMap::new(),
            house_addresses: HashMap::new(),
            employers_by_uscc: HashMap::new(),
            employer_usccs: HashMap::new(),
        };
        directory.load_houses(store, scope)?;
        directory.load_employers(store, scope)?;
        Ok(directory)
    }

    fn load_houses(&mut self, store: &dyn Store, scope: &Scope) -> Result<()> {
        let fetch = |page| {
            let query = HouseQuery {
                page,
                ..HouseQuery::default()
            };
            store.search_houses(scope, &query)
        };
        for_each_page(fetch, |houses| {
            for house in houses {
                self.add_house(house.id, house.details.address.as_str());
            }
            Ok(())
        })
    }

    fn load_employers(&mut self, store: &dyn Store, scope: &Scope) -> Result<()> {
        let fetch = |page| {
            let query = EmployerQuery {
                page,
                ..EmployerQuery::default()
            };
            store.search_employers(scope, &query)
        };
        for_each_page(fetch, |employers| {
            for employer in employers {
                self.add_employer(employer.id, &employer.uscc);
            }
            Ok(())
        })
    }

    /// A unit code that names a unit in scope.
    pub fn unit(&self, text: &str) -> std::result::Result<UnitCode, UnitError> {
        let code = UnitCode::parse(text).map_err(UnitError::Malformed)?;
        if self.units.contains(code.as_str()) {
            Ok(code)
        } else {
            Err(UnitError::NotInScope(FieldError::UnitNotInScope(
                code.to_string(),
            )))
        }
    }

    /// The unit a sheet's title names ("建设路社区流动人口登记台账"): of the
    /// units in scope whose name the text holds, the deepest; `None` when
    /// none is named or two at that depth are (no guess).
    pub fn unit_named_in(&self, text: &str) -> Option<UnitCode> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut named = self
            .unit_names
            .iter()
            .filter(|(_, name)| short_names(name).any(|n| text.contains(n)));
        let mut best: Option<&UnitCode> = None;
        let mut tied = false;
        for (code, _) in named.by_ref() {
            match best {
                Some(b) if code.as_str().len() < b.as_str().len() => {}
                Some(b) if code.as_str().len() == b.as_str().len() => tied = true,
                _ => {
                    best = Some(code);
                    tied = false;
                }
            }
        }
        best.filter(|_| !tied).cloned()
    }

    pub fn house(&self, address: &str) -> std::result::Result<HouseId, FieldError> {
        match self.houses_by_address.get(address) {
            Some(Some(id)) => Ok(*id),
            Some(None) => Err(FieldError::AmbiguousHouse(address.to_owned())),
            None => Err(FieldError::UnknownHouse(address.to_owned())),
        }
    }

    pub fn has_house_at(&self, address: &str) -> bool {
        self.houses_by_address.contains_key(address)
    }

    pub fn employer(&self, uscc: &Uscc) -> std::result::Result<EmployerId, FieldError> {
        self.employers_by_uscc
            .get(uscc.as_str())
            .copied()
            .ok_or_else(|| FieldError::UnknownEmployer(uscc.to_string()))
    }

    pub fn house_address(&self, id: HouseId) -> Option<&str> {
        self.house_addresses.get(&id).map(String::as_str)
    }

    pub fn employer_uscc(&self, id: EmployerId) -> Option<&str> {
        self.employer_usccs.get(&id).map(String::as_str)
    }

    pub fn add_house(&mut self, id: HouseId, address: &str) {
        self.house_addresses.insert(id, address.to_owned());
        self.houses_by_address
            .entry(address.to_owned())
            .and_modify(|existing| *existing = None)
            .or_insert(Some(id));
    }

    pub fn add_employer(&mut self, id: EmployerId, uscc: &Uscc) {
        self.employer_usccs.insert(id, uscc.to_string());
        self.employers_by_uscc.insert(uscc.to_string(), id);
    }
}

/// A unit's name as a title writes it: 多福巷社区居委会 as itself, as
/// 多福巷社区 and as 多福巷 (never shorter than two characters).
fn short_names(name: &str) -> impl Iterator<Item = &str> {
    const COMMITTEES: [&str; 4] = ["居民委员会", "村民委员会", "居委会", "村委会"];
    const PLACES: [&str; 2] = ["社区", "村"];
    let without_committee = COMMITTEES
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
    let without_place = PLACES
        .iter()
        .find_map(|suffix| without_committee.strip_suffix(suffix))
        .unwrap_or(without_committee);
    [name, without_committee, without_place]
        .into_iter()
        .filter(|n| n.chars().count() >= 2)
}
