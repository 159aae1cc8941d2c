//! The expression language: any text as a rule's `require:` and in its message, in a spec
//! that declares typed data, a table and an extractor. The checker must accept it or name
//! what is wrong at its place; it must never panic or be slow.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

const HEAD: &str = "domain: fuzz
version: 1.0.0
phi: { detect: none, reason: fuzz input }
data:
  patient:
    age_years: float?
    weight_kg: float?
    allergies: list<string>
    name: string?
tables:
  drugs:
    source: tables/drugs.csv
    key: name
    columns: { name: string, max_mg: float, class: string }
extractors:
  meds:
    pattern: '(?i)\\b(?P<drug>{drugs.name})\\s+(?P<dose>\\d+)\\s*mg'
    captures: { drug: drugs, dose: float }
tier1:
  - id: fuzzed
    severity: high
    for_each: m in meds
";

fuzz_target!(|data: &[u8]| {
    let Ok(expr) = std::str::from_utf8(data) else {
        return;
    };
    // A JSON string is a YAML double-quoted scalar: the expression arrives as written.
    let Ok(quoted) = serde_json::to_string(expr) else {
        return;
    };
    let spec = format!("{HEAD}    require: {quoted}\n    message: {quoted}\n");
    let dir = std::env::temp_dir().join(format!("aegis-fuzz-expr-{}", std::process::id()));
    let _ = std::fs::create_dir_all(dir.join("tables"));
    let table = dir.join("tables/drugs.csv");
    if !table.exists()
        && std::fs::write(&table, "name,max_mg,class\nibuprofen,3200,nsaid\n").is_err()
    {
        return;
    }
    let path = dir.join("domain_spec.yaml");
    if std::fs::write(&path, &spec).is_err() {
        return;
    }
    common::timed(data.len(), "the expression checker", || {
        let _ = aegis_codegen::generate(&path);
    });
});
