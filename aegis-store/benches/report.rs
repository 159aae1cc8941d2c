//! Reports over a large store: `Store::summarize` (what `aegis-eval report` reads) over
//! 1,000,000 realistic results, its time and the process's peak resident memory; and, for
//! comparison, the list-everything path reports used before (`list` with no limit, every
//! result decompressed and parsed).
//!
//! ```text
//! cargo bench -p aegis-store --bench report                          # 1,000,000 results, temp store
//! cargo bench -p aegis-store --bench report -- make FILE [N]         # only write the store
//! cargo bench -p aegis-store --bench report -- summarize FILE        # time summarize on it
//! cargo bench -p aegis-store --bench report -- list FILE             # time the old path on it
//! ```
//!
//! Each measurement runs in a process of its own (the default run starts them), so that the
//! peak resident memory (`VmHWM`) is that of the measured step alone.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use aegis_core::{
    EvaluationResult, Issue, ModuleOutcome, ModuleResult, Sanitized, Severity, Tier, TierOutcome,
    TierReport, Trace, UsdCost, Verdict,
};
use aegis_store::{Filter, ReviewLabel, SqliteStore, Store, StoredRecord};

const DOMAINS: [&str; 5] = [
    "healthcare",
    "trading",
    "legal",
    "robotics",
    "customer_support",
];
const MODELS: [&str; 6] = [
    "gpt-4o",
    "gpt-4o-mini",
    "claude-sonnet",
    "llama-3-70b",
    "mistral-large",
    "in-house-v2",
];
const APPLICATIONS: [&str; 8] = [
    "triage-bot",
    "discharge-notes",
    "desk-assistant",
    "contract-review",
    "pick-and-place",
    "support-chat",
    "claims",
    "research",
];
const THIRTY_DAYS_MS: i64 = 30 * 86_400_000;
const START_MS: i64 = 1_761_955_200_000; // 2025-11-01

/// A deterministic pseudo-random number for record `i`, stream `k`.
fn mix(i: u64, k: u64) -> u64 {
    let mut x = i
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(k.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 29)
}

