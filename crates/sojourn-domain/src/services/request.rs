//! Service requests at the one-stop window (一站式服务, R4.2).
//!
//! A resident asks for something at the window, or a coordinator takes
//! the request down for them: a **kind** (employment, legal aid, housing,
//! schooling, social insurance, health, family planning, hardship relief
//! — a code table the deployment may extend, each kind with its own due
//! period, 7 days unless the deployment says otherwise), the person on
//! file, and what was asked. The request then moves through one line of
//! states, each step refused out of order:
//!
//! ```text
//! intake ──refer──▶ referred ──resolve──▶ resolved ──close──▶ closed
//!    │                 ▲  │ (refer again to another department)
//!    └─────────────────┘  │
//!    └──────resolve (at the window, no referral)──▶ resolved
//! ```
//!
//! A referral names the responsible department's contact as text
//! (department, person, phone): the department has no account here. A
//! resolution says what was done; closing records the resident's
//! satisfaction. The due date is the intake day plus the kind's period;
//! a request not yet resolved is *due* in the last days before it and
//! *overdue* after it — pure functions of dates, so the to-do list, the
//! worklist and the tests read the same rule.

use crate::codes::Phone;
use crate::localized::Localized;
use crate::text::{Note, OrgName, PersonName};
use crate::time_rules::PastDate;
use time::{Date, Duration};

/// The days before the due date in which an unresolved request is due.
pub const DUE_SOON_DAYS: i64 = 2;

/// A kind's code in the deployment's table: lower-case ASCII letters,
/// digits and `_`, 2 to 32 of them (stable, stored, used in URLs).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KindCode(String);

impl KindCode {
    pub fn parse(input: &str) -> Result<Self, RequestRefusal> {
        let code = input.trim();
        let fits = (2..=32).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if fits {
            Ok(Self(code.to_owned()))
        } else {
            Err(RequestRefusal::BadKindCode(code.chars().take(40).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many days a kind of request may take: 1 to 365.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DuePeriod(u16);

impl DuePeriod {
    /// The period of a kind the deployment has not set.
    pub const DEFAULT: DuePeriod = DuePeriod(7);

    pub fn new(days: i64) -> Result<Self, RequestRefusal> {
        match u16::try_from(days) {
            Ok(d @ 1..=365) => Ok(Self(d)),
            _ => Err(RequestRefusal::BadDuePeriod(days)),
        }
    }

    pub fn days(self) -> u16 {
        self.0
    }
}

/// A kind of request as the deployment's table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKind {
    pub code: KindCode,
    pub name_zh: OrgName,
    pub name_en: OrgName,
    pub due: DuePeriod,
}

/// The kinds every deployment starts with (code, zh-CN, English), each
/// due in [`DuePeriod::DEFAULT`]; the migration seeds the same table.
pub const DEFAULT_KINDS: [(&str, &str, &str); 8] = [
    ("employment", "就业服务", "employment"),
    ("legal_aid", "法律援助", "legal aid"),
    ("housing", "住房租赁", "housing"),
    ("schooling", "子女入学", "schooling"),
    ("social_insurance", "社会保险", "social insurance"),
    ("health", "医疗卫生", "health"),
    ("family_planning", "计划生育", "family planning"),
    ("hardship_relief", "困难救助", "hardship relief"),
];

/// The department contact a request is referred to: text, not an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub department: OrgName,
    pub contact: PersonName,
    pub phone: Phone,
}

/// What the resident said of the service, on closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Satisfaction {
    Satisfied,
    Neutral,
    Dissatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] = [Self::Satisfied, Self::Neutral, Self::Dissatisfied];

    pub fn code(self) -> &'static str {
        match self {
            Self::Satisfied => "satisfied",
            Self::Neutral => "neutral",
            Self::Dissatisfied => "dissatisfied",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Satisfied => "满意",
            Self::Neutral => "基本满意",
            Self::Dissatisfied => "不满意",
        }
    }
}

/// Where a request stands; each state keeps what brought it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestState {
    /// Taken at the window, nothing done yet.
    Intake,
    Referred {
        referral: Referral,
        on: Date,
    },
    Resolved {
        referral: Option<Referral>,
        resolution: Note,
        on: Date,
    },
    Closed {
        referral: Option<Referral>,
        resolution: Note,
        resolved_on: Date,
        satisfaction: Satisfaction,
        feedback: Option<Note>,
        on: Date,
    },
}

/// The states by name, for filters and stored columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateName {
    Intake,
    Referred,
    Resolved,
    Closed,
}

impl StateName {
    pub const ALL: [StateName; 4] = [Self::Intake, Self::Referred, Self::Resolved, Self::Closed];

    pub fn code(self) -> &'static str {
        match self {
            Self::Intake => "intake",
            Self::Referred => "referred",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Intake => "已受理",
            Self::Referred => "已转办",
            Self::Resolved => "已办结",
            Self::Closed => "已回访",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Intake => "taken in",
            Self::Referred => "referred",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    /// Whether the request still waits for its resolution (and so can be
    /// due or overdue).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Intake | Self::Referred)
    }
}

