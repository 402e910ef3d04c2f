//! What can stop a command as a whole (as opposed to one refused CSV row):
//! each error explains itself in zh-CN and English, like the domain's.

use sojourn_domain::Localized;
use sojourn_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the database {db} is not initialised: run `sojourn init --unit <town or county code>` or `sojourn demo` first"
    )]
    NotInitialised { db: String },
    #[error("the database is already initialised for {name} ({code}); nothing was changed")]
    InitialisedForAnotherUnit { code: String, name: String },
    #[error(
        "{0:?} is not a county or town code: give the 6-digit code of a 县/区 (e.g. 350181) or the 9-digit code of a 街道/镇/乡 (e.g. 110101001)"
    )]
    NotATownCode(String),
    #[error("there is no county, town or street with code {0} in the national division data")]
    UnknownTown(String),
    #[error("{path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("reading the CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Sheet(#[from] sojourn_sheets::SheetError),
    #[error(transparent)]
    Import(#[from] sojourn_import::ImportError),
    #[error("{0}")]
    Usage(&'static str),
    #[error("the CSV header is wrong: {0}")]
    Header(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
    #[error("the demo data could not be generated: {0}")]
    Demo(String),
    #[error(
        "the database {db} was not made by `sojourn demo` (it was made by `sojourn init`): demo \
         refuses it, since it would open accounts with the published demo password. Nothing \
         was changed. Give demo a new database file: `sojourn demo --db demo.db`"
    )]
    NotADemoDatabase { db: String },
    #[error("there is no account {0:?}")]
    UnknownAccount(String),
    #[error("line {line} of the archive is not an audit entry")]
    Archive { line: usize },
    #[error("{0:?} is not an anchor: give SEQ:HASH as `sojourn audit verify` printed it")]
    Anchor(String),
    #[error(
        "no data key: neither SOJOURN_KEY nor the key file {path} exists. Restore the key file \
         from its backup (or give --key-file); a new deployment gets one from \
         `sojourn init --unit <town or county code>`"
    )]
    NoKey { path: String },
    #[error("the data key cannot be used: {0}")]
    Keys(String),
    #[error("{0}")]
    Rotation(String),
    #[error("the backup {0} already exists: wait a second and run it again")]
    BackupExists(String),
    #[error(
        "backing up PostgreSQL needs pg_dump (Debian: apt-get install postgresql-client), \
         of the server's major version or newer"
    )]
    NoPgDump,
    #[error("the restore was refused, nothing was restored: {0}")]
    Restore(#[from] crate::restore::Refusal),
    #[error("internal error: {0}")]
    Internal(String),
}

impl CliError {
    pub fn file(path: &str, source: std::io::Error) -> Self {
        Self::File {
            path: path.to_owned(),
            source,
        }
    }
}

impl Localized for CliError {
    fn code(&self) -> &'static str {
        match self {
            Self::Store(e) => e.code(),
            Self::NotInitialised { .. } => "not_initialised",
            Self::InitialisedForAnotherUnit { .. } => "initialised_for_another_unit",
            Self::NotATownCode(_) => "not_a_town_code",
            Self::UnknownTown(_) => "unknown_town",
            Self::File { .. } => "file",
            Self::Csv(_) => "csv",
            Self::Header(_) => "csv_header",
            Self::Sheet(e) => e.code(),
            Self::Import(e) => e.code(),
            Self::Usage(_) => "usage",
            Self::Listen { .. } => "listen",
            Self::Serve(_) => "serve",
            Self::Demo(_) => "demo",
            Self::NotADemoDatabase { .. } => "not_a_demo_database",
            Self::UnknownAccount(_) => "unknown_account",
            Self::Archive { .. } => "audit_archive",
            Self::Anchor(_) => "audit_anchor",
            Self::NoKey { .. } => "no_key",
            Self::Keys(_) => "keys",
            Self::Rotation(_) => "key_rotation",
            Self::BackupExists(_) => "backup_exists",
            Self::NoPgDump => "no_pg_dump",
            Self::Restore(_) => "restore_refused",
            Self::Internal(_) => "internal",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::Store(e) => e.message_zh(),
            Self::NotInitialised { db } => format!(
                "数据库 {db} 尚未初始化：请先运行 sojourn init --unit <县区或街道/镇代码> 或 sojourn demo"
            ),
            Self::InitialisedForAnotherUnit { code, name } => {
                format!("数据库已初始化为“{name}”（{code}），未做任何更改")
            }
            Self::NotATownCode(s) => {
                format!(
                    "“{s}”不是县区或街道/镇代码：请填写6位县、区代码（如 350181）或9位街道、镇、乡代码（如 110101001）"
                )
            }
            Self::UnknownTown(s) => format!("全国行政区划数据中没有代码为 {s} 的县区或街道/镇"),
            Self::File { path, source } => format!("无法读写文件 {path}：{source}"),
            Self::Csv(e) => format!("读取CSV文件出错：{e}"),
            Self::Header(e) => format!("CSV表头有误：{e}"),
            Self::Sheet(e) => e.message_zh(),
            Self::Import(e) => e.message_zh(),
            Self::Usage(e) => usage_zh(e).to_owned(),
            Self::Listen { addr, source } => format!("无法在 {addr} 上监听：{source}"),
            Self::Serve(e) => format!("服务已停止：{e}"),
            Self::Demo(e) => format!("演示数据生成失败：{e}"),
            Self::NotADemoDatabase { db } => format!(
                "数据库 {db} 不是由 sojourn demo 建立的（而是由 sojourn init 建立）：demo 会在其中开设\
                 使用公开演示密码的账号，因此拒绝使用该数据库，未做任何更改。请为演示另用一个新的\
                 数据库文件，如 sojourn demo --db demo.db"
            ),
            Self::UnknownAccount(name) => format!("没有用户名为“{name}”的账号"),
            Self::Archive { line } => format!("归档文件第{line}行不是审计记录"),
            Self::Anchor(s) => {
                format!("“{s}”不是校验锚点：应为 sojourn audit verify 输出的“序号:哈希”")
            }
            Self::NoKey { path } => format!(
                "找不到数据密钥：未设置 SOJOURN_KEY，密钥文件 {path} 也不存在。请从备份恢复密钥文件\
                 （或用 --key-file 指定）；新部署由 sojourn init --unit <街道/镇代码> 生成密钥"
            ),
            Self::Keys(e) => format!("数据密钥无法使用：{e}"),
            Self::Rotation(e) => format!("密钥轮换未完成：{e}"),
            Self::BackupExists(path) => format!("备份 {path} 已存在：请稍候一秒再运行"),
            Self::NoPgDump => {
                "备份 PostgreSQL 需要 pg_dump（Debian：apt-get install postgresql-client），\
                 其版本不低于数据库服务器"
                    .into()
            }
            Self::Restore(refusal) => {
                format!("恢复被拒绝，未恢复任何数据：{}", refusal.message_zh())
            }
            Self::Internal(e) => format!("内部错误：{e}"),
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::Store(e) => e.message_en(),
            Self::Sheet(e) => e.message_en(),
            Self::Import(e) => e.message_en(),
            other => other.to_string(),
        }
    }
}

/// Chinese for the [`CliError::Usage`] texts.
fn usage_zh(en: &str) -> &'static str {
    match en {
        XLSX_NEEDS_FILE => "导出 .xlsx 须指定输出文件",
        _ => "命令用法有误",
    }
}

/// An .xlsx export cannot go to standard output.
pub const XLSX_NEEDS_FILE: &str = "an .xlsx export needs an output FILE";

pub type Result<T> = std::result::Result<T, CliError>;
