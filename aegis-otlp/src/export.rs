//! Aegis results back out, in the vocabulary of the tools that traced the application:
//!
//! - Arize Phoenix trace annotations (`POST /v1/trace_annotations`): [`phoenix_trace_annotations`];
//! - OpenTelemetry GenAI evaluation events (`gen_ai.evaluation.result` log records, parented to
//!   the evaluated span, for any OTLP/HTTP logs endpoint): [`evaluation_events`], [`logs_body`];
//! - Langfuse scores (`POST /api/public/scores`): [`langfuse_scores`].
//!
//! Only a result whose trace id is an OpenTelemetry trace id (32 hex digits) is exported:
//! another id names no trace such a tool has. Every form carries the same evaluations
//! ([`evaluations`]): `aegis`, the verdict, and `aegis.<validator>` for each validator that
//! found something.
//!
//! What is exported comes from the stored result only: its verdict, the tier that decided it,
//! and its issues' validators, severities and messages, which Tier 0 has already sanitised.

use aegis_core::{EvaluationResult, Severity, StepKind, Tier, Trace, Verdict, otel_trace_id};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use serde_json::{Value, json};

/// The annotation every exported result gets, whatever it found: its verdict.
pub const VERDICT_ANNOTATION: &str = "aegis";

/// The event name of the GenAI semantic conventions for an evaluation's result.
pub const EVALUATION_EVENT: &str = "gen_ai.evaluation.result";

/// The verdict as a score: 1 for a pass, 0 for a fail or an error, ½ while an expert must look.
pub fn verdict_score(verdict: Verdict) -> f64 {
    match verdict {
        Verdict::Pass => 1.0,
        Verdict::NeedsReview => 0.5,
        Verdict::Fail | Verdict::Error => 0.0,
    }
}

/// One evaluation of a result, as every export form writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// `aegis`, or `aegis.<validator>`.
    pub name: String,
    /// The verdict (`pass`, `fail`, …), or the validator's highest severity.
    pub label: String,
    /// [`verdict_score`], or 0 for a validator that found something.
    pub score: f64,
    /// The issues' messages, one a line (`no issue found` for a clean verdict).
    pub explanation: String,
}

/// What a result says, as evaluations: `aegis` with the verdict, then one `aegis.<validator>`
/// per validator that found something, labelled with its highest severity, in the order the
/// issues came.
pub fn evaluations(result: &EvaluationResult) -> Vec<Evaluation> {
    let explanation = result
        .issues
        .iter()
        .map(|i| format!("{}: {}", i.validator, i.message))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = vec![Evaluation {
        name: VERDICT_ANNOTATION.to_owned(),
        label: result.verdict.as_str().to_owned(),
        score: verdict_score(result.verdict),
        explanation: if explanation.is_empty() {
            "no issue found".to_owned()
        } else {
            explanation
        },
    }];
    let mut validators: Vec<(&str, Severity, Vec<&str>)> = Vec::new();
    for issue in &result.issues {
        match validators
            .iter_mut()
            .find(|(v, _, _)| *v == issue.validator)
        {
            Some((_, severity, messages)) => {
                *severity = (*severity).max(issue.severity);
                messages.push(&issue.message);
            }
            None => validators.push((&issue.validator, issue.severity, vec![&issue.message])),
        }
    }
    out.extend(
        validators
            .into_iter()
            .map(|(validator, severity, messages)| Evaluation {
                name: format!("{VERDICT_ANNOTATION}.{validator}"),
                label: severity.as_str().to_owned(),
                score: 0.0,
                explanation: messages.join("\n"),
            }),
    );
    out
}

