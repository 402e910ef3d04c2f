//! Writing exports fast: a list or ledger of up to millions of rows as
//! .xlsx or CSV, one row at a time, in constant memory.
//!
//! The .xlsx is written directly: the sheet's XML goes row by row into a
//! deflate stream inside the zip file (level 1: an export is written once
//! and read a few times, so speed matters more than the last megabytes).
//! Every cell is an inline string (no shared-string table to hold in
//! memory) with no format of its own; the columns carry the text format
//! (`@`), so a number typed there later stays text. A sheet holds Excel's
//! 1,048,576 rows at most; the rows go on in a second sheet, and so on.
//!
//! CSV is UTF-8 with a byte-order mark, which Excel needs to read it as
//! UTF-8 rather than the system's code page (GBK on a Chinese system).

use crate::error::SheetError;
use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;

/// Excel's rows per sheet.
const SHEET_ROWS: u32 = 1_048_576;

/// How much XML collects before it goes to the compressor.
const CHUNK: usize = 256 * 1024;

/// The format of an export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

impl ExportFormat {
    /// `xlsx` or `csv`; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "xlsx" => Some(Self::Xlsx),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }

    /// The file name extension, which is also the parsed word.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }

    /// The MIME type of the file.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// An export being written: a title (in .xlsx only), a header, rows.
pub enum ExportWriter {
    Xlsx(Box<XlsxStream<BufWriter<File>>>),
    Csv(Box<CsvStream>),
}

impl ExportWriter {
    /// Starts the file `path`.
    pub fn create(
        format: ExportFormat,
        path: &Path,
        sheet_name: &str,
        title: &str,
        header: &[&str],
    ) -> Result<Self, SheetError> {
        let file = File::create(path).map_err(|e| file_error(path, e))?;
        let file = BufWriter::with_capacity(CHUNK, file);
        Ok(match format {
            ExportFormat::Xlsx => Self::Xlsx(Box::new(XlsxStream::new(
                file,
                sheet_name,
                Some(title),
                header,
            )?)),
            ExportFormat::Csv => Self::Csv(Box::new(CsvStream::new(file, header)?)),
        })
    }

    /// Writes one row.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        match self {
            Self::Xlsx(x) => x.row(cells),
            Self::Csv(c) => c.row(cells),
        }
    }

    /// Finishes the file.
    pub fn finish(self) -> Result<(), SheetError> {
        match self {
            Self::Xlsx(x) => x.finish().map(drop),
            Self::Csv(c) => c.finish(),
        }
    }
}

fn file_error(path: &Path, source: std::io::Error) -> SheetError {
    SheetError::File {
        path: path.display().to_string(),
        source,
    }
}

fn write_error(error: impl std::fmt::Display) -> SheetError {
    SheetError::Write(error.to_string())
}

/// A CSV export: UTF-8 with a BOM, a header row, then rows.
pub struct CsvStream {
    csv: csv::Writer<BufWriter<File>>,
}

impl CsvStream {
    fn new(mut file: BufWriter<File>, header: &[&str]) -> Result<Self, SheetError> {
        file.write_all("\u{feff}".as_bytes()).map_err(write_error)?;
        let mut csv = csv::Writer::from_writer(file);
        csv.write_record(header).map_err(write_error)?;
        Ok(Self { csv })
    }

    fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        self.csv
            .write_record(cells.iter().map(|c| c.as_ref().as_bytes()))
            .map_err(write_error)
    }

    fn finish(mut self) -> Result<(), SheetError> {
        self.csv.flush().map_err(write_error)
    }
}

/// An .xlsx workbook written as a stream: title row, header row (frozen),
/// then rows of inline strings.
pub struct XlsxStream<W: Write + Seek> {
    zip: zip::ZipWriter<W>,
    sheet_name: String,
    title: Option<String>,
    header: Vec<String>,
    /// The sheets started so far (their names).
    sheets: Vec<String>,
    /// The row number (1-based) the next row of the sheet gets.
    next_row: u32,
    /// XML waiting for the compressor.
    buffer: Vec<u8>,
    /// Column letters, `A`, `B`, … for each header column.
    letters: Vec<String>,
}

