//! JSON in and out. axum's own `Json` answers a bad body with plain text;
//! this wrapper answers with our error body, telling malformed JSON (400)
//! from JSON of the wrong shape (422) so a client knows which to fix.

use crate::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A JSON request or response body.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => Self::InvalidBody(serde_reason(&e.body_text())),
            JsonRejection::JsonSyntaxError(e) => Self::MalformedJson(serde_reason(&e.body_text())),
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType,
            // The body limit shows up here when the body streams in without
            // a length; a declared length over it is refused before routing.
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            other => Self::MalformedJson(other.body_text()),
        }
    }
}

/// serde's explanation without axum's generic preamble.
pub(crate) fn serde_reason(text: &str) -> String {
    const PREAMBLES: [&str; 3] = [
        "Failed to deserialize the JSON body into the target type: ",
        "Failed to parse the request body as JSON: ",
        "Failed to deserialize query string: ",
    ];
    PREAMBLES
        .iter()
        .find_map(|p| text.strip_prefix(p))
        .unwrap_or(text)
        .to_owned()
}
