//! When and where a collector (采集员) collected a record in the field
//! (R3.1). A collector often fills in the paper form on the doorstep and
//! types it in later; the review must judge "entered more than 24 hours
//! after collection" from the real collection time, not the typing time.
//!
//! The time is typed as China Standard Time (`2024-03-05T14:30`, as a
//! browser's date-and-time field sends it, or `2024-03-05 14:30`, seconds
//! optional), or as RFC 3339 with its offset (`2024-03-05T14:30:00+08:00`).
//! It may not lie in the future, nor more than [`COLLECTION_WINDOW_DAYS`]
//! days back: a paper form older than that is a late registration, not a
//! collection, and a typo in the year should not pass. Where the record has
//! a date of its own (a stay's arrival, an outflow's departure), the
//! collection may not come before that day ([`CollectionTime::not_before`]).

use crate::localized::Localized;
use crate::text::TextError;
use crate::time_rules::CHINA;
use thiserror::Error;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

/// How many days back a collection time may lie.
pub const COLLECTION_WINDOW_DAYS: i64 = 30;

/// A collection time: not in the future, at most 30 days back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CollectionTime(OffsetDateTime);

impl CollectionTime {
    /// Parses `input` (see the module) and checks it against `now`.
    pub fn parse(input: &str, now: OffsetDateTime) -> Result<Self, CollectionError> {
        let at = read_time(input.trim())
            .ok_or_else(|| CollectionError::Malformed(input.trim().to_owned()))?;
        if at > now {
            return Err(CollectionError::InFuture { at, now });
        }
        if now - at > Duration::days(COLLECTION_WINDOW_DAYS) {
            return Err(CollectionError::TooOld { at });
        }
        Ok(Self(at))
    }

    /// The time itself, or refused when it falls on a day before `day`
    /// (China time): a stay cannot be collected before the arrival.
    pub fn not_before(self, day: Date) -> Result<Self, CollectionError> {
        if self.0.to_offset(CHINA).date() < day {
            return Err(CollectionError::BeforeRecord { at: self.0, day });
        }
        Ok(self)
    }

    pub fn at(self) -> OffsetDateTime {
        self.0
    }
}

fn read_time(text: &str) -> Option<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at);
    }
    let local = text.replacen(' ', "T", 1);
    let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(&local, minutes)
        .or_else(|_| PrimitiveDateTime::parse(&local, seconds))
        .ok()
        .map(|t| t.assume_offset(CHINA))
}

/// Where the collector collected the record, as they describe it (a
/// building, a gate, 多福巷北口): free text, at most 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CollectionPlace(String);

impl CollectionPlace {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, CollectionError> {
        let trimmed = input.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        let field = "collection place";
        if trimmed.is_empty() {
            return Err(CollectionError::Place(TextError::Empty { field }));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(CollectionError::Place(TextError::TooLong {
                field,
                max: Self::MAX_CHARS,
            }));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(CollectionError::Place(TextError::ControlCharacter {
                field,
            }));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a collector says of a record's collection; each part optional (the
/// time defaults to when the record is saved, the place to the collector's
/// collection point).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Collection {
    pub at: Option<CollectionTime>,
    pub place: Option<CollectionPlace>,
}

impl Collection {
    pub fn is_empty(&self) -> bool {
        self.at.is_none() && self.place.is_none()
    }
}

/// Why a collection time or place was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CollectionError {
    #[error("{0:?} is not a time in the form YYYY-MM-DD HH:MM (China time)")]
    Malformed(String),
    #[error("the collection time {at} is in the future (now is {now})")]
    InFuture {
        at: OffsetDateTime,
        now: OffsetDateTime,
    },
    #[error(
        "the collection time {at} is more than {COLLECTION_WINDOW_DAYS} days ago; register it as a late registration"
    )]
    TooOld { at: OffsetDateTime },
    #[error("the collection time {at} is before the record's own date {day}")]
    BeforeRecord { at: OffsetDateTime, day: Date },
    #[error("only a record a collector registers has a collection time and place")]
    NotACollector,
    #[error("{0}")]
    Place(TextError),
}

impl CollectionError {
    /// The form or API field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Place(_) => "collected_place",
            _ => "collected_at",
        }
    }
}

fn china_minute(at: OffsetDateTime) -> String {
    at.to_offset(CHINA)
        .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default()
}

