//! The embedded division data against the fixture the derivation script
//! writes beside it (data/divisions.check) and against rows of the source.

use sojourn_domain::codes::division::{
    self, Division, DivisionCode, DivisionError, DivisionLevel, county_name_in_history, full_name,
    is_known_county_code, lookup,
};

/// Counts and hashes that data/derive_divisions.py computed from the source.
const CHECK: &str = include_str!("../../../data/divisions.check");

fn expected(key: &str) -> String {
    CHECK
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{key} missing from divisions.check"))
        .to_owned()
}

fn expected_count(key: &str) -> usize {
    expected(key).parse().expect("a count")
}

/// FNV-1a 64, as the script computes it.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write_line(&mut self, code: &str, name: &str) {
        let bytes = code
            .bytes()
            .chain([b'\t'])
            .chain(name.bytes())
            .chain([b'\n']);
        self.0 = bytes.fold(self.0, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

fn code(text: &str) -> DivisionCode {
    DivisionCode::parse_form(text).expect("a well-formed code")
}

fn name_of(text: &str) -> Option<String> {
    lookup(&code(text)).map(|division| division.name)
}

/// What a walk of the whole tree through `children` saw.
#[derive(Default)]
struct Walk {
    per_level: [usize; 5],
    hash: Fnv,
}

impl Walk {
    /// Visits `divisions` (the children of `parent`) and everything below.
    fn visit(&mut self, parent: Option<&DivisionCode>, divisions: Vec<Division>) {
        let mut previous: Option<DivisionCode> = None;
        for division in divisions {
            assert_eq!(division.code.parent().as_ref(), parent, "{}", division.code);
            assert!(
                previous.as_ref() < Some(&division.code),
                "order at {}",
                division.code
            );
            assert_eq!(lookup(&division.code).as_ref(), Some(&division));
            // Stores keep the code as text and parse it back.
            let reparsed = DivisionCode::parse_form(division.code.as_str());
            assert_eq!(reparsed.as_ref(), Ok(&division.code));
            let level = division.code.level() as usize;
            self.per_level[level] += 1;
            self.hash.write_line(division.code.as_str(), &division.name);
            self.visit(
                Some(&division.code),
                division::children(Some(&division.code)),
            );
            previous = Some(division.code);
        }
    }
}

#[test]
fn every_division_of_the_source_resolves_with_its_name_in_code_order() {
    let mut walk = Walk::default();
    walk.visit(None, division::children(None));
    let labels = ["provinces", "cities", "counties", "towns", "villages"];
    for (label, &count) in labels.iter().zip(&walk.per_level) {
        assert_eq!(count, expected_count(label), "{label}");
    }
    assert_eq!(walk.per_level[4], 620_573);
    assert_eq!(walk.hash.hex(), expected("tree_fnv1a64"));
}

#[test]
fn every_county_code_known_today_or_since_1980_has_its_latest_name() {
    let mut hash = Fnv::default();
    let mut known = 0;
    for number in 0..1_000_000 {
        let text = format!("{number:06}");
        let name = county_name_in_history(&text);
        assert_eq!(name.is_some(), is_known_county_code(&text), "{text}");
        if let Some(name) = name {
            known += 1;
            hash.write_line(&text, &name);
        }
    }
    assert_eq!(known, expected_count("known_county_codes"));
    assert_eq!(hash.hex(), expected("known_county_fnv1a64"));
}

#[test]
fn known_rows_of_the_source_resolve_at_every_level() {
    let rows = [
        ("11", "北京市"),
        ("65", "新疆维吾尔自治区"),
        ("1101", "市辖区"),
        ("1301", "石家庄市"),
        ("5002", "县"),
        ("4419", "东莞市"),
        ("110101", "东城区"),
        ("130709", "崇礼区"),
        ("150172", "呼和浩特经济技术开发区"),
        ("430923", "安化县"),
        ("110101001", "东华门街道"),
        ("620524202", "嘴头乡"),
        ("140825498", "新绛县经济技术开发区"),
        ("659012505", "一六五团"),
        ("110101001001", "多福巷社区居委会"),
        ("410782113227", "北张庄村民委员会"),
        ("320402003011", "同济桥社区居委会"),
        ("430726106251", "观峰山村"),
        ("140603101205", "安架山村委会"),
        ("610116002002", "樱花路社区"),
        ("659012505508", "八连生活区"),
    ];
    for (text, name) in rows {
        assert_eq!(name_of(text).as_deref(), Some(name), "{text}");
    }
}

#[test]
fn county_names_come_from_today_first_then_the_history() {
    let cases = [
        ("110103", Some("崇文区")),                   // abolished in 2010
        ("110104", Some("宣武区")),                   // abolished in 2010
        ("210311", Some("千山区")),                   // latest of three names
        ("120110", Some("东丽区")),                   // renamed from 东郊区
        ("232761", Some("加格达奇区")),               // today's spelling, not the history's
        ("330113", Some("临平区")),                   // only in today's data
        ("130171", Some("石家庄高新技术产业开发区")), // statistical code
        ("653228", Some("和康县")),                   // created after the 2023 edition
        ("999999", None),
        ("11010", None),
        ("11010a", None),
    ];
    for (text, name) in cases {
        assert_eq!(county_name_in_history(text).as_deref(), name, "{text}");
        assert_eq!(is_known_county_code(text), name.is_some(), "{text}");
    }
}

#[test]
fn children_of_nothing_are_the_31_provinces() {
    let provinces = division::children(None);
    assert_eq!(provinces.len(), 31);
    assert_eq!(provinces[0].code.as_str(), "11");
    assert_eq!(provinces[0].name, "北京市");
    assert!(
        provinces
            .iter()
            .all(|p| p.code.level() == DivisionLevel::Province)
    );
}

#[test]
fn children_of_a_province_are_its_cities() {
    let cities = division::children(Some(&code("13")));
    assert_eq!(cities.len(), 11);
    assert_eq!(
        (cities[0].code.as_str(), cities[0].name.as_str()),
        ("1301", "石家庄市")
    );
}

#[test]
fn children_of_a_town_are_its_villages_in_code_order() {
    let villages = division::children(Some(&code("110101001")));
    let codes: Vec<&str> = villages.iter().map(|v| v.code.as_str()).collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(codes[..3], ["110101001001", "110101001002", "110101001005"]);
    assert_eq!(villages[9].name, "王府井社区居委会");
}

#[test]
fn children_of_a_village_or_an_unknown_code_are_none() {
    assert!(division::children(Some(&code("110101001001"))).is_empty());
    assert!(division::children(Some(&code("119999"))).is_empty());
}

#[test]
fn full_name_runs_from_the_province_down_without_placeholder_cities() {
    let cases = [
        ("110101001001", "北京市 东城区 东华门街道 多福巷社区居委会"),
        ("130102", "河北省 石家庄市 长安区"),
        ("500229", "重庆市 城口县"),
        ("419001", "河南省 济源市"),
        ("441900003", "广东省 东莞市 东城街道"),
        ("350527000000", "福建省 泉州市 金门县"),
        ("1101", "北京市 市辖区"),
        ("11", "北京市"),
    ];
    for (text, name) in cases {
        assert_eq!(full_name(&code(text)).as_deref(), Some(name), "{text}");
    }
    assert_eq!(full_name(&code("110199")), None);
}

#[test]
fn parse_known_accepts_padded_codes_of_existing_divisions() {
    let town = DivisionCode::parse_known("110101001000").expect("a known town");
    assert_eq!(town.as_str(), "110101001");
    let city = DivisionCode::parse_known(" １１０１００ ").expect("a known city");
    assert_eq!(city.as_str(), "1101");
}

#[test]
fn parse_known_refuses_unknown_codes() {
    for text in [
        "99",
        "1199",
        "110199",
        "110101999",
        "110101001999",
        "110103",
    ] {
        assert_eq!(
            DivisionCode::parse_known(text),
            Err(DivisionError::Unknown(text.to_owned())),
            "{text}"
        );
    }
}

#[test]
fn parse_known_refuses_malformed_codes() {
    for text in ["", "1", "110", "1101010", "11010100100a", "1101010010011"] {
        assert!(
            matches!(
                DivisionCode::parse_known(text),
                Err(DivisionError::Malformed(_))
            ),
            "{text}"
        );
    }
}

#[test]
fn parse_form_strips_zero_padding_level_by_level() {
    assert_eq!(code("110101001000").as_str(), "110101001");
    assert_eq!(code("110000").as_str(), "11");
    assert_eq!(code("110100000000").as_str(), "1101");
    assert_eq!(code("110101001000").level(), DivisionLevel::Town);
}
