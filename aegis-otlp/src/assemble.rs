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
    let has_root = spans.iter().any(|s| s.step.parent_id.is_none());
    let steps: Vec<_> = spans.iter().map(|s| s.step.clone()).collect();
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
        steps,
        extra,
        ..Trace::default()
    };
    trace.metadata.application = first(|s| s.application.as_ref());
    trace.metadata.tags = tags;
    trace.metadata.tokens = tokens;
    derive(&mut trace);
    Assembled {
        trace_id,
        has_root,
        spans: spans.len(),
        domain: first(|s| s.domain.as_ref()),
        trace,
    }
}

/// One trace from parts of it assembled from different requests ([`assemble`] on each): the
/// steps of all, in the order they started; tags of all; token counts added; the first part's
/// application and kept fields; and what follows from the steps derived again.
pub fn merge(parts: Vec<Trace>) -> Trace {
    let mut parts = parts.into_iter();
    let mut trace = parts.next().unwrap_or_default();
    for p in parts {
        trace.steps.extend(p.steps);
        for t in p.metadata.tags {
            if !trace.metadata.tags.contains(&t) {
                trace.metadata.tags.push(t);
            }
        }
        trace.metadata.tokens = match (trace.metadata.tokens, p.metadata.tokens) {
            (Some(a), Some(b)) => Some(TokenCounts {
                prompt: a.prompt + b.prompt,
                completion: a.completion + b.completion,
            }),
            (a, b) => a.or(b),
        };
        if trace.metadata.application.is_none() {
            trace.metadata.application = p.metadata.application;
        }
        if trace.metadata.domain.is_none() {
            trace.metadata.domain = p.metadata.domain;
        }
        for (k, v) in p.extra {
            trace.extra.entry(k).or_insert(v);
        }
    }
    trace
        .steps
        .sort_by_key(|s| (s.started_at_ns.unwrap_or(0), s.ended_at_ns.unwrap_or(0)));
    derive(&mut trace);
    trace
}

/// What a trace's steps say of it: input and output (the root's, or, for a root that is a
/// model call or absent, the first model call's question and the last one's answer), the
/// model, the retrieved documents as `context`, and the root's duration.
fn derive(trace: &mut Trace) {
    let steps = &trace.steps;
    let ids: Vec<&str> = steps.iter().filter_map(|s| s.span_id.as_deref()).collect();
    // The root, else the outermost step here stands for it.
    let top = steps.iter().find(|s| s.parent_id.is_none()).or_else(|| {
        steps
            .iter()
            .find(|s| s.parent_id.as_deref().is_none_or(|p| !ids.contains(&p)))
    });
    let llm: Vec<_> = steps.iter().filter(|s| s.kind == StepKind::Llm).collect();
    let groups = |s: &&aegis_core::AgentStep| s.kind != StepKind::Llm;
    let input = top
        .filter(groups)
        .map(|s| s.input.clone())
        .filter(|t| !t.is_empty())
        .or_else(|| llm.iter().map(|s| s.input.clone()).find(|t| !t.is_empty()))
        .or_else(|| top.map(|s| s.input.clone()))
        .unwrap_or_default();
    let output = top
        .filter(groups)
        .map(|s| s.output.clone())
        .filter(|t| !t.is_empty())
        .or_else(|| {
            llm.iter()
                .rev()
                .map(|s| s.output.clone())
                .find(|t| !t.is_empty())
        })
        .or_else(|| top.map(|s| s.output.clone()))
        .unwrap_or_default();
    let model = llm.iter().find_map(|s| s.model.clone());
    let context: Vec<String> = steps
        .iter()
        .filter(|s| s.kind == StepKind::Retrieval)
        .flat_map(|s| s.documents.iter().cloned())
        .collect();
    let latency_ms = top.and_then(|s| match (s.started_at_ns, s.ended_at_ns) {
        (Some(a), Some(b)) if b >= a => Some((b - a) as f64 / 1e6),
        _ => None,
    });
    trace.input = input;
    trace.output = output;
    trace.model = model;
    trace.context = context;
    trace.metadata.latency_ms = latency_ms;
}
