//! Documents checked for a resident (R2.6): the marriage-and-childbearing
//! certificate (婚育证明), the labour contract (劳动合同) and the vaccination
//! certificate (接种证). Each is either checked (查验) on a day that has
//! happened, or chased (催办) with a due date that has not yet passed.

use crate::localized::Localized;
use crate::text::{Note, TextError};
use crate::time_rules::{DateError, PastDate, parse_iso_date};
use thiserror::Error;
use time::Date;

/// A document the registers check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentKind {
    MarriageBirthCertificate,
    LabourContract,
    VaccinationCertificate,
}

impl DocumentKind {
    /// Every kind, in the order the forms list them.
    pub const ALL: &'static [DocumentKind] = &[
        Self::MarriageBirthCertificate,
        Self::LabourContract,
        Self::VaccinationCertificate,
    ];

    /// The stable code stored and used by the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::MarriageBirthCertificate => "marriage_birth_certificate",
            Self::LabourContract => "labour_contract",
            Self::VaccinationCertificate => "vaccination_certificate",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::MarriageBirthCertificate => "婚育证明",
            Self::LabourContract => "劳动合同",
            Self::VaccinationCertificate => "接种证",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::MarriageBirthCertificate => "marriage-and-childbearing certificate",
            Self::LabourContract => "labour contract",
            Self::VaccinationCertificate => "vaccination certificate",
        }
    }

    /// Accepts the code or the Chinese name.
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        let text = input.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.code() == text || k.name_zh() == text)
            .ok_or_else(|| DocumentError::UnknownKind(text.to_owned()))
    }
}

/// A due date for a chase: today or later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DueDate(Date);

impl DueDate {
    pub fn new(date: Date, today: Date) -> Result<Self, DocumentError> {
        if date < today {
            return Err(DocumentError::DueInPast { due: date, today });
        }
        Ok(Self(date))
    }

    pub fn parse(input: &str, today: Date) -> Result<Self, DocumentError> {
        let date = parse_iso_date(input).map_err(DocumentError::Date)?;
        Self::new(date, today)
    }

    pub fn date(self) -> Date {
        self.0
    }
}

impl std::fmt::Display for DueDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a document stands: checked on a past day, or chased until a due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentStatus {
    Checked { on: PastDate },
    Chased { due: DueDate },
}

/// One check or chase of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentCheck {
    pub kind: DocumentKind,
    pub status: DocumentStatus,
    pub note: Option<Note>,
}

impl DocumentCheck {
    /// Parses the form or API fields. Exactly one of `checked_on` and `due_on`
    /// must be given (blank counts as absent); a blank note is no note.
    pub fn parse(
        kind: &str,
        checked_on: Option<&str>,
        due_on: Option<&str>,
        note: Option<&str>,
        today: Date,
    ) -> Result<Self, DocumentError> {
        let kind = DocumentKind::parse(kind)?;
        let status = match (present(checked_on), present(due_on)) {
            (Some(on), None) => DocumentStatus::Checked {
                on: PastDate::parse(on, today).map_err(DocumentError::Date)?,
            },
            (None, Some(due)) => DocumentStatus::Chased {
                due: DueDate::parse(due, today)?,
            },
            (Some(_), Some(_)) => return Err(DocumentError::BothDates),
            (None, None) => return Err(DocumentError::NoDate),
        };
        let note = match present(note) {
            Some(text) => Some(Note::parse(text).map_err(DocumentError::Note)?),
            None => None,
        };
        Ok(Self { kind, status, note })
    }

    /// The day checked, when checked.
    pub fn checked_on(&self) -> Option<Date> {
        match self.status {
            DocumentStatus::Checked { on } => Some(on.date()),
            DocumentStatus::Chased { .. } => None,
        }
    }

    /// The due date, when chased.
    pub fn due_on(&self) -> Option<Date> {
        match self.status {
            DocumentStatus::Chased { due } => Some(due.date()),
            DocumentStatus::Checked { .. } => None,
        }
    }
}

/// A field's text, or nothing when absent or blank.
fn present(input: Option<&str>) -> Option<&str> {
    input.map(str::trim).filter(|s| !s.is_empty())
}

/// A check as the register keeps it: who recorded it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedDocumentCheck {
    pub id: i64,
    pub person: crate::person::PersonId,
    pub check: DocumentCheck,
    pub recorded_at: time::OffsetDateTime,
    pub recorded_by: String,
}

