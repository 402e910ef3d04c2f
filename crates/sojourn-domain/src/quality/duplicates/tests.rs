//! The finder's tests: hand-picked pairs, then properties over random
//! numbers (a one-digit pair is always found, and the numbers a number pairs
//! with agree with the finder).

use super::numbers::has_real_birth_date;
use super::*;
use crate::quality::test_support::{TODAY, with_check};
use proptest::prelude::*;
use time::macros::date;

fn candidate<'a>(
    record: i64,
    name: &'a str,
    pinyin: &'a str,
    id_number: Option<&'a str>,
    birth_date: Option<Date>,
) -> DuplicateCandidate<'a> {
    DuplicateCandidate {
        record,
        name,
        pinyin,
        id_number,
        birth_date,
    }
}

fn reasons_of(pairs: &[DuplicatePair], a: i64, b: i64) -> Option<Vec<DuplicateReason>> {
    pairs
        .iter()
        .find(|p| p.first == a.min(b) && p.second == a.max(b))
        .map(|p| p.reasons.clone())
}

#[test]
fn same_name_and_birth_date_is_a_candidate() {
    let born = Some(date!(1990 - 03 - 07));
    let records = [
        candidate(1, "王芳", "wangfang", None, born),
        candidate(2, "王芳", "wangfang", None, born),
        candidate(3, "王芳", "wangfang", None, Some(date!(1991 - 03 - 07))),
    ];
    let pairs = probable_duplicates(&records);
    assert_eq!(
        reasons_of(&pairs, 1, 2),
        Some(vec![
            DuplicateReason::SameNameAndBirthDate,
            DuplicateReason::SamePinyinAndBirthYear
        ])
    );
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].score, 80);
}

#[test]
fn same_pinyin_and_birth_year_is_a_weaker_candidate() {
    let records = [
        candidate(1, "王芳", "wangfang", None, Some(date!(1990 - 03 - 07))),
        candidate(2, "汪方", "Wang Fang", None, Some(date!(1990 - 11 - 20))),
        candidate(3, "汪方", "wangfang", None, Some(date!(1991 - 01 - 01))),
    ];
    let pairs = probable_duplicates(&records);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(
        reasons_of(&pairs, 1, 2),
        Some(vec![DuplicateReason::SamePinyinAndBirthYear])
    );
    assert_eq!(pairs[0].score, 30);
}

#[test]
fn one_digit_apart_is_found_with_its_position() {
    let good = with_check("11010519900307002");
    let mut typo = good.clone().into_bytes();
    typo[15] = b'5';
    let typo = String::from_utf8(typo).expect("ASCII");
    let records = [
        candidate(7, "李四", "lisi", Some(&good), None),
        candidate(3, "李思", "lisi", Some(&typo), None),
        candidate(9, "赵六", "zhaoliu", Some("12345"), None),
    ];
    let pairs = probable_duplicates(&records);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!((pairs[0].first, pairs[0].second), (3, 7));
    assert_eq!(
        pairs[0].reasons,
        vec![DuplicateReason::IdDiffersInOneDigit { position: 15 }]
    );
    assert_eq!(pairs[0].score, 60);
}

#[test]
fn lower_case_x_and_legacy_form_are_the_same_number() {
    let records = [
        candidate(1, "甲", "jia", Some("11010519491231002X"), None),
        candidate(2, "乙", "yi", Some("11010519491231002x"), None),
        candidate(3, "丙", "bing", Some("130503670401001"), None),
        candidate(4, "丁", "ding", Some("130503196704010016"), None),
    ];
    let pairs = probable_duplicates(&records);
    assert_eq!(
        reasons_of(&pairs, 1, 2),
        Some(vec![DuplicateReason::SameIdNumber])
    );
    assert_eq!(
        reasons_of(&pairs, 3, 4),
        Some(vec![DuplicateReason::SameIdNumber])
    );
    assert_eq!(pairs.len(), 2);
    assert!(pairs.iter().all(|p| p.score == 100));
}