/// The result as Phoenix trace annotations (the elements of the request body's `data`), or
/// `None` when its trace id is not an OpenTelemetry one: each of [`evaluations`], the verdict's
/// with the domain, deciding tier and issues as metadata. Each has an `identifier`, so
/// evaluating a trace again updates its annotations rather than adding more.
pub fn phoenix_trace_annotations(result: &EvaluationResult) -> Option<Vec<Value>> {
    let trace_id = otel_trace_id(result.trace_id.as_deref()?)?;
    let kind = annotator_kind(result.decided_by);
    let issues: Vec<Value> = result
        .issues
        .iter()
        .map(|i| {
            json!({
                "validator": i.validator,
                "severity": i.severity.as_str(),
                "tier": i.tier.as_str(),
                "message": i.message,
            })
        })
        .collect();
    let annotations = evaluations(result)
        .into_iter()
        .map(|e| {
            let metadata = if e.name == VERDICT_ANNOTATION {
                json!({
                    "domain": result.domain,
                    "decided_by": result.decided_by.map(Tier::as_str),
                    "issues": issues,
                })
            } else {
                json!({ "domain": result.domain })
            };
            json!({
                "trace_id": trace_id,
                "name": e.name,
                "annotator_kind": kind,
                "identifier": e.name,
                "result": { "label": e.label, "score": e.score, "explanation": e.explanation },
                "metadata": metadata,
            })
        })
        .collect();
    Some(annotations)
}

/// Phoenix's kinds of annotator: the judge is an LLM, an expert a human, the rest code.
fn annotator_kind(decided_by: Option<Tier>) -> &'static str {
    match decided_by {
        Some(Tier::Judge) => "LLM",
        Some(Tier::Human) => "HUMAN",
        _ => "CODE",
    }
}

/// The span an evaluation is about: the root span of the trace it evaluated (the agent's or
/// the top operation's), and the model's response id when a model call gave one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluatedSpan {
    /// The span's id, 16 hex digits.
    pub span_id: String,
    /// `gen_ai.response.id` of the trace's last model call that has one.
    pub response_id: Option<String>,
}

impl EvaluatedSpan {
    /// The root step's span (the step without a parent, else the first with a span id) of a
    /// trace that came from OpenTelemetry; `None` for a trace without spans.
    pub fn of(trace: &Trace) -> Option<EvaluatedSpan> {
        let with_id = || trace.steps.iter().filter(|s| s.span_id.is_some());
        let root = with_id()
            .find(|s| s.parent_id.is_none())
            .or_else(|| with_id().next())?;
        let span_id = root.span_id.as_deref().filter(|id| is_hex(id, 16))?;
        let response_id = trace
            .steps
            .iter()
            .rev()
            .filter(|s| s.kind == StepKind::Llm)
            .find_map(|s| s.attributes.get("gen_ai.response.id")?.as_str())
            .map(str::to_owned);
        Some(EvaluatedSpan {
            span_id: span_id.to_ascii_lowercase(),
            response_id,
        })
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit()) && s.bytes().any(|b| b != b'0')
}

fn hex_bytes(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks(2)
        .filter_map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

fn attribute(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
    }
}

fn text(key: &str, value: &str) -> KeyValue {
    attribute(key, any_value::Value::StringValue(value.to_owned()))
}

/// The result as OpenTelemetry `gen_ai.evaluation.result` events (log records), one per
/// [`evaluations`] entry, with `gen_ai.evaluation.name`, `gen_ai.evaluation.score.value`,
/// `gen_ai.evaluation.score.label`, `gen_ai.evaluation.explanation` and, when known,
/// `gen_ai.response.id`; parented to `span` (its trace and span ids) when it is known, else to
/// the trace. `None` when the result's trace id is not an OpenTelemetry one.
pub fn evaluation_events(
    result: &EvaluationResult,
    span: Option<&EvaluatedSpan>,
    now_unix_nanos: u64,
) -> Option<Vec<LogRecord>> {
    let trace_id = otel_trace_id(result.trace_id.as_deref()?)?;
    let events = evaluations(result)
        .into_iter()
        .map(|e| {
            let mut attributes = vec![
                text("gen_ai.evaluation.name", &e.name),
                attribute(
                    "gen_ai.evaluation.score.value",
                    any_value::Value::DoubleValue(e.score),
                ),
                text("gen_ai.evaluation.score.label", &e.label),
                text("gen_ai.evaluation.explanation", &e.explanation),
            ];
            if let Some(id) = span.and_then(|s| s.response_id.as_deref()) {
                attributes.push(text("gen_ai.response.id", id));
            }
            if let Some(domain) = &result.domain {
                attributes.push(text("aegis.domain", domain));
            }
            if let Some(tier) = result.decided_by {
                attributes.push(text("aegis.decided_by", tier.as_str()));
            }
            LogRecord {
                time_unix_nano: now_unix_nanos,
                observed_time_unix_nano: now_unix_nanos,
                // INFO: an evaluation is a finding, not a failure of the application.
                severity_number: 9,
                severity_text: "INFO".to_owned(),
                event_name: EVALUATION_EVENT.to_owned(),
                attributes,
                trace_id: hex_bytes(&trace_id),
                span_id: span.map_or_else(Vec::new, |s| hex_bytes(&s.span_id)),
                ..LogRecord::default()
            }
        })
        .collect();
    Some(events)
}

