//! The providers' wire formats: the request body each expects and what its answer means.

use serde_json::{Value, json};

use crate::config::{JudgeSettings, ProviderKind};

/// How the answer's JSON is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AnswerMode {
    /// `response_format: {type: json_schema, json_schema: {strict: true, schema}}`.
    JsonSchema,
    /// `response_format: {type: json_object, schema}` (llama.cpp honours the schema; others
    /// ignore it but still return JSON).
    JsonObject,
    /// No `response_format`: the schema is in the instructions and the answer is parsed
    /// strictly.
    PromptOnly,
}

impl AnswerMode {
    /// The mode's name, for results and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerMode::JsonSchema => "json_schema",
            AnswerMode::JsonObject => "json_object",
            AnswerMode::PromptOnly => "prompt_only",
        }
    }

    /// The next, less demanding mode.
    pub fn fallback(self) -> Option<AnswerMode> {
        match self {
            AnswerMode::JsonSchema => Some(AnswerMode::JsonObject),
            AnswerMode::JsonObject => Some(AnswerMode::PromptOnly),
            AnswerMode::PromptOnly => None,
        }
    }

    /// The mode a provider starts with.
    pub fn first_for(provider: ProviderKind) -> AnswerMode {
        match provider {
            // Anthropic's Messages API takes no response format: the schema is in the system
            // prompt.
            ProviderKind::Anthropic => AnswerMode::PromptOnly,
            _ => AnswerMode::JsonSchema,
        }
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `user` or `assistant`.
    pub role: &'static str,
    /// Its text.
    pub content: String,
}

/// What a provider answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The answer's text, if any.
    pub text: Option<String>,
    /// The model refused (OpenAI's `refusal`, Anthropic's `stop_reason: refusal`).
    pub refused: bool,
    /// The answer was cut off at the token limit.
    pub truncated: bool,
    /// Input tokens billed (`None` when the provider did not say).
    pub input_tokens: Option<u64>,
    /// Output tokens billed.
    pub output_tokens: Option<u64>,
}

/// The URL a request goes to.
pub fn url(s: &JudgeSettings) -> String {
    match s.provider {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => {
            format!("{}/chat/completions", s.base_url)
        }
        ProviderKind::Anthropic => format!("{}/messages", s.base_url),
        ProviderKind::Azure => format!(
            "{}/openai/deployments/{}/chat/completions?api-version={}",
            s.base_url, s.model, s.api_version
        ),
    }
}

/// The request's headers (besides `content-type`).
pub fn headers(s: &JudgeSettings) -> Vec<(&'static str, String)> {
    let key = s.api_key.as_ref().map(|k| k.0.clone());
    match s.provider {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => key
            .map(|k| vec![("authorization", format!("Bearer {k}"))])
            .unwrap_or_default(),
        ProviderKind::Azure => key.map(|k| vec![("api-key", k)]).unwrap_or_default(),
        ProviderKind::Anthropic => {
            let mut h = vec![("anthropic-version", "2023-06-01".to_owned())];
            if let Some(k) = key {
                h.push(("x-api-key", k));
            }
            h
        }
    }
}

/// The request body.
pub fn body(
    s: &JudgeSettings,
    mode: AnswerMode,
    name: &str,
    system: &str,
    messages: &[Message],
    schema: &Value,
) -> Value {
    let turns: Vec<Value> = messages
        .iter()
        .map(|m| json!({ "role": m.role, "content": m.content }))
        .collect();
    match s.provider {
        ProviderKind::Anthropic => json!({
            "model": s.model,
            "max_tokens": s.max_output_tokens,
            "temperature": 0,
            "system": system,
            "messages": turns,
        }),
        provider => {
            let mut all = vec![json!({ "role": "system", "content": system })];
            all.extend(turns);
            let mut b = json!({
                "model": s.model,
                "messages": all,
                "temperature": 0,
            });
            // OpenAI's own API counts `max_completion_tokens`; compatible servers know
            // `max_tokens`.
            let limit = if provider == ProviderKind::OpenAiCompatible {
                "max_tokens"
            } else {
                "max_completion_tokens"
            };
            b[limit] = json!(s.max_output_tokens);
            match mode {
                AnswerMode::JsonSchema => {
                    b["response_format"] = json!({
                        "type": "json_schema",
                        "json_schema": { "name": name, "strict": true, "schema": schema },
                    });
                }
                AnswerMode::JsonObject => {
                    b["response_format"] = json!({ "type": "json_object", "schema": schema });
                }
                AnswerMode::PromptOnly => {}
            }
            b
        }
    }
}

