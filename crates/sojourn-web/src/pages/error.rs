//! What a page answers when it cannot show what was asked: an HTML page in
//! the reader's language, never a JSON body or a Rust error. Internal
//! failures are logged with their detail and shown without it.

use super::chrome::{Chrome, Nav};
pub(crate) use crate::format::localized;
use crate::i18n::Tr;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sojourn_domain::Localized;
use sojourn_store::StoreError;

/// A page that could not be shown, and why.
#[derive(Debug)]
pub(crate) struct PageError {
    status: StatusCode,
    tr: Tr,
    /// Shown to the reader.
    message: String,
    /// Logged, never shown.
    detail: Option<String>,
}

impl PageError {
    /// 404: no such record in the caller's jurisdiction (the two are never
    /// told apart), or no such page.
    pub(crate) fn not_found(tr: Tr) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            tr,
            message: tr.t("error-not-found"),
            detail: None,
        }
    }

    /// 400: a value in the address or form that cannot be read (a number
    /// beyond any record's, a malformed query), which no page of this site
    /// links to.
    pub(crate) fn bad_input(tr: Tr) -> Self {
        Self::with_status(tr, StatusCode::BAD_REQUEST, tr.t("error-bad-input"))
    }

    /// Any status, with a message for the reader.
    pub(crate) fn with_status(tr: Tr, status: StatusCode, message: String) -> Self {
        Self {
            status,
            tr,
            message,
            detail: None,
        }
    }

    /// 500, with the detail for the log only.
    pub(crate) fn internal(tr: Tr, detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            tr,
            message: tr.t("error-internal"),
            detail: Some(detail.into()),
        }
    }

    /// 422 with a message of the domain or store.
    pub(crate) fn refused(tr: Tr, error: &dyn Localized) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            tr,
            message: localized(tr, error),
            detail: None,
        }
    }

    /// The page for a store failure.
    pub(crate) fn store(tr: Tr, error: StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => Self::not_found(tr),
            StoreError::Deployment(_) => Self::internal(tr, error.to_string()),
            failure if failure.is_failure() => Self::internal(tr, failure.to_string()),
            _ => Self::refused(tr, &error),
        }
    }
}

/// axum's own extractors refuse a path, query or form they cannot read
/// with a plain-text 400 or 422 in English; a page answers in HTML, in the
/// reader's language, instead.
pub(crate) async fn html_rejections(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let lang = crate::i18n::Lang::of_headers(request.headers());
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    let status = response.status();
    if plain && (status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY) {
        let tr = Tr::new(lang);
        return PageError::with_status(tr, status, tr.t("error-bad-input")).into_response();
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    tr: Tr,
    chrome: Chrome,
    status: u16,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let Some(detail) = &self.detail {
            tracing::error!(%detail, "page failed");
        }
        let title = self.tr.t("error-title");
        let page = ErrorPage {
            tr: self.tr,
            chrome: Chrome::bare(self.tr, &title, Nav::None),
            status: self.status.as_u16(),
            message: &self.message,
        };
        let body = page.render().unwrap_or_else(|_| self.message.clone());
        (
            self.status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response()
    }
}
