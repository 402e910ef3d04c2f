//! Residence permits 居住证 (R4.1, 居住证暂行条例): from the application at
//! the window to the cancellation of the card.
//!
//! A permit moves only through [`PermitStatus::take`], one [`PermitStep`]
//! at a time, each dated by the day it is taken (passed in, never read
//! from a clock here):
//!
//! ```text
//! applied ──notice──▶ noticed ──accept──▶ accepted ──produce──▶ produced ──issue──▶ issued
//!    └──────────────accept──────────────────┘                                  │  ▲
//!                                                          endorse (in time) ──┘  │
//!  every state but cancelled ──cancel (departure, death, fraud)──▶ cancelled     │
//!                                         suspended (anniversary passed) ──endorse┘
//! ```
//!
//! - A one-time notice 一次性告知 lists every missing document at once; it
//!   is given once, and answered by accepting when the documents are in.
//! - Acceptance 受理 needs the applicant eligible ([`eligibility`]): six
//!   months' residence on file plus lawful work, stable housing or
//!   schooling, read from the register or proved by a document the clerk
//!   records. A guardian or relative applies only for an under-16, an
//!   elderly (≥ 60) or a disabled person.
//! - The card is due [`ISSUE_DAYS`] days after acceptance ([`issue_due`]).
//! - It is endorsed 签注 once a year, in the month before each
//!   anniversary ([`endorsement_window`]). Past the anniversary the card is
//!   suspended — a state of the calendar, not a step anyone takes, so it is
//!   read with [`PermitStatus::state_on`]. Endorsing a suspended card
//!   restores it, and the count of years restarts on that day (条例 §15).
//!
//! Which role takes which step is the permission table's
//! (`Resource::Permit`); storage and pages live in the crates above.

use crate::localized::Localized;
use crate::person::PersonId;
use crate::text::{Note, PersonName, TextError};
use crate::time_rules::age_on;
use crate::unit::UnitCode;
use thiserror::Error;
use time::{Date, Duration, Month};

/// Days between acceptance and the day the card is due (条例 §11).
pub const ISSUE_DAYS: i64 = 15;
/// Months of residence on file an applicant needs (条例 §2).
pub const RESIDENCE_MONTHS: i32 = 6;
/// The age from which a relative may apply for an elderly person.
pub const ELDERLY_AGE: i32 = 60;
/// The age below which a guardian applies for a child.
pub const MINOR_AGE: i32 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PermitId(pub i64);

/// Where a permit stands, as stored. Suspension is read from the dates
/// ([`PermitStatus::state_on`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PermitState {
    /// Applied for at the window, not yet accepted.
    Applied,
    /// A one-time notice listed missing documents.
    Noticed,
    /// Accepted 受理: the card is due within 15 days.
    Accepted,
    /// The card is made 制证, waiting to be handed over.
    Produced,
    /// Handed over 发证, valid until its next anniversary.
    Issued,
    /// Issued, but not endorsed by its anniversary: its use is suspended.
    Suspended,
    /// Cancelled 注销. Final.
    Cancelled,
}

impl PermitState {
    pub const ALL: [PermitState; 7] = [
        Self::Applied,
        Self::Noticed,
        Self::Accepted,
        Self::Produced,
        Self::Issued,
        Self::Suspended,
        Self::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Noticed => "noticed",
            Self::Accepted => "accepted",
            Self::Produced => "produced",
            Self::Issued => "issued",
            Self::Suspended => "suspended",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Applied => "已申请待受理",
            Self::Noticed => "已一次性告知",
            Self::Accepted => "已受理待制证",
            Self::Produced => "已制证待发证",
            Self::Issued => "有效",
            Self::Suspended => "逾期未签注（中止）",
            Self::Cancelled => "已注销",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Applied => "applied, to be accepted",
            Self::Noticed => "one-time notice given",
            Self::Accepted => "accepted, to be produced",
            Self::Produced => "produced, to be issued",
            Self::Issued => "valid",
            Self::Suspended => "suspended (endorsement overdue)",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads a stored code (suspension is never stored).
    pub fn parse(input: &str) -> Result<Self, PermitError> {
        Self::ALL
            .into_iter()
            .filter(|s| *s != Self::Suspended)
            .find(|s| s.code() == input)
            .ok_or_else(|| PermitError::UnknownState(input.to_owned()))
    }
}

/// Why a card is cancelled (条例 §17 and practice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CancelReason {
    /// The holder left the area.
    Departure,
    Death,
    /// Obtained by fraud (以欺骗等不正当手段取得).
    Fraud,
}

impl CancelReason {
    pub const ALL: [CancelReason; 3] = [Self::Departure, Self::Death, Self::Fraud];

    pub fn code(self) -> &'static str {
        match self {
            Self::Departure => "departure",
            Self::Death => "death",
            Self::Fraud => "fraud",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Departure => "离开居住地",
            Self::Death => "死亡",
            Self::Fraud => "以欺骗等不正当手段取得",
        }
    }

    pub fn parse(input: &str) -> Result<Self, PermitError> {
        let input = input.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.code() == input || r.name_zh() == input)
            .ok_or_else(|| PermitError::UnknownCancelReason(input.to_owned()))
    }
}

/// A document the application needs (条例 §9), named in a one-time notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Document {
    /// 居民身份证 of the applicant.
    IdCard,
    /// A recent photo for the card.
    Photo,
    /// 居住证明: tenancy contract, deed or the like.
    ProofOfResidence,
    /// 劳动合同 or business licence.
    ProofOfWork,
    /// 就读证明.
    ProofOfSchooling,
    /// Proof that the one applying is the guardian or a relative.
    ProofOfRelation,
}

