//! A real HTTP server on loopback (tiny_http) that answers with the providers' published
//! response bodies (`tests/fixtures/providers`), scripted per test, and records every request.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aegis_core::UsdCost;
use aegis_llm::{JudgeSettings, Price, ProviderKind, Secret};

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16, body: String) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body,
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn after(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

/// A request the server received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
    pub at: std::time::Instant,
}

impl Seen {
    pub fn header(&self, k: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Server {
    pub base: String,
    script: Arc<Mutex<VecDeque<Reply>>>,
    fallback: Arc<Mutex<Option<Reply>>>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub max_in_flight: Arc<AtomicUsize>,
}

impl Server {
    /// Starts a server on a free loopback port; each request takes the next scripted reply
    /// (or the fallback, once the script is used up). Requests are served concurrently.
    pub fn start() -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let script: Arc<Mutex<VecDeque<Reply>>> = Arc::default();
        let fallback: Arc<Mutex<Option<Reply>>> = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        {
            let (script, fallback, seen) = (script.clone(), fallback.clone(), seen.clone());
            let (in_flight, max_in_flight) = (in_flight.clone(), max_in_flight.clone());
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let reply = script
                        .lock()
                        .unwrap()
                        .pop_front()
                        .or_else(|| fallback.lock().unwrap().clone())
                        .unwrap_or_else(|| Reply::new(599, "{\"error\":\"unscripted\"}".into()));
                    seen.lock().unwrap().push(Seen {
                        url: request.url().to_owned(),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| (h.field.to_string(), h.value.to_string()))
                            .collect(),
                        body: serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
                        at: std::time::Instant::now(),
                    });
                    let (in_flight, max_in_flight) = (in_flight.clone(), max_in_flight.clone());
                    std::thread::spawn(move || {
                        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        max_in_flight.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(reply.delay);
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        let mut response = tiny_http::Response::from_string(reply.body)
                            .with_status_code(reply.status)
                            .with_header(
                                tiny_http::Header::from_bytes("content-type", "application/json")
                                    .unwrap(),
                            );
                        for (k, v) in reply.headers {
                            response.add_header(
                                tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap(),
                            );
                        }
                        let _ = request.respond(response);
                    });
                }
            });
        }
        Server {
            base: format!("http://127.0.0.1:{port}"),
            script,
            fallback,
            seen,
            max_in_flight,
        }
    }

    pub fn push(&self, reply: Reply) -> &Server {
        self.script.lock().unwrap().push_back(reply);
        self
    }

    pub fn always(&self, reply: Reply) {
        *self.fallback.lock().unwrap() = Some(reply);
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A published response body with its placeholders filled in.
pub fn fixture(name: &str, content: &str, prompt_tokens: u64, completion_tokens: u64) -> String {
    // Through the workspace, so that other crates' tests can include this module too.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../aegis-llm/tests/fixtures/providers")
        .join(name);
    std::fs::read_to_string(path)
        .unwrap()
        .replace("\"__CONTENT__\"", &serde_json::to_string(content).unwrap())
        .replace("__PROMPT_TOKENS__", &prompt_tokens.to_string())
        .replace("__COMPLETION_TOKENS__", &completion_tokens.to_string())
        .replace(
            "__TOTAL_TOKENS__",
            &(prompt_tokens + completion_tokens).to_string(),
        )
}

/// Settings for a provider at `base`, with fast retries.
pub fn settings(provider: ProviderKind, base: &str) -> JudgeSettings {
    JudgeSettings {
        provider,
        model: "test-model".to_owned(),
        base_url: base.to_owned(),
        api_key: Some(Secret("sk-test-secret".to_owned())),
        api_version: "2024-10-21".to_owned(),
        timeout: Duration::from_secs(5),
        max_retries: 3,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_secs(5),
        max_retry_after: Duration::from_secs(5),
        concurrency: 4,
        max_output_tokens: 400,
        price: Price::per_million(2.5, 10.0).unwrap(),
        cache_dir: None,
        spend_cap: None,
        spend_ledger: None,
    }
}

pub fn micros(c: UsdCost) -> u64 {
    c.micros()
}
