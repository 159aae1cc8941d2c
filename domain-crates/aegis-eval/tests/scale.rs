//! A scaled-out service end to end, with faults: the real `aegis-eval serve` (API only) and
//! `aegis-eval worker` processes on a real Redis and PostgreSQL (`scripts/scale/servers.sh`
//! starts them; `scripts/scale/test.sh` runs this with both required). Every trace accepted
//! (`202`) ends with exactly one result, whatever is killed or restarted meanwhile; a trace the
//! store refuses lands in the dead letters while the rest flow on.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on purpose.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::Value;

/// The servers these tests share: one test at a time restarts them.
static SERVERS: Mutex<()> = Mutex::new(());

/// How long results may take to be stored after the last is accepted.
const DEADLINE: Duration = Duration::from_secs(300);

struct Env {
    postgres: String,
    redis: String,
    pg_ctl: String,
    redis_conf: String,
}

fn env() -> Option<Env> {
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (
        get("AEGIS_TEST_POSTGRES"),
        get("AEGIS_TEST_REDIS"),
        get("AEGIS_TEST_PG_CTL"),
        get("AEGIS_TEST_REDIS_CONF"),
    ) {
        (Some(postgres), Some(redis), Some(pg_ctl), Some(redis_conf)) => Some(Env {
            postgres,
            redis,
            pg_ctl,
            redis_conf,
        }),
        _ => {
            assert!(
                std::env::var("AEGIS_REQUIRE_REDIS").is_err(),
                "AEGIS_REQUIRE_REDIS is set but the servers' variables are not (scripts/scale/servers.sh)"
            );
            eprintln!("SKIPPED: no PostgreSQL and Redis (bash scripts/scale/test.sh runs these)");
            None
        }
    }
}

fn aegis() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aegis-eval"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AEGIS_") {
            c.env_remove(name);
        }
    }
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A scaled-out deployment: a service directory with one organisation, an API-only server,
/// and workers, on Redis database `db` (each test its own).
struct Cluster {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    queue: String,
    store: String,
    base: String,
    key: String,
    org_name: String,
    server: Child,
    workers: Vec<Child>,
    http: Client,
}

impl Cluster {
    fn start(env: &Env, db: u32, workers: usize) -> Cluster {
        Cluster::start_with(env, db, workers, &[])
    }

    /// As [`start`](Self::start), with more arguments for the server.
    fn start_with(env: &Env, db: u32, workers: usize, server_args: &[&str]) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let queue = format!("{}{db}", env.redis);
        // A clean database for this test.
        let flushed = Command::new("redis-cli")
            .args(["-u", &queue, "flushdb"])
            .output()
            .unwrap();
        assert!(flushed.status.success());
        // The organisations and keys in PostgreSQL, every API process's; the Tier-0 key files
        // in the directory.
        // The registry is the database's: a name no other test or run has.
        let org_name = format!(
            "acme-{db}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let key = new_key(&["orgs", "create", &org_name], &env.postgres, &path);
        let http = Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let (server, base) = serve(&http, &queue, &env.postgres, &path, server_args);
        let mut cluster = Cluster {
            _dir: dir,
            dir: path,
            queue,
            store: env.postgres.clone(),
            base,
            key,
            org_name,
            server,
            workers: Vec::new(),
            http,
        };
        for _ in 0..workers {
            cluster.add_worker();
        }
        cluster
    }

