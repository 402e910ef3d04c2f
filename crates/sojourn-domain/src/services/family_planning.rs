//! The family-planning follow-up of married women of childbearing age
//! (流动人口已婚育龄妇女跟踪服务, R4.3).
//!
//! Who: a woman, married, aged 15–49 on the day that brought her into the
//! registers — her arrival for an inflow woman (流入), her departure for an
//! outflow woman (流出). Her age is judged on that day, never on the day a
//! list is drawn: a woman who arrived at 49 stays in the follow-up she was
//! filed for ([`Subject::in_scope`]).
//!
//! Her follow-up file ([`FollowUp`]) holds the marriage & childbearing
//! certificate 婚育证明 (checked, or chased), her contraception (a method
//! from the code table and since when), a current pregnancy, births, and
//! the three checks 三查 (IUD, pregnancy, reproductive health), done three
//! times a year in windows the deployment sets ([`CheckWindows`], by
//! default January–April, May–August, September–December). A year's
//! schedule holds one due check per woman per window; a window's check is
//! done when a result dated inside it is recorded, missed when the window
//! ended without one ([`CheckState`]).
//!
//! The 30-day rules are judged on facts: a file must be made within 30
//! days of the arrival (inflow) or departure (outflow). The filing date is
//! the day a collector made the file, or the 建档日期 an imported sheet
//! states — never the day a bulk import ran ([`Filing`]).
//!
//! The five key groups (重点人群) are predicates over a file
//! ([`KeyGroup::holds`]): a birth within two years, currently pregnant, a
//! missed 三查, no long-acting method, no certificate.

use crate::codes::{ContraceptiveMethod, MaritalStatus, Sex};
use crate::localized::Localized;
use crate::outflow::OutflowId;
use crate::person::PersonId;
use crate::quality::CHILDBEARING_AGES;
use crate::residence::ResidenceId;
use crate::time_rules::age_on;
use crate::unit::UnitCode;
use std::fmt;
use time::{Date, Duration, Month};

/// Days after the arrival (inflow) or departure (outflow) within which the
/// file is made; that day plus 30 is still in time.
pub const FILING_DAYS: i64 = 30;

/// Years after a birth during which the woman is a key group.
pub const RECENT_BIRTH_YEARS: i32 = 2;

/// How a woman came into the registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Population {
    /// A floating woman who arrived here (流入).
    Inflow,
    /// A local woman who left (流出).
    Outflow,
}

impl Population {
    pub fn key(self) -> &'static str {
        match self {
            Self::Inflow => "inflow",
            Self::Outflow => "outflow",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Inflow, Self::Outflow]
            .into_iter()
            .find(|p| p.key() == key)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Inflow => "流入",
            Self::Outflow => "流出",
        }
    }
}

/// What the registers say of a woman, as the follow-up judges her.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub sex: Sex,
    pub birth_date: Date,
    pub marital_status: Option<MaritalStatus>,
    pub population: Population,
    /// Her arrival (inflow) or departure (outflow).
    pub basis_on: Date,
}

impl Subject {
    /// Her age, in whole years, on the day that brought her in.
    pub fn age_at_basis(&self) -> i32 {
        age_on(self.birth_date, self.basis_on)
    }

    /// Whether she is followed up: a married woman, 15–49 on her arrival
    /// or departure.
    pub fn in_scope(&self) -> bool {
        self.sex == Sex::Female
            && self.marital_status.is_some_and(MaritalStatus::is_married)
            && CHILDBEARING_AGES.contains(&self.age_at_basis())
    }

    /// Why she is not followed up, if she is not.
    pub fn check_in_scope(&self) -> Result<(), FamilyPlanningError> {
        if self.sex != Sex::Female {
            return Err(FamilyPlanningError::NotAWoman);
        }
        if !self.marital_status.is_some_and(MaritalStatus::is_married) {
            return Err(FamilyPlanningError::NotMarried);
        }
        let age = self.age_at_basis();
        if !CHILDBEARING_AGES.contains(&age) {
            return Err(FamilyPlanningError::OutsideChildbearingAge {
                age,
                on: self.basis_on,
            });
        }
        Ok(())
    }

