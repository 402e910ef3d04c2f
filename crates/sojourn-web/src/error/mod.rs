//! The one error type of the HTTP layer and the JSON body it answers with.
//! Every refusal carries a stable code a client may match on and a message
//! in zh-CN and en; internal failures are logged and never described to the
//! client.

/// Refusals of sign-in and of the guard, with their statuses. They live
/// here, not in `auth`, so that `auth` stands on `error` and not the
/// other way round.
mod denied;

pub use denied::Denied;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sojourn_domain::Localized;
use sojourn_domain::services::permit::PermitError;
use sojourn_store::StoreError;
use utoipa::ToSchema;

/// A message in the two languages the UI speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Message {
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
    pub en: String,
}

/// A stable code with its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    #[schema(example = "id_number_check_character")]
    pub code: String,
    pub message: Message,
}

impl Problem {
    pub fn new(code: &str, zh_cn: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: Message {
                zh_cn: zh_cn.into(),
                en: en.into(),
            },
        }
    }

    /// The code and messages a domain or store error gives of itself.
    pub fn of(error: &dyn Localized) -> Self {
        Self::new(error.code(), error.message_zh(), error.message_en())
    }
}

/// Why one field of a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Name of the request field, with a path for nested ones
    /// (`landlord.id_number`, `left_behind[0].birth_date`).
    #[schema(example = "id_number")]
    pub field: String,
    #[schema(example = "id_number_check_character")]
    pub code: String,
    pub message: Message,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, error: &dyn Localized) -> Self {
        let Problem { code, message } = Problem::of(error);
        Self {
            field: field.into(),
            code,
            message,
        }
    }
}

/// Body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    #[schema(example = "validation_failed")]
    pub code: String,
    pub message: Message,
    /// Every refused field, present only for `validation_failed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

