//! One provider, called robustly: timeouts, retries with backoff and jitter that honour
//! `Retry-After`, a concurrency limit, answer-mode fallback, a response cache, exact cost and
//! a spend cap.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use aegis_core::UsdCost;
use aegis_core::digest::hex;
use aegis_core::judge::{JudgePrompt, VerdictError};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::JudgeSettings;
use crate::error::CallError;
use crate::ledger::Ledger;
use crate::provider::{self, AnswerMode, Completion, Message};

// Where they were first defined: `aegis_llm::client::SpendLedger` still names the ledger.
pub use crate::ledger::{Reservation, SpendLedger};

/// A judge's answer, or why there is none, with what getting it cost.
#[derive(Debug, Clone)]
pub struct Judged<T> {
    /// The parsed answer, or why there is none.
    pub result: Result<T, JudgeFailure>,
    /// Money spent (zero for a cached answer).
    pub cost: UsdCost,
    /// Whether the answer came from the cache.
    pub cached: bool,
    /// The answer mode of the last request.
    pub mode: AnswerMode,
    /// The cache key (model and prompt hash).
    pub cache_key: String,
    /// HTTP requests made.
    pub requests: u32,
    /// Input tokens billed.
    pub input_tokens: u64,
    /// Output tokens billed.
    pub output_tokens: u64,
}

/// Why a judge gave no usable verdict.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JudgeFailure {
    /// The call failed (see [`CallError`]).
    #[error(transparent)]
    Call(#[from] CallError),
    /// The model refused to judge.
    #[error("the model refused to judge the trace")]
    Refused,
    /// The answer did not fit the verdict's schema, also after one repair attempt.
    #[error("the answer did not fit the verdict's schema after a repair attempt: {0}")]
    Malformed(String),
}

/// Calls one provider with one model.
pub struct JudgeClient {
    settings: JudgeSettings,
    http: reqwest::blocking::Client,
    mode: Mutex<AnswerMode>,
    slots: Semaphore,
    cache: ResponseCache,
    ledger: Arc<dyn Ledger>,
}

impl std::fmt::Debug for JudgeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JudgeClient")
            .field("provider", &self.settings.provider)
            .field("model", &self.settings.model)
            .finish()
    }
}

impl JudgeClient {
    /// A client for `settings`, charging `ledger` (any [`Ledger`]: an in-process
    /// [`SpendLedger`], or one shared by several processes).
    pub fn new(settings: JudgeSettings, ledger: Arc<dyn Ledger>) -> Result<JudgeClient, String> {
        let http = reqwest::blocking::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(JudgeClient {
            mode: Mutex::new(AnswerMode::first_for(settings.provider)),
            slots: Semaphore::new(settings.concurrency),
            cache: ResponseCache::new(settings.cache_dir.clone()),
            settings,
            http,
            ledger,
        })
    }

    /// The settings.
    pub fn settings(&self) -> &JudgeSettings {
        &self.settings
    }

    /// The answer mode calls start with now (after any fallback).
    pub fn mode(&self) -> AnswerMode {
        self.mode.lock().map_or(AnswerMode::PromptOnly, |m| *m)
    }

