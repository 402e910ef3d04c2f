//! Errors of the sheet layer: a cell that cannot be read (the row is
//! refused), and a file that cannot be read at all (nothing is imported).

use sojourn_domain::Localized;
use thiserror::Error;

/// Why a cell could not be read; its row is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CellError {
    #[error(
        "Excel stored this number as a number and kept only 15 digits ({shown}): the last digits are lost; format the column as text and type the number again"
    )]
    LostDigits { shown: String },
    #[error("{0:?} is not a date (write 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日 or 20240305)")]
    NotADate(String),
    #[error("{0:?} is not a whole number")]
    NotAWholeNumber(String),
    #[error("{0:?} is a number, not a code")]
    NotACode(String),
    #[error("the cell holds an Excel error ({0})")]
    ExcelError(String),
    #[error("the row is neither UTF-8 nor GBK text; save the sheet as \"CSV UTF-8\"")]
    NotUtf8,
}

impl Localized for CellError {
    fn code(&self) -> &'static str {
        match self {
            Self::LostDigits { .. } => "number_lost_digits",
            Self::NotADate(_) => "not_a_date",
            Self::NotAWholeNumber(_) => "not_a_number",
            Self::NotACode(_) => "not_a_code",
            Self::ExcelError(_) => "excel_error",
            Self::NotUtf8 => "not_utf8",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::LostDigits { shown } => format!(
                "Excel 把该号码存成了数字，只保留15位有效数字（{shown}），后几位已丢失；请将该列设为文本格式后重新录入"
            ),
            Self::NotADate(s) => format!(
                "“{s}”不是日期（可写作 2024-03-05、2024/3/5、2024.3.5、2024年3月5日 或 20240305）"
            ),
            Self::NotAWholeNumber(s) => format!("“{s}”不是整数"),
            Self::NotACode(s) => format!("“{s}”是数字，不是代码"),
            Self::ExcelError(s) => format!("单元格为 Excel 错误值（{s}）"),
            Self::NotUtf8 => "该行既不是UTF-8也不是GBK编码的文字，请将表格另存为“CSV UTF-8”".into(),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// Why a sheet could not be read at all.
#[derive(Debug, Error)]
pub enum SheetError {
    #[error("{path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("the .xlsx file cannot be read: {0}")]
    Xlsx(String),
    #[error("the CSV file cannot be read: {0}")]
    Csv(String),
    #[error("the workbook has no worksheet")]
    NoWorksheet,
    #[error(
        "no header row found in the first {searched} rows: a header names columns such as {expected}"
    )]
    NoHeader { searched: usize, expected: String },
    #[error("required columns missing: {0}")]
    MissingColumns(String),
    #[error("columns {first:?} and {second:?} both mean {key}")]
    RepeatedColumn {
        key: &'static str,
        first: String,
        second: String,
    },
    #[error("unknown column {0:?}; the machine form (English keys) takes only its own columns")]
    UnknownColumn(String),
    #[error("the .xlsx file cannot be written: {0}")]
    Write(String),
    #[error("only .xlsx and .csv files can be read, not {0:?}")]
    Extension(String),
    /// Over one of the bounds of an import (`bounds.rs`).
    #[error(transparent)]
    TooLarge(crate::bounds::Bound),
}

impl Localized for SheetError {
    fn code(&self) -> &'static str {
        match self {
            Self::File { .. } => "file",
            Self::Xlsx(_) => "xlsx",
            Self::Csv(_) => "csv",
            Self::NoWorksheet => "no_worksheet",
            Self::NoHeader { .. } => "no_header",
            Self::MissingColumns(_) => "missing_columns",
            Self::RepeatedColumn { .. } => "repeated_column",
            Self::UnknownColumn(_) => "unknown_column",
            Self::Write(_) => "xlsx_write",
            Self::Extension(_) => "file_extension",
            Self::TooLarge(bound) => bound.code(),
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::File { path, source } => format!("无法读写文件 {path}：{source}"),
            Self::Xlsx(e) => format!("无法读取 .xlsx 文件：{e}"),
            Self::Csv(e) => format!("无法读取 CSV 文件：{e}"),
            Self::NoWorksheet => "工作簿中没有工作表".into(),
            Self::NoHeader { searched, expected } => {
                format!("前{searched}行中没有找到表头：表头应包含 {expected} 等列")
            }
            Self::MissingColumns(c) => format!("缺少必填列：{c}"),
            Self::RepeatedColumn { key, first, second } => {
                format!("“{first}”和“{second}”两列是同一项（{key}）")
            }
            Self::UnknownColumn(c) => {
                format!("未知列“{c}”；英文列名的表格只能包含规定的列")
            }
            Self::Write(e) => format!("无法写入 .xlsx 文件：{e}"),
            Self::Extension(e) => format!("只能读取 .xlsx 和 .csv 文件，不能读取“{e}”"),
            Self::TooLarge(bound) => bound.message_zh(),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

impl From<rust_xlsxwriter::XlsxError> for SheetError {
    fn from(error: rust_xlsxwriter::XlsxError) -> Self {
        Self::Write(error.to_string())
    }
}
