//! The catalogue of the monitor's rules: one stable code per rule, which
//! counts by unit and rule, stored findings and exports are keyed on, and
//! the short Chinese name the monitor heads its columns with. Kept apart
//! from the findings so that a reader of counts needs only this list.

/// The rules of the monitor, each with a stable code (counts by unit and
/// rule are keyed on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    IdMissing,
    IdNonStandard,
    IdWrongCheckCharacter,
    SexContradictsId,
    BirthDateContradictsId,
    AddressNotDownToTown,
    AddressUnknownDivision,
    HouseWithoutSecurityAgreement,
    ResidentWithoutHouse,
    ChildbearingWomanNotFiled,
    ReasonForStayUnknown,
    DomicileFromIdNumber,
    /// A 三查 recorded on a day the woman was outside 15–49.
    CheckOutsideChildbearingAge,
}

impl Rule {
    pub const ALL: [Rule; 13] = [
        Self::IdMissing,
        Self::IdNonStandard,
        Self::IdWrongCheckCharacter,
        Self::SexContradictsId,
        Self::BirthDateContradictsId,
        Self::AddressNotDownToTown,
        Self::AddressUnknownDivision,
        Self::HouseWithoutSecurityAgreement,
        Self::ResidentWithoutHouse,
        Self::ChildbearingWomanNotFiled,
        Self::ReasonForStayUnknown,
        Self::DomicileFromIdNumber,
        Self::CheckOutsideChildbearingAge,
    ];

    /// Stable snake_case code, prefixed `quality_`.
    pub fn code(self) -> &'static str {
        match self {
            Self::IdMissing => "quality_id_missing",
            Self::IdNonStandard => "quality_id_non_standard",
            Self::IdWrongCheckCharacter => "quality_id_wrong_check_character",
            Self::SexContradictsId => "quality_sex_contradicts_id",
            Self::BirthDateContradictsId => "quality_birth_date_contradicts_id",
            Self::AddressNotDownToTown => "quality_address_not_down_to_town",
            Self::AddressUnknownDivision => "quality_address_unknown_division",
            Self::HouseWithoutSecurityAgreement => "quality_house_without_security_agreement",
            Self::ResidentWithoutHouse => "quality_resident_without_house",
            Self::ChildbearingWomanNotFiled => "quality_childbearing_woman_not_filed",
            Self::ReasonForStayUnknown => "quality_reason_for_stay_unknown",
            Self::DomicileFromIdNumber => "quality_domicile_from_id_number",
            Self::CheckOutsideChildbearingAge => "quality_check_outside_childbearing_age",
        }
    }

    /// Short Chinese name, for the monitor's column heads.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::IdMissing => "身份证号码缺失",
            Self::IdNonStandard => "身份证号码不规范",
            Self::IdWrongCheckCharacter => "身份证号码校验位错误",
            Self::SexContradictsId => "性别与身份证号码不符",
            Self::BirthDateContradictsId => "出生日期与身份证号码不符",
            Self::AddressNotDownToTown => "地址未到乡镇（街道）",
            Self::AddressUnknownDivision => "地址区划代码不存在",
            Self::HouseWithoutSecurityAgreement => "出租房屋未签治安责任书",
            Self::ResidentWithoutHouse => "在住人员未关联房屋",
            Self::ChildbearingWomanNotFiled => "育龄妇女30日内未建档",
            Self::ReasonForStayUnknown => "来本地事由不详",
            Self::DomicileFromIdNumber => "户籍地按身份证号码推定",
            Self::CheckOutsideChildbearingAge => "三查对象不在育龄",
        }
    }
}