impl Document {
    pub const ALL: [Document; 6] = [
        Self::IdCard,
        Self::Photo,
        Self::ProofOfResidence,
        Self::ProofOfWork,
        Self::ProofOfSchooling,
        Self::ProofOfRelation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::IdCard => "id_card",
            Self::Photo => "photo",
            Self::ProofOfResidence => "proof_of_residence",
            Self::ProofOfWork => "proof_of_work",
            Self::ProofOfSchooling => "proof_of_schooling",
            Self::ProofOfRelation => "proof_of_relation",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::IdCard => "居民身份证",
            Self::Photo => "本人近期免冠照片",
            Self::ProofOfResidence => "居住证明（租赁合同、房屋产权证明等）",
            Self::ProofOfWork => "就业证明（劳动合同、营业执照等）",
            Self::ProofOfSchooling => "就读证明",
            Self::ProofOfRelation => "监护或亲属关系证明",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::IdCard => "identity card",
            Self::Photo => "recent photo",
            Self::ProofOfResidence => "proof of residence (tenancy contract, deed)",
            Self::ProofOfWork => "proof of work (labour contract, business licence)",
            Self::ProofOfSchooling => "proof of schooling",
            Self::ProofOfRelation => "proof of guardianship or kinship",
        }
    }

    pub fn parse(input: &str) -> Result<Self, PermitError> {
        let input = input.trim();
        Self::ALL
            .into_iter()
            .find(|d| d.code() == input)
            .ok_or_else(|| PermitError::UnknownDocument(input.to_owned()))
    }
}

/// The documents a one-time notice names: never empty, each once, in a
/// fixed order (so the printout reads the same every time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingDocuments(Vec<Document>);

impl MissingDocuments {
    pub fn new(documents: impl IntoIterator<Item = Document>) -> Result<Self, PermitError> {
        let mut list: Vec<Document> = documents.into_iter().collect();
        list.sort_unstable();
        list.dedup();
        if list.is_empty() {
            return Err(PermitError::NoticeEmpty);
        }
        Ok(Self(list))
    }

    /// Reads the stored codes, comma-separated.
    pub fn parse(input: &str) -> Result<Self, PermitError> {
        let documents = input
            .split([',', '，'])
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .map(Document::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(documents)
    }

    pub fn codes(&self) -> String {
        self.0
            .iter()
            .map(|d| d.code())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn documents(&self) -> &[Document] {
        &self.0
    }
}

/// What the applicant's eligibility rests on besides residence (条例 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// 合法稳定就业.
    Work,
    /// 合法稳定住所.
    Housing,
    /// 连续就读.
    Schooling,
}

impl Basis {
    pub const ALL: [Basis; 3] = [Self::Work, Self::Housing, Self::Schooling];

    pub fn code(self) -> &'static str {
        match self {
            Self::Work => "work",
            Self::Housing => "housing",
            Self::Schooling => "schooling",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Work => "合法稳定就业",
            Self::Housing => "合法稳定住所",
            Self::Schooling => "连续就读",
        }
    }

    pub fn parse(input: &str) -> Result<Self, PermitError> {
        let input = input.trim();
        Self::ALL
            .into_iter()
            .find(|b| b.code() == input)
            .ok_or_else(|| PermitError::UnknownBasis(input.to_owned()))
    }
}

/// Why someone else applies for the person (条例 §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyGround {
    /// Under 16: the guardian applies.
    Minor,
    /// 60 or older: a relative applies.
    Elderly,
    /// Disabled: a relative applies (declared, shown by a document).
    Disabled,
}

impl ProxyGround {
    pub const ALL: [ProxyGround; 3] = [Self::Minor, Self::Elderly, Self::Disabled];

    pub fn code(self) -> &'static str {
        match self {
            Self::Minor => "minor",
            Self::Elderly => "elderly",
            Self::Disabled => "disabled",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Minor => "未满十六周岁",
            Self::Elderly => "老年人",
            Self::Disabled => "残疾人",
        }
    }

    pub fn parse(input: &str) -> Result<Self, PermitError> {
        let input = input.trim();
        Self::ALL
            .into_iter()
            .find(|g| g.code() == input)
            .ok_or_else(|| PermitError::UnknownProxyGround(input.to_owned()))
    }
}

/// Someone applying on the person's behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    pub name: PersonName,
    /// Guardian, son, daughter … as the clerk writes it.
    pub relation: Note,
    pub ground: ProxyGround,
}

/// An application as the window takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// `None` when the person applies in person.
    pub proxy: Option<Proxy>,
    /// A document the clerk saw proving work, housing or schooling, when
    /// the register does not show it.
    pub proof: Option<Basis>,
    /// The clerk saw a proof of six months' residence (居住证明) that the
    /// register's stay does not cover.
    pub residence_proved: bool,
}

impl Application {
    /// Checks that a proxy may apply for someone born on `birth`: a minor's
    /// guardian only while the person is under 16, a relative of an elderly
    /// person only from 60 (a disability is declared, shown by document).
    pub fn check_proxy(&self, birth: Date, today: Date) -> Result<(), PermitError> {
        let Some(proxy) = &self.proxy else {
            return Ok(());
        };
        let age = age_on(birth, today);
        let fits = match proxy.ground {
            ProxyGround::Minor => age < MINOR_AGE,
            ProxyGround::Elderly => age >= ELDERLY_AGE,
            ProxyGround::Disabled => true,
        };
        if fits {
            Ok(())
        } else {
            Err(PermitError::ProxyNotAllowed {
                ground: proxy.ground,
                age,
            })
        }
    }
}