    /// The last day her file is in time.
    pub fn filing_due(&self) -> Date {
        self.basis_on + Duration::days(FILING_DAYS)
    }
}

/// Where a file's filing date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filing {
    /// A collector made the file on this day (China time).
    Collector { on: Date },
    /// An imported sheet states this 建档日期.
    Sheet { stated: Date },
}

impl Filing {
    /// The filing date the 30-day rule judges.
    pub fn filed_on(self) -> Date {
        match self {
            Self::Collector { on } => on,
            Self::Sheet { stated } => stated,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Collector { .. } => "collector",
            Self::Sheet { .. } => "sheet",
        }
    }

    /// A filing date is never in the future, nor before 1900.
    pub fn check(self, today: Date) -> Result<(), FamilyPlanningError> {
        not_future(self.filed_on(), today)
    }
}

/// Whether a woman's file breaks the 30-day rule by `today`: made after
/// the 30 days, or not made and the 30 days are over.
pub fn filed_late(due: Date, filed_on: Option<Date>, today: Date) -> bool {
    match filed_on {
        Some(filed) => filed > due,
        None => today > due,
    }
}

/// The marriage & childbearing certificate 婚育证明.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Certificate {
    /// Not seen, not asked for yet.
    #[default]
    Missing,
    /// Seen and checked on this day.
    Checked { on: Date },
    /// Asked for (催办) on this day, not yet seen.
    Chased { on: Date },
}

impl Certificate {
    pub fn key(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Checked { .. } => "checked",
            Self::Chased { .. } => "chased",
        }
    }

    pub fn on(self) -> Option<Date> {
        match self {
            Self::Missing => None,
            Self::Checked { on } | Self::Chased { on } => Some(on),
        }
    }

    /// The certificate from its stored key and date.
    pub fn from_parts(key: &str, on: Option<Date>) -> Option<Self> {
        match (key, on) {
            ("missing", None) => Some(Self::Missing),
            ("checked", Some(on)) => Some(Self::Checked { on }),
            ("chased", Some(on)) => Some(Self::Chased { on }),
            _ => None,
        }
    }
}

/// A contraceptive method and since when it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contraception {
    pub method: ContraceptiveMethod,
    pub since: Date,
}

/// The follow-up file's contents: all of it sealed in the store.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FollowUp {
    pub certificate: Certificate,
    pub contraception: Option<Contraception>,
    /// The day a current pregnancy was learnt of; `None` when not pregnant.
    pub pregnant_since: Option<Date>,
    /// Birth dates of her children, oldest first.
    pub births: Vec<Date>,
}

impl FollowUp {
    /// A file's dates are not in the future; births are kept in order.
    pub fn check(mut self, today: Date) -> Result<Self, FamilyPlanningError> {
        let dates = (self.certificate.on().into_iter())
            .chain(self.contraception.map(|c| c.since))
            .chain(self.pregnant_since)
            .chain(self.births.iter().copied());
        for date in dates {
            not_future(date, today)?;
        }
        self.births.sort_unstable();
        self.births.dedup();
        Ok(self)
    }

    /// The latest birth, if any.
    pub fn last_birth(&self) -> Option<Date> {
        self.births.last().copied()
    }
}

/// The three windows of a year's 三查, as months each starts in; each ends
/// the day before the next starts, the third on 31 December. Parsed, so a
/// deployment cannot set windows that overlap or leave a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckWindows([Month; 3]);

impl Default for CheckWindows {
    /// January–April, May–August, September–December.
    fn default() -> Self {
        Self([Month::January, Month::May, Month::September])
    }
}

/// One window of one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Window {
    pub year: i32,
    /// 1, 2 or 3.
    pub number: u8,
}

impl CheckWindows {
    /// Windows starting in these months: the first in January, the others
    /// later in the year, in order.
    pub fn new(starts: [Month; 3]) -> Result<Self, FamilyPlanningError> {
        let [a, b, c] = starts.map(|m| m as u8);
        if a != 1 || !(a < b && b < c) {
            return Err(FamilyPlanningError::WindowsInvalid);
        }
        Ok(Self(starts))
    }

