//! Places written as text, as street offices' ledgers keep the household
//! registration (户籍地址 "河南省郑州市中原区林山寨街道…"), read back to
//! division codes from the embedded national data; and the place an
//! identity number's address code stands for today, for a row whose text
//! cannot be read.
//!
//! The text is matched from the province down (province → prefecture →
//! county → town), each level by its full name or, for provinces and
//! prefectures, its short name (the name without 省/市/自治区/地区/自治州
//! and the ethnic groups before 自治…: 河南, 郑州, 广西, 恩施). A county's
//! short name counts only before a word of its level (长阳县 for
//! 长阳土家族自治县), and a town needs its full name: roads are named like
//! counties and towns (中原路 is not 中原区, 建设路 not 建设路街道). A level may be left
//! out (郑州市中原区, 河南中原区; the municipalities' 市辖区 never appear
//! in text). Where two divisions fit equally well the text is not
//! resolved: a guess would put a person on file in the wrong province.
//! The match stops at the deepest level it can read; what follows (the
//! street and number) is the caller's.

use super::division::{self, DivisionCode, DivisionLevel};
use super::tables::Ethnicity;
use std::sync::OnceLock;

/// What a text place was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceMatch {
    /// The deepest division the text names unambiguously.
    Resolved(DivisionCode),
    /// The text starts with no division name, or with one several
    /// divisions share (朝阳区 is in Beijing and in Changchun).
    Unresolved,
}

/// Reads `text` as a place; see the module header.
pub fn resolve_place(text: &str) -> PlaceMatch {
    let text = normalise(text);
    let index = index();
    let mut rest = text.as_str();
    let mut at: Option<usize> = None; // position in `index.nodes`
    loop {
        let found = match at {
            None => index.first_match(rest),
            Some(node) => index.below_match(node, rest),
        };
        match found {
            Step::Found { node, len } => {
                at = Some(node);
                rest = &rest[len..];
            }
            Step::Ambiguous | Step::None => break,
        }
    }
    match at {
        Some(node) => PlaceMatch::Resolved(index.nodes[node].code.clone()),
        None => PlaceMatch::Unresolved,
    }
}

/// The division an identity number's six-digit address code stands for
/// today: the county itself while it exists; an abolished county's single
/// successor (a county of today with its name in the same province: the
/// embedded history keeps each old code's name, not its successor, so a
/// renumbered county is found by its name); otherwise the prefecture or
/// province the code lies in. `None` when not even the province exists.
pub fn place_of_id_address(code: &str) -> Option<DivisionCode> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Ok(county) = DivisionCode::parse_known(code) {
        return Some(county);
    }
    if let Some(name) = division::county_name_in_history(code)
        && let Some(successor) = successor_by_name(&code[..2], &name)
    {
        return Some(successor);
    }
    let prefecture = DivisionCode::parse_known(&code[..4])
        .ok()
        .filter(|c| division::lookup(c).is_some_and(|d| !is_placeholder(&d.name)));
    prefecture.or_else(|| DivisionCode::parse_known(&code[..2]).ok())
}

/// The one county of today named `name` in the province `province`. Only
/// counties proper (县, 县级市, 旗) are followed: they keep their names when
/// a prefecture is reorganised (132121 大名县 is 130425 大名县 since 1993),
/// while urban districts are merged and their names are common (石家庄's
/// 桥东区 130103, abolished in 2014, is not 张家口's 130702).
fn successor_by_name(province: &str, name: &str) -> Option<DivisionCode> {
    if name.ends_with('区') {
        return None;
    }
    let index = index();
    let mut found = index
        .nodes
        .iter()
        .filter(|n| n.level == DivisionLevel::County)
        .filter(|n| n.code.as_str().starts_with(province) && n.full == name);
    match (found.next(), found.next()) {
        (Some(one), None) => Some(one.code.clone()),
        _ => None,
    }
}

/// Width-folded, without spaces: how ledgers type the same name.
fn normalise(text: &str) -> String {
    super::normalise_code_input(text)
}

fn is_placeholder(name: &str) -> bool {
    matches!(
        name,
        "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划"
    )
}

/// What one step down the text found.
enum Step {
    Found { node: usize, len: usize },
    Ambiguous,
    None,
}

struct Node {
    code: DivisionCode,
    level: DivisionLevel,
    full: String,
    /// The name without its level's word, when that leaves two characters
    /// or more (和县 has none: 和 alone would match too much).
    short: Option<String>,
    /// Children in `nodes`.
    children: std::ops::Range<usize>,
}

