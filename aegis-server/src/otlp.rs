//! `POST /otlp/v1/traces`: OTLP/HTTP trace export (protobuf or JSON, gzip too), read by
//! `aegis-otlp` and queued through the service like any other trace.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use aegis_app::otlp::{Encoding, encode_response};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Body;
use crate::routes::{blocking, decoded};

/// The longest `partial_success.error_message`: the reasons for the first spans, then a count.
const MESSAGE_LIMIT: usize = 4096;

/// `POST /otlp/v1/traces`: an OTLP/HTTP export. Every trace whose root span is in the request
/// is assembled from its spans (an agent's steps in order), sanitised by Tier 0 and queued;
/// `200` with an `ExportTraceServiceResponse` in the request's encoding, whose
/// `partial_success` counts and names the spans not used (no ids, no root span in the request,
/// nothing to evaluate, no domain). A trace's domain is `aegis.domain` on a span or its
/// resource, else the `x-aegis-domain` header.
#[utoipa::path(post, path = "/otlp/v1/traces", tag = "ingest",
    request_body(content = Vec<u8>, content_type = "application/x-protobuf",
        description = "An OTLP ExportTraceServiceRequest: protobuf, or OTLP/JSON with Content-Type application/json; gzip with Content-Encoding"),
    params(("x-aegis-domain" = Option<String>, Header, description = "The domain of traces whose spans name none")),
    responses(
        (status = 200, description = "An ExportTraceServiceResponse in the request's encoding; partial_success names the spans not used"),
        (status = 400, description = "The body is not an export request (named by position, never quoted)"),
        (status = 413, description = "The body is over the limit, before or after gzip"),
        (status = 415, description = "Neither application/x-protobuf nor application/json"),
        (status = 429, description = "The organisation's rate limit; see Retry-After"),
        (status = 503, description = "The server is stopping; see Retry-After"),
    ),
    security(("bearer" = [])))]
pub(crate) async fn otlp_traces(
    State(state): State<AppState>,
    Caller(org): Caller,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    if state.stopping.load(Ordering::SeqCst) {
        return Err(ApiError::unavailable("the server is shutting down"));
    }
    let encoding = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(Encoding::from_content_type)
        .ok_or_else(ApiError::unsupported_media_type)?;
    let body = decoded(&headers, body, state.body_limit)?;
    let header_domain = headers
        .get("x-aegis-domain")
        .and_then(|v| v.to_str().ok())
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    let service = Arc::clone(&state.service);
    let r = blocking(move || {
        service
            .ingest_otlp(&org, &body, encoding, header_domain.as_deref())?
            .map_err(|e| ApiError::bad_request("body", e.to_string()))
    })
    .await?;
    state.metrics.count_ingested(&r.accepted);
    for (outcome, n) in [
        ("rejected", r.rejected_spans),
        ("kept", r.buffered_spans),
        ("queued", r.accepted_spans),
    ] {
        state
            .metrics
            .otlp_spans
            .get_or_create(&crate::metrics::SpanOutcome { outcome })
            .inc_by(n as u64);
    }
    let mut message = String::new();
    for (i, why) in r.reasons.iter().enumerate() {
        if message.len() + why.len() + 2 > MESSAGE_LIMIT {
            message.push_str(&format!("; and {} more", r.reasons.len() - i));
            break;
        }
        if !message.is_empty() {
            message.push_str("; ");
        }
        message.push_str(why);
    }
    let bytes = encode_response(
        i64::try_from(r.rejected_spans).unwrap_or(i64::MAX),
        &message,
        encoding,
    );
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, encoding.content_type())],
        bytes,
    )
        .into_response())
}