/// Why a document check was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocumentError {
    #[error(
        "{0:?} is not a document kind (marriage_birth_certificate, labour_contract, vaccination_certificate)"
    )]
    UnknownKind(String),
    #[error("{0}")]
    Date(DateError),
    #[error("the chase due date {due} is in the past (today is {today})")]
    DueInPast { due: Date, today: Date },
    #[error("give either the date checked or the chase due date, not both")]
    BothDates,
    #[error("give the date checked or the chase due date")]
    NoDate,
    #[error("{0}")]
    Note(TextError),
}

impl DocumentError {
    /// The form or API field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::UnknownKind(_) => "kind",
            Self::Date(_) | Self::DueInPast { .. } | Self::BothDates | Self::NoDate => "date",
            Self::Note(_) => "note",
        }
    }
}

impl Localized for DocumentError {
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownKind(_) => "document_kind_unknown",
            Self::Date(e) => e.code(),
            Self::DueInPast { .. } => "document_due_in_past",
            Self::BothDates => "document_both_dates",
            Self::NoDate => "document_no_date",
            Self::Note(e) => e.code(),
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::UnknownKind(s) => {
                format!("“{s}”不是可查验的证件（婚育证明、劳动合同、接种证）")
            }
            Self::Date(e) => e.message_zh(),
            Self::DueInPast { due, today } => {
                format!("催办期限 {due} 早于今天（{today}）")
            }
            Self::BothDates => "查验日期和催办期限只能填写一个".into(),
            Self::NoDate => "请填写查验日期或催办期限".into(),
            Self::Note(e) => e.message_zh(),
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);

    #[test]
    fn kinds_parse_from_code_and_chinese_name() {
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(kind.code()), Ok(*kind));
            assert_eq!(DocumentKind::parse(kind.name_zh()), Ok(*kind));
        }
        assert_eq!(
            DocumentKind::parse(" 接种证\u{3000}"),
            Ok(DocumentKind::VaccinationCertificate)
        );
        assert!(matches!(
            DocumentKind::parse("passport"),
            Err(DocumentError::UnknownKind(_))
        ));
    }

    #[test]
    fn a_check_on_a_past_day_is_accepted() {
        let check = DocumentCheck::parse(
            "labour_contract",
            Some("2026-11-28"),
            None,
            Some("  原件已核对 "),
            TODAY,
        )
        .expect("valid");
        assert_eq!(check.kind, DocumentKind::LabourContract);
        assert_eq!(check.checked_on(), Some(TODAY));
        assert_eq!(check.due_on(), None);
        assert_eq!(check.note.expect("note").as_str(), "原件已核对");
    }

    #[test]
    fn a_chase_due_today_or_later_is_accepted() {
        let check =
            DocumentCheck::parse("婚育证明", Some(""), Some("2026-12-15"), Some(" "), TODAY)
                .expect("valid");
        assert_eq!(check.due_on(), Some(date!(2026 - 12 - 15)));
        assert_eq!(check.checked_on(), None);
        assert_eq!(check.note, None);
        assert!(DueDate::parse("2026-11-28", TODAY).is_ok());
    }

    #[test]
    fn wrong_inputs_are_refused_with_their_field() {
        let parse = |kind, on, due, note| DocumentCheck::parse(kind, on, due, note, TODAY);
        let cases = [
            (
                parse("id_card", Some("2026-01-01"), None, None),
                "document_kind_unknown",
                "kind",
            ),
            (
                parse("接种证", Some("2026-11-29"), None, None),
                "date_in_future",
                "date",
            ),
            (
                parse("接种证", Some("2026-02-30"), None, None),
                "date_malformed",
                "date",
            ),
            (
                parse("接种证", None, Some("2026-11-27"), None),
                "document_due_in_past",
                "date",
            ),
            (
                parse("接种证", None, Some("soon"), None),
                "date_malformed",
                "date",
            ),
            (
                parse("接种证", Some("2026-11-01"), Some("2026-12-01"), None),
                "document_both_dates",
                "date",
            ),
            (
                parse("接种证", None, Some("  "), None),
                "document_no_date",
                "date",
            ),
        ];
        for (result, code, field) in cases {
            let err = result.expect_err("refused");
            assert_eq!(err.code(), code, "{err}");
            assert_eq!(err.field(), field);
            assert!(!err.message_zh().is_empty());
            assert!(!err.message_en().is_empty());
        }
        let long = "备".repeat(Note::MAX_CHARS + 1);
        let err = parse("接种证", Some("2026-11-01"), None, Some(&long)).expect_err("refused");
        assert_eq!((err.code(), err.field()), ("text_too_long", "note"));
        assert!(err.message_zh().contains("备注"));
    }
}