/// Provinces, prefectures, counties and towns, each level contiguous and
/// each node's children contiguous, built once from the embedded data.
struct Index {
    nodes: Vec<Node>,
    provinces: std::ops::Range<usize>,
    prefectures: std::ops::Range<usize>,
    counties: std::ops::Range<usize>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(Index::build)
}

impl Index {
    fn build() -> Index {
        let mut nodes: Vec<Node> = division::children(None)
            .into_iter()
            .map(|d| node(d, DivisionLevel::Province))
            .collect();
        let mut level_start = 0;
        let mut starts = vec![0];
        for level in [
            DivisionLevel::City,
            DivisionLevel::County,
            DivisionLevel::Town,
        ] {
            let level_end = nodes.len();
            starts.push(level_end);
            for parent in level_start..level_end {
                let first = nodes.len();
                let below = division::children(Some(&nodes[parent].code));
                nodes.extend(below.into_iter().map(|d| node(d, level)));
                nodes[parent].children = first..nodes.len();
            }
            level_start = level_end;
        }
        Index {
            provinces: starts[0]..starts[1],
            prefectures: starts[1]..starts[2],
            counties: starts[2]..starts[3],
            nodes,
        }
    }

    /// The first name of the text: a province, else a prefecture, else a
    /// county (a ledger that starts at the county).
    fn first_match(&self, text: &str) -> Step {
        for range in [&self.provinces, &self.prefectures, &self.counties] {
            match self.best(range.clone(), text) {
                Step::None => continue,
                decided => return decided,
            }
        }
        Step::None
    }

    /// The next name below `node`: a child, else a grandchild (a level left
    /// out, or a municipality's 市辖区).
    fn below_match(&self, node: usize, text: &str) -> Step {
        let children = self.nodes[node].children.clone();
        match self.best(children.clone(), text) {
            Step::None => {}
            decided => return decided,
        }
        let grandchildren = children.flat_map(|child| self.nodes[child].children.clone());
        self.best_of(grandchildren, text)
    }

    fn best(&self, range: std::ops::Range<usize>, text: &str) -> Step {
        self.best_of(range, text)
    }

    /// The node whose name is the longest start of `text`; two at that
    /// length is ambiguous.
    fn best_of(&self, candidates: impl Iterator<Item = usize>, text: &str) -> Step {
        let mut best: Option<(usize, usize)> = None;
        let mut tied = false;
        for i in candidates {
            let node = &self.nodes[i];
            let full = text
                .starts_with(node.full.as_str())
                .then_some(node.full.len());
            let short = node
                .short
                .as_deref()
                .filter(|short| short_matches(node.level, short, text))
                .map(str::len);
            let len = full.max(short);
            let Some(len) = len else { continue };
            match best {
                Some((_, best_len)) if len < best_len => {}
                Some((_, best_len)) if len == best_len => tied = true,
                _ => {
                    best = Some((i, len));
                    tied = false;
                }
            }
        }
        match best {
            Some(_) if tied => Step::Ambiguous,
            Some((node, len)) => Step::Found { node, len },
            None => Step::None,
        }
    }
}

/// What cannot follow a province's or prefecture's short name: the words
/// that make it a county's, a town's or a road's name.
const NOT_AFTER_SHORT: [char; 9] = ['区', '县', '旗', '路', '街', '道', '镇', '乡', '村'];

/// Whether `text` starts with the short name `short` of a division of
/// `level`: freely for provinces and prefectures, before a level word for
/// counties.
fn short_matches(level: DivisionLevel, short: &str, text: &str) -> bool {
    let Some(rest) = text.strip_prefix(short) else {
        return false;
    };
    match level {
        // Not the start of another name: 朝阳区 is not 朝阳市, 郑州路 is a road.
        DivisionLevel::Province | DivisionLevel::City => !rest.starts_with(NOT_AFTER_SHORT),
        _ => rest.starts_with(['县', '区', '市', '旗']),
    }
}

fn node(division: division::Division, level: DivisionLevel) -> Node {
    let short = short_name(&division.name, level);
    let full = if is_placeholder(&division.name) {
        // A placeholder is never written; an empty name never matches.
        String::from("\u{0}")
    } else {
        division.name
    };
    Node {
        code: division.code,
        level,
        full,
        short,
        children: 0..0,
    }
}

/// The words that end a division's name at each level, longest first.
fn suffixes(level: DivisionLevel) -> &'static [&'static str] {
    match level {
        DivisionLevel::Province => &["特别行政区", "自治区", "省", "市"],
        DivisionLevel::City => &["自治州", "地区", "盟", "市"],
        DivisionLevel::County => &["自治县", "自治旗", "林区", "特区", "区", "县", "市", "旗"],
        DivisionLevel::Town | DivisionLevel::Village => {
            &["街道办事处", "民族乡", "街道", "镇", "乡", "苏木"]
        }
    }
}

