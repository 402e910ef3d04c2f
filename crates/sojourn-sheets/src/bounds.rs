//! What one sheet may make the reader hold. An .xlsx file is a zip of XML:
//! a 1 MB upload can unpack to gigabytes, hold one cell of hundreds of
//! megabytes, or a million rows, and calamine keeps the shared strings and
//! each cell whole. So before calamine opens a file, [`check_file`] reads
//! it once as a stream, holding nothing but counters: the zip's directory
//! (how many parts), each part's unpacked size (counted, not the size it
//! claims), the shared strings' size, the longest cell, tag, comment or run
//! of text, and the rows of each worksheet. A CSV file's lines are counted
//! the same way. While reading, the reader checks each cell's length and
//! the rows again (`read.rs`). A file over a bound is refused as a whole,
//! before any row is imported, saying which bound it hit ([`Bound`]).

use crate::error::SheetError;
use sojourn_domain::Localized;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use thiserror::Error;

/// The bounds of one import. The defaults fit a street's ledger; the
/// command line may raise them for a larger register ([`Limits::for_rows`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows of the sheet (as Excel counts them: title and header too).
    pub max_rows: u64,
    /// Characters of one cell: a form's cell holds a few hundred at most.
    pub max_cell_chars: usize,
    /// Unpacked bytes of each part of an .xlsx file (the worksheet is the
    /// largest: some 600 bytes a row of the residents' form).
    pub max_entry_bytes: u64,
    /// Unpacked bytes of the shared strings, which calamine holds whole.
    pub max_shared_strings_bytes: u64,
}

/// Rows of a street's ledger (a street of 200,000 floating residents is
/// a large one); also about what the 32 MiB upload limit holds.
pub const DEFAULT_MAX_ROWS: u64 = 200_000;
/// A form's longest cell (an address) is well under this.
pub const DEFAULT_MAX_CELL_CHARS: usize = 1_000;
/// Unpacked worksheet bytes allowed per row: 2 KiB is three times what a
/// row of the residents' form takes with every field filled.
const ENTRY_BYTES_PER_ROW: u64 = 2 * 1024;
/// Shared string bytes allowed per row (the distinct texts of a row).
const SHARED_BYTES_PER_ROW: u64 = 512;
/// Parts of an .xlsx file: Excel writes a dozen or two.
pub const MAX_ENTRIES: u64 = 1_000;
/// Columns of a sheet: Excel's own limit (XFD).
pub const MAX_COLUMNS: usize = 16_384;

impl Default for Limits {
    fn default() -> Self {
        Self::for_rows(DEFAULT_MAX_ROWS)
    }
}

impl Limits {
    /// The bounds for a sheet of up to `max_rows` rows: the byte bounds
    /// grow with the rows (never below the default's).
    pub fn for_rows(max_rows: u64) -> Self {
        let rows = max_rows.max(DEFAULT_MAX_ROWS);
        Self {
            max_rows,
            max_cell_chars: DEFAULT_MAX_CELL_CHARS,
            max_entry_bytes: rows.saturating_mul(ENTRY_BYTES_PER_ROW),
            max_shared_strings_bytes: rows.saturating_mul(SHARED_BYTES_PER_ROW),
        }
    }

    /// The longest cell, tag or comment allowed in the XML: a cell of
    /// `max_cell_chars` characters may take up to four bytes each, or ten
    /// as character references, and rich text wraps runs in markup.
    fn max_markup_bytes(&self) -> u64 {
        (self.max_cell_chars as u64)
            .saturating_mul(16)
            .max(64 * 1024)
    }
}

/// Which bound a file went over.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Bound {
    #[error("the sheet has more than {max} rows; split it into several files")]
    Rows { max: u64 },
    #[error("a cell{} is longer than {max} characters; a form's cell holds a few hundred at most", at_en(.at))]
    Cell {
        /// Row (as Excel numbers it) and column letter, when known.
        at: Option<(u64, String)>,
        max: usize,
    },
    #[error("the sheet has more than {max} columns")]
    Columns { max: usize },
    #[error("the .xlsx file has more than {max} parts; it is not a sheet as Excel writes it")]
    Entries { max: u64 },
    #[error("the part {name:?} of the .xlsx file unpacks to more than {} MiB", mib(*.max))]
    Entry { name: String, max: u64 },
    #[error("the shared strings of the .xlsx file unpack to more than {} MiB", mib(*.max))]
    SharedStrings { max: u64 },
    #[error("the part {name:?} of the .xlsx file holds a tag, comment or text longer than {} KiB, or a document type; it is not a sheet as Excel writes it", *.max / 1024)]
    Markup { name: String, max: u64 },
}

