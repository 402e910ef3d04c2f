//! The schema's migrations: one list of names, in the order they apply;
//! each engine has a file of each name in `migrations/{sqlite,postgres}/`,
//! compiled in. A migration is added here once, and the test below fails
//! until both engines have its file (and no file is left unlisted).

/// Expands to the `(name, sql)` list of `$engine` for every name given.
macro_rules! migrations_of {
    ($engine:literal: $($name:literal),+ $(,)?) => {
        &[$((
            $name,
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"), "/migrations/", $engine, "/", $name, ".sql"
            )),
        )),+]
    };
}

/// Every migration, by name, in order: the one list both engines follow.
macro_rules! every_migration {
    ($engine:literal) => {
        migrations_of!($engine:
            "0001_registers",
            "0002_search",
            "0100_accounts",
            "0110_account_locale",
            "0200_audit",
            "0300_encryption",
            "0400_statistics",
            "0410_arrival_order",
            "0420_bulk_load",
            "0430_documents",
            "0450_guardian",
            "0500_review",
            "0600_quality",
            "0610_review_backfill",
            "0620_compact_findings",
            "0630_outflow_once",
            "0700_sign_in_failures",
            "0720_house_inspections",
            "0730_transfer_requests",
            "0740_unit_contacts",
            "0750_domicile_from_id_number",
            "0800_residence_permits",
            "0810_family_planning",
            "0820_service_requests",
            "0850_staffing",
            "0860_patrols",
            "0900_jobs",
        )
    };
}

/// A migration's name (its file's, without `.sql`) and its SQL.
pub(crate) type Migration = (&'static str, &'static str);

pub(crate) const SQLITE: &[Migration] = every_migration!("sqlite");
pub(crate) const POSTGRES: &[Migration] = every_migration!("postgres");

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn files_of(engine: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(engine);
        std::fs::read_dir(&dir)
            .expect("the engine's migration folder")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .into_string()
                    .expect("UTF-8")
            })
            .filter_map(|name| name.strip_suffix(".sql").map(str::to_owned))
            .collect()
    }

    #[test]
    fn both_engines_hold_exactly_the_listed_migrations_in_order() {
        let listed: Vec<&str> = SQLITE.iter().map(|(name, _)| *name).collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(listed, sorted, "names are unique and listed in their order");
        let listed: BTreeSet<String> = listed.into_iter().map(str::to_owned).collect();
        assert_eq!(files_of("sqlite"), listed);
        assert_eq!(files_of("postgres"), listed);
        assert_eq!(
            SQLITE.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            POSTGRES.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
    }
}
