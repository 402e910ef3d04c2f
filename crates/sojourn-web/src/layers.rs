//! The crate's layering, checked. The floors are
//!
//! ```text
//! lib.rs → {api, pages} → {ops, export} → {auth, dto, i18n, format, blocking, error, …} → store
//! ```
//!
//! and no module names one on a floor above its own: the floor never names
//! `ops`, `export`, `api` or `pages`; `ops` and `export` never name `api`
//! or `pages` (nor each other's way back: `export` does not name `ops`);
//! and `api` and `pages` stand side by side, neither naming the other, so
//! what both need is an operation in `ops` or a piece of the floor.
//! `auth` stands on `error`, never the other way round.
//!
//! Read from the source, as `use` lines and paths name modules: `crate::x`,
//! each top-level item of `crate::{x, y::{z, w}}`, and `super::…` chains
//! that climb to the crate root. `AppState`, a plain struct at the crate
//! root, is the one thing all floors share.

use std::path::{Path, PathBuf};

/// The modules of the floor under `ops` and `export`.
const FLOOR: &[&str] = &[
    "i18n.rs",
    "format.rs",
    "blocking.rs",
    "dto",
    "auth",
    "scope.rs",
    "audit.rs",
    "extract.rs",
    "json.rs",
    "headers.rs",
    "health.rs",
];

/// What a module of the floor may not name.
const ABOVE_THE_FLOOR: &[&str] = &["ops", "export", "api", "pages"];

/// Modules above the floor, and what each may not name.
const RULES: &[(&str, &[&str])] = &[
    ("error", &["ops", "export", "api", "pages", "auth"]),
    ("ops", &["api", "pages"]),
    ("export", &["ops", "api", "pages"]),
    ("api", &["pages"]),
    ("pages", &["api"]),
];

/// Every rule: the floor's and those above it.
fn rules() -> Vec<(&'static str, &'static [&'static str])> {
    FLOOR
        .iter()
        .map(|module| (*module, ABOVE_THE_FLOOR))
        .chain(RULES.iter().copied())
        .collect()
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("a readable folder") {
            rust_files(&entry.expect("an entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

/// How many modules deep the file at `relative` (to `src/`) is:
/// `pages/admin/units.rs` is 3 (`pages::admin::units`), `pages/mod.rs` 1.
fn depth(relative: &Path) -> usize {
    let parts = relative.components().count();
    match relative.file_name().and_then(|n| n.to_str()) {
        Some("mod.rs" | "lib.rs") => parts - 1,
        _ => parts,
    }
}

/// The leading identifier of `text`.
fn ident(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The top-level items of a group `{a, b::{c, d}, e}` (`text` starts
/// just after its `{`).
fn group_items(text: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0_usize, 0);
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&text[start..at]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

/// The modules of the crate root named by what follows a path to the root
/// in `rest`: `x` of `x::…`, each item of `{x, y::z}`.
fn named_after_root(rest: &str, named: &mut Vec<String>) {
    match rest.strip_prefix('{') {
        Some(inner) => {
            for item in group_items(inner) {
                let name = ident(item);
                if !name.is_empty() {
                    named.push(name);
                }
            }
        }
        None => {
            let name = ident(rest);
            if !name.is_empty() {
                named.push(name);
            }
        }
    }
}

/// The modules of the crate root that `text`, the source of a module
/// `depth` modules deep, names: through `crate::` and through a chain of
/// `super::` long enough to reach the root. (A `super` inside an inline
/// module, a file's `mod tests`, is read as if it were the file's own, so
/// it can only make the check stricter.)
fn named_modules(text: &str, depth: usize) -> Vec<String> {
    let mut named = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        named_after_root(&text[at + "crate::".len()..], &mut named);
    }
    if depth > 0 {
        let climb = "super::".repeat(depth);
        for (at, _) in text.match_indices(&climb) {
            // The start of a chain, not its middle.
            if text[..at].ends_with("super::") {
                continue;
            }
            let rest = &text[at + climb.len()..];
            if !rest.starts_with("super::") {
                named_after_root(rest, &mut named);
            }
        }
    }
    named
}

/// Every place a module names one it may not.
fn broken_rules(src: &Path) -> Vec<String> {
    let mut broken = Vec::new();
    for (module, forbidden) in rules() {
        let mut files = Vec::new();
        rust_files(&src.join(module), &mut files);
        assert!(!files.is_empty(), "{module} holds no source");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable source");
            let relative = file.strip_prefix(src).expect("a file under src");
            for name in named_modules(&text, depth(relative)) {
                if forbidden.contains(&name.as_str()) {
                    broken.push(format!("{} names crate::{name}", file.display()));
                }
            }
        }
    }
    broken
}

#[test]
fn no_module_names_one_on_a_floor_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let broken = broken_rules(&src);
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn a_grouped_use_is_read_item_by_item() {
    assert_eq!(
        named_modules(
            "use crate::{auth::{Caller, Denied}, pages::x};\nlet _ = crate::api::run;",
            1
        ),
        ["auth", "pages", "api"]
    );
}

#[test]
fn a_chain_of_super_is_read_when_it_reaches_the_root() {
    // In `pages/admin/units.rs`: `super::super` is `pages`, one more is
    // the root.
    let text = "use super::super::chrome::X;\nuse super::super::super::api::units;";
    assert_eq!(named_modules(text, 3), ["api"]);
    assert_eq!(depth(Path::new("pages/admin/units.rs")), 3);
    assert_eq!(depth(Path::new("pages/mod.rs")), 1);
    assert_eq!(depth(Path::new("ops/accounts.rs")), 2);
}

#[test]
fn a_path_that_merely_ends_in_crate_is_not_the_root() {
    assert!(named_modules("use sojourn_crate::api;", 1).is_empty());
}
