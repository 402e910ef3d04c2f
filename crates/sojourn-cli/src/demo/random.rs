//! Small helpers over `rand` so the generators read as what they choose.

use rand::Rng;
use rand::seq::IndexedRandom;
use time::Date;

/// `true` with probability `p`.
pub fn chance(rng: &mut impl Rng, p: f64) -> bool {
    rng.random_bool(p.clamp(0.0, 1.0))
}

/// A uniformly chosen element; `None` for an empty slice.
pub fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> Option<&'a T> {
    items.choose(rng)
}

/// An element chosen in proportion to its weight.
pub fn weighted<'a, T>(rng: &mut impl Rng, items: &'a [(T, u32)]) -> Option<&'a T> {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let mut ticket = rng.random_range(0..total);
    for (item, weight) in items {
        if ticket < *weight {
            return Some(item);
        }
        ticket -= weight;
    }
    None
}

/// The date `days` before `date` (never earlier than the calendar allows).
pub fn days_before(date: Date, days: i64) -> Date {
    let julian = i64::from(date.to_julian_day()) - days;
    i32::try_from(julian)
        .ok()
        .and_then(|day| Date::from_julian_day(day).ok())
        .unwrap_or(Date::MIN)
}

/// Days from `earlier` to `later` (negative if reversed).
pub fn days_between(earlier: Date, later: Date) -> i64 {
    i64::from(later.to_julian_day()) - i64::from(earlier.to_julian_day())
}

/// A date between `days_before(today, max_days)` and
/// `days_before(today, min_days)`, inclusive.
pub fn date_in_past(rng: &mut impl Rng, today: Date, min_days: i64, max_days: i64) -> Date {
    let days = rng.random_range(min_days..=max_days.max(min_days));
    days_before(today, days)
}

/// A birth date giving an age in `min_age..=max_age` on `on`.
pub fn birth_date(rng: &mut impl Rng, on: Date, min_age: i64, max_age: i64) -> Date {
    // A year of days per year of age; the last day keeps the age below max + 1.
    let youngest = min_age * 366;
    let oldest = (max_age + 1) * 365 - 1;
    date_in_past(rng, on, youngest, oldest)
}
