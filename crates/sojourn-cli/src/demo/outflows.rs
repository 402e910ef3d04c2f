//! Outflow records: people of the street who went to work elsewhere,
//! with the parents and children they left behind.

use super::orgs::Orgs;
use super::people;
use super::premises::local_county;
use super::random::{birth_date, date_in_past};
use super::world::World;
use crate::error::{CliError, Result};
use sojourn_domain::codes::{DivisionCode, IdNumber, Sex};
use sojourn_domain::outflow::{ELDERLY_FROM, LeftBehind, OutflowDetails};
use sojourn_domain::text::Relation;
use sojourn_domain::time_rules::age_on;
use time::Date;

const REASONS: &[&str] = &[
    "外出务工",
    "外出经商",
    "求学",
    "随配偶迁居",
    "投靠子女",
    "工作调动",
];

/// Children are born in Dongcheng after the 2010 merger: 110101.
const CHILD_COUNTY: &str = "110101";

/// One outflow record.
pub fn plan(world: &mut World) -> Result<(IdNumber, OutflowDetails)> {
    let community = world.community_index();
    let left_on = date_in_past(&mut world.rng, world.today, 0, 3 * 365);
    let sex = people::sex(&mut world.rng, 0.55);
    let birth = birth_date(&mut world.rng, left_on, 18, 50);
    let county = local_county(world);
    let id_number = world
        .ids
        .issue(&mut world.rng, county, birth, sex, world.today)?;
    let surname = people::surname(&mut world.rng);
    let destination = destination(world)?;
    let mut left_behind = parents(world, surname, birth, left_on)?;
    left_behind.extend(children(world, surname, birth, left_on)?);
    let details = OutflowDetails {
        unit: world.communities[community].code.clone(),
        name: people::name_with_surname(&mut world.rng, surname, sex)?,
        left_on: world.past_date(left_on)?,
        destination_address: destination_address(world, &destination)?,
        employer_name: employer_name(world, &destination)?,
        destination,
        reason: Some(world.note(REASONS)?),
        contact_phone: match world.chance(0.9) {
            true => Some(people::mobile(&mut world.rng)?),
            false => None,
        },
        left_behind,
    };
    Ok((id_number, details))
}

/// A town in one of the big labour markets.
fn destination(world: &mut World) -> Result<DivisionCode> {
    let county = world
        .destinations
        .county(&mut world.rng)
        .cloned()
        .ok_or_else(|| CliError::Demo("no destination counties in the division data".into()))?;
    let towns = sojourn_domain::codes::division::children(Some(&county));
    Ok(super::random::pick(&mut world.rng, &towns).map_or(county, |town| town.code.clone()))
}

fn destination_address(
    world: &mut World,
    town: &DivisionCode,
) -> Result<Option<sojourn_domain::text::Address>> {
    if !world.chance(0.5) {
        return Ok(None);
    }
    let place = super::places::name_of(town);
    let number = rand::Rng::random_range(&mut world.rng, 1..=500);
    World::address(&format!("{place}{number}号")).map(Some)
}

fn employer_name(
    world: &mut World,
    town: &DivisionCode,
) -> Result<Option<sojourn_domain::text::OrgName>> {
    if !world.chance(0.6) {
        return Ok(None);
    }
    let county_name = town
        .parent()
        .map(|c| super::places::name_of(&c))
        .unwrap_or_default();
    Orgs::company_in(&mut world.rng, &county_name).map(Some)
}

/// Parents at home, when old enough to count as left-behind elderly.
fn parents(
    world: &mut World,
    surname: &str,
    child_birth: Date,
    left_on: Date,
) -> Result<Vec<LeftBehind>> {
    let mut family = Vec::new();
    if !world.chance(0.5) {
        return Ok(family);
    }
    for (relation, sex) in [("父亲", Sex::Male), ("母亲", Sex::Female)] {
        let birth = birth_date(&mut world.rng, child_birth, 20, 35);
        if age_on(birth, left_on) < ELDERLY_FROM || !world.chance(0.75) {
            continue;
        }
        let name = match sex {
            Sex::Male => people::name_with_surname(&mut world.rng, surname, sex)?,
            _ => people::name(&mut world.rng, sex)?,
        };
        family.push(member(world, name, relation, birth, sex, left_on, 0.7)?);
    }
    Ok(family)
}

/// Children under 16 left with the grandparents.
fn children(
    world: &mut World,
    surname: &str,
    parent_birth: Date,
    left_on: Date,
) -> Result<Vec<LeftBehind>> {
    let mut family = Vec::new();
    if !world.chance(0.45) {
        return Ok(family);
    }
    let count = if world.chance(0.3) { 2 } else { 1 };
    for _ in 0..count {
        let birth = birth_date(&mut world.rng, left_on, 1, 14);
        if age_on(parent_birth, birth) < 20 {
            continue;
        }
        let sex = people::sex(&mut world.rng, 0.52);
        let relation = if sex == Sex::Male { "儿子" } else { "女儿" };
        let name = people::name_with_surname(&mut world.rng, surname, sex)?;
        family.push(member(world, name, relation, birth, sex, left_on, 0.8)?);
    }
    Ok(family)
}

/// A left-behind family member, with an ID number with probability
/// `with_id`.
fn member(
    world: &mut World,
    name: sojourn_domain::text::PersonName,
    relation: &str,
    birth: Date,
    sex: Sex,
    left_on: Date,
    with_id: f64,
) -> Result<LeftBehind> {
    let id_number = match world.chance(with_id) {
        true => {
            let county = if birth.year() >= 2010 {
                CHILD_COUNTY
            } else {
                local_county(world)
            };
            Some(
                world
                    .ids
                    .issue(&mut world.rng, county, birth, sex, world.today)?,
            )
        }
        false => None,
    };
    let relation =
        Relation::parse(relation).map_err(|e| CliError::Demo(format!("relation: {e}")))?;
    LeftBehind::new(name, id_number, birth, relation, left_on)
        .map_err(|e| CliError::Demo(format!("left-behind member: {e}")))
}
