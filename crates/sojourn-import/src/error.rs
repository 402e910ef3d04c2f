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
