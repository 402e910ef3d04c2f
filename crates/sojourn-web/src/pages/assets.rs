//! Static front-end files, embedded in the binary (nothing is fetched at
//! run time and nothing needs building): the style sheet, our small script
//! and the vendored htmx. Their URLs carry a hash of their content, so they
//! can be cached for a year and still change with a new release.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

/// Where the assets are served.
pub(crate) const PREFIX: &str = "/assets";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/app.js"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/htmx.min.js"),
    },
];

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// FNV-1a: a stable content hash for cache busting, not for security.
fn fingerprint(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{:08x}", hash >> 32)
}

/// The URL of an asset, with its content hash: `/assets/app.css?v=1a2b3c4d`.
pub(crate) fn url(name: &str) -> String {
    static URLS: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    let urls = URLS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                (
                    a.name,
                    format!("{PREFIX}/{}?v={}", a.name, fingerprint(a.bytes)),
                )
            })
            .collect()
    });
    urls.iter()
        .find(|(n, _)| *n == name)
        .map_or_else(|| format!("{PREFIX}/{name}"), |(_, url)| url.clone())
}

/// `GET /assets/{name}`.
pub(crate) async fn serve(Path(name): Path<String>) -> Response {
    let Some(asset) = find(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_content_hash() {
        let url = url("app.css");
        assert!(url.starts_with("/assets/app.css?v="), "{url}");
        assert_eq!(url.len(), "/assets/app.css?v=".len() + 8);
    }

    #[test]
    fn vendored_htmx_is_a_2x_release() {
        let htmx = find("htmx.min.js").expect("htmx embedded");
        let text = String::from_utf8_lossy(htmx.bytes);
        assert!(text.contains("version:\"2."), "htmx 2.x expected");
    }
}