/// What the register shows of a person, read by the store for
/// [`eligibility`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The arrival of the current stay, if there is one.
    pub arrived_on: Option<Date>,
    /// The stay is linked to an employer on file.
    pub employed: bool,
    /// The stay is linked to a rental house on file.
    pub housed: bool,
}

/// Whole months from `from` to `to` (a month counts once its day is
/// reached; the 31st counts at a shorter month's end).
pub fn months_between(from: Date, to: Date) -> i32 {
    let mut months = (to.year() - from.year()) * 12 + i32::from(to.month() as u8)
        - i32::from(from.month() as u8);
    if add_months(from, months) > to {
        months -= 1;
    }
    months
}

/// `date` moved by `months` calendar months, the day kept where the month
/// has it, else the month's last day (31 Jan + 1 month = 28/29 Feb).
pub fn add_months(date: Date, months: i32) -> Date {
    let index = date.year() * 12 + i32::from(date.month() as u8) - 1 + months;
    let (year, month0) = (index.div_euclid(12), index.rem_euclid(12));
    // `month0` is in 0..12 by construction.
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// Whether the person may be accepted on `today`, and on what basis: the
/// register's stay (or a clerk's proof) covers six months, and work, a
/// house or a proving document stands beside it. The first unmet
/// condition is the reason.
pub fn eligibility(
    facts: &Facts,
    application: &Application,
    today: Date,
) -> Result<Basis, PermitError> {
    let months = facts
        .arrived_on
        .map_or(0, |arrived| months_between(arrived, today));
    if months < RESIDENCE_MONTHS && !application.residence_proved {
        return Err(PermitError::Ineligible(Ineligible::ShortResidence {
            months: months.max(0),
        }));
    }
    if facts.employed {
        Ok(Basis::Work)
    } else if facts.housed {
        Ok(Basis::Housing)
    } else {
        application
            .proof
            .ok_or(PermitError::Ineligible(Ineligible::NoBasis))
    }
}

/// Why an applicant is not eligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    /// Fewer than six months of residence on file, and no proof.
    ShortResidence { months: i32 },
    /// No work, house or schooling on file or proved.
    NoBasis,
}

/// The day the card is due: 15 days after acceptance.
pub fn issue_due(accepted_on: Date) -> Date {
    accepted_on + Duration::days(ISSUE_DAYS)
}

/// The anniversary `years` after `from` (29 February falls on the 28th).
pub fn anniversary(from: Date, years: i32) -> Date {
    add_months(from, 12 * years)
}

/// The days a card may be endorsed for the anniversary `due`: the month
/// before it, `due` itself excluded (on `due` the card is suspended).
pub fn endorsement_window(due: Date) -> (Date, Date) {
    (add_months(due, -1), due)
}

/// A step taken on a permit, with its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermitStep {
    /// A one-time notice of every missing document.
    Notice {
        missing: MissingDocuments,
    },
    /// Accepted 受理, on the basis the eligibility rule found.
    Accept {
        basis: Basis,
    },
    Produce,
    Issue,
    Endorse,
    Cancel {
        reason: CancelReason,
        note: Option<Note>,
    },
}

/// The name of a step, without its details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermitStepKind {
    Apply,
    Notice,
    Accept,
    Produce,
    Issue,
    Endorse,
    Cancel,
}

impl PermitStepKind {
    pub const ALL: [PermitStepKind; 7] = [
        Self::Apply,
        Self::Notice,
        Self::Accept,
        Self::Produce,
        Self::Issue,
        Self::Endorse,
        Self::Cancel,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::Notice => "notice",
            Self::Accept => "accept",
            Self::Produce => "produce",
            Self::Issue => "issue",
            Self::Endorse => "endorse",
            Self::Cancel => "cancel",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Apply => "申请",
            Self::Notice => "一次性告知",
            Self::Accept => "受理",
            Self::Produce => "制证",
            Self::Issue => "发证",
            Self::Endorse => "签注",
            Self::Cancel => "注销",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::Notice => "one-time notice",
            Self::Accept => "accept",
            Self::Produce => "produce",
            Self::Issue => "issue",
            Self::Endorse => "endorse",
            Self::Cancel => "cancel",
        }
    }

    pub fn parse(input: &str) -> Result<Self, PermitError> {
        let input = input.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.code() == input)
            .ok_or_else(|| PermitError::UnknownStep(input.to_owned()))
    }
}

impl PermitStep {
    pub fn kind(&self) -> PermitStepKind {
        match self {
            Self::Notice { .. } => PermitStepKind::Notice,
            Self::Accept { .. } => PermitStepKind::Accept,
            Self::Produce => PermitStepKind::Produce,
            Self::Issue => PermitStepKind::Issue,
            Self::Endorse => PermitStepKind::Endorse,
            Self::Cancel { .. } => PermitStepKind::Cancel,
        }
    }

