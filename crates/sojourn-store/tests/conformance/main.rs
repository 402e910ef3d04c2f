//! The store conformance suite: every behaviour of the `Store` interface,
//! written once and run unchanged against SQLite and a real PostgreSQL.
//!
//! PostgreSQL tests need `SOJOURN_TEST_POSTGRES_URL` (a server where the
//! user may create databases); `scripts/test` starts one and sets it.

mod cases;
mod fixtures;
mod harness;

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $case() { let db = crate::harness::sqlite(); crate::cases::$case(&db); })*
        }
        mod postgres {
            $(#[test] fn $case() { let db = crate::harness::postgres(); crate::cases::$case(&db); })*
        }
    };
}

conformance!(
    init_creates_the_tree_once,
    units_are_added_under_a_parent_of_the_level_above,
    an_arrival_creates_a_person_file_and_a_registered_residence,
    a_second_current_residence_for_the_same_id_is_refused_naming_the_unit,
    a_person_who_left_and_returns_gets_a_new_residence_on_the_same_file,
    a_departure_before_the_arrival_is_refused_and_changes_nothing,
    activation_and_departure_follow_the_lifecycle,
    an_edit_with_a_stale_version_is_refused,
    every_change_keeps_the_previous_version_in_history,
    residents_are_found_by_id_name_pinyin_and_phone,
    resident_filters_combine,
    houses_keep_their_tenants_now_and_before,
    employers_are_unique_by_credit_code_and_count_their_workers,
    outflows_record_left_behind_family_and_refuse_a_second_open_record,
    a_batch_of_arrivals_commits_the_good_rows_and_reports_the_bad,
    a_sibling_scope_neither_reads_nor_changes_residents,
    a_sibling_scope_neither_reads_nor_changes_houses_employers_or_outflows,
    records_cannot_be_placed_outside_the_scope,
    revisions_cannot_be_edited_or_deleted,
);
