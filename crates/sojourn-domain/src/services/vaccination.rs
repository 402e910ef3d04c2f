//! Child vaccination of the floating population (R4.4, plan P11): the
//! rules alone, before any storage or page.
//!
//! A floating child under 7 — and every child under 16 on file — has the
//! vaccination certificate (预防接种证) checked or chased, and catch-up
//! doses recorded by the health role: a vaccine of the national
//! immunisation programme (a code table), the dose number, the day and
//! the clinic. A dose is refused when dated before the child's birth or
//! in the future. Every three months a survey round per unit lists each
//! child who has stayed three months or more; each child is marked seen,
//! certificate checked, or referred for catch-up, and the round's
//! coverage figures are counted from the marks.

use crate::localized::Localized;
use crate::text::OrgName;
use crate::time_rules::age_on;
use time::{Date, Month};

/// The age below which a floating child is followed (under 7).
pub const FOLLOWED_UNDER: i32 = 7;
/// The age below which a child on file is followed all the same (under 16).
pub const ON_FILE_UNDER: i32 = 16;
/// How long a child must have stayed to be listed in a survey round.
pub const SURVEY_MIN_STAY_MONTHS: u8 = 3;

/// A vaccine of the national immunisation programme (国家免疫规划疫苗).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vaccine {
    HepB,
    Bcg,
    Ipv,
    Bopv,
    Dtap,
    Dt,
    Mmr,
    JeLive,
    JeInactivated,
    MpsvA,
    MpsvAc,
    HepALive,
    HepAInactivated,
}

impl Vaccine {
    pub const ALL: [Vaccine; 13] = [
        Self::HepB,
        Self::Bcg,
        Self::Ipv,
        Self::Bopv,
        Self::Dtap,
        Self::Dt,
        Self::Mmr,
        Self::JeLive,
        Self::JeInactivated,
        Self::MpsvA,
        Self::MpsvAc,
        Self::HepALive,
        Self::HepAInactivated,
    ];

    /// The stable code, stored and used by the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::HepB => "hepb",
            Self::Bcg => "bcg",
            Self::Ipv => "ipv",
            Self::Bopv => "bopv",
            Self::Dtap => "dtap",
            Self::Dt => "dt",
            Self::Mmr => "mmr",
            Self::JeLive => "je_l",
            Self::JeInactivated => "je_i",
            Self::MpsvA => "mpsv_a",
            Self::MpsvAc => "mpsv_ac",
            Self::HepALive => "hepa_l",
            Self::HepAInactivated => "hepa_i",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::HepB => "乙肝疫苗",
            Self::Bcg => "卡介苗",
            Self::Ipv => "脊灰灭活疫苗",
            Self::Bopv => "脊灰减毒活疫苗",
            Self::Dtap => "百白破疫苗",
            Self::Dt => "白破疫苗",
            Self::Mmr => "麻腮风疫苗",
            Self::JeLive => "乙脑减毒活疫苗",
            Self::JeInactivated => "乙脑灭活疫苗",
            Self::MpsvA => "A群流脑多糖疫苗",
            Self::MpsvAc => "A群C群流脑多糖疫苗",
            Self::HepALive => "甲肝减毒活疫苗",
            Self::HepAInactivated => "甲肝灭活疫苗",
        }
    }

    /// The doses the programme gives (a catch-up dose is one of them).
    pub fn doses(self) -> u8 {
        match self {
            Self::HepB | Self::Dtap => 4,
            Self::Ipv | Self::Bopv => 2,
            Self::JeInactivated => 4,
            Self::MpsvA | Self::MpsvAc | Self::Mmr | Self::JeLive => 2,
            Self::HepAInactivated => 2,
            Self::Bcg | Self::Dt | Self::HepALive => 1,
        }
    }

    /// Accepts the code or the Chinese name.
    pub fn parse(input: &str) -> Result<Self, VaccinationError> {
        let text = input.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        Self::ALL
            .into_iter()
            .find(|v| v.code() == text || v.name_zh() == text)
            .ok_or_else(|| VaccinationError::UnknownVaccine(text.to_owned()))
    }
}

/// A dose given, as the health role records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dose {
    pub vaccine: Vaccine,
    /// 1 to the vaccine's number of doses.
    pub number: u8,
    pub given_on: Date,
    pub clinic: OrgName,
}

