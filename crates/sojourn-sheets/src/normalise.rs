//! Cells as people type them made into the text the domain parsers read:
//! full-width characters, stray spaces, lower-case `x`, dates in every
//! common form, and numbers Excel kept as numbers.

use crate::error::CellError;
use time::{Date, Duration, Month};

/// Full-width ASCII (`０`–`９`, `Ａ`–`ｚ`, punctuation) and the ideographic
/// space made half-width; everything else kept.
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// Free text: half-width letters and digits (full-width punctuation such
/// as `（）` is normal in Chinese text and stays), trimmed, inner runs of
/// spaces made one.
pub fn text(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars() {
        let c = match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            c => c,
        };
        if c.is_whitespace() || c == '\u{3000}' || c == '\u{FEFF}' {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A code: half-width, no spaces or dashes between digit groups, upper
/// case. A code shown in scientific notation (`1.10105E+17`, what a CSV
/// saved from Excel holds for a number column) has lost its digits.
pub fn code(raw: &str) -> Result<Option<String>, CellError> {
    let wide = half_width(raw);
    let out: String = wide
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
        .flat_map(char::to_uppercase)
        .collect();
    // A leading apostrophe is how people force text in Excel.
    let out = out.trim_start_matches('\'').to_owned();
    if looks_scientific(&out) {
        return Err(CellError::LostDigits { shown: out });
    }
    Ok((!out.is_empty()).then_some(out))
}

fn looks_scientific(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once("E+") else {
        return false;
    };
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

/// Excel keeps 15 significant digits: a number of 16 or more digits (an
/// 18-digit ID number, a collection point's code) typed into a number
/// cell has had its tail replaced by zeros.
const EXACT_DIGITS_BELOW: f64 = 1e15;

/// A code that Excel stored as a number.
pub fn code_from_number(value: f64) -> Result<String, CellError> {
    if value.abs() >= EXACT_DIGITS_BELOW {
        return Err(CellError::LostDigits {
            shown: format!("{value:.0}"),
        });
    }
    if value.fract() != 0.0 || value < 0.0 {
        return Err(CellError::NotACode(number_text(value)));
    }
    Ok(format!("{value:.0}"))
}

/// A number as a person would write it: whole numbers without `.0`.
pub fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < EXACT_DIGITS_BELOW {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// The largest serial Excel shows as a date (9999-12-31).
const LAST_SERIAL: f64 = 2_958_465.0;

/// An Excel serial date (1900 system, with its phantom 1900-02-29).
pub fn date_from_serial(serial: f64) -> Result<Date, CellError> {
    if !(1.0..=LAST_SERIAL).contains(&serial) {
        return Err(CellError::NotADate(number_text(serial)));
    }
    // The integer part is the day; a time of day is dropped.
    let days = serial.trunc() as i64;
    // Excel counts 1900-02-29, which never was: serials from 61 on are
    // one day ahead of a plain count from 1899-12-31.
    let (epoch, days) = if days >= 61 {
        (date(1899, Month::December, 30), days)
    } else {
        (date(1899, Month::December, 31), days)
    };
    epoch
        .ok_or_else(|| CellError::NotADate(number_text(serial)))?
        .checked_add(Duration::days(days))
        .ok_or_else(|| CellError::NotADate(number_text(serial)))
}

fn date(year: i32, month: Month, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, month, day).ok()
}

/// A date typed as text: `2024-03-05`, `2024/3/5`, `2024.3.5`,
/// `2024年3月5日`, `20240305`, perhaps with a time after it (CSV saved
/// from Excel writes `2024/3/5 0:00`).
pub fn date_from_text(raw: &str) -> Result<Date, CellError> {
    let wide = half_width(raw);
    let trimmed = wide.trim();
    let not_a_date = || CellError::NotADate(trimmed.to_owned());
    let day_part = trimmed
        .split([' ', 'T'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('日')
        .trim_end_matches('号');
    let parts: Vec<&str> = if day_part.len() == 8 && day_part.bytes().all(|b| b.is_ascii_digit()) {
        vec![&day_part[..4], &day_part[4..6], &day_part[6..]]
    } else {
        day_part.split(['-', '/', '.', '年', '月']).collect()
    };
    let [year, month, day] = parts.as_slice() else {
        return Err(not_a_date());
    };
    if year.len() != 4 || month.is_empty() || day.is_empty() || month.len() > 2 || day.len() > 2 {
        return Err(not_a_date());
    }
    let year: i32 = year.parse().map_err(|_| not_a_date())?;
    let month: u8 = month.parse().map_err(|_| not_a_date())?;
    let day: u8 = day.parse().map_err(|_| not_a_date())?;
    let month = Month::try_from(month).map_err(|_| not_a_date())?;
    Date::from_calendar_date(year, month, day).map_err(|_| not_a_date())
}

/// A date that Excel stored as a plain number: `20240305` typed into a
/// number cell, or a serial date whose cell lost its date format.
pub fn date_from_number(value: f64) -> Result<Date, CellError> {
    if value.fract() == 0.0 && (19_000_101.0..=99_991_231.0).contains(&value) {
        return date_from_text(&format!("{value:.0}"));
    }
    date_from_serial(value)
}

/// A whole number typed as text, or a number.
pub fn integer_from_number(value: f64) -> Result<String, CellError> {
    if value.fract() == 0.0 && value.abs() < EXACT_DIGITS_BELOW {
        Ok(format!("{value:.0}"))
    } else {
        Err(CellError::NotAWholeNumber(number_text(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_common_date_form_reads_as_the_same_day() {
        for text in [
            "2024-03-05",
            "2024/3/5",
            "2024.3.5",
            "2024年3月5日",
            "2024年03月05日",
            "20240305",
            " 2024-3-5 ",
            "２０２４－０３－０５",
            "2024/3/5 0:00",
            "2024-03-05 00:00:00",
        ] {
            assert_eq!(date_from_text(text), Ok(date!(2024 - 03 - 05)), "{text}");
        }
    }

    #[test]
    fn text_that_is_not_a_date_is_refused() {
        for text in [
            "2024-13-01",
            "2024-02-30",
            "24-3-5",
            "3/5/2024",
            "2024",
            "昨天",
            "2024-3",
        ] {
            assert!(
                matches!(date_from_text(text), Err(CellError::NotADate(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn excel_serials_count_the_phantom_leap_day() {
        assert_eq!(date_from_serial(45356.0), Ok(date!(2024 - 03 - 05)));
        assert_eq!(date_from_serial(45356.75), Ok(date!(2024 - 03 - 05)));
        assert_eq!(date_from_serial(1.0), Ok(date!(1900 - 01 - 01)));
        assert_eq!(date_from_serial(61.0), Ok(date!(1900 - 03 - 01)));
        assert_eq!(date_from_number(20240305.0), Ok(date!(2024 - 03 - 05)));
        assert!(date_from_serial(0.0).is_err());
    }

    #[test]
    fn an_eighteen_digit_number_stored_as_a_number_has_lost_digits() {
        // 110105194912310021 as Excel keeps it: 15 significant digits.
        let stored = 110_105_194_912_310_000.0;
        assert!(matches!(
            code_from_number(stored),
            Err(CellError::LostDigits { .. })
        ));
        assert!(matches!(
            code("1.10105E+17"),
            Err(CellError::LostDigits { .. })
        ));
        // A 15-digit number (an old ID number) is exact.
        assert_eq!(
            code_from_number(130_503_670_401_001.0),
            Ok("130503670401001".into())
        );
        assert_eq!(code_from_number(13_812_345_678.0), Ok("13812345678".into()));
    }

    #[test]
    fn codes_lose_spaces_and_width_and_get_an_upper_case_x() {
        assert_eq!(
            code(" １１０１０５ 1949 1231 002x "),
            Ok(Some("11010519491231002X".into()))
        );
        assert_eq!(code("'110101001001"), Ok(Some("110101001001".into())));
        assert_eq!(code("  "), Ok(None));
    }

    #[test]
    fn text_is_trimmed_and_made_half_width_but_keeps_chinese_punctuation() {
        assert_eq!(
            text("  多福巷１２号（东院）  3 室 "),
            Some("多福巷12号（东院） 3 室".into())
        );
        assert_eq!(text("\u{3000}"), None);
    }
}
