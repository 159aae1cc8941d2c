//! One span read in the vocabulary of its instrumentation: GenAI (current, OpenLLMetry's
//! indexed attributes, the older span events) or OpenInference.

use std::collections::BTreeMap;

use aegis_core::{AgentStep, StepKind, TokenCounts, ToolCall};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::Value;

use crate::attributes::{Attrs, hex, parsed, text};

/// A span as Aegis reads it: the step it was, and what it says of its trace.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanRecord {
    /// Its trace's id, lowercase hex (32 digits).
    pub trace_id: String,
    /// The domain it names (`aegis.domain` on the span, else on its resource).
    pub domain: Option<String>,
    /// The application: the resource's `service.name`.
    pub application: Option<String>,
    /// `session.id` (OpenInference) or `gen_ai.conversation.id`.
    pub session_id: Option<String>,
    /// `user.id`.
    pub user_id: Option<String>,
    /// `tag.tags`.
    pub tags: Vec<String>,
    /// OpenInference's `metadata` (a JSON object, parsed).
    pub metadata: Option<Value>,
    /// Tokens of a model call.
    pub tokens: Option<TokenCounts>,
    /// The step: kind, name, model, input, output, tool calls, documents, ids, times, and every
    /// attribute not read above.
    pub step: AgentStep,
    /// The resource's attributes other than `service.name` and `aegis.domain`.
    pub resource: BTreeMap<String, Value>,
}

/// Every span of a request, read; a span that cannot be used (no valid trace or span id) is
/// an error naming it by position (`resource_spans[i].scope_spans[j].spans[k]`).
pub fn spans(request: &ExportTraceServiceRequest) -> Vec<Result<SpanRecord, String>> {
    let mut out = Vec::new();
    for (i, rs) in request.resource_spans.iter().enumerate() {
        let mut resource = Attrs::of(
            rs.resource
                .as_ref()
                .map_or(&[][..], |r| r.attributes.as_slice()),
        );
        let application = resource.take_str("service.name");
        let resource_domain = resource.take_str("aegis.domain");
        for (j, ss) in rs.scope_spans.iter().enumerate() {
            for (k, span) in ss.spans.iter().enumerate() {
                let at = format!("resource_spans[{i}].scope_spans[{j}].spans[{k}]");
                if span.trace_id.len() != 16 || span.trace_id.iter().all(|b| *b == 0) {
                    out.push(Err(format!(
                        "{at}: the span has no valid trace_id (16 bytes)"
                    )));
                    continue;
                }
                if span.span_id.len() != 8 {
                    out.push(Err(format!(
                        "{at}: the span has no valid span_id (8 bytes)"
                    )));
                    continue;
                }
                let mut record = read(span);
                record.application = application.clone();
                record.domain = record.domain.or_else(|| resource_domain.clone());
                record.resource = resource.0.clone();
                out.push(Ok(record));
            }
        }
    }
    out
}

/// A chat message in either convention.
#[derive(Debug, Default)]
struct Message {
    role: String,
    content: String,
    tool_calls: Vec<ToolCall>,
}

