//! The street's employers and rental houses, created through the store one
//! by one (there are only hundreds).

use super::orgs::OrgKind;
use super::people;
use super::random::{birth_date, date_in_past, weighted};
use super::world::{EmployerSpot, HouseSpot, World};
use crate::error::{CliError, Result};
use rand::Rng;
use sojourn_domain::codes::Phone;
use sojourn_domain::employer::EmployerDetails;
use sojourn_domain::house::{Filing, HouseDetails, HouseUse, Landlord};
use sojourn_domain::unit::Scope;
use sojourn_store::{Actor, Store};

/// How houses are used on a central street, weighted.
const HOUSE_USES: &[(HouseUse, u32)] = &[
    (HouseUse::Residential, 70),
    (HouseUse::Commercial, 10),
    (HouseUse::Mixed, 10),
    (HouseUse::Dormitory, 8),
    (HouseUse::Other, 2),
];

/// Old-city landlords carry the ID number of their birth district: 东城区
/// (110101), or 崇文区 (110103, merged into 东城 in 2010) and 西城区.
const LOCAL_COUNTIES: &[(&str, u32)] = &[("110101", 7), ("110103", 2), ("110102", 1)];

pub fn create_employers(
    world: &mut World,
    store: &dyn Store,
    scope: &Scope,
    count: usize,
) -> Result<()> {
    let actor = Actor::new("demo");
    for _ in 0..count {
        let community = world.community_index();
        let (name, kind) = world
            .orgs
            .employer_name(&mut world.rng, &world.county_name)?;
        let uscc = world.orgs.uscc(&mut world.rng, kind, &world.county)?;
        let sex = people::sex(&mut world.rng, 0.6);
        let declared_workers = match kind {
            OrgKind::Shop => world.rng.random_range(1..=8),
            OrgKind::Company => world.rng.random_range(5..=150),
        };
        let address = world.street_address(community)?;
        let details = EmployerDetails {
            unit: world.communities[community].code.clone(),
            name,
            legal_representative: people::name(&mut world.rng, sex)?,
            address: address.clone(),
            phone: Some(business_phone(world)?),
            declared_workers,
        };
        let employer = store.create_employer(scope, &uscc, &details, &actor)?;
        world.employers.push(EmployerSpot {
            id: employer.id,
            address: address.to_string(),
        });
    }
    Ok(())
}

/// A Beijing landline (010 and eight digits) or a mobile.
fn business_phone(world: &mut World) -> Result<Phone> {
    if world.chance(0.6) {
        let text = format!("010-6{:07}", world.rng.random_range(0..10_000_000_u32));
        Phone::parse(&text).map_err(|e| CliError::Demo(format!("phone: {e}")))
    } else {
        people::mobile(&mut world.rng)
    }
}

pub fn create_houses(
    world: &mut World,
    store: &dyn Store,
    scope: &Scope,
    count: usize,
) -> Result<()> {
    let actor = Actor::new("demo");
    for index in 0..count {
        // Round the communities so each gets its share of houses.
        let community = index % world.communities.len();
        let usage = *weighted(&mut world.rng, HOUSE_USES).unwrap_or(&HouseUse::Residential);
        let address = match usage {
            HouseUse::Commercial | HouseUse::Mixed => world.street_address(community)?,
            _ => world.flat_address(community)?,
        };
        let details = HouseDetails {
            unit: world.communities[community].code.clone(),
            address,
            landlord: landlord(world)?,
            rooms: rooms_for(world, usage),
            usage,
            filing: filing(world)?,
            security_agreement_on: security_agreement(world)?,
        };
        let house = store.create_house(scope, &details, &actor)?;
        world.houses.push(HouseSpot {
            id: house.id,
            unit: house.details.unit,
            address: house.details.address,
        });
    }
    Ok(())
}

fn rooms_for(world: &mut World, usage: HouseUse) -> u16 {
    match usage {
        HouseUse::Dormitory => world.rng.random_range(4..=20),
        HouseUse::Commercial => world.rng.random_range(1..=2),
        _ => world.rng.random_range(1..=4),
    }
}

/// Nine in ten landlords have signed the security agreement (治安责任书).
fn security_agreement(world: &mut World) -> Result<Option<sojourn_domain::time_rules::PastDate>> {
    if !world.chance(0.9) {
        return Ok(None);
    }
    let on = date_in_past(&mut world.rng, world.today, 0, 1800);
    world.past_date(on).map(Some)
}

/// Most houses are filed (备案); the rest are the 无证出租 the office chases.
fn filing(world: &mut World) -> Result<Filing> {
    if world.chance(0.85) {
        let on = date_in_past(&mut world.rng, world.today, 0, 1800);
        Ok(Filing::Filed {
            on: world.past_date(on)?,
        })
    } else {
        Ok(Filing::NotFiled)
    }
}

/// Mostly local people letting a flat; some letting companies.
fn landlord(world: &mut World) -> Result<Landlord> {
    if world.chance(0.15) {
        let name = world.orgs.letting_company(&mut world.rng)?;
        let uscc = world
            .orgs
            .uscc(&mut world.rng, OrgKind::Company, &world.county)?;
        return Ok(Landlord::Company {
            name,
            uscc,
            phone: Some(business_phone(world)?),
        });
    }
    let sex = people::sex(&mut world.rng, 0.5);
    let birth = birth_date(&mut world.rng, world.today, 35, 80);
    let county = local_county(world);
    let id_number = world
        .ids
        .issue(&mut world.rng, county, birth, sex, world.today)?;
    Ok(Landlord::Person {
        name: people::name(&mut world.rng, sex)?,
        id_number,
        phone: match world.chance(0.95) {
            true => Some(people::mobile(&mut world.rng)?),
            false => None,
        },
    })
}

/// The ID county of someone born in the old city.
pub fn local_county(world: &mut World) -> &'static str {
    weighted(&mut world.rng, LOCAL_COUNTIES)
        .copied()
        .unwrap_or("110101")
}