    /// The cache key of a prompt: provider, model and prompt hash.
    pub fn cache_key(&self, prompt: &JudgePrompt) -> String {
        let mut h = Sha256::new();
        for part in [
            self.settings.provider.as_str(),
            &self.settings.base_url,
            &self.settings.model,
            &prompt.hash(),
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        hex(&h.finalize())
    }

    /// Asks the judge: from the cache when the same model has answered the same prompt, else
    /// from the provider; a malformed or truncated answer gets one repair attempt. `parse`
    /// reads the JSON answer into the typed verdict.
    pub fn ask<T>(
        &self,
        organisation: &str,
        name: &str,
        prompt: &JudgePrompt,
        parse: impl Fn(&Value) -> Result<T, VerdictError>,
    ) -> Judged<T> {
        let key = self.cache_key(prompt);
        let mut judged = Judged {
            result: Err(JudgeFailure::Malformed(String::new())),
            cost: UsdCost::ZERO,
            cached: false,
            mode: self.mode(),
            cache_key: key.clone(),
            requests: 0,
            input_tokens: 0,
            output_tokens: 0,
        };
        if let Some(text) = self.cache.get(&key)
            && let Ok(value) = provider::answer_json(&text)
            && let Ok(v) = parse(&value)
        {
            judged.result = Ok(v);
            judged.cached = true;
            return judged;
        }
        let schema: Value = serde_json::from_str(prompt.schema).unwrap_or(Value::Null);
        let mut messages = vec![Message {
            role: "user",
            content: prompt.user.clone(),
        }];
        for attempt in 0..2 {
            let completion = match self.call(
                organisation,
                name,
                &prompt.system,
                &messages,
                &schema,
                &mut judged,
            ) {
                Ok(c) => c,
                Err(e) => {
                    judged.result = Err(JudgeFailure::Call(e));
                    return judged;
                }
            };
            if completion.refused {
                judged.result = Err(JudgeFailure::Refused);
                return judged;
            }
            let text = completion.text.unwrap_or_default();
            let problem = if completion.truncated {
                Err("the answer was cut off at the token limit".to_owned())
            } else {
                provider::answer_json(&text).and_then(|v| {
                    parse(&v).map_err(|e| format!("the answer does not fit the schema: {e}"))
                })
            };
            match problem {
                Ok(v) => {
                    self.cache.put(&key, &text);
                    judged.result = Ok(v);
                    return judged;
                }
                Err(why) if attempt == 0 => {
                    tracing::debug!(judge = name, %why, "asking the judge to repair its answer");
                    messages.push(Message {
                        role: "assistant",
                        content: if text.is_empty() {
                            "(no answer)".to_owned()
                        } else {
                            text
                        },
                    });
                    messages.push(Message {
                        role: "user",
                        content: format!(
                            "Your answer could not be used: {why}. Answer again with only the JSON object, matching the schema in your instructions, and nothing else. Keep the rationale short."
                        ),
                    });
                }
                Err(why) => {
                    judged.result = Err(JudgeFailure::Malformed(why));
                    return judged;
                }
            }
        }
        judged
    }

    /// Settles a reservation. A ledger that cannot be written is logged, not fatal: the call
    /// was made (and paid for) whatever the ledger says, and its reservation keeps counting
    /// against the cap until the ledger lets it expire.
    fn settle(&self, organisation: &str, reservation: Reservation, actual: UsdCost) {
        if let Err(e) = self.ledger.settle(organisation, reservation, actual) {
            tracing::warn!(error = %e, cost = %actual, "cannot settle a judge call in the spend ledger");
        }
    }

    /// One completion: retries transient failures, falls back to a less demanding answer mode
    /// when the server rejects the current one, and charges the ledger.
    fn call(
        &self,
        organisation: &str,
        name: &str,
        system: &str,
        messages: &[Message],
        schema: &Value,
        judged: &mut Judged<impl Sized>,
    ) -> Result<Completion, CallError> {
        let provider_name = self.settings.provider.as_str();
        let url = provider::url(&self.settings);
        let headers = provider::headers(&self.settings);
        // The most this call can cost: its prompt at ~3 characters a token, and a full answer.
        let chars: usize = system.len() + messages.iter().map(|m| m.content.len()).sum::<usize>();
        let estimated_input = (chars / 3 + 16) as u64;
        let estimate = self
            .settings
            .price
            .cost(estimated_input, u64::from(self.settings.max_output_tokens));
        let mut mode = self.mode();
        let mut attempt: u32 = 0;
        loop {
            let body = provider::body(&self.settings, mode, name, system, messages, schema);
            let bytes = serde_json::to_vec(&body).map_err(|e| CallError::BadResponse {
                provider: provider_name,
                message: e.to_string(),
            })?;
            // The slot first, then the reservation: a call waiting for a slot holds no money.
            let slot = self.slots.acquire();
            let reservation =
                self.ledger
                    .reserve(organisation, self.settings.spend_cap, estimate)?;
            let sent = {
                let mut req = self
                    .http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(bytes);
                for (k, v) in &headers {
                    req = req.header(*k, v);
                }
                judged.requests += 1;
                req.send().and_then(|r| {
                    let status = r.status().as_u16();
                    let retry_after = retry_after(r.headers());
                    r.text().map(|t| (status, retry_after, t))
                })
            };
            drop(slot);
            let outcome = match sent {
                Ok((200..=299, _, text)) => match serde_json::from_str::<Value>(&text)
                    .map_err(|e| format!("the body is not JSON ({e})"))
                    .and_then(|v| provider::parse(self.settings.provider, &v))
                {
                    Ok(c) => Ok(c),
                    // A 200 whose body is cut or garbled: a transient fault, retried.
                    Err(m) => Err((format!("a malformed 200 response: {m}"), None, true)),
                },
                Ok((status, retry, text)) => {
                    let summary = provider::error_summary(&text);
                    if provider::rejects_answer_mode(status, &text)
                        && let Some(next) = mode.fallback()
                    {
                        tracing::info!(
                            provider = provider_name,
                            from = mode.as_str(),
                            to = next.as_str(),
                            "the server rejects the answer format; falling back"
                        );
                        self.settle(organisation, reservation, UsdCost::ZERO);
                        mode = next;
                        if let Ok(mut m) = self.mode.lock() {
                            *m = (*m).max(next);
                        }
                        judged.mode = mode;
                        continue;
                    }
                    let transient = matches!(status, 408 | 429 | 500 | 502 | 503 | 504 | 529)
                        && !provider::is_quota_error(&text);
                    if !transient {
                        self.settle(organisation, reservation, UsdCost::ZERO);
                        return Err(CallError::Rejected {
                            provider: provider_name,
                            status,
                            message: summary,
                        });
                    }
                    Err((format!("HTTP {status}: {summary}"), retry, true))
                }
                Err(e) => {
                    let what = if e.is_timeout() {
                        format!(
                            "no answer within {:.1} s",
                            self.settings.timeout.as_secs_f64()
                        )
                    } else if e.is_connect() {
                        "cannot connect".to_owned()
                    } else {
                        "the connection failed".to_owned()
                    };
                    Err((what, None, true))
                }
            };
            match outcome {
                Ok(c) => {
                    let (i, o, cost) = match (c.input_tokens, c.output_tokens) {
                        (Some(i), Some(o)) => (i, o, self.settings.price.cost(i, o)),
                        // No usage reported: charge the most the call could have cost, so
                        // that the spend cap still holds.
                        _ => {
                            tracing::warn!(
                                provider = provider_name,
                                "the provider reported no token usage; charging the call's estimate"
                            );
                            (
                                estimated_input,
                                u64::from(self.settings.max_output_tokens),
                                estimate,
                            )
                        }
                    };
                    self.settle(organisation, reservation, cost);
                    judged.cost += cost;
                    judged.input_tokens = judged.input_tokens.saturating_add(i);
                    judged.output_tokens = judged.output_tokens.saturating_add(o);
                    judged.mode = mode;
                    return Ok(c);
                }
                Err((last, retry, _)) => {
                    self.settle(organisation, reservation, UsdCost::ZERO);
                    if attempt >= self.settings.max_retries {
                        return Err(CallError::Exhausted {
                            provider: provider_name,
                            attempts: attempt + 1,
                            last,
                        });
                    }
                    let wait = match retry {
                        Some(w) if w > self.settings.max_retry_after => {
                            return Err(CallError::Exhausted {
                                provider: provider_name,
                                attempts: attempt + 1,
                                last: format!(
                                    "{last}; the provider asks to wait {:.0} s, longer than max_retry_after_secs ({:.0} s)",
                                    w.as_secs_f64(),
                                    self.settings.max_retry_after.as_secs_f64()
                                ),
                            });
                        }
                        // Honour Retry-After, with up to 10 % jitter so that waiting clients
                        // do not return together.
                        Some(w) => w + w.mul_f64(fastrand::f64() * 0.1),
                        None => backoff(
                            self.settings.initial_backoff,
                            self.settings.max_backoff,
                            attempt,
                        ),
                    };
                    tracing::debug!(provider = provider_name, attempt, wait_ms = wait.as_millis() as u64, %last, "retrying");
                    std::thread::sleep(wait);
                    attempt += 1;
                }
            }
        }
    }
}

/// Exponential backoff with "equal jitter": half the doubled delay, plus up to as much again
/// at random.
fn backoff(initial: Duration, max: Duration, attempt: u32) -> Duration {
    let full = initial
        .saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX))
        .min(max);
    full / 2 + full.mul_f64(fastrand::f64() / 2.0)
}