    /// From the months as numbers (a deployment's setting, e.g. `1,5,9`).
    pub fn parse(text: &str) -> Result<Self, FamilyPlanningError> {
        let months: Vec<Month> = text
            .split([',', '，'])
            .map(|part| {
                (part.trim().parse::<u8>().ok())
                    .and_then(|n| Month::try_from(n).ok())
                    .ok_or(FamilyPlanningError::WindowsInvalid)
            })
            .collect::<Result<_, _>>()?;
        let starts: [Month; 3] = months
            .try_into()
            .map_err(|_| FamilyPlanningError::WindowsInvalid)?;
        Self::new(starts)
    }

    pub fn starts(self) -> [Month; 3] {
        self.0
    }

    /// The window a day falls in.
    pub fn window_of(self, day: Date) -> Window {
        let month = day.month() as u8;
        let number = (self.0.iter())
            .rposition(|start| *start as u8 <= month)
            .map_or(1, |i| i as u8 + 1);
        Window {
            year: day.year(),
            number,
        }
    }

    /// The first and last day of a window.
    pub fn range(self, window: Window) -> (Date, Date) {
        let index = usize::from(window.number.clamp(1, 3) - 1);
        let first = first_of(window.year, self.0[index]);
        let next = match self.0.get(index + 1) {
            Some(next) => first_of(window.year, *next),
            None => first_of(window.year.saturating_add(1), Month::January),
        };
        let last = next.checked_sub(Duration::days(1)).unwrap_or(next);
        (first, last)
    }

    /// The three windows of a year.
    pub fn of_year(self, year: i32) -> [Window; 3] {
        [1, 2, 3].map(|number| Window { year, number })
    }
}

/// The first of a month; a year out of `time`'s range is clamped (a stored
/// date never is).
fn first_of(year: i32, month: Month) -> Date {
    Date::from_calendar_date(year, month, 1).unwrap_or(Date::MAX)
}

/// Where a woman's check of one window stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckState {
    /// The window has not begun.
    Upcoming,
    /// The window is open and no result is recorded yet.
    Due,
    /// A result is recorded.
    Done,
    /// The window ended without a result.
    Missed,
}

impl CheckState {
    pub fn of(range: (Date, Date), done: bool, today: Date) -> Self {
        match () {
            () if done => Self::Done,
            () if today < range.0 => Self::Upcoming,
            () if today > range.1 => Self::Missed,
            () => Self::Due,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Due => "due",
            Self::Done => "done",
            Self::Missed => "missed",
        }
    }
}

/// The IUD check (查环).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IudFinding {
    InPlace,
    /// Moved, expelled or missing: to be followed up.
    NotInPlace,
    /// She has no IUD.
    NotApplicable,
}

/// The pregnancy check (查孕).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PregnancyFinding {
    NotPregnant,
    Pregnant,
}

/// The reproductive-health check (查病).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthFinding {
    Normal,
    /// Something found that is referred on.
    Referred,
}

macro_rules! keyed {
    ($ty:ident { $($variant:ident = $key:literal, $zh:literal;)+ }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
            pub fn key(self) -> &'static str {
                match self { $($ty::$variant => $key),+ }
            }
            pub fn name_zh(self) -> &'static str {
                match self { $($ty::$variant => $zh),+ }
            }
            pub fn from_key(key: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.key() == key)
            }
        }
    };
}

keyed!(IudFinding {
    InPlace = "in_place", "环在位";
    NotInPlace = "not_in_place", "环不在位";
    NotApplicable = "not_applicable", "未上环";
});
keyed!(PregnancyFinding {
    NotPregnant = "not_pregnant", "未孕";
    Pregnant = "pregnant", "已孕";
});
keyed!(HealthFinding {
    Normal = "normal", "未见异常";
    Referred = "referred", "异常转诊";
});

/// One 三查 result: the day of the checks and what each found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckResult {
    pub checked_on: Date,
    pub iud: IudFinding,
    pub pregnancy: PregnancyFinding,
    pub health: HealthFinding,
}