    fn add_worker(&mut self) {
        self.workers.push(
            aegis()
                .args(["worker", "--workers", "1", "--batch", "200"])
                .args(scale_args(&self.queue, &self.store))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }

    /// Sends `traces` in requests of `chunk`, each again until it is accepted (a 503 or a
    /// failed connection while a server restarts is not an acceptance); the keys accepted.
    fn send(&self, traces: &[String], chunk: usize) -> BTreeSet<String> {
        let mut accepted = BTreeSet::new();
        for part in traces.chunks(chunk) {
            let body = part.join("\n");
            let started = Instant::now();
            loop {
                let answer = self
                    .http
                    .post(format!("{}/v1/traces", self.base))
                    .bearer_auth(&self.key)
                    .body(body.clone())
                    .send();
                match answer {
                    Ok(r) if r.status() == StatusCode::ACCEPTED => {
                        let v: Value = r.json().unwrap();
                        for a in v["accepted"].as_array().unwrap() {
                            accepted.insert(a["key"].as_str().unwrap().to_owned());
                        }
                        break;
                    }
                    other => {
                        assert!(
                            started.elapsed() < Duration::from_secs(120),
                            "a request was never accepted: {:?}",
                            other.map(|r| r.status())
                        );
                        std::thread::sleep(Duration::from_millis(200));
                    }
                }
            }
        }
        accepted
    }

    /// How many results are stored (0 while the API cannot answer).
    fn stored(&self) -> u64 {
        self.http
            .get(format!("{}/v1/analytics/summary", self.base))
            .bearer_auth(&self.key)
            .send()
            .ok()
            .filter(|r| r.status().is_success())
            .and_then(|r| r.json::<Value>().ok())
            .and_then(|v| v["overall"]["total"].as_u64())
            .unwrap_or(0)
    }

    fn wait_for(&self, n: u64) {
        let started = Instant::now();
        while self.stored() < n {
            assert!(
                started.elapsed() < DEADLINE,
                "{} of {n} results stored",
                self.stored()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Every stored key, page by page; a key listed twice is a second result.
    fn stored_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("{}/v1/traces?limit=1000", self.base);
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let page: Value = self
                .http
                .get(url)
                .bearer_auth(&self.key)
                .send()
                .unwrap()
                .json()
                .unwrap();
            for item in page["items"].as_array().unwrap() {
                keys.push(item["key"].as_str().unwrap().to_owned());
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        keys
    }

    fn dead_letters(&self) -> Vec<Value> {
        self.http
            .get(format!("{}/v1/dead-letters?limit=1000", self.base))
            .bearer_auth(&self.key)
            .send()
            .unwrap()
            .json::<Vec<Value>>()
            .unwrap()
    }

    fn metric(&self, name: &str) -> u64 {
        let text = self
            .http
            .get(format!("{}/metrics", self.base))
            .send()
            .unwrap()
            .text()
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no metric {name}"))
    }

    /// Exactly one result per accepted key, nothing else, no dead letter, nothing waiting.
    fn assert_exactly_one_result_each(&self, accepted: &BTreeSet<String>) {
        self.wait_for(accepted.len() as u64);
        // Redeliveries (of what a worker held when it or a server went away) rewrite results
        // until the queue is empty: listed before, a rewritten result moves between pages.
        let started = Instant::now();
        while self.metric("aegis_queue_depth") > 0 || self.metric("aegis_queue_pending") > 0 {
            assert!(started.elapsed() < DEADLINE, "the queue does not drain");
            std::thread::sleep(Duration::from_millis(250));
        }
        let keys = self.stored_keys();
        let distinct: BTreeSet<String> = keys.iter().cloned().collect();
        assert_eq!(keys.len(), distinct.len(), "a key has two results");
        let unexpected: Vec<&String> = distinct.difference(accepted).take(5).collect();
        let missing: Vec<&String> = accepted.difference(&distinct).take(5).collect();
        assert!(
            unexpected.is_empty() && missing.is_empty(),
            "{} stored, {} accepted; stored and not accepted (first 5): {unexpected:?}; \
             accepted and not stored: {missing:?}",
            distinct.len(),
            accepted.len()
        );
        assert!(self.dead_letters().is_empty());
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in self
            .workers
            .iter_mut()
            .chain(std::iter::once(&mut self.server))
        {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Runs an `orgs create` or `keys create` command on the registry in `store` (Tier-0 key files
/// in `dir`), which must succeed; the API key it printed.
fn new_key(command: &[&str], store: &str, dir: &std::path::Path) -> String {
    let out = aegis()
        .args(command)
        .args(["--store", store, "--dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("aegis_"))
        .unwrap()
        .to_owned()
}

/// An API-only `aegis-eval serve` (`--workers 0`) on a free port, once it answers: the process
/// and its base URL.
fn serve(
    http: &Client,
    queue: &str,
    store: &str,
    dir: &std::path::Path,
    more: &[&str],
) -> (Child, String) {
    let port = free_port();
    let server = aegis()
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--workers",
            "0",
        ])
        .args(scale_args(queue, store))
        .args(more)
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while http.get(format!("{base}/healthz")).send().is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, base)
}

fn scale_args(queue: &str, store: &str) -> Vec<String> {
    [
        "--queue",
        queue,
        "--store",
        store,
        "--claim-idle",
        "2",
        "--max-deliveries",
        "4",
        "--no-models",
        "--no-judge",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

/// Traces `from..to` of the healthcare domain, some passing and some failing.
fn traces(from: usize, to: usize) -> Vec<String> {
    (from..to)
        .map(|i| {
            let output = if i % 3 == 0 {
                "Take 9000 mg of acetaminophen daily."
            } else {
                "Rest, fluids, and see your doctor if it gets worse."
            };
            serde_json::json!({
                "id": format!("s-{i}"),
                "input": "What should I do about a headache?",
                "output": output,
                "metadata": { "domain": "healthcare" },
            })
            .to_string()
        })
        .collect()
}

fn sh(command: &str) {
    let status = Command::new("sh")
        .args(["-c", command])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{command}");
}

#[test]
fn three_workers_one_killed_mid_batch_every_trace_has_exactly_one_result() {
    let Some(env) = env() else { return };
    let _servers = SERVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut cluster = Cluster::start(&env, 1, 3);
    let all = traces(0, 100_000);
    let victim = cluster.workers[0].id().to_string();
    let accepted = std::thread::scope(|s| {
        let sending = s.spawn(|| cluster.send(&all, 2_000));
        // Mid-run: one worker is killed as it works (SIGKILL: no goodbye).
        let started = Instant::now();
        while cluster.stored() < 10_000 {
            assert!(started.elapsed() < DEADLINE, "no progress");
            std::thread::sleep(Duration::from_millis(50));
        }
        sh(&format!("kill -9 {victim}"));
        let at_kill = cluster.stored();
        assert!(at_kill < 100_000, "the kill came after the run");
        eprintln!("worker {victim} killed with {at_kill} results stored");
        sending.join().unwrap()
    });
    cluster.workers[0].wait().unwrap();
    assert_eq!(accepted.len(), 100_000);
    cluster.assert_exactly_one_result_each(&accepted);
}

/// 5,000 traces sent, `fault` once 1,000 are stored, 5,000 more sent: each ends with one result.
fn survives(env: &Env, db: u32, fault: impl FnOnce()) {
    let _servers = SERVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cluster = Cluster::start(env, db, 2);
    let mut accepted = cluster.send(&traces(0, 5_000), 500);
    cluster.wait_for(1_000);
    fault();
    accepted.extend(cluster.send(&traces(5_000, 10_000), 500));
    cluster.assert_exactly_one_result_each(&accepted);
}

#[test]
fn redis_restarted_mid_run_loses_nothing_accepted() {
    let Some(env) = env() else { return };
    // A stop and start of the server (its append-only file is fsynced on every write).
    survives(&env, 2, || {
        sh(&format!("redis-cli -u {} shutdown", env.redis));
        sh(&format!("redis-server {}", env.redis_conf));
    });
}

#[test]
fn postgres_restarted_mid_run_workers_reconnect_and_lose_nothing() {
    let Some(env) = env() else { return };
    // As a crash: no clean shutdown, recovery from the WAL.
    survives(&env, 3, || {
        sh(&format!("{} -m immediate restart", env.pg_ctl))
    });
}

#[test]
fn a_poison_trace_becomes_a_dead_letter_while_the_rest_flow_on() {
    let Some(env) = env() else { return };
    let _servers = SERVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cluster = Cluster::start(&env, 4, 2);
    let mut all = traces(0, 2_000);
    // A trace id with a NUL character: accepted, but PostgreSQL stores no NUL in text, so
    // every attempt to store its result fails.
    all.insert(
        1_000,
        r#"{"id":"poison\u0000pill","input":"q","output":"a","metadata":{"domain":"healthcare"}}"#
            .to_owned(),
    );
    let mut accepted = cluster.send(&all, 250);
    assert!(accepted.remove("id:poison\u{0}pill"));
    cluster.wait_for(accepted.len() as u64);
    let started = Instant::now();
    let dead = loop {
        let dead = cluster.dead_letters();
        if !dead.is_empty() {
            break dead;
        }
        assert!(started.elapsed() < DEADLINE, "no dead letter");
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["key"], "id:poison\u{0}pill");
    assert_eq!(dead[0]["deliveries"], 4);
    assert!(
        dead[0]["error"].as_str().unwrap().contains("(22021)"),
        "{}",
        dead[0]
    );
    assert_eq!(cluster.metric("aegis_dead_letters"), 1);
    // And through the command line, by organisation.
    let orgs = aegis()
        .args(["orgs", "list", "--store", &cluster.store, "--dir"])
        .arg(&cluster.dir)
        .output()
        .unwrap();
    let org = String::from_utf8(orgs.stdout)
        .unwrap()
        .lines()
        .find(|l| l.contains(&cluster.org_name))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    let out = aegis()
        .args(["queue", "--json", "--queue", &cluster.queue, "--org", &org])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["depth"]["dead_letters"], 1);
    assert_eq!(v["dead_letters"][0]["key"], "id:poison\u{0}pill");
    let out = aegis()
        .args([
            "queue",
            "--json",
            "--queue",
            &cluster.queue,
            "--org",
            "org_nobody",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["dead_letters"].as_array().unwrap().len(), 0);
    let keys: BTreeSet<String> = cluster.stored_keys().into_iter().collect();
    assert!(
        keys == accepted,
        "{} stored, {} accepted",
        keys.len(),
        accepted.len()
    );
    // The dead letter is its organisation's only: another organisation sees none.
    let other_key = new_key(
        &["orgs", "create", &format!("other-{}", cluster.org_name)],
        &cluster.store,
        &cluster.dir,
    );
    let theirs: Vec<Value> = cluster
        .http
        .get(format!("{}/v1/dead-letters", cluster.base))
        .bearer_auth(&other_key)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(theirs.is_empty());
    // Nor any of its results: the other organisation's schema is its own.
    let listed: Value = cluster
        .http
        .get(format!("{}/v1/traces", cluster.base))
        .bearer_auth(&other_key)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    let mine = cluster
        .http
        .get(format!("{}/v1/traces/s-1", cluster.base))
        .bearer_auth(&cluster.key)
        .send()
        .unwrap();
    assert_eq!(mine.status(), StatusCode::OK);
    let found = cluster
        .http
        .get(format!("{}/v1/traces/s-1", cluster.base))
        .bearer_auth(&other_key)
        .send()
        .unwrap();
    assert_eq!(found.status(), StatusCode::NOT_FOUND);
}

#[test]
fn ingest_answers_503_with_retry_after_while_the_backlog_is_full() {
    let Some(env) = env() else { return };
    let _servers = SERVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cluster = Cluster::start_with(&env, 5, 0, &["--max-backlog", "100"]);
    // No worker: the backlog only grows.
    let accepted = cluster.send(&traces(0, 100), 100);
    assert_eq!(accepted.len(), 100);
    let answer = cluster
        .http
        .post(format!("{}/v1/traces", cluster.base))
        .bearer_auth(&cluster.key)
        .body(traces(100, 101).join("\n"))
        .send()
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(answer.headers().contains_key("retry-after"));
    let body: Value = answer.json().unwrap();
    assert_eq!(body["error"]["code"], "busy");
    assert_eq!(cluster.metric("aegis_queue_depth"), 100);
}

#[test]
fn api_processes_share_organisations_and_keys_through_postgres() {
    let Some(env) = env() else { return };
    let _servers = SERVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cluster = Cluster::start(&env, 6, 1);
    // A second API process on the same queue, store and directory.
    let (mut second, base2) = serve(
        &cluster.http,
        &cluster.queue,
        &cluster.store,
        &cluster.dir,
        &[],
    );
    // A key made after both started, from the command line: both take it at once.
    let key = new_key(
        &["keys", "create", &cluster.org_name, "--label", "ci"],
        &cluster.store,
        &cluster.dir,
    );
    let sent = cluster
        .http
        .post(format!("{base2}/v1/traces"))
        .bearer_auth(&key)
        .body(traces(0, 50).join("\n"))
        .send()
        .unwrap();
    assert_eq!(sent.status(), StatusCode::ACCEPTED);
    cluster.wait_for(50);
    // Read through the first process with the same key.
    let page: Value = cluster
        .http
        .get(format!("{}/v1/traces?limit=100", cluster.base))
        .bearer_auth(&key)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 50);
    // Revoked from the command line: both refuse it at the next request.
    let key_id = &key[6..18];
    let out = aegis()
        .args(["keys", "revoke", key_id, "--store", &cluster.store, "--dir"])
        .arg(&cluster.dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for base in [&cluster.base, &base2] {
        let r = cluster
            .http
            .get(format!("{base}/v1/traces"))
            .bearer_auth(&key)
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let _ = second.kill();
    let _ = second.wait();
}

/// Starts PostgreSQL again when dropped: a test that stopped it leaves it running, pass or fail.
struct StartsPostgresAgain<'a>(&'a Env);

impl Drop for StartsPostgresAgain<'_> {
    fn drop(&mut self) {
        let _ = Command::new("sh")
            .args(["-c", &format!("{} -w start", self.0.pg_ctl)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The sum of a metric's samples in OpenMetrics text.
fn metric_sum(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{'))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A worker's status server (`worker --listen`): `/healthz` answers while the process lives;
/// `/readyz` and `aegis_worker_ready` say whether it reaches its queue and its store — an idle
/// worker asks the store every few seconds, so a database gone is seen without traffic;
/// `/metrics` counts what it evaluated, with the queue's depth.
#[test]
fn a_worker_reports_health_readiness_and_what_it_evaluated() {
    let Some(env) = env() else { return };
    let _servers = SERVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cluster = Cluster::start(&env, 7, 0);
    let port = free_port();
    let mut worker = aegis()
        .args(["worker", "--workers", "1", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .args(scale_args(&cluster.queue, &cluster.store))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("http://127.0.0.1:{port}");
    let http = Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let code = |path: &str| {
        http.get(format!("{status}{path}"))
            .send()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    };
    let until = |what: &str, seconds: u64, done: &dyn Fn() -> bool| {
        let started = Instant::now();
        while !done() {
            assert!(
                started.elapsed() < Duration::from_secs(seconds),
                "not within {seconds} s: {what}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    until("the worker ready", 30, &|| code("/readyz") == 200);
    assert_eq!(code("/healthz"), 200);

    let accepted = cluster.send(&traces(0, 300), 300);
    assert_eq!(accepted.len(), 300);
    cluster.wait_for(300);
    let metrics = || {
        http.get(format!("{status}/metrics"))
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    until("the worker's metrics count 300 evaluated", 10, &|| {
        metric_sum(&metrics(), "aegis_traces_evaluated_total") == 300.0
    });
    let text = metrics();
    assert_eq!(metric_sum(&text, "aegis_worker_ready"), 1.0, "{text}");
    assert_eq!(metric_sum(&text, "aegis_queue_depth"), 0.0, "{text}");
    assert_eq!(metric_sum(&text, "aegis_shared_stored_total"), 300.0);
    assert!(metric_sum(&text, "aegis_tier_latency_seconds_count") >= 300.0);

    // The database stopped: the idle worker sees it, and says so, while it lives on.
    let _again = StartsPostgresAgain(&env);
    sh(&format!("{} -m fast -w stop", env.pg_ctl));
    until("the worker not ready with its store down", 40, &|| {
        code("/readyz") == 503
    });
    assert_eq!(code("/healthz"), 200);
    assert_eq!(metric_sum(&metrics(), "aegis_worker_ready"), 0.0);
    // Back: ready again without a restart.
    sh(&format!("{} -w start", env.pg_ctl));
    until("the worker ready again", 60, &|| code("/readyz") == 200);
    worker.kill().unwrap();
    worker.wait().unwrap();
}

/// Starts Redis again when dropped.
struct StartsRedisAgain<'a>(&'a Env);

impl Drop for StartsRedisAgain<'_> {
    fn drop(&mut self) {
        let _ = Command::new("redis-server")
            .arg(&self.0.redis_conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// An API process whose Redis is gone is still up: `/metrics` answers (with the queue gauges
/// as last read), so Prometheus does not take it for down, and ingest says why it cannot
/// accept.
#[test]
fn an_api_process_answers_its_metrics_while_redis_is_down() {
    let Some(env) = env() else { return };
    let _servers = SERVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cluster = Cluster::start(&env, 8, 0);
    assert_eq!(cluster.send(&traces(0, 10), 10).len(), 10);
    let metrics = |http: &Client| {
        http.get(format!("{}/metrics", cluster.base))
            .send()
            .unwrap()
    };
    let before = metrics(&cluster.http).text().unwrap();
    assert_eq!(metric_sum(&before, "aegis_queue_depth"), 10.0, "{before}");
    let _again = StartsRedisAgain(&env);
    sh(&format!("redis-cli -u {} shutdown", env.redis));
    let during = metrics(&cluster.http);
    assert_eq!(during.status(), StatusCode::OK);
    let text = during.text().unwrap();
    assert_eq!(metric_sum(&text, "aegis_traces_ingested_total"), 10.0);
    assert_eq!(
        metric_sum(&text, "aegis_queue_depth"),
        10.0,
        "the last depth read"
    );
    let refused = cluster
        .http
        .post(format!("{}/v1/traces", cluster.base))
        .bearer_auth(&cluster.key)
        .body(traces(10, 11).join("\n"))
        .send()
        .unwrap();
    assert!(refused.status().is_server_error(), "{}", refused.status());
}

/// With `--tier0-keys`, an organisation's key is read from that directory (a mounted Secret)
/// and an API process needs nothing else in its `--dir`: a trace for an organisation whose key
/// is not there yet is refused naming the missing file, and accepted once it is.
#[test]
fn tier0_keys_kept_apart_are_read_from_their_directory() {
    let Some(env) = env() else { return };
    // Another test may stop Redis meanwhile.
    let _servers = SERVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let queue = format!("{}9", env.redis);
    let registry_dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let api_dir = tempfile::tempdir().unwrap();
    let name = format!(
        "keys-apart-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let key = new_key(
        &[
            "orgs",
            "create",
            &name,
            "--tier0-keys",
            keys.path().to_str().unwrap(),
        ],
        &env.postgres,
        registry_dir.path(),
    );
    let written: Vec<_> = std::fs::read_dir(keys.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), 1, "one key file, <org id>.key: {written:?}");
    let file = written[0].clone();
    assert!(
        file.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("org_")
    );
    // The API process has the keys directory without the key yet, and an empty --dir.
    let held = tempfile::tempdir().unwrap();
    let moved = held.path().join(file.file_name().unwrap());
    std::fs::rename(&file, &moved).unwrap();
    let http = Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let keys_arg = keys.path().to_str().unwrap().to_owned();
    let (mut server, base) = serve(
        &http,
        &queue,
        &env.postgres,
        api_dir.path(),
        &["--tier0-keys", &keys_arg],
    );
    let post = || {
        http.post(format!("{base}/v1/traces"))
            .bearer_auth(&key)
            .body(traces(0, 1).join("\n"))
            .send()
            .unwrap()
    };
    let refused = post();
    assert!(refused.status().is_server_error());
    let body = refused.text().unwrap();
    assert!(body.contains("no Tier-0 key"), "{body}");
    std::fs::rename(&moved, &file).unwrap();
    let accepted = post();
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    server.kill().unwrap();
    server.wait().unwrap();
}
