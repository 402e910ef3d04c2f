//! A small in-memory rate limiter: a fixed window per key (a client
//! address, a user name). It slows down password spraying and token
//! guessing across accounts, which the per-account lockout cannot see.
//! Memory is bounded: expired windows are dropped when the table grows.

use std::collections::HashMap;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// At most `max` attempts per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub per: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: OffsetDateTime,
    count: u32,
}

/// Keys beyond which expired windows are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

impl RateLimiter {
    /// Counts an attempt under `key`; refused with the time to wait if the
    /// window is full.
    pub fn attempt(
        &self,
        key: &str,
        limit: RateLimit,
        now: OffsetDateTime,
    ) -> Result<(), Duration> {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= SWEEP_AT {
            windows.retain(|_, w| w.started + limit.per > now);
            // Still full of live windows: a flood from very many clients.
            // Forget them rather than grow without bound.
            if windows.len() >= 4 * SWEEP_AT {
                windows.clear();
            }
        }
        let window = windows.entry(key.to_owned()).or_insert(Window {
            started: now,
            count: 0,
        });
        if window.started + limit.per <= now {
            *window = Window {
                started: now,
                count: 0,
            };
        }
        if window.count >= limit.max {
            return Err(window.started + limit.per - now);
        }
        window.count += 1;
        Ok(())
    }

    /// Whether `key` has attempts left, without counting one.
    pub fn check(&self, key: &str, limit: RateLimit, now: OffsetDateTime) -> Result<(), Duration> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        match windows.get(key) {
            Some(w) if w.started + limit.per > now && w.count >= limit.max => {
                Err(w.started + limit.per - now)
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_window_refuses_until_it_ends() {
        let limiter = RateLimiter::default();
        let limit = RateLimit {
            max: 3,
            per: Duration::minutes(1),
        };
        let t0 = OffsetDateTime::UNIX_EPOCH;
        for _ in 0..3 {
            assert_eq!(limiter.attempt("a", limit, t0), Ok(()));
        }
        let later = t0 + Duration::seconds(20);
        assert_eq!(
            limiter.attempt("a", limit, later),
            Err(Duration::seconds(40))
        );
        assert_eq!(limiter.check("a", limit, later), Err(Duration::seconds(40)));
        assert_eq!(limiter.attempt("b", limit, later), Ok(()), "keys are apart");
        assert_eq!(
            limiter.attempt("a", limit, t0 + Duration::minutes(1)),
            Ok(())
        );
    }
}