fn read(span: &Span) -> SpanRecord {
    let mut a = Attrs::of(&span.attributes);
    let kind = kind(&mut a);
    let model = a
        .take_str("gen_ai.response.model")
        .into_iter()
        .chain(a.take_str("gen_ai.request.model"))
        .chain(a.take_str("llm.model_name"))
        .next();
    let domain = a.take_str("aegis.domain");
    let prompt = a
        .take_u64("gen_ai.usage.input_tokens")
        .or_else(|| a.take_u64("gen_ai.usage.prompt_tokens"))
        .or_else(|| a.take_u64("llm.token_count.prompt"));
    let completion = a
        .take_u64("gen_ai.usage.output_tokens")
        .or_else(|| a.take_u64("gen_ai.usage.completion_tokens"))
        .or_else(|| a.take_u64("llm.token_count.completion"));
    let tokens = (prompt.is_some() || completion.is_some()).then(|| TokenCounts {
        prompt: prompt.unwrap_or(0),
        completion: completion.unwrap_or(0),
    });

    // Messages: OpenInference's indexed lists, GenAI's structured lists, OpenLLMetry's
    // indexed prompt and completion, and the older span events, in that order of preference.
    let mut input_messages = openinference_messages(&mut a, "llm.input_messages");
    let mut output_messages = openinference_messages(&mut a, "llm.output_messages");
    if let Some(system) = a.take("gen_ai.system_instructions") {
        input_messages.push(Message {
            role: "system".into(),
            content: parts_text(&parsed(system)),
            tool_calls: Vec::new(),
        });
    }
    if let Some(v) = a.take("gen_ai.input.messages") {
        input_messages.extend(genai_messages(&parsed(v)));
    }
    if let Some(v) = a.take("gen_ai.output.messages") {
        output_messages.extend(genai_messages(&parsed(v)));
    }
    input_messages.extend(indexed_messages(&mut a, "gen_ai.prompt"));
    output_messages.extend(indexed_messages(&mut a, "gen_ai.completion"));
    for event in &span.events {
        let mut e = Attrs::of(&event.attributes);
        match event.name.as_str() {
            "gen_ai.content.prompt" => {
                if let Some(p) = e.take("gen_ai.prompt") {
                    input_messages.extend(legacy_messages(&parsed(p), "user"));
                }
            }
            "gen_ai.content.completion" => {
                if let Some(c) = e.take("gen_ai.completion") {
                    output_messages.extend(legacy_messages(&parsed(c), "assistant"));
                }
            }
            "gen_ai.system.message"
            | "gen_ai.user.message"
            | "gen_ai.assistant.message"
            | "gen_ai.tool.message" => input_messages.push(Message {
                role: event.name["gen_ai.".len()..event.name.len() - ".message".len()].into(),
                content: e.take("content").map(|c| text(&c)).unwrap_or_default(),
                tool_calls: Vec::new(),
            }),
            "gen_ai.choice" => {
                if let Some(m) = e.take("message") {
                    output_messages.extend(genai_messages(&Value::Array(vec![parsed(m)])));
                }
            }
            _ => {}
        }
    }

    let input_value = a.take("input.value").map(parsed);
    let output_value = a.take("output.value").map(parsed);
    a.take("input.mime_type");
    a.take("output.mime_type");

    // A tool's own span: its name, arguments and result.
    let mut tool_calls = Vec::new();
    if kind == StepKind::Tool {
        let name = a
            .take_str("gen_ai.tool.name")
            .or_else(|| a.take_str("tool.name"))
            .unwrap_or_else(|| span.name.clone());
        let arguments = a
            .take("gen_ai.tool.call.arguments")
            .map(parsed)
            .or_else(|| a.take("tool.parameters").map(parsed))
            .or_else(|| input_value.clone())
            .unwrap_or(Value::Null);
        let result = a
            .take("gen_ai.tool.call.result")
            .map(parsed)
            .or_else(|| output_value.clone())
            .unwrap_or(Value::Null);
        tool_calls.push(ToolCall {
            name,
            arguments,
            result,
            id: a
                .take_str("gen_ai.tool.call.id")
                .or_else(|| a.take_str("tool_call.id")),
        });
    }
    tool_calls.extend(
        output_messages
            .iter_mut()
            .flat_map(|m| std::mem::take(&mut m.tool_calls)),
    );

    let documents: Vec<String> = a
        .take_indexed("retrieval.documents")
        .into_values()
        .filter_map(|mut d| d.remove("document.content").map(|c| text(&c)))
        .collect();

    let last_user = input_messages
        .iter()
        .rev()
        .find(|m| m.role == "user" && !m.content.is_empty())
        .map(|m| m.content.clone());
    let answer = output_messages
        .iter()
        .map(|m| m.content.as_str())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let input = last_user
        .or_else(|| input_value.as_ref().map(text))
        .unwrap_or_default();
    // A model call's answer is its output messages' text, even when empty (a call that only
    // asked for a tool): `output.value` then holds the provider's raw response, not an answer.
    let output = if output_messages.is_empty() {
        output_value.as_ref().map(text).unwrap_or_default()
    } else {
        answer
    };
    // The whole conversation is kept, normalised, beside the text read from it.
    if !input_messages.is_empty() {
        a.0.insert("messages.input".into(), messages_json(&input_messages));
    }
    if !output_messages.is_empty() {
        a.0.insert("messages.output".into(), messages_json(&output_messages));
    }
    let session_id = a
        .take_str("session.id")
        .or_else(|| a.take_str("gen_ai.conversation.id"));
    let user_id = a.take_str("user.id");
    let tags = match a.take("tag.tags") {
        Some(Value::Array(v)) => v.iter().map(text).collect(),
        Some(Value::String(s)) => vec![s],
        _ => Vec::new(),
    };
    let metadata = a.take("metadata").map(parsed);

    SpanRecord {
        trace_id: hex(&span.trace_id),
        domain,
        application: None,
        session_id,
        user_id,
        tags,
        metadata,
        tokens,
        step: AgentStep {
            kind,
            name: span.name.clone(),
            model,
            input,
            output,
            tool_calls,
            documents,
            span_id: Some(hex(&span.span_id)),
            parent_id: (!span.parent_span_id.is_empty()).then(|| hex(&span.parent_span_id)),
            started_at_ns: (span.start_time_unix_nano > 0).then_some(span.start_time_unix_nano),
            ended_at_ns: (span.end_time_unix_nano > 0).then_some(span.end_time_unix_nano),
            attributes: a.0,
        },
        resource: BTreeMap::new(),
    }
}

