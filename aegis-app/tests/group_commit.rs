//! Ingest's group commit: requests that arrive together share a transaction, and each still
//! gets its own answer, line by line.

use aegis_app::TierOptions;
use aegis_app::service::{Service, ServiceConfig};
use aegis_domain_healthcare::Healthcare;
use aegis_store::Store;

const THREADS: usize = 8;
const REQUESTS: usize = 15;

/// A JSONL body: for each `(id, text)`, a healthcare trace.
fn body(traces: &[(String, &str)]) -> String {
    traces
        .iter()
        .map(|(id, text)| {
            serde_json::json!({
                "id": id,
                "input": "What is the usual adult dose of ibuprofen?",
                "output": text,
                "metadata": { "domain": "healthcare" },
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn concurrent_requests_each_get_their_own_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path().join("service"));
    config.tiers = TierOptions {
        no_models: true,
        ..TierOptions::default()
    };
    let service = Service::open(&[&Healthcare], config).unwrap();
    let (org, _) = service.create_org("Acme").unwrap();
    // Every thread first queues its "seen" traces, one request each.
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (service, org) = (&service, &org);
            s.spawn(move || {
                let seen: Vec<(String, &str)> = (0..REQUESTS)
                    .map(|r| (format!("seen-{t}-{r}"), "200 to 400 mg every 4 to 6 hours."))
                    .collect();
                let receipt = service
                    .ingest(&org.id, body(&seen).as_bytes(), None)
                    .unwrap();
                assert!(receipt.accepted.iter().all(|a| a.queued));
            });
        }
    });
    // Then, all at once, requests that mix new traces (queued: true), traces sent again
    // unchanged (false) and a changed version of a waiting one (true): a request answered
    // with another's slice of the shared commit would show the wrong pattern or keys.
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (service, org) = (&service, &org);
            s.spawn(move || {
                for r in 0..REQUESTS {
                    // Three shapes of request, of different lengths.
                    let (new, seen) = (format!("new-{t}-{r}"), format!("seen-{t}-{r}"));
                    let (same, changed) = (
                        "200 to 400 mg every 4 to 6 hours.",
                        "Take 200 mg with food.",
                    );
                    let expected: Vec<(String, &str, bool)> = match (t + r) % 3 {
                        0 => vec![(new, same, true), (seen, same, false)],
                        1 => vec![
                            (seen.clone(), same, false),
                            (seen, changed, true),
                            (new, changed, true),
                        ],
                        _ => vec![
                            (new.clone(), same, true),
                            (format!("{new}-b"), same, true),
                            (new, same, false),
                            (seen, changed, true),
                        ],
                    };
                    let traces: Vec<(String, &str)> = expected
                        .iter()
                        .map(|(id, text, _)| (id.clone(), *text))
                        .collect();
                    let receipt = service
                        .ingest(&org.id, body(&traces).as_bytes(), None)
                        .unwrap();
                    assert!(receipt.rejected.is_empty());
                    // Tier 0 may have pseudonymised an id: the key is under one of the
                    // names the service knows it by.
                    assert_eq!(receipt.accepted.len(), expected.len());
                    for (a, (id, _, queued)) in receipt.accepted.iter().zip(expected) {
                        let names = service.lookup_ids(&org.id, &id).unwrap();
                        assert!(
                            names.iter().any(|n| a.key == format!("id:{n}")),
                            "{} is not a key of {id}",
                            a.key
                        );
                        assert_eq!(a.queued, queued, "{id}");
                    }
                }
            });
        }
    });
    // Nothing lost, nothing twice: one queued row per key (each request's seen trace and its
    // new ones), one result each once worked.
    let keys: usize = (0..THREADS)
        .flat_map(|t| (0..REQUESTS).map(move |r| if (t + r) % 3 == 2 { 3 } else { 2 }))
        .sum();
    assert_eq!(service.queue_depth(&org.id).unwrap().pending, keys as u64);
    while service.work_once().unwrap().evaluated > 0 {}
    let stored = service.with_store(&org.id, |s| Ok(s.count()?)).unwrap();
    assert_eq!(stored, keys as u64);
    // The changed version is the one evaluated.
    let row = service
        .lookup_ids(&org.id, "seen-3-7")
        .unwrap()
        .iter()
        .find_map(|id| {
            service
                .with_store(&org.id, |s| Ok(s.get(&format!("id:{id}"))?))
                .unwrap()
        })
        .unwrap();
    assert_eq!(row.trace.unwrap().output, "Take 200 mg with food.");
}

/// An OTLP/JSON export of OpenInference spans: `(trace id, span id, parent, output)` each.
fn export(spans: &[(String, String, Option<String>, &str)]) -> Vec<u8> {
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|(trace, span, parent, output)| {
            let attribute =
                |k: &str, v: &str| serde_json::json!({"key": k, "value": {"stringValue": v}});
            let mut attributes = vec![
                attribute(
                    "openinference.span.kind",
                    if parent.is_some() { "TOOL" } else { "LLM" },
                ),
                attribute("aegis.domain", "healthcare"),
            ];
            // An empty output: a span with nothing to evaluate (no input either).
            if !output.is_empty() {
                attributes.push(attribute(
                    "input.value",
                    "What is the usual adult dose of ibuprofen?",
                ));
                attributes.push(attribute("output.value", output));
            }
            serde_json::json!({
                "traceId": trace,
                "spanId": span,
                "parentSpanId": parent.clone().unwrap_or_default(),
                "name": "ChatCompletion",
                "kind": 1,
                "startTimeUnixNano": "1700000000000000000",
                "endTimeUnixNano": "1700000001000000000",
                "attributes": attributes,
            })
        })
        .collect();
    serde_json::json!({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]})
        .to_string()
        .into_bytes()
}