impl Dose {
    /// A dose of `vaccine` given to a child born on `birth`, refused when
    /// its number is not one the programme gives, or it is dated before
    /// the birth or after `today`.
    pub fn new(
        (vaccine, number): (Vaccine, u8),
        given_on: Date,
        clinic: OrgName,
        birth: Date,
        today: Date,
    ) -> Result<Self, VaccinationError> {
        if !(1..=vaccine.doses()).contains(&number) {
            return Err(VaccinationError::NoSuchDose { vaccine, number });
        }
        if given_on < birth {
            return Err(VaccinationError::BeforeBirth { given_on, birth });
        }
        if given_on > today {
            return Err(VaccinationError::InFuture { given_on });
        }
        Ok(Self {
            vaccine,
            number,
            given_on,
            clinic,
        })
    }
}

/// Whether a child born on `birth` is followed on `today`: under 7, or
/// under 16 when the file is the deployment's own (`on_file`).
pub fn is_followed(birth: Date, today: Date, on_file: bool) -> bool {
    let age = age_on(birth, today);
    (0..FOLLOWED_UNDER).contains(&age) || (on_file && (0..ON_FILE_UNDER).contains(&age))
}

/// Whether a stay since `arrived` counts for a survey round held on
/// `on`: three months or more.
pub fn stayed_long_enough(arrived: Date, on: Date) -> bool {
    months_back(on, SURVEY_MIN_STAY_MONTHS).is_some_and(|limit| arrived <= limit)
}

/// The same day `months` months before `on` (the month's last day where
/// it is shorter).
fn months_back(on: Date, months: u8) -> Option<Date> {
    let index = i32::from(on.month() as u8) - 1 - i32::from(months);
    let year = on.year() + index.div_euclid(12);
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let last = month.length(year);
    Date::from_calendar_date(year, month, on.day().min(last)).ok()
}

/// How a child was found in a survey round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SurveyMark {
    /// Seen; the certificate not (yet) checked.
    Seen,
    /// Seen and the certificate checked: up to date.
    CertificateChecked,
    /// Doses missing: referred to the clinic for catch-up.
    ReferredForCatchUp,
}

impl SurveyMark {
    pub const ALL: [SurveyMark; 3] = [
        Self::Seen,
        Self::CertificateChecked,
        Self::ReferredForCatchUp,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Seen => "seen",
            Self::CertificateChecked => "certificate_checked",
            Self::ReferredForCatchUp => "referred",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Seen => "已见面",
            Self::CertificateChecked => "已查验接种证",
            Self::ReferredForCatchUp => "已转介补种",
        }
    }
}

/// A round's coverage figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    pub listed: u64,
    pub seen: u64,
    pub certificate_checked: u64,
    pub referred: u64,
    /// Listed and not yet marked: the children still outstanding.
    pub outstanding: u64,
}

impl Coverage {
    /// The figures of a round listing one child per item of `marks`
    /// (`None`: not yet marked). A checked certificate or a referral
    /// means the child was seen too.
    pub fn of(marks: impl IntoIterator<Item = Option<SurveyMark>>) -> Self {
        marks.into_iter().fold(Self::default(), |mut c, mark| {
            c.listed += 1;
            match mark {
                None => c.outstanding += 1,
                Some(mark) => {
                    c.seen += 1;
                    c.certificate_checked += u64::from(mark == SurveyMark::CertificateChecked);
                    c.referred += u64::from(mark == SurveyMark::ReferredForCatchUp);
                }
            }
            c
        })
    }

    /// Certificates checked per thousand children listed (0 when none).
    pub fn checked_per_mille(&self) -> u64 {
        (self.certificate_checked * 1000)
            .checked_div(self.listed)
            .unwrap_or(0)
    }
}

/// Why a dose or a vaccine was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaccinationError {
    UnknownVaccine(String),
    NoSuchDose { vaccine: Vaccine, number: u8 },
    BeforeBirth { given_on: Date, birth: Date },
    InFuture { given_on: Date },
}

