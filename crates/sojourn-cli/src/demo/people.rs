//! Synthetic people: names from common surnames and given-name
//! characters, valid ID numbers (real county codes, real dates, computed
//! check characters), mobile phones. Nothing here is anyone's real data.

use super::random::{chance, pick, weighted};
use crate::error::{CliError, Result};
use rand::Rng;
use sojourn_domain::codes::id_number::check_character;
use sojourn_domain::codes::{IdNumber, Phone, Sex};
use sojourn_domain::text::PersonName;
use std::collections::HashSet;
use time::Date;

/// The most common surnames, weighted by their share in tenths of a
/// percent (Ministry of Public Security name report, rounded).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 71),
    ("李", 70),
    ("张", 68),
    ("刘", 54),
    ("陈", 46),
    ("杨", 31),
    ("黄", 25),
    ("赵", 22),
    ("吴", 20),
    ("周", 19),
    ("徐", 16),
    ("孙", 15),
    ("马", 14),
    ("朱", 13),
    ("胡", 13),
    ("郭", 12),
    ("何", 12),
    ("高", 11),
    ("林", 11),
    ("罗", 9),
    ("郑", 9),
    ("梁", 9),
    ("谢", 8),
    ("宋", 8),
    ("唐", 8),
    ("许", 7),
    ("韩", 7),
    ("冯", 7),
    ("邓", 7),
    ("曹", 7),
    ("彭", 6),
    ("曾", 6),
    ("肖", 6),
    ("田", 6),
    ("董", 5),
    ("袁", 5),
    ("潘", 5),
    ("于", 5),
    ("蒋", 5),
    ("蔡", 5),
    ("余", 5),
    ("杜", 5),
    ("叶", 4),
    ("程", 4),
    ("苏", 4),
    ("魏", 4),
    ("吕", 4),
    ("丁", 4),
    ("任", 4),
    ("沈", 4),
    ("姚", 4),
    ("卢", 4),
    ("姜", 4),
    ("崔", 4),
    ("钟", 3),
    ("谭", 3),
    ("陆", 3),
    ("汪", 3),
    ("范", 3),
    ("金", 3),
    ("石", 3),
    ("廖", 3),
    ("贾", 3),
    ("夏", 3),
    ("韦", 3),
    ("付", 3),
    ("方", 3),
    ("白", 3),
    ("邹", 3),
    ("孟", 3),
    ("熊", 3),
    ("秦", 3),
    ("邱", 3),
    ("江", 3),
    ("尹", 3),
    ("薛", 3),
    ("闫", 3),
    ("段", 3),
    ("雷", 3),
    ("侯", 3),
    ("龙", 2),
    ("史", 2),
    ("陶", 2),
    ("黎", 2),
    ("贺", 2),
    ("顾", 2),
    ("毛", 2),
    ("郝", 2),
    ("龚", 2),
    ("邵", 2),
    ("万", 2),
    ("钱", 2),
    ("严", 2),
    ("武", 2),
    ("戴", 2),
    ("莫", 2),
    ("孔", 2),
    ("向", 2),
    ("汤", 2),
];

const MALE_GIVEN: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳", "建", "国",
    "志", "海", "东", "峰", "亮", "成", "文", "博", "彬", "晨", "洋", "振", "鸿",
];

const FEMALE_GIVEN: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "玲", "燕", "红", "梅", "琳", "萍",
    "雪", "婷", "慧", "丹", "颖", "倩", "洁", "佳", "欣", "怡", "蕾", "月", "莉", "兰", "凤", "云",
    "晶", "彤", "璐", "蓉", "悦", "楠", "琴", "薇", "露", "瑶", "岚", "宁", "春",
];

/// Mobile prefixes of the three carriers.
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "198", "199",
];

pub fn surname(rng: &mut impl Rng) -> &'static str {
    weighted(rng, SURNAMES).copied().unwrap_or("王")
}

/// Men are the majority of the working floating population.
pub fn sex(rng: &mut impl Rng, male_share: f64) -> Sex {
    if chance(rng, male_share) {
        Sex::Male
    } else {
        Sex::Female
    }
}

/// A one- or two-character given name fitting `sex`.
fn given_name(rng: &mut impl Rng, sex: Sex) -> String {
    let characters = if sex == Sex::Female {
        FEMALE_GIVEN
    } else {
        MALE_GIVEN
    };
    let length = if chance(rng, 0.35) { 1 } else { 2 };
    (0..length)
        .filter_map(|_| pick(rng, characters).copied())
        .collect()
}

pub fn name_with_surname(rng: &mut impl Rng, surname: &str, sex: Sex) -> Result<PersonName> {
    let text = format!("{surname}{}", given_name(rng, sex));
    PersonName::parse(&text).map_err(|e| CliError::Demo(format!("generated name: {e}")))
}

pub fn name(rng: &mut impl Rng, sex: Sex) -> Result<PersonName> {
    let surname = surname(rng);
    name_with_surname(rng, surname, sex)
}

pub fn mobile(rng: &mut impl Rng) -> Result<Phone> {
    let prefix = pick(rng, MOBILE_PREFIXES).copied().unwrap_or("138");
    let text = format!("{prefix}{:08}", rng.random_range(0..100_000_000_u32));
    Phone::parse(&text).map_err(|e| CliError::Demo(format!("generated phone: {e}")))
}

/// Hands out ID numbers, each once.
#[derive(Default)]
pub struct IdNumbers {
    issued: HashSet<String>,
}

impl IdNumbers {
    /// A valid, unused number of a person born on `birth` of `sex`, issued
    /// by `county`: a sequence code of the right parity and the ISO 7064
    /// check character.
    pub fn issue(
        &mut self,
        rng: &mut impl Rng,
        county: &str,
        birth: Date,
        sex: Sex,
        today: Date,
    ) -> Result<IdNumber> {
        let parity = u32::from(sex == Sex::Male);
        // 500 sequence codes per county, day and sex: plenty for a street.
        for _ in 0..1000 {
            let sequence = rng.random_range(0..500_u32) * 2 + parity;
            let first17 = format!(
                "{county}{:04}{:02}{:02}{sequence:03}",
                birth.year(),
                u8::from(birth.month()),
                birth.day()
            );
            let check = check_character(&first17)
                .ok_or_else(|| CliError::Demo(format!("not 17 digits: {first17}")))?;
            let text = format!("{first17}{check}");
            if self.issued.insert(text.clone()) {
                return IdNumber::parse_as_of(&text, today)
                    .map_err(|e| CliError::Demo(format!("generated ID number: {e}")));
            }
        }
        Err(CliError::Demo(format!(
            "no ID number left for {county} {birth}"
        )))
    }
}