impl<W: Write + Seek> XlsxStream<W> {
    /// Starts a workbook on `inner` whose sheets are named after
    /// `sheet_name` (cut to Excel's 31 characters).
    pub fn new(
        inner: W,
        sheet_name: &str,
        title: Option<&str>,
        header: &[&str],
    ) -> Result<Self, SheetError> {
        let mut stream = Self {
            zip: zip::ZipWriter::new(inner),
            sheet_name: sheet_name_of(sheet_name),
            title: title.map(str::to_owned),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            sheets: Vec::new(),
            next_row: 1,
            buffer: Vec::with_capacity(CHUNK + 4096),
            letters: (0..header.len().max(1)).map(column_letters).collect(),
        };
        stream.start_sheet()?;
        Ok(stream)
    }

    fn options() -> SimpleFileOptions {
        SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
    }

    /// Opens the next sheet's XML and writes its title and header.
    fn start_sheet(&mut self) -> Result<(), SheetError> {
        let number = self.sheets.len() + 1;
        let name = if number == 1 {
            self.sheet_name.clone()
        } else {
            let suffix = format!("({number})");
            let keep = 31 - suffix.chars().count();
            format!(
                "{}{suffix}",
                self.sheet_name.chars().take(keep).collect::<String>()
            )
        };
        self.sheets.push(name);
        self.zip
            .start_file(format!("xl/worksheets/sheet{number}.xml"), Self::options())
            .map_err(write_error)?;
        let first_data_row = if self.title.is_some() { 3 } else { 2 };
        let columns = self.header.len().max(1);
        self.buffer.extend_from_slice(
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
                 <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
                 xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
                 <sheetViews><sheetView workbookViewId=\"0\">\
                 <pane ySplit=\"{split}\" topLeftCell=\"A{first_data_row}\" activePane=\"bottomLeft\" state=\"frozen\"/>\
                 </sheetView></sheetViews>\
                 <sheetFormatPr defaultRowHeight=\"15\"/>\
                 <cols><col min=\"1\" max=\"{columns}\" width=\"16\" style=\"{TEXT_STYLE}\" customWidth=\"1\"/></cols>\
                 <sheetData>",
                split = first_data_row - 1,
            )
            .as_bytes(),
        );
        self.next_row = 1;
        if let Some(title) = self.title.clone() {
            self.styled_row(&[title.as_str()], TITLE_STYLE);
        }
        let header = self.header.clone();
        self.styled_row(&header, HEADER_STYLE);
        Ok(())
    }

    fn styled_row<S: AsRef<str>>(&mut self, cells: &[S], style: u8) {
        let row = self.next_row;
        self.next_row += 1;
        let number = row.to_string();
        self.buffer.extend_from_slice(b"<row r=\"");
        self.buffer.extend_from_slice(number.as_bytes());
        self.buffer.extend_from_slice(b"\">");
        for (column, cell) in cells.iter().enumerate() {
            let text = cell.as_ref();
            if text.is_empty() {
                continue;
            }
            self.buffer.extend_from_slice(b"<c r=\"");
            self.buffer
                .extend_from_slice(column_ref(&self.letters, column).as_bytes());
            self.buffer.extend_from_slice(number.as_bytes());
            self.buffer.extend_from_slice(b"\" s=\"");
            self.buffer.extend_from_slice(style.to_string().as_bytes());
            self.buffer.extend_from_slice(b"\" t=\"inlineStr\"><is>");
            push_text(&mut self.buffer, text);
            self.buffer.extend_from_slice(b"</is></c>");
        }
        self.buffer.extend_from_slice(b"</row>");
    }

    /// Writes one row; empty cells are left out. Cells beyond the header's
    /// columns are written too.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        if self.next_row > SHEET_ROWS {
            self.end_sheet()?;
            self.start_sheet()?;
        }
        let row = self.next_row;
        self.next_row += 1;
        let mut digits = [0_u8; 10];
        let number = decimal(row, &mut digits);
        let buffer = &mut self.buffer;
        buffer.extend_from_slice(b"<row r=\"");
        buffer.extend_from_slice(number);
        buffer.extend_from_slice(b"\">");
        for (column, cell) in cells.iter().enumerate() {
            let text = cell.as_ref();
            if text.is_empty() {
                continue;
            }
            buffer.extend_from_slice(b"<c r=\"");
            buffer.extend_from_slice(column_ref(&self.letters, column).as_bytes());
            buffer.extend_from_slice(number);
            buffer.extend_from_slice(b"\" t=\"inlineStr\"><is>");
            push_text(buffer, text);
            buffer.extend_from_slice(b"</is></c>");
        }
        buffer.extend_from_slice(b"</row>");
        if self.buffer.len() >= CHUNK {
            self.flush_buffer()?;
        }
        Ok(())
    }

    fn flush_buffer(&mut self) -> Result<(), SheetError> {
        self.zip.write_all(&self.buffer).map_err(write_error)?;
        self.buffer.clear();
        Ok(())
    }

    fn end_sheet(&mut self) -> Result<(), SheetError> {
        self.buffer.extend_from_slice(b"</sheetData></worksheet>");
        self.flush_buffer()
    }

    /// Ends the last sheet, writes the workbook's parts and returns the
    /// underlying writer.
    pub fn finish(mut self) -> Result<W, SheetError> {
        self.end_sheet()?;
        let parts = [
            ("[Content_Types].xml", content_types(self.sheets.len())),
            ("_rels/.rels", ROOT_RELS.to_owned()),
            ("xl/workbook.xml", workbook(&self.sheets)),
            (
                "xl/_rels/workbook.xml.rels",
                workbook_rels(self.sheets.len()),
            ),
            ("xl/styles.xml", STYLES.to_owned()),
        ];
        for (name, text) in parts {
            self.zip
                .start_file(name, Self::options())
                .map_err(write_error)?;
            self.zip.write_all(text.as_bytes()).map_err(write_error)?;
        }
        let mut inner = self.zip.finish().map_err(write_error)?;
        inner.flush().map_err(write_error)?;
        Ok(inner)
    }
}