impl Localized for VaccinationError {
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownVaccine(_) => "vaccine_unknown",
            Self::NoSuchDose { .. } => "vaccine_no_such_dose",
            Self::BeforeBirth { .. } => "vaccination_before_birth",
            Self::InFuture { .. } => "vaccination_in_future",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::UnknownVaccine(v) => format!("“{v}”不是国家免疫规划疫苗"),
            Self::NoSuchDose { vaccine, number } => format!(
                "{}没有第{number}剂（共{}剂）",
                vaccine.name_zh(),
                vaccine.doses()
            ),
            Self::BeforeBirth { given_on, birth } => {
                format!("接种日期 {given_on} 早于出生日期 {birth}")
            }
            Self::InFuture { given_on } => format!("接种日期 {given_on} 还未到"),
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::UnknownVaccine(v) => {
                format!("{v:?} is not a vaccine of the national immunisation programme")
            }
            Self::NoSuchDose { vaccine, number } => format!(
                "{} has no dose {number} (it has {})",
                vaccine.code(),
                vaccine.doses()
            ),
            Self::BeforeBirth { given_on, birth } => {
                format!("the vaccination date {given_on} is before the birth date {birth}")
            }
            Self::InFuture { given_on } => {
                format!("the vaccination date {given_on} has not come yet")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const BIRTH: Date = date!(2022 - 05 - 10);
    const TODAY: Date = date!(2026 - 03 - 01);

    fn clinic() -> OrgName {
        OrgName::parse("东华门社区卫生服务中心").expect("clinic")
    }

    #[test]
    fn a_dose_before_birth_or_in_the_future_is_refused_in_both_languages() {
        let early = Dose::new(
            (Vaccine::HepB, 1),
            date!(2022 - 05 - 09),
            clinic(),
            BIRTH,
            TODAY,
        );
        let early = early.expect_err("before birth");
        assert_eq!(early.code(), "vaccination_before_birth");
        assert!(early.message_zh().contains("早于出生日期"));
        assert!(early.message_en().contains("before the birth date"));
        let late = Dose::new(
            (Vaccine::Mmr, 2),
            date!(2026 - 03 - 02),
            clinic(),
            BIRTH,
            TODAY,
        );
        assert_eq!(late.expect_err("future").code(), "vaccination_in_future");
        let fifth = Dose::new((Vaccine::Bcg, 2), TODAY, clinic(), BIRTH, TODAY);
        assert_eq!(fifth.expect_err("no dose").code(), "vaccine_no_such_dose");
        assert!(Dose::new((Vaccine::HepB, 1), BIRTH, clinic(), BIRTH, TODAY).is_ok());
    }

    #[test]
    fn vaccines_are_read_by_code_or_chinese_name() {
        assert_eq!(Vaccine::parse("麻腮风疫苗"), Ok(Vaccine::Mmr));
        assert_eq!(Vaccine::parse(" je_l "), Ok(Vaccine::JeLive));
        assert!(Vaccine::parse("新冠疫苗").is_err());
    }

    #[test]
    fn children_under_7_are_followed_and_under_16_when_on_file() {
        assert!(is_followed(BIRTH, TODAY, false));
        let ten = date!(2016 - 01 - 01);
        assert!(!is_followed(ten, TODAY, false));
        assert!(is_followed(ten, TODAY, true));
        assert!(!is_followed(date!(2009 - 01 - 01), TODAY, true));
    }

    #[test]
    fn a_round_lists_children_who_stayed_three_months_or_more() {
        assert!(stayed_long_enough(date!(2025 - 12 - 01), TODAY));
        assert!(!stayed_long_enough(date!(2025 - 12 - 02), TODAY));
        // A shorter month: 31 May back three months is 28 February.
        assert!(stayed_long_enough(
            date!(2026 - 02 - 28),
            date!(2026 - 05 - 31)
        ));
        assert!(stayed_long_enough(
            date!(2025 - 11 - 28),
            date!(2026 - 02 - 28)
        ));
        assert!(!stayed_long_enough(
            date!(2025 - 11 - 30),
            date!(2026 - 02 - 28)
        ));
    }

    #[test]
    fn coverage_counts_the_marks_and_the_children_outstanding() {
        let marks = [
            Some(SurveyMark::CertificateChecked),
            Some(SurveyMark::ReferredForCatchUp),
            Some(SurveyMark::Seen),
            None,
        ];
        let c = Coverage::of(marks);
        assert_eq!(
            c,
            Coverage {
                listed: 4,
                seen: 3,
                certificate_checked: 1,
                referred: 1,
                outstanding: 1
            }
        );
        assert_eq!(c.checked_per_mille(), 250);
        assert_eq!(Coverage::of([]).checked_per_mille(), 0);
    }
}
