//! What stops an import as a whole (as opposed to one refused row): each
//! error explains itself in zh-CN and English, like the domain's.

use sojourn_domain::Localized;
use sojourn_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("reading the CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Sheet(#[from] sojourn_sheets::SheetError),
    #[error("the CSV header is wrong: {0}")]
    Header(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error(
        "the sheet has no community column and names no community in its title: choose the community the sheet is for"
    )]
    NoUnit,
    #[error("the community chosen for the sheet ({0}) is not in your jurisdiction")]
    UnitNotInScope(String),
}

impl ImportError {
    pub fn file(path: &str, source: std::io::Error) -> Self {
        Self::File {
            path: path.to_owned(),
            source,
        }
    }
}

impl Localized for ImportError {
    fn code(&self) -> &'static str {
        match self {
            Self::Store(e) => e.code(),
            Self::File { .. } => "file",
            Self::Csv(_) => "csv",
            Self::Header(_) => "csv_header",
            Self::Sheet(e) => e.code(),
            Self::Internal(_) => "internal",
            Self::NoUnit => "sheet_without_unit",
            Self::UnitNotInScope(_) => "sheet_unit_not_in_scope",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::Store(e) => e.message_zh(),
            Self::File { path, source } => format!("无法读写文件 {path}：{source}"),
            Self::Csv(e) => format!("读取CSV文件出错：{e}"),
            Self::Header(e) => format!("CSV表头有误：{e}"),
            Self::Sheet(e) => e.message_zh(),
            Self::Internal(e) => format!("内部错误：{e}"),
            Self::NoUnit => {
                "表中没有“所属社区”列，标题中也没有可识别的社区名称：请选择本表所属的社区后重新导入，未导入任何数据"
                    .into()
            }
            Self::UnitNotInScope(code) => {
                format!("所选社区 {code} 不在您的管辖范围内，未导入任何数据")
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::Store(e) => e.message_en(),
            Self::Sheet(e) => e.message_en(),
            other => other.to_string(),
        }
    }
}

pub type Result<T> = std::result::Result<T, ImportError>;
