//! Dates as the registers accept them. The domain does no I/O, but "today"
//! is a fact every date rule needs; it is taken once at the edge
//! ([`china_today`]) and passed in, so rules stay testable.

use crate::localized::Localized;
use thiserror::Error;
use time::{Date, OffsetDateTime, UtcOffset};

/// China Standard Time, UTC+8, the zone every deployment works in.
pub const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("UTC+8 is a valid offset"),
};

/// Today's date in China.
pub fn china_today() -> Date {
    OffsetDateTime::now_utc().to_offset(CHINA).date()
}

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("{0} is not a date in the form YYYY-MM-DD")]
    Malformed(String),
    #[error("{date} is in the future (today is {today})")]
    InFuture { date: Date, today: Date },
    #[error("{0} is before 1900")]
    TooEarly(Date),
}

impl Localized for DateError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "date_malformed",
            Self::InFuture { .. } => "date_in_future",
            Self::TooEarly(_) => "date_too_early",
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::Malformed(s) => format!("“{s}”不是有效日期，应为 年-月-日，如 2024-03-05"),
            Self::InFuture { date, today } => format!("日期 {date} 晚于今天（{today}）"),
            Self::TooEarly(date) => format!("日期 {date} 早于1900年"),
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// A date that has happened: not after today, not before 1900.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PastDate(Date);

impl PastDate {
    pub fn new(date: Date, today: Date) -> Result<Self, DateError> {
        if date > today {
            return Err(DateError::InFuture { date, today });
        }
        if date.year() < 1900 {
            return Err(DateError::TooEarly(date));
        }
        Ok(Self(date))
    }

    /// Parses `YYYY-MM-DD` and applies [`PastDate::new`].
    pub fn parse(input: &str, today: Date) -> Result<Self, DateError> {
        Self::new(parse_iso_date(input)?, today)
    }

    pub fn date(self) -> Date {
        self.0
    }
}

impl std::fmt::Display for PastDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Parses an ISO calendar date `YYYY-MM-DD`.
pub fn parse_iso_date(input: &str) -> Result<Date, DateError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(input.trim(), format).map_err(|_| DateError::Malformed(input.to_owned()))
}

/// Whole years between `birth` and `on` (age as a clerk counts it).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn future_dates_are_refused() {
        let today = date!(2026 - 11 - 28);
        assert!(PastDate::parse("2026-11-28", today).is_ok());
        assert!(matches!(
            PastDate::parse("2026-11-29", today),
            Err(DateError::InFuture { .. })
        ));
        assert!(matches!(
            PastDate::parse("2026-02-30", today),
            Err(DateError::Malformed(_))
        ));
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(date!(1966 - 11 - 29), date!(2026 - 11 - 28)), 59);
        assert_eq!(age_on(date!(1966 - 11 - 28), date!(2026 - 11 - 28)), 60);
    }
}
