//! The data-quality scan over 1,000,000 synthetic residents: every
//! per-record rule, then the probable-duplicate finder. Timings are printed,
//! never asserted. Run: `cargo bench -p sojourn-domain --bench quality [N]`.

use sojourn_domain::codes::Sex;
use sojourn_domain::codes::id_number::check_character;
use sojourn_domain::quality::{
    AddressField, DuplicateCandidate, DuplicateReason, check_address_division, check_against_id,
    check_childbearing_filing, check_id_number, probable_duplicates,
};
use sojourn_domain::text::PersonName;
use std::time::Instant;
use time::{Date, Duration, macros::date};

const TODAY: Date = date!(2026 - 11 - 28);
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗";
const GIVEN: &str =
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅鹏飞鑫宇浩然子轩欣怡佳琪";
const COUNTIES: [&str; 6] = ["110101", "110105", "130503", "360426", "440113", "510104"];

/// splitmix64: reproducible synthetic data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Resident {
    name: String,
    pinyin: String,
    id_number: String,
    birth: Date,
    domicile: String,
    arrived: Date,
}

fn synthetic(count: usize, rng: &mut Rng) -> Vec<Resident> {
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let given: Vec<char> = GIVEN.chars().collect();
    let first_day = date!(1950 - 01 - 01).to_julian_day();
    let span = date!(2008 - 12 - 31).to_julian_day() - first_day;
    let mut residents = Vec::with_capacity(count);
    for i in 0..count {
        let mut name = String::new();
        name.push(surnames[rng.below(surnames.len())]);
        for _ in 0..1 + rng.below(2) {
            name.push(given[rng.below(given.len())]);
        }
        let pinyin = PersonName::parse(&name)
            .map(|n| n.pinyin_full())
            .unwrap_or_default();
        let birth =
            Date::from_julian_day(first_day + rng.below(span as usize) as i32).unwrap_or(TODAY);
        let county = COUNTIES[rng.below(COUNTIES.len())];
        let first17 = format!(
            "{county}{:04}{:02}{:02}{:03}",
            birth.year(),
            u8::from(birth.month()),
            birth.day(),
            rng.below(1000)
        );
        let mut id_number = format!("{first17}{}", check_character(&first17).unwrap_or('0'));
        // One in a hundred mistyped in one sequence digit (a probable duplicate
        // of someone, or of no one).
        if i % 100 == 0 {
            let mut bytes = id_number.into_bytes();
            bytes[15] = b'0' + ((bytes[15] - b'0' + 1) % 10);
            id_number = String::from_utf8(bytes).unwrap_or_default();
        }
        // One in ten domiciles only down to the county.
        let domicile = if i % 10 == 0 {
            county.to_owned()
        } else {
            format!("{county}001")
        };
        let arrived = TODAY - Duration::days(rng.below(3650) as i64);
        residents.push(Resident {
            name,
            pinyin,
            id_number,
            birth,
            domicile,
            arrived,
        });
    }
    // One in a thousand registered twice, the copy one digit off.
    for i in (0..count).step_by(1000) {
        let original = &residents[i];
        let mut bytes = original.id_number.clone().into_bytes();
        bytes[14] = b'0' + ((bytes[14] - b'0' + 3) % 10);
        let copy = Resident {
            name: original.name.clone(),
            pinyin: original.pinyin.clone(),
            id_number: String::from_utf8(bytes).unwrap_or_default(),
            birth: original.birth,
            domicile: original.domicile.clone(),
            arrived: original.arrived,
        };
        residents.push(copy);
    }
    residents
}

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut rng = Rng(20261128);
    let started = Instant::now();
    let residents = synthetic(count, &mut rng);
    println!(
        "generated {} residents in {:.2?}",
        residents.len(),
        started.elapsed()
    );

    let started = Instant::now();
    let mut findings = 0usize;
    for r in &residents {
        match check_id_number(Some(&r.id_number), TODAY) {
            Ok(id) => {
                findings += check_against_id(&id, Some(Sex::Female), Some(r.birth)).len();
                findings += usize::from(
                    check_childbearing_filing(&id, true, r.arrived, None, TODAY).is_some(),
                );
            }
            Err(_) => findings += 1,
        }
        findings +=
            usize::from(check_address_division(AddressField::Domicile, &r.domicile).is_some());
    }
    let rules = started.elapsed();
    println!("per-record rules: {findings} findings in {rules:.2?}");

    let started = Instant::now();
    let candidates: Vec<DuplicateCandidate<'_>> = residents
        .iter()
        .enumerate()
        .map(|(i, r)| DuplicateCandidate {
            record: i as i64,
            name: &r.name,
            pinyin: &r.pinyin,
            id_number: Some(&r.id_number),
            birth_date: Some(r.birth),
        })
        .collect();
    let pairs = probable_duplicates(&candidates);
    let duplicates = started.elapsed();
    let one_digit = pairs
        .iter()
        .filter(|p| {
            p.reasons
                .iter()
                .any(|r| matches!(r, DuplicateReason::IdDiffersInOneDigit { .. }))
        })
        .count();
    println!(
        "probable duplicates: {} pairs ({one_digit} with a one-digit ID difference) in {duplicates:.2?}",
        pairs.len()
    );
    println!("full scan: {:.2?}", rules + duplicates);
}