    /// Parses a posted step: a notice needs its documents, a cancellation
    /// its reason. Acceptance is parsed without its basis, which the store
    /// finds by [`eligibility`] (see [`PermitRequest`]).
    pub fn parse_request(
        step: &str,
        documents: &[String],
        reason: Option<&str>,
        note: Option<&str>,
    ) -> Result<PermitRequest, PermitError> {
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| Note::parse(n).map_err(PermitError::Note))
            .transpose()?;
        Ok(match PermitStepKind::parse(step)? {
            PermitStepKind::Apply => return Err(PermitError::UnknownStep(step.to_owned())),
            PermitStepKind::Notice => PermitRequest::Step(Self::Notice {
                missing: MissingDocuments::new(
                    documents
                        .iter()
                        .map(|d| Document::parse(d))
                        .collect::<Result<Vec<_>, _>>()?,
                )?,
            }),
            PermitStepKind::Accept => PermitRequest::Accept,
            PermitStepKind::Produce => PermitRequest::Step(Self::Produce),
            PermitStepKind::Issue => PermitRequest::Step(Self::Issue),
            PermitStepKind::Endorse => PermitRequest::Step(Self::Endorse),
            PermitStepKind::Cancel => PermitRequest::Step(Self::Cancel {
                reason: CancelReason::parse(reason.ok_or(PermitError::CancelReasonRequired)?)?,
                note,
            }),
        })
    }
}

/// A step as asked for: acceptance waits for the store to judge
/// eligibility against the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermitRequest {
    Accept,
    Step(PermitStep),
}

/// A permit as it stands: the state and every date its steps set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitStatus {
    pub id: PermitId,
    pub person: PersonId,
    /// The unit that took the application.
    pub unit: UnitCode,
    pub version: i64,
    /// The stored state (never `Suspended`; see [`Self::state_on`]).
    pub state: PermitState,
    pub application: Application,
    pub applied_on: Date,
    pub noticed_on: Option<Date>,
    pub missing: Option<MissingDocuments>,
    pub accepted_on: Option<Date>,
    pub basis: Option<Basis>,
    pub produced_on: Option<Date>,
    pub issued_on: Option<Date>,
    /// The day the count of years runs from: the issue, or the late
    /// endorsement that restarted it.
    pub years_from: Option<Date>,
    /// The next anniversary: the card must be endorsed before it.
    pub endorse_by: Option<Date>,
    pub endorsements: i64,
    pub last_endorsed_on: Option<Date>,
    pub cancelled_on: Option<Date>,
    pub cancel_reason: Option<CancelReason>,
    pub cancel_note: Option<Note>,
}

impl PermitStatus {
    /// A new application, taken on `today`.
    pub fn applied(
        person: PersonId,
        unit: UnitCode,
        application: Application,
        today: Date,
    ) -> Self {
        Self {
            id: PermitId(0),
            person,
            unit,
            version: 1,
            state: PermitState::Applied,
            application,
            applied_on: today,
            noticed_on: None,
            missing: None,
            accepted_on: None,
            basis: None,
            produced_on: None,
            issued_on: None,
            years_from: None,
            endorse_by: None,
            endorsements: 0,
            last_endorsed_on: None,
            cancelled_on: None,
            cancel_reason: None,
            cancel_note: None,
        }
    }

    /// The state on `today`: an issued card past its anniversary is
    /// suspended.
    pub fn state_on(&self, today: Date) -> PermitState {
        match (self.state, self.endorse_by) {
            (PermitState::Issued, Some(due)) if today >= due => PermitState::Suspended,
            (state, _) => state,
        }
    }

    /// The day the card is due, once accepted.
    pub fn issue_due(&self) -> Option<Date> {
        self.accepted_on.map(issue_due)
    }

    /// Whether the card is still not handed over past its due day.
    pub fn issue_overdue(&self, today: Date) -> bool {
        matches!(self.state, PermitState::Accepted | PermitState::Produced)
            && self.issue_due().is_some_and(|due| today > due)
    }

    /// Whether the endorsement window is open on `today`.
    pub fn endorsement_due(&self, today: Date) -> bool {
        self.state_on(today) == PermitState::Issued
            && self.endorse_by.is_some_and(|due| {
                let (opens, closes) = endorsement_window(due);
                opens <= today && today < closes
            })
    }

    /// Whole years of residence the card counts on `today`.
    pub fn years_counted(&self, today: Date) -> i32 {
        self.years_from
            .map_or(0, |from| months_between(from, today).div_euclid(12))
    }

    /// The status after `step` taken on `today`, or why it cannot be.
    pub fn take(&self, step: &PermitStep, today: Date) -> Result<Self, PermitError> {
        use PermitState::*;
        let from = self.state_on(today);
        let mut next = self.clone();
        next.version += 1;
        match (from, step) {
            (Cancelled, _) => return Err(PermitError::Cancelled { step: step.kind() }),
            (Applied, PermitStep::Notice { missing }) => {
                next.state = Noticed;
                next.noticed_on = Some(today);
                next.missing = Some(missing.clone());
            }
            (Noticed, PermitStep::Notice { .. }) => return Err(PermitError::NoticeGivenAlready),
            (Applied | Noticed, PermitStep::Accept { basis }) => {
                next.state = Accepted;
                next.accepted_on = Some(today);
                next.basis = Some(*basis);
            }
            (Accepted, PermitStep::Produce) => {
                next.state = Produced;
                next.produced_on = Some(today);
            }
            (Produced, PermitStep::Issue) => {
                next.state = Issued;
                next.issued_on = Some(today);
                next.years_from = Some(today);
                next.endorse_by = Some(anniversary(today, 1));
            }
            (Issued, PermitStep::Endorse) => {
                let due = self.endorse_by.unwrap_or_else(|| anniversary(today, 1));
                let (opens, _) = endorsement_window(due);
                if today < opens {
                    return Err(PermitError::EndorsementNotYetDue { opens, due });
                }
                next.endorse_by = Some(anniversary(due, 1));
                next.endorsements += 1;
                next.last_endorsed_on = Some(today);
            }
            // 补办签注: the card is restored and its years count again
            // from today.
            (Suspended, PermitStep::Endorse) => {
                next.years_from = Some(today);
                next.endorse_by = Some(anniversary(today, 1));
                next.endorsements += 1;
                next.last_endorsed_on = Some(today);
            }
            (_, PermitStep::Cancel { reason, note }) => {
                next.state = Cancelled;
                next.cancelled_on = Some(today);
                next.cancel_reason = Some(*reason);
                next.cancel_note = note.clone();
            }
            (from, step) => {
                return Err(PermitError::WrongStep {
                    from,
                    step: step.kind(),
                });
            }
        }
        Ok(next)
    }
}