/// Reads a successful (HTTP 200) response body.
pub fn parse(provider: ProviderKind, body: &Value) -> Result<Completion, String> {
    match provider {
        ProviderKind::Anthropic => {
            if body.get("type").and_then(Value::as_str) != Some("message") {
                return Err("no `type: message`".to_owned());
            }
            let content = body
                .get("content")
                .and_then(Value::as_array)
                .ok_or("no `content` list")?;
            let text: String = content
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect();
            let stop = body.get("stop_reason").and_then(Value::as_str);
            let usage = body.get("usage");
            let tokens = |k: &str| usage.and_then(|u| u.get(k)).and_then(Value::as_u64);
            // Cache writes and reads are input tokens too (billed at input price here).
            let input = tokens("input_tokens").map(|i| {
                i + tokens("cache_creation_input_tokens").unwrap_or(0)
                    + tokens("cache_read_input_tokens").unwrap_or(0)
            });
            Ok(Completion {
                text: (!text.is_empty()).then_some(text),
                refused: stop == Some("refusal"),
                truncated: matches!(stop, Some("max_tokens" | "model_context_window_exceeded")),
                input_tokens: input,
                output_tokens: tokens("output_tokens"),
            })
        }
        _ => {
            let choice = body
                .get("choices")
                .and_then(Value::as_array)
                .and_then(|c| c.first())
                .ok_or("no `choices`")?;
            let message = choice.get("message").ok_or("no `choices[0].message`")?;
            let refusal = message
                .get("refusal")
                .and_then(Value::as_str)
                .is_some_and(|r| !r.is_empty());
            let finish = choice.get("finish_reason").and_then(Value::as_str);
            let usage = body.get("usage");
            let tokens = |k: &str| usage.and_then(|u| u.get(k)).and_then(Value::as_u64);
            Ok(Completion {
                text: message
                    .get("content")
                    .and_then(Value::as_str)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
                refused: refusal || finish == Some("content_filter"),
                truncated: finish == Some("length"),
                input_tokens: tokens("prompt_tokens"),
                output_tokens: tokens("completion_tokens"),
            })
        }
    }
}

/// The provider's error type and message from an error body, shortened; never more than 200
/// characters.
pub fn error_summary(body: &str) -> String {
    let v: Option<Value> = serde_json::from_str(body).ok();
    let e = v.as_ref().and_then(|v| v.get("error"));
    let pick = |k: &str| {
        e.and_then(|e| e.get(k)).and_then(|x| match x {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let summary = match (pick("type").or_else(|| pick("code")), pick("message")) {
        (Some(t), Some(m)) => format!("{t}: {m}"),
        (None, Some(m)) => m,
        (Some(t), None) => t,
        // Not a provider error object: the body may echo the request, so it is not repeated.
        (None, None) => "(no error message)".to_owned(),
    };
    let mut s: String = summary.chars().take(200).collect();
    if summary.chars().count() > 200 {
        s.push('…');
    }
    s
}

/// Whether an error answer says the request's `response_format` is not supported (llama.cpp
/// answers `json_schema` with a 500 whose message names `response_format`).
pub fn rejects_answer_mode(status: u16, body: &str) -> bool {
    if !matches!(status, 400 | 422 | 500 | 501) {
        return false;
    }
    // Only the error's own message, code and parameter: a validation error that echoes the
    // request would always mention `response_format`.
    let v: Option<Value> = serde_json::from_str(body).ok();
    let e = v.as_ref().and_then(|v| v.get("error"));
    let said: String = ["message", "param", "code", "type"]
        .iter()
        .filter_map(|k| e.and_then(|e| e.get(*k)).and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    [
        "response_format",
        "json_schema",
        "json_object",
        "structured output",
    ]
    .iter()
    .any(|k| said.contains(k))
}

/// Whether an error answer means "out of money" rather than "slow down" (not worth retrying).
pub fn is_quota_error(body: &str) -> bool {
    body.contains("insufficient_quota")
}

/// The JSON object in an answer: the whole text, or the text inside one Markdown code fence.
/// Nothing else is accepted (no prose around it, no second object).
pub fn answer_json(text: &str) -> Result<Value, String> {
    let t = text.trim();
    let inner = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .and_then(|r| r.strip_suffix("```"))
        .map(str::trim)
        .unwrap_or(t);
    serde_json::from_str::<Value>(inner)
        .map_err(|e| format!("the answer is not one JSON object ({e})"))
        .and_then(|v| {
            if v.is_object() {
                Ok(v)
            } else {
                Err("the answer is JSON but not an object".to_owned())
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_strictly() {
        assert!(answer_json("{\"verdict\":\"pass\"}").is_ok());
        assert!(answer_json("```json\n{\"verdict\":\"pass\"}\n```").is_ok());
        assert!(answer_json("Sure! {\"verdict\":\"pass\"}").is_err());
        assert!(answer_json("{\"verdict\":\"pass\"} {\"verdict\":\"fail\"}").is_err());
        assert!(answer_json("[1]").is_err());
    }

    #[test]
    fn llama_cpp_rejection_is_detected() {
        let body = r#"{"error":{"code":500,"message":"response_format type must be one of \"text\" or \"json_object\", but got: json_schema","type":"server_error"}}"#;
        assert!(rejects_answer_mode(500, body));
        assert!(!rejects_answer_mode(
            500,
            r#"{"error":{"message":"internal","type":"server_error"}}"#
        ));
        assert!(!rejects_answer_mode(429, body));
        // A validation error that echoes the request is not a rejection of the format.
        let echo = r#"{"detail":[{"msg":"field required","input":{"response_format":{"type":"json_schema"}}}]}"#;
        assert!(!rejects_answer_mode(422, echo));
        assert!(!error_summary(echo).contains("response_format"));
    }

    #[test]
    fn error_summaries_are_short() {
        let long = format!(
            "{{\"error\":{{\"type\":\"x\",\"message\":\"{}\"}}}}",
            "a".repeat(500)
        );
        assert!(error_summary(&long).chars().count() <= 201);
    }
}
