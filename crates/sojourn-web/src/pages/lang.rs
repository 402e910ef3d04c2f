//! The language switch: `GET /lang/{tag}` keeps the reader's language in
//! a cookie and, for a signed-in reader, on the account, which sign-in
//! reads back (`remembered`). The languages and catalogues themselves are
//! the crate's floor ([`crate::i18n`]).

use super::local_path::{LocalPath, NotLocal};
use crate::i18n::{Lang, Tr, lang_cookie};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

/// Query of the language switch: where to go back to.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct SwitchQuery {
    back: Option<String>,
}

/// `GET /lang/{tag}`: remembers the language (in the cookie, and on the
/// account of a signed-in reader) and returns to the page. A language
/// preference reveals and changes nothing else, so a plain link serves (no
/// form, no script); the session cookie is `SameSite=Strict`, so another
/// site's link cannot change an account's language. A `back` that is not
/// a path of this site is refused (400) and nothing is changed.
pub(crate) async fn switch(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    mut parts: Parts,
    axum::extract::Path(tag): axum::extract::Path<String>,
    query: Result<axum::extract::Query<SwitchQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = Lang::from_tag(&tag).unwrap_or_default();
    // An unreadable query is a percent-encoded byte outside UTF-8.
    let back = match query.map(|q| q.0.back) {
        Ok(None) => Ok(LocalPath::root()),
        Ok(Some(back)) => LocalPath::parse(&back),
        Err(_) => Err(NotLocal::Character),
    };
    let back = match back {
        Ok(back) => back,
        Err(why) => {
            let tr = Tr::new(Lang::of_headers(&parts.headers));
            return why.page(tr).into_response();
        }
    };
    remember(&state, &mut parts, lang).await;
    (
        [(header::SET_COOKIE, lang_cookie(lang))],
        Redirect::to(back.as_str()),
    )
        .into_response()
}

/// Keeps `lang` on the signed-in reader's account; a reader not signed in
/// keeps it in the cookie alone. A failure to keep it is logged, not shown:
/// the switch itself still works for this browser.
async fn remember(state: &crate::AppState, parts: &mut Parts, lang: Lang) {
    use crate::auth::{Access, Caller, guard::admit};
    if crate::auth::cookie::session_id(&parts.headers).is_none()
        || admit(state, Access::SelfService, parts).await.is_err()
    {
        return;
    }
    let Some(account) = parts
        .extensions
        .get::<Caller>()
        .map(|c| c.principal.account)
    else {
        return;
    };
    let store = std::sync::Arc::clone(&state.store);
    let kept = tokio::task::spawn_blocking(move || {
        store.set_account_locale_unscoped(account, Some(lang.tag()))
    })
    .await;
    if !matches!(kept, Ok(Ok(()))) {
        tracing::warn!(?kept, "the language could not be kept on the account");
    }
}

/// The language `account` chose, if it ever did (read at sign-in).
pub(crate) async fn remembered(
    state: &crate::AppState,
    account: sojourn_domain::account::AccountId,
) -> Option<Lang> {
    let store = std::sync::Arc::clone(&state.store);
    let tag = tokio::task::spawn_blocking(move || store.account_locale_unscoped(account))
        .await
        .ok()?
        .ok()??;
    Lang::from_tag(&tag)
}
