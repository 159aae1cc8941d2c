//! `aegis-eval serve` end to end: the real binary serving a temporary service directory,
//! driven over HTTP. Organisations are isolated from each other (queries, deletes, analytics,
//! review, the live feed, pseudonyms); nothing accepted is lost when the process is killed;
//! ingest names its bad lines; errors name the problem; evaluation in the request decides;
//! health, metrics and a graceful stop; review through the API.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::{Body, Client, RequestBuilder, Response};
use serde_json::{Value, json};

/// How long anything asynchronous (results stored, a server starting or stopping) may take.
const DEADLINE: Duration = Duration::from_secs(60);

/// A patient's identifiers, as a clinician might paste them.
const PATIENT_INPUT: &str = "Patient John Smith, DOB 03/14/1962, MRN 12345678, asks how much ibuprofen he can take for his knee.";
const PATIENT_OUTPUT: &str =
    "John Smith can take ibuprofen 400 mg every 6 hours with food, up to 1200 mg a day.";
/// What of them must never be stored.
const RAW_IDENTIFIERS: &[&str] = &["John Smith", "Smith", "12345678", "03/14/1962"];

// ---------------------------------------------------------------------------------------------
// The binary, organisations and the server process.

/// `aegis-eval` with no `AEGIS_*` variable of the caller's environment (no key, store, judge
/// configuration or registry leaks into the test).
fn aegis() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aegis-eval"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AEGIS_") {
            c.env_remove(name);
        }
    }
    c
}