#[test]
fn implausible_numbers_are_not_paired_by_one_digit() {
    // Month 13 in both: no real birth date, so no one-digit pair.
    let records = [
        candidate(1, "甲", "jia", Some("110105199013070021"), None),
        candidate(2, "乙", "yi", Some("110105199013070022"), None),
    ];
    assert!(probable_duplicates(&records).is_empty());
}

#[test]
fn the_same_record_is_never_paired_with_itself() {
    let n = with_check("11010519900307002");
    let born = Some(date!(1990 - 03 - 07));
    let records = [
        candidate(5, "王芳", "wangfang", Some(&n), born),
        candidate(5, "王芳", "wangfang", Some(&n), born),
    ];
    assert!(probable_duplicates(&records).is_empty());
}

#[test]
fn pairs_come_highest_score_first() {
    let n = with_check("11010519900307002");
    let born = Some(date!(1990 - 03 - 07));
    let records = [
        candidate(1, "王芳", "wangfang", None, Some(date!(1990 - 01 - 01))),
        candidate(2, "汪方", "wangfang", None, Some(date!(1990 - 02 - 01))),
        candidate(3, "李四", "lisi", Some(&n), born),
        candidate(4, "李四", "lisi", Some(&n), born),
    ];
    let scores: Vec<u8> = probable_duplicates(&records)
        .iter()
        .map(|p| p.score)
        .collect();
    assert_eq!(scores, vec![100, 30]);
}

#[test]
fn duplicates_of_keeps_the_pairs_naming_a_subject() {
    let born = Some(date!(1990 - 03 - 07));
    let subjects = [
        candidate(1, "王芳", "wangfang", None, born),
        candidate(2, "王芳", "wangfang", None, born),
    ];
    let others = [
        candidate(3, "王芳", "wangfang", None, born),
        candidate(4, "李四", "lisi", None, born),
        candidate(5, "李四", "lisi", None, born),
    ];
    let pairs = duplicates_of(&subjects, &others);
    let found: Vec<(i64, i64)> = pairs.iter().map(|p| (p.first, p.second)).collect();
    assert_eq!(found, [(1, 2), (1, 3), (2, 3)], "{pairs:?}");
    let all = probable_duplicates(&[subjects.as_slice(), others.as_slice()].concat());
    for pair in &pairs {
        assert!(all.contains(pair), "scored as the whole finder scores it");
    }
}

#[test]
fn the_numbers_paired_with_a_number_are_its_forms_and_its_neighbours() {
    assert_eq!(numbers_paired_with("12345"), None);
    assert_eq!(numbers_paired_with("110105199013070021"), None);
    let n = with_check("11010519900307002");
    let paired = numbers_paired_with(&n).expect("plausible");
    assert_eq!(paired.same, [n.clone(), "110105900307002".to_owned()]);
    // 17 digits × 9 others + 10 others last, less the impossible dates
    // (month digits 2–9 in the tens, 0 in the units of 10; day tens 4–9).
    assert!(paired.one_digit.len() < 17 * 9 + 10);
    assert!(!paired.one_digit.contains(&n));
    let legacy = numbers_paired_with("110105900307002").expect("legacy");
    assert_eq!(legacy.same, paired.same);
    assert_eq!(legacy.one_digit, paired.one_digit);
    let lower = numbers_paired_with(&with_check("11010519491231002").to_lowercase());
    assert!(lower.is_some_and(|p| p.same[0].ends_with('X')));
}

#[test]
fn every_number_paired_by_number_is_one_the_finder_pairs() {
    let n = with_check("11010519900307002");
    let paired = numbers_paired_with(&n).expect("plausible");
    for (forms, reason) in [
        (&paired.same, DuplicateReason::SameIdNumber),
        (
            &paired.one_digit,
            DuplicateReason::IdDiffersInOneDigit { position: 0 },
        ),
    ] {
        for form in forms {
            let records = [
                candidate(1, "甲", "jia", Some(&n), None),
                candidate(2, "乙", "yi", Some(form), None),
            ];
            let reasons = reasons_of(&probable_duplicates(&records), 1, 2);
            let reasons = reasons.unwrap_or_default();
            assert_eq!(reasons.len(), 1, "{form}: {reasons:?}");
            assert_eq!(reasons[0].code(), reason.code(), "{form}");
        }
    }
}