impl CheckResult {
    /// Refuses a result that cannot be true of her: dated in the future,
    /// before her arrival (an inflow woman was not here to be checked), or
    /// on a day she is outside 15–49. Answers the window it counts for.
    pub fn check(
        &self,
        subject: &Subject,
        windows: CheckWindows,
        today: Date,
    ) -> Result<Window, FamilyPlanningError> {
        not_future(self.checked_on, today)?;
        if subject.population == Population::Inflow && self.checked_on < subject.basis_on {
            return Err(FamilyPlanningError::CheckBeforeArrival {
                checked: self.checked_on,
                arrived: subject.basis_on,
            });
        }
        let age = age_on(subject.birth_date, self.checked_on);
        if !CHILDBEARING_AGES.contains(&age) {
            return Err(FamilyPlanningError::OutsideChildbearingAge {
                age,
                on: self.checked_on,
            });
        }
        Ok(windows.window_of(self.checked_on))
    }
}

/// The five key groups (重点人群) of the follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyGroup {
    /// A birth within the last two years.
    RecentBirth,
    Pregnant,
    /// A window of the schedule ended without a 三查.
    MissedCheck,
    /// No IUD, implant or sterilisation.
    NoLongActingMethod,
    /// The 婚育证明 not checked.
    NoCertificate,
}

impl KeyGroup {
    pub const ALL: [KeyGroup; 5] = [
        Self::RecentBirth,
        Self::Pregnant,
        Self::MissedCheck,
        Self::NoLongActingMethod,
        Self::NoCertificate,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::RecentBirth => "recent_birth",
            Self::Pregnant => "pregnant",
            Self::MissedCheck => "missed_check",
            Self::NoLongActingMethod => "no_long_acting_method",
            Self::NoCertificate => "no_certificate",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.key() == key)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::RecentBirth => "两年内生育",
            Self::Pregnant => "现孕",
            Self::MissedCheck => "漏查",
            Self::NoLongActingMethod => "未落实长效节育措施",
            Self::NoCertificate => "未查验婚育证明",
        }
    }

    /// Whether a woman with this file belongs to the group on `today`;
    /// `missed` tells whether a window of her schedule ended without a
    /// check (the schedule is kept beside the file).
    pub fn holds(self, file: &FollowUp, missed: bool, today: Date) -> bool {
        match self {
            Self::RecentBirth => file.last_birth().is_some_and(|born| {
                let years_later = born
                    .replace_year(born.year() + RECENT_BIRTH_YEARS)
                    // 29 February: two years later there is none.
                    .unwrap_or_else(|_| born + Duration::days(365 * 2));
                today < years_later
            }),
            Self::Pregnant => file.pregnant_since.is_some(),
            Self::MissedCheck => missed,
            Self::NoLongActingMethod => !file
                .contraception
                .is_some_and(|c| c.method.is_long_acting()),
            Self::NoCertificate => !matches!(file.certificate, Certificate::Checked { .. }),
        }
    }
}

/// The id of a follow-up file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FollowUpFileId(pub i64);

/// Whose file it is: an inflow woman's stay, or an outflow woman's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woman {
    Inflow {
        residence: ResidenceId,
        person: PersonId,
    },
    Outflow {
        outflow: OutflowId,
    },
}

impl Woman {
    pub fn population(self) -> Population {
        match self {
            Self::Inflow { .. } => Population::Inflow,
            Self::Outflow { .. } => Population::Outflow,
        }
    }
}

/// Which register record a new file is opened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WomanRef {
    /// An inflow woman's stay: arrival, sex, birth and marital status are
    /// read from the stay and her person file.
    Residence(ResidenceId),
    /// An outflow woman's record: departure, sex and birth are read from
    /// it; the outflow register keeps no marital status, so the opening
    /// states it.
    Outflow(OutflowId),
}

/// A file to open: on whom, how it was filed, what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOpening {
    pub woman: WomanRef,
    pub filing: Filing,
    /// Used where the register holds none (an outflow woman, or a person
    /// file without it).
    pub marital_status: Option<MaritalStatus>,
    pub contents: FollowUp,
}