/// Why a permit step or application was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PermitError {
    #[error("a permit that is {} cannot be given the step {}", from.code(), step.code())]
    WrongStep {
        from: PermitState,
        step: PermitStepKind,
    },
    #[error("the permit is cancelled: no {} can follow", step.code())]
    Cancelled { step: PermitStepKind },
    #[error("a one-time notice was given already: it lists every missing document at once")]
    NoticeGivenAlready,
    #[error("a one-time notice must name at least one missing document")]
    NoticeEmpty,
    #[error("the endorsement for {due} opens on {opens}")]
    EndorsementNotYetDue { opens: Date, due: Date },
    #[error("not eligible")]
    Ineligible(Ineligible),
    #[error("someone else may apply on the ground {} only, and the person is {age}", ground.code())]
    ProxyNotAllowed { ground: ProxyGround, age: i32 },
    #[error("the person has a permit in progress or valid already")]
    AlreadyHeld,
    #[error("a cancellation needs its reason")]
    CancelReasonRequired,
    #[error("{0:?} is not a permit step")]
    UnknownStep(String),
    #[error("{0:?} is not a permit state")]
    UnknownState(String),
    #[error("{0:?} is not a reason to cancel a permit (departure, death, fraud)")]
    UnknownCancelReason(String),
    #[error("{0:?} is not a document of the application")]
    UnknownDocument(String),
    #[error("{0:?} is not a basis of eligibility (work, housing, schooling)")]
    UnknownBasis(String),
    #[error("{0:?} is not a ground to apply for someone else (minor, elderly, disabled)")]
    UnknownProxyGround(String),
    #[error("note: {0}")]
    Note(TextError),
}