/// The step's kind: OpenInference's span kind, else GenAI's operation, else OpenLLMetry's
/// request type or span kind; a span with any `gen_ai.` attribute is a model call.
fn kind(a: &mut Attrs) -> StepKind {
    if let Some(k) = a.take_str("openinference.span.kind") {
        return match k.to_ascii_uppercase().as_str() {
            "LLM" => StepKind::Llm,
            "TOOL" => StepKind::Tool,
            "RETRIEVER" | "RERANKER" => StepKind::Retrieval,
            "EMBEDDING" => StepKind::Embedding,
            "AGENT" => StepKind::Agent,
            "CHAIN" => StepKind::Chain,
            _ => StepKind::Other,
        };
    }
    if let Some(op) = a.peek_str("gen_ai.operation.name") {
        return match op {
            "chat" | "text_completion" | "generate_content" | "completion" => StepKind::Llm,
            "execute_tool" => StepKind::Tool,
            "invoke_agent" | "create_agent" => StepKind::Agent,
            "embeddings" => StepKind::Embedding,
            _ => StepKind::Other,
        };
    }
    match a.peek_str("traceloop.span.kind") {
        Some("workflow") | Some("task") => return StepKind::Chain,
        Some("agent") => return StepKind::Agent,
        Some("tool") => return StepKind::Tool,
        _ => {}
    }
    if a.0
        .keys()
        .any(|k| k.starts_with("gen_ai.") || k.starts_with("llm."))
    {
        StepKind::Llm
    } else {
        StepKind::Other
    }
}

/// `llm.input_messages.N.message.*` (OpenInference).
fn openinference_messages(a: &mut Attrs, prefix: &str) -> Vec<Message> {
    a.take_indexed(prefix)
        .into_values()
        .map(|mut m| {
            let role = m
                .remove("message.role")
                .map(|v| text(&v))
                .unwrap_or_default();
            let mut content = m
                .remove("message.content")
                .map(|v| text(&v))
                .unwrap_or_default();
            // Multi-part contents: message.contents.N.message_content.text.
            let mut parts: BTreeMap<usize, String> = BTreeMap::new();
            let mut calls: BTreeMap<usize, ToolCall> = BTreeMap::new();
            for (k, v) in m {
                let mut seg = k.split('.');
                match (seg.next(), seg.next(), seg.next()) {
                    (Some("message"), Some("contents"), Some(n)) if k.ends_with(".text") => {
                        if let Ok(n) = n.parse() {
                            parts.insert(n, text(&v));
                        }
                    }
                    (Some("message"), Some("tool_calls"), Some(n)) => {
                        let Ok(n) = n.parse() else { continue };
                        let call = calls.entry(n).or_default();
                        if k.ends_with("function.name") {
                            call.name = text(&v);
                        } else if k.ends_with("function.arguments") {
                            call.arguments = parsed(v);
                        } else if k.ends_with("tool_call.id") {
                            call.id = Some(text(&v));
                        }
                    }
                    _ => {}
                }
            }
            if content.is_empty() && !parts.is_empty() {
                content = parts.into_values().collect::<Vec<_>>().join("\n");
            }
            Message {
                role,
                content,
                tool_calls: calls.into_values().collect(),
            }
        })
        .collect()
}

