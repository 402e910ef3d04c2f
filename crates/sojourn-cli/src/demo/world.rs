//! The street being populated: its communities with their addresses, the
//! houses and employers created so far, and the random source everything
//! is drawn from (one seeded generator, so a seed always gives the same
//! street).

use super::orgs::Orgs;
use super::people::IdNumbers;
use super::places::{self, CountyPool};
use super::random::{chance, pick};
use crate::error::{CliError, Result};
use rand::Rng;
use rand::rngs::StdRng;
use sojourn_domain::employer::EmployerId;
use sojourn_domain::house::HouseId;
use sojourn_domain::text::{Address, Note};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::{Unit, UnitCode};
use std::collections::HashSet;
use time::Date;

/// A community and the next free house number on its street.
pub struct Community {
    pub code: UnitCode,
    street: String,
    next_number: u32,
}

/// A created rental house, for tenants to move into.
pub struct HouseSpot {
    pub id: HouseId,
    pub unit: UnitCode,
    pub address: Address,
}

/// A created employer, for workers to be linked to.
pub struct EmployerSpot {
    pub id: EmployerId,
    pub address: String,
}

pub struct World {
    pub rng: StdRng,
    pub today: Date,
    /// Six-digit code of the county the street is in (credit codes).
    pub county: String,
    /// Its name, for shop names (东城区).
    pub county_name: String,
    pub ids: IdNumbers,
    pub orgs: Orgs,
    pub origins: CountyPool,
    pub destinations: CountyPool,
    pub communities: Vec<Community>,
    pub houses: Vec<HouseSpot>,
    pub employers: Vec<EmployerSpot>,
    addresses: HashSet<String>,
}

impl World {
    pub fn new(rng: StdRng, today: Date, root: &Unit, communities: &[Unit]) -> Result<Self> {
        let county = root.code.as_str().get(..6).unwrap_or_default().to_owned();
        let county_name = sojourn_domain::codes::DivisionCode::parse_form(&county)
            .map(|code| places::name_of(&code))
            .unwrap_or_default();
        if communities.is_empty() {
            return Err(CliError::Demo(format!(
                "unit {} has no communities to put residents in",
                root.code
            )));
        }
        let communities = communities
            .iter()
            .map(|unit| Community {
                code: unit.code.clone(),
                street: places::street_of(unit.name.as_str()),
                next_number: 1,
            })
            .collect();
        Ok(Self {
            rng,
            today,
            county,
            county_name,
            ids: IdNumbers::default(),
            orgs: Orgs::default(),
            origins: CountyPool::origins(),
            destinations: CountyPool::destinations(),
            communities,
            houses: Vec::new(),
            employers: Vec::new(),
            addresses: HashSet::new(),
        })
    }

    pub fn community_index(&mut self) -> usize {
        self.rng.random_range(0..self.communities.len())
    }

    /// A flat in a residential compound of the community: 多福巷12号院3号楼2单元501室.
    pub fn flat_address(&mut self, community: usize) -> Result<Address> {
        let (building, entrance) = (self.rng.random_range(1..=8), self.rng.random_range(1..=4));
        let (floor, door) = (self.rng.random_range(1..=18), self.rng.random_range(1..=4));
        self.unique_address(community, |street, number| {
            format!("{street}{number}号院{building}号楼{entrance}单元{floor}{door:02}室")
        })
    }

    /// A street-front address (shops, bungalows): 多福巷37号.
    pub fn street_address(&mut self, community: usize) -> Result<Address> {
        self.unique_address(community, |street, number| format!("{street}{number}号"))
    }

    fn unique_address(
        &mut self,
        community: usize,
        make: impl Fn(&str, u32) -> String,
    ) -> Result<Address> {
        let community = self
            .communities
            .get_mut(community)
            .ok_or_else(|| CliError::Demo("no such community".into()))?;
        loop {
            let text = make(&community.street, community.next_number);
            community.next_number += 1;
            if self.addresses.insert(text.clone()) {
                return Address::parse(&text).map_err(|e| CliError::Demo(format!("address: {e}")));
            }
        }
    }

    pub fn random_house(&mut self) -> Option<&HouseSpot> {
        pick(&mut self.rng, &self.houses)
    }

    pub fn random_employer(&mut self) -> Option<&EmployerSpot> {
        pick(&mut self.rng, &self.employers)
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        chance(&mut self.rng, p)
    }

    pub fn past_date(&self, date: Date) -> Result<PastDate> {
        PastDate::new(date, self.today).map_err(|e| CliError::Demo(format!("date: {e}")))
    }

    /// One of `texts` as a note.
    pub fn note(&mut self, texts: &[&str]) -> Result<Note> {
        let text = pick(&mut self.rng, texts).copied().unwrap_or("其他");
        Note::parse(text).map_err(|e| CliError::Demo(format!("note: {e}")))
    }

    pub fn address(text: &str) -> Result<Address> {
        Address::parse(text).map_err(|e| CliError::Demo(format!("address: {e}")))
    }
}