impl Localized for PermitError {
    fn code(&self) -> &'static str {
        match self {
            Self::WrongStep { .. } => "permit_wrong_step",
            Self::Cancelled { .. } => "permit_cancelled",
            Self::NoticeGivenAlready => "permit_notice_given",
            Self::NoticeEmpty => "permit_notice_empty",
            Self::EndorsementNotYetDue { .. } => "permit_endorsement_not_due",
            Self::Ineligible(Ineligible::ShortResidence { .. }) => "permit_short_residence",
            Self::Ineligible(Ineligible::NoBasis) => "permit_no_basis",
            Self::ProxyNotAllowed { .. } => "permit_proxy_not_allowed",
            Self::AlreadyHeld => "permit_already_held",
            Self::CancelReasonRequired => "permit_cancel_reason_required",
            Self::UnknownStep(_) => "permit_unknown_step",
            Self::UnknownState(_) => "permit_unknown_state",
            Self::UnknownCancelReason(_) => "permit_unknown_cancel_reason",
            Self::UnknownDocument(_) => "permit_unknown_document",
            Self::UnknownBasis(_) => "permit_unknown_basis",
            Self::UnknownProxyGround(_) => "permit_unknown_proxy_ground",
            Self::Note(_) => "permit_note",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::WrongStep { from, step } => format!(
                "居住证当前状态为“{}”，不能办理“{}”",
                from.name_zh(),
                step.name_zh()
            ),
            Self::Cancelled { step } => {
                format!("该居住证已注销，不能再办理“{}”", step.name_zh())
            }
            Self::NoticeGivenAlready => {
                "已出具一次性告知书：所缺材料须一次告知，不能再次告知；材料补齐后请直接受理".into()
            }
            Self::NoticeEmpty => "一次性告知书须列明至少一项所缺材料".into(),
            Self::EndorsementNotYetDue { opens, due } => format!(
                "签注须在居住证满一年前一个月内办理：本次签注期为{opens}至{}",
                *due - Duration::days(1)
            ),
            Self::Ineligible(Ineligible::ShortResidence { months }) => {
                format!("在本地登记居住{months}个月，不满六个月，且未提交居住证明，不符合申领条件")
            }
            Self::Ineligible(Ineligible::NoBasis) => {
                "登记信息中没有就业单位或出租房屋，也未提交就业、住所或就读证明，不符合申领条件"
                    .into()
            }
            Self::ProxyNotAllowed { ground, age } => format!(
                "只有未满十六周岁、老年人或残疾人可由监护人或近亲属代为申领；申请人{age}周岁，不属于“{}”",
                ground.name_zh()
            ),
            Self::AlreadyHeld => "该人员已有办理中或有效的居住证，不能重复申领".into(),
            Self::CancelReasonRequired => {
                "注销居住证须说明原因（离开居住地、死亡、以欺骗等不正当手段取得）".into()
            }
            Self::UnknownStep(s) => format!("“{s}”不是居住证办理环节"),
            Self::UnknownState(s) => format!("“{s}”不是居住证状态"),
            Self::UnknownCancelReason(s) => {
                format!("“{s}”不是注销原因（离开居住地、死亡、以欺骗等不正当手段取得）")
            }
            Self::UnknownDocument(s) => format!("“{s}”不是申领材料"),
            Self::UnknownBasis(s) => format!("“{s}”不是申领条件（就业、住所、就读）"),
            Self::UnknownProxyGround(s) => {
                format!("“{s}”不是代为申领的情形（未满十六周岁、老年人、残疾人）")
            }
            Self::Note(e) => format!("备注：{}", e.message_zh()),
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::WrongStep { from, step } => format!(
                "the permit is {}: it cannot be given the step \"{}\"",
                from.name_en(),
                step.name_en()
            ),
            Self::Ineligible(Ineligible::ShortResidence { months }) => format!(
                "{months} months of residence on file, fewer than six, and no proof of residence: not eligible"
            ),
            Self::Ineligible(Ineligible::NoBasis) => {
                "no employer or rental house on file and no proof of work, housing or schooling: not eligible".into()
            }
            Self::EndorsementNotYetDue { opens, due } => format!(
                "a card is endorsed in the month before its anniversary: this endorsement runs from {opens} to {}",
                *due - Duration::days(1)
            ),
            Self::ProxyNotAllowed { ground, age } => format!(
                "only a person under 16, elderly or disabled may be applied for by a guardian or relative; the person is {age}, not {}",
                ground.code()
            ),
            Self::Note(e) => format!("note: {}", e.message_en()),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn unit() -> UnitCode {
        UnitCode::parse("110105001001").expect("unit")
    }

    fn in_person() -> Application {
        Application {
            proxy: None,
            proof: None,
            residence_proved: false,
        }
    }

    fn applied(on: Date) -> PermitStatus {
        PermitStatus::applied(PersonId(1), unit(), in_person(), on)
    }

    fn notice() -> PermitStep {
        PermitStep::Notice {
            missing: MissingDocuments::new([Document::Photo, Document::ProofOfWork])
                .expect("documents"),
        }
    }

    fn cancel() -> PermitStep {
        PermitStep::Cancel {
            reason: CancelReason::Departure,
            note: None,
        }
    }

    const ACCEPT: PermitStep = PermitStep::Accept {
        basis: Basis::Housing,
    };

    /// Applied on 1 March 2024, accepted on the 4th, produced on the 10th,
    /// issued on the 15th.
    fn issued() -> PermitStatus {
        applied(date!(2024 - 03 - 01))
            .take(&ACCEPT, date!(2024 - 03 - 04))
            .and_then(|p| p.take(&PermitStep::Produce, date!(2024 - 03 - 10)))
            .and_then(|p| p.take(&PermitStep::Issue, date!(2024 - 03 - 15)))
            .expect("issued")
    }

    #[test]
    fn the_lifecycle_runs_from_application_to_cancellation() {
        let p = issued();
        assert_eq!(p.state, PermitState::Issued);
        assert_eq!(p.version, 4);
        assert_eq!(p.accepted_on, Some(date!(2024 - 03 - 04)));
        assert_eq!(p.issue_due(), Some(date!(2024 - 03 - 19)));
        assert_eq!(p.endorse_by, Some(date!(2025 - 03 - 15)));
        let endorsed = p
            .take(&PermitStep::Endorse, date!(2025 - 03 - 01))
            .expect("in the window");
        assert_eq!(endorsed.endorse_by, Some(date!(2026 - 03 - 15)));
        assert_eq!(endorsed.endorsements, 1);
        assert_eq!(endorsed.years_from, Some(date!(2024 - 03 - 15)));
        let gone = endorsed
            .take(&cancel(), date!(2025 - 06 - 01))
            .expect("cancelled");
        assert_eq!(gone.state, PermitState::Cancelled);
        assert_eq!(gone.cancel_reason, Some(CancelReason::Departure));
    }

    #[test]
    fn a_notice_is_given_once_and_answered_by_acceptance() {
        let noticed = applied(date!(2024 - 03 - 01))
            .take(&notice(), date!(2024 - 03 - 01))
            .expect("noticed");
        assert_eq!(noticed.state, PermitState::Noticed);
        assert_eq!(
            noticed.missing.as_ref().map(MissingDocuments::codes),
            Some("photo,proof_of_work".into())
        );
        assert_eq!(
            noticed.take(&notice(), date!(2024 - 03 - 02)),
            Err(PermitError::NoticeGivenAlready)
        );
        let accepted = noticed
            .take(&ACCEPT, date!(2024 - 03 - 08))
            .expect("accepted once the documents are in");
        assert_eq!(accepted.state, PermitState::Accepted);
        assert_eq!(accepted.issue_due(), Some(date!(2024 - 03 - 23)));
    }

    #[test]
    fn steps_out_of_order_are_refused_with_the_state_and_the_step() {
        let fresh = applied(date!(2024 - 03 - 01));
        for step in [PermitStep::Produce, PermitStep::Issue, PermitStep::Endorse] {
            let refused = fresh
                .take(&step, date!(2024 - 03 - 02))
                .expect_err("refused");
            assert_eq!(
                refused,
                PermitError::WrongStep {
                    from: PermitState::Applied,
                    step: step.kind()
                }
            );
        }
        let accepted = fresh
            .take(&ACCEPT, date!(2024 - 03 - 02))
            .expect("accepted");
        let refused = accepted
            .take(&PermitStep::Issue, date!(2024 - 03 - 03))
            .expect_err("issue before production");
        assert!(
            refused.message_zh().contains("已受理待制证"),
            "{}",
            refused.message_zh()
        );
        assert!(refused.message_zh().contains("发证"));
        assert_eq!(
            accepted.take(&ACCEPT, date!(2024 - 03 - 03)).map(|_| ()),
            Err(PermitError::WrongStep {
                from: PermitState::Accepted,
                step: PermitStepKind::Accept
            })
        );
        assert!(accepted.take(&notice(), date!(2024 - 03 - 03)).is_err());
    }

    #[test]
    fn nothing_follows_a_cancellation() {
        let gone = issued()
            .take(&cancel(), date!(2024 - 04 - 01))
            .expect("cancelled");
        for step in [PermitStep::Endorse, cancel(), PermitStep::Issue, ACCEPT] {
            let refused = gone
                .take(&step, date!(2025 - 03 - 01))
                .expect_err("refused");
            assert_eq!(refused, PermitError::Cancelled { step: step.kind() });
            assert!(refused.message_zh().contains("已注销"));
        }
    }

    #[test]
    fn any_open_application_or_card_may_be_cancelled() {
        let fresh = applied(date!(2024 - 03 - 01));
        assert!(fresh.take(&cancel(), date!(2024 - 03 - 02)).is_ok());
        let noticed = fresh
            .take(&notice(), date!(2024 - 03 - 01))
            .expect("noticed");
        assert!(noticed.take(&cancel(), date!(2024 - 03 - 02)).is_ok());
        let suspended = issued();
        assert_eq!(
            suspended.state_on(date!(2025 - 04 - 01)),
            PermitState::Suspended
        );
        assert!(suspended.take(&cancel(), date!(2025 - 04 - 01)).is_ok());
    }

    #[test]
    fn the_endorsement_falls_in_the_month_before_the_anniversary() {
        let p = issued();
        assert_eq!(
            endorsement_window(date!(2025 - 03 - 15)),
            (date!(2025 - 02 - 15), date!(2025 - 03 - 15))
        );
        assert!(!p.endorsement_due(date!(2025 - 02 - 14)));
        assert!(p.endorsement_due(date!(2025 - 02 - 15)));
        assert!(p.endorsement_due(date!(2025 - 03 - 14)));
        assert!(!p.endorsement_due(date!(2025 - 03 - 15)), "suspended then");
        let early = p
            .take(&PermitStep::Endorse, date!(2025 - 02 - 14))
            .expect_err("too early");
        assert_eq!(
            early,
            PermitError::EndorsementNotYetDue {
                opens: date!(2025 - 02 - 15),
                due: date!(2025 - 03 - 15)
            }
        );
        assert!(early.message_zh().contains("2025-02-15至2025-03-14"));
    }

    #[test]
    fn a_late_endorsement_restores_a_suspended_card_and_restarts_its_years() {
        let p = issued();
        assert_eq!(p.state_on(date!(2025 - 03 - 14)), PermitState::Issued);
        assert_eq!(p.state_on(date!(2025 - 03 - 15)), PermitState::Suspended);
        assert_eq!(p.years_counted(date!(2025 - 03 - 14)), 0);
        assert_eq!(p.years_counted(date!(2025 - 03 - 15)), 1);
        let restored = p
            .take(&PermitStep::Endorse, date!(2025 - 05 - 20))
            .expect("late endorsement");
        assert_eq!(
            restored.state_on(date!(2025 - 05 - 20)),
            PermitState::Issued
        );
        assert_eq!(restored.years_from, Some(date!(2025 - 05 - 20)));
        assert_eq!(restored.endorse_by, Some(date!(2026 - 05 - 20)));
        assert_eq!(restored.years_counted(date!(2026 - 01 - 01)), 0);
    }

    #[test]
    fn issue_is_due_fifteen_days_after_acceptance() {
        assert_eq!(issue_due(date!(2024 - 12 - 20)), date!(2025 - 01 - 04));
        let accepted = applied(date!(2024 - 03 - 01))
            .take(&ACCEPT, date!(2024 - 03 - 04))
            .expect("accepted");
        assert!(!accepted.issue_overdue(date!(2024 - 03 - 19)));
        assert!(accepted.issue_overdue(date!(2024 - 03 - 20)));
        let produced = accepted
            .take(&PermitStep::Produce, date!(2024 - 03 - 18))
            .expect("produced");
        assert!(produced.issue_overdue(date!(2024 - 03 - 20)));
        let handed = produced
            .take(&PermitStep::Issue, date!(2024 - 03 - 25))
            .expect("issued late, still issued");
        assert!(!handed.issue_overdue(date!(2024 - 03 - 26)));
    }

    #[test]
    fn months_and_anniversaries_keep_to_the_calendar() {
        assert_eq!(
            months_between(date!(2024 - 01 - 31), date!(2024 - 07 - 30)),
            5
        );
        assert_eq!(
            months_between(date!(2024 - 01 - 31), date!(2024 - 07 - 31)),
            6
        );
        assert_eq!(
            months_between(date!(2024 - 08 - 31), date!(2025 - 02 - 28)),
            6
        );
        assert_eq!(
            months_between(date!(2024 - 03 - 01), date!(2024 - 02 - 01)),
            -1
        );
        assert_eq!(anniversary(date!(2024 - 02 - 29), 1), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 03 - 31), -1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2024 - 01 - 15), -1), date!(2023 - 12 - 15));
    }

    #[test]
    fn eligibility_needs_six_months_and_work_housing_or_schooling() {
        let today = date!(2024 - 09 - 01);
        let settled = Facts {
            arrived_on: Some(date!(2024 - 03 - 01)),
            employed: false,
            housed: true,
        };
        assert_eq!(
            eligibility(&settled, &in_person(), today),
            Ok(Basis::Housing)
        );
        let working = Facts {
            employed: true,
            ..settled
        };
        assert_eq!(eligibility(&working, &in_person(), today), Ok(Basis::Work));
        let recent = Facts {
            arrived_on: Some(date!(2024 - 03 - 02)),
            ..settled
        };
        let refused = eligibility(&recent, &in_person(), today).expect_err("five months");
        assert_eq!(
            refused,
            PermitError::Ineligible(Ineligible::ShortResidence { months: 5 })
        );
        assert!(refused.message_zh().contains("不满六个月"));
        let proved = Application {
            residence_proved: true,
            ..in_person()
        };
        assert_eq!(eligibility(&recent, &proved, today), Ok(Basis::Housing));
        let unlinked = Facts {
            housed: false,
            ..settled
        };
        assert_eq!(
            eligibility(&unlinked, &in_person(), today),
            Err(PermitError::Ineligible(Ineligible::NoBasis))
        );
        let student = Application {
            proof: Some(Basis::Schooling),
            ..in_person()
        };
        assert_eq!(
            eligibility(&unlinked, &student, today),
            Ok(Basis::Schooling)
        );
        let none = Facts {
            arrived_on: None,
            ..settled
        };
        assert!(eligibility(&none, &in_person(), today).is_err());
    }

    #[test]
    fn a_proxy_applies_only_for_a_minor_an_elderly_or_a_disabled_person() {
        let today = date!(2024 - 09 - 01);
        let by = |ground| Application {
            proxy: Some(Proxy {
                name: PersonName::parse("王芳").expect("name"),
                relation: Note::parse("母亲").expect("relation"),
                ground,
            }),
            ..in_person()
        };
        let child = date!(2010 - 01 - 01);
        let adult = date!(1990 - 01 - 01);
        let elder = date!(1960 - 01 - 01);
        assert!(by(ProxyGround::Minor).check_proxy(child, today).is_ok());
        assert!(by(ProxyGround::Elderly).check_proxy(elder, today).is_ok());
        assert!(by(ProxyGround::Disabled).check_proxy(adult, today).is_ok());
        assert!(in_person().check_proxy(adult, today).is_ok());
        let refused = by(ProxyGround::Minor)
            .check_proxy(adult, today)
            .expect_err("an adult");
        assert_eq!(
            refused,
            PermitError::ProxyNotAllowed {
                ground: ProxyGround::Minor,
                age: 34
            }
        );
        assert!(refused.message_zh().contains("34周岁"));
        assert!(
            by(ProxyGround::Elderly)
                .check_proxy(date!(1964 - 09 - 02), today)
                .is_err()
        );
    }

    #[test]
    fn posted_steps_parse_with_their_details_or_say_what_is_missing() {
        let parsed = PermitStep::parse_request(
            "notice",
            &["photo".into(), "id_card".into(), "photo".into()],
            None,
            None,
        );
        assert_eq!(
            parsed,
            Ok(PermitRequest::Step(PermitStep::Notice {
                missing: MissingDocuments::new([Document::IdCard, Document::Photo])
                    .expect("documents")
            }))
        );
        assert_eq!(
            PermitStep::parse_request("notice", &[], None, None),
            Err(PermitError::NoticeEmpty)
        );
        assert_eq!(
            PermitStep::parse_request("cancel", &[], None, None),
            Err(PermitError::CancelReasonRequired)
        );
        assert!(matches!(
            PermitStep::parse_request("cancel", &[], Some("死亡"), None),
            Ok(PermitRequest::Step(PermitStep::Cancel {
                reason: CancelReason::Death,
                ..
            }))
        ));
        assert_eq!(
            PermitStep::parse_request("accept", &[], None, None),
            Ok(PermitRequest::Accept)
        );
        for bad in ["apply", "approve", ""] {
            assert!(PermitStep::parse_request(bad, &[], None, None).is_err());
        }
        assert!(PermitStep::parse_request("notice", &["passport".into()], None, None).is_err());
    }

    #[test]
    fn every_code_reads_back_and_every_error_speaks_both_languages() {
        for state in PermitState::ALL {
            if state != PermitState::Suspended {
                assert_eq!(PermitState::parse(state.code()), Ok(state));
            }
        }
        assert!(PermitState::parse("suspended").is_err(), "never stored");
        for step in PermitStepKind::ALL {
            assert_eq!(PermitStepKind::parse(step.code()), Ok(step));
        }
        for d in Document::ALL {
            assert_eq!(Document::parse(d.code()), Ok(d));
        }
        let errors = [
            PermitError::NoticeGivenAlready,
            PermitError::AlreadyHeld,
            PermitError::UnknownBasis("x".into()),
            PermitError::Ineligible(Ineligible::NoBasis),
        ];
        for e in errors {
            assert!(e.code().starts_with("permit_"));
            assert!(!e.message_zh().is_empty() && !e.message_en().is_empty());
        }
    }
}
