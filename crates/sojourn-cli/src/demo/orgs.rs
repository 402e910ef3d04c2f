//! Synthetic organisations: company and shop names, and valid unified
//! social credit codes (GB 32100) with a valid embedded organisation code
//! (GB 11714).

use super::random::{chance, pick};
use crate::error::{CliError, Result};
use rand::Rng;
use sojourn_domain::codes::Uscc;
use sojourn_domain::codes::uscc::check_character;
use sojourn_domain::text::OrgName;
use std::collections::HashSet;

/// Trade names (字号): two characters that sound like a business.
const TRADE_NAMES: &[&str] = &[
    "鑫达", "华联", "恒泰", "金鼎", "顺心", "安居", "宏图", "嘉禾", "德润", "聚福", "盛世", "万通",
    "新源", "隆昌", "永安", "富华", "天成", "和顺", "博远", "众诚", "瑞丰", "兴旺", "明珠", "佳美",
    "东升", "长青", "锦程", "润泽", "福满", "京华", "正阳", "同仁", "益民",
];

/// Lines of business of the employers of a central Beijing street.
const INDUSTRIES: &[&str] = &[
    "餐饮管理",
    "商贸",
    "物业管理",
    "建筑装饰工程",
    "家政服务",
    "快递服务",
    "酒店管理",
    "科技",
    "文化传媒",
    "汽车维修",
    "美容美发",
    "便利店连锁",
    "保安服务",
    "洗衣服务",
];

/// Shops run as individual businesses (个体工商户).
const SHOPS: &[&str] = &[
    "家常菜馆",
    "面馆",
    "水果店",
    "便利店",
    "理发店",
    "洗衣店",
    "五金店",
    "包子铺",
    "烟酒店",
    "早点铺",
    "手机维修部",
    "服装店",
];

/// Landlord companies: agencies and flat managers.
const LETTING: &[&str] = &["房地产经纪", "物业管理", "公寓管理", "房屋租赁"];

/// GB 32100 character set.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// What kind of organisation a credit code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgKind {
    /// 91: enterprise registered with market regulation.
    Company,
    /// 92: individual business (个体工商户).
    Shop,
}

/// Hands out names and credit codes, each once.
#[derive(Default)]
pub struct Orgs {
    names: HashSet<String>,
    codes: HashSet<String>,
}

impl Orgs {
    /// An employer's name and kind: mostly companies, some shops.
    pub fn employer_name(
        &mut self,
        rng: &mut impl Rng,
        district: &str,
    ) -> Result<(OrgName, OrgKind)> {
        if chance(rng, 0.3) {
            let shop = pick(rng, SHOPS).copied().unwrap_or("便利店");
            self.unique_name(rng, |trade| format!("{district}{trade}{shop}"))
                .map(|name| (name, OrgKind::Shop))
        } else {
            let industry = pick(rng, INDUSTRIES).copied().unwrap_or("商贸");
            self.unique_name(rng, |trade| format!("北京{trade}{industry}有限公司"))
                .map(|name| (name, OrgKind::Company))
        }
    }

    /// A company that lets flats.
    pub fn letting_company(&mut self, rng: &mut impl Rng) -> Result<OrgName> {
        let line = pick(rng, LETTING).copied().unwrap_or("房屋租赁");
        self.unique_name(rng, |trade| format!("北京{trade}{line}有限公司"))
    }

    /// A company somewhere else (an outflow person's employer); need not be
    /// unique.
    pub fn company_in(rng: &mut impl Rng, place: &str) -> Result<OrgName> {
        let trade = pick(rng, TRADE_NAMES).copied().unwrap_or("新源");
        let industry = pick(rng, INDUSTRIES).copied().unwrap_or("商贸");
        org_name(&format!("{place}{trade}{industry}有限公司"))
    }

    fn unique_name(
        &mut self,
        rng: &mut impl Rng,
        make: impl Fn(&str) -> String,
    ) -> Result<OrgName> {
        for attempt in 0_u32.. {
            let trade = pick(rng, TRADE_NAMES).copied().unwrap_or("新源");
            // Past the plain names, a second trade name keeps them apart.
            let trade = match attempt {
                0..=20 => trade.to_owned(),
                _ => format!("{trade}{}", pick(rng, TRADE_NAMES).copied().unwrap_or("")),
            };
            let text = make(&trade);
            if attempt > 200 || self.names.insert(text.clone()) {
                return org_name(&text);
            }
        }
        Err(CliError::Demo("ran out of organisation names".into()))
    }

    /// A valid, unused credit code registered in `county`.
    pub fn uscc(&mut self, rng: &mut impl Rng, kind: OrgKind, county: &str) -> Result<Uscc> {
        let prefix = match kind {
            OrgKind::Company => "91",
            OrgKind::Shop => "92",
        };
        loop {
            let text = credit_code(rng, prefix, county)?;
            if self.codes.insert(text.clone()) {
                return Uscc::parse(&text)
                    .map_err(|e| CliError::Demo(format!("generated credit code: {e}")));
            }
        }
    }
}

fn org_name(text: &str) -> Result<OrgName> {
    OrgName::parse(text).map_err(|e| CliError::Demo(format!("generated name: {e}")))
}

/// Authority and type, division, an organisation code as issued since
/// 2015 (`MA` then six characters, with its GB 11714 check), and the
/// GB 32100 check character.
fn credit_code(rng: &mut impl Rng, prefix: &str, county: &str) -> Result<String> {
    let body: String = (0..6)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    let organisation = format!("MA{body}");
    let check = organisation_check(&organisation)
        .ok_or_else(|| CliError::Demo(format!("organisation code {organisation}")))?;
    let first17 = format!("{prefix}{county}{organisation}{check}");
    let last = check_character(&first17)
        .ok_or_else(|| CliError::Demo(format!("credit code {first17}")))?;
    Ok(format!("{first17}{last}"))
}

/// GB 11714 check character of the first eight characters of an
/// organisation code: 11 − (Σ value × weight mod 11), X for 10, 0 for 11.
fn organisation_check(first8: &str) -> Option<char> {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first8
        .chars()
        .zip(WEIGHTS)
        .map(|(c, weight)| c.to_digit(36).map(|v| v * weight))
        .sum::<Option<u32>>()?;
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        digit => char::from_digit(digit, 10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn generated_credit_codes_pass_both_checks() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut orgs = Orgs::default();
        for _ in 0..500 {
            let uscc = orgs
                .uscc(&mut rng, OrgKind::Company, "110101")
                .expect("a code");
            assert!(uscc.organisation_code_check_holds(), "{uscc}");
            assert_eq!(uscc.division_code(), "110101");
        }
    }
}
