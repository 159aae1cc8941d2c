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