fn mib(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

fn at_en(at: &Option<(u64, String)>) -> String {
    at.as_ref()
        .map(|(row, column)| format!(" (row {row}, column {column})"))
        .unwrap_or_default()
}

impl Localized for Bound {
    fn code(&self) -> &'static str {
        match self {
            Self::Rows { .. } => "sheet_too_many_rows",
            Self::Cell { .. } => "sheet_cell_too_long",
            Self::Columns { .. } => "sheet_too_many_columns",
            Self::Entries { .. } => "xlsx_too_many_parts",
            Self::Entry { .. } => "xlsx_part_too_large",
            Self::SharedStrings { .. } => "xlsx_shared_strings_too_large",
            Self::Markup { .. } => "xlsx_markup_too_long",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::Rows { max } => format!("表格超过 {max} 行，请分成几个文件导入"),
            Self::Cell { at, max } => {
                let at = at
                    .as_ref()
                    .map(|(row, column)| format!("（第{row}行{column}列）"))
                    .unwrap_or_default();
                format!("有单元格{at}超过 {max} 个字符；登记表的单元格最多几百个字符")
            }
            Self::Columns { max } => format!("表格超过 {max} 列"),
            Self::Entries { max } => {
                format!(".xlsx 文件包含超过 {max} 个部件，不是 Excel 保存的表格")
            }
            Self::Entry { name, max } => {
                format!(".xlsx 文件的部件“{name}”解压后超过 {} MiB", mib(*max))
            }
            Self::SharedStrings { max } => {
                format!(".xlsx 文件的共享字符串解压后超过 {} MiB", mib(*max))
            }
            Self::Markup { name, max } => format!(
                ".xlsx 文件的部件“{name}”中有超过 {} KiB 的标记、注释或文字，或含文档类型声明，不是 Excel 保存的表格",
                max / 1024
            ),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

impl From<Bound> for SheetError {
    fn from(bound: Bound) -> Self {
        Self::TooLarge(bound)
    }
}

/// The letters Excel shows for the column at `index` (from 0).
pub fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let digit = (n - 1) % 26;
        letters.push(b'A' + digit as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Reads the file at `path` once, as a stream, and refuses it when it is
/// over a bound.
pub fn check_file(path: &Path, xlsx: bool, limits: &Limits) -> Result<(), SheetError> {
    let open_error = |source| SheetError::File {
        path: path.display().to_string(),
        source,
    };
    let file = File::open(path).map_err(open_error)?;
    if xlsx {
        check_xlsx(file, limits)
    } else {
        match csv_lines(file) {
            Ok(lines) if lines > limits.max_rows => Err(Bound::Rows {
                max: limits.max_rows,
            }
            .into()),
            Ok(_) => Ok(()),
            Err(error) => Err(open_error(error)),
        }
    }
}

/// Bytes read at a time.
const CHUNK: usize = 64 * 1024;

/// A CSV file's lines, which bound its rows (a quoted cell may hold a line
/// break, so a file near the bound may be refused a little early).
fn csv_lines(mut file: File) -> std::io::Result<u64> {
    let mut buffer = vec![0; CHUNK];
    let mut lines = 0_u64;
    let mut last = b'\n';
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        lines += buffer[..n].iter().filter(|b| **b == b'\n').count() as u64;
        last = buffer[n - 1];
    }
    // A last line without a line break is a line too.
    if last != b'\n' {
        lines += 1;
    }
    Ok(lines)
}

fn xlsx_error(error: impl std::fmt::Display) -> SheetError {
    SheetError::Xlsx(error.to_string())
}

fn check_xlsx(mut file: File, limits: &Limits) -> Result<(), SheetError> {
    if !directory_is_small(&mut file)? {
        return Err(Bound::Entries { max: MAX_ENTRIES }.into());
    }
    file.seek(SeekFrom::Start(0)).map_err(xlsx_error)?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(xlsx_error)?;
    let mut buffer = vec![0; CHUNK];
    for index in 0..zip.len() {
        let entry = zip.by_index(index).map_err(xlsx_error)?;
        let name = entry.name().replace('\\', "/");
        let shared = name.eq_ignore_ascii_case("xl/sharedStrings.xml");
        let max = if shared {
            limits.max_shared_strings_bytes
        } else {
            limits.max_entry_bytes
        };
        let over = || -> SheetError {
            if shared {
                Bound::SharedStrings { max }.into()
            } else {
                Bound::Entry {
                    name: name.clone(),
                    max,
                }
                .into()
            }
        };
        let lower = name.to_ascii_lowercase();
        let mut scan = (lower.ends_with(".xml") || lower.ends_with(".rels")).then(|| {
            let part = if lower.starts_with("xl/worksheets/") {
                Part::Worksheet
            } else if shared {
                Part::SharedStrings
            } else {
                Part::Other
            };
            Scanner::new(part, limits)
        });
        // One byte over the bound is enough to know.
        let mut reader = entry.take(max.saturating_add(1));
        let mut total = 0_u64;
        loop {
            let n = reader.read(&mut buffer).map_err(xlsx_error)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > max {
                return Err(over());
            }
            if let Some(scan) = scan.as_mut() {
                scan.feed(&buffer[..n]).map_err(|bound| match bound {
                    Found::Markup => Bound::Markup {
                        name: name.clone(),
                        max: limits.max_markup_bytes(),
                    },
                    Found::Other(bound) => bound,
                })?;
            }
        }
    }
    Ok(())
}

/// Whether the zip's central directory lists at most [`MAX_ENTRIES`]
/// parts, read from its end record before the zip reader holds the
/// directory in memory. A file without an end record is left to calamine
/// to refuse.
fn directory_is_small(file: &mut File) -> Result<bool, SheetError> {
    // The end record (22 bytes) ends the file, after a comment of at most
    // 65,535 bytes.
    let length = file.seek(SeekFrom::End(0)).map_err(xlsx_error)?;
    let tail_length = length.min(22 + 65_535);
    file.seek(SeekFrom::Start(length - tail_length))
        .map_err(xlsx_error)?;
    let mut tail = vec![0; tail_length as usize];
    file.read_exact(&mut tail).map_err(xlsx_error)?;
    let Some(at) = tail.windows(4).rposition(|w| w == [0x50, 0x4b, 0x05, 0x06]) else {
        return Ok(true);
    };
    let record = &tail[at..];
    if record.len() < 22 {
        return Ok(true);
    }
    let entries = u64::from(u16::from_le_bytes([record[10], record[11]]));
    if entries != 0xFFFF {
        return Ok(entries <= MAX_ENTRIES);
    }
    // Zip64: the count is in the zip64 end record, found by the locator
    // just before the end record.
    let Some(locator) = at.checked_sub(20).map(|start| &tail[start..at]) else {
        return Ok(false);
    };
    if locator[..4] != [0x50, 0x4b, 0x06, 0x07] {
        return Ok(false);
    }
    let mut offset = [0; 8];
    offset.copy_from_slice(&locator[8..16]);
    let mut record64 = [0; 56];
    file.seek(SeekFrom::Start(u64::from_le_bytes(offset)))
        .and_then(|_| file.read_exact(&mut record64))
        .map_err(xlsx_error)?;
    let mut count = [0; 8];
    count.copy_from_slice(&record64[32..40]);
    Ok(record64[..4] == [0x50, 0x4b, 0x06, 0x06] && u64::from_le_bytes(count) <= MAX_ENTRIES)
}

/// Which part of the workbook is scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Rows are counted, cells (`c`) measured.
    Worksheet,
    /// Strings (`si`) measured.
    SharedStrings,
    Other,
}

/// What the scanner found over a bound.
enum Found {
    Markup,
    Other(Bound),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// Just after `<`: what kind of markup it starts is not known yet.
    Open,
    Tag {
        quote: Option<u8>,
    },
    Comment,
    CData,
    Instruction,
}

/// Name bytes kept of a tag: enough for `c`, `row`, `si` with a prefix.
const NAME_KEPT: usize = 16;

/// A streaming XML scanner that measures without parsing: the length of
/// every token (tag, text run, comment), of every cell or shared string
/// element, and the rows. It understands quotes in tags and the ends of
/// comments, CDATA and processing instructions, which is all it takes to
/// find where quick-xml's buffers would grow; it refuses a document type
/// (an .xlsx file has none).
struct Scanner {
    part: Part,
    state: State,
    /// Bytes of the current token so far.
    token: u64,
    /// Bytes since the current cell or shared string began, if inside one.
    element: Option<u64>,
    rows: u64,
    /// The tag's name so far, and whether it is complete.
    name: Vec<u8>,
    name_done: bool,
    closing: bool,
    /// The byte before this one in a tag (to see `/>`), or the last bytes
    /// of a comment, CDATA section or instruction (to see its end).
    recent: [u8; 2],
    /// Bytes after `<` kept to tell a comment or CDATA from a tag.
    opening: Vec<u8>,
    max_markup: u64,
    max_rows: u64,
    max_cell_chars: usize,
}

impl Scanner {
    fn new(part: Part, limits: &Limits) -> Self {
        Self {
            part,
            state: State::Text,
            token: 0,
            element: None,
            rows: 0,
            name: Vec::with_capacity(NAME_KEPT),
            name_done: false,
            closing: false,
            recent: [0; 2],
            opening: Vec::with_capacity(9),
            max_markup: limits.max_markup_bytes(),
            max_rows: limits.max_rows,
            max_cell_chars: limits.max_cell_chars,
        }
    }

    fn feed(&mut self, bytes: &[u8]) -> Result<(), Found> {
        for &byte in bytes {
            self.step(byte)?;
        }
        Ok(())
    }

    fn step(&mut self, byte: u8) -> Result<(), Found> {
        self.token += 1;
        if let Some(element) = self.element.as_mut() {
            *element += 1;
            if *element > self.max_markup {
                return Err(Found::Other(Bound::Cell {
                    at: None,
                    max: self.max_cell_chars,
                }));
            }
        }
        if self.token > self.max_markup {
            return Err(Found::Markup);
        }
        match self.state {
            State::Text => {
                if byte == b'<' {
                    self.state = State::Open;
                    self.token = 1;
                    self.opening.clear();
                    self.name.clear();
                    self.name_done = false;
                    self.closing = false;
                }
            }
            State::Open => self.open(byte)?,
            State::Tag { quote: Some(q) } => {
                if byte == q {
                    self.state = State::Tag { quote: None };
                }
            }
            State::Tag { quote: None } => match byte {
                b'"' | b'\'' => {
                    self.name_done = true;
                    self.state = State::Tag { quote: Some(byte) };
                }
                b'>' => {
                    let empty = self.recent[1] == b'/';
                    self.end_tag(empty)?;
                }
                _ => self.name_byte(byte),
            },
            State::Comment | State::CData | State::Instruction => {
                let ended = match self.state {
                    State::Comment => self.recent == *b"--" && byte == b'>',
                    State::CData => self.recent == *b"]]" && byte == b'>',
                    _ => self.recent[1] == b'?' && byte == b'>',
                };
                if ended {
                    self.state = State::Text;
                    self.token = 0;
                }
            }
        }
        self.recent = [self.recent[1], byte];
        Ok(())
    }

    /// The bytes just after `<`: a comment, CDATA, an instruction, a
    /// document type (refused), or a tag.
    fn open(&mut self, byte: u8) -> Result<(), Found> {
        self.opening.push(byte);
        let seen = self.opening.as_slice();
        if seen == b"?" {
            self.state = State::Instruction;
        } else if seen == b"!--" {
            self.state = State::Comment;
            self.recent = [0; 2];
        } else if seen == b"![CDATA[" {
            self.state = State::CData;
            self.recent = [0; 2];
        } else if seen.starts_with(b"!") {
            let comment = b"!--".starts_with(seen);
            let cdata = b"![CDATA[".starts_with(seen);
            if !(comment || cdata) {
                return Err(Found::Markup);
            }
        } else {
            self.state = State::Tag { quote: None };
            if byte == b'/' {
                self.closing = true;
            } else if byte == b'>' {
                self.end_tag(false)?;
            } else {
                self.name_byte(byte);
            }
        }
        Ok(())
    }

    fn name_byte(&mut self, byte: u8) {
        if self.name_done {
            return;
        }
        if byte.is_ascii_whitespace() || byte == b'/' {
            self.name_done = true;
        } else if self.name.len() < NAME_KEPT {
            self.name.push(byte);
        }
    }

    /// The local name of the tag (after any namespace prefix).
    fn local_name(&self) -> &[u8] {
        match self.name.iter().rposition(|b| *b == b':') {
            Some(colon) => &self.name[colon + 1..],
            None => &self.name,
        }
    }

    fn end_tag(&mut self, empty: bool) -> Result<(), Found> {
        self.state = State::Text;
        self.token = 0;
        let measured: &[u8] = match self.part {
            Part::Worksheet => b"c",
            Part::SharedStrings => b"si",
            Part::Other => b"",
        };
        let local = self.local_name();
        let is_row = local == b"row";
        let is_measured = !measured.is_empty() && local == measured;
        if self.part == Part::Worksheet && is_row && !self.closing {
            self.rows += 1;
            if self.rows > self.max_rows {
                return Err(Found::Other(Bound::Rows { max: self.max_rows }));
            }
        }
        if is_measured {
            if self.closing {
                self.element = None;
            } else if !empty {
                self.element = Some(0);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(part: Part, xml: &str, limits: &Limits) -> Result<u64, String> {
        let mut scanner = Scanner::new(part, limits);
        // Fed in small pieces, as chunks split tokens anywhere.
        for piece in xml.as_bytes().chunks(3) {
            scanner.feed(piece).map_err(|found| match found {
                Found::Markup => "markup".to_owned(),
                Found::Other(bound) => bound.code().to_owned(),
            })?;
        }
        Ok(scanner.rows)
    }

    fn small() -> Limits {
        Limits {
            max_rows: 3,
            ..Limits::default()
        }
    }

    #[test]
    fn rows_are_counted_whatever_their_prefix_and_form() {
        let xml = r#"<?xml version="1.0"?><x:worksheet><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row><row r="2"/><row r="3" spans="1:2">
            <c r="A3" t="inlineStr"><is><t>a &gt; b</t></is></c></row></x:sheetData></x:worksheet>"#;
        assert_eq!(scan(Part::Worksheet, xml, &small()), Ok(3));
        let four = format!("{xml}<row r=\"4\"></row>");
        assert_eq!(
            scan(Part::Worksheet, &four, &small()),
            Err("sheet_too_many_rows".into())
        );
    }

    #[test]
    fn a_long_cell_is_refused_even_in_short_pieces() {
        let limits = Limits::default();
        let long = "<r><t>甲</t></r>".repeat(10_000);
        let xml = format!("<row><c t=\"inlineStr\"><is>{long}</is></c></row>");
        assert_eq!(
            scan(Part::Worksheet, &xml, &limits),
            Err("sheet_cell_too_long".into())
        );
        let shared = format!("<sst><si>{long}</si></sst>");
        assert_eq!(
            scan(Part::SharedStrings, &shared, &limits),
            Err("sheet_cell_too_long".into())
        );
        // The same runs spread over many cells are fine.
        let many = "<c t=\"inlineStr\"><is><r><t>甲</t></r></is></c>".repeat(10_000);
        assert_eq!(
            scan(Part::Worksheet, &format!("<row>{many}</row>"), &limits),
            Ok(1)
        );
    }

    #[test]
    fn long_tags_comments_and_quoted_brackets_are_refused() {
        let limits = Limits::default();
        let brackets = ">".repeat(100_000);
        for xml in [
            format!("<row a=\"{brackets}\"/>"),
            format!("<!-- {brackets} -->"),
            format!("<![CDATA[{brackets}]]>"),
            format!("<a>{}</a>", "x".repeat(100_000)),
            "<!DOCTYPE x []>".to_owned(),
        ] {
            assert_eq!(
                scan(Part::Other, &xml, &limits),
                Err("markup".into()),
                "{}",
                &xml[..20]
            );
        }
        let fine = "<!-- a > b --><![CDATA[x]]><?pi a?><a b='>'>text</a>";
        assert_eq!(scan(Part::Other, fine, &limits), Ok(0));
    }

    #[test]
    fn column_letters_are_excels() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
    }
}
