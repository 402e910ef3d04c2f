//! Identity numbers as the duplicate finder compares them: packed into a
//! `u64` (18 base-11 digits) when plausible, and, for a store that looks
//! candidates up by exact match, the numbers a given number pairs with.

use crate::codes::id_number::check_character;
use time::Date;

/// The numbers [`probable_duplicates`](super::probable_duplicates) pairs
/// with `raw` by number, as text a register may hold them in: the
/// 18-character form (upper-case X) and, where one exists, the legacy
/// 15-digit form it upgrades from. What lets a store find them by exact
/// lookup instead of comparing every number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairedNumbers {
    /// The same number (duplicate files, 重卡), `raw`'s own forms included.
    pub same: Vec<String>,
    /// Numbers differing from it in one position: each of the 17 digits
    /// replaced by the 9 others, the last character by the 10 others (0–9,
    /// X); only plausible ones (a real birth date), as the finder requires.
    pub one_digit: Vec<String>,
}

/// See [`PairedNumbers`]; `None` when `raw` is not plausible, so that the
/// finder pairs it by number with nothing.
pub fn numbers_paired_with(raw: &str) -> Option<PairedNumbers> {
    let own = unpack_id(pack_plausible_id(raw)?);
    let mut paired = PairedNumbers::default();
    push_with_legacy(&mut paired.same, own.clone());
    let mut bytes = own.into_bytes();
    for position in 0..18 {
        let original = bytes[position];
        let alphabet: &[u8] = if position == 17 {
            b"0123456789X"
        } else {
            b"0123456789"
        };
        for &replacement in alphabet.iter().filter(|&&c| c != original) {
            bytes[position] = replacement;
            // ASCII throughout: the bytes are digits or X.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if (6..14).contains(&position) && !has_real_birth_date(&text[6..14]) {
                continue;
            }
            push_with_legacy(&mut paired.one_digit, text);
        }
        bytes[position] = original;
    }
    Some(paired)
}

/// `number` (18 characters), and the 15-digit number that upgrades to it,
/// if one does (born in the 1900s, the check character the computed one).
fn push_with_legacy(forms: &mut Vec<String>, number: String) {
    let legacy = (&number[6..8] == "19"
        && check_character(&number[..17]) == number[17..].chars().next())
    .then(|| format!("{}{}", &number[..6], &number[8..17]));
    forms.push(number);
    forms.extend(legacy);
}

/// The 18 characters of a number packed by [`pack_plausible_id`].
fn unpack_id(mut packed: u64) -> String {
    let mut digits = [b'0'; 18];
    for slot in digits.iter_mut().rev() {
        let digit = (packed % 11) as u8;
        *slot = if digit == 10 { b'X' } else { b'0' + digit };
        packed /= 11;
    }
    String::from_utf8_lossy(&digits).into_owned()
}

/// Place value of each position in a packed number (base 11, first
/// character most significant).
const fn place_values() -> [u64; 18] {
    let mut values = [1u64; 18];
    let mut i = 17;
    while i > 0 {
        values[i - 1] = values[i] * 11;
        i -= 1;
    }
    values
}
pub(super) const PLACE: [u64; 18] = place_values();

/// The number as 18 base-11 digits (X = 10) if it is plausible: 18
/// characters, or 15 upgraded as GB 11643 does; digits with a digit or X
/// last; a real birth date. The check character is not checked.
pub(super) fn pack_plausible_id(raw: &str) -> Option<u64> {
    let text = crate::codes::normalise_code_input(raw).to_uppercase();
    let text = match text.len() {
        18 => text,
        15 if text.bytes().all(|b| b.is_ascii_digit()) => {
            let first17 = format!("{}19{}", &text[..6], &text[6..]);
            let check = check_character(&first17)?;
            format!("{first17}{check}")
        }
        _ => return None,
    };
    let bytes = text.as_bytes();
    if !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
    {
        return None;
    }
    has_real_birth_date(&text[6..14]).then_some(())?;
    Some(bytes.iter().fold(0u64, |acc, &b| {
        let digit = if b == b'X' { 10 } else { u64::from(b - b'0') };
        acc * 11 + digit
    }))
}

/// Whether eight ASCII digits `YYYYMMDD` name a real date from year 1.
pub(super) fn has_real_birth_date(digits: &str) -> bool {
    let (Ok(year), Ok(month), Ok(day)) = (
        digits[..4].parse::<i32>(),
        digits[4..6].parse::<u8>(),
        digits[6..].parse::<u8>(),
    ) else {
        return false;
    };
    let Ok(month) = time::Month::try_from(month) else {
        return false;
    };
    year > 0 && Date::from_calendar_date(year, month, day).is_ok()
}