fn record(i: usize, total: usize) -> StoredRecord {
    let n = i as u64;
    let domain = DOMAINS[(mix(n, 1) % 5) as usize];
    let r = mix(n, 2) % 100;
    let verdict = match r {
        0..=69 => Verdict::Pass,
        70..=89 => Verdict::Fail,
        90..=96 => Verdict::NeedsReview,
        _ => Verdict::Error,
    };
    let judged = matches!(verdict, Verdict::Pass | Verdict::Fail) && mix(n, 3).is_multiple_of(10);
    let modelled = !mix(n, 4).is_multiple_of(3);
    let decided_by = match verdict {
        Verdict::NeedsReview | Verdict::Error => None,
        _ if judged => Some(Tier::Judge),
        _ if modelled && mix(n, 5).is_multiple_of(2) => Some(Tier::Models),
        _ => Some(Tier::Rules),
    };
    let issues: Vec<Issue> = if verdict == Verdict::Fail || mix(n, 6).is_multiple_of(10) {
        (0..1 + mix(n, 7) % 3)
            .map(|k| Issue {
                validator: format!("{domain}_rule_{:02}", mix(n, 8 + k) % 12),
                tier: Tier::Rules,
                severity: Severity::ALL[(mix(n, 11 + k) % 5) as usize],
                message: format!(
                    "dose {} mg/day exceeds the {} mg/day maximum",
                    5000 + i % 4000,
                    4000
                ),
                evidence: Vec::new(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let judge_cost = if judged {
        UsdCost::from_micros(800 + mix(n, 14) % 2400)
    } else {
        UsdCost::ZERO
    };
    let score = (mix(n, 15) % 1000) as f64 / 1000.0;
    let tiers = Tier::ALL
        .iter()
        .map(|t| TierReport {
            tier: *t,
            outcome: TierOutcome::Completed,
            latency_ns: 1200,
            cost_usd: if *t == Tier::Judge {
                judge_cost
            } else {
                UsdCost::ZERO
            },
            modules: match t {
                Tier::Rules => (0..10)
                    .map(|v| ModuleResult {
                        module: format!("{domain}_rule_{v:02}").into(),
                        outcome: ModuleOutcome::NotApplicable,
                        issues: 0,
                        score: None,
                        scores: Vec::new(),
                        call: None,
                        weights: None,
                    })
                    .collect(),
                Tier::Models if modelled => vec![ModuleResult {
                    module: format!("{domain}_risk").into(),
                    outcome: if score > 0.7 {
                        ModuleOutcome::Failed
                    } else if score > 0.4 {
                        ModuleOutcome::Unsure
                    } else {
                        ModuleOutcome::Passed
                    },
                    issues: 0,
                    score: Some(score),
                    scores: Vec::new(),
                    call: None,
                    weights: Some("v3 sha256:0f1e2d3c".into()),
                }],
                _ => Vec::new(),
            },
        })
        .collect();
    let result = EvaluationResult {
        trace_id: Some(format!("trace-{i:08}")),
        line: Some(n + 1),
        domain: (verdict != Verdict::Error || n.is_multiple_of(2)).then(|| domain.to_owned()),
        verdict,
        decided_by,
        issues,
        tiers,
        cost_usd: judge_cost,
        // 20 µs to 2 ms for the machine tiers, 0.5 to 3 s for a judge.
        latency_ns: if judged {
            500_000_000 + mix(n, 16) % 2_500_000_000
        } else {
            20_000 + mix(n, 16) % 2_000_000
        },
        error: (verdict == Verdict::Error).then(|| "invalid domain data".to_owned()),
    };
    let trace = Sanitized::without_phi(Trace {
        model: Some(MODELS[(mix(n, 17) % 6) as usize].to_owned()),
        input: format!("How much acetaminophen can I take for my back pain? (case {i})"),
        output: format!(
            "Take {} mg of acetaminophen every 6 hours, and see a doctor if the pain lasts more than a week.",
            500 + i % 1000
        ),
        metadata: aegis_core::Metadata {
            application: Some(APPLICATIONS[(mix(n, 18) % 8) as usize].to_owned()),
            ..aegis_core::Metadata::default()
        },
        ..Trace::default()
    });
    // Written in time order, as a store fills (a result every 2.6 s over 30 days for a
    // million), give or take a minute.
    let at = START_MS + (n as i64) * THIRTY_DAYS_MS / total as i64 + (mix(n, 19) % 60_000) as i64;
    StoredRecord::new(result, Some(&trace), at).with_provenance(aegis_store::Provenance {
        spec_hash: "9f2c1e0b7a6d5c4b3a29181706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3".into(),
        domain_version: "1.0.0".into(),
        aegis_version: "0.1.0".into(),
    })
}

/// The process's peak resident memory, in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn make(path: &Path, n: usize) {
    let mut store = SqliteStore::open(path).unwrap();
    let started = Instant::now();
    let batch = 5_000;
    for from in (0..n).step_by(batch) {
        let records: Vec<StoredRecord> = (from..(from + batch).min(n))
            .map(|i| record(i, n))
            .collect();
        store.write(&records).unwrap();
    }
    store.index_text().unwrap();
    // A few hundred expert labels, mostly agreeing with the machine.
    let mut labels = 0;
    for i in (0..n).step_by((n / 400).max(1)) {
        let row = store.get(&format!("trace-{i:08}")).unwrap().unwrap();
        let fails = row.result.verdict == Verdict::Fail;
        let agrees = !mix(i as u64, 20).is_multiple_of(10);
        store
            .add_label(&ReviewLabel {
                key: row.key,
                verdict: if fails == agrees {
                    Verdict::Fail
                } else {
                    Verdict::Pass
                },
                severity: None,
                notes: Default::default(),
                reviewer: "expert".into(),
                accepted: agrees,
                labelled_at_ms: START_MS + THIRTY_DAYS_MS,
            })
            .unwrap();
        labels += 1;
    }
    let wal = path.with_extension("db-wal");
    let size = [path, wal.as_path()]
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum::<u64>();
    println!(
        "report: made {n} results and {labels} labels in {:.1} s ({:.0} MB on disk)",
        started.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );
}

fn summarize(path: &Path) {
    let store = SqliteStore::open(path).unwrap();
    let started = Instant::now();
    let s = store.summarize(&Filter::default()).unwrap();
    let all = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let d = store
        .summarize(&Filter {
            domain: Some("healthcare".into()),
            min_severity: Some(Severity::High),
            ..Filter::default()
        })
        .unwrap();
    let narrowed = started.elapsed().as_secs_f64();
    println!(
        "report: summarize over {} results: {all:.2} s ({} domains, {} time buckets, {} validators, {} labelled; p50 {:.3} ms, p95 {:.1} ms); \
         healthcare with an issue of high or worse ({} results): {narrowed:.2} s; peak resident memory {:.1} MiB",
        s.overall.total,
        s.by_domain.len(),
        s.by_time.len(),
        s.issues.len(),
        s.labelled.len(),
        s.latency_ns_p50.unwrap_or(0) as f64 / 1e6,
        s.latency_ns_p95.unwrap_or(0) as f64 / 1e6,
        d.overall.total,
        peak_rss_mib()
    );
}

fn list(path: &Path) {
    let store = SqliteStore::open(path).unwrap();
    let started = Instant::now();
    let rows = store.list(&Filter::default()).unwrap();
    println!(
        "report: the old path, list every result: {} rows in {:.2} s; peak resident memory {:.1} MiB",
        rows.len(),
        started.elapsed().as_secs_f64(),
        peak_rss_mib()
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match (arg(0), arg(1)) {
        (Some("make"), Some(file)) => {
            make(
                Path::new(file),
                arg(2).and_then(|n| n.parse().ok()).unwrap_or(1_000_000),
            );
        }
        (Some("summarize"), Some(file)) => summarize(Path::new(file)),
        (Some("list"), Some(file)) => list(Path::new(file)),
        _ => {
            let n: usize = arg(0).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("report.db");
            make(&path, n);
            let me = std::env::current_exe().unwrap();
            let status = Command::new(me)
                .arg("summarize")
                .arg(&path)
                .status()
                .unwrap();
            assert!(status.success());
        }
    }
}
