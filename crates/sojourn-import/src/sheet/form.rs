//! What a sheet is to the import: which files are read as sheets, the
//! form a register's sheets are read as, and the translation between a
//! sheet's rows and the machine form the parsers read (the machine-form
//! header and record, and a parser's refusal named by the sheet's header).
//! Kept apart so the checker, the import and the run share one
//! translation.

use crate::error::{ImportError, Result};
use crate::registers::Register;
use crate::table::Refusal;
use sojourn_sheets::{Form, Layout, Problem, SheetRow};
use std::io::Read;
use std::path::Path;

/// The form a register's sheets are read as.
pub fn form_of(register: Register) -> Form {
    match register {
        Register::Residents => Form::Residents,
        Register::Houses => Form::Houses,
        Register::Employers => Form::Employers,
        Register::Outflows => Form::Outflows,
    }
}

/// Whether `path` must be read as a sheet: an .xlsx file, or a CSV file
/// whose first line is not the machine form's header (English keys), which
/// the plain CSV import reads.
pub fn is_sheet(path: &Path, register: Register) -> Result<bool> {
    match sojourn_sheets::FileKind::of(path)? {
        sojourn_sheets::FileKind::Xlsx => Ok(true),
        sojourn_sheets::FileKind::Csv => {
            let mut first = Vec::with_capacity(4096);
            std::fs::File::open(path)
                .and_then(|f| f.take(64 * 1024).read_to_end(&mut first))
                .map_err(|e| ImportError::file(&path.display().to_string(), e))?;
            let text = String::from_utf8_lossy(&first);
            let line = text
                .trim_start_matches('\u{feff}')
                .lines()
                .next()
                .unwrap_or("");
            let keys: Vec<&str> = register.columns().iter().map(|c| c.key).collect();
            let machine_form = !line.trim().is_empty()
                && line
                    .split(',')
                    .all(|cell| keys.contains(&cell.trim().to_ascii_lowercase().as_str()));
            Ok(!machine_form)
        }
    }
}

/// The machine-form header all rows are given to the parsers under.
pub(super) fn machine_header(form: Form) -> csv::StringRecord {
    form.fields().iter().map(|f| f.key).collect()
}

pub(super) fn record_of(row: &SheetRow) -> csv::StringRecord {
    row.values
        .iter()
        .map(|v| v.as_deref().unwrap_or_default())
        .collect()
}

/// A refusal of the machine-form import's parsers, its column named as
/// the sheet writes it.
pub(super) fn problem_of(layout: &Layout, refusal: &Refusal) -> Problem {
    Problem {
        column: refusal.column.map(|key| layout.header_of(key)),
        code: refusal.code.to_owned(),
        message_zh: refusal.message_zh.clone(),
        message_en: refusal.message_en.clone(),
    }
}
