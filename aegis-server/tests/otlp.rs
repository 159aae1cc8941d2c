//! `POST /otlp/v1/traces` end to end, with exports recorded from real instrumentations
//! (`examples/otlp`): a real server on loopback, a real HTTP client, the workers evaluating.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aegis_app::service::{Service, ServiceConfig};
use aegis_server::ServerConfig;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../examples/otlp/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

struct Api {
    base: String,
    key: String,
    http: reqwest::blocking::Client,
}

impl Api {
    fn export(
        &self,
        body: Vec<u8>,
        content_type: &str,
        headers: &[(&str, &str)],
    ) -> reqwest::blocking::Response {
        let mut r = self
            .http
            .post(format!("{}/otlp/v1/traces", self.base))
            .bearer_auth(&self.key)
            .header("content-type", content_type)
            .body(body);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.send().unwrap()
    }

    /// An export in protobuf that must answer 200: its partial success (rejected spans, why).
    fn export_pb(&self, body: Vec<u8>, headers: &[(&str, &str)]) -> (i64, String) {
        let r = self.export(body, "application/x-protobuf", headers);
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/x-protobuf");
        let answer = ExportTraceServiceResponse::decode(r.bytes().unwrap()).unwrap();
        answer
            .partial_success
            .map_or((0, String::new()), |p| (p.rejected_spans, p.error_message))
    }

    fn stored(&self, id: &str) -> Option<Value> {
        let r = self
            .http
            .get(format!("{}/v1/traces/{id}", self.base))
            .bearer_auth(&self.key)
            .send()
            .unwrap();
        (r.status() == 200).then(|| r.json().unwrap())
    }