/// Runs `c`, which must succeed; its standard output.
fn run_ok(c: &mut Command) -> String {
    let out = c.output().expect("aegis-eval runs");
    assert!(
        out.status.success(),
        "{c:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// An organisation and its first API key.
struct Org {
    id: String,
    key: String,
}

/// `aegis-eval orgs create <name> --store <dir>`: three lines, the id in the first, the key in
/// the third.
fn create_org(dir: &Path, name: &str) -> Org {
    let out = run_ok(aegis().args(["orgs", "create", name, "--store"]).arg(dir));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "orgs create prints three lines: {out}");
    assert!(
        lines[0].starts_with(&format!("organisation {name} (")),
        "{out}"
    );
    let id = lines[0]
        .rsplit_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no org id in {out}"))
        .to_owned();
    assert!(id.starts_with("org_"), "{id}");
    let key = lines[2].trim().to_owned();
    assert!(
        key.starts_with("aegis_"),
        "the third line is the API key: {out}"
    );
    Org { id, key }
}

/// A running `aegis-eval serve`, killed when dropped.
struct Server {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
    http: Client,
}

impl Server {
    /// Serves the service directory `dir` on a free port (with `extra` arguments), once it
    /// says it listens.
    fn start(dir: &Path, extra: &[&str]) -> Server {
        Server::try_start(dir, extra).unwrap_or_else(|log| panic!("{log}"))
    }

    /// Like [`Server::start`]; what the process wrote when it stopped before listening.
    fn try_start(dir: &Path, extra: &[&str]) -> Result<Server, String> {
        std::fs::create_dir_all(dir).unwrap();
        let mut child = aegis()
            .args(["serve", "--no-judge", "--addr", "127.0.0.1:0", "--store"])
            .arg(dir)
            .args(extra)
            // No models/registry or aegis.toml of the working directory is picked up.
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("aegis-eval serve starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        {
            let log = Arc::clone(&log);
            // Reads every line, so the server never blocks on a full pipe.
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Some(url) = line.strip_prefix("aegis-eval serve: listening on ") {
                        let _ = tx.send(url.trim().to_owned());
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let url = match rx.recv_timeout(DEADLINE) {
            Ok(url) => url,
            Err(e) => {
                let _ = child.kill();
                let status = child.wait();
                return Err(format!(
                    "the server did not say it listens ({e}; {status:?}): {}",
                    log.lock().unwrap().join("\n")
                ));
            }
        };
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let http = Client::builder().timeout(DEADLINE).build().unwrap();
        Ok(Server {
            child,
            url,
            log,
            http,
        })
    }

    /// What the server wrote on its standard error.
    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    fn request(&self, method: reqwest::Method, key: Option<&str>, path: &str) -> RequestBuilder {
        let r = self.http.request(method, format!("{}{path}", self.url));
        match key {
            Some(k) => r.bearer_auth(k),
            None => r,
        }
    }

    fn get(&self, key: &str, path: &str) -> Response {
        self.request(reqwest::Method::GET, Some(key), path)
            .send()
            .unwrap()
    }

    fn post(&self, key: &str, path: &str, body: impl Into<Body>) -> Response {
        self.request(reqwest::Method::POST, Some(key), path)
            .body(body)
            .send()
            .unwrap()
    }

    fn post_json(&self, key: &str, path: &str, body: &Value) -> Response {
        self.post(key, path, body.to_string())
    }

    fn delete(&self, key: &str, path: &str) -> Response {
        self.request(reqwest::Method::DELETE, Some(key), path)
            .send()
            .unwrap()
    }

    /// `POST /v1/traces`, which must answer `202`: the receipt.
    fn ingest(&self, key: &str, body: impl Into<Body>) -> Value {
        let (status, receipt) = parse(self.post(key, "/v1/traces", body));
        assert_eq!(status, StatusCode::ACCEPTED, "{receipt}");
        receipt
    }

    /// `GET /v1/traces/{id}`: the stored result, or `None` on `404`.
    fn stored(&self, key: &str, id: &str) -> Option<Value> {
        let (status, body) = parse(self.get(key, &format!("/v1/traces/{id}")));
        match status {
            StatusCode::OK => Some(body),
            StatusCode::NOT_FOUND => None,
            other => panic!("GET /v1/traces/{id}: {other} {body}"),
        }
    }

    /// Waits until every key has a stored result; the results, in the order of `keys`.
    fn wait_stored(&self, key: &str, keys: &[String]) -> Vec<Value> {
        let mut found: BTreeMap<String, Value> = BTreeMap::new();
        wait_until(&format!("{} results to be stored", keys.len()), || {
            for k in keys {
                if !found.contains_key(k)
                    && let Some(v) = self.stored(key, k)
                {
                    found.insert(k.clone(), v);
                }
            }
            found.len() == keys.len()
        });
        keys.iter().map(|k| found.remove(k).unwrap()).collect()
    }

    /// `GET /v1/analytics/summary`.
    fn summary(&self, key: &str) -> Value {
        let (status, body) = parse(self.get(key, "/v1/analytics/summary"));
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Results stored for the organisation (`overall.total` of the summary).
    fn total(&self, key: &str) -> u64 {
        self.summary(key)["overall"]["total"].as_u64().unwrap()
    }

    /// Every stored result of the organisation, page by page (`limit` a page).
    fn list_all(&self, key: &str, limit: usize) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10_000 {
            let path = match &cursor {
                Some(c) => format!("/v1/traces?limit={limit}&cursor={c}"),
                None => format!("/v1/traces?limit={limit}"),
            };
            let (status, page) = parse(self.get(key, &path));
            assert_eq!(status, StatusCode::OK, "{page}");
            let got = page["items"].as_array().unwrap();
            assert!(got.len() <= limit);
            items.extend(got.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return items,
            }
        }
        panic!("the pages never end")
    }

    /// `GET /metrics` as text.
    fn metrics(&self) -> String {
        let r = self
            .request(reqwest::Method::GET, None, "/metrics")
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.text().unwrap()
    }

    /// Subscribes to `GET /v1/live` as `key`; the subscription exists when this returns.
    fn subscribe(&self, key: &str) -> Feed {
        self.subscribe_to(key, "")
    }

    /// Subscribes to `GET /v1/live{query}` as `key`.
    fn subscribe_to(&self, key: &str, query: &str) -> Feed {
        // No timeout: the stream stays open.
        let client = Client::builder().timeout(None::<Duration>).build().unwrap();
        let response = client
            .get(format!("{}/v1/live{query}", self.url))
            .bearer_auth(key)
            .send()
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = header(&response, "content-type");
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _client = client; // The response reads through it.
            let mut event = String::new();
            for line in BufReader::new(response).lines() {
                let Ok(line) = line else { break };
                if let Some(name) = line.strip_prefix("event:") {
                    event = name.trim().to_owned();
                } else if let Some(data) = line.strip_prefix("data:") {
                    let item = match event.as_str() {
                        "result" => serde_json::from_str(data.trim())
                            .unwrap_or_else(|e| json!({ "unparsed": data, "why": e.to_string() })),
                        other => json!({ "event": other, "data": data.trim() }),
                    };
                    if tx.send(item).is_err() {
                        break;
                    }
                } else if line.is_empty() {
                    event.clear();
                }
            }
        });
        Feed {
            rx,
            seen: Vec::new(),
        }
    }

    /// Kills the server with SIGKILL.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends SIGTERM; the exit status, which must come within `within`.
    fn terminate(&mut self, within: Duration) -> Option<ExitStatus> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + within;
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A live-feed subscription: the events received so far.
struct Feed {
    rx: Receiver<Value>,
    seen: Vec<Value>,
}

impl Feed {
    /// Takes what has arrived, waiting up to `wait` for the first.
    fn drain(&mut self, wait: Duration) {
        match self.rx.recv_timeout(wait) {
            Ok(v) => self.seen.push(v),
            Err(RecvTimeoutError::Timeout) => return,
            Err(RecvTimeoutError::Disconnected) => panic!("the live feed closed"),
        }
        while let Ok(v) = self.rx.try_recv() {
            self.seen.push(v);
        }
    }

    /// The keys of the results seen.
    fn keys(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter_map(|e| e["key"].as_str().map(str::to_owned))
            .collect()
    }

    /// Waits until a result event has come for each of `keys`.
    fn wait_for(&mut self, keys: &[String]) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let seen: BTreeSet<String> = self.keys().into_iter().collect();
            if keys.iter().all(|k| seen.contains(k)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the live feed did not carry {:?} (it carried {:?})",
                keys.iter()
                    .filter(|k| !seen.contains(*k))
                    .collect::<Vec<_>>(),
                self.seen
            );
            self.drain(Duration::from_millis(200));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// Polls `done` until it holds, failing after [`DEADLINE`].
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A response's status and JSON body (a JSON string when the body is not JSON).
fn parse(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

fn header(r: &Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Asserts an error answer: the status, and the JSON body `{"error": {code, message, field}}`.
fn assert_error(r: Response, status: StatusCode, code: &str, field: Option<&str>) -> Value {
    let content_type = header(&r, "content-type");
    let (got, body) = parse(r);
    assert_eq!(got, status, "{body}");
    assert!(
        content_type.starts_with("application/json"),
        "a {status} answer is JSON, not {content_type:?}: {body}"
    );
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    if let Some(field) = field {
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    body
}

/// The bundled traces of a domain.
fn examples(domain: &str) -> Vec<Value> {
    let path = format!(
        "{}/../../examples/traces/{domain}.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// One bundled healthcare trace by id.
fn healthcare(id: &str) -> Value {
    examples("healthcare")
        .into_iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn jsonl(traces: &[Value]) -> String {
    traces.iter().map(|t| format!("{t}\n")).collect()
}

fn with_id(trace: &Value, id: &str) -> Value {
    let mut t = trace.clone();
    t["id"] = json!(id);
    t
}

/// `n` healthcare traces with ids `<prefix>-<i>`, from the bundled ones. (Short ids: an id
/// that looks like an identifier, say `run-000001`, is pseudonymised by Tier 0.)
fn synthesised(prefix: &str, n: usize) -> Vec<Value> {
    let hc = examples("healthcare");
    (0..n)
        .map(|i| with_id(&hc[i % hc.len()], &format!("{prefix}-{i}")))
        .collect()
}

/// The keys of a receipt's accepted traces, in line order.
fn accepted_keys(receipt: &Value) -> Vec<String> {
    receipt["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap().to_owned())
        .collect()
}

/// The value of one series of the metrics text (`name{labels}` exactly).
fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

/// The sum of every series of a metric whose labels contain `label`.
fn metric_sum(text: &str, name: &str, label: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) && l.contains(label))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// The stored sanitised input and output of a result.
fn stored_text(row: &Value) -> (String, String) {
    (
        row["trace"]["input"].as_str().unwrap().to_owned(),
        row["trace"]["output"].as_str().unwrap().to_owned(),
    )
}

fn assert_no_raw_identifier(text: &str) {
    for raw in RAW_IDENTIFIERS {
        assert!(!text.contains(raw), "{raw:?} was stored: {text}");
    }
}

fn service_dir(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("service")
}

// ---------------------------------------------------------------------------------------------
// 1. Isolation.

#[test]
fn organisations_are_isolated() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let a = create_org(&svc, "Acme Health");
    let b = create_org(&svc, "Beta Clinic");
    assert_ne!(a.id, b.id);
    assert_ne!(a.key, b.key);
    let taken = aegis()
        .args(["orgs", "create", "ACME HEALTH", "--store"])
        .arg(&svc)
        .output()
        .unwrap();
    assert!(
        !taken.status.success(),
        "organisation names are unique, ignoring case"
    );
    let server = Server::start(&svc, &[]);

    // A ingests the bundled healthcare traces and its results are stored.
    let hc = examples("healthcare");
    let receipt = server.ingest(&a.key, jsonl(&hc));
    let a_keys = accepted_keys(&receipt);
    assert_eq!(a_keys.len(), hc.len(), "{receipt}");
    assert!(a_keys.contains(&"id:hc-001".to_owned()), "{receipt}");
    server.wait_stored(&a.key, &a_keys);
    let a_rows = server.list_all(&a.key, 1000);
    assert_eq!(a_rows.len(), hc.len());
    assert_eq!(server.total(&a.key), hc.len() as u64);
    let (status, a_search) = parse(server.post_json(
        &a.key,
        "/v1/traces/search",
        &json!({"query": "acetaminophen"}),
    ));
    assert_eq!(status, StatusCode::OK, "{a_search}");
    assert!(
        !a_search["items"].as_array().unwrap().is_empty(),
        "A finds its own traces by a word they hold: {a_search}"
    );
    let a_hc001 = server.stored(&a.key, "hc-001").expect("A has hc-001");

    // B sees nothing of it.
    let (status, page) = parse(server.get(&b.key, "/v1/traces?limit=1000"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"], json!([]), "B lists A's results: {page}");
    assert_error(
        server.get(&b.key, "/v1/traces/hc-001"),
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_error(
        server.get(&b.key, "/v1/traces/id:hc-001"),
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_error(
        server.get(&b.key, "/v1/traces/hc-001/similar"),
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    for query in ["acetaminophen", "Tylenol", "hc"] {
        let (status, found) =
            parse(server.post_json(&b.key, "/v1/traces/search", &json!({ "query": query })));
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["items"], json!([]), "B finds A's traces: {found}");
    }
    assert_error(
        server.delete(&b.key, "/v1/traces/hc-001"),
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    let (status, deleted) = parse(server.post_json(
        &b.key,
        "/v1/traces/bulk-delete",
        &json!({ "ids": a_keys.iter().chain(["hc-001".to_owned(), "hc-002".to_owned()].iter()).collect::<Vec<_>>() }),
    ));
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["deleted"], 0, "{deleted}");
    assert_eq!(
        server.stored(&a.key, "hc-001"),
        Some(a_hc001.clone()),
        "B's deletes touched A's result"
    );
    assert_eq!(server.total(&a.key), hc.len() as u64);
    let b_summary = server.summary(&b.key);
    assert_eq!(b_summary["overall"]["total"], 0, "{b_summary}");
    assert_eq!(b_summary["by_domain"], json!({}), "{b_summary}");
    let (_, b_issues) = parse(server.get(&b.key, "/v1/analytics/issues"));
    assert_eq!(b_issues["issues"], json!([]), "{b_issues}");
    let (_, b_series) = parse(server.get(&b.key, "/v1/analytics/timeseries"));
    assert_eq!(b_series["points"], json!([]), "{b_series}");
    let (status, b_tasks) = parse(server.get(&b.key, "/v1/review/tasks?limit=1000"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(b_tasks, json!([]), "B sees A's review tasks");
    let (_, a_tasks) = parse(server.get(&a.key, "/v1/review/tasks?limit=1000"));
    let a_needs_review = a_rows
        .iter()
        .filter(|r| r["result"]["verdict"] == "needs_review")
        .count();
    assert_eq!(a_tasks.as_array().unwrap().len(), a_needs_review);
    // B cannot label A's result either.
    assert_error(
        server.post_json(
            &b.key,
            "/v1/review/labels",
            &json!({"key": "id:hc-001", "verdict": "pass", "reviewer": "b"}),
        ),
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );

    // B ingesting a trace with the id of one of A's touches nothing of A's.
    let b_hc001 = with_id(&healthcare("hc-002"), "hc-001");
    let receipt = server.ingest(&b.key, b_hc001.to_string());
    assert_eq!(accepted_keys(&receipt), ["id:hc-001"]);
    let b_row = server
        .wait_stored(&b.key, &["id:hc-001".to_owned()])
        .remove(0);
    assert_eq!(
        b_row["result"]["verdict"], "fail",
        "B's hc-001 is hc-002's text: {b_row}"
    );
    assert_eq!(
        server.stored(&a.key, "hc-001"),
        Some(a_hc001.clone()),
        "B's trace changed A's result"
    );
    assert_eq!(server.total(&a.key), hc.len() as u64);
    assert_eq!(server.total(&b.key), 1);

    // The live feed: each subscriber sees its own organisation's results only.
    let mut a_feed = server.subscribe(&a.key);
    let mut b_feed = server.subscribe(&b.key);
    let mut a_fails = server.subscribe_to(&a.key, "?verdict=fail");
    let a_live = server.ingest(&a.key, jsonl(&synthesised("live-a", 20)));
    let a_live_keys = accepted_keys(&a_live);
    assert_eq!(a_live_keys.len(), 20);
    let b_live = server.ingest(&b.key, jsonl(&synthesised("live-b", 1)));
    let b_live_keys = accepted_keys(&b_live);
    a_feed.wait_for(&a_live_keys);
    b_feed.wait_for(&b_live_keys);
    // Markers: once a subscriber has its marker, every result stored before it was offered to
    // its stream (the feed is one ordered broadcast).
    let b_marker = accepted_keys(&server.ingest(&b.key, with_id(&hc[0], "marker-b").to_string()));
    let a_marker = accepted_keys(&server.ingest(&a.key, with_id(&hc[0], "marker-a").to_string()));
    b_feed.wait_for(&b_marker);
    a_feed.wait_for(&a_marker);
    let b_seen: BTreeSet<String> = b_feed.keys().into_iter().collect();
    let a_seen: BTreeSet<String> = a_feed.keys().into_iter().collect();
    let b_own: BTreeSet<String> = b_live_keys.iter().chain(&b_marker).cloned().collect();
    let a_own: BTreeSet<String> = a_live_keys.iter().chain(&a_marker).cloned().collect();
    assert_eq!(b_seen, b_own, "B's feed: {:?}", b_feed.seen);
    assert_eq!(a_seen, a_own, "A's feed: {:?}", a_feed.seen);
    assert_eq!(
        b_feed.seen.len(),
        2,
        "one event per result: {:?}",
        b_feed.seen
    );
    // A filtered subscription gets the failures only.
    let failed: Vec<String> = a_feed
        .seen
        .iter()
        .filter(|e| e["result"]["verdict"] == "fail")
        .map(|e| e["key"].as_str().unwrap().to_owned())
        .collect();
    assert!(!failed.is_empty(), "{:?}", a_feed.seen);
    a_fails.wait_for(&failed);
    a_fails.drain(Duration::from_millis(300));
    assert_eq!(
        a_fails.keys().into_iter().collect::<BTreeSet<_>>(),
        failed.iter().cloned().collect::<BTreeSet<_>>(),
        "?verdict=fail: {:?}",
        a_fails.seen
    );

    // Pseudonyms: stable within an organisation, different between organisations, never the
    // raw name.
    let patient = json!({
        "id": "patient-1",
        "input": PATIENT_INPUT,
        "output": PATIENT_OUTPUT,
        "metadata": {"domain": "healthcare"},
    });
    let ka = accepted_keys(&server.ingest(&a.key, patient.to_string()));
    let kb = accepted_keys(&server.ingest(&b.key, patient.to_string()));
    let first_a = server.wait_stored(&a.key, &ka).remove(0);
    let first_b = server.wait_stored(&b.key, &kb).remove(0);
    let (a_in, a_out) = stored_text(&first_a);
    let (b_in, b_out) = stored_text(&first_b);
    for t in [&a_in, &a_out, &b_in, &b_out] {
        assert_no_raw_identifier(t);
    }
    assert!(
        a_in.contains("ibuprofen") && b_in.contains("ibuprofen"),
        "{a_in} / {b_in}"
    );
    assert_ne!(a_in, b_in, "two organisations share pseudonyms");
    assert_ne!(a_out, b_out, "two organisations share pseudonyms");
    // The same trace again to A: evaluated again, the same sanitised text.
    let again = server.ingest(&a.key, patient.to_string());
    assert_eq!(accepted_keys(&again), ka, "the same trace, the same key");
    let first_at = first_a["evaluated_at_ms"].as_i64().unwrap();
    let mut second_a = Value::Null;
    wait_until("A's second evaluation of the patient trace", || {
        second_a = server.stored(&a.key, &ka[0]).unwrap();
        second_a["evaluated_at_ms"].as_i64().unwrap() > first_at
    });
    assert_eq!(
        stored_text(&second_a),
        (a_in, a_out),
        "pseudonyms are stable within an organisation"
    );
    let a_patient_rows = server
        .list_all(&a.key, 1000)
        .into_iter()
        .filter(|r| r["key"] == ka[0].as_str())
        .count();
    assert_eq!(a_patient_rows, 1, "one stored result per key");
}

// ---------------------------------------------------------------------------------------------
// 2. Durability.

/// The id prefix of request `b` of the SIGKILL test: `kill-a`, `kill-b`, … (ids with few
/// digits, which Tier 0 keeps as they are: `k10-10` would become a `trace-…` pseudonym).
fn batch_prefix(b: usize) -> String {
    format!("kill-{}", char::from(b'a' + u8::try_from(b).unwrap()))
}

/// What one ingest request of the SIGKILL test came to.
enum Sent {
    /// `202`: the keys accepted.
    Accepted(Vec<String>),
    /// No answer, or not a `202`: its traces may or may not have been queued.
    Unknown(String),
}

#[test]
fn nothing_accepted_is_lost_after_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let mut server = Server::start(&svc, &[]);

    // A backlog first, so that the workers are in the middle of a batch when the process dies.
    let backlog_keys = backlog(&server, &org.key, "bl", 2000);
    // 400 traces in 20 requests from two threads; SIGKILL once six requests were accepted.
    let n_batches = 20;
    let per_batch = 20;
    let batches: Arc<Vec<Vec<Value>>> = Arc::new(
        (0..n_batches)
            .map(|b| synthesised(&batch_prefix(b), per_batch))
            .collect(),
    );
    let outcomes: Arc<Mutex<BTreeMap<usize, Sent>>> = Arc::new(Mutex::new(BTreeMap::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let accepted_count = Arc::new(AtomicUsize::new(0));
    let senders: Vec<_> = (0..2)
        .map(|_| {
            let (batches, outcomes, next, accepted_count) = (
                Arc::clone(&batches),
                Arc::clone(&outcomes),
                Arc::clone(&next),
                Arc::clone(&accepted_count),
            );
            let url = server.url.clone();
            let key = org.key.clone();
            std::thread::spawn(move || {
                let client = Client::builder().timeout(DEADLINE).build().unwrap();
                loop {
                    let b = next.fetch_add(1, Ordering::SeqCst);
                    if b >= batches.len() {
                        break;
                    }
                    let sent = match client
                        .post(format!("{url}/v1/traces"))
                        .bearer_auth(&key)
                        .body(jsonl(&batches[b]))
                        .send()
                    {
                        Ok(r) if r.status() == StatusCode::ACCEPTED => {
                            let receipt: Value = r.json().unwrap();
                            assert_eq!(receipt["rejected"], json!([]), "{receipt}");
                            accepted_count.fetch_add(1, Ordering::SeqCst);
                            Sent::Accepted(accepted_keys(&receipt))
                        }
                        Ok(r) => Sent::Unknown(format!("status {}", r.status())),
                        Err(e) => Sent::Unknown(e.to_string()),
                    };
                    outcomes.lock().unwrap().insert(b, sent);
                }
            })
        })
        .collect();
    wait_until("six requests accepted", || {
        accepted_count.load(Ordering::SeqCst) >= 6
    });
    let waiting = metric(&server.metrics(), "aegis_queue_depth");
    server.kill();
    for s in senders {
        s.join().unwrap();
    }
    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
    assert!(
        waiting.is_some_and(|n| n > 0.0),
        "traces were waiting when the process was killed ({waiting:?})"
    );
    let mut accepted: BTreeSet<String> = backlog_keys.iter().cloned().collect();
    let mut unknown: Vec<usize> = Vec::new();
    for (b, sent) in &outcomes {
        match sent {
            Sent::Accepted(keys) => {
                let sent: Vec<String> = (0..per_batch)
                    .map(|i| format!("id:{}-{i}", batch_prefix(*b)))
                    .collect();
                assert_eq!(keys, &sent, "Tier 0 kept the ids");
                accepted.extend(keys.iter().cloned());
            }
            Sent::Unknown(why) => {
                eprintln!("request {b}: {why}");
                unknown.push(*b);
            }
        }
    }
    assert_eq!(outcomes.len(), n_batches);
    assert!(
        !unknown.is_empty(),
        "the server was killed before the last request: some got no 202"
    );
    eprintln!(
        "killed with {waiting:?} traces waiting, after {} accepted; {} requests unanswered",
        accepted.len(),
        unknown.len()
    );

    // Restarted on the same directory, it finishes the queue.
    let server = Server::start(&svc, &[]);
    let expected: Vec<String> = accepted.iter().cloned().collect();
    wait_drained(&server);
    server.wait_stored(&org.key, &expected);

    // Exactly one result for every accepted trace; anything else stored is a whole request
    // that was committed without its answer reaching us.
    let rows = server.list_all(&org.key, 150);
    let stored: Vec<String> = rows
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_owned())
        .collect();
    let distinct: BTreeSet<String> = stored.iter().cloned().collect();
    assert_eq!(
        distinct.len(),
        stored.len(),
        "a key was listed twice (or a page repeated)"
    );
    assert_eq!(server.total(&org.key), stored.len() as u64);
    let missing: Vec<&String> = accepted.difference(&distinct).collect();
    assert!(missing.is_empty(), "accepted and lost: {missing:?}");
    let mut unknown_stored = 0;
    for b in &unknown {
        let keys: BTreeSet<String> = (0..per_batch)
            .map(|i| format!("id:{}-{i}", batch_prefix(*b)))
            .collect();
        let n = keys.intersection(&distinct).count();
        assert!(
            n == 0 || n == per_batch,
            "request {b} was stored in part ({n} of {per_batch}): a request is one transaction"
        );
        unknown_stored += n;
    }
    assert_eq!(
        stored.len(),
        accepted.len() + unknown_stored,
        "stored results that no request sent: {:?}",
        distinct
            .iter()
            .filter(|k| !accepted.contains(*k))
            .collect::<Vec<_>>()
    );
    for row in &rows {
        assert_ne!(row["result"]["verdict"], "error", "{row}");
        assert!(row["trace"]["output"].is_string(), "{row}");
    }
    if unknown_stored == 0 {
        assert_eq!(server.total(&org.key), accepted.len() as u64);
    }
    // Evaluated exactly once: one entry in each result's audit trail (the 400, and every
    // twentieth of the backlog).
    let store = svc.join("orgs").join(&org.id).join("store.db");
    let sample = distinct
        .iter()
        .filter(|k| !k.starts_with("id:bl-"))
        .chain(backlog_keys.iter().step_by(20));
    for key in sample {
        let shown: Value = serde_json::from_str(&run_ok(
            aegis()
                .args(["traces", "show", key, "--json", "--store"])
                .arg(&store),
        ))
        .unwrap();
        assert_eq!(
            shown["audit"].as_array().map(Vec::len),
            Some(1),
            "{key} was evaluated more than once: {}",
            shown["audit"]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Ingest.

#[test]
fn ingest_rejects_bad_lines_by_number_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &[]);
    let key = &org.key;

    // A good line, a bad one holding an SSN, a good one.
    let body = format!(
        "{}\n{}\n{}\n",
        healthcare("hc-001"),
        r#"{"output": "SSN 123-45-6789" ,,,"#,
        healthcare("hc-002")
    );
    let (status, receipt) = parse(server.post(key, "/v1/traces", body));
    assert_eq!(status, StatusCode::ACCEPTED, "{receipt}");
    let accepted = receipt["accepted"].as_array().unwrap();
    assert_eq!(
        accepted
            .iter()
            .map(|a| a["line"].clone())
            .collect::<Vec<_>>(),
        [json!(1), json!(3)],
        "{receipt}"
    );
    assert_eq!(accepted_keys(&receipt), ["id:hc-001", "id:hc-002"]);
    assert!(
        accepted
            .iter()
            .all(|a| a["domain"] == "healthcare" && a["queued"] == true)
    );
    let rejected = receipt["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{receipt}");
    assert_eq!(rejected[0]["line"], 2);
    let error = rejected[0]["error"].as_str().unwrap();
    assert!(error.contains("line 2"), "{error}");
    for secret in ["123-45-6789", "SSN"] {
        assert!(
            !error.contains(secret),
            "the error repeats the line: {error}"
        );
    }

    // Only bad lines: 400, each named.
    let (status, receipt) = parse(server.post(
        key,
        "/v1/traces",
        "{\"output\": \"SSN 123-45-6789\" ,,,\nnot json\n",
    ));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{receipt}");
    assert_eq!(receipt["accepted"], json!([]));
    assert_eq!(
        receipt["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].clone())
            .collect::<Vec<_>>(),
        [json!(1), json!(2)]
    );
    assert!(!receipt.to_string().contains("123-45-6789"), "{receipt}");

    // A trace of no domain of this service, and one naming none: rejected, named.
    let mut no_domain = healthcare("hc-004");
    no_domain["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("domain");
    let mut unknown_domain = healthcare("hc-005");
    unknown_domain["metadata"]["domain"] = json!("astrology");
    let (status, receipt) = parse(server.post(
        key,
        "/v1/traces",
        jsonl(&[no_domain.clone(), unknown_domain]),
    ));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{receipt}");
    assert_eq!(receipt["rejected"].as_array().unwrap().len(), 2);
    // ... unless the request names the domain.
    let receipt_with_domain = {
        let (status, r) =
            parse(server.post(key, "/v1/traces?domain=healthcare", no_domain.to_string()));
        assert_eq!(status, StatusCode::ACCEPTED, "{r}");
        r
    };
    assert_eq!(accepted_keys(&receipt_with_domain), ["id:hc-004"]);

    // A JSON array: elements numbered from 1; a bad element is named by its number.
    let array = json!([
        healthcare("hc-006"),
        {"id": "bad", "output": 5},
        healthcare("hc-007"),
    ]);
    let receipt = server.ingest(key, array.to_string());
    assert_eq!(
        accepted_keys(&receipt),
        ["id:hc-006", "id:hc-007"],
        "{receipt}"
    );
    assert_eq!(receipt["rejected"][0]["line"], 2, "{receipt}");
    // One JSON object, pretty-printed.
    let receipt = server.ingest(
        key,
        serde_json::to_string_pretty(&healthcare("hc-008")).unwrap(),
    );
    assert_eq!(accepted_keys(&receipt), ["id:hc-008"], "{receipt}");
    // Gzip.
    let receipt = {
        let r = server
            .request(reqwest::Method::POST, Some(key), "/v1/traces")
            .header("content-encoding", "gzip")
            .body(gzip(
                jsonl(&[healthcare("hc-009"), healthcare("hc-010")]).as_bytes(),
            ))
            .send()
            .unwrap();
        let (status, receipt) = parse(r);
        assert_eq!(status, StatusCode::ACCEPTED, "{receipt}");
        receipt
    };
    assert_eq!(accepted_keys(&receipt), ["id:hc-009", "id:hc-010"]);
    // The same trace twice in one request: one key, queued once.
    let receipt = server.ingest(key, jsonl(&[healthcare("hc-011"), healthcare("hc-011")]));
    assert_eq!(accepted_keys(&receipt), ["id:hc-011", "id:hc-011"]);
    let queued: Vec<&Value> = receipt["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["queued"])
        .collect();
    assert_eq!(queued, [&json!(true), &json!(false)], "{receipt}");

    let expected: Vec<String> = [
        "hc-001", "hc-002", "hc-004", "hc-006", "hc-007", "hc-008", "hc-009", "hc-010", "hc-011",
    ]
    .iter()
    .map(|id| format!("id:{id}"))
    .collect();
    let rows = server.wait_stored(key, &expected);
    let first_hc001 = rows[0].clone();
    assert_eq!(first_hc001["result"]["trace_id"], "hc-001");
    assert_eq!(
        rows[1]["result"]["verdict"], "fail",
        "hc-002 is an overdose"
    );

    // hc-001 again: the same key, evaluated again, still one result.
    let receipt = server.ingest(key, healthcare("hc-001").to_string());
    assert_eq!(accepted_keys(&receipt), ["id:hc-001"]);
    let first_at = first_hc001["evaluated_at_ms"].as_i64().unwrap();
    wait_until("hc-001 evaluated again", || {
        server.stored(key, "hc-001").unwrap()["evaluated_at_ms"]
            .as_i64()
            .unwrap()
            > first_at
    });
    wait_until("the queue to drain", || {
        metric(&server.metrics(), "aegis_queue_depth") == Some(0.0)
    });
    let listed = server.list_all(key, 1000);
    let keys: Vec<&str> = listed.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys.iter().filter(|k| **k == "id:hc-001").count(),
        1,
        "{keys:?}"
    );
    assert_eq!(listed.len(), expected.len(), "{keys:?}");
    assert_eq!(server.total(key), expected.len() as u64);
    // No result for the rejected lines.
    assert!(
        listed.iter().all(|r| r["result"]["verdict"] != "error"),
        "{listed:?}"
    );
    let metrics = server.metrics();
    assert_eq!(
        metric(&metrics, "aegis_lines_rejected_total"),
        Some(6.0),
        "{metrics}"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Errors.

#[test]
fn errors_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let other = create_org(&svc, "Beta Clinic");
    let mut server = Server::start(&svc, &["--body-limit", "1000"]);

    // Authentication.
    let no_auth = server
        .request(reqwest::Method::GET, None, "/v1/traces")
        .send()
        .unwrap();
    assert_error(
        no_auth,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        Some("Authorization"),
    );
    let wrong_secret = format!(
        "{}{}",
        &org.key[..org.key.len() - 1],
        if org.key.ends_with('0') { '1' } else { '0' }
    );
    for bad in [
        wrong_secret.as_str(),
        "aegis_000000000000_0000",
        "not-a-key",
    ] {
        assert_error(
            server.get(bad, "/v1/traces"),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Some("Authorization"),
        );
    }
    let basic = server
        .request(reqwest::Method::GET, None, "/v1/traces")
        .header("authorization", format!("Basic {}", org.key))
        .send()
        .unwrap();
    assert_error(basic, StatusCode::UNAUTHORIZED, "unauthorized", None);
    // An error never repeats the key it was sent.
    let (_, body) = parse(server.get(&wrong_secret, "/v1/traces"));
    assert!(!body.to_string().contains(&wrong_secret[10..]), "{body}");

    // A second key, revoked while the server runs.
    let created = run_ok(
        aegis()
            .args(["keys", "create", "Acme Health", "--label", "ci", "--store"])
            .arg(&svc),
    );
    let lines: Vec<&str> = created.lines().collect();
    assert_eq!(lines.len(), 3, "{created}");
    let key_id = lines[0].split_whitespace().nth(1).unwrap().to_owned();
    let second = lines[2].trim().to_owned();
    assert_eq!(server.get(&second, "/v1/traces").status(), StatusCode::OK);
    let listed = run_ok(aegis().args(["keys", "list", "--store"]).arg(&svc));
    assert!(listed.contains(&key_id), "{listed}");
    assert!(!listed.contains(&second), "keys list shows a secret");
    run_ok(
        aegis()
            .args(["keys", "revoke", &key_id, "--store"])
            .arg(&svc),
    );
    assert_error(
        server.get(&second, "/v1/traces"),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        None,
    );
    assert_eq!(
        server.get(&org.key, "/v1/traces").status(),
        StatusCode::OK,
        "revoking one key leaves the others"
    );
    let revoked_again = aegis()
        .args(["keys", "revoke", "aegis_nokey", "--store"])
        .arg(&svc)
        .output()
        .unwrap();
    assert!(!revoked_again.status.success());

    // The body limit (1,000 bytes), before and after decompression.
    let big = jsonl(&[healthcare("hc-001"), healthcare("hc-002")]);
    assert!(big.len() > 1000);
    let r = server.post(&org.key, "/v1/traces", big.clone());
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let bomb = json!({
        "id": "gz",
        "input": "q",
        "output": "a".repeat(50_000),
        "metadata": {"domain": "healthcare"},
    })
    .to_string();
    let compressed = gzip(bomb.as_bytes());
    assert!(compressed.len() < 1000, "{}", compressed.len());
    let r = server
        .request(reqwest::Method::POST, Some(&org.key), "/v1/traces")
        .header("content-encoding", "gzip")
        .body(compressed)
        .send()
        .unwrap();
    assert_error(
        r,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        Some("body"),
    );
    let r = server
        .request(reqwest::Method::POST, Some(&org.key), "/v1/evaluate")
        .header("content-encoding", "gzip")
        .body(gzip(bomb.as_bytes()))
        .send()
        .unwrap();
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None);
    let r = server
        .request(reqwest::Method::POST, Some(&org.key), "/v1/traces")
        .header("content-encoding", "gzip")
        .body("this is not gzip")
        .send()
        .unwrap();
    assert_error(
        r,
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("Content-Encoding"),
    );
    let r = server
        .request(reqwest::Method::POST, Some(&org.key), "/v1/traces")
        .header("content-encoding", "br")
        .body("{}")
        .send()
        .unwrap();
    assert_error(
        r,
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("Content-Encoding"),
    );
    // A small trace still goes in.
    let small =
        json!({"id": "small", "input": "q", "output": "a", "metadata": {"domain": "healthcare"}});
    server.ingest(&org.key, small.to_string());

    // Bad parameters, each named.
    for (path, field) in [
        ("/v1/traces?verdict=maybe", "verdict"),
        ("/v1/traces?severity=huge", "severity"),
        ("/v1/traces?limit=0", "limit"),
        ("/v1/traces?limit=5000", "limit"),
        ("/v1/traces?since=yesterday-ish", "since"),
        ("/v1/traces?cursor=zz", "cursor"),
        ("/v1/analytics/summary?verdict=maybe", "verdict"),
        ("/v1/live?verdict=maybe", "verdict"),
        ("/v1/traces/small/similar?limit=0", "limit"),
    ] {
        let body = assert_error(
            server.get(&org.key, path),
            StatusCode::BAD_REQUEST,
            "bad_request",
            Some(field),
        );
        assert!(!body.to_string().contains("maybe"), "{path}: {body}");
    }
    assert_error(
        server.post(&org.key, "/v1/traces?domain=astrology", small.to_string()),
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("domain"),
    );
    assert_error(
        server.post(&org.key, "/v1/traces/search", "{\"limit\": 3}"),
        StatusCode::BAD_REQUEST,
        "bad_request",
        None,
    );
    assert_error(
        server.post(
            &org.key,
            "/v1/traces/search",
            json!({"query": "\"unterminated"}).to_string(),
        ),
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("query"),
    );
    assert_error(
        server.post(
            &org.key,
            "/v1/review/labels",
            json!({"key": "small", "verdict": "maybe", "reviewer": "x"}).to_string(),
        ),
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("verdict"),
    );
    assert_eq!(server.terminate(DEADLINE).and_then(|s| s.code()), Some(0));

    // The rate limit: 2 requests a second for each organisation, `429` with Retry-After above.
    let server = Server::start(&svc, &["--rate-limit", "2"]);
    let mut ok = 0;
    let mut limited = 0;
    for _ in 0..12 {
        let r = server.get(&org.key, "/v1/traces?limit=1");
        match r.status() {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                limited += 1;
                let retry: u64 = header(&r, "retry-after")
                    .parse()
                    .expect("Retry-After is a number of seconds");
                assert!((1..=2).contains(&retry), "Retry-After {retry}");
                assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited", None);
            }
            other => panic!("{other}"),
        }
    }
    assert!(ok >= 1, "{ok} passed");
    assert!(limited >= 8, "{limited} of 12 quick requests were limited");
    // Another organisation has a bucket of its own.
    assert_eq!(
        server.get(&other.key, "/v1/traces").status(),
        StatusCode::OK
    );
    // After Retry-After, the first organisation may go on.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(
        server.get(&org.key, "/v1/traces?limit=1").status(),
        StatusCode::OK
    );
    let metrics = server.metrics();
    assert!(
        metric(&metrics, "aegis_rate_limited_total").unwrap_or(0.0) >= limited as f64,
        "{metrics}"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Evaluation in the request.

#[test]
fn evaluate_in_the_request_returns_a_decision() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &[]);
    let key = &org.key;
    let evaluate = |body: String| parse(server.post(key, "/v1/evaluate", body));

    // hc-002: 6,000 mg of acetaminophen a day, a Tier-1 failure (examples/traces/
    // healthcare.expected.json: no_medication_overdose).
    let (status, answer) = evaluate(healthcare("hc-002").to_string());
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["key"], "id:hc-002");
    assert_eq!(answer["decision"]["action"], "block", "{answer}");
    assert!(
        answer["decision"]["reason"]
            .as_str()
            .unwrap()
            .contains("no_medication_overdose"),
        "{answer}"
    );
    assert_eq!(answer["result"]["verdict"], "fail");
    assert_eq!(answer["result"]["decided_by"], "rules");
    // Stored too, like a queued trace's result (a few milliseconds after the answer: the
    // results of evaluations in the request are committed in groups).
    let stored = server.wait_stored(key, &["id:hc-002".to_owned()]).remove(0);
    assert_eq!(stored["result"]["verdict"], "fail");
    assert_eq!(stored["result"], answer["result"]);

    // hc-001: a clean answer with no PHI: allowed as it is.
    let (status, answer) = evaluate(healthcare("hc-001").to_string());
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"]["verdict"], "pass", "{answer}");
    assert_eq!(answer["decision"], json!({"action": "allow"}), "{answer}");

    // The same clean answer addressed to a patient by name: sent on redacted.
    let mut named = with_id(&healthcare("hc-001"), "named-1");
    let clean_output = named["output"].as_str().unwrap().to_owned();
    named["output"] = json!(format!("Hello John Smith (MRN 12345678). {clean_output}"));
    let (status, answer) = evaluate(named.to_string());
    assert_eq!(status, StatusCode::OK, "{answer}");
    match answer["decision"]["action"].as_str().unwrap() {
        "redact" => {
            let text = answer["decision"]["text"].as_str().unwrap();
            assert_no_raw_identifier(text);
            assert!(text.ends_with(&clean_output), "{text}");
        }
        "allow" => panic!("Tier 0 changed the output, yet it is allowed as it was: {answer}"),
        other => assert_eq!(
            answer["result"]["verdict"], "needs_review",
            "{other}: {answer}"
        ),
    }
    assert_no_raw_identifier(&answer.to_string());

    // Every bundled trace: the decision follows the verdict.
    for trace in examples("healthcare") {
        let (status, answer) = evaluate(trace.to_string());
        assert_eq!(status, StatusCode::OK, "{answer}");
        let action = answer["decision"]["action"].as_str().unwrap();
        let expected: &[&str] = match answer["result"]["verdict"].as_str().unwrap() {
            "fail" | "error" => &["block"],
            "needs_review" => &["review"],
            "pass" => &["allow", "redact"],
            other => panic!("verdict {other}"),
        };
        assert!(
            expected.contains(&action),
            "{}: {action} for {}",
            trace["id"],
            answer["result"]["verdict"]
        );
    }

    // One trace a request.
    for body in [
        jsonl(&[healthcare("hc-001"), healthcare("hc-002")]),
        json!([healthcare("hc-001"), healthcare("hc-002")]).to_string(),
    ] {
        let error = assert_error(
            server.post(key, "/v1/evaluate", body),
            StatusCode::BAD_REQUEST,
            "bad_request",
            Some("body"),
        );
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("/v1/traces"),
            "{error}"
        );
    }
    assert_error(
        server.post(key, "/v1/evaluate", ""),
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("body"),
    );
    let error = assert_error(
        server.post(key, "/v1/evaluate", r#"{"output": "SSN 123-45-6789" ,,,"#),
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("body"),
    );
    assert!(!error.to_string().contains("123-45-6789"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// 6. Operations.

#[test]
fn operations() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let mut server = Server::start(&svc, &[]);

    let r = server
        .request(reqwest::Method::GET, None, "/healthz")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = server
        .request(reqwest::Method::GET, None, "/readyz")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let hc = examples("healthcare");
    let keys = accepted_keys(&server.ingest(&org.key, jsonl(&hc)));
    let rows = server.wait_stored(&org.key, &keys);
    for row in &rows {
        let tiers = row["result"]["tiers"].as_array().unwrap();
        assert_eq!(tiers.len(), 5, "every result reports all five tiers: {row}");
        assert_eq!(tiers[0]["tier"], "sanitize");
        assert_eq!(
            tiers[0]["status"], "completed",
            "Tier 0 ran at ingest: {row}"
        );
    }
    wait_until("the queue to drain", || {
        metric(&server.metrics(), "aegis_queue_depth") == Some(0.0)
    });
    let r = server
        .request(reqwest::Method::GET, None, "/metrics")
        .send()
        .unwrap();
    let content_type = header(&r, "content-type");
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = r.text().unwrap();
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
    assert_eq!(
        metric(&text, "aegis_traces_ingested_total{domain=\"healthcare\"}"),
        Some(hc.len() as f64),
        "{text}"
    );
    assert_eq!(
        metric_sum(
            &text,
            "aegis_traces_evaluated_total",
            "domain=\"healthcare\""
        ),
        hc.len() as f64,
        "{text}"
    );
    // Per verdict, as stored.
    for verdict in ["pass", "fail", "needs_review"] {
        let stored = rows
            .iter()
            .filter(|r| r["result"]["verdict"] == verdict)
            .count();
        assert_eq!(
            metric_sum(
                &text,
                "aegis_traces_evaluated_total",
                &format!("verdict=\"{verdict}\"")
            ),
            stored as f64,
            "{verdict}: {text}"
        );
    }
    assert_eq!(metric(&text, "aegis_queue_depth"), Some(0.0));
    assert_eq!(metric(&text, "aegis_worker_errors_total"), Some(0.0));
    assert!(text.contains("aegis_tier_latency_seconds_count{tier=\"rules\"}"));

    // An organisation created while the server runs is served at once.
    let late = create_org(&svc, "Late Clinic");
    let late_keys = accepted_keys(&server.ingest(&late.key, healthcare("hc-003").to_string()));
    server.wait_stored(&late.key, &late_keys);

    // SIGTERM right after more traces are accepted: the server exits 0, and every trace it
    // accepted has a result (before it stopped, or after the restart).
    let more = synthesised("term", 300);
    let mut accepted = keys.clone();
    for chunk in more.chunks(50) {
        accepted.extend(accepted_keys(&server.ingest(&org.key, jsonl(chunk))));
    }
    let status = server
        .terminate(Duration::from_secs(30))
        .unwrap_or_else(|| panic!("no exit 30 s after SIGTERM: {}", server.log()));
    assert_eq!(status.code(), Some(0), "{}", server.log());
    let server = Server::start(&svc, &[]);
    server.wait_stored(&org.key, &accepted);
    wait_until("the queue to drain after the restart", || {
        metric(&server.metrics(), "aegis_queue_depth") == Some(0.0)
    });
    assert_eq!(server.total(&org.key), accepted.len() as u64);
    assert_eq!(server.total(&late.key), 1);
}

// ---------------------------------------------------------------------------------------------
// 7. Review.

#[test]
fn review_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &[]);
    let key = &org.key;
    let hc = examples("healthcare");
    let keys = accepted_keys(&server.ingest(key, jsonl(&hc)));
    server.wait_stored(key, &keys);

    // The tasks are the results that need review.
    let (status, needs) = parse(server.get(key, "/v1/traces?verdict=needs_review&limit=1000"));
    assert_eq!(status, StatusCode::OK);
    let needs: BTreeSet<String> = needs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_owned())
        .collect();
    let (status, tasks) = parse(server.get(key, "/v1/review/tasks?limit=1000"));
    assert_eq!(status, StatusCode::OK, "{tasks}");
    let tasks = tasks.as_array().unwrap().clone();
    let task_keys: BTreeSet<String> = tasks
        .iter()
        .map(|t| t["key"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        !needs.is_empty(),
        "some bundled traces end needs_review without a judge"
    );
    assert_eq!(task_keys, needs);
    for t in &tasks {
        assert_eq!(t["machine_verdict"], "needs_review", "{t}");
        assert!(t["trace"]["output"].is_string(), "{t}");
    }

    // A label with notes naming the patient: stored sanitised, and the task is closed.
    let task = tasks[0]["key"].as_str().unwrap().to_owned();
    let notes =
        "Called the patient John Smith (MRN 12345678) at 555-867-5309: the advice was wrong.";
    let (status, label) = parse(server.post_json(
        key,
        "/v1/review/labels",
        &json!({
            "key": task,
            "verdict": "fail",
            "severity": "high",
            "notes": notes,
            "reviewer": "dr-qa",
        }),
    ));
    assert_eq!(status, StatusCode::CREATED, "{label}");
    assert_eq!(label["key"], task.as_str());
    assert_eq!(label["verdict"], "fail");
    assert_eq!(label["severity"], "high");
    assert_eq!(label["reviewer"], "dr-qa");
    let answered = label["notes"].as_str().unwrap();
    assert_no_raw_identifier(answered);
    assert!(!answered.contains("555-867-5309"), "{answered}");
    assert!(answered.contains("the advice was wrong"), "{answered}");

    let store = svc.join("orgs").join(&org.id).join("store.db");
    let labels = run_ok(aegis().args(["review", "labels", "--store"]).arg(&store));
    let stored: Vec<Value> = labels
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(stored.len(), 1, "{labels}");
    assert_eq!(stored[0]["key"], task.as_str());
    let stored_notes = stored[0]["notes"].as_str().unwrap();
    assert_no_raw_identifier(stored_notes);
    assert!(!stored_notes.contains("555-867-5309"), "{stored_notes}");
    assert_eq!(stored_notes, answered);

    let (_, after) = parse(server.get(key, "/v1/review/tasks?limit=1000"));
    let after: BTreeSet<String> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap().to_owned())
        .collect();
    assert!(!after.contains(&task), "the labelled task is still open");
    assert_eq!(after.len(), task_keys.len() - 1);
    let (_, models) = parse(server.get(key, "/v1/analytics/models"));
    assert_eq!(models["labelled"], 1, "{models}");

    // Labels that cannot be recorded, each named.
    assert_error(
        server.post_json(
            key,
            "/v1/review/labels",
            &json!({"key": "id:no-such-trace", "verdict": "pass", "reviewer": "x"}),
        ),
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_error(
        server.post_json(
            key,
            "/v1/review/labels",
            &json!({"key": task, "verdict": "fail", "severity": "apocalyptic", "reviewer": "x"}),
        ),
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("severity"),
    );
    assert_error(
        server.post_json(
            key,
            "/v1/review/labels",
            &json!({"key": task, "verdict": "pass"}),
        ),
        StatusCode::BAD_REQUEST,
        "bad_request",
        None,
    );
}

// ---------------------------------------------------------------------------------------------
// Bugs found: each asserts the correct behaviour.

#[test]
fn a_body_over_the_limit_is_answered_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &["--body-limit", "1000"]);
    let big = jsonl(&[healthcare("hc-001"), healthcare("hc-002")]);
    assert_error(
        server.post(&org.key, "/v1/traces", big),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        Some("body"),
    );
}

#[test]
fn a_query_parameter_of_the_wrong_type_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &[]);
    assert_error(
        server.get(&org.key, "/v1/traces?limit=abc"),
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("limit"),
    );
}

#[test]
fn an_ingest_request_with_no_trace_is_a_bad_request() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &[]);
    for body in ["", "\n\n"] {
        assert_error(
            server.post(&org.key, "/v1/traces", body),
            StatusCode::BAD_REQUEST,
            "bad_request",
            Some("body"),
        );
    }
}

#[test]
fn sigterm_stops_the_server_while_a_live_subscriber_is_connected() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let mut server = Server::start(&svc, &[]);
    let mut feed = server.subscribe(&org.key);
    let keys = accepted_keys(&server.ingest(&org.key, healthcare("hc-001").to_string()));
    feed.wait_for(&keys);
    let status = server.terminate(Duration::from_secs(30));
    assert!(
        status.is_some(),
        "still running 30 s after SIGTERM, held by an open /v1/live stream"
    );
    assert_eq!(status.unwrap().code(), Some(0));
}

#[test]
fn a_trace_is_found_and_deleted_by_the_id_it_was_sent_with() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &[]);
    // A UUID, as most clients send: Tier 0 takes it for an identifier and stores the trace
    // under a keyed pseudonym (`trace-…`).
    let id = "550e8400-e29b-41d4-a716-446655440000";
    let trace = with_id(&healthcare("hc-001"), id);
    let keys = accepted_keys(&server.ingest(&org.key, trace.to_string()));
    server.wait_stored(&org.key, &keys);
    assert!(
        server.stored(&org.key, id).is_some(),
        "GET /v1/traces/{id} does not find the trace sent with that id (stored as {keys:?})"
    );
    assert_eq!(
        server
            .delete(&org.key, &format!("/v1/traces/{id}"))
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(server.total(&org.key), 0);
}

#[test]
fn the_authorization_scheme_is_case_insensitive() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &[]);
    // RFC 9110 §11.1: the scheme is case-insensitive (`bearer` is `Bearer`).
    let r = server
        .request(reqwest::Method::GET, None, "/v1/traces")
        .header("authorization", format!("bearer {}", org.key))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// Queues `n` traces at once, so that what is sent next waits behind them.
fn backlog(server: &Server, key: &str, prefix: &str, n: usize) -> Vec<String> {
    let keys = accepted_keys(&server.ingest(key, jsonl(&synthesised(prefix, n))));
    assert_eq!(keys.len(), n);
    keys
}

/// Waits until no trace waits in any queue.
fn wait_drained(server: &Server) {
    wait_until("the queue to drain", || {
        metric(&server.metrics(), "aegis_queue_depth") == Some(0.0)
    });
}

#[test]
fn a_trace_sent_again_while_its_first_version_waits_is_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &[]);
    backlog(&server, &org.key, "bl", 3000);
    // Version 1 (a clean answer), then a corrected version 2 (an overdose) under the same id.
    let v1 = with_id(&healthcare("hc-001"), "upd-1");
    let v2 = with_id(&healthcare("hc-002"), "upd-1");
    let r1 = server.ingest(&org.key, v1.to_string());
    let r2 = server.ingest(&org.key, v2.to_string());
    assert_eq!(accepted_keys(&r1), accepted_keys(&r2));
    wait_drained(&server);
    let row = server.stored(&org.key, "upd-1").expect("stored");
    assert_eq!(
        (
            row["result"]["verdict"].as_str(),
            row["trace"]["output"].as_str()
        ),
        (Some("fail"), v2["output"].as_str()),
        "the last version accepted (202, {r2}) is what is evaluated and stored, not the first"
    );
}

#[test]
fn a_queued_older_version_does_not_overwrite_an_evaluation_in_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &[]);
    backlog(&server, &org.key, "bl", 3000);
    let v1 = with_id(&healthcare("hc-001"), "upd-2");
    let v2 = with_id(&healthcare("hc-002"), "upd-2");
    server.ingest(&org.key, v1.to_string());
    let (status, answer) = parse(server.post(&org.key, "/v1/evaluate", v2.to_string()));
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["decision"]["action"], "block");
    wait_drained(&server);
    let row = server.stored(&org.key, "upd-2").expect("stored");
    assert_eq!(
        row["result"]["verdict"], "fail",
        "the stored result is the one the caller acted on (block), not the older queued version's: {}",
        row["trace"]["output"]
    );
}