impl Localized for CollectionError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "collection_time_malformed",
            Self::InFuture { .. } => "collection_time_in_future",
            Self::TooOld { .. } => "collection_time_too_old",
            Self::BeforeRecord { .. } => "collection_time_before_record",
            Self::NotACollector => "collection_not_a_collector",
            Self::Place(e) => e.code(),
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::Malformed(s) => {
                format!(
                    "“{s}”不是有效的采集时间，应为 年-月-日 时:分（北京时间），如 2024-03-05 14:30"
                )
            }
            Self::InFuture { at, now } => format!(
                "采集时间 {} 晚于现在（{}）",
                china_minute(*at),
                china_minute(*now)
            ),
            Self::TooOld { at } => format!(
                "采集时间 {} 已超过{COLLECTION_WINDOW_DAYS}天，请按补登记办理",
                china_minute(*at)
            ),
            Self::BeforeRecord { at, day } => {
                format!("采集时间 {} 早于本记录的日期 {day}", china_minute(*at))
            }
            Self::NotACollector => "只有信息采集员登记的记录才填写采集时间和采集地点".into(),
            Self::Place(e) => e.message_zh(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::InFuture { at, now } => format!(
                "the collection time {} is in the future (now is {}, China time)",
                china_minute(*at),
                china_minute(*now)
            ),
            Self::TooOld { at } => format!(
                "the collection time {} is more than {COLLECTION_WINDOW_DAYS} days ago; \
                 register it as a late registration",
                china_minute(*at)
            ),
            Self::BeforeRecord { at, day } => format!(
                "the collection time {} is before the record's own date {day}",
                china_minute(*at)
            ),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2024-03-10 12:00 +8);

    #[test]
    fn a_browser_time_is_china_time_and_rfc3339_keeps_its_offset() {
        let local = CollectionTime::parse("2024-03-09T14:30", NOW).expect("allowed");
        assert_eq!(local.at(), datetime!(2024-03-09 14:30 +8));
        let spaced = CollectionTime::parse(" 2024-03-09 14:30:15 ", NOW).expect("allowed");
        assert_eq!(spaced.at(), datetime!(2024-03-09 14:30:15 +8));
        let utc = CollectionTime::parse("2024-03-09T06:30:00Z", NOW).expect("allowed");
        assert_eq!(utc.at(), local.at());
    }

    #[test]
    fn a_malformed_future_or_too_old_time_is_refused() {
        for wrong in [
            "2024-03-09",
            "昨天",
            "2024-13-01T10:00",
            "2024-03-09T25:00",
            "",
        ] {
            assert!(
                matches!(
                    CollectionTime::parse(wrong, NOW),
                    Err(CollectionError::Malformed(_))
                ),
                "{wrong}"
            );
        }
        let future = CollectionTime::parse("2024-03-10T12:01", NOW).expect_err("future");
        assert_eq!(future.code(), "collection_time_in_future");
        assert!(future.message_zh().contains("2024-03-10 12:01"));
        assert!(CollectionTime::parse("2024-03-10T12:00", NOW).is_ok());
        assert!(CollectionTime::parse("2024-02-09T12:00", NOW).is_ok());
        let old = CollectionTime::parse("2024-02-09T11:59", NOW).expect_err("too old");
        assert_eq!(old.code(), "collection_time_too_old");
        assert_eq!(old.field(), "collected_at");
        assert!(old.message_zh().contains("30天"));
    }

    #[test]
    fn a_collection_before_the_records_own_day_is_refused() {
        let at = CollectionTime::parse("2024-03-05T00:30", NOW).expect("allowed");
        assert!(at.not_before(date!(2024 - 03 - 05)).is_ok());
        // 00:30 in China is the day before in UTC: the day is China's.
        let refused = at.not_before(date!(2024 - 03 - 06)).expect_err("before");
        assert_eq!(refused.code(), "collection_time_before_record");
        assert!(refused.message_en().contains("2024-03-06"));
    }

    #[test]
    fn a_place_is_bounded_free_text() {
        assert_eq!(
            CollectionPlace::parse("　多福巷北口 ")
                .expect("allowed")
                .as_str(),
            "多福巷北口"
        );
        let long = CollectionPlace::parse(&"巷".repeat(101)).expect_err("too long");
        assert_eq!(long.code(), "text_too_long");
        assert_eq!(long.field(), "collected_place");
        assert!(long.message_zh().contains("采集地点"));
        assert!(CollectionPlace::parse(&"巷".repeat(100)).is_ok());
        assert!(CollectionPlace::parse("a\u{7}b").is_err());
        assert!(CollectionPlace::parse("  ").is_err());
    }

    #[test]
    fn only_a_collector_has_a_collection() {
        let error = CollectionError::NotACollector;
        assert_eq!(error.code(), "collection_not_a_collector");
        assert!(error.message_zh().contains("采集员"));
        assert!(Collection::default().is_empty());
    }
}
