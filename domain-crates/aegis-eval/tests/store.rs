//! `aegis-eval run --store`: one result per trace however often a batch is run, also after the
//! run was killed with SIGKILL; and `aegis-eval traces` over the store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::text;

const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn aegis() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aegis-eval"));
    c.env_remove("AEGIS_STORE").env("AEGIS_PHI_KEY", KEY);
    c
}

/// `n` traces with distinct ids, from the bundled healthcare examples.
fn write_traces(path: &Path, n: usize) {
    let examples = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/traces/healthcare.jsonl"
    ))
    .unwrap();
    let examples: Vec<serde_json::Value> = examples
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut out = String::new();
    for i in 0..n {
        let mut t = examples[i % examples.len()].clone();
        t["id"] = serde_json::json!(format!("run-{i:06}"));
        out.push_str(&t.to_string());
        out.push('\n');
    }
    // One line that is not a trace: it is stored too, as its error result.
    out.push_str("{not json\n");
    std::fs::write(path, out).unwrap();
}

fn stored_ids(store: &Path) -> Vec<String> {
    let out = aegis()
        .args(["traces", "list", "--json", "--limit", "1000000", "--store"])
        .arg(store)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["key"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn a_run_killed_with_sigkill_and_run_again_stores_exactly_one_result_per_trace() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("traces.jsonl");
    let store = dir.path().join("aegis.db");
    let n = 12_000;
    write_traces(&input, n);
    let run = || {
        let mut c = aegis();
        c.args([
            "run",
            "-q",
            "--no-models",
            "-f",
            "jsonl",
            "-o",
            "/dev/null",
            "--store",
        ])
        .arg(&store)
        .arg(&input);
        c
    };
    // Start, and kill it with SIGKILL mid-way (once the store has a committed batch).
    let mut child = run()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        std::thread::sleep(Duration::from_millis(50));
        // A committed batch is visible to another reader (WAL).
        let has_rows = store.exists()
            && aegis()
                .args(["traces", "list", "--json", "--limit", "1", "--store"])
                .arg(&store)
                .output()
                .map(|o| !o.stdout.is_empty())
                .unwrap_or(false);
        if has_rows || child.try_wait().unwrap().is_some() || std::time::Instant::now() > deadline {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let killed = child.wait().unwrap();
    let partial = stored_ids(&store).len();
    eprintln!(
        "killed ({killed:?}) with {partial} of {} results stored",
        n + 1
    );
    assert!(partial <= n + 1);

    // Run again to the end, and once more: exactly one result per trace, none missing.
    for _ in 0..2 {
        let out = run().output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(3),
            "the bad line: exit 3\n{}",
            text(&out.stderr)
        );
    }
    let mut ids = stored_ids(&store);
    assert_eq!(ids.len(), n + 1);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n + 1, "no duplicates");
    // Tier 0 turns ids that look like identifiers into keyed pseudonyms; with the
    // organisation's key they are the same in every run, so each trace keeps one record.
    assert_eq!(ids.iter().filter(|k| k.starts_with("id:")).count(), n);
    assert_eq!(
        ids.iter().filter(|k| k.starts_with("sha256:")).count(),
        1,
        "the bad line"
    );
}

