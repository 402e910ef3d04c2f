//! The store conformance suite: every behaviour of the `Store` interface,
//! written once and run unchanged against SQLite and a real PostgreSQL.
//!
//! PostgreSQL tests need `SOJOURN_TEST_POSTGRES_URL` (a server where the
//! user may create databases); `scripts/test` starts one and sets it.

/// Accounts, sessions and API tokens.
mod accounts;
/// The tamper-evident audit trail.
mod audit;
/// Batches of arrivals: rows meeting each other inside one batch.
mod batches;
/// The first load of an empty register, its search indexes set aside.
mod bulk_load;
mod cases;
/// Documents checked or chased on a person's file.
mod documents;
/// Probable duplicates queued by the write that makes them.
mod duplicates;
/// Encryption at rest, blind indexes and key rotation.
mod encryption;
/// Export paging by key.
mod export;
/// The family-planning follow-up: files, the 三查 schedule, worklists.
mod family_planning;
mod fixtures;
/// Minors under 16 registered with an adult guardian.
mod guardians;
mod harness;
/// Imported stays: whole rows, stays on file found again.
mod imports;
/// Safety inspections kept with a rental house.
mod inspections;
/// Export and import jobs kept across restarts.
mod jobs;
/// The operator's view: readiness, the inventory, sealed values opened.
mod operations;
/// Patrols: kept, due, overdue, and their tasks.
mod patrols;
/// Residence permits 居住证: steps, refusals, worklists, rate.
mod permits;
/// The data-quality monitor: findings, scans, the duplicate queue.
mod quality;
/// Service requests at the one-stop window (R4.2).
mod requests;
/// The review workflow: collected, entered, reviewed, spot-checked.
mod review;
/// Rules between fields, outflow returns and the outflow search.
mod rules;
mod search;
/// The figures of the staffing ratios.
mod staffing;
/// Running totals of the home page.
mod statistics;
/// Transfer requests between communities (重卡).
mod transfers;

/// Every case by name, whichever file holds it.
mod all {
    pub use crate::accounts::*;
    pub use crate::audit::*;
    pub use crate::batches::*;
    pub use crate::bulk_load::*;
    pub use crate::cases::*;
    pub use crate::documents::*;
    pub use crate::duplicates::*;
    pub use crate::encryption::*;
    pub use crate::export::*;
    pub use crate::family_planning::*;
    pub use crate::guardians::*;
    pub use crate::imports::*;
    pub use crate::inspections::*;
    pub use crate::jobs::*;
    pub use crate::operations::*;
    pub use crate::patrols::*;
    pub use crate::permits::*;
    pub use crate::quality::*;
    pub use crate::requests::*;
    pub use crate::review::*;
    pub use crate::rules::*;
    pub use crate::search::*;
    pub use crate::staffing::*;
    pub use crate::statistics::*;
    pub use crate::transfers::*;
}

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $case() { let db = crate::harness::sqlite(); crate::all::$case(&db); })*
        }
        mod postgres {
            $(#[test] fn $case() { let db = crate::harness::postgres(); crate::all::$case(&db); })*
        }
    };
}

