//! Sojourn's identity-number and credit-code parsers held up against
//! python-stdnum's verdicts (`cn.ric`, `cn.uscc`): the published vectors in
//! data/vectors/{id_numbers,uscc}.csv and the ~3000 numbers that
//! data/vectors/generate_stdnum_vectors.py generated and had stdnum judge.
//!
//! They must agree on length, format, birth date and check character. Where
//! Sojourn differs on purpose, the CSV says so in its `divergence` column and
//! the expected verdict follows Sojourn's rule instead (see the script's
//! docstring): unknown address codes are valid, future birth dates and those
//! before 1900 are refused, 15-digit numbers are upgraded.

use sojourn_domain::codes::id_number::IdNumberError;
use sojourn_domain::codes::uscc::{self, UsccError};
use sojourn_domain::codes::{IdNumber, Uscc};
use std::collections::HashMap;
use time::Date;
use time::macros::{date, format_description};

/// The "today" of the published vectors (none is near it).
const PUBLISHED_AS_OF: Date = date!(2026 - 11 - 28);

/// A verdict at the grain both implementations can be compared on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Valid,
    Length,
    Format,
    CheckCharacter,
    BirthDate,
    FutureBirthDate,
    TooEarlyBirthDate,
}

fn stdnum_verdict(name: &str) -> Verdict {
    match name {
        "valid" => Verdict::Valid,
        "InvalidLength" => Verdict::Length,
        "InvalidFormat" => Verdict::Format,
        "InvalidChecksum" => Verdict::CheckCharacter,
        // Rows where it is about the address code carry a divergence mark.
        "InvalidComponent" => Verdict::BirthDate,
        other => panic!("unknown stdnum verdict {other:?}"),
    }
}

fn id_verdict(result: &Result<IdNumber, IdNumberError>) -> Verdict {
    match result {
        Ok(_) => Verdict::Valid,
        Err(IdNumberError::WrongLength(_) | IdNumberError::LostPrecision(_)) => Verdict::Length,
        Err(IdNumberError::InvalidCharacter { .. }) => Verdict::Format,
        Err(IdNumberError::WrongCheckCharacter { .. }) => Verdict::CheckCharacter,
        Err(IdNumberError::InvalidBirthDate(_)) => Verdict::BirthDate,
        Err(IdNumberError::BirthDateInFuture { .. }) => Verdict::FutureBirthDate,
        Err(IdNumberError::BirthDateTooEarly { .. }) => Verdict::TooEarlyBirthDate,
    }
}

fn uscc_verdict(result: &Result<Uscc, UsccError>) -> Verdict {
    match result {
        Ok(_) => Verdict::Valid,
        Err(UsccError::WrongLength(_)) => Verdict::Length,
        Err(
            UsccError::InvalidCharacter { .. }
            | UsccError::InvalidAuthority(_)
            | UsccError::InvalidOrganisationType(_)
            | UsccError::InvalidDivision,
        ) => Verdict::Format,
        Err(UsccError::WrongCheckCharacter { .. }) => Verdict::CheckCharacter,
    }
}

/// One row of a reference CSV, by column name.
type Row = HashMap<String, String>;

fn field<'a>(row: &'a Row, column: &str) -> &'a str {
    row.get(column).map_or("", String::as_str)
}

fn read_vectors(file: &str) -> Vec<Row> {
    let path = format!("{}/../../data/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines().map(split_csv_line);
    let header = lines.next().unwrap_or_else(|| panic!("{path} is empty"));
    lines
        .map(|fields| header.iter().cloned().zip(fields).collect())
        .collect()
}

/// RFC 4180 fields of one line (quoted fields may hold commas and `""`);
/// enough for these files, which never break a field across lines. No
/// trimming: leading spaces are part of some inputs.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let current = fields.last_mut().expect("always one field");
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            _ => current.push(c),
        }
    }
    fields
}

/// What Sojourn must answer for an identity-number row, and the number it
/// must normalise the input to when valid (if the row says).
fn expected_for_id_row(row: &Row) -> (Verdict, Option<String>) {
    let stdnum = stdnum_verdict(field(row, "stdnum_verdict"));
    let compact = Some(field(row, "stdnum_compact").to_owned()).filter(|c| !c.is_empty());
    match field(row, "divergence") {
        "" => (stdnum, compact.filter(|_| stdnum == Verdict::Valid)),
        "address_code" => (Verdict::Valid, compact),
        "future_birth_date" => (Verdict::FutureBirthDate, None),
        "birth_before_1900" => (Verdict::TooEarlyBirthDate, None),
        "legacy_15_digits" => match field(row, "upgraded") {
            "" => (Verdict::Format, None),
            upgraded => {
                let verdict = stdnum_verdict(field(row, "upgraded_verdict"));
                (
                    verdict,
                    Some(upgraded.to_owned()).filter(|_| verdict == Verdict::Valid),
                )
            }
        },
        other => panic!("unknown divergence {other:?}"),
    }
}