/// A name Excel takes for a sheet: none of `[]:*?/\`, at most 31
/// characters, not empty.
fn sheet_name_of(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(28)
        .collect();
    if clean.trim().is_empty() {
        "Sheet1".to_owned()
    } else {
        clean
    }
}

/// The letters of column `index` (0 → `A`, 25 → `Z`, 26 → `AA`).
fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8_lossy(&letters).into_owned()
}

fn column_ref(letters: &[String], column: usize) -> std::borrow::Cow<'_, str> {
    match letters.get(column) {
        Some(l) => std::borrow::Cow::Borrowed(l.as_str()),
        None => std::borrow::Cow::Owned(column_letters(column)),
    }
}

/// `n` in decimal digits, written into `digits`, without allocating.
fn decimal(mut n: u32, digits: &mut [u8; 10]) -> &[u8] {
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &digits[at..];
        }
    }
}

/// Appends `<t>text</t>` with XML's special characters escaped and the
/// characters XML 1.0 cannot hold (control characters) left out; leading
/// or trailing spaces are kept (`xml:space`).
fn push_text(buffer: &mut Vec<u8>, text: &str) {
    let padded = text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace);
    buffer.extend_from_slice(if padded {
        b"<t xml:space=\"preserve\">".as_slice()
    } else {
        b"<t>".as_slice()
    });
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b'&' | b'<' | b'>') || *b < 0x20)
    {
        buffer.extend_from_slice(bytes);
    } else {
        for &b in bytes {
            match b {
                b'&' => buffer.extend_from_slice(b"&amp;"),
                b'<' => buffer.extend_from_slice(b"&lt;"),
                b'>' => buffer.extend_from_slice(b"&gt;"),
                b'\t' | b'\n' | b'\r' => buffer.push(b),
                0..0x20 => {}
                _ => buffer.push(b),
            }
        }
    }
    buffer.extend_from_slice(b"</t>");
}

/// Style indexes in [`STYLES`].
const TITLE_STYLE: u8 = 1;
const HEADER_STYLE: u8 = 2;
const TEXT_STYLE: u8 = 3;

const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<fonts count=\"3\">\
<font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
<font><b/><sz val=\"14\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
</fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"4\">\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"49\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyNumberFormat=\"1\"/>\
<xf numFmtId=\"49\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyNumberFormat=\"1\"/>\
<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
</cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
</styleSheet>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
</Relationships>";

fn content_types(sheets: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>",
    );
    for n in 1..=sheets {
        xml.push_str(&format!(
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        ));
    }
    xml.push_str("</Types>");
    xml
}

fn workbook(sheets: &[String]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>",
    );
    for (i, name) in sheets.iter().enumerate() {
        let mut escaped = Vec::new();
        push_attribute(&mut escaped, name);
        xml.push_str(&format!(
            "<sheet name=\"{}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>",
            String::from_utf8_lossy(&escaped),
            n = i + 1
        ));
    }
    xml.push_str("</sheets></workbook>");
    xml
}

