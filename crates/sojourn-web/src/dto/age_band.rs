//! Age bands of the resident list (年龄段): children under 16, people of
//! working age 16–59, and people of 60 and over, as the street office
//! counts them. A band is a range of birth dates on a given day, so the
//! store filters on the birth date it keeps.

use super::fields::InputError;
use time::{Date, Duration, Month};

/// One band of the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeBand {
    Under16,
    From16To59,
    From60,
}

impl AgeBand {
    pub const ALL: [Self; 3] = [Self::Under16, Self::From16To59, Self::From60];

    /// The code in URLs and the API: `under_16`, `16_59`, `60_plus`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Under16 => "under_16",
            Self::From16To59 => "16_59",
            Self::From60 => "60_plus",
        }
    }

    pub(crate) fn parse(input: &str) -> Result<Self, InputError> {
        Self::ALL
            .into_iter()
            .find(|band| band.code() == input.trim())
            .ok_or_else(|| InputError::UnknownOption {
                value: input.to_owned(),
                allowed: Self::ALL.map(Self::code).join(", "),
            })
    }

    /// Ages from `low` to `high` inclusive (`None`: no bound).
    fn ages(self) -> (Option<i32>, Option<i32>) {
        match self {
            Self::Under16 => (None, Some(15)),
            Self::From16To59 => (Some(16), Some(59)),
            Self::From60 => (Some(60), None),
        }
    }

    /// Birth dates, inclusive, of the people in the band on `today`.
    pub fn birth_dates(self, today: Date) -> (Option<Date>, Option<Date>) {
        let (low, high) = self.ages();
        // Aged at most `high`: born after the day `high + 1` years ago.
        let from = high.map(|h| years_before(today, h + 1) + Duration::days(1));
        // Aged at least `low`: born on or before the day `low` years ago.
        let to = low.map(|l| years_before(today, l));
        (from, to)
    }
}

/// The same day `years` years before `day`; 29 February becomes the 28th
/// in a common year (a person born on 29 February comes of age on 1 March
/// of a common year, as `age_on` counts).
fn years_before(day: Date, years: i32) -> Date {
    let year = day.year() - years;
    Date::from_calendar_date(year, day.month(), day.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .unwrap_or(Date::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sojourn_domain::time_rules::age_on;
    use time::macros::date;

    /// Every birth date in a band has an age in the band, and the days
    /// just outside it do not.
    #[test]
    fn birth_dates_match_ages_at_the_edges() {
        for today in [
            date!(2026 - 11 - 28),
            date!(2024 - 02 - 29),
            date!(2025 - 03 - 01),
        ] {
            for band in AgeBand::ALL {
                let (low, high) = band.ages();
                let (from, to) = band.birth_dates(today);
                if let Some(from) = from {
                    assert!(
                        age_on(from, today) <= high.unwrap_or(i32::MAX),
                        "{band:?} {today}"
                    );
                    let before = from - Duration::days(1);
                    assert!(
                        age_on(before, today) > high.unwrap_or(i32::MAX),
                        "{band:?} {today}"
                    );
                }
                if let Some(to) = to {
                    assert!(age_on(to, today) >= low.unwrap_or(0), "{band:?} {today}");
                    let after = to + Duration::days(1);
                    assert!(age_on(after, today) < low.unwrap_or(0), "{band:?} {today}");
                }
            }
        }
    }

    #[test]
    fn codes_parse_back_and_others_are_refused() {
        for band in AgeBand::ALL {
            assert_eq!(AgeBand::parse(band.code()), Ok(band));
        }
        assert!(AgeBand::parse("old").is_err());
    }
}
