//! A synthetic but realistic register: residents of 10 communities of one
//! street office, named after the real distribution of Chinese surnames and
//! given-name characters (so a one- or two-character prefix selects about
//! as many rows as it would in a real register), with valid ID numbers
//! from the counties floating residents typically come from.

use sojourn_domain::codes::{
    DivisionCode, Education, Ethnicity, IdNumber, MaritalStatus, Occupation, Phone, ReasonForStay,
};
use sojourn_domain::person::PersonDetails;
use sojourn_domain::residence::{Arrival, StayDetails};
use sojourn_domain::text::{Address, PersonName, UnitName};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::{Unit, UnitCode};
use std::collections::HashSet;
use time::{Date, Duration};

pub const TOWN: &str = "110101001";

/// The communities residents are spread over, uniformly.
const COMMUNITIES: [&str; 10] = [
    "多福巷社区",
    "银闸社区",
    "东厂社区",
    "智德社区",
    "南池子社区",
    "灯市口社区",
    "韶九社区",
    "王府井社区",
    "大阮府社区",
    "霞公府社区",
];

/// The most common surnames with their share of the population in ‱
/// (per ten thousand; after the 2020 census tables), then a tail of rarer
/// ones. Together they cover about nine in ten people, as in reality.
#[rustfmt::skip]
const SURNAMES: &[(&str, u32)] = &[
    ("王", 712), ("李", 700), ("张", 674), ("刘", 510), ("陈", 461), ("杨", 322),
    ("黄", 245), ("赵", 219), ("吴", 205), ("周", 191), ("徐", 152), ("孙", 147),
    ("马", 144), ("朱", 131), ("胡", 129), ("郭", 119), ("何", 117), ("林", 103),
    ("高", 108), ("罗", 95), ("郑", 86), ("梁", 86), ("谢", 68), ("宋", 63),
    ("唐", 62), ("许", 61), ("韩", 60), ("冯", 59), ("邓", 57), ("曹", 56),
    ("彭", 53), ("曾", 52), ("肖", 51), ("田", 50), ("董", 49), ("袁", 49),
    ("潘", 46), ("于", 46), ("蒋", 46), ("蔡", 45), ("余", 44), ("杜", 42),
    ("叶", 42), ("程", 41), ("苏", 40), ("魏", 39), ("吕", 38), ("丁", 37),
    ("任", 36), ("沈", 35), ("姚", 34), ("卢", 34), ("姜", 33), ("崔", 32),
    ("钟", 31), ("谭", 30), ("陆", 30), ("汪", 29), ("范", 29), ("金", 28),
    ("石", 28), ("廖", 27), ("贾", 27), ("夏", 26), ("韦", 26), ("付", 25),
    ("方", 25), ("白", 24), ("邹", 24), ("孟", 24), ("熊", 23), ("秦", 23),
    ("邱", 22), ("江", 22), ("尹", 21), ("薛", 21), ("闫", 20), ("段", 20),
    ("雷", 20), ("侯", 19), ("龙", 19), ("史", 18), ("陶", 18), ("黎", 17),
    ("贺", 17), ("顾", 17), ("毛", 16), ("郝", 16), ("龚", 16), ("邵", 16),
    ("万", 15), ("钱", 15), ("严", 15), ("覃", 14), ("武", 14), ("戴", 14),
    ("莫", 13), ("孔", 13), ("向", 13), ("汤", 13),
    // The tail: each rare, together about a tenth of people.
    ("常", 12), ("温", 12), ("康", 12), ("施", 11), ("文", 11), ("牛", 11),
    ("樊", 11), ("葛", 10), ("邢", 10), ("安", 10), ("齐", 10), ("易", 10),
    ("乔", 10), ("伍", 9), ("庞", 9), ("颜", 9), ("倪", 9), ("庄", 9),
    ("聂", 9), ("章", 9), ("鲁", 8), ("岳", 8), ("翟", 8), ("殷", 8),
    ("詹", 8), ("申", 8), ("欧", 8), ("耿", 8), ("关", 8), ("兰", 7),
    ("焦", 7), ("俞", 7), ("左", 7), ("柳", 7), ("甘", 7), ("祝", 7),
    ("包", 7), ("宁", 6), ("尚", 6), ("符", 6), ("舒", 6), ("阮", 6),
    ("柯", 6), ("纪", 6), ("梅", 6), ("童", 6), ("凌", 6), ("毕", 6),
];

/// Given-name characters, most common first; weighted by a Zipf law, so 伟
/// begins about one given name in forty, as in the register of real names.
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玉兰国红志海鹏飞斌宇浩凯鑫晨欣\
    怡婷雪琳佳子梓涵萱轩博俊嘉雨思天一晓小春金林成东云亮波宁丹玲慧燕萍琴梅莉峰永新彬健龙生德福荣庆安\
    家立祥瑞宏振晶颖倩蕾悦冰阳毅辰诗雅泽睿昊然铭航旭展彤秋菊芬兵娇凤莹璐婉琪瑶淑惠光剑晴蓉露媛琦莎\
    爽蕊朋坤伦川江豪威丰鸿曦钰妍熙畅";

/// County codes of the provinces most floating residents of Beijing come
/// from (河北, 河南, 山东, 安徽, 四川, 湖北, 湖南, 山西, 黑龙江, 辽宁, 江西, 甘肃).
#[rustfmt::skip]
const COUNTIES: &[&str] = &[
    "130102", "130104", "130521", "130634", "131121", "130429", "130982", "131082",
    "410102", "410105", "410183", "411421", "411522", "412726", "410526", "411323",
    "370883", "370783", "371321", "371427", "370481", "341221", "341623", "341126",
    "342422", "511602", "510722", "511921", "513030", "421182", "420117", "430124",
    "431121", "140427", "142625", "230183", "232303", "210381", "360731", "620521",
];