#[test]
fn deleting_a_trace_accepted_but_not_yet_evaluated_deletes_it() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let server = Server::start(&svc, &[]);
    backlog(&server, &org.key, "bl", 3000);
    let keys = accepted_keys(&server.ingest(
        &org.key,
        with_id(&healthcare("hc-001"), "del-1").to_string(),
    ));
    let status = server.delete(&org.key, "/v1/traces/del-1").status();
    wait_drained(&server);
    assert_eq!(
        server.stored(&org.key, &keys[0]).map(|r| r["key"].clone()),
        None,
        "DELETE answered {status}, and the trace was stored afterwards"
    );
}

#[test]
fn a_second_server_on_the_same_directory_evaluates_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let org = create_org(&svc, "Acme Health");
    let first = Server::start(&svc, &[]);
    let n = 3000;
    backlog(&first, &org.key, "two", n);
    // A second process on the directory (a rolling restart, a second replica) while the first
    // is working through the queue. Refusing to start would be right too.
    let Ok(second) = Server::try_start(&svc, &[]) else {
        return;
    };
    let evaluated = || {
        [&first, &second]
            .iter()
            .map(|s| metric_sum(&s.metrics(), "aegis_traces_evaluated_total", ""))
            .sum::<f64>()
    };
    wait_drained(&first);
    wait_until("every trace evaluated", || evaluated() >= n as f64);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(first.total(&org.key), n as u64);
    assert_eq!(
        evaluated(),
        n as f64,
        "traces were evaluated twice: the second server released the first's claimed batches"
    );
}

