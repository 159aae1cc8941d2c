//! Tier 0 end to end: the canary test (no raw identifier reaches any output, report, log line or
//! error message of `aegis-eval`), `aegis-eval sanitize`, and reversal with the vault.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{text, with_stdin};

const KEY: &str = "canary test passphrase, not a real key";

/// Identifiers planted everywhere a trace can carry text. None may come out.
const CANARIES: &[&str] = &[
    "Quenby",
    "Hallowell",
    "219-09-9999",
    "q.hallowell@example.net",
    "867-5309",
    "00482913",
    "03/14/1951",
    "742 Evergreen Terrace",
    "Walkertown",
    "4111 1111 1111 1111",
    "192.168.10.44",
    "1HGCM82633A004352",
];

fn canary_traces() -> String {
    let mut lines = Vec::new();
    for (i, model) in ["gpt-x", "claude-y", "llama-z"].iter().enumerate() {
        lines.push(serde_json::json!({
            "id": format!("q.hallowell@example.net-{i}"),
            "model": model,
            "input": "Mrs. Quenby Hallowell (DOB 03/14/1951, MRN 00482913, SSN 219-09-9999) asks: \
                      can I take ibuprofen with my warfarin? Call me at (555) 867-5309.",
            "output": "Mrs. Hallowell, take ibuprofen 400 mg with your warfarin every 4 hours; \
                       we will write to 742 Evergreen Terrace, Walkertown, IL 62704.",
            "metadata": {
                "domain": "healthcare",
                "tags": ["q.hallowell@example.net", "card 4111 1111 1111 1111"],
                "application": "portal at 192.168.10.44"
            },
            // Canaries in typed data the spec declares (a key it does not declare makes the
            // trace an error, so canaries there would prove nothing about Tier 0).
            "domain_data": {
                "patient": {
                    "age_years": 73,
                    "current_medications": ["warfarin", "VIN 1HGCM82633A004352"],
                    "allergies": ["Quenby Hallowell"]
                }
            }
        })
        .to_string());
    }
    // Lines that cannot be evaluated still must not repeat what they hold.
    lines.push(r#"{"id": "219-09-9999", "input": 5, "output": "Quenby Hallowell"}"#.to_owned());
    lines.push(
        r#"{"id": "Quenby Hallowell", "output": "MRN 00482913", "metadata": {"domain": "Hallowell-clinic"}}"#
            .to_owned(),
    );
    lines.push(
        r#"{"id": "q.hallowell@example.net", "output": "Quenby Hallowell 219-09-9999"#.to_owned(),
    );
    lines.push(r#"{"output": "x", "domain_data": {"patient": {"age_years": "Quenby Hallowell"}}, "metadata": {"domain": "healthcare"}}"#.to_owned());
    lines.join("\n") + "\n"
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aegis-eval"));
    c.env("AEGIS_PHI_KEY", KEY);
    c
}

fn run_stdin(args: &[&str], input: &str) -> Output {
    with_stdin(bin().args(args), input)
}

fn assert_clean(what: &str, text: &str) {
    for c in CANARIES {
        assert!(
            !text.contains(c),
            "raw identifier `{c}` leaked into {what}:\n{text}"
        );
    }
}

#[test]
fn canary_no_raw_identifier_reaches_any_output_log_or_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("canary.jsonl");
    std::fs::write(&input, canary_traces()).unwrap();
    let input_s = input.to_str().unwrap();
    let mut evaluated = 0;
    for format in ["table", "json", "jsonl", "junit"] {
        let out_file = dir.path().join(format!("results.{format}"));
        let vault = dir.path().join("run.vault");
        let out = bin()
            .args(["-vv", "run", input_s, "-f", format])
            .args(["-o", out_file.to_str().unwrap()])
            .args(["--phi-vault", vault.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("evaluated"),
            "verbose logging is on: {stderr}"
        );
        assert_clean(
            &format!("stderr (logs, summary, errors) of -f {format}"),
            &stderr,
        );
        assert_clean(
            &format!("stdout of -f {format}"),
            &String::from_utf8_lossy(&out.stdout),
        );
        let written = std::fs::read_to_string(&out_file).unwrap();
        assert_clean(&format!("the {format} report"), &written);
        assert_clean(
            "the sealed vault",
            &String::from_utf8_lossy(&std::fs::read(&vault).unwrap()),
        );
        if format == "jsonl" {
            let results: Vec<serde_json::Value> = written
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            assert_eq!(results.len(), 7, "no line is lost: {written}");
            evaluated = results
                .iter()
                .filter(|r| r["tiers"][0]["status"] == "completed")
                .count();
            // The rules still see the clinical facts: ibuprofen with warfarin is flagged.
            assert!(written.contains("warfarin"), "{written}");
        }
    }
    // The three good traces, and the one whose domain_data does not fit (Tier 0 runs first).
    assert_eq!(
        evaluated, 4,
        "traces of the healthcare domain went through Tier 0"
    );

    // The store: every byte of the database, its WAL, and what `traces` and `replay` print.
    let store = dir.path().join("aegis.db");
    let out = bin()
        .args([
            "run",
            input_s,
            "-q",
            "-f",
            "jsonl",
            "-o",
            "/dev/null",
            "--store",
        ])
        .arg(&store)
        .output()
        .unwrap();
    assert_clean("run --store stderr", &String::from_utf8_lossy(&out.stderr));
    let list = bin()
        .args(["traces", "list", "--json", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&list.stdout).into_owned();
    assert_eq!(listed.lines().count(), 7, "every line is stored: {listed}");
    assert_clean("traces list", &listed);
    for query in ["Quenby", "Hallowell", "warfarin"] {
        let found = bin()
            .args(["traces", "search", query, "--json", "--store"])
            .arg(&store)
            .output()
            .unwrap();
        let found = String::from_utf8_lossy(&found.stdout).into_owned();
        assert_clean(&format!("traces search {query}"), &found);
        if query == "warfarin" {
            assert!(!found.is_empty(), "the sanitised text is searchable");
        } else {
            assert!(found.is_empty(), "a raw name finds nothing: {found}");
        }
    }
    let first: serde_json::Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    let key = first["key"].as_str().unwrap();
    for args in [vec!["traces", "show", key], vec!["replay", key]] {
        let out = bin()
            .args(&args)
            .arg("--store")
            .arg(&store)
            .output()
            .unwrap();
        assert_clean(&args.join(" "), &String::from_utf8_lossy(&out.stdout));
        assert_clean(&args.join(" "), &String::from_utf8_lossy(&out.stderr));
    }
    let mut bytes = std::fs::read(&store).unwrap();
    for side in ["aegis.db-wal", "aegis.db-shm"] {
        if let Ok(b) = std::fs::read(dir.path().join(side)) {
            bytes.extend(b);
        }
    }
    // The result JSON is compressed: check the decompressed results too (via `traces list`,
    // above); the raw bytes hold the text columns and the index.
    assert_clean("the store's files", &String::from_utf8_lossy(&bytes));
}

#[test]
fn sanitize_writes_sanitised_jsonl_and_keeps_going_past_bad_lines() {
    let out = run_stdin(&["sanitize", "-", "--mode", "redact"], &canary_traces());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "one line is not JSON: {stderr}");
    assert!(
        stderr.contains("<stdin>:6") || stderr.contains("-:6"),
        "{stderr}"
    );
    assert_clean("sanitize's stdout", &stdout);
    assert_clean("sanitize's stderr", &stderr);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "every valid line comes out");
    assert_eq!(lines[0]["model"], "gpt-x", "fields that are never PHI stay");
    assert!(lines[0]["input"].as_str().unwrap().contains("[NAME]"));
    assert!(lines[0]["input"].as_str().unwrap().contains("warfarin"));
    assert_eq!(lines[0]["domain_data"]["patient"]["allergies"][0], "[NAME]");
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn pseudonyms_are_stable_across_runs_and_reversible_only_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "in.jsonl",
        "{\"id\": \"p1\", \"output\": \"Mrs. Quenby Hallowell, MRN 00482913, seen 2021-03-01 and 2021-03-15.\"}\n",
    );
    let vault = dir.path().join("map.vault");
    let sanitize = || {
        let out = bin()
            .args([
                "sanitize",
                input.to_str().unwrap(),
                "--vault",
                vault.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = sanitize();
    assert_eq!(first, sanitize(), "the same key gives the same pseudonyms");
    assert_clean("pseudonymised output", &first);
    let pseudo = write(dir.path(), "pseudo.jsonl", &first);

    let back = bin()
        .args([
            "reidentify",
            pseudo.to_str().unwrap(),
            "--vault",
            vault.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let restored = String::from_utf8_lossy(&back.stdout);
    assert!(
        restored.contains("Quenby Hallowell") && restored.contains("00482913"),
        "{restored}"
    );
    assert!(
        restored.contains("2021-03-01") && restored.contains("2021-03-15"),
        "{restored}"
    );

    let wrong = bin()
        .env("AEGIS_PHI_KEY", "some other organisation's passphrase")
        .args([
            "reidentify",
            pseudo.to_str().unwrap(),
            "--vault",
            vault.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(err.contains("cannot be decrypted"), "{err}");
    assert_clean(
        "the wrong key's error",
        &format!("{err}{}", String::from_utf8_lossy(&wrong.stdout)),
    );
}

#[test]
fn a_vault_without_a_configured_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "in.jsonl",
        "{\"id\": \"p1\", \"output\": \"Mrs. Quenby Hallowell\"}\n",
    );
    let vault = dir.path().join("map.vault");
    let out = Command::new(env!("CARGO_BIN_EXE_aegis-eval"))
        .env_remove("AEGIS_PHI_KEY")
        .args([
            "sanitize",
            input.to_str().unwrap(),
            "--vault",
            vault.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("AEGIS_PHI_KEY"), "{err}");
    assert!(!vault.exists(), "no vault that could never be opened");
    assert_clean(
        "the refusal",
        &format!("{err}{}", String::from_utf8_lossy(&out.stdout)),
    );
}

/// A trace with a canary in every field of the schema: text fields, the model, every metadata
/// field (times given as text), context, an RL episode's strings, unknown
/// top-level fields, and numbers shaped like a phone number and an SSN under keys that say
/// nothing.
fn trace_with_canaries_everywhere() -> String {
    serde_json::json!({
        "id": "q.hallowell@example.net",
        "model": "model for Quenby Hallowell 219-09-9999",
        "input": "Quenby Hallowell asks about ibuprofen and warfarin.",
        "output": "Mrs. Hallowell, call (555) 867-5309 about your warfarin.",
        "context": ["Chart of Quenby Hallowell, MRN 00482913, 742 Evergreen Terrace"],
        "metadata": {
            "domain": "healthcare",
            "organisation": "Hallowell family office 219-09-9999",
            "application": "portal at 192.168.10.44",
            "tags": ["q.hallowell@example.net"],
            "started_at": "Quenby Hallowell 03/14/1951",
            "ended_at": "call (555) 867-5309",
            "latency_ms": 2190
        },
        "episode": {
            "policy": {"name": "Quenby Hallowell", "version": "219-09-9999", "parameters": {"owner": "q.hallowell@example.net"}},
            "environment": "742 Evergreen Terrace, Walkertown, IL 62704",
            "steps": [{"state": [0.0], "action": 0, "reward": 1.0}]
        },
        "caller": {"name": "Quenby Hallowell", "phone": "(555) 867-5309"},
        "reference": 6_175_558_675_u64,
        "code": 219_099_999_u64
    })
    .to_string()
}

#[test]
fn canary_in_every_field_reaches_no_output_store_or_report() {
    // The numbers under keys that say nothing: a phone number and an SSN.
    let numbers = ["6175558675", "219099999"];
    let clean = |what: &str, text: &str| {
        assert_clean(what, text);
        for n in numbers {
            assert!(
                !text.contains(n),
                "number `{n}` leaked into {what}:\n{text}"
            );
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("everywhere.jsonl");
    std::fs::write(&input, trace_with_canaries_everywhere() + "\n").unwrap();
    let store = dir.path().join("aegis.db");
    for format in ["table", "json", "jsonl", "junit"] {
        let out = bin()
            .args([
                "-vv",
                "run",
                input.to_str().unwrap(),
                "-f",
                format,
                "--store",
            ])
            .arg(&store)
            .output()
            .unwrap();
        assert!(
            out.status.code().is_some_and(|c| c != 2),
            "{}",
            text(&out.stderr)
        );
        clean(&format!("run -f {format} stdout"), &text(&out.stdout));
        clean(&format!("run -f {format} stderr"), &text(&out.stderr));
    }
    let listed = bin()
        .args(["traces", "list", "--json", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let listed = text(&listed.stdout);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    clean("traces list", &listed);
    let v: serde_json::Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    let key = v["key"].as_str().unwrap();
    let mut outputs = Vec::new();
    for args in [
        vec!["traces", "show", key],
        vec!["traces", "show", key, "--json"],
        vec!["report"],
        vec!["report", "-f", "json"],
        vec!["report", "-f", "html"],
        vec!["review", "export"],
    ] {
        let out = bin()
            .args(&args)
            .arg("--store")
            .arg(&store)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        clean(&args.join(" "), &text(&out.stdout));
        clean(&args.join(" "), &text(&out.stderr));
        outputs.push(text(&out.stdout));
    }
    assert!(
        outputs[1].contains("warfarin"),
        "the clinical text is kept: {}",
        outputs[1]
    );
    let mut bytes = std::fs::read(&store).unwrap();
    for side in ["aegis.db-wal", "aegis.db-shm"] {
        if let Ok(b) = std::fs::read(dir.path().join(side)) {
            bytes.extend(b);
        }
    }
    clean("the store's files", &String::from_utf8_lossy(&bytes));
    let out = run_stdin(
        &["sanitize", "-"],
        &(trace_with_canaries_everywhere() + "\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    clean("sanitize", &text(&out.stdout));
}
