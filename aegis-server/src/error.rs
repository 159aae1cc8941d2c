//! Errors as the API answers them: a status and a JSON body
//! `{"error": {"code": "…", "message": "…", "field": "…"}}` that names what was wrong and
//! never repeats trace text.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
    retry_after_s: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// `400`: the request is not valid; `field` names the part that is wrong.
    pub fn bad_request(field: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: message.into(),
            field: Some(field.to_owned()),
            retry_after_s: None,
        }
    }

    /// `400` for a query parameter that does not fit; `field` is its name.
    pub fn bad_query(field: String, message: String) -> ApiError {
        let field = if field.is_empty() || field == "." {
            "query".to_owned()
        } else {
            field
        };
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: format!("query parameter `{field}`: {message}"),
            field: Some(field),
            retry_after_s: None,
        }
    }

    /// `405`: the route exists, not with this method.
    pub fn method_not_allowed() -> ApiError {
        ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "method_not_allowed",
            message: "the route does not take this method (see /v1/openapi.json)".to_owned(),
            field: None,
            retry_after_s: None,
        }
    }

    /// `401`: no valid API key.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: message.into(),
            field: Some("Authorization".to_owned()),
            retry_after_s: None,
        }
    }

    /// `403`: the caller may not read this from where it is.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            message: message.into(),
            field: None,
            retry_after_s: None,
        }
    }

    /// `404`: nothing of the caller's organisation by that name.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
            field: None,
            retry_after_s: None,
        }
    }

    /// `413`: the body is larger than the limit (compressed or not).
    pub fn too_large(limit: usize) -> ApiError {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload_too_large",
            message: format!("the request body is larger than {limit} bytes"),
            field: Some("body".to_owned()),
            retry_after_s: None,
        }
    }

    /// `429`: the organisation's rate limit; retry after `seconds`.
    pub fn rate_limited(seconds: u64) -> ApiError {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "rate_limited",
            message: format!(
                "the organisation's request rate limit was reached; retry after {seconds} s"
            ),
            field: None,
            retry_after_s: Some(seconds),
        }
    }

    /// `500`: something failed on the server (the message says what, never trace text).
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: message.into(),
            field: None,
            retry_after_s: None,
        }
    }

    /// `415`: a body in an encoding the route does not take.
    pub fn unsupported_media_type() -> ApiError {
        ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_media_type",
            message: "send application/x-protobuf or application/json".to_owned(),
            field: Some("Content-Type".to_owned()),
            retry_after_s: None,
        }
    }

    /// `503`: the server is shutting down or not ready.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "unavailable",
            message: message.into(),
            field: None,
            retry_after_s: Some(1),
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<aegis_app::AppError> for ApiError {
    fn from(e: aegis_app::AppError) -> ApiError {
        use aegis_app::AppError as E;
        match e {
            E::UnknownDomain { .. } => ApiError::bad_request("domain", e.to_string()),
            E::Store(m) if m.starts_with("no stored result") => ApiError::not_found(m),
            E::Busy {
                message,
                retry_after_s,
            } => ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "busy",
                message,
                field: None,
                retry_after_s: Some(retry_after_s),
            },
            E::Unsupported(message) => ApiError {
                status: StatusCode::NOT_IMPLEMENTED,
                code: "not_implemented",
                message,
                field: None,
                retry_after_s: None,
            },
            other => {
                tracing::error!(error = %other, "request failed");
                ApiError::internal(other.to_string())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                field: self.field.as_deref(),
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after_s
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