    fn wait_stored(&self, id: &str) -> Value {
        let start = Instant::now();
        loop {
            if let Some(v) = self.stored(id) {
                return v;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{id} was never stored"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The OTel trace id of the first span of a protobuf export, hex.
fn first_trace_id(pb: &[u8]) -> String {
    let req = aegis_otlp::decode(pb, aegis_otlp::Encoding::Protobuf).unwrap();
    let id = &req.resource_spans[0].scope_spans[0].spans[0].trace_id;
    id.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn otlp_exports_are_assembled_evaluated_and_answered_in_their_encoding() {
    let dir = tempfile::tempdir().unwrap();
    // A default domain the service does not have is refused at start.
    let mut wrong = ServiceConfig::new(dir.path().join("svc"));
    wrong.default_domain = Some("astrology".to_owned());
    let e = Service::open(&[&aegis_domain_healthcare::Healthcare], wrong)
        .err()
        .expect("an unknown default domain is refused")
        .to_string();
    assert!(e.contains("astrology"), "{e}");
    let mut config = ServiceConfig::new(dir.path().join("svc"));
    config.otlp_quiet = Duration::from_millis(300);
    let service = Service::open(
        &[
            &aegis_domain_healthcare::Healthcare,
            &aegis_domain_trading::Trading,
        ],
        config,
    )
    .unwrap();
    let (_, api_key) = service.create_org("acme").unwrap();
    let (_, second_key) = service.create_org("globex").unwrap();
    let config = ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        workers: 1,
        ..ServerConfig::default()
    };
    let state = aegis_server::state(service, &config);
    let (addr_tx, addr_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(aegis_server::run(
            state,
            config,
            async move {
                let _ = stop_rx.await;
            },
            move |addr| addr_tx.send(addr).unwrap(),
        ))
    });
    let addr = addr_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let api = Api {
        base: format!("http://{addr}"),
        key: api_key.secret.clone(),
        http: reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
    };

    // An agent run (OpenInference, LangChain), gzip: one trace, its steps kept and stored.
    let agent = fixture("openinference-langchain-agent.pb");
    let (rejected, why) = api.export_pb(
        gzip(&agent),
        &[("content-encoding", "gzip"), ("x-aegis-domain", "trading")],
    );
    assert_eq!((rejected, why.as_str()), (0, ""));
    let stored = api.wait_stored(&first_trace_id(&agent));
    assert_eq!(stored["result"]["domain"], "trading", "{stored}");
    let trace = &stored["trace"];
    let steps = trace["steps"].as_array().expect("steps are stored");
    assert_eq!(steps.len(), 5, "{trace}");
    let tool = steps.iter().find(|s| s["kind"] == "tool").unwrap();
    assert_eq!(tool["tool_calls"][0]["name"], "place_order");
    assert_eq!(tool["tool_calls"][0]["arguments"]["quantity"], 100);
    // The agent's `place_order` call went through the order rules (the trace has no order in
    // `domain_data`, so only the call can have made them apply).
    let rules = stored["result"]["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tier"] == "rules")
        .unwrap();
    let size = rules["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "order_size_limit")
        .unwrap();
    assert_eq!(size["outcome"], "passed", "{rules}");
    assert_eq!(trace["context"].as_array().unwrap().len(), 2);
    // The same export again changes nothing (idempotent by trace id).
    assert_eq!(
        api.export_pb(agent.clone(), &[("x-aegis-domain", "trading")])
            .0,
        0
    );

    // OTLP/JSON from the Node.js exporter, answered in JSON.
    let r = api.export(
        fixture("openinference-openai-node.json"),
        "application/json",
        &[("x-aegis-domain", "healthcare")],
    );
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.json::<Value>().unwrap(), serde_json::json!({}));

    // Spans that cannot be used are counted and named, never dropped silently: a GenAI
    // export without content capture has nothing to evaluate; children without their root.
    let (rejected, why) = api.export_pb(
        fixture("genai-openai-v2.pb"),
        &[("x-aegis-domain", "healthcare")],
    );
    assert_eq!(rejected, 2, "{why}");
    assert!(why.contains("nothing to evaluate"), "{why}");
    // No domain anywhere: named too.
    let (rejected, why) = api.export_pb(fixture("openllmetry-openai.pb"), &[]);
    assert_eq!(rejected, 2, "{why}");
    assert!(why.contains("domain"), "{why}");

    // Errors: not OTLP (400, never quoting the body), another encoding (415), no key (401).
    let r = api.export(
        b"{\"resourceSpans\": \"secret-9\"".to_vec(),
        "application/json",
        &[],
    );
    assert_eq!(r.status(), 400);
    let text = r.text().unwrap();
    assert!(!text.contains("secret-9"), "{text}");
    let r = api.export(agent.clone(), "text/plain", &[]);
    assert_eq!(r.status(), 415);
    let r = api
        .http
        .post(format!("{}/otlp/v1/traces", api.base))
        .header("content-type", "application/x-protobuf")
        .body(agent)
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);

    // An agent run in two requests, children first: kept until the root comes, then one
    // trace of five steps; a child sent again after that is refused, by name.
    let split1 = fixture("openinference-langchain-split-1.pb");
    let split2 = fixture("openinference-langchain-split-2.pb");
    let id = first_trace_id(&split1);
    assert_eq!(first_trace_id(&split2), id);
    let trading = [("x-aegis-domain", "trading")];
    assert_eq!(api.export_pb(split1.clone(), &trading), (0, String::new()));
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        api.stored(&id).is_none(),
        "not evaluated before its root span"
    );
    assert_eq!(api.export_pb(split2, &trading), (0, String::new()));
    let stored = api.wait_stored(&id);
    assert_eq!(
        stored["trace"]["steps"].as_array().unwrap().len(),
        5,
        "{stored}"
    );
    assert_eq!(stored["trace"]["context"].as_array().unwrap().len(), 2);
    assert!(
        stored["trace"]["input"]
            .as_str()
            .unwrap()
            .starts_with("Sell 40 shares")
    );
    let (rejected, why) = api.export_pb(split1.clone(), &trading);
    assert_eq!(rejected, 4, "{why}");
    assert!(why.contains("after the trace was assembled"), "{why}");

    // Another organisation: the children alone, whose root never comes, are evaluated once
    // the trace has been quiet (here 300 ms), from the spans it has.
    let api2 = Api {
        key: second_key.secret.clone(),
        ..api
    };
    assert_eq!(api2.export_pb(split1, &trading), (0, String::new()));
    let stored = api2.wait_stored(&id);
    assert_eq!(
        stored["trace"]["steps"].as_array().unwrap().len(),
        4,
        "{stored}"
    );

    // Every span a request brought is counted by what became of it: 5 + 5 + 2 + 1 queued (the
    // agent run twice, the Node export, the split run's root); 4 kept, twice; 2 + 2 + 4 rejected.
    let metrics = api2
        .http
        .get(format!("{}/metrics", api2.base))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let count = |outcome: &str| -> u64 {
        let line = format!("aegis_otlp_spans_total{{outcome=\"{outcome}\"}} ");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&line))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {line} in {metrics}"))
    };
    assert_eq!(count("queued"), 13, "{metrics}");
    assert_eq!(count("kept"), 8, "{metrics}");
    assert_eq!(count("rejected"), 8, "{metrics}");

    stop_tx.send(()).unwrap();
    server.join().unwrap().unwrap();
}
