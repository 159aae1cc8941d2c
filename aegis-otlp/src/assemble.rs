//! A trace's spans into one Aegis trace.

use std::collections::BTreeMap;

use aegis_core::{StepKind, TokenCounts, Trace};
use serde_json::Value;

use crate::SpanRecord;

/// One trace's spans, assembled.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembled {
    /// The OpenTelemetry trace id (hex): the Aegis trace's id.
    pub trace_id: String,
    /// Whether the trace's root span (the one without a parent) is among the spans: only then
    /// is the trace known to be complete.
    pub has_root: bool,
    /// How many spans went into it.
    pub spans: usize,
    /// The domain a span or its resource named.
    pub domain: Option<String>,
    /// The trace: input and output (the root's, else the first model call's question and the
    /// last one's answer), the model, retrieved documents as `context`, every span a step in
    /// the order it started, the application, tags and token counts.
    pub trace: Trace,
}

/// Groups spans by trace (in the order each trace first appears) and assembles each.
pub fn assemble(spans: Vec<SpanRecord>) -> Vec<Assembled> {
    let mut order: Vec<String> = Vec::new();
    let mut by_trace: BTreeMap<String, Vec<SpanRecord>> = BTreeMap::new();
    for s in spans {
        if !by_trace.contains_key(&s.trace_id) {
            order.push(s.trace_id.clone());
        }
        by_trace.entry(s.trace_id.clone()).or_default().push(s);
    }
    order
        .into_iter()
        .filter_map(|id| by_trace.remove(&id).map(|spans| one(id, spans)))
        .collect()
}

fn one(trace_id: String, mut spans: Vec<SpanRecord>) -> Assembled {
    spans.sort_by_key(|s| {
        (
            s.step.started_at_ns.unwrap_or(0),
            s.step.ended_at_ns.unwrap_or(0),
        )
    });
    let root = spans.iter().position(|s| s.step.parent_id.is_none());
    let has_root = root.is_some();
    // Without its root, the outermost span here stands for it.
    let top = root.or_else(|| {
        let ids: Vec<&str> = spans
            .iter()
            .filter_map(|s| s.step.span_id.as_deref())
            .collect();
        spans.iter().position(|s| {
            s.step
                .parent_id
                .as_deref()
                .is_none_or(|p| !ids.contains(&p))
        })
    });
    let steps: Vec<_> = spans.iter().map(|s| s.step.clone()).collect();
    let llm: Vec<_> = steps.iter().filter(|s| s.kind == StepKind::Llm).collect();
    let top_step = top.map(|i| &spans[i].step);
    let groups = |s: &&aegis_core::AgentStep| s.kind != StepKind::Llm;
    let input = top_step
        .filter(groups)
        .map(|s| s.input.clone())
        .filter(|t| !t.is_empty())
        .or_else(|| llm.iter().map(|s| s.input.clone()).find(|t| !t.is_empty()))
        .or_else(|| top_step.map(|s| s.input.clone()))
        .unwrap_or_default();
    let output = top_step
        .filter(groups)
        .map(|s| s.output.clone())
        .filter(|t| !t.is_empty())
        .or_else(|| {
            llm.iter()
                .rev()
                .map(|s| s.output.clone())
                .find(|t| !t.is_empty())
        })
        .or_else(|| top_step.map(|s| s.output.clone()))
        .unwrap_or_default();
    let model = llm.iter().find_map(|s| s.model.clone());
    let context: Vec<String> = steps
        .iter()
        .filter(|s| s.kind == StepKind::Retrieval)
        .flat_map(|s| s.documents.iter().cloned())
        .collect();
    let mut tags: Vec<String> = Vec::new();
    for t in spans.iter().flat_map(|s| s.tags.iter()) {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    let tokens = spans
        .iter()
        .filter(|s| s.step.kind == StepKind::Llm)
        .filter_map(|s| s.tokens)
        .reduce(|a, b| TokenCounts {
            prompt: a.prompt + b.prompt,
            completion: a.completion + b.completion,
        });
    let latency_ms = top_step.and_then(|s| match (s.started_at_ns, s.ended_at_ns) {
        (Some(a), Some(b)) if b >= a => Some((b - a) as f64 / 1e6),
        _ => None,
    });
    let first = |f: fn(&SpanRecord) -> Option<&String>| spans.iter().find_map(f).cloned();
    let mut extra = BTreeMap::new();
    if let Some(s) = first(|s| s.session_id.as_ref()) {
        extra.insert("session_id".to_owned(), Value::String(s));
    }
    if let Some(u) = first(|s| s.user_id.as_ref()) {
        extra.insert("user_id".to_owned(), Value::String(u));
    }
    if let Some(m) = spans.iter().find_map(|s| s.metadata.clone()) {
        extra.insert("app_metadata".to_owned(), m);
    }
    if let Some(r) = spans.iter().map(|s| &s.resource).find(|r| !r.is_empty()) {
        extra.insert(
            "otel_resource".to_owned(),
            Value::Object(r.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        );
    }
    let mut trace = Trace {
        id: Some(trace_id.clone()),
        model,
        input,
        output,
        context,
        steps,
        extra,
        ..Trace::default()
    };
    trace.metadata.application = first(|s| s.application.as_ref());
    trace.metadata.tags = tags;
    trace.metadata.tokens = tokens;
    trace.metadata.latency_ms = latency_ms;
    Assembled {
        trace_id,
        has_root,
        spans: spans.len(),
        domain: first(|s| s.domain.as_ref()),
        trace,
    }
}