fn as_of(row: &Row) -> Date {
    match field(row, "as_of") {
        "" => PUBLISHED_AS_OF,
        text => Date::parse(text, format_description!("[year]-[month]-[day]"))
            .unwrap_or_else(|e| panic!("as_of {text:?}: {e}")),
    }
}

/// Checks every row and returns one line per disagreement.
fn id_disagreements(rows: &[Row]) -> Vec<String> {
    let mut disagreements = Vec::new();
    for row in rows {
        let input = field(row, "input");
        let (expected, normalised) = expected_for_id_row(row);
        let result = IdNumber::parse_as_of(input, as_of(row));
        let actual = id_verdict(&result);
        let actual_number = result.as_ref().ok().map(|id| id.as_str().to_owned());
        if actual != expected || (normalised.is_some() && actual_number != normalised) {
            disagreements.push(format!(
                "{input:?}: expected {expected:?} {normalised:?}, Sojourn said {result:?}"
            ));
        }
    }
    disagreements
}

fn assert_no_disagreements(file: &str, rows: usize, disagreements: &[String]) {
    assert!(rows > 0, "{file} has no rows");
    assert!(
        disagreements.is_empty(),
        "{} of {rows} rows of {file} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// The published vectors carry a note instead of a divergence column.
fn mark_address_code_rows(mut rows: Vec<Row>) -> Vec<Row> {
    for row in &mut rows {
        if field(row, "note").contains("address code") {
            row.insert("divergence".into(), "address_code".into());
        }
    }
    rows
}

#[test]
fn published_identity_numbers_get_stdnums_verdict() {
    let rows = mark_address_code_rows(read_vectors("id_numbers.csv"));
    assert_no_disagreements("id_numbers.csv", rows.len(), &id_disagreements(&rows));
}

#[test]
fn generated_identity_numbers_get_stdnums_verdict() {
    let rows = read_vectors("id_numbers_generated.csv");
    assert!(
        rows.len() >= 2500,
        "expected ~3000 generated rows, found {}",
        rows.len()
    );
    let disagreements = id_disagreements(&rows);
    assert_no_disagreements("id_numbers_generated.csv", rows.len(), &disagreements);
}

#[test]
fn generated_vectors_cover_every_verdict_and_divergence() {
    let rows = read_vectors("id_numbers_generated.csv");
    for wanted in [
        "valid",
        "InvalidLength",
        "InvalidFormat",
        "InvalidChecksum",
        "InvalidComponent",
    ] {
        assert!(
            rows.iter().any(|r| field(r, "stdnum_verdict") == wanted),
            "{wanted}"
        );
    }
    for wanted in [
        "address_code",
        "future_birth_date",
        "birth_before_1900",
        "legacy_15_digits",
    ] {
        assert!(
            rows.iter().any(|r| field(r, "divergence") == wanted),
            "{wanted}"
        );
    }
}

/// stdnum wants digits in the first eight characters; GB 32100 also has the
/// letter authorities A, N and Y, which Sojourn accepts, so for such codes
/// only the check character decides.
fn is_letter_authority_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    bytes.len() == 18 && b"ANY".contains(&bytes[0]) && bytes[1..8].iter().all(u8::is_ascii_digit)
}

fn check_character_matches(code: &str) -> bool {
    let first17 = code.get(..17).unwrap_or_default();
    uscc::check_character(first17).is_some_and(|check| code.ends_with(check))
}

#[test]
fn published_credit_codes_get_stdnums_verdict() {
    let rows = read_vectors("uscc.csv");
    let mut disagreements = Vec::new();
    for row in &rows {
        let input = field(row, "input");
        let stdnum = stdnum_verdict(field(row, "stdnum_verdict"));
        let expected = match is_letter_authority_code(input) {
            true if check_character_matches(input) => Verdict::Valid,
            true => Verdict::CheckCharacter,
            false => stdnum,
        };
        let result = Uscc::parse(input);
        if uscc_verdict(&result) != expected {
            disagreements.push(format!(
                "{input:?}: expected {expected:?}, Sojourn said {result:?}"
            ));
        }
    }
    assert_no_disagreements("uscc.csv", rows.len(), &disagreements);
}