#[test]
fn traces_list_show_search_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("traces.jsonl");
    let store = dir.path().join("aegis.db");
    write_traces(&input, 54);
    let out = aegis()
        .args(["run", "-q", "-f", "jsonl", "-o", "/dev/null", "--store"])
        .arg(&store)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let traces = |args: &[&str]| {
        let out = aegis()
            .arg("traces")
            .args(args)
            .arg("--store")
            .arg(&store)
            .output()
            .unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, list, _) = traces(&[
        "list",
        "--verdict",
        "fail",
        "--severity",
        "critical",
        "--limit",
        "1000",
    ]);
    assert_eq!(code, Some(0));
    let rows: Vec<&str> = list
        .lines()
        .filter(|l| l.contains(" healthcare "))
        .collect();
    assert!(!rows.is_empty(), "{list}");
    assert!(
        rows.iter()
            .all(|l| l.contains(" fail ") && l.contains("critical")),
        "{list}"
    );
    let first_id = rows[0].split_whitespace().next().unwrap().to_owned();
    let (_, found, _) = traces(&["search", "warfarin", "--json"]);
    assert!(!found.is_empty());
    for l in found.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let t = &v["trace"];
        let text = format!("{} {}", t["input"], t["output"]).to_lowercase();
        let issues = v["result"]["issues"].to_string().to_lowercase();
        assert!(
            text.contains("warfarin") || issues.contains("warfarin"),
            "{l}"
        );
    }
    let (code, show, _) = traces(&["show", &first_id]);
    assert_eq!(code, Some(0));
    assert!(
        show.contains("verdict") && show.contains("output (sanitised)"),
        "{show}"
    );
    // The audit trail records what produced the verdict.
    let (_, show, _) = traces(&["show", &first_id, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&show).unwrap();
    let audit = v["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        audit[0]["provenance"]["spec_hash"].as_str().unwrap().len(),
        64
    );
    assert_eq!(audit[0]["provenance"]["domain_version"], "1.0.0");
    let (code, _, err) = traces(&["show", "no-such-trace"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no stored result"), "{err}");
    let (code, _, err) = traces(&["delete"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--all"), "{err}");
    let (_, deleted, _) = traces(&["delete", &first_id]);
    assert!(deleted.contains("deleted 1"), "{deleted}");
    let (_, deleted, _) = traces(&["delete", "--verdict", "pass"]);
    assert!(deleted.starts_with("deleted "), "{deleted}");
    let (_, left, _) = traces(&["list", "--verdict", "pass", "--json"]);
    assert!(left.trim().is_empty(), "{left}");
    // The report, in all three forms.
    let report = |format: &str| {
        let out = aegis()
            .args(["report", "-f", format, "--store"])
            .arg(&store)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let json: serde_json::Value = serde_json::from_str(&report("json")).unwrap();
    let remaining = json["overall"]["total"].as_u64().unwrap();
    assert!(remaining > 0);
    assert_eq!(json["overall"]["pass"], 0, "the passes were deleted");
    assert!(json["latency_ms_p95"].as_f64().unwrap() >= json["latency_ms_p50"].as_f64().unwrap());
    assert!(json["by_domain"]["healthcare"]["total"].as_u64().unwrap() > 0);
    assert!(report("table").contains("top issues"));
    let html = report("html");
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<svg"),
        "{html}"
    );
    // A missing store is a clear error.
    let out = aegis()
        .args(["traces", "list", "--store"])
        .arg(dir.path().join("none.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no store at"));
}

#[test]
fn replay_shows_what_changed_and_can_save_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("aegis.db");
    // A clean answer: Tier 1 passes it. Stored from a run without Tier 2, it was decided by
    // the rules; today's evaluation (with the domain's models) is decided by Tier 2.
    let trace = r#"{"id":"replay-me","metadata":{"domain":"healthcare"},"input":"Can I take ibuprofen for a sprain?","output":"Ibuprofen 200 to 400 mg every 6 to 8 hours with food is usual for adults; do not exceed 1200 mg a day without a doctor's advice."}"#;
    let mut c = aegis();
    c.args(["run", "-", "-q", "--no-models", "-f", "jsonl", "--store"])
        .arg(&store);
    let out = common::with_stdin(&mut c, trace);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stored: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(stored["decided_by"], "rules");
    let id = stored["trace_id"].as_str().unwrap().to_owned();

    let replay = |extra: &[&str]| {
        let out = aegis()
            .args(["replay", &id, "--store"])
            .arg(&store)
            .args(extra)
            .output()
            .unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    // Same tiers: nothing changed.
    let (code, shown, err) = replay(&["--no-models"]);
    assert_eq!(code, Some(0), "{shown}{err}");
    assert!(
        shown.contains("unchanged") && shown.contains("spec      unchanged"),
        "{shown}"
    );
    // With Tier 2: decided by the models now; exit 1 says something changed.
    let (code, shown, err) = replay(&["--json"]);
    assert_eq!(code, Some(1), "{shown}{err}");
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(v["changed"], true);
    assert_eq!(v["changes"]["decided_by"][0], "rules");
    assert_eq!(v["changes"]["decided_by"][1], "models");
    // Saved: the store holds the new result, the audit log both.
    let (code, _, _) = replay(&["--save"]);
    assert_eq!(code, Some(1));
    let (code, shown, _) = replay(&[]);
    assert_eq!(code, Some(0), "{shown}");
    let out = aegis()
        .args(["traces", "show", &id, "--json", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"]["decided_by"], "models");
    let audit = v["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 2);
    // The replayed verdict names the model weights that produced it.
    let weights = audit[1]["models"][0]["weights"].as_str().unwrap();
    assert!(
        weights.starts_with('v') && weights.contains(" sha256:"),
        "{weights}"
    );
    assert!(
        audit[0]["models"].as_array().unwrap().is_empty(),
        "stored without Tier 2"
    );
    // An unknown trace is a clear error.
    let out = aegis()
        .args(["replay", "nope", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no stored result"));
}

#[test]
fn review_queue_keyboard_flow_export_import_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("aegis.db");
    let input = dir.path().join("traces.jsonl");
    write_traces(&input, 54);
    let out = aegis()
        .args(["run", "-q", "-f", "jsonl", "-o", "/dev/null", "--store"])
        .arg(&store)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = aegis()
        .args(["run", "-q", "-f", "jsonl", "--store"])
        .arg(&store)
        .arg(&input)
        .output()
        .unwrap();
    let queued = text(&out.stdout)
        .lines()
        .filter(|l| l.contains("queued for expert review in the store"))
        .count();
    assert!(queued >= 3, "results say they were queued");
    let export = || {
        let out = aegis()
            .args(["review", "export", "--store"])
            .arg(&store)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    // Every needs_review result is queued; the export carries the sanitised trace.
    let tasks = export();
    assert!(tasks.len() >= 3, "{tasks:?}");
    assert!(
        tasks
            .iter()
            .all(|t| t["machine_verdict"] == "needs_review" && t["trace"]["output"].is_string())
    );
    // The keyboard flow: fail (critical, with a note naming someone), pass, skip, quit.
    let mut c = aegis();
    c.args(["review", "--reviewer", "dr-a", "--store"])
        .arg(&store);
    let out = common::with_stdin(
        &mut c,
        "x\nf\nc\nZebediah Quartermaine agrees it is unsafe\np\n\ns\nq\n",
    );
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{shown}{}", text(&out.stderr));
    assert!(
        shown.contains("a, p, f, s or q"),
        "a wrong key is explained: {shown}"
    );
    assert!(shown.contains("2 labelled, 1 skipped"), "{shown}");
    assert_eq!(
        export().len(),
        tasks.len() - 2,
        "labelled tasks leave the queue; skipped ones stay"
    );
    // Import: one good line, one naming an unknown trace, one not JSON.
    let labels = dir.path().join("labels.jsonl");
    let mut bytes = format!(
        "{}\n{{\"key\":\"id:nope\",\"verdict\":\"fail\",\"reviewer\":\"x\"}}\nnot json\n",
        serde_json::json!({"key": tasks[3]["key"], "verdict": "fail", "severity": "high", "reviewer": "dr-b", "notes": "checked"})
    )
    .into_bytes();
    bytes.extend_from_slice(b"\xff\xfe not text\n");
    std::fs::write(&labels, bytes).unwrap();
    let out = aegis()
        .args(["review", "import"])
        .arg(&labels)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("labels.jsonl:2:") && err.contains("labels.jsonl:3:"),
        "{err}"
    );
    assert!(err.contains("labels.jsonl:4: not UTF-8"), "{err}");
    assert!(err.contains("1 labels imported, 3 lines skipped"), "{err}");
    let out = aegis()
        .args(["review", "labels", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let recorded: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recorded.len(), 3);
    assert_eq!(recorded[0]["verdict"], "fail");
    assert_eq!(recorded[0]["severity"], "critical");
    assert_eq!(recorded[0]["reviewer"], "dr-a");
    assert_eq!(recorded[1]["verdict"], "pass");
    assert_eq!(recorded[2]["reviewer"], "dr-b");
    // The note went through Tier 0: the name is not stored.
    let note = recorded[0]["notes"].as_str().unwrap();
    assert!(
        note.contains("agrees it is unsafe") && !note.contains("Zebediah"),
        "{note}"
    );
    // The labels as training data for the healthcare model, which `train` reads.
    let out = aegis()
        .args([
            "review",
            "labels",
            "--for",
            "healthcare/safety_risk",
            "--store",
        ])
        .arg(&store)
        .output()
        .unwrap();
    let data = text(&out.stdout);
    assert_eq!(data.lines().count(), 3, "{data}{}", text(&out.stderr));
    let first: serde_json::Value = serde_json::from_str(data.lines().next().unwrap()).unwrap();
    assert!(
        ["safe", "unsafe"].contains(&first["label"].as_str().unwrap()),
        "{first}"
    );
    let training = dir.path().join("labels-train.jsonl");
    std::fs::write(&training, &data).unwrap();
    let out = aegis()
        .args([
            "train",
            "healthcare",
            "safety_risk",
            "--synthetic",
            "300",
            "--max-epochs",
            "3",
            "--registry",
        ])
        .arg(dir.path().join("registry"))
        .arg("--data")
        .arg(&training)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "train reads the labels: {}",
        text(&out.stderr)
    );
    // Active learning: a budget of 6 from what no expert has seen; never a labelled one twice.
    let before = export().len();
    let out = aegis()
        .args(["review", "sample", "--budget", "6", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let said = text(&out.stdout);
    assert!(said.starts_with("queued 6 of "), "{said}");
    let after = export();
    assert_eq!(after.len(), before + 6);
    let sampled: Vec<&serde_json::Value> = after
        .iter()
        .filter(|t| t["reason"].as_str().unwrap().starts_with("sampled:"))
        .collect();
    assert_eq!(sampled.len(), 6);
    let labelled_keys: Vec<String> = recorded
        .iter()
        .map(|l| l["key"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        sampled
            .iter()
            .all(|t| !labelled_keys.contains(&t["key"].as_str().unwrap().to_owned()))
    );
    // The report shows machine–expert agreement.
    let out = aegis()
        .args(["report", "-f", "json", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["labelled"], 3);
    assert!(report["agreement"].is_array());
    // No reviewer: a clear error.
    let out = aegis()
        .args(["review", "--store"])
        .arg(&store)
        .env_remove("AEGIS_REVIEWER")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--reviewer"));
}

#[test]
fn a_store_without_a_configured_key_uses_its_own_key_file() {
    // Without AEGIS_PHI_KEY or --phi-key-file, `run --store` creates `<store>.key` (mode 0600)
    // once and uses it on every run: a trace id that looks like PHI pseudonymises the same way
    // each time, so the second run replaces the first run's result instead of adding one.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("aegis.db");
    let line = "{\"id\": \"MRN 12345678\", \"output\": \"Take 5 mg daily.\", \"metadata\": {\"domain\": \"healthcare\"}}\n";
    let run = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_aegis-eval"));
        c.env_remove("AEGIS_PHI_KEY")
            .env_remove("AEGIS_STORE")
            .args(["run", "-", "-f", "jsonl", "--store"])
            .arg(&store);
        common::with_stdin(&mut c, line)
    };
    let first = run();
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stderr).contains("aegis.db.key"),
        "{}",
        text(&first.stderr)
    );
    let key_file = dir.path().join("aegis.db.key");
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(key.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by this user only");
    }
    let second = run();
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        key,
        "the key is kept"
    );
    let id = |out: &std::process::Output| {
        let v: serde_json::Value =
            serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
        v["trace_id"].as_str().unwrap().to_owned()
    };
    assert_eq!(id(&first), id(&second), "the same pseudonym on both runs");
    assert!(!id(&first).contains("12345678"));
    let listed = aegis()
        .args(["traces", "list", "--json", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(text(&listed.stdout).lines().count(), 1, "one stored result");
}