/// A step on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestStep {
    Refer(Referral),
    Resolve(Note),
    Close {
        satisfaction: Satisfaction,
        feedback: Option<Note>,
    },
}

impl RequestStep {
    fn name(&self) -> &'static str {
        match self {
            Self::Refer(_) => "refer",
            Self::Resolve(_) => "resolve",
            Self::Close { .. } => "close",
        }
    }
}

impl RequestState {
    pub fn name(&self) -> StateName {
        match self {
            Self::Intake => StateName::Intake,
            Self::Referred { .. } => StateName::Referred,
            Self::Resolved { .. } => StateName::Resolved,
            Self::Closed { .. } => StateName::Closed,
        }
    }

    /// The referral in force, if any.
    pub fn referral(&self) -> Option<&Referral> {
        match self {
            Self::Intake => None,
            Self::Referred { referral, .. } => Some(referral),
            Self::Resolved { referral, .. } | Self::Closed { referral, .. } => referral.as_ref(),
        }
    }

    /// The state `step` taken on `on` leads to, or why it may not be
    /// taken: a request is referred or resolved only while open, closed
    /// only once resolved, and no step is dated before the request was
    /// taken in (`received`); a [`PastDate`] is never in the future.
    pub fn next(
        &self,
        step: RequestStep,
        on: PastDate,
        received: Date,
    ) -> Result<Self, RequestRefusal> {
        let on = on.date();
        if on < received {
            return Err(RequestRefusal::StepBeforeIntake { on, received });
        }
        let refused = |step: &RequestStep| RequestRefusal::StepOutOfOrder {
            step: step.name(),
            state: self.name(),
        };
        match (self, step) {
            (Self::Intake | Self::Referred { .. }, RequestStep::Refer(referral)) => {
                Ok(Self::Referred { referral, on })
            }
            (Self::Intake | Self::Referred { .. }, RequestStep::Resolve(resolution)) => {
                Ok(Self::Resolved {
                    referral: self.referral().cloned(),
                    resolution,
                    on,
                })
            }
            (
                Self::Resolved {
                    referral,
                    resolution,
                    on: resolved_on,
                },
                RequestStep::Close {
                    satisfaction,
                    feedback,
                },
            ) => Ok(Self::Closed {
                referral: referral.clone(),
                resolution: resolution.clone(),
                resolved_on: *resolved_on,
                satisfaction,
                feedback,
                on,
            }),
            (_, step) => Err(refused(&step)),
        }
    }
}

/// The day a request taken in on `received` is due, for a kind due in `period`.
pub fn due_on(received: Date, period: DuePeriod) -> Date {
    received.saturating_add(Duration::days(i64::from(period.days())))
}

/// Where an open request stands against its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deadline {
    /// More than [`DUE_SOON_DAYS`] days left.
    InTime,
    /// Due within [`DUE_SOON_DAYS`] days (or today).
    DueSoon,
    /// The due date has passed.
    Overdue,
}

impl Deadline {
    /// The deadline of a request in `state` due on `due`, seen on
    /// `today`; `None` once it is resolved.
    pub fn of(state: StateName, due: Date, today: Date) -> Option<Self> {
        if !state.is_open() {
            return None;
        }
        Some(if today > due {
            Self::Overdue
        } else if (due - today).whole_days() <= DUE_SOON_DAYS {
            Self::DueSoon
        } else {
            Self::InTime
        })
    }

    /// The last due date a request open on `today` may have to count as
    /// due soon (for a range query).
    pub fn due_soon_until(today: Date) -> Date {
        today.saturating_add(Duration::days(DUE_SOON_DAYS))
    }
}

/// Why a request, a step on it, or a kind was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestRefusal {
    StepOutOfOrder {
        step: &'static str,
        state: StateName,
    },
    StepBeforeIntake {
        on: Date,
        received: Date,
    },
    UnknownKind(String),
    BadKindCode(String),
    BadDuePeriod(i64),
}

fn step_zh(step: &str) -> &'static str {
    match step {
        "refer" => "转办",
        "resolve" => "办结",
        _ => "回访结案",
    }
}