/// `retry-after-ms` (milliseconds) or `retry-after` (seconds, or an HTTP date).
fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let num = |k: &str| {
        h.get(k)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    // An HTTP date: the time from now until then (none if it has passed).
    let date = || {
        let v = h.get("retry-after")?.to_str().ok()?;
        let when = httpdate::parse_http_date(v.trim()).ok()?;
        Some(
            when.duration_since(std::time::SystemTime::now())
                .unwrap_or(Duration::ZERO)
                .as_secs_f64(),
        )
    };
    // A day at most: a larger (or absurd) value is still "longer than we will wait".
    let secs = num("retry-after-ms")
        .map(|ms| ms / 1000.0)
        .or_else(|| num("retry-after"))
        .or_else(date)?;
    Duration::try_from_secs_f64(secs.min(86_400.0)).ok()
}

/// A counting semaphore: at most `n` requests in flight.
struct Semaphore {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Permit<'a>(&'a Semaphore);

impl Semaphore {
    fn new(n: usize) -> Semaphore {
        Semaphore {
            free: Mutex::new(n.max(1)),
            freed: Condvar::new(),
        }
    }

    fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut free = self.0.free.lock().unwrap_or_else(|e| e.into_inner());
        *free += 1;
        self.0.freed.notify_one();
    }
}

