//! `aegis_macros::domain!` produces the same domain as the build.rs-generated crate.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use aegis_core::{Domain, Sanitized, Trace};

mod inline {
    aegis_macros::domain!("../domains/healthcare/domain_spec.yaml");
}

const TRACES: &str = include_str!("../../examples/traces/healthcare.jsonl");

#[test]
fn the_macro_and_the_domain_crate_agree_on_every_example() {
    let built = aegis_domain_healthcare::Healthcare;
    let inline = inline::Healthcare;
    assert_eq!(built.info().spec_hash, inline.info().spec_hash);
    assert_eq!(
        built.info().validators.len(),
        inline.info().validators.len()
    );
    let mut compared = 0;
    for line in TRACES.lines().filter(|l| !l.trim().is_empty()) {
        let trace: Trace = serde_json::from_str(line).expect("example trace parses");
        // Both run on the same text; sanitising is not what this test compares.
        let trace = Sanitized::without_phi(trace);
        assert_eq!(built.evaluate_rules(&trace), inline.evaluate_rules(&trace));
        compared += 1;
    }
    assert!(compared >= 30);
}