impl Localized for RequestRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::StepOutOfOrder { .. } => "request_step_out_of_order",
            Self::StepBeforeIntake { .. } => "request_step_before_intake",
            Self::UnknownKind(_) => "request_unknown_kind",
            Self::BadKindCode(_) => "request_bad_kind_code",
            Self::BadDuePeriod(_) => "request_bad_due_period",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::StepOutOfOrder { step, state } => {
                format!("该服务事项{}，不能{}", state.name_zh(), step_zh(step))
            }
            Self::StepBeforeIntake { on, received } => {
                format!("办理日期 {on} 早于受理日期 {received}")
            }
            Self::UnknownKind(kind) => format!("没有“{kind}”这类服务事项"),
            Self::BadKindCode(code) => {
                format!("事项代码“{code}”无效：只能用 2–32 个小写字母、数字或下划线")
            }
            Self::BadDuePeriod(days) => format!("办理时限 {days} 天无效：应为 1–365 天"),
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::StepOutOfOrder { step, state } => format!(
                "this service request is {}: it cannot be {step}d",
                state.name_en()
            ),
            Self::StepBeforeIntake { on, received } => {
                format!("the date {on} is before the request was taken in ({received})")
            }
            Self::UnknownKind(kind) => format!("there is no kind of service request {kind:?}"),
            Self::BadKindCode(code) => format!(
                "kind code {code:?} is invalid: use 2 to 32 lower-case letters, digits or _"
            ),
            Self::BadDuePeriod(days) => {
                format!("a due period of {days} days is invalid: use 1 to 365 days")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn referral() -> Referral {
        Referral {
            department: OrgName::parse("街道劳动保障所").expect("valid"),
            contact: PersonName::parse("王芳").expect("valid"),
            phone: Phone::parse("010-64001234").expect("valid"),
        }
    }

    const RECEIVED: Date = date!(2026 - 03 - 02);
    const TODAY: Date = date!(2026 - 03 - 10);

    fn step(state: &RequestState, step: RequestStep) -> Result<RequestState, RequestRefusal> {
        state.next(step, PastDate::new(TODAY, TODAY).expect("valid"), RECEIVED)
    }

    fn resolve() -> RequestStep {
        RequestStep::Resolve(Note::parse("已介绍到园区企业").expect("valid"))
    }

    fn close() -> RequestStep {
        RequestStep::Close {
            satisfaction: Satisfaction::Satisfied,
            feedback: None,
        }
    }

    #[test]
    fn a_request_goes_from_intake_through_referral_and_resolution_to_closing() {
        let referred = step(&RequestState::Intake, RequestStep::Refer(referral())).expect("valid");
        assert_eq!(referred.name(), StateName::Referred);
        let resolved = step(&referred, resolve()).expect("valid");
        assert_eq!(resolved.referral(), Some(&referral()));
        let closed = step(&resolved, close()).expect("valid");
        assert_eq!(closed.name(), StateName::Closed);
        assert_eq!(closed.referral(), Some(&referral()));
    }

    #[test]
    fn a_request_may_be_resolved_at_the_window_without_referral() {
        let resolved = step(&RequestState::Intake, resolve()).expect("valid");
        assert_eq!(resolved.name(), StateName::Resolved);
        assert_eq!(resolved.referral(), None);
    }

    #[test]
    fn steps_out_of_order_are_refused_in_both_languages() {
        let refused = step(&RequestState::Intake, close()).expect_err("refused");
        assert_eq!(refused.code(), "request_step_out_of_order");
        assert!(refused.message_zh().contains("不能回访结案"));
        assert!(refused.message_en().contains("cannot be closed"));
        let resolved = step(&RequestState::Intake, resolve()).expect("valid");
        assert!(step(&resolved, RequestStep::Refer(referral())).is_err());
        assert!(step(&resolved, resolve()).is_err());
        let closed = step(&resolved, close()).expect("valid");
        for next in [RequestStep::Refer(referral()), resolve(), close()] {
            assert!(matches!(
                step(&closed, next),
                Err(RequestRefusal::StepOutOfOrder { .. })
            ));
        }
    }

    #[test]
    fn a_step_dated_before_intake_is_refused() {
        let early = PastDate::new(date!(2026 - 03 - 01), TODAY).expect("valid");
        let refused = RequestState::Intake.next(resolve(), early, RECEIVED);
        assert_eq!(
            refused.expect_err("refused").code(),
            "request_step_before_intake"
        );
        let on_intake = PastDate::new(RECEIVED, TODAY).expect("valid");
        assert!(
            RequestState::Intake
                .next(resolve(), on_intake, RECEIVED)
                .is_ok()
        );
    }

    #[test]
    fn an_open_request_is_due_in_its_last_days_and_overdue_after() {
        let due = due_on(RECEIVED, DuePeriod::DEFAULT);
        assert_eq!(due, date!(2026 - 03 - 09));
        let at = |today| Deadline::of(StateName::Referred, due, today);
        assert_eq!(at(date!(2026 - 03 - 06)), Some(Deadline::InTime));
        assert_eq!(at(date!(2026 - 03 - 07)), Some(Deadline::DueSoon));
        assert_eq!(at(due), Some(Deadline::DueSoon));
        assert_eq!(at(date!(2026 - 03 - 10)), Some(Deadline::Overdue));
        assert_eq!(Deadline::of(StateName::Resolved, due, TODAY), None);
    }

    #[test]
    fn kind_codes_and_due_periods_are_parsed() {
        assert!(KindCode::parse("legal_aid").is_ok());
        assert!(KindCode::parse("Legal aid").is_err());
        assert!(KindCode::parse("x").is_err());
        assert_eq!(DuePeriod::new(15).expect("valid").days(), 15);
        assert!(DuePeriod::new(0).is_err());
        assert!(DuePeriod::new(366).is_err());
        for (code, _, _) in DEFAULT_KINDS {
            assert!(KindCode::parse(code).is_ok());
        }
    }
}
