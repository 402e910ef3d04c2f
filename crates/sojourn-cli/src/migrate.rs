//! `sojourn migrate`: what an upgrade does to the store. Every command
//! that opens the store applies the migrations it lacks (forward only,
//! each in its own transaction) before anything else, and refuses a store
//! that a newer version has migrated. `--check` says what would be done,
//! reading the store without changing it; without it the migrations are
//! applied now, rather than at the next start of the server.

use crate::db::DbArg;
use crate::error::{CliError, Result};
use sojourn_store::StoreError;
use sojourn_store::operations::Schema;
use std::io::Write;

fn out_err(e: std::io::Error) -> CliError {
    CliError::file("stdout", e)
}

/// `sojourn migrate [--check]`.
pub(crate) fn run(db: &DbArg, check: bool, out: &mut impl Write) -> Result<()> {
    let missing = match sojourn_store::schema_of(&db.db)? {
        Schema::Ahead(unknown) => return Err(StoreError::NewerSchema(unknown).into()),
        Schema::Current => {
            writeln!(
                out,
                "the store is current: nothing to migrate / 数据库结构已是最新，无需迁移"
            )
            .map_err(out_err)?;
            return Ok(());
        }
        Schema::Behind(missing) => missing,
    };
    let (en, zh) = if check {
        ("an upgrade would apply", "升级将依次执行")
    } else {
        ("applying", "正在执行")
    };
    writeln!(
        out,
        "{en} {} migration(s), in this order / {zh} {} 项迁移：",
        missing.len(),
        missing.len()
    )
    .map_err(out_err)?;
    for name in &missing {
        writeln!(out, "  {name}").map_err(out_err)?;
    }
    if !check {
        drop(db.open()?);
        writeln!(out, "done: the store is current / 迁移完成").map_err(out_err)?;
    }
    Ok(())
}