/// A follow-up file as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpFile {
    pub id: FollowUpFileId,
    pub unit: UnitCode,
    pub woman: Woman,
    pub birth_date: Date,
    /// Her arrival (inflow) or departure (outflow).
    pub basis_on: Date,
    pub filing: Filing,
    pub contents: FollowUp,
    pub version: i64,
}

impl FollowUpFile {
    /// The woman as the rules judge her (married: her file was opened).
    pub fn subject(&self) -> Subject {
        Subject {
            sex: Sex::Female,
            birth_date: self.birth_date,
            marital_status: Some(MaritalStatus::Married),
            population: self.woman.population(),
            basis_on: self.basis_on,
        }
    }

    /// Whether the file itself broke the 30-day rule.
    pub fn filed_late(&self) -> bool {
        self.filing.filed_on() > self.subject().filing_due()
    }
}

/// One window of a woman's schedule, and its result once recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledCheck {
    pub file: FollowUpFileId,
    pub window: Window,
    pub due_from: Date,
    pub due_to: Date,
    pub result: Option<CheckResult>,
}

impl ScheduledCheck {
    pub fn state(&self, today: Date) -> CheckState {
        CheckState::of((self.due_from, self.due_to), self.result.is_some(), today)
    }
}

fn not_future(date: Date, today: Date) -> Result<(), FamilyPlanningError> {
    if date > today {
        return Err(FamilyPlanningError::InFuture { date, today });
    }
    Ok(())
}

/// What the follow-up refuses, with its reason in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FamilyPlanningError {
    NotAWoman,
    NotMarried,
    /// Outside 15–49 on the day named.
    OutsideChildbearingAge {
        age: i32,
        on: Date,
    },
    CheckBeforeArrival {
        checked: Date,
        arrived: Date,
    },
    InFuture {
        date: Date,
        today: Date,
    },
    WindowsInvalid,
    /// Her file is already open.
    AlreadyFiled {
        file: i64,
    },
    /// A schedule asked for a year no register holds.
    YearOutOfRange {
        year: i32,
    },
}

/// The years a 三查 schedule may be made for.
pub const SCHEDULE_YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// `year`, if a schedule may be made for it.
pub fn schedule_year(year: i32) -> Result<i32, FamilyPlanningError> {
    if SCHEDULE_YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(FamilyPlanningError::YearOutOfRange { year })
    }
}

impl fmt::Display for FamilyPlanningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for FamilyPlanningError {}