/// Counties none of the generated residents come from: numbers that are
/// well-formed but certainly not in the store.
pub const ABSENT_COUNTIES: &[&str] = &["650102", "540102", "460105", "150102"];

/// A small, fast, seedable generator (SplitMix64): the register must be the
/// same on every run, and a crate for this is not worth a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is irrelevant at these sizes).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Picks by weight from a cumulative table.
fn weighted(rng: &mut Rng, cumulative: &[u64]) -> usize {
    let total = *cumulative.last().expect("non-empty table");
    let x = rng.below(total);
    cumulative.partition_point(|&c| c <= x)
}

fn cumulative(weights: impl Iterator<Item = u64>) -> Vec<u64> {
    weights
        .scan(0, |sum, w| {
            *sum += w;
            Some(*sum)
        })
        .collect()
}

pub fn unit_code(code: &str) -> UnitCode {
    UnitCode::parse(code).expect("unit code")
}

/// The street office and its communities.
pub fn units() -> (Unit, Vec<Unit>) {
    let unit = |code: String, name: &str| Unit {
        code: unit_code(&code),
        name: UnitName::parse(name).expect("unit name"),
    };
    let root = unit(TOWN.to_owned(), "东华门街道");
    let below = COMMUNITIES
        .iter()
        .enumerate()
        .map(|(i, name)| unit(format!("{TOWN}{:03}", i + 1), name))
        .collect();
    (root, below)
}

/// A valid ID number from its first 17 digits.
pub fn id_number(first17: &str) -> IdNumber {
    let check = sojourn_domain::codes::id_number::check_character(first17).expect("17 digits");
    IdNumber::parse(&format!("{first17}{check}")).expect("generated ID number")
}

/// First 17 digits of an ID number born between 1960 and 2003: 16 or
/// older on any arrival of the last five years, so no row needs a guardian.
pub fn first17(rng: &mut Rng, county: &str) -> String {
    let start = Date::from_calendar_date(1960, time::Month::January, 1).expect("date");
    let birth = start + Duration::days(rng.below(44 * 365) as i64);
    let seq = rng.below(1000);
    format!(
        "{county}{:04}{:02}{:02}{seq:03}",
        birth.year(),
        u8::from(birth.month()),
        birth.day()
    )
}

/// Makes the arrivals of the register, deterministically from a seed.
pub struct Generator {
    rng: Rng,
    surnames: Vec<u64>,
    given_chars: Vec<char>,
    given: Vec<u64>,
    seen: HashSet<u64>,
    today: Date,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        let given_chars: Vec<char> = GIVEN.chars().filter(|c| !c.is_whitespace()).collect();
        // Zipf weights, scaled to integers.
        let given = cumulative(
            (0..given_chars.len()).map(|rank| (1_000_000.0 / (rank as f64 + 2.0)) as u64),
        );
        Self {
            rng: Rng::new(seed),
            surnames: cumulative(SURNAMES.iter().map(|&(_, w)| u64::from(w))),
            given_chars,
            given,
            seen: HashSet::new(),
            today: sojourn_domain::time_rules::china_today(),
        }
    }

    fn name(&mut self) -> String {
        let mut name = SURNAMES[weighted(&mut self.rng, &self.surnames)]
            .0
            .to_owned();
        // Three in ten given names have one character, the rest two.
        let len = if self.rng.below(10) < 3 { 1 } else { 2 };
        for _ in 0..len {
            name.push(self.given_chars[weighted(&mut self.rng, &self.given)]);
        }
        name
    }

    fn unique_first17(&mut self) -> String {
        loop {
            let county = *self.rng.pick(COUNTIES);
            let digits = first17(&mut self.rng, county);
            if self.seen.insert(digits.parse().expect("digits")) {
                return digits;
            }
        }
    }

    fn phone(&mut self) -> Phone {
        const PREFIXES: [u32; 16] = [
            130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 158, 159, 186, 188,
        ];
        let prefix = *self.rng.pick(&PREFIXES);
        let rest = self.rng.below(100_000_000);
        Phone::parse(&format!("{prefix}{rest:08}")).expect("phone")
    }

    pub fn arrival(&mut self) -> Arrival {
        let first17 = self.unique_first17();
        let id = id_number(&first17);
        let county = &first17[..6];
        let community = 1 + self.rng.below(COMMUNITIES.len() as u64);
        let arrived = self.today - Duration::days(self.rng.below(5 * 365) as i64);
        let address = format!(
            "东华门街道{}号院{}号楼{}室",
            1 + self.rng.below(300),
            1 + self.rng.below(20),
            101 + self.rng.below(20)
        );
        let name = self.name();
        Arrival {
            id_number: id,
            person: PersonDetails {
                name: PersonName::parse(&name).expect("name"),
                ethnicity: Ethnicity::Han,
                domicile: DivisionCode::parse_form(county).expect("division"),
                domicile_address: Some(Address::parse("某乡某村").expect("address")),
                phone: Some(self.phone()),
                marital_status: Some(*self.rng.pick(MaritalStatus::ALL)),
                education: Some(*self.rng.pick(Education::ALL)),
                political_status: None,
                occupation: Some(*self.rng.pick(Occupation::ALL)),
                guardian: None,
            },
            stay: StayDetails {
                unit: unit_code(&format!("{TOWN}{community:03}")),
                arrived_on: PastDate::new(arrived, self.today).expect("past date"),
                intended_stay_months: Some(1 + self.rng.below(36) as u16),
                reason: *self.rng.pick(ReasonForStay::ALL),
                current_address: Address::parse(&address).expect("address"),
                house: None,
                employer: None,
            },
        }
    }
}