/// `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` (OpenLLMetry).
fn indexed_messages(a: &mut Attrs, prefix: &str) -> Vec<Message> {
    a.take_indexed(prefix)
        .into_values()
        .map(|mut m| {
            let mut calls: BTreeMap<usize, ToolCall> = BTreeMap::new();
            for (k, v) in &m {
                let mut seg = k.split('.');
                if let (Some("tool_calls"), Some(n), Some(field)) =
                    (seg.next(), seg.next(), seg.next())
                {
                    let Ok(n) = n.parse() else { continue };
                    let call = calls.entry(n).or_default();
                    match field {
                        "name" => call.name = text(v),
                        "arguments" => call.arguments = parsed(v.clone()),
                        "id" => call.id = Some(text(v)),
                        _ => {}
                    }
                }
            }
            Message {
                role: m.remove("role").map(|v| text(&v)).unwrap_or_default(),
                content: m.remove("content").map(|v| text(&v)).unwrap_or_default(),
                tool_calls: calls.into_values().collect(),
            }
        })
        .collect()
}

/// GenAI's structured messages: `[{role, parts: [{type, content | name, arguments, id}]}]`,
/// or the flat `[{role, content, tool_calls}]` form.
fn genai_messages(v: &Value) -> Vec<Message> {
    let Value::Array(items) = v else {
        return match v {
            Value::String(s) if !s.is_empty() => vec![Message {
                role: "user".into(),
                content: s.clone(),
                tool_calls: Vec::new(),
            }],
            _ => Vec::new(),
        };
    };
    items
        .iter()
        .map(|m| {
            let role = m.get("role").map(text).unwrap_or_default();
            let mut tool_calls = Vec::new();
            let content = match (m.get("parts"), m.get("content")) {
                (Some(parts), _) => {
                    if let Value::Array(ps) = parts {
                        for p in ps {
                            if p.get("type").and_then(Value::as_str) == Some("tool_call") {
                                tool_calls.push(ToolCall {
                                    name: p.get("name").map(text).unwrap_or_default(),
                                    arguments: p
                                        .get("arguments")
                                        .cloned()
                                        .map_or(Value::Null, parsed),
                                    result: Value::Null,
                                    id: p.get("id").map(text),
                                });
                            }
                        }
                    }
                    parts_text(parts)
                }
                (None, Some(c)) => text(c),
                (None, None) => String::new(),
            };
            if let Some(Value::Array(calls)) = m.get("tool_calls") {
                for c in calls {
                    let f = c.get("function").unwrap_or(c);
                    tool_calls.push(ToolCall {
                        name: f.get("name").map(text).unwrap_or_default(),
                        arguments: f.get("arguments").cloned().map_or(Value::Null, parsed),
                        result: Value::Null,
                        id: c.get("id").map(text),
                    });
                }
            }
            Message {
                role,
                content,
                tool_calls,
            }
        })
        .collect()
}

/// The text parts of a GenAI parts list (or a plain string).
fn parts_text(parts: &Value) -> String {
    match parts {
        Value::Array(ps) => ps
            .iter()
            .filter(|p| matches!(p.get("type").and_then(Value::as_str), None | Some("text")))
            .filter_map(|p| p.get("content").or_else(|| p.get("text")).map(text))
            .collect::<Vec<_>>()
            .join("\n"),
        other => text(other),
    }
}

/// The older `gen_ai.prompt` / `gen_ai.completion` event attribute: a JSON list of messages
/// or plain text.
fn legacy_messages(v: &Value, role: &str) -> Vec<Message> {
    match v {
        Value::Array(_) => genai_messages(v),
        other => vec![Message {
            role: role.into(),
            content: text(other),
            tool_calls: Vec::new(),
        }],
    }
}

fn messages_json(ms: &[Message]) -> Value {
    Value::Array(
        ms.iter()
            .map(|m| {
                let mut o = serde_json::Map::new();
                o.insert("role".into(), Value::String(m.role.clone()));
                o.insert("content".into(), Value::String(m.content.clone()));
                Value::Object(o)
            })
            .collect(),
    )
}
