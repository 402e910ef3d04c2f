//! Real places for synthetic people, from the embedded division data:
//! counties that issue ID numbers, villages of household registration,
//! towns people move to, and street names for addresses.

use super::random::{chance, pick, weighted};
use rand::Rng;
use sojourn_domain::codes::DivisionCode;
use sojourn_domain::codes::division::{self, Division, is_known_county_code};

/// Provinces the floating population of a Beijing street mostly comes
/// from, weighted roughly as the 2020 census counts inflow from each.
const ORIGIN_PROVINCES: &[(&str, u32)] = &[
    ("13", 20), // 河北
    ("41", 18), // 河南
    ("37", 10), // 山东
    ("34", 9),  // 安徽
    ("51", 8),  // 四川
    ("43", 6),  // 湖南
    ("42", 5),  // 湖北
    ("23", 5),  // 黑龙江
    ("14", 4),  // 山西
    ("15", 3),  // 内蒙古
    ("21", 3),  // 辽宁
    ("22", 2),  // 吉林
    ("36", 2),  // 江西
    ("61", 2),  // 陕西
    ("50", 1),  // 重庆
    ("62", 1),  // 甘肃
    ("12", 1),  // 天津
];

/// Where people go when they leave a Beijing street: home, or on to the
/// other big labour markets.
const DESTINATION_PROVINCES: &[(&str, u32)] = &[
    ("31", 6), // 上海
    ("44", 6), // 广东
    ("33", 4), // 浙江
    ("32", 4), // 江苏
    ("12", 2), // 天津
    ("13", 2), // 河北
    ("37", 2), // 山东
    ("51", 1), // 四川
];

/// Suffixes that make a community's name into a street name for addresses
/// (多福巷社区居委会 → 多福巷).
const UNIT_NAME_SUFFIXES: &[&str] = &[
    "社区居民委员会",
    "社区居委会",
    "居民委员会",
    "居委会",
    "村民委员会",
    "村委会",
    "社区",
];

/// Real county codes of a set of provinces, weighted by province.
pub struct CountyPool {
    provinces: Vec<(Vec<DivisionCode>, u32)>,
}

impl CountyPool {
    pub fn origins() -> Self {
        Self::of(ORIGIN_PROVINCES)
    }

    pub fn destinations() -> Self {
        Self::of(DESTINATION_PROVINCES)
    }

    fn of(provinces: &[(&str, u32)]) -> Self {
        let provinces = provinces
            .iter()
            .filter_map(|(code, weight)| {
                let province = DivisionCode::parse_form(code).ok()?;
                let counties = counties_of(&province);
                (!counties.is_empty()).then_some((counties, *weight))
            })
            .collect();
        Self { provinces }
    }

    pub fn county(&self, rng: &mut impl Rng) -> Option<&DivisionCode> {
        let counties = weighted(rng, &self.provinces)?;
        pick(rng, counties)
    }
}

/// Counties that issue ID numbers: development zones (codes 7x in the
/// statistical data) are administered like counties but issue none.
fn counties_of(province: &DivisionCode) -> Vec<DivisionCode> {
    division::children(Some(province))
        .iter()
        .flat_map(|city| division::children(Some(&city.code)))
        .map(|county| county.code)
        .filter(|code| code.as_str().as_bytes().get(4) != Some(&b'7'))
        .filter(|code| is_known_county_code(code.as_str()))
        .collect()
}

/// A random division one level below `code`, or `code` itself when it has
/// none.
fn child_of(rng: &mut impl Rng, code: &DivisionCode) -> DivisionCode {
    let children = division::children(Some(code));
    pick(rng, &children).map_or_else(|| code.clone(), |child| child.code.clone())
}

/// A village (or community) of `county`: where someone's household is
/// registered, down to the level the registers ask for.
pub fn village_in(rng: &mut impl Rng, county: &DivisionCode) -> DivisionCode {
    let town = child_of(rng, county);
    child_of(rng, &town)
}

/// Where someone from `home` goes when they leave: often back home,
/// otherwise a town of another labour market.
pub fn destination_town(
    rng: &mut impl Rng,
    home: &DivisionCode,
    elsewhere: &CountyPool,
) -> DivisionCode {
    let county = match elsewhere.county(rng) {
        Some(county) if !chance(rng, 0.45) => county,
        _ => home,
    };
    child_of(rng, county)
}

/// The street name that addresses in `unit_name` start with.
pub fn street_of(unit_name: &str) -> String {
    UNIT_NAME_SUFFIXES
        .iter()
        .find_map(|suffix| unit_name.strip_suffix(suffix))
        .filter(|stem| !stem.is_empty())
        .unwrap_or(unit_name)
        .to_owned()
}

/// The name a person would write for `code` (the town's own name).
pub fn name_of(code: &DivisionCode) -> String {
    division::lookup(code).map_or_else(String::new, |d: Division| d.name)
}
