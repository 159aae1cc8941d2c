//! The example traces give exactly their expected findings, through Tier 0 (the spec declares
//! PHI) and the generated rules.

use std::collections::{BTreeMap, BTreeSet};

use aegis_core::{Domain, Sanitized, Trace};
use aegis_domain_acme::Acme;

#[test]
fn examples_give_their_expected_findings() {
    let info = Acme.info();
    assert_eq!(info.name, "acme");
    let settings = info.phi.expect("the acme spec declares PHI");
    let engine = aegis_phi::PhiEngine::new(aegis_phi::PhiKey::random().expect("a key"))
        .expect("a PHI engine");
    let expected: BTreeMap<String, BTreeSet<String>> =
        serde_json::from_str(include_str!("../traces/acme.expected.json")).expect("JSON");
    let mut seen = 0;
    for line in include_str!("../traces/acme.jsonl").lines() {
        let trace: Trace = serde_json::from_str(line).expect("a trace");
        let id = trace.id.clone().expect("an id");
        let (clean, _) = Sanitized::sanitize(trace, &engine, &settings);
        let outcome = Acme.evaluate_rules(&clean);
        assert!(
            outcome.data_error.is_none(),
            "{id}: {:?}",
            outcome.data_error
        );
        let found: BTreeSet<String> = outcome.issues.iter().map(|i| i.validator.clone()).collect();
        assert_eq!(found, expected[&id], "{id}");
        seen += 1;
    }
    assert_eq!(seen, expected.len());
}