/// Answers by cache key: in memory, and on disk when a directory is configured. Prompts are
/// built from sanitised traces, so nothing here holds raw PHI.
struct ResponseCache {
    memory: Mutex<HashMap<String, String>>,
    dir: Option<PathBuf>,
}

impl ResponseCache {
    fn new(dir: Option<PathBuf>) -> ResponseCache {
        ResponseCache {
            memory: Mutex::new(HashMap::new()),
            dir,
        }
    }

    fn get(&self, key: &str) -> Option<String> {
        if let Some(t) = self.memory.lock().ok().and_then(|m| m.get(key).cloned()) {
            return Some(t);
        }
        let dir = self.dir.as_ref()?;
        let text = std::fs::read_to_string(dir.join(format!("{key}.json"))).ok()?;
        let v: Value = serde_json::from_str(&text).ok()?;
        v.get("answer").and_then(Value::as_str).map(str::to_owned)
    }

    fn put(&self, key: &str, answer: &str) {
        if let Ok(mut m) = self.memory.lock() {
            m.insert(key.to_owned(), answer.to_owned());
        }
        if let Some(dir) = &self.dir {
            let record = serde_json::json!({ "answer": answer });
            let write = || -> std::io::Result<()> {
                std::fs::create_dir_all(dir)?;
                static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let tmp = dir.join(format!(".{key}.{}.{n}.tmp", std::process::id()));
                std::fs::write(&tmp, record.to_string())?;
                std::fs::rename(&tmp, dir.join(format!("{key}.json")))
            };
            if let Err(e) = write() {
                tracing::warn!(dir = %dir.display(), error = %e, "cannot write the judge cache");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_cap() {
        let (i, m) = (Duration::from_millis(100), Duration::from_secs(1));
        for attempt in 0..8 {
            let full = (100u64 << attempt).min(1000);
            let d = backoff(i, m, attempt).as_millis() as u64;
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d} ms");
        }
    }

    #[test]
    fn retry_after_reads_milliseconds_seconds_and_dates() {
        use reqwest::header::{HeaderMap, HeaderValue};
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
        let mut h = HeaderMap::new();
        let later = std::time::SystemTime::now() + Duration::from_secs(30);
        h.insert(
            "retry-after",
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }
}
