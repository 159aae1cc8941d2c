//! The mapping on real exports recorded from real instrumentations (`examples/otlp`, made by
//! `scripts/otlp/record.sh`; see its README for the packages and versions).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aegis_core::StepKind;
use aegis_otlp::{Assembled, Encoding, SpanRecord, assemble, decode, spans};

fn read(name: &str) -> Vec<SpanRecord> {
    let path = format!("{}/../examples/otlp/{name}", env!("CARGO_MANIFEST_DIR"));
    let enc = if name.ends_with(".json") {
        Encoding::Json
    } else {
        Encoding::Protobuf
    };
    let body = std::fs::read(&path).unwrap();
    spans(&decode(&body, enc).unwrap())
        .into_iter()
        .map(|s| s.unwrap())
        .collect()
}

fn traces(name: &str) -> Vec<Assembled> {
    assemble(read(name))
}

/// The two recorded chat calls: a dose question answered, and a call that asked for a tool.
fn two_chat_calls(name: &str) {
    let t = traces(name);
    assert_eq!(t.len(), 2, "{name}");
    for a in &t {
        assert!(a.has_root, "{name}");
        assert_eq!(a.trace.steps.len(), 1, "{name}");
        assert_eq!(a.trace.steps[0].kind, StepKind::Llm, "{name}");
        assert_eq!(
            a.trace.model.as_deref(),
            Some("gpt-4o-mini-2024-07-18"),
            "{name}"
        );
        assert_eq!(a.trace.id.as_deref(), Some(a.trace_id.as_str()));
        assert_eq!(a.trace_id.len(), 32);
        a.trace.check().unwrap();
    }
    let (answer, tool) = (&t[0].trace, &t[1].trace);
    assert!(
        answer.input.contains("amoxicillin"),
        "{name}: {}",
        answer.input
    );
    assert!(
        answer.output.contains("acute otitis media"),
        "{name}: {}",
        answer.output
    );
    assert!(tool.input.contains("lisinopril"), "{name}");
    // A call that only asked for a tool has no answer text (never the raw response).
    assert!(!tool.output.contains("choices"), "{name}: {}", tool.output);
    let call = &tool.steps[0].tool_calls[0];
    assert_eq!(call.name, "check_drug_interaction", "{name}");
    assert_eq!(call.arguments["drug_b"], "lisinopril", "{name}");
    // The conversation is kept, normalised, beside the text read from it.
    assert!(
        answer.steps[0].attributes.contains_key("messages.input"),
        "{name}"
    );
}

#[test]
fn genai_latest_conventions() {
    two_chat_calls("genai-openai-v2-latest.pb");
    let t = traces("genai-openai-v2-latest.pb");
    let attrs = &t[0].trace.steps[0].attributes;
    // Unknown attributes are kept as they came.
    assert_eq!(attrs["gen_ai.request.seed"], 7);
    assert!(attrs.contains_key("openai.response.system_fingerprint"));
    assert!(
        t[0].trace
            .metadata
            .tokens
            .is_some_and(|t| t.prompt > 0 && t.completion > 0)
    );
}

#[test]
fn openllmetry_indexed_attributes() {
    two_chat_calls("openllmetry-openai.pb");
}

#[test]
fn openinference_from_python_and_from_node_json() {
    two_chat_calls("openinference-openai.pb");
    two_chat_calls("openinference-openai-node.json");
}

#[test]
fn genai_without_content_capture_has_nothing_to_evaluate() {
    let t = traces("genai-openai-v2.pb");
    assert_eq!(t.len(), 2);
    for a in &t {
        assert!(a.trace.input.is_empty() && a.trace.output.is_empty());
        assert!(
            a.trace.check().is_err(),
            "no content: rejected, never a silent pass"
        );
        assert!(a.trace.model.is_some());
    }
}

#[test]
fn an_agent_run_is_one_trace_with_its_steps() {
    let t = traces("openinference-langchain-agent.pb");
    assert_eq!(t.len(), 1);
    let a = &t[0];
    assert!(a.has_root);
    assert_eq!(a.spans, 5);
    let kinds: Vec<StepKind> = a.trace.steps.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::Agent,
            StepKind::Llm,
            StepKind::Tool,
            StepKind::Retrieval,
            StepKind::Llm
        ]
    );
    let tool = &a.trace.steps[2];
    assert_eq!(tool.tool_calls.len(), 1);
    let order = &tool.tool_calls[0];
    assert_eq!(order.name, "place_order");
    assert_eq!(order.arguments["symbol"], "ACME");
    assert_eq!(order.arguments["quantity"], 100);
    assert!(!order.result.is_null(), "the tool's result is kept");
    // The model's request for the same tool is on its step.
    assert_eq!(a.trace.steps[1].tool_calls[0].name, "place_order");
    assert!(a.trace.input.starts_with("Buy 100 shares of ACME"));
    assert!(a.trace.output.starts_with("Done: order ORD-FIXTURE-0001"));
    assert_eq!(
        a.trace.context.len(),
        2,
        "retrieved documents are the context"
    );
    assert!(a.trace.metadata.tags.contains(&"trading".to_owned()));
    assert!(a.trace.extra.contains_key("session_id"));
    assert!(a.trace.extra.contains_key("user_id"));
    assert!(a.trace.metadata.application.is_some());
    // Every step but the root names its parent, which is a step of the trace.
    let ids: Vec<_> = a
        .trace
        .steps
        .iter()
        .filter_map(|s| s.span_id.clone())
        .collect();
    for s in &a.trace.steps[1..] {
        assert!(ids.contains(s.parent_id.as_ref().unwrap()));
    }
}

#[test]
fn a_run_split_across_requests_is_whole_only_with_its_root() {
    let first = traces("openinference-langchain-split-1.pb");
    assert_eq!(first.len(), 1);
    assert!(
        !first[0].has_root,
        "children only: not known to be complete"
    );
    let second = traces("openinference-langchain-split-2.pb");
    assert!(second[0].has_root);
    assert_eq!(first[0].trace_id, second[0].trace_id);
    let mut all = read("openinference-langchain-split-2.pb");
    all.extend(read("openinference-langchain-split-1.pb"));
    let whole = assemble(all);
    assert_eq!(whole.len(), 1);
    assert!(whole[0].has_root);
    assert_eq!(whole[0].spans, 5);
    // Steps are in the order they started, whatever the order they arrived in.
    assert_eq!(whole[0].trace.steps[0].kind, StepKind::Agent);
    assert_eq!(whole[0].trace.context.len(), 2);
}

#[test]
fn a_span_without_ids_is_named_not_dropped() {
    let mut req = decode(
        &std::fs::read(format!(
            "{}/../examples/otlp/openinference-openai.pb",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
        Encoding::Protobuf,
    )
    .unwrap();
    req.resource_spans[0].scope_spans[0].spans[1]
        .trace_id
        .clear();
    let read = spans(&req);
    assert_eq!(read.len(), 2);
    let e = read[1].as_ref().unwrap_err();
    assert!(
        e.contains("resource_spans[0].scope_spans[0].spans[1]"),
        "{e}"
    );
    assert!(e.contains("trace_id"), "{e}");
}
