//! Where a page may send the reader back to (the language switch's `back`,
//! the sign-in's `next`): a path on this host and nothing else. Browsers
//! read a `Location` leniently — they drop tabs and line breaks, take a
//! backslash for a slash and `//host` for another host — so anything they
//! might read as another origin is refused here, in its raw and in its
//! percent-decoded form, rather than cleaned up. A link that carries such a
//! value was made by someone else, and the reader is told so (400).

use super::error::{PageError, localized};
use crate::i18n::Tr;
use axum::http::StatusCode;
use sojourn_domain::Localized;

/// A path (and query) of this site, safe to put in a `Location` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocalPath(String);

/// Why a return address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotLocal {
    /// It does not start with `/` (a scheme, a host, a relative path).
    NotAPath,
    /// `//host` or `/\host`, which browsers read as another host.
    OtherHost,
    /// A control character, a space, a backslash or a character outside
    /// printable ASCII, which a browser drops or rewrites.
    Character,
}

impl LocalPath {
    pub(crate) fn parse(raw: &str) -> Result<Self, NotLocal> {
        check(raw.as_bytes())?;
        // The same rules on the decoded path: `/%2F%2Fhost` is harmless in
        // a browser today, but nothing this site links to looks like it.
        let path = raw.split_once('?').map_or(raw, |(path, _)| path);
        check(&percent_decoded(path))?;
        raw.parse::<axum::http::uri::PathAndQuery>()
            .map_err(|_| NotLocal::Character)?;
        Ok(Self(raw.to_owned()))
    }

    /// The home page.
    pub(crate) fn root() -> Self {
        Self("/".to_owned())
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

fn check(bytes: &[u8]) -> Result<(), NotLocal> {
    if bytes.first() != Some(&b'/') {
        return Err(NotLocal::NotAPath);
    }
    // Printable ASCII without the space; `%` stays (it encodes the rest).
    if !bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\') {
        return Err(NotLocal::Character);
    }
    if bytes.get(1) == Some(&b'/') {
        return Err(NotLocal::OtherHost);
    }
    Ok(())
}

/// `%XY` decoded to its byte; a `%` not followed by two hex digits kept.
fn percent_decoded(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

impl NotLocal {
    /// The 400 page that tells the reader why.
    pub(crate) fn page(self, tr: Tr) -> PageError {
        PageError::with_status(tr, StatusCode::BAD_REQUEST, localized(tr, &self))
    }
}

impl Localized for NotLocal {
    fn code(&self) -> &'static str {
        match self {
            Self::NotAPath => "return_not_a_path",
            Self::OtherHost => "return_other_host",
            Self::Character => "return_bad_character",
        }
    }

    fn message_zh(&self) -> String {
        let why = match self {
            Self::NotAPath => "不是本站的页面地址",
            Self::OtherHost => "指向其他网站",
            Self::Character => "含有控制字符、空格、反斜杠或非ASCII字符",
        };
        format!("链接中的返回地址{why}，已拒绝；请从本站页面重新打开")
    }

    fn message_en(&self) -> String {
        let why = match self {
            Self::NotAPath => "is not a page of this site",
            Self::OtherHost => "points to another site",
            Self::Character => {
                "holds a control character, a space, a backslash or a non-ASCII character"
            }
        };
        format!("the link's return address {why} and was refused; open the page from this site")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_this_site_are_kept_as_they_are() {
        for path in [
            "/",
            "/residents?q=zs",
            "/persons/12?tab=history",
            "/residents?q=%E5%BC%A0+%E4%B8%89&page=3",
            "/residents?unit=%2F%2F",
        ] {
            let kept = LocalPath::parse(path).map(|p| p.as_str().to_owned());
            assert_eq!(kept, Ok(path.to_owned()), "{path}");
        }
    }

    #[test]
    fn every_crafted_return_address_is_refused_with_its_reason() {
        use NotLocal::{Character, NotAPath, OtherHost};
        let cases = [
            ("//evil.example/", OtherHost),
            ("/\\evil.example/", Character),
            ("\\\\evil.example/", NotAPath),
            ("/\t/evil.example/", Character),
            ("/\r\n", Character),
            ("/\nLocation: //evil.example", Character),
            ("/ /evil.example", Character),
            ("/\u{7f}/evil.example", Character),
            ("/张三", Character),
            ("https://evil.example/", NotAPath),
            ("javascript:alert(1)", NotAPath),
            ("evil.example", NotAPath),
            ("", NotAPath),
            (" /residents", NotAPath),
            ("/%2F/evil.example/", OtherHost),
            ("/%2f%2fevil.example/", OtherHost),
            ("/%5Cevil.example/", Character),
            ("/%09/evil.example/", Character),
            ("/%0d%0a", Character),
            ("/residents/%00", Character),
        ];
        for (raw, why) in cases {
            assert_eq!(LocalPath::parse(raw), Err(why), "{raw:?}");
        }
    }

    #[test]
    fn refusals_explain_themselves_in_both_languages() {
        let why = NotLocal::OtherHost;
        assert_eq!(why.code(), "return_other_host");
        assert!(why.message_zh().contains("其他网站"));
        assert!(why.message_en().contains("another site"));
    }
}
