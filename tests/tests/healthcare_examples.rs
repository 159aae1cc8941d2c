//! The bundled healthcare traces, written and labelled independently of the rules, give the
//! findings their labels say — no more, no fewer.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::collections::{BTreeMap, BTreeSet};

use aegis_core::{Trace, Verdict};
use aegis_domain_healthcare::Healthcare;
use aegis_runtime::Orchestrator;

const TRACES: &str = include_str!("../../examples/traces/healthcare.jsonl");
const EXPECTED: &str = include_str!("../../examples/traces/healthcare.expected.json");

#[test]
fn every_example_trace_gets_exactly_its_expected_findings() {
    let expected: BTreeMap<String, BTreeSet<String>> =
        serde_json::from_str(EXPECTED).expect("expected file parses");
    let orchestrator = Orchestrator::new();
    let mut mismatches = Vec::new();
    let mut seen = 0;
    for line in TRACES.lines().filter(|l| !l.trim().is_empty()) {
        let trace: Trace = serde_json::from_str(line).expect("example trace parses");
        let id = trace.id.clone().expect("example traces have ids");
        let result = orchestrator.evaluate(&Healthcare, trace);
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
    assert!(seen >= 30, "only {seen} example traces");
    assert!(
        mismatches.is_empty(),
        "{} of {seen} traces differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