#[test]
fn one_organisations_missing_store_does_not_take_down_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service_dir(&dir);
    let alpha = create_org(&svc, "Alpha");
    let beta = create_org(&svc, "Beta");
    std::fs::rename(
        svc.join("orgs").join(&alpha.id),
        dir.path().join("alpha-moved"),
    )
    .unwrap();
    let server = Server::try_start(&svc, &[]).unwrap_or_else(|log| {
        panic!("one organisation's missing store stops the service for every other: {log}")
    });
    let keys = accepted_keys(&server.ingest(&beta.key, healthcare("hc-001").to_string()));
    server.wait_stored(&beta.key, &keys);
    let r = server.get(&alpha.key, "/v1/traces");
    assert!(r.status().is_server_error(), "{}", r.status());
}

#[test]
fn an_export_to_phoenix_names_what_is_wrong_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = service_dir(&dir);
    create_org(&store, "acme");
    for (option, says) in [
        ("acme", "no `=`"),
        ("nobody=http://127.0.0.1:6006", "no such organisation"),
        (
            "acme=ftp://127.0.0.1:6006",
            "the URL is not http:// or https://",
        ),
    ] {
        let out = aegis()
            .args(["serve", "--addr", "127.0.0.1:0", "--store"])
            .arg(&store)
            .args(["--export-phoenix", option])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{option}: {stderr}");
        assert!(
            stderr.contains(&format!("--export-phoenix {option}: {says}")),
            "{option}: {stderr}"
        );
    }
    // Langfuse needs its keys; an OTLP header list must parse, and its error shows no value.
    for (flag, env, says) in [
        (
            "--export-langfuse",
            vec![("LANGFUSE_PUBLIC_KEY", "pk-lf-1")],
            "--export-langfuse acme=http://127.0.0.1:3000: Langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY",
        ),
        (
            "--export-otlp",
            vec![(
                "OTEL_EXPORTER_OTLP_HEADERS",
                "authorization=Bearer s3cret,broken",
            )],
            "OTEL_EXPORTER_OTLP_HEADERS: entry 2 has no `=`",
        ),
    ] {
        let mut command = aegis();
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--store"])
            .arg(&store)
            .args([flag, "acme=http://127.0.0.1:3000"])
            .env_remove("LANGFUSE_SECRET_KEY")
            .env_remove("OTEL_EXPORTER_OTLP_LOGS_HEADERS");
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(stderr.contains(says), "{flag}: {stderr}");
        assert!(!stderr.contains("s3cret"), "{stderr}");
    }
}