/// What a request can fail with. Each variant's doc names its status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 Bad Request: the body is not well-formed JSON.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// 400 Bad Request: a query-string parameter has the wrong type.
    #[error("invalid query string: {0}")]
    InvalidQuery(String),
    /// 400 Bad Request: a path segment has the wrong type (`/residences/abc`).
    #[error("invalid path: {0}")]
    InvalidPath(String),
    /// 400 Bad Request: a body the route cannot read at all (a multipart
    /// body without its boundary), refused by one of axum's extractors.
    #[error("unreadable request: {0}")]
    Unreadable(String),
    /// 400 Bad Request: a search term in the URL, where it would be logged
    /// by proxies and kept in browser history; it belongs in the body of
    /// the list's `POST …/search`.
    #[error("search terms go in the body of POST {0}, not in the URL")]
    SearchTermInUrl(&'static str),
    /// 401 Unauthorized, 403 Forbidden or 429 Too Many Requests: not
    /// signed in, not allowed, or too many attempts (see [`Denied`]).
    #[error("{0}")]
    Denied(Denied),
    /// 404 Not Found: no such record in the caller's jurisdiction (it may
    /// exist outside it; the two are never told apart), or no such division.
    #[error("{}", .0.message.en)]
    NotFound(Problem),
    /// 404 Not Found: no route matches the path.
    #[error("no such route")]
    NoRoute,
    /// 405 Method Not Allowed: the path exists, the method does not.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409 Conflict: a duplicate (重卡, credit code, unit code) or a record
    /// changed since the caller read it.
    #[error("{}", .0.message.en)]
    Conflict(Problem),
    /// 429 Too Many Requests: the caller already has as many long jobs
    /// running as one account may (exports), and must wait for one.
    #[error("{}", .0.message.en)]
    Busy(Problem),
    /// 413 Payload Too Large: the body exceeds the request size limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415 Unsupported Media Type: the body is not declared as JSON.
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    /// 422 Unprocessable Entity: well-formed JSON of the wrong shape (wrong
    /// types, missing fields), with serde's explanation.
    #[error("invalid body: {0}")]
    InvalidBody(String),
    /// 422 Unprocessable Entity: fields that do not parse, all of them at
    /// once so a form can mark every one.
    #[error("{} invalid field(s)", .0.len())]
    Validation(Vec<FieldProblem>),
    /// 422 Unprocessable Entity: a register rule refused the change, or it
    /// names a unit, house or employer outside the caller's jurisdiction.
    #[error("{}", .0.message.en)]
    Unprocessable(Problem),
    /// 500 Internal Server Error: logged with its detail, answered without.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_)
            | Self::InvalidQuery(_)
            | Self::InvalidPath(_)
            | Self::Unreadable(_)
            | Self::SearchTermInUrl(_) => StatusCode::BAD_REQUEST,
            Self::Denied(denied) => denied.status(),
            Self::NotFound(_) | Self::NoRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Busy(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::InvalidBody(_) | Self::Validation(_) | Self::Unprocessable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn problem(&self) -> Problem {
        match self {
            Self::MalformedJson(detail) => Problem::new(
                "malformed_json",
                format!("请求内容不是有效的JSON：{detail}"),
                format!("the request body is not valid JSON: {detail}"),
            ),
            Self::InvalidQuery(detail) => Problem::new(
                "invalid_query",
                format!("查询参数有误：{detail}"),
                format!("invalid query parameter: {detail}"),
            ),
            Self::InvalidPath(detail) => Problem::new(
                "invalid_path",
                format!("地址中的参数有误：{detail}"),
                format!("invalid path parameter: {detail}"),
            ),
            Self::Unreadable(detail) => Problem::new(
                "unreadable_request",
                format!("无法读取请求内容：{detail}"),
                format!("the request cannot be read: {detail}"),
            ),
            Self::SearchTermInUrl(route) => Problem::new(
                "search_term_in_url",
                format!("查询内容请放在 POST {route} 的请求体中，不要放在网址里"),
                format!("search terms go in the body of POST {route}, not in the URL"),
            ),
            Self::Denied(denied) => Problem::of(denied),
            Self::NotFound(problem)
            | Self::Conflict(problem)
            | Self::Busy(problem)
            | Self::Unprocessable(problem) => problem.clone(),
            Self::NoRoute => Problem::new("route_not_found", "没有这个接口地址", "no such route"),
            Self::MethodNotAllowed => Problem::new(
                "method_not_allowed",
                "该接口不支持此请求方法",
                "this route does not accept that method",
            ),
            Self::PayloadTooLarge => Problem::new(
                "payload_too_large",
                "请求内容过大",
                "the request body is too large",
            ),
            Self::UnsupportedMediaType => Problem::new(
                "unsupported_media_type",
                "请求内容须为JSON（Content-Type: application/json）",
                "the request body must be JSON (Content-Type: application/json)",
            ),
            Self::InvalidBody(detail) => Problem::new(
                "invalid_body",
                format!("请求内容的字段缺失或类型不对：{detail}"),
                detail.clone(),
            ),
            Self::Validation(_) => Problem::new(
                "validation_failed",
                "填写的内容有误，请按提示修改",
                "some fields are invalid; see `fields`",
            ),
            Self::Internal(_) => Problem::new(
                "internal",
                "服务器出错，请稍后再试；如仍出错请联系系统管理员",
                "internal server error; please try again later",
            ),
        }
    }
}

impl From<StoreError> for ApiError {
    /// The one place store outcomes become statuses.
    fn from(error: StoreError) -> Self {
        let problem = Problem::of(&error);
        match error {
            StoreError::NotFound { .. } => Self::NotFound(problem),
            StoreError::DuplicateResidence { .. }
            | StoreError::DuplicateOutflow { .. }
            | StoreError::OutflowOnFile { .. }
            | StoreError::MergedFile { .. }
            | StoreError::DuplicateEmployer
            | StoreError::DuplicateUnit(_)
            | StoreError::DuplicateAccount(_)
            | StoreError::VersionConflict { .. }
            | StoreError::Review(_)
            | StoreError::Quality(_)
            | StoreError::Transfer(_) => Self::Conflict(problem),
            // A step the request's state does not allow is a conflict; a
            // date or kind the input got wrong is the input's.
            StoreError::Request(
                sojourn_domain::services::request::RequestRefusal::StepOutOfOrder { .. },
            ) => Self::Conflict(problem),
            StoreError::Request(_) => Self::Unprocessable(problem),
            // A step out of order is a conflict with the permit's state; an
            // applicant the rules refuse is a rule broken.
            StoreError::Permit(refusal) => match refusal {
                PermitError::Ineligible(_) | PermitError::ProxyNotAllowed { .. } => {
                    Self::Unprocessable(problem)
                }
                _ => Self::Conflict(problem),
            },
            StoreError::ReferenceOutOfScope { .. }
            | StoreError::Rule(_)
            | StoreError::FamilyPlanning(_) => Self::Unprocessable(problem),
            // Deployment state is settled by `sojourn init` before the API
            // runs; meeting it here is a server fault, not a client's.
            // So is a key that does not fit the data (checked at start).
            StoreError::Deployment(_)
            | StoreError::KeysStillInUse { .. }
            | StoreError::NewerSchema(_)
            | StoreError::Backend(_)
            | StoreError::Corrupt(_)
            | StoreError::Internal(_)
            | StoreError::Crypto(_) => Self::Internal(error.to_string()),
        }
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        Self::Denied(denied)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let Problem { code, message } = self.problem();
        let status = self.status();
        let retry_after = match &self {
            Self::Denied(denied) => denied.retry_after(),
            _ => None,
        };
        let fields = match self {
            Self::Validation(fields) => fields,
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message,
                fields,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"sojourn\""),
            );
        }
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