#[test]
fn concurrent_otlp_exports_each_get_their_own_receipts() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path().join("service"));
    config.tiers = TierOptions {
        no_models: true,
        ..TierOptions::default()
    };
    let service = Service::open(&[&Healthcare], config).unwrap();
    let (org, _) = service.create_org("Acme").unwrap();
    let trace_id =
        |t: usize, r: usize, k: usize| format!("{:08x}{:08x}{:08x}{:08x}", t + 1, r + 1, k + 1, 7);
    let span_id = |n: usize| format!("{:016x}", n + 1);
    let ok = "200 to 400 mg every 4 to 6 hours.";
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (service, org) = (&service, &org);
            s.spawn(move || {
                for r in 0..REQUESTS {
                    let (a, b, c) = (trace_id(t, r, 0), trace_id(t, r, 1), trace_id(t, r, 2));
                    // A child of `c` first, without its root: kept until the root comes.
                    let kept = service
                        .ingest_otlp(
                            &org.id,
                            &export(&[(c.clone(), span_id(9), Some(span_id(0)), "tool said 5")]),
                            aegis_app::otlp::Encoding::Json,
                            None,
                        )
                        .unwrap()
                        .unwrap();
                    assert_eq!((kept.buffered_spans, kept.accepted.len()), (1, 0));
                    // Then, racing the other threads: `a` new, `b` with nothing to evaluate,
                    // `c`'s root (joined with its kept child); then `a` again, unchanged.
                    let body = export(&[
                        (a.clone(), span_id(0), None, ok),
                        (b.clone(), span_id(0), None, ""),
                        (c.clone(), span_id(0), None, ok),
                    ]);
                    let receipt = service
                        .ingest_otlp(&org.id, &body, aegis_app::otlp::Encoding::Json, None)
                        .unwrap()
                        .unwrap();
                    let keys: Vec<&str> = receipt.accepted.iter().map(|x| x.key.as_str()).collect();
                    assert_eq!(
                        keys,
                        vec![format!("id:{a}"), format!("id:{c}")],
                        "{receipt:?}"
                    );
                    assert!(receipt.accepted.iter().all(|x| x.queued), "{receipt:?}");
                    assert_eq!(receipt.rejected_spans, 1, "{receipt:?}");
                    assert!(
                        receipt.reasons[0].starts_with(&format!("trace {b}: 1 span(s): the trace")),
                        "{receipt:?}"
                    );
                    let again = service
                        .ingest_otlp(
                            &org.id,
                            &export(&[(a.clone(), span_id(0), None, ok)]),
                            aegis_app::otlp::Encoding::Json,
                            None,
                        )
                        .unwrap()
                        .unwrap();
                    assert_eq!(again.accepted.len(), 1);
                    assert!(!again.accepted[0].queued, "{again:?}");
                }
            });
        }
    });
    let keys = (THREADS * REQUESTS * 2) as u64;
    assert_eq!(service.queue_depth(&org.id).unwrap().pending, keys);
    while service.work_once().unwrap().evaluated > 0 {}
    assert_eq!(
        service.with_store(&org.id, |s| Ok(s.count()?)).unwrap(),
        keys
    );
    // A trace whose child came first holds both spans; no kept span is left behind.
    let row = service
        .with_store(
            &org.id,
            |s| Ok(s.get(&format!("id:{}", trace_id(5, 3, 2)))?),
        )
        .unwrap()
        .unwrap();
    assert_eq!(row.trace.unwrap().steps.len(), 2);
    let left = service
        .with_store_for_writing(&org.id, |s| {
            Ok(s.fragments(&format!("id:{}", trace_id(5, 3, 2)))?.len())
        })
        .unwrap();
    assert_eq!(left, 0);
}

/// A worker's pass says whether it emptied the queue, which is when it may wait for more
/// traces to gather (`Service::gather`); a pass that took a full batch never says so.
#[test]
fn a_pass_says_whether_it_emptied_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path().join("service"));
    config.tiers = TierOptions {
        no_models: true,
        ..TierOptions::default()
    };
    config.batch = 2;
    let service = Service::open(&[&Healthcare], config).unwrap();
    let (org, _) = service.create_org("Acme").unwrap();
    let traces: Vec<(String, &str)> = (0..3)
        .map(|i| (format!("t-{i}"), "200 to 400 mg every 4 to 6 hours."))
        .collect();
    service
        .ingest(&org.id, body(&traces).as_bytes(), None)
        .unwrap();
    let first = service.work_once().unwrap();
    assert_eq!((first.evaluated, first.drained), (2, false));
    let second = service.work_once().unwrap();
    assert_eq!((second.evaluated, second.drained), (1, true));
    let idle = service.work_once().unwrap();
    assert_eq!((idle.evaluated, idle.drained), (0, true));
}