/// This machine's address on its network (not loopback): where a UDP socket would send from
/// to reach another host (nothing is sent).
fn network_address() -> std::net::IpAddr {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    s.connect("192.0.2.1:9")
        .expect("this machine has a network route");
    let ip = s.local_addr().unwrap().ip();
    assert!(!ip.is_loopback() && !ip.is_unspecified(), "{ip}");
    ip
}

#[test]
fn metrics_are_for_the_operator() {
    let dir = tempfile::tempdir().unwrap();
    let store = service_dir(&dir);
    create_org(&store, "acme");
    // With a token, everyone needs it, a client on this machine too.
    let server = Server::start(&store, &["--metrics-token", "operator-secret-1"]);
    let get = |key: Option<&str>| {
        server
            .request(reqwest::Method::GET, key, "/metrics")
            .send()
            .unwrap()
    };
    assert_error(
        get(None),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        Some("Authorization"),
    );
    assert_error(
        get(Some("operator-secret-2")),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        Some("Authorization"),
    );
    let ok = get(Some("operator-secret-1"));
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.text().unwrap().contains("aegis_queue_depth"));
    drop(server);
    // Without a token, a client on this machine reads them, and one elsewhere is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = aegis()
        .args([
            "serve",
            "--no-judge",
            "--addr",
            &format!("0.0.0.0:{port}"),
            "--store",
        ])
        .arg(&store)
        .current_dir(&store)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = Client::builder().timeout(DEADLINE).build().unwrap();
    let local = format!("http://127.0.0.1:{port}");
    wait_until("the server to listen on every address", || {
        http.get(format!("{local}/healthz")).send().is_ok()
    });
    let here = http.get(format!("{local}/metrics")).send().unwrap();
    assert_eq!(here.status(), StatusCode::OK);
    let elsewhere = http
        .get(format!("http://{}:{port}/metrics", network_address()))
        .send()
        .unwrap();
    let body = assert_error(elsewhere, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(body.to_string().contains("--metrics-token"), "{body}");
    let _ = child.kill();
    let _ = child.wait();
}
