//! The crate's layering, checked. The floor — `i18n`, `format`, `blocking`,
//! `error`, `dto`, `auth` — and the exports never name the modules above
//! them (`pages`, `api`, and for the floor `export`), so a page and an API
//! handler can share what lies below without a circle through each other.
//! Read from the source, as `use` and paths name modules; `AppState`, a
//! plain struct at the crate root, is the one thing all layers share.

use std::path::{Path, PathBuf};

/// Modules of the floor, and what each may not name.
const RULES: &[(&str, &[&str])] = &[
    ("i18n.rs", &["pages", "api", "export"]),
    ("format.rs", &["pages", "api", "export"]),
    ("blocking.rs", &["pages", "api", "export"]),
    ("error", &["pages", "api", "export", "auth"]),
    ("dto", &["pages", "api", "export"]),
    ("auth", &["pages", "api", "export"]),
    ("export", &["pages", "api"]),
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("a readable folder") {
            rust_files(&entry.expect("an entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

/// The modules of the crate root that `text` names: `crate::x` and each
/// `x` of `crate::{x, y::z}`.
fn named_modules(text: &str) -> Vec<String> {
    let mut named = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let group = match rest.strip_prefix('{') {
            Some(inner) => &inner[..inner.find('}').unwrap_or(inner.len())],
            None => rest,
        };
        for item in group.split(',') {
            let name: String = item
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                named.push(name);
            }
            if rest.starts_with('{') {
                continue;
            }
            break;
        }
    }
    named
}

#[test]
fn the_floor_and_the_exports_name_nothing_above_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut broken = Vec::new();
    for (module, above) in RULES {
        let mut files = Vec::new();
        rust_files(&src.join(module), &mut files);
        assert!(!files.is_empty(), "{module} holds no source");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable source");
            for name in named_modules(&text) {
                if above.contains(&name.as_str()) {
                    broken.push(format!("{} names crate::{name}", file.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn a_grouped_use_is_read_item_by_item() {
    assert_eq!(
        named_modules("use crate::{auth::Caller, pages::x};\nlet _ = crate::api::run;"),
        ["auth", "pages", "api"]
    );
}
