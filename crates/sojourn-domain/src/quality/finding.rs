//! What a broken rule says: [`Finding`] carries the particulars a clerk
//! needs to fix the record (and [`AddressField`] which address it is
//! about), and renders them as zh-CN/en messages. The compact stored form
//! of the particulars is in `detail.rs`.

use super::Rule;
use crate::codes::{IdNumberError, Sex};
use crate::localized::Localized;
use time::Date;

/// Which address of a file a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressField {
    /// Place of household registration (户籍地).
    Domicile,
    /// Where the person lives now (现住地).
    Current,
}

impl AddressField {
    fn name_zh(self) -> &'static str {
        match self {
            Self::Domicile => "户籍地",
            Self::Current => "现住地",
        }
    }

    fn name_en(self) -> &'static str {
        match self {
            Self::Domicile => "household registration",
            Self::Current => "current address",
        }
    }
}

/// One rule broken by one record, with what the clerk needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    IdMissing,
    /// Wrong length or characters, an impossible birth date, or digits lost
    /// in a spreadsheet: the parser's reason is kept.
    IdNonStandard(IdNumberError),
    IdWrongCheckCharacter {
        expected: char,
        found: char,
    },
    SexContradictsId {
        recorded: Sex,
        from_id: Sex,
    },
    BirthDateContradictsId {
        recorded: Date,
        from_id: Date,
    },
    AddressNotDownToTown {
        field: AddressField,
        code: String,
    },
    AddressUnknownDivision {
        field: AddressField,
        code: String,
    },
    HouseWithoutSecurityAgreement,
    ResidentWithoutHouse,
    /// Arrived on `arrived`; filing was due by `due` and was made `filed`
    /// (late) or not at all.
    ChildbearingWomanNotFiled {
        arrived: Date,
        due: Date,
        filed: Option<Date>,
    },
    /// A current stay whose reason for stay is not known (imported from a
    /// ledger without the column).
    ReasonForStayUnknown,
    /// A 三查 of her follow-up dated `checked`, when she was `age`: outside
    /// 15–49 (her birth date was corrected, or the result came in from
    /// outside the follow-up's checks).
    CheckOutsideChildbearingAge {
        checked: Date,
        age: i32,
    },
    /// A file whose household registration was imported from a ledger
    /// whose place could not be read, and was taken from the ID number's
    /// address code instead (`code`): a clerk confirms it by saving the
    /// file.
    DomicileFromIdNumber {
        code: String,
    },
}

impl Finding {
    pub fn rule(&self) -> Rule {
        match self {
            Self::IdMissing => Rule::IdMissing,
            Self::IdNonStandard(_) => Rule::IdNonStandard,
            Self::IdWrongCheckCharacter { .. } => Rule::IdWrongCheckCharacter,
            Self::SexContradictsId { .. } => Rule::SexContradictsId,
            Self::BirthDateContradictsId { .. } => Rule::BirthDateContradictsId,
            Self::AddressNotDownToTown { .. } => Rule::AddressNotDownToTown,
            Self::AddressUnknownDivision { .. } => Rule::AddressUnknownDivision,
            Self::HouseWithoutSecurityAgreement => Rule::HouseWithoutSecurityAgreement,
            Self::ResidentWithoutHouse => Rule::ResidentWithoutHouse,
            Self::ChildbearingWomanNotFiled { .. } => Rule::ChildbearingWomanNotFiled,
            Self::ReasonForStayUnknown => Rule::ReasonForStayUnknown,
            Self::CheckOutsideChildbearingAge { .. } => Rule::CheckOutsideChildbearingAge,
            Self::DomicileFromIdNumber { .. } => Rule::DomicileFromIdNumber,
        }
    }
}

fn sex_zh(sex: Sex) -> &'static str {
    sex.name_zh()
}

fn sex_en(sex: Sex) -> &'static str {
    sex.name_en()
}

