//! Every domain's bundled example traces (`examples/traces/<domain>.jsonl`), run through the
//! real `aegis-eval` binary, give exactly the Tier-1 findings their expectation files list
//! (`<domain>.expected.json`: trace id → rule ids). A domain added with `cargo xtask new-domain`
//! is covered as soon as it exists.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use common::text;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_domains_examples_give_their_expected_findings() {
    let linked = Command::new(env!("CARGO_BIN_EXE_aegis-eval"))
        .arg("domains")
        .output()
        .unwrap();
    let linked = text(&linked.stdout);
    let mut checked = Vec::new();
    let mut mismatches = Vec::new();
    let mut dir: Vec<_> = std::fs::read_dir(repo().join("examples/traces"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    dir.sort();
    for expected_path in dir {
        let name = expected_path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let domain = name.trim_end_matches(".expected.json").to_owned();
        assert!(
            linked
                .lines()
                .any(|l| l.split_whitespace().next() == Some(domain.as_str())),
            "{domain} has examples but is not linked into aegis-eval"
        );
        let expected: BTreeMap<String, BTreeSet<String>> =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
        let traces = repo().join(format!("examples/traces/{domain}.jsonl"));
        let out = Command::new(env!("CARGO_BIN_EXE_aegis-eval"))
            .args([
                "run",
                "-f",
                "jsonl",
                "-q",
                "--no-models",
                "--domain",
                &domain,
            ])
            .arg(&traces)
            .env_remove("AEGIS_STORE")
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{domain}: {}",
            text(&out.stderr)
        );
        let mut seen = 0;
        for line in text(&out.stdout).lines() {
            let r: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_ne!(r["verdict"], "error", "{domain}: {r}");
            let id = r["trace_id"].as_str().unwrap().to_owned();
            let found: BTreeSet<String> = r["issues"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["tier"] == "rules")
                .map(|i| i["validator"].as_str().unwrap().to_owned())
                .collect();
            let want = expected.get(&id).cloned().unwrap_or_default();
            if found != want {
                mismatches.push(format!("{domain} {id}: expected {want:?}, found {found:?}"));
            }
            seen += 1;
        }
        assert_eq!(
            seen,
            expected.len(),
            "{domain}: one result per expected trace"
        );
        checked.push(domain);
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    for d in ["healthcare", "trading"] {
        assert!(checked.iter().any(|c| c == d), "{d}: {checked:?}");
    }
}
