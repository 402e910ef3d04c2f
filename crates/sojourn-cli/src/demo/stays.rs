//! Residents and their stays: who arrives from where, where they live and
//! work, who leaves (and where to), and who comes back.

use super::people;
use super::places;
use super::random::{birth_date, date_in_past, days_before, days_between, pick, weighted};
use super::world::World;
use crate::error::{CliError, Result};
use rand::Rng;
use sojourn_domain::codes::{
    DivisionCode, Education, Ethnicity, GuardianRelation, MaritalStatus, Occupation,
    PoliticalStatus, ReasonForStay, Sex,
};
use sojourn_domain::person::{GUARDIAN_REQUIRED_UNDER, Guardian, GuardianInput, PersonDetails};
use sojourn_domain::residence::{Arrival, Departure, StayDetails};
use sojourn_domain::text::PersonName;
use sojourn_domain::time_rules::age_on;
use time::Date;

/// Stays arrive over the last three years.
const HISTORY_DAYS: i64 = 3 * 365;
/// A stay is confirmed (active) once it is a fortnight old.
const DAYS_TO_CONFIRM: i64 = 14;

const DEPARTURE_REASONS: &[&str] = &[
    "返乡务农",
    "劳动合同期满",
    "工作调动",
    "回原籍结婚",
    "随家属迁往外地",
    "子女返乡上学",
    "经营场所变更",
    "另寻工作",
];

/// Minority groups most often met among Beijing's inflow, after 汉族.
const ETHNICITIES: &[(Ethnicity, u32)] = &[
    (Ethnicity::Han, 940),
    (Ethnicity::Hui, 15),
    (Ethnicity::Manchu, 15),
    (Ethnicity::Mongol, 8),
    (Ethnicity::Tujia, 6),
    (Ethnicity::Miao, 5),
    (Ethnicity::Zhuang, 4),
    (Ethnicity::Korean, 4),
    (Ethnicity::Yi, 3),
];

const ADULT_EDUCATION: &[(Education, u32)] = &[
    (Education::Primary, 4),
    (Education::JuniorHigh, 34),
    (Education::HighSchool, 18),
    (Education::Secondary, 15),
    (Education::College, 15),
    (Education::University, 12),
    (Education::Master, 2),
];

const WORKING_OCCUPATIONS: &[(Occupation, u32)] = &[
    (Occupation::ServiceWorkers, 42),
    (Occupation::ProductionWorkers, 26),
    (Occupation::Professionals, 10),
    (Occupation::Clerical, 8),
    (Occupation::Other, 6),
    (Occupation::Unemployed, 8),
];