conformance!(
    a_job_is_kept_for_its_owner_and_ended_once,
    jobs_left_running_by_a_stopped_server_are_marked_with_their_rows,
    expired_jobs_are_listed_unless_running_and_forgotten,
    // The family-planning follow-up.
    a_married_womans_file_is_kept_sealed_and_read_back_whole,
    a_file_is_refused_for_whom_the_follow_up_is_not_and_nothing_is_written,
    an_outflow_woman_is_judged_on_her_departure,
    a_file_is_changed_at_its_version_and_a_stale_one_is_refused,
    a_years_schedule_is_made_once_for_the_women_still_here,
    a_recorded_check_takes_the_woman_off_the_due_list,
    a_check_before_arrival_or_in_the_future_is_refused_and_changes_nothing,
    the_key_groups_list_the_women_their_files_put_in_them,
    the_30_day_rule_reads_the_files_filing_date_not_the_day_the_stay_was_typed,
    the_30_day_rule_judges_age_on_arrival_and_only_married_women,
    a_three_checks_result_outside_15_to_49_is_found_by_the_monitor,
    the_inventory_counts_each_write_and_ends_at_the_chains_head,
    a_store_is_ready_until_its_keys_or_schema_are_not_this_builds,
    every_sealed_value_opens_and_one_that_does_not_is_named,
    a_collected_stay_is_entered_returned_corrected_approved_and_spot_checked,
    every_register_record_gets_its_review_when_created,
    a_step_the_state_does_not_allow_is_refused_and_changes_nothing,
    a_review_step_with_a_stale_version_is_refused,
    a_discrepant_spot_check_returns_the_record_to_the_corrections_list,
    the_review_list_is_named_filtered_sorted_and_counted,
    a_record_out_of_scope_is_not_found_in_the_workflow,
    collected_records_not_entered_in_24_hours_are_overdue,
    a_waiting_count_stops_one_past_its_cap_and_the_list_keeps_the_whole_total,
    review_steps_are_counted_per_person_and_unit_and_audited,
    the_review_history_is_append_only,
    a_record_moved_to_another_unit_takes_its_review_along,
    records_from_before_the_workflow_get_their_review_from_the_migration,
    a_collection_typed_in_later_starts_the_review_when_and_where_it_happened,
    a_stay_without_a_house_is_found_on_write_and_cleared_by_linking_one,
    a_house_without_a_security_agreement_is_found_and_cleared,
    a_domicile_above_town_level_is_found_and_cleared_by_an_edit,
    a_woman_of_childbearing_age_filed_late_is_found,
    a_finding_is_stored_as_its_particulars_and_one_from_before_reads_as_it_was,
    a_batch_of_arrivals_writes_the_findings_of_every_row,
    a_stay_whose_reason_is_unknown_is_listed_until_the_reason_is_given,
    a_file_whose_domicile_came_from_its_number_is_listed_until_it_is_saved,
    a_scan_finds_what_was_changed_behind_the_store_and_clears_it_again,
    a_scan_queues_probable_duplicates_with_score_and_reasons,
    a_merge_moves_the_stays_and_keeps_the_history,
    a_merged_file_takes_no_new_stay_and_no_change,
    a_merge_of_two_current_files_is_refused_and_changes_nothing,
    a_dismissal_keeps_its_reason_and_survives_a_scan,
    a_merge_keeping_a_file_outside_the_pair_or_an_unknown_pair_is_refused,
    the_monitor_is_scoped,
    // Probable duplicates queued on write.
    a_second_file_of_the_same_name_and_birth_date_is_queued_at_once,
    an_edit_that_gives_a_file_a_namesakes_name_queues_the_pair,
    a_number_one_digit_from_a_stored_one_is_queued_under_every_key,
    a_dismissed_pair_is_not_reopened_by_a_later_write,
    an_offset_past_the_end_of_the_queue_reads_nothing_up_to_u64_max,
    a_merged_file_is_not_paired_by_a_later_write,
    a_batch_pairs_its_rows_with_each_other_and_with_stored_files,
    a_bulk_load_ends_with_its_pairs_queued,
    a_write_pairs_across_units_but_the_queue_shows_a_pair_only_where_both_files_are,
    the_monitors_count_of_open_pairs_is_the_number_its_queue_lists_in_every_scope,
    the_current_file_names_the_unit_everywhere_and_the_file_only_in_scope,
    a_finding_names_the_person_where_they_live_and_the_employer_kept_elsewhere,
    a_transfer_request_is_seen_by_both_communities_and_accepting_it_ends_the_stay,
    a_declined_request_keeps_its_reason_and_the_stay,
    a_transfer_request_that_cannot_be_made_is_refused_and_changes_nothing,
    a_third_community_neither_sees_nor_decides_a_request_and_the_asker_cannot_decide_it,
    an_export_pages_every_stay_in_scope_once_in_registration_order,
    an_export_pages_every_outflow_in_scope_once,
    a_filtered_export_pages_the_stays_the_list_finds,
    an_arrival_before_the_birth_date_is_refused_and_changes_nothing,
    a_stay_above_community_level_is_refused_and_changes_nothing,
    a_return_closes_an_outflow_record_once_and_keeps_its_history,
    the_same_departure_is_recorded_once_open_or_closed,
    the_outflow_search_reads_letters_as_the_resident_search_does,
    a_bulk_load_into_an_empty_register_matches_the_normal_path,
    a_bulk_load_sets_nothing_aside_once_the_register_has_a_resident,
    an_interrupted_bulk_load_gets_its_indexes_back_on_the_next_open,
    only_the_unit_holding_a_file_may_change_it,
    a_search_counts_at_most_one_more_than_the_cap,
    a_search_lists_matches_in_the_order_of_the_searched_key,
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
    a_tenant_moves_to_another_house_on_the_day_the_clerk_chooses,
    a_units_contacts_are_kept_read_in_scope_and_audited,
    employers_are_unique_by_credit_code_and_count_their_workers,
    outflows_record_left_behind_family_and_refuse_a_second_open_record,
    a_batch_of_arrivals_commits_the_good_rows_and_reports_the_bad,
    a_sibling_scope_neither_reads_nor_changes_residents,
    a_sibling_scope_neither_reads_nor_changes_houses_employers_or_outflows,
    records_cannot_be_placed_outside_the_scope,
    a_stay_names_a_house_or_employer_of_another_community_by_name_only,
    revisions_cannot_be_edited_or_deleted,
    accounts_are_opened_in_scope_and_unique_by_user_name,
    a_sibling_scope_neither_reads_nor_changes_accounts,
    an_account_remembers_its_language,
    account_changes_are_kept_and_disabling_ends_sessions,
    failed_logins_lock_the_account_at_the_threshold_and_success_clears_them,
    a_name_without_an_account_locks_as_an_account_does,
    a_lock_ends_the_accounts_sessions,
    a_totp_step_is_accepted_once,
    sessions_are_found_by_hash_touched_and_ended,
    a_new_password_ends_every_other_session,
    api_tokens_are_scoped_revocable_and_found_by_hash,
    the_second_row_of_a_number_in_one_batch_is_a_duplicate_naming_the_first_rows_unit,
    a_row_refused_in_a_batch_leaves_a_later_row_of_the_same_number_free,
    a_person_who_left_and_returns_in_a_batch_gets_a_new_residence_on_the_same_file,
    a_batch_refuses_a_number_living_outside_the_callers_scope_naming_that_unit,
    a_batch_takes_houses_and_employers_of_any_community_but_not_unknown_ones,
    a_batch_stores_every_field_as_a_single_arrival_does,
    a_batch_broken_by_an_unforeseen_failure_still_decides_each_row_alone,
    audit_entries_chain_in_order_and_are_found_by_filters_in_scope,
    the_schema_refuses_to_change_or_delete_audit_entries,
    verify_names_an_audit_entry_edited_in_the_database,
    verify_names_audit_entries_deleted_in_the_database,
    verify_names_an_audit_entry_inserted_in_the_database,
    verify_names_audit_entries_reordered_in_the_database,
    concurrent_appends_never_fork_the_audit_chain,
    permission_changes_are_audited_with_the_change,
    register_changes_are_audited_with_before_and_after_masked,
    sensitive_columns_hold_only_ciphertext_and_read_back_whole,
    no_sealed_value_is_in_the_clear_anywhere_in_the_database,
    one_file_per_id_number_is_enforced_on_the_blind_index,
    a_wrong_key_is_refused_at_open_and_names_the_key,
    a_rotation_keeps_data_readable_and_resumes_when_interrupted,
    register_changes_of_residents_are_audited_in_their_transaction,
    // Running totals of the home page.
    running_totals_follow_arrivals_departures_and_corrections,
    the_arrival_walk_lists_what_the_search_lists_in_the_same_order,
    // Documents checked or chased.
    document_checks_are_listed_newest_first,
    a_chase_then_a_check_keeps_both,
    a_person_outside_the_scope_gets_no_document_checks,
    a_document_check_is_audited_with_it,
    inspections_are_kept_with_the_house_latest_first,
    a_house_outside_the_scope_gets_no_inspection_and_shows_none,
    an_inspection_is_audited_with_it,
    // Minors registered with a guardian.
    a_minor_without_a_guardian_is_refused_and_changes_nothing,
    a_batch_refuses_each_minor_without_an_adult_guardian_on_its_own,
    a_guardians_numbers_are_sealed_at_rest_and_read_back_whole,
    an_edit_keeps_a_minor_with_an_adult_guardian_and_the_old_one_in_history,
    an_adult_file_may_keep_or_drop_the_guardian_recorded_as_a_child,
    // Imported stays.
    an_imported_departed_stay_is_stored_with_its_departure,
    an_imported_row_whose_departure_is_refused_leaves_nothing,
    a_checked_import_gives_the_imports_verdict_and_changes_nothing,
    a_checked_row_import_refuses_what_the_import_would_and_writes_nothing,
    a_departed_stay_imported_again_is_already_registered,
    a_current_stay_imported_again_is_already_registered_not_a_duplicate,
    a_stay_on_file_outside_the_scope_is_refused_not_revealed,
    // The staffing ratios.
    staffing_counts_residents_houses_and_coordinators_per_community,
    an_employers_coordinators_are_recorded_audited_and_judged_against_its_workers,
    // Patrols.
    a_patrol_is_kept_with_its_house_and_unregistered_tenants_open_a_task,
    a_patrol_out_of_scope_or_of_a_unit_not_patrolled_is_refused_and_writes_nothing,
    worklists_follow_the_cycles_and_list_the_most_overdue_first,
    // Service requests at the one-stop window.
    a_service_request_goes_from_intake_through_referral_to_closing,
    a_service_request_step_out_of_order_stale_or_early_is_refused_and_changes_nothing,
    a_service_request_outside_the_scope_is_not_found,
    the_service_request_worklist_is_filtered_sorted_and_counted,
    a_deployment_adds_a_kind_of_request_with_its_own_due_period,
    // Residence permits 居住证.
    a_permit_runs_from_application_to_cancellation_each_step_a_version,
    a_step_out_of_order_or_on_a_cancelled_card_is_refused_and_changes_nothing,
    a_permit_step_at_a_stale_version_is_refused,
    acceptance_is_judged_against_the_register_or_a_recorded_proof,
    a_second_application_and_a_proxy_for_an_adult_are_refused,
    a_permit_out_of_scope_is_not_found,
    the_worklists_follow_the_deadlines_of_the_day,
    the_permit_rate_counts_holders_in_force_over_eligible_residents,
);
