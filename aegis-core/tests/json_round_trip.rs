//! Traces and results survive JSON both ways: struct → JSON → struct, and JSON → struct → JSON.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use aegis_core::*;
use serde_json::json;

fn full_trace() -> serde_json::Value {
    json!({
        "id": "t-1",
        "model": "gpt-4o-2024-08-06",
        "input": "What can I take for a headache?",
        "output": "Acetaminophen 500 mg every 6 hours.",
        "metadata": {
            "domain": "healthcare",
            "organisation": "northwind",
            "application": "patient-chat",
            "tags": ["triage", "otc"],
            "started_at": "2026-03-02T09:14:07Z",
            "ended_at": "2026-03-02T09:14:09.250+01:00",
            "tokens": { "prompt": 182, "completion": 244 },
            "latency_ms": 1840.5
        },
        "domain_data": { "patient": { "age_years": 34.5, "allergies": ["penicillin"], "nested": { "x": [1, 2.25, null] } } },
        "episode": {
            "policy": { "name": "ppo", "version": "v3", "parameters": { "lr": 0.0003, "gamma": 0.99 } },
            "environment": "CartPole-v1",
            "seed": 42,
            "steps": [
                { "state": [0.01, -0.02, 0.03, 0.04], "action": 1, "reward": 1.0, "terminated": false, "truncated": false, "action_probs": [0.3, 0.7] },
                { "state": [0.1, 0.2], "action": [0.5, -1.25], "reward": -0.5, "cost": 1.0, "terminated": true, "truncated": false }
            ]
        },
        "custom_field": { "kept": true }
    })
}

#[test]
fn a_full_trace_round_trips() {
    let value = full_trace();
    let trace: Trace = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(
        trace.episode.as_ref().unwrap().steps[1].action,
        Action::Continuous(vec![0.5, -1.25])
    );
    assert_eq!(trace.extra["custom_field"], json!({ "kept": true }));
    assert_eq!(serde_json::to_value(&trace).unwrap(), value);
    let again: Trace = serde_json::from_str(&serde_json::to_string(&trace).unwrap()).unwrap();
    assert_eq!(again, trace);
}

#[test]
fn a_minimal_trace_round_trips() {
    let value = json!({ "output": "hello", "input": "" });
    let trace: Trace = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&trace).unwrap(), value);
}

#[test]
fn a_result_round_trips() {
    let result = EvaluationResult {
        trace_id: Some("t-1".into()),
        line: Some(7),
        domain: Some("healthcare".into()),
        verdict: Verdict::Fail,
        decided_by: Some(Tier::Rules),
        issues: vec![Issue {
            validator: "no_medication_overdose".into(),
            tier: Tier::Rules,
            severity: Severity::Critical,
            message: "too much".into(),
            evidence: vec![
                Evidence::Span {
                    field: TextField::Output,
                    start: 3,
                    end: 17,
                },
                Evidence::Field {
                    path: "domain_data.patient.age_years".into(),
                },
            ],
        }],
        tiers: vec![
            TierReport {
                tier: Tier::Sanitize,
                outcome: TierOutcome::Unavailable {
                    reason: "none".into(),
                },
                latency_ns: 10,
                cost_usd: UsdCost::ZERO,
                modules: vec![],
            },
            TierReport {
                tier: Tier::Rules,
                outcome: TierOutcome::Decided {
                    verdict: Verdict::Fail,
                },
                latency_ns: 2500,
                cost_usd: UsdCost::ZERO,
                modules: vec![ModuleResult {
                    module: "no_medication_overdose".into(),
                    outcome: ModuleOutcome::Failed,
                    issues: 1,
                    score: Some(0.25),
                    scores: Vec::new(),
                    call: None,
                    weights: None,
                }],
            },
            TierReport {
                tier: Tier::Judge,
                outcome: TierOutcome::Escalated {
                    to: Tier::Human,
                    reason: "unsure".into(),
                },
                latency_ns: 9,
                cost_usd: UsdCost::from_micros(1234),
                modules: vec![],
            },
        ],
        cost_usd: UsdCost::from_micros(1234),
        latency_ns: 2519,
        error: None,
    };
    let text = serde_json::to_string(&result).unwrap();
    let back: EvaluationResult = serde_json::from_str(&text).unwrap();
    assert_eq!(back, result);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["cost_usd"], json!(0.001234));
    assert_eq!(serde_json::to_value(&back).unwrap(), value);
}

#[test]
fn costs_are_exact_to_the_micro_dollar() {
    let mut total = UsdCost::ZERO;
    for _ in 0..10 {
        total += serde_json::from_str::<UsdCost>("0.0001").unwrap();
    }
    assert_eq!(total, UsdCost::from_micros(1000));
    assert_eq!(total.to_string(), "$0.001000");
    assert!(serde_json::from_str::<UsdCost>("-1").is_err());
}

#[test]
fn severities_are_ordered_and_parse() {
    assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
    assert_eq!(Severity::parse("medium"), Some(Severity::Medium));
    assert_eq!(Severity::parse("severe"), None);
}

#[test]
fn tier_outcome_status_names_match_the_json() {
    use aegis_core::{Tier, TierOutcome, Verdict};
    for o in [
        TierOutcome::Decided {
            verdict: Verdict::Pass,
        },
        TierOutcome::Escalated {
            to: Tier::Judge,
            reason: "r".into(),
        },
        TierOutcome::Completed,
        TierOutcome::Unavailable { reason: "r".into() },
        TierOutcome::Skipped,
    ] {
        let v = serde_json::to_value(&o).unwrap();
        assert_eq!(v["status"], o.status());
    }
}