const ADULT_REASONS: &[(ReasonForStay, u32)] = &[
    (ReasonForStay::Work, 62),
    (ReasonForStay::Business, 14),
    (ReasonForStay::Services, 8),
    (ReasonForStay::Study, 4),
    (ReasonForStay::Family, 5),
    (ReasonForStay::Marriage, 2),
    (ReasonForStay::Medical, 2),
    (ReasonForStay::Other, 3),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AgeGroup {
    Child,
    Adult,
    Elderly,
}

impl AgeGroup {
    /// Ages on arrival, and the share of men.
    fn ages(self) -> (i64, i64, f64) {
        match self {
            Self::Child => (0, 15, 0.52),
            Self::Adult => (18, 59, 0.56),
            Self::Elderly => (60, 75, 0.45),
        }
    }
}

/// What happens to a stay after its arrival is registered.
pub struct FollowUp {
    pub activate: bool,
    pub departure: Option<Departure>,
    pub comeback: Option<Comeback>,
}

/// A later stay of the same person.
pub struct Comeback {
    pub arrival: Arrival,
    pub activate: bool,
}

/// One resident's first arrival and what follows it.
pub fn plan(world: &mut World) -> Result<(Arrival, FollowUp)> {
    let arrived = date_in_past(&mut world.rng, world.today, 0, HISTORY_DAYS);
    let group = age_group(world);
    let (min_age, max_age, male_share) = group.ages();
    let birth = birth_date(&mut world.rng, arrived, min_age, max_age);
    let sex = people::sex(&mut world.rng, male_share);
    let county = world
        .origins
        .county(&mut world.rng)
        .cloned()
        .ok_or_else(|| CliError::Demo("no origin counties in the division data".into()))?;
    let id_number = world
        .ids
        .issue(&mut world.rng, county.as_str(), birth, sex, world.today)?;
    let age = age_on(birth, world.today);
    let mut person = person_details(world, group, sex, age, &county)?;
    if age_on(birth, arrived) < GUARDIAN_REQUIRED_UNDER {
        person.guardian = Some(parent_of(world, &person.name, birth, &county)?);
    }
    let reason = reason_for(world, group);
    let stay = stay_details(world, arrived, reason, group == AgeGroup::Adult)?;
    let arrival = Arrival {
        id_number,
        person,
        stay,
    };
    let departure = plan_departure(world, arrived, &county)?;
    let comeback = match &departure {
        Some(departure) => plan_comeback(world, &arrival, departure.departed_on.date())?,
        None => None,
    };
    let follow_up = FollowUp {
        activate: departure.is_some() || settled(world, arrived),
        departure,
        comeback,
    };
    Ok((arrival, follow_up))
}

fn age_group(world: &mut World) -> AgeGroup {
    match world.rng.random_range(0..100) {
        0..8 => AgeGroup::Child,
        8..93 => AgeGroup::Adult,
        _ => AgeGroup::Elderly,
    }
}

fn settled(world: &World, arrived: Date) -> bool {
    days_between(arrived, world.today) > DAYS_TO_CONFIRM
}

fn person_details(
    world: &mut World,
    group: AgeGroup,
    sex: Sex,
    age: i32,
    county: &DivisionCode,
) -> Result<PersonDetails> {
    let domicile = places::village_in(&mut world.rng, county);
    let domicile_address = match world.chance(0.5) {
        true => {
            let place = places::street_of(&places::name_of(&domicile));
            let number = world.rng.random_range(1..=200);
            Some(World::address(&format!("{place}{number}号"))?)
        }
        false => None,
    };
    let phone = match group != AgeGroup::Child && world.chance(0.95) {
        true => Some(people::mobile(&mut world.rng)?),
        false => None,
    };
    Ok(PersonDetails {
        name: people::name(&mut world.rng, sex)?,
        ethnicity: *weighted(&mut world.rng, ETHNICITIES).unwrap_or(&Ethnicity::Han),
        domicile,
        domicile_address,
        phone,
        marital_status: Some(marital_status(world, age)),
        education: education(world, group, age),
        political_status: Some(political_status(world, age)),
        occupation: Some(occupation(world, group)),
        guardian: None,
    })
}

/// A synthetic parent as a child's guardian (监护人): father or mother,
/// 22 to 40 years older, from the child's county; a father takes the first
/// character of the child's name as surname.
fn parent_of(
    world: &mut World,
    child: &PersonName,
    child_born: Date,
    county: &DivisionCode,
) -> Result<Guardian> {
    let (sex, relation) = match world.chance(0.6) {
        true => (Sex::Male, GuardianRelation::Father),
        false => (Sex::Female, GuardianRelation::Mother),
    };
    let born = birth_date(&mut world.rng, child_born, 22, 40);
    let id_number = world
        .ids
        .issue(&mut world.rng, county.as_str(), born, sex, world.today)?;
    let name = match sex {
        Sex::Male => {
            let surname: String = child.as_str().chars().take(1).collect();
            people::name_with_surname(&mut world.rng, &surname, sex)?
        }
        _ => people::name(&mut world.rng, sex)?,
    };
    let phone = people::mobile(&mut world.rng)?;
    let input = GuardianInput {
        name: name.as_str(),
        id_number: id_number.as_str(),
        relation: relation.code(),
        phone: phone.as_str(),
    };
    Guardian::parse(input, world.today)
        .map_err(|errors| CliError::Demo(format!("generated guardian: {errors:?}")))
}

fn marital_status(world: &mut World, age: i32) -> MaritalStatus {
    let married_share = match age {
        ..20 => 0.0,
        20..25 => 0.25,
        25..30 => 0.6,
        _ => 0.88,
    };
    if world.chance(married_share) {
        MaritalStatus::Married
    } else if age >= 30 && world.chance(0.5) {
        if age >= 60 {
            MaritalStatus::Widowed
        } else {
            MaritalStatus::Divorced
        }
    } else {
        MaritalStatus::Unmarried
    }
}

fn education(world: &mut World, group: AgeGroup, age: i32) -> Option<Education> {
    match group {
        AgeGroup::Child if age < 7 => None,
        AgeGroup::Child if age < 13 => Some(Education::Primary),
        AgeGroup::Child => Some(Education::JuniorHigh),
        AgeGroup::Elderly => Some(if world.chance(0.6) {
            Education::Primary
        } else {
            Education::JuniorHigh
        }),
        AgeGroup::Adult => weighted(&mut world.rng, ADULT_EDUCATION).copied(),
    }
}

fn political_status(world: &mut World, age: i32) -> PoliticalStatus {
    if age >= 18 && world.chance(0.06) {
        PoliticalStatus::PartyMember
    } else if (14..28).contains(&age) && world.chance(0.3) {
        PoliticalStatus::LeagueMember
    } else {
        PoliticalStatus::Masses
    }
}

fn occupation(world: &mut World, group: AgeGroup) -> Occupation {
    match group {
        AgeGroup::Child => Occupation::Student,
        AgeGroup::Elderly => {
            if world.chance(0.5) {
                Occupation::Retired
            } else {
                Occupation::Unemployed
            }
        }
        AgeGroup::Adult => {
            *weighted(&mut world.rng, WORKING_OCCUPATIONS).unwrap_or(&Occupation::Other)
        }
    }
}

fn reason_for(world: &mut World, group: AgeGroup) -> ReasonForStay {
    match group {
        AgeGroup::Child => ReasonForStay::Accompanying,
        AgeGroup::Elderly => {
            if world.chance(0.7) {
                ReasonForStay::Family
            } else {
                ReasonForStay::Medical
            }
        }
        AgeGroup::Adult => *weighted(&mut world.rng, ADULT_REASONS).unwrap_or(&ReasonForStay::Work),
    }
}

/// Where the stay is: mostly a registered rental house, else an employer's
/// dormitory or relatives' home; workers are often linked to an employer.
fn stay_details(
    world: &mut World,
    arrived: Date,
    reason: ReasonForStay,
    may_work: bool,
) -> Result<StayDetails> {
    let works = matches!(
        reason,
        ReasonForStay::Work | ReasonForStay::Business | ReasonForStay::Services
    );
    let employer = match may_work && works && world.chance(0.6) {
        true => world.random_employer().map(|e| (e.id, e.address.clone())),
        false => None,
    };
    let house = match world.chance(0.85) {
        true => world
            .random_house()
            .map(|h| (h.id, h.unit.clone(), h.address.clone())),
        false => None,
    };
    let (unit, current_address, house) = match (house, &employer) {
        (Some((id, unit, address)), _) => (unit, address, Some(id)),
        (None, Some((_, employer_address))) => {
            let community = world.community_index();
            let dormitory = World::address(&format!("{employer_address}职工宿舍"))?;
            (world.communities[community].code.clone(), dormitory, None)
        }
        (None, None) => {
            let community = world.community_index();
            let address = world.street_address(community)?;
            (world.communities[community].code.clone(), address, None)
        }
    };
    Ok(StayDetails {
        unit,
        arrived_on: world.past_date(arrived)?,
        intended_stay_months: match world.chance(0.7) {
            true => pick(&mut world.rng, &[3, 6, 12, 24, 36]).copied(),
            false => None,
        },
        reason,
        current_address,
        house,
        employer: employer.map(|(id, _)| id),
    })
}

/// About three in ten stays old enough end in a registered departure.
fn plan_departure(
    world: &mut World,
    arrived: Date,
    home: &DivisionCode,
) -> Result<Option<Departure>> {
    let days_here = days_between(arrived, world.today);
    if days_here < 60 || !world.chance(0.3) {
        return Ok(None);
    }
    let departed = days_before(world.today, world.rng.random_range(0..=days_here - 30));
    let destination = places::destination_town(&mut world.rng, home, &world.destinations);
    let destination_address = match world.chance(0.4) {
        true => {
            let place = places::name_of(&destination);
            let number = world.rng.random_range(1..=300);
            Some(World::address(&format!("{place}{number}号"))?)
        }
        false => None,
    };
    Ok(Some(Departure {
        departed_on: world.past_date(departed)?,
        destination: Some(destination),
        destination_address,
        reason: Some(world.note(DEPARTURE_REASONS)?),
    }))
}

/// One in five who left long enough ago comes back, to a new stay on the
/// same person file.
fn plan_comeback(world: &mut World, first: &Arrival, departed: Date) -> Result<Option<Comeback>> {
    let days_away = days_between(departed, world.today);
    if days_away < 45 || !world.chance(0.2) {
        return Ok(None);
    }
    let back = days_before(world.today, world.rng.random_range(0..=days_away - 30));
    let may_work = first.person.occupation != Some(Occupation::Student);
    let stay = stay_details(world, back, first.stay.reason, may_work)?;
    let mut person = first.person.clone();
    if person.phone.is_some() && world.chance(0.3) {
        person.phone = Some(people::mobile(&mut world.rng)?);
    }
    Ok(Some(Comeback {
        arrival: Arrival {
            id_number: first.id_number.clone(),
            person,
            stay,
        },
        activate: settled(world, back),
    }))
}