impl Localized for FamilyPlanningError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotAWoman => "family_planning_not_a_woman",
            Self::NotMarried => "family_planning_not_married",
            Self::OutsideChildbearingAge { .. } => "family_planning_outside_childbearing_age",
            Self::CheckBeforeArrival { .. } => "family_planning_check_before_arrival",
            Self::InFuture { .. } => "family_planning_date_in_future",
            Self::WindowsInvalid => "family_planning_windows_invalid",
            Self::AlreadyFiled { .. } => "family_planning_already_filed",
            Self::YearOutOfRange { .. } => "family_planning_year_out_of_range",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::NotAWoman => "已婚育龄妇女跟踪服务只适用于女性".to_owned(),
            Self::NotMarried => "已婚育龄妇女跟踪服务只适用于已婚妇女".to_owned(),
            Self::OutsideChildbearingAge { age, on } => {
                format!("{on}时年龄为{age}岁，不在育龄（15至49岁）范围内")
            }
            Self::CheckBeforeArrival { checked, arrived } => {
                format!("三查日期{checked}早于来本地日期{arrived}")
            }
            Self::InFuture { date, today } => format!("日期{date}晚于今天（{today}）"),
            Self::WindowsInvalid => {
                "三查时段须为三个月份，第一个为1月，其余依次递增（如1,5,9）".to_owned()
            }
            Self::AlreadyFiled { file } => format!("她的跟踪服务档案已建立（档案 {file}）"),
            Self::YearOutOfRange { year } => {
                format!("{year}年不在可安排三查的年份（1990至2100年）之内")
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::NotAWoman => "the family-planning follow-up is for women only".to_owned(),
            Self::NotMarried => "the family-planning follow-up is for married women".to_owned(),
            Self::OutsideChildbearingAge { age, on } => {
                format!("aged {age} on {on}: outside childbearing age (15 to 49)")
            }
            Self::CheckBeforeArrival { checked, arrived } => {
                format!("the three checks on {checked} are dated before the arrival on {arrived}")
            }
            Self::InFuture { date, today } => {
                format!("{date} is in the future (today is {today})")
            }
            Self::WindowsInvalid => "the three check windows are three months, the first \
                January, the others later in order (such as 1,5,9)"
                .to_owned(),
            Self::AlreadyFiled { file } => {
                format!("her follow-up file is already open (file {file})")
            }
            Self::YearOutOfRange { year } => {
                format!("{year} is not a year a schedule is made for (1990 to 2100)")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_schedule_year_far_from_any_register_is_refused_and_windows_never_overflow() {
        assert_eq!(schedule_year(2026), Ok(2026));
        for year in [1989, 2101, i32::MAX, i32::MIN] {
            assert!(schedule_year(year).is_err(), "{year}");
        }
        let windows = CheckWindows::default();
        for window in windows.of_year(i32::MAX) {
            let (first, last) = windows.range(window);
            assert!(first <= last || first == Date::MAX);
        }
    }

    const TODAY: Date = date!(2026 - 12 - 07);

    fn woman(born: Date, arrived: Date) -> Subject {
        Subject {
            sex: Sex::Female,
            birth_date: born,
            marital_status: Some(MaritalStatus::FirstMarriage),
            population: Population::Inflow,
            basis_on: arrived,
        }
    }

    #[test]
    fn age_is_judged_on_arrival_not_today() {
        // 49 on arrival, 50 by now: still followed up.
        let w = woman(date!(1976 - 06 - 01), date!(2026 - 03 - 01));
        assert!(w.in_scope());
        assert_eq!(age_on(w.birth_date, TODAY), 50);
        // 50 on arrival: not.
        let w = woman(date!(1976 - 02 - 28), date!(2026 - 03 - 01));
        assert_eq!(
            w.check_in_scope(),
            Err(FamilyPlanningError::OutsideChildbearingAge {
                age: 50,
                on: date!(2026 - 03 - 01)
            })
        );
        // 14 on arrival: not, though 15 by now.
        let w = woman(date!(2011 - 06 - 01), date!(2026 - 03 - 01));
        assert!(!w.in_scope());
    }

    #[test]
    fn an_outflow_woman_is_judged_on_her_departure() {
        let w = Subject {
            population: Population::Outflow,
            ..woman(date!(1976 - 06 - 01), date!(2026 - 05 - 31))
        };
        assert!(w.in_scope());
        let later = Subject {
            basis_on: date!(2026 - 06 - 01),
            ..w
        };
        assert!(!later.in_scope());
    }

    #[test]
    fn only_married_women_are_followed_up() {
        let base = woman(date!(1990 - 01 - 01), date!(2026 - 03 - 01));
        for status in MaritalStatus::ALL {
            let w = Subject {
                marital_status: Some(*status),
                ..base
            };
            assert_eq!(w.in_scope(), status.is_married(), "{status:?}");
        }
        let unknown = Subject {
            marital_status: None,
            ..base
        };
        assert_eq!(
            unknown.check_in_scope(),
            Err(FamilyPlanningError::NotMarried)
        );
        let man = Subject {
            sex: Sex::Male,
            ..base
        };
        assert_eq!(man.check_in_scope(), Err(FamilyPlanningError::NotAWoman));
    }

    #[test]
    fn the_filing_rule_reads_the_filing_date_not_the_import_run() {
        let w = woman(date!(1990 - 01 - 01), date!(2026 - 03 - 01));
        let due = w.filing_due();
        assert_eq!(due, date!(2026 - 03 - 31));
        // A sheet imported in December stating 建档日期 in March is in time.
        let sheet = Filing::Sheet {
            stated: date!(2026 - 03 - 20),
        };
        assert!(!filed_late(due, Some(sheet.filed_on()), TODAY));
        assert!(!filed_late(due, Some(due), TODAY));
        assert!(filed_late(due, Some(date!(2026 - 04 - 01)), TODAY));
        // Not filed: late only once the 30 days are over.
        assert!(!filed_late(due, None, date!(2026 - 03 - 31)));
        assert!(filed_late(due, None, date!(2026 - 04 - 01)));
        let future = Filing::Collector {
            on: date!(2026 - 12 - 08),
        };
        assert!(matches!(
            future.check(TODAY),
            Err(FamilyPlanningError::InFuture { .. })
        ));
    }

    #[test]
    fn the_default_windows_are_january_may_and_september() {
        let w = CheckWindows::default();
        assert_eq!(
            w.window_of(date!(2026 - 04 - 30)),
            Window {
                year: 2026,
                number: 1
            }
        );
        assert_eq!(w.window_of(date!(2026 - 05 - 01)).number, 2);
        assert_eq!(w.window_of(date!(2026 - 12 - 31)).number, 3);
        let second = Window {
            year: 2028,
            number: 1,
        };
        assert_eq!(
            w.range(second),
            (date!(2028 - 01 - 01), date!(2028 - 04 - 30))
        );
        let third = Window {
            year: 2026,
            number: 3,
        };
        assert_eq!(
            w.range(third),
            (date!(2026 - 09 - 01), date!(2026 - 12 - 31))
        );
    }

    #[test]
    fn a_deployment_sets_its_own_windows_but_not_broken_ones() {
        let w = CheckWindows::parse("1, 4, 10").expect("windows");
        let second = Window {
            year: 2026,
            number: 2,
        };
        assert_eq!(
            w.range(second),
            (date!(2026 - 04 - 01), date!(2026 - 09 - 30))
        );
        for bad in [
            "2,5,9",
            "1,9,5",
            "1,5",
            "1,5,9,11",
            "1,5,13",
            "1,1,9",
            "一,五,九",
        ] {
            assert_eq!(
                CheckWindows::parse(bad),
                Err(FamilyPlanningError::WindowsInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_window_is_due_then_done_or_missed() {
        let range = (date!(2026 - 09 - 01), date!(2026 - 12 - 31));
        assert_eq!(
            CheckState::of(range, false, date!(2026 - 08 - 31)),
            CheckState::Upcoming
        );
        assert_eq!(CheckState::of(range, false, TODAY), CheckState::Due);
        assert_eq!(CheckState::of(range, true, TODAY), CheckState::Done);
        assert_eq!(
            CheckState::of(range, false, date!(2027 - 01 - 01)),
            CheckState::Missed
        );
    }

    fn result(on: Date) -> CheckResult {
        CheckResult {
            checked_on: on,
            iud: IudFinding::InPlace,
            pregnancy: PregnancyFinding::NotPregnant,
            health: HealthFinding::Normal,
        }
    }

    #[test]
    fn a_check_counts_for_the_window_it_is_dated_in() {
        let w = woman(date!(1990 - 01 - 01), date!(2026 - 03 - 01));
        let window = result(date!(2026 - 06 - 15))
            .check(&w, CheckWindows::default(), TODAY)
            .expect("a good check");
        assert_eq!(
            window,
            Window {
                year: 2026,
                number: 2
            }
        );
    }

    #[test]
    fn a_check_before_arrival_in_the_future_or_outside_15_to_49_is_refused() {
        let w = woman(date!(1977 - 01 - 10), date!(2026 - 03 - 01));
        let windows = CheckWindows::default();
        let early = result(date!(2026 - 02 - 28)).check(&w, windows, TODAY);
        assert_eq!(
            early,
            Err(FamilyPlanningError::CheckBeforeArrival {
                checked: date!(2026 - 02 - 28),
                arrived: date!(2026 - 03 - 01)
            })
        );
        let future = result(date!(2026 - 12 - 08)).check(&w, windows, TODAY);
        assert!(matches!(future, Err(FamilyPlanningError::InFuture { .. })));
        // She turns 50 on 2027-01-10.
        let late = result(date!(2027 - 01 - 10)).check(&w, windows, date!(2027 - 02 - 01));
        assert!(matches!(
            late,
            Err(FamilyPlanningError::OutsideChildbearingAge { age: 50, .. })
        ));
        // An outflow woman may be checked before she left.
        let away = Subject {
            population: Population::Outflow,
            ..w
        };
        assert!(
            result(date!(2026 - 02 - 28))
                .check(&away, windows, TODAY)
                .is_ok()
        );
    }

    #[test]
    fn every_refusal_explains_itself_in_both_languages() {
        let errors = [
            FamilyPlanningError::NotAWoman,
            FamilyPlanningError::NotMarried,
            FamilyPlanningError::OutsideChildbearingAge { age: 50, on: TODAY },
            FamilyPlanningError::CheckBeforeArrival {
                checked: TODAY,
                arrived: TODAY,
            },
            FamilyPlanningError::InFuture {
                date: TODAY,
                today: TODAY,
            },
            FamilyPlanningError::WindowsInvalid,
            FamilyPlanningError::AlreadyFiled { file: 1 },
        ];
        for e in errors {
            assert!(e.code().starts_with("family_planning_"));
            assert!(!e.message_zh().is_empty() && !e.message_en().is_empty());
        }
        let e = FamilyPlanningError::CheckBeforeArrival {
            checked: date!(2026 - 02 - 28),
            arrived: date!(2026 - 03 - 01),
        };
        assert!(e.message_zh().contains("早于来本地日期2026-03-01"));
    }

    #[test]
    fn the_key_groups_are_predicates_over_the_file() {
        let empty = FollowUp::default();
        let groups = |f: &FollowUp, missed| {
            KeyGroup::ALL
                .into_iter()
                .filter(|g| g.holds(f, missed, TODAY))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            groups(&empty, false),
            [KeyGroup::NoLongActingMethod, KeyGroup::NoCertificate]
        );
        let settled = FollowUp {
            certificate: Certificate::Checked {
                on: date!(2026 - 03 - 05),
            },
            contraception: Some(Contraception {
                method: ContraceptiveMethod::Iud,
                since: date!(2020 - 01 - 01),
            }),
            pregnant_since: None,
            births: vec![date!(2024 - 12 - 07)],
        };
        assert_eq!(groups(&settled, false), []);
        let recent = FollowUp {
            births: vec![date!(2024 - 12 - 08)],
            pregnant_since: Some(date!(2026 - 11 - 01)),
            contraception: Some(Contraception {
                method: ContraceptiveMethod::Condom,
                since: date!(2020 - 01 - 01),
            }),
            ..settled.clone()
        };
        assert_eq!(
            groups(&recent, true),
            [
                KeyGroup::RecentBirth,
                KeyGroup::Pregnant,
                KeyGroup::MissedCheck,
                KeyGroup::NoLongActingMethod
            ]
        );
        let chased = FollowUp {
            certificate: Certificate::Chased { on: TODAY },
            ..settled
        };
        assert!(KeyGroup::NoCertificate.holds(&chased, false, TODAY));
        for g in KeyGroup::ALL {
            assert_eq!(KeyGroup::from_key(g.key()), Some(g));
        }
    }

    #[test]
    fn a_file_with_a_date_in_the_future_is_refused_and_births_are_ordered() {
        let f = FollowUp {
            births: vec![date!(2022 - 01 - 01), date!(2019 - 05 - 01)],
            ..FollowUp::default()
        };
        let checked = f.check(TODAY).expect("good file");
        assert_eq!(
            checked.births,
            [date!(2019 - 05 - 01), date!(2022 - 01 - 01)]
        );
        let bad = FollowUp {
            pregnant_since: Some(date!(2026 - 12 - 08)),
            ..FollowUp::default()
        };
        assert!(matches!(
            bad.check(TODAY),
            Err(FamilyPlanningError::InFuture { .. })
        ));
    }

    #[test]
    fn long_acting_methods_are_iud_implant_and_sterilisation() {
        let long: Vec<_> = ContraceptiveMethod::ALL
            .iter()
            .filter(|m| m.is_long_acting())
            .map(|m| m.code())
            .collect();
        assert_eq!(long, ["01", "02", "03", "04"]);
        assert_eq!(
            ContraceptiveMethod::parse("上环"),
            Ok(ContraceptiveMethod::Iud)
        );
    }
}