/// An OTLP logs export request of `records`, from the resource `service.name = aegis`.
pub fn logs_request(records: Vec<LogRecord>) -> ExportLogsServiceRequest {
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(Resource {
                attributes: vec![text("service.name", "aegis")],
                ..Resource::default()
            }),
            scope_logs: vec![ScopeLogs {
                scope: Some(InstrumentationScope {
                    name: "aegis".to_owned(),
                    version: env!("CARGO_PKG_VERSION").to_owned(),
                    ..InstrumentationScope::default()
                }),
                log_records: records,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

/// [`logs_request`] of `records`, encoded as the protobuf an OTLP/HTTP logs endpoint takes.
pub fn logs_body(records: Vec<LogRecord>) -> Vec<u8> {
    prost::Message::encode_to_vec(&logs_request(records))
}

/// The result as Langfuse scores (each a body for `POST /api/public/scores`), or `None` when
/// its trace id is not an OpenTelemetry one (Langfuse names a trace it took in over
/// OpenTelemetry by its OpenTelemetry id): each of [`evaluations`] as a numeric score with the
/// label and explanation as its comment. Each has an id made of the trace and the name, so
/// evaluating a trace again updates its scores rather than adding more.
pub fn langfuse_scores(result: &EvaluationResult) -> Option<Vec<Value>> {
    let trace_id = otel_trace_id(result.trace_id.as_deref()?)?;
    let scores = evaluations(result)
        .into_iter()
        .map(|e| {
            json!({
                "id": format!("{trace_id}-{}", e.name),
                "traceId": trace_id,
                "name": e.name,
                "value": e.score,
                "dataType": "NUMERIC",
                "comment": format!("{}: {}", e.label, e.explanation),
                "metadata": {
                    "domain": result.domain,
                    "decided_by": result.decided_by.map(Tier::as_str),
                },
            })
        })
        .collect();
    Some(scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aegis_core::Issue;

    fn result(trace_id: &str, verdict: Verdict, issues: Vec<Issue>) -> EvaluationResult {
        let mut r = EvaluationResult::error(None, Some(trace_id.to_owned()), "");
        r.domain = Some("healthcare".to_owned());
        r.verdict = verdict;
        r.decided_by = Some(Tier::Rules);
        r.issues = issues;
        r.error = None;
        r
    }

    fn issue(validator: &str, severity: Severity, message: &str) -> Issue {
        Issue {
            validator: validator.to_owned(),
            tier: Tier::Rules,
            severity,
            message: message.to_owned(),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn only_opentelemetry_trace_ids_are_exported() {
        assert_eq!(
            otel_trace_id("4BF92F3577B34DA6A3CE929D0E0E4736").as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(otel_trace_id("00000000000000000000000000000000"), None);
        assert_eq!(otel_trace_id("trace-1"), None);
        assert_eq!(otel_trace_id("4bf92f3577b34da6a3ce929d0e0e473g"), None);
        let r = result("hc-001", Verdict::Pass, Vec::new());
        assert!(phoenix_trace_annotations(&r).is_none());
    }

    #[test]
    fn a_result_is_its_verdict_and_one_annotation_per_validator() {
        let id = "4bf92f3577b34da6a3ce929d0e0e4736";
        let r = result(
            id,
            Verdict::Fail,
            vec![
                issue(
                    "dosage_limit",
                    Severity::Medium,
                    "400 mg is above the limit",
                ),
                issue("dosage_limit", Severity::High, "3,200 mg a day"),
                issue("phi_leak", Severity::Critical, "a name in the answer"),
            ],
        );
        let a = phoenix_trace_annotations(&r).unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a[0]["name"], "aegis");
        assert_eq!(a[0]["trace_id"], id);
        assert_eq!(a[0]["annotator_kind"], "CODE");
        assert_eq!(a[0]["result"]["label"], "fail");
        assert_eq!(a[0]["result"]["score"], 0.0);
        assert_eq!(a[0]["metadata"]["issues"].as_array().unwrap().len(), 3);
        assert_eq!(a[1]["name"], "aegis.dosage_limit");
        assert_eq!(a[1]["result"]["label"], "high");
        assert_eq!(
            a[1]["result"]["explanation"],
            "400 mg is above the limit\n3,200 mg a day"
        );
        assert_eq!(a[2]["name"], "aegis.phi_leak");
        assert_eq!(a[2]["result"]["label"], "critical");
        let pass = phoenix_trace_annotations(&result(id, Verdict::Pass, Vec::new())).unwrap();
        assert_eq!(pass.len(), 1);
        assert_eq!(pass[0]["result"]["score"], 1.0);
        assert_eq!(pass[0]["result"]["explanation"], "no issue found");
    }

    #[test]
    fn events_are_parented_to_the_evaluated_span_and_scores_carry_the_trace() {
        let id = "4bf92f3577b34da6a3ce929d0e0e4736";
        let r = result(
            id,
            Verdict::Fail,
            vec![issue("order_size_limit", Severity::High, "20000 shares")],
        );
        let span = EvaluatedSpan {
            span_id: "00f067aa0ba902b7".to_owned(),
            response_id: Some("chatcmpl-1".to_owned()),
        };
        let events = evaluation_events(&r, Some(&span), 7).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].event_name, "gen_ai.evaluation.result");
        assert_eq!(events[0].trace_id.len(), 16);
        assert_eq!(events[0].trace_id[0], 0x4b);
        assert_eq!(
            events[0].span_id,
            vec![0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]
        );
        let get = |e: &LogRecord, k: &str| {
            e.attributes
                .iter()
                .find(|a| a.key == k)
                .and_then(|a| a.value.clone())
                .and_then(|v| v.value)
        };
        assert_eq!(
            get(&events[1], "gen_ai.evaluation.name"),
            Some(any_value::Value::StringValue(
                "aegis.order_size_limit".into()
            ))
        );
        assert_eq!(
            get(&events[0], "gen_ai.evaluation.score.value"),
            Some(any_value::Value::DoubleValue(0.0))
        );
        assert_eq!(
            get(&events[0], "gen_ai.response.id"),
            Some(any_value::Value::StringValue("chatcmpl-1".into()))
        );
        // Without a known span: parented to the trace only.
        assert!(
            evaluation_events(&r, None, 7).unwrap()[0]
                .span_id
                .is_empty()
        );
        assert!(evaluation_events(&result("t-1", Verdict::Pass, vec![]), None, 7).is_none());

        let scores = langfuse_scores(&r).unwrap();
        assert_eq!(scores.len(), 2);
        assert_eq!(scores[0]["traceId"], id);
        assert_eq!(scores[0]["id"], format!("{id}-aegis"));
        assert_eq!(scores[1]["comment"], "high: 20000 shares");
        assert_eq!(scores[1]["dataType"], "NUMERIC");
    }

    #[test]
    fn the_evaluated_span_is_the_root_step() {
        let trace: Trace = serde_json::from_value(json!({
            "output": "x",
            "steps": [
                {"kind": "llm", "span_id": "1111111111111111", "parent_id": "00f067aa0ba902b7",
                 "attributes": {"gen_ai.response.id": "chatcmpl-9"}},
                {"kind": "agent", "span_id": "00F067AA0BA902B7"}
            ]
        }))
        .unwrap();
        let span = EvaluatedSpan::of(&trace).unwrap();
        assert_eq!(span.span_id, "00f067aa0ba902b7");
        assert_eq!(span.response_id.as_deref(), Some("chatcmpl-9"));
        assert!(EvaluatedSpan::of(&Trace::default()).is_none());
    }
}