fn push_attribute(buffer: &mut Vec<u8>, text: &str) {
    for c in text.chars() {
        match c {
            '&' => buffer.extend_from_slice(b"&amp;"),
            '<' => buffer.extend_from_slice(b"&lt;"),
            '>' => buffer.extend_from_slice(b"&gt;"),
            '"' => buffer.extend_from_slice(b"&quot;"),
            '\'' => buffer.extend_from_slice(b"&apos;"),
            c if (c as u32) < 0x20 => {}
            c => {
                let mut utf8 = [0; 4];
                buffer.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
        }
    }
}

fn workbook_rels(sheets: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for n in 1..=sheets {
        xml.push_str(&format!(
            "<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        ));
    }
    xml.push_str(&format!(
        "<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
        sheets + 1
    ));
    xml.push_str("</Relationships>");
    xml
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook};

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    fn read_back(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
        let mut book: Xlsx<_> = open_workbook(path).unwrap();
        let names = book.sheet_names().to_vec();
        names
            .into_iter()
            .map(|name| {
                let range = book.worksheet_range(&name).unwrap();
                let rows = range
                    .rows()
                    .map(|r| {
                        r.iter()
                            .map(|c| match c {
                                Data::String(s) => s.clone(),
                                Data::Empty => String::new(),
                                other => format!("?{other:?}"),
                            })
                            .collect()
                    })
                    .collect();
                (name, rows)
            })
            .collect()
    }

    #[test]
    fn xlsx_reads_back_with_title_header_and_awkward_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let mut w = ExportWriter::create(
            ExportFormat::Xlsx,
            &path,
            "流动人口登记台账",
            "流动人口登记台账",
            &["姓名", "公民身份号码", "备注"],
        )
        .unwrap();
        w.row(&["张三", "11010119900307663X", "a < b & c > d"])
            .unwrap();
        w.row(&["李四", "", " padded "]).unwrap();
        w.row(&["王五", "1101011990\u{1}0307", "000123"]).unwrap();
        w.finish().unwrap();
        let sheets = read_back(&path);
        assert_eq!(sheets.len(), 1);
        let (name, rows) = &sheets[0];
        assert_eq!(name, "流动人口登记台账");
        assert_eq!(rows[0][0], "流动人口登记台账");
        assert_eq!(rows[1], ["姓名", "公民身份号码", "备注"]);
        assert_eq!(rows[2], ["张三", "11010119900307663X", "a < b & c > d"]);
        assert_eq!(rows[3], ["李四", "", " padded "]);
        // The control character is left out; leading zeros stay (text).
        assert_eq!(rows[4], ["王五", "11010119900307", "000123"]);
    }

    #[test]
    fn rows_beyond_a_sheet_go_on_in_the_next() {
        // Small rows, a whole sheet's worth: slow in debug builds, so the
        // sheet limit is crossed with the smallest possible rows.
        let mut cursor = std::io::Cursor::new(Vec::new());
        {
            let mut w = XlsxStream::new(&mut cursor, "S", None, &["n"]).unwrap();
            for _ in 0..SHEET_ROWS {
                w.row(&["x"]).unwrap();
            }
            w.finish().unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.xlsx");
        std::fs::write(&path, cursor.into_inner()).unwrap();
        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(book.sheet_names(), ["S", "S(2)"]);
        let first = book.worksheet_range("S").unwrap();
        assert_eq!(first.height(), SHEET_ROWS as usize);
        let second = book.worksheet_range("S(2)").unwrap();
        // The header again, then the one row that did not fit.
        assert_eq!(second.height(), 2);
        assert_eq!(second.get((0, 0)), Some(&Data::String("n".into())));
        assert_eq!(second.get((1, 0)), Some(&Data::String("x".into())));
    }

    #[test]
    fn csv_has_a_bom_and_quotes_what_needs_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = ExportWriter::create(ExportFormat::Csv, &path, "x", "title", &["姓名", "地址"])
            .unwrap();
        w.row(&["张三", "北京市, 东城区"]).unwrap();
        w.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()));
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, "\u{feff}姓名,地址\n张三,\"北京市, 东城区\"\n");
    }

    #[test]
    fn formats_parse_only_their_words() {
        assert_eq!(ExportFormat::parse("xlsx"), Some(ExportFormat::Xlsx));
        assert_eq!(ExportFormat::parse("csv"), Some(ExportFormat::Csv));
        assert_eq!(ExportFormat::parse("xls"), None);
        assert_eq!(ExportFormat::parse("XLSX"), None);
    }
}
