//! Staffing ratios 配备标准 (R1.4, plan P7): how many coordinators
//! (协管员) a community or village and an employer need for the people
//! they hold, and whether they have them.
//!
//! The plan's words: a village or community with fewer than 1,000
//! floating residents has one coordinator; above that, one for every 500
//! residents or every 50 rental houses, "左右" — we take whichever needs
//! more, rounded up, since a ratio of 500:1 is not met by one coordinator
//! for 501 people. An employer with fewer than 200 temporary residents
//! has one part-time coordinator; from 200, one full-time coordinator for
//! every 200. An employer with nobody on file needs none. A full-time
//! coordinator also does what a part-time one would.

/// Floating residents below which one coordinator is enough.
pub const ONE_COORDINATOR_BELOW: u64 = 1_000;
/// Residents per coordinator above that.
pub const RESIDENTS_PER_COORDINATOR: u64 = 500;
/// Rental houses per coordinator above that.
pub const HOUSES_PER_COORDINATOR: u64 = 50;
/// Temporary residents from which an employer needs full-time coordinators.
pub const FULL_TIME_FROM: u64 = 200;
/// Temporary residents per full-time coordinator of an employer.
pub const WORKERS_PER_FULL_TIME: u64 = 200;

/// Coordinators a community or village needs for the floating residents
/// living in it and its rental houses.
pub fn coordinators_needed(residents: u64, houses: u64) -> u64 {
    if residents < ONE_COORDINATOR_BELOW {
        return 1;
    }
    residents
        .div_ceil(RESIDENTS_PER_COORDINATOR)
        .max(houses.div_ceil(HOUSES_PER_COORDINATOR))
}

/// The coordinators an employer has, or needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmployerCoordinators {
    /// Full-time coordinators (专职协管员).
    pub full_time: u32,
    /// Part-time coordinators (兼职协管员).
    pub part_time: u32,
}

impl EmployerCoordinators {
    /// What an employer with `workers` temporary residents on file needs.
    pub fn needed_for(workers: u64) -> Self {
        let full_time = if workers >= FULL_TIME_FROM {
            workers.div_ceil(WORKERS_PER_FULL_TIME)
        } else {
            0
        };
        Self {
            full_time: u32::try_from(full_time).unwrap_or(u32::MAX),
            part_time: u32::from(workers > 0 && workers < FULL_TIME_FROM),
        }
    }

    /// Whether these coordinators meet `need`: enough full-time ones, and
    /// a part-time need met by anyone.
    pub fn meets(self, need: Self) -> bool {
        let full_time_met = self.full_time >= need.full_time;
        let part_time_met =
            need.part_time == 0 || u64::from(self.full_time) + u64::from(self.part_time) > 0;
        full_time_met && part_time_met
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_community_below_a_thousand_needs_one_coordinator_whatever_its_houses() {
        assert_eq!(coordinators_needed(0, 0), 1);
        assert_eq!(coordinators_needed(999, 400), 1);
    }

    #[test]
    fn above_a_thousand_the_residents_or_the_houses_decide_whichever_needs_more() {
        assert_eq!(coordinators_needed(1_000, 0), 2);
        assert_eq!(coordinators_needed(1_001, 10), 3);
        assert_eq!(coordinators_needed(1_500, 0), 3);
        assert_eq!(coordinators_needed(1_200, 151), 4);
    }

    #[test]
    fn an_employer_needs_a_part_timer_below_two_hundred_and_a_full_timer_per_two_hundred_above() {
        let need = EmployerCoordinators::needed_for;
        assert_eq!(need(0), EmployerCoordinators::default());
        assert_eq!(
            need(199),
            EmployerCoordinators {
                full_time: 0,
                part_time: 1
            }
        );
        assert_eq!(need(200).full_time, 1);
        assert_eq!(need(200).part_time, 0);
        assert_eq!(need(401).full_time, 3);
    }

    #[test]
    fn a_full_timer_covers_a_part_time_need_but_not_the_reverse() {
        let have = |full_time, part_time| EmployerCoordinators {
            full_time,
            part_time,
        };
        assert!(have(1, 0).meets(EmployerCoordinators::needed_for(50)));
        assert!(have(0, 1).meets(EmployerCoordinators::needed_for(50)));
        assert!(!have(0, 0).meets(EmployerCoordinators::needed_for(50)));
        assert!(!have(0, 5).meets(EmployerCoordinators::needed_for(250)));
        assert!(have(2, 0).meets(EmployerCoordinators::needed_for(250)));
        assert!(have(0, 0).meets(EmployerCoordinators::needed_for(0)));
    }
}