fn real_date() -> impl Strategy<Value = Date> {
    let first = date!(1900 - 01 - 01).to_julian_day();
    (first..=TODAY.to_julian_day())
        .prop_map(|day| Date::from_julian_day(day).expect("day in range"))
}

prop_compose! {
    fn valid_number()(
        address in "[0-9]{6}",
        birth in real_date(),
        sequence in 0u32..1000,
    ) -> String {
        let ymd = format!("{:04}{:02}{:02}", birth.year(), u8::from(birth.month()), birth.day());
        with_check(&format!("{address}{ymd}{sequence:03}"))
    }
}

proptest! {
    #[test]
    fn a_pair_differing_in_one_digit_is_always_found(
        number in valid_number(),
        position in 0usize..18,
        replacement in prop::sample::select(b"0123456789X".to_vec()),
        others in prop::collection::vec(valid_number(), 0..20),
    ) {
        let mut bytes = number.clone().into_bytes();
        prop_assume!(bytes[position] != replacement);
        prop_assume!(position == 17 || replacement != b'X');
        bytes[position] = replacement;
        let changed = String::from_utf8(bytes).expect("ASCII");
        prop_assume!(has_real_birth_date(&changed[6..14]));
        let mut records = vec![
            candidate(1, "甲", "jia", Some(&number), None),
            candidate(2, "乙", "yi", Some(&changed), None),
        ];
        for (i, other) in others.iter().enumerate() {
            records.push(candidate(10 + i as i64, "丙", "bing", Some(other), None));
        }
        let pairs = probable_duplicates(&records);
        let reasons = reasons_of(&pairs, 1, 2).unwrap_or_default();
        prop_assert!(
            reasons.contains(&DuplicateReason::IdDiffersInOneDigit { position: position as u8 }),
            "{} / {}: {:?}", number, changed, pairs
        );
    }

    #[test]
    fn every_one_digit_pair_is_among_the_numbers_paired_with_either(
        number in valid_number(),
        position in 0usize..18,
        replacement in prop::sample::select(b"0123456789X".to_vec()),
    ) {
        let mut bytes = number.clone().into_bytes();
        prop_assume!(bytes[position] != replacement);
        prop_assume!(position == 17 || replacement != b'X');
        bytes[position] = replacement;
        let changed = String::from_utf8(bytes).expect("ASCII");
        let paired = numbers_paired_with(&number).expect("valid is plausible");
        let found = paired.one_digit.contains(&changed);
        prop_assert_eq!(found, has_real_birth_date(&changed[6..14]), "{}", changed);
        if found {
            let back = numbers_paired_with(&changed).expect("plausible");
            prop_assert!(back.one_digit.contains(&number));
        }
    }

    #[test]
    fn identical_numbers_are_never_one_digit_pairs(
        number in valid_number(),
        copies in 2usize..5,
    ) {
        let records: Vec<_> = (0..copies)
            .map(|i| candidate(i as i64, "甲", "jia", Some(number.as_str()), None))
            .collect();
        let pairs = probable_duplicates(&records);
        prop_assert_eq!(pairs.len(), copies * (copies - 1) / 2);
        for pair in pairs {
            prop_assert_eq!(pair.reasons, vec![DuplicateReason::SameIdNumber]);
        }
    }

    #[test]
    fn the_finder_never_panics(
        raw in prop::collection::vec("\\PC{0,20}", 0..8),
    ) {
        let records: Vec<_> = raw
            .iter()
            .enumerate()
            .map(|(i, r)| candidate(i as i64, r, r, Some(r.as_str()), None))
            .collect();
        let _ = probable_duplicates(&records);
    }
}
