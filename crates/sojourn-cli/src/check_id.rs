//! `sojourn check-id`: checks citizen identity numbers (GB 11643-1999) from
//! the command line or, one per line, from standard input, and prints one
//! line for each:
//!
//! ```text
//! 11010519491231002X<TAB>valid birth=1949-12-31 sex=female county=朝阳区
//! 130503196704010016<TAB>valid birth=1967-04-01 sex=male county=… upgraded_from=130503670401001
//! 36042619910102009X<TAB>invalid: wrong check character: expected 3, found X; …
//! ```
//!
//! Two tab-separated columns, so a spreadsheet or `cut -f2` can split them:
//! the normalised number (for invalid ones the input as given, trimmed), and
//! the verdict. An address code missing from the code history is a warning
//! on a valid line, not a refusal: numbers keep the code of the county that
//! issued them, and the history may lack a rare one.

use sojourn_domain::Localized;
use sojourn_domain::codes::IdNumber;
use std::io::{BufRead, Write};
use time::Date;

/// Checks `numbers`, or when there are none every non-blank line of
/// `input`; returns whether all were valid (the exit status follows it).
pub fn run(numbers: &[String], input: impl BufRead, out: &mut impl Write) -> std::io::Result<bool> {
    run_as_of(
        numbers,
        input,
        out,
        sojourn_domain::time_rules::china_today(),
    )
}

/// As [`run`], with "today" fixed so tests do not age.
fn run_as_of(
    numbers: &[String],
    input: impl BufRead,
    out: &mut impl Write,
    today: Date,
) -> std::io::Result<bool> {
    let mut all_valid = true;
    if numbers.is_empty() {
        for line in input.lines() {
            let line = line?;
            if !line.trim().is_empty() {
                all_valid &= check_one(&line, today, out)?;
            }
        }
    } else {
        for number in numbers {
            all_valid &= check_one(number, today, out)?;
        }
    }
    Ok(all_valid)
}

/// Writes the line for one number; returns whether it was valid.
fn check_one(input: &str, today: Date, out: &mut impl Write) -> std::io::Result<bool> {
    let given = input.trim();
    match IdNumber::parse_as_of(given, today) {
        Ok(id) => {
            writeln!(out, "{}\tvalid {}", id.as_str(), describe(&id, given))?;
            Ok(true)
        }
        Err(error) => {
            writeln!(out, "{given}\tinvalid: {}", error.message_en())?;
            Ok(false)
        }
    }
}

/// `birth=… sex=… county=…`, plus where a 15-digit number was upgraded.
fn describe(id: &IdNumber, given: &str) -> String {
    let county = id
        .issuing_county()
        .unwrap_or_else(|| "unknown (warning: address code not in the code history)".to_owned());
    let mut text = format!(
        "birth={} sex={} county={county}",
        id.birth_date(),
        id.sex().name_en()
    );
    if given.chars().filter(|c| !c.is_whitespace()).count() == 15 {
        text.push_str(&format!(" upgraded_from={given}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);

    /// Runs the command and returns its verdict and output lines.
    fn check(numbers: &[&str], stdin: &str) -> (bool, Vec<String>) {
        let numbers: Vec<String> = numbers.iter().map(|n| (*n).to_owned()).collect();
        let mut out = Vec::new();
        let all_valid =
            run_as_of(&numbers, stdin.as_bytes(), &mut out, TODAY).expect("writing to memory");
        let text = String::from_utf8(out).expect("UTF-8 output");
        (all_valid, text.lines().map(str::to_owned).collect())
    }

    #[test]
    fn a_valid_number_is_printed_with_birth_date_sex_and_county() {
        let (all_valid, lines) = check(&["11010519491231002x"], "");
        assert!(all_valid);
        assert_eq!(lines.len(), 1);
        let (number, verdict) = lines[0].split_once('\t').expect("two columns");
        assert_eq!(number, "11010519491231002X");
        assert!(
            verdict.starts_with("valid birth=1949-12-31 sex=female county="),
            "{verdict}"
        );
    }

    #[test]
    fn an_invalid_number_is_printed_as_given_with_the_reason() {
        let (all_valid, lines) = check(&[" 36042619910102009X "], "");
        assert!(!all_valid);
        assert_eq!(
            lines[0],
            "36042619910102009X\tinvalid: wrong check character: expected 3, found X; \
             the number was probably mistyped"
        );
    }

    #[test]
    fn numbers_are_read_from_input_when_none_are_given_and_blank_lines_skipped() {
        let stdin = "11010519491231002X\n\n   \r\n360426199113010079\r\n130503670401001\n";
        let (all_valid, lines) = check(&[], stdin);
        assert!(!all_valid);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("11010519491231002X\tvalid "));
        assert!(lines[1].starts_with("360426199113010079\tinvalid: "));
        assert!(lines[2].starts_with("130503196704010016\tvalid birth=1967-04-01 sex=male"));
        assert!(lines[2].ends_with(" upgraded_from=130503670401001"));
    }

    #[test]
    fn arguments_take_precedence_over_input() {
        let (all_valid, lines) = check(&["11010519491231002X"], "not read\n");
        assert!(all_valid);
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn an_unknown_address_code_is_a_warning_on_a_valid_line() {
        let (all_valid, lines) = check(&["990426199112010074"], "");
        assert!(all_valid);
        assert!(
            lines[0].ends_with("county=unknown (warning: address code not in the code history)"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn future_birth_dates_are_invalid() {
        let (all_valid, lines) = check(&["110105202701010016"], "");
        assert!(!all_valid);
        assert!(
            lines[0].contains("invalid: the birth date 2027-01-01"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn nothing_to_check_is_all_valid() {
        assert_eq!(check(&[], "\n \n"), (true, Vec::new()));
    }
}
