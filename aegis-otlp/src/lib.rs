//! OpenTelemetry traces into Aegis traces.
//!
//! An OTLP/HTTP export body (protobuf or JSON, [`decode`]) holds spans; [`spans`] reads each
//! span in the vocabulary its instrumentation used — the OpenTelemetry GenAI semantic
//! conventions (`gen_ai.*`, in their current form, the indexed `gen_ai.prompt.N.*` form of
//! OpenLLMetry, and the older span events) or Arize's OpenInference (`openinference.span.kind`,
//! `input.value`, `llm.input_messages.*`, `retrieval.documents.*`) — as a typed
//! [`SpanRecord`] whose step ([`aegis_core::AgentStep`]) keeps every attribute it did not
//! read. [`assemble`] groups a request's spans by trace and builds one Aegis [`Trace`] per
//! trace: its input and output, the model, the retrieved documents as `context`, and every
//! span as a step in the order it started.
//!
//! Nothing here does I/O or sanitising: the service runs Tier 0 on what [`assemble`] returns.
//! [`export`] goes the other way: a result as annotations for the tool that traced it.

mod assemble;
mod attributes;
pub mod export;
mod span;

pub use assemble::{Assembled, assemble, merge};
pub use span::{SpanRecord, spans};

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;

/// The two encodings of OTLP/HTTP, chosen by the request's `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `application/x-protobuf`.
    Protobuf,
    /// `application/json` (OTLP/JSON: hex ids, 64-bit integers as strings or numbers).
    Json,
}

impl Encoding {
    /// The encoding a `Content-Type` names (parameters such as `charset` ignored), if OTLP
    /// has one for it.
    pub fn from_content_type(content_type: &str) -> Option<Encoding> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/x-protobuf" | "application/protobuf" => Some(Encoding::Protobuf),
            "application/json" => Some(Encoding::Json),
            _ => None,
        }
    }

    /// The `Content-Type` of an answer in this encoding.
    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OtlpError {
    /// Not an `ExportTraceServiceRequest` in protobuf.
    #[error("the body is not an OTLP ExportTraceServiceRequest in protobuf: {0}")]
    Protobuf(#[from] prost::DecodeError),
    /// Not an `ExportTraceServiceRequest` in OTLP/JSON; the position is in the body.
    #[error(
        "the body is not an OTLP ExportTraceServiceRequest in JSON (line {line}, column {column}): {message}"
    )]
    Json {
        /// Line in the body, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What was wrong (serde's words: a type or a field, never the body's text).
        message: String,
    },
}

/// Reads an export request in the given encoding.
pub fn decode(body: &[u8], encoding: Encoding) -> Result<ExportTraceServiceRequest, OtlpError> {
    match encoding {
        Encoding::Protobuf => Ok(ExportTraceServiceRequest::decode(body)?),
        Encoding::Json => serde_json::from_slice(body).map_err(|e| OtlpError::Json {
            line: e.line(),
            column: e.column(),
            message: json_reason(&e),
        }),
    }
}

/// serde_json's message without any quoted input: only its category and position are kept
/// when the message could quote the body.
fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = text.split(" at line ").next().unwrap_or("").to_owned();
    if text.contains('`') || text.contains('"') {
        match e.classify() {
            serde_json::error::Category::Syntax => "malformed JSON".to_owned(),
            serde_json::error::Category::Eof => "the JSON ends early".to_owned(),
            _ => "a value of the wrong type or an unknown enum value".to_owned(),
        }
    } else {
        text
    }
}

/// The answer to an export, in the request's encoding: `partial_success` names how many
/// spans were not used and why (OTLP leaves it empty when all were).
pub fn encode_response(rejected_spans: i64, error_message: &str, encoding: Encoding) -> Vec<u8> {
    let response = ExportTraceServiceResponse {
        partial_success: (rejected_spans > 0 || !error_message.is_empty()).then(|| {
            ExportTracePartialSuccess {
                rejected_spans,
                error_message: error_message.to_owned(),
            }
        }),
    };
    match encoding {
        Encoding::Protobuf => response.encode_to_vec(),
        // Nothing rejected: `{}`, not a `null` field.
        Encoding::Json if response.partial_success.is_none() => b"{}".to_vec(),
        Encoding::Json => serde_json::to_vec(&response).unwrap_or_else(|_| b"{}".to_vec()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(
            Encoding::from_content_type("application/x-protobuf"),
            Some(Encoding::Protobuf)
        );
        assert_eq!(
            Encoding::from_content_type("Application/JSON; charset=utf-8"),
            Some(Encoding::Json)
        );
        assert_eq!(Encoding::from_content_type("text/plain"), None);
    }

    #[test]
    fn bad_bodies_are_named_without_their_content() {
        let e = decode(b"{\"resourceSpans\": [{\"secret-123\": ", Encoding::Json)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1"), "{e}");
        assert!(!e.contains("secret-123"), "{e}");
        assert!(decode(b"\xff\xff\xff", Encoding::Protobuf).is_err());
    }

    #[test]
    fn a_partial_success_round_trips() {
        let bytes = encode_response(3, "3 spans: no root", Encoding::Protobuf);
        let r = ExportTraceServiceResponse::decode(bytes.as_slice()).unwrap();
        assert_eq!(r.partial_success.unwrap().rejected_spans, 3);
        let json = encode_response(0, "", Encoding::Json);
        assert_eq!(json, b"{}");
    }
}
