//! `cargo xtask new-domain`'s scaffold: the files it writes make a spec that generates, with
//! example traces labelled for every rule it has. (`tests/tests/external_crates.rs` builds the
//! same scaffold as a standalone crate and evaluates its examples.)

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::collections::{BTreeMap, BTreeSet};

#[test]
fn the_scaffold_generates_and_labels_every_rule() {
    let root = tempfile::tempdir().unwrap();
    let files = aegis_codegen::scaffold::new_domain(root.path(), "acme").unwrap();
    for f in &files {
        let path = root.path().join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &f.content).unwrap();
    }
    let spec = root.path().join("domains/acme/domain_spec.yaml");
    let generated = aegis_codegen::generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(generated.name(), "acme");
    let source = generated.to_source();
    for item in [
        "check_banned_term",
        "check_over_approved_limit",
        "check_advice_without_disclaimer",
        "review_prompt",
    ] {
        assert!(source.contains(item), "{item}");
    }
    // The examples carry the domain's name and their expectations cover every rule.
    let traces = std::fs::read_to_string(root.path().join("examples/traces/acme.jsonl")).unwrap();
    assert!(traces.lines().all(|l| l.contains("\"domain\": \"acme\"")));
    let expected: BTreeMap<String, BTreeSet<String>> = serde_json::from_str(
        &std::fs::read_to_string(root.path().join("examples/traces/acme.expected.json")).unwrap(),
    )
    .unwrap();
    let labelled: BTreeSet<&String> = expected.values().flatten().collect();
    assert_eq!(labelled.len(), 3);
    assert_eq!(expected.len(), traces.lines().count());

    // A second scaffold of the same name, or a name that is not one, is refused.
    let again = aegis_codegen::scaffold::new_domain(root.path(), "acme").unwrap_err();
    assert!(again.contains("exists already"), "{again}");
    let bad = aegis_codegen::scaffold::new_domain(root.path(), "Acme-2").unwrap_err();
    assert!(bad.contains("cannot name a domain"), "{bad}");
}
