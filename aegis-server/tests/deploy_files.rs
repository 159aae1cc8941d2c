//! The deployment files ask only for metrics the server exports: every `aegis_*` series named
//! in the Prometheus alert rules (`deploy/prometheus/alerts.yml`) and the Grafana dashboard
//! (`deploy/grafana/aegis-dashboard.json`) is a series of `/metrics` — a counter as `_total`, a
//! histogram as `_bucket`, `_sum` or `_count`, a gauge as it is — and each file names the metrics
//! an operator needs.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

/// The series names `/metrics` can show, from its `# TYPE` lines, with one sample in every
/// labelled family (a family without one is not encoded at all).
fn exported() -> BTreeSet<String> {
    use aegis_server::metrics::{
        DomainLabel, EvaluatedLabels, ExportOutcome, Metrics, SpanOutcome, TierLabel,
    };
    // A worker process's metrics are the server's and one more.
    let m = Metrics::for_worker();
    m.ingested
        .get_or_create(&DomainLabel {
            domain: "healthcare".to_owned(),
        })
        .inc();
    m.evaluated
        .get_or_create(&EvaluatedLabels {
            domain: "healthcare".to_owned(),
            verdict: "pass".to_owned(),
            decided_by: "rules".to_owned(),
        })
        .inc();
    m.tier_latency
        .get_or_create(&TierLabel {
            tier: "rules".to_owned(),
        })
        .observe(1e-5);
    m.otlp_spans
        .get_or_create(&SpanOutcome { outcome: "queued" })
        .inc();
    m.exports
        .get_or_create(&ExportOutcome {
            sink: "phoenix",
            outcome: "sent",
        })
        .inc();
    let text = m.encode();
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("# TYPE ") else {
            continue;
        };
        let mut parts = rest.split_whitespace();
        let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        match kind {
            "counter" => {
                names.insert(format!("{name}_total"));
            }
            "histogram" => {
                for suffix in ["_bucket", "_sum", "_count"] {
                    names.insert(format!("{name}{suffix}"));
                }
            }
            _ => {
                names.insert(name.to_owned());
            }
        }
    }
    names
}

/// Every `aegis_…` identifier in `text`.
fn named(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("aegis_") {
        let start = i + at;
        let before_ok =
            start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        if before_ok {
            names.insert(text[start..end].to_owned());
        }
        i = end.max(start + 1);
    }
    names
}

fn file(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn the_alert_rules_and_the_dashboard_name_only_exported_metrics() {
    let exported = exported();
    assert!(
        exported.contains("aegis_traces_evaluated_total"),
        "{exported:?}"
    );
    for (path, at_least) in [
        ("deploy/prometheus/alerts.yml", 7),
        ("deploy/grafana/aegis-dashboard.json", 7),
        // The workers' autoscaler reads the queue's length through prometheus-adapter.
        ("deploy/kubernetes/base/autoscaling.yaml", 1),
        ("deploy/kubernetes/prometheus-adapter/values.yaml", 1),
    ] {
        let used = named(&file(path));
        assert!(
            used.len() >= at_least,
            "{path} names too few metrics: {used:?}"
        );
        let unknown: Vec<&String> = used.difference(&exported).collect();
        assert!(
            unknown.is_empty(),
            "{path} names metrics the server does not export: {unknown:?}"
        );
    }
    // What an operator is alerted to, each with a rule.
    let rules = named(&file("deploy/prometheus/alerts.yml"));
    for needed in [
        "aegis_traces_evaluated_total",
        "aegis_tier_latency_seconds_bucket",
        "aegis_queue_depth",
        "aegis_queue_oldest_age_seconds",
        "aegis_dead_letters",
        "aegis_worker_errors_total",
        "aegis_judge_cost_usd_total",
        "aegis_worker_ready",
    ] {
        assert!(rules.contains(needed), "no rule reads {needed}");
    }
    // The dashboard is JSON Grafana reads: panels with Prometheus queries.
    let dashboard: serde_json::Value =
        serde_json::from_str(&file("deploy/grafana/aegis-dashboard.json")).unwrap();
    let panels = dashboard["panels"].as_array().unwrap();
    assert!(panels.len() >= 8);
    assert!(panels.iter().all(|p| p["targets"][0]["expr"].is_string()));
}
