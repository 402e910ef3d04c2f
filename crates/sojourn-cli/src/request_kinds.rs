//! `sojourn request-kind`: a deployment's own kinds of service request
//! (R4.2). Every deployment starts with the eight the window offers
//! (employment … hardship relief, each due in 7 days); this adds a kind,
//! or renames one or changes its due period, and prints the table. Kept
//! on the command line, as `init` is: the table belongs to the whole
//! deployment, and whoever runs the command holds its database. Audited.

use crate::db::DbArg;
use crate::error::{CliError, Result};
use sojourn_domain::Localized;
use sojourn_domain::services::request::{DuePeriod, KindCode, RequestKind};
use sojourn_domain::text::OrgName;
use sojourn_store::{Actor, StoreError};
use std::io::Write;
use std::process::ExitCode;

/// What the command line gave for one kind.
pub(crate) struct KindArgs<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub days: i64,
}

/// The kind, or the reason it is refused (in both languages).
pub(crate) fn parse(args: &KindArgs<'_>) -> Result<RequestKind> {
    let refused =
        |e: &dyn Localized| CliError::Internal(format!("{} / {}", e.message_en(), e.message_zh()));
    let refusal = |r| CliError::Store(StoreError::Request(r));
    Ok(RequestKind {
        code: KindCode::parse(args.code).map_err(refusal)?,
        name_zh: OrgName::parse(args.name_zh).map_err(|e| refused(&e))?,
        name_en: OrgName::parse(args.name_en).map_err(|e| refused(&e))?,
        due: DuePeriod::new(args.days).map_err(refusal)?,
    })
}

pub(crate) fn run(args: &KindArgs<'_>, db: &DbArg) -> Result<ExitCode> {
    let kind = parse(args)?;
    let deployment = db.deployment()?;
    let store = &*deployment.store;
    store.set_request_kind(&kind, &Actor::new("cli"))?;
    let mut out = std::io::stdout().lock();
    for k in store.request_kinds()? {
        writeln!(
            out,
            "{}\t{}\t{}\t{} days / 天",
            k.code.as_str(),
            k.name_zh,
            k.name_en,
            k.due.days()
        )
        .map_err(|e| CliError::file("stdout", e))?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_is_parsed_or_refused_with_its_reason() {
        let args = KindArgs {
            code: "interpreting",
            name_zh: "翻译服务",
            name_en: "interpreting",
            days: 3,
        };
        assert_eq!(parse(&args).expect("a kind").due.days(), 3);
        let bad_days = KindArgs { days: 0, ..args };
        let refused = parse(&bad_days).expect_err("refused").to_string();
        assert!(refused.contains("1 to 365"), "{refused}");
        let bad_code = KindArgs {
            code: "翻译",
            days: 3,
            ..bad_days
        };
        assert!(parse(&bad_code).is_err());
    }
}
