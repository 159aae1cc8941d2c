//! The bundled example traces of each domain, written and labelled independently of the rules,
//! give the findings their labels say — no more, no fewer.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::collections::{BTreeMap, BTreeSet};

use aegis_core::{Domain, Trace, Verdict};
use aegis_domain_healthcare::Healthcare;
use aegis_domain_trading::Trading;
use aegis_runtime::Orchestrator;

/// Runs every trace of `traces` (JSONL) through Tiers 0–1 of `domain` and compares the failing
/// rules with `expected` (trace id → rule ids); at least `min_traces` must be checked.
fn every_trace_gets_exactly_its_expected_findings(
    domain: &dyn Domain,
    traces: &str,
    expected: &str,
    min_traces: usize,
) {
    let expected: BTreeMap<String, BTreeSet<String>> =
        serde_json::from_str(expected).expect("expected file parses");
    let orchestrator = Orchestrator::new();
    let mut mismatches = Vec::new();
    let mut seen = 0;
    for line in traces.lines().filter(|l| !l.trim().is_empty()) {
        let trace: Trace = serde_json::from_str(line).expect("example trace parses");
        let id = trace.id.clone().expect("example traces have ids");
        let result = orchestrator.evaluate(domain, trace);
        assert_ne!(result.verdict, Verdict::Error, "{id}: {:?}", result.error);
        let found: BTreeSet<String> = result.issues.iter().map(|i| i.validator.clone()).collect();
        let want = expected.get(&id).cloned().unwrap_or_default();
        if found != want {
            let messages: Vec<String> = result
                .issues
                .iter()
                .map(|i| format!("{}: {}", i.validator, i.message))
                .collect();
            mismatches.push(format!(
                "{id}: expected {want:?}, found {found:?}\n    {}",
                messages.join("\n    ")
            ));
        }
        seen += 1;
    }
    assert!(seen >= min_traces, "only {seen} example traces");
    assert_eq!(seen, expected.len(), "every expected id has a trace");
    assert!(
        mismatches.is_empty(),
        "{} of {seen} traces differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn healthcare_examples() {
    every_trace_gets_exactly_its_expected_findings(
        &Healthcare,
        include_str!("../../examples/traces/healthcare.jsonl"),
        include_str!("../../examples/traces/healthcare.expected.json"),
        30,
    );
}

#[test]
fn trading_examples() {
    every_trace_gets_exactly_its_expected_findings(
        &Trading,
        include_str!("../../examples/traces/trading.jsonl"),
        include_str!("../../examples/traces/trading.expected.json"),
        16,
    );
}

#[test]
fn trading_agent_examples() {
    every_trace_gets_exactly_its_expected_findings(
        &Trading,
        include_str!("../../examples/traces/agents/trading.jsonl"),
        include_str!("../../examples/traces/agents/trading.expected.json"),
        14,
    );
}

#[test]
fn healthcare_agent_examples() {
    every_trace_gets_exactly_its_expected_findings(
        &Healthcare,
        include_str!("../../examples/traces/agents/healthcare.jsonl"),
        include_str!("../../examples/traces/agents/healthcare.expected.json"),
        14,
    );
}