fn short_name(name: &str, level: DivisionLevel) -> Option<String> {
    if is_placeholder(name) || level >= DivisionLevel::Town {
        return None;
    }
    let suffix = suffixes(level).iter().find(|s| name.ends_with(*s))?;
    let mut stem = &name[..name.len() - suffix.len()];
    // 恩施土家族苗族自治州 → 恩施: the groups an autonomous area is named for.
    if suffix.starts_with("自治") || *suffix == "民族乡" {
        while let Some(group) = Ethnicity::ALL
            .iter()
            .map(|e| e.name_zh())
            .find(|group| stem.ends_with(group) && stem.len() > group.len())
        {
            stem = &stem[..stem.len() - group.len()];
        }
        stem = stem.strip_suffix("各族").unwrap_or(stem);
    }
    (stem.chars().count() >= 2 && stem != name).then(|| stem.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(text: &str) -> Option<String> {
        match resolve_place(text) {
            PlaceMatch::Resolved(code) => Some(code.as_str().to_owned()),
            PlaceMatch::Unresolved => None,
        }
    }

    #[test]
    fn full_and_short_names_read_down_to_the_county() {
        for text in [
            "河南省郑州市中原区",
            "河南郑州中原区",
            "郑州市中原区",
            "河南省中原区",
            "河南省郑州市中原区建设路12号",
            " 河南省　郑州市 中原区",
        ] {
            assert_eq!(resolved(text).as_deref(), Some("410102"), "{text}");
        }
    }

    #[test]
    fn a_town_is_read_when_the_text_names_it() {
        let code = resolved("河南省郑州市中原区林山寨街道建设路").expect("resolved");
        assert_eq!(code.len(), 9);
        assert!(code.starts_with("410102"));
    }

    #[test]
    fn municipalities_and_autonomous_areas_have_short_names() {
        assert_eq!(resolved("北京市东城区").as_deref(), Some("110101"));
        assert_eq!(resolved("北京东城区").as_deref(), Some("110101"));
        assert_eq!(resolved("广西南宁市").as_deref(), Some("4501"));
        assert_eq!(resolved("湖北恩施州").as_deref(), Some("4228"));
        assert_eq!(
            resolved("湖北省恩施土家族苗族自治州").as_deref(),
            Some("4228")
        );
    }

    #[test]
    fn an_ambiguous_or_unknown_place_is_not_guessed() {
        // 朝阳区 is both Beijing's and Changchun's (and not 朝阳市).
        assert_eq!(resolved("朝阳区"), None);
        assert_eq!(resolved("朝阳区幸福路3号"), None);
        assert_eq!(resolved("辽宁朝阳").as_deref(), Some("2113"));
        assert_eq!(resolved("老家村里"), None);
        assert_eq!(resolved(""), None);
    }

    #[test]
    fn roads_named_like_divisions_are_not_divisions() {
        // 中原路 is a road, not 中原区; 建设路 a road, not 建设路街道.
        assert_eq!(resolved("河南省郑州市中原路8号").as_deref(), Some("4101"));
        assert_eq!(
            resolved("河南省郑州市中原区建设路12号").as_deref(),
            Some("410102")
        );
        assert_eq!(
            resolved("河南省郑州市中原区建设路街道").as_deref(),
            Some("410102002")
        );
        // A county's short name before a word of its level.
        assert_eq!(resolved("湖北省长阳县").as_deref(), Some("420528"));
    }

    #[test]
    fn a_province_alone_resolves_to_the_province() {
        assert_eq!(resolved("河南省").as_deref(), Some("41"));
    }

    #[test]
    fn an_id_address_code_stands_for_todays_place() {
        // Today's county.
        assert_eq!(
            place_of_id_address("410102").map(|c| c.to_string()),
            Some("410102".into())
        );
        // 崇文区 (abolished 2010, merged into 东城区): no county of its
        // name today, so Beijing, not its placeholder 市辖区.
        assert_eq!(
            place_of_id_address("110103").map(|c| c.to_string()),
            Some("11".into())
        );
        // An unknown county code in a known prefecture.
        assert_eq!(
            place_of_id_address("410199").map(|c| c.to_string()),
            Some("4101".into())
        );
        // A county renumbered when its prefecture was reorganised.
        assert_eq!(
            place_of_id_address("132121").map(|c| c.to_string()),
            Some("130425".into())
        );
        // A district abolished in a merger: its prefecture, not a namesake.
        assert_eq!(
            place_of_id_address("130103").map(|c| c.to_string()),
            Some("1301".into())
        );
        assert_eq!(place_of_id_address("990101"), None);
        assert_eq!(place_of_id_address("41"), None);
    }
}