impl Localized for Finding {
    fn code(&self) -> &'static str {
        self.rule().code()
    }

    fn message_zh(&self) -> String {
        match self {
            Self::IdMissing => "未登记身份证号码".into(),
            Self::IdNonStandard(reason) => format!("身份证号码不规范：{}", reason.message_zh()),
            Self::IdWrongCheckCharacter { expected, found } => {
                format!("身份证号码校验位错误：按前17位应为 {expected}，实际为 {found}，请核对证件")
            }
            Self::SexContradictsId { recorded, from_id } => format!(
                "登记的性别“{}”与身份证号码（{}）不符",
                sex_zh(*recorded),
                sex_zh(*from_id)
            ),
            Self::BirthDateContradictsId { recorded, from_id } => {
                format!("登记的出生日期 {recorded} 与身份证号码中的 {from_id} 不符")
            }
            Self::AddressNotDownToTown { field, code } => format!(
                "{}区划代码“{code}”未到乡镇（街道）一级（须9位及以上）",
                field.name_zh()
            ),
            Self::AddressUnknownDivision { field, code } => {
                format!("{}区划代码 {code} 在全国区划数据中不存在", field.name_zh())
            }
            Self::HouseWithoutSecurityAgreement => "出租房屋未签订治安责任书".into(),
            Self::ResidentWithoutHouse => "在住流动人口未关联居住的出租房屋".into(),
            Self::ChildbearingWomanNotFiled {
                arrived,
                due,
                filed,
            } => match filed {
                Some(filed) => format!(
                    "流入育龄妇女于 {arrived} 来本地，应于 {due} 前建档，实际 {filed} 才建档"
                ),
                None => format!("流入育龄妇女于 {arrived} 来本地，应于 {due} 前建档，至今未建档"),
            },
            Self::ReasonForStayUnknown => "来本地事由不详（导入的台账没有此项），请补登".into(),
            Self::CheckOutsideChildbearingAge { checked, age } => {
                format!("{checked} 的三查时年龄为 {age} 岁，不在育龄（15至49岁）范围内，请核实")
            }
            Self::DomicileFromIdNumber { code } => {
                format!("导入的台账中户籍地无法识别，已按身份证号码推定为 {code}，请核实后保存档案")
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::IdMissing => "no identity number is recorded".into(),
            Self::IdNonStandard(reason) => {
                format!("non-standard identity number: {}", reason.message_en())
            }
            Self::IdWrongCheckCharacter { expected, found } => format!(
                "wrong check character in the identity number: expected {expected}, found {found}; check the card"
            ),
            Self::SexContradictsId { recorded, from_id } => format!(
                "recorded sex {} contradicts the identity number ({})",
                sex_en(*recorded),
                sex_en(*from_id)
            ),
            Self::BirthDateContradictsId { recorded, from_id } => format!(
                "recorded birth date {recorded} contradicts the identity number ({from_id})"
            ),
            Self::AddressNotDownToTown { field, code } => format!(
                "{} division code {code:?} does not reach town level (9 digits or more)",
                field.name_en()
            ),
            Self::AddressUnknownDivision { field, code } => format!(
                "{} division code {code} is not in the national division data",
                field.name_en()
            ),
            Self::HouseWithoutSecurityAgreement => {
                "the landlord has not signed the security-responsibility agreement".into()
            }
            Self::ResidentWithoutHouse => "a current resident is not linked to a house".into(),
            Self::ChildbearingWomanNotFiled {
                arrived,
                due,
                filed,
            } => match filed {
                Some(filed) => format!(
                    "inflow woman of childbearing age arrived {arrived}, was due to be filed by {due}, filed {filed}"
                ),
                None => format!(
                    "inflow woman of childbearing age arrived {arrived}, was due to be filed by {due}, not filed yet"
                ),
            },
            Self::ReasonForStayUnknown => {
                "the reason for stay is unknown (the imported ledger had no such column)".into()
            }
            Self::CheckOutsideChildbearingAge { checked, age } => format!(
                "the three checks on {checked} were recorded when she was {age}: outside \
                 childbearing age (15 to 49); please verify"
            ),
            Self::DomicileFromIdNumber { code } => format!(
                "the imported ledger's place of household registration could not be read; it was taken from the identity number as {code}: check it and save the file"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::test_support::{ARRIVED, TODAY};

    #[test]
    fn every_rule_has_a_distinct_code_and_both_messages() {
        let findings = [
            Finding::IdMissing,
            Finding::IdNonStandard(IdNumberError::WrongLength(3)),
            Finding::IdWrongCheckCharacter {
                expected: 'X',
                found: '1',
            },
            Finding::SexContradictsId {
                recorded: Sex::Male,
                from_id: Sex::Female,
            },
            Finding::BirthDateContradictsId {
                recorded: TODAY,
                from_id: ARRIVED,
            },
            Finding::AddressNotDownToTown {
                field: AddressField::Domicile,
                code: "110101".into(),
            },
            Finding::AddressUnknownDivision {
                field: AddressField::Current,
                code: "999999001".into(),
            },
            Finding::HouseWithoutSecurityAgreement,
            Finding::ResidentWithoutHouse,
            Finding::ChildbearingWomanNotFiled {
                arrived: ARRIVED,
                due: TODAY,
                filed: None,
            },
            Finding::ReasonForStayUnknown,
            Finding::DomicileFromIdNumber {
                code: "410102".into(),
            },
            Finding::CheckOutsideChildbearingAge {
                checked: TODAY,
                age: 50,
            },
        ];
        let codes: std::collections::HashSet<_> = findings.iter().map(Finding::code).collect();
        assert_eq!(codes.len(), Rule::ALL.len());
        for finding in &findings {
            assert!(Rule::ALL.contains(&finding.rule()));
            assert!(finding.code().starts_with("quality_"));
            assert!(!finding.message_zh().is_empty() && !finding.message_en().is_empty());
            assert!(!finding.rule().name_zh().is_empty());
        }
    }
}
