//! The languages the pages speak and their message catalogues.
//!
//! Every UI string lives in `i18n/zh-CN.ftl` and `i18n/en.ftl` (Fluent),
//! embedded in the binary. Templates and code name a message by its key
//! (`tr.t("nav-home")`), always as a literal, so a test can hold every key
//! used against both catalogues. Data from the national code tables (sex,
//! ethnicity, …) carries its own Chinese and English names and is not
//! repeated here; field errors come from the domain's `Localized` messages.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::convert::Infallible;
use std::sync::OnceLock;

/// Name of the cookie that carries the language between requests. The
/// account keeps the choice too, and sign-in sets the cookie from it, so
/// the language follows the user from one browser to another.
pub(crate) const LANG_COOKIE: &str = "lang";

/// A language of the UI. zh-CN is the default: the users are Chinese clerks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub(crate) const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// The BCP 47 tag, as in `<html lang>` and the cookie.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    pub(crate) fn from_tag(tag: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(tag))
    }

    /// The other language, offered by the switch in the header.
    pub(crate) fn other(self) -> Self {
        match self {
            Self::ZhCn => Self::En,
            Self::En => Self::ZhCn,
        }
    }

    pub(crate) fn is_en(self) -> bool {
        self == Self::En
    }

    /// The Chinese or English name of a code-table value or other data
    /// that carries both.
    pub(crate) fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::ZhCn => zh,
            Self::En => en,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Self::ZhCn => include_str!("../i18n/zh-CN.ftl"),
            Self::En => include_str!("../i18n/en.ftl"),
        }
    }
}

/// The language chosen by the `lang` cookie, zh-CN without one (sign-in
/// sets the cookie to the account's remembered language).
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Lang::of_headers(&parts.headers))
    }
}

impl Lang {
    /// The language the `lang` cookie among `headers` chooses, zh-CN
    /// without one.
    pub(crate) fn of_headers(headers: &axum::http::HeaderMap) -> Self {
        let cookies = headers
            .get_all(header::COOKIE)
            .into_iter()
            .filter_map(|v| v.to_str().ok());
        cookies
            .flat_map(|line| line.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Lang::from_tag(value))
            .unwrap_or_default()
    }
}

/// The `Set-Cookie` value that makes `lang` the pages' language.
pub(crate) fn lang_cookie(lang: Lang) -> String {
    format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        lang.tag()
    )
}

type Bundle = FluentBundle<FluentResource>;

struct Catalogues {
    zh_cn: Bundle,
    en: Bundle,
}

fn bundle(lang: Lang) -> Result<Bundle, String> {
    let id = lang
        .tag()
        .parse()
        .map_err(|e| format!("language tag {}: {e}", lang.tag()))?;
    let resource = FluentResource::try_new(lang.source().to_owned())
        .map_err(|(_, errors)| format!("{}.ftl does not parse: {errors:?}", lang.tag()))?;
    let mut bundle = Bundle::new_concurrent(vec![id]);
    // Bidi isolation marks would end up in every title and table cell.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| format!("{}.ftl has duplicate keys: {errors:?}", lang.tag()))?;
    Ok(bundle)
}

fn catalogues() -> &'static Catalogues {
    static CATALOGUES: OnceLock<Catalogues> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        // Invariant: the catalogues are embedded and a unit test parses
        // both, so failing here is a build defect, not a run-time condition.
        let load = |lang| bundle(lang).unwrap_or_else(|error| panic!("{error}"));
        Catalogues {
            zh_cn: load(Lang::ZhCn),
            en: load(Lang::En),
        }
    })
}

/// What templates and handlers translate with: `tr.t("nav-home")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub(crate) fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The message `key`.
    pub(crate) fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message `key` with a number `$n` (counts choose plural forms).
    /// Takes the number by value or by reference, as templates pass either.
    pub(crate) fn tn(&self, key: &str, n: impl std::borrow::Borrow<u64>) -> String {
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(*n.borrow()));
        self.format(key, Some(&args))
    }

    /// The message `key` with one text argument `$name`.
    pub(crate) fn ts(&self, key: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(value.to_owned()));
        self.format(key, Some(&args))
    }

    /// The message `key` with two numbers (an export's progress).
    pub(crate) fn t2(&self, key: &str, a: &str, a_value: u64, b: &str, b_value: u64) -> String {
        let mut args = FluentArgs::new();
        args.set(a.to_owned(), FluentValue::from(a_value));
        args.set(b.to_owned(), FluentValue::from(b_value));
        self.format(key, Some(&args))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let catalogues = catalogues();
        let bundle = match self.lang {
            Lang::ZhCn => &catalogues.zh_cn,
            Lang::En => &catalogues.en,
        };
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = self.lang.tag(), "missing UI message");
            return missing(key);
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "UI message formatted with errors");
        }
        text.into_owned()
    }
}

/// How a missing message shows: visibly, so a test or a reader notices.
pub(crate) fn missing(key: &str) -> String {
    format!("⟦{key}⟧")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Message identifiers: Fluent puts each at the start of a line (values
    /// continue indented, comments start with `#`, terms with `-`).
    fn keys_of(lang: Lang) -> BTreeSet<String> {
        lang.source()
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(id, _)| id.trim_end())
            .filter(|id| {
                id.starts_with(|c: char| c.is_ascii_alphabetic())
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .map(str::to_owned)
            .collect()
    }

    /// Every `t("…")`, `tn("…"` and `ts("…"` key literal in a source text.
    fn keys_used_in(text: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for marker in [".t(\"", ".tn(\"", ".ts(\""] {
            for (at, _) in text.match_indices(marker) {
                let rest = &text[at + marker.len()..];
                if let Some(end) = rest.find('"') {
                    keys.push(rest[..end].to_owned());
                }
            }
        }
        keys
    }

    fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                files_under(&path, out);
            } else {
                out.push(path);
            }
        }
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        for lang in Lang::ALL {
            bundle(lang).expect("catalogue loads");
        }
        let zh = keys_of(Lang::ZhCn);
        let en = keys_of(Lang::En);
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "missing in en.ftl: {only_zh:?}");
        assert!(only_en.is_empty(), "missing in zh-CN.ftl: {only_en:?}");
    }

    #[test]
    fn every_key_used_in_templates_and_page_code_exists_in_both_catalogues() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        files_under(&root.join("templates"), &mut files);
        files_under(&root.join("src/pages"), &mut files);
        let mut used = BTreeSet::new();
        for file in &files {
            let text = std::fs::read_to_string(file).expect("UTF-8 source");
            used.extend(keys_used_in(&text).into_iter().map(|k| (k, file.clone())));
        }
        assert!(
            used.len() > 100,
            "suspiciously few keys found: {}",
            used.len()
        );
        for lang in Lang::ALL {
            let known = keys_of(lang);
            let missing: Vec<_> = used
                .iter()
                .filter(|(key, _)| !known.contains(key))
                .collect();
            assert!(missing.is_empty(), "not in {}.ftl: {missing:?}", lang.tag());
        }
    }

    #[test]
    fn messages_format_with_arguments_and_fall_back_visibly() {
        let zh = Tr::new(Lang::ZhCn);
        let en = Tr::new(Lang::En);
        assert_eq!(zh.t("nav-home"), "首页");
        assert_eq!(en.t("nav-home"), "Home");
        assert_eq!(en.tn("list-total", 1), "1 record");
        assert_eq!(en.tn("list-total", 3), "3 records");
        assert_eq!(zh.tn("list-total", 3), "共 3 条");
        let unknown = String::from("no-such-key");
        assert_eq!(zh.t(&unknown), "⟦no-such-key⟧");
    }
}
